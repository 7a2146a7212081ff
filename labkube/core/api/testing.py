"""A bare API server for tests and experiments (like ``kopf.testing``).

:func:`new_server` wires a store, a simulated clock, an audit log and an :class:`APIServer`,
creates the namespaces you ask for with their ``default`` ServiceAccount (what the
serviceaccount controller would do), and loads the bootstrap RBAC policy, so RBAC checks
behave as in a fresh kubeadm cluster. It returns the server and a client for
``kubernetes-super-admin`` (``system:masters``). No scheduler, no controllers: what you see is
exactly what the API server does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labkube.core.api import auth, bootstrap_policy
from labkube.core.api.audit import AuditLog
from labkube.core.api.client import Client
from labkube.core.api.registry.scheduling import system_priority_classes
from labkube.core.api.server import APIServer
from labkube.core.clock import SimulatedClock
from labkube.core.store import MVCCStore


@dataclass
class TestServer:
    clock: Any
    store: Any
    audit: Any
    server: APIServer
    admin: Client

    def as_user(self, name: str, groups=()) -> Client:
        return self.admin.as_user(auth.user(name, groups))


TestServer.__test__ = False  # not a pytest test class


def new_server(seed: int = 0, namespaces=("default",), *, rbac: bool = True) -> TestServer:
    clock = SimulatedClock(seed=seed)
    store = MVCCStore(clock=clock)
    audit = AuditLog()
    server = APIServer(store, clock, audit=audit)
    admin = Client(server, auth.SUPER_ADMIN)
    for name in namespaces:
        admin.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        admin.create({"apiVersion": "v1", "kind": "ServiceAccount",
                      "metadata": {"name": "default", "namespace": name}})
    if rbac:
        for obj in bootstrap_policy.objects() + bootstrap_policy.kubeadm_objects():
            admin.create(obj)
    for obj in system_priority_classes():  # kube-apiserver's post-start hook creates them
        admin.create(obj)
    return TestServer(clock, store, audit, server, admin)


# -- small object builders for tests and examples --------------------------------------
def only_event_object(watch) -> dict:
    """The object of the one event a watch holds (fails if it holds none or several)."""
    [event] = watch.poll()
    return event["object"]


def pod(name: str = "web", image: str = "nginx", **meta) -> dict:
    """A minimal Pod manifest; keyword arguments go into ``metadata``."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, **meta},
        "spec": {"containers": [{"name": "c", "image": image}]},
    }


def deployment(name: str = "web", replicas: int = 2, image: str = "nginx") -> dict:
    """A minimal Deployment whose selector matches its template (``app: <name>``)."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "c", "image": image}]}},
        },
    }
