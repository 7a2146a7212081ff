"""Per-key exponential backoff, as the kubelet uses it for crash loops and image pulls.

Mirrors k8s.io/client-go/util/flowcontrol.Backoff as the kubelet configures it: 10 s initial,
doubling, capped at 300 s (``MaxContainerBackOff``). An entry is forgotten ("expired") when the
event being judged happened more than twice the cap (10 minutes) after the entry was last
updated — which is why a container that ran 10 minutes without crashing starts again at 10 s.

Nothing here sets a timer: the kubelet looks at a back-off only when it syncs a pod, and a pod
in back-off is synced again by the pod worker's requeue (:mod:`.pod_workers`), so a restart
comes at the first sync after the back-off ran out.

Guarantees: the same calls at the same cluster times give the same answers (no jitter).
"""

from __future__ import annotations

from dataclasses import dataclass

from labkube.core.clock import Clock

INITIAL = 10.0
MAXIMUM = 300.0
#: Float slack so that "exactly 10 s later" counts as "10 s have passed".
EPSILON = 1e-6


@dataclass
class _Entry:
    backoff: float
    last_update: float


class Backoff:
    """``flowcontrol.Backoff`` on the cluster clock."""

    def __init__(self, clock: Clock, initial: float = INITIAL, maximum: float = MAXIMUM) -> None:
        self.clock = clock
        self.initial = initial
        self.maximum = maximum
        self._entries: dict[str, _Entry] = {}

    def get(self, key: str) -> float:
        entry = self._entries.get(key)
        return entry.backoff if entry else 0.0

    def _expired(self, event_time: float, entry: _Entry) -> bool:
        return event_time - entry.last_update > 2 * self.maximum

    def next(self, key: str, event_time: float) -> float:
        """Count one more failure; returns the new backoff."""
        entry = self._entries.get(key)
        if entry is None or self._expired(event_time, entry):
            entry = _Entry(self.initial, 0.0)
            self._entries[key] = entry
        else:
            entry.backoff = min(entry.backoff * 2, self.maximum)
        entry.last_update = self.clock.now()
        return entry.backoff

    def in_backoff_since(self, key: str, event_time: float) -> bool:
        """``IsInBackOffSince``: less than the backoff has passed since ``event_time``."""
        entry = self._entries.get(key)
        if entry is None or self._expired(event_time, entry):
            return False
        return self.clock.now() - event_time < entry.backoff - EPSILON

    def in_backoff_since_update(self, key: str) -> bool:
        """``IsInBackOffSinceUpdate``: less than the backoff has passed since the last failure."""
        entry = self._entries.get(key)
        now = self.clock.now()
        if entry is None or self._expired(now, entry):
            return False
        return now - entry.last_update < entry.backoff - EPSILON

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)

    def forget_prefix(self, prefix: str) -> None:
        for key in [k for k in self._entries if k.startswith(prefix)]:
            del self._entries[key]
