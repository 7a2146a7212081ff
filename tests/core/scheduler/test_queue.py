"""The scheduling queue: priority order, backoff, unschedulable pods and cluster events."""

import pytest

from labkube.core.scheduler import SchedulingQueue
from labkube.core.scheduler.queue import backoff_duration
from tests.core.scheduler.objects import pod


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


EVENTS = {"NodeResourcesFit": {("Pod", "Delete"), ("Node", "Add"), ("Node", "Update")},
          "TaintToleration": {("Node", "Add"), ("Node", "Update")}}


def make():
    clock = Clock()
    return clock, SchedulingQueue(clock, events_to_register=EVENTS)


def drain(queue):
    out = []
    while (info := queue.pop()) is not None:
        out.append(info.key)
    return out


@pytest.mark.parametrize("attempts, seconds", [(1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (9, 10)])
def test_backoff_doubles_from_1s_up_to_10s(attempts, seconds):
    assert backoff_duration(attempts) == seconds


def test_higher_priority_first_then_first_come():
    clock, queue = make()
    queue.add(pod("low-old", priority=0))
    clock.t = 1
    queue.add(pod("high", priority=100))
    queue.add(pod("low-new", priority=0))
    assert drain(queue) == ["default/high", "default/low-old", "default/low-new"]


def test_an_unschedulable_pod_waits_for_a_relevant_event():
    clock, queue = make()
    queue.add(pod("p"))
    info = queue.pop()
    queue.add_unschedulable(info, {"NodeResourcesFit"})
    clock.t = 20
    queue.flush()
    assert queue.pop() is None and queue.pending()["unschedulablePods"] == ["default/p"]
    assert queue.on_event("Pod", "Add") == 0
    assert queue.on_event("Pod", "Delete") == 1
    assert queue.pop().key == "default/p"


def test_a_woken_pod_still_in_backoff_waits_in_the_backoff_queue():
    clock, queue = make()
    queue.add(pod("p"))
    queue.add_unschedulable(queue.pop(), {"TaintToleration"})
    assert queue.pending()["unschedulablePods"] == ["default/p"]
    queue.on_event("Node", "Add")
    assert queue.pending()["backoffQ"] == ["default/p"]
    clock.t = 0.5
    queue.flush()
    assert queue.pop() is None
    clock.t = 1.0
    queue.flush()
    assert queue.pop().key == "default/p"


def test_an_event_during_the_cycle_sends_the_pod_to_backoff():
    clock, queue = make()
    queue.add(pod("p"))
    info = queue.pop()
    queue.on_event("Node", "Add")
    queue.add_unschedulable(info, {"TaintToleration"})
    assert queue.pending()["backoffQ"] == ["default/p"]


def test_an_error_retries_after_backoff():
    clock, queue = make()
    queue.add(pod("p"))
    queue.add_unschedulable(queue.pop())
    assert queue.next_backoff_expiry() == 1.0
    clock.t = 1.0
    queue.flush()
    info = queue.pop()
    queue.add_unschedulable(info)
    assert queue.next_backoff_expiry() == 3.0


def test_pods_left_unschedulable_for_five_minutes_are_retried_at_the_next_30s_flush():
    clock, queue = make()
    queue.add(pod("p"))
    queue.add_unschedulable(queue.pop(), {"NodeResourcesFit"})
    clock.t = 300
    queue.flush()
    assert queue.pop() is None
    clock.t = 300.5
    queue.flush()
    assert queue.pop() is None
    clock.t = 330
    queue.flush()
    assert queue.pop().key == "default/p"


def test_gated_pods_wait_until_their_gates_are_removed():
    clock, queue = make()
    gated = pod("p", schedulingGates=[{"name": "example.com/wait"}])
    queue.add(gated)
    assert queue.pop() is None
    queue.on_event("Node", "Add")
    clock.t = 600
    queue.flush()
    assert queue.pop() is None
    ungated = dict(gated, spec={k: v for k, v in gated["spec"].items() if k != "schedulingGates"})
    queue.update(ungated)
    assert queue.pop().key == "default/p"


def test_deleted_and_done_pods_leave_the_queue():
    clock, queue = make()
    queue.add(pod("a"))
    queue.add(pod("b"))
    queue.delete(pod("a"))
    info = queue.pop()
    queue.done(info)
    assert info.key == "default/b" and len(queue) == 0 and queue.pop() is None
