"""kube-controller-manager: one process running many controllers over shared informers.

Mirrors cmd/kube-controller-manager: controllers are registered by name, share one informer
factory, and stop and start together (``cluster.stop_component("controller-manager")`` makes a
ReplicaSet stop replacing deleted pods — a classic lesson).
"""

from __future__ import annotations

from typing import Any, Optional

from labkube.core.api import auth
from labkube.core.clock import Clock
from labkube.core.controllers.base import ControllerConfig, ControllerContext, KubeController
from labkube.core.errors import StatusError
from labkube.core.machinery import Component, ErrorLog, EventNamer

#: Controller classes in start order; each module registers itself with :func:`register`.
CONTROLLERS: list[type[KubeController]] = []


def register(cls: type[KubeController]) -> type[KubeController]:
    """Class decorator: add a controller to every controller-manager."""
    if cls not in CONTROLLERS:
        CONTROLLERS.append(cls)
    return cls


class ControllerManager(Component):
    name = "controller-manager"

    def __init__(self, client: Any, clock: Clock, errors: ErrorLog, namer: EventNamer,
                 config: Optional[ControllerConfig] = None,
                 controllers: Optional[list[type[KubeController]]] = None) -> None:
        super().__init__(client.as_user(auth.UserInfo(auth.KUBE_CONTROLLER_MANAGER_USER,
                                                      (auth.ALL_AUTHENTICATED,))), clock, errors)
        self.namer = namer
        self.config = config or ControllerConfig()
        self._classes = controllers
        self.by_name: dict[str, KubeController] = {}

    def setup(self) -> None:
        ctx = ControllerContext(self.client, self.clock, self.informers, self.report, self.namer, self.config)
        self.by_name = {}
        for cls in self._classes if self._classes is not None else _all_controllers():
            controller = cls(ctx)
            controller.setup()
            self.add(controller)
            self.by_name[controller.name] = controller


    def on_start(self) -> None:
        self._ensure_service_accounts()

    def _ensure_service_accounts(self) -> None:
        """With --use-service-account-credentials, kube-controller-manager creates each
        controller's ServiceAccount in kube-system before using it (SAControllerClientBuilder)."""
        for name in sorted(self.by_name):
            try:
                self.client.create({"apiVersion": "v1", "kind": "ServiceAccount",
                                    "metadata": {"name": name, "namespace": "kube-system"}})
            except StatusError as err:
                if err.code == 404:
                    return  # no kube-system namespace (a bare test server): nothing to do
                if err.code != 409:
                    self.report(f"creating serviceaccount kube-system/{name}", err)


def _all_controllers() -> list[type[KubeController]]:
    # Importing the package registers every controller module.
    import labkube.core.controllers  # noqa: F401

    return list(CONTROLLERS)
