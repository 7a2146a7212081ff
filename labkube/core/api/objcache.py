"""Decoded objects kept between reads, handed out as fresh copies.

Mirrors the role of kube-apiserver's watch cache for reads (k8s.io/apiserver/pkg/storage/
cacher): the server keeps decoded objects in memory so a list need not decode every stored
value again. The real cacher hands out shared, read-only objects (Go code promises not to
mutate them); Python callers get dicts they may change, so this cache hands out *copies*.

Why copies are cheaper than decoding: ``orjson.loads`` must create every string, number and
container of a 1.5 KB Pod; a copy only needs new containers (strings and numbers are
immutable and can be shared), and a dict whose values are all scalars is copied by the C
``dict.copy``. The copy is a small function generated once per *shape* (which keys hold
nested containers, how long nested lists are) -- Pods made from one template share a shape,
so a list of 10,000 of them uses one generated function. For a Pod that is ~1.5x faster than
``orjson.loads``; see ``benchmarks/bench_api.py``.

Guarantees:

* An entry is keyed by store key and valid only for the mod revision it was decoded at
  (``(key, mod_revision)`` names one immutable value in an MVCC store), so a write the
  server did not see (a lease expiry, a restore) can never be served stale.
* :meth:`ObjectCache.fresh` returns an object that shares no mutable container with the
  cache or with any other caller; :meth:`ObjectCache.shared` returns the cached object
  itself, for the server's own read-only use (admission listers, RBAC).
* At most ``capacity`` entries are kept; the oldest entry is evicted first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Optional

from labkube.core import serialization

__all__ = ["ObjectCache", "copier_for", "shape_of"]

DEFAULT_CAPACITY = 20_000
MAX_COPIERS = 512

Copier = Callable[[Any], Any]


class ObjectCache:
    """Decoded store values by key, each with the mod revision it was decoded at.

    An object earns its place in two steps, so one-off reads (a ``get`` right after a
    ``create``) cost no more than a plain decode: the first read of a ``(key, mod_revision)``
    only notes it was seen and decodes as usual; the second keeps the decoded object and its
    copier (the one-time cost of working out the object's shape); from then on every read
    is a copy."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"capacity must be a positive integer, got {capacity!r}")
        self.capacity = capacity
        #: key -> (mod_revision, decoded object or None, copier or None), oldest first (an
        #: OrderedDict: evicting the first key of a plain dict steps over every key evicted
        #: before it)
        self._entries: OrderedDict[str, tuple[int, Any, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def fresh(self, kv: Any) -> dict:
        """A new, unshared object for ``kv`` with ``metadata.resourceVersion`` set."""
        obj, copy = self.lookup(kv)
        return copy(obj)

    def lookup(self, kv: Any) -> tuple[dict, Copier]:
        """An object for ``kv`` and the function that makes the caller's copy of it: for a
        caller that reads the object (a selector) before deciding whether it needs a copy.
        Never mutate the object itself; ``copy(obj)`` is the caller's to keep."""
        entry = self._entries.get(kv.key)
        if entry is None or entry[0] != kv.mod_revision:
            self._store(kv.key, (kv.mod_revision, None, None))  # seen once
            return decode(kv), _identity  # a fresh decode needs no copy
        _, obj, copy = entry
        if copy is None:
            if obj is None:
                obj = decode(kv)
            copy = copier_for(obj)
            self._store(kv.key, (kv.mod_revision, obj, copy))
        return obj, copy

    def select(self, kvs: Any, keep: Optional[Callable[[dict], bool]] = None,
               limit: int = 0) -> tuple[list[dict], Optional[str]]:
        """Fresh copies of the objects of ``kvs`` that ``keep`` accepts (all when None), at
        most ``limit`` of them (0: no limit). Returns the copies and, when the limit cut the
        list short, the key of the last one. ``keep`` sees the cached object: it must only read.

        This is :meth:`lookup` in a loop with the cache hit inlined: a list of 10,000 Pods
        spends more time in per-item calls than in anything else but the copies."""
        entries, lookup = self._entries, self.lookup
        items: list[dict] = []
        append = items.append
        for kv in kvs:
            entry = entries.get(kv.key)
            if entry is not None and entry[0] == kv.mod_revision and entry[2] is not None:
                _, obj, copy = entry
            else:
                obj, copy = lookup(kv)
            if keep is not None and not keep(obj):
                continue
            append(copy(obj))
            if limit and len(items) >= limit:
                return items, kv.key
        return items, None

    def shared(self, kv: Any) -> dict:
        """The cached object for ``kv`` (decoded now if needed), for the server's own
        read-only use. Never mutate it."""
        entry = self._entries.get(kv.key)
        if entry is not None and entry[0] == kv.mod_revision and entry[1] is not None:
            return entry[1]
        obj = decode(kv)
        self._store(kv.key, (kv.mod_revision, obj, None))
        return obj

    def offer(self, kv: Any, obj: dict) -> None:
        """Keep ``obj``, already decoded from ``kv`` and shared read-only by the watch cache's
        read-only receivers, as the entry for ``kv``: a later read of the same revision then
        copies it instead of decoding again, and the decode is held once, not twice."""
        entry = self._entries.get(kv.key)
        if entry is None or entry[0] != kv.mod_revision or entry[1] is None:
            self._store(kv.key, (kv.mod_revision, obj, None))

    def discard(self, key: str) -> None:
        """Forget ``key`` (its object was deleted); only frees memory, never needed for
        correctness."""
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _store(self, key: str, entry: tuple[int, Any, Any]) -> None:
        with self._lock:
            entries = self._entries
            entries.pop(key, None)  # re-inserted last: eviction order is insertion order
            while len(entries) >= self.capacity:
                entries.popitem(last=False)
            entries[key] = entry


def decode(kv: Any) -> dict:
    """A fresh object from a stored value, its resourceVersion set from the mod revision."""
    obj = serialization.loads(kv.value)
    obj["metadata"]["resourceVersion"] = str(kv.mod_revision)
    return obj


# ---------------------------------------------------------------------------
# Shape-specialised copies
# ---------------------------------------------------------------------------
# A shape says where the containers are: ``None`` for a scalar, ``FLAT`` for a dict or list
# holding only scalars (copied by ``.copy()``), ``("dict", ((key, shape), ...))`` listing only
# the keys whose values are containers, ``("list", (shape, ...))`` for every element.

FLAT = "flat"
_copiers: dict[Any, Copier] = {}
_copiers_lock = threading.Lock()


def shape_of(value: Any) -> Any:
    """The shape of a JSON value (plain loops: this runs once per object cached)."""
    kind = type(value)
    if kind is dict:
        nested = []
        for key, item in value.items():
            item_kind = type(item)
            if item_kind is dict or item_kind is list:
                nested.append((key, shape_of(item)))
        return ("dict", tuple(nested)) if nested else FLAT
    if kind is list:
        for item in value:
            item_kind = type(item)
            if item_kind is dict or item_kind is list:
                return ("list", tuple([shape_of(element) for element in value]))
        return FLAT
    return None


def copier_for(obj: Any) -> Copier:
    """A function that deep-copies any JSON value of ``obj``'s shape (generated once per shape)."""
    shape = shape_of(obj)
    copier = _copiers.get(shape)
    if copier is None:
        copier = _compile(shape)
        with _copiers_lock:
            if len(_copiers) >= MAX_COPIERS:
                _copiers.clear()
            _copiers[shape] = copier
    return copier


def _compile(shape: Any) -> Copier:
    """Straight-line Python for one shape, e.g. for ``{"metadata": {"labels": {...}}, ...}``::

        def copy(o):
            n0 = o.copy()
            n1 = n0['metadata'].copy()
            n1['labels'] = n1['labels'].copy()
            n0['metadata'] = n1
            return n0

    Keys enter the source only through ``repr`` of a str, which is always a plain literal."""
    if shape is None:
        return _identity
    lines: list[str] = []
    result = _emit(shape, "o", lines, [0])
    source = "def copy(o):\n" + "".join(f"    {line}\n" for line in lines) + f"    return {result}\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<labkube.objcache copier>", "exec"), namespace)  # noqa: S102 (see _compile)
    return namespace["copy"]


def _identity(value: Any) -> Any:
    return value


def _emit(shape: Any, expr: str, lines: list[str], counter: list[int]) -> str:
    """Emit statements copying ``expr`` (of ``shape``); return the expression for the copy."""
    if shape is None:
        return expr
    if shape == FLAT:
        return f"{expr}.copy()"
    kind, children = shape
    name = f"n{counter[0]}"
    counter[0] += 1
    lines.append(f"{name} = {expr}.copy()")
    items = children if kind == "dict" else enumerate(children)
    for key, child in items:
        if type(key) is not int and type(key) is not str:
            raise TypeError(f"unexpected key {key!r}")
        if child is None:
            continue
        slot = f"{name}[{key!r}]"
        lines.append(f"{slot} = {_emit(child, slot, lines, counter)}")
    return name

