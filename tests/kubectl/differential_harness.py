"""Differential runs: the same kubectl lines through labkube's kubectl and through the REAL kubectl.

A scenario is a list of steps run twice, on two clusters built identically from the same seed:

* once through labkube's own kubectl (``labkube.kubectl.run``, what a student types in a cell);
* once through the real ``kubectl`` 1.32 binary, ``kubectl --server URL``, against the other
  cluster's HTTP front (:class:`~labkube.core.api.http.APIServerHTTP`) served on 127.0.0.1.

When both are right they print the same thing, so each step's stdout, stderr (minus client-go's
klog lines) and exit code are compared; a difference is a fidelity bug on one side.

Time. The clusters run on the simulated clock; both are advanced by the same ``run N`` steps
and the front side settles before each command, as ``cluster.kubectl`` does. The real kubectl
measures ages (describe's event ages) against the wall clock, so :class:`Front` moves every
RFC 3339 timestamp in a response forward by ``shift`` = the wall-clock second the command
started in minus the cluster's ``now`` (and every timestamp kubectl sends back by as much), and the
harness moves the dates kubectl prints back by the same amount. kubectl computes its ages just
after its last answer; a read-only command whose answers and end did not all fall in one
wall-clock second is run again (an age could be a second off), a bounded number of times.

Bounded: loopback only, each kubectl has a timeout, a scenario has a fixed list of steps.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Optional

from labkube.core.api import auth
from tests.kubectl.real_kubectl import without_klog

KUBECTL_TIMEOUT = 30
#: Commands that change nothing, so running one again (after it crossed a wall-clock second) is safe.
READ_ONLY = ("get", "describe", "events", "top", "api-resources", "api-versions", "explain", "auth",
             "version", "cluster-info")
RERUNS = 5

_RFC3339 = re.compile(rb"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z")
_RFC3339_TEXT = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z")
_RFC1123Z = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000")
_GO_TIME = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) \+0000 UTC")


# -- moving dates ----------------------------------------------------------------------------
def _moved(stamp: str, fmt: str, seconds: int) -> str:
    when = datetime.strptime(stamp, fmt).replace(tzinfo=timezone.utc).timestamp() + seconds
    return datetime.fromtimestamp(when, tz=timezone.utc).strftime(fmt)


def shift_body(body: bytes, seconds: int) -> bytes:
    """Every RFC 3339 timestamp in a JSON body moved by ``seconds`` (fractions kept)."""
    if not seconds:
        return body

    def move(match: re.Match) -> bytes:
        stamp = _moved(match.group(1).decode(), "%Y-%m-%dT%H:%M:%S", seconds)
        return stamp.encode() + (match.group(2) or b"") + b"Z"

    return _RFC3339.sub(move, body)


def unshift_text(text: str, seconds: int) -> str:
    """kubectl's printed dates moved back by ``seconds``: RFC 3339 (-o yaml/json), RFC 1123
    with a numeric zone (describe) and Go's ``time.Time`` text."""
    if not seconds:
        return text
    text = _RFC3339_TEXT.sub(lambda m: _moved(m.group(1), "%Y-%m-%dT%H:%M:%S", -seconds)
                             + (m.group(2) or "") + "Z", text)
    text = _RFC1123Z.sub(lambda m: _moved(m.group(0), "%a, %d %b %Y %H:%M:%S +0000", -seconds), text)
    return _GO_TIME.sub(lambda m: _moved(m.group(1), "%Y-%m-%d %H:%M:%S", -seconds) + " +0000 UTC", text)


# -- the real kubectl's side -------------------------------------------------------------------
class _Server(ThreadingHTTPServer):
    request_queue_size = 64  # kubectl fetches every group's discovery at once
    daemon_threads = True


