"""The DaemonSet controller: one pod on every node that should run one.

Mirrors pkg/controller/daemon/daemon_controller.go (Kubernetes 1.32); steps 2, 4 and 5 below
are update.go's, in :mod:`.daemonset_update`, and what a pod looks like and where it belongs
is in :mod:`.daemonset_util`. One ``sync(key)`` of a DaemonSet:

1. read it from the cache (gone: forget its expectations); an empty selector gets a
   ``SelectingAll`` warning and nothing else; a DaemonSet being deleted is left alone;
2. **history** (:meth:`_construct_history`): claim its ControllerRevisions, find the one whose
   ``data`` is the current template (none: create it, named ``<ds>-<hash>`` and labelled
   ``controller-revision-hash: <hash>``; a name taken by another template bumps
   ``status.collisionCount``), and give it the highest revision number;
3. unless creations or deletions are still awaited (expectations), **manage**: for every node
   (:class:`.daemonset_util.Placement`) create the missing pod, delete pods on nodes that
   should not keep one, delete failed pods (with a per-node back-off, ``FailedDaemonPod``
   event) and succeeded ones, and extra pods on a node; creations go in slow-start batches,
   at most 250 per sync. Each pod is pinned to its node by node affinity and bound by the
   scheduler;
4. **rolling update** (``updateStrategy: RollingUpdate``): with ``maxSurge`` 0, delete old pods
   while at most ``maxUnavailable`` nodes are without an available up-to-date pod (step 3
   then creates the new pod once the old one is gone); with ``maxSurge``, create the new pod
   beside the old one and delete the old one when the new one is available. ``OnDelete``
   replaces a pod only when someone deletes it;
5. drop the oldest revisions beyond ``revisionHistoryLimit`` that no pod uses;
6. always write status: ``desiredNumberScheduled``, ``currentNumberScheduled``,
   ``numberMisscheduled``, ``numberReady``, ``updatedNumberScheduled``, ``numberAvailable``,
   ``numberUnavailable`` and ``observedGeneration`` (not raised while expectations are pending).

Nodes added, relabelled or (un)tainted wake up the DaemonSets whose placement answer changed.
With no DaemonSet in the cluster every handler returns at its first line: pods and nodes cost
nothing here.

Events (on the DaemonSet, source ``daemonset-controller``): ``SuccessfulCreate`` "Created pod:
…", ``SuccessfulDelete`` "Deleted pod: …", ``FailedCreate``/``FailedDelete``,
``FailedDaemonPod`` "Found failed daemon pod <ns>/<pod> on node <node>, will try to kill it",
``SucceededDaemonPod``, ``SelectingAll``.
"""

from __future__ import annotations

import itertools
from typing import Optional

from labkube.core.api.labels import SelectorError, selector_from_label_selector
from labkube.core.controllers import daemonset_util as util
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.expectations import Expectations, _Expectation
from labkube.core.controllers.daemonset_update import DaemonSetUpdates
from labkube.core.controllers.history import POD_REVISION_HASH_LABEL
from labkube.core.controllers.manager import register
from labkube.core.controllers.owner import (
    CONTROLLER_UID_INDEX, ORPHAN_PREFIX, AdoptionError, ControllerRefManager, controller_ref,
    controller_uid_index, namespace_index, new_controller_ref, recheck_deletion_timestamp,
)
from labkube.core.controllers.pods import is_pod_available, is_pod_ready
from labkube.core.controllers.replicaset import (
    NAMESPACE_TERMINATING_CAUSE, has_status_cause, pod_from_template, slow_start_batch,
)
from labkube.core.errors import StatusError
from labkube.core.machinery import NORMAL, WARNING, EventRecorder, object_key
from labkube.core.serialization import copy as json_copy

KIND = "DaemonSet"
API_VERSION = "apps/v1"
NAMESPACE_INDEX = "namespace"

#: ``BurstReplicas``: at most this many creations or deletions per sync.
BURST_REPLICAS = 250
#: ``StatusUpdateRetries``.
STATUS_UPDATE_RETRIES = 1

SELECTING_ALL_REASON = "SelectingAll"
FAILED_DAEMON_POD_REASON = "FailedDaemonPod"
SUCCEEDED_DAEMON_POD_REASON = "SucceededDaemonPod"

COUNTS = ("desiredNumberScheduled", "currentNumberScheduled", "numberMisscheduled", "numberReady",
          "updatedNumberScheduled", "numberAvailable", "numberUnavailable")


