"""``kubectl explain`` of a custom resource: kubectl's plaintext template over the published schema.

Mirrors k8s.io/kubectl/pkg/explain/v2/templates/plaintext.tmpl, which kubectl 1.32 runs over the
OpenAPI v3 document the API server publishes for the resource's group/version. For a custom
resource that document holds the CRD version's schema with ``apiVersion``, ``kind`` and
``metadata`` added (:func:`labkube.core.api.customresource.published_schema`); this module walks
it as the template does:

* ``DESCRIPTION`` is the schema's description followed by those of its ``allOf``, ``items`` and
  ``additionalProperties`` (``<empty>`` when there is none), wrapped at 76 and indented by 4;
* ``FIELDS`` lists properties in name order as ``name<TAB><type>`` (`` -required-``, and an
  ``enum:`` line of at most four values), each with its description (``<no description>``);
  ``--recursive`` lists names only, nested;
* a type is guessed as the template guesses it: ``[]T`` for arrays, ``map[string]T`` for maps,
  the referenced type's name (``ObjectMeta``), ``Object`` for objects and for schemas without a
  type (``x-kubernetes-int-or-string``, preserved unknown fields), else the JSON type;
* ``RESOURCE.FIELD`` adds ``FIELD: name <type>`` (and ``ENUM:`` with every value) and explains
  the field's schema, going through arrays and maps to their items.

Fields under ``metadata`` are ObjectMeta's, explained from the built-in schema as for any kind.
"""

from __future__ import annotations

from typing import Any, Optional

from labkube.core.api.customresource import OBJECT_META_REF, published_schema

#: The one type a custom resource's schema refers to (its description, for ``metadata``).
OBJECT_META_DESCRIPTION = ("ObjectMeta is metadata that all persisted resources must have, which includes all "
                           "objects users must create.")


def explain(rtype: Any, field_path: list[str], recursive: bool) -> Optional[str]:
    """The explanation after the header (None when the path names no field)."""
    text = _output(published_schema(rtype), field_path, recursive, set())
    return text or None


def _resolve(ref: str) -> Optional[dict]:
    if ref == OBJECT_META_REF:
        return {"type": "object", "description": OBJECT_META_DESCRIPTION}
    return None


def _output(schema: dict, path: list[str], recursive: bool, history: set) -> str:
    ref = schema.get("$ref") or ""
    resolved = _resolve(ref) or schema
    if not path:
        text = "DESCRIPTION:\n" + _indent(_wrap(_description(resolved) or "<empty>", 76), 4) + "\n"
        fields = _field_list(resolved, 1, recursive, history | {ref})
        return text + ("FIELDS:\n" + fields if fields else "")
    if ref and ref in history:
        return ""
    properties = resolved.get("properties") or {}
    if path[0] in properties:
        sub = properties[path[0]]
        head = ""
        if len(path) == 1:
            head = f"FIELD: {path[0]} <{type_guess(sub)}>\n" + _enum(sub, long=True, limit=-1) + "\n\n"
        return head + _output(sub, path[1:], recursive, set())
    if resolved.get("items"):
        return _output(resolved["items"], path, recursive, history | {ref})
    if isinstance(resolved.get("additionalProperties"), dict):
        return _output(resolved["additionalProperties"], path, recursive, history | {ref})
    for sub in resolved.get("allOf") or ():
        text = _output(sub, path, recursive, history | {ref})
        if text:
            return text
    return ""


def _description(schema: dict) -> str:
    resolved = _resolve(schema.get("$ref") or "") or schema
    text = resolved["description"] + "\n" if resolved.get("description") else ""
    for sub in resolved.get("allOf") or ():
        text += _description(sub)
    if resolved.get("items"):
        text += _description(resolved["items"])
    if isinstance(resolved.get("additionalProperties"), dict):
        text += _description(resolved["additionalProperties"])
    return text


def _field_list(schema: dict, level: int, recursive: bool, history: set) -> str:
    ref = schema.get("$ref") or ""
    if ref and ref in history:
        return ""
    history = history | {ref}
    resolved = _resolve(ref) or schema
    out = []
    properties = resolved.get("properties") or {}
    for name in sorted(properties):
        out.append(_field_detail(name, resolved, recursive, level))
        if recursive:
            out.append(_field_list(properties[name], level + 1, recursive, history))
    for sub in resolved.get("allOf") or ():
        out.append(_field_list(sub, level, recursive, history))
    if resolved.get("items"):
        out.append(_field_list(resolved["items"], level, recursive, history))
    if isinstance(resolved.get("additionalProperties"), dict):
        out.append(_field_list(resolved["additionalProperties"], level, recursive, history))
    return "".join(out)


def _field_detail(name: str, schema: dict, short: bool, level: int) -> str:
    pad = level * 2
    field = schema["properties"][name]
    line = " " * pad + f"{name}\t<{type_guess(field)}>"
    if name in (schema.get("required") or ()):
        line += " -required-"
    line += _enum(field, long=False, limit=4, pad=pad) + "\n"
    if not short:
        line += _indent(_wrap(field.get("description") or "<no description>", 78 - pad), pad + 2) + "\n\n"
    return line


def type_guess(schema: dict) -> str:
    """The template's ``typeGuess``."""
    if schema.get("items"):
        return "[]" + type_guess(schema["items"])
    if isinstance(schema.get("additionalProperties"), dict):
        return "map[string]" + type_guess(schema["additionalProperties"])
    if schema.get("allOf") and not schema.get("properties") and len(schema["allOf"]) == 1:
        return type_guess(schema["allOf"][0])
    if schema.get("$ref"):
        target = _resolve(schema["$ref"])
        if not target or not target.get("type") or target["type"] == "object":
            return schema["$ref"].split("/")[-1].split(".")[-1] or "Object"
        return target["type"]
    kind = schema.get("type")
    return "Object" if kind == "object" or not kind else kind


def _enum(schema: dict, *, long: bool, limit: int, pad: int = 0) -> str:
    """The template's ``extractEnum``."""
    values = schema.get("enum")
    if not values:
        return ""
    text = "ENUM:" if long else "\n" + " " * pad + "enum: "
    for index, value in enumerate(values):
        if limit > -1 and index >= limit:
            text += ", ...."
            break
        if index > 0 and not long:
            text += ", "
        elif long:
            text += "\n    "
        text += '""' if value == "" else _go_print(value)
    return text


def _go_print(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _wrap(text: str, limit: int) -> str:
    from labkube.kubectl.commands.explain import wrap  # go-wordwrap, shared with built-in kinds

    return wrap(text, limit)


def _indent(text: str, spaces: int) -> str:
    from labkube.kubectl.commands.explain import indent

    return indent(text, spaces)
