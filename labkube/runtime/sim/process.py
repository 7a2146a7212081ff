"""Simulated processes: generators that run on the cluster clock.

A process in the simulated runtime is a Python generator. It does its work (writing output,
touching files, listening on a port) between ``yield``\\ s, and yields a request when it must
wait: :class:`Sleep` for simulated time, :class:`Wait` for another process to exit. The runtime
resumes it when the clock says so. A ``while true; do echo hi; sleep 5; done`` loop therefore
advances five simulated seconds per iteration and never blocks the kernel. When the generator
returns, its return value is the exit code.

:class:`Proc` is what a program sees (argv aside): its environment, working directory,
stdin, stdout and stderr, and the :class:`Host` — the container it runs in, which offers the
filesystem, the clock, the network and the process table. Programs are functions
``program(proc, argv) -> Generator[Request, None, int]``, registered by name in
:data:`PROGRAMS` (the shell's utilities in :mod:`.shell`, image binaries in :mod:`.images`).

Signals follow Linux's rules for a container's PID 1: a signal the process has no handler for
is ignored (so ``sh -c 'sleep 3600'`` outlives SIGTERM until the grace period ends and SIGKILL
arrives); a server that handles SIGTERM/SIGQUIT (nginx, redis, the pause container) exits at
once; a shell with ``trap … TERM`` runs the trap after its current foreground command.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Generator, Optional, Protocol, Union

from labkube.runtime.cri import HttpResponse, Network
from labkube.runtime.sim.fs import ContainerFS


@dataclass(frozen=True)
class Sleep:
    """Resume after ``seconds`` of cluster time (``math.inf``: never, until killed)."""

    seconds: float


@dataclass(frozen=True)
class Wait:
    """Resume when every process in ``pids`` has exited (the shell's ``wait``)."""

    pids: tuple[int, ...]


Request = Union[Sleep, Wait]
FOREVER = Sleep(math.inf)
ProgramGen = Generator[Request, None, int]


class Writer(Protocol):
    def write(self, text: str) -> None: ...


class Capture:
    """Collects output in memory (command substitution, pipes, exec)."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def text(self) -> str:
        return "".join(self.parts)


class Discard:
    def write(self, text: str) -> None:
        return None


#: An HTTP handler: (method, path, headers, client_ip) -> response.
HttpHandler = Callable[[str, str, dict, str], HttpResponse]


@dataclass
class Listener:
    """A socket bound in the pod's network namespace."""

    port: int
    owner_pid: int
    http: Optional[HttpHandler] = None  # None: a TCP service that does not speak HTTP


class Host(Protocol):
    """The container a process runs in (implemented by the runtime's container)."""

    fs: ContainerFS
    hostname: str
    pod_ip: str
    network: Optional[Network]

    def now(self) -> float: ...

    def has_binary(self, name: str) -> bool: ...

    def listen(self, pid: int, port: int, http: Optional[HttpHandler]) -> bool: ...

    def local_http(self, port: int, path: str, headers: dict, client_ip: str) -> HttpResponse: ...

    def local_tcp(self, port: int) -> bool: ...

    def spawn(self, proc: "Proc", gen: ProgramGen, name: str) -> int: ...

    def processes(self) -> list[tuple[int, str]]: ...

    def signal(self, name_or_pid: Union[str, int], sig: str) -> bool: ...

    def register(self, pid: int, name: str, on_signal: Callable[[str], Optional[int]]) -> None: ...

    def allocate(self, pid: int, nbytes: int) -> None: ...

    def set_cpu(self, pid: int, millicores: int) -> None: ...

    def charge_cpu(self, cpu_seconds: float) -> None: ...


@dataclass(slots=True)
class Proc:
    """One running program's view of the world."""

    host: Host
    env: dict[str, str]
    pid: int = 1
    name: str = "sh"
    cwd: str = "/"
    stdin: str = ""
    #: Stdin is held open by the runtime (a container with ``stdin: true``): reading past
    #: ``stdin`` waits for input that only an attached terminal would send.
    stdin_open: bool = False
    out: Writer = field(default_factory=Discard)
    err: Writer = field(default_factory=Discard)
    #: Immediate signal handler: returns an exit code to exit with, or None to ignore.
    on_signal: Optional[Callable[[str], Optional[int]]] = None
    #: Signals a shell has a ``trap`` for; delivered into ``pending`` and run between commands.
    trapped: set[str] = field(default_factory=set)
    pending: list[str] = field(default_factory=list)

    def child(self, **changes) -> "Proc":
        """A copy sharing the host and pid (a command run by this process)."""
        values = dict(host=self.host, env=dict(self.env), pid=self.pid, name=self.name,
                      cwd=self.cwd, stdin=self.stdin, stdin_open=self.stdin_open, out=self.out,
                      err=self.err, on_signal=self.on_signal, trapped=self.trapped, pending=self.pending)
        values.update(changes)
        return Proc(**values)


Program = Callable[[Proc, list[str]], ProgramGen]
#: Every program the simulated runtime knows, by basename.
PROGRAMS: dict[str, Program] = {}


def program(*names: str) -> Callable[[Program], Program]:
    """Register a program under one or more names."""

    def register(fn: Program) -> Program:
        for name in names:
            PROGRAMS[name] = fn
        return fn

    return register
