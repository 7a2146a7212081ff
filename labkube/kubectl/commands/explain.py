"""``kubectl explain RESOURCE[.FIELD...]``: the documentation of a kind or a field.

Mirrors kubectl 1.32's OpenAPI v3 explain (k8s.io/kubectl/pkg/explain/v2, template
``plaintext``): a header (``GROUP:`` for named groups, ``KIND:``, ``VERSION:``), for a field a
``FIELD: name <type>`` line, then ``DESCRIPTION:`` wrapped at 76 columns and indented by 4,
then ``FIELDS:`` with ``name<TAB><type>`` (and `` -required-``) and each field's description
wrapped at 76 and indented by 4, a blank line after each. ``--recursive`` lists the nested
field names only. Wrapping follows go-wordwrap (what kubectl's ``wrap`` uses).

The field data comes from :mod:`labkube.core.api.schema` (generated from Kubernetes 1.32's
OpenAPI definitions). As kubectl's template does for a field that refers to a type, the
description is the field's own followed by the type's; types print as kubectl's ``typeGuess``
prints them (``<ObjectMeta>``, ``<[]Container>``, ``<map[string]string>``, ``<IntOrString>``).
"""

from __future__ import annotations

from labkube.core.api import schema
from labkube.core.api.customresource import CustomResourceType
from labkube.kubectl.commands import explain_custom
from labkube.kubectl import jsonpath
from labkube.kubectl.commands import Context, resolve_type
from labkube.kubectl.errors import KubectlError

_MISSING_TYPE = (
    'error: You must specify the type of resource to explain. Use "kubectl api-resources" for '
    "a complete list of supported resources."
)


def run(ctx: Context) -> list[BaseException]:
    args = ctx.parsed.all_args
    if not args:
        raise KubectlError(_MISSING_TYPE)
    if len(args) > 1:
        raise KubectlError(f"error: We accept only this format: explain RESOURCE")
    rtype, path = _split_request(ctx, args[0])
    output = ctx.flags["output"]
    if output not in ("plaintext", "plaintext-openapiv2"):
        raise KubectlError(f"error: unsupported output format: {output}")
    if isinstance(rtype, CustomResourceType) and not path.startswith("metadata"):
        return _explain_custom(ctx, rtype, path)
    if isinstance(rtype, CustomResourceType):  # a custom resource's metadata is ObjectMeta
        rtype_for_schema = ("v1", "Pod")
    else:
        rtype_for_schema = (rtype.api_version, rtype.kind)
    try:
        explanation = schema.explain_path(*rtype_for_schema, path)
    except KeyError as err:
        # Real kubectl's template has already written the header to stdout when it finds
        # the field missing, then fails.
        ctx.term.out(header(rtype))
        raise KubectlError(f"error: {err.args[0]}") from None
    ctx.term.out(render(rtype, explanation, recursive=ctx.flags["recursive"]))
    return []


def _explain_custom(ctx: Context, rtype, path: str) -> list[BaseException]:
    """A custom resource, from the schema its CRD publishes (see explain_custom)."""
    fields = [segment for segment in path.split(".") if segment]
    text = explain_custom.explain(rtype, fields, ctx.flags["recursive"])
    if text is None:
        ctx.term.out(header(rtype))
        raise KubectlError(f'error: field "{fields[-1]}" does not exist')
    ctx.term.out(header(rtype) + text + "\n")
    return []


def _split_request(ctx: Context, text: str):
    """kubectl's ``SplitAndParseResourceRequestWithMatchingPrefix``: the resource (which may
    be group-qualified, ``deployments.apps.spec``) and the dotted field path after it. With
    ``--api-version`` only the first segment names the resource (``SplitAndParseResourceRequest``).
    """
    text = text.removesuffix(".")
    nodes = _jsonpath_nodes(text)
    if not isinstance(nodes[0], jsonpath.FieldNode):
        raise KubectlError("error: invalid jsonpath syntax, first node must be field node")
    first, rest = nodes[0].name, text.partition(".")[2]
    if ctx.flags["api-version"]:
        rtype = _explained_type(ctx, first)
        _check_field_nodes(nodes, "all nodes must be field nodes")
        return rtype, rest
    rtype = resolve_type(ctx, first)
    _check_field_nodes(nodes, "first node must be field node")
    lowered = first.lower()
    matching = [r for r in ctx.registry.all()
                if lowered in (r.plural, r.singular, r.kind.lower()) or lowered in r.short_names]
    for candidate in sorted(matching, key=lambda r: r.group != ""):
        group_resource = f"{candidate.plural}.{candidate.group}" if candidate.group else \
            candidate.plural
        if text.startswith(group_resource):
            return candidate, text[len(group_resource):].partition(".")[2]
    return rtype, rest


def _jsonpath_nodes(text: str) -> list:
    """kubectl reads ``RESOURCE.FIELD...`` as the JSONPath ``{.RESOURCE.FIELD...}`` (so
    ``explain po,svc`` fails as that template does) and wants exactly one ``{...}``."""
    try:
        root = jsonpath.parse("{." + text + "}")
    except jsonpath.JSONPathError as err:
        raise KubectlError(f"error: {err}") from None
    if len(root.nodes) != 1:
        raise KubectlError("error: must pass in 1 jsonpath string")
    return root.nodes[0].nodes


def _check_field_nodes(nodes: list, complaint: str) -> None:
    """After the resource, only plain field names (``pods.spec``, not ``pods..spec``)."""
    if any(not isinstance(node, jsonpath.FieldNode) for node in nodes[1:]):
        raise KubectlError(f"error: invalid jsonpath syntax, {complaint}")


def _explained_type(ctx: Context, resource: str):
    version = ctx.flags["api-version"]
    rtype = resolve_type(ctx, resource)
    if version and version != rtype.api_version:
        for candidate in ctx.registry.all():
            if candidate.api_version == version and candidate.plural == rtype.plural:
                return candidate
        raise KubectlError(f'error: couldn\'t find resource for "{rtype.group}/{version}, Resource={rtype.plural}"')
    return rtype


def header(rtype) -> str:
    """``GROUP:`` (named groups only), ``KIND:``, ``VERSION:`` and a blank line."""
    group = f"GROUP:      {rtype.group}\n" if rtype.group else ""
    return f"{group}KIND:       {rtype.kind}\nVERSION:    {rtype.version}\n\n"


def render(rtype, explanation: schema.Explanation, *, recursive: bool = False) -> str:
    """The plaintext template's output for one explanation."""
    parts: list[str] = [header(rtype)]
    if explanation.path:
        name = explanation.path.split(".")[-1]
        shown = schema.kubectl_type(explanation.type, explanation.ref)
        parts.append(f"FIELD: {name} <{shown}>\n\n\n")
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
        shown = schema.kubectl_type(info.type, info.ref)
        out.append(f"{' ' * pad}{info.name}\t<{shown}>{required}\n")
        if recursive:
            out.append(_field_list(schema.element_type(info.type), level + 1, recursive, history))
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
