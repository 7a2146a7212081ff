"""The store's compact bookkeeping answers exactly as the plain one did.

Three savings are checked here against answers worked out by hand or by a naive model:

* a live key's latest version is held once, in ``_latest``, and not also in the backend
  (most keys are Events written once): reads at every revision, watch replays, compaction
  and snapshots must not notice;
* a key's generations are slotted objects whose revision list is made on the first put
  (``KeyIndex``), through a whole life: written once, deleted, created again, compacted;
* the watcher group remembers which directory watchers match a parent directory, and
  forgets it when a directory watcher comes or goes.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labkube.core.store import DELETE, PUT, CompactedError, KeyValue, MVCCStore
from labkube.core.store.key_index import Generation, KeyIndex
from labkube.core.store.revision import Revision

A = "/registry/pods/default/a"
KEYS = ["/registry/pods/default/a", "/registry/pods/default/b", "/registry/events/default/e"]


def history(store: MVCCStore) -> list[tuple[int, str, object]]:
    """Every readable (revision, key, KeyValue or None), for comparing two stores."""
    first = max(store.compact_revision, 1)
    return [
        (rev, key, store.get(key, revision=rev))
        for rev in range(first, store.revision + 1)
        for key in KEYS
    ]


def replays(store: MVCCStore) -> list[list]:
    """The events a watch of everything gets from each revision still in history."""
    out = []
    for rev in range(max(store.compact_revision, 1), store.revision + 2):
        watcher = store.watch("/", "\0", start_revision=rev)
        out.append(watcher.poll())
        watcher.cancel()
    return out


def assert_latest_held_once(store: MVCCStore) -> None:
    for key, kv in store._latest.items():
        assert store._index[key].modified not in store._backend
        assert kv.mod_revision == store._index[key].modified.main


# -- one key's whole life ------------------------------------------------------------------
def a_life() -> MVCCStore:
    """put at 2 (written once), delete at 3, put at 4, put at 5."""
    store = MVCCStore(history_budget=0)
    store.put(A, b"one")
    store.delete(A)
    store.put(A, b"two")
    store.put(A, b"three")
    return store


def test_a_key_written_once_keeps_one_generation_of_one_revision():
    store = MVCCStore()
    store.put(A, b"once")
    ki = store._index[A]
    assert [g.revs for g in ki.generations] == [[Revision(2, 0)]]
    assert (ki.generations[0].ver, ki.generations[0].created, ki.modified) == (
        1, Revision(2, 0), Revision(2, 0))
    assert not hasattr(ki.generations[0], "__dict__")
    assert store.get(A) == KeyValue(A, b"once", 2, 2, 1, 0)
    assert 2 not in [rev.main for rev in store._backend]  # the latest lives in _latest only


def test_a_new_generation_shares_an_empty_tuple_until_its_first_put():
    ki = KeyIndex("k")
    assert ki.generations == [Generation(0, None, ())]
    ki.put(Revision(2))
    ki.tombstone(Revision(3))
    assert [g.revs for g in ki.generations] == [[Revision(2), Revision(3)], ()]
    ki.put(Revision(4))
    assert ki.generations[-1] == Generation(1, Revision(4), [Revision(4)])


def test_written_once_deleted_recreated_then_compacted_reads_as_before():
    store = a_life()
    assert [store.get(A, revision=r) for r in (2, 3, 4, 5)] == [
        KeyValue(A, b"one", 2, 2, 1, 0),
        None,
        KeyValue(A, b"two", 4, 4, 1, 0),
        KeyValue(A, b"three", 4, 5, 2, 0),
    ]
    store.compact(3)  # the first life ended at 3: all of it goes
    assert [[r.main for r in g.revs] for g in store._index[A].generations] == [[4, 5]]
    assert store._backend.keys() == {Revision(4, 0)}
    try:
        store.get(A, revision=2)
    except CompactedError:
        pass
    else:
        raise AssertionError("a read before the compaction point must fail")
    events = store.watch(A, start_revision=3).poll()
    assert [(e.type, e.kv.mod_revision, e.prev_kv.value if e.prev_kv else None)
            for e in events] == [(DELETE, 3, b"one"), (PUT, 4, None), (PUT, 5, b"two")]
    store.compact(5)
    assert store._backend == {}
    assert store.get(A) == KeyValue(A, b"three", 4, 5, 2, 0)
    assert [e.kv.value for e in store.watch(A, start_revision=5).poll()] == [b"three"]


def test_a_snapshot_of_a_compacted_life_restores_identically(tmp_path):
    store = a_life()
    store.compact(4)
    store.snapshot(tmp_path / "snap")
    again = MVCCStore.restore(tmp_path / "snap", history_budget=0)
    assert again.dump() == store.dump()
    assert history(again) == history(store)
    assert replays(again) == replays(store)
    assert_latest_held_once(again)
    assert again.put(A, b"four").prev_kv == store.put(A, b"four").prev_kv
    assert again.dump() == store.dump()


# -- random lives against a naive model ----------------------------------------------------
steps = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.sampled_from(KEYS), st.binary(max_size=8)),
        st.tuples(st.just("delete"), st.sampled_from(KEYS), st.just(b"")),
        st.tuples(st.just("compact"), st.integers(0, 3), st.just(b"")),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps, budget=st.sampled_from([0, 16, None]))
def test_reads_watches_and_snapshots_match_a_naive_model(tmp_path_factory, steps, budget):
    store = MVCCStore(history_budget=budget)
    model: dict[int, dict[str, KeyValue]] = {1: {}}  # revision -> the whole keyspace then
    for kind, arg, value in steps:
        now = dict(model[store.revision])
        if kind == "put":
            prev = now.get(arg)
            store.put(arg, value)
            rev = store.revision
            created, version = (prev.create_revision, prev.version + 1) if prev else (rev, 1)
            now[arg] = KeyValue(arg, value, created, rev, version, 0)
            model[rev] = now
        elif kind == "delete":
            if store.delete(arg).deleted:
                del now[arg]
                model[store.revision] = now
        elif store.revision - arg > store.compact_revision:
            store.compact(store.revision - arg)
        assert_latest_held_once(store)
    first = max(store.compact_revision, 1)
    for rev in range(first, store.revision + 1):
        at = model[max(r for r in model if r <= rev)]
        assert [store.get(k, revision=rev) for k in KEYS] == [at.get(k) for k in KEYS]
    path = tmp_path_factory.mktemp("snap") / "snap"
    store.snapshot(path)
    again = MVCCStore.restore(path, history_budget=budget)
    assert again.dump() == store.dump()
    assert history(again) == history(store)
    assert replays(again) == replays(store)
    assert_latest_held_once(again)


# -- the watcher group's memory of directory matches ---------------------------------------
def test_directory_watchers_that_come_and_go_between_writes_see_exactly_their_events():
    store = MVCCStore()
    pods = store.watch("/registry/pods/", prefix=True)
    store.put(A, b"1")  # the group now remembers the matches of /registry/pods/default/
    late = store.watch("/registry/pods/default/", prefix=True)
    everything = store.watch("/", "\0")  # a range that is not a directory
    store.put(A, b"2")
    pods.cancel()
    store.put(A, b"3")
    assert [e.kv.value for e in pods.poll()] == []  # cancelled: poll returns nothing
    assert [e.kv.value for e in late.poll()] == [b"2", b"3"]
    assert [e.kv.value for e in everything.poll()] == [b"2", b"3"]


def test_matching_watchers_are_served_in_the_order_they_were_opened():
    store = MVCCStore()
    seen: list[str] = []
    opened = [
        ("exact", store.watch(A)),
        ("everything", store.watch("/", "\0")),
        ("registry", store.watch("/registry/", prefix=True)),
        ("from b", store.watch("/registry/pods/default/", "/registry/pods/default/z")),
        ("pods", store.watch("/registry/pods/", prefix=True)),
    ]
    for name, watcher in opened:
        watcher.on_ready = lambda name=name: seen.append(name)
    store.put(A, b"1")
    assert seen == ["exact", "everything", "registry", "from b", "pods"]
