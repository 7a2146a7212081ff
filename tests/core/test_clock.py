"""The cluster clock: simulated time jumps from timer to timer, in order, reproducibly."""

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labkube.core.clock import (
    RealTimeClock,
    EPOCH,
    SimulatedClock,
    format_micro_timestamp,
    format_timestamp,
    parse_timestamp,
)


def test_simulated_time_starts_at_the_fixed_epoch():
    assert SimulatedClock().timestamp() == "2025-01-01T00:00:00Z"


def test_run_fires_due_timers_in_time_order_and_jumps_time():
    clock = SimulatedClock()
    fired = []
    clock.call_later(5, lambda: fired.append(("b", clock.now() - EPOCH)))
    clock.call_later(2, lambda: fired.append(("a", clock.now() - EPOCH)))
    clock.call_later(50, lambda: fired.append(("late", clock.now() - EPOCH)))
    clock.run(10)
    assert fired == [("a", 2.0), ("b", 5.0)]
    assert clock.now() - EPOCH == 10.0


def test_timers_due_at_the_same_instant_fire_in_the_order_they_were_set():
    clock = SimulatedClock()
    fired = []
    for name in "xyz":
        clock.call_later(1, lambda n=name: fired.append(n))
    clock.run(1)
    assert fired == ["x", "y", "z"]


def test_a_cancelled_timer_never_fires():
    clock = SimulatedClock()
    fired = []
    timer = clock.call_later(1, lambda: fired.append(1))
    timer.cancel()
    clock.run(5)
    assert fired == []


def test_a_timer_set_by_a_timer_fires_within_the_same_run():
    clock = SimulatedClock()
    fired = []
    clock.call_later(1, lambda: clock.call_later(1, lambda: fired.append(clock.now() - EPOCH)))
    clock.run(3)
    assert fired == [2.0]


def test_step_fires_exactly_one_timer_and_reports_when_none_remain():
    clock = SimulatedClock()
    fired = []
    clock.call_later(3, lambda: fired.append(1))
    clock.call_later(4, lambda: fired.append(2))
    assert clock.step() is True and fired == [1] and clock.now() - EPOCH == 3.0
    assert clock.step() is True and fired == [1, 2]
    assert clock.step() is False


def test_run_until_stops_as_soon_as_the_predicate_holds():
    clock = SimulatedClock()
    state = {"ready": False}
    clock.call_later(7, lambda: state.update(ready=True))
    assert clock.run_until(lambda: state["ready"], timeout=60) is True
    assert clock.now() - EPOCH == 7.0


def test_run_until_gives_up_after_the_timeout():
    clock = SimulatedClock()
    assert clock.run_until(lambda: False, timeout=30) is False
    assert clock.now() - EPOCH == 30.0


def test_negative_durations_are_refused():
    with pytest.raises(ValueError):
        SimulatedClock().run(-1)


def test_the_same_seed_gives_the_same_uids_and_suffixes():
    a, b = SimulatedClock(seed=7), SimulatedClock(seed=7)
    assert [a.uuid() for _ in range(3)] == [b.uuid() for _ in range(3)]
    assert a.random_suffix() == b.random_suffix()
    assert SimulatedClock(seed=8).uuid() != SimulatedClock(seed=7).uuid()


def test_generated_suffixes_use_kubernetes_alphabet_without_vowels():
    suffix = SimulatedClock(seed=1).random_suffix(50)
    assert len(suffix) == 50 and not set(suffix) & set("aeiou013")


def test_uids_are_version_4_uuids():
    uid = SimulatedClock().uuid()
    assert uid[14] == "4" and len(uid) == 36


@pytest.mark.parametrize(
    "seconds, expected",
    [
        (EPOCH, "2025-01-01T00:00:00Z"),
        (EPOCH + 61.9, "2025-01-01T00:01:01Z"),
        (EPOCH + 86400, "2025-01-02T00:00:00Z"),
    ],
)
def test_timestamps_render_as_metav1_time(seconds, expected):
    assert format_timestamp(seconds) == expected
    assert parse_timestamp(expected) == int(seconds)


def test_micro_timestamps_keep_microseconds():
    assert format_micro_timestamp(EPOCH + 1.5) == "2025-01-01T00:00:01.500000Z"


