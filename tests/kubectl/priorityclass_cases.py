"""PriorityClass and preemption scenarios whose ``kubectl get``/``describe`` output the REAL
kubectl 1.32 printed (``capture_priorityclass.py``) and labkube must print byte for byte
(``test_priorityclass_oracle.py``).

The scenario: three 2-CPU nodes full of a Deployment's 900m pods, two PriorityClasses, and a
1.5-CPU pod of the high class that preempts two of them and runs.
"""

from __future__ import annotations

from pathlib import Path

import labkube

GOLDEN = Path(__file__).resolve().parent / "golden_priorityclass"

CLASSES = """
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high-priority
value: 1000000
globalDefault: false
description: "This priority class should be used for XYZ service pods only."
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high-priority-nonpreempting
value: 1000000
preemptionPolicy: Never
globalDefault: false
description: "This priority class will not cause other pods to be preempted."
"""

FILLER = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: filler
spec:
  replicas: 6
  selector:
    matchLabels: {app: filler}
  template:
    metadata:
      labels: {app: filler}
    spec:
      containers:
      - name: c
        image: nginx
        resources:
          requests: {cpu: 900m}
"""

VIP = """
apiVersion: v1
kind: Pod
metadata:
  name: vip
spec:
  priorityClassName: high-priority
  containers:
  - name: c
    image: nginx
    resources:
      requests: {cpu: 1500m}
"""

#: golden stem -> kubectl arguments
COMMANDS = {
    "get_priorityclasses": ["get", "priorityclasses"],
    "get_pc_wide": ["get", "pc", "-o", "wide"],
    "describe_pc_high": ["describe", "priorityclass", "high-priority"],
    "describe_pc_nonpreempting": ["describe", "pc", "high-priority-nonpreempting"],
    "describe_pc_system": ["describe", "priorityclass", "system-cluster-critical"],
    "get_pods_priority_columns": [
        "get", "pods", "-o",
        "custom-columns=NAME:.metadata.name,PRIORITY:.spec.priority,CLASS:.spec.priorityClassName,"
        "POLICY:.spec.preemptionPolicy,NODE:.spec.nodeName,NOMINATED:.status.nominatedNodeName"],
    "describe_pod_vip": ["describe", "pod", "vip"],
    # the generator (client-side: nothing is sent)
    "create_pc_yaml": ["create", "priorityclass", "high", "--value=1000", "--description=high priority",
                       "--dry-run=client", "-o", "yaml"],
    "create_pc_default_never_yaml": ["create", "pc", "default-priority", "--value=10", "--global-default",
                                     "--preemption-policy=Never", "--dry-run=client", "-o", "yaml"],
    "create_pc_no_value_yaml": ["create", "priorityclass", "zero", "--dry-run=client", "-o", "yaml"],
    "create_pc_name": ["create", "pc", "x", "--value=1", "--dry-run=client", "-o", "name"],
}


def build() -> labkube.Cluster:
    """The filler runs on all three nodes; vip preempts two of them on one node and runs."""
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply(CLASSES)
    cluster.apply(FILLER)
    cluster.run(30)
    cluster.apply(VIP)
    cluster.run(60)
    return cluster


def objects(cluster: labkube.Cluster) -> list[dict]:
    """What the oracle API server serves: PriorityClasses, pods and the events."""
    out = []
    for resource, api_version, kind, namespace in (
            ("priorityclasses", "scheduling.k8s.io/v1", "PriorityClass", None),
            ("pods", "v1", "Pod", "default"), ("events", "v1", "Event", "default")):
        for item in cluster.client.list(resource, namespace)["items"]:
            out.append({"apiVersion": api_version, "kind": kind, **item})
    return out
