"""SimRuntime: a container runtime whose containers run a model of their command on the clock.

Mirrors containerd's CRI plugin on one node: an image store filled by pulls, pod sandboxes that
hold a pod's network namespace (its IP and the ports its containers listen on — containers of a
pod reach each other on ``localhost``), and containers that move created → running → exited with
containerd's reasons (``Completed``, ``Error``, ``OOMKilled``, ``StartError``) and exit codes.

How a container runs: the runtime computes its argv with Docker's rules (``command`` replaces
the image ENTRYPOINT and drops CMD; ``args`` replaces CMD), checks that the executable exists in
the image (else ``StartError``, exit code 128, with runc's message), and starts the program as a
simulated process (:mod:`.process`). Shells are interpreted by :mod:`.shell`; image programs
(nginx, redis, agnhost, stress …) are modelled in :mod:`.images`. Output goes to the container
log with the cluster time of each line.

Guarantees:

* Pulls take ``0.5 s + size / 20 MiB/s`` of cluster time; concurrent pulls of one image share
  the download; unknown images or tags fail with containerd's ``rpc error: …`` text.
* ``stop_container`` sends the image's stop signal (SIGQUIT for nginx, SIGWINCH for httpd,
  SIGTERM otherwise) to PID 1. A program that handles it exits at once; one that does not (a
  shell or ``sleep`` as PID 1 ignores SIGTERM, as on Linux) is SIGKILLed when the timeout ends:
  exit code 137, reason ``Error``.
* A container whose memory use exceeds its limit is killed at once: exit code 137, reason
  ``OOMKilled``, and an ``oom`` event before ``died``.
* Ids, logs and timings depend only on the clock, the node name and the calls made.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, Optional, Union

from labkube.core.clock import Clock, format_micro_timestamp
from labkube.runtime.cri import (
    CONTAINER_CREATED, CONTAINER_EXITED, CONTAINER_RUNNING, EVENT_DIED, EVENT_OOM, EVENT_STARTED,
    EXIT_SIGKILL, EXIT_START_ERROR, REASON_COMPLETED, REASON_ERROR, REASON_OOM_KILLED,
    REASON_START_ERROR, SANDBOX_NOTREADY, SANDBOX_READY, ConnectionFailed, ContainerConfig,
    ContainerEvent, ContainerFilter, ContainerStartError, ContainerStateError, ContainerStats,
    ContainerStatus, ExecFailedError, ExecResult, HttpResponse, Image, ImagePullError,
    InvalidImageNameError, LogLine, NODE_RESOLV_CONF, DNSConfig, Network, NotFoundError, Operation,
    PodSandboxConfig, PodSandboxStatus, PullResult,
)
from labkube.runtime.reference import Reference, parse_reference
from labkube.runtime.sim import images as _images  # noqa: F401  (registers image programs)
from labkube.runtime.sim import utils as _utils  # noqa: F401  (registers the utilities)
from labkube.runtime.sim import ls as _ls  # noqa: F401  (registers ls)
from labkube.runtime.sim import curl as _curl  # noqa: F401  (registers curl)
from labkube.runtime.sim.mounts import DEFAULT_DISK_BYTES, DEFAULT_MEMORY_BYTES
from labkube.runtime.sim.cpu_work import ServedWork
from labkube.runtime.sim.fs import ContainerFS, normpath, pin_sub_path
from labkube.runtime.sim.images import ImageProfile, image_files, image_record, lookup
from labkube.runtime.sim.process import (
    PROGRAMS, Capture, HttpHandler, Listener, Proc, ProgramGen, Sleep, Wait,
)

RUNTIME_NAME = "containerd"
RUNTIME_VERSION = "1.7.24"
PULL_RESOLVE_SECONDS = 0.5
PULL_BYTES_PER_SECOND = 20 * 1024 * 1024
EXEC_SYNC_DEFAULT_TIMEOUT = 3600.0


def pull_seconds(size: int) -> float:
    """Simulated time to pull an image of ``size`` bytes."""
    return round(PULL_RESOLVE_SECONDS + size / PULL_BYTES_PER_SECOND, 3)


# -- internal records ---------------------------------------------------------------------------
@dataclass(slots=True)
class _Sandbox:
    id: str
    config: PodSandboxConfig
    created_at: float
    state: str = SANDBOX_READY
    listeners: dict[int, tuple[str, Listener]] = field(default_factory=dict)
    containers: list[str] = field(default_factory=list)
    #: (the node's network, the same seen from this pod), made on first use.
    network: Optional[tuple[Any, Any]] = None


class _LogWriter:
    """A container's stdout or stderr: complete lines get the time they were finished."""

    __slots__ = ("container", "stream", "partial")

    def __init__(self, container: "_Container", stream: str) -> None:
        self.container, self.stream, self.partial = container, stream, ""

    def write(self, text: str) -> None:
        if not text:
            return
        lines = (self.partial + text).split("\n")
        self.partial = lines.pop()
        now = self.container.runtime.clock.now()
        self.container.log.extend((now, self.stream, line) for line in lines)


