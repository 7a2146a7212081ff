"""ResourceQuota scenarios whose ``kubectl get``/``describe`` output the REAL kubectl 1.32 printed
(``capture_quota.py``) and labkube must print byte for byte (``test_quota_oracle.py``)."""

from __future__ import annotations

from pathlib import Path

import labkube
from tests.conftest import CONFORMANCE

GOLDEN = Path(__file__).resolve().parent / "golden_quota"
DOCS = CONFORMANCE / "admin/resource/quota-mem-cpu.yaml"


def _quota(name, hard, **spec):
    return {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name},
            "spec": {"hard": hard, **spec}}


def _pod(name, image="nginx", resources=None):
    container = {"name": name, "image": image}
    if resources:
        container["resources"] = resources
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {"containers": [container]}}


MEM_CPU_DEMO = _quota("mem-cpu-demo", {"requests.cpu": "1", "requests.memory": "1Gi",
                                       "limits.cpu": "2", "limits.memory": "2Gi"})
OBJECT_COUNTS = _quota("object-counts", {"pods": "10", "services": "5", "configmaps": "10", "count/secrets": "4",
                                         "services.nodeports": "2", "persistentvolumeclaims": "3"})
DECIMAL_MEMORY = _quota("decimal-memory", {"requests.memory": "2G", "limits.memory": "3G"})
BEST_EFFORT = _quota("best-effort", {"pods": "3"}, scopes=["BestEffort"])
NOT_BEST_EFFORT = _quota("not-best-effort", {"pods": "5", "requests.cpu": "500m"},
                         scopes=["NotBestEffort", "NotTerminating"])

WEB = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
       "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80}]}}

#: golden stem -> kubectl arguments
COMMANDS = {
    "get_quota": ["get", "quota", "-n", "quota-example"],
    "get_quota_all_namespaces": ["get", "resourcequotas", "-A"],
    "describe_quota_mem_cpu": ["describe", "quota", "mem-cpu-demo", "-n", "quota-example"],
    "describe_quota_object_counts": ["describe", "quota", "object-counts", "-n", "quota-example"],
    "describe_quota_decimal_memory": ["describe", "quota", "decimal-memory", "-n", "quota-example"],
    "describe_quota_best_effort": ["describe", "quota", "best-effort", "-n", "scoped"],
    "describe_quota_not_best_effort": ["describe", "quota", "not-best-effort", "-n", "scoped"],
    "describe_namespace_with_quotas": ["describe", "namespace", "quota-example"],
}

NAMESPACES = ("quota-example", "scoped")


def build() -> labkube.Cluster:
    """quota-example: the docs' quota with its pod running, object counts, a decimal memory quota;
    scoped: BestEffort and NotBestEffort quotas, each with a pod charged to it."""
    cluster = labkube.Cluster(nodes=2, seed=0)
    for namespace in NAMESPACES:
        cluster.kubectl(f"create namespace {namespace}")
    cluster.apply(DOCS.read_text(), namespace="quota-example")
    for obj in (OBJECT_COUNTS, DECIMAL_MEMORY):
        cluster.apply(obj, namespace="quota-example")
    cluster.apply(BEST_EFFORT, namespace="scoped")
    cluster.apply(NOT_BEST_EFFORT, namespace="scoped")
    cluster.run(5)
    cluster.apply(_pod("quota-mem-cpu-demo", resources={
        "limits": {"memory": "800Mi", "cpu": "800m"}, "requests": {"memory": "600Mi", "cpu": "400m"}}),
        namespace="quota-example")
    cluster.kubectl("create configmap settings --from-literal=a=b -n quota-example")
    cluster.kubectl("create secret generic token --from-literal=t=x -n quota-example")
    cluster.apply(WEB, namespace="quota-example")
    cluster.apply(_pod("sleeper", "busybox:1.36"), namespace="scoped")
    cluster.apply(_pod("worker", resources={"requests": {"cpu": "250m"}}), namespace="scoped")
    cluster.run(30)
    return cluster


def objects(cluster: labkube.Cluster) -> list[dict]:
    """What the oracle API server serves: the namespaces and their quotas (and limit ranges)."""
    out = []
    for namespace in NAMESPACES:
        out.append({"apiVersion": "v1", "kind": "Namespace", **cluster.client.get("namespaces", namespace)})
        for resource, kind in (("resourcequotas", "ResourceQuota"), ("limitranges", "LimitRange")):
            for item in cluster.client.list(resource, namespace)["items"]:
                out.append({"apiVersion": "v1", "kind": kind, **item})
    return out
