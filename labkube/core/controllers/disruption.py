"""The disruption controller: keep every PodDisruptionBudget's status true to its pods.

Mirrors pkg/controller/disruption/disruption.go (Kubernetes 1.32). One ``sync`` of a budget:

1. **pods**: those of its namespace its selector matches (no selector: none; ``{}``: all).
   None found: the event ``NoPods`` ``No matching pods found``.
2. **expectedPods and desiredHealthy** (``getExpectedPodCount``): an integer ``minAvailable``
   needs no controller: desiredHealthy is that number and expectedPods the number of pods.
   ``maxUnavailable`` or a percentage ``minAvailable`` need the *scale* of the pods'
   controllers, summed once per controller (``getExpectedScale``): a ReplicaSet owned by a
   Deployment counts the Deployment's ``spec.replicas``, a lone ReplicaSet or a StatefulSet
   its own, any other owner kind its ``scale`` subresource -- a Job or DaemonSet has none, so
   the sync fails with ``jobs.batch does not implement the scale subresource``. Percentages
   round up. Pods without a controller are skipped with the warning ``UnmanagedPods``.
3. **currentHealthy**: pods that are Ready, not being deleted and not in
   ``status.disruptedPods`` (pods the eviction subresource approved in the last 2 minutes,
   ``DeletionTimeout``). An entry older than that is dropped with the pod event ``NotDeleted``;
   a younger one schedules a recheck for when it expires.
4. **disruptionsAllowed** = currentHealthy - desiredHealthy, at least 0, and 0 while
   expectedPods is 0. The status is written (with ``observedGeneration``) only if it changed,
   and the condition ``DisruptionAllowed`` says ``SufficientPods`` (True) or
   ``InsufficientPods`` (False).
5. A failed calculation writes the fail-safe status: ``disruptionsAllowed: 0`` and the
   condition False with reason ``SyncFailed`` and the error as message, after the event
   ``CalculateExpectedPodCountFailed``.

It also resets a stale ``DisruptionTarget`` condition (one added by an eviction or a
preemption whose delete never happened) to False two minutes after it was set.

Cost when no budget exists: a pod event looks the pod's namespace up in an empty index and
checks its conditions for ``DisruptionTarget``; nothing else runs.

Not modelled: ReplicationControllers (labkube serves none), the ``MultiplePodDisruptionBudgets``
choice is the first budget by name (Kubernetes: the lister's order).
"""

from __future__ import annotations

from typing import Optional

from labkube.core.api import pdbhelper
from labkube.core.clock import parse_timestamp
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.controllers.owner import controller_ref, namespace_index
from labkube.core.controllers.pods import is_pod_ready
from labkube.core.errors import StatusError
from labkube.core.machinery import NORMAL, WARNING, EventRecorder, object_key
from labkube.core.api.labels import SelectorError, selector_from_label_selector
from labkube.core.api.validation.meta import go_label_selector

#: ``DeletionTimeout``: how long an approved eviction keeps its pod out of currentHealthy.
DELETION_TIMEOUT = 120.0
#: ``stalePodDisruptionTimeout``: when an unfulfilled DisruptionTarget condition is reset.
STALE_POD_DISRUPTION_TIMEOUT = 120.0
NAMESPACE_INDEX = "namespace"
#: Keys of the stale-condition queue are kept apart from the budgets' keys.
STALE_POD = "stale-pod:"
#: ``v1.EventSource{Component: "controllermanager"}``: the disruption controller's events.
EVENT_SOURCE = "controllermanager"
UNMANAGED_PODS = ("Pods selected by this PodDisruptionBudget (selector: {}) were found to be unmanaged. "
                  "As a result, the status of the PDB cannot be calculated correctly, which may result in "
                  "undefined behavior. To account for these pods please set \".spec.minAvailable\" field of "
                  "the PDB to an integer value.")


class SyncError(Exception):
    """Why expectedPods could not be calculated (its text becomes the SyncFailed message)."""


