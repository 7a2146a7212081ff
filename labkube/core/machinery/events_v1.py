"""Event recording through the new Events API (``events.k8s.io/v1``), as kube-scheduler does it.

Mirrors k8s.io/client-go/tools/events (``EventBroadcaster``, its recorders and its sink) for
one component. kube-scheduler records this way; the kubelet and kube-controller-manager still
use tools/record (:mod:`labkube.core.machinery.events`), and the two differ in what a student
sees:

* **The Event.** ``recorder.eventf(pod, None, "Warning", "FailedScheduling", "Scheduling",
  note)`` writes an ``events.k8s.io/v1`` Event named ``<regarding name>.<hex nanoseconds>`` in
  the regarding object's namespace (``default`` for cluster-scoped objects), with
  ``eventTime`` (a MicroTime from the cluster clock), ``reportingController``,
  ``reportingInstance`` (``<controller>-<hostname>``), ``action``, ``reason``, ``regarding``
  (an ObjectReference, ``resourceVersion`` included), ``related`` (only when given), ``note``
  and ``type``. The deprecated* fields (source, first/last timestamp, count) stay unset, so
  ``kubectl get events -o yaml`` shows ``firstTimestamp: null``, ``lastTimestamp: null``,
  ``source: {}``. A note longer than 1 KiB is not cut here: the API server refuses the Event
  and the recorder drops it (callers cut their own; kube-scheduler does, see
  :func:`truncate_note`). An event type other than Normal/Warning is dropped before sending.
* **Isomorphic events and series.** The broadcaster caches every Event it wrote under its
  *isomorphic key*: type, action, reason, reportingController, reportingInstance, the whole
  ``regarding`` reference (resourceVersion included) and ``related``. The note is not part of
  the key. The same key again turns the cached Event into a series: the second occurrence
  PATCHes (strategic merge) ``series: {count: 2, lastObservedTime}``; later occurrences only
  count up in memory (``count``, ``lastObservedTime``), with no API call.
* **When a series reaches the API.** Two periodic jobs run from the moment recording starts:
  every 30 minutes every cached series is PATCHed with its current count and time (refresh);
  every 6 minutes each series last observed more than 6 minutes ago is PATCHed a last time and
  forgotten, and each singleton older than 6 minutes is forgotten (finish). A PATCH that finds
  the Event gone (404, e.g. deleted by the event TTL) creates it again, series included.
  Any other refusal by the server is final: the Event is dropped, never retried.

Guarantees: time comes only from the cluster clock, timers run on it (armed only while
something is cached, on the same 6/30-minute grid as client-go's ``wait.Until`` loops, so an
idle cluster carries no timers), the cache is walked in insertion order, and names come from the
cluster's :class:`~labkube.core.machinery.events.EventNamer`: the same seed gives the same
Events, byte for byte.

Differences from client-go, none visible through the API: recording is synchronous (client-go
hands each Event to a goroutine), and transport errors cannot happen in-process, so there are
no retries with jittered sleeps.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from labkube.core.clock import Clock, parse_timestamp
from labkube.core.errors import StatusError
from labkube.core.machinery.events import NORMAL, WARNING, EventNamer, object_reference

API_VERSION = "events.k8s.io/v1"
#: The resource the sink writes to (``EventsV1().Events(ns)``).
RESOURCE = "events.events.k8s.io"
#: client-go's ``finishTime`` and ``refreshTime``.
FINISH_PERIOD = 6 * 60.0
REFRESH_PERIOD = 30 * 60.0
#: kube-apiserver's ``NoteLengthLimit`` (pkg/apis/core/validation/events.go).
NOTE_LENGTH_LIMIT = 1024


def truncate_note(note: str, limit: int = NOTE_LENGTH_LIMIT) -> str:
    """kube-scheduler's ``truncateMessage``: a note over ``limit`` bytes ends in `` ...``."""
    encoded = note.encode()
    if len(encoded) <= limit:
        return note
    suffix = " ..."
    return encoded[:limit - len(suffix)].decode(errors="ignore") + suffix


