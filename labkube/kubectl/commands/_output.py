"""The ``-o`` formats and the ``get`` table, composed from the printers package.

Mirrors k8s.io/cli-runtime/pkg/printers as kubectl's commands use it: ``yaml`` (go-yaml's
text, from :mod:`labkube.kubectl.printers.goyaml`), ``json`` (Go's ``MarshalIndent`` with four
spaces and HTML escapes), ``name`` (``deployment.apps/web``), ``jsonpath``/``custom-columns``
(the printers' jsonpath module when present), ``go-template`` (:mod:`labkube.kubectl.gotemplate`),
and the human-readable table (the server's
column sets from :mod:`labkube.kubectl.printers.columns`, aligned by Go's tabwriter).

Several objects print as kubectl's ``List`` (``apiVersion: v1``, ``items``, ``kind: List``,
``metadata.resourceVersion: ""``).
"""

from __future__ import annotations

import json
from typing import Any

from labkube.kubectl.errors import KubectlError

_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def as_list(items: list[dict]) -> dict:
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def go_json_indent(value: Any, *, sort_keys: bool) -> str:
    """``json.MarshalIndent(v, "", "    ")`` plus kubectl's trailing newline."""
    text = json.dumps(value, indent=4, sort_keys=sort_keys, ensure_ascii=False)
    if any(char in text for char in _HTML_ESCAPES):
        text = "".join(_HTML_ESCAPES.get(char, char) for char in text)
    return text + "\n"


def object_name(obj: dict) -> str:
    from labkube.kubectl.commands import object_prefix

    return f"{object_prefix(obj)}/{obj.get('metadata', {}).get('name', '')}"


def render_objects(ctx: Any, objs: list[dict], output: str, *, single: bool) -> str:
    """Objects in a non-table ``-o`` format; ``single`` prints one object rather than a List."""
    from labkube.kubectl import output as printers
    from labkube.kubectl.jsonpath import JSONPathError

    base, _, argument = output.partition("=")
    if base == "name":
        return "".join(object_name(o) + "\n" for o in objs)
    document: Any = objs[0] if single and len(objs) == 1 else as_list(objs)
    if base == "yaml":
        return printers.to_yaml(document)
    if base == "json":
        if _is_generated(objs):  # typed objects keep Go's struct field order
            return go_json_indent(document, sort_keys=False)
        return printers.to_json(document)
    if base in GO_TEMPLATE_FORMATS and not ctx.flags.get("template"):
        return _go_template(ctx, document, base, argument, generated=_is_generated(objs))
    try:
        if base in ("jsonpath", "jsonpath-as-json"):
            return printers.jsonpath_output(document, argument,
                                            ctx.flags.get("allow-missing-template-keys", True))
        if base == "custom-columns":
            return printers.custom_columns(objs, argument, ctx.flags.get("no-headers", False))
    except (JSONPathError, printers.CustomColumnsError) as err:
        raise KubectlError(f"error: {err}") from None
    raise KubectlError(
        f'error: unable to match a printer suitable for the output format "{output}", allowed '
        "formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,"
        "jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
    )


#: ``-o go-template=...`` and its aliases (:mod:`labkube.kubectl.gotemplate`).
GO_TEMPLATE_FORMATS = ("go-template", "go-template-file", "template", "templatefile")


def go_template_of(ctx: Any, output: str) -> Any:
    """``GoTemplatePrintFlags.ToPrinter``: the parsed template of ``-o go-template=...`` (a file's
    for ``go-template-file``), or kubectl's error; None for ``-o go-template=X --template=Y``,
    which no printer takes (the caller says "unable to match a printer")."""
    from labkube.kubectl import gotemplate

    base, _, argument = output.partition("=")
    if ctx.flags.get("template"):
        return None
    try:
        return gotemplate.load(base, argument)
    except gotemplate.PrinterError as err:
        raise KubectlError(f"error: {err}") from None


def _go_template(ctx: Any, document: Any, base: str, argument: str, *, generated: bool) -> str:
    """What the template prints; on an execution error that output and kubectl's debugging
    block go to stdout before the error is raised."""
    from labkube.kubectl import gotemplate
    from labkube.kubectl.output import to_json

    template = go_template_of(ctx, f"{base}={argument}")
    raw = to_json(document, indent=None, sort_keys=not generated)  # json.Marshal of the object
    text, error = gotemplate.print_object(template, document, ctx.flags.get("allow-missing-template-keys", True), raw)
    if error:
        ctx.term.out(text)
        raise KubectlError(f"error: {error}")
    return text


def _is_generated(objs: list[dict]) -> bool:
    """Objects built by a generator (not yet sent) carry ``creationTimestamp: null``."""
    return bool(objs) and all((o.get("metadata") or {}).get("creationTimestamp", 0) is None for o in objs)


# ---------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------


def tables(ctx: Any, groups: list[tuple[Any, list[dict]]]) -> str:
    """``get``'s tables (one per kind) from the printers' table printer; "" when all are empty."""
    from labkube.kubectl.printers.table import PrintOptions, print_tables

    options = PrintOptions(
        wide=ctx.flags["output"] == "wide",
        show_labels=ctx.flags["show-labels"],
        label_columns=tuple(ctx.flags["label-columns"]),
        all_namespaces=ctx.flags["all-namespaces"],
        no_headers=ctx.flags["no-headers"],
        show_kind=ctx.flags["show-kind"],
        namespace=ctx.namespace,
    )
    return print_tables(groups, ctx.clock.now(), options).stdout
