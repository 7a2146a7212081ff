"""Resource quota arithmetic and the evaluators that say what an object costs.

Mirrors k8s.io/apiserver/pkg/quota/v1 (``resources.go``: ``Add``, ``Mask``, ``LessThanOrEqual``,
``RemoveZeros``; ``generic/evaluator.go``: the object-count evaluator and ``Matches``) and
pkg/quota/v1/evaluator/core (``pods.go``, ``services.go``, ``persistent_volume_claims.go``), as
Kubernetes 1.32 has them. The ResourceQuota admission plugin
(:mod:`labkube.core.api.admission_quota`) charges a new object's usage against the quotas of its
namespace; the resource-quota controller (:mod:`labkube.core.controllers.resourcequota`) adds up
the usage of everything in a namespace. Both ask an :class:`Evaluator` here.

A resource list is a ``dict`` of resource name to :class:`~labkube.core.api.quantity.Quantity`.
A worked example, the docs' "quota-mem-cpu" page::

    hard  = requests.cpu=1, requests.memory=1Gi, limits.cpu=2, limits.memory=2Gi
    pod 1 = requests cpu 400m memory 600Mi, limits cpu 800m memory 800Mi
    used  = requests.cpu=400m, requests.memory=600Mi, limits.cpu=800m, limits.memory=800Mi
    pod 2 asks requests.memory=700Mi: 600Mi + 700Mi > 1Gi, so the create is refused with
    "exceeded quota: mem-cpu-demo, requested: requests.memory=700Mi, used:
    requests.memory=600Mi, limited: requests.memory=1Gi".

What a pod costs (``PodUsageFunc``): ``count/pods`` always; unless it is terminal (Succeeded,
Failed) or stuck past its deletion grace period, also ``pods`` and its requests and limits under
``cpu``/``requests.cpu``, ``limits.cpu``, ``memory``/``requests.memory``, ``limits.memory``,
``ephemeral-storage``..., hugepages and extended resources (``requests.<name>``). A quota on cpu
or memory makes every container say what it wants (``Constraints``: "must specify ...").

Guarantees: pure functions over plain API dicts, the clock passed in; nothing mutates its input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from labkube.core.api.admission_storage import claim_class
from labkube.core.api.defaults import pod_qos_class
from labkube.core.api.quantity import DECIMAL_SI, Quantity, parse_quantity
from labkube.core.clock import parse_timestamp

ResourceList = dict  # resource name -> Quantity

# -- resource names (pkg/apis/core/types.go, pkg/apis/core/helper) ----------------------------

POD_OBJECT_COUNT = "count/pods"
REQUESTS_PREFIX = "requests."
HUGEPAGES_PREFIX = "hugepages-"
REQUESTS_HUGEPAGES_PREFIX = "requests.hugepages-"
STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/"

#: ``podResources``: what the pod evaluator tracks, besides hugepages and extended resources.
POD_RESOURCES = (
    POD_OBJECT_COUNT, "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
    "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
)
#: ``validationSet``: a quota on one of these makes every container set it ("a mistake", says
#: pods.go, kept for backward compatibility).
MUST_SPECIFY = frozenset({"cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"})

#: Object counts with a legacy name besides ``count/<resource>`` (``generic`` evaluators).
LEGACY_COUNT_NAMES = {
    "configmaps": "configmaps",
    "secrets": "secrets",
    "resourcequotas": "resourcequotas",
    "replicationcontrollers": "replicationcontrollers",
}

# -- scopes (ResourceQuotaScope) ------------------------------------------------------------

TERMINATING, NOT_TERMINATING = "Terminating", "NotTerminating"
BEST_EFFORT, NOT_BEST_EFFORT = "BestEffort", "NotBestEffort"
PRIORITY_CLASS, CROSS_NAMESPACE_POD_AFFINITY = "PriorityClass", "CrossNamespacePodAffinity"


# =============================================================================================
# Arithmetic on resource lists (k8s.io/apiserver/pkg/quota/v1/resources.go)
# =============================================================================================


def parse_list(resources: Optional[dict]) -> ResourceList:
    """Quantities of a ``ResourceList`` field (texts as the API server stored them)."""
    return {name: parse_quantity(str(value)) for name, value in (resources or {}).items()}


def as_text(resources: ResourceList) -> dict:
    """The API form, sorted by name as a Go map serializes."""
    return {name: str(resources[name]) for name in sorted(resources)}


def plus(a: Quantity, b: Quantity) -> Quantity:
    """``Quantity.Add``: a zero quantity takes the other's format (0 + 500Mi prints ``500Mi``)."""
    fmt = b.format if a.is_zero() else a.format
    return Quantity(a.amount + b.amount, fmt)


