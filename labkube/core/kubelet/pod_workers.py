"""One pod's life on its node: the kubelet's per-pod state machine.

Mirrors pkg/kubelet/pod_workers.go and ``SyncPod`` of the kuberuntime manager
(pkg/kubelet/kuberuntime/kuberuntime_manager.go, kuberuntime_container.go): every time
something about the pod changes (the API object, a container event from the runtime, a probe
result, a timer) the worker *syncs*: it compares what the pod spec wants with what the runtime
has and takes the next steps, then reports the status.

A sync, in order (``SyncPod`` in kubelet.go, then the runtime manager's):

1. admission (once): the pod is rejected (phase ``Failed``) if it does not fit the node;
2. status (:mod:`.status`), written only when it changed, and *before* anything is done: it
   reports what the runtime has now and why the last sync could not start a container (the
   kubelet's reason cache: ``CrashLoopBackOff``, ``ErrImagePull``, ...). What this sync does
   is reported by the next one, which the runtime's events (the PLEG) or the requeue start.
   So ``kubectl get -w`` shows a crash as ``Error``, then ``CrashLoopBackOff``, then
   ``Running``; a finished init container as ``PodInitializing``, then ``Running``;
3. volumes: every volume is set up, else ``FailedMount`` and the pod stays ``ContainerCreating``;
4. the sandbox: created with the next IP of the node's podCIDR (``PodReadyToStartContainers``);
5. init containers, one at a time, each to a successful exit (``Init:0/2`` in kubectl);
6. app containers: each one not yet started is started — image pulled (:mod:`.images`),
   environment built (:mod:`.env`), ``Created container x``, ``Started container x``, probes
   (:mod:`.probes`), postStart hook; a container that exited is restarted if the restart policy
   says so, after the CrashLoopBackOff delay (10 s doubling to 300 s, reset after 10 minutes
   without a crash: ``back-off 40s restarting failed container=app pod=web_default(uid)``);
   a container whose liveness or startup probe failed is killed and started again.

After each sync the real pod worker queues the pod again ``syncFrequency`` (60 s) plus up to
half of it later (``wait.Jitter(resyncInterval, 0.5)``); that periodic sync sets the pod's
configMap, secret, downwardAPI and projected volumes up again, which is how a changed ConfigMap
reaches the files of a running pod. labkube keeps the time of each pod's last sync and works
out its next periodic sync only when one would do something: when an object its volumes show
has changed (:meth:`PodWorker.volumes_changed`); the jitter is a hash of the pod and the time.

A sync that fails (a container in CrashLoopBackOff or ImagePullBackOff, a failed pull, a
config or create error) is queued again ``wait.Jitter(10s, 0.5)`` later, and the kubelet's
one-second sync ticker picks it up (``completeWork`` in pod_workers.go, ``syncLoop`` in
kubelet.go). Each of those syncs looks at the back-off again: inside it, it records another
``BackOff`` event (kubectl shows its count growing: ``x20 over 5m``); after it, it restarts the
container. So a container restarts at the first sync after its back-off ran out, not at the
moment it did: 10 to 16 s after a 10 s back-off. A pod that is not failing is not requeued.

A pod with a ``deletionTimestamp`` is handed to :mod:`.termination`. Image pulls and probe
kills are the only asynchronous steps inside a sync: the worker waits for them (as the
kubelet's does), then finishes the sync; whatever happened meanwhile (a container started, a
new sandbox) starts the next sync at once. Nothing here reads the wall clock; timers are set
only when a retry or backoff is due.
"""

from __future__ import annotations

import zlib
from types import MappingProxyType
from typing import Any, Callable, Mapping, Optional

from labkube.core.clock import parse_timestamp
from labkube.core.errors import StatusError
from labkube.core.kubelet import status as podstatus
from labkube.core.kubelet.admission import pod_requests, resource_amount
from labkube.core.kubelet.dns import ETC_HOSTS, HOSTS_FILE, hosts_volume, sandbox_hostname
from labkube.core.kubelet.env import (
    CREATE_CONTAINER_CONFIG_ERROR, ContainerConfigError, ObjectSource, expand_command,
    make_environment,
)
from labkube.core.kubelet.images import ERR_IMAGE_PULL, ImageResult, go_duration
from labkube.core.kubelet.ipam import AddressesExhausted
from labkube.core.kubelet.probes import LIVENESS, READINESS, STARTUP, ProbeWorker
from labkube.core.kubelet.volumes import MountError, PodVolumes
from labkube.core.machinery.events import NORMAL, WARNING, shared_message
from labkube.runtime.cri import (
    CONTAINER_CREATED, CONTAINER_EXITED, CONTAINER_RUNNING, ContainerConfig, ContainerStartError, ContainerStatus,
    Mount, NotFoundError, PodSandboxConfig, RuntimeErrorBase, SANDBOX_READY,
)
from labkube.runtime.volume import Volume

#: The reason cache's reason for a container the runtime could not start (``ErrRunContainer``).
RUN_CONTAINER_ERROR = "RunContainerError"
#: The pod worker's requeue after a failed sync (the kubelet's ``backOffPeriod``), jittered by
#: ``workerBackOffPeriodJitterFactor``: ``wait.Jitter(10s, 0.5)``, 10 to 15 s.
SYNC_ERROR_RETRY = 10.0
SYNC_ERROR_JITTER = 0.5
#: The volume manager's retry delays (nestedpendingoperations: 500 ms doubling to 2m2s).
MOUNT_RETRY_INITIAL, MOUNT_RETRY_MAX = 0.5, 122.0
TERMINAL = ("Succeeded", "Failed")


