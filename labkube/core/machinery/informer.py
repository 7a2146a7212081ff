"""Informers: a local, always-fresh copy of one kind of object, and callbacks when it changes.

Mirrors k8s.io/client-go/tools/cache (Reflector + DeltaFIFO + Indexer + SharedIndexInformer).
An informer

1. **lists** the objects (``GET /api/v1/pods``) and fills its cache,
2. **watches** from the list's resourceVersion, so not one change is missed between the two,
3. applies each watch event to the cache, then calls the registered handlers
   (``on_add(obj)``, ``on_update(old, new)``, ``on_delete(obj)``),
4. **relists** if the watch ends with ``410 Gone`` (its resourceVersion was compacted away),
   turning the difference into synthetic add/update/delete calls, as client-go does,
5. optionally **resyncs**: every ``resync_period`` seconds it calls ``on_update(obj, obj)`` for
   every cached object, so level-triggered controllers revisit everything.

Handlers should only compute a key and enqueue it (DESIGN.md rule 4). Objects in the cache are
shared: **never modify an object you got from an informer — copy it first**, exactly as
client-go's listers demand.

Watch events are applied on the cluster clock: when new events arrive, the informer schedules
a pump at the current instant, so in a simulated cluster everything happens inside
``cluster.run()``, in a deterministic order.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

from labkube.core.api.resources import ResourceType
from labkube.core.clock import Clock
from labkube.core.machinery import mutation

Handler = Callable[..., None]


def object_key(obj: dict) -> str:
    """``namespace/name`` for namespaced objects, ``name`` otherwise (MetaNamespaceKeyFunc)."""
    meta = obj["metadata"]
    namespace = meta.get("namespace")
    return f"{namespace}/{meta['name']}" if namespace else meta["name"]


def split_key(key: str) -> tuple[Optional[str], str]:
    namespace, _, name = key.rpartition("/")
    return (namespace or None), name


class Informer:
    """A cache of one resource, kept in sync by list + watch, with event handlers."""

    def __init__(
        self,
        client: Any,
        rtype: ResourceType,
        clock: Clock,
        *,
        namespace: Optional[str] = None,
        label_selector: Optional[str] = None,
        field_selector: Optional[str] = None,
        resync_period: float = 0.0,
        on_error: Optional[Callable[[str, BaseException], None]] = None,
    ) -> None:
        self.client = client
        self.rtype = rtype
        self.clock = clock
        self.namespace = namespace
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.resync_period = resync_period
        self.on_error = on_error
        self._cache: dict[str, dict] = {}
        self._handlers: list[tuple[Optional[Handler], Optional[Handler], Optional[Handler]]] = []
        #: The registered add, update and delete callbacks (None left out), rebuilt when a handler
        #: is added, so dispatching an event walks exactly the callbacks that exist.
        self._callbacks: tuple[tuple[Handler, ...], ...] = ((), (), ())
        self._indexers: dict[str, Callable[[dict], Iterable[str]]] = {}
        self._indices: dict[str, dict[str, set[str]]] = {}
        self._watch = None
        self._pump_scheduled = False
        self._pump_name = f"informer {rtype.plural}"  # the pump timer's name, made once
        self._resync_timer = None
        self.resource_version = ""
        self.has_synced = False
        self.running = False
        #: client-go's cache mutation detector, when LABKUBE_CACHE_MUTATION_DETECTOR is set.
        self._detector = mutation.MutationDetector(rtype.plural) if mutation.enabled() else None

    # -- wiring -----------------------------------------------------------------------
    def add_event_handler(
        self,
        on_add: Optional[Handler] = None,
        on_update: Optional[Handler] = None,
        on_delete: Optional[Handler] = None,
    ) -> None:
        """Register callbacks; a handler added after start is told about every cached object."""
        self._handlers.append((on_add, on_update, on_delete))
        self._callbacks = tuple(tuple(h[which] for h in self._handlers if h[which] is not None)
                                for which in range(3))
        if self.has_synced and on_add is not None:
            for key in sorted(self._cache):
                self._call(on_add, self._cache[key])

    def add_indexer(self, name: str, index_func: Callable[[dict], Iterable[str]]) -> None:
        """Index cached objects, e.g. pods by ``spec.nodeName``; query with :meth:`by_index`."""
        self._indexers[name] = index_func
        index: dict[str, set[str]] = {}
        for key, obj in self._cache.items():
            for value in index_func(obj):
                index.setdefault(value, set()).add(key)
        self._indices[name] = index

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        """List, fill the cache, tell the handlers, then watch from the list's resourceVersion."""
        if self.running:
            return
        self.running = True
        self._list_and_watch(initial=True)
        if self.resync_period > 0:
            self._resync_timer = self.clock.call_later(self.resync_period, self._resync, name=f"resync {self.rtype.plural}")

    def stop(self) -> None:
        self.running = False
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        if self._resync_timer is not None:
            self._resync_timer.cancel()
            self._resync_timer = None

    def _list_and_watch(self, initial: bool) -> None:
        listed = self.client.list(
            self.rtype,
            self.namespace,
            label_selector=self.label_selector,
            field_selector=self.field_selector,
        )
        self.resource_version = listed["metadata"]["resourceVersion"]
        fresh = {}
        for item in listed["items"]:
            item.setdefault("apiVersion", self.rtype.api_version)
            item.setdefault("kind", self.rtype.kind)
            fresh[object_key(item)] = item
        self._replace(fresh, initial)
        self.has_synced = True
        self._watch = self.client.watch(
            self.rtype,
            self.namespace,
            resource_version=self.resource_version,
            label_selector=self.label_selector,
            field_selector=self.field_selector,
            read_only=True,  # cached objects are never modified (copy first), so they may be shared
        )
        self._watch.on_ready = self._schedule_pump
        self._schedule_pump()

    def _replace(self, fresh: dict[str, dict], initial: bool) -> None:
        """Make the cache equal ``fresh``, telling handlers about every difference."""
        old = dict(self._cache)
        for key in sorted(set(old) - set(fresh)):
            self._store_delete(key)
            self._dispatch(2, old[key])
        for key in sorted(fresh):
            obj = fresh[key]
            previous = old.get(key)
            self._store_put(key, obj)
            if previous is None:
                self._dispatch(0, obj)
            elif initial or previous["metadata"].get("resourceVersion") != obj["metadata"].get("resourceVersion"):
                self._dispatch(1, previous, obj)

    # -- applying watch events ----------------------------------------------------------
    def _schedule_pump(self) -> None:
        if self._pump_scheduled or not self.running:
            return
        self._pump_scheduled = True
        self.clock.call_later(0, self.pump, name=self._pump_name)

    def pump(self) -> int:
        """Apply every watch event that has arrived; returns how many were applied."""
        self._pump_scheduled = False
        if self._watch is None:
            return 0
        events = self._watch.poll()
        for event in events:
            self._apply(event)
        return len(events)

    def _apply(self, event: dict) -> None:
        kind, obj = event["type"], event["object"]
        if kind == "ERROR":
            self._relist_after_error(obj)
            return
        if kind == "BOOKMARK":
            self.resource_version = obj["metadata"]["resourceVersion"]
            return
        meta = obj["metadata"]
        namespace = meta.get("namespace")
        key = f"{namespace}/{meta['name']}" if namespace else meta["name"]  # object_key(obj)
        self.resource_version = meta.get("resourceVersion", self.resource_version)
        previous = self._cache.get(key)
        if kind == "DELETED":
            if previous is not None:
                self._store_delete(key)
            self._dispatch(2, obj)
            return
        if self._indexers or self._detector is not None:
            self._store_put(key, obj)
        else:
            self._cache[key] = obj  # _store_put with nothing to index or check
        if previous is None:
            self._dispatch(0, obj)
        else:
            self._dispatch(1, previous, obj)

    def _relist_after_error(self, status: dict) -> None:
        """The watch ended (e.g. 410 Gone after compaction): list again and diff, as client-go does."""
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        if self.running:
            self._list_and_watch(initial=False)

    def _resync(self) -> None:
        for key in sorted(self._cache):
            obj = self._cache[key]
            self._dispatch(1, obj, obj)
        if self.running and self.resync_period > 0:
            self._resync_timer = self.clock.call_later(self.resync_period, self._resync, name=f"resync {self.rtype.plural}")

    # -- the cache ------------------------------------------------------------------------
    def _store_put(self, key: str, obj: dict) -> None:
        old = self._cache.get(key)
        if self._detector is not None:
            self._detector.release(key)
            self._detector.remember(key, obj)
        self._cache[key] = obj
        for name, func in self._indexers.items():
            values = func(obj)
            if old is not None:
                old_values = func(old)
                if old_values == values:
                    continue  # most updates (a status change) leave an index as it was
                self._unindex_values(name, key, old_values)
            index = self._indices[name]
            for value in values:
                index.setdefault(value, set()).add(key)

    def _store_delete(self, key: str) -> None:
        old = self._cache.pop(key, None)
        if old is not None:
            self._unindex(key, old)
        if self._detector is not None:
            self._detector.release(key)

    def _unindex(self, key: str, obj: dict) -> None:
        for name, func in self._indexers.items():
            self._unindex_values(name, key, func(obj))

    def _unindex_values(self, name: str, key: str, values: Iterable[str]) -> None:
        index = self._indices[name]
        for value in values:
            bucket = index.get(value)
            if bucket is not None:
                bucket.discard(key)
                if not bucket:
                    del index[value]

    def get(self, key: str) -> Optional[dict]:
        """The cached object for ``namespace/name`` (shared: copy before modifying)."""
        return self._cache.get(key)

    def get_by_name(self, namespace: Optional[str], name: str) -> Optional[dict]:
        return self._cache.get(f"{namespace}/{name}" if namespace else name)

    def list(self, namespace: Optional[str] = None) -> list[dict]:
        """Cached objects in key order (optionally one namespace's)."""
        if namespace is None:
            return [self._cache[k] for k in sorted(self._cache)]
        prefix = namespace + "/"
        return [self._cache[k] for k in sorted(k for k in self._cache if k.startswith(prefix))]

    def keys(self) -> list[str]:
        return sorted(self._cache)

    def by_index(self, name: str, value: str) -> list[dict]:
        keys = self._indices.get(name, {}).get(value, ())
        return [self._cache[k] for k in sorted(keys)]

    def __len__(self) -> int:
        return len(self._cache)

    # -- handlers ---------------------------------------------------------------------------
    def _dispatch(self, which: int, *objs: dict) -> None:
        """Call every ``which`` callback (0 add, 1 update, 2 delete) registered so far."""
        for handler in self._callbacks[which]:
            try:
                handler(*objs)
            except Exception as err:  # a broken handler must not stop the informer
                self._handler_failed(err)

    def _call(self, handler: Handler, *objs: dict) -> None:
        try:
            handler(*objs)
        except Exception as err:
            self._handler_failed(err)

    def _handler_failed(self, err: Exception) -> None:
        """Report a handler's error and go on (or raise it, with nobody to report to)."""
        if self.on_error is None:
            raise err
        self.on_error(f"informer {self.rtype.plural} handler", err)


