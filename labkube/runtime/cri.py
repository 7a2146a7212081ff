"""The container runtime interface: what the kubelet may ask of a container runtime.

Mirrors the CRI (``k8s.io/cri-api``: ``RuntimeService`` and ``ImageService``) that the real
kubelet speaks over gRPC to containerd or CRI-O, cut down to what labkube's kubelet uses:

* images: :meth:`ContainerRuntime.pull_image`, ``image_status``, ``list_images``;
* pod sandboxes (the pod's shared network namespace, hostname and IP): ``run_pod_sandbox``,
  ``stop_pod_sandbox``, ``remove_pod_sandbox``;
* containers: ``create_container``, ``start_container``, ``stop_container``,
  ``remove_container``, ``container_status``, ``list_containers``, ``logs``, ``log_lines``,
  ``exec`` / ``exec_sync``, ``container_stats``;
* a PLEG-like event stream (``subscribe``) so the kubelet learns that a container started,
  died or was OOM-killed without polling;
* reachability for probes and the service proxy: ``http_get`` and ``tcp_open``.

Two implementations exist: :mod:`labkube.runtime.sim` (containers run a model of their command
on the cluster clock) and, later, a Docker runtime. The kubelet only sees this module.

Contracts every implementation keeps:

* Operations that take time in a real runtime (pulling an image, stopping a container with a
  grace period, an exec that sleeps) return an :class:`Operation` that completes on the cluster
  clock. They never block the clock thread.
* Errors carry the texts containerd and runc print, so the kubelet can put them in events and
  container statuses unchanged: :class:`ImagePullError` (``ErrImagePull``),
  :class:`ContainerStartError` (``StartError``, exit code 128), :class:`NotFoundError`.
* Everything returned is an immutable snapshot (frozen dataclasses, tuples).
* Event callbacks run on the clock thread, after the call that caused them has returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Generic, Mapping, Optional, Protocol, TypeVar, runtime_checkable

from labkube.runtime.volume import Generated, Volume

T = TypeVar("T")

# -- container states and reasons (CRI ContainerState, containerd's reasons) -------------------
CONTAINER_CREATED = "created"
CONTAINER_RUNNING = "running"
CONTAINER_EXITED = "exited"
CONTAINER_UNKNOWN = "unknown"

REASON_COMPLETED = "Completed"
REASON_ERROR = "Error"
REASON_OOM_KILLED = "OOMKilled"
REASON_START_ERROR = "StartError"

SANDBOX_READY = "ready"
SANDBOX_NOTREADY = "notready"

# -- events (the kubelet's PLEG turns these into pod status updates) ---------------------------
EVENT_STARTED = "started"
EVENT_DIED = "died"
EVENT_OOM = "oom"

#: Exit code of a process killed by SIGKILL (128 + 9): grace period over, or OOM kill.
EXIT_SIGKILL = 137
#: Exit code runc reports when the container's process could not be started.
EXIT_START_ERROR = 128


# -- errors -------------------------------------------------------------------------------------
class RuntimeErrorBase(Exception):
    """Base of runtime errors; ``str(err)`` is the message containerd would return."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(RuntimeErrorBase):
    """No such container, sandbox or image (gRPC code NotFound)."""


class ImagePullError(RuntimeErrorBase):
    """The registry refused the image. ``message`` is what the kubelet prints after
    ``Failed to pull image "<image>": ``; ``reason`` is the kubelet's container waiting reason."""

    reason = "ErrImagePull"


class InvalidImageNameError(RuntimeErrorBase):
    """The reference does not parse (the kubelet's ``InvalidImageName`` reason)."""

    reason = "InvalidImageName"


class ContainerStartError(RuntimeErrorBase):
    """runc could not start the process (e.g. the executable is missing): ``StartError``."""

    reason = REASON_START_ERROR


class ContainerStateError(RuntimeErrorBase):
    """The call does not fit the container's state (e.g. starting a running container)."""


class ExecFailedError(RuntimeErrorBase):
    """runc could not run the exec'd command (the executable is missing, the container has
    exited); an exec probe using it errors rather than fails."""


