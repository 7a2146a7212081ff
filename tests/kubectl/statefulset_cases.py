"""StatefulSet scenarios whose ``kubectl describe``/``get`` output the REAL kubectl 1.32 printed
(``capture_statefulset.py``) and labkube must print byte for byte (``test_statefulset_oracle.py``)."""

from __future__ import annotations

from pathlib import Path

import labkube

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden_statefulset"
DOCS_STATEFULSET = HERE.parent.parent.parent / "shared" / "conformance" / "k8s-docs" / "controllers" / "statefulset.yaml"

DB = {
    "apiVersion": "apps/v1", "kind": "StatefulSet",
    "metadata": {"name": "db", "labels": {"tier": "data"}, "annotations": {"owner": "team-a"}},
    "spec": {
        "selector": {"matchLabels": {"app": "db"}}, "serviceName": "db", "replicas": 3,
        "podManagementPolicy": "Parallel",
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}},
        "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [
            {"name": "postgres", "image": "postgres:16", "ports": [{"containerPort": 5432}]},
            {"name": "exporter", "image": "prom/postgres-exporter:v0.15.0"}]}},
        "volumeClaimTemplates": [
            {"metadata": {"name": "data", "labels": {"backup": "daily"}},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "500Mi"}}}},
            {"metadata": {"name": "logs", "annotations": {"volume.beta.kubernetes.io/storage-class": "fast"}},
             "spec": {"accessModes": ["ReadWriteOnce", "ReadOnlyMany"],
                      "resources": {"requests": {"storage": "0.5Gi"}}}},
        ],
    },
}

CACHE = {
    "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "cache"},
    "spec": {"selector": {"matchLabels": {"app": "cache"}}, "serviceName": "cache", "replicas": 2,
             "updateStrategy": {"type": "OnDelete"},
             "template": {"metadata": {"labels": {"app": "cache"}}, "spec": {"containers": [
                 {"name": "redis", "image": "redis:7"}]}}},
}

#: golden stem -> kubectl arguments
COMMANDS = {
    "describe_sts_web": ["describe", "statefulset", "web"],
    "describe_sts_db": ["describe", "sts", "db"],
    "describe_sts_cache": ["describe", "sts", "cache"],
    "get_sts": ["get", "statefulsets"],
    "get_sts_wide": ["get", "sts", "-o", "wide"],
}


def build() -> labkube.Cluster:
    """The docs' web (stuck on an unbound claim), db (two claims, Parallel, partitioned), cache (running, OnDelete)."""
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply(DOCS_STATEFULSET.read_text())
    cluster.apply(DB)
    cluster.apply(CACHE)
    cluster.run(90)
    return cluster


def objects(cluster: labkube.Cluster) -> list[dict]:
    """What the oracle API server serves: StatefulSets, pods and the events."""
    out = []
    for resource, api_version, kind in (("statefulsets", "apps/v1", "StatefulSet"), ("pods", "v1", "Pod"),
                                        ("events", "v1", "Event")):
        for item in cluster.client.list(resource, "default")["items"]:
            out.append({"apiVersion": api_version, "kind": kind, **item})
    return out