class InformerFactory:
    """One informer per (resource, namespace, selectors), shared by a component's controllers.

    Mirrors client-go's SharedInformerFactory: kube-controller-manager's controllers share one
    pod informer instead of each watching pods on its own.
    """

    def __init__(self, client: Any, clock: Clock, *, resync_period: float = 0.0,
                 on_error: Optional[Callable[[str, BaseException], None]] = None) -> None:
        self.client = client
        self.clock = clock
        self.resync_period = resync_period
        self.on_error = on_error
        self._informers: dict[tuple, Informer] = {}

    def informer(
        self,
        resource: Any,
        *,
        namespace: Optional[str] = None,
        label_selector: Optional[str] = None,
        field_selector: Optional[str] = None,
    ) -> Informer:
        rtype = resource if isinstance(resource, ResourceType) else self.client.server.resolve(resource)
        key = (rtype.group, rtype.kind, namespace, label_selector, field_selector)
        if key not in self._informers:
            self._informers[key] = Informer(
                self.client, rtype, self.clock, namespace=namespace,
                label_selector=label_selector, field_selector=field_selector,
                resync_period=self.resync_period, on_error=self.on_error,
            )
        return self._informers[key]

    def start(self) -> None:
        for informer in list(self._informers.values()):
            informer.start()

    def stop(self) -> None:
        for informer in self._informers.values():
            informer.stop()

    def all(self) -> list[Informer]:
        return list(self._informers.values())
