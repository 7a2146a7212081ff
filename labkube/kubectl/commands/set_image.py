"""``kubectl set image TYPE/NAME CONTAINER=IMAGE ...``.

Mirrors k8s.io/kubectl/pkg/cmd/set/set_image.go: arguments are resources first, then
``container=image`` pairs (``*=image`` sets every container). For each object the pod
template's containers, init containers (and a pod's own spec) are changed, and the change is
sent as a strategic merge patch keyed by container name; kubectl then prints
``deployment.apps/web image updated``. An object whose images are already right gets no patch
and prints nothing. A name that matches no container fails that object with
``error: unable to find container named "x"``.
"""

from __future__ import annotations

import copy
from typing import Any

from labkube.core.errors import StatusError
from labkube.kubectl.commands import (
    Context,
    api_dry_run,
    check_operation_output,
    dry_run_strategy,
    print_operation,
)
from labkube.kubectl.commands._ops import raise_group_help, resource_objects, typed
from labkube.kubectl.commands._set_helpers import POD_SPEC_PATHS
from labkube.kubectl.commands.label import split_resources_and_pairs
from labkube.kubectl.errors import KubectlError


def split_args(args: list[str]) -> tuple[list[str], dict[str, str]]:
    """``getResourcesAndImages``: resources, then ``name=image`` pairs (in order)."""
    resources, pairs = split_resources_and_pairs(args, "image")
    images: dict[str, str] = {}
    invalid: list[str] = []
    for pair in pairs:  # cmdutil.ParsePairs without removals: "name-" is no image
        if "=" in pair:
            name, _, image = pair.partition("=")
            images[name] = image
        else:
            invalid.append(pair)
    if invalid:
        raise KubectlError(f"error: invalid image format: {', '.join(invalid)}")
    return resources, images


def run(ctx: Context) -> list[BaseException]:
    if ctx.parsed.path == "set":
        raise_group_help(ctx, "set")
    resources, images = split_args(ctx.parsed.all_args)
    # SetImageOptions.Complete resolves the objects (its builder's errors come first), then Validate
    errors: list[BaseException] = []
    found = list(resource_objects(ctx, resources, errors))
    if errors:
        return errors
    _validate(ctx, resources, images)
    strategy = dry_run_strategy(ctx)
    check_operation_output(ctx)
    for rtype, obj in found:
        try:
            _update_one(ctx, rtype, obj, images, strategy)
        except (StatusError, KubectlError) as err:
            errors.append(err)
    return errors


def _validate(ctx: Context, resources: list[str], images: dict[str, str]) -> None:
    """``SetImageOptions.Validate``: every problem, as one aggregate error."""
    problems = []
    if ctx.flags.get("all") and ctx.flags.get("selector"):
        problems.append("cannot set --all and --selector at the same time")
    if not resources and not ctx.flags["filename"]:
        problems.append("one or more resources must be specified as <resource> <name> or <resource>/<name>")
    if not images:
        problems.append("at least one image update is required")
    elif len(images) > 1 and "*" in images:
        problems.append("all containers are already specified by *, but saw more than one "
                        "container_name=container_image pairs")
    if problems:  # utilerrors.NewAggregate: one message alone, several in brackets
        text = problems[0] if len(problems) == 1 else f"[{', '.join(problems)}]"
        raise KubectlError(f"error: {text}")


def _update_one(ctx: Context, rtype: Any, obj: dict, images: dict[str, str], strategy: str) -> None:
    path = POD_SPEC_PATHS.get(rtype.kind)
    name = obj["metadata"]["name"]
    if path is None:
        raise KubectlError(f"error: {rtype.plural}/{name} {rtype.kind} does not contain a pod spec")
    updated = copy.deepcopy(obj)
    spec = _walk(updated, path)
    missing = [c for c in images if not _set_images(spec, c, images[c])]
    if missing:
        messages = [f'unable to find container named "{c}"' for c in missing]
        text = messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"
        raise KubectlError(f"error: {text}")
    patch = _patch(obj, spec, path)
    if patch is None:
        return
    result = typed(updated, rtype)
    if strategy != "client":
        result = ctx.client.patch(rtype, name, patch, namespace=obj["metadata"].get("namespace"),
                                  patch_type="strategic", dry_run=api_dry_run(strategy))
    print_operation(ctx, result, "image updated", strategy)


def _walk(obj: dict, path: tuple[str, ...]) -> dict:
    node = obj
    for key in path:
        node = node.setdefault(key, {})
    return node


def _set_images(spec: dict, container: str, image: str) -> bool:
    found = False
    for field in ("initContainers", "containers"):
        for c in spec.get(field) or []:
            if c.get("name") == container or container == "*":
                c["image"] = image
                found = True
    return found


def _patch(before: dict, spec: dict, path: tuple[str, ...]) -> dict | None:
    """The strategic merge patch for the changed containers (None when nothing changed)."""
    old_spec = before
    for key in path:
        old_spec = (old_spec or {}).get(key) or {}
    body: dict[str, Any] = {}
    for field in ("containers", "initContainers"):
        old = {c.get("name"): c.get("image") for c in old_spec.get(field) or []}
        changed = [{"image": c["image"], "name": c["name"]} for c in spec.get(field) or []
                   if old.get(c.get("name")) != c.get("image")]
        if changed:
            body[field] = changed
    if not body:
        return None
    for key in reversed(path):
        body = {key: body}
    return body
