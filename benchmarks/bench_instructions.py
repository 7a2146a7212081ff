"""Instruction counts of the cluster benchmarks' shapes: a noise-free A/B for CPU work.

Wall time on a shared 2-core machine varies by ±5% from run to run (far more while anything else
runs), which hides the 1-3% a typical optimisation gains. ``valgrind --tool=cachegrind`` counts
the instructions a run executes instead: the same program on the same input gives the same
count, whatever else the machine is doing. Each shape runs twice, at two sizes, and the
difference is divided by the difference in work, so start-up and cluster creation cancel out:

* idle: N nodes, nothing scheduled — instructions per node per simulated second (heartbeats,
  the node monitor, informers);
* churn: N nodes, bare pods created at 20 per simulated second (``bench_cluster.py churn``'s
  shape) — instructions per pod, heartbeats of the same window included;
* e2e: one Deployment of P pods on N nodes until all are ready (``bench_cluster.py e2e``'s
  shape) — instructions per pod.

An instruction count is not a time: a 1,000-node cluster also waits on memory more than a
100-node one (the shapes here are small, so that valgrind's ~50x slow-down stays bearable).
Use it to compare two versions of the code; use ``bench_cluster.py`` for the goals.

Usage: ``python benchmarks/bench_instructions.py [idle|churn|e2e|all] [--nodes N]``
(needs ``valgrind``: ``apt-get install -y valgrind``). Bounded: fixed counts, simulated time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: shape -> (the two sizes, what one unit of work is)
SHAPES = {
    "idle": ((50, 250), "node-second"),
    "churn": ((200, 600), "pod"),
    "e2e": ((200, 1000), "pod"),
}
_POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "churn-"},
        "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}}


def run_shape(shape: str, nodes: int, size: int) -> None:
    """The measured program (run under valgrind): build the cluster, then do ``size`` work."""
    import labkube
    from benchmarks.bench_cluster import _deployment, _ready_replicas

    cluster = labkube.Cluster(nodes=nodes, seed=0, node_cpu="32", node_memory="128Gi")
    cluster.run(30)
    if shape == "idle":
        cluster.run(size)
    elif shape == "churn":
        for _ in range(size):
            cluster.client.create(_POD, "default")
            cluster.run(0.05)
    else:
        ready = _ready_replicas(cluster, "load")
        cluster.apply(_deployment("load", size))
        if not cluster.run_until(lambda: ready() >= size, timeout=600):
            raise SystemExit(f"e2e: {size} pods not ready in 600 simulated seconds")


def count_instructions(shape: str, nodes: int, size: int) -> int:
    """Instructions (cachegrind's ``I refs``) of one run of ``run_shape``."""
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, str(Path(__file__).resolve()), "--child", shape, str(nodes), str(size)]
    # A fixed hash seed: string hashing decides set and dict-resize work, and with a random
    # seed the same code measures up to ±0.2% apart.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{shape} run failed:\n{done.stderr[-2000:]}")
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def measure(shape: str, nodes: int) -> float:
    """Instructions per unit of work: the difference of two sizes over the difference in work."""
    (small, large), unit = SHAPES[shape]
    low, high = count_instructions(shape, nodes, small), count_instructions(shape, nodes, large)
    work = (large - small) * (nodes if shape == "idle" else 1)
    per_unit = (high - low) / work
    print(f"{shape:5} {nodes} nodes: {per_unit:,.0f} instructions per {unit} "
          f"({low:,} at {small}, {high:,} at {large})", flush=True)
    return per_unit


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        shape, nodes, size = argv[1], int(argv[2]), int(argv[3])
        run_shape(shape, nodes, size)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("which", nargs="?", default="all", choices=[*SHAPES, "all"])
    parser.add_argument("--nodes", type=int, default=100)
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install -y valgrind)", file=sys.stderr)
        return 2
    for shape in SHAPES if args.which == "all" else [args.which]:
        measure(shape, args.nodes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