def add(a: ResourceList, b: ResourceList) -> ResourceList:
    result = dict(a)
    for name, quantity in b.items():
        result[name] = plus(result[name], quantity) if name in result else quantity
    return result


def subtract_non_negative(a: ResourceList, b: ResourceList) -> ResourceList:
    """``SubtractWithNonNegativeResult``: what ``a`` adds over ``b``, never below zero."""
    result = {}
    for name, quantity in a.items():
        less = quantity.amount - (b[name].amount if name in b else 0)
        result[name] = Quantity(max(less, 0), quantity.format)
    return result


def mask(resources: ResourceList, names: Iterable[str]) -> ResourceList:
    keep = set(names)
    return {name: q for name, q in resources.items() if name in keep}


def remove_zeros(resources: ResourceList) -> ResourceList:
    return {name: q for name, q in resources.items() if not q.is_zero()}


def exceeded(used: ResourceList, hard: ResourceList) -> list[str]:
    """``LessThanOrEqual``'s complaint: the names whose use is over their hard limit."""
    return sorted(name for name, q in used.items() if name in hard and q.amount > hard[name].amount)


def equal(a: ResourceList, b: ResourceList) -> bool:
    """``quota.Equals``: the same names with the same amounts."""
    return a.keys() == b.keys() and all(a[name].amount == b[name].amount for name in a)


def pretty(resources: ResourceList) -> str:
    """``prettyPrint``: ``name=value`` sorted by name, comma separated (no spaces)."""
    return ",".join(f"{name}={resources[name]}" for name in sorted(resources))


def zero() -> Quantity:
    return Quantity(0, DECIMAL_SI)


# =============================================================================================
# Evaluators (generic object counts; pods, services, persistentvolumeclaims)
# =============================================================================================


def object_count_name(resource: str, group: str = "") -> str:
    """``ObjectCountQuotaResourceNameFor``: ``count/pods``, ``count/deployments.apps``."""
    return f"count/{resource}.{group}" if group else f"count/{resource}"


@dataclass(frozen=True)
class Evaluator:
    """``quota.Evaluator``: what one group-resource costs and which quota names cover it.

    ``tracked`` are the quota names it knows, ``usage(obj, now)`` what an object costs,
    ``handles(operation)`` whether admission charges that write, ``scoped`` whether quota scopes
    apply to it (only pods have scopes: a scoped quota never matches anything else).
    """

    resource: str
    group: str
    tracked: tuple[str, ...]
    usage: Callable[[dict, float], ResourceList]
    operations: frozenset = frozenset({"CREATE"})
    scoped: bool = False
    extra_names: Callable[[str], bool] = lambda name: False

    def handles(self, operation: str) -> bool:
        return operation in self.operations

    def matching_resources(self, names: Iterable[str]) -> list[str]:
        """``MatchingResources``: the quota names (of ``names``) this evaluator charges."""
        tracked = set(self.tracked)
        return sorted(n for n in names if n in tracked or self.extra_names(n))

    def matches(self, resource_quota: dict, obj: dict) -> bool:
        """``generic.Matches``: the quota's status.hard names something charged here, and the
        object matches every scope of the quota."""
        hard = (resource_quota.get("status") or {}).get("hard") or {}
        if not self.matching_resources(hard):
            return False
        return all(self.matches_scope(selector, obj) for selector in scope_selectors(resource_quota))

    def matches_scope(self, selector: dict, obj: dict) -> bool:
        return self.scoped and pod_matches_scope(selector, obj)


