"""Reconcile loops and the components that run them.

Mirrors the shape of every controller in kube-controller-manager (see
pkg/controller/replicaset/replica_set.go) and of client-go's worker loop:

    event handler  ->  queue.add(key)          (only compute a key; never act in a handler)
    worker         ->  key = queue.get()
                       sync(key)               (read desired state from the cache, diff, act,
                                                write status; idempotent)
                       ok:    queue.forget(key)
                       error: queue.add_rate_limited(key)   (retry with backoff)
                       queue.done(key)

A :class:`Controller` is that loop. A :class:`Component` is a process of the control plane
(kube-scheduler, kube-controller-manager, a kubelet): it has an identity (the user its client
acts as), its own informer factory, and can be stopped and started — which is how an
instructor "stops the scheduler" and the class watches pods stay Pending.

Workers run on the cluster clock: when a key is queued the controller schedules a pass at the
current instant, so a simulated cluster does all of this inside ``cluster.run()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Optional

from labkube.core.clock import Clock
from labkube.core.errors import StatusError
from labkube.core.machinery.informer import InformerFactory
from labkube.core.machinery.workqueue import WorkQueue

#: How many keys one pass handles before yielding to other timers at the same instant.
KEYS_PER_PASS = 500


@dataclass
class ComponentError:
    """Something a component could not do (client-go's ``utilruntime.HandleError``)."""

    time: str
    component: str
    where: str
    message: str


@dataclass
class ErrorLog:
    """Errors from all components, newest last; a place to look when something stays stuck."""

    entries: list[ComponentError] = field(default_factory=list)
    capacity: int = 1000

    def record(self, time: str, component: str, where: str, err: BaseException) -> None:
        self.entries.append(ComponentError(time, component, where, _describe(err)))
        del self.entries[: -self.capacity]


def _describe(err: BaseException) -> str:
    if isinstance(err, StatusError):
        return err.message
    return f"{type(err).__name__}: {err}"


class Controller:
    """A named reconcile loop over a work queue. Subclasses implement :meth:`sync`."""

    name = "controller"

    def __init__(self, clock: Clock, errors: Optional[Callable[[str, BaseException], None]] = None) -> None:
        self.clock = clock
        self.queue = WorkQueue(clock, self.name)
        self.queue.on_ready = self._schedule
        self._report = errors
        self._pass_scheduled = False
        self.enabled = True

    # -- what subclasses write -------------------------------------------------------
    def sync(self, key: Hashable) -> None:
        """Reconcile one key. Raise to have it retried with backoff."""
        raise TypeError(f"{type(self).__name__} must define sync(key)")

    # -- the worker loop ---------------------------------------------------------------
    def enqueue(self, key: Hashable) -> None:
        self.queue.add(key)

    def _schedule(self) -> None:
        if self._pass_scheduled or not self.enabled:
            return
        self._pass_scheduled = True
        self.clock.call_later(0, self.process, name=f"{self.name} worker")

    def process(self) -> int:
        """Handle queued keys (up to KEYS_PER_PASS); returns how many were handled."""
        self._pass_scheduled = False
        if not self.enabled:
            return 0
        handled = 0
        while handled < KEYS_PER_PASS:
            key = self.queue.get()
            if key is None:
                break
            handled += 1
            self._process_one(key)
        if len(self.queue):
            self._schedule()
        return handled

    def _process_one(self, key: Hashable) -> None:
        try:
            self.sync(key)
        except Exception as err:  # retried with backoff, like a returned error
            if self._report is not None:
                self._report(f"{self.name} sync {key}", err)
            self.queue.add_rate_limited(key)
        else:
            self.queue.forget(key)
        finally:
            self.queue.done(key)


class Component:
    """A control-plane process: an identity, informers, controllers; can be stopped and started.

    Subclasses wire themselves up in :meth:`setup` (create informers, handlers, controllers).
    ``start()`` runs ``setup()`` on a fresh informer factory every time, so a restarted
    component begins, like a restarted process, with a fresh list of everything.
    """

    #: Name used by ``cluster.stop_component(name)``, e.g. "scheduler", "controller-manager".
    name = "component"

    def __init__(self, client: Any, clock: Clock, errors: ErrorLog, *, resync_period: float = 0.0) -> None:
        self.client = client
        self.clock = clock
        self.error_log = errors
        self.resync_period = resync_period
        self.informers = InformerFactory(client, clock, resync_period=resync_period, on_error=self.report)
        self.controllers: list[Controller] = []
        self.running = False

    def report(self, where: str, err: BaseException) -> None:
        self.error_log.record(self.clock.timestamp(), self.name, where, err)

    def add(self, controller: Controller) -> Controller:
        self.controllers.append(controller)
        return controller

    def start(self) -> None:
        if self.running:
            return
        self.running = True
        self.informers = InformerFactory(
            self.client, self.clock, resync_period=self.resync_period, on_error=self.report
        )
        self.controllers = []
        self.setup()
        self.informers.start()
        self.on_start()

    def stop(self) -> None:
        """Stop like a killed process: watches end, queues are dropped, nothing more is done."""
        if not self.running:
            return
        self.running = False
        self.on_stop()
        self.informers.stop()
        for controller in self.controllers:
            controller.enabled = False
            controller.queue.shut_down()

    # -- hooks for subclasses ----------------------------------------------------------
    def setup(self) -> None:
        """Create informers, event handlers and controllers (called by every start)."""

    def on_start(self) -> None:
        """Called after informers started and synced (e.g. to set periodic timers)."""

    def on_stop(self) -> None:
        """Called before informers stop (e.g. to cancel periodic timers)."""
