"""Reads, writes, transactions and compaction over the multi-version keyspace.

Mirrors etcd's ``server/storage/mvcc/kvstore.go``, ``kvstore_txn.go`` and
``kvstore_compaction.go``. :class:`KVStore` is everything of etcd's ``store`` except
watching (added by :class:`~.watchable.MVCCStore`). Its state:

* ``_backend``: every *superseded* version still in history, ``Revision -> KeyValue``
  (etcd's bolt "key" bucket, less each live key's latest version, which ``_latest`` holds:
  most keys are Events written once, and one copy of the reference is enough); superseded
  versions may be *packed* (compressed, see :mod:`.history`), and every read unpacks them
  into an equal ``KeyValue``;
* ``_index``: ``key -> KeyIndex``, the revisions at which each key changed (etcd's
  ``treeIndex``); ``_keys`` is the same keys kept sorted, so a range is two bisections (a
  ``SortedList``, which inserts in O(log n): a plain list's insort moves every later key, and
  that grew quadratic at 100,000+ keys, mostly Events);
* ``_latest``: ``key -> KeyValue`` for live keys — a read at the current revision is a dict
  lookup (etcd serves those from the same index; a dict is Python's fast path). A live key's
  latest version is stored here only; :meth:`KVStore._stored` looks in both places;
* ``_log``: the changes since the compaction point, in revision order, as
  :class:`LogEntry` (kind, key, revision, previous revision). Watchers replay it, rebuilding
  each event from the backend, as etcd does; ``_log_prevs`` keeps the few previous versions
  a compaction removed from the backend while a logged change still needs them as prev_kv.
* the lessor (:mod:`.lease`), told about every key attached to or detached from a lease.

Guarantees: one ``threading.RLock`` serializes every operation, so each call is atomic and
sees a consistent revision; every write call is one transaction at one new main revision
(none when it changes nothing); values handed out are frozen and never mutated afterwards.
"""

from __future__ import annotations

import operator
import threading
from bisect import bisect_left
from typing import Callable, NamedTuple, Optional, Sequence

from sortedcontainers import SortedList

from .history import DEFAULT_BUDGET, History, Stored
from .key_index import KeyIndex
from .kv import (
    DELETE,
    PUT,
    CompactedError,
    Compare,
    DeleteResult,
    DuplicateKeyError,
    Event,
    FutureRevisionError,
    KeyValue,
    Lease,
    LeaseStatus,
    Op,
    PutResult,
    RangeResult,
    TxnResult,
    prefix_end,
)
from .lease import Lessor
from .revision import INITIAL_REVISION, Revision, check_read_revision

#: ``Revision(main, sub)`` without NamedTuple's Python-level ``__new__`` (the put hot path);
#: the write path builds its ``KeyValue``, ``Event``, ``PutResult`` and ``TxnResult`` the same way.
_new_revision = _new_tuple = tuple.__new__

#: A log entry's "no previous version": no version is stored at revision 0.
_NO_REVISION = (0, 0)

#: The range_end meaning "every key from ``key`` on" (etcd's ``"\x00"``).
ALL_KEYS = "\0"

