"""Node lifecycle + taint eviction: a node stops heartbeating, is tainted, its pods evicted."""

import pytest

from labkube.core.clock import EPOCH
from labkube.core.controllers.node_lifecycle import NodeLifecycleController
from labkube.core.controllers.taint_eviction import TaintEvictionController
from tests.core.controllers.helpers import (
    Heartbeater, add_node, add_pod, condition, events, new_env, start_manager,
)

CONTROLLERS = [NodeLifecycleController, TaintEvictionController]


def cluster(**config):
    env = new_env()
    beats = {}
    for i in (1, 2, 3):
        add_node(env, f"node-{i}", i)
        beats[f"node-{i}"] = Heartbeater(env, f"node-{i}")
    add_pod(env, "web", node="node-1", ip="10.244.1.5")
    manager = start_manager(env, CONTROLLERS, **config)
    env.clock.run(20.5)  # heartbeats at 10 and 20 observed
    return env, beats, manager


def elapsed(env):
    return env.clock.now() - EPOCH


def ready_status(env, node="node-1"):
    return condition(env.admin.get("nodes", node), "Ready")["status"]


def taints(env, node="node-1"):
    return [(t["key"], t["effect"]) for t in env.admin.get("nodes", node)["spec"].get("taints") or []]


def test_a_heartbeating_node_stays_ready_and_untainted():
    env, _, manager = cluster()
    env.clock.run(300)
    assert ready_status(env) == "True"
    assert taints(env) == []
    assert manager.error_log.entries == []


def test_a_silent_node_becomes_unknown_after_the_grace_period_and_not_before():
    env, beats, _ = cluster()
    beats["node-1"].stop()  # last heartbeat at t=20, seen by the monitor at t=20 or t=25
    env.clock.run(20 + 50 - elapsed(env))  # 1.32's grace period: 50 s
    assert ready_status(env) == "True"
    env.clock.run(10)
    ready = condition(env.admin.get("nodes", "node-1"), "Ready")
    assert ready["status"] == "Unknown"
    assert ready["reason"] == "NodeStatusUnknown"
    assert ready["message"] == "Kubelet stopped posting node status."
    assert ready["lastHeartbeatTime"] == "2025-01-01T00:00:20Z"


