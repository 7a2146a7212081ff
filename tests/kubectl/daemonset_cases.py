"""DaemonSet and ControllerRevision scenarios whose ``kubectl describe``/``get`` output the REAL
kubectl 1.32 printed (``capture_daemonset.py``) and labkube must print byte for byte
(``test_daemonset_oracle.py``)."""

from __future__ import annotations

from pathlib import Path

import labkube

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden_daemonset"
DOCS_DAEMONSET = HERE.parent.parent.parent / "shared" / "conformance" / "k8s-docs" / "controllers" / "daemonset.yaml"

#: Rolled to a new image, restricted to labelled nodes, with a host port and an env var.
AGENT = {
    "apiVersion": "apps/v1", "kind": "DaemonSet",
    "metadata": {"name": "agent", "labels": {"team": "ops"}},
    "spec": {
        "selector": {"matchLabels": {"app": "agent"}}, "minReadySeconds": 5,
        "template": {"metadata": {"labels": {"app": "agent"}, "annotations": {"scrape": "true"}},
                     "spec": {"nodeSelector": {"agent": "yes"},
                              "containers": [{"name": "agent", "image": "nginx:1.25",
                                              "ports": [{"containerPort": 9100, "hostPort": 9100}],
                                              "env": [{"name": "MODE", "value": "node"}]}]}},
    },
}

#: OnDelete, two containers, on every node; one of its pods failed and was replaced.
LOGS = {
    "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "logs"},
    "spec": {"selector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["logs"]}]},
             "updateStrategy": {"type": "OnDelete"},
             "template": {"metadata": {"labels": {"app": "logs"}}, "spec": {"containers": [
                 {"name": "shipper", "image": "busybox:1.36", "command": ["sleep", "3600"]},
                 {"name": "sidecar", "image": "redis:7"}]}}},
}

#: golden stem -> kubectl arguments
COMMANDS = {
    "describe_ds_fluentd": ["describe", "daemonset", "fluentd-elasticsearch", "-n", "kube-system"],
    "describe_ds_agent": ["describe", "ds", "agent"],
    "describe_ds_logs": ["describe", "ds", "logs"],
    "get_ds": ["get", "daemonsets"],
    "get_ds_wide": ["get", "ds", "-o", "wide"],
    "get_ds_all_namespaces": ["get", "ds", "-A"],
    "get_controllerrevisions": ["get", "controllerrevisions"],
    "get_controllerrevisions_kube_system": ["get", "controllerrevision", "-n", "kube-system"],
    "describe_controllerrevisions_kube_system": ["describe", "controllerrevisions", "-n", "kube-system"],
}


def build() -> labkube.Cluster:
    """The docs' fluentd on 3 nodes; agent on 2 labelled nodes, rolled once; logs with a failed pod."""
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply(DOCS_DAEMONSET.read_text())
    cluster.kubectl("label node node-1 node-2 agent=yes")
    cluster.apply(AGENT)
    cluster.apply(LOGS)
    cluster.run(40)
    cluster.kubectl("set image ds/agent agent=nginx:1.26")
    victim = sorted(p["metadata"]["name"] for p in cluster.list("pods", "default", label_selector="app=logs"))[0]
    cluster.client.patch("pods", victim, {"status": {"phase": "Failed"}}, namespace="default",
                         subresource="status", patch_type="merge")
    cluster.run(90)
    return cluster


def objects(cluster: labkube.Cluster) -> list[dict]:
    """What the oracle API server serves: DaemonSets, their revisions, pods and events."""
    out = []
    for resource, api_version, kind in (("daemonsets", "apps/v1", "DaemonSet"),
                                        ("controllerrevisions", "apps/v1", "ControllerRevision"),
                                        ("pods", "v1", "Pod"), ("events", "v1", "Event")):
        for item in cluster.client.list(resource, None)["items"]:
            out.append({"apiVersion": api_version, "kind": kind, **item})
    return out
