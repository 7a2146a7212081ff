"""Small pieces the scheduler plugins share: selectors, tolerations, node selectors, requests.

Mirrors the helpers kube-scheduler borrows from k8s.io/component-helpers and
k8s.io/kubernetes/pkg/api/v1/resource:

* ``compile_selector`` — ``metav1.LabelSelectorAsSelector`` turned into a fast predicate
  (parsing and validation are labkube's :mod:`labkube.core.api.labels`);
* ``tolerates`` — ``Toleration.ToleratesTaint`` and ``TolerationsTolerateTaint``;
* ``NodeSelector`` — ``nodeaffinity.NodeSelector``: terms ORed, requirements ANDed,
  ``matchFields`` only on ``metadata.name``, operators In/NotIn/Exists/DoesNotExist/Gt/Lt;
* ``pod_requests`` — ``resourcehelper.PodRequests``: the sum of the app containers, the max
  with each init container (restartable "sidecar" init containers add up as they start),
  plus ``spec.overhead``.

Guarantees: pure functions over plain API dicts; nothing here reads a clock or mutates input.
"""

from __future__ import annotations

from labkube.core.api.taints import toleration_tolerates, tolerates  # noqa: F401 (re-exported)

from collections.abc import Callable
from fractions import Fraction

from labkube.core.api.labels import selector_from_label_selector
from labkube.core.api.nodeaffinity import term_matches  # noqa: F401 (re-exported)
from labkube.core.api.quantity import parse_quantity

#: ``schedutil.DefaultMilliCPURequest`` / ``DefaultMemoryRequest``: what scoring assumes for a
#: container that requests nothing, so that empty pods still spread.
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024

CPU, MEMORY, EPHEMERAL_STORAGE, PODS = "cpu", "memory", "ephemeral-storage", "pods"

Predicate = Callable[[dict], bool]


def _match_nothing(labels: dict) -> bool:
    return False


def _match_everything(labels: dict) -> bool:
    return True


def compile_selector(label_selector: dict | None) -> Predicate:
    """A ``labels -> bool`` predicate for a LabelSelector dict (None matches nothing).

    Selectors made only of ``matchLabels`` (the common case) compile to a dict comparison;
    anything else falls back to :func:`selector_from_label_selector`'s matcher.
    """
    if label_selector is None:
        return _match_nothing
    if not label_selector.get("matchExpressions"):
        wanted = tuple((label_selector.get("matchLabels") or {}).items())
        if not wanted:
            return _match_everything
        return has_all_labels(wanted)
    return selector_from_label_selector(label_selector).matches


def has_all_labels(pairs: tuple) -> Predicate:
    """A ``labels -> bool`` predicate: every ``(key, value)`` of ``pairs`` is among the labels
    (no pairs: always true). Several pairs are compared as one dict-view subset test, which
    runs in C, instead of a Python loop; unhashable values (never in a valid selector) keep
    the loop."""
    if not pairs:
        return _match_everything
    if len(pairs) == 1:
        (key, value), = pairs
        return lambda labels: labels.get(key) == value
    try:
        wanted = frozenset(pairs)
    except TypeError:
        return lambda labels: all(labels.get(k) == v for k, v in pairs)
    return lambda labels: labels.items() >= wanted


def equality_requirements(label_selector: dict | None) -> tuple[tuple[str, str], ...]:
    """The ``key=value`` pairs a selector demands (used to narrow a search by label index)."""
    if not label_selector:
        return ()
    pairs = list((label_selector.get("matchLabels") or {}).items())
    for expr in label_selector.get("matchExpressions") or ():
        values = expr.get("values") or ()
        if expr.get("operator") == "In" and len(values) == 1:
            pairs.append((expr.get("key", ""), values[0]))
    return tuple(pairs)


# ---------------------------------------------------------------------------
# Taints and tolerations
# ---------------------------------------------------------------------------


# ``toleration_tolerates`` and ``tolerates`` live in labkube.core.api.taints (shared with the
# kubelet and the taint eviction controller).


def first_untolerated_taint(taints, tolerations, effects: tuple[str, ...]) -> dict | None:
    """``FindMatchingUntoleratedTaint``: the first taint with one of ``effects`` not tolerated."""
    for taint in taints:
        if taint.get("effect") in effects and not tolerates(tolerations, taint):
            return taint
    return None


# ---------------------------------------------------------------------------
# Node selectors (nodeSelector and nodeAffinity)
# ---------------------------------------------------------------------------


