"""Pods and nodes shaped like the API server returns them, for scheduler tests.

``node(...)`` is what a kubelet registers (labels, capacity/allocatable, conditions);
``pod(...)`` is a defaulted pending pod. Keyword arguments add the fields a test is about.
"""

from __future__ import annotations

import itertools

_uids = itertools.count(1)
CONTROL_PLANE_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}


def node(name: str, *, cpu: str = "4", memory: str = "8Gi", pods: str = "110",
         labels: dict | None = None, taints: list | None = None, unschedulable: bool = False,
         images: list | None = None, zone: str | None = None, extra: dict | None = None) -> dict:
    all_labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
    }
    if zone is not None:
        all_labels["topology.kubernetes.io/zone"] = zone
    all_labels.update(labels or {})
    resources = {"cpu": cpu, "memory": memory, "pods": pods, "ephemeral-storage": "100Gi"}
    resources.update(extra or {})
    spec: dict = {"podCIDR": "10.244.0.0/24"}
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    status = {
        "capacity": dict(resources),
        "allocatable": dict(resources),
        "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                        "message": "kubelet is posting ready status"}],
        "nodeInfo": {"kubeletVersion": "v1.32.0", "operatingSystem": "linux", "architecture": "amd64"},
    }
    if images:
        status["images"] = [{"names": list(names), "sizeBytes": size} for names, size in images]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "uid": f"node-uid-{name}", "labels": all_labels,
                     "resourceVersion": "1"},
        "spec": spec,
        "status": status,
    }


def control_plane(name: str = "control-plane", **kw) -> dict:
    labels = {"node-role.kubernetes.io/control-plane": "", **(kw.pop("labels", None) or {})}
    return node(name, labels=labels, taints=[dict(CONTROL_PLANE_TAINT)], **kw)


def pod(name: str, *, namespace: str = "default", cpu: str | None = None,
        memory: str | None = None, labels: dict | None = None, node_name: str | None = None,
        image: str = "nginx:1.27", priority: int | None = None, phase: str = "Pending",
        **spec_fields) -> dict:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    container = {
        "name": "app",
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "resources": {"requests": requests} if requests else {},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }
    spec = {
        "containers": [container],
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0 if priority is None else priority,
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready",
             "operator": "Exists", "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable",
             "operator": "Exists", "tolerationSeconds": 300},
        ],
    }
    for key, value in spec_fields.items():
        if key == "tolerations":
            spec["tolerations"] = spec["tolerations"] + list(value)
        elif key == "containers":
            spec["containers"] = value
        else:
            spec[key] = value
    if node_name:
        spec["nodeName"] = node_name
    uid = f"00000000-0000-0000-0000-{next(_uids):012d}"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "uid": uid,
                     "labels": dict(labels or {}), "resourceVersion": str(next(_uids)),
                     "creationTimestamp": "2025-01-01T00:00:00Z"},
        "spec": spec,
        "status": {"phase": phase, "qosClass": "Burstable" if requests else "BestEffort"},
    }
