"""Leases: keys that disappear on their own unless someone keeps renewing them.

Mirrors etcd's ``server/lease/lessor.go``. A client grants a lease with a TTL, attaches keys
to it by putting them with the lease id, and sends keep-alives to restart the countdown. If
the countdown runs out — the client crashed, or lost its network — the lease *expires*: it
is revoked, and every attached key is deleted in one revision, so watchers see DELETE
events. Kubernetes itself keeps ``Event`` objects in etcd under leases (that is how events
age out after an hour).

Time comes from the cluster clock (:mod:`labkube.core.clock`): each lease sets one timer
with ``clock.call_at(expiry)``; a keep-alive cancels it and sets a new one. With
``clock=None`` leases can still be granted, attached, kept alive and revoked, but never
expire — their remaining TTL stays where it is.

The :class:`Lessor` only keeps the books (which lease, which keys, when it is due). It does
not lock and does not delete keys: the store (:mod:`.kvstore`) calls it under the store lock
and performs the deletions, as etcd's lessor calls back into the store's ``RangeDeleter``.
"""

from __future__ import annotations

from typing import Callable, Optional

from .kv import Lease, LeaseExistsError, LeaseNotFoundError, LeaseStatus


class _LeaseRecord:
    """A live lease. ``expiry`` is a clock time (None without a clock), in which case
    ``frozen_remaining`` holds the TTL left."""

    __slots__ = ("id", "ttl", "expiry", "frozen_remaining", "timer", "countdown", "keys")

    def __init__(self, lease_id: int, ttl: int) -> None:
        self.id = lease_id
        self.ttl = ttl
        self.expiry: Optional[float] = None
        self.frozen_remaining: float = float(ttl)
        self.timer = None
        #: Bumped by every (re)start, so a timer from before a keep-alive is recognized.
        self.countdown = 0
        self.keys: set[str] = set()


ExpireCallback = Callable[[int, int], None]


class Lessor:
    """The books of every live lease. Not thread-safe on its own: the store locks."""

    def __init__(self, clock, on_expire: ExpireCallback) -> None:
        self._clock = clock
        self._on_expire = on_expire
        self._leases: dict[int, _LeaseRecord] = {}
        self._next_id = 1

    # -- grant / renew / revoke -----------------------------------------------------------
    def grant(self, ttl: int, lease_id: int = 0) -> Lease:
        if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl <= 0:
            raise ValueError(f"lease TTL must be a positive number of seconds, got {ttl!r}")
        if lease_id < 0:
            raise ValueError(f"lease id must be >= 0, got {lease_id}")
        if lease_id == 0:
            lease_id = self._allocate_id()
        elif lease_id in self._leases:
            raise LeaseExistsError(lease_id)
        record = _LeaseRecord(lease_id, ttl)
        self._leases[lease_id] = record
        self._start_countdown(record, float(ttl))
        return Lease(lease_id, ttl)

    def _allocate_id(self) -> int:
        while self._next_id in self._leases:
            self._next_id += 1
        lease_id = self._next_id
        self._next_id += 1
        return lease_id

    def keepalive(self, lease_id: int) -> int:
        record = self._record(lease_id)
        self._stop_countdown(record)
        self._start_countdown(record, float(record.ttl))
        return record.ttl

    def revoke(self, lease_id: int) -> list[str]:
        """Forget the lease; returns its keys, sorted, for the store to delete."""
        record = self._record(lease_id)
        self._stop_countdown(record)
        del self._leases[lease_id]
        return sorted(record.keys)

    def is_due(self, lease_id: int, countdown: int) -> bool:
        """Whether ``countdown`` is the running countdown of a still-granted lease."""
        record = self._leases.get(lease_id)
        return record is not None and record.timer is not None and record.countdown == countdown

    # -- the countdown --------------------------------------------------------------------
    def _start_countdown(self, record: _LeaseRecord, remaining: float) -> None:
        if self._clock is None:
            record.frozen_remaining = remaining
            return
        record.expiry = self._clock.now() + remaining
        record.countdown += 1
        lease_id, countdown = record.id, record.countdown
        record.timer = self._clock.call_at(
            record.expiry, lambda: self._on_expire(lease_id, countdown), name=f"lease {lease_id}"
        )

    def _stop_countdown(self, record: _LeaseRecord) -> None:
        if record.timer is not None:
            record.timer.cancel()
            record.timer = None

    def remaining(self, record: _LeaseRecord) -> float:
        """Seconds left before the lease expires (never negative)."""
        if record.expiry is None:
            return record.frozen_remaining
        return max(0.0, record.expiry - self._clock.now())

    # -- keys -----------------------------------------------------------------------------
    def require(self, lease_id: int) -> None:
        """Raise LeaseNotFoundError unless the lease is live (checked before a put)."""
        if lease_id not in self._leases:
            raise LeaseNotFoundError(lease_id)

    def move(self, key: str, old_lease: int, new_lease: int) -> None:
        """Detach ``key`` from ``old_lease`` and attach it to ``new_lease`` (0 = none)."""
        if old_lease:
            record = self._leases.get(old_lease)
            if record is not None:
                record.keys.discard(key)
        if new_lease:
            self._leases[new_lease].keys.add(key)

    # -- reads ----------------------------------------------------------------------------
    def _record(self, lease_id: int) -> _LeaseRecord:
        record = self._leases.get(lease_id)
        if record is None:
            raise LeaseNotFoundError(lease_id)
        return record

    def time_to_live(self, lease_id: int) -> LeaseStatus:
        record = self._record(lease_id)
        # etcd reports whole seconds, truncated: int64(Remaining().Seconds())
        ttl = int(self.remaining(record))
        return LeaseStatus(record.id, ttl, record.ttl, tuple(sorted(record.keys)))

    def leases(self) -> list[Lease]:
        return [Lease(r.id, r.ttl) for _, r in sorted(self._leases.items())]

    # -- snapshots ------------------------------------------------------------------------
    def to_state(self) -> dict:
        return {
            "next_id": self._next_id,
            "leases": [
                {
                    "id": r.id,
                    "ttl": r.ttl,
                    "remaining": self.remaining(r),
                    "keys": sorted(r.keys),
                }
                for _, r in sorted(self._leases.items())
            ],
        }

    def load_state(self, state: dict) -> None:
        """Restore leases from :meth:`to_state`; countdowns resume with what was left."""
        self._next_id = int(state["next_id"])
        for item in state["leases"]:
            record = _LeaseRecord(int(item["id"]), int(item["ttl"]))
            record.keys = set(item["keys"])
            self._leases[record.id] = record
            self._start_countdown(record, float(item["remaining"]))
