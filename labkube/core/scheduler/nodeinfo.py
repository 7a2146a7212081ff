"""What the scheduler knows about a pod and a node, computed once from the API dicts.

Mirrors pkg/scheduler/framework/types.go: ``PodInfo`` (a pod with its parsed affinity terms
and, here, its parsed resource requests), ``Resource`` and ``NodeInfo`` (a node with the pods
bound or assumed on it, the sums of their requests — plain and "non-zero" — and the pods that
carry inter-pod affinity, kept up to date as pods come and go).

Guarantees: built only from plain API dicts (never mutated); quantities are parsed once per
pod (``PodInfo`` is cached by the snapshot per uid and resourceVersion, and a pod whose parsed
spec fields equal those of the pod parsed before it — the next replica of a template — shares
that pod's parsed parts) and once per node allocatable (a new version of a node with the same
allocatable keeps it); adding then removing a pod restores a NodeInfo's sums exactly; every
aggregate is an integer (milli-CPU, bytes).
"""

from __future__ import annotations

import itertools
import json
import operator

from labkube.core.scheduler import helpers
from labkube.core.scheduler.helpers import CPU, EPHEMERAL_STORAGE, MEMORY, PODS


class Resource:
    """``framework.Resource``: milli-CPU, memory and ephemeral storage in bytes, pod slots, scalars."""

    __slots__ = ("milli_cpu", "memory", "ephemeral_storage", "allowed_pods", "scalars")

    def __init__(self, milli_cpu: int = 0, memory: int = 0, ephemeral_storage: int = 0,
                 allowed_pods: int = 0, scalars: dict | None = None):
        self.milli_cpu = milli_cpu
        self.memory = memory
        self.ephemeral_storage = ephemeral_storage
        self.allowed_pods = allowed_pods
        self.scalars = scalars or {}

    @classmethod
    def from_amounts(cls, amounts: dict) -> "Resource":
        """From exact amounts per resource name (``Resource.Add`` over a ResourceList)."""
        r = cls()
        for name, amount in amounts.items():
            if name == CPU:
                r.milli_cpu += helpers.milli(amount)
            elif name == MEMORY:
                r.memory += helpers.value(amount)
            elif name == EPHEMERAL_STORAGE:
                r.ephemeral_storage += helpers.value(amount)
            elif name == PODS:
                r.allowed_pods += helpers.value(amount)
            elif helpers.is_scalar_resource(name):
                r.scalars[name] = r.scalars.get(name, 0) + helpers.value(amount)
        return r

    def add(self, other: "Resource", sign: int = 1) -> None:
        self.milli_cpu += sign * other.milli_cpu
        self.memory += sign * other.memory
        self.ephemeral_storage += sign * other.ephemeral_storage
        for name, amount in other.scalars.items():
            self.scalars[name] = self.scalars.get(name, 0) + sign * amount

    def is_zero(self) -> bool:
        return not (self.milli_cpu or self.memory or self.ephemeral_storage or self.scalars)

    def to_dict(self) -> dict:
        out = {"cpu": f"{self.milli_cpu}m", "memory": str(self.memory)}
        if self.ephemeral_storage:
            out["ephemeral-storage"] = str(self.ephemeral_storage)
        if self.allowed_pods:
            out["pods"] = str(self.allowed_pods)
        out.update({k: str(v) for k, v in sorted(self.scalars.items())})
        return out

    def __repr__(self) -> str:
        return f"Resource({self.to_dict()})"


