"""HorizontalPodAutoscaler scenarios whose ``kubectl get``/``describe``/``autoscale`` output the
REAL kubectl 1.32 printed (``capture_hpa.py``) and labkube must print byte for byte
(``test_hpa_oracle.py``).

default: the walkthrough's php-apache under load for two minutes (autoscaled by kubectl, so the
HPA was created in autoscaling/v1); tuned: a v2 HPA with a behavior and three metrics (cpu,
memory as an average value, a pods metric no adapter serves); broken: an HPA whose target does
not exist.
"""

from __future__ import annotations

from pathlib import Path

import labkube
from tests.scenarios.test_hpa import LOAD, PHP_APACHE

GOLDEN = Path(__file__).resolve().parent / "golden_hpa"
NAMESPACES = ("default", "tuned", "broken")

TUNED = {
    "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
    "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
        "minReplicas": 2, "maxReplicas": 6,
        "metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                      "averageUtilization": 60}}},
            {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue",
                                                                         "averageValue": "100Mi"}}},
            {"type": "Pods", "pods": {"metric": {"name": "packets-per-second"},
                                      "target": {"type": "AverageValue", "averageValue": "1k"}}},
        ],
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60,
                                   "policies": [{"type": "Pods", "value": 1, "periodSeconds": 30}]}},
    },
}
BROKEN = {
    "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "ghost"},
    "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "ghost"},
             "maxReplicas": 3},
}
WEB = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                 {"name": "web", "image": "nginx", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]}}},
}

#: golden stem -> kubectl arguments
COMMANDS = {
    "get_hpa": ["get", "hpa"],
    "get_hpa_all_namespaces": ["get", "hpa", "-A"],
    "get_hpa_v1": ["get", "horizontalpodautoscalers.v1.autoscaling", "php-apache"],
    "describe_hpa_php_apache": ["describe", "hpa", "php-apache"],
    "describe_hpa_tuned": ["describe", "hpa", "web", "-n", "tuned"],
    "describe_hpa_broken": ["describe", "hpa", "ghost", "-n", "broken"],
    "autoscale_dry_run_yaml": ["autoscale", "deployment", "php-apache", "--cpu-percent=50", "--min=1",
                               "--max=10", "--dry-run=client", "-o", "yaml"],
    "autoscale_dry_run_named": ["autoscale", "deploy/php-apache", "--max=4", "--name=other", "--dry-run=client"],
    "autoscale_dry_run_json": ["autoscale", "deployment", "web", "-n", "tuned", "--max=3", "--dry-run=client",
                               "-o", "json"],
}

#: kubectl's refusals: stem -> arguments (stderr and the exit code are the golden). A missing
#: --max is cobra's "required flag(s)" error, which the installed dispatcher build of kubectl
#: logs in its own format: it is checked by test_autoscale.py instead.
ERRORS = {
    "autoscale_max_zero": ["autoscale", "deployment", "php-apache", "--max=0"],
    "autoscale_max_below_min": ["autoscale", "deployment", "php-apache", "--min=5", "--max=3"],
}


def build() -> labkube.Cluster:
    cluster = labkube.Cluster(nodes=2, seed=0)
    for namespace in NAMESPACES[1:]:
        cluster.kubectl(f"create namespace {namespace}")
    cluster.apply(PHP_APACHE)
    cluster.apply(WEB, namespace="tuned")
    cluster.run(30)
    cluster.kubectl("autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10")
    cluster.apply(TUNED, namespace="tuned")
    cluster.apply(BROKEN, namespace="broken")
    cluster.run(60)
    cluster.kubectl(LOAD)
    cluster.run(120)
    return cluster


def objects(cluster: labkube.Cluster) -> list[dict]:
    """What the oracle API server serves: namespaces, deployments, HPAs in both versions, events."""
    out = []
    for namespace in sorted(NAMESPACES):  # as etcd lists them
        out.append({"apiVersion": "v1", "kind": "Namespace", **cluster.client.get("namespaces", namespace)})
        for resource, api_version, kind in (
                ("deployments", "apps/v1", "Deployment"),
                ("horizontalpodautoscalers.v2.autoscaling", "autoscaling/v2", "HorizontalPodAutoscaler"),
                ("horizontalpodautoscalers.v1.autoscaling", "autoscaling/v1", "HorizontalPodAutoscaler"),
                ("events", "v1", "Event")):
            for item in cluster.client.list(resource, namespace)["items"]:
                if kind == "Event" and item["involvedObject"]["kind"] != "HorizontalPodAutoscaler":
                    continue
                out.append({"apiVersion": api_version, "kind": kind, **item})
    return out
