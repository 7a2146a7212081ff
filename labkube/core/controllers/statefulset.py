"""The StatefulSet controller: pods with a stable name, network identity and storage, in order.

Mirrors pkg/controller/statefulset (stateful_set.go, stateful_set_control.go,
stateful_pod_control.go, stateful_set_utils.go, stateful_set_status_updater.go), Kubernetes 1.32.

A StatefulSet ``web`` with ``replicas: 3`` owns the pods ``web-0``, ``web-1``, ``web-2``
(``spec.ordinals.start`` moves the first ordinal). Each pod gets

* ``hostname: web-1`` and ``subdomain: <spec.serviceName>``: with a headless Service of that name
  its DNS name is ``web-1.nginx.default.svc.cluster.local``;
* the labels ``statefulset.kubernetes.io/pod-name: web-1``, ``apps.kubernetes.io/pod-index: "1"``
  and ``controller-revision-hash: web-<hash>`` (the ControllerRevision its template came from);
* for each ``volumeClaimTemplates`` entry ``www``, a PersistentVolumeClaim ``www-web-1`` created
  *before* the pod, and a volume ``www`` in the pod pointing at that claim. Claims outlive
  their pods: a recreated ``web-1`` mounts the same ``www-web-1``.

One ``sync(key)`` (``UpdateStatefulSet``):

1. claim the pods (by selector *and* by name ``<set>-<ordinal>``), find the current and the
   update revision (:mod:`.history`: a ControllerRevision per distinct template);
2. sort the pods into *replicas* (ordinals in range, missing ones to be created) and
   *condemned* (ordinals past the end);
3. walk the replicas from the lowest ordinal: a Failed pod is deleted and recreated
   (``RecreatingFailedPod``), a missing pod is created — with ``podManagementPolicy:
   OrderedReady`` the walk stops after each creation and at every pod that is not yet Running,
   Ready and available (``minReadySeconds``), so ``web-1`` is created only once ``web-0`` is
   Ready; ``Parallel`` creates them all at once;
4. delete condemned pods from the highest ordinal, one at a time when OrderedReady;
5. ``RollingUpdate``: delete the highest-ordinal pod whose revision is not the update revision,
   down to ``partition``, one at a time and only once the pods above are healthy; it is
   recreated at the new revision by a later sync. ``OnDelete`` replaces nothing: a pod picks up
   the new template when someone deletes it;
6. write status: ``replicas``, ``readyReplicas``, ``currentReplicas``, ``updatedReplicas``,
   ``availableReplicas``, ``currentRevision``, ``updateRevision``, ``collisionCount``,
   ``observedGeneration``; a finished rolling update makes the update revision current.

Events (source ``statefulset-controller``): ``SuccessfulCreate`` "create Claim www-web-0 Pod
web-0 in StatefulSet web success" and "create Pod web-0 in StatefulSet web successful",
``SuccessfulDelete`` "delete Pod web-2 in StatefulSet web successful", ``FailedCreate`` "create
Pod web-0 in StatefulSet web failed error: <error>", ``RecreatingFailedPod`` "StatefulSet
default/web is recreating failed Pod web-0".

``persistentVolumeClaimRetentionPolicy`` is written as owner references on the claims
(:mod:`.statefulset_claims`); the garbage collector does the deleting. Not modelled:
``maxUnavailable`` (its feature gate is off in 1.32).

Cost: the handlers look at a pod's controller reference and return; with no StatefulSet there is
nothing to sync.
"""

from __future__ import annotations

from typing import Optional

from labkube.core.api.labels import SelectorError, selector_from_label_selector
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.controllers.owner import (
    CONTROLLER_UID_INDEX, ORPHAN_PREFIX, ControllerRefManager, controller_ref, controller_uid_index,
    namespace_index, recheck_deletion_timestamp,
)
from labkube.core.controllers.pods import is_pod_ready
from labkube.core.controllers import statefulset_claims as claim_owners
from labkube.core.controllers import statefulset_revisions as revisions
from labkube.core.controllers.statefulset_pods import (
    API_VERSION, KIND, count_replicas, identity_matches, is_created, is_healthy, is_member_of,
    is_running_and_available, is_running_and_ready, is_terminating, merged_status, new_pod, ordinal_of,
    persistent_volume_claims, phase, replicas_of, revision_of, start_ordinal, status_changed,
    update_identity,
)
from labkube.core.errors import StatusError
from labkube.core.machinery import NORMAL, WARNING, object_key
from labkube.core.serialization import copy as json_copy

