"""Benchmark labkube's scheduler against kube-scheduler's scheduler_perf workloads.

    .venv/bin/python benchmarks/bench_scheduler.py [--quick] [--profile] [--only WORKLOAD]

* SchedulingBasic: 5,000 nodes (4 CPU, 32Gi, 110 pods), 10,000 pods requesting 100m /
  500Mi, no affinity, scheduled one by one with the full default profile; each placement
  is assumed into the snapshot before the next pod (kube-scheduler's assume)   [>= 680 pods/s]
* SchedulingPodAntiAffinity: 5,000 nodes, 1,000 pods already placed and 1,000 measured,
  every pod labelled ``color=green`` and required-anti-affine to ``color=green`` on
  ``kubernetes.io/hostname``                                                    [>= 60 pods/s]
* Deployment (labkube's own, for the end-to-end target): 1,000 nodes, 10,000 replicas of one
  ReplicaSet, so PodTopologySpread's system default constraints are active   [no target]
* E2E-shaped (``bench_cluster.py e2e``'s scheduler share): 1,000 nodes as the kubelet registers
  them (32 CPU, 128Gi, 110 pods, ephemeral storage, hugepages, the pause image pulled),
  10,000 replicas requesting 10m / 16Mi; after each placement the snapshot also gets what
  the informers deliver — the bound pod, and later its Running status     [<= 0.4 ms CPU per pod]

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


def make_kubelet_node(i: int) -> dict:
    """A node shaped like the one labkube's kubelet registers with ``node_cpu="32"``."""
    node = make_node(i)
    resources = {"cpu": "32", "ephemeral-storage": "104857600Ki", "hugepages-1Gi": "0",
                 "hugepages-2Mi": "0", "memory": "134217728Ki", "pods": "110"}
    node["status"] = {"capacity": resources,
                      "allocatable": dict(resources, memory=f"{134217728 - 102400}Ki"),
                      "images": [{"names": ["registry.k8s.io/pause@sha256:ee6521f2",
                                            "registry.k8s.io/pause:3.10"], "sizeBytes": 320368}]}
    return node


def make_small_replica(i: int, _anti_affinity: bool = False) -> dict:
    pod = make_replica(i)
    pod["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "10m", "memory": "16Mi"}}
    return pod


def informer_updates(snapshot: Snapshot, pod: dict, node_name: str | None, lagging: list) -> None:
    """What kube-scheduler's pod informer delivers after a binding: the bound pod now, and
    (some pods later) the kubelet's status update saying it is Running."""
    if node_name is None:
        return
    bound = dict(pod, metadata=dict(pod["metadata"], resourceVersion="2"),
                 spec=dict(pod["spec"], nodeName=node_name))
    snapshot.update_pod(bound)
    lagging.append(bound)
    if len(lagging) > 50:
        old = lagging.pop(0)
        snapshot.update_pod(dict(old, metadata=dict(old["metadata"], resourceVersion="3"),
                                 status={"phase": "Running"}))


def run(nodes: int, init_pods: int, measure_pods: int, anti_affinity: bool,
        profile: bool, factory=make_pod, node_factory=make_node,
        informers: bool = False) -> tuple[float, float]:
    snapshot = Snapshot([node_factory(i) for i in range(nodes)], replica_sets=[REPLICA_SET])
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
    scheduled = 0
    lagging: list = []
    for pod in pods:
        result = scheduler.schedule_one(pod, snapshot)
        scheduled += result.scheduled
        if informers:
            informer_updates(snapshot, pod, result.node_name, lagging)
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
    parser.add_argument("--only", choices=["basic", "anti", "deployment", "e2e"],
                        help="run one workload")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    want = (lambda name: args.only in (None, name))
    if want("basic"):
        wall, cpu = run(5000, 0, 10_000 // scale, False, args.profile)
        print(f"SchedulingBasic           5000 nodes, {10_000 // scale} pods: "
              f"{wall:6.0f} pods/s wall, {cpu:6.0f} pods/s cpu  [>= 680]")
    if want("anti"):
        wall, cpu = run(5000, 1000 // scale, 1000 // scale, True, args.profile)
        print(f"SchedulingPodAntiAffinity 5000 nodes, {1000 // scale}+{1000 // scale} pods: "
              f"{wall:6.0f} pods/s wall, {cpu:6.0f} pods/s cpu  [>= 60]")
    if want("deployment"):
        wall, cpu = run(1000, 0, 10_000 // scale, False, args.profile, make_replica)
        print(f"Deployment                1000 nodes, {10_000 // scale} replicas: "
              f"{wall:6.0f} pods/s wall, {cpu:6.0f} pods/s cpu")
    if want("e2e"):
        wall, cpu = run(1000, 0, 10_000 // scale, False, args.profile, make_small_replica,
                        make_kubelet_node, informers=True)
        print(f"E2E-shaped                1000 nodes, {10_000 // scale} replicas: "
              f"{wall:6.0f} pods/s wall, {cpu:6.0f} pods/s cpu = {1000 / cpu:.3f} ms cpu/pod  [<= 0.4]")


if __name__ == "__main__":
    main()
