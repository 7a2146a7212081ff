"""Watching: the stream of changes every Kubernetes controller is built on.

Mirrors etcd's ``server/storage/mvcc/watchable_store.go``, ``watcher.go`` and
``watcher_group.go``. :class:`MVCCStore` is the store labkube's API server uses: the
:class:`~.kvstore.KVStore` plus watchers, leases and snapshots.

How a watch works here:

1. ``watch(key, start_revision=R)`` checks R against history: older than the compaction
   point is :class:`~.kv.CompactedError` (the API server turns it into "410 Gone: too old
   resource version"), newer than ``revision + 1`` is :class:`~.kv.FutureRevisionError`.
2. Under the store lock, the watcher's queue is filled with the matching events of the
   history log from R on (the *catch-up*, each event rebuilt from the backend), and the
   watcher joins the *synced* group.
3. From then on every committed transaction hands its events, under the same lock and in
   sub-revision order, to each synced watcher whose key or range matches.

Because catch-up and joining happen under the lock that every write takes, no event can
fall between replay and streaming, and none can arrive twice: each event is delivered
exactly once, in revision order. etcd cannot afford to hold its lock while replaying from
disk, so it parks a watcher in an *unsynced* group and catches it up in batches from a
background goroutine; labkube's history is in memory, so it catches up at once and every
watcher is synced.

A watcher's queue (a ``queue.SimpleQueue``) is unbounded: a slow consumer delays nobody
and loses nothing. etcd instead marks a slow watcher *victim* and retries delivery later.
"""

from __future__ import annotations

import itertools
import queue
from bisect import bisect_left
from typing import Any, Callable, Iterator, Optional

from .kv import CompactedError, Event, FutureRevisionError, prefix_end
from .history import DEFAULT_BUDGET
from .kvstore import ALL_KEYS, KVStore, ReadyCallbacks, _check_key, _entry_revision
from .snapshot import dump_state, load, load_state, save

#: Put into a queue by ``cancel()`` to wake a blocked reader.
_CANCELLED = object()


class EventQueue:
    """A watch's delivery end: events queued by the writer, read by ``poll`` (never blocks),
    ``get`` (waits) or iteration (until cancelled). Shared by the store's watchers and the API
    server's watch cache."""

    def __init__(self, cancel: Callable[[Any], None]) -> None:
        #: Called with no arguments, outside the store lock, when new events are queued.
        self.on_ready: Optional[Callable[[], None]] = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._cancelled = False
        self._cancel = cancel

    # -- reading ------------------------------------------------------------------------
    def poll(self) -> list:
        """Every event queued so far, without blocking."""
        if self._cancelled:
            return []
        events = []
        get = self._queue.get_nowait
        try:
            for _ in range(self._queue.qsize()):
                item = get()
                if item is _CANCELLED:
                    self._queue.put(_CANCELLED)
                    return []
                events.append(item)
        except queue.Empty:  # another reader took some
            pass
        return events

    def get(self, timeout: Optional[float] = None) -> Any:
        """The next event, waiting up to ``timeout`` seconds (None = until one arrives or
        the watch is cancelled). None on timeout or after cancel."""
        if self._cancelled:
            return None
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is _CANCELLED:
            self._queue.put(_CANCELLED)  # wake any other blocked reader too
            return None
        return item

    def __iter__(self) -> Iterator:
        """Events as they come, blocking; ends when the watch is cancelled."""
        while True:
            event = self.get()
            if event is None:
                return
            yield event

    # -- cancelling ---------------------------------------------------------------------
    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        """Stop the watch; a reader blocked in ``get`` or iteration returns at once."""
        if self._cancelled:
            return
        self._cancel(self)
        self._cancelled = True
        self._queue.put(_CANCELLED)