def test_a_simulated_run_pauses_the_cyclic_collector_and_restores_the_callers_state():
    import gc

    from labkube.core.clock import SimulatedClock

    clock = SimulatedClock(seed=0)
    seen = []
    clock.call_later(1, lambda: seen.append(gc.isenabled()))
    assert gc.isenabled()
    clock.run(2)
    assert seen == [False] and gc.isenabled()
    clock.run_until(lambda: bool(seen.append(gc.isenabled())) and False, timeout=1)
    assert set(seen) == {False} and gc.isenabled()


def test_a_run_leaves_a_collector_the_caller_disabled_disabled():
    import gc

    from labkube.core.clock import SimulatedClock

    gc.disable()
    try:
        SimulatedClock(seed=0).run(1)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_uids_are_the_version_4_uuids_the_standard_library_would_format():
    import random
    import uuid

    from labkube.core.clock import format_uuid4

    rng = random.Random(7)
    for bits in [0, (1 << 128) - 1] + [rng.getrandbits(128) for _ in range(500)]:
        assert format_uuid4(bits) == str(uuid.UUID(int=bits, version=4))


@given(st.floats(min_value=0, max_value=4e9, allow_nan=False))
def test_formatted_timestamps_match_a_fresh_datetime_rendering(seconds):
    """The per-second memo gives exactly what formatting from scratch gives, at every instant
    (including a microsecond that rounds up into the next second)."""
    second = datetime.fromtimestamp(int(seconds), tz=timezone.utc)
    assert format_timestamp(seconds) == second.strftime("%Y-%m-%dT%H:%M:%SZ")
    micros = round(seconds * 1_000_000)
    exact = datetime.fromtimestamp(micros // 1_000_000, tz=timezone.utc)
    assert format_micro_timestamp(seconds) == exact.strftime("%Y-%m-%dT%H:%M:%S") + f".{micros % 1_000_000:06d}Z"


def test_a_microsecond_rounding_up_carries_into_the_next_second():
    assert format_micro_timestamp(EPOCH + 1.9999996) == "2025-01-01T00:00:02.000000Z"
    assert format_timestamp(EPOCH + 1.9999996) == "2025-01-01T00:00:01Z"


def test_a_paused_real_time_clock_is_stepped_by_hand_instead_of_hanging():
    clock = RealTimeClock(seed=0)
    fired = []
    due = clock.now() + 5
    clock.call_at(due, lambda: fired.append(clock.now()))
    clock.start()
    clock.pause()
    try:
        start = clock.now()
        assert clock.run_until(lambda: bool(fired), timeout=60) is True
        assert fired == [due]
        clock.run(10)
        assert clock.now() >= start + 15
    finally:
        clock.stop()


def test_a_running_real_time_clock_waits_for_a_predicate_in_cluster_time():
    clock = RealTimeClock(seed=0, speed=1000)
    clock.start()
    try:
        start = clock.now()
        assert clock.run_until(lambda: clock.now() >= start + 20, timeout=600) is True
        assert clock.run_until(lambda: False, timeout=5) is False
    finally:
        clock.stop()


def test_a_timer_set_in_the_past_fires_at_the_next_run_without_moving_time_back():
    clock = SimulatedClock()
    clock.run(10)
    fired = []
    clock.call_at(EPOCH + 3, lambda: fired.append(("at", clock.now() - EPOCH)))
    clock.call_later(-4, lambda: fired.append(("later", clock.now() - EPOCH)))
    clock.run(0)
    assert fired == [("at", 10.0), ("later", 10.0)]


def test_cancelled_timers_at_the_head_of_the_queue_are_skipped_not_fired():
    clock = SimulatedClock()
    fired = []
    first = clock.call_later(1, lambda: fired.append("first"))
    second = clock.call_later(1, lambda: fired.append("second"))
    clock.call_later(2, lambda: fired.append("third"))
    first.cancel()
    second.cancel()
    assert clock.next_deadline() == EPOCH + 2
    clock.run(5)
    assert fired == ["third"]


def test_a_timer_set_with_call_later_wakes_a_real_time_clock():
    clock = RealTimeClock()
    clock._wake.clear()
    clock.call_later(1, lambda: None)  # goes through RealTimeClock.call_at, which wakes the loop
    assert clock._wake.is_set()
