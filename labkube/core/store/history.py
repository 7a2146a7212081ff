"""Packed history: versions that are no longer the latest, kept compressed in memory.

Mirrors the job of etcd's backend (``server/storage/backend``, a bbolt file on disk, mmapped):
etcd keeps every revision until compaction, but on disk, so old versions cost it no heap.
labkube keeps history in memory, so it keeps old versions *packed*.

A version is *superseded* when its key is written again or deleted: from then on only history
reads touch it (get/range at a past revision, a watch replaying from a past revision, a
snapshot). The rule:

* superseded versions stay as they are until their values add up to more than ``budget``
  bytes (32 MiB by default: a classroom cluster never packs anything, and a busy store does
  not pay for packing on every write);
* then the oldest of them (in the order they were superseded) are packed, until half the
  budget is left: their values are joined into blocks of about :data:`BLOCK_BYTES`, each
  block compressed with zlib, and each version becomes a :class:`PackedKV` that knows its
  block and its place in it. Neighbouring versions of one kind of object are alike (pods of
  one Deployment differ in a few fields), so a block compresses ~10x;
* reading a packed version decompresses its block (the last few blocks read are remembered,
  so a watch replay walking history decompresses each block about once, and a range read
  unpacks its versions grouped by block) and gives back a
  :class:`~.kv.KeyValue` equal to the one that was stored: same key, same bytes, same
  revisions, version and lease.

Guarantees: packing changes no answer, only where the bytes live; it is deterministic (it
depends only on the sequence of writes, never on time); the latest version of every key is
never packed, so reads at the current revision and watch delivery are untouched.
``budget=None`` turns packing off. The store's lock guards every call.
"""

from __future__ import annotations

import itertools
import zlib
from collections import deque
from typing import NamedTuple, Optional, Union

from .kv import KeyValue
from .revision import Revision

#: Superseded value bytes kept unpacked before the oldest are packed.
DEFAULT_BUDGET = 32 * 1024 * 1024

#: Values are joined into blocks of about this many bytes before compressing.
BLOCK_BYTES = 64 * 1024

#: zlib's fastest level: history is packed on the write path.
_LEVEL = 1

#: How many decompressed blocks reads keep at hand (at most ~512 KiB).
CACHED_BLOCKS = 8


class PackedKV(NamedTuple):
    """What the backend holds for a packed version: its metadata, and where its value lies
    in a compressed block (``block`` is the zlib data, ``ends[i]`` where value ``i`` ends).

    The backend holds it as a *plain tuple* with these fields (see :func:`_packed`): Python's
    garbage collector stops tracking a plain tuple of strings, bytes, numbers and such tuples,
    so hundreds of thousands of packed versions cost the collector nothing. This class only
    names the fields.
    """

    block: bytes
    ends: tuple[int, ...]
    index: int
    key: str
    create_revision: int
    mod_revision: int
    version: int
    lease: int


def _packed(kv: KeyValue, block: bytes, ends: tuple[int, ...], index: int) -> tuple:
    return (block, ends, index, kv.key, kv.create_revision, kv.mod_revision, kv.version, kv.lease)


#: What the backend holds for one revision.
Stored = Union[KeyValue, tuple]


class History:
    """Decides which superseded versions to pack, packs them, and unpacks them on demand."""

    def __init__(self, budget: Optional[int] = DEFAULT_BUDGET) -> None:
        if budget is not None and budget < 0:
            raise ValueError(f"history budget must be >= 0 or None, got {budget}")
        self.budget = budget
        #: Superseded, not yet packed, oldest first; and the size of their values.
        self._waiting: deque[Revision] = deque()
        self._waiting_bytes = 0
        #: The last blocks decompressed: block -> its bytes, oldest first.
        self._cache: dict[bytes, bytes] = {}

    # -- writes -------------------------------------------------------------------------
    def superseded(self, rev: Revision, kv: KeyValue) -> None:
        """``kv``, stored at ``rev``, is no longer its key's latest version."""
        self._waiting.append(rev)
        self._waiting_bytes += len(kv.value)

    def compacted(self, backend: dict) -> None:
        """Compaction removed versions from ``backend``: stop waiting for them."""
        self._waiting = deque(rev for rev in self._waiting if rev in backend)
        self._waiting_bytes = sum(len(backend[rev].value) for rev in self._waiting)

    def pack_if_over_budget(self, backend: dict) -> None:
        """Pack the oldest waiting versions of ``backend`` if they exceed the budget."""
        budget = self.budget
        if budget is not None and self._waiting_bytes > budget:
            self._pack_down_to(budget // 2, backend)

    def _pack_down_to(self, keep: int, backend: dict) -> None:
        revs: list[Revision] = []
        kvs: list[KeyValue] = []
        block_bytes = 0
        while self._waiting_bytes > keep:
            rev = self._waiting.popleft()
            kv = backend[rev]
            self._waiting_bytes -= len(kv.value)
            revs.append(rev)
            kvs.append(kv)
            block_bytes += len(kv.value)
            if block_bytes >= BLOCK_BYTES:
                _pack_block(revs, kvs, backend)
                revs, kvs, block_bytes = [], [], 0
        if revs:
            _pack_block(revs, kvs, backend)

    # -- reads --------------------------------------------------------------------------
    def unpack(self, stored: Stored) -> KeyValue:
        """The KeyValue a backend entry stands for (a new, equal one if it is packed)."""
        if type(stored) is KeyValue:
            return stored
        block, ends, i, key, create_revision, mod_revision, version, lease = stored
        raw = self._block_bytes(block)
        value = raw[ends[i - 1] if i else 0:ends[i]]
        return KeyValue(key, value, create_revision, mod_revision, version, lease)

    def unpack_all(self, stored: list[Stored]) -> list[KeyValue]:
        """:meth:`unpack` each entry, unpacking packed ones grouped by block so that each
        block is decompressed once (a range at a past revision reads many)."""
        kvs = list(stored)
        by_block: dict[bytes, list[int]] = {}
        for i, s in enumerate(stored):
            if type(s) is not KeyValue:
                by_block.setdefault(s[0], []).append(i)
        for indexes in by_block.values():
            for i in indexes:
                kvs[i] = self.unpack(stored[i])
        return kvs

    def _block_bytes(self, block: bytes) -> bytes:
        cache = self._cache
        raw = cache.get(block)  # a bytes object hashes once; equal blocks decompress alike
        if raw is None:
            raw = cache[block] = zlib.decompress(block)
            if len(cache) > CACHED_BLOCKS:
                del cache[next(iter(cache))]
        return raw


def is_packed(stored: Stored) -> bool:
    return type(stored) is not KeyValue


def _pack_block(revs: list[Revision], kvs: list[KeyValue], backend: dict) -> None:
    """Compress the values of ``kvs`` into one block; point their backend entries at it."""
    values = [kv.value for kv in kvs]
    block = zlib.compress(b"".join(values), _LEVEL)
    ends = tuple(itertools.accumulate(map(len, values)))
    for i, rev in enumerate(revs):
        backend[rev] = _packed(kvs[i], block, ends, i)
