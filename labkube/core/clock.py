"""The cluster clock: one source of time and randomness for every component.

Mirrors the role of k8s.io/utils/clock (``clock.Clock`` / ``testing.FakeClock``) and of the
deterministic network simulator in *500 Lines or Less*' "cluster" chapter.

Nothing in labkube's control plane reads the wall clock or unseeded randomness. Instead each
component asks the cluster clock for ``now()`` and sets timers on it with ``call_later`` or
``call_at``. Two clocks share that interface:

* :class:`SimulatedClock` (the default) is a discrete-event loop. Timers wait in a heap;
  ``run(30)`` fires every timer due in the next 30 simulated seconds, in time order (ties in
  the order they were set), and leaves ``now()`` 30 seconds later. Nothing waits for real time,
  so a five-minute eviction takes milliseconds and every run is identical.
* :class:`RealTimeClock` runs the same loop paced against the wall clock in a background
  thread, for live demos and for the Docker runtime. ``speed`` scales it (×1 … ×100).
  Whatever reaches the cluster from another thread (a notebook's ``kubectl``) holds the
  clock's lock (:attr:`Clock.lock`), so it happens between two timers, never during one.

Simulated time starts at a fixed instant (:data:`EPOCH`, 2025-01-01T00:00:00Z) so
``creationTimestamp`` values are reproducible. The clock also owns the cluster's seeded
random number generator (:attr:`Clock.rng`), used for generated names, UIDs and IPs.

Worked example::

    >>> clock = SimulatedClock(seed=0)
    >>> fired = []
    >>> _ = clock.call_later(5, lambda: fired.append(clock.now() - EPOCH))
    >>> clock.run(10)
    >>> fired, clock.now() - EPOCH
    ([5.0], 10.0)
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
import time as _wall  # only RealTimeClock uses it, to pace the loop
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from typing import Callable, Iterator, Optional

from labkube.core.serialization import gc_paused

#: Simulated time starts here: 2025-01-01T00:00:00Z, as seconds since the Unix epoch.
EPOCH = 1735689600.0

Callback = Callable[[], None]

@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector while the simulation runs.

    A running cluster allocates mostly short-lived, acyclic JSON (a decoded Pod is ~100
    objects), freed by reference counting as soon as it is dropped. What the cyclic collector
    scans is what survives: the cluster's own growing state (cached objects, history), every
    object of it scanned at least once while young, to find no garbage at all (eleven cyclic
    objects after 10,000 pods started). With the young generation collected every 50,000
    allocations that was still 52 collections of ~55 ms each, a tenth of a 10,000-pod start.

    So a run pauses the collector (:func:`serialization.gc_paused`): on leaving, the objects
    made meanwhile move to the oldest generation without a scan, and the caller's collector
    state comes back. Cyclic garbage a run does make (a student's plugin may) is freed by
    the next full collection instead of a young one. A caller that disabled the collector
    keeps it disabled.
    """
    with gc_paused():
        yield


class Timer:
    """A pending callback; ``cancel()`` stops it from firing."""

    __slots__ = ("when", "seq", "callback", "cancelled", "name")

    def __init__(self, when: float, seq: int, callback: Callback, name: str = "") -> None:
        self.when = when
        self.seq = seq
        self.callback = callback
        self.cancelled = False
        self.name = name

    def cancel(self) -> None:
        self.cancelled = True

    def __lt__(self, other: "Timer") -> bool:
        return (self.when, self.seq) < (other.when, other.seq)

    def __repr__(self) -> str:
        state = " cancelled" if self.cancelled else ""
        return f"<Timer {self.name or self.callback!r} at {self.when:.3f}{state}>"


def format_timestamp(seconds: float) -> str:
    """RFC 3339 in UTC with second precision, as ``metav1.Time`` serializes."""
    return _utc_second(int(seconds)) + "Z"


