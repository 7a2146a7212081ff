"""The ReplicaSet controller: keep ``spec.replicas`` pods alive.

Mirrors pkg/controller/replicaset/replica_set.go and replica_set_utils.go (Kubernetes 1.32).
One ``sync(key)`` of a ReplicaSet:

1. read the ReplicaSet from the informer cache (gone: forget its expectations, done);
2. take the *active* pods (not Succeeded/Failed, not being deleted) it could own, and **claim**
   them by selector (:mod:`.owner`): adopt matching orphans, release pods that stopped matching;
3. if its expectations are satisfied (:mod:`.expectations`), **manage replicas**:
   too few → create pods from the template with ``generateName: <rs-name>-`` (the API server
   picks the 5-character suffix), in *slow-start* batches of 1, 2, 4, 8, … (a batch that fails
   stops the rest, so a quota error costs one request, not 500); at most 500 per sync
   (``burstReplicas``);
   too many → delete the least valuable pods first (:func:`.pods.pods_to_delete`);
4. always write status: ``replicas``, ``fullyLabeledReplicas``, ``readyReplicas``,
   ``availableReplicas`` (ready for more than ``minReadySeconds``), ``observedGeneration``, and
   a ``ReplicaFailure`` condition while creating or deleting fails.

Events (on the ReplicaSet, source ``replicaset-controller``): ``SuccessfulCreate`` "Created
pod: web-7d4b9c8f5-x2x7q", ``SuccessfulDelete`` "Deleted pod: …", ``FailedCreate`` "Error
creating: <error>", ``FailedDelete`` "Error deleting: <error>".

The same code keeps ReplicationControllers (kube-controller-manager's ReplicationManager is this
controller over RCs converted to ReplicaSets): what differs is a few class attributes — the kind,
its API version and resource — and :meth:`ReplicaSetController.selector_of`, the one place a
selector is read (:mod:`.replication`).
"""

from __future__ import annotations

from typing import Callable, Optional

from labkube.core.api.labels import Selector, SelectorError, selector_from_label_selector
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.expectations import Expectations
from labkube.core.controllers.manager import register
from labkube.core.controllers.owner import (
    CONTROLLER_UID_INDEX, ORPHAN_PREFIX, ControllerRefManager, controller_ref, controller_uid_index,
    namespace_index, new_controller_ref, recheck_deletion_timestamp,
)
from labkube.core.controllers.pods import (
    is_pod_active, is_pod_ready, is_ready_condition_available, pods_to_delete, ready_condition,
)
from labkube.core.errors import StatusError
from labkube.core.machinery import NORMAL, WARNING, object_key
from labkube.core.serialization import copy as json_copy

KIND = "ReplicaSet"
API_VERSION = "apps/v1"
NAMESPACE_INDEX = "namespace"

#: ``BurstReplicas``: at most this many creations or deletions per sync.
BURST_REPLICAS = 500
#: ``SlowStartInitialBatchSize``.
SLOW_START_INITIAL_BATCH_SIZE = 1
#: ``statusUpdateRetries``.
STATUS_UPDATE_RETRIES = 1

NAMESPACE_TERMINATING_CAUSE = "NamespaceTerminating"


def replicas_of(obj: dict) -> int:
    """``*spec.replicas`` (the API server defaults it to 1)."""
    return obj.get("spec", {}).get("replicas", 1)


def slow_start_batch(count: int, initial_batch_size: int, fn: Callable[[], None]) -> tuple[int, Optional[Exception]]:
    """``slowStartBatch``: call ``fn`` ``count`` times in batches 1, 2, 4, …; stop after a failing batch.

    Every call of a batch is made (Kubernetes runs a batch in parallel); returns the number of
    successes and the first error of the first failing batch.
    """
    remaining, successes = count, 0
    batch = min(remaining, initial_batch_size)
    while batch > 0:
        errors: list[Exception] = []
        for _ in range(batch):
            try:
                fn()
            except (StatusError, ValueError) as err:
                errors.append(err)
        successes += batch - len(errors)
        if errors:
            return successes, errors[0]
        remaining -= batch
        batch = min(2 * batch, remaining)
    return successes, None