def last_seen(event: dict) -> float:
    """When a v1 Event last happened, as kubectl orders Events (describe's ``eventTime``):
    its series' lastObservedTime, else lastTimestamp (tools/record), else eventTime."""
    stamp = (event.get("series") or {}).get("lastObservedTime") or event.get("lastTimestamp") \
        or event.get("eventTime")
    return parse_timestamp(stamp) if stamp else 0.0


def _reference_key(ref: Optional[dict]) -> tuple:
    """An ObjectReference as a hashable value (all seven fields, as Go compares structs)."""
    if not ref:
        return ()
    return (ref.get("kind"), ref.get("namespace"), ref.get("name"), ref.get("uid"),
            ref.get("apiVersion"), ref.get("resourceVersion"), ref.get("fieldPath"))


def isomorphic_key(event: dict) -> tuple:
    """client-go's ``getKey``: what makes two Events "the same" (the note is not in it)."""
    return (event["type"], event["action"], event["reason"], event["reportingController"],
            event["reportingInstance"], _reference_key(event["regarding"]),
            _reference_key(event.get("related")))


class _Cached:
    """One entry of the broadcaster's ``eventCache``: the Event as first sent, and its series."""

    __slots__ = ("event", "event_time", "count", "last_observed", "last_observed_text")

    def __init__(self, event: dict, event_time: float) -> None:
        self.event = event
        self.event_time = event_time
        self.count = 0  # 0: a singleton (no series yet)
        self.last_observed = 0.0
        self.last_observed_text = ""

    @property
    def is_series(self) -> bool:
        return self.count > 0

    def series(self) -> dict:
        return {"count": self.count, "lastObservedTime": self.last_observed_text}


class EventBroadcaster:
    """``events.NewBroadcaster(&EventSinkImpl{...})`` for one component: cache, sink, timers."""

    def __init__(self, client: Any, clock: Clock, namer: Optional[EventNamer] = None) -> None:
        self.client = client
        self.clock = clock
        self.namer = namer or EventNamer(clock)
        self._cache: dict[tuple, _Cached] = {}
        self._started_at: Optional[float] = None
        self._finish_timer = None
        self._refresh_timer = None

    # -- lifecycle ------------------------------------------------------------------------
    def start_recording_to_sink(self) -> None:
        """Start writing to the API; the refresh and finish loops count from now."""
        self._started_at = self.clock.now()

    def shutdown(self) -> None:
        """Stop writing and forget the cache (a restarted process starts with an empty one)."""
        self._started_at = None
        self._cache.clear()
        for timer in (self._finish_timer, self._refresh_timer):
            if timer is not None:
                timer.cancel()
        self._finish_timer = self._refresh_timer = None

    def new_recorder(self, reporting_controller: str, hostname: str) -> "EventRecorder":
        """A recorder whose Events say ``reportingController`` and ``<controller>-<hostname>``."""
        return EventRecorder(self, reporting_controller, f"{reporting_controller}-{hostname}")

    @property
    def cached(self) -> int:
        """How many Events the broadcaster remembers (singletons and series)."""
        return len(self._cache)

    @property
    def armed(self) -> tuple[str, ...]:
        """The periodic loops with a timer on the clock (``finish``, ``refresh``)."""
        return tuple(name for name, timer in (("finish", self._finish_timer), ("refresh", self._refresh_timer))
                     if timer is not None)

    # -- recordToSink ---------------------------------------------------------------------
    def record(self, event: dict) -> Optional[dict]:
        """Write ``event`` or fold it into the series of an isomorphic one.

        Returns what the API server answered (the created or patched Event), or None when
        nothing was written (a series counted in memory, or an Event the server refused).
        """
        if self._started_at is None:
            return None
        key = isomorphic_key(event)
        cached = self._cache.get(key)
        if cached is None:
            self._cache[key] = _Cached(event, self.clock.now())
            self._arm_finish()
            return self._create(event)
        self._observe(cached)
        if cached.count > 2:
            return None  # counted in memory; the refresh and finish loops write it
        self._arm_refresh()
        return self._write_series(cached)

    def _observe(self, cached: _Cached) -> None:
        cached.count = 2 if not cached.is_series else cached.count + 1
        cached.last_observed = self.clock.now()
        cached.last_observed_text = self.clock.micro_timestamp()

    # -- the sink: recordEvent ------------------------------------------------------------
    def _create(self, event: dict) -> Optional[dict]:
        try:
            return self.client.create(_wire_copy(event), hand_over=True)
        except StatusError:
            return None  # "Server rejected event (will not retry!)"

    def _write_series(self, cached: _Cached) -> Optional[dict]:
        """PATCH the series onto the Event; create it (series included) if it is gone."""
        event = cached.event
        meta = event["metadata"]
        try:
            return self.client.patch(RESOURCE, meta["name"], {"series": cached.series()},
                                     namespace=meta["namespace"], patch_type="strategic")
        except StatusError as err:
            if err.code != 404:
                return None
        return self._create(dict(event, series=cached.series()))

    # -- the periodic loops ---------------------------------------------------------------
    def _next_tick(self, period: float) -> float:
        """The next instant on ``wait.Until``'s grid (start, start + period, ...) after now."""
        start = self._started_at
        ticks = math.floor((self.clock.now() - start) / period) + 1
        return start + ticks * period

    def _arm_finish(self) -> None:
        if self._finish_timer is None:
            self._finish_timer = self.clock.call_at(self._next_tick(FINISH_PERIOD), self._finish_series,
                                                    name="events finishSeries")

    def _arm_refresh(self) -> None:
        if self._refresh_timer is None:
            self._refresh_timer = self.clock.call_at(self._next_tick(REFRESH_PERIOD),
                                                     self._refresh_series, name="events refresh")

    def _finish_series(self) -> None:
        """``finishSeries``: write ended series a last time; forget them and old singletons."""
        self._finish_timer = None
        if self._started_at is None:
            return
        horizon = self.clock.now() - FINISH_PERIOD
        for key, cached in list(self._cache.items()):
            if cached.is_series:
                if cached.last_observed < horizon:
                    self._write_series(cached)
                    del self._cache[key]
            elif cached.event_time < horizon:
                del self._cache[key]
        if self._cache:
            self._arm_finish()

    def _refresh_series(self) -> None:
        """``refreshExistingEventSeries``: every series' current count reaches the API."""
        self._refresh_timer = None
        if self._started_at is None:
            return
        series = [cached for cached in self._cache.values() if cached.is_series]
        for cached in series:
            self._write_series(cached)
        if series:
            self._arm_refresh()


