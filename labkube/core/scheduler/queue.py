"""The scheduling queue: which pending pod the scheduler tries next, and when to retry.

Mirrors pkg/scheduler/backend/queue/scheduling_queue.go (``PriorityQueue``) with
kube-scheduler's defaults:

* **activeQ** — pods ready to be tried, ordered by PrioritySort: higher ``spec.priority``
  first, then the earlier queue timestamp.
* **backoffQ** — pods that failed recently wait ``1s × 2^(attempts−1)``, capped at 10 s
  (``podInitialBackoffSeconds``/``podMaxBackoffSeconds``), counted from their last failure.
* **unschedulable pods** — pods no node fits wait for a cluster event that may help (a node
  added, a node's labels or taints changed, a pod deleted, …: see
  :mod:`~labkube.core.scheduler.cluster_events`) that one of the plugins that rejected them
  registered; then they go to backoffQ (still backing off) or activeQ. Every 30 s (counted
  from the queue's start), pods that have waited longer than 5 minutes
  (``podMaxInUnschedulablePodsDuration``) are moved anyway.
* An update of an unschedulable pod itself moves it only when it changes something a
  rejecting plugin registered (with SchedulerQueueingHints, on by default since 1.32): the
  scheduler's own ``PodScheduled=False`` status patch changes nothing that matters, so it
  does not bring the pod straight back for a second ``FailedScheduling``.
* Pods with ``spec.schedulingGates`` wait among the unschedulable pods until the gates are
  removed (the SchedulingGates PreEnqueue plugin).
* A cluster event that arrives *while* a pod is being scheduled sends that pod to backoffQ
  rather than to the unschedulable pods when it fails (``moveRequestCycle``), so no wake-up
  is lost.

Time comes only from the ``now`` callable (the cluster clock). Nothing blocks: the live
component calls :meth:`flush` from clock timers (``next_flush_at`` says when).

Guarantees: a pod is in at most one of the three places (or in flight); the same calls at
the same times give the same order.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

from labkube.core.scheduler import cluster_events

POD_INITIAL_BACKOFF_SECONDS = 1.0
POD_MAX_BACKOFF_SECONDS = 10.0
POD_MAX_IN_UNSCHEDULABLE_PODS_DURATION = 300.0
FLUSH_BACKOFF_INTERVAL = 1.0
FLUSH_UNSCHEDULABLE_INTERVAL = 30.0

ACTIVE, BACKOFF, UNSCHEDULABLE, IN_FLIGHT = "activeQ", "backoffQ", "unschedulablePods", "inFlight"


def pod_key(pod: dict) -> str:
    meta = pod.get("metadata") or {}
    return f"{meta.get('namespace', 'default')}/{meta.get('name', '')}"


@dataclass(eq=False)
class QueuedPodInfo:
    """``framework.QueuedPodInfo``: a pending pod and its queue bookkeeping."""

    pod: dict
    key: str
    timestamp: float                      # last time it entered the queue or failed
    initial_attempt_timestamp: float | None = None
    attempts: int = 0
    unschedulable_plugins: frozenset = field(default_factory=frozenset)
    gated: bool = False
    where: str = ACTIVE
    cycle: int = 0                        # scheduling cycle it was popped in
    unschedulable_since: float = 0.0
    seq: int = 0

    @property
    def priority(self) -> int:
        return int((self.pod.get("spec") or {}).get("priority") or 0)


def backoff_duration(attempts: int, initial: float = POD_INITIAL_BACKOFF_SECONDS,
                     maximum: float = POD_MAX_BACKOFF_SECONDS) -> float:
    """``calculateBackoffDuration``: initial doubled per earlier attempt, capped at maximum."""
    duration = initial
    for _ in range(1, attempts):
        if duration > maximum - duration:
            return maximum
        duration += duration
    return duration


class SchedulingQueue:
    def __init__(self, now: Callable[[], float], *, events_to_register: dict | None = None,
                 initial_backoff: float = POD_INITIAL_BACKOFF_SECONDS,
                 max_backoff: float = POD_MAX_BACKOFF_SECONDS,
                 max_in_unschedulable: float = POD_MAX_IN_UNSCHEDULABLE_PODS_DURATION):
        self.now = now
        #: plugin name -> {(resource, action)}; ("*", "*") means every event
        self.events_to_register = events_to_register or {}
        self.initial_backoff, self.max_backoff = initial_backoff, max_backoff
        self.max_in_unschedulable = max_in_unschedulable
        self.pods: dict[str, QueuedPodInfo] = {}
        self._active: list = []
        self._backoff: list = []
        self._seq = 0
        self.scheduling_cycle = 0
        self.move_request_cycle = -1
        self._next_leftover_flush = now() + FLUSH_UNSCHEDULABLE_INTERVAL

    # -- entry points for pod events -------------------------------------------
    def add(self, pod: dict) -> QueuedPodInfo:
        """A new pending pod (``Add``)."""
        key = pod_key(pod)
        existing = self.pods.get(key)
        if existing is not None:
            return self.update(pod)
        info = QueuedPodInfo(pod, key, self.now())
        self.pods[key] = info
        self._enqueue_new(info)
        return info

    def update(self, pod: dict) -> QueuedPodInfo:
        """The pending pod changed (``Update``): an ungated pod, or one changed in a way a
        plugin that rejected it registered (new labels, tolerations, …), may be retried now.
        A change of status, resourceVersion or anything no such plugin cares about leaves
        an unschedulable pod where it is."""
        key = pod_key(pod)
        info = self.pods.get(key)
        if info is None:
            return self.add(pod)
        old, info.pod = info.pod, pod
        if info.where == UNSCHEDULABLE:
            was_gated = info.gated
            info.gated = _gated(pod)
            if was_gated and not info.gated:
                self._move(info, from_gate=True)
            elif not info.gated and self._update_helps(info, old, pod):
                self._move(info)
        return info

    def _update_helps(self, info: QueuedPodInfo, old: dict, new: dict) -> bool:
        return any(self._helps(info, "Pod", action)
                   for action in cluster_events.pod_update_actions(old, new))

    def delete(self, pod: dict | str) -> None:
        key = pod if isinstance(pod, str) else pod_key(pod)
        info = self.pods.pop(key, None)
        if info is not None:
            info.where = "deleted"

    # -- the scheduler's side -----------------------------------------------------
    def pop(self) -> QueuedPodInfo | None:
        """The next pod to schedule, or None when activeQ is empty."""
        while self._active:
            _, seq, info = heapq.heappop(self._active)
            if info.where != ACTIVE or info.seq != seq:
                continue
            info.where = IN_FLIGHT
            info.attempts += 1
            if info.initial_attempt_timestamp is None:
                info.initial_attempt_timestamp = self.now()
            self.scheduling_cycle += 1
            info.cycle = self.scheduling_cycle
            return info
        return None

    def done(self, info: QueuedPodInfo) -> None:
        """The pod was scheduled (or went away): forget it."""
        if self.pods.get(info.key) is info:
            del self.pods[info.key]

    def add_unschedulable(self, info: QueuedPodInfo, unschedulable_plugins=frozenset()) -> None:
        """``AddUnschedulableIfNotPresent``: the cycle failed; park the pod.

        No rejecting plugins means an error: retry after backoff. An event seen during the
        cycle also means: retry after backoff.
        """
        if self.pods.get(info.key) is not info:
            return
        info.timestamp = self.now()
        info.unschedulable_plugins = frozenset(unschedulable_plugins)
        if not info.unschedulable_plugins or self.move_request_cycle >= info.cycle:
            self._to_backoff(info)
        else:
            info.where = UNSCHEDULABLE
            info.unschedulable_since = info.timestamp

    # -- cluster events --------------------------------------------------------------
    def on_node_update(self, old: dict, new: dict) -> int:
        """A node changed: one event per kind of change (``NodeSchedulingPropertiesChange``).

        A change of nothing a plugin can register (a heartbeat time, the image list) wakes
        no pod."""
        return sum(self.on_event("Node", action)
                   for action in cluster_events.node_update_actions(old, new))

    def on_event(self, resource: str, action: str) -> int:
        """``MoveAllToActiveOrBackoffQueue``: wake unschedulable pods this event may help."""
        self.move_request_cycle = self.scheduling_cycle
        moved = 0
        for info in list(self.pods.values()):
            if info.where == UNSCHEDULABLE and not info.gated and self._helps(info, resource, action):
                self._move(info)
                moved += 1
        return moved

    def move_all(self) -> int:
        """Wake every unschedulable pod (e.g. after a new profile is installed)."""
        moved = 0
        for info in list(self.pods.values()):
            if info.where == UNSCHEDULABLE and not info.gated:
                self._move(info)
                moved += 1
        return moved

    def _helps(self, info: QueuedPodInfo, resource: str, action: str) -> bool:
        if not info.unschedulable_plugins:
            return True
        for plugin in info.unschedulable_plugins:
            events = self.events_to_register.get(plugin, {("*", "*")})
            if (resource, action) in events or any(
                    cluster_events.matches(event, resource, action) for event in events):
                return True
        return False

    # -- time ----------------------------------------------------------------------
    def backoff_expiry(self, info: QueuedPodInfo) -> float:
        return info.timestamp + backoff_duration(info.attempts, self.initial_backoff, self.max_backoff)

    def flush(self) -> None:
        """The periodic flushes: backoff completed (every call, i.e. every second), and
        unschedulable pods left too long (at the first call on or after each 30 s tick)."""
        self.flush_backoff_completed()
        now = self.now()
        if now >= self._next_leftover_flush:
            self.flush_unschedulable_left_over()
            ticks = (now - self._next_leftover_flush) // FLUSH_UNSCHEDULABLE_INTERVAL + 1
            self._next_leftover_flush += ticks * FLUSH_UNSCHEDULABLE_INTERVAL

    def flush_backoff_completed(self) -> int:
        now, moved = self.now(), 0
        while self._backoff and self._backoff[0][0] <= now:
            _, seq, info = heapq.heappop(self._backoff)
            if info.where == BACKOFF and info.seq == seq:
                self._to_active(info)
                moved += 1
        return moved

    def flush_unschedulable_left_over(self) -> int:
        now, moved = self.now(), 0
        for info in list(self.pods.values()):
            if (info.where == UNSCHEDULABLE and not info.gated
                    and now - info.unschedulable_since > self.max_in_unschedulable):
                self._move(info)
                moved += 1
        return moved

    def next_backoff_expiry(self) -> float | None:
        """When the earliest backed-off pod becomes ready (to set a clock timer)."""
        while self._backoff and not self._live(self._backoff[0]):
            heapq.heappop(self._backoff)
        return self._backoff[0][0] if self._backoff else None

    @staticmethod
    def _live(entry) -> bool:
        _, seq, info = entry
        return info.where == BACKOFF and info.seq == seq

    # -- inspection --------------------------------------------------------------------
    def pending(self) -> dict[str, list[str]]:
        """Pod keys by place, each list in the order it would be served."""
        out = {ACTIVE: [], BACKOFF: [], UNSCHEDULABLE: [], IN_FLIGHT: []}
        for info in sorted(self.pods.values(), key=self._order):
            out.setdefault(info.where, []).append(info.key)
        return out

    def __len__(self) -> int:
        return len(self.pods)

    def __contains__(self, key: str) -> bool:
        return key in self.pods

    # -- internals ------------------------------------------------------------------------
    def _order(self, info: QueuedPodInfo) -> tuple:
        if info.where == BACKOFF:
            return (self.backoff_expiry(info), info.seq)
        return (-info.priority, info.timestamp, info.seq)

    def _enqueue_new(self, info: QueuedPodInfo) -> None:
        info.gated = _gated(info.pod)
        if info.gated:
            info.where = UNSCHEDULABLE
            info.unschedulable_since = info.timestamp
        else:
            self._to_active(info)

    def _move(self, info: QueuedPodInfo, from_gate: bool = False) -> None:
        if not from_gate and info.attempts and self.backoff_expiry(info) > self.now():
            self._to_backoff(info)
        else:
            self._to_active(info)

    def _next_seq(self, info: QueuedPodInfo) -> int:
        self._seq += 1
        info.seq = self._seq
        return self._seq

    def _to_active(self, info: QueuedPodInfo) -> None:
        info.where = ACTIVE
        seq = self._next_seq(info)
        heapq.heappush(self._active, ((-info.priority, info.timestamp), seq, info))

    def _to_backoff(self, info: QueuedPodInfo) -> None:
        info.where = BACKOFF
        seq = self._next_seq(info)
        heapq.heappush(self._backoff, (self.backoff_expiry(info), seq, info))


def _gated(pod: dict) -> bool:
    return bool((pod.get("spec") or {}).get("schedulingGates"))
