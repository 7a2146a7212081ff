"""Benchmark labkube's scheduler against kube-scheduler's scheduler_perf workloads.

    .venv/bin/python benchmarks/bench_scheduler.py [--quick] [--profile]

* SchedulingBasic: 5,000 nodes (4 CPU, 32Gi, 110 pods), 10,000 pods requesting 100m /
  500Mi, no affinity, scheduled one by one with the full default profile; each placement
  is assumed into the snapshot before the next pod (kube-scheduler's assume)   [>= 680 pods/s]
* SchedulingPodAntiAffinity: 5,000 nodes, 1,000 pods already placed and 1,000 measured,
  every pod labelled ``color=green`` and required-anti-affine to ``color=green`` on
  ``kubernetes.io/hostname``                                                    [>= 60 pods/s]
* Deployment (labkube's own, for the end-to-end target): 1,000 nodes, 10,000 replicas of one
  ReplicaSet, so PodTopologySpread's system default constraints are active   [no target]

Prints numbers only; nothing asserts on timing. Uses the wall clock (benchmarks are not part
of labkube's control plane); also prints the rate by process CPU time, which is what to compare
when other work shares the machine. ``--profile`` prints the top of a cProfile run of each workload.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from labkube.core.scheduler import Scheduler, Snapshot  # noqa: E402


def make_node(i: int) -> dict:
    name = f"node-{i}"
    resources = {"cpu": "4", "memory": "32Gi", "pods": "110"}
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "uid": f"uid-node-{i}",
                         "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}},
            "spec": {}, "status": {"capacity": resources, "allocatable": dict(resources)}}


def make_pod(i: int, anti_affinity: bool = False) -> dict:
    spec = {"containers": [{"name": "pause", "image": "registry.k8s.io/pause:3.10",
                            "resources": {"requests": {"cpu": "100m", "memory": "500Mi"},
                                          "limits": {"cpu": "100m", "memory": "500Mi"}}}],
            "schedulerName": "default-scheduler", "priority": 0}
    labels = {}
    if anti_affinity:
        labels = {"color": "green"}
        spec["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"color": "green"}},
             "topologyKey": "kubernetes.io/hostname"}]}}
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"pod-{i}", "namespace": "sched-0", "uid": f"uid-pod-{i}",
                         "labels": labels, "resourceVersion": "1"},
            "spec": spec, "status": {"phase": "Pending"}}


REPLICA_SET = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
               "metadata": {"name": "web-5d4f", "namespace": "sched-0"},
               "spec": {"selector": {"matchLabels": {"app": "web", "pod-template-hash": "5d4f"}}}}


def make_replica(i: int, _anti_affinity: bool = False) -> dict:
    pod = make_pod(i)
    pod["metadata"]["labels"] = {"app": "web", "pod-template-hash": "5d4f"}
    pod["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d4f",
                                           "uid": "uid-rs", "controller": True}]
    return pod


def run(nodes: int, init_pods: int, measure_pods: int, anti_affinity: bool,
        profile: bool, factory=make_pod) -> tuple[float, float]:
    snapshot = Snapshot([make_node(i) for i in range(nodes)], replica_sets=[REPLICA_SET])
    scheduler = Scheduler(rng=random.Random(0))
    for i in range(init_pods):
        result = scheduler.schedule_one(factory(i, anti_affinity), snapshot)
        if not result.scheduled:
            raise SystemExit(f"init pod {i} unschedulable: {result.message}")
    pods = [factory(init_pods + i, anti_affinity) for i in range(measure_pods)]
    profiler = cProfile.Profile() if profile else None
    start, cpu_start = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    scheduled = sum(1 for p in pods if scheduler.schedule_one(p, snapshot).scheduled)
    if profiler:
        profiler.disable()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    if scheduled != measure_pods:
        raise SystemExit(f"only {scheduled}/{measure_pods} pods scheduled")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    return measure_pods / elapsed, measure_pods / cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a tenth of the pods")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    wall, cpu = run(5000, 0, 10_000 // scale, False, args.profile)
    print(f"SchedulingBasic           5000 nodes, {10_000 // scale} pods: "
          f"{wall:6.0f} pods/s wall, {cpu:6.0f} pods/s cpu  [>= 680]")
    wall, cpu = run(5000, 1000 // scale, 1000 // scale, True, args.profile)
    print(f"SchedulingPodAntiAffinity 5000 nodes, {1000 // scale}+{1000 // scale} pods: "
          f"{wall:6.0f} pods/s wall, {cpu:6.0f} pods/s cpu  [>= 60]")
    wall, cpu = run(1000, 0, 10_000 // scale, False, args.profile, make_replica)
    print(f"Deployment                1000 nodes, {10_000 // scale} replicas: "
          f"{wall:6.0f} pods/s wall, {cpu:6.0f} pods/s cpu")

if __name__ == "__main__":
    main()
