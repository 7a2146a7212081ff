"""The DaemonSet controller on the simulated clock (pkg/controller/daemon, Kubernetes 1.32).

Each scenario applies a DaemonSet to a small cluster, changes the nodes or the template, lets
simulated time pass and checks what kube-controller-manager does: one pod per eligible node,
pinned by node affinity and bound by the scheduler; taints, selectors and new nodes; rolling
updates within maxUnavailable (or maxSurge) at every second; OnDelete; failed pods; the
ControllerRevisions and their clean-up; status; and no work at all without a DaemonSet.
"""

import pytest

import labkube
from labkube.core.controllers.daemonset_util import target_node_name
from labkube.core.controllers.history import POD_REVISION_HASH_LABEL

AGENT = """
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: nginx:1.25}]
"""


def agent(**spec_changes):
    import yaml
    obj = yaml.safe_load(AGENT)
    for key, value in spec_changes.items():
        obj["spec"][key] = value
    return obj


def pods(cluster, selector="app=agent", namespace="default"):
    return sorted(cluster.list("pods", namespace, label_selector=selector), key=lambda p: p["metadata"]["name"])


def live_pods(cluster, selector="app=agent"):
    return [p for p in pods(cluster, selector) if not p["metadata"].get("deletionTimestamp")]


def nodes_of(pod_list):
    return sorted(p["spec"].get("nodeName") for p in pod_list)


def ready(pod):
    return any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", []))


def ds_events(cluster, name="agent"):
    return [(e["reason"], e["message"]) for e in cluster.events("default")
            if e["involvedObject"]["kind"] == "DaemonSet" and e["involvedObject"]["name"] == name]


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=3, seed=0) as c:
        yield c


# -- placement -------------------------------------------------------------------------------------


