"""kubectl-style commands over labkube's public Python API.

Mirrors kubectl 1.32 (k8s.io/kubectl/pkg/cmd): ``run(cluster, "get pods -o wide")`` parses the
command line as kubectl does, calls the same API a program would (the cluster's
:class:`~labkube.core.api.client.Client`, or one acting as ``--as`` user), and returns what a
terminal would show: stdout and stderr in the order kubectl writes them, and kubectl's exit
code. Errors read as kubectl's (``Error from server (NotFound): pods "x" not found``).

The layer is thin on purpose: every command is a few API calls plus a printer, so a student
can read ``commands/get.py`` and see that ``kubectl get`` is a ``list``.

    >>> import labkube
    >>> cluster = labkube.Cluster(nodes=1, seed=0)
    >>> print(run(cluster, "create namespace dev"))
    namespace/dev created
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from labkube.core.errors import StatusError
from labkube.kubectl.errors import KubectlError, check_err

__all__ = ["KubectlResult", "run", "kubectl", "KubectlError", "printer_columns"]


@dataclass
class KubectlResult:
    """What a kubectl invocation printed, and its exit code.

    ``str(result)`` is the terminal text: both streams interleaved in write order.
    """

    chunks: list[tuple[str, str]] = field(default_factory=list)  # ("out"|"err", text)
    exit_code: int = 0

    @property
    def stdout(self) -> str:
        return "".join(text for stream, text in self.chunks if stream == "out")

    @property
    def stderr(self) -> str:
        return "".join(text for stream, text in self.chunks if stream == "err")

    def __str__(self) -> str:
        return "".join(text for _, text in self.chunks)

    def __repr__(self) -> str:
        return f"KubectlResult(exit_code={self.exit_code}, text={str(self)!r})"


class Terminal:
    """Where a command writes: stdout and stderr, kept in order."""

    def __init__(self) -> None:
        self.result = KubectlResult()

    def out(self, text: str) -> None:
        if text:
            self.result.chunks.append(("out", text))

    def err(self, text: str) -> None:
        if text:
            self.result.chunks.append(("err", text))

    def line(self, text: str) -> None:
        self.out(text if text.endswith("\n") else text + "\n")

    def err_line(self, text: str) -> None:
        self.err(text if text.endswith("\n") else text + "\n")


def run(cluster: Any, command: str | list[str], stdin: str | None = None) -> KubectlResult:
    """Run one kubectl command line against ``cluster``; never raises for kubectl errors."""
    from labkube.kubectl.commands import Context, dispatch  # commands import printers lazily
    from labkube.kubectl.parse import parse

    terminal = Terminal()
    try:
        parsed = parse(command)
        ctx = Context.make(cluster, parsed, terminal, stdin)
        errors = dispatch(ctx) or []
        if errors:
            _fail(terminal, errors)
    except KubectlError as exc:
        _report(terminal, exc.text, exc.exit_code)
    except StatusError as exc:
        _fail(terminal, [exc])
    return terminal.result


def _fail(terminal: Terminal, errors: list[BaseException]) -> None:
    codes = [e.exit_code for e in errors if isinstance(e, KubectlError)]
    _report(terminal, check_err(errors), codes[0] if len(codes) == len(errors) and codes else 1)


def _report(terminal: Terminal, text: str, code: int) -> None:
    if text:
        terminal.err_line(text)
    terminal.result.exit_code = code


def kubectl(cluster: Any, command: str | list[str], stdin: str | None = None) -> str:
    """Like :func:`run`, returning only the terminal text."""
    return str(run(cluster, command, stdin))


def printer_columns(rtype: Any) -> Any:
    """The server-side printing columns of ``rtype`` (pkg/printers' column definitions and row
    cells), which the API server's HTTP front puts in the Tables ``kubectl get`` asks for."""
    from labkube.kubectl.printers.columns import columns_for

    return columns_for(rtype)
