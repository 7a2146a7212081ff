"""One Event, two API versions: ``v1`` Event and ``events.k8s.io/v1`` Event.

Mirrors pkg/apis/events/v1/conversion.go: kube-apiserver stores Events once (under
``/registry/events/<ns>/<name>``) and serves them in both groups. The field names differ:

=============================  ==============================
v1 (storage form here)         events.k8s.io/v1
=============================  ==============================
involvedObject                 regarding
message                        note
source                         deprecatedSource
firstTimestamp                 deprecatedFirstTimestamp
lastTimestamp                  deprecatedLastTimestamp
count                          deprecatedCount
reportingComponent             reportingController
=============================  ==============================

``eventTime``, ``series``, ``action``, ``reason``, ``related``, ``type`` and
``reportingInstance`` keep their names. Keys come out in the order of the Go structs, so a
converted Event reads like one from a real server. Both functions return new dicts.
"""

from __future__ import annotations

V1_API_VERSION = "v1"
EVENTS_GROUP = "events.k8s.io"
EVENTS_API_VERSION = "events.k8s.io/v1"

_V1_TO_EVENTS = {
    "involvedObject": "regarding",
    "message": "note",
    "source": "deprecatedSource",
    "firstTimestamp": "deprecatedFirstTimestamp",
    "lastTimestamp": "deprecatedLastTimestamp",
    "count": "deprecatedCount",
    "reportingComponent": "reportingController",
}
_EVENTS_TO_V1 = {v: k for k, v in _V1_TO_EVENTS.items()}

#: Field order of ``k8s.io/api/events/v1.Event``.
EVENTS_ORDER = (
    "apiVersion", "kind", "metadata", "eventTime", "series", "reportingController",
    "reportingInstance", "action", "reason", "regarding", "related", "note", "type",
    "deprecatedSource", "deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount",
)
#: Field order of ``k8s.io/api/core/v1.Event``.
V1_ORDER = (
    "apiVersion", "kind", "metadata", "involvedObject", "reason", "message", "source",
    "firstTimestamp", "lastTimestamp", "count", "type", "eventTime", "series", "action",
    "related", "reportingComponent", "reportingInstance",
)


def _ordered(obj: dict, order: tuple[str, ...]) -> dict:
    out = {k: obj[k] for k in order if k in obj}
    out.update((k, v) for k, v in obj.items() if k not in out)
    return out


def to_events_v1(event: dict) -> dict:
    """A stored (v1) Event as ``events.k8s.io/v1`` shows it."""
    out = {_V1_TO_EVENTS.get(k, k): v for k, v in event.items()}
    if "apiVersion" in out:
        out["apiVersion"] = EVENTS_API_VERSION
    out.setdefault("eventTime", None)
    if not out.get("reportingController"):
        out.pop("reportingController", None)
    if not out.get("reportingInstance"):
        out.pop("reportingInstance", None)
    return _ordered(out, EVENTS_ORDER)


def to_v1(event: dict) -> dict:
    """An ``events.k8s.io/v1`` Event in the v1 (storage) form."""
    out = {_EVENTS_TO_V1.get(k, k): v for k, v in event.items()}
    if "apiVersion" in out:
        out["apiVersion"] = V1_API_VERSION
    return _ordered(out, V1_ORDER)