def object_count_evaluator(resource: str, group: str = "") -> Evaluator:
    """``generic.NewObjectCountEvaluator``: one of each object, under ``count/<resource>`` (and
    the legacy name for configmaps, secrets, resourcequotas, replicationcontrollers)."""
    names = [object_count_name(resource, group)]
    if not group and resource in LEGACY_COUNT_NAMES:
        names.append(LEGACY_COUNT_NAMES[resource])
    one = Quantity(1, DECIMAL_SI)
    return Evaluator(resource, group, tuple(names), lambda obj, now: {n: one for n in names})


# -- pods ------------------------------------------------------------------------------------


def _is_extended(name: str) -> bool:
    """``IsExtendedResourceName``: a ``vendor/name`` outside kubernetes.io, not ``requests.``."""
    if "/" not in name or "kubernetes.io/" in name or name.startswith(REQUESTS_PREFIX):
        return False
    return True


def _pod_extra_names(name: str) -> bool:
    """Hugepages (``hugepages-``, ``requests.hugepages-``) and ``requests.<extended>``."""
    if name.startswith(HUGEPAGES_PREFIX) or name.startswith(REQUESTS_HUGEPAGES_PREFIX):
        return True
    return name.startswith(REQUESTS_PREFIX) and "/" in name and "kubernetes.io/" not in name


def _sum_into(total: ResourceList, more: ResourceList) -> None:
    for name, quantity in more.items():
        total[name] = plus(total[name], quantity) if name in total else quantity


def _max_into(total: ResourceList, other: ResourceList) -> None:
    for name, quantity in other.items():
        if name not in total or quantity.amount > total[name].amount:
            total[name] = quantity


def pod_totals(pod: dict, field: str, *, overhead: bool = True) -> ResourceList:
    """``resourcehelper.PodRequests``/``PodLimits``: app containers summed, each init container's
    peak (with the restartable "sidecar" init containers started before it) as a floor, plus
    the pod overhead (for limits: only on resources that have a limit) unless ``overhead`` is
    False (``ExcludeOverhead``, as the LimitRanger admission plugin counts)."""
    spec = pod.get("spec") or {}
    total: ResourceList = {}
    for container in spec.get("containers") or ():
        _sum_into(total, parse_list((container.get("resources") or {}).get(field)))
    sidecars: ResourceList = {}
    init_peak: ResourceList = {}
    for container in spec.get("initContainers") or ():
        own = parse_list((container.get("resources") or {}).get(field))
        if container.get("restartPolicy") == "Always":
            _sum_into(total, own)
            _sum_into(sidecars, own)
            in_use = dict(sidecars)
        else:
            in_use = dict(own)
            _sum_into(in_use, sidecars)
        _max_into(init_peak, in_use)
    _max_into(total, init_peak)
    if not overhead:
        return total
    extra = parse_list(spec.get("overhead"))
    if field == "limits":
        extra = {name: q for name, q in extra.items() if name in total and not total[name].is_zero()}
    _sum_into(total, extra)
    return total


def compute_usage(requests: ResourceList, limits: ResourceList) -> ResourceList:
    """``podComputeUsageHelper``: quota names for a container's (or pod's) requests and limits."""
    one = Quantity(1, DECIMAL_SI)
    result: ResourceList = {"pods": one}
    for base in ("cpu", "memory", "ephemeral-storage"):
        if base in requests:
            result[base] = requests[base]
            result[REQUESTS_PREFIX + base] = requests[base]
        if base in limits:
            result["limits." + base] = limits[base]
    for name, quantity in requests.items():
        if name.startswith(HUGEPAGES_PREFIX):
            result[name] = quantity
            result[REQUESTS_PREFIX + name] = quantity
        if _is_extended(name):
            result[REQUESTS_PREFIX + name] = quantity
    return result


def pod_charged(pod: dict, now: float) -> bool:
    """``QuotaV1Pod``: not terminal, and not stuck terminating past its grace period."""
    if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        return False
    meta = pod.get("metadata") or {}
    deleted, grace = meta.get("deletionTimestamp"), meta.get("deletionGracePeriodSeconds")
    if deleted and grace is not None:
        if now > parse_timestamp(deleted) + grace:
            return False
    return True


