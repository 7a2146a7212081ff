"""A structural schema read from its JSON form, pruning and defaulting.

Mirrors k8s.io/apiextensions-apiserver pkg/apiserver/schema (Kubernetes 1.32): the accessors a
``Structural`` has (``Properties``, ``Items``, ``AdditionalProperties``, the
``x-kubernetes-*`` extensions), ``pruning.PruneWithOptions`` and
``defaulting.PruneNonNullableNullsWithoutDefaults`` / ``defaulting.Default``.

A schema here is a CRD's ``openAPIV3Schema`` as a plain dict (a v1 ``JSONSchemaProps``), never
converted: a malformed keyword reads as absent, so nothing here raises. The functions that end
in ``_in_place`` change the value they are given; :mod:`labkube.core.api.crd_schema` hands them
copies. Go iterates maps in random order; here keys are visited sorted, which changes nothing
that can be observed except the order pruned paths are found in (and those are sorted anyway).

Pruning in one picture (``x-kubernetes-preserve-unknown-fields`` on ``raw``)::

    schema  {spec: {ports: [{port}], raw: <preserve> {known: {a}}}}
    object  {spec: {ports: [{port: 80, proto: TCP}], raw: {anything: 1, known: {a: x, b: y}}}}
    pruned  {spec: {ports: [{port: 80}], raw: {anything: 1, known: {a: x}}}}
    paths   ["spec.ports[0].proto", "spec.raw.known.b"]
"""

from __future__ import annotations

import copy
from typing import Any, Optional

# -- reading a schema ---------------------------------------------------------------------

# Field names a resource root (and every x-kubernetes-embedded-resource) keeps out of pruning.
META_FIELDS = ("apiVersion", "kind", "metadata")


def as_dict(value: Any) -> dict:
    """A keyword that must be an object, else {} (a malformed schema reads as unset)."""
    return value if isinstance(value, dict) else {}


def string_list(s: Optional[dict], key: str) -> list[str]:
    """A list-of-strings keyword (``required``, ``x-kubernetes-list-map-keys``), else []."""
    value = (s or {}).get(key)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def property_schemas(s: Optional[dict]) -> dict:
    return as_dict((s or {}).get("properties"))


def item_schema(s: Optional[dict]) -> Optional[dict]:
    items = (s or {}).get("items")
    return items if isinstance(items, dict) else None


def has_additional_properties(s: Optional[dict]) -> bool:
    return s is not None and s.get("additionalProperties") is not None


def additional_schema(s: Optional[dict]) -> Optional[dict]:
    """``AdditionalProperties.Structural``: the schema, or None for ``true``/``false``."""
    extra = (s or {}).get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def preserves_unknown_fields(s: Optional[dict]) -> bool:
    return bool(s and s.get("x-kubernetes-preserve-unknown-fields") is True)


def is_embedded_resource(s: Optional[dict]) -> bool:
    return bool(s and s.get("x-kubernetes-embedded-resource") is True)


def is_nullable(s: Optional[dict]) -> bool:
    return bool(s and s.get("nullable") is True)


def as_resource_root(schema: dict) -> dict:
    """``Prune(..., isResourceRoot=true)``: the root keeps its TypeMeta and ObjectMeta."""
    return {**schema, "x-kubernetes-embedded-resource": True}


def sub_schemas(s: dict, key: str) -> list[dict]:
    """The schemas of ``allOf``/``anyOf``/``oneOf``."""
    value = s.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# -- pruning (pruning.PruneWithOptions) ---------------------------------------------------


