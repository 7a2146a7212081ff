"""kubectl's machine-readable outputs: ``-o yaml``, ``-o json``, ``-o name``, ``-o jsonpath``,
``-o custom-columns``.

Mirrors k8s.io/cli-runtime/pkg/printers: YAMLPrinter (sigs.k8s.io/yaml → go-yaml v2, see
``printers/goyaml.py``), JSONPrinter (``json.MarshalIndent`` with four spaces: keys sorted,
``<``, ``>``, ``&`` escaped as ``\\u003c``..., a final newline), NamePrinter
(``pod/web-1``, ``deployment.apps/web``), JSONPathPrinter and CustomColumnsPrinter.

Objects fetched from the server are unstructured maps, so keys print sorted; list items from
the server come without kind/apiVersion, and kubectl adds them (``list_document``) before
printing a ``kind: List``.
"""

from __future__ import annotations

from typing import Sequence

from labkube.kubectl import jsonpath as _jsonpath
from labkube.kubectl.printers import goyaml
from labkube.kubectl.printers.format import go_json_float, go_sprint, normalize_number
from labkube.kubectl.printers.tabwriter import kubectl_table

__all__ = [
    "to_yaml", "to_json", "list_document", "with_type", "name_of", "names", "jsonpath_output",
    "custom_columns", "CustomColumnsError",
]


# --- YAML and JSON ----------------------------------------------------------------------------


def to_yaml(obj) -> str:
    """``kubectl get -o yaml`` of one object (or a ``List`` from :func:`list_document`)."""
    return goyaml.dump(obj)


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f",
                 "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _json_string(text: str) -> str:
    parts = ['"']
    for ch in text:
        if ch in _JSON_ESCAPES:
            parts.append(_JSON_ESCAPES[ch])
        elif ord(ch) < 0x20:
            parts.append(f"\\u{ord(ch):04x}")
        else:
            parts.append(ch)
    parts.append('"')
    return "".join(parts)


#: One string as Go's ``json.Marshal`` writes it (HTML characters escaped).
json_string = _json_string


