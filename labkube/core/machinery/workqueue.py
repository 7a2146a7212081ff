"""A rate-limited work queue, as every controller, the scheduler and the kubelet use.

Mirrors k8s.io/client-go/util/workqueue: a FIFO of keys (``"namespace/name"``) with two sets
that make controllers safe and cheap:

* **dirty** — keys waiting to be processed. Adding a key that is already dirty does nothing,
  so a burst of 50 events about one Deployment costs one ``sync``.
* **processing** — keys a worker is handling now. A key added while it is being processed is
  marked dirty but not handed out again until ``done(key)``: one key is never synced twice at
  once.

``add_rate_limited(key)`` requeues after the queue's rate limiter says so. By default that is
client-go's ``DefaultControllerRateLimiter``, which kube-controller-manager's controllers use:
the larger of a per-key exponential backoff (5 ms doubling to 1000 s; ``forget(key)`` resets
it after a successful sync) and one token bucket for the whole queue (10 a second, bursts of
100). The bucket is what keeps a key that is requeued after every successful sync (a
Deployment waiting for its progress deadline) at 10 syncs a second instead of 200.
``add_after(key, delay)`` requeues after a fixed delay (resyncs, deadlines).

Delays run on the cluster clock, never the wall clock. The queue does not run workers itself:
``on_ready`` is called whenever a key becomes available, and the owner (a
:class:`~labkube.core.machinery.controller.Controller`) schedules a pass on the clock.
"""

from __future__ import annotations

from collections import deque
from typing import Callable, Hashable, Optional

from labkube.core.clock import Clock

BASE_DELAY = 0.005
MAX_DELAY = 1000.0


class RateLimiter:
    """Per-item exponential backoff (client-go's ItemExponentialFailureRateLimiter)."""

    def __init__(self, base: float = BASE_DELAY, maximum: float = MAX_DELAY) -> None:
        self.base = base
        self.maximum = maximum
        self._failures: dict[Hashable, int] = {}

    def when(self, item: Hashable) -> float:
        """The delay before the next retry of ``item``; each call counts one more failure."""
        failures = self._failures.get(item, 0)
        self._failures[item] = failures + 1
        return min(self.base * (2**failures), self.maximum)

    def failures(self, item: Hashable) -> int:
        return self._failures.get(item, 0)

    def forget(self, item: Hashable) -> None:
        self._failures.pop(item, None)


class BucketRateLimiter:
    """One token bucket for every item (client-go's BucketRateLimiter over
    ``golang.org/x/time/rate``): it starts full with ``burst`` tokens and refills at ``qps`` a
    second; each :meth:`when` takes a token, waiting for it when there is none."""

    def __init__(self, clock: Clock, qps: float = 10.0, burst: int = 100) -> None:
        self.clock = clock
        self.qps = qps
        self.burst = burst
        self._tokens = float(burst)
        self._last: Optional[float] = None

    def when(self, item: Hashable) -> float:
        now = self.clock.now()
        if self._last is not None:
            self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.qps)
        self._last = now
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.qps

    def failures(self, item: Hashable) -> int:
        return 0

    def forget(self, item: Hashable) -> None:
        pass


class MaxOfRateLimiter:
    """The longest delay any of its limiters asks for (client-go's MaxOfRateLimiter); every
    limiter is asked each time, so each keeps its own count."""

    def __init__(self, *limiters) -> None:
        self.limiters = limiters

    def when(self, item: Hashable) -> float:
        return max(limiter.when(item) for limiter in self.limiters)

    def failures(self, item: Hashable) -> int:
        return max(limiter.failures(item) for limiter in self.limiters)

    def forget(self, item: Hashable) -> None:
        for limiter in self.limiters:
            limiter.forget(item)


def controller_rate_limiter(clock: Clock) -> MaxOfRateLimiter:
    """client-go's ``DefaultControllerRateLimiter``: per-item 5 ms..1000 s, overall 10 qps, burst 100."""
    return MaxOfRateLimiter(RateLimiter(), BucketRateLimiter(clock))


class WorkQueue:
    """Keys to reconcile, deduplicated, never processed twice at once, with delayed requeues."""

    def __init__(self, clock: Clock, name: str = "", rate_limiter: Optional[RateLimiter] = None) -> None:
        self.clock = clock
        self.name = name
        self.rate_limiter = rate_limiter or controller_rate_limiter(clock)
        self._queue: deque = deque()
        self._dirty: set = set()
        self._processing: set = set()
        self._waiting: dict[Hashable, object] = {}  # key -> pending clock timer
        self._shutting_down = False
        #: Called (with no arguments) whenever a key becomes available to ``get``.
        self.on_ready: Optional[Callable[[], None]] = None

    # -- adding -------------------------------------------------------------------
    def add(self, key: Hashable) -> None:
        if self._shutting_down or key in self._dirty:
            return
        self._dirty.add(key)
        if key in self._processing:
            return  # handed out again by done()
        self._queue.append(key)
        self._notify()

    def add_after(self, key: Hashable, delay: float) -> None:
        """Add ``key`` after ``delay`` seconds of cluster time (at once when delay <= 0)."""
        if self._shutting_down:
            return
        if delay <= 0:
            self.add(key)
            return
        existing = self._waiting.get(key)
        when = self.clock.now() + delay
        if existing is not None and existing.when <= when:
            return  # an earlier requeue is already pending
        if existing is not None:
            existing.cancel()
        self._waiting[key] = self.clock.call_at(when, lambda: self._fire(key), name=f"{self.name} requeue {key}")

    def add_rate_limited(self, key: Hashable) -> None:
        self.add_after(key, self.rate_limiter.when(key))

    def forget(self, key: Hashable) -> None:
        self.rate_limiter.forget(key)

    def num_requeues(self, key: Hashable) -> int:
        return self.rate_limiter.failures(key)

    def _fire(self, key: Hashable) -> None:
        self._waiting.pop(key, None)
        self.add(key)

    # -- taking ---------------------------------------------------------------------
    def get(self) -> Optional[Hashable]:
        """The next key to process (now marked processing), or None when the queue is empty."""
        if not self._queue:
            return None
        key = self._queue.popleft()
        self._processing.add(key)
        self._dirty.discard(key)
        return key

    def done(self, key: Hashable) -> None:
        """Mark ``key`` processed; if it was added meanwhile, queue it again."""
        self._processing.discard(key)
        if key in self._dirty:
            self._queue.append(key)
            self._notify()

    def shut_down(self) -> None:
        self._shutting_down = True
        for timer in self._waiting.values():
            timer.cancel()
        self._waiting.clear()
        self._queue.clear()
        self._dirty.clear()

    def restart(self) -> None:
        self._shutting_down = False

    def __len__(self) -> int:
        return len(self._queue)

    @property
    def processing(self) -> frozenset:
        return frozenset(self._processing)

    @property
    def waiting(self) -> frozenset:
        return frozenset(self._waiting)

    def _notify(self) -> None:
        if self.on_ready is not None:
            self.on_ready()
