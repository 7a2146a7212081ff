"""What controllers ask about pods: active? ready? available? which to delete first?

Mirrors k8s.io/kubernetes/pkg/api/v1/pod/util.go (``IsPodReady``, ``IsPodAvailable``) and
pkg/controller/controller_utils.go (``IsPodActive``, ``ActivePodsWithRanks``) as of 1.32, with
the default feature gates (``PodDeletionCost`` and ``LogarithmicScaleDown`` on).

When a ReplicaSet has too many pods it deletes the *least valuable* first (:func:`deletion_order`):

1. unscheduled before scheduled;
2. phase Pending before Unknown before Running;
3. not ready before ready;
4. lower ``controller.kubernetes.io/pod-deletion-cost`` annotation before higher;
5. pods on a node crowded with related pods (same owner) before lonely ones;
6. ready for a shorter time before longer, compared in powers of two of the age (so pods of a
   similar age tie, and the tie is broken by UID — a pseudo-random choice);
7. more container restarts before fewer;
8. newer before older (again compared in powers of two, ties by UID).
"""

from __future__ import annotations

import math
from functools import cmp_to_key
from typing import Optional

from labkube.core.api.patch.strategic import create_two_way_merge_patch
from labkube.core.clock import parse_timestamp

POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


def is_pod_active(pod: dict) -> bool:
    """``IsPodActive``: not Succeeded, not Failed, not being deleted."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


def ready_condition(pod: dict) -> Optional[dict]:
    for cond in (pod.get("status") or {}).get("conditions") or ():
        if cond.get("type") == "Ready":
            return cond
    return None


def is_pod_ready(pod: dict) -> bool:
    cond = ready_condition(pod)
    return cond is not None and cond.get("status") == "True"


def is_pod_available(pod: dict, min_ready_seconds: int, now: float) -> bool:
    """``IsPodAvailable``: ready, and ready for more than ``min_ready_seconds``."""
    cond = ready_condition(pod)
    return cond is not None and cond.get("status") == "True" and \
        is_ready_condition_available(cond, min_ready_seconds, now)


def is_ready_condition_available(cond: dict, min_ready_seconds: int, now: float) -> bool:
    """A ``Ready: True`` condition counts as available after more than ``min_ready_seconds``."""
    if not min_ready_seconds:
        return True
    since = cond.get("lastTransitionTime")
    return bool(since) and parse_timestamp(since) + min_ready_seconds < now


def _ready_time(pod: dict) -> Optional[float]:
    cond = ready_condition(pod)
    if cond is None or cond.get("status") != "True" or not cond.get("lastTransitionTime"):
        return None
    return parse_timestamp(cond["lastTransitionTime"])


def _creation_time(pod: dict) -> Optional[float]:
    stamp = pod["metadata"].get("creationTimestamp")
    return parse_timestamp(stamp) if stamp else None


def deletion_cost(pod: dict) -> int:
    """``GetDeletionCostFromPodAnnotations`` (an invalid value counts as 0)."""
    text = (pod["metadata"].get("annotations") or {}).get(POD_DELETION_COST)
    try:
        return int(text) if text is not None else 0
    except ValueError:
        return 0


def _max_restarts(pod: dict) -> tuple[int, int]:
    """(regular containers' max restartCount, restartable init containers' max restartCount)."""
    status = pod.get("status") or {}
    regular = max((c.get("restartCount", 0) for c in status.get("containerStatuses") or ()), default=0)
    sidecars = {c.get("name") for c in pod.get("spec", {}).get("initContainers") or ()
                if c.get("restartPolicy") == "Always"}
    sidecar = max((c.get("restartCount", 0) for c in status.get("initContainerStatuses") or ()
                   if c.get("name") in sidecars), default=0)
    return regular, sidecar


def _log_rank(t: float, now: float) -> int:
    nanos = (now - t) * 1e9
    return int(math.log2(nanos)) if nanos > 0 else -1


def _time_order(a: dict, b: dict, ta: Optional[float], tb: Optional[float], now: float) -> int:
    """Negative if ``a`` (time ``ta``) should go first: zero time first, then the more recent."""
    if ta is None or tb is None:
        return -1 if ta is None else 1
    diff = _log_rank(ta, now) - _log_rank(tb, now)
    if diff == 0:
        return -1 if a["metadata"].get("uid", "") < b["metadata"].get("uid", "") else 1
    return diff


def compare_for_deletion(a: dict, b: dict, rank_a: int, rank_b: int, now: float) -> int:
    """``ActivePodsWithRanks.Less`` as a comparison: negative means delete ``a`` first."""
    node_a, node_b = a.get("spec", {}).get("nodeName", ""), b.get("spec", {}).get("nodeName", "")
    if node_a != node_b and (not node_a or not node_b):
        return -1 if not node_a else 1
    phase_a = _PHASE_ORDINAL.get((a.get("status") or {}).get("phase"), 0)
    phase_b = _PHASE_ORDINAL.get((b.get("status") or {}).get("phase"), 0)
    if phase_a != phase_b:
        return phase_a - phase_b
    ready_a, ready_b = is_pod_ready(a), is_pod_ready(b)
    if ready_a != ready_b:
        return -1 if not ready_a else 1
    cost_a, cost_b = deletion_cost(a), deletion_cost(b)
    if cost_a != cost_b:
        return cost_a - cost_b
    if rank_a != rank_b:
        return rank_b - rank_a
    if ready_a and ready_b:
        ta, tb = _ready_time(a), _ready_time(b)
        if ta != tb:
            return _time_order(a, b, ta, tb, now)
    restarts_a, restarts_b = _max_restarts(a), _max_restarts(b)
    if restarts_a[0] != restarts_b[0]:
        return restarts_b[0] - restarts_a[0]
    if restarts_a[1] != restarts_b[1]:
        return restarts_b[1] - restarts_a[1]
    ca, cb = _creation_time(a), _creation_time(b)
    if ca != cb:
        return _time_order(a, b, ca, cb, now)
    return 0


def deletion_order(pods: list[dict], related: list[dict], now: float) -> list[dict]:
    """``getPodsRankedByRelatedPodsOnSameNode`` + sort: ``pods`` in the order to delete them."""
    on_node: dict[str, int] = {}
    for pod in related:
        if is_pod_active(pod):
            node = pod.get("spec", {}).get("nodeName", "")
            on_node[node] = on_node.get(node, 0) + 1
    ranked = [(pod, on_node.get(pod.get("spec", {}).get("nodeName", ""), 0)) for pod in pods]
    ranked.sort(key=cmp_to_key(lambda x, y: compare_for_deletion(x[0], y[0], x[1], y[1], now)))
    return [pod for pod, _ in ranked]


def pods_to_delete(pods: list[dict], related: list[dict], diff: int, now: float) -> list[dict]:
    """``getPodsToDelete``: the first ``diff`` pods to delete (no sorting when all go)."""
    if diff < len(pods):
        pods = deletion_order(pods, related, now)
    return pods[:diff]


def patch_pod_status(client, pod: dict, new_status: dict) -> dict:
    """``utilpod.PatchPodStatus``: a strategic merge PATCH of ``pods/status`` from the pod's
    status to ``new_status``, with the pod's UID in the patch as a precondition (a pod
    deleted and created again under the same name refuses it)."""
    patch = create_two_way_merge_patch(
        {"status": pod.get("status") or {}},
        {"metadata": {"uid": pod["metadata"]["uid"]}, "status": new_status}, "v1", "Pod")
    return client.patch("pods", pod["metadata"]["name"], patch, namespace=pod["metadata"]["namespace"],
                        subresource="status")
