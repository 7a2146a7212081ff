"""kube-scheduler, the process: watches pods and nodes, places pods, binds them through the API.

Mirrors cmd/kube-scheduler and pkg/scheduler/schedule_one.go around the pure framework in
:mod:`labkube.core.scheduler`:

* informers on pods, nodes, namespaces, services and replicasets keep a :class:`Snapshot` of
  the cluster (assigned pods count against their node) and feed the :class:`SchedulingQueue`
  (pods with no ``spec.nodeName`` that this scheduler's profiles handle);
* a scheduling pass pops pods one at a time: ``schedule_one`` picks a node, the pod is
  *assumed* there at once (so the next pod sees its requests), and a ``pods/binding`` is POSTed;
  the API server sets ``spec.nodeName`` and ``PodScheduled=True``;
* informers on PersistentVolumeClaims, PersistentVolumes and StorageClasses fill the snapshot's
  volume cache (what the volume plugins read); their changes wake pods those plugins rejected;
* the binding cycle runs PreBind first: a pod whose claims VolumeBinding must still bind has
  its volumes' ``claimRef`` or its claims' ``volume.kubernetes.io/selected-node`` written, and
  waits -- assumed on its node, the claims polled every second for up to 10 minutes -- until
  the PV controller (and the provisioner) have bound every claim; only then is it bound. A
  failed PreBind unreserves the pod and records ``FailedScheduling`` with the error
  (``running PreBind plugin "VolumeBinding": binding volumes: ...``), condition reason
  ``SchedulerError``, and the pod is retried;
* a pod that fits nowhere gets a ``FailedScheduling`` event and ``PodScheduled=False`` with
  reason ``Unschedulable``, and waits in the unschedulable queue until a cluster event that
  could help it (a node added or changed, a pod deleted) or the 5-minute flush;
* a pod whose preemption picked a node (``prepareCandidate``): each victim gets the
  ``DisruptionTarget`` condition (reason ``PreemptionByScheduler``) and is deleted gracefully,
  pods of lower priority nominated to that node lose their nomination, and the preemptor's
  ``status.nominatedNodeName`` is set with its PodScheduled=False condition; the nominator
  keeps its room from lower-priority pods until it is bound;
* every decision is kept (:meth:`KubeScheduler.decision`) for the scheduler explainer.

It acts as ``system:kube-scheduler``. Like the real one it records its Events through the new
Events API (:mod:`labkube.core.machinery.events_v1`, client-go's tools/events), not tools/record:
``events.k8s.io/v1`` Events with ``reportingController`` the pod's profile (its
``schedulerName``, ``default-scheduler`` by default), ``reportingInstance``
``<schedulerName>-<hostname>`` and the ``action`` kube-scheduler passes at each call site
(pkg/scheduler/schedule_one.go, framework/preemption/preemption.go):

=================  =============  ==========  ==========================================
reason             action         type        regarding / related
=================  =============  ==========  ==========================================
Scheduled          Binding        Normal      the assumed pod / --
FailedScheduling   Scheduling     Warning     the pod / -- (note cut to 1 KiB with " ...")
Preempted          Preempting     Normal      the victim, once deleted / the preemptor
=================  =============  ==========  ==========================================

The hostname: kube-scheduler takes ``os.Hostname()`` of the control-plane machine it runs on
(its static pod uses the host network, so it is the node's name, e.g. ``kind-control-plane``).
labkube's control plane runs on no node of the cluster, so it names that machine as kind
names it for a cluster called labkube: :data:`CONTROL_PLANE_HOSTNAME`, the same on every run.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Optional

from labkube.core.api import auth
from labkube.core.errors import StatusError
from labkube.core.machinery import Component, ErrorLog, EventNamer, object_key
from labkube.core.machinery.events_v1 import EventBroadcaster, EventRecorder, truncate_note
from labkube.core.scheduler import DecisionRecord, Scheduler, SchedulingQueue, Snapshot
from labkube.core.scheduler.plugins.default_preemption import victim_condition
from labkube.core.scheduler.profile import DEFAULT_SCHEDULER_NAME

#: How many decision records to keep (oldest dropped first) ...
DECISIONS_KEPT = 10_000
#: ... and how many per-node entries they may hold in all (node names evaluated, rejections,
#: and every plugin's raw and normalized scores): a record on a 1,000-node cluster holds
#: ~7,000 of them (~60 KB), so 10,000 such records alone would take most of 1 GB. Two million
#: entries keep every decision of a classroom cluster and the last ~300 of a 1,000-node one
#: (~25 MB).
DECISION_ENTRIES_KEPT = 2_000_000
#: kube-scheduler flushes its backoff and unschedulable queues every second.
FLUSH_PERIOD = 1.0
#: The host name of the machine the control plane runs on (``reportingInstance`` is
#: ``default-scheduler-labkube-control-plane``): kind's ``<cluster>-control-plane`` pattern.
CONTROL_PLANE_HOSTNAME = "labkube-control-plane"


def _is_terminal(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def _needs_scheduling(pod: dict) -> bool:
    return (
        not pod["spec"].get("nodeName")
        and not pod["metadata"].get("deletionTimestamp")
        and not _is_terminal(pod)
    )


class KubeScheduler(Component):
    """The scheduler process. ``scheduler`` (the framework) can be given custom profiles."""

    name = "scheduler"

    def __init__(self, client: Any, clock: Any, errors: ErrorLog, namer: EventNamer,
                 scheduler: Optional[Scheduler] = None) -> None:
        user = auth.UserInfo(auth.KUBE_SCHEDULER_USER, (auth.ALL_AUTHENTICATED,))
        super().__init__(client.as_user(user), clock, errors)
        #: The framework with its profiles; survives restarts (a student's plugins stay).
        self.scheduler = scheduler or Scheduler(rng=clock.rng)
        #: ``EventBroadcaster`` with one recorder per profile (``profile.NewRecorderFactory``).
        self.broadcaster = EventBroadcaster(self.client, clock, namer)
        self._recorders: dict[str, EventRecorder] = {}
        self.decisions: "OrderedDict[str, DecisionRecord]" = OrderedDict()
        self._decision_entries = 0  # their total size (see DECISION_ENTRIES_KEPT)
        self.snapshot: Snapshot = Snapshot()
        self.queue: Optional[SchedulingQueue] = None
        self._pass_scheduled = False
        self._flush_timer = None

    # -- wiring -------------------------------------------------------------------------
    def setup(self) -> None:
        self.broadcaster.start_recording_to_sink()
        self.snapshot = Snapshot()
        self.queue = SchedulingQueue(self.clock.now, events_to_register=self.scheduler.events_to_register())
        inf = self.informers
        self.nodes = inf.informer("nodes")
        self.pods = inf.informer("pods")
        self.namespaces = inf.informer("namespaces")
        self.services = inf.informer("services")
        self.replica_sets = inf.informer("replicasets")
        self.nodes.add_event_handler(self._node_added, self._node_updated, self._node_deleted)
        self.pods.add_event_handler(self._pod_added, self._pod_updated, self._pod_deleted)
        self.namespaces.add_event_handler(
            lambda ns: self.snapshot.set_namespace(ns["metadata"]["name"], ns["metadata"].get("labels")),
            lambda old, ns: self.snapshot.set_namespace(ns["metadata"]["name"], ns["metadata"].get("labels")),
            lambda ns: self.snapshot.set_namespace(ns["metadata"]["name"], None),
        )
        for informer in (self.services, self.replica_sets):
            informer.add_event_handler(self._workloads_changed, lambda old, new: self._workloads_changed(new),
                                       self._workloads_changed)
        self._watch_storage()
        self._watch_disruption_budgets()
        self._volume_bindings = {}  # pod key -> _VolumeBinding (PreBind waiting for the PV controller)

    def _watch_storage(self) -> None:
        """Claims, volumes and classes feed the snapshot's volume cache; each change may help
        a pod a volume plugin rejected (``PersistentVolumeClaim``/``Add``, ...)."""
        cache = self.snapshot.volumes
        for resource, kind, store, drop in (
                ("persistentvolumeclaims", "PersistentVolumeClaim", cache.set_claim, cache.delete_claim),
                ("persistentvolumes", "PersistentVolume", cache.set_volume, cache.delete_volume),
                ("storageclasses", "StorageClass", cache.set_class, cache.delete_class)):
            try:
                informer = self.informers.informer(resource)
            except StatusError:
                continue  # an API server that does not serve the kind (a bare test server)
            informer.add_event_handler(*_storage_handlers(self, kind, store, drop))

    def _watch_disruption_budgets(self) -> None:
        """Preemption's ``pdbLister``: DefaultPreemption spares victims a budget protects."""
        try:
            budgets = self.informers.informer("poddisruptionbudgets")
        except StatusError:
            return  # an API server that does not serve the kind (a bare test server)
        self.snapshot.pdb_lister = budgets.list

    def on_start(self) -> None:
        self._workloads_changed(None)
        self._schedule_pass()

    def on_stop(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        self.broadcaster.shutdown()

    def recorder(self, pod: dict) -> EventRecorder:
        """The recorder of the profile that schedules ``pod`` (``fwk.EventRecorder()``)."""
        name = pod["spec"].get("schedulerName") or DEFAULT_SCHEDULER_NAME
        recorder = self._recorders.get(name)
        if recorder is None:
            recorder = self._recorders[name] = self.broadcaster.new_recorder(name, CONTROL_PLANE_HOSTNAME)
        return recorder

    def use_profile(self, profile: Any) -> None:
        """Install or replace a profile (e.g. one with a student's plugin) without a restart."""
        self.scheduler.set_profile(profile)
        if self.queue is not None:
            self.queue.events_to_register = self.scheduler.events_to_register()
            for pod in self.pods.list():  # pods that waited for this profile's schedulerName
                if _needs_scheduling(pod) and self.scheduler.handles(pod) and object_key(pod) not in self.queue:
                    self.queue.add(pod)
            self.queue.move_all()
        self._schedule_pass()

    # -- informer handlers (they only update the snapshot and the queue) ----------------
    def _node_added(self, node: dict) -> None:
        self.snapshot.add_node(node)
        self._cluster_event("Node", "Add")

    def _node_updated(self, old: dict, node: dict) -> None:
        self.snapshot.update_node(node)
        if self.queue.on_node_update(old, node):  # a heartbeat or image list wakes no pod
            self._schedule_pass()

    def _node_deleted(self, node: dict) -> None:
        self.snapshot.remove_node(node["metadata"]["name"])
        self._cluster_event("Node", "Delete")

    def _pod_added(self, pod: dict) -> None:
        if pod["spec"].get("nodeName"):
            if not _is_terminal(pod):
                self.snapshot.add_pod(pod)
        elif _needs_scheduling(pod) and self.scheduler.handles(pod):
            self._track_nomination(pod)
            self.queue.add(pod)
            self._schedule_pass()

    def _pod_updated(self, old: dict, pod: dict) -> None:
        if self.scheduler.nominator or (pod.get("status") or {}).get("nominatedNodeName"):
            self._track_nomination(pod)
        if pod["spec"].get("nodeName"):
            if not old["spec"].get("nodeName"):
                self.queue.delete(object_key(pod))
            if _is_terminal(pod):
                self.snapshot.remove_pod(pod)
                self._cluster_event("Pod", "Delete")
            else:
                self.snapshot.update_pod(pod)
        elif _needs_scheduling(pod) and self.scheduler.handles(pod):
            self.queue.update(pod)
            self._schedule_pass()
        else:
            self.queue.delete(object_key(pod))

    def _pod_deleted(self, pod: dict) -> None:
        if self.scheduler.nominator:
            self.scheduler.nominator.forget(pod["metadata"].get("uid", ""))
        if pod["spec"].get("nodeName"):
            self.snapshot.remove_pod(pod)
            self._cluster_event("Pod", "Delete")
        else:
            self.queue.delete(object_key(pod))

    def _track_nomination(self, pod: dict) -> None:
        """The queue's ``updateNominatedPod``: an unbound pod is nominated where its status says."""
        nominated = "" if pod["spec"].get("nodeName") else (pod.get("status") or {}).get("nominatedNodeName") or ""
        nominator = self.scheduler.nominator
        if nominated:
            nominator.nominate(self.snapshot.pod_info(pod), nominated)
        elif nominator:
            nominator.forget(pod["metadata"].get("uid", ""))

    def _workloads_changed(self, _obj: Optional[dict]) -> None:
        self.snapshot.services = self.services.list()
        self.snapshot.replica_sets = self.replica_sets.list()

    def _cluster_event(self, resource: str, action: str) -> None:
        if self.queue.on_event(resource, action):
            self._schedule_pass()

    # -- the scheduling loop ----------------------------------------------------------
    def _schedule_pass(self) -> None:
        if self._pass_scheduled or not self.running or self.queue is None:
            return
        self._pass_scheduled = True
        self.clock.call_later(0, self._run_pass, name="scheduler pass")

    def _run_pass(self) -> None:
        self._pass_scheduled = False
        if not self.running:
            return
        while True:
            info = self.queue.pop()
            if info is None:
                break
            self._schedule_one(info)
        self._arm_flush()

    def _arm_flush(self) -> None:
        """Keep a 1 s flush timer while pods wait in backoff or unschedulable; none when idle."""
        if self._flush_timer is not None or not len(self.queue):
            return
        self._flush_timer = self.clock.call_later(FLUSH_PERIOD, self._flush, name="scheduler flush")

    def _flush(self) -> None:
        self._flush_timer = None
        if not self.running:
            return
        self.queue.flush()
        self._run_pass()

    def _schedule_one(self, info: Any) -> None:
        pod = info.pod
        result = self.scheduler.schedule_one(pod, self.snapshot)
        if result.record is not None:
            self._keep(pod, result.record)
        if result.scheduled:
            self._bind(info, result)
        else:
            self._failed(info, result)

    def _bind(self, info: Any, result: Any) -> None:
        """The binding cycle: PreBind (volumes bound first, maybe waiting for them), then Bind."""
        fwk = self.scheduler.framework_for(info.pod)
        if fwk is not None and fwk.points["pre_bind"] and result.state is not None:
            works, status = fwk.run_pre_bind(result.state, self.snapshot.pod_info(info.pod), result.node_name)
            if status is not None:
                self._binding_failed(info, result, status.message)
                return
            if works:
                self._start_volume_binding(info, result, works)
                return
        self._post_binding(info, result)

    def _post_binding(self, info: Any, result: Any) -> None:
        pod = info.pod
        try:
            self.client.create(result.binding, namespace=pod["metadata"]["namespace"], subresource="binding")
        except StatusError as err:
            self.scheduler.forget(result, self.snapshot)
            if err.code == 404:  # the pod is gone
                self.queue.done(info)
                return
            self.report(f"binding {info.key}", err)
            self.queue.add_unschedulable(info, frozenset())
            return
        self.queue.done(info)
        self.recorder(pod).eventf(pod, None, "Normal", "Scheduled", "Binding", result.message)

    # -- PreBind: volumes (VolumeBinding's BindPodVolumes) --------------------------------
    def _start_volume_binding(self, info: Any, result: Any, works: list) -> None:
        """``bindAPIUpdate``: write the chosen volumes' claimRefs and the claims' selected
        node, then poll (every second, up to the bind timeout) until the PV controller and
        the provisioner have bound every claim."""
        for work in works:
            for written in (work.volumes, work.claims):
                for i, obj in enumerate(written):
                    try:
                        written[i] = self.client.update(obj)  # the check waits for this version
                    except StatusError as err:
                        self._binding_failed(info, result, f'running PreBind plugin "{work.plugin}": {err.message}')
                        return
        binding = _VolumeBinding(info, result, works, self.clock.now())
        self._volume_bindings[info.key] = binding
        self._poll_volume_binding(binding)

    def _poll_volume_binding(self, binding: "_VolumeBinding") -> None:
        binding.timer = None
        if not self.running or self._volume_bindings.get(binding.info.key) is not binding:
            return
        if not self._pod_exists(binding.info.pod):
            self._end_volume_binding(binding, "binding volumes: pod does not exist any more")
            return
        node = self.snapshot.get(binding.result.node_name)
        labels = node.labels if node is not None else {}
        waiting = False
        for work in binding.works:
            done, message = work.check(self.snapshot.volumes, labels)
            if done is False:
                self._end_volume_binding(binding, f'running PreBind plugin "{work.plugin}": binding volumes: {message}')
                return
            waiting = waiting or done is None
        if not waiting:
            del self._volume_bindings[binding.info.key]
            self._post_binding(binding.info, binding.result)
            return
        if self.clock.now() - binding.started >= min(w.timeout for w in binding.works):
            self._end_volume_binding(binding, f'running PreBind plugin "{binding.works[0].plugin}": '
                                              "binding volumes: context deadline exceeded")
            return
        binding.timer = self.clock.call_later(min(w.poll_interval for w in binding.works),
                                              lambda: self._poll_volume_binding(binding),
                                              name="scheduler volume binding")

    def _pod_exists(self, pod: dict) -> bool:
        meta = pod["metadata"]
        current = self.pods.get_by_name(meta.get("namespace"), meta["name"])
        return current is not None and current["metadata"].get("uid") == meta.get("uid")

    def _end_volume_binding(self, binding: "_VolumeBinding", message: str) -> None:
        self._volume_bindings.pop(binding.info.key, None)
        self._binding_failed(binding.info, binding.result, message)

    def _binding_failed(self, info: Any, result: Any, message: str) -> None:
        """``handleBindingCycleError``: Unreserve, forget the assumed pod, tell the pod why
        (FailedScheduling with the error) and retry it after its backoff."""
        self.scheduler.forget(result, self.snapshot)
        pod = info.pod
        if self._pod_exists(pod):
            self.recorder(pod).eventf(pod, None, "Warning", "FailedScheduling", "Scheduling", truncate_note(message))
            self._set_unschedulable_condition(pod, message, reason="SchedulerError")
            self.queue.add_unschedulable(info, frozenset())
        else:
            self.queue.done(info)
        self._schedule_pass()

    def _failed(self, info: Any, result: Any) -> None:
        """PostFilter already ran: its victims go first (``prepareCandidate``), then
        ``handleSchedulingFailure`` tells the pod why and where it is nominated."""
        pod = info.pod
        for victim in result.victims or ():
            self._preempt(pod, victim, result.nominated_node_name)
        if result.victims:
            self._clear_lower_priority_nominations(pod, result.nominated_node_name)
        nominator = self.scheduler.nominator
        if result.nominated_node_name:  # ModeOverride: nominated here ...
            nominator.nominate(self.snapshot.pod_info(pod), result.nominated_node_name)
        elif result.nominated_node_name is not None and nominator:  # ... or no longer anywhere
            nominator.forget(pod["metadata"].get("uid", ""))
        self.recorder(pod).eventf(pod, None, "Warning", "FailedScheduling", "Scheduling",
                                  truncate_note(result.message))
        self._set_unschedulable_condition(pod, result.message, nominated=result.nominated_node_name)
        self.queue.add_unschedulable(info, result.unschedulable_plugins)

    def _clear_lower_priority_nominations(self, preemptor: dict, node_name: str) -> None:
        """``prepareCandidate``'s last step: pods of lower priority nominated to the same node
        may no longer fit there; their ``nominatedNodeName`` is cleared so they look again."""
        priority = preemptor["spec"].get("priority") or 0
        for info in self.scheduler.nominator.lower_priority_than(node_name, priority):
            self.scheduler.nominator.forget(info.uid)
            try:
                self.client.patch("pods", info.name, {"status": {"nominatedNodeName": None}},
                                  namespace=info.namespace, subresource="status")
            except StatusError as err:
                if err.code != 404:
                    self.report(f"clearing the nomination of {info.key}", err)

    def _set_unschedulable_condition(self, pod: dict, message: str, reason: str = "Unschedulable",
                                     nominated: Optional[str] = None) -> None:
        """``updatePod``: PodScheduled=False and, when preemption decided (``nominated`` not
        None), ``status.nominatedNodeName`` set or ("") cleared -- one status patch, none if
        nothing changes."""
        meta = pod["metadata"]
        condition = {"type": "PodScheduled", "status": "False", "reason": reason,
                     "message": message, "lastProbeTime": None,
                     "lastTransitionTime": self.clock.timestamp()}
        status = pod.get("status") or {}
        current = next((c for c in status.get("conditions", [])
                        if c.get("type") == "PodScheduled"), None)
        nominate = nominated is not None and (status.get("nominatedNodeName") or "") != nominated
        if current and current.get("status") == "False" and current.get("message") == message and not nominate:
            return
        if current and current.get("status") == "False":
            condition["lastTransitionTime"] = current.get("lastTransitionTime", condition["lastTransitionTime"])
        patch: dict = {"conditions": [condition]}
        if nominate:
            patch["nominatedNodeName"] = nominated or None
        try:
            self.client.patch("pods", meta["name"], {"status": patch},
                              namespace=meta["namespace"], subresource="status")
        except StatusError as err:
            if err.code != 404:
                self.report(f"status {meta['namespace']}/{meta['name']}", err)

    def _preempt(self, preemptor: dict, victim: dict, node_name: Optional[str]) -> None:
        """``prepareCandidate`` for one victim: the DisruptionTarget condition, then a graceful
        delete; once deleted (not when already gone), say so on it."""
        meta = victim["metadata"]
        scheduler_name = preemptor["spec"].get("schedulerName") or DEFAULT_SCHEDULER_NAME
        condition = {**victim_condition(scheduler_name), "lastProbeTime": None,
                     "lastTransitionTime": self.clock.timestamp()}
        try:
            self.client.patch("pods", meta["name"], {"status": {"conditions": [condition]}},
                              namespace=meta["namespace"], subresource="status")
            self.client.delete("pods", meta["name"], meta["namespace"])
        except StatusError as err:
            if err.code != 404:
                self.report(f"preempting {meta['namespace']}/{meta['name']}", err)
            return
        self.recorder(preemptor).eventf(victim, preemptor, "Normal", "Preempted", "Preempting",
                                        f"Preempted by pod {preemptor['metadata']['uid']} on node {node_name}")

    # -- the explainer's view ---------------------------------------------------------------
    def _keep(self, pod: dict, record: DecisionRecord) -> None:
        key = f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"
        old = self.decisions.pop(key, None)
        if old is not None:
            self._decision_entries -= _entries(old)
        self.decisions[key] = record
        self._decision_entries += _entries(record)
        while len(self.decisions) > DECISIONS_KEPT or (
                self._decision_entries > DECISION_ENTRIES_KEPT and len(self.decisions) > 1):
            _, dropped = self.decisions.popitem(last=False)
            self._decision_entries -= _entries(dropped)

    def decision(self, namespace: str, name: str) -> Optional[DecisionRecord]:
        """The latest scheduling decision for a pod (None if the scheduler never tried it)."""
        return self.decisions.get(f"{namespace}/{name}")


class _VolumeBinding:
    """A pod whose binding cycle waits in PreBind for its volumes (``BindPodVolumes``)."""

    __slots__ = ("info", "result", "works", "started", "timer")

    def __init__(self, info: Any, result: Any, works: list, started: float) -> None:
        self.info, self.result, self.works, self.started = info, result, works, started
        self.timer = None


def _storage_handlers(scheduler: "KubeScheduler", kind: str, store, drop):
    """Informer handlers that keep the volume cache and wake pods waiting for ``kind``."""
    def added(obj: dict) -> None:
        store(obj)
        scheduler._cluster_event(kind, "Add")

    def updated(old: dict, obj: dict) -> None:
        store(obj)
        scheduler._cluster_event(kind, "Update")

    def deleted(obj: dict) -> None:
        drop(obj)
        scheduler._cluster_event(kind, "Delete")

    return added, updated, deleted


def _entries(record: DecisionRecord) -> int:
    """A decision record's size in per-node entries (see DECISION_ENTRIES_KEPT)."""
    scores = sum(len(plugin.raw) + len(plugin.normalized) for plugin in record.scores)
    return len(record.evaluated) + len(record.rejections) + len(record.scored_nodes) + scores
