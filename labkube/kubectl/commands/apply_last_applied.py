"""``kubectl apply view-last-applied`` and ``kubectl apply set-last-applied``: the
``kubectl.kubernetes.io/last-applied-configuration`` annotation client-side apply keeps.

Mirrors staging/src/k8s.io/kubectl/pkg/cmd/apply/apply_view_last_applied.go and
apply_set_last_applied.go (kubectl 1.32).

``view-last-applied (TYPE [NAME | -l label] | TYPE/NAME | -f FILE)`` prints each object's
annotation, as YAML (the default, keys sorted) or as JSON (``-o json``: the stored JSON indented
by two spaces, as Go's ``json.Indent`` does). An object without the annotation prints nothing.
Any other ``-o`` is refused (``the flag 'output' must be one of yaml|json``).

``set-last-applied -f FILE`` makes each file object the annotation of the live object of that
name, as ``kubectl apply`` would have left it: a JSON merge patch of the annotation alone,
printed as ``configmap/settings configured``. An object whose annotation already is that
JSON prints ``set-last-applied settings: no changes required.``; one without the annotation is
refused unless ``--create-annotation``. The objects are checked first, all of them, then
patched (``--dry-run=client`` patches nothing and prints the live object).

``apply edit-last-applied`` opens an editor in kubectl; labkube has none, and says how to do
it with these two (see labkube/kubectl/parse.py).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from labkube.core.apply import LAST_APPLIED_ANNOTATION as LAST_APPLIED, go_json
from labkube.core.errors import StatusError
from labkube.kubectl import files
from labkube.kubectl.commands import (
    Context,
    api_dry_run,
    check_operation_output,
    dry_run_strategy,
    print_operation,
)
from labkube.kubectl.commands._ops import NO_RESOURCES, resource_objects
from labkube.kubectl.errors import KubectlError, PlainError


def run(ctx: Context) -> list[BaseException]:
    if ctx.parsed.path == "apply view-last-applied":
        return view(ctx)
    return set_last_applied(ctx)


# -- view-last-applied ----------------------------------------------------------------------------
def view(ctx: Context) -> list[BaseException]:
    args = ctx.parsed.all_args
    if not args and not ctx.flags["filename"]:
        raise KubectlError(NO_RESOURCES)
    errors: list[BaseException] = []
    configs: list[str] = []
    for _, obj in resource_objects(ctx, args, errors):
        if errors:
            break
        text = ((obj.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
        if text:
            configs.append(text)
    if errors:  # the builder stops at its first error
        return errors[:1]
    output = ctx.flags["output"]
    for text in configs:
        ctx.term.out(_shown(ctx, text, output))
    return []


def _shown(ctx: Context, text: str, output: str) -> str:
    if output == "json":
        return go_json_indent(text)
    if output == "yaml":
        from labkube.kubectl.output import to_yaml

        try:
            return to_yaml(json.loads(text))
        except ValueError as err:
            raise KubectlError(f"error: {err}") from None
    raise ctx.usage_error(f"Unexpected -o output mode: {output}, the flag 'output' must be one of yaml|json")


def go_json_indent(text: str, indent: str = "  ") -> str:
    """Go's ``json.Indent(dst, src, "", indent)``: the JSON text laid out, its strings copied
    as they are (escapes kept), empty ``{}`` and ``[]`` kept on one line, leading blanks
    dropped and trailing ones kept."""
    out: list[str] = []
    depth = 0
    need_indent = False  # an opening bracket was written; a newline waits for the next token
    index, src = 0, text.lstrip(" \t\r\n")
    body_end = len(src.rstrip(" \t\r\n"))
    while index < body_end:
        char = src[index]
        if char in " \t\r\n":
            index += 1
            continue
        if need_indent and char not in "]}":
            need_indent = False
            out.append("\n" + indent * depth)
        if char == '"':
            end = _string_end(src, index)
            out.append(src[index:end])
            index = end
            continue
        if char in "[{":
            out.append(char)
            depth += 1
            need_indent = True
        elif char in "]}":
            depth -= 1
            if need_indent:
                need_indent = False  # an empty [] or {}
            else:
                out.append("\n" + indent * depth)
            out.append(char)
        elif char == ",":
            out.append(",\n" + indent * depth)
        elif char == ":":
            out.append(": ")
        else:
            out.append(char)
        index += 1
    return "".join(out) + src[body_end:]


def _string_end(src: str, start: int) -> int:
    index = start + 1
    while index < len(src):
        if src[index] == "\\":
            index += 2
            continue
        if src[index] == '"':
            return index + 1
        index += 1
    return index


# -- set-last-applied ------------------------------------------------------------------------------
def set_last_applied(ctx: Context) -> list[BaseException]:
    strategy = dry_run_strategy(ctx)
    check_operation_output(ctx)
    if not ctx.flags["filename"]:
        raise KubectlError(NO_RESOURCES)
    mapped, errors = _read_and_map(ctx)
    if errors:
        return errors[:1]
    to_patch: list[tuple[Any, dict, dict]] = []
    for item, rtype in mapped:  # Validate: every object, before any patch
        config = go_json(item.obj)
        live = _live(ctx, item, rtype)
        current = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
        if current is None and not ctx.flags["create-annotation"]:
            raise KubectlError("error: no last-applied-configuration annotation found on resource: "
                               f"{live['metadata'].get('name', '')}, to create the annotation, run the "
                               "command with --create-annotation")
        if current == config:
            ctx.term.line(f"set-last-applied {live['metadata'].get('name', '')}: no changes required.")
            continue
        to_patch.append((rtype, live, {"metadata": {"annotations": {LAST_APPLIED: config}}}))
    for rtype, live, patch in to_patch:
        result = live
        if strategy != "client":
            result = ctx.client.patch(rtype, live["metadata"]["name"], patch,
                                      namespace=ctx.namespace if rtype.namespaced else None,
                                      patch_type="merge", dry_run=api_dry_run(strategy))
        print_operation(ctx, result, "configured", strategy)
    return []


def _read_and_map(ctx: Context) -> tuple[list[tuple[files.Item, Any]], list[BaseException]]:
    """The ``-f`` objects with their types (this command has no ``--recursive``)."""
    from labkube.kubectl.commands.apply import map_item

    items, errors = files.read(ctx.flags["filename"], ctx.stdin, False)
    mapped = []
    for item in items:
        try:
            mapped.append((item, map_item(ctx, item)))
        except (PlainError, KubectlError) as err:
            errors.append(err)
    return mapped, errors


def _live(ctx: Context, item: files.Item, rtype: Any) -> dict:
    """``info.Get()``: NotFound as it is; another failure with where it came from."""
    from labkube.kubectl.commands.apply import info_string

    meta = files.object_meta(item.obj)
    try:
        return copy.deepcopy(ctx.client.get(rtype, meta.get("name", ""),
                                             meta.get("namespace") if rtype.namespaced else None))
    except StatusError as err:
        if err.code == 404:
            raise
        raise PlainError(f"error when retrieving current configuration of:\n{info_string(item.obj, rtype)}\n"
                         f'from server for: "{item.source}": {err.message}') from None
