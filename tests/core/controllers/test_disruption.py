"""The disruption controller on the simulated clock: every PodDisruptionBudget's status is what
kube-controller-manager 1.32 computes from its pods and their controllers' scale."""

import pytest

import labkube
from labkube.core.controllers.disruption import (DELETION_TIMEOUT, STALE_POD_DISRUPTION_TIMEOUT,
                                                 count_healthy_pods, scaled_value)


def deployment(name="web", replicas=3, image="nginx"):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": image}]}}}}


def pdb(name="web", app="web", **spec):
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": app}}, **spec}}


def status_of(cluster, name="web"):
    return cluster.client.get("poddisruptionbudgets", name, "default")["status"]


def counts(cluster, name="web"):
    status = status_of(cluster, name)
    return (status.get("expectedPods"), status.get("desiredHealthy"), status.get("currentHealthy"),
            status.get("disruptionsAllowed"))


def events_of(cluster, kind, name):
    return [(e["type"], e["reason"], e["message"]) for e in cluster.client.list("events", "default")["items"]
            if e["involvedObject"]["kind"] == kind and e["involvedObject"]["name"] == name]


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=2, seed=0) as c:
        yield c


@pytest.mark.parametrize("spec, expected", [
    ({"minAvailable": 2}, (3, 2, 3, 1)),
    ({"minAvailable": 3}, (3, 3, 3, 0)),
    ({"minAvailable": "50%"}, (3, 2, 3, 1)),
    ({"maxUnavailable": 1}, (3, 2, 3, 1)),
    ({"maxUnavailable": "34%"}, (3, 1, 3, 2)),
    ({"maxUnavailable": "100%"}, (3, 0, 3, 3)),
], ids=["an integer minAvailable counts the pods", "a minAvailable of all pods allows nothing",
        "a percentage rounds up against the deployment's replicas", "maxUnavailable 1 of 3",
        "34% of 3 rounds up to 2 unavailable", "100% unavailable needs no healthy pod"])
def test_the_status_counts_follow_the_spec(cluster, spec, expected):
    cluster.apply(deployment())
    cluster.apply(pdb(**spec))
    cluster.run(30)
    assert counts(cluster) == expected
    status = status_of(cluster)
    assert status["observedGeneration"] == 1
    condition = status["conditions"][0]
    allowed = expected[3] > 0
    assert (condition["type"], condition["status"], condition["reason"], condition["message"]) == (
        "DisruptionAllowed", "True" if allowed else "False", "SufficientPods" if allowed else "InsufficientPods", "")


def test_the_status_fields_come_in_go_order(cluster):
    cluster.apply(deployment())
    cluster.apply(pdb(minAvailable=2))
    cluster.run(30)
    assert list(status_of(cluster)) == ["observedGeneration", "disruptionsAllowed", "currentHealthy",
                                        "desiredHealthy", "expectedPods", "conditions"]


def test_percentages_use_the_deployments_replicas_even_before_its_pods_exist(cluster):
    cluster.apply(deployment(replicas=4))
    cluster.run(30)
    cluster.client.patch("deployments", "web", {"spec": {"replicas": 10}}, namespace="default")
    cluster.apply(pdb(maxUnavailable="50%"))
    cluster.run(0.5)
    assert status_of(cluster)["expectedPods"] == 10


def test_a_spec_change_is_observed_with_the_new_generation(cluster):
    cluster.apply(deployment())
    cluster.apply(pdb(minAvailable=2))
    cluster.run(30)
    cluster.client.patch("poddisruptionbudgets", "web", {"spec": {"minAvailable": 1}}, namespace="default")
    cluster.run(1)
    status = status_of(cluster)
    assert (status["observedGeneration"], status["desiredHealthy"], status["disruptionsAllowed"]) == (2, 1, 2)


def test_a_budget_without_pods_says_no_matching_pods_and_allows_nothing(cluster):
    cluster.apply(pdb(maxUnavailable=1, app="nothing"))
    cluster.run(5)
    assert counts(cluster) == (0, 0, 0, 0)
    assert ("Normal", "NoPods", "No matching pods found") in events_of(cluster, "PodDisruptionBudget", "web")
    assert events_of(cluster, "PodDisruptionBudget", "web")[0][2] == "No matching pods found"


