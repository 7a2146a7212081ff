"""The kubelet: the agent on every node that turns pods bound to it into running containers.

Mirrors pkg/kubelet (kubelet.go's ``syncLoop`` and its managers) at the level a student
watches it work. One :class:`Kubelet` per node, a :class:`~labkube.core.machinery.Component`
acting as ``system:node:<name>`` (the Node authorizer grants it what a real kubelet may do):

* ``start()`` registers the Node (:mod:`.node_status`), starts heartbeats (Lease every 10 s,
  status every 10 s when changed, else every 5 minutes) and ONE pod informer with the field
  selector ``spec.nodeName=<node>`` — the kubelet sees only its own pods — plus informers for
  its own Node (admission reads it) and for Services (the containers' service variables);
* the ConfigMaps and Secrets its pods use are watched one object each, while a pod of the
  node references them (:mod:`.objects`): containers and volumes read them from that cache;
* each pod gets a :class:`~.pod_workers.PodWorker`; runtime events (container started, died,
  OOM-killed) wake the worker of the pod they belong to (the PLEG);
* each pod's sandbox gets its DNS settings (the runtime writes ``/etc/resolv.conf``) and each
  container the kubelet-managed ``/etc/hosts`` (:mod:`.dns`); a change to a ConfigMap or Secret
  a pod mounts reaches its files at the pod's next periodic sync (``syncFrequency``);
* ``stop()`` is the kubelet process dying: watches, timers and probes stop, but containers keep
  running in the runtime — until :meth:`kill_all_containers` (the node itself failing);
* it speaks to containers only through the runtime interface (:mod:`labkube.runtime.cri`).

Helpers for the cluster's failure injection: :meth:`kill_all_containers`,
:meth:`crash_container`, :meth:`set_node_conditions`; and for kubectl: :meth:`logs`,
:meth:`exec`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional

from labkube.core.clock import Clock
from labkube.core.errors import StatusError, not_found
from labkube.core.kubelet import admission
from labkube.core.kubelet.backoff import Backoff
from labkube.core.kubelet.dns import PodDNS
from labkube.core.kubelet.images import ImageManager
from labkube.core.kubelet.ipam import PodIPAllocator
from labkube.core.kubelet.node_status import NodeStatusManager
from labkube.core.kubelet.objects import PodObjects
from labkube.core.kubelet.pod_workers import TERMINAL, PodWorker
from labkube.core.kubelet.termination import Terminations
from labkube.core.kubelet.env import ServiceEnvCache
from labkube.core.kubelet.volumes import HostPaths, SharedContents
from labkube.core.machinery.controller import Component, ErrorLog
from labkube.core.machinery.events import EventNamer, EventRecorder
from labkube.core.network.dns import CLUSTER_DOMAIN, NAMESERVER
from labkube.runtime.cri import CONTAINER_RUNNING, ContainerEvent, ExecFailedError, NotFoundError, Operation


#: ``syncLoop``'s ``syncTicker``: every second it syncs the pods whose requeue is due.
SYNC_TICKER_PERIOD = 1.0


@dataclass(frozen=True)
class KubeletConfig:
    """The KubeletConfiguration fields labkube models (defaults as in Kubernetes 1.32)."""

    node_status_update_frequency: float = 10.0  # also the Lease renew interval (0.25 x 40 s)
    node_status_report_frequency: float = 300.0
    node_lease_duration_seconds: int = 40
    #: ``clusterDNS`` and ``clusterDomain`` (kubeadm's: the kube-dns Service's ClusterIP)
    cluster_dns: tuple[str, ...] = (NAMESERVER,)
    cluster_domain: str = CLUSTER_DOMAIN
    #: ``syncFrequency``: each pod is synced again this long (plus up to half of it, the
    #: pod workers' jitter) after its last sync; mounted ConfigMaps and Secrets refresh then.
    sync_frequency: float = 60.0


class Kubelet(Component):
    """The kubelet of one node."""

    def __init__(self, client: Any, clock: Clock, runtime: Any, node_name: str, errors: ErrorLog,
                 namer: Optional[EventNamer] = None, *, index: int = 1, cpu: str = "2",
                 memory: str = "8Gi", pods: str = "110", labels: Optional[dict] = None,
                 taints: Optional[list] = None, config: Optional[KubeletConfig] = None) -> None:
        super().__init__(client, clock, errors)
        self.name = f"kubelet/{node_name}"
        self.node_name = node_name
        self.runtime = runtime
        self.index = index
        self.capacity = {"cpu": cpu, "memory": memory, "pods": pods}
        self.labels = dict(labels or {})
        self.taints = list(taints or [])
        self.config = config or KubeletConfig()
        runtime_name, runtime_version = runtime.version()
        self.runtime_name = runtime_name
        self.runtime_version = f"{runtime_name}://{runtime_version}"
        self.recorder = EventRecorder(client, clock, "kubelet", host=node_name, namer=namer)
        self.images = ImageManager(runtime, self.recorder, clock)
        self.crash_backoff = Backoff(clock)
        self.host_paths = HostPaths()
        self.shared_contents = SharedContents()  # ConfigMap/Secret file bytes, shared by pods
        self.service_env = ServiceEnvCache()
        #: The configmap and secret managers: one watch per object the node's pods use.
        self.objects = PodObjects(client, clock, on_error=self.report, on_change=self._objects_changed)
        self.terminations = Terminations()
        #: The DNS configurer: each pod's resolv.conf settings.
        self.pod_dns = PodDNS(self.config.cluster_dns, self.config.cluster_domain)
        self.node_status = NodeStatusManager(self)
        self.workers: dict[str, PodWorker] = {}
        #: The pods (uids) the runtime had sandboxes for when this kubelet started: the only
        #: ones a new pod worker can find containers of (every later sandbox is a worker's).
        self.sandboxes_at_start: frozenset[str] = frozenset()
        self.ipam: Optional[PodIPAllocator] = None
        #: When ``syncLoop`` started its one-second ``syncTicker`` (requeued pods are synced
        #: at its ticks).
        self.sync_ticker_started = clock.now()
        self.pods = None
        self.services = None
        self._unsubscribe = None

    # -- lifecycle ----------------------------------------------------------------------------------
    def setup(self) -> None:
        self.node_status.register()
        if self.ipam is None or self.ipam.cidr != self.node_status.pod_cidr:
            self.ipam = PodIPAllocator(self.node_status.pod_cidr or "10.244.0.0/24")
        self.workers = {}
        self.sandboxes_at_start = frozenset(s.uid for s in self.runtime.list_pod_sandboxes())
        self.pods = self.informers.informer("pods", field_selector=f"spec.nodeName={self.node_name}")
        # The kubelet's own Node, as the API has it: if someone else (the node lifecycle
        # controller) changed its conditions, the next heartbeat sets them right.
        self.node_informer = self.informers.informer("nodes", field_selector=f"metadata.name={self.node_name}")
        # Every Service, for the containers' service environment variables (the kubelet's
        # serviceLister watches them all).
        self.services = self.informers.informer("services")
        self.service_env.follow(self.services)  # told of every Service change
        self.pods.add_event_handler(self._pod_added, self._pod_updated, self._pod_deleted)
        self._unsubscribe = self.runtime.subscribe(self._runtime_event)

    def on_start(self) -> None:
        self.sync_ticker_started = self.clock.now()
        self.node_status.start()

    def on_stop(self) -> None:
        self.node_status.stop()
        self.objects.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for worker in self.workers.values():
            worker.shutdown()
        self.workers = {}

    def next_sync_tick(self, due: float) -> float:
        """The tick of ``syncLoop``'s one-second ``syncTicker`` that finds a pod queued for
        ``due`` in the pod workers' work queue (``getPodsToSync``): the first at or after it."""
        elapsed = due - self.sync_ticker_started
        return self.sync_ticker_started + math.ceil(elapsed / SYNC_TICKER_PERIOD - 1e-9) * SYNC_TICKER_PERIOD

    @property
    def host_ip(self) -> str:
        return self.node_status.internal_ip

    def allocatable(self) -> dict:
        node = self.node_status.node or {}
        return dict((node.get("status") or {}).get("allocatable") or {})

    # -- pods from the informer -------------------------------------------------------------------------
    def _pod_added(self, pod: dict) -> None:
        self.objects.register_pod(pod)  # the pod manager's UpdatePod: watch what it uses
        uid = pod["metadata"].get("uid", "")
        worker = self.workers.get(uid)
        if worker is None:
            worker = self.workers[uid] = PodWorker(self, pod)
        worker.update(pod)

    def _pod_updated(self, old: dict, new: dict) -> None:
        """A new version of a pod. The version this kubelet's own status write made (the echo
        of the write, recognised by its resourceVersion) starts no sync: it changes nothing
        but the status the kubelet computed itself (the config source's
        ``checkAndUpdatePod`` passes on no status-only change). Any other version does: a
        new spec, labels or deletion, or a status someone else wrote, which the kubelet (the
        source of truth for pod status) writes back."""
        worker = self.workers.get(new["metadata"].get("uid", ""))
        if worker is not None and worker.wrote_version(new):
            worker.pod = new
            return
        self._pod_added(new)

    def _pod_deleted(self, pod: dict) -> None:
        worker = self.workers.pop(pod["metadata"].get("uid", ""), None)
        if worker is not None:
            worker.cleanup()
        self.objects.unregister_pod(pod)  # the pod manager's RemovePod

    def _objects_changed(self, uids: frozenset[str]) -> None:
        """A ConfigMap or Secret these pods use changed: their volumes show it from their
        next periodic sync on (the watch itself syncs no pod)."""
        for uid in sorted(uids):
            worker = self.workers.get(uid)
            if worker is not None:
                worker.volumes_changed()

    # -- PLEG ---------------------------------------------------------------------------------------------
    def _runtime_event(self, event: ContainerEvent) -> None:
        for worker in self.workers.values():
            if worker.sandbox_id != event.sandbox_id:
                continue
            if event.type == "started":
                worker.request_sync()
            else:
                worker.container_died(event.container_id)
            return

    # -- admission and IPs -----------------------------------------------------------------------------------
    def node(self) -> Optional[dict]:
        """``GetNode``: this node as the kubelet's node informer has it (what it last wrote
        before the informer caught up)."""
        informer = getattr(self, "node_informer", None)
        cached = informer.get(self.node_name) if informer is not None else None
        return cached if cached is not None else self.node_status.node

    def services_in(self, namespace: str) -> list[dict]:
        """The Services of one namespace, from the kubelet's service informer (its
        ``serviceLister``): what containers' service environment variables are made of."""
        return self.services.list(namespace) if self.services is not None else []

    def admit(self, pod: dict) -> admission.AdmitResult:
        node = self.node()
        uid = pod["metadata"].get("uid")
        admitted = [w for w in self.workers.values()
                    if w.uid != uid and w.admitted and w.rejected is None and w.phase not in TERMINAL]
        worker = self.workers.get(uid)
        return admission.admit(pod, node, [w.pod for w in admitted], [w.requests() for w in admitted],
                               requests=worker.requests() if worker is not None else None)

    def allocate_ip(self, uid: str) -> str:
        return self.ipam.allocate(uid)

    def reserve_ip(self, ip: str, uid: str) -> None:
        if self.ipam is not None and ip:
            self.ipam.reserve(ip, uid)

    def release_ip(self, uid: str) -> None:
        if self.ipam is not None:
            self.ipam.release(uid)

    # -- failure injection and inspection -------------------------------------------------------------------
    def set_node_conditions(self, **pressure: bool) -> None:
        """``set_node_conditions(MemoryPressure=True)``: what the eviction manager would report."""
        self.node_status.set_conditions(**pressure)

    def kill_all_containers(self) -> None:
        """The machine died: every sandbox stops and every container is SIGKILLed (exit 137)."""
        for sandbox in self.runtime.list_pod_sandboxes():
            try:
                self.runtime.stop_pod_sandbox(sandbox.id)
            except NotFoundError:
                pass

    def crash_container(self, namespace: str, pod_name: str, container: Optional[str] = None) -> None:
        """Kill one container's process as if it crashed (SIGKILL); the restart policy applies."""
        cid = self._container_id(namespace, pod_name, container, previous=False)
        self.runtime.stop_container(cid, 0)

    def worker_for(self, namespace: str, pod_name: str) -> Optional[PodWorker]:
        for worker in self.workers.values():
            if worker.name == pod_name and worker.namespace == namespace:
                return worker
        return None

    def _container_id(self, namespace: str, pod_name: str, container: Optional[str], previous: bool) -> str:
        worker = self.worker_for(namespace, pod_name)
        if worker is None:
            raise not_found("pods", pod_name)
        spec = worker.pod.get("spec") or {}
        name = container or (spec.get("containers") or [{}])[0].get("name", "")
        record = worker.records.get(name)
        if record is None:
            raise StatusError(400, "BadRequest",
                              f"container {name} is not valid for pod {pod_name}")
        cid = record.previous_id if previous else record.container_id
        if not cid:
            if previous:
                raise StatusError(400, "BadRequest",
                                  f'previous terminated container "{name}" in pod "{pod_name}" not found')
            raise StatusError(400, "BadRequest", _not_started(worker.pod, name, pod_name))
        return cid

    def container_for_logs(self, namespace: str, pod_name: str, container: Optional[str],
                           previous: bool) -> str:
        """``validateContainerLogStatus``: the runtime id of the container instance a log
        request reads, or the BadRequest the kubelet answers when there is none."""
        return self._container_id(namespace, pod_name, container, previous)

    def logs(self, namespace: str, pod_name: str, container: Optional[str] = None, *,
             previous: bool = False, tail: Optional[int] = None, timestamps: bool = False) -> str:
        """``kubectl logs`` (``-c``, ``--previous``, ``--tail``, ``--timestamps``)."""
        cid = self._container_id(namespace, pod_name, container, previous)
        return self.runtime.logs(cid, tail=tail, timestamps=timestamps)

    def exec(self, namespace: str, pod_name: str, argv: list[str], container: Optional[str] = None):
        """``kubectl exec``: an Operation completing with the runtime's ExecResult, or failing
        with :class:`ExecStreamError` when the command cannot be started."""
        cid = self._container_id(namespace, pod_name, container, previous=False)
        if self.runtime.container_status(cid).state != CONTAINER_RUNNING:
            raise StatusError(400, "BadRequest", "cannot exec into a container in a completed pod")
        return _streamed(self.runtime.exec(cid, list(argv)))


