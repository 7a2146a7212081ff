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

Each side also carries the zero values Go's encoder writes for fields without ``omitempty``
or whose zero value is a struct (``omitempty`` never drops a struct, and a zero ``metav1.Time``
encodes as ``null``). An Event written through events.k8s.io (kube-scheduler's) reads in v1 as

    firstTimestamp: null
    lastTimestamp: null
    reportingComponent: default-scheduler
    source: {}

and in events.k8s.io/v1 with ``deprecatedFirstTimestamp: null``,
``deprecatedLastTimestamp: null`` and ``deprecatedSource: {}``. (k8s.io/api core/v1 and
events/v1 ``types.go``: ``reportingComponent`` and ``reportingInstance`` have no
``omitempty`` in v1 but do in events.k8s.io/v1; ``eventTime`` has none in events.k8s.io/v1.)
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


#: What Go's encoder writes for a zero field without ``omitempty`` (or a struct, which
#: ``omitempty`` never drops): ``{}`` for a struct, ``null`` for a zero ``metav1.Time`` or
#: ``MicroTime``, ``""`` for a string. Fields not listed have ``omitempty``: left out when
#: empty. apiVersion, kind and metadata are copied when present (list items carry no kind).
_V1_ZERO = {"involvedObject": dict, "source": dict, "firstTimestamp": lambda: None,
            "lastTimestamp": lambda: None, "eventTime": lambda: None, "reportingComponent": str,
            "reportingInstance": str}
_EVENTS_ZERO = {"eventTime": lambda: None, "regarding": dict, "deprecatedSource": dict,
                "deprecatedFirstTimestamp": lambda: None, "deprecatedLastTimestamp": lambda: None}
_AS_IS = ("apiVersion", "kind", "metadata")


def _plan(order: tuple[str, ...], zeros: dict, renamed: dict) -> tuple:
    """For each output key in order: the key it is read from and its zero's factory (None:
    left out when empty), and the set of every key read."""
    source = {new: old for old, new in renamed.items()}
    steps = tuple((key, source.get(key, key), zeros.get(key)) for key in order)
    return steps, frozenset(src for _, src, _ in steps)


_EVENTS_PLAN = _plan(EVENTS_ORDER, _EVENTS_ZERO, _V1_TO_EVENTS)
_V1_PLAN = _plan(V1_ORDER, _V1_ZERO, _EVENTS_TO_V1)


def _convert(event: dict, plan: tuple, api_version: str) -> dict:
    """``event`` with the other version's names, in Go's order, with Go's zero values."""
    steps, known = plan
    get = event.get
    out: dict = {}
    for key, source, zero in steps:
        value = get(source)
        if value is None:
            if zero is not None:
                out[key] = zero()
        elif value or zero is not None or key in _AS_IS:
            out[key] = value
    if not known.issuperset(event):  # fields unknown to the plan stay, after the known ones
        out.update((k, v) for k, v in event.items() if k not in known)
    if "apiVersion" in out:
        out["apiVersion"] = api_version
    return out


def to_events_v1(event: dict) -> dict:
    """A stored (v1) Event as ``events.k8s.io/v1`` shows it."""
    return _convert(event, _EVENTS_PLAN, EVENTS_API_VERSION)


def to_v1(event: dict) -> dict:
    """An ``events.k8s.io/v1`` Event in the v1 (storage) form, as the v1 API shows it."""
    return _convert(event, _V1_PLAN, V1_API_VERSION)