def _json(value, indent: int | None, level: int, out: list[str], sort_keys: bool = True) -> None:
    value = normalize_number(value)
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        out.append("{")
        for index, key in enumerate(sorted(value, key=str) if sort_keys else value):
            if index:
                out.append(",")
            if indent is not None:
                out.append("\n" + " " * (indent * (level + 1)))
            out.append(_json_string(str(key)))
            out.append(": " if indent is not None else ":")
            _json(value[key], indent, level + 1, out, sort_keys)
        if indent is not None:
            out.append("\n" + " " * (indent * level))
        out.append("}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            if indent is not None:
                out.append("\n" + " " * (indent * (level + 1)))
            _json(item, indent, level + 1, out, sort_keys)
        if indent is not None:
            out.append("\n" + " " * (indent * level))
        out.append("]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(go_json_float(value))
    else:
        out.append(_json_string(str(value)))


def to_json(obj, indent: int | None = 4, sort_keys: bool = True) -> str:
    """``kubectl get -o json``: Go's ``json.MarshalIndent(obj, "", "    ")`` plus a newline.

    Objects read from the server are maps, so their keys print sorted. A typed object kubectl
    builds itself (``create ... --dry-run=client -o json``) prints its Go struct fields in
    declaration order: pass ``sort_keys=False`` and a dict built in that order (map-valued
    fields such as ``data`` or ``labels`` still sorted). With ``indent=None`` returns compact
    ``json.Marshal`` text (no newline), as jsonpath prints maps and lists.
    """
    out: list[str] = []
    _json(obj, indent, 0, out, sort_keys)
    text = "".join(out)
    return text + "\n" if indent is not None else text


def with_type(obj: dict, rtype) -> dict:
    """The object with ``apiVersion`` and ``kind`` first filled in, as kubectl sets them on items."""
    if obj.get("kind") and obj.get("apiVersion"):
        return obj
    return {"apiVersion": rtype.api_version, "kind": rtype.kind, **obj}


def list_document(items: Sequence[tuple[dict, object]] | Sequence[dict], rtype=None) -> dict:
    """The ``kind: List`` kubectl prints for several objects.

    ``items`` are objects (with ``rtype`` giving their type) or ``(object, rtype)`` pairs for a
    mixed list (``kubectl get pods,svc -o yaml``).
    """
    typed = []
    for item in items:
        if isinstance(item, tuple):
            typed.append(with_type(item[0], item[1]))
        else:
            typed.append(with_type(item, rtype) if rtype is not None else item)
    return {"apiVersion": "v1", "items": typed, "kind": "List", "metadata": {"resourceVersion": ""}}


# --- names ------------------------------------------------------------------------------------


def name_of(obj: dict, rtype, operation: str | None = None) -> str:
    """``-o name`` for one object: ``pod/web-1``, ``deployment.apps/web`` (+ `` created`` etc.)."""
    kind = rtype.kind.lower()
    prefix = f"{kind}.{rtype.group}" if rtype.group else kind
    text = f"{prefix}/{(obj.get('metadata') or {}).get('name', '')}"
    return f"{text} {operation}" if operation else text


def names(items: Sequence[dict], rtype, operation: str | None = None) -> str:
    return "".join(name_of(obj, rtype, operation) + "\n" for obj in items)


# --- jsonpath and custom columns --------------------------------------------------------------


def jsonpath_output(obj, template: str, allow_missing_keys: bool = True) -> str:
    """``-o jsonpath=TEMPLATE`` over one object or a List document (no newline is added).

    Raises ``JSONPathError`` whose text is kubectl's: ``error parsing jsonpath {.a[}, unterminated
    array`` or ``error executing jsonpath "{...}": ...``.
    """
    if not template:
        raise _jsonpath.JSONPathError("template format specified but no template given")
    try:
        _jsonpath.parse(template)
    except _jsonpath.JSONPathError as err:
        raise _jsonpath.JSONPathError(f"error parsing jsonpath {template}, {err}") from None
    try:
        return _jsonpath.execute(template, obj, allow_missing_keys)
    except _jsonpath.JSONPathError as err:
        raise _jsonpath.JSONPathError(
            f'error executing jsonpath "{template}": Error executing template: {err}. '
            "Printing more information for debugging the template:") from None


class CustomColumnsError(ValueError):
    """A bad ``-o custom-columns`` spec; ``str()`` is kubectl's message."""


def parse_custom_columns(spec: str) -> list[tuple[str, str]]:
    if not spec:
        raise CustomColumnsError("custom-columns format specified but no custom columns given")
    columns = []
    for part in spec.split(","):
        header, sep, path = part.partition(":")
        if not sep:
            raise CustomColumnsError(f"unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")
        try:
            columns.append((header, _jsonpath.relaxed(path)))
        except _jsonpath.JSONPathError as err:
            raise CustomColumnsError(str(err)) from None
    return columns


def custom_columns(items: Sequence[dict], spec: str, no_headers: bool = False) -> str:
    """``-o custom-columns=NAME:.metadata.name,...``: values via JSONPath, ``<none>`` when missing."""
    return kubectl_table("".join(line + "\n" for line in custom_column_lines(items, spec, no_headers)))


def custom_column_lines(items: Sequence[dict], spec: str, no_headers: bool = False) -> list[str]:
    """The tab-separated lines of :func:`custom_columns`, before alignment."""
    columns = parse_custom_columns(spec)
    lines = []
    if not no_headers:
        lines.append("\t".join(header for header, _ in columns))
    for obj in items:
        cells = []
        for _, path in columns:
            results = _jsonpath.find_results(path, obj, allow_missing_keys=True)
            values = [go_sprint(v) for group in results for v in group]
            if not results or not results[0]:
                values = ["<none>"] + values
            cells.append(",".join(values))
        lines.append("\t".join(cells))
    return lines
