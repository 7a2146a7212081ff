"""``kubectl run -i [--rm] [--restart=Never] NAME --image=IMAGE -- COMMAND``: run, attach, remove.

Mirrors ``RunOptions.Run`` of k8s.io/kubectl/pkg/cmd/run (kubectl 1.32) when it attaches (``-i``
or ``--attach``), as far as a notebook allows:

* the pod is created (nothing is printed for it), then the clock runs until it is running and
  ready or has finished, for at most ``--pod-running-timeout`` (1m): else ``timed out waiting
  for the condition``;
* a pod that has finished prints its log (kubectl falls back to the logs);
* a running one: kubectl would connect your terminal. With ``-t`` (a shell waiting for its
  terminal) there is none to connect, so labkube prints kubectl's ``If you don't see a command
  prompt, try pressing enter.`` and a ``labkube:`` note saying how to go on, and leaves the pod
  (and ``--rm``) to you. Without ``-t``, the command's output is what attaching shows: the clock
  runs until the container stops (at most :data:`OUTPUT_WAIT`), then its log is printed;
* with ``--restart=Never`` (or ``OnFailure``) kubectl waits for the pod to complete and returns
  the container's exit code: ``pod default/NAME terminated (Error)`` and the status's message;
* ``--rm`` deletes the pod at the end, printing ``pod "NAME" deleted`` (``-q`` hides it), before
  any such error is printed.

A ``-i`` pod's stdin gets nothing here: a program that reads it sees no input.
"""

from __future__ import annotations

from typing import Any, Optional

from labkube.core.errors import StatusError
from labkube.kubectl.commands import Context
from labkube.kubectl.errors import KubectlError

PROMPT_HINT = "If you don't see a command prompt, try pressing enter."
#: How long of cluster time the output of a running, attached container is followed.
OUTPUT_WAIT = 600.0


def attach(ctx: Context, pod: dict, restart: str, running_timeout: float, tty: bool) -> None:
    """Everything after the create: wait, show the output, wait for the exit code, remove."""
    meta = pod["metadata"]
    name, namespace = meta["name"], meta["namespace"]
    try:
        _attach_output(ctx, name, namespace, running_timeout, tty)
        if tty and not _finished(_get(ctx, name, namespace)):
            return  # a terminal session labkube cannot hold: the pod stays for kubectl exec
        if restart in ("Never", "OnFailure"):
            _check_exit(ctx, name, namespace, restart, running_timeout)
    finally:
        if ctx.flags["rm"] and not (tty and _running(ctx, name, namespace)):
            _remove(ctx, name, namespace)


def _attach_output(ctx: Context, name: str, namespace: str, running_timeout: float, tty: bool) -> None:
    """``handleAttachPod``: wait until running and ready or finished, then show the output."""
    pod = _wait(ctx, name, namespace, running_timeout, lambda p: _finished(p) or _running_and_ready(p))
    if pod is None:
        raise KubectlError("error: timed out waiting for the condition")
    if not _finished(pod) and tty:
        if not ctx.flags["quiet"]:
            ctx.term.err_line(PROMPT_HINT)
        where = f"{name}{_namespace_flag(ctx)}"
        ctx.term.err_line(
            f"labkube: there is no terminal to attach here; the pod keeps running. Run commands in it with "
            f"\"kubectl exec {where} -- ps\", and delete it with \"kubectl delete pod {where}\" when done.")
        return
    if not _finished(pod):
        _wait(ctx, name, namespace, OUTPUT_WAIT, _container_stopped)
    ctx.term.out(ctx.client.pod_logs(name, namespace))


def _check_exit(ctx: Context, name: str, namespace: str, restart: str, running_timeout: float) -> None:
    """``waitForPod`` with podCompleted (Never) or podSucceeded (OnFailure), then the exit code."""
    done = _finished if restart == "Never" else (lambda p: (p.get("status") or {}).get("phase") == "Succeeded")
    pod = _wait(ctx, name, namespace, running_timeout, done)
    if pod is None:
        raise KubectlError("error: timed out waiting for the condition")
    phase = (pod.get("status") or {}).get("phase")
    if phase == "Succeeded":
        return
    if phase != "Failed":
        raise KubectlError(f"error: pod {namespace}/{name} left in phase {phase}")
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    terminated = (statuses[0].get("state") or {}).get("terminated") if statuses else None
    if not terminated or not terminated.get("exitCode"):
        raise KubectlError(f"error: pod {namespace}/{name} failed with unknown exit code")
    raise KubectlError(f"error: pod {namespace}/{name} terminated ({terminated.get('reason', '')})\n"
                       f"{terminated.get('message', '')}", exit_code=int(terminated["exitCode"]))


def _remove(ctx: Context, name: str, namespace: str) -> None:
    """``removeCreatedObjects``: a delete that ignores NotFound and does not wait."""
    try:
        ctx.client.delete("pods", name, namespace)
    except StatusError as err:
        if err.code == 404:
            return
        raise
    if not ctx.flags["quiet"]:
        ctx.term.out(f'pod "{name}" deleted\n')


# -- the pod's state, on the cluster clock ----------------------------------------------------
def _get(ctx: Context, name: str, namespace: str) -> Optional[dict]:
    try:
        return ctx.client.get("pods", name, namespace)
    except StatusError as err:
        if err.code == 404:
            return None
        raise


def _wait(ctx: Context, name: str, namespace: str, timeout: float, condition) -> Optional[dict]:
    found: list[Optional[dict]] = [None]

    def ready() -> bool:
        pod = _get(ctx, name, namespace)
        if pod is not None and condition(pod):
            found[0] = pod
            return True
        return False

    if not ready():
        ctx.cluster.run_until(ready, timeout)
    return found[0]


def _finished(pod: Optional[dict]) -> bool:
    return pod is not None and (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def _running_and_ready(pod: dict) -> bool:
    status = pod.get("status") or {}
    return status.get("phase") == "Running" and any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])


def _running(ctx: Context, name: str, namespace: str) -> bool:
    pod = _get(ctx, name, namespace)
    return pod is not None and not _finished(pod)


def _container_stopped(pod: dict) -> bool:
    """The attached stream ends when the container stops (a restart starts a new one)."""
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return _finished(pod) or any("terminated" in (s.get("state") or {}) or s.get("restartCount", 0) > 0
                                 for s in statuses)


def _namespace_flag(ctx: Context) -> str:
    return f" -n {ctx.namespace}" if ctx.namespace != "default" else ""


def container_attach_fields(stdin: bool, leave_stdin_open: bool, tty: bool) -> dict[str, Any]:
    """The run-pod/v1 generator's ``stdin``, ``stdinOnce`` and ``tty`` (only those set)."""
    fields: dict[str, Any] = {}
    if stdin:
        fields["stdin"] = True
        if not leave_stdin_open:
            fields["stdinOnce"] = True
    if tty:
        fields["tty"] = True
    return fields