class AffinityTerm:
    """``framework.AffinityTerm``: one pod (anti-)affinity term, selector compiled, weight attached."""

    __slots__ = ("namespaces", "namespace_selector", "selector", "topology_key", "weight",
                 "equalities", "label_selector", "key")

    def __init__(self, pod_namespace: str, term: dict, weight: int = 0):
        self.label_selector = term.get("labelSelector")
        self.selector = helpers.compile_selector(self.label_selector)
        self.equalities = helpers.equality_requirements(self.label_selector)
        namespaces = term.get("namespaces") or ()
        ns_selector = term.get("namespaceSelector")
        if not namespaces and ns_selector is None:
            namespaces = (pod_namespace,)
        self.namespaces = frozenset(namespaces)
        self.namespace_selector = None if ns_selector is None else helpers.compile_selector(ns_selector)
        self.topology_key = term.get("topologyKey", "")
        self.weight = weight
        #: identifies terms that select the same pods in the same domains
        self.key = (self.namespaces, json.dumps(self.label_selector, sort_keys=True),
                    json.dumps(ns_selector, sort_keys=True), self.topology_key)

    def matches(self, pod: "PodInfo", namespace_labels: dict | None) -> bool:
        """``AffinityTerm.Matches``: namespace listed or selected, then the label selector."""
        if pod.namespace in self.namespaces or (
                self.namespace_selector is not None
                and self.namespace_selector(namespace_labels or {})):
            return self.selector(pod.labels)
        return False


def _terms(pod_namespace: str, block: dict | None, key: str) -> tuple[AffinityTerm, ...]:
    if not block:
        return ()
    items = block.get(key) or ()
    if key.startswith("required"):
        return tuple(AffinityTerm(pod_namespace, t) for t in items)
    return tuple(AffinityTerm(pod_namespace, w.get("podAffinityTerm") or {}, int(w.get("weight") or 0))
                 for w in items)


REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"


#: The spec fields PodInfo parses; a new version of a pod with these unchanged (the usual
#: case: a binding sets ``nodeName``, the kubelet writes ``status``) shares the parsed parts.
_SPEC_FIELDS = ("containers", "initContainers", "overhead", "affinity", "tolerations", "priority")
#: ... of which these are compared whole (and the two container lists field by field):
_WHOLE_SPEC_FIELDS = ("overhead", "affinity", "tolerations", "priority")
#: The container fields PodInfo parses (``resources.requests``, ``image``; ``restartPolicy``
#: makes an init container a sidecar). Two replicas of one template differ in other fields:
#: each pod's service account token volume has its own random name, and so do the
#: ``volumeMounts`` that mount it.
_CONTAINER_FIELDS = ("image", "resources", "restartPolicy")
_PARSED_FROM_SPEC = ("priority", "tolerations", "requests", "non_zero_cpu", "non_zero_memory",
                     "images", "required_affinity", "required_anti_affinity", "preferred_affinity",
                     "preferred_anti_affinity", "has_affinity", "has_scoring_terms")
#: A PodInfo's :data:`_PARSED_FROM_SPEC` values, as one tuple (read in C).
_parsed_parts = operator.attrgetter(*_PARSED_FROM_SPEC)


def _same_parsed_spec(old: dict, new: dict) -> bool:
    """Whether two pod specs agree on every field in :data:`_SPEC_FIELDS`, the containers
    compared only on what PodInfo parses from them (:data:`_CONTAINER_FIELDS`)."""
    if all(map(operator.eq, map(old.get, _SPEC_FIELDS), map(new.get, _SPEC_FIELDS))):
        return True  # all equal (a new version of the same pod), compared in C
    return (all(map(operator.eq, map(old.get, _WHOLE_SPEC_FIELDS), map(new.get, _WHOLE_SPEC_FIELDS)))
            and _same_parsed_containers(old.get("containers"), new.get("containers"))
            and _same_parsed_containers(old.get("initContainers"), new.get("initContainers")))


def _same_parsed_containers(old: list | None, new: list | None) -> bool:
    """Whether two container lists agree on every container's :data:`_CONTAINER_FIELDS`."""
    if old == new:
        return True
    if not old or not new or len(old) != len(new):
        return False
    return all(map(operator.eq, map(_parsed_fields, old), map(_parsed_fields, new)))


def _parsed_fields(container: dict) -> tuple:
    return tuple(map(container.get, _CONTAINER_FIELDS))


