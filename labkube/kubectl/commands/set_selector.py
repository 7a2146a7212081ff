"""``kubectl set selector (-f FILE | TYPE NAME) EXPRESSIONS [--resource-version=VERSION]``.

Mirrors staging/src/k8s.io/kubectl/pkg/cmd/set/set_selector.go (kubectl 1.32). The last
argument is the selector (``metav1.ParseToLabelSelector``: ``a=b`` is a matchLabels entry,
``a in (x)``, ``a``, ``!a`` match expressions, ``a!=b`` and ``a>1`` refused); the words before
it name the objects. Only a Service has a selector kubectl sets, and only its ``key=value``
part: it replaces ``spec.selector`` whole. The change goes as a strategic merge patch, sent even
when it changes nothing, and kubectl prints ``service/web selector updated`` either way.
``--resource-version`` puts that version in the patch, so the API server refuses the change
(409 Conflict) unless it is the object's current one.
"""

from __future__ import annotations

import copy
from typing import Any

from labkube.core.api.labels import DOES_NOT_EXIST, DOUBLE_EQUALS, EQUALS, EXISTS, IN, NOT_IN, SelectorError
from labkube.core.api.labels import parse_selector
from labkube.kubectl.commands import Context, check_operation_output, dry_run_strategy
from labkube.kubectl.commands._set_more import (
    Failed,
    Printer,
    deprecated_record,
    find_objects,
    printable,
    record,
    send_patch,
)
from labkube.kubectl.errors import KubectlError

_OPERATORS = {IN: "In", NOT_IN: "NotIn", EXISTS: "Exists", DOES_NOT_EXIST: "DoesNotExist"}


def parse_to_label_selector(text: str) -> dict:
    """``metav1.ParseToLabelSelector``: {"matchLabels": {...}, "matchExpressions": [...]}."""
    try:
        requirements = parse_selector(text).requirements
    except SelectorError as err:
        raise KubectlError(f'error: couldn\'t parse the selector string "{text}": {err}') from None
    match_labels: dict[str, str] = {}
    expressions: list[dict] = []
    for requirement in requirements:
        operator = requirement.operator
        if operator in (EQUALS, DOUBLE_EQUALS):
            match_labels[requirement.key] = requirement.values[0]
        elif operator in _OPERATORS:
            expressions.append({"key": requirement.key, "operator": _OPERATORS[operator],
                                "values": sorted(requirement.values)})
        elif operator in ("gt", "lt"):
            raise KubectlError(f'error: "{operator}" isn\'t supported in label selectors')
        else:
            raise KubectlError(f'error: "{operator}" is not a valid label selector operator')
    return {"matchLabels": match_labels, "matchExpressions": expressions}


def run(ctx: Context) -> list[BaseException]:
    deprecated_record(ctx)
    strategy = dry_run_strategy(ctx)
    args = ctx.parsed.all_args
    resources, selector = args[:-1], (parse_to_label_selector(args[-1]) if args else None)
    check_operation_output(ctx)
    if selector is None:
        raise KubectlError("error: one selector is required")
    try:
        found = find_objects(ctx, resources)
    except Failed as failed:
        return failed.errors
    local = ctx.flags["local"]
    printer = Printer(ctx, "selector updated", strategy)
    for rtype, obj in found:
        updated = _with_selector(obj, selector)
        record(ctx, updated)
        if local or strategy == "client":
            printer.print(printable(updated, local))
            continue
        printer.print(_send(ctx, rtype, obj, updated, strategy))
    return []


def _with_selector(obj: dict, selector: dict) -> dict:
    """``updateSelectorForObject``: a Service's ``spec.selector`` := the matchLabels."""
    if selector["matchExpressions"]:
        shown = " ".join(f"{{{e['key']} {e['operator']} [{' '.join(e['values'])}]}}"
                         for e in selector["matchExpressions"])
        raise KubectlError(f"error: match expression [{shown}] not supported on this object")
    if obj.get("kind") != "Service":
        raise KubectlError("error: setting a selector is only supported for Services")
    updated = copy.deepcopy(obj)
    spec = updated.setdefault("spec", {})
    if selector["matchLabels"]:
        spec["selector"] = dict(selector["matchLabels"])
    else:  # an empty selector: the field goes
        spec.pop("selector", None)
    return updated


def _send(ctx: Context, rtype: Any, before: dict, after: dict, strategy: str) -> dict:
    """The patch, sent; ``--resource-version`` is cleared from the old object and set in the
    new one, so the patch always carries it (the API server's precondition)."""
    version = ctx.flags["resource-version"]
    if version:
        before, after = copy.deepcopy(before), copy.deepcopy(after)
        before["metadata"].pop("resourceVersion", None)
        after["metadata"]["resourceVersion"] = version
    return send_patch(ctx, rtype, before, after, strategy)