NAMESPACE_INDEX = "namespace"

#: ``retry.DefaultBackoff``: an update that conflicts is tried this many times.
UPDATE_RETRIES = 5


class _PodRefManager(ControllerRefManager):
    """``ClaimPods`` with ``isMemberOf`` as the filter: a pod must also be named ``<set>-<n>``."""

    def _matches(self, obj: dict) -> bool:
        return super()._matches(obj) and is_member_of(self.controller, obj)


@register
class StatefulSetController(KubeController):
    """Creates, replaces and deletes a StatefulSet's pods by ordinal, with their claims."""

    name = "statefulset-controller"

    def setup(self) -> None:
        self.set_informer = self.ctx.informers.informer("statefulsets")
        self.pod_informer = self.ctx.informers.informer("pods")
        self.claim_informer = self.ctx.informers.informer("persistentvolumeclaims")
        self.history = revisions.RevisionHistory(self.client, self.ctx.informers.informer("controllerrevisions"))
        self.set_informer.add_indexer(NAMESPACE_INDEX, namespace_index)
        self.pod_informer.add_indexer(CONTROLLER_UID_INDEX, controller_uid_index)
        self.set_informer.add_event_handler(self._enqueue_set, self._update_set, self._enqueue_set)
        self.pod_informer.add_event_handler(self._add_pod, self._update_pod, self._delete_pod)

    # -- event handlers: compute keys, enqueue ---------------------------------------------------
    def _enqueue_set(self, sts: dict) -> None:
        self.enqueue(object_key(sts))

    def _update_set(self, old: dict, cur: dict) -> None:
        self._enqueue_set(cur)

    def _resolve(self, pod: dict) -> Optional[dict]:
        """``resolveControllerRef``: the StatefulSet controlling ``pod``, if it exists."""
        ref = controller_ref(pod)
        if ref is None or ref.get("kind") != KIND:
            return None
        sts = self.set_informer.get_by_name(pod["metadata"].get("namespace"), ref.get("name", ""))
        if sts is None or sts["metadata"].get("uid") != ref.get("uid"):
            return None
        return sts

    def _sets_selecting(self, pod: dict) -> list[dict]:
        """``getStatefulSetsForPod``: the sets whose selector matches an orphan pod."""
        labels = pod["metadata"].get("labels")
        if not labels:
            return []
        found = []
        for sts in self.set_informer.by_index(NAMESPACE_INDEX, pod["metadata"].get("namespace", "")):
            try:
                selector = selector_from_label_selector(sts["spec"].get("selector"))
            except SelectorError:
                continue
            if not selector.empty() and selector.matches(labels):
                found.append(sts)
        return found

    def _add_pod(self, pod: dict) -> None:
        if pod["metadata"].get("deletionTimestamp"):
            self._delete_pod(pod)
            return
        if controller_ref(pod) is not None:
            sts = self._resolve(pod)
            if sts is not None:
                self.enqueue(object_key(sts))
            return
        if len(self.set_informer):
            for sts in self._sets_selecting(pod):
                self.enqueue(object_key(sts))

    def _update_pod(self, old: dict, cur: dict) -> None:
        """``updatePod``: the old and new controllers, and the orphan's candidates when its
        labels or controller changed. A pod that just became Ready brings its set back after
        ``minReadySeconds`` (+1 s against clock skew) to count it available."""
        if cur["metadata"].get("resourceVersion") == old["metadata"].get("resourceVersion"):
            return
        cur_ref, old_ref = controller_ref(cur), controller_ref(old)
        ref_changed = cur_ref != old_ref
        if ref_changed and old_ref is not None:
            sts = self._resolve(old)
            if sts is not None:
                self.enqueue(object_key(sts))
        if cur_ref is not None:
            sts = self._resolve(cur)
            if sts is None:
                return
            self.enqueue(object_key(sts))
            min_ready = sts["spec"].get("minReadySeconds", 0)
            if min_ready > 0 and not is_pod_ready(old) and is_pod_ready(cur):
                self.queue.add_after(object_key(sts), min_ready + 1)
            return
        labels_changed = cur["metadata"].get("labels") != old["metadata"].get("labels")
        if (labels_changed or ref_changed) and len(self.set_informer):
            for sts in self._sets_selecting(cur):
                self.enqueue(object_key(sts))

    def _delete_pod(self, pod: dict) -> None:
        sts = self._resolve(pod)
        if sts is not None:
            self.enqueue(object_key(sts))

    # -- the reconcile loop ----------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """``sync`` + ``syncStatefulSet``."""
        sts = self.set_informer.get(key)
        if sts is None:
            return
        try:
            selector = selector_from_label_selector(sts["spec"].get("selector"))
        except SelectorError as err:
            self.report(f"error converting StatefulSet {key} selector", err)
            return
        owned_revisions = self.history.claim(sts, selector)
        pods = self._claim_pods(sts, selector)
        status = self._update_stateful_set(sts, pods, owned_revisions)
        min_ready = sts["spec"].get("minReadySeconds", 0)
        if min_ready > 0 and status.get("availableReplicas", 0) != replicas_of(sts):
            self.queue.add_after(key, min_ready)

    def report(self, where: str, err: BaseException) -> None:
        if self._report is not None:
            self._report(f"{self.name} {where}", err)

    def _claim_pods(self, sts: dict, selector) -> list[dict]:
        """``getPodsForStatefulSet``: ours and the namespace's orphans, by selector and name."""
        meta = sts["metadata"]
        mine = self.pod_informer.by_index(CONTROLLER_UID_INDEX, meta["uid"])
        orphans = self.pod_informer.by_index(CONTROLLER_UID_INDEX, ORPHAN_PREFIX + meta["namespace"])
        candidates = sorted(mine + orphans, key=lambda p: p["metadata"]["name"])

        def fresh() -> dict:
            current = self.client.get("statefulsets", meta["name"], meta["namespace"])
            if current["metadata"].get("uid") != meta["uid"]:
                raise StatusError(409, "Conflict", f"original StatefulSet {meta['namespace']}/{meta['name']} "
                                  f"is gone: got uid {current['metadata'].get('uid')}, wanted {meta['uid']}")
            return current

        manager = _PodRefManager(self.client, "pods", "Pod", sts, selector, API_VERSION, KIND,
                                 recheck_deletion_timestamp(fresh))
        claimed, errors = manager.claim(candidates)
        if errors:
            raise errors[0]
        return claimed

    def _update_stateful_set(self, sts: dict, pods: list[dict], owned_revisions: list[dict]) -> dict:
        """``UpdateStatefulSet``: revisions, pods, status, then the history's tail."""
        current, update, collision_count = self.history.current_and_update(sts, owned_revisions)
        status = {"observedGeneration": sts["metadata"].get("generation", 0),
                  "currentRevision": current["metadata"]["name"],
                  "updateRevision": update["metadata"]["name"], "collisionCount": collision_count}
        sets = {current["metadata"]["name"]: revisions.apply_revision(sts, current),
                update["metadata"]["name"]: revisions.apply_revision(sts, update)}
        step = _Step(self, sts, sets, current["metadata"]["name"], update["metadata"]["name"], pods)
        try:
            step.run()
        finally:
            step.count_into(status)
            status = self._write_status(sts, status)
            self.history.truncate(sts, owned_revisions, pods, current, update)
        return status

    def _write_status(self, sts: dict, status: dict) -> dict:
        """``updateStatefulSetStatus``: complete a finished rolling update, write if it changed."""
        strategy = sts["spec"].get("updateStrategy") or {}
        if strategy.get("type") == "RollingUpdate" and status["updatedReplicas"] == status["replicas"] \
                and status["readyReplicas"] == status["replicas"]:
            status["currentReplicas"] = status["updatedReplicas"]
            status["currentRevision"] = status["updateRevision"]
        if not status_changed(sts, status):
            return status
        updated = dict(sts)
        updated["status"] = merged_status(sts.get("status"), status)
        try:
            self.client.update(updated, subresource="status")
        except StatusError as err:
            if err.code != 409:
                raise
            latest = self.client.get("statefulsets", sts["metadata"]["name"], sts["metadata"]["namespace"])
            latest["status"] = merged_status(latest.get("status"), status)
            self.client.update(latest, subresource="status")
        return status

    # -- what the controller does to pods and claims (StatefulPodControl) ------------------------
    def create_pod(self, sts: dict, pod: dict) -> None:
        """``CreateStatefulPod``: the pod's claims first, then the pod."""
        try:
            self.create_missing_claims(sts, pod)
        except StatusError as err:
            self._pod_event("create", sts, pod, err)
            raise
        try:
            self.client.create(pod, sts["metadata"]["namespace"])  # still read: not handed over
        except StatusError as err:
            if err.code == 409 and err.reason == "AlreadyExists":
                raise
            self._pod_event("create", sts, pod, err)
            raise
        try:
            self.update_claim_owners(sts, pod)  # the retention policy, as far as it applies yet
        except StatusError as err:
            self._pod_event("update", sts, pod, err)
            raise
        self._pod_event("create", sts, pod, None)

    def create_missing_claims(self, sts: dict, pod: dict) -> None:
        """``createPersistentVolumeClaims``: create each claim the cache does not know."""
        first_error = None
        for claim in persistent_volume_claims(sts, ordinal_of(pod)):
            meta = claim["metadata"]
            existing = self.claim_informer.get_by_name(meta["namespace"], meta["name"])
            if existing is not None:
                if existing["metadata"].get("deletionTimestamp") and first_error is None:
                    first_error = StatusError(409, "Conflict", f"pvc {meta['name']} is being deleted")
                continue
            try:
                self.client.create(claim, meta["namespace"])
            except StatusError as err:
                if err.code == 409 and err.reason == "AlreadyExists":
                    continue
                self._claim_event(sts, pod, claim, err)
                first_error = first_error or StatusError(
                    err.code, err.reason, f"failed to create PVC {meta['name']}: {err.message}")
                continue
            self._claim_event(sts, pod, claim, None)
        if first_error is not None:
            raise first_error

    def delete_pod(self, sts: dict, pod: dict) -> None:
        """``DeleteStatefulPod``."""
        try:
            self.client.delete("pods", pod["metadata"]["name"], pod["metadata"]["namespace"])
        except StatusError as err:
            self._pod_event("delete", sts, pod, err)
            raise
        self._pod_event("delete", sts, pod, None)

    def update_stateful_pod(self, sts: dict, pod: dict) -> None:
        """``UpdateStatefulPod``: put back identity labels someone changed (or an adopted pod
        lacks), create missing claims, give the claims the owners the retention policy asks
        for, and write the pod; on a conflict read the pod again and retry."""
        err: Optional[StatusError] = None
        current = pod
        for _attempt in range(UPDATE_RETRIES):
            fixed = json_copy(current)
            update_identity(sts, fixed)
            try:
                self.create_missing_claims(sts, fixed)
                if not self.claims_match(sts, fixed):
                    self.update_claim_owners(sts, fixed)
                self.client.update(fixed)
                err = None
                break
            except StatusError as conflict:
                err = conflict
                if conflict.code != 409:
                    break
                current = self.client.get("pods", pod["metadata"]["name"], pod["metadata"]["namespace"])
        self._pod_event("update", sts, pod, err)
        if err is not None:
            raise err

    def _cached_claims(self, sts: dict, pod: dict) -> list[dict]:
        """The pod's claims the cache holds (a missing one is picked up by a later pass)."""
        found = []
        for claim in persistent_volume_claims(sts, ordinal_of(pod)):
            cached = self.claim_informer.get_by_name(claim["metadata"]["namespace"], claim["metadata"]["name"])
            if cached is not None:
                found.append(cached)
        return found

    def claims_match(self, sts: dict, pod: dict) -> bool:
        """``ClaimsMatchRetentionPolicy``: every claim of the pod has the owners the policy wants."""
        ordinal = ordinal_of(pod)
        return all(claim_owners.owners_up_to_date(claim, sts, pod, ordinal)
                   for claim in self._cached_claims(sts, pod))

    def update_claim_owners(self, sts: dict, pod: dict) -> None:
        """``UpdatePodClaimForRetentionPolicy``: rewrite the owner references of claims that differ."""
        ordinal = ordinal_of(pod)
        for claim in self._cached_claims(sts, pod):
            if claim_owners.owners_up_to_date(claim, sts, pod, ordinal):
                continue
            updated = json_copy(claim)
            updated["metadata"]["ownerReferences"] = claim_owners.with_policy_owners(claim, sts, pod, ordinal)
            if not updated["metadata"]["ownerReferences"]:
                del updated["metadata"]["ownerReferences"]
            try:
                self.client.update(updated)
            except StatusError as err:
                raise StatusError(err.code, err.reason, f"could not update claim {claim['metadata']['name']} "
                                  f"for delete policy ownerRefs: {err.message}") from err

    def _pod_event(self, verb: str, sts: dict, pod: dict, err: Optional[StatusError]) -> None:
        """``recordPodEvent``."""
        names = f"Pod {pod['metadata']['name']} in StatefulSet {sts['metadata']['name']}"
        if err is None:
            self.recorder.event(sts, NORMAL, f"Successful{verb.title()}", f"{verb} {names} successful")
        else:
            self.recorder.event(sts, WARNING, f"Failed{verb.title()}", f"{verb} {names} failed error: {err.message}")

    def _claim_event(self, sts: dict, pod: dict, claim: dict, err: Optional[StatusError]) -> None:
        """``recordClaimEvent``."""
        claim_name_ = claim["metadata"]["name"]
        if err is None:
            self.recorder.event(sts, NORMAL, "SuccessfulCreate",
                                f"create Claim {claim_name_} Pod {pod['metadata']['name']} in StatefulSet "
                                f"{sts['metadata']['name']} success")
        else:
            self.recorder.event(sts, WARNING, "FailedCreate",
                                f"create Claim {claim_name_} for Pod {pod['metadata']['name']} in StatefulSet "
                                f"{sts['metadata']['name']} failed error: {err.message}")


