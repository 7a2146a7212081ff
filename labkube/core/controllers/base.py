"""What every kube-controller-manager controller gets: a client, informers, a recorder, config.

Mirrors pkg/controller's ``ControllerContext`` and the per-controller client identities of
kube-controller-manager (``--use-service-account-credentials``): each controller acts as its own
ServiceAccount in kube-system (``system:serviceaccount:kube-system:replicaset-controller``) and
is authorized by its ``system:controller:<name>`` ClusterRole, so the audit stream says exactly
which controller did what.

A controller subclasses :class:`KubeController`, sets ``name`` (also its event source, e.g.
``replicaset-controller``), wires informers and handlers in ``setup()`` and reconciles in
``sync(key)``. Register it in :mod:`labkube.core.controllers.manager`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from labkube.core.api import auth
from labkube.core.clock import Clock
from labkube.core.machinery import Controller, EventNamer, EventRecorder, InformerFactory


@dataclass(frozen=True)
class ControllerConfig:
    """kube-controller-manager flags that lessons may want to change."""

    #: --node-monitor-grace-period: a node that has not heartbeated this long is NotReady/Unknown.
    node_monitor_grace_period: float = 50.0  # 1.32 default (40 s before: kubernetes#126287)
    #: --node-monitor-period: how often the node lifecycle controller looks.
    node_monitor_period: float = 5.0
    #: --node-startup-grace-period.
    node_startup_grace_period: float = 60.0
    #: DefaultTolerationSeconds admission: not-ready/unreachable tolerations added to pods.
    default_toleration_seconds: int = 300
    #: --terminated-pod-gc-threshold.
    terminated_pod_gc_threshold: int = 12500
    #: Pod GC period (pkg/controller/podgc: gcCheckPeriod).
    pod_gc_period: float = 20.0


@dataclass
class ControllerContext:
    """Shared by the controllers of one controller-manager process."""

    client: Any  # the controller-manager's own client (system:kube-controller-manager)
    clock: Clock
    informers: InformerFactory
    report: Callable[[str, BaseException], None]
    namer: EventNamer
    config: ControllerConfig = field(default_factory=ControllerConfig)

    def client_for(self, controller: str) -> Any:
        """A client acting as the controller's own ServiceAccount, as with service-account credentials."""
        return self.client.as_user(auth.controller(controller))

    def recorder(self, component: str) -> EventRecorder:
        return EventRecorder(self.client_for(component), self.clock, component, namer=self.namer)


class KubeController(Controller):
    """A controller of kube-controller-manager: its own identity, recorder and informers."""

    name = "controller"

    def __init__(self, ctx: ControllerContext) -> None:
        super().__init__(ctx.clock, ctx.report)
        self.ctx = ctx
        self.client = ctx.client_for(self.name)
        self.recorder = ctx.recorder(self.name)

    def setup(self) -> None:
        """Get informers from ``self.ctx.informers`` and add event handlers that enqueue keys."""
