"""Zero ``metav1.Time`` fields that Go always serializes, as ``null``, are served that way.

PodCondition.lastProbeTime and lastTransitionTime, ContainerStateRunning.startedAt,
ContainerStateTerminated.startedAt/finishedAt and a pod template's
metadata.creationTimestamp are ``metav1.Time`` structs, not pointers: ``omitempty`` does not
drop a struct, and a zero Time marshals as ``null``. So ``kubectl get pod -o yaml`` on a real
cluster shows ``- lastProbeTime: null`` on every pod condition, whoever wrote it and whether
or not the writer sent the field.
"""

import labkube

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
       "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


def test_every_condition_of_a_running_pod_shows_last_probe_time_null():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.apply(POD)
    cluster.run(30)
    conditions = cluster.get("pod", "p")["status"]["conditions"]
    assert {c["type"] for c in conditions} == {"PodReadyToStartContainers", "Initialized", "Ready",
                                               "ContainersReady", "PodScheduled"}
    assert all("lastProbeTime" in c and c["lastProbeTime"] is None for c in conditions)
    assert cluster.kubectl("get pod p -o yaml").count("- lastProbeTime: null\n") == 5


def test_a_pending_pods_unschedulable_condition_shows_last_probe_time_null():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.apply(dict(POD, spec={"containers": [{"name": "c", "image": "nginx",
                                                  "resources": {"requests": {"cpu": "64"}}}]}))
    cluster.run(2)
    [condition] = cluster.get("pod", "p")["status"]["conditions"]
    assert list(condition) == ["type", "status", "lastProbeTime", "lastTransitionTime", "reason", "message"]
    assert condition["lastProbeTime"] is None


def test_a_condition_written_without_the_time_fields_is_served_with_them_as_null():
    cluster = labkube.Cluster(nodes=0, seed=0, scheduler=False, controllers=False)
    cluster.apply(POD)
    cluster.client.patch("pods", "p", {"status": {"conditions": [{"type": "Example", "status": "True"}],
                                               "containerStatuses": [{
                                                   "name": "c", "image": "nginx", "imageID": "", "ready": False,
                                                   "restartCount": 0,
                                                   "state": {"terminated": {"exitCode": 137,
                                                                            "reason": "ContainerStatusUnknown"}},
                                                   "lastState": {"running": {}}}]}},
                         namespace="default", subresource="status")
    status = cluster.get("pod", "p")["status"]
    assert status["conditions"] == [{"type": "Example", "status": "True", "lastProbeTime": None,
                                     "lastTransitionTime": None}]
    [container] = status["containerStatuses"]
    assert container["state"]["terminated"] == {"exitCode": 137, "reason": "ContainerStatusUnknown",
                                                "startedAt": None, "finishedAt": None}
    assert container["lastState"] == {"running": {"startedAt": None}}


def test_a_deployments_pod_template_shows_creation_timestamp_null():
    cluster = labkube.Cluster(nodes=0, seed=0, scheduler=False, controllers=False)
    cluster.apply({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                   "spec": {"selector": {"matchLabels": {"app": "web"}},
                            "template": {"metadata": {"labels": {"app": "web"}},
                                         "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    assert cluster.get("deployment", "web")["spec"]["template"]["metadata"]["creationTimestamp"] is None