class PodInfo:
    """``framework.PodInfo``: the pod dict plus what scheduling reads from it, parsed once
    (and not again for a new version of the pod whose parsed fields did not change)."""

    __slots__ = ("pod", "uid", "name", "namespace", "key", "labels", "node_name", "priority",
                 "requests", "non_zero_cpu", "non_zero_memory", "tolerations",
                 "required_affinity", "required_anti_affinity", "preferred_affinity",
                 "preferred_anti_affinity", "has_affinity", "has_scoring_terms", "terminating", "images",
                 "resource_version")

    def __init__(self, pod: dict, previous: "PodInfo | None" = None):
        meta = pod.get("metadata") or {}
        spec = pod.get("spec") or {}
        self.pod = pod
        self.name = meta.get("name", "")
        self.namespace = meta.get("namespace", "default")
        self.uid = meta.get("uid") or f"{self.namespace}/{self.name}"
        self.key = f"{self.namespace}/{self.name}"
        self.resource_version = meta.get("resourceVersion", "")
        self.labels = meta.get("labels") or {}
        self.node_name = spec.get("nodeName") or ""
        self.terminating = meta.get("deletionTimestamp") is not None
        if previous is not None and previous.namespace == self.namespace and _same_parsed_spec(
                previous.pod.get("spec") or {}, spec):
            for slot, parsed in zip(_PARSED_FROM_SPEC, _parsed_parts(previous)):
                setattr(self, slot, parsed)
        else:
            self._parse_spec(spec)

    def _parse_spec(self, spec: dict) -> None:
        """Everything in :data:`_PARSED_FROM_SPEC` (the costly part: quantities, terms)."""
        pod = self.pod
        self.priority = int(spec.get("priority") or 0)
        self.tolerations = tuple(spec.get("tolerations") or ())
        self.requests = Resource.from_amounts(helpers.pod_requests(pod))
        non_zero = Resource.from_amounts(helpers.pod_requests(pod, helpers.NON_ZERO_DEFAULTS))
        self.non_zero_cpu, self.non_zero_memory = non_zero.milli_cpu, non_zero.memory
        self.images = tuple(c.get("image", "") for c in
                            list(spec.get("initContainers") or ()) + list(spec.get("containers") or ()))
        affinity = spec.get("affinity") or {}
        pod_affinity = affinity.get("podAffinity")
        pod_anti = affinity.get("podAntiAffinity")
        self.required_affinity = _terms(self.namespace, pod_affinity, REQUIRED)
        self.required_anti_affinity = _terms(self.namespace, pod_anti, REQUIRED)
        self.preferred_affinity = _terms(self.namespace, pod_affinity, PREFERRED)
        self.preferred_anti_affinity = _terms(self.namespace, pod_anti, PREFERRED)
        self.has_affinity = pod_affinity is not None or pod_anti is not None
        #: terms that can change another pod's InterPodAffinity score
        self.has_scoring_terms = bool(self.required_affinity or self.preferred_affinity
                                      or self.preferred_anti_affinity)

    def same_for_node(self, other: "PodInfo") -> bool:
        """Whether swapping ``other`` for this version changes nothing a NodeInfo or the
        snapshot's indexes hold (same node, spec parsing shared, same labels)."""
        return (self.requests is other.requests and self.node_name == other.node_name
                and self.namespace == other.namespace and self.labels == other.labels
                and self.terminating == other.terminating)

    @property
    def spec(self) -> dict:
        return self.pod.get("spec") or {}

    def __repr__(self) -> str:
        return f"PodInfo({self.key})"


def is_terminated(pod: dict) -> bool:
    """Pods in phase Succeeded or Failed no longer hold resources on their node."""
    return ((pod.get("status") or {}).get("phase")) in ("Succeeded", "Failed")


def _allocatable_of(node: dict) -> dict:
    return (node.get("status") or {}).get("allocatable") or {}


#: ``nextGeneration()``: one counter for all NodeInfos, so a generation names one state of one node.
_generations = itertools.count(1)


