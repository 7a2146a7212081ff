"""The watch cache: each store event decoded once, then sent only to the watches it can reach.

Mirrors k8s.io/apiserver/pkg/storage/cacher (``Cacher``, ``cacheWatcher``, ``dispatchEvent``)
and its *triggers* (``storage.IndexerFuncs``; for pods ``pod.NodeNameTriggerFunc`` on
``spec.nodeName``). kube-apiserver does not open an etcd watch per client: one ``Cacher`` per
resource watches etcd, decodes every event once and hands it to the client watches. Watches
whose field selector pins the trigger field (a kubelet's ``spec.nodeName=node-7``) are kept in
an index by that value, so a pod event reaches the one kubelet of its node instead of being
decoded and filtered by all of them. labkube does the same, for the same reason: with 1,000
kubelets the per-watch decode was most of the cluster's time.

How one store event travels:

1. The cache's single store watcher (the resource's whole key prefix) receives it; the cache
   decodes the new object (and, for a transition or a delete, the previous one) **once**.
2. The candidates are the watches without a trigger plus the ones indexed under the trigger
   value of the new object **and** of the previous one (a pod whose field leaves a value must
   still reach the watch of the old value, which sees it as ``DELETED``).
3. For each candidate, in the order the watches were opened, the namespace and the selectors
   are evaluated on the shared decoded objects (selectable fields computed once per object),
   giving ``ADDED``/``MODIFIED``/``DELETED`` or nothing, exactly as :func:`watch.transition`.
4. Only the watches that receive the event get an object. Watches opened ``read_only`` (the
   informers of the control plane, which promise never to modify what they receive, as
   client-go's caches demand) all get the one decoded object; that object is then also offered
   to the server's object cache, so a later read of the same revision copies it instead of
   decoding again. Before it is handed out it shares its equal parts with its own previous
   version and with the object dispatched just before it (:mod:`labkube.core.api.sharing`):
   a status change leaves a pod's spec one object for both versions. Every other watch gets
   an object of its own: the first the decoded object itself if no read-only watch shares
   it, the rest fresh decodes. A client that did not promise to only read never shares
   state with anyone.

When every watch of the cache is read-only, without a selector and not indexed by a trigger
(the informers of most kinds: Leases, Events, Deployments), steps 2 and 3 have one answer for
every event -- each watch whose prefix holds the key receives it, ``ADDED`` or ``MODIFIED`` --
and the cache skips working it out per watch (``_dispatch_plain``).

The server's own indexes (the Node authorizer's pods-by-node graph) are *listeners*: called
with each event's decoded versions, before any client watch receives the objects.

Guarantees (the same as a watch straight on the store, checked by a randomized equivalence
test): every event exactly once, in revision order, with the same types and objects; a watch
opened at revision N replays N+1.. from the store's history and then streams without a gap
or a duplicate (the cache's lock is held while the replay is read and the watch registered).
``on_ready`` hooks run in the order the watches were opened, right after the write, as the
store's own watchers' hooks do.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Optional

from labkube.core import serialization
from labkube.core.api.sharing import share_changed_parts, share_equal_parts
from labkube.core.api.watch import ADDED, DELETED, MODIFIED, transition
from labkube.core.store import DELETE as STORE_DELETE
from labkube.core.store.watchable import EventQueue

#: ``storage.IndexerFuncs``: the field whose exact value indexes a resource's watches.
#: kube-apiserver indexes pods by ``spec.nodeName`` (kubelets) and, for every kind, watches of
#: one object by ``metadata.name`` (a kubelet's own-Node informer).
POD_TRIGGER = "spec.nodeName"
NAME_TRIGGER = "metadata.name"


#: Objects stored in fewer bytes than this share nothing (see :mod:`.sharing`): a Lease
#: renewal (~400 bytes, 100 a second at 1,000 nodes) would spend more on the walk than its
#: few shared parts are worth. Pods and Nodes are several times larger.
MIN_SHARED_BYTES = 1024


def trigger_field(plural: str, group: str) -> str:
    return POD_TRIGGER if (plural, group) == ("pods", "") else NAME_TRIGGER


def _decode(kv: Any) -> dict:
    obj = serialization.loads(kv.value)
    obj["metadata"]["resourceVersion"] = str(kv.mod_revision)
    return obj


class CacheWatcher(EventQueue):
    """One client's watch fed by the cache (``cacheWatcher``): a queue of converted events.

    Offers what a store watcher offers (``poll``, ``get``, iteration, ``cancel``,
    ``on_ready``), so :class:`~labkube.core.api.watch.Watch` reads either alike."""

    def __init__(self, watch_id: int, prefix: str, predicate: Any, trigger: Optional[str],
                 view: Callable[[dict], dict], cancel: Callable[["CacheWatcher"], None],
                 read_only: bool = False) -> None:
        self.id = watch_id
        #: The client promised never to modify what it receives: it may share objects.
        self.read_only = read_only
        self.prefix = prefix
        self.predicate = predicate
        self.selective = not predicate.empty
        #: The trigger value this watch is indexed under (None: it sees every event).
        self.trigger = trigger
        self.view = view
        super().__init__(cancel)


class _Versions:
    """One store event's new and previous objects, each decoded at most once (and only if
    some watch needs it), with their selectable fields computed at most once."""

    __slots__ = ("event", "_fields_of", "_new", "_old", "_new_fields", "_old_fields", "_old_labels", "_handed",
                 "previous_shared")

    def __init__(self, event: Any, fields_of: Callable[[dict], dict], prior: Optional[tuple] = None) -> None:
        self.event = event
        self._fields_of = fields_of
        self._new = self._old = self._new_fields = self._old_fields = self._old_labels = None
        self._handed = 0  # bit 1: the decoded new object is given away; bit 2: the old one
        #: The previous version's shared (read-only) decode, when the cache still has it.
        self.previous_shared = None
        if prior is not None and event.prev_kv is not None and prior[0] == event.prev_kv.mod_revision:
            # What the cache remembered of the previous version: enough to match selectors.
            _, self._old_labels, self._old_fields, self.previous_shared = prior

    @property
    def created(self) -> bool:
        return self.event.prev_kv is None

    def new(self) -> dict:
        if self._new is None:
            self._new = _decode(self.event.kv)
        return self._new

    def old(self) -> dict:
        if self._old is None:
            self._old = self._decode_old()
        return self._old

    def _decode_old(self) -> dict:
        # Whenever the previous state is sent (a delete, or an object leaving a selection),
        # it is sent as of the change that ended it.
        obj = _decode(self.event.prev_kv)
        obj["metadata"]["resourceVersion"] = str(self.event.kv.mod_revision)
        return obj

    def old_for_matching(self) -> dict:
        """The previous version for label matching only: the remembered labels when the cache
        has them (no decode), else the decoded object."""
        if self._old_labels is not None:
            return {"metadata": {"labels": self._old_labels}}
        return self.old()

    def remembered(self, shared: Optional[dict]) -> Optional[tuple]:
        """``(mod_revision, labels, fields, shared)`` of the new version, for matching the next
        event's previous version (and sharing its equal parts, when ``shared``, the decode
        read-only watches got, is not None); None when the new object was not decoded (or
        was deleted)."""
        if self._new is None or self.event.type == STORE_DELETE:
            return None
        labels = (self._new.get("metadata") or {}).get("labels") or {}
        return self.event.kv.mod_revision, dict(labels), self.new_fields(), shared

    def new_fields(self) -> dict:
        if self._new_fields is None:
            self._new_fields = self._fields_of(self.new())
        return self._new_fields

    def old_fields(self) -> dict:
        if self._old_fields is None:  # not remembered: from the previous shared decode, if any
            known = self.previous_shared
            self._old_fields = self._fields_of(self.old() if known is None else known)
        return self._old_fields

    def take(self, which: str) -> dict:
        """The object for one receiver: the shared decode the first time, then fresh ones."""
        bit = 1 if which == "new" else 2
        if not self._handed & bit:
            self._handed |= bit
            return self.new() if bit == 1 else self.old()
        return _decode(self.event.kv) if bit == 1 else self._decode_old()

    def share(self, which: str) -> dict:
        """The decoded object, for read-only receivers only: it is never handed to a client
        that may modify it (call before any :meth:`take`)."""
        self._handed |= 1 if which == "new" else 2
        return self.new() if which == "new" else self.old()


class WatchCache:
    """The watches of one resource, fed from one store watcher (``Cacher``).

    ``fields_of`` is the kind's ``selectable_fields``; ``trigger`` the indexed field."""

    def __init__(self, store: Any, prefix: str, fields_of: Callable[[dict], dict], trigger: str,
                 offer: Optional[Callable[[Any, dict], None]] = None) -> None:
        self.store = store
        #: ``offer(kv, obj)``: the server's object cache may keep a shared (read-only) decode.
        self._offer = offer
        self.prefix = prefix
        self.fields_of = fields_of
        self.trigger_field = trigger
        self._source = None  # the store watcher, opened with the first client watch
        #: The last store revision handed to the client watches.
        self.revision = 0
        self._untriggered: dict[CacheWatcher, None] = {}
        self._triggered: dict[str, dict[CacheWatcher, None]] = {}
        self._next_id = 0
        #: Store key -> (mod_revision, labels, selectable fields or None, shared decode or
        #: None) of the version last dispatched: the next event's previous version is matched
        #: against it without decoding ``prev_kv`` (the real watch cache keeps current
        #: objects for the same use).
        self._previous: dict[str, tuple] = {}
        #: The last decode handed to read-only watches (a donor for the next one's equal parts).
        self._last_shared: Optional[dict] = None
        #: Called with every event's ``_Versions`` (the server's own indexes; read-only).
        self._listeners: list[Callable[[Any], None]] = []
        #: The watches, in the order opened, when every one takes every event unfiltered and
        #: read-only (see :meth:`_dispatch_plain`); None otherwise.
        self._plain: Optional[tuple[CacheWatcher, ...]] = None
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._untriggered) + sum(len(ws) for ws in self._triggered.values())

    # -- opening and closing client watches ----------------------------------------------
    def watch(self, start: int, prefix: str, predicate: Any, view: Callable[[dict], dict],
              replay: Callable[[int, int], list], *, read_only: bool = False) -> tuple[CacheWatcher, list]:
        """A client watch of ``prefix`` from revision ``start`` on. ``replay(start, upto)``
        returns the converted events ``start..upto`` from the store's history (raising the
        store's CompactedError for a compacted start); they come back with the watch, to be
        sent before anything the cache dispatches later. ``read_only``: see the module
        docstring."""
        with self._lock:
            ready = self._open_source()
            upto = self.revision
            backlog = replay(start, upto) if start <= upto else []
            trigger = predicate.field.requires(self.trigger_field)
            self._next_id += 1
            watcher = CacheWatcher(self._next_id, prefix, predicate, trigger, view, self._remove, read_only)
            if trigger is None:
                self._untriggered[watcher] = None
            else:
                self._triggered.setdefault(trigger, {})[watcher] = None
            self._replan()
        _call(ready)
        return watcher, backlog

    def _open_source(self) -> list:
        """Open the store watcher once; otherwise catch up on anything it holds (another
        thread's write whose hooks have not run yet). Returns the hooks to call."""
        if self._source is None:
            current = self.store.revision
            self._source = self.store.watch(self.prefix, _prefix_end(self.prefix),
                                            start_revision=current + 1, prev_kv=True)
            self.revision = current
            self._source.on_ready = self._on_ready
            return []
        return self._dispatch(self._source.poll())

    def add_listener(self, listener: Callable[[Any], None]) -> list:
        """Call ``listener(versions)`` for every later event (after the client watches of
        that event got theirs); returns the stored key-values it starts from."""
        with self._lock:
            ready = self._open_source()
            kvs = self.store.range(self.prefix, _prefix_end(self.prefix), revision=self.revision).kvs
            self._listeners.append(listener)
            self._replan()
        _call(ready)
        return kvs

    def remove_listener(self, listener: Callable[[Any], None]) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)
                self._replan()

    def sync(self) -> None:
        """Dispatch anything the store holds for this cache now (another thread's write)."""
        if self._source is None:
            return
        with self._lock:
            ready = self._open_source()
        _call(ready)

    def _remove(self, watcher: CacheWatcher) -> None:
        with self._lock:
            if watcher.trigger is None:
                self._untriggered.pop(watcher, None)
            else:
                same = self._triggered.get(watcher.trigger)
                if same is not None:
                    same.pop(watcher, None)
                    if not same:
                        del self._triggered[watcher.trigger]
            self._replan()

    def _replan(self) -> None:
        """Whether events can take the plain way (:meth:`_dispatch_plain`): no listener, no
        watch indexed by a trigger value, and every watch read-only without a selector --
        the informers of the control plane, for most kinds. Called whenever watches or
        listeners come or go (the cache's lock is held)."""
        watchers = tuple(self._untriggered)
        plain = watchers and not self._triggered and not self._listeners and all(
            watcher.read_only and not watcher.selective for watcher in watchers)
        self._plain = watchers if plain else None

    # -- dispatching ------------------------------------------------------------------------
    def _on_ready(self) -> None:
        with self._lock:
            ready = self._dispatch(self._source.poll())
        _call(ready)

    def _dispatch(self, events: list) -> list:
        ready: dict = {}  # hooks in the order of first use, each once (as the store does)
        for event in events:
            self.revision = event.kv.mod_revision
            if self._untriggered or self._triggered or self._listeners:
                self._dispatch_one(event, ready)
        return list(ready)

    def _dispatch_one(self, event: Any, ready: dict) -> None:
        if event.type == STORE_DELETE:
            if event.prev_kv is None:
                return
        elif self._plain is not None:
            self._dispatch_plain(event, self._plain, ready)
            return
        key = event.kv.key
        versions = _Versions(event, self.fields_of, self._previous.get(key))
        for listener in self._listeners:
            listener(versions)
        # Every decision is made on the shared decode before any receiver gets an object.
        outcomes = [(watcher, *self._outcome(watcher, versions)) for watcher in self._candidates(versions)]
        shared = {which: versions.share(which) for watcher, which, kind in outcomes
                  if kind is not None and watcher.read_only}
        if "new" in shared and len(event.kv.value) >= MIN_SHARED_BYTES:
            self._share_with_neighbours(shared["new"], versions.previous_shared)
        remembered = versions.remembered(shared.get("new"))  # before any receiver may change it
        if remembered is None:
            self._previous.pop(key, None)
        else:
            self._previous[key] = remembered
        for watcher, which, kind in outcomes:
            if kind is None:
                continue
            obj = shared[which] if watcher.read_only else versions.take(which)
            watcher._queue.put({"type": kind, "object": watcher.view(obj)})
            if watcher.on_ready is not None:
                ready[watcher.on_ready] = None
        if "new" in shared and self._offer is not None:
            self._offer(event.kv, shared["new"])

    def _dispatch_plain(self, event: Any, watchers: tuple, ready: dict) -> None:
        """:meth:`_dispatch_one` for a created or changed object when every watch takes every
        event in its prefix as it is, read-only (see :meth:`_replan`): there is nothing to
        match, so the event is ``ADDED`` or ``MODIFIED`` for each, and the one decode goes to
        all of them -- the same events and objects the general way gives, in the same order,
        without working out per watch what cannot differ (a Lease renewal, 100 a second at
        1,000 nodes, takes this way)."""
        kv = event.kv
        key = kv.key
        receivers = [watcher for watcher in watchers if key.startswith(watcher.prefix)]
        if not receivers:
            self._previous.pop(key, None)
            return
        obj = _decode(kv)
        prev = event.prev_kv
        if len(kv.value) >= MIN_SHARED_BYTES:
            prior = self._previous.get(key) if prev is not None else None
            previous = prior[3] if prior is not None and prior[0] == prev.mod_revision else None
            self._share_with_neighbours(obj, previous)
        # Remembered without copies: ``obj`` is read-only from now on. Its selectable fields
        # are worked out only if a later event needs them (see _Versions.old_fields).
        self._previous[key] = (kv.mod_revision, (obj.get("metadata") or {}).get("labels") or {}, None, obj)
        kind = ADDED if prev is None else MODIFIED
        for watcher in receivers:
            watcher._queue.put({"type": kind, "object": watcher.view(obj)})
            if watcher.on_ready is not None:
                ready[watcher.on_ready] = None
        if self._offer is not None:
            self._offer(kv, obj)

    def _share_with_neighbours(self, obj: dict, previous: Optional[dict]) -> None:
        """Let a read-only decode share its equal parts with its own previous version, then
        with the object dispatched just before it (often a sibling: pods of one ReplicaSet,
        written one after another); see :mod:`labkube.core.api.sharing`."""
        last = self._last_shared
        if previous is not None:
            share_equal_parts(obj, previous)
            if last is not None and last is not previous:
                share_changed_parts(obj, last, previous)
        elif last is not None:
            share_equal_parts(obj, last)
        self._last_shared = obj

    def _candidates(self, versions: _Versions) -> list[CacheWatcher]:
        """The untriggered watches plus those indexed under the old or new trigger value,
        in the order they were opened."""
        candidates = list(self._untriggered)
        if self._triggered:
            event, field = versions.event, self.trigger_field
            values = set()
            if event.type != STORE_DELETE:
                values.add(versions.new_fields().get(field, ""))
            if event.prev_kv is not None:
                values.add(versions.old_fields().get(field, ""))
            extra = [w for value in values for w in self._triggered.get(value, ())]
            if extra:
                candidates.extend(extra)
                candidates.sort(key=_watch_id)
        return candidates

    @staticmethod
    def _outcome(watcher: CacheWatcher, versions: _Versions) -> tuple[str, Optional[str]]:
        """Which object the watch gets ("new" or "old") and the event type (None: nothing)."""
        event = versions.event
        if not event.kv.key.startswith(watcher.prefix):
            return "new", None
        predicate = watcher.predicate
        if event.type == STORE_DELETE:
            if watcher.selective and not predicate.matches_fields(versions.old_for_matching(), versions.old_fields):
                return "old", None
            return "old", DELETED
        created = versions.created
        if not watcher.selective:
            return "new", ADDED if created else MODIFIED
        now = predicate.matches_fields(versions.new(), versions.new_fields)
        before = not created and predicate.matches_fields(versions.old_for_matching(), versions.old_fields)
        kind = transition(before, now, created)
        return ("old" if kind == DELETED else "new"), kind


def _watch_id(watcher: CacheWatcher) -> int:
    return watcher.id


def _call(hooks: list) -> None:
    for hook in hooks:
        hook()


def _prefix_end(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
