"""How the store remembers one key's history.

Mirrors etcd's ``server/storage/mvcc/key_index.go``. The store keeps every version of every
value in its backend, a dict from :class:`~.revision.Revision` to
:class:`~.kv.KeyValue` (old versions packed, see :mod:`.history`). To answer "what was
``/registry/pods/default/web`` at revision 6?" it needs, per key, the list of revisions at
which that key changed. That list is the *key index*.

A key can be created, changed, deleted and created again, so its revisions are grouped
into *generations*. A generation starts with the put that creates the key and ends with the
*tombstone*, the revision of the delete. The last generation is the key's current life; it
is empty if the key is deleted right now.

Worked example — one key, ``/registry/pods/default/web``:

============================  ==================================================
what happens                  generations afterwards (``t`` marks a tombstone)
============================  ==================================================
put at revision 2             ``[2]``
put at revision 5             ``[2, 5]``
delete at revision 7          ``[2, 5, 7t]  []``
put at revision 9             ``[2, 5, 7t]  [9]``
============================  ==================================================

Reading walks back to the newest revision at or before the one asked for, inside the
generation alive at that time:

* at revision 4 the answer is the value written at 2 (version 1, created at 2);
* at revision 6 it is the value written at 5 (version 2);
* at revision 8 there is nothing: the newest change at or before 8 is the tombstone at 7;
* at revision 1 there is nothing: the key did not exist yet.

*Compaction* at revision ``R`` throws away history nobody may read any more (reads before
``R`` are refused) while keeping what a read *at* ``R`` still needs — the newest revision at
or before ``R`` in each generation:

* compact(4) keeps ``[2, 5, 7t]  [9]``: 2 is still the answer at revision 4;
* compact(6) gives ``[5, 7t]  [9]``: 2 can go, a read at 6 or later never returns it;
* compact(8) gives ``[9]``: at 8 the key was deleted, so its whole first life goes —
  tombstone included;
* compact(10) keeps ``[9]``: the current value is always kept.

When every generation is gone (a key deleted before the compaction point and never
re-created) the store drops the key index itself. The revisions a compaction drops are
returned so the store can delete their values from the backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .revision import Revision


@dataclass(slots=True)
class Generation:
    """One life of a key: ``revs`` from the creating put to (maybe) the tombstone.

    ``ver`` counts the changes in this life, tombstone included (as etcd's ``generation``).

    The store keeps one :class:`KeyIndex` per key (hundreds of thousands of them, most of
    them Events written once), so both classes use ``__slots__`` (no per-object ``__dict__``)
    and an empty generation shares one empty tuple until its first put gives it a list of
    exactly one revision (a list that grows by ``append`` reserves room for four).
    """

    ver: int = 0
    created: Optional[Revision] = None
    revs: "list[Revision] | tuple[()]" = ()

    def is_empty(self) -> bool:
        return not self.revs

    def newest_at(self, at_rev: int) -> int:
        """Index of the newest revision whose main is <= ``at_rev``, or -1."""
        revs = self.revs
        for i in range(len(revs) - 1, -1, -1):
            if revs[i].main <= at_rev:
                return i
        return -1


class KeyIndex:
    """The revisions at which one key changed, grouped into generations."""

    __slots__ = ("key", "modified", "generations")

    def __init__(self, key: str) -> None:
        self.key = key
        #: The revision of the key's last change (put or tombstone).
        self.modified: Optional[Revision] = None
        self.generations: list[Generation] = [Generation()]

    def __repr__(self) -> str:
        lives = "  ".join(
            "[" + ", ".join(str(r) for r in g.revs) + "]" for g in self.generations
        )
        return f"<KeyIndex {self.key!r} {lives}>"

    # -- writes -------------------------------------------------------------------------
    def put(self, rev: Revision) -> None:
        """Record a put at ``rev`` (must be newer than every recorded revision)."""
        if self.modified is not None and rev <= self.modified:
            raise ValueError(
                f"revision {rev} is not newer than {self.modified} for key {self.key!r}"
            )
        g = self.generations[-1]
        if g.revs:
            g.revs.append(rev)
        else:
            g.created = rev
            g.revs = [rev]
        g.ver += 1
        self.modified = rev

    def tombstone(self, rev: Revision) -> None:
        """Record a delete at ``rev``: close the current generation and open an empty one."""
        if self.generations[-1].is_empty():
            raise ValueError(f"key {self.key!r} is already deleted; nothing to tombstone")
        self.put(rev)
        self.generations.append(Generation())

    # -- reads --------------------------------------------------------------------------
    def get(self, at_rev: int) -> Optional[Revision]:
        """The revision holding the key's value as of main revision ``at_rev``, or None if
        the key did not exist then."""
        g = self._generation_at(at_rev)
        if g is None:
            return None
        i = g.newest_at(at_rev)
        return g.revs[i] if i >= 0 else None

    def _generation_at(self, at_rev: int) -> Optional[Generation]:
        """The generation alive at ``at_rev`` (None if the key was absent then)."""
        last = len(self.generations) - 1
        for i in range(last, -1, -1):
            g = self.generations[i]
            if not g.revs:
                continue
            if i != last and g.revs[-1].main <= at_rev:
                return None  # that life had already ended by at_rev
            if g.revs[0].main <= at_rev:
                return g
        return None

    def is_empty(self) -> bool:
        """True when no history is left (the store then forgets the key)."""
        return len(self.generations) == 1 and self.generations[0].is_empty()

    # -- compaction ---------------------------------------------------------------------
    def compact(self, at_rev: int) -> list[Revision]:
        """Drop history older than ``at_rev`` (see the module docstring). Returns the
        dropped revisions, oldest first."""
        dropped: list[Revision] = []
        first = self._first_generation_reaching(at_rev)
        for g in self.generations[:first]:
            dropped.extend(g.revs)
        g = self.generations[first]
        keep_from = g.newest_at(at_rev)
        if keep_from > 0:
            dropped.extend(g.revs[:keep_from])
            g.revs = g.revs[keep_from:]
        if len(g.revs) == 1 and first != len(self.generations) - 1:
            # what is left of this finished life is its tombstone: nobody can read it
            dropped.append(g.revs[0])
            first += 1
        self.generations = self.generations[first:]
        return dropped

    def _first_generation_reaching(self, at_rev: int) -> int:
        """Index of the first generation that ends at or after ``at_rev`` (or the last)."""
        i = 0
        while i < len(self.generations) - 1:
            if self.generations[i].revs[-1].main >= at_rev:
                break
            i += 1
        return i

    # -- snapshots ----------------------------------------------------------------------
    def to_state(self) -> list[dict]:
        """The generations as plain data (for snapshots and ``dump()``)."""
        return [
            {
                "ver": g.ver,
                "created": g.created.to_list() if g.created else None,
                "revs": [r.to_list() for r in g.revs],
            }
            for g in self.generations
        ]

    @classmethod
    def from_state(cls, key: str, generations: list[dict]) -> "KeyIndex":
        ki = cls(key)
        ki.generations = [
            Generation(
                ver=int(g["ver"]),
                created=Revision.from_list(g["created"]) if g["created"] else None,
                revs=[Revision.from_list(r) for r in g["revs"]],
            )
            for g in generations
        ]
        revs = [r for g in ki.generations for r in g.revs]
        ki.modified = max(revs) if revs else None
        return ki