def pods_prefix(controller_name: str) -> str:
    """``getPodsPrefix``: ``<name>-`` unless that would be too long for a pod name."""
    prefix = controller_name + "-"
    return prefix if len(prefix) <= 253 else controller_name


def pod_from_template(template: dict, owner: dict, ref: Optional[dict]) -> dict:
    """``GetPodFromTemplate``: labels, annotations and finalizers of the template, its spec.

    The spec is copied as JSON (a template is plain JSON data), far cheaper than
    ``copy.deepcopy`` for the one copy every created pod needs.
    """
    meta = template.get("metadata") or {}
    pod_meta: dict = {}
    if meta.get("labels"):
        pod_meta["labels"] = dict(meta["labels"])
    if meta.get("annotations"):
        pod_meta["annotations"] = dict(meta["annotations"])
    pod_meta["generateName"] = pods_prefix(owner["metadata"]["name"])
    if meta.get("finalizers"):
        pod_meta["finalizers"] = list(meta["finalizers"])
    if ref is not None:
        pod_meta["ownerReferences"] = [ref]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta,
            "spec": json_copy(template.get("spec") or {})}


def has_status_cause(err: Exception, cause: str) -> bool:
    return isinstance(err, StatusError) and any(c.get("type") == cause for c in err.causes)


def error_text(err: BaseException) -> str:
    return err.message if isinstance(err, StatusError) else str(err)


def replica_set_condition(cond_type: str, status: str, reason: str, message: str, now: str) -> dict:
    """``NewReplicaSetCondition`` (ReplicaSet conditions have no lastUpdateTime)."""
    return {"type": cond_type, "status": status, "lastTransitionTime": now, "reason": reason,
            "message": message}


