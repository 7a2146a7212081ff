"""The work queue collapses duplicates, never hands a key out twice at once, and backs off."""

import pytest

from labkube.core.clock import EPOCH, SimulatedClock
from labkube.core.machinery.workqueue import BucketRateLimiter, RateLimiter, WorkQueue


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


@pytest.mark.parametrize("name, takes, idle, delay", [
    ("the first of a full bucket waits for nothing", 0, 0, 0.0),
    ("the hundredth still finds a token", 99, 0, 0.0),
    ("the 101st waits a tenth of a second", 100, 0, 0.1),
    ("the 150th waits for 50 tokens at 10 a second", 149, 0, 5.0),
    ("fifteen idle seconds refill the emptied bucket", 150, 15, 0.0),
])
def test_the_overall_bucket_allows_bursts_of_100_then_10_a_second(name, takes, idle, delay):
    clock = SimulatedClock()
    bucket = BucketRateLimiter(clock)
    for n in range(takes):
        bucket.when(f"key-{n}")
    clock.run(idle)
    assert bucket.when("next") == pytest.approx(delay)


def test_a_key_requeued_after_every_successful_sync_runs_at_most_10_times_a_second():
    # DefaultControllerRateLimiter: forget() resets the per-key backoff after each success,
    # so only the queue-wide bucket (burst 100, 10 a second) holds such a key back.
    clock = SimulatedClock()
    queue = WorkQueue(clock)
    synced = []
    queue.on_ready = lambda: clock.call_later(0, work)

    def work():
        key = queue.get()
        if key is None:
            return
        synced.append(clock.now() - EPOCH)
        queue.add_rate_limited(key)  # e.g. a Deployment past its progress deadline
        queue.forget(key)
        queue.done(key)

    queue.add("default/web")
    clock.run(20)
    in_last_ten_seconds = [t for t in synced if t >= 10]
    assert len(in_last_ten_seconds) == pytest.approx(100, abs=1)
    assert len(synced) < 400  # per-key backoff alone (5 ms) would allow ~4,000
