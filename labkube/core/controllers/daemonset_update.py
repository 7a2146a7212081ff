"""The DaemonSet controller's updates and history: the other half of ``sync``.

Mirrors pkg/controller/daemon/update.go (Kubernetes 1.32), as :class:`DaemonSetUpdates`, a
mixin of :class:`labkube.core.controllers.daemonset.DaemonSetController` (which provides
``client``, the informers, ``_nodes_to_daemon_pods``, ``_daemon_pods``, ``_sync_nodes`` and
``_fresh``):

* **Rolling update** (``rollingUpdate``). With ``maxSurge`` 0, a node whose daemon pod is old
  and available is a candidate for deletion while fewer than ``maxUnavailable`` nodes are without
  an available up-to-date pod; old pods that are not available anyway go at once; the manage
  step then creates the new pod once the old one is gone. With ``maxSurge``, the new pod starts
  beside the old one on up to ``maxSurge`` nodes, and the old pod goes when the new one is
  available. Kubernetes walks the nodes in Go's map order; labkube walks them by name.
* **History** (``constructHistory``, ``snapshot``, ``dedupCurHistories``, ``cleanupHistory``):
  the ControllerRevision whose ``data`` equals the current template's patch is the current one
  and gets the highest revision number; without one, a revision named ``<ds>-<hash>`` (the
  template's hash with ``status.collisionCount``) is created with the template's labels, the
  ``controller-revision-hash`` label and the DaemonSet's annotations. A name taken by another
  template bumps ``status.collisionCount`` and the sync is retried. Old revisions beyond
  ``revisionHistoryLimit`` go, oldest first, unless a pod still carries their hash.
"""

from __future__ import annotations

from typing import Optional

from labkube.core.api.labels import selector_from_label_selector
from labkube.core.controllers import daemonset_util as util
from labkube.core.controllers.deployment.util import compute_hash
from labkube.core.controllers.history import POD_REVISION_HASH_LABEL, go_json, max_revision
from labkube.core.controllers.owner import (
    CONTROLLER_UID_INDEX, ORPHAN_PREFIX, ControllerRefManager, new_controller_ref, recheck_deletion_timestamp,
)
from labkube.core.controllers.pods import is_pod_available
from labkube.core.errors import StatusError
from labkube.core.serialization import copy as json_copy

KIND = "DaemonSet"
API_VERSION = "apps/v1"