@register
class ReplicaSetController(KubeController):
    """Creates and deletes pods so that each ReplicaSet has ``spec.replicas`` of them."""

    name = "replicaset-controller"
    #: What this controller keeps replicated: its kind, API version and resource.
    kind = KIND
    api_version = API_VERSION
    resource = "replicasets"

    @staticmethod
    def selector_of(rs: dict) -> Selector:
        """The pods ``rs`` selects (``LabelSelectorAsSelector``); raises SelectorError."""
        return selector_from_label_selector(rs["spec"].get("selector"))

    def setup(self) -> None:
        self.expectations = Expectations(self.clock)
        self.rs_informer = self.ctx.informers.informer(self.resource)
        self.pod_informer = self.ctx.informers.informer("pods")
        self.rs_informer.add_indexer(NAMESPACE_INDEX, namespace_index)
        self.rs_informer.add_indexer(CONTROLLER_UID_INDEX, controller_uid_index)
        self.pod_informer.add_indexer(CONTROLLER_UID_INDEX, controller_uid_index)
        self.pod_informer.add_indexer(NAMESPACE_INDEX, namespace_index)
        self.rs_informer.add_event_handler(self._add_rs, self._update_rs, self._delete_rs)
        self.pod_informer.add_event_handler(self._add_pod, self._update_pod, self._delete_pod)

    # -- event handlers: compute keys, enqueue ---------------------------------------------
    def _add_rs(self, rs: dict) -> None:
        self.enqueue(object_key(rs))

    def _update_rs(self, old: dict, cur: dict) -> None:
        if old["metadata"].get("uid") != cur["metadata"].get("uid"):
            self._delete_rs(old)
        self.enqueue(object_key(cur))

    def _delete_rs(self, rs: dict) -> None:
        key = object_key(rs)
        self.expectations.delete(key)
        self.enqueue(key)

    def _resolve(self, namespace: str, ref: dict) -> Optional[dict]:
        """``resolveControllerRef``: the ReplicaSet a controller reference points to, if it exists."""
        if ref.get("kind") != self.kind:
            return None
        rs = self.rs_informer.get_by_name(namespace, ref.get("name", ""))
        if rs is None or rs["metadata"].get("uid") != ref.get("uid"):
            return None
        return rs

    def _pod_replica_sets(self, pod: dict) -> list[dict]:
        """``GetPodReplicaSets``: ReplicaSets whose (non-empty) selector matches an orphan pod."""
        labels = pod["metadata"].get("labels")
        if not labels:
            return []
        found = []
        for rs in self.rs_informer.by_index(NAMESPACE_INDEX, pod["metadata"].get("namespace", "")):
            try:
                selector = self.selector_of(rs)
            except SelectorError:
                continue
            if not selector.empty() and selector.matches(labels):
                found.append(rs)
        return found

    def _add_pod(self, pod: dict) -> None:
        if not len(self.rs_informer):  # nothing of our kind: no pod concerns us
            return
        if pod["metadata"].get("deletionTimestamp"):
            self._delete_pod(pod)
            return
        ref = controller_ref(pod)
        if ref is not None:
            rs = self._resolve(pod["metadata"].get("namespace", ""), ref)
            if rs is not None:
                key = object_key(rs)
                self.expectations.creation_observed(key)
                self.enqueue(key)
            return
        for rs in self._pod_replica_sets(pod):
            self.enqueue(object_key(rs))

    def _update_pod(self, old: dict, cur: dict) -> None:
        if not len(self.rs_informer):
            return
        if cur["metadata"].get("resourceVersion") == old["metadata"].get("resourceVersion"):
            return
        label_changed = cur["metadata"].get("labels") != old["metadata"].get("labels")
        if cur["metadata"].get("deletionTimestamp"):
            self._delete_pod(cur)
            if label_changed:
                self._delete_pod(old)
            return
        namespace = cur["metadata"].get("namespace", "")
        cur_ref, old_ref = controller_ref(cur), controller_ref(old)
        ref_changed = cur_ref != old_ref
        if ref_changed and old_ref is not None:
            rs = self._resolve(namespace, old_ref)
            if rs is not None:
                self.enqueue(object_key(rs))
        if cur_ref is not None:
            rs = self._resolve(namespace, cur_ref)
            if rs is None:
                return
            self.enqueue(object_key(rs))
            min_ready = rs["spec"].get("minReadySeconds", 0)
            if min_ready > 0 and not is_pod_ready(old) and is_pod_ready(cur):
                # One extra second against clock skew, as Kubernetes does.
                self.queue.add_after(object_key(rs), min_ready + 1)
            return
        if label_changed or ref_changed:
            for rs in self._pod_replica_sets(cur):
                self.enqueue(object_key(rs))

    def _delete_pod(self, pod: dict) -> None:
        ref = controller_ref(pod)
        if ref is None:
            return
        rs = self._resolve(pod["metadata"].get("namespace", ""), ref)
        if rs is None:
            return
        key = object_key(rs)
        self.expectations.deletion_observed(key, object_key(pod))
        self.enqueue(key)

    # -- the reconcile loop ---------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """``syncReplicaSet``."""
        rs = self.rs_informer.get(key)
        if rs is None:
            self.expectations.delete(key)
            return
        needs_sync = self.expectations.satisfied(key)
        try:
            selector = self.selector_of(rs)
        except SelectorError as err:
            self.report(f"error converting pod selector to selector for rs {key}", err)
            return
        pods = [p for p in self._candidate_pods(rs) if is_pod_active(p)]
        pods = self._claim_pods(rs, selector, pods)
        manage_error = None
        if needs_sync and not rs["metadata"].get("deletionTimestamp"):
            manage_error = self._manage_replicas(pods, rs)
        status = calculate_status(rs, pods, manage_error, self.clock)
        updated = self._update_status(rs, status)
        if manage_error is not None:
            raise manage_error
        self._requeue_for_availability(key, updated)

    def report(self, where: str, err: BaseException) -> None:
        if self._report is not None:
            self._report(f"{self.name} {where}", err)

    def _candidate_pods(self, rs: dict) -> list[dict]:
        """The pods ``ClaimPods`` could keep: ours and the namespace's orphans (others' are ignored)."""
        mine = self.pod_informer.by_index(CONTROLLER_UID_INDEX, rs["metadata"]["uid"])
        orphans = self.pod_informer.by_index(CONTROLLER_UID_INDEX, ORPHAN_PREFIX + rs["metadata"]["namespace"])
        return sorted(mine + orphans, key=lambda p: p["metadata"]["name"])

    def _claim_pods(self, rs: dict, selector, pods: list[dict]) -> list[dict]:
        meta = rs["metadata"]

        def fresh() -> dict:
            current = self.client.get(self.resource, meta["name"], meta["namespace"])
            if current["metadata"].get("uid") != meta["uid"]:
                raise StatusError(409, "Conflict", f"original {self.kind} {meta['namespace']}/{meta['name']} "
                                  f"is gone: got uid {current['metadata'].get('uid')}, wanted {meta['uid']}")
            return current

        manager = ControllerRefManager(self.client, "pods", "Pod", rs, selector, self.api_version, self.kind,
                                       recheck_deletion_timestamp(fresh))
        claimed, errors = manager.claim(pods)
        if errors:
            raise errors[0]
        return claimed

    def _manage_replicas(self, pods: list[dict], rs: dict) -> Optional[Exception]:
        """``manageReplicas``: create or delete pods; returns the error to report, if any."""
        diff = len(pods) - replicas_of(rs)
        if diff < 0:
            return self._create_pods(rs, min(-diff, BURST_REPLICAS))
        if diff > 0:
            return self._delete_pods(rs, pods, min(diff, BURST_REPLICAS))
        return None

    def _create_pods(self, rs: dict, count: int) -> Optional[Exception]:
        key = object_key(rs)
        self.expectations.expect_creations(key, count)
        successes, err = slow_start_batch(count, SLOW_START_INITIAL_BATCH_SIZE, lambda: self._create_pod(rs))
        for _ in range(count - successes):
            self.expectations.creation_observed(key)  # never attempted or failed: not to be seen
        return err

    def _create_pod(self, rs: dict) -> None:
        """``RealPodControl.CreatePods`` for one pod, with its event."""
        pod = pod_from_template(rs["spec"]["template"], rs, new_controller_ref(rs, self.api_version, self.kind))
        if not pod["metadata"].get("labels"):
            raise ValueError("unable to create pods, no labels")
        try:
            created = self.client.create(pod, rs["metadata"]["namespace"], hand_over=True)  # a fresh pod
        except StatusError as err:
            if has_status_cause(err, NAMESPACE_TERMINATING_CAUSE):
                return
            self.recorder.event(rs, WARNING, "FailedCreate", f"Error creating: {err.message}")
            raise
        self.recorder.event(rs, NORMAL, "SuccessfulCreate", f"Created pod: {created['metadata']['name']}")

    def _delete_pods(self, rs: dict, pods: list[dict], count: int) -> Optional[Exception]:
        key = object_key(rs)
        victims = pods_to_delete(pods, self._indirectly_related_pods(rs), count, self.clock.now())
        self.expectations.expect_deletions(key, [object_key(p) for p in victims])
        first_error = None
        for pod in victims:
            name = pod["metadata"]["name"]
            try:
                self.client.delete("pods", name, rs["metadata"]["namespace"])
            except StatusError as err:
                self.expectations.deletion_observed(key, object_key(pod))
                if err.code != 404:
                    self.recorder.event(rs, WARNING, "FailedDelete", f"Error deleting: {err.message}")
                    first_error = first_error or StatusError(err.code, err.reason,
                                                             f"unable to delete pods: {err.message}")
                continue
            self.recorder.event(rs, NORMAL, "SuccessfulDelete", f"Deleted pod: {name}")
        return first_error

    def _indirectly_related_pods(self, rs: dict) -> list[dict]:
        """``getIndirectlyRelatedPods``: pods of every ReplicaSet with the same controller."""
        ref = controller_ref(rs)
        if ref is None:
            return []
        related, seen = [], set()
        for other in self.rs_informer.by_index(CONTROLLER_UID_INDEX, ref["uid"]):
            try:
                selector = self.selector_of(other)
            except SelectorError:
                continue
            for pod in self.pod_informer.by_index(NAMESPACE_INDEX, other["metadata"]["namespace"]):
                uid = pod["metadata"].get("uid")
                if uid not in seen and selector.matches(pod["metadata"].get("labels") or {}):
                    seen.add(uid)
                    related.append(pod)
        return related

    def _update_status(self, rs: dict, status: dict) -> dict:
        """``updateReplicaSetStatus``: write status unless nothing changed; one retry on conflict."""
        old = rs.get("status") or {}
        generation = rs["metadata"].get("generation", 0)
        if _same_counts(old, status) and generation == old.get("observedGeneration", 0) \
                and old.get("conditions") == status.get("conditions"):
            return rs
        status = _with_observed_generation(status, generation)
        current = json_copy(rs)
        for attempt in range(STATUS_UPDATE_RETRIES + 1):
            current["status"] = status
            try:
                return self.client.update(current, subresource="status")
            except StatusError:
                if attempt >= STATUS_UPDATE_RETRIES:
                    raise
                current = self.client.get(self.resource, rs["metadata"]["name"], rs["metadata"]["namespace"])
        return current

    def _requeue_for_availability(self, key: str, rs: dict) -> None:
        """Resync after minReadySeconds, the last line of defence for availability.

        Kubernetes waits exactly minReadySeconds here; its clocks never land on the very second
        a pod became ready. The simulated clock does, and availability needs *more* than
        minReadySeconds, so labkube adds the same extra second the pod handler adds.
        """
        status = rs.get("status") or {}
        min_ready = rs["spec"].get("minReadySeconds", 0)
        wanted = replicas_of(rs)
        if min_ready > 0 and status.get("readyReplicas", 0) == wanted and status.get("availableReplicas", 0) != wanted:
            self.queue.add_after(key, min_ready + 1)