def scaled_value(value, total: int) -> int:
    """``intstr.GetScaledValueFromIntOrPercent`` rounding up."""
    if isinstance(value, int):
        return value
    if not (isinstance(value, str) and value.endswith("%") and value[:-1].isdigit()):
        raise SyncError(f'invalid value for IntOrString: invalid value "{value}": must be an integer or percentage')
    percent = int(value[:-1])
    return -(-percent * total // 100)


def stale_disruption_wait(pod: dict, now: float) -> Optional[float]:
    """``nonTerminatingPodHasStaleDisruptionCondition``: seconds until the condition is stale,
    or None when the pod has no such condition."""
    status = pod.get("status") or {}
    for cond in status.get("conditions") or ():
        if cond.get("type") != "DisruptionTarget":
            continue
        if (pod["metadata"].get("deletionTimestamp") or cond.get("status") != "True"
                or cond.get("reason") == "TerminationByKubelet" or status.get("phase") in ("Succeeded", "Failed")):
            return None
        since = parse_timestamp(cond["lastTransitionTime"]) if cond.get("lastTransitionTime") else now
        return max(STALE_POD_DISRUPTION_TIMEOUT - (now - since), 0.0)
    return None


@register
class DisruptionController(KubeController):
    """Computes PodDisruptionBudget status from pods and their controllers' scale."""

    name = "disruption-controller"

    def setup(self) -> None:
        self.events = EventRecorder(self.client, self.clock, EVENT_SOURCE, namer=self.ctx.namer)
        informers = self.ctx.informers
        self.pdb_informer = informers.informer("poddisruptionbudgets")
        self.pod_informer = informers.informer("pods")
        self.rs_informer = informers.informer("replicasets")
        self.deploy_informer = informers.informer("deployments")
        self.sts_informer = informers.informer("statefulsets")
        self.pdb_informer.add_indexer(NAMESPACE_INDEX, namespace_index)
        self.pod_informer.add_indexer(NAMESPACE_INDEX, namespace_index)
        enqueue_pdb = self._enqueue_pdb
        self.pdb_informer.add_event_handler(enqueue_pdb, lambda old, cur: enqueue_pdb(cur), enqueue_pdb)
        self.pod_informer.add_event_handler(self._pod_changed, lambda old, cur: self._pod_changed(cur),
                                            self._pod_deleted)

    # -- event handlers ------------------------------------------------------------------------
    def _enqueue_pdb(self, pdb: dict) -> None:
        self.enqueue(object_key(pdb))

    def _pod_changed(self, pod: dict) -> None:
        self._pod_deleted(pod)
        wait = stale_disruption_wait(pod, self.clock.now())
        if wait is not None:
            self.queue.add_after(STALE_POD + object_key(pod), wait)

    def _pod_deleted(self, pod: dict) -> None:
        if not len(self.pdb_informer):
            return
        pdb = self._pdb_for_pod(pod)
        if pdb is not None:
            self.enqueue(object_key(pdb))

    def _pdb_for_pod(self, pod: dict) -> Optional[dict]:
        """``getPdbForPod``: the first budget selecting the pod (a warning when several do)."""
        namespace = pod["metadata"].get("namespace", "")
        budgets = pdbhelper.budgets_for_pod(self.pdb_informer.by_index(NAMESPACE_INDEX, namespace), pod)
        if not budgets:
            return None
        budgets.sort(key=lambda pdb: pdb["metadata"]["name"])
        if len(budgets) > 1:
            message = (f'Pod "{namespace}"/"{pod["metadata"]["name"]}" matches multiple PodDisruptionBudgets.  '
                       f'Chose "{budgets[0]["metadata"]["name"]}" arbitrarily.')
            self.events.event(pod, WARNING, "MultiplePodDisruptionBudgets", message)
        return budgets[0]

    # -- the reconcile loop --------------------------------------------------------------------
    def sync(self, key: str) -> None:
        if key.startswith(STALE_POD):
            self._sync_stale_pod_disruption(key[len(STALE_POD):])
            return
        pdb = self.pdb_informer.get(key)
        if pdb is None:
            return
        try:
            self._try_sync(pdb)
        except StatusError as err:
            if err.code == 409:
                raise  # requeued without the fail-safe
            self._fail_safe(pdb, err.message)
        except SyncError as err:
            self._fail_safe(pdb, str(err))

    def _try_sync(self, pdb: dict) -> None:
        pods = self._pods_for(pdb)
        if not pods:
            self.events.event(pdb, NORMAL, "NoPods", "No matching pods found")
        try:
            expected, desired, unmanaged = self._expected_pod_count(pdb, pods)
        except (SyncError, StatusError) as err:
            message = err.message if isinstance(err, StatusError) else str(err)
            self.events.event(pdb, WARNING, "CalculateExpectedPodCountFailed",
                              f"Failed to calculate the number of expected pods: {message}")
            raise
        if unmanaged:
            selector = go_label_selector((pdb.get("spec") or {}).get("selector"))
            self.events.event(pdb, WARNING, "UnmanagedPods", UNMANAGED_PODS.format(selector))
        now = self.clock.now()
        disrupted, recheck_at = self._build_disrupted_pod_map(pods, pdb, now)
        healthy = count_healthy_pods(pods, disrupted, now)
        self._update_status(pdb, healthy, desired, expected, disrupted)
        if recheck_at is not None:
            self.queue.add_after(object_key(pdb), recheck_at - now)

    def _pods_for(self, pdb: dict) -> list[dict]:
        try:
            selector = selector_from_label_selector((pdb.get("spec") or {}).get("selector"))
        except SelectorError as err:
            self.events.event(pdb, WARNING, "NoPods", f"Failed to get pods: {err}")
            raise SyncError(str(err)) from None
        namespace = pdb["metadata"]["namespace"]
        pods = self.pod_informer.by_index(NAMESPACE_INDEX, namespace)
        return sorted((p for p in pods if selector.matches(p["metadata"].get("labels") or {})),
                      key=lambda p: p["metadata"]["name"])

    # -- expected pods ---------------------------------------------------------------------------
    def _expected_pod_count(self, pdb: dict, pods: list[dict]) -> tuple[int, int, list[str]]:
        """``getExpectedPodCount``: (expectedPods, desiredHealthy, unmanaged pod names)."""
        spec = pdb.get("spec") or {}
        max_unavailable, min_available = spec.get("maxUnavailable"), spec.get("minAvailable")
        if max_unavailable is not None:
            expected, unmanaged = self._expected_scale(pods)
            return expected, max(expected - scaled_value(max_unavailable, expected), 0), unmanaged
        if isinstance(min_available, int):
            return len(pods), min_available, []
        if min_available is not None:
            expected, unmanaged = self._expected_scale(pods)
            return expected, scaled_value(min_available, expected), unmanaged
        return 0, 0, []

    def _expected_scale(self, pods: list[dict]) -> tuple[int, list[str]]:
        """``getExpectedScale``: the summed scale of the pods' controllers."""
        scales: dict[str, int] = {}
        unmanaged: list[str] = []
        for pod in pods:
            ref = controller_ref(pod)
            if ref is None:
                unmanaged.append(pod["metadata"]["name"])
                continue
            if ref.get("uid") in scales:
                continue
            found = self._controller_scale(ref, pod["metadata"]["namespace"])
            if found is None:
                raise SyncError(f'found no controllers for pod "{pod["metadata"]["name"]}"')
            scales[found[0]] = found[1]
        return sum(scales.values()), unmanaged

    def _controller_scale(self, ref: dict, namespace: str) -> Optional[tuple[str, int]]:
        """The finders in order: Deployment (through its ReplicaSet), ReplicaSet, StatefulSet,
        then any kind's ``scale`` subresource. Returns (controller uid, replicas) or None."""
        group = (ref.get("apiVersion") or "").rpartition("/")[0]
        kind = ref.get("kind")
        if kind == "ReplicaSet" and group in ("apps", "extensions"):
            rs = self.rs_informer.get_by_name(namespace, ref.get("name", ""))
            if rs is None or rs["metadata"].get("uid") != ref.get("uid"):
                return None
            owner = controller_ref(rs)
            if owner is None:
                return rs["metadata"]["uid"], (rs.get("spec") or {}).get("replicas", 1)
            if owner.get("kind") != "Deployment":
                return None
            deploy = self.deploy_informer.get_by_name(namespace, owner.get("name", ""))
            if deploy is None or deploy["metadata"].get("uid") != owner.get("uid"):
                return None
            return deploy["metadata"]["uid"], (deploy.get("spec") or {}).get("replicas", 1)
        if kind == "StatefulSet" and group == "apps":
            sts = self.sts_informer.get_by_name(namespace, ref.get("name", ""))
            if sts is None or sts["metadata"].get("uid") != ref.get("uid"):
                return None
            return sts["metadata"]["uid"], (sts.get("spec") or {}).get("replicas", 1)
        return self._scale_subresource(ref, namespace)

    def _scale_subresource(self, ref: dict, namespace: str) -> Optional[tuple[str, int]]:
        """``getScaleController``: the RESTMapping, then ``GET <resource>/scale``."""
        rtype = self.client.server.kind_type(ref.get("apiVersion", ""), ref.get("kind", ""))
        if "scale" not in rtype.subresources:
            raise SyncError(f"{rtype.qualified_resource} does not implement the scale subresource")
        try:
            scale = self.client.get(rtype, ref.get("name", ""), namespace, subresource="scale")
        except StatusError as err:
            if err.code == 404:
                return None
            raise
        if scale["metadata"].get("uid") != ref.get("uid"):
            return None
        return scale["metadata"]["uid"], (scale.get("spec") or {}).get("replicas", 0)

    # -- healthy pods ------------------------------------------------------------------------------
    def _build_disrupted_pod_map(self, pods: list[dict], pdb: dict, now: float) -> tuple[dict, Optional[float]]:
        """``buildDisruptedPodMap``: keep the approved evictions younger than DeletionTimeout."""
        disrupted = (pdb.get("status") or {}).get("disruptedPods") or {}
        result: dict[str, str] = {}
        recheck_at: Optional[float] = None
        for pod in pods:
            name = pod["metadata"]["name"]
            if pod["metadata"].get("deletionTimestamp") or name not in disrupted:
                continue
            expected_deletion = parse_timestamp(disrupted[name]) + DELETION_TIMEOUT
            # Kubernetes drops the entry once the deadline is *before* now and rechecks at the
            # deadline; on a simulated clock time stands still between syncs, so an entry is
            # dropped at its deadline (else the recheck at that instant would loop forever).
            if expected_deletion <= now:
                namespace = pdb["metadata"]["namespace"]
                # Kubernetes prints the namespace twice here (pdb.Namespace, pdb.Namespace).
                self.events.event(pod, WARNING, "NotDeleted",
                                  f"Pod was expected by PDB {namespace}/{namespace} to be deleted but it wasn't")
                continue
            if recheck_at is None or expected_deletion < recheck_at:
                recheck_at = expected_deletion
            result[name] = disrupted[name]
        return result, recheck_at

    # -- status ----------------------------------------------------------------------------------
    def _update_status(self, pdb: dict, healthy: int, desired: int, expected: int, disrupted: dict) -> None:
        """``updatePdbStatus``: write only what changed."""
        allowed = healthy - desired
        if expected <= 0 or allowed <= 0:
            allowed = 0
        status = pdb.get("status") or {}
        generation = pdb["metadata"].get("generation", 0)
        if (status.get("currentHealthy", 0) == healthy and status.get("desiredHealthy", 0) == desired
                and status.get("expectedPods", 0) == expected and status.get("disruptionsAllowed", 0) == allowed
                and (status.get("disruptedPods") or {}) == disrupted
                and status.get("observedGeneration", 0) == generation
                and pdbhelper.conditions_are_up_to_date(pdb)):
            return
        new_status: dict = {"observedGeneration": generation}
        if disrupted:
            new_status["disruptedPods"] = dict(sorted(disrupted.items()))
        new_status.update({"disruptionsAllowed": allowed, "currentHealthy": healthy,
                           "desiredHealthy": desired, "expectedPods": expected,
                           "conditions": [dict(c) for c in status.get("conditions") or ()]})
        pdbhelper.update_disruption_allowed_condition(new_status, self.clock.timestamp())
        self._write(pdb, new_status)

    def _fail_safe(self, pdb: dict, message: str) -> None:
        """``failSafe``: at least make sure no eviction is approved."""
        status = dict(pdb.get("status") or {})
        status["disruptionsAllowed"] = 0
        status["conditions"] = [dict(c) for c in status.get("conditions") or ()]
        pdbhelper.set_condition(status["conditions"], {
            "type": pdbhelper.DISRUPTION_ALLOWED, "status": "False", "reason": pdbhelper.SYNC_FAILED,
            "message": message, "observedGeneration": status.get("observedGeneration", 0)},
            self.clock.timestamp())
        self._write(pdb, status)

    def _write(self, pdb: dict, status: dict) -> None:
        new = dict(pdb)
        new["status"] = pdbhelper.ordered_status(status)
        self.client.update(new, subresource="status")

    # -- stale DisruptionTarget conditions ----------------------------------------------------------
    def _sync_stale_pod_disruption(self, pod_key: str) -> None:
        """``syncStalePodDisruption``: set the condition False once it is stale."""
        pod = self.pod_informer.get(pod_key)
        if pod is None:
            return
        wait = stale_disruption_wait(pod, self.clock.now())
        if wait is None:
            return
        if wait > 0:
            self.queue.add_after(STALE_POD + pod_key, wait)
            return
        status = dict(pod.get("status") or {})
        now = self.clock.timestamp()
        conditions = []
        for cond in status.get("conditions") or ():
            if cond.get("type") == "DisruptionTarget":
                cond = {"type": "DisruptionTarget", "status": "False", "lastProbeTime": cond.get("lastProbeTime"),
                        "lastTransitionTime": now}
            conditions.append(cond)
        status["conditions"] = conditions
        new = dict(pod)
        new["status"] = status
        self.client.update(new, subresource="status")


def count_healthy_pods(pods: list[dict], disrupted: dict, now: float) -> int:
    """``countHealthyPods``: Ready, not terminating, not about to be evicted."""
    healthy = 0
    for pod in pods:
        name = pod["metadata"]["name"]
        if pod["metadata"].get("deletionTimestamp"):
            continue
        if name in disrupted and parse_timestamp(disrupted[name]) + DELETION_TIMEOUT > now:
            continue
        if is_pod_ready(pod):
            healthy += 1
    return healthy