class RequiredNodeAffinity:
    """``nodeaffinity.RequiredNodeAffinity``: the pod's nodeSelector AND its required terms."""

    __slots__ = ("node_selector", "terms")

    def __init__(self, pod: dict):
        spec = pod.get("spec") or {}
        self.node_selector = tuple((spec.get("nodeSelector") or {}).items())
        required = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
                    .get("requiredDuringSchedulingIgnoredDuringExecution"))
        self.terms = None if required is None else tuple(required.get("nodeSelectorTerms") or ())

    def matches(self, node_labels: dict, node_name: str) -> bool:
        for key, value in self.node_selector:
            if node_labels.get(key) != value:
                return False
        if self.terms is None:
            return True
        return any(term_matches(t, node_labels, node_name) for t in self.terms)

    @property
    def empty(self) -> bool:
        return not self.node_selector and self.terms is None


# ---------------------------------------------------------------------------
# Resource requests
# ---------------------------------------------------------------------------


def is_scalar_resource(name: str) -> bool:
    """``schedutil.IsScalarResourceName``: extended (``vendor/name``), hugepages, attachable volumes."""
    if name in (CPU, MEMORY, EPHEMERAL_STORAGE, PODS):
        return False
    return (name.startswith("hugepages-") or name.startswith("attachable-volumes-")
            or ("/" in name and not name.startswith("kubernetes.io/")
                and not name.startswith("requests.")))


def _amounts(resources: dict | None) -> dict[str, Fraction]:
    return {name: parse_quantity(str(q)).amount for name, q in (resources or {}).items()}


def _add(into: dict, more: dict) -> None:
    for name, amount in more.items():
        into[name] = into.get(name, 0) + amount


def _max(into: dict, other: dict) -> None:
    for name, amount in other.items():
        if amount > into.get(name, 0):
            into[name] = amount


def _with_defaults(requests: dict, defaults: dict | None) -> dict:
    if not defaults:
        return requests
    filled = dict(requests)
    for name, amount in defaults.items():
        if name not in filled:
            filled[name] = amount
    return filled


def pod_requests(pod: dict, non_missing: dict | None = None) -> dict[str, Fraction]:
    """``resourcehelper.PodRequests``: exact amounts per resource name.

    ``non_missing`` fills a container's missing requests (the scheduler's non-zero defaults).
    """
    spec = pod.get("spec") or {}
    total: dict = {}
    for container in spec.get("containers") or ():
        _add(total, _with_defaults(_amounts((container.get("resources") or {}).get("requests")),
                                   non_missing))
    sidecars: dict = {}
    init_peak: dict = {}
    for container in spec.get("initContainers") or ():
        requests = _with_defaults(_amounts((container.get("resources") or {}).get("requests")),
                                  non_missing)
        if container.get("restartPolicy") == "Always":
            _add(total, requests)
            _add(sidecars, requests)
            in_use = dict(sidecars)
        else:
            in_use = dict(requests)
            _add(in_use, sidecars)
        _max(init_peak, in_use)
    _max(total, init_peak)
    _add(total, _amounts(spec.get("overhead")))
    return total


NON_ZERO_DEFAULTS = {CPU: Fraction(DEFAULT_MILLI_CPU_REQUEST, 1000), MEMORY: Fraction(DEFAULT_MEMORY_REQUEST)}


def milli(amount: Fraction | int) -> int:
    """``Quantity.MilliValue()``: thousandths, rounded up."""
    return -((-amount * 1000) // 1)


def value(amount: Fraction | int) -> int:
    """``Quantity.Value()``: rounded up to an integer."""
    return -((-amount) // 1)


def other_resource_usage(node, pod, resource: str) -> tuple[int, int]:
    """``(allocatable, requested with the pod)`` of ephemeral-storage or an extended resource,
    as both NodeResourcesFit and BalancedAllocation score them (cpu and memory differ: Fit
    scores the non-zero defaults); ``(0, 0)`` when the pod does not ask for a scalar."""
    if resource == "ephemeral-storage":
        return (node.allocatable.ephemeral_storage,
                node.requested.ephemeral_storage + pod.requests.ephemeral_storage)
    want = pod.requests.scalars.get(resource, 0)
    if not want:
        return 0, 0
    return node.allocatable.scalars.get(resource, 0), node.requested.scalars.get(resource, 0) + want