@dataclass(slots=True)
class _Process:
    pid: int
    name: str
    gen: ProgramGen
    proc: Proc
    main: bool = False
    timer: object = None
    running: bool = False
    exited: bool = False
    exit_code: int = 0
    on_signal: Optional[Callable[[str], Optional[int]]] = None
    allocated: int = 0
    cpu: int = 0
    waiters: list[Callable[[], None]] = field(default_factory=list)


class _Container:
    """One container and the :class:`~.process.Host` its processes see."""

    # One per container on the node: slots keep each one small. ``redis_config`` is set only
    # by a redis server (its programs read it with ``getattr(host, "redis_config", {})``).
    __slots__ = ("runtime", "id", "sandbox", "config", "ref", "profile", "image", "state",
                 "created_at", "started_at", "finished_at", "exit_code", "reason", "message",
                 "log", "stdout", "stderr", "procs", "next_pid", "stop_ops", "kill_timer", "_fs",
                 "default_server", "redis_config", "image_text", "_status", "_status_key",
                 "serial", "served_work")

    def __init__(self, runtime: "SimRuntime", cid: str, sandbox: _Sandbox,
                 config: ContainerConfig, ref: Reference, profile: ImageProfile,
                 image: Image) -> None:
        self.runtime = runtime
        self.id = cid
        self.sandbox = sandbox
        self.config = config
        self.ref = ref
        #: ``str(ref)``: the image every status of this container names.
        self.image_text = str(ref)
        self.profile = profile
        self.image = image
        self.state = CONTAINER_CREATED
        self.created_at = runtime.clock.now()
        self.started_at = self.finished_at = 0.0
        self.exit_code = 0
        self.reason = self.message = ""
        self.log: list[tuple[float, str, str]] = []
        self.stdout = _LogWriter(self, "stdout")
        self.stderr = _LogWriter(self, "stderr")
        self.procs: dict[int, _Process] = {}
        self.next_pid = 1
        self.stop_ops: list[Operation[ContainerStatus]] = []
        self.kill_timer = None
        self._status: Optional[ContainerStatus] = None
        self._status_key: tuple = ()
        #: The runtime's count of ids made so far: names the container's snapshot.
        self.serial = runtime._counter
        #: CPU spent answering requests (hpa-example's index.php); None until the first one.
        self.served_work: Optional[ServedWork] = None
        if any(mount.sub_path for mount in config.mounts):
            # A subPath is bound when the container is made: later volume changes miss it.
            pinned = tuple(pin_sub_path(m) for m in config.mounts)
            if any(a is not b for a, b in zip(pinned, config.mounts)):
                self.config = replace(config, mounts=pinned)
        # /etc/hostname written into a volume (one mounted over /etc) is seen by every
        # container of the pod at once: that filesystem is made now, as runc would.
        self._fs = self._new_fs() if _mounted_over_hostname(config.mounts) else None
        ep = profile.entrypoint
        self.default_server = profile.cmd[0] if ep and ep[0].endswith("docker-entrypoint.sh") \
            and ep[0] != "/docker-entrypoint.sh" and profile.cmd else ""

    @property
    def fs(self) -> ContainerFS:
        """The container's filesystem: the image's files, ``/etc/hostname`` and the mounts.
        Made when first used (most containers never read a file: ``pause``), which is
        the same as made at creation, as nothing but this container's processes writes
        to its root (a mount over ``/etc/hostname`` is set up at creation)."""
        if self._fs is None:
            self._fs = self._new_fs()
        return self._fs

    def _new_fs(self) -> ContainerFS:
        """The image's files and mounts, plus the files containerd binds from the sandbox
        into every container that does not mount that path itself: ``/etc/hostname`` (the
        sandbox's hostname and a newline) and ``/etc/resolv.conf`` (from the kubelet's DNS
        settings, else the node's own file). ``/etc/hosts`` is the kubelet's mount."""
        mounts = self.config.mounts
        fs = ContainerFS(image_files(self.profile), mounts)
        own = {normpath(m.container_path) for m in mounts} if mounts else ()
        if "/etc/hostname" not in own:
            fs.write("/etc/hostname", self.hostname + "\n")
        if "/etc/resolv.conf" not in own:
            fs.write("/etc/resolv.conf", self.runtime.resolv_conf(self.sandbox.config.dns_config))
        return fs

    # -- Host attributes the programs read (from the image) ------------------------------------
    @property
    def toolset(self) -> str:
        return self.profile.toolset

    @property
    def shell(self) -> str:
        return self.profile.shell

    @property
    def features(self) -> frozenset[str]:
        return self.profile.features

    @property
    def image_tag(self) -> str:
        return self.ref.tag

    @property
    def node(self) -> "SimRuntime":
        """The node's machine as ``df`` sees it: its memory, disk and images."""
        return self.runtime

    @property
    def snapshots(self) -> tuple[int, int]:
        """The overlayfs snapshot numbers of the image's layer and the container's own
        (containerd numbers snapshots as it makes them: images first, as they were pulled)."""
        images = list(self.runtime._images)
        key = self.image_text
        lower = images.index(key) + 1 if key in images else 1
        return lower, len(images) + self.serial

    # -- Host protocol ---------------------------------------------------------------------------
    @property
    def hostname(self) -> str:
        return self.sandbox.config.hostname or self.sandbox.config.name

    @property
    def pod_ip(self) -> str:
        return self.sandbox.config.ip

    @property
    def network(self) -> Optional[Network]:
        """The node's network as this pod sees it: the pod's IP is the source of its requests
        (what ClientIP session affinity and NetworkPolicies look at)."""
        return self.runtime.pod_network(self.sandbox)

    def now(self) -> float:
        return self.runtime.clock.now()

    def has_binary(self, name: str) -> bool:
        return name in self.profile.tools()

    def listen(self, pid: int, port: int, http: Optional[HttpHandler]) -> bool:
        if port in self.sandbox.listeners:
            return False
        self.sandbox.listeners[port] = (self.id, Listener(port, pid, http))
        return True

    def local_http(self, port: int, path: str, headers: dict, client_ip: str) -> HttpResponse:
        return self.runtime._sandbox_http(self.sandbox, port, path, headers, client_ip)

    def local_tcp(self, port: int) -> bool:
        return port in self.sandbox.listeners

    def spawn(self, proc: Proc, gen: ProgramGen, name: str) -> int:
        pid = self.next_pid
        self.next_pid += 1
        child = proc.child(pid=pid, name=name)
        process = _Process(pid, name, gen, child)
        self.procs[pid] = process
        self.runtime._schedule(self, process, 0)
        return pid

    def processes(self) -> list[tuple[int, str]]:
        """(pid, name) of every live process, for ``ps`` and ``killall``."""
        return [(p.pid, p.name) for p in self.procs.values() if not p.exited]

    def register(self, pid: int, name: str, on_signal: Callable[[str], Optional[int]]) -> None:
        process = self.procs.get(pid)
        if process is not None:
            process.name = name
            process.on_signal = on_signal

    def signal(self, target: Union[str, int], sig: str) -> bool:
        found = [p for p in self.procs.values() if not p.exited and
                 (p.pid == target if isinstance(target, int) else p.name == target)]
        for process in found:
            if sig != "0":
                self.runtime._deliver(self, process, sig)
        return bool(found)

    def allocate(self, pid: int, nbytes: int) -> None:
        process = self.procs.get(pid)
        if process is not None:
            process.allocated += nbytes
        limit = self.config.memory_limit_bytes
        if limit is not None and self.memory_usage() > limit:
            self.runtime.clock.call_later(0, lambda: self.runtime._oom_kill(self))

    def set_cpu(self, pid: int, millicores: int) -> None:
        process = self.procs.get(pid)
        if process is not None:
            process.cpu = millicores

    def charge_cpu(self, cpu_seconds: float) -> None:
        """Count CPU time spent serving a request (see :mod:`.cpu_work`)."""
        if self.served_work is None:
            self.served_work = ServedWork()
        self.served_work.charge(self.runtime.clock.now(), cpu_seconds)

    def memory_usage(self) -> int:
        live = [p for p in self.procs.values() if not p.exited]
        return self.profile.memory_bytes + sum(p.allocated for p in live)

    def status(self) -> ContainerStatus:
        """The CRI status. Made again only when a field that changes over the container's
        life has changed (the kubelet asks several times per sync); the status is frozen, so
        handing out the same one is safe."""
        key = (self.state, self.started_at, self.finished_at, self.exit_code, self.reason,
               self.message)
        if key != self._status_key or self._status is None:
            self._status_key = key
            self._status = ContainerStatus(
                id=self.id, sandbox_id=self.sandbox.id, name=self.config.name,
                image=self.image_text, image_ref=self.image.repo_digests[0],
                attempt=self.config.attempt, state=self.state, created_at=self.created_at,
                started_at=self.started_at, finished_at=self.finished_at,
                exit_code=self.exit_code, reason=self.reason, message=self.message)
        return self._status