_COUNTS = ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas")


def _same_counts(old: dict, new: dict) -> bool:
    return all(old.get(name, 0) == new.get(name, 0) for name in _COUNTS)


def _with_observed_generation(status: dict, generation: int) -> dict:
    """Status in the field order of ``ReplicaSetStatus`` (zero values omitted as Go does)."""
    ordered: dict = {"replicas": status.get("replicas", 0)}
    for name in ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"):
        if status.get(name):
            ordered[name] = status[name]
    if generation:
        ordered["observedGeneration"] = generation
    if status.get("conditions"):
        ordered["conditions"] = status["conditions"]
    return ordered


def calculate_status(rs: dict, pods: list[dict], manage_error: Optional[Exception], clock) -> dict:
    """``calculateStatus``: counts from the claimed active pods, and the ReplicaFailure condition."""
    template_labels = (rs["spec"].get("template", {}).get("metadata") or {}).get("labels") or {}
    min_ready = rs["spec"].get("minReadySeconds", 0)
    now = clock.now()
    wanted_labels = template_labels.items()
    fully = ready = available = 0
    for pod in pods:
        # Every template label, with its value, is among the pod's labels.
        if wanted_labels <= (pod["metadata"].get("labels") or {}).items():
            fully += 1
        cond = ready_condition(pod)  # looked up once for both questions
        if cond is not None and cond.get("status") == "True":
            ready += 1
            if is_ready_condition_available(cond, min_ready, now):
                available += 1
    old = rs.get("status") or {}
    conditions = [dict(c) for c in old.get("conditions") or ()]
    failure = next((c for c in conditions if c.get("type") == "ReplicaFailure"), None)
    if manage_error is not None and failure is None:
        diff = len(pods) - replicas_of(rs)
        reason = "FailedCreate" if diff < 0 else "FailedDelete" if diff > 0 else ""
        conditions.append(replica_set_condition("ReplicaFailure", "True", reason, error_text(manage_error),
                                                clock.timestamp()))
    elif manage_error is None and failure is not None:
        conditions = [c for c in conditions if c.get("type") != "ReplicaFailure"]
    status = {"replicas": len(pods), "fullyLabeledReplicas": fully, "readyReplicas": ready,
              "availableReplicas": available}
    if old.get("observedGeneration"):
        status["observedGeneration"] = old["observedGeneration"]
    if conditions:
        status["conditions"] = conditions
    return status