def _read_only(mapping: Optional[dict]) -> Mapping[str, str]:
    """A read-only view of a map of the pod (no copy: the informer replaces a changed pod
    rather than changing it, so the view keeps showing the pod as it was)."""
    return MappingProxyType(mapping) if mapping else _EMPTY


_EMPTY: Mapping[str, str] = MappingProxyType({})


def _reads_pod_or_node(container: dict) -> bool:
    """Whether a variable of the container takes its value from somewhere (``valueFrom``):
    only those read the pod (``fieldRef``) or the node's allocatable (``resourceFieldRef``)."""
    return any(var.get("valueFrom") is not None for var in container.get("env") or ())


def _shown_metadata_changed(old: dict, new: dict) -> bool:
    """Whether the labels or annotations (what a downwardAPI volume can show that may change)
    differ between two versions of a pod."""
    before, after = old.get("metadata") or {}, new.get("metadata") or {}
    return (before.get("labels") != after.get("labels")
            or before.get("annotations") != after.get("annotations"))


def _jittered(period: float, uid: str, after: float, factor: float = 0.5) -> float:
    """``wait.Jitter(period, factor)``: ``period`` plus up to ``factor`` of it, the fraction a
    hash of the pod and the moment (the same every run)."""
    fraction = zlib.crc32(f"{uid}@{after!r}".encode()) / 2**32
    return period * (1 + factor * fraction)


class ContainerRecord:
    """What the kubelet remembers about one container of the pod across its restarts."""

    __slots__ = ("name", "init", "spec", "restart_count", "container_id", "previous_id",
                 "last_terminated", "waiting", "retry_at", "ready", "started", "probes",
                 "field_path", "kill_message")

    def __init__(self, spec: dict, init: bool) -> None:
        self.name = spec["name"]
        self.init = init
        #: ``spec.containers{web}``: the event's ``involvedObject.fieldPath`` (one string,
        #: shared by every event about this container).
        self.field_path = f"spec.{'initContainers' if init else 'containers'}{{{self.name}}}"
        self.spec = spec
        self.restart_count = 0
        self.container_id = ""
        self.previous_id = ""
        self.last_terminated: Optional[dict] = None
        #: The reason cache's entry: why the last sync could not start the container
        #: (``CrashLoopBackOff``, ``ErrImagePull``, ...) and its message; cleared by a start.
        self.waiting: Optional[tuple[str, str]] = None
        #: Why the next sync kills the running container (a failed liveness/startup probe).
        self.kill_message = ""
        self.retry_at = 0.0
        self.ready = False
        self.started = False
        self.probes: list[ProbeWorker] = []

    def stop_probes(self) -> None:
        for worker in self.probes:
            worker.stop()
        self.probes = []


