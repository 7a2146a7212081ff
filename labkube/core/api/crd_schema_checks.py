"""The checks a CustomResourceDefinition's own ``openAPIV3Schema`` must pass.

Mirrors apiextensions-apiserver (Kubernetes 1.32) in the order
``validateCustomResourceDefinitionValidation`` runs them:

1. pkg/apiserver/schema ``ValidateStructural``: every node has a ``type`` (except under
   ``x-kubernetes-int-or-string`` / ``x-kubernetes-preserve-unknown-fields``), arrays have
   ``items``, ``anyOf``/``allOf``/``oneOf``/``not`` only restrict values (no types, defaults,
   descriptions, ...), whatever they name is also specified outside them
   (``validateStructuralCompleteness``), root ``metadata`` restricts only ``name`` and
   ``generateName``; the errors are sorted by their text, as Kubernetes sorts them;
2. when the schema is structural, pkg/apiserver/schema/defaulting ``ValidateDefaults``: every
   ``default`` validates against its own schema and has no field pruning would drop;
3. pkg/apis/apiextensions/validation ``ValidateCustomResourceDefinitionOpenAPISchema``: the
   OpenAPI v3 keywords a CRD may use (no ``uniqueItems: true``, no ``$ref``, no
   ``additionalProperties`` beside ``properties``, ...), the ``x-kubernetes-*`` extensions
   (list and map types, list-map keys) and the shape of ``x-kubernetes-validations`` rules, with
   the options a new v1 CRD gets (defaults allowed, valid types, atomic set items, map-list keys
   required or defaulted).

Not modelled: compiling and costing the CEL rules; ``fieldPath`` of a rule is not resolved
against the schema; metadata defaults of embedded resources are not coerced to ObjectMeta.
Properties are visited in sorted order where Go's map order is random.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Optional

from labkube.core.api import crd_formats as formats
from labkube.core.api.validation.meta import GoFieldError
from labkube.core.errors import FieldError, go_quote
from labkube.core.api.crd_openapi import (
    go_deep_equal,
    invalid,
    not_supported,
    to_field_errors,
    validate_value,
)
from labkube.core.api.crd_structural import (
    META_FIELDS,
    additional_schema,
    as_dict,
    as_resource_root,
    has_additional_properties,
    has_default,
    is_embedded_resource,
    is_nullable,
    item_schema,
    preserves_unknown_fields,
    property_schemas,
    prune_in_place,
    string_list,
    sub_schemas,
)

# openapiV3Types, as ``sets.List`` prints them (sorted).
OPENAPI_V3_TYPES = ("array", "boolean", "integer", "number", "object", "string")


# supportedValidationReason (x-kubernetes-validations[*].reason), sorted.
VALIDATION_REASONS = ("FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid",
                      "FieldValueRequired")


# -- structural invariants (schema.ValidateStructural) -------------------------------------

_ROOT, _ITEM, _FIELD = "root", "item", "field"


# Keywords NewStructural cannot convert; their presence is reported by the keyword checks.
_NON_STRUCTURAL_KEYWORDS = ("id", "$schema", "$ref", "additionalItems", "patternProperties",
                            "definitions", "dependencies")


# Generic and extension fields a nested value validation (anyOf, allOf, ...) must not set.
_NESTED_FORBIDDEN = (
    ("type", lambda v: bool(v), "must be empty to be structural"),
    ("default", lambda v: v is not None, "must be undefined to be structural"),
    ("title", lambda v: bool(v), "must be empty to be structural"),
    ("description", lambda v: bool(v), "must be empty to be structural"),
    ("nullable", lambda v: v is True, "must be false to be structural"),
    ("externalDocs", lambda v: v is not None, "must be undefined to be structural"),
    ("x-kubernetes-preserve-unknown-fields", lambda v: v is True, "must be false to be structural"),
    ("x-kubernetes-embedded-resource", lambda v: v is True, "must be false to be structural"),
    ("x-kubernetes-int-or-string", lambda v: v is True, "must be false to be structural"),
    ("x-kubernetes-list-map-keys", lambda v: bool(v), "must be empty to be structural"),
    ("x-kubernetes-list-type", lambda v: v is not None, "must be undefined to be structural"),
    ("x-kubernetes-map-type", lambda v: v is not None, "must be undefined to be structural"),
    ("x-kubernetes-validations", lambda v: bool(v), "must be empty to be structural"),
)


_INT_OR_STRING_ANY_OF = [{"type": "integer"}, {"type": "string"}]


def can_be_structural(schema: Any) -> bool:
    """Whether ``NewStructural`` converts the schema (else only the keyword errors show)."""
    if not isinstance(schema, dict):
        return True
    if any(schema.get(k) not in (None, "", {}, []) for k in _NON_STRUCTURAL_KEYWORDS):
        return False
    if isinstance(schema.get("items"), list):
        return False
    children = list(property_schemas(schema).values())
    children += [schema.get("items"), schema.get("not"), schema.get("additionalProperties")]
    for key in ("allOf", "anyOf", "oneOf"):
        children.extend(sub_schemas(schema, key))
    return all(can_be_structural(c) for c in children if isinstance(c, dict))


def structural_errors(schema: dict, path: str) -> list[FieldError]:
    """``ValidateStructural``: invariants and completeness, sorted by their text."""
    errs = _invariants(schema, _ROOT, path)
    errs.extend(_completeness(schema, path))
    return sorted(errs, key=str)


def _type_of(s: dict) -> str:
    kind = s.get("type")
    return kind if isinstance(kind, str) else ""


def _invariants(s: dict, level: str, path: str) -> list[FieldError]:
    """``validateStructuralInvariants`` of one schema node and everything below it."""
    errs: list[FieldError] = []
    kind = _type_of(s)
    items, extra = item_schema(s), additional_schema(s)
    if kind == "array" and items is None:
        errs.append(FieldError.required(f"{path}.items", "must be specified"))
    if items is not None:
        errs.extend(_invariants(items, _ITEM, f"{path}.items"))
    for name, prop in sorted(property_schemas(s).items()):
        if isinstance(prop, dict):
            errs.extend(_invariants(prop, _FIELD, f"{path}.properties[{name}]"))
    if has_additional_properties(s):
        if level == _ROOT:
            errs.append(FieldError.forbidden(f"{path}.additionalProperties", "must not be used at the root"))
        if extra is not None:
            errs.extend(_invariants(extra, _FIELD, f"{path}.additionalProperties"))
    errs.extend(_extension_errors(s, path))
    errs.extend(_value_validation(s, _is_int_or_string_any_of(s), _is_int_or_string_all_of(s), path))
    errs.extend(_type_invariants(s, kind, level, path))
    errs.extend(_meta_invariants(s, level, path))
    return errs


def _extension_errors(s: dict, path: str) -> list[FieldError]:
    errs = []
    if s.get("x-kubernetes-int-or-string") is True and preserves_unknown_fields(s):
        errs.append(invalid(f"{path}.x-kubernetes-preserve-unknown-fields", True,
                             "must be false if x-kubernetes-int-or-string is true"))
    if s.get("x-kubernetes-int-or-string") is True and is_embedded_resource(s):
        errs.append(invalid(f"{path}.x-kubernetes-embedded-resource", True,
                             "must be false if x-kubernetes-int-or-string is true"))
    return errs


def _type_invariants(s: dict, kind: str, level: str, path: str) -> list[FieldError]:
    errs = []
    if is_embedded_resource(s) and kind != "object":
        if not kind:
            errs.append(FieldError.required(f"{path}.type",
                                            "must be object if x-kubernetes-embedded-resource is true"))
        else:
            errs.append(invalid(f"{path}.type", kind, "must be object if x-kubernetes-embedded-resource is true"))
    elif not kind and s.get("x-kubernetes-int-or-string") is not True and not preserves_unknown_fields(s):
        where = {_ROOT: "at the root", _ITEM: "for specified array items",
                 _FIELD: "for specified object fields"}[level]
        errs.append(FieldError.required(f"{path}.type", f"must not be empty {where}"))
    if is_embedded_resource(s) and has_additional_properties(s):
        errs.append(FieldError.forbidden(f"{path}.additionalProperties",
                                         "must not be used if x-kubernetes-embedded-resource is set"))
    if level == _ROOT and kind and kind != "object":
        errs.append(invalid(f"{path}.type", kind, "must be object at the root"))
    return errs


def _meta_invariants(s: dict, level: str, path: str) -> list[FieldError]:
    """kind and apiVersion must be strings; metadata may restrict name and generateName only."""
    errs = []
    check_metadata = level == _ROOT or is_embedded_resource(s)
    properties = property_schemas(s)
    for name in ("kind", "apiVersion"):
        if name in properties and check_metadata:
            kind = as_dict(properties[name]).get("type") or ""
            if kind != "string":
                errs.append(invalid(f"{path}.properties[{name}].type", kind, "must be string"))
    if "metadata" in properties:
        errs.extend(_metadata_invariants(as_dict(properties["metadata"]), check_metadata, level,
                                         f"{path}.properties[metadata]"))
    if is_embedded_resource(s) and not preserves_unknown_fields(s) and not properties:
        errs.append(FieldError.required(
            f"{path}.properties",
            "must not be empty if x-kubernetes-embedded-resource is true without "
            "x-kubernetes-preserve-unknown-fields"))
    return errs


def _metadata_invariants(s: dict, check_metadata: bool, level: str, path: str) -> list[FieldError]:
    errs = []
    kind = s.get("type") or ""
    if check_metadata and kind != "object":
        errs.append(invalid(f"{path}.type", kind, "must be object"))
    if level == _ROOT:
        ignored = ("type", "default", "example", "externalDocs")  # cleared, or not kept by NewStructural
        rest = {k: v for k, v in s.items() if k not in ignored and v not in (None, False, "", [], {})}
        properties = property_schemas(s)
        if properties and set(properties) <= {"name", "generateName"}:
            rest.pop("properties", None)
        if rest:
            errs.append(FieldError.forbidden(
                path, "must not specify anything other than name and generateName, but metadata is "
                      "implicitly specified"))
    return errs


def _is_int_or_string_any_of(s: dict) -> bool:
    return s.get("anyOf") == _INT_OR_STRING_ANY_OF


def _is_int_or_string_all_of(s: dict) -> bool:
    all_of = s.get("allOf")
    return isinstance(all_of, list) and bool(all_of) and isinstance(all_of[0], dict) \
        and all_of[0].get("anyOf") == _INT_OR_STRING_ANY_OF


def _value_validation(s: dict, skip_any_of: bool, skip_first_all_of_any_of: bool,
                      path: str) -> list[FieldError]:
    """``validateValueValidation``: the logic junctors below a node, and its pattern."""
    errs: list[FieldError] = []
    if not skip_any_of:
        for i, sub in enumerate(sub_schemas(s, "anyOf")):
            errs.extend(_nested(sub, False, f"{path}.anyOf[{i}]"))
    for i, sub in enumerate(sub_schemas(s, "allOf")):
        errs.extend(_nested(sub, skip_first_all_of_any_of and i == 0, f"{path}.allOf[{i}]"))
    for i, sub in enumerate(sub_schemas(s, "oneOf")):
        errs.extend(_nested(sub, False, f"{path}.oneOf[{i}]"))
    if isinstance(s.get("not"), dict):
        errs.extend(_nested(s["not"], False, f"{path}.not"))
    pattern = s.get("pattern")
    if isinstance(pattern, str) and pattern:
        compiled, problem = formats.compile_pattern(pattern)
        if compiled is None:
            errs.append(invalid(f"{path}.pattern", pattern,
                                 f"must be a valid regular expression, but isn't: {problem}"))
    return errs


def _nested(v: dict, skip_any_of: bool, path: str) -> list[FieldError]:
    """``validateNestedValueValidation``: what a schema inside anyOf/allOf/oneOf/not may say."""
    errs = _value_validation(v, skip_any_of, False, path)
    items = item_schema(v)
    if items is not None:
        errs.extend(_nested(items, False, f"{path}.items"))
    for name, prop in sorted(property_schemas(v).items()):
        if isinstance(prop, dict):
            errs.extend(_nested(prop, False, f"{path}.properties[{name}]"))
    if has_additional_properties(v):
        errs.append(FieldError.forbidden(f"{path}.additionalProperties", "must be undefined to be structural"))
    for key, is_set, detail in _NESTED_FORBIDDEN:
        if is_set(v.get(key)):
            errs.append(FieldError.forbidden(f"{path}.{key}", detail))
    if "metadata" in property_schemas(v):
        errs.append(FieldError.forbidden(f"{path}.properties[metadata]", "must not be specified in a nested context"))
    return errs


def _completeness(s: dict, path: str) -> list[FieldError]:
    """``validateStructuralCompleteness``: what the root's junctors specify, the root must too."""
    return _junctor_completeness(s, s, path, path)