class Front:
    """A cluster's HTTP front on 127.0.0.1 for the real kubectl, as the cluster admin, with the
    dates it serves moved by ``shift`` seconds (and those it receives moved back)."""

    def __init__(self, cluster) -> None:
        self.cluster = cluster
        self.shifts: set[int] = set()  # the shifts of the answers in this command
        self.reads: set[str] = set()  # the GETs of this command
        self.shift = 0
        self.wall = int(time.time())  # the wall-clock second the command started in
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []
        self.httpd = _Server(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def new_command(self) -> None:
        self.shifts.clear()
        self.reads.clear()
        self.wall = int(time.time())

    def _waiting(self, method: str, target: str) -> bool:
        """Is kubectl waiting for a change: a watch, or a GET it made before in this command (a
        poll: ``drain`` and ``replace --force`` GET once a second until the object is gone)?
        Then the control plane gets to react, as while labkube's kubectl waits (time stays)."""
        if method != "GET":
            return False
        polled = target in self.reads
        self.reads.add(target)
        return polled or "watch=true" in target or "watch=1" in target

    def answer(self, method: str, target: str, headers: dict, body: bytes):
        with self.lock:
            self.requests.append((method, target))
            if self._waiting(method, target):
                self.cluster.settle()
            # One wall-clock second for the whole command: a date kubectl reads in one answer and
            # sends back in the next must move back by what it was moved forward.
            self.shift = self.wall - int(self.cluster.clock.now())
            self.shifts.add(self.shift)
            reply = self.cluster.apiserver_http.serve(method, target, headers, shift_body(body, -self.shift),
                                                      user=auth.ADMIN)
            return reply.status, list(reply.headers), shift_body(reply.body, self.shift)

    def _handler(self):
        front = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, data = front.answer(self.command, self.path, _headers(self.headers), body)
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

        return Handler


def _headers(message) -> dict:
    """The request's headers; one sent several times (``Impersonate-Group``) as a list."""
    headers: dict = {}
    for key in dict.fromkeys(message.keys()):
        values = message.get_all(key)
        headers[key] = values[0] if len(values) == 1 else values
    return headers


@dataclass(frozen=True)
class Output:
    """What one kubectl command printed."""

    stdout: str
    stderr: str
    exit_code: int

    def show(self) -> str:
        return f"{self.stdout}{self.stderr}# exit {self.exit_code}\n"

    def sorted_lines(self) -> "Output":
        return Output("".join(sorted(self.stdout.splitlines(True))), "".join(sorted(self.stderr.splitlines(True))),
                      self.exit_code)


class RealKubectl:
    """The real kubectl binary against a :class:`Front`, from ``folder`` (its HOME and cwd, so
    its discovery cache is the scenario's own and relative file names resolve there)."""

    def __init__(self, front: Front, folder: Path) -> None:
        self.front = front
        self.folder = folder
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder), "TZ": "UTC",
                    "KUBECONFIG": str(folder / "no-kubeconfig")}

    def __call__(self, line: str, stdin: Optional[str] = None) -> Output:
        reruns = RERUNS if shlex.split(line)[:1] and shlex.split(line)[0] in READ_ONLY else 0
        while True:
            output, crossed = self._once(line, stdin)
            if not crossed or reruns == 0:
                return output
            reruns -= 1

    def _once(self, line: str, stdin: Optional[str]) -> tuple[Output, bool]:
        self.front.cluster.settle()
        self.front.new_command()
        try:
            done = subprocess.run(["kubectl", "--server", self.front.url, *shlex.split(line)], input=stdin,
                                  cwd=self.folder, capture_output=True, text=True, env=self.env,
                                  timeout=KUBECTL_TIMEOUT)
        except subprocess.TimeoutExpired:
            return Output("", f"(no answer within {KUBECTL_TIMEOUT}s)\n", -1), False
        shift = self.front.shift
        crossed = len(self.front.shifts) > 1 or int(time.time()) != self.front.wall
        return Output(unshift_text(done.stdout, shift), unshift_text(without_klog(done.stderr), shift),
                      done.returncode), crossed


def labkube_kubectl(cluster) -> Callable[[str, Optional[str]], Output]:
    """labkube's own kubectl on ``cluster``."""
    from labkube.kubectl import run

    def call(line: str, stdin: Optional[str] = None) -> Output:
        cluster.settle()  # as cluster.kubectl() does
        result = run(cluster, line, stdin=stdin)
        return Output(result.stdout, result.stderr, result.exit_code)

    return call


# -- scenarios ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Advance:
    """A step that lets ``seconds`` of cluster time pass on both clusters."""

    seconds: float


@dataclass(frozen=True)
class AnyOrder:
    """A kubectl line whose output lines the real kubectl writes in an order of its goroutines'
    making (``drain`` evicts pods in parallel and says ``evicted`` as each one goes): compared
    as a multiset of lines."""

    line: str


@dataclass(frozen=True)
class Scenario:
    """Steps run on both sides: a kubectl line (``"get pods"``), ``("line", stdin)``,
    :class:`AnyOrder` or :class:`Advance`. ``files`` are written first (into the folder both
    kubectls run from)."""

    name: str
    steps: tuple
    files: dict = field(default_factory=dict)
    nodes: int = 1
    warmup: float = 2  # seconds run before the first step (the default ServiceAccount exists)


def make_cluster(scenario: Scenario):
    import labkube

    cluster = labkube.Cluster(nodes=scenario.nodes, seed=0)
    cluster.run(scenario.warmup)
    return cluster


@dataclass
class Difference:
    step: str
    ours: Output
    real: Output

    def __str__(self) -> str:
        return f"$ kubectl {self.step}\n--- labkube\n{self.ours.show()}--- real kubectl\n{self.real.show()}"


def run_scenario(scenario: Scenario, folder: Path) -> list[Difference]:
    """Run ``scenario`` on both sides from ``folder``; the steps whose outputs differ."""
    for name, text in scenario.files.items():
        (folder / name).write_text(text)
    ours_cluster, real_cluster = make_cluster(scenario), make_cluster(scenario)
    front = Front(real_cluster)
    differences = []
    previous = os.getcwd()
    os.chdir(folder)  # labkube's kubectl reads -f files relative to the process's directory
    try:
        ours, real = labkube_kubectl(ours_cluster), RealKubectl(front, folder)
        for step in scenario.steps:
            if isinstance(step, Advance):
                ours_cluster.run(step.seconds)
                real_cluster.run(step.seconds)
                continue
            line, stdin = step if isinstance(step, tuple) else (getattr(step, "line", step), None)
            mine, theirs = ours(line, stdin), real(line, stdin)
            if isinstance(step, AnyOrder):
                mine, theirs = mine.sorted_lines(), theirs.sorted_lines()
            if mine != theirs:
                differences.append(Difference(line, mine, theirs))
    finally:
        os.chdir(previous)
        front.close()
    return differences
