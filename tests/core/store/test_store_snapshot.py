"""Snapshot to a file and restore: an identical store."""

import json

import pytest

from labkube.core.clock import SimulatedClock
from labkube.core.store import PUT, MVCCStore, Op

A = "/registry/pods/default/a"
B = "/registry/pods/default/b"


def busy_store(clock):
    store = MVCCStore(clock)
    lease = store.lease_grant(30)
    store.put(A, b"1")
    store.put(B, b"1", lease=lease.id)
    store.txn([], [Op.put(A, b"2"), Op.delete(B)])
    store.put(B, b"\x00\xff binary", lease=lease.id)
    store.compact(3)
    store.put(A, b"3")
    return store


def test_restore_gives_an_identical_store(tmp_path):
    clock = SimulatedClock(seed=0)
    store = busy_store(clock)
    store.snapshot(tmp_path / "snap")
    restored = MVCCStore.restore(tmp_path / "snap", clock)
    assert restored.dump() == store.dump()


def test_a_restored_store_answers_past_reads_and_old_watches_alike(tmp_path):
    clock = SimulatedClock(seed=0)
    store = busy_store(clock)
    store.snapshot(tmp_path / "snap")
    restored = MVCCStore.restore(tmp_path / "snap", clock)
    for rev in range(3, store.revision + 1):
        assert restored.range_prefix("/", revision=rev) == store.range_prefix("/", revision=rev)
    replay = [w.watch("/", prefix=True, start_revision=3).poll() for w in (store, restored)]
    assert replay[0] == replay[1] and replay[0][-1].type == PUT


def test_a_restored_lease_expires_with_the_ttl_it_had_left(tmp_path):
    clock = SimulatedClock(seed=0)
    store = busy_store(clock)
    clock.run(20)
    store.snapshot(tmp_path / "snap")
    later = SimulatedClock(seed=0)
    restored = MVCCStore.restore(tmp_path / "snap", later)
    later.run(9)
    assert restored.get(B) is not None
    later.run(1)
    assert restored.get(B) is None


def test_a_restored_store_continues_the_revision_counters(tmp_path):
    store = busy_store(SimulatedClock(seed=0))
    store.snapshot(tmp_path / "snap")
    restored = MVCCStore.restore(tmp_path / "snap")
    assert restored.put(A, b"4").revision == store.put(A, b"4").revision
    assert restored.lease_grant(5).id == store.lease_grant(5).id


def test_two_identical_stores_write_identical_files(tmp_path):
    busy_store(SimulatedClock(seed=0)).snapshot(tmp_path / "one")
    busy_store(SimulatedClock(seed=0)).snapshot(tmp_path / "two")
    assert (tmp_path / "one").read_bytes() == (tmp_path / "two").read_bytes()


def test_restoring_something_else_is_refused(tmp_path):
    (tmp_path / "bad").write_text(json.dumps({"format": "other"}))
    with pytest.raises(ValueError):
        MVCCStore.restore(tmp_path / "bad")


def test_snapshot_leaves_no_temporary_file_behind(tmp_path):
    busy_store(None).snapshot(tmp_path / "snap")
    assert [p.name for p in tmp_path.iterdir()] == ["snap"]
