"""Per-kind registry behaviour (kube-apiserver's pkg/registry/<group>/<kind>/strategy.go).

:func:`default_strategies` registers the strategy of every kind the foundation serves; a later
issue adds a kind with ``server.strategies.register(group, kind, SomeStrategy())`` next to its
``ResourceType`` registration. Kinds without a registered strategy get the default
:class:`Strategy` (no status subresource, no generation, immediate delete, Status response).
"""

from __future__ import annotations

from typing import Callable, Optional

from labkube.core.api.registry.apps import DeploymentStrategy, ReplicaSetStrategy, scale_from
from labkube.core.api.registry.apps_statefulset import StatefulSetStrategy
from labkube.core.api.registry.apiextensions import CustomResourceDefinitionStrategy
from labkube.core.api.registry.apps_daemonset import ControllerRevisionStrategy, DaemonSetStrategy
from labkube.core.api.registry.autoscaling import HorizontalPodAutoscalerStrategy
from labkube.core.api.registry.batch import CronJobStrategy, JobStrategy
from labkube.core.api.registry.policy import PodDisruptionBudgetStrategy
from labkube.core.api.registry.replication import PodTemplateStrategy, ReplicationControllerStrategy
from labkube.core.api.registry.generic import (
    EndpointSliceStrategy,
    EventStrategy,
    EventsV1Strategy,
    GenerationStrategy,
    IngressStrategy,
    NodeStrategy,
    ReturnObjectStrategy,
    SecretStrategy,
)
from labkube.core.api.registry.namespaces import NamespaceStrategy
from labkube.core.api.registry.pods import PodStrategy
from labkube.core.api.registry.resourcequota import ResourceQuotaStrategy
from labkube.core.api.registry.scheduling import PriorityClassStrategy
from labkube.core.api.registry.services import ServiceStrategy
from labkube.core.api.registry.storage import (
    PersistentVolumeClaimStrategy,
    PersistentVolumeStrategy,
    StorageClassStrategy,
)
from labkube.core.api.registry.strategy import (
    FINALIZER_FOREGROUND,
    FINALIZER_ORPHAN,
    ServerContext,
    Strategy,
    StrategyRegistry,
)

__all__ = [
    "FINALIZER_FOREGROUND",
    "FINALIZER_ORPHAN",
    "ServerContext",
    "Strategy",
    "StrategyRegistry",
    "default_strategies",
    "scale_from",
]


def default_strategies(
    ip_family_defaults: Optional[Callable[[dict], None]] = None,
) -> StrategyRegistry:
    """The strategies of the foundation's kinds."""
    registry = StrategyRegistry()
    registry.register("", "Pod", PodStrategy())
    registry.register("", "Service", ServiceStrategy(ip_family_defaults))
    registry.register("", "Namespace", NamespaceStrategy())
    registry.register("", "Node", NodeStrategy())
    registry.register("", "Secret", SecretStrategy())
    registry.register("", "ResourceQuota", ResourceQuotaStrategy())
    registry.register("", "Event", EventStrategy())
    registry.register("events.k8s.io", "Event", EventsV1Strategy())
    registry.register("", "ServiceAccount", ReturnObjectStrategy())
    registry.register("", "PersistentVolume", PersistentVolumeStrategy())
    registry.register("", "PersistentVolumeClaim", PersistentVolumeClaimStrategy())
    registry.register("", "ReplicationController", ReplicationControllerStrategy())
    registry.register("", "PodTemplate", PodTemplateStrategy())
    registry.register("storage.k8s.io", "StorageClass", StorageClassStrategy())
    registry.register("apps", "Deployment", DeploymentStrategy())
    registry.register("apps", "ReplicaSet", ReplicaSetStrategy())
    registry.register("apps", "StatefulSet", StatefulSetStrategy())
    registry.register("batch", "Job", JobStrategy())
    registry.register("autoscaling", "HorizontalPodAutoscaler", HorizontalPodAutoscalerStrategy())
    registry.register("batch", "CronJob", CronJobStrategy())
    registry.register("policy", "PodDisruptionBudget", PodDisruptionBudgetStrategy())
    registry.register("apps", "DaemonSet", DaemonSetStrategy())
    registry.register("apps", "ControllerRevision", ControllerRevisionStrategy())
    registry.register("networking.k8s.io", "Ingress", IngressStrategy())
    registry.register("networking.k8s.io", "IngressClass", GenerationStrategy())
    registry.register("networking.k8s.io", "NetworkPolicy", GenerationStrategy())  # networkpolicy/strategy.go
    registry.register("discovery.k8s.io", "EndpointSlice", EndpointSliceStrategy())
    registry.register("scheduling.k8s.io", "PriorityClass", PriorityClassStrategy())
    registry.register("apiextensions.k8s.io", "CustomResourceDefinition", CustomResourceDefinitionStrategy())
    return registry
