"""Kinds served in a version other than the one they are stored in, and how each converts.

Mirrors the API server's conversion step (``runtime.Scheme`` conversion functions): a request in
a non-storage version is converted to the storage version before it is stored, and a stored
object back to the requested version before it is returned or watched. Two kinds do this:

* Event: stored as ``v1``, served also as ``events.k8s.io/v1`` (:mod:`.events_conversion`);
* HorizontalPodAutoscaler: stored as ``autoscaling/v2``, served also as ``autoscaling/v1``
  (:mod:`.autoscaling`).
"""

from __future__ import annotations

from typing import Callable

from labkube.core.api import autoscaling, events_conversion

#: (group, version, kind) of a served-but-not-stored version -> (to storage, from storage).
CONVERTERS: dict[tuple[str, str, str], tuple[Callable[[dict], dict], Callable[[dict], dict]]] = {
    ("events.k8s.io", "v1", "Event"): (events_conversion.to_v1, events_conversion.to_events_v1),
    ("autoscaling", "v1", "HorizontalPodAutoscaler"): (autoscaling.to_v2, autoscaling.to_v1),
}


#: Their groups: every other request skips the lookup (watch events of every kind pass here).
_GROUPS = frozenset(group for group, _, _ in CONVERTERS)


def converted(rtype) -> bool:
    """Whether ``rtype`` is served in a version other than its storage version."""
    return rtype.group in _GROUPS and (rtype.group, rtype.version, rtype.kind) in CONVERTERS


def to_storage(rtype, obj: dict) -> dict:
    if rtype.group not in _GROUPS:
        return obj
    pair = CONVERTERS.get((rtype.group, rtype.version, rtype.kind))
    return pair[0](obj) if pair else obj


def from_storage(rtype, obj: dict) -> dict:
    if rtype.group not in _GROUPS:
        return obj
    pair = CONVERTERS.get((rtype.group, rtype.version, rtype.kind))
    return pair[1](obj) if pair else obj
