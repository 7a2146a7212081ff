"""API-level watch: store events turned into ADDED / MODIFIED / DELETED for one selection.

Mirrors k8s.io/apiserver's watch path (the etcd3 watcher's ``transform`` and the watch
cache's ``cacheWatcher.convertToWatchEvent``):

* A store PUT of a new key is ``ADDED``; of an existing key ``MODIFIED``; a DELETE is
  ``DELETED`` carrying the object's last state with the deletion's resourceVersion.
* With a label or field selector the watcher sees transitions as the watch cache reports
  them: an object that starts matching arrives as ``ADDED``, one that stops matching leaves
  as ``DELETED`` (its previous state, stamped with the new resourceVersion), changes that
  never match are not sent.
* Start: ``resourceVersion`` unset or ``"0"`` sends a synthetic ``ADDED`` for every matching
  object that exists now, then streams (kube-apiserver's "Get State and Start at Most
  Recent" / "Start at Any"). A number N streams every change after N, replayed from the
  store's history. A compacted N yields one ``ERROR`` event carrying a 410 ``Expired``
  Status (``too old resource version: N (C)``), then the watch ends — as kube does.
* Events arrive exactly once each, in revision order (the store's guarantee); ``poll()``
  never blocks, ``get(timeout)`` waits, iteration blocks until ``cancel()``.

Events are plain dicts ``{"type": ..., "object": {...}}``; objects carry ``apiVersion`` and
``kind``, as in a real watch stream, and are the caller's own copies, except for a watch opened
``read_only`` (the informers'), whose objects are shared with the other read-only watches and
must never be modified.
"""

from __future__ import annotations

from collections import deque
from typing import Callable, Iterator, Optional

ADDED, MODIFIED, DELETED, BOOKMARK, ERROR = "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"

Converter = Callable[[object], Optional[dict]]


class Watch:
    """One client's watch (``watch.Interface``): ``poll``, ``get``, iteration, ``cancel``."""

    def __init__(
        self,
        watcher=None,
        convert: Optional[Converter] = None,
        initial: tuple = (),
        *,
        resource_version: str = "",
    ) -> None:
        self._watcher = watcher
        self._convert = convert
        self._pending: deque = deque(initial)
        self._cancelled = watcher is None and not self._pending
        self._closing = watcher is None  # an error-only watch ends after its events
        #: The resourceVersion the watch started after (synthetic ADDEDs are at or before it).
        self.resource_version = resource_version

    # -- reading --------------------------------------------------------------
    def poll(self) -> list[dict]:
        """Every event ready now (possibly none); never blocks."""
        if self._pending:
            out = list(self._pending)
            self._pending.clear()
        else:  # the common case: an informer's pump after its watch said it has events
            out = []
        if self._watcher is not None and not self._cancelled:
            events = self._watcher.poll()
            if self._convert is None:  # a watch-cache watcher queues converted events
                out += events
            else:
                for event in events:
                    converted = self._convert(event)
                    if converted is not None:
                        out.append(converted)
        if self._closing and not self._pending:
            self._cancelled = True
        return out

    def get(self, timeout: Optional[float] = None) -> Optional[dict]:
        """The next event, waiting up to ``timeout`` seconds (None: until one comes or the
        watch is cancelled). Returns None on timeout or cancellation."""
        if self._pending:
            event = self._pending.popleft()
            if self._closing and not self._pending:
                self._cancelled = True
            return event
        if self._watcher is None or self._cancelled:
            return None
        while True:
            raw = self._watcher.get(timeout)
            if raw is None:
                return None
            converted = raw if self._convert is None else self._convert(raw)
            if converted is not None:
                return converted

    def __iter__(self) -> Iterator[dict]:
        while True:
            event = self.get(None)
            if event is None:
                return
            yield event

    # -- lifecycle ---------------------------------------------------------------
    def cancel(self) -> None:
        self._cancelled = True
        self._pending.clear()
        if self._watcher is not None:
            self._watcher.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def on_ready(self):
        return None if self._watcher is None else self._watcher.on_ready

    @on_ready.setter
    def on_ready(self, callback) -> None:
        """Called (no arguments) whenever the store queues new events for this watch."""
        if self._watcher is not None:
            self._watcher.on_ready = callback

    def __enter__(self) -> "Watch":
        return self

    def __exit__(self, *exc) -> None:
        self.cancel()


def transition(prev_matches: bool, cur_matches: bool, created: bool) -> Optional[str]:
    """The event type a selective watcher sees for one PUT (None: nothing to send)."""
    if created:
        return ADDED if cur_matches else None
    if cur_matches and prev_matches:
        return MODIFIED
    if cur_matches:
        return ADDED
    if prev_matches:
        return DELETED
    return None