class DaemonSetUpdates:
    """Rolling updates and ControllerRevisions of the DaemonSet controller (update.go)."""

    # -- rolling update ----------------------------------------------------------------------------
    def _rolling_update(self, ds: dict, nodes: list[dict], hash_: str) -> None:
        """``rollingUpdate``: replace old pods within maxUnavailable (or maxSurge)."""
        by_node = self._nodes_to_daemon_pods(ds)
        max_surge, max_unavailable, desired = self._desired_node_counts(ds, nodes, by_node)
        if max_surge == 0:
            self._sync_nodes(ds, self._old_pods_to_delete(ds, by_node, hash_, max_unavailable), [], hash_)
        else:
            delete, create = self._surge_plan(ds, nodes, by_node, hash_, max_surge, desired)
            self._sync_nodes(ds, delete, create, hash_)

    def _desired_node_counts(self, ds: dict, nodes: list[dict], by_node: dict) -> tuple[int, int, int]:
        """``updatedDesiredNodeCounts``: maxSurge, maxUnavailable, and the nodes that want a pod."""
        placement = util.Placement.of(ds)
        desired = 0
        for node in nodes:
            if placement.should_run(node)[0]:
                desired += 1
                by_node.setdefault(node["metadata"]["name"], [])
        max_unavailable = util.unavailable_count(ds, desired)
        max_surge = util.surge_count(ds, desired)
        if desired > 0 and max_unavailable == 0 and max_surge == 0:
            max_unavailable = 1
        return max_surge, max_unavailable, desired

    def _old_pods_to_delete(self, ds: dict, by_node: dict, hash_: str, max_unavailable: int) -> list[dict]:
        """The maxSurge = 0 half of ``rollingUpdate``: unavailable old pods go at once, available
        ones only while fewer than maxUnavailable nodes lack an available pod."""
        now, min_ready = self.clock.now(), ds["spec"].get("minReadySeconds", 0)
        unavailable = 0
        replacements, candidates = [], []
        for node_name in sorted(by_node):  # Kubernetes walks a Go map; labkube walks names in order
            found = _updated_pods_on_node(ds, by_node[node_name], hash_)
            if found is None:
                unavailable += 1
                continue
            new_pod, old_pod = found
            if (old_pod is None) == (new_pod is None):
                unavailable += 1
            elif new_pod is not None:
                if not is_pod_available(new_pod, min_ready, now):
                    unavailable += 1
            elif not is_pod_available(old_pod, min_ready, now):
                replacements.append(old_pod)
                unavailable += 1
            elif unavailable < max_unavailable:
                candidates.append(old_pod)
        room = max(0, min(max_unavailable - unavailable, len(candidates)))
        return replacements + candidates[:room]

    def _surge_plan(self, ds: dict, nodes: list[dict], by_node: dict, hash_: str, max_surge: int,
                    desired: int) -> tuple[list[dict], list[str]]:
        """The maxSurge half of ``rollingUpdate``: (old pods to delete, nodes to get a new pod)."""
        now, min_ready = self.clock.now(), ds["spec"].get("minReadySeconds", 0)
        placement = util.Placement.of(ds)
        nodes_by_name = {n["metadata"]["name"]: n for n in nodes}
        to_delete, should_not_run, candidates, allowed = [], [], [], []
        surging = available = 0
        for node_name in sorted(by_node):
            found = _updated_pods_on_node(ds, by_node[node_name], hash_)
            if found is None:
                surging += 1
                continue
            new_pod, old_pod = found
            shown = old_pod if old_pod is not None else new_pod
            if shown is not None and is_pod_available(shown, min_ready, now):
                available += 1
            if old_pod is None:
                continue
            if new_pod is None:
                node = nodes_by_name.get(node_name)
                runs_here = node is not None and placement.should_run(node)[0]
                if not is_pod_available(old_pod, min_ready, now):
                    (allowed.append(node_name) if runs_here else to_delete.append(old_pod))
                elif not runs_here:
                    should_not_run.append(old_pod)
                elif surging < max_surge:
                    candidates.append(node_name)
            elif not is_pod_available(new_pod, min_ready, now):
                surging += 1
            else:
                to_delete.append(old_pod)
        deletable = min(available - desired, len(should_not_run))
        if deletable > 0:
            to_delete.extend(should_not_run[:deletable])
        room = max(0, min(max_surge - surging, len(candidates)))
        return to_delete, allowed + candidates[:room]

    # -- history -----------------------------------------------------------------------------------
    def _construct_history(self, ds: dict) -> tuple[dict, list[dict]]:
        """``constructHistory``: the current revision (created if needed) and the old ones."""
        current_histories, old = [], []
        patch = daemon_set_patch_bytes(ds)
        for history in self._controlled_histories(ds):
            if POD_REVISION_HASH_LABEL not in (history["metadata"].get("labels") or {}):
                history = json_copy(history)
                history["metadata"].setdefault("labels", {})[POD_REVISION_HASH_LABEL] = history["metadata"]["name"]
                history = self.client.update(history)
            if go_json(history.get("data")) == patch:
                current_histories.append(history)
            else:
                old.append(history)
        wanted_revision = max_revision(old) + 1
        if not current_histories:
            return self._snapshot(ds, wanted_revision), old
        current = self._dedup_current_histories(ds, current_histories)
        if current.get("revision", 0) < wanted_revision:
            update = json_copy(current)
            update["revision"] = wanted_revision
            current = self.client.update(update)
        return current, old

    def _controlled_histories(self, ds: dict) -> list[dict]:
        """``controlledHistories``: claim the namespace's revisions by selector."""
        meta = ds["metadata"]
        selector = selector_from_label_selector(ds["spec"].get("selector"))
        candidates = (self.history_informer.by_index(CONTROLLER_UID_INDEX, meta["uid"])
                      + self.history_informer.by_index(CONTROLLER_UID_INDEX, ORPHAN_PREFIX + meta["namespace"]))
        candidates.sort(key=lambda h: h["metadata"]["name"])
        manager = ControllerRefManager(self.client, "controllerrevisions", "ControllerRevision", ds, selector,
                                       API_VERSION, KIND, recheck_deletion_timestamp(self._fresh(ds)))
        claimed, errors = manager.claim(candidates)
        if errors:
            raise errors[0]
        return claimed

    def _snapshot(self, ds: dict, revision: int) -> dict:
        """``snapshot``: create the revision of the current template, named after its hash."""
        meta = ds["metadata"]
        collision_count = (ds.get("status") or {}).get("collisionCount")
        hash_ = compute_hash(ds["spec"]["template"], collision_count)
        labels = dict((ds["spec"]["template"].get("metadata") or {}).get("labels") or {})
        labels[POD_REVISION_HASH_LABEL] = hash_
        history_meta = {"name": f"{meta['name']}-{hash_}", "namespace": meta["namespace"],
                        "labels": dict(sorted(labels.items()))}
        if meta.get("annotations"):
            history_meta["annotations"] = dict(meta["annotations"])
        history_meta["ownerReferences"] = [new_controller_ref(ds, API_VERSION, KIND)]
        history = {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": history_meta,
                   "data": util.daemon_set_patch(ds), "revision": revision}
        try:
            return self.client.create(history, meta["namespace"])
        except StatusError as err:
            if err.reason != "AlreadyExists":
                raise
            return self._resolve_name_collision(ds, history_meta["name"], collision_count, err)

    def _resolve_name_collision(self, ds: dict, name: str, collision_count: Optional[int],
                                err: StatusError) -> dict:
        """The name is taken: ours already (return it), or another template's (bump collisionCount)."""
        meta = ds["metadata"]
        existing = self.client.get("controllerrevisions", name, meta["namespace"])
        if go_json(existing.get("data")) == daemon_set_patch_bytes(ds):
            return existing
        current = self.client.get("daemonsets", meta["name"], meta["namespace"])
        current_count = (current.get("status") or {}).get("collisionCount")
        if current_count != collision_count:
            raise StatusError(409, "Conflict", f"found a stale collision count ({collision_count}, expected "
                              f"{current_count}) of DaemonSet {meta['name']!r} while processing; will retry "
                              "until it is updated")
        current["status"] = util.ordered_status({**(current.get("status") or {}),
                                            "collisionCount": (current_count or 0) + 1})
        self.client.update(current, subresource="status")
        raise err

    def _dedup_current_histories(self, ds: dict, histories: list[dict]) -> dict:
        """``dedupCurHistories``: keep the highest revision, relabel pods to it, delete the rest."""
        if len(histories) == 1:
            return histories[0]
        keep = max(histories, key=lambda h: h.get("revision", 0))
        keep_hash = keep["metadata"]["labels"][POD_REVISION_HASH_LABEL]
        for pod in self._daemon_pods(ds):
            if (pod["metadata"].get("labels") or {}).get(POD_REVISION_HASH_LABEL) != keep_hash:
                self.client.patch("pods", pod["metadata"]["name"],
                                  {"metadata": {"labels": {POD_REVISION_HASH_LABEL: keep_hash}}},
                                  namespace=ds["metadata"]["namespace"], patch_type="merge")
        for history in histories:
            if history["metadata"]["name"] != keep["metadata"]["name"]:
                self.client.delete("controllerrevisions", history["metadata"]["name"], ds["metadata"]["namespace"])
        return keep

    def _cleanup_history(self, ds: dict, old: list[dict]) -> None:
        """``cleanupHistory``: delete the oldest unused revisions beyond revisionHistoryLimit."""
        to_kill = len(old) - ds["spec"].get("revisionHistoryLimit", 10)
        if to_kill <= 0:
            return
        live_hashes = {(p["metadata"].get("labels") or {}).get(POD_REVISION_HASH_LABEL)
                       for pods in self._nodes_to_daemon_pods(ds, include_deleted_terminal=True).values()
                       for p in pods}
        for history in sorted(old, key=lambda h: h.get("revision", 0)):
            if to_kill <= 0:
                break
            if (history["metadata"].get("labels") or {}).get(POD_REVISION_HASH_LABEL) in live_hashes:
                continue
            self.client.delete("controllerrevisions", history["metadata"]["name"], ds["metadata"]["namespace"])
            to_kill -= 1


def daemon_set_patch_bytes(ds: dict) -> bytes:
    """``getPatch`` as bytes, for ``Match`` against a revision's data."""
    return go_json(util.daemon_set_patch(ds))


def _updated_pods_on_node(ds: dict, pods: list[dict], hash_: str) -> Optional[tuple[Optional[dict], Optional[dict]]]:
    """``findUpdatedPodsOnNode``: (new pod, old pod) among the live pods, None if either repeats."""
    generation = util.ds_template_generation(ds)
    new_pod = old_pod = None
    for pod in pods:
        if pod["metadata"].get("deletionTimestamp"):
            continue
        if util.is_pod_updated(pod, hash_, generation):
            if new_pod is not None:
                return None
            new_pod = pod
        else:
            if old_pod is not None:
                return None
            old_pod = pod
    return new_pod, old_pod
