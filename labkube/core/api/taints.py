"""Taints and tolerations: the one rule the scheduler, the kubelet and the eviction controller share.

Mirrors k8s.io/api/core/v1/toleration.go (``Toleration.ToleratesTaint``) and
component-helpers' ``TolerationsTolerateTaint``: a toleration matches a taint when its effect
(if set) and key (if set) are equal, and then its operator decides — ``Exists`` matches any
value, ``Equal`` (the default) needs the same value.
"""

from __future__ import annotations

from typing import Iterable


def toleration_tolerates(toleration: dict, taint: dict) -> bool:
    """``Toleration.ToleratesTaint``."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True
    if operator == "Equal":
        return (toleration.get("value") or "") == (taint.get("value") or "")
    return False


def tolerates(tolerations: Iterable[dict], taint: dict) -> bool:
    """``TolerationsTolerateTaint``: any toleration tolerates the taint."""
    return any(toleration_tolerates(t, taint) for t in tolerations)
