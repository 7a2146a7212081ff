"""Benchmark the cluster picture: graph-model update + SVG render (issue #4).

    .venv/bin/python benchmarks/bench_render.py [--quick]

For each size a graph is loaded once (nodes, pods spread round-robin, one Service with an
EndpointSlice per 10 pods), then each measured round applies one watch event — a pod turning
ready / not ready, a new pod arriving or an old one leaving, in turn — and redraws the SVG
through ``neato -n2``. Prints the median and best ms per round, and the one-off load time.

* 10 nodes / 100 pods, full picture          [target: median <= 50 ms]
* 100 nodes / 1,000 pods, full picture       [target: median <= 150 ms]
* 1,000 nodes / 30,000 pods, summarised      [target: median <= 300 ms]

Prints numbers only; nothing asserts on timing. Uses the wall clock (benchmarks are not part
of labkube's control plane). Needs graphviz's ``neato`` on PATH (``apt-get install graphviz``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from labkube.widgets.layout import Layout  # noqa: E402
from labkube.widgets.model import ClusterGraph  # noqa: E402
from labkube.widgets.render import RenderOptions, render_svg  # noqa: E402


def node(i: int) -> dict:
    return {"kind": "Node", "metadata": {"name": f"node-{i:04d}"}, "spec": {},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}}


def pod(i: int, nodes: int, ready: bool = True) -> dict:
    state = {"running": {"startedAt": "2025-01-01T00:00:00Z"}}
    return {"kind": "Pod",
            "metadata": {"name": f"web-{i:05d}", "namespace": "default", "labels": {"app": f"web-{i // 10}"}},
            "spec": {"nodeName": f"node-{i % nodes:04d}", "containers": [{"name": "c", "image": "nginx"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "c", "ready": ready, "restartCount": 0, "state": state}]}}


def service_and_slice(j: int) -> list[dict]:
    name = f"web-{j}"
    endpoints = [{"conditions": {"ready": True}, "targetRef": {"kind": "Pod", "name": f"web-{i:05d}"}}
                 for i in range(j * 10, j * 10 + 10)]
    return [{"kind": "Service", "metadata": {"name": name, "namespace": "default"}, "spec": {}},
            {"kind": "EndpointSlice", "metadata": {"name": f"{name}-abcde", "namespace": "default",
                                                   "labels": {"kubernetes.io/service-name": name}},
             "endpoints": endpoints}]


def churn(round_: int, nodes: int, pods: int) -> dict:
    """One watch event: flip readiness, or add then delete an extra pod."""
    kind = round_ % 3
    if kind == 0:
        return {"type": "MODIFIED", "object": pod(round_ % pods, nodes, ready=(round_ // 3) % 2 == 1)}
    extra = pod(pods + round_ // 3, nodes)
    return {"type": "ADDED" if kind == 1 else "DELETED", "object": extra}


def run(nodes: int, pods: int, services: int, rounds: int, options: RenderOptions) -> None:
    objects = [node(i) for i in range(nodes)] + [pod(i, nodes) for i in range(pods)]
    for j in range(services):
        objects += service_and_slice(j)
    started = time.perf_counter()
    graph = ClusterGraph()
    graph.load(objects)
    loaded = time.perf_counter() - started
    layout = Layout()
    render_svg(graph, layout, options)
    first = time.perf_counter() - started
    timings = []
    for r in range(rounds):
        started = time.perf_counter()
        graph.apply_event(churn(r, nodes, pods))
        render_svg(graph, layout, options)
        timings.append((time.perf_counter() - started) * 1000)
    mode = "summary" if options.mode == "summary" or pods > options.summary_threshold else "full"
    print(f"{nodes:>5} nodes / {pods:>6} pods ({mode:7}): update + render median "
          f"{statistics.median(timings):7.1f} ms, best {min(timings):7.1f} ms "
          f"(load {loaded * 1000:.0f} ms, first picture {first * 1000:.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    rounds = 6 if args.quick else 21
    run(10, 100, 10, rounds, RenderOptions())
    run(100, 1_000, 100, rounds, RenderOptions(summary_threshold=2_000))
    run(1_000, 30_000, 300, max(3, rounds // 3), RenderOptions())


if __name__ == "__main__":
    main()