#: ``validateContainerLogStatus``' words for the most common reasons a container has not started.
_WAITING_WORDS = {"ErrImagePull": "image can't be pulled", "ImagePullBackOff": "trying and failing to pull image"}


def _not_started(pod: dict, container: str, pod_name: str) -> str:
    """Why a container that never ran has no logs, from the status the kubelet last wrote:
    its waiting reason (image pull failures in plain words), as the kubelet answers."""
    status = pod.get("status") or {}
    for cs in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or []):
        if cs.get("name") != container:
            continue
        reason = ((cs.get("state") or {}).get("waiting") or {}).get("reason")
        if reason:
            return f'container "{container}" in pod "{pod_name}" is waiting to start: {_WAITING_WORDS.get(reason, reason)}'
        return f'container "{container}" in pod "{pod_name}" is waiting to start - no logs yet'
    return f'container "{container}" in pod "{pod_name}" is not available'


class ExecStreamError(StatusError):
    """What the kubelet's streaming server writes on an exec's error stream when the command
    could not be started (``remotecommand.ServeExec``: an InternalError status). kubectl
    prints it as ``error: Internal error occurred: error executing command in container: ...``
    -- it arrives on the stream, not as an API response."""

    def __init__(self, detail: str) -> None:
        super().__init__(500, "InternalError",
                         f"Internal error occurred: error executing command in container: {detail}")


#: How a CRI error reads after the gRPC hop; the streaming server talks to the runtime directly.
_GRPC_PREFIX = "rpc error: code = Unknown desc = "


def _streamed(operation: Operation) -> Operation:
    """The runtime's exec as the streaming server reports it: the same result, or, for a
    command that could not start, an :class:`ExecStreamError`."""
    streamed: Operation = Operation()

    def finish(done: Operation) -> None:
        error = done.error
        if error is None:
            streamed.set_result(done.result())
        elif isinstance(error, ExecFailedError):
            detail = str(error)
            streamed.set_error(ExecStreamError(detail[len(_GRPC_PREFIX):] if detail.startswith(_GRPC_PREFIX) else detail))
        else:
            streamed.set_error(error)

    operation.add_done_callback(finish)
    return streamed
