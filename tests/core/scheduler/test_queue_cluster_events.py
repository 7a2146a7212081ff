"""Which updates wake an unschedulable pod (kube-scheduler 1.32, SchedulerQueueingHints on).

The pod's own updates and node updates are split by what changed
(``PodSchedulingPropertiesChange``, ``NodeSchedulingPropertiesChange``); a pod moves only when
a plugin that rejected it registered that kind of change. Leftover pods are flushed on 30 s
ticks once they waited more than 5 minutes.
"""

import copy
import random

import pytest

from labkube.core.scheduler import Scheduler, SchedulingQueue
from labkube.core.scheduler import cluster_events as ev
from tests.core.scheduler.objects import node, pod


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def parked(rejected_by, the_pod=None):
    """A queue holding one pod that the given plugins rejected at t=0."""
    clock = Clock()
    events = Scheduler(rng=random.Random(0)).events_to_register()
    queue = SchedulingQueue(clock, events_to_register=events)
    queue.add(the_pod or pod("p", cpu="3"))
    queue.add_unschedulable(queue.pop(), set(rejected_by))
    assert queue.pending()["unschedulablePods"] == ["default/p"]
    return clock, queue


def changed(obj, edit):
    new = copy.deepcopy(obj)
    edit(new)
    return new


def unschedulable_condition(p):
    p["metadata"]["resourceVersion"] = "2"
    p.setdefault("status", {})["conditions"] = [
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "lastProbeTime": None,
         "lastTransitionTime": "2025-01-01T00:00:00Z", "message": "0/3 nodes are available: 3 Insufficient cpu."}]


def test_the_schedulers_own_status_patch_leaves_the_pod_unschedulable():
    clock, queue = parked({"NodeResourcesFit"})
    clock.t = 0.2
    queue.update(changed(queue.pods["default/p"].pod, unschedulable_condition))
    assert queue.pending()["unschedulablePods"] == ["default/p"]


def test_a_new_label_does_not_wake_a_pod_rejected_for_cpu():
    clock, queue = parked({"NodeResourcesFit"})
    queue.update(changed(queue.pods["default/p"].pod, lambda p: p["metadata"].update(labels={"a": "b"})))
    assert queue.pending()["unschedulablePods"] == ["default/p"]


def test_a_new_toleration_wakes_a_pod_rejected_by_a_taint():
    clock, queue = parked({"TaintToleration"})
    clock.t = 5
    queue.update(changed(queue.pods["default/p"].pod, lambda p: p["spec"].update(
        tolerations=[{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}])))
    assert queue.pop().key == "default/p"


def test_removing_the_last_scheduling_gate_still_makes_the_pod_active():
    gated = pod("p", schedulingGates=[{"name": "example.com/wait"}])
    clock = Clock()
    queue = SchedulingQueue(clock, events_to_register={})
    queue.add(gated)
    queue.update(changed(gated, lambda p: p["spec"].pop("schedulingGates")))
    assert queue.pop().key == "default/p"


@pytest.mark.parametrize("rejected_by, edit, wakes", [
    ("NodeResourcesFit", lambda n: n["status"]["conditions"][0].update(lastHeartbeatTime="2025-01-01T00:05:00Z"), False),
    ("NodeResourcesFit", lambda n: n["status"].update(images=[{"names": ["nginx"], "sizeBytes": 1}]), False),
    ("NodeResourcesFit", lambda n: n["metadata"].update(resourceVersion="9"), False),
    ("NodeResourcesFit", lambda n: n["metadata"]["labels"].update(disk="ssd"), False),
    ("NodeResourcesFit", lambda n: n["status"]["allocatable"].update(cpu="8"), True),
    ("NodeAffinity", lambda n: n["metadata"]["labels"].update(disk="ssd"), True),
    ("NodeAffinity", lambda n: n["status"]["allocatable"].update(cpu="8"), False),
    ("TaintToleration", lambda n: n["spec"].update(taints=[]), True),
    ("TaintToleration", lambda n: n["status"]["conditions"][0].update(status="False"), False),
    ("NodeUnschedulable", lambda n: n["spec"].update(unschedulable=False), True),
    ("NodeName", lambda n: n["metadata"]["labels"].update(disk="ssd"), False),
])
def test_a_node_update_wakes_only_pods_whose_rejecting_plugin_registered_that_change(rejected_by, edit, wakes):
    clock, queue = parked({rejected_by})
    old = node("n1", taints=[{"key": "gpu", "effect": "NoSchedule"}], unschedulable=True)
    assert queue.on_node_update(old, changed(old, edit)) == int(wakes)


def test_a_heartbeat_is_no_cluster_event_at_all():
    old = node("n1")
    new = changed(old, lambda n: n["status"]["conditions"][0].update(lastHeartbeatTime="2025-01-01T00:05:00Z"))
    assert ev.node_update_actions(old, new) == []


@pytest.mark.parametrize("edit, actions", [
    (lambda p: p["metadata"].update(labels={"x": "y"}), ["UpdatePodLabel"]),
    (lambda p: p["spec"]["containers"][0]["resources"]["requests"].update(cpu="1"), ["UpdatePodScaleDown"]),
    (lambda p: p["spec"].update(tolerations=[{"operator": "Exists"}]), ["UpdatePodToleration"]),
    (unschedulable_condition, ["UpdatePodOther"]),
])
def test_a_pod_update_is_named_by_what_changed(edit, actions):
    old = pod("p", cpu="3")
    assert ev.pod_update_actions(old, changed(old, edit)) == actions


def test_an_update_of_unknown_kind_may_help_any_plugin_that_registered_some_update():
    clock, queue = parked({"TaintToleration"})
    assert queue.on_event("Node", "Update") == 1


def test_a_plugin_registering_every_update_is_woken_by_each_kind():
    assert ev.matches(("Node", "Update"), "Node", "UpdateNodeLabel")
    assert not ev.matches(("Node", "UpdateNodeTaint"), "Node", "UpdateNodeLabel")
    assert not ev.matches(("Pod", "Update"), "Node", "UpdateNodeLabel")


def test_pods_left_over_are_moved_at_the_first_30s_tick_after_five_minutes():
    clock, queue = parked({"NodeResourcesFit"})
    for t in range(1, 330):
        clock.t = t
        queue.flush()
        assert queue.pop() is None, f"moved at {t}s"
    clock.t = 330
    queue.flush()
    assert queue.pop().key == "default/p"
