"""Graceful pod termination and the container lifecycle hooks.

Mirrors the kubelet's ``killPod`` / ``killContainer`` (pkg/kubelet/kuberuntime/
kuberuntime_container.go), its lifecycle handler runner (pkg/kubelet/lifecycle/handlers.go) and
the status manager's final delete (pkg/kubelet/status/status_manager.go):

* when a pod gets a ``deletionTimestamp``, each running container gets the event ``Killing``
  ``Stopping container nginx``, its ``preStop`` hook (exec or httpGet) runs, and the runtime
  stops it with what remains of the grace period (``metadata.deletionGracePeriodSeconds``; at
  least 2 s after a preStop hook, ``minimumGracePeriodInSeconds``): the image's stop signal,
  then SIGKILL (exit 137) when time is up;
* when every container has stopped the sandbox is stopped, the pod's final status is written
  (phase ``Succeeded`` if every container exited 0, else ``Failed``) and the kubelet deletes the
  pod object with grace period 0 and a UID precondition — only then does it leave the API;
* ``postStart`` runs right after a container starts; if it fails the kubelet records
  ``FailedPostStartHook`` and kills the container (the restart policy decides what follows).
"""

from __future__ import annotations

import json

from labkube.core.errors import StatusError
from labkube.core.machinery.events import NORMAL, WARNING
from labkube.core.kubelet.probes import resolve_port
from labkube.runtime.cri import CONTAINER_RUNNING, ConnectionFailed, NotFoundError, RuntimeErrorBase

MINIMUM_GRACE_PERIOD = 2.0
DEFAULT_GRACE_PERIOD = 30


class Termination:
    """The termination of one pod (created once per pod worker)."""

    def __init__(self, worker) -> None:
        self.worker = worker
        meta = worker.pod["metadata"]
        spec = worker.pod.get("spec") or {}
        grace = meta.get("deletionGracePeriodSeconds")
        if grace is None:
            grace = spec.get("terminationGracePeriodSeconds", DEFAULT_GRACE_PERIOD)
        self.grace = float(grace)
        self.deadline = worker.clock.now() + self.grace
        self.finished = False
        self.deleted = False
        self.stopping: set[str] = set()

    def start(self) -> None:
        worker = self.worker
        for record in worker.records.values():
            record.stop_probes()  # readiness stays as it was until the container exits
        for record in worker.running_records():
            self._kill(record)
        self.check()

    def _kill(self, record) -> None:
        worker = self.worker
        cid = record.container_id
        self.stopping.add(cid)
        worker.event(NORMAL, "Killing", f"Stopping container {record.name}", record.name)
        pre_stop = ((record.spec.get("lifecycle") or {}).get("preStop")) or {}
        if pre_stop.get("exec"):
            argv = list((pre_stop["exec"] or {}).get("command") or [])
            try:
                op = worker.runtime.exec(cid, argv, timeout_seconds=self.grace)
            except NotFoundError:
                self.stopping.discard(cid)
                return
            op.add_done_callback(lambda _op: self._stop(cid, after_hook=True))
            return
        if pre_stop.get("httpGet"):
            _http_hook(worker, record, pre_stop["httpGet"])
            self._stop(cid, after_hook=True)
            return
        if pre_stop.get("sleep"):
            seconds = float((pre_stop["sleep"] or {}).get("seconds") or 0)
            worker.clock.call_later(min(seconds, self.grace), lambda: self._stop(cid, after_hook=True))
            return
        self._stop(cid, after_hook=False)

    def _stop(self, cid: str, after_hook: bool) -> None:
        remaining = self.deadline - self.worker.clock.now()
        if after_hook:
            remaining = max(remaining, MINIMUM_GRACE_PERIOD)
        try:
            op = self.worker.runtime.stop_container(cid, max(remaining, 0.0))
        except NotFoundError:
            self.stopping.discard(cid)
            self.check()
            return
        op.add_done_callback(lambda _op: self._stopped(cid))

    def _stopped(self, cid: str) -> None:
        self.stopping.discard(cid)
        self.worker.request_sync()

    def check(self) -> None:
        """Finish when nothing runs any more: stop the sandbox, final status, final delete."""
        worker = self.worker
        running = {record.container_id for record in worker.running_records()}
        self.stopping &= running  # a container that died on its own needs no more stopping
        if self.deleted or self.stopping or running:
            return
        self.finished = True
        worker._stop_sandbox()
        worker.write_status()
        meta = worker.pod["metadata"]
        try:
            worker.kubelet.client.delete("pods", meta["name"], meta.get("namespace"),
                                         grace_period_seconds=0, preconditions={"uid": worker.uid})
        except StatusError as err:
            if err.code not in (404, 409):
                raise
        self.deleted = True

    def final_phase(self, statuses: list[dict]) -> str:
        """The terminal phase of a deleted pod: Succeeded only if every container exited 0."""
        for st in statuses:
            term = st["state"].get("terminated") or (st["lastState"].get("terminated") if "waiting" in st["state"] else None)
            if term is None or term.get("exitCode") != 0:
                return "Failed"
        return "Succeeded"


