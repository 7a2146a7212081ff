"""The store's vocabulary: the values it hands out, the requests it takes, its contracts.

Mirrors etcd's ``server/storage/mvcc/kv.go`` (the ``ReadView``/``WriteView``/``KV`` and
``WatchableKV`` interfaces with their contracts), the ``mvccpb`` messages (``KeyValue``,
``Event``), the ``etcdserverpb`` compare/txn request shapes and etcd's named errors
(``ErrCompacted``, ``ErrFutureRev``, ``ErrLeaseNotFound``, ...).

Nothing here holds state. Every value is immutable and its payload is ``bytes``, so whatever
the store hands out can be shared freely between threads and can never be mutated behind the
store's back. The values of every write (``KeyValue``, ``Event``, ``PutResult``,
``TxnResult``) and the requests that make them (``Compare``, ``Op``) are named tuples, which
cost a third of a frozen dataclass to build (a busy cluster builds a few for each of its
thousands of writes); the rest are frozen dataclasses. The implementation lives beside this
module: :mod:`.revision`, :mod:`.key_index`, :mod:`.kvstore`, :mod:`.watchable`, :mod:`.lease`,
:mod:`.snapshot`.

Revisions, as in etcd: the store has one global, ever-increasing *main* revision. Each write
transaction that changes something bumps it by one; the changes inside one transaction share
that main revision and are ordered by a *sub* revision (0, 1, 2, ...). A fresh store is at
revision 1 and its first write is revision 2, exactly like a fresh etcd cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, NamedTuple, Optional, Protocol, Sequence, Union, runtime_checkable

# -- values handed out ----------------------------------------------------------------------


class KeyValue(NamedTuple):
    """One version of one key (etcd's ``mvccpb.KeyValue``).

    ``create_revision`` is the revision of the put that created the key in its current life
    (it resets after a delete), ``mod_revision`` the revision of this version, ``version``
    counts the puts since creation (1 for the creating put), ``lease`` is the attached lease
    id or 0. A DELETE event's ``kv`` carries only ``key`` and ``mod_revision`` (the delete's
    revision), the rest zero — as etcd sends it.
    """

    key: str
    value: bytes
    create_revision: int
    mod_revision: int
    version: int
    lease: int = 0


PUT = "PUT"
DELETE = "DELETE"


class Event(NamedTuple):
    """A change seen by a watcher (etcd's ``mvccpb.Event``): ``type`` is "PUT" or "DELETE".

    ``prev_kv`` is the key's value just before this change (None when the key did not exist,
    or when the watcher asked for ``prev_kv=False``).
    """

    type: str
    kv: KeyValue
    prev_kv: Optional[KeyValue] = None

    @property
    def revision(self) -> int:
        """The main revision of the change."""
        return self.kv.mod_revision


class PutResult(NamedTuple):
    """``revision``: the store revision after the put; ``prev_kv``: the value it replaced."""

    revision: int
    prev_kv: Optional[KeyValue]


@dataclass(frozen=True, slots=True)
class RangeResult:
    """A range read (etcd's ``RangeResponse``).

    ``kvs`` are sorted by key and cut at ``limit``; ``count`` is the number of keys in the
    whole range (ignoring the limit); ``more`` says the limit cut something off;
    ``revision`` is the store's current revision (the response header), even when the read
    was at a past revision.
    """

    kvs: tuple[KeyValue, ...]
    count: int
    more: bool
    revision: int


@dataclass(frozen=True, slots=True)
class DeleteResult:
    """``deleted`` keys were removed at ``revision`` (unchanged when nothing matched)."""

    revision: int
    deleted: int
    prev_kvs: tuple[KeyValue, ...]


class TxnResult(NamedTuple):
    """``succeeded`` says whether the compares held (then the success ops ran, else the
    failure ops); ``responses`` has one result per op run; ``revision`` is the store revision
    after the transaction."""

    succeeded: bool
    revision: int
    responses: tuple[Union[PutResult, RangeResult, DeleteResult], ...]


@dataclass(frozen=True, slots=True)
class Lease:
    """A granted lease: ``id`` and the granted ``ttl`` in seconds."""

    id: int
    ttl: int


@dataclass(frozen=True, slots=True)
class LeaseStatus:
    """etcd's ``LeaseTimeToLiveResponse``: ``ttl`` is the remaining time in whole seconds
    (truncated, as etcd computes it), ``granted_ttl`` the TTL it was granted with, ``keys``
    the attached keys (sorted)."""

    id: int
    ttl: int
    granted_ttl: int
    keys: tuple[str, ...]


# -- requests --------------------------------------------------------------------------------

COMPARE_TARGETS = ("mod", "create", "version", "value", "lease")
COMPARE_OPS = ("=", "!=", "<", ">")


class _CompareFields(NamedTuple):
    key: str
    target: str
    op: str
    value: Union[int, bytes]


class Compare(_CompareFields):
    """One guard of a transaction (etcd's ``Compare``).

    ``target`` picks the key's field: "mod" (mod_revision), "create" (create_revision),
    "version", "value" or "lease"; ``op`` is "=", "!=", "<" or ">". A key that does not
    exist compares as all zeros (version 0, revisions 0, lease 0) — which is how
    ``Compare.missing`` works — except that any "value" compare on a missing key fails,
    as in etcd.

    Checked when built, and immutable (a named tuple: every create and update builds one).
    """

    __slots__ = ()

    def __new__(cls, key: str, target: str, op: str, value: Union[int, bytes]) -> "Compare":
        if target not in COMPARE_TARGETS:
            raise ValueError(f"compare target must be one of {COMPARE_TARGETS}, got {target!r}")
        if op not in COMPARE_OPS:
            raise ValueError(f"compare op must be one of {COMPARE_OPS}, got {op!r}")
        wanted = bytes if target == "value" else int
        if not isinstance(value, wanted) or isinstance(value, bool):
            raise TypeError(f"a {target!r} compare needs a {wanted.__name__} value")
        return tuple.__new__(cls, (key, target, op, value))

    @classmethod
    def mod_revision(cls, key: str, op: str, revision: int) -> "Compare":
        if op in COMPARE_OPS and revision.__class__ is int:  # what every update sends: no more checks
            return tuple.__new__(cls, (key, "mod", op, revision))
        return cls(key, "mod", op, revision)

    @classmethod
    def create_revision(cls, key: str, op: str, revision: int) -> "Compare":
        return cls(key, "create", op, revision)

    @classmethod
    def version(cls, key: str, op: str, version: int) -> "Compare":
        return cls(key, "version", op, version)

    @classmethod
    def value_is(cls, key: str, op: str, value: bytes) -> "Compare":
        return cls(key, "value", op, value)

    @classmethod
    def lease(cls, key: str, op: str, lease_id: int) -> "Compare":
        return cls(key, "lease", op, lease_id)

    @classmethod
    def exists(cls, key: str) -> "Compare":
        """True when the key currently exists (version > 0)."""
        return tuple.__new__(cls, (key, "version", ">", 0))

    @classmethod
    def missing(cls, key: str) -> "Compare":
        """True when the key does not currently exist (version = 0)."""
        return tuple.__new__(cls, (key, "version", "=", 0))


OP_KINDS = ("put", "get", "delete")


class _OpFields(NamedTuple):
    kind: str
    key: str
    value: bytes = b""
    range_end: Optional[str] = None
    lease: int = 0


class Op(_OpFields):
    """One operation of a transaction branch (etcd's ``RequestOp``).

    Build them with ``Op.put(key, value, lease=0)``, ``Op.get(key, range_end=None)`` and
    ``Op.delete(key, range_end=None)``; ``range_end`` follows :meth:`KV.range`.
    Immutable (a named tuple, like :class:`Compare`).
    """

    __slots__ = ()

    def __new__(cls, kind: str, key: str, value: bytes = b"", range_end: Optional[str] = None,
                lease: int = 0) -> "Op":
        if kind not in OP_KINDS:
            raise ValueError(f"op kind must be one of {OP_KINDS}, got {kind!r}")
        return tuple.__new__(cls, (kind, key, value, range_end, lease))

    @staticmethod
    def put(key: str, value: bytes, lease: int = 0) -> "Op":
        return tuple.__new__(Op, ("put", key, value, None, lease))

    @staticmethod
    def get(key: str, range_end: Optional[str] = None) -> "Op":
        return tuple.__new__(Op, ("get", key, b"", range_end, 0))

    @staticmethod
    def delete(key: str, range_end: Optional[str] = None) -> "Op":
        return tuple.__new__(Op, ("delete", key, b"", range_end, 0))


def prefix_end(prefix: str) -> str:
    """The ``range_end`` that makes ``[prefix, end)`` cover every key starting with prefix.

    Like etcd's ``clientv3.GetPrefixRangeEnd``: bump the last character that can be bumped
    and drop what follows. An empty prefix (or one that cannot be bumped) gives "\\0",
    which as a range_end means "to the end of the keyspace".
    """
    for i in range(len(prefix) - 1, -1, -1):
        if ord(prefix[i]) < 0x10FFFF:
            return prefix[:i] + chr(ord(prefix[i]) + 1)
    return "\0"


# -- named errors -----------------------------------------------------------------------------


class StoreError(Exception):
    """Base of every error the store raises on purpose."""


class CompactedError(StoreError):
    """etcd's ``ErrCompacted``: the requested revision is older than the compaction point.

    ``compact_revision`` is the store's compaction point (reads and watches may start at it
    or later); ``requested_revision`` is what was asked for.
    """

    def __init__(self, compact_revision: int, requested_revision: int = 0) -> None:
        super().__init__("mvcc: required revision has been compacted")
        self.compact_revision = compact_revision
        self.requested_revision = requested_revision


class FutureRevisionError(StoreError):
    """etcd's ``ErrFutureRev``: the requested revision is newer than the store's."""

    def __init__(self, current_revision: int, requested_revision: int) -> None:
        super().__init__("mvcc: required revision is a future revision")
        self.current_revision = current_revision
        self.requested_revision = requested_revision


class LeaseNotFoundError(StoreError):
    """etcd's ``ErrLeaseNotFound``: no lease with that id (never granted, revoked or expired)."""

    def __init__(self, lease_id: int) -> None:
        super().__init__("lease not found")
        self.lease_id = lease_id


class LeaseExistsError(StoreError):
    """etcd's ``ErrLeaseExists``: a grant asked for an id that is already in use."""

    def __init__(self, lease_id: int) -> None:
        super().__init__("lease already exists")
        self.lease_id = lease_id


class DuplicateKeyError(StoreError):
    """etcd's ``ErrDuplicateKey``: one transaction branch writes the same key twice."""

    def __init__(self, key: str) -> None:
        super().__init__("etcdserver: duplicate key given in txn request")
        self.key = key


# -- contracts -------------------------------------------------------------------------------


class ReadView(Protocol):
    """Reads. ``revision=0`` means "the current revision"."""

    @property
    def revision(self) -> int:
        """The current main revision (1 for a fresh store)."""

    @property
    def compact_revision(self) -> int:
        """The revision of the last compaction (0 if never compacted)."""

    def get(self, key: str, revision: int = 0) -> Optional[KeyValue]:
        """The key's value as of ``revision``, or None if it did not exist then.

        If the revision is older than the compaction point, CompactedError is raised; if it
        is newer than the current revision, FutureRevisionError.
        """

    def range(
        self, key: str, range_end: Optional[str] = None, *, revision: int = 0, limit: int = 0
    ) -> RangeResult:
        """The keys in ``[key, range_end)`` as of ``revision``, sorted by key.

        etcd's conventions: ``range_end=None`` (or "") reads the single ``key``;
        ``range_end="\\0"`` reads every key >= ``key``; ``key="\\0", range_end="\\0"`` reads
        everything.
        ``limit > 0`` returns at most that many kvs and sets ``more`` if some were left out;
        ``count`` always counts the whole range. Errors as for :meth:`get`.
        """

    def range_prefix(self, prefix: str, *, revision: int = 0, limit: int = 0) -> RangeResult:
        """:meth:`range` over every key that starts with ``prefix``."""


class WriteView(Protocol):
    """Writes. Each call is one atomic write transaction."""

    def put(self, key: str, value: bytes, lease: int = 0) -> PutResult:
        """Store ``value`` under ``key`` at a new revision, attached to ``lease`` (0 = none).

        A put to a key attached to another lease moves it to the new one (or detaches it when
        ``lease`` is 0). An unknown lease raises LeaseNotFoundError and changes nothing.
        """

    def delete(self, key: str) -> DeleteResult:
        """Delete one key. Deleting a missing key changes nothing and keeps the revision."""

    def delete_range(self, key: str, range_end: Optional[str] = None) -> DeleteResult:
        """Delete every key in the range (as :meth:`ReadView.range`) at one new revision."""

    def txn(
        self, compares: Sequence[Compare], success: Sequence[Op], failure: Sequence[Op] = ()
    ) -> TxnResult:
        """If every compare holds run ``success`` else ``failure``, all atomically.

        All writes of the branch share one new main revision (ordered by sub revision); a
        branch that writes nothing keeps the revision. Reads in a branch see the branch's
        earlier writes. A branch writing one key twice raises DuplicateKeyError; an unknown
        lease raises LeaseNotFoundError; in both cases nothing changes.
        """


class KV(ReadView, WriteView, Protocol):
    def compact(self, revision: int) -> None:
        """Forget history older than ``revision``, keeping each key's latest version at or
        before it, so reads at ``revision`` or later still work.

        A revision at or below the current compaction point raises CompactedError; one above
        the current revision raises FutureRevisionError.
        """


@runtime_checkable
class WatcherLike(Protocol):
    """A stream of events for a key or range (etcd's ``WatchStream`` + one watch id).

    Events arrive exactly once each, in revision order (sub-revision order inside one
    transaction). The queue is unbounded: a slow reader never loses events.
    ``on_ready``, if set, is called with no arguments, outside the store lock, whenever new
    events have been queued. After ``cancel()`` nothing more is delivered: ``poll()`` returns
    [], ``get()`` returns None and iteration stops — a reader blocked in ``get``/iteration
    wakes up at once.
    """

    on_ready: Optional[Callable[[], None]]

    def poll(self) -> list[Event]: ...

    def get(self, timeout: Optional[float] = None) -> Optional[Event]: ...

    def __iter__(self) -> Iterator[Event]: ...

    def cancel(self) -> None: ...

    @property
    def cancelled(self) -> bool: ...


class WatchableKV(KV, Protocol):
    def watch(
        self,
        key: str,
        range_end: Optional[str] = None,
        *,
        prefix: bool = False,
        start_revision: int = 0,
        prev_kv: bool = True,
    ) -> WatcherLike:
        """Watch ``key`` (or ``[key, range_end)``, or every key under the prefix ``key``).

        ``start_revision=0`` streams changes after the current revision; a past revision
        first replays the history from it, then streams. A start older than the compaction
        point raises CompactedError (with ``compact_revision``); one past
        ``revision + 1`` raises FutureRevisionError.
        """


class LeaseKV(Protocol):
    """Leases on the cluster clock (etcd's ``lease.Lessor``, as the store exposes it)."""

    def lease_grant(self, ttl: int, lease_id: int = 0) -> Lease:
        """Grant a lease of ``ttl`` seconds; ``lease_id=0`` picks the next free id.
        An id already in use raises LeaseExistsError."""

    def lease_keepalive(self, lease_id: int) -> int:
        """Restart the lease's countdown at its granted TTL; returns that TTL."""

    def lease_revoke(self, lease_id: int) -> int:
        """Delete the lease and, in one revision, every key attached to it. Returns the
        store revision afterwards. Expiry does exactly this."""

    def lease_time_to_live(self, lease_id: int) -> LeaseStatus:
        """Remaining TTL and attached keys."""

    def leases(self) -> list[Lease]:
        """Every live lease, by id."""