def pod_usage(pod: dict, now: float) -> ResourceList:
    """``PodUsageFunc``: ``count/pods`` always, compute resources while the pod lives."""
    usage: ResourceList = {POD_OBJECT_COUNT: Quantity(1, DECIMAL_SI)}
    if not pod_charged(pod, now):
        return usage
    return add(usage, compute_usage(pod_totals(pod, "requests"), pod_totals(pod, "limits")))


def pod_constraints(required: Iterable[str], pod: dict) -> Optional[str]:
    """``podEvaluator.Constraints``: "must specify limits.cpu for: nginx; ..." or None.

    Every container (app and init) must set each cpu/memory resource a matching quota limits."""
    required_set = set(required) & MUST_SPECIFY
    missing: dict[str, set] = {}
    spec = pod.get("spec") or {}
    for container in list(spec.get("containers") or ()) + list(spec.get("initContainers") or ()):
        resources = container.get("resources") or {}
        has = compute_usage(parse_list(resources.get("requests")), parse_list(resources.get("limits")))
        for name in required_set - set(has):
            missing.setdefault(name, set()).add(container.get("name", ""))
    if not missing:
        return None
    parts = [f"{name} for: {','.join(sorted(missing[name]))}" for name in sorted(missing)]
    return "must specify " + "; ".join(parts)


def _is_best_effort(pod: dict) -> bool:
    return pod_qos_class(pod) == "BestEffort"


def _uses_cross_namespace_affinity(pod: dict) -> bool:
    affinity = (pod.get("spec") or {}).get("affinity") or {}
    for kind in ("podAffinity", "podAntiAffinity"):
        terms = affinity.get(kind) or {}
        for term in terms.get("requiredDuringSchedulingIgnoredDuringExecution") or ():
            if term.get("namespaces") or term.get("namespaceSelector") is not None:
                return True
        for weighted in terms.get("preferredDuringSchedulingIgnoredDuringExecution") or ():
            term = weighted.get("podAffinityTerm") or {}
            if term.get("namespaces") or term.get("namespaceSelector") is not None:
                return True
    return False


def _priority_class_matches(selector: dict, pod: dict) -> bool:
    """``podMatchesSelector``: the scope selector as a label selector on ``PriorityClass``."""
    name = (pod.get("spec") or {}).get("priorityClassName") or ""
    operator, values = selector.get("operator"), selector.get("values") or ()
    if operator == "Exists":
        return bool(name)
    if operator == "DoesNotExist":
        return not name
    if operator == "In":
        return bool(name) and name in values
    if operator == "NotIn":
        return not name or name not in values
    return False


def pod_matches_scope(selector: dict, pod: dict) -> bool:
    """``podMatchesScopeFunc``."""
    scope = selector.get("scopeName")
    deadline = (pod.get("spec") or {}).get("activeDeadlineSeconds")
    terminating = deadline is not None and deadline >= 0
    if scope == TERMINATING:
        return terminating
    if scope == NOT_TERMINATING:
        return not terminating
    if scope == BEST_EFFORT:
        return _is_best_effort(pod)
    if scope == NOT_BEST_EFFORT:
        return not _is_best_effort(pod)
    if scope == PRIORITY_CLASS:
        return _priority_class_matches(selector, pod)
    if scope == CROSS_NAMESPACE_POD_AFFINITY:
        return _uses_cross_namespace_affinity(pod)
    return False


def scope_selectors(resource_quota: dict) -> list[dict]:
    """``getScopeSelectorsFromQuota``: ``spec.scopes`` as Exists selectors, then the scopeSelector."""
    spec = resource_quota.get("spec") or {}
    selectors = [{"scopeName": scope, "operator": "Exists"} for scope in spec.get("scopes") or ()]
    selectors.extend((spec.get("scopeSelector") or {}).get("matchExpressions") or ())
    return selectors


# -- services and persistentvolumeclaims ------------------------------------------------------


def service_usage(service: dict, now: float) -> ResourceList:
    """``ServiceUsage``: the service; a NodePort or LoadBalancer service one node port per port,
    a LoadBalancer one load balancer (both ``0`` for other types)."""
    one, zero_ = Quantity(1, DECIMAL_SI), Quantity(0, DECIMAL_SI)
    usage = {object_count_name("services"): one, "services": one,
             "services.loadbalancers": zero_, "services.nodeports": zero_}
    spec = service.get("spec") or {}
    ports = Quantity(len(spec.get("ports") or ()), DECIMAL_SI)
    if spec.get("type") == "NodePort":
        usage["services.nodeports"] = ports
    elif spec.get("type") == "LoadBalancer":
        usage["services.nodeports"] = ports
        usage["services.loadbalancers"] = one
    return usage


