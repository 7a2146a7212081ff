"""What the API server, the disruption controller, the scheduler and kubectl share about
PodDisruptionBudgets.

Mirrors k8s.io/component-helpers/apps/poddisruptionbudget (``UpdateDisruptionAllowedCondition``,
``ConditionsAreUpToDate``) and the PDB lister's ``GetPodPodDisruptionBudgets`` (a budget
selects the pods of its own namespace; a missing selector selects none, ``{}`` selects all).
"""

from __future__ import annotations

from typing import Iterable, Optional

from labkube.core.api.labels import SelectorError, selector_from_label_selector

DISRUPTION_ALLOWED = "DisruptionAllowed"
SUFFICIENT_PODS = "SufficientPods"
INSUFFICIENT_PODS = "InsufficientPods"
SYNC_FAILED = "SyncFailed"
#: policyv1.DisruptionBudgetCause: the cause type of a refused eviction.
DISRUPTION_BUDGET_CAUSE = "DisruptionBudget"


def selects(pdb: dict, pod: dict) -> bool:
    """The budget's selector matches the pod (same namespace; a bad selector matches nothing)."""
    if pdb["metadata"].get("namespace") != pod["metadata"].get("namespace"):
        return False
    try:
        selector = selector_from_label_selector((pdb.get("spec") or {}).get("selector"))
    except SelectorError:
        return False
    return selector.matches(pod["metadata"].get("labels") or {})


def budgets_for_pod(pdbs: Iterable[dict], pod: dict) -> list[dict]:
    """``GetPodPodDisruptionBudgets``: every budget selecting ``pod``."""
    return [pdb for pdb in pdbs if selects(pdb, pod)]


def is_pod_ready(pod: dict) -> bool:
    """``podutil.IsPodReady``: the pod's Ready condition is True."""
    for cond in (pod.get("status") or {}).get("conditions") or ():
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


def set_condition(conditions: list[dict], new: dict, now: str) -> None:
    """``meta.SetStatusCondition``: replace by type; the transition time moves on status change."""
    for i, cond in enumerate(conditions):
        if cond.get("type") == new["type"]:
            changed = cond.get("status") != new["status"]
            merged = {"type": new["type"], "status": new["status"],
                      "observedGeneration": new.get("observedGeneration", 0),
                      "lastTransitionTime": now if changed else cond.get("lastTransitionTime", now),
                      "reason": new["reason"], "message": new.get("message", "")}
            conditions[i] = _ordered(merged)
            return
    conditions.append(_ordered({**new, "lastTransitionTime": now}))


def _ordered(cond: dict) -> dict:
    """metav1.Condition's field order; observedGeneration 0 is omitted, message is not."""
    out = {"type": cond["type"], "status": cond["status"]}
    if cond.get("observedGeneration"):
        out["observedGeneration"] = cond["observedGeneration"]
    out["lastTransitionTime"] = cond["lastTransitionTime"]
    out["reason"] = cond["reason"]
    out["message"] = cond.get("message", "")
    return out


def update_disruption_allowed_condition(status: dict, now: str) -> None:
    """``UpdateDisruptionAllowedCondition``: SufficientPods while disruptions are allowed."""
    conditions = status.setdefault("conditions", [])
    allowed = status.get("disruptionsAllowed", 0) > 0
    set_condition(conditions, {"type": DISRUPTION_ALLOWED, "status": "True" if allowed else "False",
                               "reason": SUFFICIENT_PODS if allowed else INSUFFICIENT_PODS,
                               "observedGeneration": status.get("observedGeneration", 0)}, now)


def condition(pdb: dict, cond_type: str = DISRUPTION_ALLOWED) -> Optional[dict]:
    for cond in (pdb.get("status") or {}).get("conditions") or ():
        if cond.get("type") == cond_type:
            return cond
    return None


def conditions_are_up_to_date(pdb: dict) -> bool:
    """``ConditionsAreUpToDate``: the condition exists, the status observed this generation,
    and the condition matches the count (a SyncFailed condition is never up to date)."""
    cond = condition(pdb)
    if cond is None:
        return False
    status = pdb.get("status") or {}
    if status.get("observedGeneration", 0) != pdb["metadata"].get("generation", 0):
        return False
    if status.get("disruptionsAllowed", 0) > 0:
        return cond.get("status") == "True" and cond.get("reason") == SUFFICIENT_PODS
    return cond.get("status") == "False" and cond.get("reason") == INSUFFICIENT_PODS


#: ``PodDisruptionBudgetStatus``'s field order in Go.
STATUS_ORDER = ("observedGeneration", "disruptedPods", "disruptionsAllowed", "currentHealthy",
                "desiredHealthy", "expectedPods", "conditions")


def ordered_status(status: dict) -> dict:
    """The status with its fields in Go's order (``disruptedPods`` sorted, as a Go map prints)."""
    out = {key: status[key] for key in STATUS_ORDER if key in status}
    if out.get("disruptedPods"):
        out["disruptedPods"] = dict(sorted(out["disruptedPods"].items()))
    elif "disruptedPods" in out:
        del out["disruptedPods"]
    if not out.get("observedGeneration"):
        out.pop("observedGeneration", None)
    return out