def _wire_copy(event: dict) -> dict:
    """What the sink sends, handed over to the server: a copy of every dict in it (the cache
    keeps the original, as client-go sends a DeepCopy; the values are strings, shared)."""
    sent = dict(event)
    for key in ("metadata", "regarding", "related", "series"):
        if key in sent:
            sent[key] = dict(sent[key])
    return sent


class EventRecorder:
    """``EventRecorder.Eventf`` for one reportingController/reportingInstance pair."""

    def __init__(self, broadcaster: EventBroadcaster, reporting_controller: str,
                 reporting_instance: str) -> None:
        self.broadcaster = broadcaster
        self.reporting_controller = reporting_controller
        self.reporting_instance = reporting_instance

    def eventf(self, regarding: dict, related: Optional[dict], event_type: str, reason: str,
               action: str, note: str) -> Optional[dict]:
        """Record an Event about ``regarding`` (``related``: a second object, or None)."""
        if event_type not in (NORMAL, WARNING):
            return None  # "Unsupported event type"
        return self.broadcaster.record(self.make_event(regarding, related, event_type, reason, action, note))

    def make_event(self, regarding: dict, related: Optional[dict], event_type: str, reason: str,
                   action: str, note: str) -> dict:
        """The ``events.k8s.io/v1`` Event, keys in the Go struct's order."""
        clock = self.broadcaster.clock
        ref = object_reference(regarding)
        event = {
            "apiVersion": API_VERSION,
            "kind": "Event",
            "metadata": {"name": self.broadcaster.namer.name(ref["name"]),
                         "namespace": ref.get("namespace") or "default"},
            "eventTime": clock.micro_timestamp(),
            "reportingController": self.reporting_controller,
            "reportingInstance": self.reporting_instance,
            "action": action,
            "reason": reason,
            "regarding": ref,
        }
        if related is not None:
            event["related"] = object_reference(related)
        event["note"] = note
        event["type"] = event_type
        return event
