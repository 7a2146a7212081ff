"""Test-side stand-in for kubelets, for the ReplicaSet and Deployment controller tests.

:class:`PodSimulator` watches pods through an informer (as a kubelet would) and

* binds each new pod to a node and, ``ready_after`` seconds later, writes its status through
  the ``status`` subresource: phase Running, conditions PodScheduled, Initialized,
  ContainersReady and Ready all True;
* finishes graceful deletion ``terminate_after`` seconds after a pod gets its
  deletionTimestamp (a kubelet stopping the containers, then deleting with grace period 0).

It is deliberately simple and lives in tests: the real kubelet is another module.
"""

from __future__ import annotations

from labkube.core.api.testing import new_server
from labkube.core.controllers.manager import ControllerManager
from labkube.core.errors import StatusError
from labkube.core.machinery import ErrorLog, EventNamer, Informer


def start(env, *controllers):
    """A controller manager with just ``controllers``, started on ``env``."""
    errors = ErrorLog()
    manager = ControllerManager(env.admin, env.clock, errors, EventNamer(env.clock), controllers=list(controllers))
    manager.start()
    return manager


def new_env(seed: int = 0):
    return new_server(seed=seed)


class PodSimulator:
    def __init__(self, env, ready_after: float | None = 2.0, terminate_after: float = 1.0,
                 node: str = "node-1", bind: bool = True) -> None:
        self.env = env
        self.ready_after = ready_after
        self.terminate_after = terminate_after
        self.node = node
        self.bind = bind
        self.informer = Informer(env.admin, env.server.resolve("pods"), env.clock)
        self.informer.add_event_handler(self._added, self._updated, None)
        self.informer.start()

    def stop(self) -> None:
        self.informer.stop()

    def _added(self, pod: dict) -> None:
        if pod["metadata"].get("deletionTimestamp"):
            self._updated(pod, pod)
            return
        uid = pod["metadata"]["uid"]
        name, namespace = pod["metadata"]["name"], pod["metadata"]["namespace"]
        if self.bind and not pod["spec"].get("nodeName"):
            self.env.clock.call_later(0, lambda: self._bind(namespace, name, uid))
        if self.ready_after is not None:
            self.env.clock.call_later(self.ready_after, lambda: self.mark_ready(namespace, name, uid))

    def _updated(self, old: dict, pod: dict) -> None:
        if pod["metadata"].get("deletionTimestamp") and not old["metadata"].get("deletionTimestamp") \
                or (old is pod and pod["metadata"].get("deletionTimestamp")):
            name, namespace, uid = pod["metadata"]["name"], pod["metadata"]["namespace"], pod["metadata"]["uid"]
            self.env.clock.call_later(self.terminate_after, lambda: self._finish(namespace, name, uid))

    def _current(self, namespace: str, name: str, uid: str) -> dict | None:
        try:
            pod = self.env.admin.get("pods", name, namespace)
        except StatusError:
            return None
        return pod if pod["metadata"]["uid"] == uid else None

    def _bind(self, namespace: str, name: str, uid: str) -> None:
        pod = self._current(namespace, name, uid)
        if pod is None or pod["spec"].get("nodeName") or pod["metadata"].get("deletionTimestamp"):
            return
        self.env.admin.create({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name, "namespace": namespace},
                               "target": {"apiVersion": "v1", "kind": "Node", "name": self.node}},
                              namespace, subresource="binding")

    def mark_ready(self, namespace: str, name: str, uid: str, ready: bool = True) -> None:
        pod = self._current(namespace, name, uid)
        if pod is None or pod["metadata"].get("deletionTimestamp"):
            return
        set_ready(self.env, pod, ready)

    def _finish(self, namespace: str, name: str, uid: str) -> None:
        if self._current(namespace, name, uid) is None:
            return
        try:
            self.env.admin.delete("pods", name, namespace, grace_period_seconds=0,
                                  preconditions={"uid": uid})
        except StatusError:
            pass


def set_ready(env, pod: dict, ready: bool = True, phase: str = "Running", restarts: int = 0) -> dict:
    """Write a pod's status as a kubelet would once its containers run (test-side)."""
    pod = env.admin.get("pods", pod["metadata"]["name"], pod["metadata"]["namespace"])
    now = env.clock.timestamp()
    value = "True" if ready else "False"
    status = pod.setdefault("status", {})
    status["phase"] = phase
    status["conditions"] = [
        {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": now},
        {"type": "Initialized", "status": "True", "lastTransitionTime": now},
        {"type": "Ready", "status": value, "lastTransitionTime": now},
        {"type": "ContainersReady", "status": value, "lastTransitionTime": now},
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": now},
    ]
    status["containerStatuses"] = [{"name": c["name"], "image": c["image"], "ready": ready,
                                    "restartCount": restarts, "started": True,
                                    "state": {"running": {"startedAt": now}}}
                                   for c in pod["spec"]["containers"]]
    return env.admin.update(pod, subresource="status")


def pods_of(env, namespace: str = "default", label_selector: str | None = None) -> list[dict]:
    return env.admin.list("pods", namespace, label_selector=label_selector)["items"]


def events(env, reason: str | None = None, kind: str | None = None) -> list[dict]:
    items = env.admin.list("events", None)["items"]
    items.sort(key=lambda e: (e["firstTimestamp"], e["metadata"]["name"]))
    return [e for e in items if (reason is None or e["reason"] == reason)
            and (kind is None or e["involvedObject"]["kind"] == kind)]


def condition(obj: dict, ctype: str) -> dict | None:
    for c in (obj.get("status") or {}).get("conditions") or ():
        if c["type"] == ctype:
            return c
    return None
