"""The cache mutation detector: catches code that modifies an object it got from an informer.

Mirrors client-go's ``cacheMutationDetector`` (turned on in Kubernetes' own CI with
``KUBE_CACHE_MUTATION_DETECTOR=true``). Informers hand out the objects in their cache, and the
control plane's informers share one decoded object per event (see
:mod:`labkube.core.api.watchcache`), so a controller that changes an object in place instead
of copying it first would silently change what the scheduler, the kubelets and the API
server's object cache see. The rule (DESIGN.md rule 4) is: copy, then modify.

With ``LABKUBE_CACHE_MUTATION_DETECTOR=1`` in the environment (the test suite sets it), every
informer remembers the serialized form of each object it caches and compares it again when
the object leaves the cache (replaced by a newer version, or deleted) and whenever
:func:`check_all` is called. A difference raises :class:`CacheMutationError` naming the
informer and the object, and is recorded in :data:`DETECTED` so a test harness can fail the
test even when the error was raised inside a component and logged.

Off by default: it serializes every cached object, which costs time and memory.
"""

from __future__ import annotations

import os
import weakref

import orjson

__all__ = ["CacheMutationError", "MutationDetector", "enabled", "check_all", "DETECTED"]

ENV = "LABKUBE_CACHE_MUTATION_DETECTOR"

#: Every mutation found since the process started (or since a harness cleared it).
DETECTED: list[str] = []

_detectors: "weakref.WeakSet[MutationDetector]" = weakref.WeakSet()


class CacheMutationError(AssertionError):
    """An object in an informer's cache was modified in place."""


def enabled() -> bool:
    return os.environ.get(ENV, "").lower() in ("1", "true", "yes")


def _snapshot(obj: dict) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


class MutationDetector:
    """The pristine serialized form of each object one informer caches."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._pristine: dict[str, tuple[dict, bytes]] = {}
        _detectors.add(self)

    def remember(self, key: str, obj: dict) -> None:
        self._pristine[key] = (obj, _snapshot(obj))

    def release(self, key: str) -> None:
        """``key`` leaves the cache: check its object one last time and forget it."""
        entry = self._pristine.pop(key, None)
        if entry is not None:
            self._check(key, *entry)

    def close(self) -> None:
        """Stop watching (the informer is gone, or a test changed its objects on purpose)."""
        self._pristine.clear()
        _detectors.discard(self)

    def check(self) -> None:
        for key, (obj, pristine) in list(self._pristine.items()):
            self._check(key, obj, pristine)

    def _check(self, key: str, obj: dict, pristine: bytes) -> None:
        if _snapshot(obj) != pristine:
            message = (f"informer {self.name}: the cached object {key} was modified in place "
                       "(copy an object from an informer before changing it)")
            DETECTED.append(message)
            raise CacheMutationError(message)


def check_all() -> None:
    """Check every live informer's cache now (raises on the first mutation found)."""
    for detector in list(_detectors):
        detector.check()
