"""The resource registry: which kinds the API server serves, and how each is named.

Mirrors the API server's discovery data (``kubectl api-resources``) and kubectl's REST mapper:
for each resource its group, version, kind, plural (the URL and storage name), singular,
short names, whether it is namespaced, its categories (``kubectl get all``), verbs and
subresources.

Adding a kind is a registration, never an edit of the server: call :meth:`Registry.register`
with a :class:`ResourceType` (and register its defaulting/validation/strategy hooks in their
own modules). Job, DaemonSet, StatefulSet, ControllerRevision, PersistentVolume(Claim),
StorageClass, NetworkPolicy, LimitRange, ResourceQuota, CronJob, HorizontalPodAutoscaler (v2,
and v1 converted from the same storage), PodDisruptionBudget, PriorityClass,
ReplicationController, PodTemplate and CustomResourceDefinition were added this way; the
custom resources a CRD defines are registered the same way, per cluster, once the CRD is
established (see labkube.core.apiextensions).

Names resolve as kubectl resolves them: ``pods``, ``pod``, ``po``, ``Pod``,
``deployments.apps``, ``deploy``, ``deployments.v1.apps`` all find their resource.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property

from labkube.core import errors

#: Kinds Kubernetes 1.32 serves that labkube does not serve yet; later issues register them.
NOT_YET_SERVED: frozenset = frozenset()

STANDARD_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class ResourceType:
    group: str  # "" for the core group
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = STANDARD_VERBS
    subresources: tuple[str, ...] = ()
    #: Where the kind is kept under ``/registry/`` when that is not its plural: a resource
    #: served under two groups (Event in v1 and events.k8s.io), and the prefixes compiled into
    #: kube-apiserver (``SpecialDefaultResourcePrefixes`` in pkg/kubeapiserver/
    #: default_storage_factory_builder.go: Nodes are ``minions``, Services ``services/specs``).
    storage_resource: str = ""

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_version(self) -> str:
        return self.api_version

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    @property
    def qualified_resource(self) -> str:
        """``pods``, ``deployments.apps`` — how errors name the resource."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def qualified_kind(self) -> str:
        """``Pod``, ``Deployment.apps`` — how Invalid errors name the kind."""
        return f"{self.kind}.{self.group}" if self.group else self.kind

    @cached_property
    def storage_prefix(self) -> str:
        """The store key prefix: ``/registry/<resource>/`` (made once: every request's store
        key starts with it)."""
        return f"/registry/{self.storage_resource or self.plural}/"

    def key(self, namespace: str | None, name: str) -> str:
        if self.namespaced:
            return f"{self.storage_prefix}{namespace}/{name}"
        return f"{self.storage_prefix}{name}"

    def prefix(self, namespace: str | None = None) -> str:
        if self.namespaced and namespace:
            return f"{self.storage_prefix}{namespace}/"
        return self.storage_prefix


@dataclass
class Registry:
    """All served resources; thread-safe registration and lookup."""

    _types: list[ResourceType] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, rtype: ResourceType) -> ResourceType:
        with self._lock:
            for existing in self._types:
                if (existing.group, existing.version, existing.kind) == (
                    rtype.group,
                    rtype.version,
                    rtype.kind,
                ):
                    raise ValueError(f"{rtype.kind} in {rtype.api_version} is already registered")
            self._types.append(rtype)
        return rtype

    def all(self) -> list[ResourceType]:
        with self._lock:
            return list(self._types)

    def for_kind(self, api_version: str, kind: str) -> ResourceType:
        """The resource for an object's ``apiVersion``/``kind``, or kubectl's no-match error.

        Kinds that real Kubernetes serves but labkube does not yet (CronJob, PodDisruptionBudget, ...) get
        the same error with a note saying so, so a student is not sent looking for a CRD.
        """
        for rtype in self.all():
            if rtype.api_version == api_version and rtype.kind == kind:
                return rtype
        if (api_version, kind) in NOT_YET_SERVED:
            raise errors.StatusError(
                404,
                "NotFound",
                f'no matches for kind "{kind}" in version "{api_version}": '
                f"labkube does not support {kind} yet",
            )
        raise errors.no_kind_match(kind, api_version)

    def resolve(self, name: str) -> ResourceType:
        """Resolve a kubectl-style resource name (plural, singular, short, Kind, qualified)."""
        if not isinstance(name, str):
            raise TypeError(f'a resource is named by a string such as "pods" or "deployment", '
                            f"not a {type(name).__name__}")
        text = name.strip()
        resource, _, qualifier = text.partition(".")
        candidates = self._preferred_first(self.all())
        for rtype in candidates:
            if qualifier and qualifier not in (rtype.group, f"{rtype.version}.{rtype.group}".rstrip(".")):
                continue
            lowered = resource.lower()
            if lowered in (rtype.plural, rtype.singular, rtype.kind.lower()) or lowered in rtype.short_names:
                return rtype
        raise errors.StatusError(
            404,
            "NotFound",
            f'the server doesn\'t have a resource type "{text}"',
        )

    def category(self, category: str) -> list[ResourceType]:
        """The preferred version of each resource in ``category`` (``kubectl get all``)."""
        seen: set[tuple[str, str]] = set()
        kept = []
        for rtype in self._preferred_first(self.all()):
            if category in rtype.categories and (rtype.group, rtype.plural) not in seen:
                seen.add((rtype.group, rtype.plural))
                kept.append(rtype)
        return kept

    @staticmethod
    def _preferred_first(types: list[ResourceType]) -> list[ResourceType]:
        # The core group wins ties (``events`` is v1 Event before events.k8s.io), as in
        # kubectl's priority REST mapper.
        return sorted(types, key=lambda r: 0 if r.group == "" else 1)