class Watcher(EventQueue):
    """One watch: a key or a range ``[key, range_end)`` and its queue of events.

    See :class:`~.kv.WatcherLike` for the contract. ``range_end`` is None for a single key;
    ``"\\0"`` means "to the end of the keyspace".
    """

    def __init__(
        self,
        watch_id: int,
        key: str,
        range_end: Optional[str],
        prev_kv: bool,
        cancel: Callable[["Watcher"], None],
    ) -> None:
        self.id = watch_id
        self.key = key
        self.range_end = range_end
        self.prev_kv = prev_kv
        super().__init__(cancel)

    def __repr__(self) -> str:
        span = self.key if self.range_end is None else f"[{self.key}, {self.range_end})"
        state = " cancelled" if self._cancelled else ""
        return f"<Watcher {self.id} {span}{state}>"

    def matches(self, key: str) -> bool:
        if self.range_end is None:
            return key == self.key
        return self.key <= key and (self.range_end == ALL_KEYS or key < self.range_end)

    def _deliver(self, event: Event) -> None:
        self._queue.put(event if self.prev_kv else _without_prev_kv(event))

class WatcherGroup:
    """The synced watchers, indexed for the write path (etcd's ``watcherGroup``).

    Single-key watchers are found by a dict lookup. etcd finds range watchers in an
    interval tree; labkube's are nearly all *directory* watches (a prefix ending in ``/``,
    like the API server's ``/registry/pods/``), so those are found by looking up each
    directory of the changed key (``/``, ``/registry/``, ``/registry/pods/``, ...), and only
    the other ranges are checked one by one. Matching watchers are served in the order they
    were opened (exact-key watchers first), so delivery order is deterministic.

    The directory watchers of a key depend only on the key's parent directory
    (``/registry/pods/default/`` for ``/registry/pods/default/web``), and a cluster writes
    many keys under few directories, so the answer is remembered per parent directory until
    a directory watcher comes or goes.
    """

    def __init__(self) -> None:
        self._by_key: dict[str, dict[Watcher, None]] = {}
        self._by_dir: dict[str, dict[Watcher, None]] = {}
        self._ranges: dict[Watcher, None] = {}
        #: parent directory of a changed key -> the directory watchers matching it, by id
        self._dir_matches: dict[str, list[Watcher]] = {}

    def __len__(self) -> int:
        return sum(len(ws) for group in (self._by_key, self._by_dir) for ws in group.values()) + len(self._ranges)

    def add(self, watcher: Watcher) -> None:
        if watcher.range_end is None:
            self._by_key.setdefault(watcher.key, {})[watcher] = None
        elif _is_directory(watcher.key, watcher.range_end):
            self._by_dir.setdefault(watcher.key, {})[watcher] = None
            self._dir_matches.clear()
        else:
            self._ranges[watcher] = None

    def remove(self, watcher: Watcher) -> None:
        if watcher.range_end is None:
            _discard(self._by_key, watcher.key, watcher)
        elif _is_directory(watcher.key, watcher.range_end):
            _discard(self._by_dir, watcher.key, watcher)
            self._dir_matches.clear()
        else:
            self._ranges.pop(watcher, None)

    def deliver(self, events: list[Event]) -> ReadyCallbacks:
        """Queue each event on every matching watcher; return their ``on_ready`` hooks
        (each once, in order of first use). This is the put hot path, so it is written flat."""
        ready: dict = {}
        by_key, dir_matches, ranges = self._by_key, self._dir_matches, self._ranges
        for event in events:
            key = event.kv.key
            exact = by_key.get(key)
            matched = [*exact] if exact else []
            in_dirs = dir_matches.get(key[:key.rfind("/") + 1])
            if in_dirs is None:
                in_dirs = self._directory_watchers(key)
            if ranges:
                in_ranges = [
                    w for w in ranges
                    if w.key <= key and (w.range_end == ALL_KEYS or key < w.range_end)
                ]
                in_dirs = sorted(in_dirs + in_ranges, key=_watcher_id)
            matched += in_dirs
            for w in matched:
                w._queue.put(event if w.prev_kv else _without_prev_kv(event))
                if w.on_ready is not None:
                    ready[w.on_ready] = None
        return list(ready)


    def _directory_watchers(self, key: str) -> list[Watcher]:
        """The directory watchers whose directory holds ``key`` (``/``, ``/registry/``, ...),
        by id; remembered for the key's parent directory."""
        parent = key[:key.rfind("/") + 1]
        found: list[Watcher] = []
        by_dir = self._by_dir
        end = parent.find("/")
        while end != -1:
            found += by_dir.get(parent[:end + 1], ())
            end = parent.find("/", end + 1)
        found.sort(key=_watcher_id)
        if len(self._dir_matches) >= _DIR_MATCHES_KEPT:
            self._dir_matches.clear()
        self._dir_matches[parent] = found
        return found


