"""Event recording: how components tell people what they did (``kubectl get events``).

Mirrors k8s.io/client-go/tools/record (EventRecorder + EventCorrelator) for core/v1 Events:

* ``recorder.event(obj, "Normal", "Scheduled", "Successfully assigned default/web to node-1")``
  writes a v1 ``Event`` named ``<object name>.<hex nanoseconds>`` in the object's namespace
  (``default`` for cluster-scoped objects such as Nodes), with ``involvedObject`` pointing at
  the object, ``source.component``/``host``, ``firstTimestamp``/``lastTimestamp`` and ``count``.
* **Deduplication**: the same event again (same source, object, type, reason and message) does
  not create a new object; the existing one is patched with ``count + 1`` and a new
  ``lastTimestamp``. That is why ``kubectl describe`` shows ``(x4 over 2m)``.
* **Aggregation**: once 10 events about one object with the same type and reason but different
  messages arrive within 10 minutes, further new messages are folded into ONE aggregate Event
  whose message is ``(combined from similar events): `` and the latest message; each later one
  patches that Event's count, lastTimestamp and message, as client-go's EventAggregator hands
  eventObserve the aggregate key instead of the event's own key.

* **Spam filter**: a component may write 25 events about one object at once, then one every five
  minutes (a token bucket per object, client-go's EventSourceObjectSpamFilter). A skipped
  occurrence is still counted, so the next one written carries the full count; that is why a
  pod crash-looping for an hour shows ``BackOff (x40 over 60m)`` with few writes.
* **Recreation**: an Event deleted meanwhile (``--event-ttl``) is created again under its old
  name with its old ``firstTimestamp`` and the running count, as client-go does when its PATCH
  gets 404: ``(x500 over 2d)`` on a cluster whose events live an hour.

Timestamps come from the cluster clock; names use its nanoseconds (made unique per cluster), so
events are deterministic.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from typing import Any, Optional

from labkube.core.clock import Clock
from labkube.core.errors import StatusError

NORMAL = "Normal"
WARNING = "Warning"

#: client-go's defaults: aggregate after 10 similar events within 10 minutes.
AGGREGATE_MAX_EVENTS = 10
AGGREGATE_INTERVAL = 600.0
#: client-go's spam filter: 25 events about one object at once, then one per five minutes.
SPAM_BURST = 25
SPAM_QPS = 1.0 / 300.0
#: client-go's ``maxLruCacheEntries``: the correlator remembers this many events (and this many
#: aggregation records) per recorder, least recently used forgotten first, so a long-lived
#: component's memory stays bounded however many pods it has seen.
MAX_LRU_CACHE_ENTRIES = 4096


class _LRU:
    """A bounded map that forgets its least recently used key (``golang/groupcache/lru``).

    An ``OrderedDict`` keeps the keys from least to most recently used: a hit moves its key
    to the end, and the first key is the one to forget, each in constant time. (A plain dict
    would use half the bytes, but forgetting its first key again and again makes every
    lookup of "the first key" step over all the keys deleted before it.)
    """

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: OrderedDict = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key) -> bool:
        return key in self._items

    def __delitem__(self, key) -> None:
        del self._items[key]

    def get(self, key, default=None):
        """The value for ``key`` (now the most recently used), or ``default``."""
        items = self._items
        value = items.get(key, _MISSING)
        if value is _MISSING:
            return default
        items.move_to_end(key)
        return value

    def add(self, key, value) -> None:
        """Remember ``key`` as the most recently used, forgetting the oldest beyond the bound."""
        items = self._items
        items[key] = value
        items.move_to_end(key)
        if len(items) > MAX_LRU_CACHE_ENTRIES:
            items.popitem(last=False)


_MISSING = object()


@lru_cache(maxsize=1024)
def shared_message(template: str, name: str) -> str:
    """``template.format(name)``, one string for every caller: the recorder's caches keep each
    event's message, and thousands of pods on a node get ``Started container nginx``."""
    return template.format(name)


def object_reference(obj: dict, field_path: str = "") -> dict:
    """An ObjectReference to ``obj`` (``ref.GetReference``), its keys in sorted order."""
    meta = obj.get("metadata", {})
    ref = {"apiVersion": obj.get("apiVersion", "")}
    if field_path:
        ref["fieldPath"] = field_path
    ref["kind"] = obj.get("kind", "")
    ref["name"] = meta.get("name", "")
    # Sorted order continues: namespace < resourceVersion < uid.
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    if meta.get("resourceVersion"):
        ref["resourceVersion"] = meta["resourceVersion"]
    if meta.get("uid"):
        ref["uid"] = meta["uid"]
    return ref


class _Seen:
    """client-go's eventLog: the Event of one dedupe key and how often it happened.

    The key lives in the LRU, so the record keeps only what a PATCH (or re-creating a deleted
    Event) needs: one per distinct event a component has seen, slots keep it small.
    """

    __slots__ = ("name", "namespace", "count", "first")

    def __init__(self, name: str, namespace: str, first: str) -> None:
        self.name, self.namespace, self.first = name, namespace, first
        self.count = 0  # occurrences observed, written or skipped by the spam filter


class _TokenBucket:
    """golang.org/x/time/rate's Limiter as client-go's spam filter uses it: starts full with
    ``SPAM_BURST`` tokens, refills continuously at ``SPAM_QPS``; each event takes one."""

    __slots__ = ("tokens", "last")

    def __init__(self, now: float) -> None:
        self.tokens, self.last = float(SPAM_BURST), now

    def try_accept(self, now: float) -> bool:
        tokens = min(float(SPAM_BURST), self.tokens + (now - self.last) * SPAM_QPS)
        if tokens < 1.0:
            return False  # like AllowN: a refused event leaves the bucket as it was
        self.tokens, self.last = tokens - 1.0, now
        return True


