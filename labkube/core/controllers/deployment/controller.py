"""The Deployment controller: roll pod templates out through ReplicaSets.

Mirrors pkg/controller/deployment/deployment_controller.go (Kubernetes 1.32). It watches
Deployments, ReplicaSets and pods; handlers only enqueue the Deployment concerned. One
``sync(key)`` (``syncDeployment``):

1. read the Deployment from the cache (gone: done); a selector that selects everything is
   refused with a ``SelectingAll`` warning event;
2. **claim** ReplicaSets by selector (adopt orphans, release ReplicaSets that stopped matching;
   :mod:`labkube.core.controllers.owner`) and group their pods by ReplicaSet;
3. being deleted → status only; record the paused/resumed Progressing condition;
4. paused → :func:`.sync.sync` (scale, clean up, status — no rollout progress);
   a pending ``deprecated.deployment.rollback.to`` annotation → :func:`.rollback.rollback`;
   ``spec.replicas`` changed mid-rollout → :func:`.sync.sync` (proportional scaling);
5. otherwise roll out: :func:`.recreate.rollout_recreate` or :func:`.rolling.rollout_rolling`.

Events (on the Deployment, source ``deployment-controller``): ``ScalingReplicaSet`` "Scaled up
replica set web-7d4b9c8f5 from 0 to 3" / "Scaled down replica set … from 3 to 2",
``ReplicaSetCreateError``, ``SelectingAll``, ``DeploymentRollback`` and the rollback warnings.

labkube keeps the resourceVersion returned by each status write on its working copy, so the
several status writes of one sync do not conflict with each other (Kubernetes discards it and
retries the sync after the conflict); what is written is the same.
"""

from __future__ import annotations

from typing import Optional

from labkube.core.api.labels import SelectorError, selector_from_label_selector
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.deployment import recreate, rollback, rolling, sync
from labkube.core.controllers.manager import register
from labkube.core.controllers.owner import (
    CONTROLLER_UID_INDEX, ORPHAN_PREFIX, ControllerRefManager, controller_ref, controller_uid_index,
    label_matcher, namespace_index, recheck_deletion_timestamp,
)
from labkube.core.errors import StatusError
from labkube.core.machinery import WARNING, object_key
from labkube.core.serialization import copy as json_copy  # objects are JSON: far cheaper than deepcopy

KIND = "Deployment"
API_VERSION = "apps/v1"
NAMESPACE_INDEX = "namespace"


