"""Whole-cluster benchmarks (issue #3): how fast a simulated cluster lives.

Prints, for the current machine:

* idle speed: a 100-node cluster with nothing to do — simulated seconds per wall second
  (target ≥ 1,000×);
* churn speed: N nodes with pods created at 20/s of simulated time — same ratio
  (target ≥ 60× at 1,000 nodes);
* end to end: P pods created (one Deployment), scheduled and Running on N nodes — wall time
  (target ≤ 20 s for 10,000 pods on 1,000 nodes);
* memory: peak RSS after N nodes and P pods are Running (target < 2 GB for 1,000 / 30,000).

Usage: ``python benchmarks/bench_cluster.py [idle|churn|e2e|memory|all] [--nodes N] [--pods P]
[--seconds S]`` (``--seconds``: the simulated window of idle and churn, default 600 and 60).
Everything is bounded: fixed counts, simulated time only, no network.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import labkube  # noqa: E402


def _deployment(name: str, replicas: int) -> dict:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10",
                                                       "resources": {"requests": {"cpu": "10m",
                                                                                  "memory": "16Mi"}}}]}}},
    }


def _running(cluster: labkube.Cluster) -> int:
    pods = cluster.client.list("pods", "default", field_selector="status.phase=Running")["items"]
    return len(pods)


def _ready_replicas(cluster: labkube.Cluster, name: str):
    """A function telling the Deployment's readyReplicas, asked after every timer: it reads a
    watch on that one Deployment (as ``kubectl rollout status`` does), so asking costs nothing
    until the Deployment's status changes."""
    watch = cluster.client.watch("deployments", "default", field_selector=f"metadata.name={name}",
                                 read_only=True)
    ready = [0]

    def current() -> int:
        for event in watch.poll():
            ready[0] = (event["object"].get("status") or {}).get("readyReplicas", 0)
        return ready[0]

    return current


def bench_idle(nodes: int = 100, seconds: float = 600.0) -> None:
    cluster = labkube.Cluster(nodes=nodes, seed=0)
    cluster.run(60)  # warm up: registration, first heartbeats
    start = time.perf_counter()
    cluster.run(seconds)
    wall = time.perf_counter() - start
    print(f"idle {nodes} nodes: {seconds:.0f} simulated s in {wall:.2f} s wall = {seconds / wall:,.0f}x real time")


def bench_churn(nodes: int = 1000, rate: float = 20.0, seconds: float = 60.0) -> None:
    cluster = labkube.Cluster(nodes=nodes, seed=0, node_cpu="32", node_memory="128Gi")
    cluster.run(30)
    total = int(rate * seconds)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "churn-"},
           "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}}
    interval = 1.0 / rate
    start = time.perf_counter()
    for _ in range(total):
        cluster.client.create(pod, "default")
        cluster.run(interval)
    wall = time.perf_counter() - start
    print(f"churn {nodes} nodes, {rate:.0f} pods/s: {seconds:.0f} simulated s in {wall:.2f} s wall = "
          f"{seconds / wall:,.1f}x real time ({_running(cluster)} pods Running)")


def bench_e2e(nodes: int = 1000, pods: int = 10_000) -> float:
    cluster = labkube.Cluster(nodes=nodes, seed=0, node_cpu="32", node_memory="128Gi")
    cluster.run(30)
    start = time.perf_counter()
    ready = _ready_replicas(cluster, "load")
    cluster.apply(_deployment("load", pods))
    done = cluster.run_until(lambda: ready() >= pods, timeout=600)
    wall = time.perf_counter() - start
    print(f"e2e {pods:,} pods on {nodes:,} nodes: {'Running' if done else 'NOT all Running'} "
          f"after {wall:.1f} s wall")
    return wall


def bench_memory(nodes: int = 1000, pods: int = 30_000) -> None:
    bench_e2e(nodes, pods)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"memory {nodes:,} nodes / {pods:,} pods: peak RSS {peak_kb / 1024:,.0f} MiB")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("which", nargs="?", default="all", choices=["idle", "churn", "e2e", "memory", "all"])
    parser.add_argument("--nodes", type=int)
    parser.add_argument("--pods", type=int)
    parser.add_argument("--seconds", type=float, help="simulated seconds for idle (600) and churn (60)")
    args = parser.parse_args(argv)
    if args.which in ("idle", "all"):
        bench_idle(args.nodes or 100, args.seconds or 600.0)
    if args.which in ("churn", "all"):
        bench_churn(args.nodes or 1000, seconds=args.seconds or 60.0)
    if args.which in ("e2e", "all"):
        bench_e2e(args.nodes or 1000, args.pods or 10_000)
    if args.which == "memory":
        bench_memory(args.nodes or 1000, args.pods or 30_000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
