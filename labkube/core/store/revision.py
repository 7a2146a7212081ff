"""Revisions: the store's logical clock.

Mirrors etcd's ``server/storage/mvcc/revision.go``. A revision is a pair ``(main, sub)``:

* ``main`` is the store-wide counter. Every write transaction that changes something takes
  the next main revision; reads "at revision N" see the store as it was after main revision
  N. The API server hands ``main`` out as ``metadata.resourceVersion``.
* ``sub`` orders the changes inside one transaction: a txn that puts two keys and deletes a
  third writes them at ``(N, 0)``, ``(N, 1)`` and ``(N, 2)``.

Revisions compare as tuples, main first, which is the order etcd's backend stores them in
and the order watchers receive events in. ``Revision`` is a ``NamedTuple`` so it is
immutable, hashable (the backend is a dict keyed by it) and cheap to build on the put path.
"""

from __future__ import annotations

from typing import NamedTuple

from .kv import CompactedError, FutureRevisionError

#: A fresh store is at revision 1; its first write gets revision 2 — as in etcd.
INITIAL_REVISION = 1


class Revision(NamedTuple):
    """``(main, sub)``; ``str()`` gives etcd's debugging form ``"main.sub"``."""

    main: int
    sub: int = 0

    def __str__(self) -> str:
        return f"{self.main}.{self.sub}"

    def to_list(self) -> list[int]:
        """The JSON form used in snapshots."""
        return [self.main, self.sub]

    @classmethod
    def from_list(cls, pair: list[int]) -> "Revision":
        main, sub = pair
        return cls(int(main), int(sub))


def check_read_revision(requested: int, current: int, compacted: int) -> int:
    """Resolve a read's ``revision`` argument like etcd's ``rangeKeys``.

    0 means "now" (``current``). Anything newer than ``current`` is a future revision;
    anything older than the compaction point is gone. Returns the revision to read at.
    """
    if requested < 0:
        raise ValueError(f"revision must be >= 0, got {requested}")
    if requested == 0:
        return current
    if requested > current:
        raise FutureRevisionError(current, requested)
    if requested < compacted:
        raise CompactedError(compacted, requested)
    return requested
