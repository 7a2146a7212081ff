"""Expectations: what a controller is waiting to see before it acts again.

Mirrors pkg/controller/controller_utils.go (``ControllerExpectations`` and
``UIDTrackingControllerExpectations``). A ReplicaSet that just asked for 3 pods must not ask for
3 more on its next sync only because its informer has not yet seen the first 3. So before
creating it records "expect 3 creations"; the pod informer's add handler lowers the count as
each pod appears; a sync only manages replicas once the expectations are *satisfied*:

* there are none (a new controller, or one that has seen everything), or
* every expected creation and deletion has been observed, or
* they are older than :data:`EXPECTATIONS_TIMEOUT` (5 minutes) — a last resort against a lost
  watch event.

Deletions are tracked by pod key (``namespace/name``), so one deletion is counted once whether
the informer sees it as a deletionTimestamp update or as the final delete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labkube.core.clock import Clock

#: ``ExpectationsTimeout``.
EXPECTATIONS_TIMEOUT = 5 * 60.0


@dataclass
class _Expectation:
    add: int
    delete: int
    timestamp: float
    deleting: set[str] = field(default_factory=set)

    def fulfilled(self) -> bool:
        return self.add <= 0 and self.delete <= 0


class Expectations:
    """Per-controller-key counts of creations and deletions still to be observed."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._store: dict[str, _Expectation] = {}

    def satisfied(self, key: str) -> bool:
        """``SatisfiedExpectations``: may the controller act on ``key`` now?"""
        exp = self._store.get(key)
        if exp is None:
            return True
        if exp.fulfilled():
            return True
        return self.clock.now() - exp.timestamp > EXPECTATIONS_TIMEOUT

    def expect_creations(self, key: str, adds: int) -> None:
        self._store[key] = _Expectation(adds, 0, self.clock.now())

    def expect_deletions(self, key: str, pod_keys: list[str]) -> None:
        self._store[key] = _Expectation(0, len(pod_keys), self.clock.now(), set(pod_keys))

    def creation_observed(self, key: str) -> None:
        exp = self._store.get(key)
        if exp is not None:
            exp.add -= 1

    def deletion_observed(self, key: str, pod_key: str) -> None:
        exp = self._store.get(key)
        if exp is not None and pod_key in exp.deleting:
            exp.deleting.discard(pod_key)
            exp.delete -= 1

    def delete(self, key: str) -> None:
        self._store.pop(key, None)

    def get(self, key: str) -> tuple[int, int] | None:
        """(creations, deletions) still expected, for tests and explainers."""
        exp = self._store.get(key)
        return None if exp is None else (exp.add, exp.delete)
