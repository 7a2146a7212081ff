"""Pod admission on the node: may this pod run here?

Mirrors the kubelet's admit handlers (pkg/kubelet/lifecycle/predicate.go, ``canAdmitPod``):
the scheduler decided, but the kubelet checks again, because a pod can be bound by hand
(``spec.nodeName``) or the node can change between scheduling and arrival.

* resources: the pod's requests (``max(sum of containers, largest init container)``) plus the
  requests of the pods already admitted must fit the node's allocatable cpu, memory and pods,
  else the pod fails with reason ``OutOfcpu`` / ``OutOfmemory`` / ``OutOfpods`` and message
  ``Pod was rejected: Node didn't have enough resource: cpu, requested: 3000, used: 500,
  capacity: 2000`` (cpu in millicores, memory in bytes);
* ``spec.nodeName``, ``nodeSelector`` and required node affinity (reason ``NodeAffinity``,
  ``Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector``);
* NoExecute taints the pod does not tolerate (the only effect the kubelet checks).

A rejected pod never starts: phase ``Failed`` with that reason and message, and a Warning event
with the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional

from labkube.core.api.nodeaffinity import required_terms_match
from labkube.core.api.quantity import parse_quantity
from labkube.core.api.taints import tolerates

REJECTED_PREFIX = "Pod was rejected: "


@dataclass(frozen=True)
class AdmitResult:
    admit: bool
    reason: str = ""
    message: str = ""


def resource_amount(resource: str, value) -> int:
    """cpu in millicores, anything else in units: ``("cpu", "250m")`` -> 250."""
    return _parsed_amount(resource, str(value))


@lru_cache(maxsize=1024)
def _parsed_amount(resource: str, text: str) -> int:
    # Quantities are exact fractions, slow to parse and add; a cluster's pods use a handful of
    # distinct values ("100m", "64Mi"), so each is parsed once.
    q = parse_quantity(text)
    return q.milli if resource == "cpu" else q.value()


def pod_requests(pod: dict) -> dict[str, int]:
    """``resource.PodRequests``: cpu (millicores) and memory (bytes) the pod asks for."""
    spec = pod.get("spec") or {}
    total = {"cpu": 0, "memory": 0}
    for container in spec.get("containers") or []:
        for res, value in ((container.get("resources") or {}).get("requests") or {}).items():
            if res in total:
                total[res] += resource_amount(res, value)
    for container in spec.get("initContainers") or []:
        for res, value in ((container.get("resources") or {}).get("requests") or {}).items():
            if res in total:
                total[res] = max(total[res], resource_amount(res, value))
    for res, value in (spec.get("overhead") or {}).items():
        if res in total:
            total[res] += resource_amount(res, value)
    return total


def fits(pod: dict, node: dict, admitted: Iterable[dict],
         admitted_requests: Optional[Iterable[dict[str, int]]] = None, *,
         requests: Optional[dict[str, int]] = None) -> AdmitResult:
    """Room for ``pod`` next to the ``admitted`` pods. ``requests`` (the pod's) and
    ``admitted_requests`` (theirs) are :func:`pod_requests` when the caller has them already
    (a pod's requests never change)."""
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    others = list(admitted)
    max_pods = int(allocatable.get("pods", "110"))
    if len(others) + 1 > max_pods:
        return _reject("pods", 1, len(others), max_pods)
    want = requests if requests is not None else pod_requests(pod)
    used = {"cpu": 0, "memory": 0}
    if admitted_requests is None:
        admitted_requests = [pod_requests(other) for other in others]
    for requests in admitted_requests:
        for res, value in requests.items():
            used[res] += value
    for res in ("cpu", "memory"):
        if want[res] == 0 or res not in allocatable:
            continue
        capacity = resource_amount(res, allocatable[res])
        if want[res] + used[res] > capacity:
            return _reject(res, want[res], used[res], capacity)
    return AdmitResult(True)


def _reject(resource: str, requested: int, used: int, capacity: int) -> AdmitResult:
    return AdmitResult(False, f"OutOf{resource}",
                       f"Node didn't have enough resource: {resource}, requested: {requested}, "
                       f"used: {used}, capacity: {capacity}")


def predicates(pod: dict, node: dict) -> AdmitResult:
    spec = pod.get("spec") or {}
    node_name = node["metadata"]["name"]
    if spec.get("nodeName") and spec["nodeName"] != node_name:
        return AdmitResult(False, "NodeName",
                           "Predicate NodeName failed: node(s) didn't match the requested node name")
    labels = node["metadata"].get("labels") or {}
    if not _matches_node_selector(spec, labels, node_name):
        return AdmitResult(False, "NodeAffinity",
                           "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector")
    taint = _untolerated_no_execute(node, spec.get("tolerations") or [])
    if taint is not None:
        value = taint.get("value", "")
        return AdmitResult(False, "TaintToleration",
                           f"Predicate TaintToleration failed: node(s) had untolerated taint "
                           f"{{{taint.get('key', '')}: {value}}}")
    return AdmitResult(True)


def admit(pod: dict, node: Optional[dict], admitted: Iterable[dict],
          admitted_requests: Optional[Iterable[dict[str, int]]] = None, *,
          requests: Optional[dict[str, int]] = None) -> AdmitResult:
    """Run every admit handler; the first refusal wins."""
    if node is None:
        return AdmitResult(True)
    result = predicates(pod, node)
    if not result.admit:
        return result
    return fits(pod, node, admitted, admitted_requests, requests=requests)


# -- node selection ---------------------------------------------------------------------------------
def _matches_node_selector(spec: dict, labels: dict, node_name: str) -> bool:
    """``GetRequiredNodeAffinity(pod).Match(node)``: the nodeSelector, then the required terms."""
    for key, value in (spec.get("nodeSelector") or {}).items():
        if labels.get(key) != value:
            return False
    required = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution"))
    return required_terms_match(required, labels, node_name)


def _untolerated_no_execute(node: dict, tolerations: list) -> Optional[dict]:
    for taint in (node.get("spec") or {}).get("taints") or []:
        if taint.get("effect") != "NoExecute":
            continue
        if not tolerates(tolerations, taint):
            return taint
    return None


