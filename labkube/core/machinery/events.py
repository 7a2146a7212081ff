"""Event recording: how components tell people what they did (``kubectl get events``).

Mirrors k8s.io/client-go/tools/record (EventRecorder + EventCorrelator) for core/v1 Events:

* ``recorder.event(obj, "Normal", "Scheduled", "Successfully assigned default/web to node-1")``
  writes a v1 ``Event`` named ``<object name>.<hex nanoseconds>`` in the object's namespace
  (``default`` for cluster-scoped objects such as Nodes), with ``involvedObject`` pointing at
  the object, ``source.component``/``host``, ``firstTimestamp``/``lastTimestamp`` and ``count``.
* **Deduplication**: the same event again (same source, object, type, reason and message) does
  not create a new object; the existing one is patched with ``count + 1`` and a new
  ``lastTimestamp``. That is why ``kubectl describe`` shows ``(x4 over 2m)``.
* **Aggregation**: more than 10 events about one object with the same reason but different
  messages within 10 minutes are folded into one whose message starts with
  ``(combined from similar events): ``.

Timestamps come from the cluster clock; names use its nanoseconds (made unique per cluster), so
events are deterministic.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Optional

from labkube.core.clock import Clock
from labkube.core.errors import StatusError

NORMAL = "Normal"
WARNING = "Warning"

#: client-go's defaults: aggregate after 10 similar events within 10 minutes.
AGGREGATE_MAX_EVENTS = 10
AGGREGATE_INTERVAL = 600.0
#: client-go's ``maxLruCacheEntries``: the correlator remembers this many events (and this many
#: aggregation records) per recorder, least recently used forgotten first, so a long-lived
#: component's memory stays bounded however many pods it has seen.
MAX_LRU_CACHE_ENTRIES = 4096


class _LRU(OrderedDict):
    """A bounded map that forgets its least recently used key (``golang/groupcache/lru``)."""

    def get(self, key, default=None):
        if key not in self:
            return default
        self.move_to_end(key)
        return self[key]

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > MAX_LRU_CACHE_ENTRIES:
            self.popitem(last=False)


def object_reference(obj: dict, field_path: str = "") -> dict:
    """An ObjectReference to ``obj`` (``ref.GetReference``)."""
    meta = obj.get("metadata", {})
    ref = {
        "apiVersion": obj.get("apiVersion", ""),
        "kind": obj.get("kind", ""),
        "name": meta.get("name", ""),
    }
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    if meta.get("uid"):
        ref["uid"] = meta["uid"]
    if meta.get("resourceVersion"):
        ref["resourceVersion"] = meta["resourceVersion"]
    if field_path:
        ref["fieldPath"] = field_path
    return dict(sorted(ref.items()))


@dataclass
class _Seen:
    name: str
    namespace: str
    count: int
    first_timestamp: str


@dataclass
class _Similar:
    """client-go's aggregateRecord: distinct messages seen since the interval began."""

    messages: set[str] = field(default_factory=set)
    last: float = 0.0


class EventNamer:
    """Unique, deterministic ``<name>.<hex nanoseconds>`` names, shared by a cluster's recorders."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._last = 0

    def name(self, object_name: str) -> str:
        nanos = int(round(self.clock.now() * 1e9))
        if nanos <= self._last:
            nanos = self._last + 1
        self._last = nanos
        return f"{object_name}.{nanos:x}"


class EventRecorder:
    """Records Events for one component (``source.component``) on one host."""

    def __init__(self, client: Any, clock: Clock, component: str, host: str = "",
                 namer: Optional[EventNamer] = None) -> None:
        self.client = client
        self.clock = clock
        self.component = component
        self.host = host
        self.namer = namer or EventNamer(clock)
        self._seen: _LRU = _LRU()  # tuple -> _Seen
        self._similar: _LRU = _LRU()  # tuple -> _Similar

    def event(self, obj: dict, event_type: str, reason: str, message: str, field_path: str = "") -> Optional[dict]:
        """Record an event about ``obj``; returns the stored Event (None if it could not be written)."""
        ref = object_reference(obj, field_path)
        message = self._aggregate(ref, event_type, reason, message)
        key = self._dedupe_key(ref, event_type, reason, message)
        now = self.clock.timestamp()
        seen = self._seen.get(key)
        try:
            if seen is not None:
                bumped = self._bump(seen, message, now)
                if bumped is not None:
                    return bumped
                del self._seen[key]  # the event expired or was deleted: start a new one
            return self._create(key, ref, event_type, reason, message, now)
        except StatusError:
            return None  # like client-go: events are best effort, never fail the caller

    def eventf(self, obj: dict, event_type: str, reason: str, template: str, *args: Any) -> Optional[dict]:
        return self.event(obj, event_type, reason, template % args if args else template)

    # -- correlation ---------------------------------------------------------------------
    def _dedupe_key(self, ref: dict, event_type: str, reason: str, message: str) -> tuple:
        return (
            self.component, self.host, ref.get("kind"), ref.get("namespace"), ref.get("name"),
            ref.get("fieldPath"), ref.get("uid"), ref.get("apiVersion"), event_type, reason, message,
        )

    def _aggregate(self, ref: dict, event_type: str, reason: str, message: str) -> str:
        key = (self.component, self.host, ref.get("kind"), ref.get("namespace"), ref.get("name"),
               ref.get("uid"), ref.get("apiVersion"), event_type, reason)
        now = self.clock.now()
        similar = self._similar.get(key)
        if similar is None or now - similar.last > AGGREGATE_INTERVAL:
            similar = self._similar[key] = _Similar()
        similar.messages.add(message)
        similar.last = now
        if len(similar.messages) >= AGGREGATE_MAX_EVENTS:
            return f"(combined from similar events): {message}"
        return message

    # -- writing -------------------------------------------------------------------------
    def _create(self, key: tuple, ref: dict, event_type: str, reason: str, message: str, now: str) -> dict:
        namespace = ref.get("namespace") or "default"
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": self.namer.name(ref["name"]), "namespace": namespace},
            "involvedObject": ref,
            "reason": reason,
            "message": message,
            "source": {"component": self.component, **({"host": self.host} if self.host else {})},
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": event_type,
            "eventTime": None,
            "reportingComponent": self.component,
            "reportingInstance": self.host,
        }
        created = self.client.create(event)
        self._seen[key] = _Seen(created["metadata"]["name"], namespace, 1, now)
        return created

    def _bump(self, seen: _Seen, message: str, now: str) -> Optional[dict]:
        """Patch count and lastTimestamp of the event seen before; None if it is gone."""
        try:
            patched = self.client.patch(
                "events", seen.name,
                {"count": seen.count + 1, "lastTimestamp": now, "message": message},
                namespace=seen.namespace, patch_type="strategic",
            )
        except StatusError as err:
            if err.code != 404:
                raise
            return None
        seen.count += 1
        return patched