#: At most this many parent directories' matches are remembered (then they start over).
_DIR_MATCHES_KEPT = 4096


def _is_directory(key: str, range_end: str) -> bool:
    """Is ``[key, range_end)`` exactly the keys under the directory ``key`` (``.../``)?"""
    return key.endswith("/") and range_end == prefix_end(key)


def _discard(index: dict, key: str, watcher: Watcher) -> None:
    same = index.get(key)
    if same is not None:
        same.pop(watcher, None)
        if not same:
            del index[key]


def _watcher_id(watcher: Watcher) -> int:
    return watcher.id


def _without_prev_kv(event: Event) -> Event:
    return event if event.prev_kv is None else Event(event.type, event.kv, None)


class MVCCStore(KVStore):
    """labkube's etcd: revisioned keys, transactions, watches, leases, snapshots.

    ``MVCCStore(clock=None)``; pass the cluster clock for leases to expire.
    ``history_budget`` (keyword): bytes of superseded values kept unpacked, see
    :mod:`.history`.
    """

    def __init__(self, clock=None, *, history_budget: Optional[int] = DEFAULT_BUDGET) -> None:
        super().__init__(clock, history_budget=history_budget)
        self._synced = WatcherGroup()
        self._watch_ids = itertools.count(1)

    # -- watching -----------------------------------------------------------------------
    def watch(
        self,
        key: str,
        range_end: Optional[str] = None,
        *,
        prefix: bool = False,
        start_revision: int = 0,
        prev_kv: bool = True,
    ) -> Watcher:
        range_end = _watch_range(key, range_end, prefix)
        if start_revision < 0:
            raise ValueError(f"start_revision must be >= 0, got {start_revision}")
        with self._lock:
            start = start_revision or self._rev + 1
            if start > self._rev + 1:
                raise FutureRevisionError(self._rev, start)
            if start < self._compact_rev:
                raise CompactedError(self._compact_rev, start)
            watcher = Watcher(next(self._watch_ids), key, range_end, prev_kv, self._unwatch)
            self._catch_up(watcher, start)
            self._synced.add(watcher)
        return watcher

    def _catch_up(self, watcher: Watcher, start: int) -> None:
        """Queue the history from ``start`` on (the store lock is held)."""
        log = self._log
        for i in range(bisect_left(log, start, key=_entry_revision), len(log)):
            entry = log[i]
            if watcher.matches(entry[1]):  # its key
                watcher._deliver(self._event_of(entry, watcher.prev_kv))

    def _unwatch(self, watcher: Watcher) -> None:
        with self._lock:
            self._synced.remove(watcher)

    def watcher_count(self) -> int:
        with self._lock:
            return len(self._synced)

    def _commit(self, main: int, events: list[Event]) -> ReadyCallbacks:
        """Publish at revision ``main`` and hand the events to the synced watchers."""
        self._rev = main
        self._history.pack_if_over_budget(self._backend)
        return self._synced.deliver(events)

    # -- snapshots ----------------------------------------------------------------------
    def dump(self) -> dict:
        """The whole state as canonical plain data (what a snapshot file holds).

        Two stores with equal dumps answer every read, watch and lease query alike.
        """
        with self._lock:
            return dump_state(self)

    def snapshot(self, path) -> None:
        """Write everything to ``path`` (atomically: a temp file renamed into place)."""
        save(self.dump(), path)

    @classmethod
    def restore(
        cls, path, clock=None, *, history_budget: Optional[int] = DEFAULT_BUDGET
    ) -> "MVCCStore":
        """A new store identical to the one that wrote ``path``; leases resume their
        countdowns on ``clock`` with the TTL they had left."""
        store = cls(clock, history_budget=history_budget)
        load_state(store, load(path))
        return store


def _watch_range(key: str, range_end: Optional[str], prefix: bool) -> Optional[str]:
    if prefix:
        if range_end is not None:
            raise ValueError("give either prefix=True or a range_end, not both")
        return prefix_end(key)
    _check_key(key)
    return range_end or None  # an empty range_end means one key, as in etcd
