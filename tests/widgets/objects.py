"""Object builders for the widget tests: API-shaped dicts for scripted watch events.

Each builder returns what the API server would send in a watch event for that object in that
state (only the fields the picture reads, plus what makes kubectl's STATUS come out right).
"""

from __future__ import annotations

STARTED = "2025-01-01T00:00:00Z"


def node(name: str, ready: str = "True", *, unschedulable: bool = False, taints=None) -> dict:
    spec = {}
    if unschedulable:
        spec["unschedulable"] = True
    if taints:
        spec["taints"] = taints
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}, "spec": spec,
            "status": {"conditions": [{"type": "Ready", "status": ready}]}}


def _container_state(state: str, restarts: int) -> dict:
    """One container status for a named situation."""
    running = {"running": {"startedAt": STARTED}}
    states = {
        "ready": (True, running),
        "not-ready": (False, running),
        "creating": (False, {"waiting": {"reason": "ContainerCreating"}}),
        "crashloop": (False, {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}}),
        "imagepull": (False, {"waiting": {"reason": "ImagePullBackOff"}}),
        "errimagepull": (False, {"waiting": {"reason": "ErrImagePull"}}),
        "oom": (False, {"terminated": {"reason": "OOMKilled", "exitCode": 137}}),
        "error": (False, {"terminated": {"reason": "Error", "exitCode": 1}}),
        "completed": (False, {"terminated": {"reason": "Completed", "exitCode": 0}}),
    }
    ready, container_state = states[state]
    return {"name": "c", "image": "nginx", "ready": ready, "restartCount": restarts,
            "state": container_state}


_PHASES = {"completed": "Succeeded", "error": "Failed", "pending": "Pending", "creating": "Pending",
           "imagepull": "Pending", "errimagepull": "Pending"}


def pod(name: str, node_name: str | None = None, state: str | None = None, *, restarts: int = 0,
        namespace: str = "default", labels: dict | None = None, deleting: bool = False,
        owner: tuple[str, str] | None = None, init: str | None = None) -> dict:
    """A pod; ``state`` is "pending" (no container statuses) or a _container_state name
    (default: "ready" on a node, "pending" without one).

    ``init`` is "waiting" (first of two init containers still running: Init:0/2) or
    "crashloop" (Init:CrashLoopBackOff).
    """
    state = state or ("ready" if node_name else "pending")
    meta = {"name": name, "namespace": namespace, "labels": labels if labels is not None else {"app": "web"}}
    if deleting:
        meta["deletionTimestamp"] = STARTED
        meta["deletionGracePeriodSeconds"] = 30
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1],
                                    "uid": f"uid-{owner[1]}", "controller": True}]
    spec = {"containers": [{"name": "c", "image": "nginx"}]}
    if node_name:
        spec["nodeName"] = node_name
    status = {"phase": _PHASES.get(state, "Running")}
    if init:
        spec["initContainers"] = [{"name": "i1", "image": "busybox"}, {"name": "i2", "image": "busybox"}]
        waiting = {"running": {"startedAt": STARTED}} if init == "waiting" else \
            {"waiting": {"reason": "CrashLoopBackOff"}}
        status = {"phase": "Pending", "initContainerStatuses": [
            {"name": "i1", "ready": False, "restartCount": restarts, "state": waiting},
            {"name": "i2", "ready": False, "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}],
            "containerStatuses": [{"name": "c", "ready": False, "restartCount": 0,
                                   "state": {"waiting": {"reason": "PodInitializing"}}}]}
    elif state != "pending":
        status["containerStatuses"] = [_container_state(state, restarts)]
        ready = "True" if state == "ready" else "False"
        status["conditions"] = [{"type": "Ready", "status": ready}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def service(name: str, namespace: str = "default", labels: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": namespace, "labels": labels or {"app": name}},
            "spec": {"type": "ClusterIP", "selector": {"app": name}}}


def endpoint_slice(service_name: str, ready: dict[str, bool], namespace: str = "default",
                   suffix: str = "abcde") -> dict:
    """An EndpointSlice of ``service_name`` with one endpoint per pod name (ready or not)."""
    endpoints = [{"addresses": [f"10.244.0.{i + 10}"],
                  "conditions": {"ready": is_ready, "serving": is_ready, "terminating": False},
                  "targetRef": {"kind": "Pod", "namespace": namespace, "name": pod_name}}
                 for i, (pod_name, is_ready) in enumerate(sorted(ready.items()))]
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
            "metadata": {"name": f"{service_name}-{suffix}", "namespace": namespace,
                         "labels": {"kubernetes.io/service-name": service_name}},
            "endpoints": endpoints, "ports": [{"name": "", "port": 80, "protocol": "TCP"}]}


def ingress(name: str, services: list[str], namespace: str = "default") -> dict:
    paths = [{"path": f"/{s}", "pathType": "Prefix",
              "backend": {"service": {"name": s, "port": {"number": 80}}}} for s in services]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
            "spec": {"rules": [{"host": "example.test", "http": {"paths": paths}}]}}


def deployment(name: str, replicas: int = 2, ready: int = 2, namespace: str = "default") -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
            "spec": {"replicas": replicas}, "status": {"readyReplicas": ready}}


def replica_set(name: str, deployment_name: str, replicas: int = 2, ready: int = 2,
                namespace: str = "default") -> dict:
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app": deployment_name},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                              "name": deployment_name, "uid": f"uid-{deployment_name}",
                                              "controller": True}]},
            "spec": {"replicas": replicas}, "status": {"readyReplicas": ready}}


def added(obj: dict) -> dict:
    return {"type": "ADDED", "object": obj}


def modified(obj: dict) -> dict:
    return {"type": "MODIFIED", "object": obj}


def deleted(obj: dict) -> dict:
    return {"type": "DELETED", "object": obj}