class _Similar:
    """client-go's aggregateRecord: distinct messages seen since the interval began.

    The record never holds more than :data:`AGGREGATE_MAX_EVENTS` - 1 messages between calls:
    the message that makes it reach the maximum is aggregated and dropped again (client-go's
    ``localKeys.PopAny()``; Go pops an arbitrary one, labkube the newest, to stay
    deterministic). So the first nine messages keep being deduplicated into their own Events and
    every other message goes to the aggregate. A tuple, not a set: most records see one or two
    messages, and a set would be 216 bytes.
    """

    __slots__ = ("messages", "last")

    def __init__(self) -> None:
        self.messages: tuple[str, ...] = ()
        self.last = 0.0

    def add(self, message: str, now: float) -> bool:
        """Note ``message`` at ``now``; True if it must go to the aggregate Event."""
        self.last = now
        if message in self.messages:
            return False
        if len(self.messages) + 1 < AGGREGATE_MAX_EVENTS:
            self.messages += (message,)
            return False
        return True


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
        # (aggregate key, fieldPath, message) -> _Seen; the aggregate Event under the aggregate key
        self._seen: _LRU = _LRU()
        self._similar: _LRU = _LRU()  # aggregate key -> _Similar
        self._spam: _LRU = _LRU()  # the object's part of the aggregate key -> _TokenBucket

    def event(self, obj: dict, event_type: str, reason: str, message: str, field_path: str = "") -> Optional[dict]:
        """Record an event about ``obj``; returns the stored Event (None if it could not be written)."""
        ref = object_reference(obj, field_path)
        similar_key = self._aggregate_key(ref, event_type, reason)
        if self._aggregate(similar_key, message):
            # The aggregate Event is found by the aggregate key alone, whatever its message.
            message, key = f"(combined from similar events): {message}", similar_key
        else:
            key = (similar_key, field_path, message)
        now = self.clock.timestamp()
        seen = self._observe(key, ref, now)
        if not self._accept(similar_key):
            return None  # skipped by the spam filter, though counted
        try:
            if seen.count > 1:
                bumped = self._bump(seen, message, now)
                if bumped is not None:
                    return bumped
            # New, or deleted meanwhile: (re)created under its name, with its count.
            return self._create(seen, ref, event_type, reason, message, now)
        except StatusError:
            return None  # like client-go: events are best effort, never fail the caller

    def eventf(self, obj: dict, event_type: str, reason: str, template: str, *args: Any) -> Optional[dict]:
        return self.event(obj, event_type, reason, template % args if args else template)

    # -- correlation ---------------------------------------------------------------------
    # client-go's keys also hold source.component and source.host; one recorder has one of
    # each, so they are left out. The dedupe key is (aggregate key, fieldPath, message): the
    # two caches share the aggregate key's tuple.
    @staticmethod
    def _aggregate_key(ref: dict, event_type: str, reason: str) -> tuple:
        """``getSpamKey``/``EventAggregatorByReasonFunc``: the object, type and reason."""
        return (ref["kind"], ref.get("namespace"), ref["name"], ref.get("uid"), ref["apiVersion"],
                event_type, reason)

    def _aggregate(self, key: tuple, message: str) -> bool:
        """``EventAggregate``: whether this message goes to the aggregate Event."""
        now = self.clock.now()
        similar = self._similar.get(key)
        if similar is None or now - similar.last > AGGREGATE_INTERVAL:
            similar = _Similar()
            self._similar.add(key, similar)
        return similar.add(message, now)

    def _observe(self, key: tuple, ref: dict, now: str) -> _Seen:
        """``eventObserve``: count one more occurrence of ``key``; a new key gets its Event's
        name now, whether or not the spam filter lets it be written."""
        seen = self._seen.get(key)
        if seen is None:
            seen = _Seen(self.namer.name(ref["name"]), ref.get("namespace") or "default", now)
            self._seen.add(key, seen)
        seen.count += 1
        return seen

    def _accept(self, similar_key: tuple) -> bool:
        """``EventSourceObjectSpamFilter.Filter``: whether the object still has a token (the
        key is the object alone: kind, namespace, name, uid, apiVersion)."""
        object_key = similar_key[:5]
        now = self.clock.now()
        bucket = self._spam.get(object_key)
        if bucket is None:
            bucket = _TokenBucket(now)
            self._spam.add(object_key, bucket)
        return bucket.try_accept(now)

    # -- writing -------------------------------------------------------------------------
    def _create(self, seen: _Seen, ref: dict, event_type: str, reason: str, message: str, now: str) -> dict:
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": seen.name, "namespace": seen.namespace},
            "involvedObject": ref,
            "reason": reason,
            "message": message,
            "source": {"component": self.component, **({"host": self.host} if self.host else {})},
            "firstTimestamp": seen.first,
            "lastTimestamp": now,
            "count": seen.count,
            "type": event_type,
            "eventTime": None,
            "reportingComponent": self.component,
            "reportingInstance": self.host,
        }
        return self.client.create(event, hand_over=True)  # built for this call alone

    def _bump(self, seen: _Seen, message: str, now: str) -> Optional[dict]:
        """Patch count, lastTimestamp and message of the Event seen before; None if it is gone."""
        try:
            return self.client.patch(
                "events", seen.name,
                {"count": seen.count, "lastTimestamp": now, "message": message},
                namespace=seen.namespace, patch_type="strategic",
            )
        except StatusError as err:
            if err.code != 404:
                raise
            return None