# -- configs ------------------------------------------------------------------------------------
#: The node's own ``/etc/resolv.conf``: what the kubelet reads for ``dnsPolicy: Default``
#: (``--resolv-conf``) and what the runtime copies into a sandbox given no DNS settings. A
#: labkube node sits on a kind-like Docker network whose gateway (172.18.0.1) answers DNS.
NODE_RESOLV_CONF = "nameserver 172.18.0.1\n"


@dataclass(frozen=True, slots=True)
class DNSConfig:
    """CRI ``DNSConfig``: the resolver settings the kubelet worked out for the pod
    (``pkg/kubelet/network/dns``); the runtime writes them to the sandbox's
    ``/etc/resolv.conf``, which every container of the pod sees."""

    servers: tuple[str, ...] = ()
    searches: tuple[str, ...] = ()
    options: tuple[str, ...] = ()

    def resolv_conf(self) -> str:
        """The file as containerd writes it (``parseDNSOptions``): a ``search`` line, one
        ``nameserver`` line per server, an ``options`` line, each only when not empty. An
        empty result means "copy the node's file"."""
        text = ""
        if self.searches:
            text += f"search {' '.join(self.searches)}\n"
        if self.servers:
            text += "".join(f"nameserver {server}\n" for server in self.servers)
        if self.options:
            text += f"options {' '.join(self.options)}\n"
        return text


@dataclass(frozen=True, slots=True)
class PodSandboxConfig:
    """What the kubelet knows about the pod when it creates the sandbox.

    The pod IP is chosen by the caller (the kubelet, from the node's podCIDR) and handed in,
    as a CNI plugin's result would be. ``dns_config`` becomes the pod's ``/etc/resolv.conf``
    (``None``: a copy of the node's).
    """

    name: str
    namespace: str
    uid: str
    ip: str = ""
    hostname: str = ""
    attempt: int = 0
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    dns_config: Optional[DNSConfig] = None


class Symlink(Generated):
    """A symbolic link inside a volume: reading it through a container's filesystem follows
    it to ``target`` (relative to the link's directory, or absolute in the container); read
    from the :class:`Volume` itself it gives the target's text, as ``readlink`` would.

    The kubelet's atomic writer lays out configMap, secret, downwardAPI and projected
    volumes with them: ``key -> ..data/key`` and ``..data -> ..2025_01_01_00_00_00.123``.
    """

    __slots__ = ("target",)

    def __init__(self, target: str) -> None:
        self.target = target

    def make(self) -> bytes:
        return self.target.encode()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Symlink) and other.target == self.target

    def __hash__(self) -> int:
        return hash(self.target)

    def __repr__(self) -> str:
        return f"Symlink({self.target!r})"


@dataclass(frozen=True, slots=True)
class Mount:
    """A volume mounted into a container. ``volume`` is the in-memory directory the kubelet
    prepared (emptyDir: the same :class:`Volume` object in every container of the pod)."""

    container_path: str
    volume: Volume
    read_only: bool = False
    sub_path: str = ""


@dataclass(frozen=True, slots=True)
class ContainerConfig:
    """One container of a pod, as the kubelet resolved it.

    ``command``/``args`` are the pod spec's (``$(VAR)`` references already expanded by the
    kubelet); empty means "use the image's ENTRYPOINT / CMD", with Docker's rules.
    Resource limits are plain integers (bytes, millicores); ``None`` means unlimited.
    """

    name: str
    image: str
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    working_dir: str = ""
    mounts: tuple[Mount, ...] = ()
    memory_limit_bytes: Optional[int] = None
    cpu_limit_millicores: Optional[int] = None
    cpu_request_millicores: Optional[int] = None
    attempt: int = 0
    labels: Mapping[str, str] = field(default_factory=dict)
    stdin: bool = False
    tty: bool = False


# -- results ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Image:
    """An image present on the node (CRI ``Image``)."""

    id: str  # sha256:… image id
    repo_tags: tuple[str, ...]
    repo_digests: tuple[str, ...]
    size: int  # bytes, as the kubelet reports in "Image size: N bytes"


@dataclass(frozen=True, slots=True)
class PullResult:
    """A finished pull: the image, the reference the kubelet asked for, and how long it took."""

    image: Image
    requested: str
    duration: float  # simulated seconds, for "Successfully pulled image … in 4.2s"
    already_present: bool = False


