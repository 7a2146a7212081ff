"""Test-side stand-ins for what kubelets do, so controllers can be tested on a bare API server."""

from __future__ import annotations

from labkube.core.api.testing import new_server
from labkube.core.controllers.base import ControllerConfig
from labkube.core.controllers.manager import ControllerManager
from labkube.core.machinery import ErrorLog, EventNamer
from labkube.core.nodes import node_manifest

LEASE_NAMESPACE = "kube-node-lease"


def new_env(namespaces=("default", "kube-node-lease")):
    return new_server(namespaces=namespaces)


def start_manager(env, controllers, **config):
    errors = ErrorLog()
    manager = ControllerManager(env.admin, env.clock, errors, EventNamer(env.clock),
                                config=ControllerConfig(**config), controllers=controllers)
    manager.start()
    return manager


def add_node(env, name: str, index: int = 1, labels=None) -> dict:
    node = node_manifest(name, index, env.clock, cpu="2", memory="4Gi", pods="110")
    node["metadata"]["labels"].update(labels or {})
    return env.admin.create(node)


def add_pod(env, name: str, node: str = "", labels=None, ready=True, ip="", namespace="default",
            ports=None, tolerations=None, owner=None) -> dict:
    pod = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels or {})},
        "spec": {"containers": [{"name": "c", "image": "nginx", **({"ports": ports} if ports else {})}]},
    }
    if owner is not None:
        pod["metadata"]["ownerReferences"] = [owner]
    if node:
        pod["spec"]["nodeName"] = node
    if tolerations is not None:
        pod["spec"]["tolerations"] = tolerations
    created = env.admin.create(pod)
    if ip:
        created = set_pod_ready(env, created, ready, ip)
    return created


def set_pod_ready(env, pod: dict, ready: bool, ip: str = "") -> dict:
    pod = env.admin.get("pods", pod["metadata"]["name"], pod["metadata"]["namespace"])
    status = pod.setdefault("status", {})
    status["phase"] = "Running"
    if ip:
        status["podIP"] = ip
        status["podIPs"] = [{"ip": ip}]
    value = "True" if ready else "False"
    now = env.clock.timestamp()
    status["conditions"] = [
        {"type": "Ready", "status": value, "lastProbeTime": None, "lastTransitionTime": now},
    ]
    return env.admin.update(pod, subresource="status")


class Heartbeater:
    """What a kubelet does to stay alive: renew its Lease every 10 s, post status now and then.

    ``stop()`` is the kubelet dying; ``resume()`` its return.
    """

    def __init__(self, env, node: str, lease_period: float = 10.0, status_period: float = 10.0):
        self.env, self.node, self.alive = env, node, True
        self.posts_status = True  # False: a kubelet that renews its Lease but never posts status
        self.lease_period, self.status_period = lease_period, status_period
        env.admin.create({
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": node, "namespace": LEASE_NAMESPACE},
            "spec": {"holderIdentity": node, "leaseDurationSeconds": 40,
                     "renewTime": env.clock.micro_timestamp()},
        })
        env.clock.call_later(lease_period, self._renew)
        env.clock.call_later(status_period, self._post_status)

    def stop(self) -> None:
        self.alive = False

    def resume(self) -> None:
        if not self.alive:
            self.alive = True
            self._renew(reschedule=False)
            self._post_status(reschedule=False)

    def _renew(self, reschedule: bool = True) -> None:
        if self.alive:
            lease = self.env.admin.get("leases", self.node, LEASE_NAMESPACE)
            lease["spec"]["renewTime"] = self.env.clock.micro_timestamp()
            self.env.admin.update(lease)
        if reschedule:
            self.env.clock.call_later(self.lease_period, self._renew)

    def _post_status(self, reschedule: bool = True) -> None:
        if self.alive and self.posts_status:
            node = self.env.admin.get("nodes", self.node)
            now = self.env.clock.timestamp()
            for condition in node["status"]["conditions"]:
                condition["lastHeartbeatTime"] = now
                healthy = "True" if condition["type"] == "Ready" else "False"
                if condition["status"] != healthy:
                    condition["status"] = healthy
                    condition["lastTransitionTime"] = now
                    condition["reason"], condition["message"] = _KUBELET_REASONS[condition["type"]]
            self.env.admin.update(node, subresource="status")
        if reschedule:
            self.env.clock.call_later(self.status_period, self._post_status)


_KUBELET_REASONS = {
    "MemoryPressure": ("KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    "DiskPressure": ("KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    "PIDPressure": ("KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    "Ready": ("KubeletReady", "kubelet is posting ready status"),
}


def events(env, reason: str | None = None, namespace: str | None = None) -> list[dict]:
    items = env.admin.list("events", namespace)["items"]
    return [e for e in items if reason is None or e["reason"] == reason]


def condition(obj: dict, ctype: str) -> dict | None:
    for c in (obj.get("status") or {}).get("conditions") or ():
        if c["type"] == ctype:
            return c
    return None
