"""Liveness, readiness and startup probes, run on the cluster clock.

Mirrors pkg/kubelet/prober (``worker.doProbe``, ``prober.runProbe``) of Kubernetes 1.32:

* one worker per container and probe kind; it first runs ``initialDelaySeconds`` after the
  container started, then every ``periodSeconds``; each run may take up to ``timeoutSeconds``;
* the result flips only after ``failureThreshold`` consecutive failures or
  ``successThreshold`` consecutive successes; every failed run records a Warning ``Unhealthy``
  event, e.g. ``Liveness probe failed: HTTP probe failed with statuscode: 500`` or
  ``Readiness probe failed: dial tcp 10.244.1.2:8080: connect: connection refused``;
* while a startup probe has not succeeded, liveness and readiness probes do not run; a startup
  success starts them; a readiness probe marks the container ready (``Ready`` condition);
* a liveness or startup failure makes the kubelet kill the container (event ``Killing``
  ``Container liveness failed liveness probe, will be restarted``); the restart policy decides
  what happens next.

Handlers: ``exec`` through the runtime's exec (exit 0 succeeds; ``command "…" timed out``),
``httpGet`` through the runtime's ``http_get`` (200–399 succeeds), ``tcpSocket`` through
``tcp_open``. gRPC probes are not modelled: they report the container as failing with a message
saying so.
"""

from __future__ import annotations

import json
from typing import Callable, Optional

from labkube.core.machinery.events import WARNING
from labkube.runtime.cri import ConnectionFailed, ExecFailedError, NotFoundError, RuntimeErrorBase

LIVENESS, READINESS, STARTUP = "liveness", "readiness", "startup"
_TITLE = {LIVENESS: "Liveness", READINESS: "Readiness", STARTUP: "Startup"}


def resolve_port(port, container: dict) -> Optional[int]:
    """A probe's port: a number, or the name of one of the container's ports."""
    if isinstance(port, int):
        return port
    if isinstance(port, str) and port.isdigit():
        return int(port)
    for p in container.get("ports") or []:
        if p.get("name") == port:
            return p.get("containerPort")
    return None


class ProbeWorker:
    """Probes one container with one probe on a timer; reports result changes."""

    def __init__(self, kind: str, spec: dict, container: dict, container_id: str, started_at: float,
                 ctx, on_result: Callable[["ProbeWorker", bool], None]) -> None:
        self.kind = kind
        self.spec = spec
        self.container = container
        self.container_id = container_id
        self.ctx = ctx  # the pod worker: runtime, clock, pod, recorder
        self.on_result = on_result
        self.period = float(spec.get("periodSeconds") or 10)
        self.timeout = float(spec.get("timeoutSeconds") or 1)
        self.failure_threshold = int(spec.get("failureThreshold") or 3)
        self.success_threshold = int(spec.get("successThreshold") or 1)
        self.last_result: Optional[bool] = None
        self.run = 0
        self.stopped = False
        self._timer = None
        first = started_at + float(spec.get("initialDelaySeconds") or 0)
        self._schedule(max(first, ctx.clock.now()))

    def stop(self) -> None:
        self.stopped = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _schedule(self, when: float) -> None:
        self._timer = self.ctx.clock.call_at(when, self._tick, name=f"probe {self.kind} {self.container.get('name')}")

    def _tick(self) -> None:
        self._timer = None
        if self.stopped:
            return
        self._schedule(self.ctx.clock.now() + self.period)
        self._probe(self._record)

    # -- running the handler ---------------------------------------------------------------------
    def _probe(self, done: Callable[[bool, str], None]) -> None:
        runtime = self.ctx.runtime
        spec = self.spec
        try:
            if spec.get("exec"):
                argv = list((spec["exec"] or {}).get("command") or [])
                op = runtime.exec(self.container_id, argv, timeout_seconds=self.timeout)
                op.add_done_callback(lambda o: self._exec_done(o, argv, done))
                return
            if spec.get("httpGet"):
                done(*self._http(spec["httpGet"]))
                return
            if spec.get("tcpSocket"):
                done(*self._tcp(spec["tcpSocket"]))
                return
            if spec.get("grpc"):
                done(False, "gRPC probes are not modelled by labkube")
                return
            done(True, "")
        except NotFoundError:
            return  # the container is gone; its worker is about to be stopped
        except RuntimeErrorBase as err:
            done(False, f"{_TITLE[self.kind]} probe errored: {err.message}")

    def _exec_done(self, op, argv: list, done: Callable[[bool, str], None]) -> None:
        if self.stopped:
            return
        if op.error is not None:
            if isinstance(op.error, (ExecFailedError, RuntimeErrorBase)):
                done(False, op.error.message)
            return
        result = op.result()
        if result.timed_out:
            done(False, f"command {json.dumps(' '.join(argv))} timed out")
            return
        done(result.exit_code == 0, (result.stdout + result.stderr))

    def _http(self, get: dict) -> tuple[bool, str]:
        port = resolve_port(get.get("port"), self.container)
        host = get.get("host") or self.ctx.pod_ip
        path = get.get("path") or "/"
        scheme = (get.get("scheme") or "HTTP").lower()
        headers = {h.get("name", ""): h.get("value", "") for h in get.get("httpHeaders") or []}
        headers.setdefault("User-Agent", "kube-probe/1.32")
        headers.setdefault("Accept", "*/*")
        try:
            response = self.ctx.runtime.http_get(self.container_id, port or 0, path,
                                                  headers=headers, client_ip=self.ctx.host_ip)
        except ConnectionFailed as err:
            text = err.message
            if not text.startswith("Get "):
                text = f'Get "{scheme}://{host}:{port}{path}": {text}'
            return False, text
        if 200 <= response.status < 400:
            return True, ""
        return False, f"HTTP probe failed with statuscode: {response.status}"

    def _tcp(self, sock: dict) -> tuple[bool, str]:
        port = resolve_port(sock.get("port"), self.container)
        if self.ctx.runtime.tcp_open(self.container_id, port or 0):
            return True, ""
        host = sock.get("host") or self.ctx.pod_ip
        return False, f"dial tcp {host}:{port}: connect: connection refused"

    # -- thresholds ---------------------------------------------------------------------------------
    def _record(self, success: bool, output: str) -> None:
        if self.stopped:
            return
        if not success:
            self.ctx.event(WARNING, "Unhealthy", f"{_TITLE[self.kind]} probe failed: {output.rstrip()}",
                           self.container.get("name", ""))
        if self.last_result == success:
            self.run += 1
        else:
            self.last_result, self.run = success, 1
        threshold = self.success_threshold if success else self.failure_threshold
        if self.run < threshold:
            return
        if not success and self.kind in (LIVENESS, STARTUP):
            self.stop()  # on hold until the container is replaced
        if success and self.kind == STARTUP:
            self.stop()
        self.on_result(self, success)
