"""Events expire: kube-apiserver's ``--event-ttl`` (default one hour) through etcd leases.

Mirrors k8s.io/apiserver/pkg/storage/etcd3/lease_manager.go and the Event registry's TTL
function: every write of an Event (create, and each update that bumps its count) attaches the
key to an etcd lease, so the Event disappears about an hour after its last write. etcd deletes
the key when the lease expires, and watches see an ordinary ``DELETED``. That is why
``kubectl get events`` on a real cluster shows only the last hour.

Granting a lease per write would be expensive, so the lease manager reuses the previous lease
while it still expires within a small window after the one needed: a new lease is granted with
``ttl + reuse`` seconds (``reuse`` = min(5% of the TTL, 60 s)), and later writes share it as long
as it outlives ``now + ttl`` and no more than 1,000 objects are attached. So an Event lives
between ``ttl`` and ``ttl + reuse`` seconds after its last write.

Deterministic: leases are granted on the cluster clock, in the order of the writes.
"""

from __future__ import annotations

from typing import Any

#: kube-apiserver's ``--event-ttl`` default.
DEFAULT_EVENT_TTL = 3600
#: ``--lease-reuse-duration-seconds`` and the reuse share of the TTL (the smaller one wins).
REUSE_SECONDS = 60
REUSE_PERCENT = 0.05
#: At most this many objects share one lease.
MAX_OBJECTS_PER_LEASE = 1000


def expires(plural: str, group: str) -> bool:
    """Only Events have a TTL (both API groups store them at /registry/events)."""
    return plural == "events" and group in ("", "events.k8s.io")


class LeaseManager:
    """Hands out store leases for TTL'd writes, reusing the previous one when it fits."""

    def __init__(self, store: Any, clock: Any) -> None:
        self.store = store
        self.clock = clock
        self._lease_id = 0
        self._expires_at = 0.0
        self._attached = 0

    def lease_for(self, ttl: int) -> int:
        """``GetLease``: a lease that expires between ``ttl`` and ``ttl + reuse`` from now."""
        now = self.clock.now()
        reuse = min(int(REUSE_PERCENT * ttl), REUSE_SECONDS)
        valid = now + ttl < self._expires_at
        # ">=": on a simulated clock many writes share one instant (Go's time.Now() never does).
        sufficient = now + ttl + reuse >= self._expires_at
        self._attached += 1
        if self._lease_id and valid and sufficient and self._attached <= MAX_OBJECTS_PER_LEASE:
            return self._lease_id
        granted = self.store.lease_grant(ttl + reuse)
        self._lease_id, self._expires_at, self._attached = granted.id, now + ttl + reuse, 1
        return granted.id