def _core() -> list[ResourceType]:
    """The kinds issue #2 serves, with the names ``kubectl api-resources`` prints."""
    R = ResourceType
    return [
        R("", "v1", "Namespace", "namespaces", "namespace", False, ("ns",),
          verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
          subresources=("status", "finalize")),
        R("", "v1", "Node", "nodes", "node", False, ("no",), subresources=("status",),
          storage_resource="minions"),
        R("", "v1", "Pod", "pods", "pod", True, ("po",), ("all",),
          subresources=("status", "binding", "log", "exec", "eviction", "ephemeralcontainers")),
        R("", "v1", "PodTemplate", "podtemplates", "podtemplate", True),
        R("", "v1", "ReplicationController", "replicationcontrollers", "replicationcontroller", True,
          ("rc",), ("all",), subresources=("status", "scale"), storage_resource="controllers"),
        R("", "v1", "Service", "services", "service", True, ("svc",), ("all",),
          verbs=("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
          subresources=("status",), storage_resource="services/specs"),
        R("", "v1", "Endpoints", "endpoints", "endpoints", True, ("ep",),
          storage_resource="services/endpoints"),
        R("", "v1", "ConfigMap", "configmaps", "configmap", True, ("cm",)),
        R("", "v1", "LimitRange", "limitranges", "limitrange", True, ("limits",)),
        R("", "v1", "ResourceQuota", "resourcequotas", "resourcequota", True, ("quota",),
          subresources=("status",)),
        R("", "v1", "Secret", "secrets", "secret", True),
        R("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", True, ("sa",),
          subresources=("token",)),
        R("", "v1", "PersistentVolume", "persistentvolumes", "persistentvolume", False, ("pv",),
          subresources=("status",)),
        R("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", True,
          ("pvc",), subresources=("status",)),
        R("", "v1", "Event", "events", "event", True, ("ev",)),
        R("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", True),
        R("events.k8s.io", "v1", "Event", "events", "event", True, ("ev",), storage_resource="events"),
        R("coordination.k8s.io", "v1", "Lease", "leases", "lease", True),
        R("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", True),
        R("apps", "v1", "DaemonSet", "daemonsets", "daemonset", True, ("ds",), ("all",),
          subresources=("status",)),
        R("apps", "v1", "Deployment", "deployments", "deployment", True, ("deploy",), ("all",),
          subresources=("status", "scale")),
        R("apps", "v1", "ReplicaSet", "replicasets", "replicaset", True, ("rs",), ("all",),
          subresources=("status", "scale")),
        R("apps", "v1", "StatefulSet", "statefulsets", "statefulset", True, ("sts",), ("all",),
          subresources=("status", "scale")),
        # kube-apiserver's group order: autoscaling before batch (kubectl get all shows hpa first).
        R("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
          "horizontalpodautoscaler", True, ("hpa",), ("all",), subresources=("status",)),
        R("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
          "horizontalpodautoscaler", True, ("hpa",), ("all",), subresources=("status",)),
        R("batch", "v1", "CronJob", "cronjobs", "cronjob", True, ("cj",), ("all",), subresources=("status",)),
        R("batch", "v1", "Job", "jobs", "job", True, (), ("all",), subresources=("status",)),
        R("networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", True, ("ing",),
          subresources=("status",), storage_resource="ingress"),
        R("networking.k8s.io", "v1", "IngressClass", "ingressclasses", "ingressclass", False),
        R("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", "networkpolicy", True, ("netpol",)),
        R("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", True, ("pdb",),
          subresources=("status",)),
        R("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", "priorityclass", False, ("pc",)),
        R("rbac.authorization.k8s.io", "v1", "Role", "roles", "role", True),
        R("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", True),
        R("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole", False),
        R("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings",
          "clusterrolebinding", False),
        R("storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", False, ("sc",)),
        R("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
          "customresourcedefinition", False, ("crd", "crds"), ("api-extensions",), subresources=("status",),
          storage_resource="apiextensions.k8s.io/customresourcedefinitions"),
    ]


def default_registry() -> Registry:
    """A fresh registry holding the core set."""
    registry = Registry()
    for rtype in _core():
        registry.register(rtype)
    return registry
