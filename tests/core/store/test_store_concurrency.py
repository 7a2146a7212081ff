"""Thread safety: compare-and-swap from many threads never loses an update."""

import sys
import threading

import pytest

from labkube.core.store import Compare, MVCCStore, Op

COUNTER = "/registry/configmaps/default/counter"


def increment(store: MVCCStore, key: str) -> int:
    """Optimistic concurrency, the way the API server does updates: read, compare the
    mod_revision, write; retry on conflict. Returns the number of retries."""
    retries = 0
    while True:
        kv = store.get(key)
        value = int(kv.value) + 1 if kv else 1
        compare = Compare.mod_revision(key, "=", kv.mod_revision) if kv else Compare.missing(key)
        if store.txn([compare], [Op.put(key, str(value).encode())]).succeeded:
            return retries
        retries += 1


@pytest.fixture(autouse=True)
def frequent_thread_switches():
    """Switch threads every microsecond (not every 5 ms) so reads and writes interleave."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.mark.parametrize(
    "threads, rounds", [(8, 500), (2, 2000)], ids=["8 threads x 500", "2 threads x 2000"]
)
def test_cas_under_concurrent_threads_never_loses_an_update(threads, rounds):
    store = MVCCStore()
    watcher = store.watch(COUNTER)
    start = threading.Barrier(threads)

    def worker():
        start.wait()
        for _ in range(rounds):
            increment(store, COUNTER)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    total = threads * rounds
    kv = store.get(COUNTER)
    assert (int(kv.value), kv.version, store.revision) == (total, total, total + 1)
    values = [int(e.kv.value) for e in watcher.poll()]
    assert values == list(range(1, total + 1))


def test_concurrent_writers_to_different_keys_get_distinct_revisions():
    store = MVCCStore()
    revisions: list[list[int]] = [[] for _ in range(4)]

    def writer(i):
        for n in range(300):
            revisions[i].append(store.put(f"/registry/pods/ns/p{i}-{n}", b"x").revision)

    pool = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    every = sorted(r for rs in revisions for r in rs)
    assert every == list(range(2, 1202))
    assert all(rs == sorted(rs) for rs in revisions)
