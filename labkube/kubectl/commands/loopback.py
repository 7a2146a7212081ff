"""Real sockets on loopback for ``kubectl port-forward`` and ``kubectl proxy``.

Both commands are long-running in a terminal: kubectl opens listeners and serves until Ctrl-C.
In a notebook a cell must not block, so here the listeners serve from background threads and
the command returns what kubectl printed so far. What they leave running is a
:class:`LoopbackServer`: ``cluster.forwards()`` lists them, ``stop()`` ends one (as Ctrl-C
would) and ``cluster.close()`` ends them all.

Two rules hold the design together:

* **Loopback only** (DESIGN.md's networking rule): listeners bind 127.0.0.0/8 or ::1 and
  nothing else; what they reach is the simulated cluster, in process -- no simulated IP is
  ever dialed.
* **One simulation at a time.** Requests arrive on listener threads while the notebook's thread
  (``cluster.run``) or the real-time clock's thread fires timers. Each request is answered
  holding the clock's lock (:attr:`labkube.core.clock.Clock.lock`), which the simulation holds
  while a timer fires, so a request lands between two events, never inside one. A request
  lets the control plane react first (``cluster.settle()``) and never moves cluster time.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import socketserver
import sys
import threading
import weakref
from contextlib import contextmanager
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator, Optional

#: How often an idle listener thread looks for a stop request (wall-clock seconds).
POLL_INTERVAL = 0.05

#: cluster -> its servers still open, oldest first.
_SERVING: "weakref.WeakKeyDictionary[Any, list[LoopbackServer]]" = weakref.WeakKeyDictionary()
_REGISTRY_LOCK = threading.Lock()


def serving(cluster: Any) -> list["LoopbackServer"]:
    """The servers ``cluster`` still has open, oldest first (``cluster.forwards()``)."""
    with _REGISTRY_LOCK:
        servers = _SERVING.get(cluster, [])
        servers[:] = [s for s in servers if s.running]
        return list(servers)


def register(cluster: Any, server: "LoopbackServer") -> None:
    with _REGISTRY_LOCK:
        _SERVING.setdefault(cluster, []).append(server)


# -- the one simulation ------------------------------------------------------------------------
@contextmanager
def simulation(cluster: Any) -> Iterator[None]:
    """Hold the cluster's clock lock and let the control plane catch up (no time passes)."""
    with cluster.clock.lock:
        settle = getattr(cluster, "settle", None)
        if settle is not None:
            settle()
        yield


