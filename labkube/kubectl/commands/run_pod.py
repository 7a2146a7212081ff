"""``kubectl run NAME --image=IMAGE [--port] [--labels] [--env] [--restart] [--command] -- ARGS``.

Mirrors k8s.io/kubectl/pkg/cmd/run and the ``run-pod/v1`` generator
(pkg/generate/versioned/run.go): one Pod, labelled ``run=<name>`` unless ``--labels`` is
given, one container named after the pod, ``restartPolicy`` from ``--restart`` and
``dnsPolicy: ClusterFirst``. Words after ``--`` become the container's ``args`` (its
``command`` with ``--command``). The object is built in Go's field order so ``--dry-run=client
-o yaml|json`` prints what kubectl 1.32 prints; otherwise it is created and kubectl prints
``pod/nginx created``. ``--overrides`` patches the generated Pod first (see
:mod:`labkube.kubectl.commands.overrides`). Attaching (``-i``, ``-t``, ``--attach``, ``--rm``)
is :mod:`labkube.kubectl.commands.run_attach`: a one-off command's output and exit code work as
in kubectl; a terminal session cannot be held in a notebook. ``--expose`` is not provided.
"""

from __future__ import annotations

from typing import Any

from labkube.kubectl.commands import (
    Context,
    api_dry_run,
    check_operation_output,
    dry_run_strategy,
    print_operation,
)
from labkube.kubectl.commands.create import _without_nulls
from labkube.kubectl.commands.overrides import apply_overrides
from labkube.kubectl.commands.run_attach import attach, container_attach_fields
from labkube.kubectl.errors import KubectlError
from labkube.kubectl.parse import go_duration_seconds

RESTART_POLICIES = ("Always", "OnFailure", "Never")


def parse_pairs(specs: list[str], what: str) -> list[tuple[str, str]]:
    """``key=value`` pairs (``--labels=a=b,c=d`` or repeated ``--env``), kubectl's errors."""
    pairs = []
    for spec in specs:
        key, sep, value = spec.partition("=")
        if not sep or not key:
            raise KubectlError(f"error: invalid {what}: {spec}")
        pairs.append((key, value))
    return pairs


def build_pod(name: str, image: str, *, labels: dict[str, str] | None = None,
              annotations: dict[str, str] | None = None, port: str = "", env: list[tuple[str, str]] = (),
              args: list[str] = (), command: bool = False, restart: str = "Always",
              image_pull_policy: str = "", privileged: bool = False,
              namespace: str | None = None, attach_fields: dict | None = None) -> dict:
    """The ``run-pod/v1`` generator's Pod, fields in Go struct order."""
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["creationTimestamp"] = None
    meta["labels"] = dict(labels) if labels is not None else {"run": name}
    if annotations:
        meta["annotations"] = dict(annotations)
    container: dict[str, Any] = {"name": name, "image": image}
    if args:
        container["command" if command else "args"] = list(args)
    if port:
        container["ports"] = [{"containerPort": int(port)}]
    if env:
        container["env"] = [{"name": k, "value": v} for k, v in env]
    container["resources"] = {}
    if image_pull_policy:
        container["imagePullPolicy"] = image_pull_policy
    if privileged:
        container["securityContext"] = {"privileged": True}
    container.update(attach_fields or {})  # stdin, stdinOnce, tty: last in Container's order
    return {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": meta,
        "spec": {"containers": [container], "restartPolicy": restart, "dnsPolicy": "ClusterFirst"},
        "status": {},
    }


def run(ctx: Context) -> list[BaseException]:
    args = ctx.parsed.args
    if not ctx.parsed.given("image"):  # cobra's required flag, checked before the command runs
        raise KubectlError('error: required flag(s) "image" not set')
    if not args:
        raise ctx.usage_error("NAME is required for run")
    if not ctx.flags["image"]:
        raise KubectlError("error: --image is required")
    attaching = _validate_attach(ctx)
    restart = _restart(ctx, ctx.flags["restart"] if ctx.parsed.given("restart")
                       else "OnFailure" if ctx.flags["stdin"] else "Always")
    strategy = dry_run_strategy(ctx)
    check_operation_output(ctx)
    obj = build_pod(
        args[0], ctx.flags["image"],
        labels=dict(parse_pairs(_split(ctx.flags["labels"]), "label spec")) if ctx.flags["labels"] else None,
        annotations=dict(parse_pairs(ctx.flags["annotations"], "annotation spec")) or None,
        port=_port(ctx.flags["port"]), env=parse_pairs(ctx.flags["env"], "env"),
        args=list(args[1:]) + list(ctx.parsed.after_dash), command=ctx.flags["command"],
        restart=restart, image_pull_policy=ctx.flags["image-pull-policy"],
        privileged=ctx.flags["privileged"], namespace=ctx.namespace if ctx.namespace_explicit else None,
        attach_fields=container_attach_fields(ctx.flags["stdin"], ctx.flags["leave-stdin-open"], ctx.flags["tty"]),
    )
    obj = apply_overrides(ctx, obj)
    if ctx.flags.get("save-config"):
        from labkube.kubectl.commands.create import save_config

        save_config(obj)
    if strategy == "client":
        print_operation(ctx, obj, "created", strategy)
        return []
    created = ctx.client.create(_without_nulls(obj), ctx.namespace, dry_run=api_dry_run(strategy))
    if attaching:  # run.go prints nothing for the pod it attaches to
        attach(ctx, created, restart, go_duration_seconds(ctx.flags["pod-running-timeout"]), ctx.flags["tty"])
        return []
    print_operation(ctx, {"apiVersion": "v1", "kind": "Pod", **created}, "created", strategy)
    return []


def _split(text: str) -> list[str]:
    return [part for part in text.split(",") if part]


def _port(text: str) -> str:
    if not text:
        return ""
    if not text.isdigit():
        raise KubectlError(f'error: strconv.Atoi: parsing "{text}": invalid syntax')
    return text


def _restart(ctx: Context, policy: str) -> str:
    if policy not in RESTART_POLICIES:
        raise ctx.usage_error(f"invalid restart policy: {policy}")
    return policy


def _validate_attach(ctx: Context) -> bool:
    """``RunOptions.Validate``'s checks of attaching, in its order; whether to attach
    (``--attach``, whose default is ``-i``)."""
    flags = ctx.flags
    attaching = flags["attach"] if ctx.parsed.given("attach") else flags["stdin"]
    if flags["tty"] and not flags["stdin"]:
        raise ctx.usage_error("-i/--stdin is required for containers with -t/--tty=true")
    if flags["expose"]:
        raise KubectlError("error: labkube's kubectl run does not support --expose: create the pod, then "
                           "kubectl expose pod NAME --port=PORT")
    if flags["rm"] and not attaching:
        raise ctx.usage_error("--rm should only be used for attached containers")
    if attaching and ctx.parsed.given("dry-run") and flags["dry-run"] not in ("", "none"):
        raise ctx.usage_error("--dry-run=[server|client] can't be used with attached containers options "
                              "(--attach, --stdin, or --tty)")
    return attaching