def test_one_pod_runs_on_every_node_with_the_daemon_labels_tolerations_and_node_affinity(cluster):
    cluster.apply(agent())
    cluster.run(30)
    running = pods(cluster)
    assert nodes_of(running) == ["node-1", "node-2", "node-3"]
    ds = cluster.get("daemonset", "agent")
    pod = running[0]
    assert pod["metadata"]["ownerReferences"] == [{
        "apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent", "uid": ds["metadata"]["uid"],
        "controller": True, "blockOwnerDeletion": True}]
    labels = pod["metadata"]["labels"]
    assert labels["pod-template-generation"] == "1" and labels[POD_REVISION_HASH_LABEL]
    assert [(t["key"], t["effect"]) for t in pod["spec"]["tolerations"]] == [
        ("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"), ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule")]
    assert all("tolerationSeconds" not in t for t in pod["spec"]["tolerations"])
    terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms == {"nodeSelectorTerms": [{"matchFields": [
        {"key": "metadata.name", "operator": "In", "values": [pod["spec"]["nodeName"]]}]}]}
    assert all(p["status"]["phase"] == "Running" and ready(p) for p in running)


def test_the_status_counts_nodes_and_observes_the_generation(cluster):
    cluster.apply(agent())
    cluster.run(30)
    assert cluster.get("daemonset", "agent")["status"] == {
        "currentNumberScheduled": 3, "numberMisscheduled": 0, "desiredNumberScheduled": 3, "numberReady": 3,
        "observedGeneration": 1, "updatedNumberScheduled": 3, "numberAvailable": 3}


def test_the_pods_are_created_with_events_and_bound_by_the_scheduler(cluster):
    cluster.apply(agent())
    cluster.run(30)
    created = [m for r, m in ds_events(cluster) if r == "SuccessfulCreate"]
    assert sorted(created) == sorted(f"Created pod: {p['metadata']['name']}" for p in pods(cluster))
    scheduled = [e for e in cluster.events("default") if e["reason"] == "Scheduled"]
    assert len(scheduled) == 3


def test_a_host_network_daemon_also_tolerates_network_unavailable(cluster):
    obj = agent()
    obj["spec"]["template"]["spec"]["hostNetwork"] = True
    cluster.apply(obj)
    cluster.run(30)
    keys = [t["key"] for t in pods(cluster)[0]["spec"]["tolerations"]]
    assert keys[-1] == "node.kubernetes.io/network-unavailable"


def test_a_node_added_later_gets_a_daemon_pod(cluster):
    cluster.apply(agent())
    cluster.run(30)
    cluster.add_node("node-4")
    cluster.run(30)
    assert nodes_of(live_pods(cluster)) == ["node-1", "node-2", "node-3", "node-4"]
    assert cluster.get("daemonset", "agent")["status"]["desiredNumberScheduled"] == 4


def test_a_removed_node_takes_its_daemon_pod_out_of_the_count(cluster):
    cluster.apply(agent())
    cluster.run(30)
    cluster.remove_node("node-3")
    cluster.run(60)
    status = cluster.get("daemonset", "agent")["status"]
    assert (status["desiredNumberScheduled"], status["currentNumberScheduled"]) == (2, 2)


def test_a_noschedule_taint_keeps_the_running_pod_but_no_new_one_is_made(cluster):
    cluster.apply(agent())
    cluster.run(30)
    cluster.kubectl("taint nodes node-1 dedicated=db:NoSchedule")
    cluster.run(10)
    assert nodes_of(live_pods(cluster)) == ["node-1", "node-2", "node-3"]
    status = cluster.get("daemonset", "agent")["status"]
    assert (status["desiredNumberScheduled"], status["numberMisscheduled"]) == (2, 1)
    on_node_1 = next(p for p in live_pods(cluster) if p["spec"]["nodeName"] == "node-1")
    cluster.delete("pod", on_node_1["metadata"]["name"])
    cluster.run(30)
    assert nodes_of(live_pods(cluster)) == ["node-2", "node-3"]


def test_a_tolerated_taint_still_gets_a_pod(cluster):
    cluster.kubectl("taint nodes node-1 dedicated=db:NoSchedule")
    obj = agent()
    obj["spec"]["template"]["spec"]["tolerations"] = [{"key": "dedicated", "operator": "Exists"}]
    cluster.apply(obj)
    cluster.run(30)
    assert nodes_of(live_pods(cluster)) == ["node-1", "node-2", "node-3"]


def test_a_noexecute_taint_removes_the_daemon_pod(cluster):
    cluster.apply(agent())
    cluster.run(30)
    cluster.kubectl("taint nodes node-2 maintenance=now:NoExecute")
    cluster.run(60)
    assert nodes_of(live_pods(cluster)) == ["node-1", "node-3"]
    assert cluster.get("daemonset", "agent")["status"]["desiredNumberScheduled"] == 2


def test_a_node_selector_follows_the_node_labels(cluster):
    cluster.apply(agent(template={"metadata": {"labels": {"app": "agent"}},
                                  "spec": {"nodeSelector": {"disk": "ssd"},
                                           "containers": [{"name": "agent", "image": "nginx:1.25"}]}}))
    cluster.run(30)
    assert live_pods(cluster) == []
    cluster.kubectl("label node node-2 disk=ssd")
    cluster.run(30)
    assert nodes_of(live_pods(cluster)) == ["node-2"]
    cluster.kubectl("label node node-2 disk-")
    cluster.run(60)
    assert live_pods(cluster) == []


def test_a_cordoned_node_still_runs_its_daemon_pod_and_gets_a_new_one(cluster):
    cluster.apply(agent())
    cluster.run(30)
    cluster.kubectl("cordon node-1")
    on_node_1 = next(p for p in live_pods(cluster) if p["spec"]["nodeName"] == "node-1")
    cluster.delete("pod", on_node_1["metadata"]["name"])
    cluster.run(60)
    assert nodes_of(live_pods(cluster)) == ["node-1", "node-2", "node-3"]


def test_a_daemon_pod_stays_on_a_failed_node_past_the_eviction_timeout(cluster):
    cluster.apply(agent())
    cluster.run(30)
    cluster.fail_node("node-3")
    cluster.run(50 + 300 + 60)
    pod = next(p for p in pods(cluster) if p["spec"]["nodeName"] == "node-3")
    assert not pod["metadata"].get("deletionTimestamp")


def test_a_failed_daemon_pod_is_deleted_with_an_event_and_replaced(cluster):
    cluster.apply(agent())
    cluster.run(30)
    victim = pods(cluster)[0]
    name, node = victim["metadata"]["name"], victim["spec"]["nodeName"]
    cluster.client.patch("pods", name, {"status": {"phase": "Failed"}}, namespace="default",
                         subresource="status", patch_type="merge")
    cluster.run(30)
    assert ("FailedDaemonPod", f"Found failed daemon pod default/{name} on node {node}, will try to kill it") \
        in ds_events(cluster)
    assert name not in [p["metadata"]["name"] for p in pods(cluster)]
    assert nodes_of(live_pods(cluster)) == ["node-1", "node-2", "node-3"]


def test_deleting_the_daemon_set_deletes_its_pods_and_revisions(cluster):
    cluster.apply(agent())
    cluster.run(30)
    cluster.kubectl("delete ds agent")
    cluster.run(60)
    assert pods(cluster) == [] and cluster.list("controllerrevisions", "default") == []


# -- updates ---------------------------------------------------------------------------------------


def set_image(cluster, image="nginx:1.26"):
    cluster.kubectl(f"set image ds/agent agent={image}")


def watch_rollout(cluster, seconds, nodes=3):
    """Run second by second; the most nodes without an available pod, and the most pods on a node."""
    worst_unavailable = most_on_a_node = 0
    for _ in range(seconds):
        cluster.run(1)
        live = live_pods(cluster)
        available = {p["spec"].get("nodeName") for p in live if ready(p)}
        worst_unavailable = max(worst_unavailable, nodes - len(available))
        per_node = {}
        for p in live:
            per_node[p["spec"].get("nodeName")] = per_node.get(p["spec"].get("nodeName"), 0) + 1
        most_on_a_node = max([most_on_a_node, *per_node.values()])
    return worst_unavailable, most_on_a_node


def images(cluster):
    return sorted(p["spec"]["containers"][0]["image"] for p in live_pods(cluster))


def test_a_rolling_update_replaces_one_node_at_a_time(cluster):
    cluster.apply(agent())
    cluster.run(30)
    set_image(cluster)
    worst, most = watch_rollout(cluster, 120)
    assert worst == 1 and most == 1
    assert images(cluster) == ["nginx:1.26"] * 3
    status = cluster.get("daemonset", "agent")["status"]
    assert (status["updatedNumberScheduled"], status["numberAvailable"], status["observedGeneration"]) == (3, 3, 2)
    assert all(p["metadata"]["labels"]["pod-template-generation"] == "2" for p in live_pods(cluster))


def test_max_unavailable_two_replaces_two_nodes_at_once():
    with labkube.Cluster(nodes=4, seed=0) as cluster:
        cluster.apply(agent(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}}))
        cluster.run(30)
        set_image(cluster)
        worst, _ = watch_rollout(cluster, 120, nodes=4)
        assert worst == 2
        assert images(cluster) == ["nginx:1.26"] * 4


