"""Structural sharing between the read-only objects the watch cache hands out.

The control plane's informers all receive one decoded object per watch event (see
:mod:`labkube.core.api.watchcache`) and promise never to modify it. That promise allows one
more saving: two such objects may share the parts in which they are equal. A pod's status
patch changes its ``status`` and ``resourceVersion``; its ``spec`` (two thirds of the decoded
object) is the same as the version before. Pods of one ReplicaSet have equal labels, owner
references, tolerations and volume sources. Persistent data structures (Clojure's maps,
Git's trees) save memory the same way.

:func:`share_equal_parts` walks a freshly decoded object next to a *donor* (the previous
version of the same object, or the object dispatched just before it) and, wherever a value is
equal to the donor's value at the same place, puts the donor's value there instead. The fresh
duplicate is then freed. Readers see exactly the same data.

Two rules keep this invisible:

* **Only read-only objects share.** Objects for a client that may modify them (a plain watch,
  a GET, a LIST) are always fresh decodes or deep copies with nothing in common with anything
  else. The test suite's cache mutation detector (:mod:`labkube.core.machinery.mutation`)
  fails any test in which a component modifies a shared object.
* **Equal means equal as JSON.** Python's ``==`` says ``1 == 1.0 == True``; sharing on that
  would turn a ``1`` into ``true``. A value is shared only when it is ``==`` *and* serializes
  to the same bytes.

The walk goes :data:`MAX_DEPTH` levels deep (``status.containerStatuses[0].state``), where
nearly all the shareable parts of Kubernetes objects are; below that, a part is shared whole
or not at all.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["share_equal_parts", "share_changed_parts", "MAX_DEPTH"]

#: How many levels of dicts and lists the walk descends into.
MAX_DEPTH = 5

_MISSING = object()
_CONTAINERS = (dict, list)


def share_equal_parts(obj: Any, donor: Any, depth: int = MAX_DEPTH) -> None:
    """Replace, in place, each part of ``obj`` that equals the part of ``donor`` at the same
    place (strings included) with the donor's part. Both must be JSON-shaped (dicts, lists,
    scalars); ``obj`` must not be shared with anyone yet (its parts are replaced while readers
    may hold the donor's, which never change)."""
    if type(obj) is dict and type(donor) is dict:
        _share_dict(obj, donor, depth)
    elif type(obj) is list and type(donor) is list:
        _share_list(obj, donor, depth)


def share_changed_parts(obj: dict, donor: dict, previous: dict) -> None:
    """:func:`share_equal_parts` for the top-level parts of ``obj`` that are not already
    ``previous``'s own (a part taken over whole from the previous version was shared as far
    as it goes when that version was decoded; walking it again would find nothing new)."""
    get_previous = previous.get
    changed = {key: value for key, value in obj.items() if get_previous(key, _MISSING) is not value}
    if changed:
        _share_dict(changed, donor, MAX_DEPTH)
        obj.update(changed)  # the parts now taken from the donor (same keys: order kept)


def _share_dict(obj: dict, donor: dict, depth: int) -> None:
    get = donor.get
    for key, value in obj.items():
        theirs = get(key, _MISSING)
        if theirs is value or theirs is _MISSING:
            continue
        if type(value) is str:
            if type(theirs) is str and value == theirs:
                obj[key] = theirs  # one string instead of two equal ones
            continue
        if type(value) not in _CONTAINERS:
            continue
        if _same(value, theirs):
            obj[key] = theirs  # replacing a value keeps the dict's size: safe while iterating
        elif depth > 1:
            share_equal_parts(value, theirs, depth - 1)


def _share_list(obj: list, donor: list, depth: int) -> None:
    for index in range(min(len(obj), len(donor))):
        value, theirs = obj[index], donor[index]
        if theirs is value:
            continue
        if type(value) is str:
            if type(theirs) is str and value == theirs:
                obj[index] = theirs
            continue
        if type(value) not in _CONTAINERS:
            continue
        if _same(value, theirs):
            obj[index] = theirs
        elif depth > 1:
            share_equal_parts(value, theirs, depth - 1)


def _same(value: Any, theirs: Any) -> bool:
    """Equal as JSON: ``==`` first (fast, and almost always False when they differ), then the
    serialized bytes, which tell ``1`` from ``1.0`` and ``true``."""
    return type(value) is type(theirs) and value == theirs and orjson.dumps(value) == orjson.dumps(theirs)
