"""Packed history (labkube/core/store/history.py): packing changes where old versions live,
never what any read, watch or snapshot answers.

* The reference-model machine of test_store_model.py, run again on a store that packs every
  superseded version at once (budget 0).
* A differential test: the same random puts, deletes, transactions, lease revokes and
  compactions on stores with packing off, at once, and in between; every history read (get
  and range at every revision, watch replay from every revision, dump, snapshot round trip)
  must agree.
* Sentence-named tests for the packing rule itself.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant

from labkube.core.store import KeyValue, MVCCStore, Op
from labkube.core.store.history import BLOCK_BYTES, DEFAULT_BUDGET, PackedKV, is_packed

from tests.core.store.test_store_model import KEYS, PREFIXES, StoreMachine

A = "/registry/pods/default/a"
B = "/registry/pods/default/b"


# -- the reference model, on a store that packs everything ------------------------------------
class PackEverythingMachine(StoreMachine):
    """StoreMachine whose store packs each version as soon as it is superseded."""

    @initialize()
    def start(self) -> None:
        super().start()
        self.store = MVCCStore(self.clock, history_budget=0)

    @invariant()
    def every_superseded_version_is_packed_and_no_latest_one(self):
        latest = {(kv.key, kv.mod_revision) for kv in self.model.now.values()}
        for rev, stored in self.store._backend.items():
            if is_packed(stored):
                packed = PackedKV(*stored)
                assert (packed.key, packed.mod_revision) not in latest
            elif (stored.key, stored.mod_revision) not in latest:
                assert stored.value == b"", "a superseded version was left unpacked"


PackEverythingMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestAPackingStoreMatchesTheReferenceModel = PackEverythingMachine.TestCase


# -- differential: packing on vs off --------------------------------------------------------
small_values = st.binary(max_size=40)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.sampled_from(KEYS), small_values),
        st.tuples(st.just("delete"), st.sampled_from(KEYS), st.just(b"")),
        st.tuples(st.just("delete_prefix"), st.sampled_from(PREFIXES), st.just(b"")),
        st.tuples(st.just("txn"), st.sampled_from(KEYS), small_values),
        st.tuples(st.just("lease"), st.sampled_from(KEYS), small_values),
        st.tuples(st.just("revoke"), st.just(""), st.just(b"")),
        st.tuples(st.just("compact"), st.just(""), st.just(b"")),
    ),
    min_size=10,
    max_size=80,
)


def apply(store: MVCCStore, ops) -> None:
    for kind, key, value in ops:
        if kind == "put":
            store.put(key, value)
        elif kind == "delete":
            store.delete(key)
        elif kind == "delete_prefix":
            store.range_prefix(key)
            store.delete_range(key, key[:-1] + "0")
        elif kind == "txn":
            other = KEYS[(KEYS.index(key) + 1) % len(KEYS)]
            store.txn([], [Op.put(key, value), Op.delete(other), Op.get(key)])
        elif kind == "lease":
            store.put(key, value, lease=store.lease_grant(10).id)
        elif kind == "revoke":
            for lease in store.leases()[:1]:
                store.lease_revoke(lease.id)
        elif store.revision > store.compact_revision:
            store.compact((store.revision + store.compact_revision + 1) // 2)


def history_reads(store: MVCCStore) -> dict:
    """Everything the past can be asked, in plain data."""
    first = max(store.compact_revision, 1)
    answers = {"dump": store.dump()}
    for rev in range(first, store.revision + 1):
        answers[("range", rev)] = store.range("\0", "\0", revision=rev)
        answers[("get", rev)] = [store.get(k, revision=rev) for k in KEYS]
    for rev in range(first, store.revision + 2):
        for prefix in ("/registry/", "/registry/pods/default/"):
            watcher = store.watch(prefix, prefix=True, start_revision=rev)
            answers[("watch", prefix, rev)] = watcher.poll()
            watcher.cancel()
        for prev_kv in (True, False):
            watcher = store.watch(A, start_revision=rev, prev_kv=prev_kv)
            answers[("watch", A, rev, prev_kv)] = watcher.poll()
            watcher.cancel()
    return answers


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations)
def test_packing_changes_no_history_read(tmp_path_factory, ops):
    stores = [MVCCStore(history_budget=b) for b in (None, 0, 64)]
    for store in stores:
        apply(store, ops)
    reference = history_reads(stores[0])
    for store in stores[1:]:
        assert history_reads(store) == reference
    path = tmp_path_factory.mktemp("snap") / "snap"
    stores[1].snapshot(path)
    restored = [MVCCStore.restore(path, history_budget=b) for b in (None, 0)]
    for store in restored:
        assert history_reads(store) == reference
    for store in stores + restored:  # and they go on alike
        apply(store, ops[::-1])
    again = history_reads(stores[0])
    for store in stores[1:] + restored:
        assert history_reads(store) == again


# -- the packing rule ------------------------------------------------------------------------
def packed_revisions(store: MVCCStore) -> list[int]:
    return sorted(rev.main for rev, v in store._backend.items() if is_packed(v))


def pod_json(i: int, phase: str) -> bytes:
    return (
        b'{"kind":"Pod","metadata":{"name":"web-%d","uid":"%08d"},"status":{"phase":"%s"}}'
        % (i, i * 7919, phase.encode())
    ) * 10


def test_a_classroom_sized_history_is_never_packed():
    store = MVCCStore()
    for i in range(200):
        for phase in ("Pending", "Running"):
            store.put(f"/registry/pods/default/web-{i}", pod_json(i, phase))
    assert store._history.budget == DEFAULT_BUDGET
    assert packed_revisions(store) == []


def test_superseded_versions_are_packed_oldest_first_once_they_pass_the_budget():
    value = b"x" * 100
    store = MVCCStore(history_budget=1000)
    for _ in range(10):
        store.put(A, value)  # revisions 2..11: 2..10 superseded, 900 bytes
    assert packed_revisions(store) == []
    store.put(A, value)  # 1,000 bytes superseded: still within the budget
    assert packed_revisions(store) == []
    store.put(A, value)  # 1,100 bytes: pack the oldest until <= 500 bytes are left
    assert packed_revisions(store) == [2, 3, 4, 5, 6, 7]


def test_the_latest_version_of_a_key_is_never_packed():
    store = MVCCStore(history_budget=0)
    store.put(A, b"1")
    store.put(A, b"2")
    store.put(B, b"only")
    assert packed_revisions(store) == [2]
    assert store._index[A].modified not in store._backend  # the latest lives in _latest only
    assert store.get(A) is store._latest[A]


def test_a_deleted_keys_last_version_is_history_and_gets_packed():
    store = MVCCStore(history_budget=0)
    store.put(A, b"1")
    store.delete(A)
    assert packed_revisions(store) == [2]
    assert store.get(A, revision=2) == KeyValue(A, b"1", 2, 2, 1)


def test_a_packed_version_reads_back_equal_with_the_same_bytes():
    plain, packing = MVCCStore(history_budget=None), MVCCStore(history_budget=0)
    for store in (plain, packing):
        for i in range(50):
            store.put(f"/registry/pods/default/web-{i % 7}", pod_json(i, "Running"))
    assert len(packed_revisions(packing)) == 43
    for rev in range(1, plain.revision + 1):
        assert packing.range_prefix("/", revision=rev) == plain.range_prefix("/", revision=rev)


def test_values_are_packed_together_in_blocks_of_about_block_bytes():
    store = MVCCStore(history_budget=0)
    store.put(A, b"a" * BLOCK_BYTES)
    store.txn([], [Op.put(A, b"b"), Op.put(B, b"c")])
    for i in range(3):
        store.txn([], [Op.put(A, b"small %d" % i), Op.put(B, b"small %d" % i)])
    blocks = {id(PackedKV(*v).block) for v in store._backend.values() if is_packed(v)}
    assert len(packed_revisions(store)) == 7
    assert len(blocks) == 4  # budget 0 packs at every commit: one block per commit


def test_a_watch_replaying_packed_history_gets_the_same_events():
    plain, packing = MVCCStore(history_budget=None), MVCCStore(history_budget=0)
    for store in (plain, packing):
        for i in range(30):
            store.put(f"/registry/pods/default/web-{i % 4}", pod_json(i, "Pending"))
            if i % 5 == 4:
                store.delete(f"/registry/pods/default/web-{i % 4}")
    for start in range(1, plain.revision + 2):
        want = plain.watch("/registry/", prefix=True, start_revision=start).poll()
        assert packing.watch("/registry/", prefix=True, start_revision=start).poll() == want


@pytest.mark.parametrize("budget", [None, 0])
def test_a_change_at_the_compaction_point_keeps_its_prev_kv(budget):
    store = MVCCStore(history_budget=budget)
    store.put(A, b"old")  # 2
    store.put(B, b"b")  # 3
    store.put(A, b"new")  # 4: its prev (rev 2) is gone from history after compact(4)
    store.delete(B)  # 5
    store.compact(4)
    events = store.watch(A, start_revision=4).poll()
    assert [(e.kv.value, e.prev_kv.value) for e in events] == [(b"new", b"old")]
    store.compact(5)
    events = store.watch(B, start_revision=5).poll()
    assert [(e.type, e.prev_kv.value) for e in events] == [("DELETE", b"b")]
    assert [rev[0] for rev in store._log_prevs] == [3]


def test_a_restored_store_packs_its_history_by_the_same_rule(tmp_path):
    store = MVCCStore(history_budget=None)
    for i in range(20):
        store.put(A, b"%d" % i)
    store.snapshot(tmp_path / "snap")
    restored = MVCCStore.restore(tmp_path / "snap", history_budget=0)
    assert packed_revisions(restored) == list(range(2, 21))
    assert restored.dump() == store.dump()


def test_the_same_writes_pack_the_same_revisions():
    def run() -> list[int]:
        store = MVCCStore(history_budget=300)
        for i in range(100):
            store.put(f"/registry/pods/default/web-{i % 9}", b"v" * (i % 13))
        return packed_revisions(store)

    assert run() == run() != []


def test_a_negative_budget_is_refused():
    with pytest.raises(ValueError, match="history budget"):
        MVCCStore(history_budget=-1)