class _Step:
    """One pass of ``updateStatefulSet`` over a set's pods (the body of ``UpdateStatefulSet``)."""

    def __init__(self, ctl: StatefulSetController, sts: dict, sets: dict, current: str, update: str,
                 pods: list[dict]) -> None:
        self.ctl, self.sts = ctl, sts
        self.sets, self.current, self.update = sets, current, update
        self.now = ctl.clock.now()
        self.min_ready = sts["spec"].get("minReadySeconds", 0)
        self.monotonic = sts["spec"].get("podManagementPolicy", "OrderedReady") != "Parallel"
        start, count = start_ordinal(sts), replicas_of(sts)
        self.replicas: list[Optional[dict]] = [None] * count
        self.condemned: list[dict] = []
        for pod in pods:
            ordinal = ordinal_of(pod)
            if start <= ordinal < start + count:
                self.replicas[ordinal - start] = pod
            elif ordinal >= 0:
                self.condemned.append(pod)
        for i in range(count):
            if self.replicas[i] is None:
                self.replicas[i] = self._versioned_pod(start + i)
        self.condemned.sort(key=ordinal_of, reverse=True)
        unhealthy = [p for p in self.replicas + self.condemned[::-1] if not is_healthy(p)]
        self.first_unhealthy = unhealthy[0] if unhealthy else None

    def _versioned_pod(self, ordinal: int) -> dict:
        """``newVersionedStatefulSetPod``: below the partition a new pod is made at the current
        revision, above it at the update revision."""
        current_set = self.sets[self.current]
        strategy = current_set["spec"].get("updateStrategy") or {}
        rolling = strategy.get("rollingUpdate")
        start = start_ordinal(current_set)
        if strategy.get("type") == "RollingUpdate" and (
                (rolling is None and ordinal < start + (self.sts.get("status") or {}).get("currentReplicas", 0))
                or (rolling is not None and ordinal < start + rolling.get("partition", 0))):
            return new_pod(current_set, ordinal, self.current)
        return new_pod(self.sets[self.update], ordinal, self.update)

    def run(self) -> None:
        """Replicas from the lowest ordinal, then condemned pods from the highest, then the update."""
        if self.sts["metadata"].get("deletionTimestamp"):
            return
        if self._for_all(self.replicas, self._process_replica):
            return
        if self._for_all(self.condemned, self._fix_condemned_claims):
            return
        if self._for_all(self.condemned, self._process_condemned):
            return
        if (self.sts["spec"].get("updateStrategy") or {}).get("type") == "OnDelete":
            return
        self._rolling_update()

    def _for_all(self, pods: list, fn) -> bool:
        """``runForAll``: True when this pass must end here.

        OrderedReady goes one pod at a time and stops at the first that blocks or fails.
        Parallel runs ``fn`` for every pod in slow-start batches of 1, 2, 4, ... (``slowStartBatch``):
        a batch with an error is the last, and the error is raised."""
        if self.monotonic:
            return any(fn(i) for i in range(len(pods)))
        start, batch = 0, 1
        while start < len(pods):
            errors = []
            for i in range(start, min(start + batch, len(pods))):
                try:
                    fn(i)
                except StatusError as err:
                    errors.append(err)
            if errors:
                raise errors[0]
            start, batch = start + batch, batch * 2
        return False

    def _process_replica(self, i: int) -> bool:
        """``processReplica``: recreate a finished pod, create a missing one, wait for readiness."""
        pod = self.replicas[i]
        if phase(pod) in ("Failed", "Succeeded"):
            self._recreate(i, pod)
            pod = self.replicas[i]
        if not is_created(pod):
            self.ctl.create_pod(self.sts, pod)
            return self.monotonic  # OrderedReady: one creation per pass
        if phase(pod) == "Pending":
            self.ctl.create_missing_claims(self.sts, pod)
        if self.monotonic and (is_terminating(pod) or not is_running_and_ready(pod)
                               or not is_running_and_available(pod, self.min_ready, self.now)):
            return True  # OrderedReady: the next pod waits for this one
        update_set = self.sets[self.update]
        if identity_matches(self.sts, pod) and self.ctl.claims_match(update_set, pod):
            return False
        self.ctl.update_stateful_pod(update_set, pod)
        return False

    def _recreate(self, i: int, pod: dict) -> None:
        meta = self.sts["metadata"]
        if phase(pod) == "Failed":
            self.ctl.recorder.event(self.sts, WARNING, "RecreatingFailedPod",
                                    f"StatefulSet {meta['namespace']}/{meta['name']} is recreating failed Pod "
                                    f"{pod['metadata']['name']}")
        else:
            self.ctl.recorder.event(self.sts, NORMAL, "RecreatingTerminatedPod",
                                    f"StatefulSet {meta['namespace']}/{meta['name']} is recreating terminated Pod "
                                    f"{pod['metadata']['name']}")
        self.ctl.delete_pod(self.sts, pod)
        self.replicas[i] = self._versioned_pod(ordinal_of(pod))

    def _fix_condemned_claims(self, i: int) -> bool:
        """A pod about to be scaled away: its claims get the owners ``whenScaled`` asks for."""
        update_set = self.sets[self.update]
        if not self.ctl.claims_match(update_set, self.condemned[i]):
            self.ctl.update_claim_owners(update_set, self.condemned[i])
        return False

    def _process_condemned(self, i: int) -> bool:
        """``processCondemned``: delete from the highest ordinal; OrderedReady waits for a
        terminating pod and deletes an unready one only if it is the first unhealthy pod."""
        pod = self.condemned[i]
        if is_terminating(pod):
            return True
        if self.monotonic and pod is not self.first_unhealthy and (
                not is_running_and_ready(pod) or not is_running_and_available(pod, self.min_ready, self.now)):
            return True
        self.ctl.delete_pod(self.sts, pod)  # counted as it was until the next pass, as in Kubernetes
        return True

    def _rolling_update(self) -> None:
        """Delete the highest-ordinal pod not at the update revision, down to the partition,
        one at a time, after the pods above it are healthy."""
        rolling = (self.sts["spec"].get("updateStrategy") or {}).get("rollingUpdate")
        update_min = (rolling or {}).get("partition", 0)
        for target in range(len(self.replicas) - 1, update_min - 1, -1):
            pod = self.replicas[target]
            if revision_of(pod) != self.update and not is_terminating(pod):
                self.ctl.delete_pod(self.sts, pod)
                self.replicas[target] = _terminating(pod, self.now)
                return
            if not is_healthy(pod):
                return

    def count_into(self, status: dict) -> None:
        """``updateStatus``: count the replicas and the condemned as they are after this pass."""
        status.update(count_replicas(self.replicas + self.condemned, self.min_ready, self.now,
                                     self.current, self.update))


def _terminating(pod: dict, now: float) -> dict:
    """The pod as it is once deleted (still there, terminating): counted as such this pass."""
    copy = dict(pod)
    copy["metadata"] = {**pod["metadata"], "deletionTimestamp": str(now)}
    return copy