@register
class DeploymentController(KubeController):
    """Keeps each Deployment's ReplicaSets rolling towards its pod template."""

    name = "deployment-controller"

    def setup(self) -> None:
        informers = self.ctx.informers
        self.d_informer = informers.informer("deployments")
        self.rs_informer = informers.informer("replicasets")
        self.pod_informer = informers.informer("pods")
        self.d_informer.add_indexer(NAMESPACE_INDEX, namespace_index)
        self.rs_informer.add_indexer(CONTROLLER_UID_INDEX, controller_uid_index)
        self.pod_informer.add_indexer(CONTROLLER_UID_INDEX, controller_uid_index)
        self.d_informer.add_event_handler(self._enqueue_obj, lambda old, cur: self._enqueue_obj(cur),
                                          self._enqueue_obj)
        self.rs_informer.add_event_handler(self._add_rs, self._update_rs, self._delete_rs)
        self.pod_informer.add_event_handler(None, None, self._delete_pod)

    # -- helpers the strategy modules use ------------------------------------------------------
    @staticmethod
    def key_of(d: dict) -> str:
        return object_key(d)

    def update_rs(self, rs: dict) -> dict:
        return self.client.update(rs)

    def update_status(self, d: dict) -> dict:
        """Write ``d``'s status; keep the new resourceVersion on the working copy."""
        d["status"] = sync.ordered_status(d.get("status") or {})
        updated = self.client.update(d, subresource="status")
        d["metadata"]["resourceVersion"] = updated["metadata"]["resourceVersion"]
        return updated

    # -- event handlers --------------------------------------------------------------------------
    def _enqueue_obj(self, d: dict) -> None:
        self.enqueue(object_key(d))

    def _resolve(self, namespace: str, ref: dict) -> Optional[dict]:
        if ref.get("kind") != KIND:
            return None
        d = self.d_informer.get_by_name(namespace, ref.get("name", ""))
        if d is None or d["metadata"].get("uid") != ref.get("uid"):
            return None
        return d

    def _deployments_for_rs(self, rs: dict) -> list[dict]:
        """``getDeploymentsForReplicaSet``: Deployments whose non-empty selector matches an orphan."""
        labels = rs["metadata"].get("labels")
        if not labels:
            return []
        found = []
        for d in self.d_informer.by_index(NAMESPACE_INDEX, rs["metadata"].get("namespace", "")):
            try:
                selector = selector_from_label_selector(d["spec"].get("selector"))
            except SelectorError:
                continue
            if not selector.empty() and selector.matches(labels):
                found.append(d)
        return found

    def _add_rs(self, rs: dict) -> None:
        if rs["metadata"].get("deletionTimestamp"):
            self._delete_rs(rs)
            return
        ref = controller_ref(rs)
        if ref is not None:
            d = self._resolve(rs["metadata"].get("namespace", ""), ref)
            if d is not None:
                self._enqueue_obj(d)
            return
        for d in self._deployments_for_rs(rs):
            self._enqueue_obj(d)

    def _update_rs(self, old: dict, cur: dict) -> None:
        if cur["metadata"].get("resourceVersion") == old["metadata"].get("resourceVersion"):
            return
        namespace = cur["metadata"].get("namespace", "")
        cur_ref, old_ref = controller_ref(cur), controller_ref(old)
        ref_changed = cur_ref != old_ref
        if ref_changed and old_ref is not None:
            d = self._resolve(namespace, old_ref)
            if d is not None:
                self._enqueue_obj(d)
        if cur_ref is not None:
            d = self._resolve(namespace, cur_ref)
            if d is not None:
                self._enqueue_obj(d)
            return
        label_changed = cur["metadata"].get("labels") != old["metadata"].get("labels")
        if label_changed or ref_changed:
            for d in self._deployments_for_rs(cur):
                self._enqueue_obj(d)

    def _delete_rs(self, rs: dict) -> None:
        ref = controller_ref(rs)
        if ref is None:
            return
        d = self._resolve(rs["metadata"].get("namespace", ""), ref)
        if d is not None:
            self._enqueue_obj(d)

    def _delete_pod(self, pod: dict) -> None:
        """A Recreate Deployment waits for its last pod to go: sync it when that happens."""
        d = self._deployment_for_pod(pod)
        if d is None or (d["spec"].get("strategy") or {}).get("type") != "Recreate":
            return
        rs_list = [rs for rs in self.rs_informer.by_index(CONTROLLER_UID_INDEX, d["metadata"]["uid"])]
        if not any(self._pod_map(d, rs_list).values()):
            self._enqueue_obj(d)

    def _deployment_for_pod(self, pod: dict) -> Optional[dict]:
        ref = controller_ref(pod)
        if ref is None or ref.get("kind") != "ReplicaSet":
            return None
        rs = self.rs_informer.get_by_name(pod["metadata"].get("namespace", ""), ref.get("name", ""))
        if rs is None or rs["metadata"].get("uid") != ref.get("uid"):
            return None
        rs_ref = controller_ref(rs)
        return None if rs_ref is None else self._resolve(rs["metadata"].get("namespace", ""), rs_ref)

    # -- the reconcile loop ------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """``syncDeployment``."""
        cached = self.d_informer.get(key)
        if cached is None:
            return
        d = json_copy(cached)
        if d["spec"].get("selector") == {}:
            self._refuse_selecting_all(d)
            return
        rs_list = self._claim_replica_sets(d)
        pod_map = self._pod_map(d, rs_list)
        if d["metadata"].get("deletionTimestamp"):
            sync.sync_status_only(self, d, rs_list)
            return
        sync.check_paused_conditions(self, d)
        if d["spec"].get("paused"):
            sync.sync(self, d, rs_list)
            return
        if rollback.rollback_to(d) is not None:
            rollback.rollback(self, d, rs_list)
            return
        if sync.is_scaling_event(self, d, rs_list):
            sync.sync(self, d, rs_list)
            return
        if (d["spec"].get("strategy") or {}).get("type") == "Recreate":
            recreate.rollout_recreate(self, d, rs_list, pod_map)
        else:
            rolling.rollout_rolling(self, d, rs_list)

    def _refuse_selecting_all(self, d: dict) -> None:
        self.recorder.event(d, WARNING, "SelectingAll",
                            "This deployment is selecting all pods. A non-empty selector is required.")
        status = d.setdefault("status", {})
        if status.get("observedGeneration", 0) < d["metadata"].get("generation", 0):
            status["observedGeneration"] = d["metadata"]["generation"]
            self.update_status(d)

    def _claim_replica_sets(self, d: dict) -> list[dict]:
        """``getReplicaSetsForDeployment``: adopt and release by selector; ours, as copies."""
        meta = d["metadata"]
        try:
            selector = selector_from_label_selector(d["spec"].get("selector"))
        except SelectorError as err:
            raise ValueError(f"deployment {meta['namespace']}/{meta['name']} has invalid label selector: {err}") from err

        def fresh() -> dict:
            current = self.client.get("deployments", meta["name"], meta["namespace"])
            if current["metadata"].get("uid") != meta["uid"]:
                raise StatusError(409, "Conflict", f"original Deployment {meta['namespace']}/{meta['name']} "
                                  f"is gone: got uid {current['metadata'].get('uid')}, wanted {meta['uid']}")
            return current

        candidates = self.rs_informer.by_index(CONTROLLER_UID_INDEX, meta["uid"]) + \
            self.rs_informer.by_index(CONTROLLER_UID_INDEX, ORPHAN_PREFIX + meta["namespace"])
        candidates.sort(key=lambda rs: rs["metadata"]["name"])
        manager = ControllerRefManager(self.client, "replicasets", "ReplicaSet", d, selector, API_VERSION, KIND,
                                       recheck_deletion_timestamp(fresh))
        claimed, errors = manager.claim(candidates)
        if errors:
            raise errors[0]
        return [json_copy(rs) for rs in claimed]

    def _pod_map(self, d: dict, rs_list: list[dict]) -> dict[str, list[dict]]:
        """``getPodMapForDeployment``: the Deployment's pods by the UID of their ReplicaSet."""
        try:
            selector = selector_from_label_selector(d["spec"].get("selector"))
        except SelectorError:
            return {}
        matches = label_matcher(selector)
        pod_map: dict[str, list[dict]] = {}
        for rs in rs_list:
            uid = rs["metadata"]["uid"]
            pod_map[uid] = [p for p in self.pod_informer.by_index(CONTROLLER_UID_INDEX, uid)
                            if matches(p["metadata"].get("labels") or {})]
        return pod_map
