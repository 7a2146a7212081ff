"""A real-time demo under continuous churn: does the kernel stay responsive, and memory flat?

Issue #4's goal: during a 10-minute real-time demo with continuous churn, a cell executed
meanwhile returns in < 100 ms and memory stays flat. This script plays both sides without a
browser: a real-time cluster (clock at ×10) with a live ``ClusterView`` redrawing in its
background thread, a churn loop scaling a Deployment up and down every few seconds, and a
"cell" — a small ``cluster.kubectl("get pods")`` — timed every second. It prints cell latency
percentiles and RSS at the start, middle and end.

Usage: ``python benchmarks/bench_realtime.py [--minutes 10] [--speed 10]``. Bounded in time;
no network (everything is in-process).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import labkube  # noqa: E402


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--speed", type=float, default=10.0)
    args = parser.parse_args(argv)

    cluster = labkube.Cluster(nodes=5, seed=0, clock="realtime")
    cluster.clock.set_speed(args.speed)
    from labkube.widgets.view import ClusterView

    view = ClusterView(cluster)
    cluster.kubectl("create deployment web --image=nginx:1.27 --replicas=10")
    deadline = time.monotonic() + args.minutes * 60
    latencies, samples = [], []
    replicas, tick = 10, 0
    while time.monotonic() < deadline:
        tick += 1
        if tick % 3 == 0:  # churn: scale between 10 and 30 pods
            replicas = 30 if replicas == 10 else 10
            cluster.kubectl(f"scale deployment web --replicas={replicas}")
        start = time.perf_counter()
        cluster.kubectl("get pods")
        latencies.append((time.perf_counter() - start) * 1000)
        if tick % 30 == 1:
            samples.append((round((time.monotonic() - deadline) / 60 + args.minutes, 1), _rss_mib()))
        time.sleep(1.0)
    samples.append((args.minutes, _rss_mib()))
    view.close()
    cluster.close()
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"cells run: {len(latencies)}; latency p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms")
    print("RSS over time (minute, MiB): " + ", ".join(f"{m}: {r:.0f}" for m, r in samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