def format_micro_timestamp(seconds: float) -> str:
    """RFC 3339 with microseconds, as ``metav1.MicroTime`` serializes (Events, Leases)."""
    micros = round(seconds * 1_000_000)
    return f"{_utc_second(micros // 1_000_000)}.{micros % 1_000_000:06d}Z"


@lru_cache(maxsize=256)
def _utc_second(second: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` of a whole second in UTC, remembered: a busy simulated second
    stamps hundreds of writes, each at its own instant, and all share this part."""
    return datetime.fromtimestamp(second, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


_UUID_VARIANT_MASK = ~(0xC000 << 48)
_UUID_VARIANT = 0x8000 << 48  # RFC 4122
_UUID_VERSION_MASK = ~(0xF000 << 64)
_UUID_VERSION_4 = 4 << 76


def format_uuid4(bits: int) -> str:
    """128 random bits as a version-4 UUID string (RFC 4122 variant and version bits set)."""
    bits = (bits & _UUID_VARIANT_MASK) | _UUID_VARIANT
    bits = (bits & _UUID_VERSION_MASK) | _UUID_VERSION_4
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def parse_timestamp(text: str) -> float:
    """Inverse of :func:`format_timestamp` (also accepts fractional seconds)."""
    text = text.replace("Z", "+00:00")
    return datetime.fromisoformat(text).timestamp()


class Clock:
    """The interface every component uses. Subclasses decide how time advances."""

    def __init__(self, seed: int = 0, start: float = EPOCH) -> None:
        self._now = float(start)
        #: (when, seq, timer): tuples compare in C, and (when, seq) is unique, so the heap
        #: never compares two timers (a Python ``__lt__`` per comparison cost more)
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._lock = threading.RLock()
        #: The cluster's seeded RNG: generated names, UIDs and IPs all come from here.
        self.rng = random.Random(seed)
        self.seed = seed
        #: Called after each timer fires (e.g. to pump watch queues); set by the cluster.
        self.after_each: list[Callback] = []
        self._second_stamp: tuple[float, str] = (float("nan"), "")
        self._micro_stamp: tuple[float, str] = (float("nan"), "")

    @property
    def lock(self) -> threading.RLock:
        """One simulation at a time: held while timers fire (``run``, ``settle`` and the
        real-time clock's thread) and by everything that reaches the cluster from outside a
        timer -- the API client's requests, the ``Cluster`` facade's verbs, the widgets'
        actions, the loopback listeners of ``kubectl port-forward`` and ``kubectl proxy`` --
        so each of those happens between two timers, never during one. Take it with
        ``with clock.lock:``. It is reentrant, and a wait for cluster time (``run_until``)
        lets go of it while it waits, so the clock's own thread can fire what is due."""
        return self._lock

    # -- reading time ---------------------------------------------------------
    def now(self) -> float:
        """Seconds since the Unix epoch, in cluster time."""
        return self._now

    def timestamp(self) -> str:
        """``now()`` as a ``metav1.Time`` string."""
        now, text = self._second_stamp
        if now != self._now:  # formatted once per instant: every heartbeat asks
            now, text = self._now, format_timestamp(self._now)
            self._second_stamp = (now, text)
        return text

    def micro_timestamp(self) -> str:
        now, text = self._micro_stamp
        if now != self._now:
            now, text = self._now, format_micro_timestamp(self._now)
            self._micro_stamp = (now, text)
        return text

    # -- randomness -----------------------------------------------------------
    def uuid(self) -> str:
        """A UUID4 drawn from the seeded RNG (``metadata.uid``): what
        ``str(uuid.UUID(int=bits, version=4))`` gives, formatted directly (one per create)."""
        return format_uuid4(self.rng.getrandbits(128))

    def random_suffix(self, length: int = 5) -> str:
        """Like apimachinery's ``rand.String``: consonants and digits, no vowels."""
        alphabet = "bcdfghjklmnpqrstvwxz2456789"
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    # -- timers ---------------------------------------------------------------
    def call_at(self, when: float, callback: Callback, name: str = "") -> Timer:
        with self._lock:
            now = self._now
            if when < now:  # max(when, now) without the call: ~20 timers are set per pod
                when = now
            seq = next(self._seq)
            timer = Timer(when, seq, callback, name)
            heapq.heappush(self._heap, (when, seq, timer))
            return timer

    def call_later(self, delay: float, callback: Callback, name: str = "") -> Timer:
        return self.call_at(self._now + (delay if delay > 0.0 else 0.0), callback, name)

    def next_deadline(self) -> Optional[float]:
        with self._lock:
            self._drop_cancelled()
            return self._heap[0][0] if self._heap else None

    def pending(self) -> int:
        with self._lock:
            return sum(1 for _, _, t in self._heap if not t.cancelled)

    def _drop_cancelled(self) -> None:
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)

    def _pop_due(self, until: float) -> Optional[Timer]:
        with self._lock:
            heap = self._heap
            while heap:  # _drop_cancelled, inlined: this runs once per timer
                when, _, timer = heap[0]
                if not timer.cancelled:
                    break
                heapq.heappop(heap)
            else:
                return None
            if when <= until:
                heapq.heappop(heap)
                if when > self._now:
                    self._now = when
                return timer
            return None

    def _fire(self, timer: Timer) -> None:
        timer.callback()
        if self.after_each:
            for hook in list(self.after_each):
                hook()


class SimulatedClock(Clock):
    """A deterministic discrete-event clock: time jumps from timer to timer."""

    def call_later(self, delay: float, callback: Callback, name: str = "") -> Timer:
        # call_at(now + max(0, delay)), inlined: ~20 timers are set per pod, nearly all this way
        with self._lock:
            when = self._now + (delay if delay > 0.0 else 0.0)
            seq = next(self._seq)
            timer = Timer(when, seq, callback, name)
            heapq.heappush(self._heap, (when, seq, timer))
            return timer

    def step(self) -> bool:
        """Fire the next due timer (jumping time to it). Returns False when none is pending."""
        with self._lock:
            deadline = self.next_deadline()
            if deadline is None:
                return False
            timer = self._pop_due(deadline)
            if timer is not None:
                self._fire(timer)
            return True

    def run(self, seconds: float) -> None:
        """Fire every timer due in the next ``seconds``, in order, then set now += seconds."""
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        self.run_to(self._now + seconds)

    def run_to(self, until: float) -> None:
        with relaxed_gc(), self._lock:
            while True:
                timer = self._pop_due(until)
                if timer is None:
                    break
                self._fire(timer)
        with self._lock:
            self._now = max(self._now, until)

    def run_until(
        self, predicate: Callable[[], bool], timeout: float, poll: float = 1.0
    ) -> bool:
        """Advance time until ``predicate()`` holds or ``timeout`` simulated seconds pass.

        The predicate is checked before the first step, after every timer, and at least
        every ``poll`` seconds. Returns whether it became true.
        """
        with relaxed_gc(), self._lock:
            return self._run_until(predicate, timeout, poll)

    def _run_until(self, predicate: Callable[[], bool], timeout: float, poll: float) -> bool:
        deadline = self._now + timeout
        if predicate():
            return True
        while self._now < deadline:
            next_timer = self.next_deadline()
            target = min(deadline, self._now + poll)
            if next_timer is not None and next_timer <= target:
                timer = self._pop_due(next_timer)
                if timer is not None:
                    self._fire(timer)
            else:
                with self._lock:
                    self._now = target
            if predicate():
                return True
        return False


#: How long (wall seconds) one side of a :class:`TurnLock` waits at most for the other's turn.
HANDOFF_SECONDS = 0.05
#: How long (wall seconds) the real-time clock's thread fires due timers in one turn at most.
CLOCK_TURN_SECONDS = 0.02


class TurnLock:
    """A real-time clock's lock as everyone takes it: the clock's RLock, taken in turns.

    Python's locks are not fair: a thread that lets go of one and takes it again at once
    nearly always wins over a thread already waiting for it. The clock's thread, behind
    schedule, would fire timer after timer while a notebook's ``kubectl`` waited; a cell
    calling ``kubectl`` in a loop would stop the clock. So the two sides take turns: after
    a turn of firing timers (:data:`CLOCK_TURN_SECONDS` at most) the clock's thread lets a
    waiting caller in first, and a caller arriving while the clock's thread waits lets it
    have its turn first. Neither waits for the other longer than :data:`HANDOFF_SECONDS`.
    Reentrant like the RLock: a timer's own requests, or a ``kubectl`` command's, take it
    again at once.
    """

    def __init__(self, lock: threading.RLock, handoff: float = HANDOFF_SECONDS) -> None:
        self._lock = lock
        self._handoff = handoff
        #: Guards the counts below; notified whenever one changes.
        self._turns = threading.Condition(threading.Lock())
        self._callers = 0  # threads outside the clock waiting for the lock
        self._served = 0  # how many times one of them got it
        self._clock_waiting = False

    @property
    def served(self) -> int:
        """How many times a thread outside the clock took the lock (not counting retakes)."""
        return self._served

    # -- the clock's thread ---------------------------------------------------------------
    def clock_acquire(self) -> None:
        """Take the lock for the clock's thread, after a caller already waiting for it."""
        with self._turns:
            if self._callers:
                served = self._served
                self._turns.wait_for(lambda: self._served != served, self._handoff)
        if self._lock.acquire(blocking=False):
            return
        self._set_clock_waiting(True)
        self._lock.acquire()
        self._set_clock_waiting(False)

    def _set_clock_waiting(self, waiting: bool) -> None:
        with self._turns:
            self._clock_waiting = waiting
            self._turns.notify_all()

    # -- everyone else ----------------------------------------------------------------------
    def acquire(self) -> bool:
        if self._lock._is_owned():  # taken again by its holder: no turn to wait for
            return self._lock.acquire()
        self._take_turn(self._lock.acquire)
        return True

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def _take_turn(self, take: Callable[[], object]) -> None:
        with self._turns:
            self._turns.wait_for(lambda: not self._clock_waiting, self._handoff)
            self._callers += 1
            self._turns.notify_all()
        taken = False
        try:
            take()
            taken = True
        finally:
            with self._turns:
                self._callers -= 1
                self._served += taken
                self._turns.notify_all()

    # -- what threading.Condition uses to wait holding it (RealTimeClock.run_until) -----------
    def _is_owned(self) -> bool:
        return self._lock._is_owned()

    def _release_save(self) -> object:
        return self._lock._release_save()  # let go entirely, however deeply it is held

    def _acquire_restore(self, saved: object) -> None:
        self._take_turn(lambda: self._lock._acquire_restore(saved))


class RealTimeClock(Clock):
    """The same timer loop, paced against the wall clock in a background thread.

    ``speed`` multiplies the pace (2.0 means one wall second is two cluster seconds).
    ``pause()``/``resume()`` freeze and continue cluster time. Its :attr:`lock` is a
    :class:`TurnLock`, so callers and the clock's thread take turns.
    """

    def __init__(self, seed: int = 0, start: float = EPOCH, speed: float = 1.0) -> None:
        super().__init__(seed=seed, start=start)
        self.speed = speed
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._turn_lock = TurnLock(self._lock)
        #: Waits on it let go of the lock, however deeply the waiting thread holds it.
        self._letting_go = threading.Condition(self._turn_lock)
        self._anchor_wall = 0.0
        self._anchor_sim = self._now

    @property
    def lock(self) -> TurnLock:  # type: ignore[override]
        """The clock's lock (see :attr:`Clock.lock`), taken in turns with the clock's thread."""
        return self._turn_lock

    def start(self) -> None:
        if self._thread is not None:
            return
        self._reanchor()
        self._thread = threading.Thread(target=self._loop, name="labkube-clock", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def pause(self) -> None:
        self._paused.set()
        self._wake.set()

    def resume(self) -> None:
        self._reanchor()
        self._paused.clear()
        self._wake.set()

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    def set_speed(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be > 0")
        self._reanchor()
        self.speed = speed
        self._wake.set()

    def call_at(self, when: float, callback: Callback, name: str = "") -> Timer:
        timer = super().call_at(when, callback, name)
        self._wake.set()
        return timer

    def _reanchor(self) -> None:
        with self._turn_lock:
            self._advance_to_wall()
            self._anchor_wall = _wall.monotonic()  # wall-clock ok: pacing only
            self._anchor_sim = self._now

    def _sim_time_for_wall(self) -> float:
        elapsed = _wall.monotonic() - self._anchor_wall  # wall-clock ok: pacing only
        return self._anchor_sim + elapsed * self.speed

    def _advance_to_wall(self) -> None:
        if self._thread is not None and not self._paused.is_set():
            self._now = max(self._now, self._sim_time_for_wall())

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            if self._paused.is_set():
                self._wake.wait(0.5)
                continue
            target = self._sim_time_for_wall()
            self._turn_lock.clock_acquire()
            try:
                if self._fire_turn(target):
                    continue
                self._now = max(self._now, target)
                deadline = self.next_deadline()
            finally:
                self._lock.release()
            wait = 0.1 if deadline is None else (deadline - self._now) / self.speed
            self._wake.wait(min(max(wait, 0.0), 0.1))

    def _fire_turn(self, until: float) -> bool:
        """One turn of the clock's thread: fire the timers due by ``until``, for
        :data:`CLOCK_TURN_SECONDS` of wall time at most. Returns whether any fired."""
        ends = _wall.monotonic() + CLOCK_TURN_SECONDS  # wall-clock ok: pacing only
        fired = False
        while (timer := self._pop_due(until)) is not None:
            self._fire(timer)
            fired = True
            if _wall.monotonic() >= ends:  # wall-clock ok: pacing only
                break
        return fired

    def run(self, seconds: float) -> None:
        """Block the caller until ``seconds`` of cluster time have passed (a paused or stopped
        clock is stepped by hand instead: its time would never pass on its own)."""
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        self.run_until(lambda: False, seconds)

    def run_until(self, predicate: Callable[[], bool], timeout: float, poll: float = 1.0) -> bool:
        """Wait until ``predicate()`` holds or ``timeout`` seconds of cluster time pass, checking
        it every 50 ms of wall time while the clock runs (``kubectl wait``, ``rollout status``).
        Returns whether it became true.

        The predicate is checked holding the clock's lock (between two timers); the waits in
        between let go of it entirely, even when the caller holds it (a ``kubectl`` command
        does), so the clock's thread fires what falls due meanwhile."""
        with self._turn_lock:
            deadline = self._now + timeout
            if predicate():
                return True
            while self._now < deadline:
                if self._paused.is_set() or self._thread is None or self._stop.is_set():
                    self._step_by_hand(min(deadline, self._now + poll))
                else:
                    wait = min(0.05, (deadline - self._now) / self.speed)
                    self._letting_go.wait(wait)  # wall-clock ok: pacing only
                if predicate():
                    return True
            return False

    def _step_by_hand(self, until: float) -> None:
        """Fire the timers due by ``until`` on the caller's thread, then move now there."""
        with self._lock:
            while (timer := self._pop_due(until)) is not None:
                self._fire(timer)
            self._now = max(self._now, until)
            self._anchor_sim, self._anchor_wall = self._now, _wall.monotonic()  # wall-clock ok
