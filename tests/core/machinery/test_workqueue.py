"""The work queue collapses duplicates, never hands a key out twice at once, and backs off."""

import pytest

from labkube.core.clock import EPOCH, SimulatedClock
from labkube.core.machinery.workqueue import RateLimiter, WorkQueue


@pytest.fixture
def queue():
    return WorkQueue(SimulatedClock(), "test")


def test_a_key_added_many_times_is_processed_once(queue):
    for _ in range(50):
        queue.add("default/web")
    assert queue.get() == "default/web"
    assert queue.get() is None


def test_keys_come_out_in_the_order_they_went_in(queue):
    for key in ("a", "b", "c", "a"):
        queue.add(key)
    assert [queue.get(), queue.get(), queue.get(), queue.get()] == ["a", "b", "c", None]


def test_a_key_added_while_processing_is_handed_out_again_only_after_done(queue):
    queue.add("k")
    assert queue.get() == "k"
    queue.add("k")
    assert queue.get() is None  # still processing: never handed out twice at once
    queue.done("k")
    assert queue.get() == "k"


def test_done_without_a_new_add_does_not_requeue(queue):
    queue.add("k")
    queue.done(queue.get())
    assert queue.get() is None


def test_add_after_waits_for_cluster_time():
    clock = SimulatedClock()
    queue = WorkQueue(clock)
    queue.add_after("k", 10)
    clock.run(9.9)
    assert queue.get() is None
    clock.run(0.1)
    assert queue.get() == "k"


def test_an_earlier_requeue_wins_over_a_later_one():
    clock = SimulatedClock()
    queue = WorkQueue(clock)
    queue.add_after("k", 10)
    queue.add_after("k", 2)
    queue.add_after("k", 30)
    clock.run(2)
    assert queue.get() == "k"
    queue.done("k")
    clock.run(60)
    assert queue.get() is None


@pytest.mark.parametrize("failures, delay", [(0, 0.005), (1, 0.01), (2, 0.02), (10, 5.12), (30, 1000.0)])
def test_rate_limited_requeues_back_off_exponentially_up_to_a_cap(failures, delay):
    limiter = RateLimiter()
    for _ in range(failures):
        limiter.when("k")
    assert limiter.when("k") == pytest.approx(delay)


def test_forget_resets_the_backoff(queue):
    queue.add_rate_limited("k")
    queue.add_rate_limited("k")
    assert queue.num_requeues("k") == 2
    queue.forget("k")
    assert queue.num_requeues("k") == 0


def test_shut_down_drops_everything_and_refuses_new_keys():
    clock = SimulatedClock()
    queue = WorkQueue(clock)
    queue.add("a")
    queue.add_after("b", 5)
    queue.shut_down()
    queue.add("c")
    clock.run(10)
    assert queue.get() is None


def test_on_ready_fires_when_a_key_becomes_available():
    clock = SimulatedClock()
    queue = WorkQueue(clock)
    calls = []
    queue.on_ready = lambda: calls.append(clock.now() - EPOCH)
    queue.add("a")
    queue.add("a")
    queue.add_after("b", 3)
    clock.run(5)
    assert calls == [0.0, 3.0]
