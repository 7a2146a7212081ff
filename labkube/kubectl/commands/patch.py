"""``kubectl patch TYPE NAME -p PATCH [--type strategic|merge|json]``.

Mirrors k8s.io/kubectl/pkg/cmd/patch. The patch text is JSON or YAML; it is sent with
``Client.patch`` and kubectl prints ``deployment.apps/web patched`` — or
``deployment.apps/web patched (no change)`` when the object came back as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from labkube.core.errors import StatusError
from labkube.kubectl.commands import (
    Context,
    api_dry_run,
    check_operation_output,
    dry_run_strategy,
    namespace_for,
    parse_targets,
    print_operation,
)
from labkube.kubectl.commands.apply import read_and_map
from labkube.kubectl.errors import KubectlError

PATCH_TYPES = ("json", "merge", "strategic")


def run(ctx: Context) -> list[BaseException]:
    text = _patch_text(ctx)
    patch_type = ctx.flags["type"]
    if patch_type not in PATCH_TYPES:
        raise KubectlError(f'error: --type must be one of [json merge strategic], not "{patch_type}"')
    strategy = dry_run_strategy(ctx)
    check_operation_output(ctx)
    patch = _decode(text)
    errors: list[BaseException] = []
    for rtype, name, namespace in _targets(ctx, errors):
        try:
            _patch_one(ctx, rtype, name, namespace, patch, patch_type, strategy)
        except StatusError as err:
            errors.append(err)
    return errors


def _patch_text(ctx: Context) -> str:
    text, path = ctx.flags["patch"], ctx.flags["patch-file"]
    if text and path:
        raise KubectlError("error: cannot specify --patch and --patch-file together")
    if path:
        try:
            return Path(path).read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            raise KubectlError(f"error: unable to read patch file: open {path}: no such file or directory") from None
    if not text:
        raise KubectlError("error: must specify --patch or --patch-file containing the contents of the patch")
    return text


def _decode(text: str) -> Any:
    """``yaml.ToJSON``: the patch may be written in JSON or YAML."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        from labkube.kubectl.errors import go_yaml_error

        raise KubectlError(f"error: unable to parse \"{text}\": {go_yaml_error(err)}") from None


def _targets(ctx: Context, errors: list[BaseException]):
    if ctx.flags["filename"]:
        mapped, read_errors = read_and_map(ctx)
        errors.extend(read_errors)
        for item, rtype in mapped:
            meta = item.obj["metadata"]
            yield rtype, meta["name"], meta.get("namespace") if rtype.namespaced else None
        return
    targets = parse_targets(ctx, ctx.parsed.all_args)
    if not targets:
        raise KubectlError("error: You must provide one or more resources by argument or filename.\n"
                           "Example resource specifications include:\n   '-f rsrc.yaml'\n"
                           "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
    for target in targets:
        if not target.names:
            raise KubectlError("error: resource(s) were provided, but no name was specified")
        for name in target.names:
            yield target.rtype, name, namespace_for(ctx, target.rtype)


def _patch_one(ctx: Context, rtype: Any, name: str, namespace: str | None, patch: Any,
               patch_type: str, strategy: str) -> None:
    before = ctx.client.get(rtype, name, namespace)
    if strategy == "client":
        print_operation(ctx, before, "patched", strategy)
        return
    after = ctx.client.patch(rtype, name, patch, namespace=namespace, patch_type=patch_type,
                             subresource=ctx.flags["subresource"] or None,
                             dry_run=api_dry_run(strategy))
    changed = _comparable(before) != _comparable(after)
    print_operation(ctx, after, "patched" if changed else "patched (no change)", strategy)


def _comparable(obj: dict) -> dict:
    """The object without fields the server bumps on every write."""
    meta = dict(obj.get("metadata") or {})
    meta.pop("resourceVersion", None)
    meta.pop("managedFields", None)
    return {**obj, "metadata": meta}
