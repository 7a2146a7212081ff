"""``labkube demo``: a terminal walk-through of a cluster healing itself.

A newcomer runs it right after installing: apply a Deployment, watch it come up, scale it,
fail a node, and watch Kubernetes notice (50 s), taint the node, evict its pods (after the
pods' 300 s tolerations) and replace them elsewhere. Every step prints the kubectl command and
what real kubectl would show. Time is simulated, so the whole story takes a second or two.
"""

from __future__ import annotations

import sys
from typing import Callable, TextIO

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
"""


def run_demo(out: TextIO = sys.stdout, *, seed: int = 0) -> int:
    from labkube import Cluster

    cluster = Cluster(nodes=3, seed=seed)
    say = _printer(out)

    def kubectl(command: str) -> None:
        say(f"$ kubectl {command}")
        say(cluster.kubectl(command).rstrip("\n"))
        say("")

    def wait(seconds: int, why: str) -> None:
        say(f"# … {why} ({seconds} simulated seconds pass)")
        cluster.run(seconds)
        say("")

    say("# A 3-node cluster, entirely in this process: API server, scheduler, controllers, kubelets.")
    kubectl("get nodes")
    say("# Apply a Deployment of 3 nginx replicas.")
    say("$ kubectl apply -f web.yaml")
    say(cluster.kubectl("apply -f -", stdin=DEPLOYMENT).rstrip("\n"))
    say("")
    kubectl("get pods -o wide")
    wait(30, "the kubelets pull nginx and start the containers")
    kubectl("get deployment web")
    kubectl("scale deployment web --replicas=5")
    wait(20, "the ReplicaSet creates two more pods")
    kubectl("get pods -o wide")
    victim, hosted = _busiest_node(cluster)
    say(f"# {victim} (it runs {hosted} of the 5 pods) loses power. Its pods stay 'Running' in the API:"
        " nobody has noticed yet.")
    cluster.fail_node(victim)
    kubectl("get pods -o wide")
    wait(60, "the node lifecycle controller waits 50 s without heartbeats")
    kubectl("get nodes")
    wait(310, "pods tolerate an unreachable node for 300 s, then are evicted and replaced")
    kubectl("get pods -o wide")
    kubectl("get deployment web")
    say(f"# {victim} comes back; it is Ready again and can take new pods.")
    cluster.recover_node(victim)
    wait(20, "the kubelet registers and heartbeats again")
    kubectl("get nodes")
    say("# Who did all that? The events the controllers recorded, and the API server's audit log:")
    kubectl("get events --field-selector reason=TaintManagerEviction")
    for event in cluster.audit(verb="create", resource="pods")[-4:]:
        say(f"  {event.describe()}")
    cluster.close()
    return 0


def _busiest_node(cluster) -> tuple[str, int]:
    """The node running the most of the Deployment's pods (the first by name on a tie)."""
    counts: dict[str, int] = {}
    for pod in cluster.client.list("pods", "default", label_selector="app=web")["items"]:
        node = pod["spec"].get("nodeName", "")
        counts[node] = counts.get(node, 0) + 1
    node = min(counts, key=lambda name: (-counts[name], name))
    return node, counts[node]


def _printer(out: TextIO) -> Callable[[str], None]:
    def say(text: str) -> None:
        out.write(text + "\n")

    return say
