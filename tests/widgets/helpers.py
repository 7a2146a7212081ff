"""Shared helpers for the widget tests: a cluster with the web Deployment, pod counting."""

from __future__ import annotations

import labkube
from labkube.demo import DEPLOYMENT


def system_pods(nodes: int = 3) -> int:
    """The pods every fresh cluster runs before any of a test's: kubeadm's two CoreDNS replicas
    and a kube-proxy pod per node, in kube-system. The view draws every namespace, so they are
    drawn too."""
    return 2 + nodes


#: The system pods of ``web_cluster``'s three nodes.
SYSTEM_PODS = system_pods(3)


def web_cluster(replicas: int = 3, nodes: int = 3, run: float = 30) -> "labkube.Cluster":
    cluster = labkube.Cluster(nodes=nodes, seed=0)
    cluster.kubectl("apply -f -", stdin=DEPLOYMENT.replace("replicas: 3", f"replicas: {replicas}"))
    cluster.run(run)
    return cluster


def pod_shapes(svg: str) -> int:
    """How many pod groups a browser would find (``g.lk-pod``)."""
    return svg.replace("&#45;", "-").count('lk-pod ')


def node_class(svg: str, node: str) -> str:
    text = svg.replace("&#45;", "-")
    start = text.index(f'id="node-{node}"')
    return text[start:text.index(">", start)]
