"""``kubectl explain RESOURCE[.FIELD...]``: the documentation of a kind or a field.

Mirrors kubectl 1.32's OpenAPI v3 explain (k8s.io/kubectl/pkg/explain/v2, template
``plaintext``): a header (``GROUP:`` for named groups, ``KIND:``, ``VERSION:``), for a field a
``FIELD: name <type>`` line, then ``DESCRIPTION:`` wrapped at 76 columns and indented by 4,
then ``FIELDS:`` with ``name<TAB><type>`` (and `` -required-``) and each field's description
wrapped at 76 and indented by 4, a blank line after each. ``--recursive`` lists the nested
field names only. Wrapping follows go-wordwrap (what kubectl's ``wrap`` uses).

The field data comes from :mod:`labkube.core.api.schema` (generated from the official client's
models, which carry field descriptions but not the type-level ones kube-apiserver adds).
"""

from __future__ import annotations

from labkube.core.api import schema
from labkube.kubectl.commands import Context, resolve_type
from labkube.kubectl.errors import KubectlError

_MISSING_TYPE = (
    'error: You must specify the type of resource to explain. Use "kubectl api-resources" for '
    "a complete list of supported resources."
)


def run(ctx: Context) -> list[BaseException]:
    args = ctx.parsed.args
    if not args:
        raise KubectlError(_MISSING_TYPE)
    if len(args) > 1:
        raise KubectlError(f"error: We accept only this format: explain RESOURCE")
    output = ctx.flags["output"]
    if output not in ("plaintext", "plaintext-openapiv2"):
        raise KubectlError(f"error: unsupported output format: {output}")
    resource, _, path = args[0].partition(".")
    rtype = _explained_type(ctx, resource)
    try:
        explanation = schema.explain_path(rtype.api_version, rtype.kind, path)
    except KeyError as err:
        raise KubectlError(f"error: {err.args[0]}") from None
    ctx.term.out(render(rtype, explanation, recursive=ctx.flags["recursive"]))
    return []


def _explained_type(ctx: Context, resource: str):
    version = ctx.flags["api-version"]
    rtype = resolve_type(ctx, resource)
    if version and version != rtype.api_version:
        for candidate in ctx.registry.all():
            if candidate.api_version == version and candidate.plural == rtype.plural:
                return candidate
        raise KubectlError(f'error: couldn\'t find resource for "{rtype.group}/{version}, Resource={rtype.plural}"')
    return rtype


def render(rtype, explanation: schema.Explanation, *, recursive: bool = False) -> str:
    """The plaintext template's output for one explanation."""
    parts: list[str] = []
    if rtype.group:
        parts.append(f"GROUP:      {rtype.group}\n")
    parts.append(f"KIND:       {rtype.kind}\n")
    parts.append(f"VERSION:    {rtype.version}\n\n")
    if explanation.path:
        name = explanation.path.split(".")[-1]
        parts.append(f"FIELD: {name} <{schema.kubectl_type(explanation.type)}>\n\n\n")
    description = explanation.description + "\n" if explanation.description else ""
    parts.append("DESCRIPTION:\n")
    parts.append(indent(wrap(description or "<empty>", 76), 4) + "\n")
    if explanation.fields:
        parts.append("FIELDS:\n")
        parts.append(_field_list(explanation.model, 1, recursive, set()))
    parts.append("\n")
    return "".join(parts)


def _field_list(model: str | None, level: int, recursive: bool, history: set[str]) -> str:
    if model is None or model in history or not schema.has_type(model):
        return ""
    history = history | {model}
    out: list[str] = []
    pad = level * 2
    for info in sorted(schema.fields(model).values(), key=lambda f: f.name):
        required = " -required-" if info.required else ""
        out.append(f"{' ' * pad}{info.name}\t<{schema.kubectl_type(info.type)}>{required}\n")
        if recursive:
            child = schema.element_type(info.type)
            if child not in schema.SCALARS:
                out.append(_field_list(child, level + 1, recursive, history))
        else:
            text = info.description or "<no description>"
            out.append(indent(wrap(text, 78 - pad), pad + 2) + "\n\n")
    return "".join(out)


def indent(text: str, spaces: int) -> str:
    """sprig's ``indent``: pad the first line and every line after a newline."""
    pad = " " * spaces
    return pad + text.replace("\n", "\n" + pad)


def wrap(text: str, limit: int) -> str:
    """go-wordwrap's ``WrapString``: break at whitespace so lines stay within ``limit``.

    Words longer than the limit stay whole; existing newlines are kept; the spaces where a
    line is broken are dropped.
    """
    out: list[str] = []
    current = 0
    word: list[str] = []
    space: list[str] = []
    for char in text:
        if char == "\n":
            if not word:
                if current + len(space) > limit:
                    current = 0
                else:
                    out.extend(space)
            else:
                out.extend(space)
                out.extend(word)
                word = []
            space = []
            out.append(char)
            current = 0
        elif char.isspace() and char != "\u00a0":
            if not space or word:
                current += len(space) + len(word)
                out.extend(space)
                out.extend(word)
                space, word = [], []
            space.append(char)
        else:
            word.append(char)
            if current + len(space) + len(word) > limit and len(word) < limit:
                out.append("\n")
                current = 0
                space = []
    if not word:
        if current + len(space) <= limit:
            out.extend(space)
    else:
        out.extend(space)
        out.extend(word)
    return "".join(out)
