"""``kubectl taint nodes NAME KEY[=VALUE]:EFFECT | KEY[:EFFECT]- ...``.

Mirrors k8s.io/kubectl/pkg/cmd/taint and its taint utils: arguments are nodes first, then
taint changes. ``key=value:NoSchedule`` adds (the effect is one of NoSchedule,
PreferNoSchedule, NoExecute), ``key:NoSchedule-`` removes that key/effect and ``key-`` every
effect of the key. The node's new taint list is the added taints, then the old ones they do
not replace, minus the removed ones, sent as a merge patch of ``spec.taints``. kubectl prints
``node/node-1 tainted``, ``untainted`` (only removals) or ``modified`` (``--overwrite`` or
adds and removes together), and its errors: ``node node-1 already has dedicated taint(s) with
same effect(s) and --overwrite is false``, ``taint "k:NoSchedule" not found``,
``invalid taint effect: X, unsupported taint effect``.
"""

from __future__ import annotations

import re
from typing import Any

from labkube.kubectl.commands import Context, api_dry_run, check_operation_output, dry_run_strategy, print_operation
from labkube.kubectl.commands._ops import resource_objects, typed
from labkube.core.api.validation.names import is_qualified_name
from labkube.kubectl.errors import KubectlError

EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def split_args(args: list[str]) -> tuple[list[str], list[str]]:
    """Resources first, then taint specs (anything with ``=`` or ``:`` or a trailing ``-``)."""
    resources: list[str] = []
    specs: list[str] = []
    for arg in args:
        is_taint = "=" in arg or ":" in arg or arg.endswith("-")
        if is_taint:
            specs.append(arg)
        elif specs:
            raise KubectlError(f"error: all resources must be specified before taint changes: {arg}")
        else:
            resources.append(arg)
    return resources, specs


def _validate_effect(effect: str) -> None:
    if effect not in EFFECTS:
        raise KubectlError(f"error: invalid taint effect: {effect}, unsupported taint effect")


def _go_taint(taint: dict) -> str:
    return f"{{{taint['key']} {taint.get('value', '')} {taint.get('effect', '')} <nil>}}"


def parse_taint(spec: str) -> dict:
    """``parseTaint``: ``key[=value]:effect``."""
    parts = spec.split(":")
    if len(parts) == 1:
        key, value, effect = parts[0], "", ""
    elif len(parts) == 2:
        effect = parts[1]
        _validate_effect(effect)
        kv = parts[0].split("=")
        if len(kv) > 2:
            raise KubectlError(f"error: invalid taint spec: {spec}")
        key, value = kv[0], (kv[1] if len(kv) == 2 else "")
        if value and (len(value) > 63 or not _LABEL_VALUE.match(value)):
            raise KubectlError(f"error: invalid taint spec: {spec}, {_value_message(value)}")
    else:
        raise KubectlError(f"error: invalid taint spec: {spec}")
    key_errors = is_qualified_name(key)
    if key_errors:
        raise KubectlError(f"error: invalid taint spec: {spec}, {'; '.join(key_errors)}")
    taint = {"key": key}
    if value:
        taint["value"] = value
    taint["effect"] = effect
    return taint


def _value_message(value: str) -> str:
    if len(value) > 63:
        return "must be no more than 63 characters"
    return ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
            "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
            "'my_value',  or '12345', regex used for validation is "
            "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


def parse_taints(specs: list[str]) -> tuple[list[dict], list[dict]]:
    """``parseTaints``: (taints to add, taints to remove)."""
    to_add: list[dict] = []
    to_remove: list[dict] = []
    for spec in specs:
        if spec.endswith("-"):  # parsed like an added taint, without the "-"
            removed = parse_taint(spec[:-1])
            to_remove.append({"key": removed["key"], "effect": removed["effect"]} if removed["effect"]
                             else {"key": removed["key"]})
            continue
        taint = parse_taint(spec)
        if not taint["effect"]:  # adding needs an effect
            raise KubectlError(f"error: invalid taint spec: {spec}")
        if any(t["key"] == taint["key"] and t["effect"] == taint["effect"] for t in to_add):
            raise KubectlError(f"error: duplicated taints with the same key and effect: {_go_taint(taint)}")
        to_add.append(taint)
    return to_add, to_remove


def _to_string(taint: dict) -> str:
    """``Taint.ToString``: ``key=value:effect``, ``key:effect`` or ``key``."""
    text = taint["key"]
    if taint.get("value"):
        text += f"={taint['value']}"
    if taint.get("effect"):
        text += f":{taint['effect']}"
    return text


def reorganize(old: list[dict], overwrite: bool, to_add: list[dict],
               to_remove: list[dict]) -> tuple[str, list[dict], list[str]]:
    """``ReorganizeTaints``: (operation, new taints, errors)."""
    new = [dict(t) for t in to_add]
    for taint in old:
        if not any(t["key"] == taint["key"] and t["effect"] == taint.get("effect") for t in new):
            new.append(taint)
    added = len(old) != len(new)
    errors: list[str] = []
    removed = False
    for taint in to_remove:
        before = len(new)
        if taint.get("effect"):
            new = [t for t in new if not (t["key"] == taint["key"] and t.get("effect") == taint["effect"])]
        else:
            new = [t for t in new if t["key"] != taint["key"]]
        removed = len(new) != before
        if not removed:
            errors.append(f'taint "{_to_string(taint)}" not found')
    if (added and removed) or overwrite:
        return "modified", new, errors
    return ("tainted" if added else "untainted"), new, errors


def run(ctx: Context) -> list[BaseException]:
    resources, specs = split_args(ctx.parsed.all_args)
    if not resources:  # TaintOptions.Complete checks resources, then specs, then parses them
        raise KubectlError("error: one or more resources must be specified as <resource> <name>")
    if not specs:
        raise KubectlError("error: at least one taint update is required")
    try:
        to_add, to_remove = parse_taints(specs)
    except KubectlError as err:  # kubectl reports taint spec errors as usage errors
        raise ctx.usage_error(err.text.removeprefix("error: ")) from None
    strategy = dry_run_strategy(ctx)
    check_operation_output(ctx)
    if ctx.flags["all"] and not resources:
        resources = ["nodes"]
    errors: list[BaseException] = []
    for rtype, node in list(resource_objects(ctx, resources, errors)):
        if rtype.kind != "Node":
            raise KubectlError(f"error: invalid resource type {rtype.plural}, only node types are supported")
        _taint_one(ctx, rtype, node, to_add, to_remove, strategy)
    return errors


def _taint_one(ctx: Context, rtype: Any, node: dict, to_add: list[dict], to_remove: list[dict],
               strategy: str) -> None:
    name = node["metadata"]["name"]
    old = list((node.get("spec") or {}).get("taints") or [])
    if not ctx.flags["overwrite"]:
        clashes = [t["key"] for t in to_add
                   if any(o["key"] == t["key"] and o.get("effect") == t["effect"] for o in old)]
        if clashes:
            raise KubectlError(f"error: node {name} already has {','.join(clashes)} taint(s) with same "
                               "effect(s) and --overwrite is false")
    operation, new, problems = reorganize(old, ctx.flags["overwrite"], to_add, to_remove)
    if problems:
        raise KubectlError(f"error: {problems[0]}" if len(problems) == 1 else
                           "\n".join(f"error: {p}" for p in problems))
    result = typed(node, rtype)
    if strategy != "client":
        result = ctx.client.patch("nodes", name, {"spec": {"taints": new or None}}, patch_type="merge",
                                  dry_run=api_dry_run(strategy))
    print_operation(ctx, result, operation, strategy)
