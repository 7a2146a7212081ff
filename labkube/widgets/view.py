"""``ClusterView``: the cluster picture as a live ipywidget, fed by watches.

Mirrors how every Kubernetes client stays current — client-go's reflector: list once, then
watch each resource from the list's ``resourceVersion``; when the watch says the version is too
old (an ``ERROR`` event carrying a 410 ``Expired`` Status) list again and start over. The view
watches the kinds :data:`~labkube.widgets.model.WATCHED_RESOURCES` names through the public
client (``cluster.client.watch``), applies each event to a
:class:`~labkube.widgets.model.ClusterGraph` and draws it with a
:class:`~labkube.widgets.render.ClusterPicture` (DESIGN.md rule 9: widgets only watch and ask).

Redraws are throttled (a browser re-renders every message it gets; see RECIPES.md):

- a *dirty* flag: watch events only mark the view dirty; drawing happens later, once;
- at most one redraw per ``interval`` seconds (0.25 s: about four a second);
- no redraw when the graph's revision did not move (nothing visible changed);
- one writer: only one place ever sets ``value`` — the kernel's event loop when there is one
  (Jupyter), otherwise the caller (a simulated cluster in a script or test), or, for a
  real-time cluster outside an event loop, one background thread;
- the kernel never blocks on a redraw, and nothing is printed from a background thread.

In a simulated cluster nothing happens between cells, so the view redraws when a watch has
news and the kernel is idle again (after the cell that ran ``cluster.run`` ends), and
synchronously when a control calls :meth:`refresh`. ``svg()`` gives the SVG headless (no
widget needed) and ``save(path)`` writes it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Callable

import ipywidgets as widgets
import traitlets

from labkube.widgets.model import WATCHED_RESOURCES, ClusterGraph
from labkube.widgets.render import ClusterPicture, RenderOptions

#: Seconds between two redraws at most once (four redraws a second).
DEFAULT_INTERVAL = 0.25
#: The facade's component names behind the picture's control-plane boxes.
_COMPONENT_BOXES = (("scheduler", "kube-scheduler"), ("controller-manager", "kube-controller-manager"))


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The asyncio loop running in this thread (the kernel's, inside Jupyter), or None."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def is_expired(event: dict) -> bool:
    """A watch ERROR carrying a 410 Status: the resourceVersion was compacted away."""
    return event.get("type") == "ERROR" and (event.get("object") or {}).get("code") == 410


class Throttle:
    """Call ``draw`` at most once per ``interval`` while ``request`` marks work to do.

    ``request()`` draws at once when the last draw is old enough; otherwise it asks ``defer``
    to call :meth:`flush` when the interval is over (once, however many requests come in).
    Without ``defer`` the draw happens at once: with no browser listening there is nothing
    to spare, and scripts and tests see the picture they asked for.
    """

    def __init__(self, draw: Callable[[], bool], interval: float = DEFAULT_INTERVAL,
                 monotonic: Callable[[], float] = time.monotonic,
                 defer: Callable[[float, Callable[[], None]], None] | None = None) -> None:
        self.draw = draw
        self.interval = interval
        self.monotonic = monotonic  # wall clock: paces the browser, never the cluster
        self.defer = defer
        self.dirty = False
        self.scheduled = False
        self.last = float("-inf")

    def request(self) -> None:
        self.dirty = True
        wait = self.last + self.interval - self.monotonic()
        if wait <= 0 or self.defer is None:
            self.flush()
        elif not self.scheduled:
            self.scheduled = True
            self.defer(wait, self._deferred)

    def _deferred(self) -> None:
        self.scheduled = False
        self.flush()

    def flush(self) -> bool:
        """Draw now if something is waiting; True if ``draw`` reported a new picture."""
        if not self.dirty:
            return False
        self.dirty = False
        self.last = self.monotonic()
        return self.draw()


class ClusterView(widgets.HTML):
    """The cluster drawn live: an ``HTML`` widget whose value is the picture's SVG.

    Args:
        cluster: a :class:`labkube.Cluster` (only its public client and components are used).
        namespace, label_selector, owners: what to draw (see :class:`ClusterGraph`).
        options: :class:`RenderOptions` (summarised mode threshold, legend, edges).
        interval: seconds between two redraws at least.
    """

    renders = traitlets.Int(0, help="How many times the SVG was sent to the browser.")

    def __init__(self, cluster, namespace: str | None = None, label_selector: str | None = None,
                 owners: bool = False, options: RenderOptions | None = None, *,
                 interval: float = DEFAULT_INTERVAL, **kwargs) -> None:
        super().__init__(**kwargs)
        self.add_class("lk-cluster-view")
        self.cluster = cluster
        self.filters = {"namespace": namespace, "label_selector": label_selector, "owners": owners}
        self.picture = ClusterPicture(ClusterGraph.from_cluster(cluster, **self.filters),
                                      options=options or RenderOptions())
        self.relists = 0
        self._watches: list = []
        self._lock = threading.RLock()
        self._drawn: tuple | None = None
        self._listeners: list[Callable[[], None]] = []
        self._loop = running_loop()
        self._poked = False
        self.last_error: Exception | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.throttle = Throttle(self._draw, interval, defer=self._defer_on_loop if self._loop else None)
        self._open_watches()
        self._sync_components()
        self.throttle.request()
        if self._loop is None and _is_realtime(cluster):
            self._start_thread()

    def __repr__(self) -> str:
        self.pump()  # describe what the cluster holds now, not what was last drawn
        graph = self.graph
        return f"<ClusterView: {len(graph.nodes())} nodes, {graph.pod_count()} pods>"

    # -- reading the cluster ---------------------------------------------------------------
    @property
    def graph(self) -> ClusterGraph:
        return self.picture.graph

    def _open_watches(self) -> None:
        namespace = self.filters["namespace"]
        for kind, resource in WATCHED_RESOURCES:
            if resource not in self.graph.resource_versions:
                continue
            watch = self.cluster.client.watch(resource, None if kind == "Node" else namespace,
                                              resource_version=self.graph.resource_versions[resource])
            watch.on_ready = self._on_watch_ready
            self._watches.append(watch)

    def _close_watches(self) -> None:
        for watch in self._watches:
            watch.on_ready = None
            watch.cancel()
        self._watches = []

    def _relist(self) -> None:
        """A watch expired (410): list everything again and watch from there, like a reflector."""
        self._close_watches()
        self.picture.graph = ClusterGraph.from_cluster(self.cluster, **self.filters)
        self.relists += 1
        self._open_watches()

    def pump(self) -> bool:
        """Apply every event the watches hold now; True if the picture has to change."""
        with self._lock:
            for watch in list(self._watches):
                events = watch.poll()
                if any(is_expired(e) for e in events):
                    self._relist()
                    break
                for event in events:
                    self.graph.apply_event(event)
            self._sync_components()
            return self._drawn != self._state()

    def _sync_components(self) -> None:
        components = getattr(self.cluster, "components", {})
        for name, box in _COMPONENT_BOXES:
            component = components.get(name)
            if component is not None:
                self.graph.set_component_state(box, "Running" if component.running else "Stopped")

    def _state(self) -> tuple:
        return (id(self.graph), self.graph.revision, self.picture.options)

    # -- drawing -----------------------------------------------------------------------------
    def svg(self) -> str:
        """The current picture as SVG text (works without a browser or a kernel)."""
        with self._lock:
            self.pump()
            return self.picture.svg()

    def save(self, path) -> None:
        with open(path, "w", encoding="utf-8") as out:
            out.write(self.svg())

    def refresh(self) -> None:
        """Bring the picture up to date now (controls call this after each action).

        With a writer thread running, the thread does the drawing; this only wakes it.
        """
        if self._thread is not None:
            self._wake.set()
        else:
            self.throttle.request()

    def on_redraw(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` after each redraw (the dashboard refreshes its panels with it)."""
        self._listeners.append(callback)

    def _draw(self) -> bool:
        with self._lock:
            if not self.pump():
                return False
            svg = self.picture.svg()
            self._drawn = self._state()
        self.value = svg
        self.renders += 1
        for listener in list(self._listeners):
            listener()
        return True

    # -- being told there is news -------------------------------------------------------------
    def _on_watch_ready(self) -> None:
        """Called by the store (any thread) when a watch has events: mark dirty, draw later."""
        if self._thread is not None:
            self._wake.set()
        elif self._loop is not None and not self._poked and not self._loop.is_closed():
            self._poked = True  # one wake-up per burst of events, however many arrive
            self._loop.call_soon_threadsafe(self._request_on_loop)

    def _request_on_loop(self) -> None:
        self._poked = False
        self.throttle.request()

    def _defer_on_loop(self, delay: float, fn: Callable[[], None]) -> None:
        if self._loop.is_closed():
            return
        if running_loop() is self._loop:
            self._loop.call_later(delay, fn)
        else:
            self._loop.call_soon_threadsafe(self._loop.call_later, delay, fn)

    # -- the real-time writer thread (only when no event loop runs here) ------------------------
    def _start_thread(self) -> None:
        self._thread = threading.Thread(target=self._writer, name="labkube-view", daemon=True)
        self._thread.start()

    def _writer(self) -> None:
        """Wake on news (or every interval), draw if dirty; never prints, never raises."""
        while not self._stop.is_set():
            self._wake.wait(self.throttle.interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            self.throttle.dirty = True
            try:
                self.throttle.flush()
            except Exception as error:  # keep drawing; the error is kept for inspection
                self.last_error = error
            self._stop.wait(self.throttle.interval)

    def close(self) -> None:
        """Stop watching (and the writer thread), then close the widget."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        self._thread = None
        self._close_watches()
        super().close()


def _is_realtime(cluster) -> bool:
    return hasattr(getattr(cluster, "clock", None), "set_speed")


def view(cluster, namespace: str | None = None, label_selector: str | None = None,
         owners: bool = False, options: RenderOptions | None = None) -> ClusterView:
    """``cluster.view()``: a :class:`ClusterView` of the cluster."""
    return ClusterView(cluster, namespace=namespace, label_selector=label_selector,
                       owners=owners, options=options)