def test_every_kubelet_condition_goes_unknown_with_the_node():
    env, beats, _ = cluster()
    beats["node-1"].stop()
    env.clock.run(60)
    node = env.admin.get("nodes", "node-1")
    statuses = {c["type"]: (c["status"], c["reason"]) for c in node["status"]["conditions"]}
    assert statuses == {t: ("Unknown", "NodeStatusUnknown")
                        for t in ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")}


def test_the_lease_alone_keeps_a_node_ready():
    env, beats, _ = cluster()
    beats["node-1"].posts_status = False  # status stops, lease renewals go on
    env.clock.run(200)
    assert ready_status(env) == "True"


def test_node_not_ready_events_are_recorded_on_the_node_and_its_pods():
    env, beats, _ = cluster()
    beats["node-1"].stop()
    env.clock.run(60)
    node_events = [(e["involvedObject"]["kind"], e["type"], e["message"], e["source"]["component"])
                   for e in events(env, "NodeNotReady")]
    assert node_events == [
        ("Node", "Normal", "Node node-1 status is now: NodeNotReady", "node-controller"),
        ("Pod", "Warning", "Node is not ready", "node-controller"),
    ]
    assert [e["message"] for e in events(env, "RegisteredNode")] == [
        f"Node node-{i} event: Registered Node node-{i} in Controller" for i in (1, 2, 3)]


def test_pods_on_a_silent_node_are_marked_not_ready():
    env, beats, _ = cluster()
    beats["node-1"].stop()
    env.clock.run(60)
    assert condition(env.admin.get("pods", "web", "default"), "Ready")["status"] == "False"


def test_an_unreachable_node_gets_noschedule_then_noexecute_taints_with_time_added():
    env, beats, _ = cluster()
    beats["node-1"].stop()
    env.clock.run(70)
    node = env.admin.get("nodes", "node-1")
    assert [(t["key"], t["effect"]) for t in node["spec"]["taints"]] == [
        ("node.kubernetes.io/unreachable", "NoSchedule"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
    ]
    assert all(t["timeAdded"].startswith("2025-01-01T00:01") for t in node["spec"]["taints"])


def test_a_node_reporting_not_ready_is_tainted_not_ready():
    env, beats, _ = cluster()
    beats["node-1"].posts_status = False  # keeps renewing the lease, never posts Ready again
    node = env.admin.get("nodes", "node-1")
    ready = condition(node, "Ready")
    ready.update(status="False", reason="KubeletNotReady", message="container runtime is down",
                 lastTransitionTime=env.clock.timestamp())
    env.admin.update(node, subresource="status")
    env.clock.run(12)
    assert taints(env) == [("node.kubernetes.io/not-ready", "NoSchedule"),
                           ("node.kubernetes.io/not-ready", "NoExecute")]


@pytest.mark.parametrize("toleration_seconds", [300, 60])
def test_pods_are_evicted_after_their_toleration_seconds_and_not_before(toleration_seconds):
    env, beats, _ = cluster()
    if toleration_seconds != 300:
        env.admin.delete("pods", "web", "default", grace_period_seconds=0)
        add_pod(env, "web", node="node-1", ip="10.244.1.5", tolerations=[
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": toleration_seconds}])
    beats["node-1"].stop()
    env.clock.run(70)
    tainted_at = next(t for t in env.admin.get("nodes", "node-1")["spec"]["taints"]
                      if t["effect"] == "NoExecute")["timeAdded"]
    from labkube.core.clock import parse_timestamp
    deadline = parse_timestamp(tainted_at) + toleration_seconds
    env.clock.run(deadline - env.clock.now() - 0.5)
    assert "deletionTimestamp" not in env.admin.get("pods", "web", "default")["metadata"]
    env.clock.run(1)
    pod = env.admin.get("pods", "web", "default")
    assert pod["metadata"]["deletionTimestamp"]
    disruption = condition(pod, "DisruptionTarget")
    assert (disruption["reason"], disruption["message"]) == (
        "DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint")
    [event] = events(env, "TaintManagerEviction")
    assert (event["message"], event["source"]["component"]) == (
        "Marking for deletion Pod default/web", "taint-eviction-controller")


def test_a_pod_that_does_not_tolerate_a_noexecute_taint_is_evicted_at_once():
    env, _, _ = cluster()
    add_pod(env, "other", node="node-2", ip="10.244.2.6")
    node = env.admin.get("nodes", "node-2")
    node["spec"]["taints"] = [{"key": "dedicated", "value": "gpu", "effect": "NoExecute"}]
    env.admin.update(node)
    env.clock.run(0.1)
    assert env.admin.get("pods", "other", "default")["metadata"].get("deletionTimestamp")
    assert "deletionTimestamp" not in env.admin.get("pods", "web", "default")["metadata"]


def test_a_pod_tolerating_the_taint_for_zero_seconds_is_evicted_as_soon_as_it_is_tainted():
    env, beats, _ = cluster()
    add_pod(env, "brief", node="node-1", ip="10.244.1.6", tolerations=[
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 0}])
    beats["node-1"].stop()
    env.clock.run(70)
    assert env.admin.get("pods", "brief", "default")["metadata"].get("deletionTimestamp")
    assert "deletionTimestamp" not in env.admin.get("pods", "web", "default")["metadata"]


def test_a_pod_tolerating_forever_is_never_evicted():
    env, beats, _ = cluster()
    add_pod(env, "forever", node="node-1", ip="10.244.1.7", tolerations=[
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}])
    beats["node-1"].stop()
    env.clock.run(1000)
    assert "deletionTimestamp" not in env.admin.get("pods", "forever", "default")["metadata"]


def test_recovery_removes_the_taints_and_cancels_the_eviction():
    env, beats, _ = cluster()
    beats["node-1"].stop()
    env.clock.run(100)
    beats["node-1"].resume()
    env.clock.run(10)
    assert ready_status(env) == "True"
    assert taints(env) == []
    env.clock.run(400)
    assert "deletionTimestamp" not in env.admin.get("pods", "web", "default")["metadata"]
    assert [e["message"] for e in events(env, "TaintManagerEviction")] == [
        "Cancelling deletion of Pod default/web"]


def test_when_every_node_goes_silent_no_node_is_tainted_noexecute():
    env, beats, _ = cluster()
    for beat in beats.values():
        beat.stop()
    env.clock.run(400)
    assert ready_status(env) == "Unknown"
    assert ("node.kubernetes.io/unreachable", "NoExecute") not in taints(env)
    assert "deletionTimestamp" not in env.admin.get("pods", "web", "default")["metadata"]


def test_the_grace_period_is_configurable():
    env, beats, _ = cluster(node_monitor_grace_period=20)
    beats["node-1"].stop()  # last heartbeat at t=20
    env.clock.run(20)
    assert ready_status(env) == "True"
    env.clock.run(10)
    assert ready_status(env) == "Unknown"


def test_cordoning_a_node_adds_the_unschedulable_taint_and_uncordoning_removes_it():
    env, _, _ = cluster()
    node = env.admin.get("nodes", "node-2")
    node["spec"]["unschedulable"] = True
    env.admin.update(node)
    env.clock.run(1)
    assert taints(env, "node-2") == [("node.kubernetes.io/unschedulable", "NoSchedule")]
    node = env.admin.get("nodes", "node-2")
    node["spec"].pop("unschedulable")
    env.admin.update(node)
    env.clock.run(1)
    assert taints(env, "node-2") == []
