"""Benchmark labkube's MVCC store (issue #2 targets in brackets).

    .venv/bin/python benchmarks/bench_store.py [--quick]

* put ops/s with history kept and one prefix watcher attached   [>= 100,000]
* get ops/s at the current revision                               [>= 1,000,000]
* range over 10,000 keys, ms                                      [<= 5]
* watch delivery latency p50/p99, µs: from calling put() to a
  watcher thread blocked in ``Watcher.get`` holding the event     [p99 <= 100]
* history reads, with every superseded version packed (see labkube/core/store/history.py):
  get at a past revision (ops/s), range over 10,000 keys at a past revision (ms), and a
  watch replaying 20,000 events from a past revision (ms)
* the process's CPU time for the whole run

Prints numbers only; nothing here asserts on timing. Uses the wall clock (benchmarks are not
part of labkube's control plane).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from labkube.core.store import MVCCStore  # noqa: E402

KEYS = 10_000
VALUE = b'{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"},"spec":{}}' * 4


def key(i: int) -> str:
    return f"/registry/pods/default/pod-{i:06d}"


def best_of(runs: int, fn) -> float:
    """Smallest wall time of ``runs`` calls of ``fn`` (seconds)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_put(n: int) -> float:
    store = MVCCStore()
    watcher = store.watch("/registry/pods/", prefix=True)
    keys = [key(i % KEYS) for i in range(n)]
    put = store.put
    start = time.perf_counter()
    for k in keys:
        put(k, VALUE)
    elapsed = time.perf_counter() - start
    if len(watcher.poll()) != n:
        raise SystemExit("watcher lost events")
    return n / elapsed


def filled_store() -> MVCCStore:
    store = MVCCStore()
    for i in range(KEYS):
        store.put(key(i), VALUE)
    return store


def bench_get(store: MVCCStore, n: int) -> float:
    keys = [key(i % KEYS) for i in range(n)]
    get = store.get
    start = time.perf_counter()
    for k in keys:
        get(k)
    return n / (time.perf_counter() - start)


def bench_range(store: MVCCStore) -> float:
    def one() -> None:
        result = store.range_prefix("/registry/pods/")
        if result.count != KEYS:
            raise SystemExit("range returned the wrong count")

    return best_of(20, one) * 1000


def bench_watch_latency(n: int) -> list[float]:
    """Ping-pong: put, the watcher thread takes the event and stamps the time, repeat."""
    store = MVCCStore()
    watcher = store.watch("/registry/pods/", prefix=True)
    received: list[float] = []
    ack = threading.Semaphore(0)

    def consume() -> None:
        for _ in range(n):
            event = watcher.get()
            received.append(time.perf_counter())
            if event is None:
                break
            ack.release()

    thread = threading.Thread(target=consume)
    thread.start()
    sent = []
    for i in range(n):
        sent.append(time.perf_counter())
        store.put(key(i % KEYS), VALUE)
        ack.acquire()
    thread.join()
    return [(r - s) * 1e6 for s, r in zip(sent, received)]


def history_store() -> MVCCStore:
    """10,000 keys written 5 times each, pod-sized values, all history packed."""
    store = MVCCStore(history_budget=0)
    for round_ in range(5):
        for i in range(KEYS):
            store.put(key(i), VALUE * 10 + b"%d" % round_)
    return store


def bench_history(store: MVCCStore) -> tuple[float, float, float]:
    past = store.revision - 2 * KEYS
    keys = [key(i * 7 % KEYS) for i in range(20_000)]
    start = time.perf_counter()
    for k in keys:
        store.get(k, revision=past)
    gets = len(keys) / (time.perf_counter() - start)
    range_ms = best_of(3, lambda: store.range_prefix("/registry/pods/", revision=past)) * 1000

    def replay() -> None:
        watcher = store.watch("/registry/pods/", prefix=True, start_revision=past + 1)
        if len(watcher.poll()) != 2 * KEYS:
            raise SystemExit("replay lost events")
        watcher.cancel()

    return gets, range_ms, best_of(3, replay) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    args = parser.parse_args()
    scale = 10 if args.quick else 1

    puts = max(bench_put(200_000 // scale) for _ in range(3))
    store = filled_store()
    gets = max(bench_get(store, 1_000_000 // scale) for _ in range(3))
    range_ms = bench_range(store)
    lat = sorted(bench_watch_latency(20_000 // scale))
    p50 = statistics.median(lat)
    p99 = lat[int(len(lat) * 0.99) - 1]
    old_gets, old_range_ms, replay_ms = bench_history(history_store())

    print(f"put   (history + 1 prefix watcher): {puts:12,.0f} ops/s   [target >= 100,000]")
    print(f"get   (current revision):           {gets:12,.0f} ops/s   [target >= 1,000,000]")
    print(f"range (10,000 keys):                {range_ms:12.2f} ms      [target <= 5]")
    print(f"watch delivery latency p50:         {p50:12.1f} µs")
    print(f"watch delivery latency p99:         {p99:12.1f} µs      [target <= 100]")
    print(f"get   (past revision, packed):      {old_gets:12,.0f} ops/s")
    print(f"range (10,000 keys, past, packed):  {old_range_ms:12.2f} ms")
    print(f"watch replay (20,000 events):       {replay_ms:12.2f} ms")
    print(f"CPU time (process):                 {time.process_time():12.2f} s")


if __name__ == "__main__":
    main()