def _junctor_completeness(v: dict, s: Optional[dict], s_path: str, v_path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if isinstance(v.get("not"), dict):
        errs.extend(_nested_completeness(v["not"], s, s_path, f"{v_path}.not"))
    for key in ("allOf", "anyOf", "oneOf"):
        for i, sub in enumerate(sub_schemas(v, key)):
            errs.extend(_nested_completeness(sub, s, s_path, f"{v_path}.{key}[{i}]"))
    return errs


def _nested_completeness(v: dict, s: Optional[dict], s_path: str, v_path: str) -> list[FieldError]:
    if s is None:
        return [FieldError.required(s_path, f"because it is defined in {v_path}")]
    errs = _junctor_completeness(v, s, s_path, v_path)
    items = item_schema(v)
    if items is not None:
        errs.extend(_nested_completeness(items, item_schema(s), f"{s_path}.items", f"{v_path}.items"))
    s_properties = property_schemas(s)
    for name, prop in sorted(property_schemas(v).items()):
        if not isinstance(prop, dict):
            continue
        if isinstance(s_properties.get(name), dict):
            errs.extend(_nested_completeness(prop, s_properties[name], f"{s_path}.properties[{name}]",
                                             f"{v_path}.properties[{name}]"))
        else:
            errs.append(FieldError.required(f"{s_path}.properties[{name}]",
                                            f"because it is defined in {v_path}.properties[{name}]"))
    return errs


# -- defaults (defaulting.ValidateDefaults) ------------------------------------------------


def default_errors(schema: dict, path: str) -> list[FieldError]:
    """Every default must validate against its schema and be pruned already."""
    return _defaults_below(as_resource_root(schema), path, inside_meta=False)


def _defaults_below(s: dict, path: str, inside_meta: bool) -> list[FieldError]:
    if is_embedded_resource(s):
        inside_meta = False
    errs: list[FieldError] = []
    if has_default(s):
        errs.extend(_one_default(s, path, inside_meta))
    items = item_schema(s)
    if items is not None:
        errs.extend(_defaults_below(items, f"{path}.items", inside_meta))
    for name, prop in sorted(property_schemas(s).items()):
        if isinstance(prop, dict):
            meta = inside_meta or (is_embedded_resource(s) and name in META_FIELDS)
            errs.extend(_defaults_below(prop, f"{path}.properties[{name}]", meta))
    return errs


def _one_default(s: dict, path: str, inside_meta: bool) -> list[FieldError]:
    """A default inside TypeMeta/ObjectMeta is not checked for pruning (the server coerces it as
    metadata, which is not modelled); every default must validate against its schema."""
    default = s["default"]
    errs: list[FieldError] = []
    if inside_meta:
        return to_field_errors(f"{path}.default", validate_value(default, s, "").errors)
    pruned = copy.deepcopy(default)
    prune_in_place(pruned, s, "", [])  # Prune(default, s, isResourceRoot=s.XEmbeddedResource) is the same
    if not go_deep_equal(pruned, default):
        errs.append(invalid(f"{path}.default", default, "must not have unknown fields"))
    errs.extend(to_field_errors(f"{path}.default", validate_value(default, s, "").errors))
    return errs


# -- keywords (ValidateCustomResourceDefinitionOpenAPISchema) ------------------------------


@dataclass(frozen=True)
class KeywordContext:
    """``specStandardValidatorV3`` for a v1 CRD: defaults allowed except where forbidden."""

    allow_defaults: bool = True
    disallow_defaults_reason: str = ""
    inside_resource_meta: bool = False

    def forbidding_defaults(self, reason: str) -> "KeywordContext":
        return KeywordContext(False, reason, self.inside_resource_meta)

    def in_resource_meta(self) -> "KeywordContext":
        return KeywordContext(self.allow_defaults, self.disallow_defaults_reason, True)


def keyword_errors(s: Any, path: str, ctx: KeywordContext, is_root: bool = False) -> list[FieldError]:
    if not isinstance(s, dict):
        return []
    errs = _standard_keywords(s, path, ctx)
    if s.get("uniqueItems") is True:
        errs.append(FieldError.forbidden(f"{path}.uniqueItems",
                                         "uniqueItems cannot be set to true since the runtime complexity "
                                         "becomes quadratic"))
    errs.extend(_additional_properties_keywords(s, path, ctx))
    for name, prop in sorted(property_schemas(s).items()):
        sub = ctx
        if (is_root or is_embedded_resource(s)) and name in META_FIELDS:
            sub = sub.in_resource_meta()
            if is_root:
                sub = sub.forbidding_defaults(f"in top-level {name}")
        errs.extend(keyword_errors(prop, f"{path}.properties[{name}]", sub))
    errs.extend(keyword_errors(s.get("not"), f"{path}.not", ctx))
    for key in ("allOf", "oneOf", "anyOf"):
        for i, sub_schema in enumerate(sub_schemas(s, key)):
            errs.extend(keyword_errors(sub_schema, f"{path}.{key}[{i}]", ctx))
    for name, definition in sorted(as_dict(s.get("definitions")).items()):
        errs.extend(keyword_errors(definition, f"{path}.definitions[{name}]", ctx))
    errs.extend(_items_keywords(s, path, ctx))
    for name, dependency in sorted(as_dict(s.get("dependencies")).items()):
        errs.extend(keyword_errors(dependency, f"{path}.dependencies[{name}]", ctx))
    errs.extend(_extension_keywords(s, path))
    errs.extend(_rule_keywords(s, path))
    return errs


def _standard_keywords(s: dict, path: str, ctx: KeywordContext) -> list[FieldError]:
    """``specStandardValidatorV3.validate``: what OpenAPI v3 allows in a CRD."""
    errs = []
    kind = s.get("type")
    if isinstance(kind, str) and kind and kind not in OPENAPI_V3_TYPES:
        errs.append(not_supported(f"{path}.type", kind, OPENAPI_V3_TYPES))
    if s.get("default") is not None and not ctx.allow_defaults:
        detail = "must not be set" + (f" {ctx.disallow_defaults_reason}" if ctx.disallow_defaults_reason else "")
        errs.append(FieldError.forbidden(f"{path}.default", detail))
    unsupported = (("id", "id is not supported"), ("additionalItems", "additionalItems is not supported"),
                   ("patternProperties", "patternProperties is not supported"),
                   ("definitions", "definitions is not supported"),
                   ("dependencies", "dependencies is not supported"), ("$ref", "$ref is not supported"))
    for key, detail in unsupported:
        if s.get(key) not in (None, "", {}):
            errs.append(FieldError.forbidden(f"{path}.{key}", detail))
    if kind == "null":
        errs.append(FieldError.forbidden(f"{path}.type", "type cannot be set to null, use nullable as an alternative"))
    if isinstance(s.get("items"), list) and s["items"]:
        errs.append(FieldError.forbidden(f"{path}.items", "items must be a schema object and not an array"))
    if ctx.inside_resource_meta and is_embedded_resource(s):
        errs.append(FieldError.forbidden(f"{path}.x-kubernetes-embedded-resource",
                                         "must not be used inside of resource meta"))
    return errs


def _additional_properties_keywords(s: dict, path: str, ctx: KeywordContext) -> list[FieldError]:
    extra = s.get("additionalProperties")
    if extra is None:
        return []
    errs = []
    if property_schemas(s) and (extra is False or isinstance(extra, dict)):
        errs.append(FieldError.forbidden(f"{path}.additionalProperties",
                                         "additionalProperties and properties are mutual exclusive"))
    sub = ctx
    if ctx.inside_resource_meta:
        sub = ctx.forbidding_defaults("inside additionalProperties applying to object metadata")
    errs.extend(keyword_errors(extra, f"{path}.additionalProperties", sub))
    return errs


def _items_keywords(s: dict, path: str, ctx: KeywordContext) -> list[FieldError]:
    items = s.get("items")
    if isinstance(items, dict):
        return keyword_errors(items, f"{path}.items", ctx)
    if isinstance(items, list):
        errs = []
        for i, item in enumerate(items):
            errs.extend(keyword_errors(item, f"{path}.items[{i}]", ctx))
        return errs
    return []


def _extension_keywords(s: dict, path: str) -> list[FieldError]:
    """x-kubernetes-preserve-unknown-fields, -map-type, -list-type and -list-map-keys."""
    errs = []
    kind = _type_of(s)
    if s.get("x-kubernetes-preserve-unknown-fields") is False:
        errs.append(invalid(f"{path}.x-kubernetes-preserve-unknown-fields", False, "must be true or undefined"))
    map_type = s.get("x-kubernetes-map-type")
    if map_type is not None and kind != "object":
        errs.append(_must_be_type(path, kind, "object", "x-kubernetes-map-type is specified"))
    if map_type is not None and map_type not in ("atomic", "granular"):
        errs.append(not_supported(f"{path}.x-kubernetes-map-type", map_type, ("atomic", "granular")))
    list_type = s.get("x-kubernetes-list-type")
    if list_type is not None and kind != "array":
        errs.append(_must_be_type(path, kind, "array", "x-kubernetes-list-type is specified"))
    elif list_type == "set":
        errs.extend(_set_items_atomic(s, path))
    if list_type is not None and list_type not in ("atomic", "set", "map"):
        errs.append(not_supported(f"{path}.x-kubernetes-list-type", list_type, ("atomic", "set", "map")))
    errs.extend(_list_map_keywords(s, path, list_type))
    errs.extend(_map_set_keys(s, path, list_type))
    return errs


def _must_be_type(path: str, kind: str, wanted: str, why: str) -> FieldError:
    if not kind:
        return FieldError.required(f"{path}.type", f"must be {wanted} if {why}")
    return invalid(f"{path}.type", kind, f"must be {wanted} if {why}")


def _set_items_atomic(s: dict, path: str) -> list[FieldError]:
    """requireAtomicSetType: the items of a set list must be atomic themselves."""
    items = item_schema(s)
    if items is None:
        return []
    detail = "must be atomic as item of a list with x-kubernetes-list-type=set"
    if items.get("type") == "array":
        list_type = items.get("x-kubernetes-list-type")
        if list_type is not None and list_type != "atomic":
            return [invalid(f"{path}.items.x-kubernetes-list-type", list_type, detail)]
    if items.get("type") == "object" and items.get("x-kubernetes-map-type") != "atomic":
        # Kubernetes shows the items' list type here (usually unset, so "null").
        return [invalid(f"{path}.items.x-kubernetes-map-type", items.get("x-kubernetes-list-type"), detail)]
    return []


def _list_map_keywords(s: dict, path: str, list_type: Any) -> list[FieldError]:
    errs = []
    keys = string_list(s, "x-kubernetes-list-map-keys")
    keys_text = "[]string{" + ", ".join(go_quote(k) for k in keys) + "}"
    if keys:
        if list_type is None:
            errs.append(FieldError.required(f"{path}.x-kubernetes-list-type",
                                            "must be map if x-kubernetes-list-map-keys is non-empty"))
        elif list_type != "map":
            errs.append(invalid(f"{path}.x-kubernetes-list-type", list_type,
                                 "must be map if x-kubernetes-list-map-keys is non-empty"))
    if list_type != "map":
        return errs
    if not keys:
        errs.append(FieldError.required(f"{path}.x-kubernetes-list-map-keys",
                                        "must not be empty if x-kubernetes-list-type is map"))
    items = item_schema(s)
    if s.get("items") is None:
        errs.append(FieldError.required(f"{path}.items", "must have a schema if x-kubernetes-list-type is map"))
    if items is not None and items.get("type") != "object":
        errs.append(invalid(f"{path}.items.type", items.get("type") or "",
                             "must be object if parent array's x-kubernetes-list-type is map"))
    if items is not None and items.get("type") == "object":
        seen: set = set()
        for key in keys:
            prop = property_schemas(items).get(key)
            if isinstance(prop, dict):
                if prop.get("type") in ("array", "object"):
                    errs.append(invalid(f"{path}.items.properties[{key}].type", "object",
                                         "must be a scalar type if parent array's x-kubernetes-list-type is map"))
            else:
                errs.append(GoFieldError("Invalid", f"{path}.x-kubernetes-list-map-keys", keys,
                                         "entries must all be names of item properties", keys_text))
            if key in seen:
                errs.append(GoFieldError("Invalid", f"{path}.x-kubernetes-list-map-keys", keys,
                                         "must not contain duplicate entries", keys_text))
            seen.add(key)
    return errs


def _map_set_keys(s: dict, path: str, list_type: Any) -> list[FieldError]:
    """``validateMapListKeysMapSet``: set and map items are not nullable; map keys defaultable."""
    items = item_schema(s)
    if items is None or list_type not in ("set", "map"):
        return []
    errs = []
    if is_nullable(items):
        errs.append(FieldError.forbidden(f"{path}.items.nullable",
                                         f"cannot be nullable when x-kubernetes-list-type is {list_type}"))
    if list_type != "map":
        return errs
    required = set(string_list(items, "required"))
    for key in string_list(s, "x-kubernetes-list-map-keys"):
        prop = property_schemas(items).get(key)
        if not isinstance(prop, dict):
            continue
        if key not in required and prop.get("default") is None:
            errs.append(FieldError.required(
                f"{path}.items.properties[{key}].default",
                "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"))
        if is_nullable(prop):
            errs.append(FieldError.forbidden(
                f"{path}.items.properties[{key}].nullable",
                "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"))
    return errs


def _rule_keywords(s: dict, path: str) -> list[FieldError]:
    """The shape of each x-kubernetes-validations rule (the CEL itself is not compiled)."""
    rules = s.get("x-kubernetes-validations")
    if not isinstance(rules, list):
        return []
    errs = []
    for i, rule in enumerate(rules):
        errs.extend(_one_rule(as_dict(rule), f"{path}.x-kubernetes-validations[{i}]"))
    return errs


def _one_rule(rule: dict, path: str) -> list[FieldError]:
    errs = []
    text, message = str(rule.get("rule") or ""), str(rule.get("message") or "")
    expression, reason = str(rule.get("messageExpression") or ""), rule.get("reason")
    if not text.strip():
        errs.append(FieldError.required(f"{path}.rule", "rule is not specified"))
    elif message and not message.strip():
        errs.append(FieldError.invalid(f"{path}.message", message, "message must be non-empty if specified"))
    elif re.search(r"[\n\r]", message.strip()):
        errs.append(FieldError.invalid(f"{path}.message", message, "message must not contain line breaks"))
    elif re.search(r"[\n\r]", text.strip()) and not message.strip():
        errs.append(FieldError.required(f"{path}.message", "message must be specified if rule contains line breaks"))
    if expression and not expression.strip():
        errs.append(FieldError.required(f"{path}.messageExpression",
                                        "messageExpression must be non-empty if specified"))
    if reason is not None and reason not in VALIDATION_REASONS:
        errs.append(not_supported(f"{path}.reason", reason, VALIDATION_REASONS))
    field_path = str(rule.get("fieldPath") or "")
    if field_path and not field_path.strip():
        errs.append(FieldError.invalid(f"{path}.fieldPath", field_path, "fieldPath must be non-empty if specified"))
    if re.search(r"[\n\r]", field_path):
        errs.append(FieldError.invalid(f"{path}.fieldPath", field_path, "fieldPath must not contain line breaks"))
    return errs