@dataclass(frozen=True, slots=True)
class ContainerStatus:
    """CRI ``ContainerStatus``: times are cluster-clock seconds (0.0 when not yet reached)."""

    id: str
    sandbox_id: str
    name: str
    image: str
    image_ref: str
    attempt: int
    state: str
    created_at: float
    started_at: float = 0.0
    finished_at: float = 0.0
    exit_code: int = 0
    reason: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True)
class PodSandboxStatus:
    id: str
    name: str
    namespace: str
    uid: str
    ip: str
    state: str
    created_at: float
    attempt: int = 0


@dataclass(frozen=True, slots=True)
class ContainerFilter:
    """Select containers; every field left ``None`` matches everything."""

    id: Optional[str] = None
    sandbox_id: Optional[str] = None
    state: Optional[str] = None
    name: Optional[str] = None


@dataclass(frozen=True, slots=True)
class ContainerEvent:
    """A container lifecycle event (what the PLEG relists would notice)."""

    container_id: str
    sandbox_id: str
    type: str  # EVENT_STARTED | EVENT_DIED | EVENT_OOM
    at: float
    exit_code: Optional[int] = None


@dataclass(frozen=True, slots=True)
class ExecResult:
    """CRI ``ExecSyncResponse``. ``timed_out`` is set when the command outlived its timeout
    (the kubelet then reports a probe as failed with ``command timed out``)."""

    exit_code: int
    stdout: str
    stderr: str
    timed_out: bool = False


@dataclass(frozen=True, slots=True)
class LogLine:
    """One entry of a container's log file (CRI logging format: ``TIME STREAM TAG TEXT``), as
    the kubelet reads it for ``GET pods/log``: when the line was written, ``"stdout"`` or
    ``"stderr"``, its text without the newline, and whether it ended with one (``False`` for
    what a process left unfinished when its container exited)."""

    time: float
    stream: str
    text: str
    complete: bool = True


@dataclass(frozen=True, slots=True)
class ContainerStats:
    """Usage as cAdvisor/metrics-server would report it (for ``kubectl top``)."""

    cpu_millicores: int
    memory_bytes: int


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    body: str = ""
    headers: tuple[tuple[str, str], ...] = ()


class ConnectionFailed(RuntimeErrorBase):
    """Nothing listens on the port (``connect: connection refused``) or the peer misbehaved."""


# -- asynchronous results -----------------------------------------------------------------------
class Operation(Generic[T]):
    """A result that arrives later on the cluster clock (a tiny future).

    ``add_done_callback(fn)`` calls ``fn(op)`` when the operation completes, or at once if it
    already has. ``result()`` returns the value or raises the error; calling it before
    ``done`` raises :class:`ContainerStateError`.
    """

    __slots__ = ("done", "_value", "_error", "_callbacks")

    def __init__(self) -> None:
        self.done = False
        self._value: Optional[T] = None
        self._error: Optional[BaseException] = None
        self._callbacks: list[Callable[["Operation[T]"], None]] = []

    @classmethod
    def completed(cls, value: T) -> "Operation[T]":
        op: Operation[T] = cls()
        op.set_result(value)
        return op

    @property
    def error(self) -> Optional[BaseException]:
        return self._error

    def result(self) -> T:
        if not self.done:
            raise ContainerStateError("operation has not completed yet")
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]

    def add_done_callback(self, fn: Callable[["Operation[T]"], None]) -> None:
        if self.done:
            fn(self)
        else:
            self._callbacks.append(fn)

    def set_result(self, value: T) -> None:
        self._finish(value, None)

    def set_error(self, error: BaseException) -> None:
        self._finish(None, error)

    def _finish(self, value: Optional[T], error: Optional[BaseException]) -> None:
        if self.done:
            return
        self.done, self._value, self._error = True, value, error
        callbacks, self._callbacks = self._callbacks, []
        for fn in callbacks:
            fn(self)