def test_pods_of_a_job_cannot_be_counted_for_max_unavailable(cluster):
    cluster.apply({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "batch"},
                   "spec": {"template": {"metadata": {"labels": {"app": "batch"}}, "spec": {
                       "containers": [{"name": "c", "image": "busybox:1.36", "command": ["sleep", "600"]}],
                       "restartPolicy": "Never"}}}})
    cluster.apply(pdb("batch", app="batch", maxUnavailable=1))
    cluster.run(20)
    status = status_of(cluster, "batch")
    condition = status["conditions"][0]
    assert (status["disruptionsAllowed"], condition["status"], condition["reason"], condition["message"]) == (
        0, "False", "SyncFailed", "jobs.batch does not implement the scale subresource")
    assert ("Warning", "CalculateExpectedPodCountFailed",
            "Failed to calculate the number of expected pods: jobs.batch does not implement the scale subresource"
            ) in events_of(cluster, "PodDisruptionBudget", "batch")


def test_pods_without_a_controller_are_skipped_with_a_warning(cluster):
    cluster.apply(deployment(replicas=2))
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stray", "labels": {"app": "web"}},
                   "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    cluster.apply(pdb(maxUnavailable=1))
    cluster.run(30)
    assert counts(cluster) == (2, 1, 3, 2)
    message = ("Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string"
               "{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}) were found to be unmanaged. As a result, "
               "the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To "
               "account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.")
    assert ("Warning", "UnmanagedPods", message) in events_of(cluster, "PodDisruptionBudget", "web")


def test_a_statefulsets_replicas_are_its_scale(cluster):
    cluster.apply({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
                   "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                            "template": {"metadata": {"labels": {"app": "db"}},
                                         "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    cluster.apply(pdb("db", app="db", minAvailable="100%"))
    cluster.run(60)
    assert counts(cluster, "db") == (2, 2, 2, 0)


def test_an_approved_eviction_keeps_its_pod_out_of_current_healthy_for_two_minutes(cluster):
    cluster.apply(deployment())
    cluster.apply(pdb(minAvailable=1))
    cluster.run(30)
    live = cluster.client.get("poddisruptionbudgets", "web", "default")
    name = cluster.client.list("pods", "default")["items"][0]["metadata"]["name"]
    live["status"]["disruptedPods"] = {name: cluster.clock.timestamp()}  # as the eviction API writes it
    cluster.client.update(live, subresource="status")
    cluster.run(1)
    assert counts(cluster)[2] == 2 and name in status_of(cluster)["disruptedPods"]
    cluster.run(DELETION_TIMEOUT)
    assert counts(cluster)[2] == 3 and "disruptedPods" not in status_of(cluster)
    assert ("Warning", "NotDeleted", "Pod was expected by PDB default/default to be deleted but it wasn't") in \
        events_of(cluster, "Pod", name)


def test_a_stale_disruption_target_condition_is_reset_after_two_minutes(cluster):
    cluster.apply(deployment(replicas=1))
    cluster.run(30)
    pod = cluster.client.list("pods", "default")["items"][0]
    pod.update(apiVersion="v1", kind="Pod")
    pod["status"]["conditions"].append({"type": "DisruptionTarget", "status": "True", "lastProbeTime": None,
                                        "lastTransitionTime": cluster.clock.timestamp(),
                                        "reason": "EvictionByEvictionAPI", "message": "Eviction API: evicting"})
    cluster.client.update(pod, subresource="status")

    def target():
        live = cluster.client.get("pods", pod["metadata"]["name"], "default")
        return next(c for c in live["status"]["conditions"] if c["type"] == "DisruptionTarget")

    cluster.run(STALE_POD_DISRUPTION_TIMEOUT - 5)
    assert target()["status"] == "True"
    cluster.run(10)
    assert target()["status"] == "False" and "reason" not in target()


def test_the_controller_does_nothing_while_no_budget_exists(cluster):
    controller = cluster.components["controller-manager"].by_name["disruption-controller"]
    calls = []
    original = controller.sync
    controller.sync = lambda key: calls.append(key) or original(key)
    cluster.apply(deployment())
    cluster.run(30)
    assert calls == []


@pytest.mark.parametrize("value, total, expected", [
    (2, 10, 2), ("50%", 3, 2), ("34%", 3, 2), ("0%", 5, 0), ("100%", 7, 7), ("10%", 1, 1),
])
def test_percentages_round_up(value, total, expected):
    assert scaled_value(value, total) == expected


def test_only_ready_pods_that_are_not_leaving_count_as_healthy():
    def pod(name, ready=True, deleting=False):
        meta = {"name": name, **({"deletionTimestamp": "2025-01-01T00:00:00Z"} if deleting else {})}
        return {"metadata": meta, "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}

    pods = [pod("a"), pod("b", ready=False), pod("c", deleting=True), pod("d"), pod("e")]
    assert count_healthy_pods(pods, {"d": "2025-01-01T00:00:00Z", "e": "2024-12-31T00:00:00Z"},
                              1735689600.0 + 10) == 2