class Terminations:
    """The kubelet's entry points: ``run`` a pod's termination, run ``postStart`` hooks."""

    def run(self, worker) -> None:
        if worker.termination is None:
            worker.termination = Termination(worker)
            if not worker.sandbox_id and not worker.records:
                worker.termination.check()
                return
            worker.termination.start()
            return
        worker.termination.check()

    def post_start(self, worker, record) -> None:
        hook = ((record.spec.get("lifecycle") or {}).get("postStart")) or {}
        cid = record.container_id
        if hook.get("exec"):
            argv = list((hook["exec"] or {}).get("command") or [])
            try:
                op = worker.runtime.exec(cid, argv, timeout_seconds=None)
            except NotFoundError:
                return
            op.add_done_callback(lambda o: self._exec_hook_done(worker, record, cid, argv, o))
        elif hook.get("httpGet"):
            error = _http_hook(worker, record, hook["httpGet"])
            if error:
                self._failed(worker, record, cid, f"HTTP lifecycle hook ({(hook['httpGet'] or {}).get('path', '/')}) "
                             f'for Container "{record.name}" in Pod "{worker.pod_label()}" failed - error: {error}')

    def _exec_hook_done(self, worker, record, cid: str, argv: list, op) -> None:
        if not worker.alive or record.container_id != cid:
            return
        if op.error is not None:
            detail = getattr(op.error, "message", str(op.error))
            self._failed(worker, record, cid, _exec_message(argv, record, worker, detail, ""))
            return
        result = op.result()
        if result.exit_code != 0:
            detail = f"command '{' '.join(argv)}' exited with {result.exit_code}: {result.stderr}"
            self._failed(worker, record, cid, _exec_message(argv, record, worker, detail, result.stdout))

    def _failed(self, worker, record, cid: str, message: str) -> None:
        try:
            state = worker.runtime.container_status(cid).state
        except NotFoundError:
            return
        worker.event(WARNING, "FailedPostStartHook", message, record.name)
        if state == CONTAINER_RUNNING:
            worker.kill_container(record, "FailedPostStartHook")


def _exec_message(argv: list, record, worker, detail: str, stdout: str) -> str:
    command = "[" + " ".join(argv) + "]"
    return (f"Exec lifecycle hook ({command}) for Container "
            f'"{record.name}" in Pod "{worker.pod_label()}" failed - error: {detail}, message: '
            f"{json.dumps(stdout)}")


def _http_hook(worker, record, get: dict) -> str:
    """Run an httpGet hook; returns the error text, or "" on success."""
    port = resolve_port(get.get("port"), record.spec)
    try:
        response = worker.runtime.http_get(record.container_id, port or 0, get.get("path") or "/")
    except (ConnectionFailed, RuntimeErrorBase) as err:
        return err.message
    if response.status >= 400:
        return f"HTTP lifecycle hook failed with statuscode: {response.status}"
    return ""
