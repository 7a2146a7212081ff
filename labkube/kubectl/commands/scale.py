"""``kubectl scale TYPE/NAME --replicas=N [--current-replicas=M] [--resource-version=V]``.

Mirrors k8s.io/kubectl/pkg/cmd/scale and pkg/scale: scaling is a write to the ``scale``
subresource (an ``autoscaling/v1`` Scale), never to the object itself. Without
preconditions kubectl sends a JSON merge patch ``{"spec":{"replicas":N}}`` to ``.../scale``;
with ``--current-replicas`` or ``--resource-version`` it reads the Scale, checks them
(``error: Expected replicas to be 2, was 3``) and writes it back with an update. Then it
prints ``deployment.apps/web scaled``. With ``--timeout`` it waits (on the cluster clock)
until the Scale's status shows the new replica count.
"""

from __future__ import annotations

from typing import Any

from labkube.core.errors import StatusError
from labkube.kubectl.commands import (
    Context,
    api_dry_run,
    check_operation_output,
    dry_run_strategy,
    print_operation,
)
from labkube.kubectl.commands._ops import parse_duration, resource_objects, typed
from labkube.kubectl.errors import KubectlError

REPLICAS_REQUIRED = "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"


def run(ctx: Context) -> list[BaseException]:
    replicas = ctx.flags["replicas"]
    if not ctx.parsed.given("replicas"):
        raise KubectlError('error: required flag(s) "replicas" not set')
    if replicas < 0:
        raise KubectlError(f"error: {REPLICAS_REQUIRED}")
    if ctx.flags["current-replicas"] < -1:
        raise KubectlError("error: The --current-replicas must specify an integer of -1 or greater")
    strategy = dry_run_strategy(ctx)
    check_operation_output(ctx)
    timeout = parse_duration(ctx.flags["timeout"], "timeout")
    errors: list[BaseException] = []
    found = list(resource_objects(ctx, ctx.parsed.all_args, errors))
    if not found and not errors:
        raise KubectlError("error: no objects passed to scale")
    for rtype, obj in found:
        try:
            _scale_one(ctx, rtype, obj, replicas, strategy, timeout)
        except (StatusError, KubectlError) as err:
            errors.append(err)
    return errors


def _scale_one(ctx: Context, rtype: Any, obj: dict, replicas: int, strategy: str, timeout: float) -> None:
    meta = obj["metadata"]
    name, namespace = meta["name"], meta.get("namespace")
    if strategy != "client":
        write_scale(ctx.client, rtype, name, namespace, replicas,
                    current_replicas=ctx.flags["current-replicas"],
                    resource_version=ctx.flags["resource-version"], dry_run=api_dry_run(strategy))
        if timeout > 0 and strategy == "none":
            _wait_for_replicas(ctx, rtype, name, namespace, replicas, timeout)
    print_operation(ctx, typed(obj, rtype), "scaled", strategy)


def write_scale(client: Any, rtype: Any, name: str, namespace: str | None, replicas: int, *,
                current_replicas: int = -1, resource_version: str = "", dry_run: bool = False) -> dict:
    """``ScaleSimple``: a merge patch, or (with preconditions) a checked read-modify-update."""
    if current_replicas == -1 and not resource_version:
        return client.patch(rtype, name, {"spec": {"replicas": replicas}}, namespace=namespace,
                            patch_type="merge", subresource="scale", dry_run=dry_run)
    scale = client.get(rtype, name, namespace, subresource="scale")
    have = (scale.get("spec") or {}).get("replicas", 0)
    if current_replicas != -1 and current_replicas != have:
        raise KubectlError(f"error: Expected replicas to be {current_replicas}, was {have}")
    actual_version = scale["metadata"].get("resourceVersion", "")
    if resource_version and resource_version != actual_version:
        raise KubectlError(f"error: Expected resource version to be {resource_version}, was {actual_version}")
    scale.setdefault("spec", {})["replicas"] = replicas
    return client.update(scale, subresource="scale", resource=rtype, dry_run=dry_run)


def _wait_for_replicas(ctx: Context, rtype: Any, name: str, namespace: str | None, replicas: int,
                       timeout: float) -> None:
    """``WaitForScaleHasDesiredReplicas``: status.replicas reaches the new count."""

    def reached() -> bool:
        scale = ctx.client.get(rtype, name, namespace, subresource="scale")
        return (scale.get("status") or {}).get("replicas", 0) == replicas

    if not ctx.cluster.run_until(reached, timeout):
        raise KubectlError("error: timed out waiting for the condition")