class SimRuntime:
    """The simulated CRI runtime of one node. See the module docstring for its guarantees."""

    def pod_network(self, sandbox: _Sandbox) -> Optional[Network]:
        """The node's ``network`` seen from one sandbox: ``network.for_pod(namespace, ip)`` when
        the network offers it, made once per sandbox; else the node's network itself."""
        node_network = self.network
        cached = sandbox.network
        if cached is not None and cached[0] is node_network:
            return cached[1]
        for_pod = getattr(node_network, "for_pod", None)
        seen = for_pod(sandbox.config.namespace, sandbox.config.ip) if for_pod and sandbox.config.ip else node_network
        sandbox.network = (node_network, seen)
        return seen

    def __init__(self, clock: Clock, node_name: str = "node", network: Optional[Network] = None,
                 preloaded: tuple[str, ...] = ()) -> None:
        self.clock = clock
        self.node_name = node_name
        self.network = network
        self._images: dict[str, Image] = {}
        self._pulls: dict[str, Operation[PullResult]] = {}
        self._sandboxes: dict[str, _Sandbox] = {}
        self._containers: dict[str, _Container] = {}
        self._subscribers: list[Callable[[ContainerEvent], None]] = []
        self._counter = 0
        #: The node's own /etc/resolv.conf, copied into sandboxes given no DNS settings.
        self.host_resolv_conf = NODE_RESOLV_CONF.encode()
        #: The bytes of each distinct resolv.conf: pods of one namespace share one.
        self._resolv_files: dict[Optional[DNSConfig], bytes] = {}
        #: The node's machine, as ``df`` and a memory-backed volume's tmpfs see it.
        self.memory_bytes = DEFAULT_MEMORY_BYTES
        self.disk_bytes = DEFAULT_DISK_BYTES
        for image in preloaded:
            ref = parse_reference(image)
            self._store_image(ref, lookup(ref))

    # -- identity ----------------------------------------------------------------------------------
    def version(self) -> tuple[str, str]:
        return RUNTIME_NAME, RUNTIME_VERSION

    def _new_id(self, kind: str, name: str) -> str:
        self._counter += 1
        return hashlib.sha256(f"{self.node_name}/{kind}/{self._counter}/{name}".encode()).hexdigest()

    # -- images ------------------------------------------------------------------------------------
    def pull_image(self, image: str, *, sandbox_id: Optional[str] = None) -> Operation[PullResult]:
        try:
            ref = parse_reference(image)
        except InvalidImageNameError as err:
            op: Operation[PullResult] = Operation()
            op.set_error(err)
            return op
        key = str(ref)
        if key in self._pulls:
            return self._pulls[key]
        op = Operation()
        self._pulls[key] = op
        present = self._images.get(key)
        try:
            profile = lookup(ref)
        except ImagePullError as err:
            failure = err
            self.clock.call_later(PULL_RESOLVE_SECONDS,
                                  lambda: self._pull_done(key, op, error=failure))
            return op
        duration = PULL_RESOLVE_SECONDS if present else pull_seconds(profile.size_of(ref.tag))

        def finish() -> None:
            stored = self._store_image(ref, profile)
            self._pull_done(key, op, PullResult(stored, image, duration, present is not None))

        self.clock.call_later(duration, finish)
        return op

    def _pull_done(self, key: str, op: Operation, result: Optional[PullResult] = None,
                   error: Optional[BaseException] = None) -> None:
        self._pulls.pop(key, None)
        if error is not None:
            op.set_error(error)
        else:
            op.set_result(result)

    def _store_image(self, ref: Reference, profile: ImageProfile) -> Image:
        image = image_record(ref, profile)
        self._images[str(ref)] = image
        return image

    def image_status(self, image: str) -> Optional[Image]:
        try:
            return self._images.get(str(parse_reference(image)))
        except InvalidImageNameError:
            return None

    def list_images(self) -> list[Image]:
        return [self._images[k] for k in sorted(self._images)]

    def remove_image(self, image: str) -> None:
        self._images.pop(str(parse_reference(image)), None)

    def images_bytes(self) -> int:
        """The disk space the node's images take."""
        return sum(image.size for image in self._images.values())

    def resolv_conf(self, dns: Optional[DNSConfig]) -> bytes:
        """A sandbox's ``/etc/resolv.conf`` (containerd's ``setupSandboxFiles``): written from
        the kubelet's DNS settings, or the node's own file when they give no content."""
        found = self._resolv_files.get(dns)
        if found is None:
            text = dns.resolv_conf() if dns is not None else ""
            found = self._resolv_files[dns] = text.encode() if text else self.host_resolv_conf
        return found

    # -- sandboxes ---------------------------------------------------------------------------------
    def run_pod_sandbox(self, config: PodSandboxConfig) -> str:
        sid = self._new_id("sandbox", f"{config.namespace}/{config.name}")
        self._sandboxes[sid] = _Sandbox(sid, config, self.clock.now())
        return sid

    def _sandbox(self, sandbox_id: str) -> _Sandbox:
        sandbox = self._sandboxes.get(sandbox_id)
        if sandbox is None:
            raise NotFoundError(f'an error occurred when try to find sandbox "{sandbox_id}": '
                                "not found")
        return sandbox

    def stop_pod_sandbox(self, sandbox_id: str) -> None:
        sandbox = self._sandbox(sandbox_id)
        for cid in list(sandbox.containers):
            container = self._containers.get(cid)
            if container is not None and container.state == CONTAINER_RUNNING:
                self._exit(container, EXIT_SIGKILL, REASON_ERROR)
        sandbox.state = SANDBOX_NOTREADY
        sandbox.listeners.clear()

    def remove_pod_sandbox(self, sandbox_id: str) -> None:
        if sandbox_id not in self._sandboxes:
            return
        self.stop_pod_sandbox(sandbox_id)
        for cid in list(self._sandboxes[sandbox_id].containers):
            self.remove_container(cid)
        del self._sandboxes[sandbox_id]

    def pod_sandbox_status(self, sandbox_id: str) -> PodSandboxStatus:
        s = self._sandbox(sandbox_id)
        return PodSandboxStatus(s.id, s.config.name, s.config.namespace, s.config.uid,
                                s.config.ip, s.state, s.created_at, s.config.attempt)

    def list_pod_sandboxes(self) -> list[PodSandboxStatus]:
        return [self.pod_sandbox_status(sid) for sid in self._sandboxes]

    # -- containers --------------------------------------------------------------------------------
    def create_container(self, sandbox_id: str, config: ContainerConfig) -> str:
        sandbox = self._sandbox(sandbox_id)
        ref = parse_reference(config.image)
        image = self._images.get(str(ref))
        if image is None:
            raise NotFoundError(f'failed to get image "{ref}": image "{ref}": not found')
        cid = self._new_id("container", f"{sandbox.config.name}/{config.name}/{config.attempt}")
        self._containers[cid] = _Container(self, cid, sandbox, config, ref, lookup(ref), image)
        sandbox.containers.append(cid)
        return cid

    def _container(self, container_id: str) -> _Container:
        container = self._containers.get(container_id)
        if container is None:
            raise NotFoundError(f'an error occurred when try to find container "{container_id}": '
                                "not found")
        return container

    def start_container(self, container_id: str) -> None:
        container = self._container(container_id)
        if container.state != CONTAINER_CREATED:
            raise ContainerStateError(f'failed to start container "{container_id}": container is '
                                      f"in CONTAINER_{container.state.upper()} state")
        argv = _argv(container.config, container.profile)
        if not argv or not self._executable(container, argv[0]):
            self._start_failed(container, argv[0] if argv else "")
        proc = Proc(host=container, env=_environment(container), pid=1,
                    name=argv[0].rsplit("/", 1)[-1], cwd=container.config.working_dir or
                    container.profile.working_dir, out=container.stdout, err=container.stderr,
                    stdin_open=container.config.stdin)
        process = _Process(1, proc.name, PROGRAMS[argv[0].rsplit("/", 1)[-1]](proc, list(argv)),
                           proc, main=True)
        container.procs[1] = process
        container.next_pid = 2
        container.state = CONTAINER_RUNNING
        container.started_at = self.clock.now()
        self._emit(container, EVENT_STARTED)
        self._step(container, process)

    def _executable(self, container: _Container, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        return name in PROGRAMS and container.has_binary(name)

    def _start_failed(self, container: _Container, argv0: str) -> None:
        message = ("failed to create containerd task: failed to create shim task: OCI runtime "
                   "create failed: runc create failed: unable to start container process: exec: "
                   f'"{argv0}": executable file not found in $PATH: unknown')
        if not argv0:
            message = ("failed to create containerd task: failed to create shim task: OCI "
                       "runtime create failed: runc create failed: unable to start container "
                       "process: error during container init: no command specified: unknown")
        now = self.clock.now()
        container.state = CONTAINER_EXITED
        container.started_at = container.finished_at = now
        container.exit_code, container.reason = EXIT_START_ERROR, REASON_START_ERROR
        container.message = message
        raise ContainerStartError(message)

    def stop_container(self, container_id: str, timeout_seconds: float) -> Operation[ContainerStatus]:
        container = self._container(container_id)
        op: Operation[ContainerStatus] = Operation()
        if container.state != CONTAINER_RUNNING:
            op.set_result(container.status())
            return op
        container.stop_ops.append(op)
        if timeout_seconds <= 0:
            self._exit(container, EXIT_SIGKILL, REASON_ERROR)
            return op
        if container.kill_timer is None:
            container.kill_timer = self.clock.call_later(
                timeout_seconds, lambda: self._kill_after_grace(container))
        main = container.procs.get(1)
        if main is not None and not main.exited:
            self._deliver(container, main, container.profile.stop_signal)
        return op

    def _kill_after_grace(self, container: _Container) -> None:
        if container.state == CONTAINER_RUNNING:
            self._exit(container, EXIT_SIGKILL, REASON_ERROR)

    def remove_container(self, container_id: str) -> None:
        container = self._containers.get(container_id)
        if container is None:
            return
        if container.state == CONTAINER_RUNNING:
            self._exit(container, EXIT_SIGKILL, REASON_ERROR)
        del self._containers[container_id]
        if container_id in container.sandbox.containers:
            container.sandbox.containers.remove(container_id)

    def container_status(self, container_id: str) -> ContainerStatus:
        return self._container(container_id).status()

    def list_containers(self, filter: Optional[ContainerFilter] = None) -> list[ContainerStatus]:
        f = filter or ContainerFilter()
        out = []
        for container in self._containers.values():
            status = container.status()
            if (f.id is None or f.id == status.id) and \
                    (f.sandbox_id is None or f.sandbox_id == status.sandbox_id) and \
                    (f.state is None or f.state == status.state) and \
                    (f.name is None or f.name == status.name):
                out.append(status)
        return out

    def logs(self, container_id: str, *, tail: Optional[int] = None, timestamps: bool = False,
             since: Optional[float] = None) -> str:
        container = self._container(container_id)
        entries = list(container.log)
        for writer in (container.stdout, container.stderr):
            if writer.partial:
                entries.append((self.clock.now(), writer.stream, writer.partial + "\x00"))
        if since is not None:
            entries = [e for e in entries if e[0] >= since]
        if tail is not None:
            entries = entries[-tail:] if tail > 0 else []
        lines = []
        for when, _, line in entries:
            partial = line.endswith("\x00")
            text = line[:-1] if partial else line
            prefix = _rfc3339_nano(when) + " " if timestamps else ""
            lines.append(prefix + text + ("" if partial else "\n"))
        return "".join(lines)

    def log_lines(self, container_id: str, start: int = 0) -> tuple[LogLine, ...]:
        container = self._container(container_id)
        lines = [LogLine(when, stream, text) for when, stream, text in container.log[start:]]
        if container.state == CONTAINER_EXITED:
            lines += [LogLine(container.finished_at, writer.stream, writer.partial, complete=False)
                      for writer in (container.stdout, container.stderr) if writer.partial]
        return tuple(lines)

    def container_stats(self, container_id: str) -> ContainerStats:
        container = self._container(container_id)
        if container.state != CONTAINER_RUNNING:
            return ContainerStats(0, 0)
        live = [p for p in container.procs.values() if not p.exited]
        cpu = container.profile.cpu_millicores + sum(p.cpu for p in live)
        if container.served_work is not None:
            cpu += container.served_work.millicores(self.clock.now())
        if container.config.cpu_limit_millicores is not None:
            cpu = min(cpu, container.config.cpu_limit_millicores)
        return ContainerStats(cpu, container.memory_usage())

    # -- exec --------------------------------------------------------------------------------------
    def exec(self, container_id: str, argv, *,
             timeout_seconds: Optional[float] = None) -> Operation[ExecResult]:
        container = self._container(container_id)
        op: Operation[ExecResult] = Operation()
        argv = list(argv)
        if container.state != CONTAINER_RUNNING:
            op.set_error(ExecFailedError(
                "rpc error: code = Unknown desc = failed to exec in container: container is in "
                f"CONTAINER_{container.state.upper()} state"))
            return op
        if not argv or not self._executable(container, argv[0]):
            op.set_error(ExecFailedError(
                "rpc error: code = Unknown desc = failed to exec in container: failed to start "
                f'exec "{self._new_id("exec", "failed")}": OCI runtime exec failed: exec failed: '
                "unable to start container process: exec: "
                f'"{argv[0] if argv else ""}": executable file not found in $PATH: unknown'))
            return op
        out, err = Capture(), Capture()
        name = argv[0].rsplit("/", 1)[-1]
        pid = container.next_pid
        container.next_pid += 1
        proc = Proc(host=container, env=_environment(container), pid=pid, name=name,
                    cwd=container.config.working_dir or container.profile.working_dir,
                    out=out, err=err)
        process = _Process(pid, name, PROGRAMS[name](proc, argv), proc)
        container.procs[pid] = process
        timer = None

        def done() -> None:
            if timer is not None:
                timer.cancel()
            op.set_result(ExecResult(process.exit_code, out.text(), err.text()))

        process.waiters.append(done)
        if timeout_seconds is not None and timeout_seconds > 0:
            def expire() -> None:
                if not process.exited:
                    process.waiters.clear()
                    self._finish(container, process, EXIT_SIGKILL)
                    op.set_result(ExecResult(EXIT_SIGKILL, out.text(), err.text(), timed_out=True))
            timer = self.clock.call_later(timeout_seconds, expire)
        self._step(container, process)
        return op

    def exec_sync(self, container_id: str, argv, *,
                  timeout_seconds: Optional[float] = None) -> ExecResult:
        """Run ``argv`` and return its result. Commands that finish without waiting (``cat``,
        ``test``) return at once; one that sleeps advances a simulated clock until it finishes
        (do not call that from inside a clock callback; use :meth:`exec`)."""
        limit = timeout_seconds if timeout_seconds else EXEC_SYNC_DEFAULT_TIMEOUT
        op = self.exec(container_id, argv, timeout_seconds=limit)
        if not op.done and hasattr(self.clock, "run_until"):
            self.clock.run_until(lambda: op.done, limit + 1)  # type: ignore[attr-defined]
        return op.result()

    # -- events ------------------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[ContainerEvent], None]) -> Callable[[], None]:
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def _emit(self, container: _Container, kind: str, exit_code: Optional[int] = None) -> None:
        event = ContainerEvent(container.id, container.sandbox.id, kind, self.clock.now(),
                               exit_code)

        def deliver() -> None:
            for callback in list(self._subscribers):
                callback(event)

        self.clock.call_later(0, deliver)

    # -- reachability ------------------------------------------------------------------------------
    def http_get(self, container_id: str, port: int, path: str = "/", *,
                 headers: Optional[Mapping[str, str]] = None, client_ip: str = "") -> HttpResponse:
        container = self._container(container_id)
        return self._sandbox_http(container.sandbox, port, path, dict(headers or {}), client_ip)

    def tcp_open(self, container_id: str, port: int) -> bool:
        sandbox = self._container(container_id).sandbox
        return sandbox.state == SANDBOX_READY and port in sandbox.listeners

    def sandbox_for_ip(self, ip: str) -> Optional[str]:
        """The ready sandbox holding pod IP ``ip`` on this node (for the service proxy)."""
        for sandbox in self._sandboxes.values():
            if sandbox.config.ip == ip and sandbox.state == SANDBOX_READY:
                return sandbox.id
        return None

    def http_get_ip(self, ip: str, port: int, path: str = "/", *,
                    headers: Optional[Mapping[str, str]] = None,
                    client_ip: str = "", method: str = "GET") -> HttpResponse:
        """GET (or ``method``) ``http://ip:port/path`` of a pod on this node."""
        sid = self.sandbox_for_ip(ip)
        if sid is None:
            raise ConnectionFailed(f"dial tcp {ip}:{port}: connect: no route to host")
        return self._sandbox_http(self._sandboxes[sid], port, path, dict(headers or {}), client_ip, method)

    def tcp_open_ip(self, ip: str, port: int) -> bool:
        sid = self.sandbox_for_ip(ip)
        return sid is not None and port in self._sandboxes[sid].listeners

    def _sandbox_http(self, sandbox: _Sandbox, port: int, path: str, headers: dict,
                      client_ip: str, method: str = "GET") -> HttpResponse:
        entry = sandbox.listeners.get(port) if sandbox.state == SANDBOX_READY else None
        ip = sandbox.config.ip or "127.0.0.1"
        if entry is None:
            raise ConnectionFailed(f"dial tcp {ip}:{port}: connect: connection refused")
        listener = entry[1]
        if listener.http is None:
            raise ConnectionFailed(f'Get "http://{ip}:{port}{path}": EOF')
        return listener.http(method, path, headers, client_ip)

    # -- driving processes -------------------------------------------------------------------------
    def _schedule(self, container: _Container, process: _Process, delay: float) -> None:
        process.timer = self.clock.call_later(delay, lambda: self._step(container, process))

    def _step(self, container: _Container, process: _Process) -> None:
        """Run the process until it waits again or ends."""
        if process.exited:
            return
        process.timer = None
        process.running = True
        try:
            request = next(process.gen)
        except StopIteration as stop:
            process.running = False
            code = stop.value if isinstance(stop.value, int) else 0
            self._finish(container, process, code & 0xFF)
            return
        except Exception as err:  # a bug in a simulated program must not kill the kernel
            process.running = False
            process.proc.err.write(f"{process.name}: internal error: {err!r}\n")
            self._finish(container, process, 1)
            return
        process.running = False
        self._wait(container, process, request)

    def _wait(self, container: _Container, process: _Process, request) -> None:
        if isinstance(request, Sleep):
            if not math.isinf(request.seconds):
                self._schedule(container, process, max(0.0, request.seconds))
            return
        if isinstance(request, Wait):
            pending = [container.procs[p] for p in request.pids
                       if p in container.procs and not container.procs[p].exited]
            if not pending:
                self._schedule(container, process, 0)
                return
            remaining = {p.pid for p in pending}

            def one_done(pid: int) -> Callable[[], None]:
                def callback() -> None:
                    remaining.discard(pid)
                    if not remaining:
                        self._schedule(container, process, 0)
                return callback

            for other in pending:
                other.waiters.append(one_done(other.pid))
            return
        self._schedule(container, process, 0)

    def _deliver(self, container: _Container, process: _Process, sig: str) -> None:
        """Deliver a signal with PID-1 rules (see :mod:`.process`)."""
        if sig == "KILL":
            self._terminate(container, process, EXIT_SIGKILL)
            return
        if process.on_signal is not None:
            code = process.on_signal(sig)
            if code is not None:
                self._terminate(container, process, code)
            return
        if sig in process.proc.trapped:
            process.proc.pending.append(sig)
            return
        if not process.main:
            self._terminate(container, process, 128 + {"TERM": 15, "INT": 2, "QUIT": 3,
                                                       "HUP": 1}.get(sig, 15))

    def _terminate(self, container: _Container, process: _Process, code: int) -> None:
        if process.running:  # the process is signalling itself: finish after this step
            self.clock.call_later(0, lambda: self._terminate(container, process, code))
            return
        self._finish(container, process, code)

    def _finish(self, container: _Container, process: _Process, code: int) -> None:
        if process.exited:
            return
        process.exited, process.exit_code = True, code
        if process.timer is not None:
            process.timer.cancel()  # type: ignore[attr-defined]
        if not process.running:
            process.gen.close()
        for port, (cid, listener) in list(container.sandbox.listeners.items()):
            if cid == container.id and listener.owner_pid == process.pid:
                del container.sandbox.listeners[port]
        waiters, process.waiters = process.waiters, []
        for waiter in waiters:
            waiter()
        if process.main and container.state == CONTAINER_RUNNING:
            reason = REASON_COMPLETED if code == 0 else REASON_ERROR
            self._exit(container, code, reason)

    def _oom_kill(self, container: _Container) -> None:
        if container.state == CONTAINER_RUNNING:
            self._emit(container, EVENT_OOM)
            self._exit(container, EXIT_SIGKILL, REASON_OOM_KILLED)

    def _exit(self, container: _Container, code: int, reason: str) -> None:
        """The container's PID 1 is gone: kill the rest, record the status, tell subscribers."""
        if container.state != CONTAINER_RUNNING:
            return
        container.state = CONTAINER_EXITED
        container.finished_at = self.clock.now()
        container.exit_code, container.reason = code, reason
        if container.kill_timer is not None:
            container.kill_timer.cancel()
        for process in list(container.procs.values()):
            if not process.exited:
                if process.running:
                    process.exited = True
                    continue
                self._finish(container, process, EXIT_SIGKILL)
        for port, (cid, _) in list(container.sandbox.listeners.items()):
            if cid == container.id:
                del container.sandbox.listeners[port]
        self._emit(container, EVENT_DIED, code)
        ops, container.stop_ops = container.stop_ops, []
        for op in ops:
            op.set_result(container.status())


def _mounted_over_hostname(mounts) -> bool:
    """Whether a mount covers ``/etc/hostname`` or ``/etc/resolv.conf`` (then writing them
    changes a volume)."""
    return any(_covers(normpath(m.container_path), path) for m in mounts
               for path in ("/etc/hostname", "/etc/resolv.conf"))


def _covers(point: str, path: str) -> bool:
    return path == point or path.startswith(point.rstrip("/") + "/")


def _argv(config: ContainerConfig, profile: ImageProfile) -> list[str]:
    """Docker's rule for the process argv from ENTRYPOINT/CMD and the pod's command/args."""
    if config.command:
        return list(config.command) + list(config.args)
    return list(profile.entrypoint) + list(config.args or profile.cmd)


def _environment(container: _Container) -> dict[str, str]:
    """PATH and HOSTNAME first, then the image's ENV, the container's env, and HOME."""
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "HOSTNAME": container.hostname}
    env.update(container.profile.env)
    env.update(container.config.env)
    env.setdefault("HOME", "/root")
    return env


def _rfc3339_nano(when: float) -> str:
    return format_micro_timestamp(when)[:-1] + "000Z"
