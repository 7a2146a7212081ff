"""``kubectl autoscale (-f FILENAME | TYPE NAME | TYPE/NAME) [--min=MINPODS] --max=MAXPODS
[--cpu-percent=CPU]``: create an autoscaling/v1 HorizontalPodAutoscaler for a workload.

Mirrors k8s.io/kubectl/pkg/cmd/autoscale/autoscale.go (kubectl 1.32): ``--max`` is required
and at least 1 and not below ``--min``; only a resource with a ``scale`` subresource can be
autoscaled ("cannot autoscale a Pod: ..."); the HPA is named after the target (or ``--name``),
``minReplicas`` is set only when ``--min`` > 0 and ``targetCPUUtilizationPercentage`` only when
``--cpu-percent`` >= 0 (the server's default then applies: 80%). It prints
``horizontalpodautoscaler.autoscaling/php-apache autoscaled`` (``created (dry run)`` with
``--dry-run=client``).
"""

from __future__ import annotations

from typing import Any

from labkube.core.errors import StatusError
from labkube.kubectl.commands import Context, api_dry_run, check_operation_output, dry_run_strategy, print_operation
from labkube.kubectl.commands._ops import resource_objects
from labkube.kubectl.commands.create import save_config
from labkube.kubectl.errors import KubectlError


def build_hpa(target_name: str, target_api_version: str, target_kind: str, max_replicas: int, *,
              min_replicas: int = -1, cpu_percent: int = -1, name: str = "") -> dict:
    """``createHorizontalPodAutoscaler``: the autoscaling/v1 object, fields in Go's order."""
    spec: dict = {"scaleTargetRef": {"kind": target_kind, "name": target_name, "apiVersion": target_api_version}}
    if min_replicas > 0:
        spec["minReplicas"] = min_replicas
    spec["maxReplicas"] = max_replicas
    if cpu_percent >= 0:
        spec["targetCPUUtilizationPercentage"] = cpu_percent
    return {"kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v1",
            "metadata": {"name": name or target_name, "creationTimestamp": None}, "spec": spec,
            "status": {"currentReplicas": 0, "desiredReplicas": 0}}


def validate(min_replicas: int, max_replicas: int) -> None:
    """``AutoscaleOptions.Validate``."""
    if max_replicas < 1:
        raise KubectlError(f"error: --max=MAXPODS is required and must be at least 1, max: {max_replicas}")
    if max_replicas < min_replicas:
        raise KubectlError(f"error: --max=MAXPODS must be larger or equal to --min=MINPODS, "
                           f"max: {max_replicas}, min: {min_replicas}")


def run(ctx: Context) -> list[BaseException]:
    if not ctx.parsed.given("max"):
        raise KubectlError('error: required flag(s) "max" not set')
    strategy = dry_run_strategy(ctx)
    check_operation_output(ctx)
    validate(ctx.flags["min"], ctx.flags["max"])
    errors: list[BaseException] = []
    count = 0
    for rtype, obj in resource_objects(ctx, ctx.parsed.all_args, errors, allow_selector=False):
        try:
            _autoscale_one(ctx, rtype, obj, strategy)
            count += 1
        except (StatusError, KubectlError) as err:
            errors.append(err)
            break  # Visit stops at the first error
    if count == 0 and not errors:
        raise KubectlError("error: no objects passed to autoscale")
    return errors


def _autoscale_one(ctx: Context, rtype: Any, obj: dict, strategy: str) -> None:
    if "scale" not in rtype.subresources:
        raise KubectlError(f"error: cannot autoscale a {rtype.kind}: could not find scale subresource for "
                           f"{rtype.group}/{rtype.version}, Resource={rtype.plural} in discovery information")
    hpa = build_hpa(obj["metadata"]["name"], rtype.api_version, rtype.kind, ctx.flags["max"],
                    min_replicas=ctx.flags["min"], cpu_percent=ctx.flags["cpu-percent"], name=ctx.flags["name"])
    if strategy == "client":
        print_operation(ctx, hpa, "created", strategy)
        return
    if ctx.flags.get("save-config"):
        save_config(hpa)
    body = {k: v for k, v in hpa.items() if k != "status"}
    body["metadata"] = {"name": hpa["metadata"]["name"], **({"annotations": hpa["metadata"]["annotations"]}
                                                           if "annotations" in hpa["metadata"] else {})}
    created = ctx.client.create(body, obj["metadata"].get("namespace") or ctx.namespace,
                                dry_run=api_dry_run(strategy))
    print_operation(ctx, created, "autoscaled", strategy)