def claim_usage(claim: dict, now: float) -> ResourceList:
    """``pvcEvaluator.Usage``: the claim and its storage request, also per storage class."""
    one = Quantity(1, DECIMAL_SI)
    usage = {"persistentvolumeclaims": one, object_count_name("persistentvolumeclaims"): one}
    storage_class = claim_class(claim)
    if storage_class:
        usage[storage_class + STORAGE_CLASS_SUFFIX + "persistentvolumeclaims"] = one
    spec = claim.get("spec") or {}
    request = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    allocated = ((claim.get("status") or {}).get("allocatedResources") or {}).get("storage")
    sizes = [parse_quantity(str(v)) for v in (request, allocated) if v is not None]
    if sizes and any(not q.is_zero() for q in sizes):
        storage = max(sizes, key=lambda q: q.amount)
        usage["requests.storage"] = storage
        if storage_class:
            usage[storage_class + STORAGE_CLASS_SUFFIX + "requests.storage"] = storage
    return usage


def _storage_class_names(name: str) -> bool:
    return STORAGE_CLASS_SUFFIX in name and name.rsplit("/", 1)[-1] in ("persistentvolumeclaims", "requests.storage")


POD_EVALUATOR = Evaluator("pods", "", POD_RESOURCES, pod_usage, scoped=True, extra_names=_pod_extra_names)
SERVICE_EVALUATOR = Evaluator(
    "services", "", ("services", "count/services", "services.nodeports", "services.loadbalancers"),
    service_usage, operations=frozenset({"CREATE", "UPDATE"}))
CLAIM_EVALUATOR = Evaluator(
    "persistentvolumeclaims", "", ("persistentvolumeclaims", "count/persistentvolumeclaims", "requests.storage"),
    claim_usage, operations=frozenset({"CREATE", "UPDATE"}), extra_names=_storage_class_names)

#: ``install.DefaultIgnoredResources``: virtual resources (never stored) and Events, which
#: "haven't been quota-ed before".
IGNORED_RESOURCES = frozenset({
    ("", "bindings"), ("", "componentstatuses"), ("authentication.k8s.io", "tokenreviews"),
    ("authentication.k8s.io", "selfsubjectreviews"), ("authorization.k8s.io", "subjectaccessreviews"),
    ("authorization.k8s.io", "selfsubjectaccessreviews"), ("authorization.k8s.io", "localsubjectaccessreviews"),
    ("authorization.k8s.io", "selfsubjectrulesreviews"), ("", "events"), ("events.k8s.io", "events"),
})

#: ``install.NewQuotaConfigurationForAdmission``'s registry: the evaluators with their own rules
#: (object-count evaluators of other resources join it when first asked for).
EVALUATORS = {("", "pods"): POD_EVALUATOR, ("", "services"): SERVICE_EVALUATOR,
              ("", "persistentvolumeclaims"): CLAIM_EVALUATOR}

#: What kube-controller-manager's quota monitor counts in labkube (each is served here).
COUNTED_RESOURCES = (("", "pods"), ("", "services"), ("", "persistentvolumeclaims"), ("", "configmaps"),
                     ("", "secrets"), ("", "resourcequotas"))


def parse_object_count_name(name: str) -> Optional[tuple[str, str]]:
    """``count/deployments.apps`` -> ``("apps", "deployments")``; None for other names."""
    if not name.startswith("count/"):
        return None
    resource, _, group = name[len("count/"):].partition(".")
    return (group, resource) if resource else None


def evaluator_for(group: str, resource: str) -> Evaluator:
    """The evaluator of a group-resource; any other resource is counted (``count/<resource>``),
    by an evaluator made once (``e.registry.Add(evaluator)`` in the admission plugin)."""
    key = (group, resource)
    evaluator = EVALUATORS.get(key)
    if evaluator is None:
        evaluator = EVALUATORS[key] = object_count_evaluator(resource, group)
    return evaluator