# -- addresses ---------------------------------------------------------------------------------
def is_loopback(address: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def go_errno_text(err: OSError) -> str:
    """How Go's syscall package words an errno (``address already in use``)."""
    text = os.strerror(err.errno) if err.errno else str(err)
    return text[:1].lower() + text[1:]


def join_host_port(host: str, port: int) -> str:
    """``net.JoinHostPort``: IPv6 addresses in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


#: The process id klog prints; labkube's processes are 1 (as in the simulated images' klog lines).
KUBECTL_PID = 1


def klog_header(level: str, now: float, where: str) -> str:
    """klog's text header at cluster time ``now``: ``E0101 00:01:00.000000       1 file.go:413]``."""
    stamp = datetime.fromtimestamp(now, tz=timezone.utc).strftime("%m%d %H:%M:%S.%f")
    return f"{level}{stamp} {KUBECTL_PID:7d} {where}]"


# -- listeners ---------------------------------------------------------------------------------
class _Listener(ThreadingHTTPServer):
    daemon_threads = True  # a connection left open never keeps the kernel from exiting
    request_queue_size = 64

    def __init__(self, host: str, port: int, handler: type, owner: "LoopbackServer") -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.owner = owner
        super().__init__((host, port), handler, bind_and_activate=False)
        try:
            self.server_bind()
            self.server_activate()
        except OSError:
            self.server_close()
            raise

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the address (``getfqdn``)."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.socket.getsockname()[:2]
        #: The port bound (the kernel's choice for 0); kept after the listener closes.
        self.port: int = self.server_port


    def handle_error(self, request: Any, client_address: Any) -> None:
        """A request that failed inside labkube: noted in the command's output rather than as
        socketserver's traceback on stderr; a client that went away is nothing to report."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            self.owner.write(f"error: {type(error).__name__}: {error}\n")


def listen(host: str, port: int, handler: type, owner: "LoopbackServer") -> _Listener:
    """A listener bound to ``host:port`` (0: the kernel picks), not yet serving. Raises OSError."""
    if not is_loopback(host):
        raise OSError(errno.EADDRNOTAVAIL, "labkube listens on loopback only")
    return _Listener(host, port, handler, owner)


class LoopbackServer:
    """What a long-running kubectl command left serving: its listeners and its output."""

    kind = ""

    def __init__(self, command: str) -> None:
        self.command = command
        self.listeners: list[_Listener] = []
        self._threads: list[threading.Thread] = []
        self._output: list[str] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._closed = threading.Event()
        #: kubectl's exit code once it ended on its own (``error: lost connection to pod``).
        self.exit_code: Optional[int] = None

    # -- output --------------------------------------------------------------------------
    def write(self, text: str) -> None:
        with self._lock:
            self._output.append(text)

    @property
    def output(self) -> str:
        """Everything kubectl printed, from its first line (stdout and stderr in order)."""
        with self._lock:
            return "".join(self._output)

    # -- lifetime ------------------------------------------------------------------------
    def serve(self) -> None:
        """Start a thread per listener."""
        for listener in self.listeners:
            thread = threading.Thread(target=listener.serve_forever, args=(POLL_INTERVAL,),
                                      name=f"labkube-{self.kind}", daemon=True)
            thread.start()
            self._threads.append(thread)

    @property
    def running(self) -> bool:
        return not self._stopped.is_set()

    def stop(self) -> None:
        """Close every listener, as Ctrl-C does; the ports are free when this returns."""
        if self._stopped.is_set():
            self._closed.wait(5)
            return
        self._stopped.set()
        self._close()

    def end(self, message: str, exit_code: int = 1) -> None:
        """kubectl gave up on its own: print ``message`` and close the listeners (from another
        thread: a listener's ``shutdown()`` waits for its loop, which may be the caller's)."""
        self.write(message if message.endswith("\n") else message + "\n")
        self.exit_code = exit_code
        self._stopped.set()
        threading.Thread(target=self._close, name=f"labkube-{self.kind}-stop", daemon=True).start()

    def wait_closed(self, timeout: float) -> bool:
        """Wait (wall clock) until the listeners are closed; whether they are."""
        return self._closed.wait(timeout)

    def _close(self) -> None:
        for listener, thread in zip(self.listeners, self._threads):
            if thread is not threading.current_thread():
                listener.shutdown()
        for listener in self.listeners:
            listener.server_close()
        self._closed.set()

    def __repr__(self) -> str:
        state = "serving" if self.running else f"stopped (exit {self.exit_code or 0})"
        places = ", ".join(join_host_port(listener.server_name, listener.port)
                           for listener in self.listeners) if self.running else ""
        return f"<kubectl {self.command}: {state}{' on ' + places if places else ''}>"


class QuietHandler(BaseHTTPRequestHandler):
    """An HTTP/1.1 handler that writes nothing of its own: no log lines, no Server or Date
    headers (responses are exactly what the cluster answered, plus their length)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def request_headers(self) -> dict:
        """The request's headers; one sent several times (``Impersonate-Group``) as a list."""
        headers: dict = {}
        for key in dict.fromkeys(self.headers.keys()):
            values = self.headers.get_all(key) or []
            headers[key] = values[0] if len(values) == 1 else values
        return headers

    def reply(self, status: int, headers: Any, body: bytes, *, head_only: bool = False,
              go_order: bool = False) -> None:
        """Write a response: ``headers``, then the body's length unless they give it.
        ``go_order``: the headers sorted by name, as Go's net/http writes its header map."""
        lines = [(key, value) for key, value in headers if key.lower() not in ("connection", "transfer-encoding")]
        if go_order:
            lines.sort(key=lambda line: line[0])
        if not any(key.lower() == "content-length" for key, _ in lines):
            lines.append(("Content-Length", str(len(body))))
        self.send_response_only(status)
        for key, value in lines:
            self.send_header(key, value)
        self.end_headers()
        if not head_only:
            self.wfile.write(body)
