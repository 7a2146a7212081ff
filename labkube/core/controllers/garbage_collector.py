"""The garbage collector: dependents follow their owners (``metadata.ownerReferences``).

Mirrors pkg/controller/garbagecollector (graph_builder.go, garbagecollector.go), simplified:

* **The graph.** Informers on every kind that can own or be owned (all resources of the
  registry except Events) feed one graph of nodes keyed by **UID**: each node knows its
  owners (its ownerReferences) and its dependents. An owner that is referenced but not (yet)
  observed is a *virtual* node; the collector checks with the API whether it exists.
* **Background cascading** (``attemptToDeleteItem``): an object whose owners are *all* gone
  (absent, or present with another UID) is deleted; deleting it lets its own dependents follow.
  An object that still has one live owner only loses the references to the dead ones.
* **Foreground** (owner has ``deletionTimestamp`` and the ``foregroundDeletion`` finalizer,
  i.e. ``propagationPolicy: Foreground``): its dependents are deleted first (themselves in
  the foreground if they have dependents); once no dependent with ``blockOwnerDeletion: true``
  remains, the finalizer is removed and the API server deletes the owner.
* **Orphan** (owner has the ``orphan`` finalizer, ``propagationPolicy: Orphan``): the owner's
  reference is removed from every dependent, then the finalizer, so the dependents stay.

The resources watched are rediscovered every 30 s (``GarbageCollector.Sync``'s period), and at
once when an owner of a kind not watched yet is looked up: custom resources come and go with
their CRDs, so a CronTab can own Deployments. An owner whose kind the API does not serve is an
error retried with backoff, never a reason to think the owner gone.

The API server adds the finalizers when asked (``delete --cascade=foreground|orphan``); this
controller does the rest. It acts as ``generic-garbage-collector``. Differences: Events are
not watched (they never have owners in labkube), and ownerReferences pointing to another
namespace are treated as absent owners without the ``OwnerRefInvalidNamespace`` event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from labkube.core import serialization
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.errors import StatusError

FINALIZER_ORPHAN = "orphan"
FINALIZER_FOREGROUND = "foregroundDeletion"
#: Resources not watched by labkube's collector.
IGNORED = {("", "events"), ("events.k8s.io", "events")}
#: How often the collector looks for resources that appeared or went (``GarbageCollector.Sync``'s
#: period in kube-controller-manager).
RESOURCE_RESYNC_PERIOD = 30.0


@dataclass
class Identity:
    """``objectReference``: what identifies an object in the graph."""

    api_version: str
    kind: str
    name: str
    uid: str
    namespace: str = ""


@dataclass
class GraphNode:
    identity: Identity
    owners: list[dict] = field(default_factory=list)
    dependents: set[str] = field(default_factory=set)
    virtual: bool = False
    being_deleted: bool = False
    deleting_dependents: bool = False


@register
class GarbageCollector(KubeController):
    """Deletes objects whose owners are gone; carries out foreground and orphan deletion."""

    name = "generic-garbage-collector"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.recorder = ctx.recorder("garbage-collector-controller")
        self.recorder.client = self.client

    def setup(self) -> None:
        self.graph: dict[str, GraphNode] = {}
        self.types = {}
        self._monitors: dict = {}
        self._discover(start=False)
        self.clock.call_later(RESOURCE_RESYNC_PERIOD, self._resync_monitors, name="garbage collector resync")

    # -- discovery (GarbageCollector.Sync / resyncMonitors) ------------------------------
    def _discover(self, start: bool = True) -> None:
        """Watch every resource the API serves now; stop watching the ones it no longer
        serves (custom resources come and go with their CRDs)."""
        served = {}
        for rtype in self.client.server.registry.all():
            if (rtype.group, rtype.plural) in IGNORED or "watch" not in rtype.verbs or "delete" not in rtype.verbs:
                continue
            served[(rtype.api_version, rtype.kind)] = rtype
        for key in [k for k in self.types if k not in served]:
            self.types.pop(key)
            monitor = self._monitors.pop(key, None)
            if monitor is not None:
                monitor.stop()
        for key, rtype in served.items():
            self.types[key] = rtype
            if key in self._monitors:
                continue
            informer = self.ctx.informers.informer(rtype)
            informer.add_event_handler(self._observe, lambda old, new: self._observe(new), self._observe_deleted)
            self._monitors[key] = informer
            if start:
                informer.start()

    def _resync_monitors(self) -> None:
        if not self.enabled:
            return  # the controller-manager was stopped; a restart sets up afresh
        try:
            self._discover()
        finally:
            self.clock.call_later(RESOURCE_RESYNC_PERIOD, self._resync_monitors, name="garbage collector resync")

    # -- the graph builder (processGraphChanges) ----------------------------------------
    def _observe(self, obj: dict) -> None:
        meta = obj["metadata"]
        uid = meta.get("uid")
        if not uid:
            return
        node = self.graph.get(uid)
        owners = list(meta.get("ownerReferences") or [])
        if node is None:
            identity = _identity(obj)
            node = GraphNode(identity, owners)
            self.graph[uid] = node
            self._link(uid, owners, identity.namespace)
        else:
            if node.virtual:
                node.virtual = False
                node.identity = _identity(obj)
            if owners != node.owners:
                self._relink(uid, node, owners)
        finalizers = meta.get("finalizers") or []
        node.being_deleted = bool(meta.get("deletionTimestamp"))
        node.deleting_dependents = node.being_deleted and FINALIZER_FOREGROUND in finalizers
        if node.being_deleted and FINALIZER_ORPHAN in finalizers:
            self.enqueue(("orphan", uid))
        if node.deleting_dependents:
            for dependent in sorted(node.dependents):
                self.enqueue(("delete", dependent))
            self.enqueue(("delete", uid))

    def _link(self, uid: str, owners: list[dict], namespace: str) -> None:
        for ref in owners:
            owner_uid = ref.get("uid")
            if not owner_uid:
                continue
            owner = self.graph.get(owner_uid)
            if owner is None:
                owner = GraphNode(Identity(ref.get("apiVersion", ""), ref.get("kind", ""), ref.get("name", ""),
                                           owner_uid, namespace), virtual=True)
                self.graph[owner_uid] = owner
                self.enqueue(("delete", owner_uid))  # is the owner really there?
            elif owner.deleting_dependents:
                self.enqueue(("delete", owner_uid))  # one more dependent to wait for
            owner.dependents.add(uid)

    def _relink(self, uid: str, node: GraphNode, owners: list[dict]) -> None:
        old_uids = {r.get("uid") for r in node.owners}
        new_uids = {r.get("uid") for r in owners}
        for removed in old_uids - new_uids:
            owner = self.graph.get(removed)
            if owner is not None:
                owner.dependents.discard(uid)
                if owner.deleting_dependents:
                    self.enqueue(("delete", removed))  # one blocker fewer
        node.owners = owners
        self._link(uid, [r for r in owners if r.get("uid") in new_uids - old_uids], node.identity.namespace)
        changed_block = [r for r in owners if r.get("uid") in old_uids and not r.get("blockOwnerDeletion")]
        for ref in changed_block:
            owner = self.graph.get(ref.get("uid"))
            if owner is not None and owner.deleting_dependents:
                self.enqueue(("delete", ref["uid"]))

    def _observe_deleted(self, obj: dict) -> None:
        uid = obj["metadata"].get("uid")
        node = self.graph.pop(uid, None) if uid else None
        if node is None:
            return
        self._forget(uid, node)

    def _forget(self, uid: str, node: GraphNode) -> None:
        for ref in node.owners:
            owner = self.graph.get(ref.get("uid"))
            if owner is not None:
                owner.dependents.discard(uid)
                if owner.deleting_dependents:
                    self.enqueue(("delete", ref["uid"]))
        for dependent in sorted(node.dependents):
            self.enqueue(("delete", dependent))

    # -- workers ------------------------------------------------------------------------
    def sync(self, key: tuple) -> None:
        action, uid = key
        node = self.graph.get(uid)
        if node is None:
            return
        if action == "orphan":
            self._attempt_to_orphan(uid, node)
        else:
            self._attempt_to_delete(uid, node)

    def _get_live(self, identity: Identity) -> Optional[dict]:
        rtype = self._type_of(identity)
        try:
            obj = self.client.get(rtype, identity.name, identity.namespace if rtype.namespaced else None)
        except StatusError as err:
            if err.code == 404:
                return None
            raise
        return obj if obj["metadata"].get("uid") == identity.uid else None

    def _type_of(self, identity: Identity) -> Any:
        """The resource of an owner or dependent; an unknown kind is looked up in discovery
        again (a CRD may just have been established) and otherwise is an error to retry --
        never a reason to think the owner gone."""
        key = (identity.api_version, identity.kind)
        if key not in self.types:
            self._discover()
        if key not in self.types:
            raise StatusError(404, "NotFound", f'unable to get REST mapping for {identity.api_version}, '
                                               f'Kind={identity.kind}: no matches for kind "{identity.kind}" '
                                               f'in version "{identity.api_version}"')
        return self.types[key]

    def _attempt_to_delete(self, uid: str, node: GraphNode) -> None:
        """``attemptToDeleteItem``."""
        latest = self._get_live(node.identity)
        if latest is None:
            if node.virtual:  # the owner was never there (or is gone): its dependents are orphans
                self.graph.pop(uid, None)
                self._forget(uid, node)
            return
        if node.virtual:
            return  # it exists; its informer will bring it into the graph
        meta = latest["metadata"]
        finalizers = meta.get("finalizers") or []
        if meta.get("deletionTimestamp") and FINALIZER_FOREGROUND not in finalizers:
            return
        if meta.get("deletionTimestamp"):
            self._process_deleting_dependents(uid, node, latest)
            return
        owners = meta.get("ownerReferences") or []
        if not owners:
            return
        solid, dangling, waiting = self._classify_owners(latest, owners)
        if solid:
            gone = {r["uid"] for r in dangling + waiting}
            if gone:
                self._remove_owner_refs(node.identity, gone)
            return
        if waiting and node.dependents:
            # Deleted in the foreground too. Only when a dependent is itself waiting for its
            # dependents are the owner references made non-blocking, to break a possible cycle.
            if any(self.graph[d].deleting_dependents for d in node.dependents if d in self.graph):
                self._unblock_owner_refs(node.identity, {r["uid"] for r in waiting})
            self._delete(node.identity, "Foreground")
            return
        policy = "Background"
        if FINALIZER_ORPHAN in finalizers:
            policy = "Orphan"
        if FINALIZER_FOREGROUND in finalizers:
            policy = "Foreground"
        self._delete(node.identity, policy)

    def _classify_owners(self, obj: dict, owners: list[dict]) -> tuple[list, list, list]:
        solid, dangling, waiting = [], [], []
        namespace = obj["metadata"].get("namespace", "")
        for ref in owners:
            owner = self._get_live(Identity(ref.get("apiVersion", ""), ref.get("kind", ""), ref.get("name", ""),
                                            ref.get("uid", ""), namespace))
            if owner is None:
                dangling.append(ref)
                continue
            meta = owner["metadata"]
            if meta.get("deletionTimestamp") and FINALIZER_FOREGROUND in (meta.get("finalizers") or []):
                waiting.append(ref)
            else:
                solid.append(ref)
        return solid, dangling, waiting

    def _process_deleting_dependents(self, uid: str, node: GraphNode, latest: dict) -> None:
        """Foreground: wait for blocking dependents, then drop the foregroundDeletion finalizer."""
        blocking = [d for d in sorted(node.dependents) if self._blocks(d, uid)]
        if not blocking:
            self._remove_finalizer(node.identity, FINALIZER_FOREGROUND)
            return
        for dependent in blocking:
            if not self.graph[dependent].being_deleted:
                self.enqueue(("delete", dependent))

    def _blocks(self, dependent_uid: str, owner_uid: str) -> bool:
        dependent = self.graph.get(dependent_uid)
        if dependent is None:
            return False
        return any(r.get("uid") == owner_uid and r.get("blockOwnerDeletion") for r in dependent.owners)

    def _attempt_to_orphan(self, uid: str, node: GraphNode) -> None:
        """``attemptToOrphan``: detach every dependent, then remove the orphan finalizer."""
        for dependent in sorted(node.dependents):
            dependent_node = self.graph.get(dependent)
            if dependent_node is not None:
                self._remove_owner_refs(dependent_node.identity, {uid})
        self._remove_finalizer(node.identity, FINALIZER_ORPHAN)

    # -- writes (with conflict retries) ---------------------------------------------------
    def _mutate(self, identity: Identity, change) -> None:
        for _ in range(5):
            obj = self._get_live(identity)
            if obj is None:
                return
            updated = serialization.copy(obj)
            if not change(updated["metadata"]):
                return
            try:
                self.client.update(updated)
                return
            except StatusError as err:
                if err.code == 404:
                    return
                if err.code != 409:
                    raise
        raise StatusError(409, "Conflict", f"could not update {identity.kind} {identity.name}")

    def _remove_owner_refs(self, identity: Identity, uids: set) -> None:
        def change(meta: dict) -> bool:
            refs = meta.get("ownerReferences") or []
            kept = [r for r in refs if r.get("uid") not in uids]
            if len(kept) == len(refs):
                return False
            if kept:
                meta["ownerReferences"] = kept
            else:
                meta.pop("ownerReferences", None)
            return True
        self._mutate(identity, change)

    def _unblock_owner_refs(self, identity: Identity, uids: set) -> None:
        def change(meta: dict) -> bool:
            changed = False
            for ref in meta.get("ownerReferences") or []:
                if ref.get("uid") in uids and ref.get("blockOwnerDeletion"):
                    ref["blockOwnerDeletion"] = False
                    changed = True
            return changed
        self._mutate(identity, change)

    def _remove_finalizer(self, identity: Identity, finalizer: str) -> None:
        def change(meta: dict) -> bool:
            finalizers = meta.get("finalizers") or []
            if finalizer not in finalizers:
                return False
            kept = [f for f in finalizers if f != finalizer]
            if kept:
                meta["finalizers"] = kept
            else:
                meta.pop("finalizers", None)
            return True
        self._mutate(identity, change)

    def _delete(self, identity: Identity, policy: str) -> None:
        rtype = self._type_of(identity)
        try:
            self.client.delete(rtype, identity.name, identity.namespace if rtype.namespaced else None,
                               propagation_policy=policy, preconditions={"uid": identity.uid})
        except StatusError as err:
            if err.code not in (404, 409):
                raise


def _identity(obj: dict) -> Identity:
    meta = obj["metadata"]
    return Identity(obj.get("apiVersion", ""), obj.get("kind", ""), meta["name"], meta["uid"],
                    meta.get("namespace", ""))