def test_max_surge_starts_the_new_pod_beside_the_old_one(cluster):
    cluster.apply(agent(updateStrategy={"type": "RollingUpdate",
                                        "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}))
    cluster.run(30)
    set_image(cluster)
    worst, most = watch_rollout(cluster, 180)
    assert worst == 0 and most == 2
    assert images(cluster) == ["nginx:1.26"] * 3


def test_on_delete_replaces_a_pod_only_when_it_is_deleted(cluster):
    cluster.apply(agent(updateStrategy={"type": "OnDelete"}))
    cluster.run(30)
    set_image(cluster)
    cluster.run(60)
    assert images(cluster) == ["nginx:1.25"] * 3
    assert cluster.get("daemonset", "agent")["status"].get("updatedNumberScheduled", 0) == 0
    cluster.delete("pod", pods(cluster)[0]["metadata"]["name"])
    cluster.run(30)
    assert images(cluster) == ["nginx:1.25", "nginx:1.25", "nginx:1.26"]
    assert cluster.get("daemonset", "agent")["status"]["updatedNumberScheduled"] == 1


# -- revisions ---------------------------------------------------------------------------------------


def revisions(cluster):
    return sorted(((r["revision"], r["metadata"]["name"]) for r in cluster.list("controllerrevisions", "default")))


def test_each_template_gets_a_revision_named_after_its_hash(cluster):
    cluster.apply(agent())
    cluster.run(30)
    set_image(cluster)
    cluster.run(60)
    found = revisions(cluster)
    assert [number for number, _ in found] == [1, 2]
    current = cluster.list("controllerrevisions", "default")
    hashes = {r["metadata"]["labels"][POD_REVISION_HASH_LABEL] for r in current}
    assert {name for _, name in found} == {f"agent-{h}" for h in hashes}
    newest = max(current, key=lambda r: r["revision"])
    assert newest["data"]["spec"]["template"]["$patch"] == "replace"
    assert newest["data"]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26"
    assert newest["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "2"
    assert {p["metadata"]["labels"][POD_REVISION_HASH_LABEL] for p in live_pods(cluster)} == \
        {newest["metadata"]["labels"][POD_REVISION_HASH_LABEL]}


def test_going_back_to_an_old_template_renumbers_its_revision(cluster):
    cluster.apply(agent())
    cluster.run(30)
    first = revisions(cluster)[0][1]
    set_image(cluster)
    cluster.run(60)
    set_image(cluster, "nginx:1.25")
    cluster.run(60)
    assert revisions(cluster)[-1] == (3, first) and len(revisions(cluster)) == 2


def test_old_revisions_beyond_the_history_limit_are_deleted(cluster):
    cluster.apply(agent(revisionHistoryLimit=1))
    cluster.run(30)
    for image in ("nginx:1.26", "nginx:1.27", "nginx:1.28"):
        set_image(cluster, image)
        cluster.run(60)
    assert [number for number, _ in revisions(cluster)] == [3, 4]


# -- cost ----------------------------------------------------------------------------------------------


def test_the_controller_syncs_a_daemon_set_only_when_its_pods_or_nodes_change(cluster):
    """kubeadm's kube-proxy is the one DaemonSet: other pods never queue it, a taint it tolerates
    does not either; a new node does (it needs a pod there)."""
    cluster.settle()  # kube-proxy's pods are created and running
    controller = cluster.components["controller-manager"].by_name["daemon-set-controller"]
    calls = []
    controller.sync = lambda key: calls.append(key)
    cluster.kubectl("create deployment web --image=nginx --replicas=4")
    cluster.kubectl("taint nodes node-1 a=b:NoSchedule")
    cluster.run(60)
    assert calls == [] and len(controller.queue) == 0
    cluster.add_node("node-4")
    cluster.run(1)
    assert set(calls) == {"kube-system/kube-proxy"}


def test_creations_start_slowly_so_a_refused_pod_costs_one_request_per_sync(cluster):
    """Slow start: a batch of 1 first; when it fails the other two nodes are not tried in that sync."""
    cluster.settle()  # kube-proxy's pods are created: only the agent's creations are counted
    controller = cluster.components["controller-manager"].by_name["daemon-set-controller"]
    calls = []
    sync, create = controller.sync, controller._create_pod
    controller.sync = lambda key: (calls.append("sync"), sync(key))
    controller._create_pod = lambda *args: (calls.append("create"), create(*args))
    cluster.apply(agent(template={"metadata": {"labels": {"app": "agent"}},
                                  "spec": {"serviceAccountName": "missing",
                                           "containers": [{"name": "agent", "image": "nginx:1.25"}]}}))
    cluster.run(1)
    per_sync = [len(chunk) for chunk in "".join("s" if c == "sync" else "c" for c in calls).split("s")[1:]]
    assert per_sync and max(per_sync) == 1
    failures = {m for r, m in ds_events(cluster) if r == "FailedCreate"}
    assert all(m.endswith('is forbidden: error looking up service account default/missing: '
                          'serviceaccount "missing" not found') for m in failures)
    assert pods(cluster) == []


def test_a_rollout_to_a_broken_image_stops_after_the_first_node(cluster):
    cluster.apply(agent())
    cluster.run(30)
    set_image(cluster, "nginx:no-such-tag")
    cluster.run(180)
    assert images(cluster) == ["nginx:1.25", "nginx:1.25", "nginx:no-such-tag"]
    status = cluster.get("daemonset", "agent")["status"]
    assert (status["updatedNumberScheduled"], status["numberAvailable"], status["numberUnavailable"]) == (1, 2, 1)


def test_an_orphan_pod_that_matches_is_adopted_then_rolled_as_an_old_pod(cluster):
    """Adopted, it counts for its node (no second pod there); without the revision hash label it
    is out of date, so the rolling update replaces it."""
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stray", "labels": {"app": "agent"}},
                   "spec": {"nodeName": "node-1", "containers": [{"name": "agent", "image": "nginx:1.25"}]}})
    cluster.run(10)
    cluster.apply(agent())
    cluster.run(0.01)
    stray = cluster.get("pod", "stray")
    assert stray["metadata"]["ownerReferences"][0]["kind"] == "DaemonSet"
    created_for = sorted(target_node_name(p) for p in live_pods(cluster) if p["metadata"]["name"] != "stray")
    assert created_for == ["node-2", "node-3"]
    cluster.run(60)
    assert nodes_of(live_pods(cluster)) == ["node-1", "node-2", "node-3"]
    assert ("SuccessfulDelete", "Deleted pod: stray") in ds_events(cluster)
    assert len([r for r, _ in ds_events(cluster) if r == "SuccessfulCreate"]) == 3


def test_the_same_seed_gives_the_same_pods_revisions_and_events():
    def story():
        with labkube.Cluster(nodes=3, seed=7) as cluster:
            cluster.apply(agent())
            cluster.run(30)
            set_image(cluster)
            cluster.run(60)
            return (cluster.kubectl("get pods -o wide"), cluster.kubectl("get controllerrevisions"),
                    cluster.kubectl("get events"))
    assert story() == story()
