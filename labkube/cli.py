"""The ``labkube`` command line.

``labkube version`` prints labkube's version and the Kubernetes version it follows;
``labkube kubectl ARGS...`` runs a kubectl-style command against a fresh simulated cluster
(handy for trying generators and explain without a notebook); ``labkube demo`` walks through a
Deployment surviving a node failure.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from labkube import __version__

KUBERNETES_VERSION = "v1.32"


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="labkube",
        description="labkube: an in-process, deterministic Kubernetes for learning in Jupyter.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("version", help="print labkube's version and the Kubernetes version it follows")
    demo = sub.add_parser("demo", help="a terminal walk-through: deploy, scale, fail a node, watch it heal")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    kubectl = sub.add_parser(
        "kubectl",
        help="run one kubectl-style command on a fresh simulated cluster",
        description="Run one kubectl-style command on a fresh simulated cluster and print its output.",
    )
    kubectl.add_argument("--nodes", type=int, default=3, help="worker nodes (default 3)")
    kubectl.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    kubectl.add_argument("args", nargs=argparse.REMAINDER, help="the kubectl command, e.g. get nodes")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command == "version":
        print(f"labkube {__version__} (follows Kubernetes {KUBERNETES_VERSION})")
        return 0
    if args.command == "kubectl":
        return _run_kubectl(args)
    if args.command == "demo":
        from labkube.demo import run_demo

        return run_demo(sys.stdout, seed=args.seed)
    parser.print_help()
    return 0


def _run_kubectl(args: argparse.Namespace) -> int:
    import shlex

    from labkube import Cluster
    from labkube.kubectl import run

    cluster = Cluster(nodes=args.nodes, seed=args.seed)
    reads_stdin = "-" in args.args or "--filename=-" in args.args
    stdin = sys.stdin.read() if reads_stdin else None
    result = run(cluster, shlex.join(args.args), stdin=stdin)
    if result.stdout:
        sys.stdout.write(result.stdout)
    if result.stderr:
        sys.stderr.write(result.stderr)
    return result.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