_COMPARE_OPS: dict[str, Callable[[object, object], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}

_COMPARE_FIELDS = {
    "mod": "mod_revision",
    "create": "create_revision",
    "version": "version",
    "value": "value",
    "lease": "lease",
}

ReadyCallbacks = list[Callable[[], None]]


class LogEntry(NamedTuple):
    """One change in the history log: enough to rebuild its :class:`~.kv.Event` from the
    backend. ``(main, sub)`` is the change's revision (for a DELETE, its tombstone's);
    ``(prev_main, prev_sub)`` the revision of the version it replaced, ``prev_main`` 0 when
    the key did not exist (no version is stored at revision 0).

    The log holds *plain tuples* with these fields: Python's garbage collector stops
    tracking a plain tuple of strings and numbers, and the log holds one per change. A plain
    ``(main, sub)`` tuple finds a :class:`~.revision.Revision` key in the backend."""

    type: str
    key: str
    main: int
    sub: int
    prev_main: int
    prev_sub: int


def _entry_revision(entry: tuple) -> int:
    return entry[2]


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not key:
        raise ValueError("etcdserver: key is not provided")


def _as_bytes(value: bytes) -> bytes:
    """The store's own exact-size copy of a value (etcd copies values into its backend too).

    A ``bytes`` object may own a larger buffer than its length: ``orjson.dumps`` returns one
    of ~8 KiB for a 600-byte Event. The store keeps every revision until compaction, so
    keeping the caller's object would cost ~10x the data; ``tobytes()`` allocates exactly."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return memoryview(value).tobytes()  # also a private copy of a mutable buffer
    raise TypeError(f"store values are bytes, got {type(value).__name__}")


class KVStore:
    """etcd's mvcc ``store``: a revisioned keyspace with transactions and leases."""

    def __init__(self, clock=None, *, history_budget: Optional[int] = DEFAULT_BUDGET) -> None:
        """``history_budget``: bytes of superseded values kept unpacked (None: never pack);
        see :mod:`.history`."""
        self._lock = threading.RLock()
        self._clock = clock
        self._rev = INITIAL_REVISION
        self._compact_rev = 0
        self._backend: dict[Revision, Stored] = {}
        self._index: dict[str, KeyIndex] = {}
        self._keys: SortedList = SortedList()
        self._latest: dict[str, KeyValue] = {}
        self._log: list[tuple] = []  # of LogEntry fields
        self._log_prevs: dict[Revision, Stored] = {}
        self._history = History(history_budget)
        self._lessor = Lessor(clock, self._expire_lease)

    @property
    def revision(self) -> int:
        return self._rev

    @property
    def compact_revision(self) -> int:
        return self._compact_rev

    @property
    def clock(self):
        return self._clock

    # == reads ===========================================================================
    def get(self, key: str, revision: int = 0) -> Optional[KeyValue]:
        with self._lock:
            if revision == 0 or revision == self._rev:
                return self._latest.get(key)
            at = check_read_revision(revision, self._rev, self._compact_rev)
            return self._get_at(key, at)

    def _get_at(self, key: str, at: int) -> Optional[KeyValue]:
        stored = self._stored_at(key, at)
        return None if stored is None else self._history.unpack(stored)

    def _stored_at(self, key: str, at: int) -> Optional[Stored]:
        """What the backend holds for ``key`` as of revision ``at`` (maybe packed)."""
        ki = self._index.get(key)
        if ki is None:
            return None
        rev = ki.get(at)
        if rev is None:
            return None
        stored = self._backend.get(rev)  # the common case, inlined: range reads loop here
        return self._stored(key, rev) if stored is None else stored

    def _version(self, key: str, rev: tuple[int, int]) -> KeyValue:
        """``key``'s version stored at ``rev``, also one kept only for the log's prev_kv."""
        return self._history.unpack(self._stored(key, rev))

    def _stored(self, key: str, rev: tuple[int, int]) -> Stored:
        """What the store holds for ``key``'s version at ``rev`` (maybe packed): the latest
        version of a live key is in ``_latest`` (a key has one version per main revision, so
        its ``mod_revision`` identifies it), older ones in ``_backend``, or in
        ``_log_prevs`` once compaction took them from the backend. History reads are the
        common caller, so the backend is asked first."""
        stored = self._backend.get(rev)
        if stored is not None:
            return stored
        latest = self._latest.get(key)
        if latest is not None and latest.mod_revision == rev[0]:
            return latest
        return self._log_prevs[rev]

    def _event_of(self, entry: tuple, with_prev_kv: bool = True) -> Event:
        """The watch event a log entry stands for, rebuilt from the backend."""
        kind, key, main, sub, prev_main, prev_sub = entry
        if kind == PUT:
            kv = self._version(key, (main, sub))
        else:
            kv = KeyValue(key, b"", 0, main, 0, 0)
        if not (with_prev_kv and prev_main):
            return Event(kind, kv, None)
        return Event(kind, kv, self._version(key, (prev_main, prev_sub)))

    def range(
        self, key: str, range_end: Optional[str] = None, *, revision: int = 0, limit: int = 0
    ) -> RangeResult:
        if limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit}")
        with self._lock:
            at = check_read_revision(revision, self._rev, self._compact_rev)
            kvs = self._range_at(key, range_end, at)
            return self._range_result(kvs, limit, self._rev)

    def range_prefix(self, prefix: str, *, revision: int = 0, limit: int = 0) -> RangeResult:
        return self.range(prefix or ALL_KEYS, prefix_end(prefix), revision=revision, limit=limit)

    @staticmethod
    def _range_result(kvs: list[KeyValue], limit: int, revision: int) -> RangeResult:
        count = len(kvs)
        if limit and count > limit:
            return RangeResult(tuple(kvs[:limit]), count, True, revision)
        return RangeResult(tuple(kvs), count, False, revision)

    def _keys_in(self, key: str, range_end: Optional[str]) -> list[str]:
        """Known keys (live or with history) in ``[key, range_end)``, sorted."""
        keys = self._keys
        if not range_end:  # None or "": one key, as etcd treats an empty range_end
            return [key] if key in self._index else []
        lo = keys.bisect_left(key)
        hi = len(keys) if range_end == ALL_KEYS else keys.bisect_left(range_end)
        return keys[lo:hi]

    def _range_at(self, key: str, range_end: Optional[str], at: int) -> list[KeyValue]:
        keys = self._keys_in(key, range_end)
        if at == self._rev:
            return list(filter(None, map(self._latest.get, keys)))
        found = (self._stored_at(k, at) for k in keys)
        return self._history.unpack_all([s for s in found if s is not None])

    # == single writes ===================================================================
    def put(self, key: str, value: bytes, lease: int = 0) -> PutResult:
        if type(key) is not str or not key:
            _check_key(key)
        value = _as_bytes(value)
        with self._lock:
            if lease:
                self._lessor.require(lease)
            main = self._rev + 1
            event = self._apply_put(key, value, lease, main, 0)
            ready = self._commit(main, [event])
        for callback in ready:
            callback()
        return PutResult(main, event.prev_kv)

    def delete(self, key: str) -> DeleteResult:
        _check_key(key)
        return self.delete_range(key, None)

    def delete_range(self, key: str, range_end: Optional[str] = None) -> DeleteResult:
        _check_key(key)
        with self._lock:
            keys = [k for k in self._keys_in(key, range_end) if k in self._latest]
            result, ready = self._delete_keys(keys)
        for callback in ready:
            callback()
        return result

    def _delete_keys(self, keys: Sequence[str]) -> tuple[DeleteResult, ReadyCallbacks]:
        """Delete live ``keys`` (in that order) at one new revision. Caller holds the lock."""
        if not keys:
            return DeleteResult(self._rev, 0, ()), []
        main = self._rev + 1
        events = [self._apply_delete(k, main, sub) for sub, k in enumerate(keys)]
        ready = self._commit(main, events)
        return DeleteResult(main, len(events), tuple(e.prev_kv for e in events)), ready

    # == the two primitive changes =======================================================
    def _apply_put(self, key: str, value: bytes, lease: int, main: int, sub: int) -> Event:
        prev = self._latest.get(key)
        if prev is None:
            kv = _new_tuple(KeyValue, (key, value, main, main, 1, lease))
            ki = self._index.get(key)
            if ki is None:
                ki = self._index[key] = KeyIndex(key)
                self._keys.add(key)
            prev_rev = _NO_REVISION
        else:
            kv = _new_tuple(KeyValue, (key, value, prev.create_revision, main, prev.version + 1, lease))
            ki = self._index[key]
            prev_rev = ki.modified
            self._supersede(prev_rev, prev)
        rev = _new_revision(Revision, (main, sub))
        ki.put(rev)
        self._latest[key] = kv
        self._log.append((PUT, key, main, sub, prev_rev[0], prev_rev[1]))
        old_lease = prev.lease if prev is not None else 0
        if old_lease != lease:
            self._lessor.move(key, old_lease, lease)
        return _new_tuple(Event, (PUT, kv, prev))

    def _apply_delete(self, key: str, main: int, sub: int) -> Event:
        prev = self._latest.pop(key)
        ki = self._index[key]
        prev_rev = ki.modified
        self._supersede(prev_rev, prev)
        rev = _new_revision(Revision, (main, sub))
        ki.tombstone(rev)
        self._log.append((DELETE, key, main, sub, prev_rev[0], prev_rev[1]))
        if prev.lease:
            self._lessor.move(key, prev.lease, 0)
        return Event(DELETE, KeyValue(key, b"", 0, main, 0, 0), prev)

    def _supersede(self, rev: Revision, kv: KeyValue) -> None:
        """``kv``, stored at ``rev``, stops being its key's latest version: it moves into the
        backend, as history, and the packer is told."""
        self._backend[rev] = kv
        self._history.superseded(rev, kv)

    def _commit(self, main: int, events: list[Event]) -> ReadyCallbacks:
        """Publish a transaction's changes at revision ``main`` (already in the backend and the
        log) and pack history if it grew past its budget. Returns the ``on_ready`` callbacks
        to call once the lock is released (the watchable store adds watchers)."""
        self._rev = main
        self._history.pack_if_over_budget(self._backend)
        return []

    # == transactions ====================================================================
    def txn(
        self, compares: Sequence[Compare], success: Sequence[Op], failure: Sequence[Op] = ()
    ) -> TxnResult:
        _check_ops(success)
        if len(failure) > 0:  # most transactions have no failure branch
            _check_ops(failure)
        with self._lock:
            succeeded = all(map(self._compare_holds, compares))
            ops = success if succeeded else failure
            for op in ops:
                if op.kind == "put" and op.lease:
                    self._lessor.require(op.lease)
            responses, events = self._run_ops(ops)
            ready = self._commit(self._rev + 1, events) if events else []
            revision = self._rev
        for callback in ready:
            callback()
        return _new_tuple(TxnResult, (succeeded, revision, tuple(responses)))

    def _compare_holds(self, compare: Compare) -> bool:
        kv = self._latest.get(compare.key)
        if kv is None:
            if compare.target == "value":
                return False  # etcd: a value compare on a missing key always fails
            actual: object = 0
        else:
            actual = getattr(kv, _COMPARE_FIELDS[compare.target])
        return _COMPARE_OPS[compare.op](actual, compare.value)

    def _run_ops(self, ops: Sequence[Op]) -> tuple[list, list[Event]]:
        """Apply one branch at main revision ``rev + 1``, sub revisions in op order.
        Reads see the branch's earlier writes, as in etcd's write transactions."""
        main = self._rev + 1
        responses: list = []
        events: list[Event] = []
        for op in ops:
            if op.kind == "put":
                event = self._apply_put(op.key, _as_bytes(op.value), op.lease, main, len(events))
                events.append(event)
                responses.append(_new_tuple(PutResult, (main, event.prev_kv)))
            elif op.kind == "delete":
                deleted = self._txn_delete(op, main, len(events))
                events.extend(deleted)
                seen = main if events else self._rev
                prev_kvs = tuple(e.prev_kv for e in deleted)
                responses.append(DeleteResult(seen, len(deleted), prev_kvs))
            else:
                responses.append(self._txn_range(op, main if events else self._rev))
        return responses, events

    def _txn_delete(self, op: Op, main: int, first_sub: int) -> list[Event]:
        keys = [k for k in self._keys_in(op.key, op.range_end) if k in self._latest]
        return [self._apply_delete(k, main, first_sub + i) for i, k in enumerate(keys)]

    def _txn_range(self, op: Op, seen: int) -> RangeResult:
        kvs = list(filter(None, map(self._latest.get, self._keys_in(op.key, op.range_end))))
        return self._range_result(kvs, 0, seen)

    # == compaction ======================================================================
    def compact(self, revision: int) -> None:
        with self._lock:
            if revision <= self._compact_rev:
                raise CompactedError(self._compact_rev, revision)
            if revision > self._rev:
                raise FutureRevisionError(self._rev, revision)
            cut = bisect_left(self._log, revision, key=_entry_revision)
            prevs = self._prevs_logged_at(revision, cut)
            self._compact_index(revision)
            del self._log[:cut]
            self._log_prevs = {r: v for r, v in prevs.items() if r not in self._backend}
            self._history.compacted(self._backend)
            self._compact_rev = revision

    def _prevs_logged_at(self, revision: int, start: int) -> dict[Revision, Stored]:
        """The previous versions of the changes logged at exactly ``revision`` (from log
        index ``start``). Compacting at ``revision`` may drop them from the backend, yet the
        log keeps those changes, and a watch replaying them owes their prev_kv."""
        prevs = {}
        log = self._log
        for i in range(start, len(log)):
            _, key, main, _, prev_main, prev_sub = log[i]
            if main != revision:
                break
            if prev_main:
                prevs[prev_main, prev_sub] = self._stored(key, (prev_main, prev_sub))
        return prevs

    def _compact_index(self, revision: int) -> None:
        emptied = []
        for key, ki in self._index.items():
            for rev in ki.compact(revision):
                self._backend.pop(rev, None)
            if ki.is_empty():
                emptied.append(key)
        for key in emptied:
            del self._index[key]
        if emptied:
            self._keys = SortedList(self._index)

    # == leases ==========================================================================
    def lease_grant(self, ttl: int, lease_id: int = 0) -> Lease:
        with self._lock:
            return self._lessor.grant(ttl, lease_id)

    def lease_keepalive(self, lease_id: int) -> int:
        with self._lock:
            return self._lessor.keepalive(lease_id)

    def lease_time_to_live(self, lease_id: int) -> LeaseStatus:
        with self._lock:
            return self._lessor.time_to_live(lease_id)

    def leases(self) -> list[Lease]:
        with self._lock:
            return self._lessor.leases()

    def lease_revoke(self, lease_id: int) -> int:
        with self._lock:
            ready = self._revoke_locked(lease_id)
            revision = self._rev
        for callback in ready:
            callback()
        return revision

    def _revoke_locked(self, lease_id: int) -> ReadyCallbacks:
        """Forget the lease and delete its keys, sorted, at one revision (etcd sorts too)."""
        keys = self._lessor.revoke(lease_id)
        _, ready = self._delete_keys([k for k in keys if k in self._latest])
        return ready

    def _expire_lease(self, lease_id: int, countdown: int) -> None:
        """The lessor's timer fired: revoke the lease unless it was renewed or revoked."""
        with self._lock:
            if not self._lessor.is_due(lease_id, countdown):
                return
            ready = self._revoke_locked(lease_id)
        for callback in ready:
            callback()


def _check_ops(ops: Sequence[Op]) -> None:
    """etcd refuses a branch that writes one key twice (put/put or put inside a delete)."""
    puts: set[str] = set()
    for op in ops:
        if not isinstance(op, Op):
            raise TypeError(f"txn ops must be Op, got {type(op).__name__}")
        if op.kind == "put":
            _check_key(op.key)
            if not isinstance(op.value, (bytes, bytearray, memoryview)):
                _as_bytes(op.value)  # raises the TypeError
            if op.key in puts:
                raise DuplicateKeyError(op.key)
            puts.add(op.key)
    for op in ops:
        if op.kind == "delete":
            for key in puts:
                if _in_range(key, op.key, op.range_end):
                    raise DuplicateKeyError(key)


def _in_range(key: str, start: str, end: Optional[str]) -> bool:
    if not end:
        return key == start
    return start <= key and (end == ALL_KEYS or key < end)