class NodeInfo:
    """``framework.NodeInfo``: a node, the pods on it and the sums the filters and scores read.

    ``alloc_cpu``/``alloc_memory``/``req_cpu``/``req_memory`` repeat the cpu and memory of
    ``allocatable`` and ``requested`` as plain attributes for the hot loops.

    ``requested`` sums the pods' requests; ``non_zero_requested_*`` sums them with the
    scheduler's defaults (100m CPU, 200Mi memory) for containers that request nothing.
    ``image_sizes`` maps every image name in ``status.images`` to its size in bytes.
    """

    __slots__ = ("node", "name", "labels", "taints", "unschedulable", "allocatable",
                 "requested", "non_zero_requested_cpu", "non_zero_requested_memory", "pods",
                 "pods_with_affinity", "pods_with_required_anti_affinity", "image_sizes",
                 "generation", "alloc_cpu", "alloc_memory", "req_cpu", "req_memory", "free_cpu",
                 "free_memory", "free_pods")

    def __init__(self, node: dict):
        self.pods: dict[str, PodInfo] = {}
        self.pods_with_affinity: dict[str, PodInfo] = {}
        self.pods_with_required_anti_affinity: dict[str, PodInfo] = {}
        self.requested = Resource()
        self.non_zero_requested_cpu = 0
        self.non_zero_requested_memory = 0
        self.req_cpu = self.req_memory = 0
        self.generation = 0
        self.node: dict | None = None
        self.set_node(node)

    def set_node(self, node: dict) -> None:
        """``NodeInfo.SetNode``: take a (new version of the) node; pod sums are kept."""
        meta = node.get("metadata") or {}
        spec = node.get("spec") or {}
        status = node.get("status") or {}
        allocatable = status.get("allocatable") or {}
        if self.node is None or allocatable != _allocatable_of(self.node):
            # parsed again only when it changed (a kubelet's status updates seldom change it)
            self.allocatable = Resource.from_amounts(
                {k: helpers.parse_quantity(str(v)).amount for k, v in allocatable.items()})
        self.node = node
        self.name = meta.get("name", "")
        self.labels = meta.get("labels") or {}
        self.taints = tuple(spec.get("taints") or ())
        self.unschedulable = bool(spec.get("unschedulable"))
        self.alloc_cpu, self.alloc_memory = self.allocatable.milli_cpu, self.allocatable.memory
        self._update_free()
        self.image_sizes = {}
        for image in status.get("images") or ():
            for name in image.get("names") or ():
                self.image_sizes[name] = int(image.get("sizeBytes") or 0)
        self.generation = next(_generations)

    def _update_free(self) -> None:
        self.req_cpu, self.req_memory = self.requested.milli_cpu, self.requested.memory
        self.free_cpu = self.alloc_cpu - self.req_cpu
        self.free_memory = self.alloc_memory - self.req_memory
        self.free_pods = self.allocatable.allowed_pods - len(self.pods)

    def add_pod(self, info: PodInfo) -> None:
        """``NodeInfo.AddPod``."""
        self.pods[info.uid] = info
        self.requested.add(info.requests)
        self._update_free()
        self.non_zero_requested_cpu += info.non_zero_cpu
        self.non_zero_requested_memory += info.non_zero_memory
        if info.has_affinity:
            self.pods_with_affinity[info.uid] = info
        if info.required_anti_affinity:
            self.pods_with_required_anti_affinity[info.uid] = info
        self.generation = next(_generations)

    def remove_pod(self, uid: str) -> PodInfo | None:
        """``NodeInfo.RemovePod``: undo :meth:`add_pod`; None when the pod is not here."""
        info = self.pods.pop(uid, None)
        if info is None:
            return None
        self.requested.add(info.requests, -1)
        self._update_free()
        self.non_zero_requested_cpu -= info.non_zero_cpu
        self.non_zero_requested_memory -= info.non_zero_memory
        self.pods_with_affinity.pop(uid, None)
        self.pods_with_required_anti_affinity.pop(uid, None)
        self.generation = next(_generations)
        return info

    def clone(self) -> "NodeInfo":
        """A copy whose pod set and sums can change without touching this one (for preemption)."""
        copy = NodeInfo.__new__(NodeInfo)
        for slot in NodeInfo.__slots__:
            setattr(copy, slot, getattr(self, slot))
        copy.pods = dict(self.pods)
        copy.pods_with_affinity = dict(self.pods_with_affinity)
        copy.pods_with_required_anti_affinity = dict(self.pods_with_required_anti_affinity)
        copy.requested = Resource(self.requested.milli_cpu, self.requested.memory,
                                  self.requested.ephemeral_storage, 0, dict(self.requested.scalars))
        return copy

    def __repr__(self) -> str:
        return f"NodeInfo({self.name}, pods={len(self.pods)}, requested={self.requested})"
