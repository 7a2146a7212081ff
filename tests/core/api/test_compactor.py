"""The compactor keeps one interval of history, like kube-apiserver's etcd compaction."""

from labkube.core.api.compactor import Compactor
from labkube.core.clock import SimulatedClock
from labkube.core.store import MVCCStore


def test_each_tick_compacts_to_the_revision_seen_at_the_previous_tick():
    clock = SimulatedClock()
    store = MVCCStore(clock=clock)
    compactor = Compactor(store, clock, interval=300)
    store.put("/a", b"1")
    compactor.start()
    first = store.revision
    store.put("/a", b"2")
    clock.run(300)
    assert store.compact_revision == first  # one interval of history is always kept
    store.put("/a", b"3")
    second_tick = store.revision
    clock.run(300)
    assert store.compact_revision >= second_tick - 1


def test_a_stopped_compactor_keeps_everything():
    clock = SimulatedClock()
    store = MVCCStore(clock=clock)
    compactor = Compactor(store, clock, interval=300)
    compactor.start()
    store.put("/a", b"1")
    compactor.stop()
    clock.run(900)
    assert store.compact_revision == 0
