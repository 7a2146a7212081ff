"""The queue, the snapshot and the scheduler together, as the live component will drive them."""

import random

from labkube.core.scheduler import Scheduler, SchedulingQueue, Snapshot
from tests.core.scheduler.objects import node, pod


class Clock:
    t = 0.0

    def __call__(self):
        return self.t


def run_once(queue, scheduler, snapshot, events):
    info = queue.pop()
    if info is None:
        return None
    result = scheduler.schedule_one(info.pod, snapshot)
    events.append((info.key, result.event_reason, result.message))
    if result.scheduled:
        queue.done(info)
    else:
        queue.add_unschedulable(info, result.unschedulable_plugins)
    return result


def test_a_pending_pod_is_scheduled_when_a_node_joins():
    clock, events = Clock(), []
    snapshot = Snapshot([node("n1", cpu="1")])
    scheduler = Scheduler(rng=random.Random(0))
    queue = SchedulingQueue(clock, events_to_register=scheduler.events_to_register())
    queue.add(pod("big", cpu="2"))
    first = run_once(queue, scheduler, snapshot, events)
    assert first.unschedulable_plugins == {"NodeResourcesFit"}
    assert run_once(queue, scheduler, snapshot, events) is None
    snapshot.add_node(node("n2", cpu="4"))
    queue.on_event("Node", "Add")
    clock.t = 1.0
    queue.flush()
    run_once(queue, scheduler, snapshot, events)
    assert events == [
        ("default/big", "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu. preemption: "
                                            "0/1 nodes are available: 1 Preemption is not helpful for scheduling."),
        ("default/big", "Scheduled", "Successfully assigned default/big to n2"),
    ]
    assert len(queue) == 0


def test_a_pod_rejected_by_a_taint_ignores_pod_deletions():
    clock = Clock()
    snapshot = Snapshot([node("n", taints=[{"key": "gpu", "effect": "NoSchedule"}])])
    scheduler = Scheduler(rng=random.Random(0))
    queue = SchedulingQueue(clock, events_to_register=scheduler.events_to_register())
    queue.add(pod("p"))
    run_once(queue, scheduler, snapshot, [])
    assert queue.on_event("Pod", "Delete") == 0
    assert queue.on_event("Node", "Update") == 1
