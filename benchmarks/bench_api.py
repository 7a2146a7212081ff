"""API server throughput: pods through the full request pipeline, as best-of-N and median.

What it measures (numbers, not pass/fail), each repeated ``--runs`` times:

* create 10,000 Pods as the cluster admin -- authorization, strict decoding, defaulting,
  admission (NamespaceLifecycle, ServiceAccount, Priority, DefaultTolerationSeconds),
  validation, the pod strategy, the store transaction and the audit record; a fresh server
  each run;
* list them: all namespaces, one namespace, with a label selector (1 in 10 match), one page of
  500; and once, the first list after the creates (the server's object cache still cold);
* get one pod, update one pod (get, change a label, PUT), patch one pod (strategic merge);
* the kubelet's writes: bind a pod (pods/binding), then patch the status of a running pod
  (strategic merge of a changed condition, and a JSON patch replacing ``/status`` whole);
* Event creation through an :class:`~labkube.core.machinery.events.EventRecorder` (each event
  about a new object, so each one is a create, as the scheduler's and kubelets' are);
* watch delivery: the time from a create returning to a pod watcher's ``poll()`` handing out
  its ADDED event (the event is queued by the store as the create commits; poll decodes it).

Targets from issue #2: create >= 10,000 objects/s, list of 10,000 pods <= 50 ms. The machine
may be shared, so compare best-of-N; medians show the spread. Each line also gives the CPU
time of the process (``time.process_time``) for the best run, which other programs on a shared
machine disturb less than wall time.

Run: ``.venv/bin/python benchmarks/bench_api.py [--pods N] [--runs N] [--profile]``
(``--profile`` prints a cProfile of one create run and of the lists, and skips the rest).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson  # noqa: E402

from labkube.core import serialization  # noqa: E402
from labkube.core.api import auth, bootstrap_policy  # noqa: E402
from labkube.core.api.audit import AuditLog  # noqa: E402
from labkube.core.api.client import Client  # noqa: E402
from labkube.core.api.server import APIServer  # noqa: E402
from labkube.core.clock import SimulatedClock  # noqa: E402
from labkube.core.machinery.events import EventRecorder  # noqa: E402
from labkube.core.store import MVCCStore  # noqa: E402

OPS = 1000  # gets, updates, patches and watch deliveries per run

clock_now = time.perf_counter  # benchmark timing only; the cluster never reads it
cpu_now = time.process_time
#: CPU seconds of each sample, by its wall-clock value (report() looks the best one up).
_cpu_of: dict[float, float] = {}


def make_server() -> APIServer:
    clock = SimulatedClock(seed=0)
    store = MVCCStore(clock=clock)
    server = APIServer(store, clock, audit=AuditLog())
    system = Client(server, auth.SUPER_ADMIN)
    system.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    system.create({"apiVersion": "v1", "kind": "ServiceAccount",
                   "metadata": {"name": "default", "namespace": "default"}})
    for obj in bootstrap_policy.objects() + bootstrap_policy.kubeadm_objects():
        system.create(obj)
    return server


def pod(i: int) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"web-{i:05d}", "labels": {"app": "web", "shard": str(i % 10)}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27",
                                 "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]},
    }


def seconds(fn: Callable[[], object]) -> float:
    start, cpu_start = clock_now(), cpu_now()
    result = fn()
    elapsed, cpu = clock_now() - start, cpu_now() - cpu_start
    del result  # freeing the answer is not part of the measurement
    _cpu_of[elapsed] = cpu
    return elapsed


def report(label: str, samples: list[float], unit: str, scale: float, *, rate: bool = False) -> None:
    """One line: best and median of the samples (seconds), as a time or as a rate."""
    cpu = _cpu_of.get(min(samples))
    if rate:
        best, median = scale / min(samples), scale / statistics.median(samples)
        cpu_text = f", cpu {scale / cpu:,.0f} {unit}" if cpu else ""
        print(f"{label}: best {best:,.0f} {unit}, median {median:,.0f} {unit}{cpu_text}  (n={len(samples)})")
    else:
        best, median = min(samples) * scale, statistics.median(samples) * scale
        cpu_text = f", cpu {cpu * scale:.1f} {unit}" if cpu is not None else ""
        print(f"{label}: best {best:.1f} {unit}, median {median:.1f} {unit}{cpu_text}  (n={len(samples)})")


def create_runs(bodies: list[dict], runs: int) -> tuple[list[float], APIServer]:
    samples, server = [], None
    for _ in range(runs):
        server = make_server()
        admin = Client(server, auth.ADMIN)
        samples.append(seconds(lambda: [admin.create(body) for body in bodies]))
    return samples, server


def watch_delivery(admin: Client, runs: int) -> tuple[list[float], list[float]]:
    """Per run: (median, p99) of create-returned -> event-polled, over OPS creates."""
    medians, p99s = [], []
    for run in range(runs):
        now = admin.list("pods", "watched", limit=1)["metadata"]["resourceVersion"]
        watch = admin.watch("pods", "watched", resource_version=now)
        latencies = []
        for i in range(OPS):
            admin.create({**pod(i), "metadata": {"name": f"w{run}-{i}", "namespace": "watched"}})
            start = clock_now()
            events = watch.poll()
            latencies.append(clock_now() - start)
            if len(events) != 1 or events[0]["type"] != "ADDED":
                raise RuntimeError(f"expected one ADDED event, got {[e['type'] for e in events]}")
        watch.cancel()
        latencies.sort()
        medians.append(latencies[len(latencies) // 2])
        p99s.append(latencies[int(len(latencies) * 0.99)])
    return medians, p99s


def per_op_runs(fn: Callable[[int], object], runs: int) -> list[float]:
    """Seconds per operation, one sample per run of OPS calls."""
    samples = []
    for _ in range(runs):
        total = seconds(lambda: [fn(i) for i in range(OPS)])
        _cpu_of[total / OPS] = _cpu_of[total] / OPS
        samples.append(total / OPS)
    return samples


def running_status(i: int, ready: bool) -> dict:
    """The status a kubelet writes for a running one-container pod (``ready`` flips)."""
    now = "2026-01-01T00:00:05Z"
    flag = "True" if ready else "False"
    return {
        "phase": "Running",
        "conditions": [
            {"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": None,
             "lastTransitionTime": now},
            {"type": "Initialized", "status": "True", "lastProbeTime": None, "lastTransitionTime": now},
            {"type": "Ready", "status": flag, "lastProbeTime": None, "lastTransitionTime": now},
            {"type": "ContainersReady", "status": flag, "lastProbeTime": None, "lastTransitionTime": now},
            {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": now},
        ],
        "hostIP": "10.0.0.2", "hostIPs": [{"ip": "10.0.0.2"}],
        "podIP": f"10.244.{i // 250}.{i % 250 + 2}", "podIPs": [{"ip": f"10.244.{i // 250}.{i % 250 + 2}"}],
        "startTime": now,
        "containerStatuses": [{
            "name": "nginx", "state": {"running": {"startedAt": now}}, "lastState": {},
            "ready": ready, "restartCount": 0, "image": "docker.io/library/nginx:1.27",
            "imageID": "docker.io/library/nginx@sha256:" + "ab" * 32,
            "containerID": f"containerd://{i:064x}", "started": True,
        }],
        "qosClass": "Burstable",
    }


def kubelet_writes(server: APIServer, runs: int) -> None:
    """Rows for the writes a kubelet and the scheduler make per pod: bind, then status."""
    admin = Client(server, auth.ADMIN)
    admin.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}})
    names = [f"bench-{run}-{i}" for run in range(runs) for i in range(OPS)]
    for name in names:
        admin.create({**pod(0), "metadata": {"name": name, "labels": {"app": "bench"}}})
    queue = iter(names)
    report("bind one pod (pods/binding)", per_op_runs(lambda i: admin.create(
        {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": next(queue)},
         "target": {"apiVersion": "v1", "kind": "Node", "name": "node-1"}},
        subresource="binding"), runs), "µs", 1e6)
    for i, name in enumerate(names[:OPS]):
        admin.patch("pods", name, {"status": running_status(i, False)}, subresource="status")
    flip = {"n": 0}

    def strategic(i: int) -> dict:
        flip["n"] += 1
        ready = "True" if flip["n"] % 2 else "False"
        return admin.patch("pods", names[i], {"status": {"conditions": [
            {"type": "Ready", "status": ready}, {"type": "ContainersReady", "status": ready}]}},
            subresource="status")

    report("status patch of a running pod (strategic merge)", per_op_runs(strategic, runs), "µs", 1e6)

    def json_replace(i: int) -> dict:
        flip["n"] += 1
        return admin.patch("pods", names[i], [{"op": "replace", "path": "/status",
                                               "value": running_status(i, bool(flip["n"] % 2))}],
                           subresource="status", patch_type="json")

    report("status patch of a running pod (JSON patch, replace /status)",
           per_op_runs(json_replace, runs), "µs", 1e6)


def event_creates(server: APIServer, runs: int) -> None:
    """Events about OPS distinct pods per run: every one is a create (no deduplication)."""
    recorder = EventRecorder(Client(server, auth.ADMIN), server.clock, "default-scheduler")
    objects = [{"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": f"ev-{i}", "namespace": "default", "uid": f"{i:08d}-0000-4000-8000-000000000000",
        "resourceVersion": str(i + 1)}} for i in range(OPS * runs)]
    queue = iter(objects)
    report("create one Event (EventRecorder, new object each time)",
           per_op_runs(lambda i: recorder.event(next(queue), "Normal", "Scheduled",
                                               f"Successfully assigned default/ev-{i} to node-1"), runs),
           "µs", 1e6)


def profile(bodies: list[dict]) -> None:
    server = make_server()
    admin = Client(server, auth.ADMIN)
    profiler = cProfile.Profile()
    profiler.enable()
    for body in bodies:
        admin.create(body)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    admin.list("pods")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        admin.list("pods")
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    bodies = [pod(i) for i in range(args.pods)]
    if args.profile:
        profile(bodies)
        return
    runs = args.runs

    samples, server = create_runs(bodies, runs)
    report(f"create {args.pods} pods (admin, full pipeline)", samples, "objects/s", args.pods, rate=True)
    admin = Client(server, auth.ADMIN)

    print(f"list all pods, first read after the creates (cold cache): {seconds(lambda: admin.list('pods')) * 1000:.1f} ms")
    values = [kv.value for kv in server.store.range_prefix("/registry/pods/").kvs]

    def floor():
        with serialization.gc_paused():
            return [orjson.loads(v) for v in values]

    report(f"  (reference: orjson.loads of the {len(values)} stored pods, "
           f"{sum(map(len, values)) / len(values):.0f} bytes each)",
           [seconds(floor) for _ in range(runs)], "ms", 1000)
    lists = {
        "list all pods (all namespaces)": lambda: admin.list("pods"),
        "list pods in default": lambda: admin.list("pods", "default"),
        "list pods -l shard=3": lambda: admin.list("pods", "default", label_selector="shard=3"),
        "list pods --limit 500": lambda: admin.list("pods", "default", limit=500),
    }
    for label, fn in lists.items():
        report(label, [seconds(fn) for _ in range(runs)], "ms", 1000)

    report("get one pod", per_op_runs(lambda i: admin.get("pods", f"web-{i:05d}"), runs), "µs", 1e6)

    def update(i: int) -> dict:
        obj = admin.get("pods", f"web-{i:05d}")
        obj["metadata"]["labels"]["updated"] = str(obj["metadata"]["resourceVersion"])
        return admin.update(obj)

    report("update one pod (get + PUT)", per_op_runs(update, runs), "µs", 1e6)
    report("patch one pod (strategic merge)",
           per_op_runs(lambda i: admin.patch("pods", f"web-{i:05d}",
                                             {"metadata": {"labels": {"patched": str(i)}}}), runs),
           "µs", 1e6)

    kubelet_writes(server, runs)
    event_creates(server, runs)

    Client(server, auth.SUPER_ADMIN).create(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "watched"}})
    Client(server, auth.SUPER_ADMIN).create(
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "watched"}})
    medians, p99s = watch_delivery(admin, runs)
    report("watch delivery, create -> poll (median)", medians, "µs", 1e6)
    report("watch delivery, create -> poll (p99)", p99s, "µs", 1e6)


if __name__ == "__main__":
    main()
