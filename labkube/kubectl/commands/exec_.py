"""``kubectl exec (POD | TYPE/NAME) [-c CONTAINER] -- COMMAND [ARGS...]``.

Mirrors k8s.io/kubectl/pkg/cmd/exec: find the pod (``TYPE/NAME`` picks one as ``kubectl logs``
does), default the container (``Defaulted container "a" out of: a, b``), refuse pods that
have finished (``cannot exec into a container in a completed pod; current phase is
Succeeded``), then run the command through the pod's ``exec`` subresource —
``Client.pod_exec(name, namespace, command, *, container)`` returning an ``ExecResult``
(``exit_code``, ``stdout``, ``stderr``). The command's stdout and stderr are printed as they
came; a non-zero exit prints kubectl's ``command terminated with exit code N`` and kubectl
exits with N. In labkube the command runs in the simulated runtime's shell (see
:mod:`labkube.runtime.sim`); there is no terminal, so ``-t`` changes nothing and stdin is empty.
"""

from __future__ import annotations

from labkube.core.kubelet.kubelet import ExecStreamError
from labkube.kubectl.commands import Context
from labkube.kubectl.commands.logs import attachable_pod, default_container
from labkube.kubectl.errors import KubectlError


def run(ctx: Context) -> list[BaseException]:
    args = ctx.parsed.args
    command = list(ctx.parsed.after_dash)
    # ExecOptions.Complete: words before "--" past the pod are the old "exec POD COMMAND" form
    if len(args) > 1 and not command:
        raise ctx.usage_error("exec [POD] [COMMAND] is not supported anymore. "
                              "Use exec [POD] -- [COMMAND] instead")
    # ExecOptions.Validate
    if not args:
        raise KubectlError("error: pod, type/name or --filename must be specified")
    if not command:
        raise KubectlError("error: you must specify at least one command for the container")
    pod = attachable_pod(ctx, args[0])
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise KubectlError(f"error: cannot exec into a container in a completed pod; current phase is {phase}")
    container = ctx.flags["container"] or default_container(ctx, pod)
    run_in_pod = getattr(ctx.client, "pod_exec", None)
    if run_in_pod is None:
        raise KubectlError("error: this cluster's API client cannot exec into containers (Client.pod_exec)")
    meta = pod["metadata"]
    try:
        result = run_in_pod(meta["name"], meta["namespace"], command, container=container)
    except ExecStreamError as err:  # from the exec stream, not an API response
        raise KubectlError(f"error: {err.message}") from None
    ctx.term.out(result.stdout)
    ctx.term.err(result.stderr)
    if result.exit_code:
        raise KubectlError(f"command terminated with exit code {result.exit_code}", result.exit_code)
    return []
