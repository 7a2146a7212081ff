"""Failures behave as on a real cluster, at the times Kubernetes' defaults say.

A failed node keeps its pods "Running" in the API until the node lifecycle controller notices
(grace period 50 s since 1.32, checked every 5 s), taints the node unreachable, and the taint eviction
controller evicts the pods once their 300 s toleration runs out; the ReplicaSet then replaces
them on healthy nodes.
"""

import pytest

import labkube

WEB = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}},
}


def _pods_on(cluster, node):
    return [p for p in cluster.list("pods", label_selector="app=web") if p["spec"].get("nodeName") == node]


def _ready_condition(node):
    return next(c for c in node["status"]["conditions"] if c["type"] == "Ready")


@pytest.mark.parametrize("toleration", [300, 60])
def test_pods_of_a_failed_node_are_replaced_after_grace_period_plus_toleration_and_not_before(toleration):
    cluster = labkube.Cluster(nodes=3, seed=0, default_toleration_seconds=toleration)
    cluster.apply(WEB)
    cluster.run(30)
    victim = cluster.list("pods", label_selector="app=web")[0]["spec"]["nodeName"]
    doomed = {p["metadata"]["name"] for p in _pods_on(cluster, victim)}
    cluster.fail_node(victim)
    failed_at = cluster.clock.now()

    cluster.run(45)  # inside the 50 s grace period: nobody knows yet
    assert _ready_condition(cluster.get("node", victim))["status"] == "True"
    assert all(p["status"]["phase"] == "Running" for p in _pods_on(cluster, victim))

    assert cluster.run_until(lambda: _ready_condition(cluster.get("node", victim))["status"] == "Unknown", 60)
    noticed = cluster.clock.now() - failed_at
    assert 50 <= noticed <= 50 + 10 + 5  # grace period, plus at most one heartbeat and one monitor period
    cluster.run(5)  # the NoExecute taint follows one monitor period later
    taints = {(t["key"], t["effect"]) for t in cluster.get("node", victim)["spec"].get("taints", [])}
    assert ("node.kubernetes.io/unreachable", "NoExecute") in taints
    assert ("node.kubernetes.io/unreachable", "NoSchedule") in taints

    cluster.run(toleration - 15)  # tolerations have not run out yet
    assert {p["metadata"]["name"] for p in _pods_on(cluster, victim)} == doomed
    assert not any(p["metadata"].get("deletionTimestamp") for p in _pods_on(cluster, victim))

    cluster.run(30)  # they have now: evicted and replaced on healthy nodes
    pods = cluster.list("pods", label_selector="app=web")
    healthy = [p for p in pods if p["spec"].get("nodeName") != victim]
    assert len(healthy) == 3 and all(p["status"]["phase"] == "Running" for p in healthy)
    assert all(p["metadata"].get("deletionTimestamp") for p in pods if p["spec"].get("nodeName") == victim)
    reasons = cluster.kubectl("get events --field-selector reason=TaintManagerEviction")
    assert all(f"Marking for deletion Pod default/{name}" in reasons for name in doomed)


def test_a_crashed_container_is_restarted_and_counted():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("run web --image=nginx:1.27")
    cluster.run(20)
    cluster.crash_container("web")
    cluster.run(5)
    status = cluster.get("pod", "web")["status"]["containerStatuses"][0]
    assert status["restartCount"] == 1
    assert status["lastState"]["terminated"]["exitCode"] == 137
    assert "running" in status["state"]


def test_a_stopped_controller_manager_stops_replacing_pods_until_it_restarts():
    cluster = labkube.Cluster(nodes=2, seed=0)
    cluster.apply(WEB)
    cluster.run(20)
    cluster.stop_component("controller-manager")
    cluster.delete("pod", cluster.list("pods", label_selector="app=web")[0]["metadata"]["name"])
    cluster.run(60)
    assert len(cluster.list("pods", label_selector="app=web")) == 2
    cluster.start_component("controller-manager")
    cluster.run(20)
    assert len(cluster.list("pods", label_selector="app=web")) == 3


def test_a_stopped_scheduler_leaves_new_pods_pending():
    cluster = labkube.Cluster(nodes=2, seed=0)
    cluster.stop_component("scheduler")
    cluster.kubectl("run web --image=nginx:1.27")
    cluster.run(60)
    assert cluster.get("pod", "web")["status"]["phase"] == "Pending"
    assert "nodeName" not in cluster.get("pod", "web")["spec"]
    cluster.start_component("scheduler")
    cluster.run(20)
    assert cluster.get("pod", "web")["status"]["phase"] == "Running"


def test_a_partitioned_node_keeps_running_its_pods_but_goes_unknown():
    cluster = labkube.Cluster(nodes=2, seed=0)
    cluster.kubectl("run web --image=nginx:1.27")
    cluster.run(20)
    node = cluster.get("pod", "web")["spec"]["nodeName"]
    cluster.partition_node(node)
    cluster.run(60)
    assert _ready_condition(cluster.get("node", node))["status"] == "Unknown"
    machine = cluster.nodes.get(node)
    assert machine.kubelet.worker_for("default", "web") is not None  # still running there
    cluster.heal_partition(node)
    cluster.run(20)
    assert _ready_condition(cluster.get("node", node))["status"] == "True"


def test_memory_pressure_is_reported_on_the_node():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.set_node_conditions("node-1", MemoryPressure=True)
    cluster.run(1)
    condition = next(c for c in cluster.get("node", "node-1")["status"]["conditions"]
                     if c["type"] == "MemoryPressure")
    assert condition["status"] == "True"


def _condition_status(cluster, node, ctype):
    return next(c for c in cluster.get("node", node)["status"]["conditions"] if c["type"] == ctype)["status"]


def test_pressure_set_on_a_failed_machine_is_reported_when_it_comes_back_and_not_before():
    # A dead machine's kubelet writes nothing; the pressure is the machine's, so the kubelet
    # reports it as soon as it starts again.
    cluster = labkube.Cluster(nodes=2, seed=0)
    cluster.run(30)
    cluster.fail_node("node-1")
    seen = len(cluster.audit())
    cluster.set_node_conditions("node-1", MemoryPressure=True)
    cluster.run(20)
    assert [r for r in cluster.audit()[seen:] if r.user == "system:node:node-1"] == []
    assert _condition_status(cluster, "node-1", "MemoryPressure") == "False"
    cluster.recover_node("node-1")
    cluster.run(1)
    assert _condition_status(cluster, "node-1", "MemoryPressure") == "True"


def test_pressure_set_on_a_partitioned_node_reaches_the_api_with_the_first_heartbeat_that_gets_through():
    cluster = labkube.Cluster(nodes=2, seed=0)
    cluster.run(30)
    cluster.partition_node("node-2")
    cluster.set_node_conditions("node-2", DiskPressure=True)  # no traceback: the kubelet cannot reach the API
    assert any(e.component == "kubelet/node-2" and "connection refused" in e.message for e in cluster.errors.entries)
    cluster.run(30)
    assert _condition_status(cluster, "node-2", "DiskPressure") == "False"
    cluster.heal_partition("node-2")
    cluster.run(10)  # the next 10 s heartbeat
    assert _condition_status(cluster, "node-2", "DiskPressure") == "True"


def test_an_unknown_pressure_condition_is_refused_and_nothing_is_changed():
    cluster = labkube.Cluster(nodes=1, seed=0)
    with pytest.raises(ValueError, match="unknown node condition 'Hot'"):
        cluster.set_node_conditions("node-1", MemoryPressure=True, Hot=True)
    cluster.run(11)
    assert _condition_status(cluster, "node-1", "MemoryPressure") == "False"
