"""``kubectl set resources (-f FILE | TYPE NAME) --limits=cpu=200m,memory=512Mi --requests=...``.

Mirrors k8s.io/kubectl/pkg/cmd/set/set_resources.go as kubectl 1.32 runs it:

1. ``Complete``: ``--dry-run`` and ``-o`` are checked, then the objects are fetched (the
   builder: ``TYPE NAME``, ``TYPE/NAME``, ``-l``, ``--all``, ``-f``; with ``--local`` only
   ``-f`` files are read and any argument is refused). Fetching comes first, so a missing
   object is reported before a bad ``--limits``.
2. ``Validate``: ``--local`` with ``--dry-run=server``, ``--all`` with ``-l``, neither
   ``--limits`` nor ``--requests``, then each ``name=quantity`` (``Invalid argument syntax
   cpu, expected <resource>=<value>``, Kubernetes' quantity errors).
3. ``Run``: in every container the ``-c`` pattern selects (init containers too) each given
   limit and request is set (quantities in canonical form: ``0.5`` -> ``500m``); an object
   with no such container fails with ``error: unable to find container named x``. The change
   goes to the server as a strategic merge patch and kubectl prints
   ``deployment.apps/web resource requirements updated``; for a Deployment that is a new pod
   template, so the Deployment controller rolls out a new ReplicaSet when the cluster runs.

The container selection, pod-spec lookup, patch computation and object fetching are
``helper.go``'s, shared with ``set env`` (:mod:`labkube.kubectl.commands.set_env`).
"""

from __future__ import annotations

from typing import Any

from labkube.core.api.quantity import parse_quantity
from labkube.kubectl.commands import Context, check_operation_output, dry_run_strategy
from labkube.kubectl.commands._set_helpers import (
    Failed,
    aggregate,
    calculate_patches,
    fetch_objects,
    pod_spec_of,
    select_containers,
    send_changes,
)
from labkube.kubectl.errors import KubectlError

LOCAL_ARGUMENTS = (
    "error: you must specify resources by --filename when --local is set.\n"
    "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'"
)


def run(ctx: Context) -> list[BaseException]:
    if ctx.parsed.given("record"):  # pflag's notice for a deprecated flag, as it is parsed
        ctx.term.err_line("Flag --record has been deprecated, --record will be removed in the future")
    strategy = dry_run_strategy(ctx)
    check_operation_output(ctx)
    args = ctx.parsed.all_args
    local = ctx.flags["local"]
    if local and args:
        raise KubectlError(LOCAL_ARGUMENTS)
    try:
        found = fetch_objects(ctx, args, local=local, selector=ctx.flags["selector"],
                              select_all=ctx.flags["all"])
    except Failed as failed:
        return failed.errors
    requirements = _validate(ctx, strategy)
    errors: list[BaseException] = []
    changes = calculate_patches(found, lambda rtype, obj: _mutate(ctx, requirements, rtype, obj, errors))
    send_changes(ctx, changes, "resource requirements updated", strategy, local=local,
                 failure="failed to patch resources update to pod template ", errors=errors)
    return aggregate(errors)


def _validate(ctx: Context, strategy: str) -> dict[str, dict[str, str]]:
    """``SetResourcesOptions.Validate``; returns ``{"limits": {...}, "requests": {...}}``."""
    if ctx.flags["local"] and strategy == "server":
        raise KubectlError("error: cannot specify --local and --dry-run=server - did you mean --dry-run=client?")
    if ctx.flags["all"] and ctx.flags["selector"]:
        raise KubectlError("error: cannot set --all and --selector at the same time")
    if not ctx.flags["limits"] and not ctx.flags["requests"]:
        raise KubectlError("error: you must specify an update to requests or limits (in the form of "
                           "--requests/--limits)")
    return {"limits": parse_resource_list(ctx.flags["limits"]),
            "requests": parse_resource_list(ctx.flags["requests"])}


def parse_resource_list(text: str) -> dict[str, str]:
    """``populateResourceListV1``: ``cpu=100m,memory=256Mi`` -> canonical quantities."""
    result: dict[str, str] = {}
    if not text:
        return result
    for statement in text.split(","):
        parts = statement.split("=")
        if len(parts) != 2:
            raise KubectlError(f"error: Invalid argument syntax {statement}, expected <resource>=<value>")
        try:
            result[parts[0]] = str(parse_quantity(parts[1]))
        except ValueError as err:
            raise KubectlError(f"error: {err}") from None
    return result


def _mutate(ctx: Context, requirements: dict[str, dict[str, str]], rtype: Any, obj: dict,
            errors: list[BaseException]) -> bool:
    """Set the limits and requests in the selected containers (False: nothing selected)."""
    spec = pod_spec_of(rtype, obj)
    pattern = ctx.flags["containers"]
    containers = select_containers(spec, pattern)
    if not containers:
        errors.append(KubectlError(f"error: unable to find container named {pattern}"))
        return False
    if ctx.flags["record"]:  # the Recorder: this command line, for "rollout history"
        annotations = obj.setdefault("metadata", {}).get("annotations") or {}
        obj["metadata"]["annotations"] = {**annotations, "kubernetes.io/change-cause": change_cause(ctx)}
    for container in containers:
        resources = container.get("resources")
        if not isinstance(resources, dict):
            resources = container["resources"] = {}
        for section, values in requirements.items():
            if not values:
                continue
            if not isinstance(resources.get(section), dict):
                resources[section] = {}
            resources[section].update(values)
    return True



def change_cause(ctx: Context) -> str:
    """``--record``'s ``kubernetes.io/change-cause``: ``kubectl``, the words that are not flags,
    then each flag given as ``--name=value``. (kubectl lists the flags in the order they were
    typed; labkube's parser keeps no order, so they come in name order here.)"""
    words = ["kubectl", *ctx.parsed.path.split(), *ctx.parsed.all_args]
    flags = []
    for name in sorted(ctx.parsed.changed):
        value = ctx.flags[name]
        values = value if isinstance(value, list) else [value]
        for item in values:
            text = str(item).lower() if isinstance(item, bool) else str(item)
            flags.append(f"--{name}={text}")
    return " ".join(words + flags)
