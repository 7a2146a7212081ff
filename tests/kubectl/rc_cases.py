"""ReplicationController and PodTemplate scenarios whose ``kubectl describe``/``get`` output the
REAL kubectl 1.32 printed (``capture_rc.py``) and labkube must print byte for byte
(``test_rc_oracle.py``)."""

from __future__ import annotations

from pathlib import Path

import labkube

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden_rc"

#: The docs' replication.yaml (content/en/examples/controllers/replication.yaml), unchanged.
DOCS_REPLICATION = """\
apiVersion: v1
kind: ReplicationController
metadata:
  name: nginx
spec:
  replicas: 3
  selector:
    app: nginx
  template:
    metadata:
      name: nginx
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx
        ports:
        - containerPort: 80
"""

#: Two replicas wanted, but the quota leaves room for one pod: ReplicaFailure.
WEB = {
    "apiVersion": "v1", "kind": "ReplicationController",
    "metadata": {"name": "web", "labels": {"tier": "frontend"}, "annotations": {"owner": "team-a"}},
    "spec": {"replicas": 2, "selector": {"app": "web", "track": "stable"},
             "template": {"metadata": {"labels": {"app": "web", "track": "stable", "version": "v1"}},
                          "spec": {"containers": [
                              {"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]},
                              {"name": "log", "image": "busybox:1.36", "command": ["sleep", "3600"]}]}}},
}

#: Scaled to zero: no pods, nothing to describe but the template.
IDLE = {
    "apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "idle"},
    "spec": {"replicas": 0, "template": {"metadata": {"labels": {"app": "idle"}},
                                         "spec": {"containers": [{"name": "pause", "image": "registry.k8s.io/pause:3.10"}]}}},
}

QUOTA = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "pods"}, "spec": {"hard": {"pods": "4"}}}

TEMPLATE = {
    "apiVersion": "v1", "kind": "PodTemplate",
    "metadata": {"name": "nginx-template", "labels": {"team": "a"}},
    "template": {"metadata": {"labels": {"app": "nginx", "tier": "web"}, "annotations": {"note": "kept"}},
                 "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27",
                                          "env": [{"name": "MODE", "value": "demo"}]}]}},
}

BARE_TEMPLATE = {
    "apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "bare"},
    "template": {"spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}},
}

#: golden stem -> kubectl arguments
COMMANDS = {
    "describe_rc_nginx": ["describe", "replicationcontrollers/nginx"],
    "describe_rc_web": ["describe", "rc", "web"],
    "describe_rc_idle": ["describe", "rc", "idle"],
    "get_rc": ["get", "rc"],
    "get_rc_wide": ["get", "rc", "-o", "wide"],
    "describe_podtemplate": ["describe", "podtemplate", "nginx-template"],
    "describe_podtemplate_bare": ["describe", "podtemplates", "bare"],
    "get_podtemplates": ["get", "podtemplates"],
    "get_podtemplates_wide": ["get", "podtemplates", "-o", "wide"],
}


def build() -> labkube.Cluster:
    """The docs' nginx (3 Running), web (held at one pod by a quota), idle (0), two PodTemplates."""
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply(QUOTA)
    cluster.run(5)
    cluster.apply(DOCS_REPLICATION)
    cluster.run(5)
    cluster.apply(WEB)
    cluster.apply(IDLE)
    cluster.apply(TEMPLATE)
    cluster.apply(BARE_TEMPLATE)
    cluster.run(60)
    return cluster


def objects(cluster: labkube.Cluster) -> list[dict]:
    """What the oracle API server serves: RCs, PodTemplates, their pods and the events."""
    out = []
    for resource, api_version, kind in (("replicationcontrollers", "v1", "ReplicationController"),
                                        ("podtemplates", "v1", "PodTemplate"), ("pods", "v1", "Pod"),
                                        ("events", "v1", "Event")):
        for item in cluster.client.list(resource, "default")["items"]:
            out.append({"apiVersion": api_version, "kind": kind, **item})
    return out