def _append_key(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def prune_in_place(x: Any, s: Optional[dict], path: str, found: list) -> None:
    """Delete, in place, the object fields ``s`` does not specify; record their paths."""
    if preserves_unknown_fields(s):
        _skip_prune(x, s, path, found)
        return
    if isinstance(x, dict):
        for key in sorted(x, key=str):
            _prune_field(x, key, s, path, found)
    elif isinstance(x, list):
        for index, item in enumerate(x):
            prune_in_place(item, item_schema(s), f"{path}[{index}]", found)


def _prune_field(x: dict, key: str, s: Optional[dict], path: str, found: list) -> None:
    if s is None:
        found.append(_append_key(path, key))
        del x[key]
        return
    if is_embedded_resource(s) and key in META_FIELDS:
        return
    properties = property_schemas(s)
    if isinstance(properties.get(key), dict):
        prune_in_place(x[key], properties[key], _append_key(path, key), found)
    elif has_additional_properties(s):
        prune_in_place(x[key], additional_schema(s), _append_key(path, key), found)
    else:
        if key not in META_FIELDS or path:
            found.append(_append_key(path, key))
        del x[key]


def _skip_prune(x: Any, s: Optional[dict], path: str, found: list) -> None:
    """Under ``x-kubernetes-preserve-unknown-fields``: keep unknown fields, prune known ones."""
    if s is None:
        return
    if isinstance(x, dict):
        properties = property_schemas(s)
        for key in sorted(x, key=str):
            if is_embedded_resource(s) and key in META_FIELDS:
                continue
            if isinstance(properties.get(key), dict):
                prune_in_place(x[key], properties[key], _append_key(path, key), found)
            elif has_additional_properties(s):
                prune_in_place(x[key], additional_schema(s), _append_key(path, key), found)
    elif isinstance(x, list):
        for index, item in enumerate(x):
            _skip_prune(item, item_schema(s), f"{path}[{index}]", found)


# -- defaulting (defaulting.PruneNonNullableNullsWithoutDefaults, defaulting.Default) -----


def has_default(s: Optional[dict]) -> bool:
    """``Default.Object != nil``: a ``default: null`` is no default."""
    return s is not None and s.get("default") is not None


def _field_schema(key: str, s: Optional[dict]) -> Optional[dict]:
    """``getSchemaForField``: the property's schema, else additionalProperties' schema."""
    if s is None:
        return None
    prop = property_schemas(s).get(key)
    if isinstance(prop, dict):
        return prop
    return additional_schema(s)


def drop_non_nullable_nulls(x: Any, s: Optional[dict]) -> None:
    """Delete, in place, each ``null`` field whose schema is neither nullable nor defaulted."""
    if isinstance(x, dict):
        for key in sorted(x, key=str):
            schema = _field_schema(key, s)
            if x[key] is None and schema is not None and not is_nullable(schema) and not has_default(schema):
                del x[key]
            else:
                drop_non_nullable_nulls(x[key], schema)
    elif isinstance(x, list):
        for item in x:
            drop_non_nullable_nulls(item, item_schema(s))


def _is_non_nullable_null(value: Any, s: Optional[dict]) -> bool:
    return value is None and s is not None and not is_nullable(s)


def default_in_place(x: Any, s: Optional[dict]) -> None:
    """Fill in defaults, in place; default values are deep-copied."""
    if s is None:
        return
    if isinstance(x, dict):
        properties = property_schemas(s)
        for name in sorted(properties):
            prop = properties[name]
            if isinstance(prop, dict) and has_default(prop) and (
                    name not in x or _is_non_nullable_null(x[name], prop)):
                x[name] = copy.deepcopy(prop["default"])
        for key in sorted(x, key=str):
            if isinstance(properties.get(key), dict):
                default_in_place(x[key], properties[key])
            elif has_additional_properties(s):
                extra = additional_schema(s)
                if _is_non_nullable_null(x[key], extra):
                    x[key] = copy.deepcopy((extra or {}).get("default"))
                default_in_place(x[key], extra)
    elif isinstance(x, list):
        items = item_schema(s)
        for index in range(len(x)):
            if _is_non_nullable_null(x[index], items):
                x[index] = copy.deepcopy((items or {}).get("default"))
            default_in_place(x[index], items)