class DaemonSetExpectations(Expectations):
    """``ControllerExpectations.SetExpectations``: creations and deletions awaited together."""

    def expect(self, key: str, adds: int, deleting: list[str]) -> None:
        self._store[key] = _Expectation(adds, len(deleting), self.clock.now(), set(deleting))


@register
class DaemonSetController(DaemonSetUpdates, KubeController):
    """Keeps one pod of each DaemonSet on every node that should run it."""

    name = "daemon-set-controller"
    event_source = "daemonset-controller"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        # Acts as the daemon-set-controller service account; its events say daemonset-controller.
        self.recorder = EventRecorder(self.client, ctx.clock, self.event_source, namer=ctx.namer)

    def setup(self) -> None:
        self.expectations = DaemonSetExpectations(self.clock)
        self.failed_pods_backoff = util.Backoff()
        informers = self.ctx.informers
        self.ds_informer = informers.informer("daemonsets")
        self.history_informer = informers.informer("controllerrevisions")
        self.pod_informer = informers.informer("pods")
        self.node_informer = informers.informer("nodes")
        self.ds_informer.add_indexer(NAMESPACE_INDEX, namespace_index)
        self.pod_informer.add_indexer(CONTROLLER_UID_INDEX, controller_uid_index)
        self.history_informer.add_indexer(CONTROLLER_UID_INDEX, controller_uid_index)
        self.ds_informer.add_event_handler(self._add_ds, self._update_ds, self._delete_ds)
        self.history_informer.add_event_handler(self._add_history, self._update_history, self._delete_history)
        self.pod_informer.add_event_handler(self._add_pod, self._update_pod, self._delete_pod)
        self.node_informer.add_event_handler(self._add_node, self._update_node, None)

    # -- DaemonSet events --------------------------------------------------------------------------
    def _add_ds(self, ds: dict) -> None:
        self.enqueue(object_key(ds))

    def _update_ds(self, old: dict, cur: dict) -> None:
        if old["metadata"].get("uid") != cur["metadata"].get("uid"):
            self._delete_ds(old)
        self.enqueue(object_key(cur))

    def _delete_ds(self, ds: dict) -> None:
        key = object_key(ds)
        self.expectations.delete(key)
        self.enqueue(key)

    def _resolve(self, namespace: str, ref: dict) -> Optional[dict]:
        """``resolveControllerRef``: the DaemonSet a controller reference points to, if it exists."""
        if ref.get("kind") != KIND:
            return None
        ds = self.ds_informer.get_by_name(namespace, ref.get("name", ""))
        if ds is None or ds["metadata"].get("uid") != ref.get("uid"):
            return None
        return ds

    def _matching_daemon_sets(self, obj: dict) -> list[dict]:
        """``GetPodDaemonSets``/``GetHistoryDaemonSets``: DaemonSets whose selector matches ``obj``."""
        labels = obj["metadata"].get("labels")
        if not labels or not len(self.ds_informer):
            return []
        found = []
        for ds in self.ds_informer.by_index(NAMESPACE_INDEX, obj["metadata"].get("namespace", "")):
            try:
                selector = selector_from_label_selector(ds["spec"].get("selector"))
            except SelectorError:
                continue
            if not selector.empty() and selector.matches(labels):
                found.append(ds)
        return found

    # -- ControllerRevision events -----------------------------------------------------------------
    def _add_history(self, history: dict) -> None:
        if history["metadata"].get("deletionTimestamp"):
            self._delete_history(history)
            return
        if controller_ref(history) is not None:
            return  # its DaemonSet made it: nothing to do
        for ds in self._matching_daemon_sets(history):
            self.enqueue(object_key(ds))

    def _update_history(self, old: dict, cur: dict) -> None:
        if cur["metadata"].get("resourceVersion") == old["metadata"].get("resourceVersion"):
            return
        namespace = cur["metadata"].get("namespace", "")
        cur_ref, old_ref = controller_ref(cur), controller_ref(old)
        if cur_ref != old_ref and old_ref is not None:
            ds = self._resolve(namespace, old_ref)
            if ds is not None:
                self.enqueue(object_key(ds))
        if cur_ref is not None:
            ds = self._resolve(namespace, cur_ref)
            if ds is not None:
                self.enqueue(object_key(ds))
            return
        if cur["metadata"].get("labels") != old["metadata"].get("labels") or cur_ref != old_ref:
            for ds in self._matching_daemon_sets(cur):
                self.enqueue(object_key(ds))

    def _delete_history(self, history: dict) -> None:
        ref = controller_ref(history)
        if ref is None:
            return
        ds = self._resolve(history["metadata"].get("namespace", ""), ref)
        if ds is not None:
            self.enqueue(object_key(ds))

    # -- pod events --------------------------------------------------------------------------------
    def _add_pod(self, pod: dict) -> None:
        if not len(self.ds_informer):
            return
        if pod["metadata"].get("deletionTimestamp"):
            self._delete_pod(pod)
            return
        ref = controller_ref(pod)
        if ref is not None:
            ds = self._resolve(pod["metadata"].get("namespace", ""), ref)
            if ds is not None:
                key = object_key(ds)
                self.expectations.creation_observed(key)
                self.enqueue(key)
            return
        for ds in self._matching_daemon_sets(pod):
            self.enqueue(object_key(ds))

    def _update_pod(self, old: dict, cur: dict) -> None:
        if not len(self.ds_informer):
            return
        if cur["metadata"].get("resourceVersion") == old["metadata"].get("resourceVersion"):
            return
        if cur["metadata"].get("deletionTimestamp"):
            self._delete_pod(cur)
            return
        namespace = cur["metadata"].get("namespace", "")
        cur_ref, old_ref = controller_ref(cur), controller_ref(old)
        if cur_ref != old_ref and old_ref is not None:
            ds = self._resolve(namespace, old_ref)
            if ds is not None:
                self.enqueue(object_key(ds))
        if cur_ref is not None:
            ds = self._resolve(namespace, cur_ref)
            if ds is None:
                return
            self.enqueue(object_key(ds))
            min_ready = ds["spec"].get("minReadySeconds", 0)
            if min_ready > 0 and not is_pod_ready(old) and is_pod_ready(cur):
                self.queue.add_after(object_key(ds), min_ready + 1)  # one second against skew
            return
        if cur["metadata"].get("labels") != old["metadata"].get("labels") or cur_ref != old_ref:
            for ds in self._matching_daemon_sets(cur):
                self.enqueue(object_key(ds))

    def _delete_pod(self, pod: dict) -> None:
        ref = controller_ref(pod)
        if ref is None or not len(self.ds_informer):
            return
        ds = self._resolve(pod["metadata"].get("namespace", ""), ref)
        if ds is None:
            return
        key = object_key(ds)
        self.expectations.deletion_observed(key, object_key(pod))
        self.enqueue(key)

    # -- node events -------------------------------------------------------------------------------
    def _add_node(self, node: dict) -> None:
        for ds in self.ds_informer.list() if len(self.ds_informer) else ():
            if util.Placement.of(ds).should_run(node)[0]:
                self.enqueue(object_key(ds))

    def _update_node(self, old: dict, cur: dict) -> None:
        if not len(self.ds_informer) or _should_ignore_node_update(old, cur):
            return
        for ds in self.ds_informer.list():
            placement = util.Placement.of(ds)
            if placement.should_run(old) != placement.should_run(cur):
                self.enqueue(object_key(ds))

    # -- the reconcile loop ------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """``syncDaemonSet``."""
        ds = self.ds_informer.get(key)
        if ds is None:
            self.expectations.delete(key)
            return
        nodes = sorted(self.node_informer.list(), key=lambda n: n["metadata"]["name"])
        selector = ds["spec"].get("selector")
        if selector is not None and not selector.get("matchLabels") and not selector.get("matchExpressions"):
            self.recorder.event(ds, WARNING, SELECTING_ALL_REASON,
                                "This daemon set is selecting all pods. A non-empty selector is required.")
            return
        if ds["metadata"].get("deletionTimestamp"):
            return
        current, old = self._construct_history(ds)
        hash_ = (current["metadata"].get("labels") or {}).get(POD_REVISION_HASH_LABEL, "")
        if not self.expectations.satisfied(key):
            self._update_status(ds, nodes, hash_, update_observed_generation=False)
            return
        error = None
        try:
            self._update_daemon_set(ds, nodes, hash_, key, old)
        except (StatusError, AdoptionError, ValueError) as err:
            error = err
        try:
            self._update_status(ds, nodes, hash_, update_observed_generation=True)
        except StatusError as status_error:
            if error is None:
                raise
            self.report(f"failed to update status of {key}", status_error)
        if error is not None:
            raise error

    def report(self, where: str, err: BaseException) -> None:
        if self._report is not None:
            self._report(f"{self.name} {where}", err)

    def _update_daemon_set(self, ds: dict, nodes: list[dict], hash_: str, key: str, old: list[dict]) -> None:
        """``updateDaemonSet``: manage, roll, clean up history."""
        self._manage(ds, nodes, hash_)
        if self.expectations.satisfied(key):
            if (ds["spec"].get("updateStrategy") or {}).get("type") == "RollingUpdate":
                self._rolling_update(ds, nodes, hash_)
        self._cleanup_history(ds, old)

    # -- pods of the DaemonSet ---------------------------------------------------------------------
    def _daemon_pods(self, ds: dict) -> list[dict]:
        """``getDaemonPods``: claim the namespace's pods by selector (adopt orphans, release strays)."""
        meta = ds["metadata"]
        selector = selector_from_label_selector(ds["spec"].get("selector"))
        candidates = (self.pod_informer.by_index(CONTROLLER_UID_INDEX, meta["uid"])
                      + self.pod_informer.by_index(CONTROLLER_UID_INDEX, ORPHAN_PREFIX + meta["namespace"]))
        candidates.sort(key=lambda p: p["metadata"]["name"])
        manager = ControllerRefManager(self.client, "pods", "Pod", ds, selector, API_VERSION, KIND,
                                       recheck_deletion_timestamp(self._fresh(ds)))
        claimed, errors = manager.claim(candidates)
        if errors:
            raise errors[0]
        return claimed

    def _fresh(self, ds: dict):
        meta = ds["metadata"]

        def fresh() -> dict:
            current = self.client.get("daemonsets", meta["name"], meta["namespace"])
            if current["metadata"].get("uid") != meta["uid"]:
                raise StatusError(409, "Conflict", f"original DaemonSet {meta['namespace']}/{meta['name']} "
                                  f"is gone: got uid {current['metadata'].get('uid')}, wanted {meta['uid']}")
            return current
        return fresh

    def _nodes_to_daemon_pods(self, ds: dict, include_deleted_terminal: bool = False) -> dict[str, list[dict]]:
        """``getNodesToDaemonPods``: the claimed pods by the node they are (to be) on."""
        by_node: dict[str, list[dict]] = {}
        for pod in self._daemon_pods(ds):
            if not include_deleted_terminal and pod["metadata"].get("deletionTimestamp") and \
                    (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                continue
            node_name = util.target_node_name(pod)
            if node_name is not None:
                by_node.setdefault(node_name, []).append(pod)
        return by_node

    # -- manage: create and delete -----------------------------------------------------------------
    def _manage(self, ds: dict, nodes: list[dict], hash_: str) -> None:
        """``manage``: what each node needs, then ``syncNodes``."""
        by_node = self._nodes_to_daemon_pods(ds)
        placement = util.Placement.of(ds)
        nodes_needing_pods: list[str] = []
        pods_to_delete: list[dict] = []
        for node in nodes:
            create, delete = self._pods_should_be_on_node(ds, node, placement, by_node, hash_)
            nodes_needing_pods.extend(create)
            pods_to_delete.extend(delete)
        pods_to_delete.extend(_unscheduled_pods_without_node(nodes, by_node))
        self._sync_nodes(ds, pods_to_delete, nodes_needing_pods, hash_)

    def _pods_should_be_on_node(self, ds: dict, node: dict, placement: util.Placement,
                                by_node: dict[str, list[dict]], hash_: str) -> tuple[list[str], list[dict]]:
        """``podsShouldBeOnNode``: (nodes needing a pod, pods to delete) for one node."""
        node_name = node["metadata"]["name"]
        should_run, should_continue = placement.should_run(node)
        daemon_pods = by_node.get(node_name)
        if should_run and daemon_pods is None:
            return [node_name], []
        if should_continue:
            return self._prune_node(ds, node_name, daemon_pods or [], should_run, hash_)
        if daemon_pods:
            return [], [p for p in daemon_pods if not p["metadata"].get("deletionTimestamp")]
        return [], []

    def _prune_node(self, ds: dict, node_name: str, daemon_pods: list[dict], should_run: bool,
                    hash_: str) -> tuple[list[str], list[dict]]:
        """A node that keeps its daemon pod: drop failed, succeeded and surplus pods."""
        to_delete, running = [], []
        for pod in daemon_pods:
            if pod["metadata"].get("deletionTimestamp"):
                continue
            phase = (pod.get("status") or {}).get("phase")
            if phase == "Failed":
                if self._failed_pod_in_backoff(ds, node_name):
                    continue
                self.recorder.event(ds, WARNING, FAILED_DAEMON_POD_REASON,
                                    f"Found failed daemon pod {_pod_ref(pod)} on node {node_name}, will try to kill it")
                to_delete.append(pod)
            elif phase == "Succeeded":
                self.recorder.event(ds, NORMAL, SUCCEEDED_DAEMON_POD_REASON,
                                    f"Found succeeded daemon pod {_pod_ref(pod)} on node {node_name}, "
                                    "will try to delete it")
                to_delete.append(pod)
            else:
                running.append(pod)
        running.sort(key=util.pod_order)
        if not util.allows_surge(ds):
            return [], to_delete + running[1:]
        if len(running) <= 1:
            return ([node_name] if not running and should_run else []), to_delete
        return [], to_delete + self._surplus_when_surging(ds, running, hash_)

    def _failed_pod_in_backoff(self, ds: dict, node_name: str) -> bool:
        """The failed-pod back-off: True (and a later resync) while this node's is running."""
        key = f"{ds['metadata']['uid']}/{(ds.get('status') or {}).get('observedGeneration', 0)}/{node_name}"
        now = self.clock.now()
        if self.failed_pods_backoff.in_backoff_since_update(key, now):
            self.queue.add_after(object_key(ds), self.failed_pods_backoff.get(key))
            return True
        self.failed_pods_backoff.next(key, now)
        return False

    def _surplus_when_surging(self, ds: dict, running: list[dict], hash_: str) -> list[dict]:
        """Keep the oldest new pod and the oldest old pod while the new one is not yet available."""
        oldest_new = oldest_old = None
        surplus = []
        for pod in running:
            if (pod["metadata"].get("labels") or {}).get(POD_REVISION_HASH_LABEL) == hash_:
                if oldest_new is None:
                    oldest_new = pod
                    continue
            elif oldest_old is None:
                oldest_old = pod
                continue
            surplus.append(pod)
        if oldest_new is not None and oldest_old is not None:
            min_ready = ds["spec"].get("minReadySeconds", 0)
            if not is_pod_ready(oldest_old) or is_pod_available(oldest_new, min_ready, self.clock.now()):
                surplus.append(oldest_old)
        return surplus

    def _sync_nodes(self, ds: dict, pods_to_delete: list[dict], nodes_needing_pods: list[str], hash_: str) -> None:
        """``syncNodes``: set expectations, create in slow-start batches, delete; raise the first error."""
        key = object_key(ds)
        creations = nodes_needing_pods[:BURST_REPLICAS]
        deletions = pods_to_delete[:BURST_REPLICAS]
        self.expectations.expect(key, len(creations), [object_key(p) for p in deletions])
        template = util.create_pod_template(ds["spec"]["template"], util.ds_template_generation(ds), hash_)
        targets = iter(creations)
        successes, error = slow_start_batch(len(creations), 1, lambda: self._create_pod(ds, template, next(targets)))
        for _ in range(len(creations) - successes):
            self.expectations.creation_observed(key)  # failed or never attempted
        for pod in deletions:
            error = self._delete_pod_of(ds, pod) or error
        if error is not None:
            raise error

    def _create_pod(self, ds: dict, template: dict, node_name: str) -> None:
        """``RealPodControl.CreatePods`` of a pod pinned to ``node_name``, with its event."""
        pinned = {"metadata": template["metadata"], "spec": dict(template["spec"])}
        pinned["spec"]["affinity"] = util.node_name_affinity(template["spec"].get("affinity"), node_name)
        pod = pod_from_template(pinned, ds, new_controller_ref(ds, API_VERSION, KIND))
        try:
            created = self.client.create(pod, ds["metadata"]["namespace"], hand_over=True)
        except StatusError as err:
            if has_status_cause(err, NAMESPACE_TERMINATING_CAUSE):
                return
            self.recorder.event(ds, WARNING, "FailedCreate", f"Error creating: {err.message}")
            raise
        self.recorder.event(ds, NORMAL, "SuccessfulCreate", f"Created pod: {created['metadata']['name']}")

    def _delete_pod_of(self, ds: dict, pod: dict) -> Optional[StatusError]:
        """``RealPodControl.DeletePod`` with its event; returns the error to report, if any."""
        name = pod["metadata"]["name"]
        key = object_key(ds)
        try:
            self.client.delete("pods", name, ds["metadata"]["namespace"])
        except StatusError as err:
            self.expectations.deletion_observed(key, object_key(pod))
            if err.code == 404:
                return None
            self.recorder.event(ds, WARNING, "FailedDelete", f"Error deleting: {err.message}")
            return err
        self.recorder.event(ds, NORMAL, "SuccessfulDelete", f"Deleted pod: {name}")
        return None

    # -- status ------------------------------------------------------------------------------------
    def _update_status(self, ds: dict, nodes: list[dict], hash_: str, update_observed_generation: bool) -> None:
        """``updateDaemonSetStatus``: count the nodes and their oldest daemon pods."""
        counts = self._status_counts(ds, nodes, hash_)
        status = ds.get("status") or {}
        generation = ds["metadata"].get("generation", 0)
        if all(status.get(name, 0) == counts[name] for name in COUNTS) and \
                status.get("observedGeneration", 0) >= generation:
            return
        self._store_status(ds, counts, update_observed_generation)
        min_ready = ds["spec"].get("minReadySeconds", 0)
        if min_ready > 0 and counts["numberReady"] != counts["numberAvailable"]:
            self.queue.add_after(object_key(ds), min_ready)

    def _status_counts(self, ds: dict, nodes: list[dict], hash_: str) -> dict:
        by_node = self._nodes_to_daemon_pods(ds)
        placement = util.Placement.of(ds)
        generation = util.ds_template_generation(ds)
        now, min_ready = self.clock.now(), ds["spec"].get("minReadySeconds", 0)
        counts = dict.fromkeys(COUNTS, 0)
        for node in nodes:
            pods = by_node.get(node["metadata"]["name"])
            if not placement.should_run(node)[0]:
                counts["numberMisscheduled"] += 1 if pods else 0
                continue
            counts["desiredNumberScheduled"] += 1
            if not pods:
                continue
            counts["currentNumberScheduled"] += 1
            pod = min(pods, key=util.pod_order)
            if is_pod_ready(pod):
                counts["numberReady"] += 1
                if is_pod_available(pod, min_ready, now):
                    counts["numberAvailable"] += 1
            if util.is_pod_updated(pod, hash_, generation):
                counts["updatedNumberScheduled"] += 1
        counts["numberUnavailable"] = counts["desiredNumberScheduled"] - counts["numberAvailable"]
        return counts

    def _store_status(self, ds: dict, counts: dict, update_observed_generation: bool) -> None:
        """``storeDaemonSetStatus``: one retry with a fresh copy on conflict."""
        current = json_copy(ds)
        for attempt in itertools.count():
            status = dict(current.get("status") or {})
            status.update(counts)
            if update_observed_generation:
                status["observedGeneration"] = ds["metadata"].get("generation", 0)
            current["status"] = util.ordered_status(status)
            try:
                self.client.update(current, subresource="status")
                return
            except StatusError:
                if attempt >= STATUS_UPDATE_RETRIES:
                    raise
                current = self.client.get("daemonsets", ds["metadata"]["name"], ds["metadata"]["namespace"])


# -- helpers ----------------------------------------------------------------------------------------


def _pod_ref(pod: dict) -> str:
    return f"{pod['metadata'].get('namespace', '')}/{pod['metadata']['name']}"


def _unscheduled_pods_without_node(nodes: list[dict], by_node: dict[str, list[dict]]) -> list[dict]:
    """``getUnscheduledPodsWithoutNode``: unbound pods pinned to nodes that no longer exist."""
    existing = {n["metadata"]["name"] for n in nodes}
    return [pod for node_name in sorted(by_node) if node_name not in existing
            for pod in by_node[node_name] if not (pod.get("spec") or {}).get("nodeName")]


def _true_conditions(node: dict) -> set:
    return {c.get("type") for c in (node.get("status") or {}).get("conditions") or () if c.get("status") == "True"}


def _should_ignore_node_update(old: dict, cur: dict) -> bool:
    """``shouldIgnoreNodeUpdate``: only heartbeats changed (same true conditions, same rest)."""
    if _true_conditions(old) != _true_conditions(cur):
        return False
    return old.get("spec") == cur.get("spec") and \
        (old["metadata"].get("labels") or {}) == (cur["metadata"].get("labels") or {})
