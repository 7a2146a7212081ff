"""Watches: replay, streaming, ranges, cancel, compacted and future starts."""

import threading

import pytest

from labkube.core.store import (
    DELETE,
    PUT,
    CompactedError,
    FutureRevisionError,
    MVCCStore,
    Op,
    prefix_end,
)

A = "/registry/pods/default/a"
B = "/registry/pods/default/b"
C = "/registry/pods/kube-system/c"
S = "/registry/services/default/s"


@pytest.fixture
def store():
    return MVCCStore()


def summary(events):
    return [(e.type, e.kv.key, e.kv.mod_revision) for e in events]


def test_a_watch_from_now_sees_only_later_changes(store):
    store.put(A, b"1")
    watcher = store.watch(A)
    store.put(A, b"2")
    assert summary(watcher.poll()) == [(PUT, A, 3)]


def test_a_watch_from_a_past_revision_replays_history_then_streams(store):
    store.put(A, b"1")  # 2
    store.put(A, b"2")  # 3
    store.delete(A)  # 4
    watcher = store.watch(A, start_revision=3)
    store.put(A, b"3")  # 5
    assert summary(watcher.poll()) == [(PUT, A, 3), (DELETE, A, 4), (PUT, A, 5)]


def test_events_carry_the_previous_value(store):
    store.put(A, b"1")
    watcher = store.watch(A)
    store.put(A, b"2")
    store.delete(A)
    put, delete = watcher.poll()
    assert (put.prev_kv.value, delete.prev_kv.value) == (b"1", b"2")
    assert (delete.kv.value, delete.kv.version, delete.kv.create_revision) == (b"", 0, 0)


def test_prev_kv_false_leaves_prev_kv_out(store):
    store.put(A, b"1")
    watcher = store.watch(A, prev_kv=False)
    store.put(A, b"2")
    assert watcher.poll()[0].prev_kv is None


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(key=A), [A]),
        (dict(key=A, range_end=""), [A]),
        (dict(key="/registry/pods/", prefix=True), [A, B, C]),
        (dict(key="/registry/pods/default/", prefix=True), [A, B]),
        (dict(key=B, range_end=S), [B, C]),
        (dict(key=B, range_end="\0"), [B, C, S]),
        (dict(key="", prefix=True), [A, B, C, S]),
    ],
    ids=[
        "one key",
        "one key with an empty range_end",
        "a resource prefix",
        "a namespace prefix",
        "a range",
        "to the end",
        "everything",
    ],
)
def test_a_watch_sees_exactly_the_keys_in_its_range(store, kwargs, expected):
    watcher = store.watch(**kwargs)
    for k in (S, C, B, A):
        store.put(k, b"x")
    assert sorted(e.kv.key for e in watcher.poll()) == expected


def test_events_of_one_txn_arrive_in_sub_revision_order(store):
    store.put(C, b"c")
    watcher = store.watch("/registry/", prefix=True)
    store.txn([], [Op.put(B, b"b"), Op.delete(C), Op.put(A, b"a")])
    assert summary(watcher.poll()) == [(PUT, B, 3), (DELETE, C, 3), (PUT, A, 3)]


def test_a_delete_range_gives_one_delete_event_per_key(store):
    for k in (A, B, C):
        store.put(k, b"x")
    watcher = store.watch("/registry/", prefix=True)
    store.delete_range("/registry/pods/", prefix_end("/registry/pods/"))
    assert summary(watcher.poll()) == [(DELETE, A, 5), (DELETE, B, 5), (DELETE, C, 5)]


def test_watch_from_compacted_revision_fails_with_compacted_error(store):
    for i in range(5):
        store.put(A, str(i).encode())
    store.compact(4)
    with pytest.raises(CompactedError) as err:
        store.watch(A, start_revision=3)
    assert (err.value.compact_revision, err.value.requested_revision) == (4, 3)


def test_watch_from_the_compaction_point_replays_everything_since(store):
    store.put(A, b"1")  # 2
    store.put(B, b"1")  # 3
    store.delete(B)  # 4
    store.put(A, b"2")  # 5
    store.compact(4)
    watcher = store.watch("/registry/", prefix=True, start_revision=4)
    assert summary(watcher.poll()) == [(DELETE, B, 4), (PUT, A, 5)]


def test_watch_from_a_future_revision_fails_with_future_revision_error(store):
    store.put(A, b"1")
    with pytest.raises(FutureRevisionError):
        store.watch(A, start_revision=4)


def test_watch_from_the_next_revision_is_allowed(store):
    store.put(A, b"1")
    watcher = store.watch(A, start_revision=3)
    store.put(A, b"2")
    assert summary(watcher.poll()) == [(PUT, A, 3)]


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(key=A, start_revision=-1), ValueError),
        (dict(key="", range_end=None), ValueError),
        (dict(key=A, range_end=B, prefix=True), ValueError),
    ],
    ids=["a negative start", "an empty key without prefix", "both prefix and range_end"],
)
def test_a_malformed_watch_is_refused(store, kwargs, error):
    with pytest.raises(error):
        store.watch(**kwargs)


def test_a_cancelled_watcher_receives_nothing_more(store):
    watcher = store.watch(A)
    store.put(A, b"1")
    watcher.cancel()
    store.put(A, b"2")
    assert (watcher.poll(), watcher.get(timeout=0), watcher.cancelled) == ([], None, True)
    assert store.watcher_count() == 0


def test_cancel_wakes_a_reader_blocked_in_get():
    store = MVCCStore()
    watcher = store.watch(A)
    results = []
    reader = threading.Thread(target=lambda: results.append(watcher.get()))
    reader.start()
    watcher.cancel()
    reader.join(timeout=5)
    assert (reader.is_alive(), results) == (False, [None])


def test_cancel_ends_an_iteration():
    store = MVCCStore()
    watcher = store.watch(A)
    seen = []

    def consume():
        for event in watcher:
            seen.append(event.kv.value)
            if event.kv.value == b"2":
                watcher.cancel()

    reader = threading.Thread(target=consume)
    reader.start()
    store.put(A, b"1")
    store.put(A, b"2")
    store.put(A, b"3")
    reader.join(timeout=5)
    assert (reader.is_alive(), seen[:2]) == (False, [b"1", b"2"])


def test_get_with_a_timeout_returns_none_when_nothing_comes(store):
    assert store.watch(A).get(timeout=0) is None


def test_a_blocking_get_receives_an_event_put_from_another_thread():
    store = MVCCStore()
    watcher = store.watch(A)
    writer = threading.Thread(target=lambda: store.put(A, b"1"))
    writer.start()
    event = watcher.get(timeout=5)
    writer.join()
    assert (event.type, event.kv.value) == (PUT, b"1")


def test_on_ready_is_called_outside_the_lock_once_per_write(store):
    watcher = store.watch("/registry/", prefix=True)
    calls = []

    def ready():
        def probe():
            free = store._lock.acquire(blocking=False)
            calls.append(free)
            if free:
                store._lock.release()

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()

    watcher.on_ready = ready
    store.put(A, b"1")
    store.txn([], [Op.put(B, b"1"), Op.put(C, b"1")])
    store.put(S, b"1")
    assert calls == [True, True, True]


def test_one_watcher_s_slow_reader_does_not_affect_another(store):
    slow = store.watch(A)
    fast = store.watch(A)
    for i in range(1000):
        store.put(A, str(i).encode())
        assert fast.get(timeout=1).kv.value == str(i).encode()
    assert len(slow.poll()) == 1000