class PodWorker:
    """Drives one pod toward its spec on this node."""

    # One worker per pod on the node: slots keep each one small.
    __slots__ = ("kubelet", "clock", "runtime", "pod", "uid", "records", "sandbox_id", "pod_ip",
                 "alive", "busy", "dirty", "admitted", "rejected", "phase", "start_time",
                 "volumes", "mount_delay", "mount_retry_at", "sandbox_stopped", "termination",
                 "dead_sandboxes", "last_written", "written_version", "_sync_scheduled", "_timer", "_timer_at",
                 "_sync_name", "_resync_name", "_requests", "hosts", "last_sync_at", "sync_failed",
                 "attempted")

    def __init__(self, kubelet, pod: dict) -> None:
        self.kubelet = kubelet
        self.clock = kubelet.clock
        self.runtime = kubelet.runtime
        self.pod = pod
        self.uid = pod["metadata"].get("uid", "")
        self.records: dict[str, ContainerRecord] = {}
        self.sandbox_id = ""
        self.pod_ip = ""
        self.alive = True
        self.busy = False
        self.dirty = False
        self.admitted = False
        self.rejected = None
        self.phase = (pod.get("status") or {}).get("phase", "Pending")
        self.start_time = (pod.get("status") or {}).get("startTime")
        self.volumes: Optional[PodVolumes] = None
        self.mount_delay = MOUNT_RETRY_INITIAL
        self.mount_retry_at = 0.0
        self.sandbox_stopped = False
        self.termination = None
        self.dead_sandboxes: list[str] = []
        #: A digest of the last status this worker wrote (not the status itself: that is a
        #: whole dict per pod kept only to compare with).
        self.last_written: Optional[bytes] = None
        #: the resourceVersion that write made (the pod update echoing it starts no sync)
        self.written_version: Optional[str] = None
        self._sync_scheduled = False
        self._timer = None
        self._timer_at = 0.0
        # The clock's names for this worker's timers (a pod's name never changes).
        name = pod["metadata"]["name"]
        self._sync_name = f"kubelet sync {name}"
        self._resync_name = f"kubelet resync {name}"
        self._requests: Optional[dict[str, int]] = None
        #: The pod's /etc/hosts (made with the sandbox: it holds the pod's IP).
        self.hosts: Optional[Volume] = None
        #: When the last sync ran: the periodic resync is due a jittered syncFrequency later.
        self.last_sync_at = self.clock.now()
        #: Whether the sync under way has failed (``SyncPod`` returned an error): it is then
        #: queued again after the pod worker's back-off period.
        self.sync_failed = False
        #: The containers the sync under way tried to start (its StartContainer results):
        #: each is tried once a sync, also when the sync goes on after a pull or a kill.
        self.attempted: set[str] = set()
        self._adopt()

    # -- identity helpers ------------------------------------------------------------------------
    def node_uid(self) -> str:
        """The UID of this kubelet's Node (a service-account token names it)."""
        return ((self.kubelet.node() or {}).get("metadata") or {}).get("uid", "")

    @property
    def host_ip(self) -> str:
        return self.kubelet.host_ip

    @property
    def name(self) -> str:
        return self.pod["metadata"]["name"]

    @property
    def namespace(self) -> str:
        return self.pod["metadata"].get("namespace", "default")

    def pod_label(self) -> str:
        """``format.Pod``: ``name_namespace(uid)``."""
        return f"{self.name}_{self.namespace}({self.uid})"

    def requests(self) -> dict[str, int]:
        """The cpu and memory the pod asks for (:func:`.admission.pod_requests`), worked out
        once: a pod's resources cannot change (kube-apiserver refuses such an update)."""
        if self._requests is None:
            self._requests = pod_requests(self.pod)
        return self._requests

    def event(self, etype: str, reason: str, message: str, container: str = "") -> None:
        field_path = ""
        if container:
            record = self.records.get(container)
            field_path = record.field_path if record else f"spec.containers{{{container}}}"
        self.kubelet.recorder.event(self.pod, etype, reason, message, field_path)

    # -- scheduling syncs -------------------------------------------------------------------------
    def update(self, pod: dict) -> None:
        if self.volumes is not None and _shown_metadata_changed(self.pod, pod):
            self.volumes.stale = True  # a downwardAPI file may show a label or annotation
        self.pod = pod
        self.request_sync()

    def volumes_changed(self) -> None:
        """An object the pod's volumes show changed: they are set up again at the pod's next
        sync, at the latest its next periodic one."""
        if self.volumes is None or not self.alive:
            return
        self.volumes.stale = True
        self.resync_at(self.next_periodic_sync(self.clock.now()))

    def next_periodic_sync(self, after: float) -> float:
        """The first periodic resync after ``after``: each one comes ``syncFrequency`` times
        1 to 1.5 after the one before, starting from the last sync."""
        period = self.kubelet.config.sync_frequency
        due = self.last_sync_at + _jittered(period, self.uid, self.last_sync_at)
        while due <= after:
            due += _jittered(period, self.uid, due)
        return due

    def wrote_version(self, pod: dict) -> bool:
        """Whether ``pod`` is the version this worker's last status write made."""
        return self.written_version is not None and pod["metadata"].get("resourceVersion") == self.written_version

    def request_sync(self) -> None:
        if self._sync_scheduled or not self.alive:
            return
        self._sync_scheduled = True
        self.clock.call_later(0, self._run_sync, name=self._sync_name)

    def _run_sync(self) -> None:
        self._sync_scheduled = False
        self.sync()

    def resync_at(self, when: float) -> None:
        """Sync again at ``when`` (one timer per pod: the earliest wins)."""
        if not self.alive:
            return
        if self._timer is not None and self._timer_at <= when and self._timer_at >= self.clock.now():
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = when
        self._timer = self.clock.call_at(max(when, self.clock.now()), self._fire_timer,
                                         name=self._resync_name)

    def _fire_timer(self) -> None:
        self._timer = None
        self.sync()

    def shutdown(self) -> None:
        """The kubelet process stopped: forget timers and probes; containers keep running."""
        self.alive = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for record in self.records.values():
            record.stop_probes()

    # -- the sync ------------------------------------------------------------------------------------
    def sync(self) -> None:
        if not self.alive:
            return
        if self.busy:
            self.dirty = True  # the pod worker's pending update: synced when this sync ends
            return
        self.dirty = False
        self.sync_failed = False
        self.attempted = set()
        self._run_step(self._sync)

    def _run_step(self, step: Callable[[], Any]) -> None:
        """Run one part of a sync; an API or runtime error fails the sync (reported, and
        retried after the back-off), then the work is completed either way."""
        try:
            step()
        except (StatusError, RuntimeErrorBase) as err:
            self.kubelet.report(f"sync pod {self.namespace}/{self.name}", err)
            self.sync_failed = True
        self._complete_work()

    def _complete_work(self) -> None:
        """``completeWork``: a failed sync is queued again after the back-off period; an update
        that came while the sync ran (a runtime event, a new pod) starts the next sync at once.
        A sync waiting for a pull or a kill completes when that does."""
        if self.sync_failed:
            self.resync_at(self.requeue_after_failed_sync())
        self.last_sync_at = self.clock.now()
        if self.dirty and not self.busy:
            self.request_sync()

    def _continue_sync(self) -> None:
        """The rest of a sync that waited for an image pull or a container kill: the
        containers after that one are started, and no status is written (the status of a
        sync is the one it saw before acting; the next sync reports what this one did)."""
        self._run_step(self._run_containers)

    def requeue_after_failed_sync(self) -> float:
        """``completeWork`` after a failed sync: the pod is queued ``wait.Jitter(10s, 0.5)``
        from now, and synced at the next tick of the kubelet's one-second sync ticker."""
        now = self.clock.now()
        return self.kubelet.next_sync_tick(now + _jittered(SYNC_ERROR_RETRY, self.uid, now, SYNC_ERROR_JITTER))

    def _failed(self, record: ContainerRecord) -> None:
        """The container could not be started in this sync: the sync fails, and the container
        is tried again at the pod's requeued sync."""
        self.sync_failed = True
        record.retry_at = self.requeue_after_failed_sync()

    def _sync(self) -> None:
        if self.pod["metadata"].get("deletionTimestamp"):
            self.kubelet.terminations.run(self)
            return
        if self.rejected is not None:
            return
        if not self.admitted and not self._admit():
            return
        if self.phase in TERMINAL:
            self._stop_sandbox()
            self.write_status()
            return
        # generateAPIPodStatus and SetPodStatus come first: the status reports what the
        # runtime had and what the last sync's attempts left (the reason cache), not what
        # this sync is about to do.
        try:
            self.write_status()
        except StatusError as err:
            # The status manager writes on its own: a failed write holds up no container;
            # it is tried again at the pod's next sync.
            self.kubelet.report(f"update status of pod {self.namespace}/{self.name}", err)
            self.sync_failed = True
        if self.phase in TERMINAL:
            return  # write_status stopped the sandbox: nothing runs again
        if self._mount() and self._ensure_sandbox():
            self._run_containers()

    def _admit(self) -> bool:
        status = self.pod.get("status") or {}
        if status.get("containerStatuses") or status.get("phase") in ("Running", "Succeeded", "Failed"):
            self.admitted = True  # admitted by this node before (a kubelet restart)
            return True
        result = self.kubelet.admit(self.pod)
        if not result.admit:
            self.rejected = result
            self.event(WARNING, result.reason, result.message)
            self.write_status()
            return False
        self.admitted = True
        if not self.start_time:
            self.start_time = self.clock.timestamp()
        return True

    # -- volumes and sandbox ------------------------------------------------------------------------------
    def _mount(self) -> bool:
        if self.volumes is None:
            self.volumes = PodVolumes(self, self.kubelet.host_paths, self.kubelet.allocatable,
                                      self.clock, self.kubelet.shared_contents)
        if self.mount_retry_at > self.clock.now():
            return False
        source = ObjectSource(self.kubelet.objects, self.namespace)
        try:
            self.volumes.setup(source)
        except MountError as err:
            if err.event:
                self.event(WARNING, "FailedMount", err.message)
            self.mount_retry_at = self.clock.now() + self.mount_delay
            self.resync_at(self.mount_retry_at)
            self.mount_delay = min(self.mount_delay * 2, MOUNT_RETRY_MAX)
            return False
        if self.volumes.stale:
            for failure in self.volumes.refresh(source):
                self.event(WARNING, "FailedMount", failure.message)
        return True

    def _adopt(self) -> None:
        """Pick up a sandbox and containers this pod already has (after a kubelet restart).

        A sandbox found stopped (the node went down) is replaced by a new one; its containers
        count as the previous attempts, so restart counts go on from them. Only a pod that had
        a sandbox when the kubelet started can have one (the runtime is asked only then).
        """
        if self.uid not in self.kubelet.sandboxes_at_start:
            return
        mine = [s for s in self.runtime.list_pod_sandboxes() if s.uid == self.uid]
        ready = [s for s in mine if s.state == SANDBOX_READY]
        if ready:
            self.sandbox_id, self.pod_ip = ready[0].id, ready[0].ip
            self.kubelet.reserve_ip(ready[0].ip, self.uid)
            self.hosts = hosts_volume(self.pod, self.pod_ip, self.kubelet.config.cluster_domain,
                                      (self.host_ip, self.kubelet.node_name))
        self.dead_sandboxes = [s.id for s in mine if s.state != SANDBOX_READY]
        if not mine:
            return
        spec = self.pod.get("spec") or {}
        found: dict[str, list[ContainerStatus]] = {}
        for cs in self.runtime.list_containers():
            if cs.sandbox_id in {s.id for s in mine}:
                found.setdefault(cs.name, []).append(cs)
        for init, group, ephemeral in ((True, spec.get("initContainers") or [], False),
                                       (False, spec.get("containers") or [], False),
                                       (False, spec.get("ephemeralContainers") or [], True)):
            for c in group:
                attempts = sorted(found.get(c["name"], []), key=lambda s: (s.attempt, s.created_at))
                if not attempts:
                    continue
                record = self._record(c, init, ephemeral)
                current = attempts[-1]
                record.container_id, record.restart_count = current.id, current.attempt
                if len(attempts) > 1:
                    record.previous_id = attempts[-2].id
                    record.last_terminated = podstatus.terminated_state(attempts[-2], self.kubelet.runtime_name)
                if current.state == CONTAINER_RUNNING:
                    self._container_started(record, current.started_at)
        self.admitted = True

    def _ensure_sandbox(self) -> bool:
        if self.sandbox_id:
            return True
        if self.dead_sandboxes:
            self.event(NORMAL, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.")
        try:
            ip = self._sandbox_ip()
        except AddressesExhausted as err:
            self.event(WARNING, "FailedCreatePodSandBox",
                       f'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: plugin type="host-local" failed (add): {err}')
            self.sync_failed = True
            return False
        meta = self.pod["metadata"]
        domain = self.kubelet.config.cluster_domain
        config = PodSandboxConfig(
            name=self.name, namespace=self.namespace, uid=self.uid, ip=ip,
            hostname=sandbox_hostname(self.pod, domain) or self.kubelet.node_name,
            labels=_read_only(meta.get("labels")), annotations=_read_only(meta.get("annotations")),
            dns_config=self.kubelet.pod_dns.for_pod(
                self.pod, lambda message: self.event(WARNING, "DNSConfigForming", message)))
        self.sandbox_id = self.runtime.run_pod_sandbox(config)
        self.pod_ip = ip
        self.sandbox_stopped = False
        self.hosts = hosts_volume(self.pod, ip, domain, (self.host_ip, self.kubelet.node_name))
        self.request_sync()  # the PLEG sees the new sandbox: the next sync reports its IP
        return True

    def _sandbox_ip(self) -> str:
        """The sandbox's IP: a ``hostNetwork`` pod shares the node's network namespace, so its
        podIP is the node's InternalIP (no address from the pod CIDR, no CNI call); any other
        pod gets the next free address of the node's pod CIDR."""
        if (self.pod.get("spec") or {}).get("hostNetwork"):
            return self.host_ip
        return self.kubelet.allocate_ip(self.uid)

    def _stop_sandbox(self) -> None:
        for record in self.records.values():
            record.stop_probes()
            record.ready = False
        if self.sandbox_id and not self.sandbox_stopped:
            self.sandbox_stopped = True
            try:
                self.runtime.stop_pod_sandbox(self.sandbox_id)
            except NotFoundError:
                pass

    # -- containers -----------------------------------------------------------------------------------------
    def _record(self, spec: dict, init: bool = False, ephemeral: bool = False) -> ContainerRecord:
        record = self.records.get(spec["name"])
        if record is None:
            record = self.records[spec["name"]] = ContainerRecord(spec, init)
            if ephemeral:
                record.field_path = f"spec.ephemeralContainers{{{record.name}}}"
        record.spec = spec
        return record

    def container_status(self, record: ContainerRecord) -> Optional[ContainerStatus]:
        if not record.container_id:
            return None
        try:
            return self.runtime.container_status(record.container_id)
        except NotFoundError:
            return None

    def _run_containers(self) -> None:
        spec = self.pod.get("spec") or {}
        policy = spec.get("restartPolicy") or "Always"
        if not self._run_ephemeral_containers(spec):
            return
        for c in spec.get("initContainers") or []:
            record = self._record(c, init=True)
            if record.name in self.attempted:
                return
            cs = self.container_status(record)
            if cs is None:
                self._maybe_start(record)
                return
            if cs.state != CONTAINER_EXITED:
                return
            if cs.exit_code == 0:
                record.waiting = None
                continue
            if policy != "Never":
                self._restart(record, cs)
            return
        for c in spec.get("containers") or []:
            record = self._record(c)
            if record.name in self.attempted:
                continue
            cs = self.container_status(record)
            if cs is None:
                if not self._maybe_start(record):
                    return
                continue
            if cs.state != CONTAINER_EXITED:
                if record.kill_message and cs.state == CONTAINER_RUNNING and not self._kill_and_restart(record, policy):
                    return
                continue
            record.ready = False
            record.stop_probes()
            if policy == "Always" or (policy == "OnFailure" and cs.exit_code != 0):
                if not self._restart(record, cs):
                    return
            else:
                record.waiting = None

    def _run_ephemeral_containers(self, spec: dict) -> bool:
        """``SyncPod`` step 6, before init and app containers: start each ephemeral container
        that never ran (a failed pull is retried as for any container). One that ran is never
        started again, whatever its exit. False while an image pull is in flight."""
        for c in spec.get("ephemeralContainers") or []:
            record = self._record(c, ephemeral=True)
            if record.name in self.attempted or record.container_id:
                continue
            if not self._maybe_start(record):
                return False
        return True

    def _maybe_start(self, record: ContainerRecord) -> bool:
        """Start unless a retry is not yet due. False while an image pull is in flight."""
        if record.retry_at > self.clock.now():
            self.resync_at(record.retry_at)
            return True
        return self._start(record)

    def _restart(self, record: ContainerRecord, cs: ContainerStatus) -> bool:
        """``doBackOff``, then start: a container that exited restarts at once the first time
        (no back-off yet); after that only at a sync when its back-off since it finished ran
        out, each such restart doubling the next back-off."""
        key = f"{self.uid}_{record.name}"
        backoff = self.kubelet.crash_backoff
        if backoff.in_backoff_since(key, cs.finished_at):
            self._in_crash_loop_back_off(record, go_duration(backoff.get(key)))
            return True
        if record.retry_at > self.clock.now():
            self.resync_at(record.retry_at)
            return True
        backoff.next(key, cs.finished_at)
        return self._start(record)

    def _in_crash_loop_back_off(self, record: ContainerRecord, backoff: str) -> None:
        """A sync inside the container's back-off: the event ``BackOff`` (again at every such
        sync: the recorder counts them), the waiting reason, and the sync fails with
        ``ErrCrashLoopBackOff`` (so the pod is requeued)."""
        self.attempted.add(record.name)
        label = self.pod_label()
        record.waiting = ("CrashLoopBackOff",
                          f"back-off {backoff} restarting failed container={record.name} pod={label}")
        self.event(WARNING, "BackOff", f"Back-off restarting failed container {record.name} in pod {label}",
                   record.name)
        self.sync_failed = True

    def _start(self, record: ContainerRecord) -> bool:
        self.attempted.add(record.name)
        op = self.kubelet.images.ensure(self.pod, record.spec, record.field_path)
        if op.done:
            self._create_and_start(record, op.result())
            return True
        self.busy = True

        def pulled(done_op) -> None:
            if not self._resume_after_wait():
                return
            try:
                self._create_and_start(record, done_op.result())
            except (StatusError, RuntimeErrorBase) as err:
                self.kubelet.report(f"start container {record.name}", err)
            self._continue_sync()

        op.add_done_callback(pulled)
        return False

    def _create_and_start(self, record: ContainerRecord, image: ImageResult) -> None:
        now = self.clock.now()
        if not image.ok:
            record.waiting = (image.reason, image.message)
            self.event(WARNING, "Failed", f"Error: {image.reason}", record.name)
            self._failed(record)
            if image.reason == ERR_IMAGE_PULL and self._first_pull_failure(record):
                # The sync the new sandbox started (the PLEG saw it during the pull) comes
                # right after this one: it shows ErrImagePull and meets the back-off.
                record.retry_at = now
            return
        try:
            env = self._environment(record.spec)
        except ContainerConfigError as err:
            record.waiting = (CREATE_CONTAINER_CONFIG_ERROR, err.message)
            self.event(WARNING, "Failed", f"Error: {err.message}", record.name)
            self._failed(record)
            return
        command, args = expand_command(record.spec, env)
        attempt = record.restart_count + (1 if record.container_id else 0)
        config = self._container_config(record.spec, command, args, env, attempt)
        try:
            cid = self.runtime.create_container(self.sandbox_id, config)
        except RuntimeErrorBase as err:
            record.waiting = ("CreateContainerError", err.message)
            self.event(WARNING, "Failed", f"Error: {err.message}", record.name)
            self._failed(record)
            return
        self._replace_container(record, cid, attempt)
        self.event(NORMAL, "Created", shared_message("Created container {}", record.name), record.name)
        try:
            self.runtime.start_container(cid)
        except ContainerStartError as err:
            # ErrRunContainer: the reason cache keeps RunContainerError; the PLEG sees the
            # container exited and syncs the pod again.
            record.waiting = (RUN_CONTAINER_ERROR, err.message)
            self.event(WARNING, "Failed", f"Error: {err.message}", record.name)
            self.sync_failed = True
            self.request_sync()
            return
        self.event(NORMAL, "Started", shared_message("Started container {}", record.name), record.name)
        cs = self.container_status(record)
        self._container_started(record, cs.started_at if cs else now)
        self.kubelet.terminations.post_start(self, record)

    def _first_pull_failure(self, record: ContainerRecord) -> bool:
        """Whether the pull that just failed is the first of this image for this pod (its
        back-off at the initial 10 s): the sync that created the pod's sandbox, whose PLEG
        event is waiting for the next sync."""
        key = f"{self.uid}_{record.spec.get('image', '')}"
        backoff = self.kubelet.images.backoff
        return backoff.get(key) == backoff.initial

    def _replace_container(self, record: ContainerRecord, cid: str, attempt: int) -> None:
        if record.container_id:
            old = self.container_status(record)
            if old is not None:
                record.last_terminated = podstatus.terminated_state(old, self.kubelet.runtime_name)
            if record.previous_id:
                try:
                    self.runtime.remove_container(record.previous_id)
                except NotFoundError:
                    pass
            record.previous_id = record.container_id
        record.container_id = cid
        record.restart_count = attempt
        record.waiting = None
        record.kill_message = ""
        record.retry_at = 0.0
        record.ready = record.started = False

    def _environment(self, spec: dict) -> list[tuple[str, str]]:
        source = ObjectSource(self.kubelet.objects, self.namespace)
        svc = self.kubelet.service_env.for_pod(self.kubelet.services_in, self.pod)
        if not _reads_pod_or_node(spec):
            # No variable takes its value from the downward API: neither the pod with its IPs
            # nor the node's allocatable is looked at, so neither is made.
            return make_environment(self.pod, spec, source, svc, {})
        pod = self.pod_with_ips()
        return make_environment(pod, spec, source, svc, self.kubelet.allocatable())

    def pod_with_ips(self) -> dict:
        """The pod as the downward API sees it: with this node's IPs filled in."""
        status = dict(self.pod.get("status") or {})
        status.update(hostIP=self.host_ip, hostIPs=[{"ip": self.host_ip}])
        if self.pod_ip:
            status.update(podIP=self.pod_ip, podIPs=[{"ip": self.pod_ip}])
        return dict(self.pod, status=status)

    def _container_config(self, spec: dict, command, args, env, attempt: int) -> ContainerConfig:
        limits = (spec.get("resources") or {}).get("limits") or {}
        requests = (spec.get("resources") or {}).get("requests") or {}
        memory = resource_amount("memory", limits["memory"]) if "memory" in limits else None
        cpu = resource_amount("cpu", limits["cpu"]) if "cpu" in limits else None
        cpu_request = resource_amount("cpu", requests["cpu"]) if "cpu" in requests else None
        return ContainerConfig(
            name=spec["name"], image=spec.get("image", ""), command=command, args=args,
            env=tuple(env), working_dir=spec.get("workingDir") or "",
            mounts=self._mounts(spec),
            memory_limit_bytes=memory, cpu_limit_millicores=cpu, cpu_request_millicores=cpu_request,
            attempt=attempt, stdin=bool(spec.get("stdin")), tty=bool(spec.get("tty")),
            labels={"io.kubernetes.container.name": spec["name"], "io.kubernetes.pod.name": self.name,
                    "io.kubernetes.pod.namespace": self.namespace, "io.kubernetes.pod.uid": self.uid})

    def _mounts(self, spec: dict) -> tuple[Mount, ...]:
        """``makeMounts``: the container's volume mounts, and the pod's hosts file at
        ``/etc/hosts`` unless the container mounts something there itself."""
        mounts = self.volumes.mounts(spec) if self.volumes else ()
        if self.hosts is None or any(m.container_path == ETC_HOSTS for m in mounts):
            return mounts
        return (*mounts, Mount(ETC_HOSTS, self.hosts, False, HOSTS_FILE))

    # -- probes -------------------------------------------------------------------------------------------------
    def _container_started(self, record: ContainerRecord, started_at: float) -> None:
        spec = record.spec
        record.stop_probes()
        record.started = not spec.get("startupProbe")
        record.ready = not spec.get("readinessProbe") and record.started
        if record.init:
            return
        if spec.get("startupProbe"):
            record.probes.append(self._probe(record, STARTUP, started_at))
        else:
            self._start_probes(record, started_at)

    def _start_probes(self, record: ContainerRecord, started_at: float) -> None:
        for kind, key in ((LIVENESS, "livenessProbe"), (READINESS, "readinessProbe")):
            if record.spec.get(key):
                record.probes.append(self._probe(record, kind, started_at))

    def _probe(self, record: ContainerRecord, kind: str, started_at: float) -> ProbeWorker:
        spec = record.spec[f"{kind}Probe"]
        return ProbeWorker(kind, spec, record.spec, record.container_id, started_at, self,
                           lambda worker, ok: self._probe_result(record, worker, ok))

    def _probe_result(self, record: ContainerRecord, worker: ProbeWorker, success: bool) -> None:
        if not self.alive or worker.container_id != record.container_id:
            return
        if worker.kind == READINESS:
            if record.ready != success:
                record.ready = success
                self.request_sync()
            return
        if worker.kind == STARTUP and success:
            record.started = True
            record.ready = not record.spec.get("readinessProbe")
            cs = self.container_status(record)
            self._start_probes(record, cs.started_at if cs else self.clock.now())
            self.request_sync()
            return
        if success:
            return
        # The probe manager's update syncs the pod; that sync kills the container (and starts
        # it again) after writing the status it saw: still running.
        record.kill_message = f"Container {record.name} failed {worker.kind} probe"
        self.request_sync()

    def _kill_grace(self, record: ContainerRecord) -> float:
        """The grace period of a kill: the probe's ``terminationGracePeriodSeconds`` if set,
        else the pod's."""
        probe_grace = None
        for key in ("livenessProbe", "startupProbe"):
            probe = record.spec.get(key) or {}
            if probe.get("terminationGracePeriodSeconds") is not None:
                probe_grace = probe["terminationGracePeriodSeconds"]
        spec = self.pod.get("spec") or {}
        return float(probe_grace if probe_grace is not None else spec.get("terminationGracePeriodSeconds", 30))

    def kill_container(self, record: ContainerRecord, message: str, reason: str = "Killing") -> None:
        """Stop the container with the pod's grace period (a failed postStart hook)."""
        record.stop_probes()
        record.ready = False
        self.event(NORMAL, "Killing", message, record.name)
        try:
            op = self.runtime.stop_container(record.container_id, self._kill_grace(record))
        except NotFoundError:
            return
        op.add_done_callback(lambda _op: self.request_sync())

    def _kill_and_restart(self, record: ContainerRecord, policy: str) -> bool:
        """``computePodActions`` for a container whose liveness or startup probe failed: the
        sync kills it (``Killing``: ``Container web failed liveness probe, will be
        restarted``) and, unless the restart policy is Never, starts it again before it ends,
        so no status shows it stopped. False while the kill waits for the grace period."""
        restart = policy != "Never"
        message = record.kill_message + (", will be restarted" if restart else "")
        record.kill_message = ""
        record.stop_probes()
        record.ready = False
        self.event(NORMAL, "Killing", message, record.name)
        try:
            op = self.runtime.stop_container(record.container_id, self._kill_grace(record))
        except NotFoundError:
            return True
        if not restart:
            return True  # the PLEG sees it exit
        if op.done:
            self._restart_killed(record)
            return not self.busy
        self.busy = True

        def killed(_op) -> None:
            if not self._resume_after_wait():
                return
            started = False
            try:
                started = self._restart_killed(record)
            except (StatusError, RuntimeErrorBase) as err:
                self.kubelet.report(f"start container {record.name}", err)
            if self.busy:
                return  # an image pull: the sync goes on when it completes
            if started:
                self._continue_sync()
            else:
                self._complete_work()

        op.add_done_callback(killed)
        return False

    def _resume_after_wait(self) -> bool:
        """An image pull or a kill this sync waited for has finished: may the sync go on? Not
        once the worker stopped; and a pod being deleted gets a fresh sync instead."""
        self.busy = False
        if not self.alive:
            return False
        if self.pod["metadata"].get("deletionTimestamp"):
            self.sync()
            return False
        return True

    def _restart_killed(self, record: ContainerRecord) -> bool:
        """Start a container this sync killed. ``doBackOff`` judges by the pod as the sync saw
        it before the kill, where the latest exited container of that name is the one before
        the killed one: its ``finishedAt`` (none at the first kill: no back-off, and none
        counted). False if that back-off holds the start."""
        key = f"{self.uid}_{record.name}"
        backoff = self.kubelet.crash_backoff
        previous = record.last_terminated
        if previous is not None:
            finished = parse_timestamp(previous["finishedAt"])
            if backoff.in_backoff_since(key, finished):
                self._in_crash_loop_back_off(record, go_duration(backoff.get(key)))
                return False
            backoff.next(key, finished)
        self._start(record)
        return True

    def container_died(self, container_id: str) -> None:
        for record in self.records.values():
            if record.container_id == container_id:
                record.stop_probes()
                record.ready = False
        self.request_sync()

    # -- status -----------------------------------------------------------------------------------------------------
    def compute_status(self) -> dict:
        """The pod's status as the kubelet sees it now (``generateAPIPodStatus``), its fields
        in the order the Go struct serializes them (:func:`.status.ordered_status`). Built
        afresh: no dict or list in it belongs to the informer's pod or to the worker's
        records (but a rejected pod's, which keeps the informer's conditions)."""
        pod = self.pod
        spec = pod.get("spec") or {}
        old = pod.get("status") or {}
        if self.rejected is not None:
            return self._rejected_status(old)
        runtime_name = self.kubelet.runtime_name
        init_statuses = []
        for c in spec.get("initContainers") or []:
            record = self._record(c, init=True)
            cs = self.container_status(record)
            init_statuses.append(podstatus.container_status(
                c, record, cs, runtime_name, "PodInitializing", self._cached_reason(record, cs)))
        # convertToAPIContainerStatuses: a container not started yet waits as
        # PodInitializing in a pod that has init containers (finished or not), else as
        # ContainerCreating.
        default = "PodInitializing" if init_statuses else "ContainerCreating"
        statuses = []
        for c in spec.get("containers") or []:
            record = self._record(c)
            cs = self.container_status(record)
            statuses.append(podstatus.container_status(
                c, record, cs, runtime_name, default, self._cached_reason(record, cs)))
        phase = podstatus.pod_phase(spec, init_statuses, statuses, False)
        if self.termination is not None and self.termination.finished:
            phase = self.termination.final_phase(statuses)
        self.phase = phase
        now = self.clock.timestamp()
        # Built in serialization order; the kept fields (qosClass, nominatedNodeName, resize)
        # go where ordered_status would put them.
        status: dict = {"phase": phase, "conditions": podstatus.conditions(
            old.get("conditions") or [], now,
            sandbox_ready=bool(self.sandbox_id) and not self.sandbox_stopped, phase=phase, spec=spec,
            init_statuses=init_statuses, statuses=statuses)}
        if "nominatedNodeName" in old:
            status["nominatedNodeName"] = old["nominatedNodeName"]
        host_ip = self.kubelet.host_ip
        status["hostIP"] = host_ip
        status["hostIPs"] = [{"ip": host_ip}]
        if self.pod_ip:
            status["podIP"] = self.pod_ip
            status["podIPs"] = [{"ip": self.pod_ip}]
        status["startTime"] = self.start_time or now
        if init_statuses:
            status["initContainerStatuses"] = init_statuses
        status["containerStatuses"] = statuses
        if "qosClass" in old:
            status["qosClass"] = old["qosClass"]
        if spec.get("ephemeralContainers"):
            status["ephemeralContainerStatuses"] = self._ephemeral_statuses(spec, default)
        if "resize" in old:
            status["resize"] = old["resize"]
        return status

    def _ephemeral_statuses(self, spec: dict, default: str) -> list[dict]:
        """``ephemeralContainerStatuses``: as other containers', but never ready and with no
        ``started`` (the prober manager sets both only for init and app containers)."""
        out = []
        for c in spec["ephemeralContainers"]:
            record = self._record(c, ephemeral=True)
            cs = self.container_status(record)
            # an ephemeral container that ended is never started again: no reason to wait for
            cached = None if cs is not None and cs.state == CONTAINER_EXITED else self._cached_reason(record, cs)
            status = podstatus.container_status(c, record, cs, self.kubelet.runtime_name, default, cached)
            status["ready"] = False
            del status["started"]
            out.append(status)
        return out

    def _cached_reason(self, record: ContainerRecord, cs: Optional[ContainerStatus]) -> Optional[tuple[str, str]]:
        """The reason cache's entry for a container (why the last sync could not start it),
        shown only if the kubelet would start it again (``ShouldContainerBeRestarted``): not
        while it runs, not once the pod is being deleted, not after an exit its restart policy
        keeps (an init container's or ``OnFailure`` container's exit 0, any exit under
        ``Never``)."""
        if record.waiting is None or self.pod["metadata"].get("deletionTimestamp"):
            return None
        if cs is None or cs.state == CONTAINER_CREATED:
            return record.waiting
        if cs.state == CONTAINER_RUNNING:
            return None
        policy = (self.pod.get("spec") or {}).get("restartPolicy") or "Always"
        if policy == "Never" or (cs.exit_code == 0 and (record.init or policy == "OnFailure")):
            return None
        return record.waiting

    def _rejected_status(self, old: dict) -> dict:
        """The status of a pod admission rejected: ``Failed`` with the reason and message."""
        status: dict = {k: v for k, v in old.items()
                        if k in ("qosClass", "nominatedNodeName", "conditions", "resize")}
        status.update(phase="Failed", reason=self.rejected.reason,
                      message="Pod was rejected: " + self.rejected.message)
        status["startTime"] = self.start_time or self.clock.timestamp()
        self.phase = "Failed"
        return podstatus.ordered_status(status)

    def write_status(self) -> None:
        """The status manager: PATCH pods/status only when the status changed."""
        status = self.compute_status()
        if self.phase in TERMINAL and self.termination is None:
            self._stop_sandbox()
            status = self.compute_status()
        current = self.pod.get("status") or {}
        if status == current:
            return
        digest = podstatus.status_digest(status)
        if digest == self.last_written:
            return  # written already; the informer has not caught up yet
        # compute_status builds every part afresh, so the status is handed over, not copied
        # (a rejected pod's status keeps the informer's conditions: that one is copied).
        patched = self.kubelet.client.patch(
            "pods", self.name, [{"op": "replace", "path": "/status", "value": status}],
            namespace=self.namespace, patch_type="json", subresource="status",
            hand_over=self.rejected is None)
        self.last_written = digest
        self.written_version = patched.get("metadata", {}).get("resourceVersion")
        if patched.get("metadata", {}).get("uid") == self.uid:
            self.pod = patched

    # -- the end ---------------------------------------------------------------------------------------------------------
    def cleanup(self) -> None:
        """The pod object is gone: remove its sandbox and containers, release its IP."""
        self.shutdown()
        for sandbox_id in [self.sandbox_id, *self.dead_sandboxes]:
            if not sandbox_id:
                continue
            try:
                self.runtime.remove_pod_sandbox(sandbox_id)
            except NotFoundError:
                pass
        self.kubelet.release_ip(self.uid)
        self.kubelet.images.forget_pod(self.uid)
        self.kubelet.crash_backoff.forget_prefix(f"{self.uid}_")

    def running_records(self) -> list[ContainerRecord]:
        out = []
        for record in self.records.values():
            cs = self.container_status(record)
            if cs is not None and cs.state == CONTAINER_RUNNING:
                out.append(record)
        return out