# -- the network a container sees ---------------------------------------------------------------
@runtime_checkable
class Network(Protocol):
    """The cluster network as seen from inside a container (DNS and HTTP).

    The lead wires this to cluster DNS and the service proxy. ``resolve`` returns an IPv4
    address or ``None`` (NXDOMAIN); ``http_get`` returns an :class:`HttpResponse` or raises
    :class:`ConnectionFailed` with the text a client would print after ``dial tcp …:``.
    """

    def resolve(self, name: str) -> Optional[str]: ...

    def http_get(self, url: str) -> HttpResponse: ...


# -- the interface ------------------------------------------------------------------------------
ContainerEventCallback = Callable[[ContainerEvent], None]


class ContainerRuntime(Protocol):
    """The CRI as labkube's kubelet uses it. Implementations: SimRuntime, (later) Docker."""

    # identity
    def version(self) -> tuple[str, str]:
        """(runtime name, runtime version), e.g. ("containerd", "1.7.24")."""
        ...

    # images
    def pull_image(self, image: str, *, sandbox_id: Optional[str] = None) -> Operation[PullResult]:
        """Pull ``image``; fails with :class:`ImagePullError` / :class:`InvalidImageNameError`."""
        ...

    def image_status(self, image: str) -> Optional[Image]:
        """The image if present on the node, else ``None`` (IfNotPresent decisions)."""
        ...

    def list_images(self) -> list[Image]: ...

    def remove_image(self, image: str) -> None: ...

    # sandboxes
    def run_pod_sandbox(self, config: PodSandboxConfig) -> str: ...

    def stop_pod_sandbox(self, sandbox_id: str) -> None:
        """Kill any container still running in the sandbox (SIGKILL) and release its IP."""
        ...

    def remove_pod_sandbox(self, sandbox_id: str) -> None: ...

    def pod_sandbox_status(self, sandbox_id: str) -> PodSandboxStatus: ...

    def list_pod_sandboxes(self) -> list[PodSandboxStatus]: ...

    # containers
    def create_container(self, sandbox_id: str, config: ContainerConfig) -> str:
        """Create (not start) a container; the image must be present (else NotFoundError)."""
        ...

    def start_container(self, container_id: str) -> None:
        """Start it; may raise :class:`ContainerStartError` (status then shows StartError)."""
        ...

    def stop_container(self, container_id: str, timeout_seconds: float) -> Operation[ContainerStatus]:
        """Send the image's stop signal; SIGKILL after ``timeout_seconds``. Completes when exited."""
        ...

    def remove_container(self, container_id: str) -> None: ...

    def container_status(self, container_id: str) -> ContainerStatus: ...

    def list_containers(self, filter: Optional[ContainerFilter] = None) -> list[ContainerStatus]: ...

    def logs(self, container_id: str, *, tail: Optional[int] = None, timestamps: bool = False,
             since: Optional[float] = None) -> str:
        """The container's stdout+stderr so far (kept until the container is removed)."""
        ...

    def log_lines(self, container_id: str, start: int = 0) -> tuple[LogLine, ...]:
        """The container's log file from its ``start``-th line: every finished line, and, once
        the container has exited, what it left unfinished (the runtime writes that at EOF). A
        running container's unfinished line is not in the file yet. Lines are only ever
        appended, so a reader that remembers how many it has read follows the file."""
        ...

    def exec(self, container_id: str, argv: tuple[str, ...] | list[str], *,
             timeout_seconds: Optional[float] = None) -> Operation[ExecResult]:
        """Run ``argv`` inside the running container; completes on the clock."""
        ...

    def exec_sync(self, container_id: str, argv: tuple[str, ...] | list[str], *,
                  timeout_seconds: Optional[float] = None) -> ExecResult:
        """``exec`` for callers that need the answer now (probes, hooks, ``kubectl exec``)."""
        ...

    def container_stats(self, container_id: str) -> ContainerStats: ...

    # events
    def subscribe(self, callback: ContainerEventCallback) -> Callable[[], None]:
        """Call ``callback(event)`` for every container event; returns an unsubscribe function."""
        ...

    # reachability (probes, service proxy)
    def http_get(self, container_id: str, port: int, path: str = "/", *,
                 headers: Optional[Mapping[str, str]] = None,
                 client_ip: str = "") -> HttpResponse: ...

    def tcp_open(self, container_id: str, port: int) -> bool: ...
