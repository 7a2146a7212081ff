"""The CRD schema engine: validation of custom resources and of the schemas themselves, pruning and
defaulting, with the messages of apiextensions-apiserver 1.32 and kube-openapi.

Expected strings come from the Kubernetes sources: apiextensions-apiserver
pkg/apiserver/validation/validation_test.go (``TestValidateCustomResource``), kube-openapi
pkg/validation/errors/schema.go (the message formats), pkg/apiserver/schema/validation.go and
complete.go (structural invariants), pkg/apis/apiextensions/validation/validation.go (keywords),
and the docs page "Extend the Kubernetes API with CustomResourceDefinitions".
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labkube.core.api import crd_openapi, crd_schema

ROOT = "spec.versions[0].schema.openAPIV3Schema"


def obj_schema(**properties):
    return {"type": "object", "properties": properties}


def messages(errors):
    return [str(e) for e in errors]


def check(field_schema, value):
    """Validate ``{"field": value}`` against ``{"field": field_schema}``."""
    return messages(crd_schema.validate({"field": value}, obj_schema(field=field_schema)))


# =====================================================================================
# validate: one keyword at a time
# =====================================================================================

TYPE_CASES = [
    ("a string where an object is wanted names the JSON type",
     {"type": "object"}, "foo", ['field: Invalid value: "string": field in body must be of type object: "string"']),
    ("an integer where an object is wanted",
     {"type": "object"}, 42, ['field: Invalid value: "integer": field in body must be of type object: "integer"']),
    ("a boolean where an object is wanted",
     {"type": "object"}, True, ['field: Invalid value: "boolean": field in body must be of type object: "boolean"']),
    ("a fraction where an object is wanted is a number",
     {"type": "object"}, 1.2, ['field: Invalid value: "number": field in body must be of type object: "number"']),
    ("a list where an object is wanted is an array",
     {"type": "object"}, [], ['field: Invalid value: "array": field in body must be of type object: "array"']),
    ("null is refused unless the field is nullable",
     {"type": "object"}, None, ['field: Invalid value: "null": field in body must be of type object: "null"']),
    ("null is accepted when the field is nullable", {"type": "object", "nullable": True}, None, []),
    ("a nullable field still checks the type of a value",
     {"type": "object", "nullable": True}, "foo",
     ['field: Invalid value: "string": field in body must be of type object: "string"']),
    ("a schema without a type accepts anything", {"nullable": True}, [1, "a"], []),
    ("a whole number written as 1.0 is an integer", {"type": "integer"}, 1.0, []),
    ("an integer is a number", {"type": "number"}, 3, []),
    ("int-or-string accepts an integer", {"x-kubernetes-int-or-string": True}, 42, []),
    ("int-or-string accepts a string", {"x-kubernetes-int-or-string": True}, "50%", []),
    ("int-or-string refuses a fraction, naming both types",
     {"x-kubernetes-int-or-string": True}, 1.5,
     ['field: Invalid value: "number": field in body must be of type integer,string: "number"']),
    ("int-or-string refuses null unless nullable",
     {"x-kubernetes-int-or-string": True}, None,
     ['field: Invalid value: "null": field in body must be of type integer,string: "null"']),
    ("an integer format is stripped in 1.32, so only the type speaks",
     {"type": "integer", "format": "int32"}, 1.5,
     ['field: Invalid value: "number": field in body must be of type integer: "number"']),
    ("int32 is not range-checked in 1.32", {"type": "integer", "format": "int32"}, 2**40, []),
    ("a format the server does not know is ignored", {"type": "string", "format": "colour"}, "red", []),
]


@pytest.mark.parametrize("name, schema, value, expected", TYPE_CASES, ids=[c[0] for c in TYPE_CASES])
def test_type_checks_read_as_kube_openapi_prints_them(name, schema, value, expected):
    assert check(schema, value) == expected


KEYWORD_CASES = [
    ("a value outside the enum lists the supported values",
     {"type": "string", "enum": ["a", "b"]}, "c", ['field: Unsupported value: "c": supported values: "a", "b"']),
    ("a number outside an enum of numbers quotes them as JSON",
     {"type": "integer", "enum": [1, 2]}, 3, ['field: Unsupported value: 3: supported values: "1", "2"']),
    ("a type error and an enum error are both reported",
     {"type": "integer", "enum": [1, 2]}, "x",
     ['field: Invalid value: "string": field in body must be of type integer: "string"',
      'field: Unsupported value: "x": supported values: "1", "2"']),
    ("a value in the enum passes", {"type": "string", "enum": ["a", "b"]}, "b", []),
    ("an integer matches an enum of whole floats", {"type": "number", "enum": [1.0, 2.5]}, 1, []),
    ("above maximum", {"type": "integer", "maximum": 10}, 11,
     ["field: Invalid value: 11: field in body should be less than or equal to 10"]),
    ("at an exclusive maximum", {"type": "integer", "maximum": 10, "exclusiveMaximum": True}, 10,
     ["field: Invalid value: 10: field in body should be less than 10"]),
    ("below minimum", {"type": "integer", "minimum": 1}, 0,
     ["field: Invalid value: 0: field in body should be greater than or equal to 1"]),
    ("at an exclusive minimum", {"type": "number", "minimum": 0.5, "exclusiveMinimum": True}, 0.5,
     ["field: Invalid value: 0.5: field in body should be greater than 0.5"]),
    ("a float limit prints as Go prints a float64", {"type": "number", "maximum": 1000000}, 2.5e6,
     ["field: Invalid value: 2.5e+06: field in body should be less than or equal to 1e+06"]),
    ("not a multiple", {"type": "integer", "multipleOf": 5}, 7,
     ["field: Invalid value: 7: field in body should be a multiple of 5"]),
    ("a multiple of a fraction", {"type": "number", "multipleOf": 0.5}, 1.5, []),
    ("not a multiple of a fraction", {"type": "number", "multipleOf": 0.5}, 1.2,
     ["field: Invalid value: 1.2: field in body should be a multiple of 0.5"]),
    ("too long a string", {"type": "string", "maxLength": 2}, "abc", ["field: Too long: may not be more than 2 bytes"]),
    ("too short a string", {"type": "string", "minLength": 3}, "ab",
     ['field: Invalid value: "ab": field in body should be at least 3 chars long']),
    ("a string length counts characters, not bytes", {"type": "string", "maxLength": 2}, "éé", []),
    ("a string that misses its pattern", {"type": "string", "pattern": "^[a-z]+$"}, "ABC",
     ["field: Invalid value: \"ABC\": field in body should match '^[a-z]+$'"]),
    ("an invalid pattern is reported with Go's regexp error", {"type": "string", "pattern": "+"}, "foo",
     ["field: Invalid value: \"foo\": field in body should match '+, but pattern is invalid: "
      "error parsing regexp: missing argument to repetition operator: `+`'"]),
    ("too many items", {"type": "array", "maxItems": 2, "items": {"type": "string"}}, ["a", "b", "c"],
     ["field: Too many: 3: must have at most 2 items"]),
    ("too few items", {"type": "array", "minItems": 2, "items": {"type": "string"}}, ["a"],
     ["field: Invalid value: 1: field in body should have at least 2 items"]),
    ("duplicate items", {"type": "array", "uniqueItems": True, "items": {"type": "integer"}}, [1, 1],
     ['field: Invalid value: "": field in body shouldn\'t contain duplicates']),
    ("too many properties", {"type": "object", "maxProperties": 2}, {"a": True, "b": True, "c": True},
     ["field: Too many: 3: must have at most 2 items"]),
    ("too few properties", {"type": "object", "minProperties": 2}, {"a": 1},
     ["field: Invalid value: 1: field in body should have at least 2 properties"]),
    ("an item of the wrong type is named by its index",
     {"type": "array", "items": {"type": "string"}}, ["a", 1],
     ['field[1]: Invalid value: "integer": field[1] in body must be of type string: "integer"']),
    ("a map value of the wrong type is named by its key",
     {"type": "object", "additionalProperties": {"type": "string"}}, {"a": "x", "b": 2},
     ['field.b: Invalid value: "integer": field.b in body must be of type string: "integer"']),
    ("a missing required field", {"type": "object", "required": ["nested"], "properties": {"nested": {}}}, {},
     ["field.nested: Required value"]),
    ("a required field that is present as null is a type error, not a missing field",
     {"type": "object", "required": ["n"], "properties": {"n": {"type": "string"}}}, {"n": None},
     ['field.n: Invalid value: "null": field.n in body must be of type string: "null"']),
]


QUIRK_CASES = [
    ("an integer limit of 1.5 is 1 for an integer, as Go's int64 conversion makes it",
     {"type": "integer", "minimum": 1.5}, 1, []),
    ("the same limit holds for a fraction", {"type": "number", "minimum": 1.5}, 1.2,
     ["field: Invalid value: 1.2: field in body should be greater than or equal to 1.5"]),
    ("a negative multipleOf is reported as kube-openapi words it", {"type": "integer", "multipleOf": -2}, 4,
     ["field: Invalid value: -2: factor MultipleOf declared for field must be positive: -2"]),
    ("a string format on a number is kept, and names the Go format of a boolean",
     {"type": "number", "format": "date-time"}, True,
     ['field: Invalid value: "": field in body must be of type date-time: ""']),
    ("an enum of floats is quoted as Go's json.Marshal writes them",
     {"type": "number", "enum": [1.5, 1e21]}, 2,
     ['field: Unsupported value: 2: supported values: "1.5", "1e+21"']),
    ("null against an enum shows \"null\"", {"type": "string", "nullable": True, "enum": ["a"]}, None,
     ['field: Unsupported value: "null": supported values: "a"']),
    ("additionalProperties false names the forbidden key",
     {"type": "object", "additionalProperties": False}, {"x": 1},
     ['field: Invalid value: "x": field.x in body is a forbidden property']),
    ("a too-long key value in a map is checked with the map's value schema",
     {"type": "object", "additionalProperties": {"type": "string", "maxLength": 1}}, {"k": "vv"},
     ["field.k: Too long: may not be more than 1 bytes"]),
]


@pytest.mark.parametrize("name, schema, value, expected", QUIRK_CASES, ids=[c[0] for c in QUIRK_CASES])
def test_kube_openapi_quirks_are_kept(name, schema, value, expected):
    assert check(schema, value) == expected


@pytest.mark.parametrize("name, schema, value, expected", KEYWORD_CASES, ids=[c[0] for c in KEYWORD_CASES])
def test_value_keywords_read_as_kube_apiserver_prints_them(name, schema, value, expected):
    assert check(schema, value) == expected


FORMAT_CASES = [
    ("date-time", "2024-01-02T03:04:05Z", "2024-13-02T03:04:05Z"),
    ("date-time", "2024-01-02T03:04:05.123+02:00", "yesterday"),
    ("date", "2024-02-29", "2023-02-29"),
    ("duration", "1h30m", "an hour"),
    ("duration", "22 ns", "22 lightyears"),
    ("uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567"),
    ("ipv4", "10.0.0.1", "10.0.0.256"),
    ("ipv6", "fe80::1", "10.0.0.1"),
    ("cidr", "10.0.0.0/8", "10.0.0.0"),
    ("mac", "00:1a:2b:3c:4d:5e", "00:1a:2b"),
    ("hostname", "example.com", "-bad-.com"),
    ("email", "ann@example.com", "ann"),
    ("uri", "https://example.com/x", "example"),
    ("byte", "aGVsbG8=", "hello!"),
    ("hexcolor", "#ffcc00", "#ffcc0"),
]


@pytest.mark.parametrize("fmt, good, bad", FORMAT_CASES, ids=[f"{c[0]} {c[2]!r}" for c in FORMAT_CASES])
def test_string_formats_accept_the_good_and_name_the_format_for_the_bad(fmt, good, bad):
    schema = {"type": "string", "format": fmt}
    assert check(schema, good) == []
    assert check(schema, bad) == [f'field: Invalid value: "{bad}": field in body must be of type {fmt}: "{bad}"']


JUNCTOR_CASES = [
    ("int-or-string with anyOf reports the composite error without a field",
     {"nullable": True, "x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]},
     True,
     ['field: Invalid value: "boolean": field in body must be of type integer,string: "boolean"',
      '<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)',
      'field: Invalid value: "boolean": field in body must be of type integer: "boolean"']),
    ("allOf over anyOf: both composite errors",
     {"nullable": True, "x-kubernetes-int-or-string": True,
      "allOf": [{"anyOf": [{"type": "integer"}, {"type": "string"}]}]},
     1.2,
     ['field: Invalid value: "number": field in body must be of type integer,string: "number"',
      '<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)',
      'field: Invalid value: "number": field in body must be of type integer: "number"',
      '<nil>: Invalid value: "": "field" must validate all the schemas (allOf). None validated']),
    ("oneOf with two matches",
     {"type": "integer", "oneOf": [{"minimum": 1}, {"maximum": 10}]}, 5,
     ['<nil>: Invalid value: "": "field" must validate one and only one schema (oneOf). Found 2 valid alternatives']),
    ("oneOf with no match keeps the first failure",
     {"type": "integer", "oneOf": [{"minimum": 10}, {"maximum": 1}]}, 5,
     ['<nil>: Invalid value: "": "field" must validate one and only one schema (oneOf). Found none valid',
      "field: Invalid value: 5: field in body should be greater than or equal to 10"]),
    ("not", {"type": "string", "not": {"enum": ["forbidden"]}}, "forbidden",
     ['<nil>: Invalid value: "": "field" must not validate the schema (not)']),
    ("anyOf satisfied by the second branch", {"anyOf": [{"type": "integer"}, {"type": "string"}]}, "x", []),
]


@pytest.mark.parametrize("name, schema, value, expected", JUNCTOR_CASES, ids=[c[0] for c in JUNCTOR_CASES])
def test_logic_junctors_report_composite_errors_at_nil(name, schema, value, expected):
    assert check(schema, value) == expected


CRONTAB = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "properties": {
                "cronSpec": {"type": "string", "pattern": r"^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$"},
                "image": {"type": "string"},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 10},
            },
        },
    },
}


def test_the_docs_crontab_with_a_bad_cron_spec_and_too_many_replicas_is_refused_on_both():
    crontab = {"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "my-new-cron-object"},
               "spec": {"cronSpec": "* * * *", "image": "my-awesome-cron-image", "replicas": 15}}
    assert messages(crd_schema.validate(crontab, CRONTAB)) == [
        "spec.cronSpec: Invalid value: \"* * * *\": spec.cronSpec in body should match "
        "'^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'",
        "spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10",
    ]


def test_the_docs_crontab_that_follows_the_schema_is_valid():
    crontab = {"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "ok"},
               "spec": {"cronSpec": "* * * * */5", "image": "my-awesome-cron-image", "replicas": 1}}
    assert crd_schema.validate(crontab, CRONTAB) == []


def test_a_required_field_at_the_root_of_the_resource_is_named_without_a_leading_dot():
    schema = {"type": "object", "required": ["spec"], "properties": {"spec": {"type": "object"}}}
    assert messages(crd_schema.validate({"apiVersion": "a/v1", "kind": "A"}, schema)) == ["spec: Required value"]


def test_errors_carry_the_status_cause_reason_kube_apiserver_returns():
    errors = crd_schema.validate({"spec": {"replicas": "two"}}, CRONTAB)
    assert [(e.cause_reason, e.field) for e in errors] == [("FieldValueTypeInvalid", "spec.replicas")]


def test_a_schema_of_none_validates_nothing():
    assert crd_schema.validate({"spec": {"x": 1}}, None) == []


# =====================================================================================
# validate_schema: the CRD's own schema
# =====================================================================================

SCHEMA_CASES = [
    ("a field without a type is not structural",
     obj_schema(spec={"properties": {"a": {"type": "string"}}}),
     [f"{ROOT}.properties[spec].type: Required value: must not be empty for specified object fields"]),
    ("an item without a type is not structural",
     obj_schema(list={"type": "array", "items": {}}),
     [f"{ROOT}.properties[list].items.type: Required value: must not be empty for specified array items"]),
    ("the root needs a type",
     {"properties": {"spec": {"type": "object"}}},
     [f"{ROOT}.type: Required value: must not be empty at the root"]),
    ("the root must be an object",
     {"type": "string"},
     [f'{ROOT}.type: Invalid value: "string": must be object at the root']),
    ("an array needs items",
     obj_schema(list={"type": "array"}),
     [f"{ROOT}.properties[list].items: Required value: must be specified"]),
    ("preserve-unknown-fields lifts the need for a type",
     obj_schema(blob={"x-kubernetes-preserve-unknown-fields": True}), []),
    ("int-or-string lifts the need for a type",
     obj_schema(port={"x-kubernetes-int-or-string": True}), []),
    ("the int-or-string anyOf pattern is structural",
     obj_schema(port={"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]}), []),
    ("a type inside anyOf is not structural, and its property must be specified outside",
     {"type": "object", "anyOf": [{"properties": {"foo": {"type": "string"}}}]},
     [f"{ROOT}.anyOf[0].properties[foo].type: Forbidden: must be empty to be structural",
      f"{ROOT}.properties[foo]: Required value: because it is defined in {ROOT}.anyOf[0].properties[foo]"]),
    ("a description inside allOf is not structural",
     obj_schema(a={"type": "string", "allOf": [{"description": "x", "minLength": 1}]}),
     [f"{ROOT}.properties[a].allOf[0].description: Forbidden: must be empty to be structural"]),
    ("metadata inside a junctor is forbidden",
     {"type": "object", "properties": {"metadata": {"type": "object"}},
      "oneOf": [{"properties": {"metadata": {}}}]},
     [f"{ROOT}.oneOf[0].properties[metadata]: Forbidden: must not be specified in a nested context"]),
    ("additionalProperties at the root is forbidden",
     {"type": "object", "additionalProperties": {"type": "string"}},
     [f"{ROOT}.additionalProperties: Forbidden: must not be used at the root"]),
    ("metadata at the root may restrict only name and generateName",
     obj_schema(metadata={"type": "object", "properties": {"labels": {"type": "object"}}}),
     [f"{ROOT}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, "
      "but metadata is implicitly specified"]),
    ("metadata at the root restricting the name is fine",
     obj_schema(metadata={"type": "object", "properties": {"name": {"type": "string", "maxLength": 20}}}), []),
    ("metadata at the root must be an object",
     obj_schema(metadata={"type": "string"}),
     [f'{ROOT}.properties[metadata].type: Invalid value: "string": must be object']),
    ("kind at the root must be a string",
     obj_schema(kind={"type": "integer"}),
     [f'{ROOT}.properties[kind].type: Invalid value: "integer": must be string']),
    ("an embedded resource must be an object with properties or preserved fields",
     obj_schema(template={"x-kubernetes-embedded-resource": True}),
     [f"{ROOT}.properties[template].properties: Required value: must not be empty if "
      "x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
      f"{ROOT}.properties[template].type: Required value: must be object if x-kubernetes-embedded-resource is true"]),
    ("int-or-string cannot also preserve unknown fields",
     obj_schema(p={"x-kubernetes-int-or-string": True, "x-kubernetes-preserve-unknown-fields": True}),
     [f"{ROOT}.properties[p].x-kubernetes-preserve-unknown-fields: Invalid value: true: "
      "must be false if x-kubernetes-int-or-string is true"]),
    ("an invalid pattern is refused with Go's regexp error",
     obj_schema(s={"type": "string", "pattern": "a(b"}),
     [f'{ROOT}.properties[s].pattern: Invalid value: "a(b": must be a valid regular expression, '
      "but isn't: error parsing regexp: missing closing ): `a(b`"]),
    ("uniqueItems true is forbidden",
     obj_schema(a={"type": "array", "uniqueItems": True, "items": {"type": "string"}}),
     [f"{ROOT}.properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime "
      "complexity becomes quadratic"]),
    ("additionalProperties beside properties is forbidden",
     obj_schema(spec={"type": "object", "properties": {"a": {"type": "string"}},
                      "additionalProperties": {"type": "string"}}),
     [f"{ROOT}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are "
      "mutual exclusive"]),
    ("an unknown type lists the OpenAPI v3 types",
     obj_schema(a={"type": "text"}),
     [f'{ROOT}.properties[a].type: Unsupported value: "text": supported values: "array", "boolean", "integer", '
      '"number", "object", "string"']),
    ("type null is forbidden in favour of nullable",
     obj_schema(a={"type": "null"}),
     [f'{ROOT}.properties[a].type: Unsupported value: "null": supported values: "array", "boolean", "integer", '
      '"number", "object", "string"',
      f"{ROOT}.properties[a].type: Forbidden: type cannot be set to null, use nullable as an alternative"]),
    ("$ref is not supported",
     obj_schema(a={"type": "object", "$ref": "#/definitions/x"}),
     [f"{ROOT}.properties[a].$ref: Forbidden: $ref is not supported"]),
    ("patternProperties is not supported",
     obj_schema(a={"type": "object", "patternProperties": {"^x": {"type": "string"}}}),
     [f"{ROOT}.properties[a].patternProperties: Forbidden: patternProperties is not supported"]),
    ("items as a list is not supported",
     obj_schema(a={"type": "array", "items": [{"type": "string"}]}),
     [f"{ROOT}.properties[a].items: Forbidden: items must be a schema object and not an array"]),
    ("preserve-unknown-fields false is refused",
     obj_schema(a={"type": "object", "x-kubernetes-preserve-unknown-fields": False}),
     [f"{ROOT}.properties[a].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined"]),
    ("a default in top-level metadata is forbidden",
     obj_schema(metadata={"type": "object", "properties": {"name": {"type": "string", "default": "x"}}}),
     [f"{ROOT}.properties[metadata].properties[name].default: Forbidden: must not be set in top-level metadata"]),
    ("a list-type needs an array",
     obj_schema(a={"type": "object", "x-kubernetes-list-type": "set"}),
     [f'{ROOT}.properties[a].type: Invalid value: "object": must be array if x-kubernetes-list-type is specified']),
    ("an unknown list-type",
     obj_schema(a={"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "bag"}),
     [f'{ROOT}.properties[a].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", '
      '"set", "map"']),
    ("a map list needs keys",
     obj_schema(a={"type": "array", "x-kubernetes-list-type": "map",
                   "items": {"type": "object", "properties": {"name": {"type": "string"}}}}),
     [f"{ROOT}.properties[a].x-kubernetes-list-map-keys: Required value: must not be empty if "
      "x-kubernetes-list-type is map"]),
    ("a map list key must be required or defaulted",
     obj_schema(a={"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                   "items": {"type": "object", "properties": {"name": {"type": "string"}}}}),
     [f"{ROOT}.properties[a].items.properties[name].default: Required value: this property is in "
      "x-kubernetes-list-map-keys, so it must have a default or be a required property"]),
    ("a map list key must name an item property",
     obj_schema(a={"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["id"],
                   "items": {"type": "object", "properties": {"name": {"type": "string"}}}}),
     [f'{ROOT}.properties[a].x-kubernetes-list-map-keys: Invalid value: []string{{"id"}}: entries must all be '
      "names of item properties"]),
    ("a map-type needs an object",
     obj_schema(a={"type": "string", "x-kubernetes-map-type": "atomic"}),
     [f'{ROOT}.properties[a].type: Invalid value: "string": must be object if x-kubernetes-map-type is specified']),
    ("a validation rule must not be empty (CEL itself is not compiled)",
     obj_schema(a={"type": "string", "x-kubernetes-validations": [{"rule": " "}]}),
     [f"{ROOT}.properties[a].x-kubernetes-validations[0].rule: Required value: rule is not specified"]),
    ("a validation rule with an unknown reason",
     obj_schema(a={"type": "string", "x-kubernetes-validations": [{"rule": "self != ''", "reason": "Nope"}]}),
     [f'{ROOT}.properties[a].x-kubernetes-validations[0].reason: Unsupported value: "Nope": supported values: '
      '"FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"']),
    ("a well formed validation rule is accepted",
     obj_schema(a={"type": "string", "x-kubernetes-validations": [{"rule": "self.size() > 2"}]}), []),
    ("a default of the wrong type",
     obj_schema(spec=obj_schema(replicas={"type": "integer", "default": "three"})),
     [f'{ROOT}.properties[spec].properties[replicas].default: Invalid value: "string":  in body must be of '
      'type integer: "string"']),
    ("a default breaking a limit",
     obj_schema(spec=obj_schema(replicas={"type": "integer", "maximum": 5, "default": 7})),
     [f"{ROOT}.properties[spec].properties[replicas].default: Invalid value: 7:  in body should be less than "
      "or equal to 5"]),
    ("a default with an unknown field",
     obj_schema(spec={"type": "object", "default": {"colour": "blue"}, "properties": {"size": {"type": "string"}}}),
     [f'{ROOT}.properties[spec].default: Invalid value: map[string]interface {{}}{{"colour":"blue"}}: '
      "must not have unknown fields"]),
    ("a default object missing a required field names it below the default",
     obj_schema(spec={"type": "object", "default": {}, "required": ["size"],
                      "properties": {"size": {"type": "string"}}}),
     [f"{ROOT}.properties[spec].default.size: Required value"]),
    ("a default of an array item",
     obj_schema(list={"type": "array", "items": {"type": "string", "default": 1}}),
     [f'{ROOT}.properties[list].items.default: Invalid value: "integer":  in body must be of type string: '
      '"integer"']),
    ("defaults are not checked while the schema is not structural",
     obj_schema(a={"properties": {}}, b={"type": "integer", "default": "x"}),
     [f"{ROOT}.properties[a].type: Required value: must not be empty for specified object fields"]),
    ("the docs crontab schema is valid", CRONTAB, []),
    ("the int-or-string allOf pattern is structural",
     obj_schema(port={"x-kubernetes-int-or-string": True,
                      "allOf": [{"anyOf": [{"type": "integer"}, {"type": "string"}]}, {"minLength": 1}]}), []),
    ("additionalProperties inside a junctor is not structural",
     obj_schema(m={"type": "object", "additionalProperties": {"type": "string"},
                   "anyOf": [{"additionalProperties": {"maxLength": 3}}]}),
     [f"{ROOT}.properties[m].anyOf[0].additionalProperties: Forbidden: must be undefined to be structural"]),
    ("items named in a junctor must be specified outside it",
     {"type": "object", "properties": {"list": {"type": "array", "items": {"type": "string"}}},
      "allOf": [{"properties": {"list": {"items": {"properties": {"x": {}}}}}}]},
     [f"{ROOT}.properties[list].items.properties[x]: Required value: because it is defined in "
      f"{ROOT}.allOf[0].properties[list].items.properties[x]"]),
    ("an embedded resource's kind must be a string and its metadata an object",
     obj_schema(template={"type": "object", "x-kubernetes-embedded-resource": True,
                          "properties": {"kind": {"type": "integer"}, "metadata": {"type": "string"}}}),
     [f'{ROOT}.properties[template].properties[kind].type: Invalid value: "integer": must be string',
      f'{ROOT}.properties[template].properties[metadata].type: Invalid value: "string": must be object']),
    ("an embedded resource may say more about its metadata than the root may",
     obj_schema(template={"type": "object", "x-kubernetes-embedded-resource": True,
                          "properties": {"metadata": {"type": "object",
                                                      "properties": {"labels": {"type": "object"}}}}}), []),
    ("a look-ahead is refused as RE2 refuses it",
     obj_schema(s={"type": "string", "pattern": "^(?!x)"}),
     [f'{ROOT}.properties[s].pattern: Invalid value: "^(?!x)": must be a valid regular expression, '
      "but isn't: error parsing regexp: invalid or unsupported Perl syntax: `(?!`"]),
    ("a set of objects must have atomic items",
     obj_schema(a={"type": "array", "x-kubernetes-list-type": "set",
                   "items": {"type": "object", "properties": {"x": {"type": "string"}}}}),
     [f'{ROOT}.properties[a].items.x-kubernetes-map-type: Invalid value: "null": must be atomic as item of a '
      "list with x-kubernetes-list-type=set"]),
    ("a map list with a proper key is accepted",
     obj_schema(a={"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                   "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}),
     []),
]


@pytest.mark.parametrize("name, schema, expected", SCHEMA_CASES, ids=[c[0] for c in SCHEMA_CASES])
def test_crd_schemas_are_checked_as_apiextensions_validation_checks_them(name, schema, expected):
    assert messages(crd_schema.validate_schema(schema, ROOT)) == expected


def test_structural_errors_come_sorted_as_validate_structural_sorts_them():
    schema = obj_schema(zeta={"properties": {}}, alpha={"type": "array"})
    assert messages(crd_schema.validate_schema(schema, ROOT)) == [
        f"{ROOT}.properties[alpha].items: Required value: must be specified",
        f"{ROOT}.properties[zeta].type: Required value: must not be empty for specified object fields",
    ]


def test_structural_errors_come_before_keyword_errors():
    schema = obj_schema(a={"properties": {}, "uniqueItems": True})
    assert messages(crd_schema.validate_schema(schema, ROOT)) == [
        f"{ROOT}.properties[a].type: Required value: must not be empty for specified object fields",
        f"{ROOT}.properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime "
        "complexity becomes quadratic",
    ]


def test_the_error_path_is_the_callers():
    errors = crd_schema.validate_schema({"type": "string"}, "spec.validation.openAPIV3Schema")
    assert messages(errors) == ['spec.validation.openAPIV3Schema.type: Invalid value: "string": must be object at '
                                "the root"]


# =====================================================================================
# unknown_fields and prune
# =====================================================================================

PRUNE_SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "properties": {
                "image": {"type": "string"},
                "ports": {"type": "array", "items": {"type": "object", "properties": {"port": {"type": "integer"}}}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "raw": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                        "properties": {"known": {"type": "object", "properties": {"a": {"type": "string"}}}}},
                "template": {"type": "object", "x-kubernetes-embedded-resource": True,
                             "properties": {"spec": {"type": "object"}}},
            },
        },
    },
}

PRUNE_CASES = [
    ("an unknown field of the spec", {"spec": {"image": "x", "colour": "blue"}}, ["spec.colour"],
     {"spec": {"image": "x"}}),
    ("an unknown field at the root", {"status": {"ready": True}, "spec": {}}, ["status"], {"spec": {}}),
    ("apiVersion, kind and metadata at the root are never unknown",
     {"apiVersion": "a/v1", "kind": "A", "metadata": {"name": "a", "whatever": 1}}, [],
     {"apiVersion": "a/v1", "kind": "A", "metadata": {"name": "a", "whatever": 1}}),
    ("an unknown field inside an array item is named by index",
     {"spec": {"ports": [{"port": 80}, {"port": 81, "proto": "TCP"}]}}, ["spec.ports[1].proto"],
     {"spec": {"ports": [{"port": 80}, {"port": 81}]}}),
    ("map keys under additionalProperties are known", {"spec": {"labels": {"any": "thing"}}}, [],
     {"spec": {"labels": {"any": "thing"}}}),
    ("fields under preserve-unknown-fields are kept",
     {"spec": {"raw": {"anything": {"goes": 1}}}}, [], {"spec": {"raw": {"anything": {"goes": 1}}}}),
    ("a specified field under preserve-unknown-fields is still pruned",
     {"spec": {"raw": {"known": {"a": "x", "b": "y"}}}}, ["spec.raw.known.b"],
     {"spec": {"raw": {"known": {"a": "x"}}}}),
    ("an embedded resource keeps its apiVersion, kind and metadata",
     {"spec": {"template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {},
                            "extra": 1}}},
     ["spec.template.extra"],
     {"spec": {"template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}}}),
    ("apiVersion below the root of a plain object is unknown",
     {"spec": {"apiVersion": "v1"}}, ["spec.apiVersion"], {"spec": {}}),
    ("paths come sorted", {"spec": {"z": 1, "a": 2}, "b": 3}, ["b", "spec.a", "spec.z"], {"spec": {}}),
]


@pytest.mark.parametrize("name, obj, unknown, pruned", PRUNE_CASES, ids=[c[0] for c in PRUNE_CASES])
def test_pruning_drops_and_names_the_fields_the_schema_does_not_specify(name, obj, unknown, pruned):
    before = copy.deepcopy(obj)
    assert crd_schema.unknown_fields(obj, PRUNE_SCHEMA) == unknown
    assert crd_schema.prune(obj, PRUNE_SCHEMA) == pruned
    assert obj == before


def test_preserve_unknown_fields_at_the_root_keeps_everything():
    schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
              "properties": {"spec": {"type": "object", "properties": {"a": {"type": "string"}}}}}
    obj = {"anything": {"goes": True}, "spec": {"a": "x", "b": "y"}}
    assert crd_schema.unknown_fields(obj, schema) == ["spec.b"]
    assert crd_schema.prune(obj, schema) == {"anything": {"goes": True}, "spec": {"a": "x"}}


def test_an_object_under_additional_properties_true_loses_its_fields():
    """additionalProperties: true has no schema, and pruning without a schema drops every field."""
    schema = obj_schema(spec={"type": "object", "additionalProperties": True})
    assert crd_schema.unknown_fields({"spec": {"k": {"a": 1}, "n": 2}}, schema) == ["spec.k.a"]


def test_a_schema_of_none_prunes_nothing():
    assert crd_schema.unknown_fields({"spec": {"x": 1}}, None) == []
    assert crd_schema.prune({"spec": {"x": 1}}, None) == {"spec": {"x": 1}}


# =====================================================================================
# apply_defaults
# =====================================================================================

DEFAULT_SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "properties": {
                "replicas": {"type": "integer", "default": 1},
                "mode": {"type": "string", "default": "auto"},
                "maybe": {"type": "string", "nullable": True, "default": "x"},
                "plain": {"type": "string"},
                "ports": {"type": "array", "items": {
                    "type": "object", "properties": {"protocol": {"type": "string", "default": "TCP"},
                                                     "port": {"type": "integer"}}}},
                "names": {"type": "array", "items": {"type": "string", "default": "unnamed"}},
                "limits": {"type": "object", "additionalProperties": {
                    "type": "object", "properties": {"unit": {"type": "string", "default": "m"}}}},
                "nested": {"type": "object", "properties": {"deep": {"type": "boolean", "default": True}}},
                "withDefaultObject": {"type": "object", "default": {},
                                      "properties": {"inner": {"type": "integer", "default": 3}}},
            },
        },
    },
}

DEFAULT_CASES = [
    ("missing fields get their defaults", {"spec": {}},
     {"spec": {"replicas": 1, "mode": "auto", "maybe": "x", "withDefaultObject": {"inner": 3}}}),
    ("given values are kept", {"spec": {"replicas": 5, "mode": "manual", "maybe": "y", "withDefaultObject": {}}},
     {"spec": {"replicas": 5, "mode": "manual", "maybe": "y", "withDefaultObject": {"inner": 3}}}),
    ("a null where the field is not nullable is replaced by the default", {"spec": {"replicas": None}},
     {"spec": {"replicas": 1, "mode": "auto", "maybe": "x", "withDefaultObject": {"inner": 3}}}),
    ("a null is kept where the field is nullable", {"spec": {"maybe": None}},
     {"spec": {"replicas": 1, "mode": "auto", "maybe": None, "withDefaultObject": {"inner": 3}}}),
    ("a null without a default where the field is not nullable is dropped", {"spec": {"plain": None}},
     {"spec": {"replicas": 1, "mode": "auto", "maybe": "x", "withDefaultObject": {"inner": 3}}}),
    ("defaults apply inside every array item",
     {"spec": {"ports": [{"port": 80}, {"port": 53, "protocol": "UDP"}]}},
     {"spec": {"replicas": 1, "mode": "auto", "maybe": "x", "withDefaultObject": {"inner": 3},
               "ports": [{"port": 80, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]}}),
    ("a null array item is replaced by the items' default", {"spec": {"names": ["a", None]}},
     {"spec": {"replicas": 1, "mode": "auto", "maybe": "x", "withDefaultObject": {"inner": 3},
               "names": ["a", "unnamed"]}}),
    ("defaults apply inside every additionalProperties value",
     {"spec": {"limits": {"cpu": {}, "mem": {"unit": "Mi"}}}},
     {"spec": {"replicas": 1, "mode": "auto", "maybe": "x", "withDefaultObject": {"inner": 3},
               "limits": {"cpu": {"unit": "m"}, "mem": {"unit": "Mi"}}}}),
    ("a default never creates its parent object", {}, {}),
    ("an existing parent gets its children's defaults", {"spec": {"nested": {}}},
     {"spec": {"replicas": 1, "mode": "auto", "maybe": "x", "withDefaultObject": {"inner": 3},
               "nested": {"deep": True}}}),
]


@pytest.mark.parametrize("name, obj, expected", DEFAULT_CASES, ids=[c[0] for c in DEFAULT_CASES])
def test_defaults_are_filled_as_the_defaulting_algorithm_fills_them(name, obj, expected):
    before = copy.deepcopy(obj)
    assert crd_schema.apply_defaults(obj, DEFAULT_SCHEMA) == expected
    assert obj == before


def test_default_values_are_copies_not_shared_with_the_schema():
    schema = obj_schema(spec={"type": "object", "properties": {
        "tags": {"type": "array", "items": {"type": "string"}, "default": ["a"]}}})
    defaulted = crd_schema.apply_defaults({"spec": {}}, schema)
    defaulted["spec"]["tags"].append("b")
    assert schema["properties"]["spec"]["properties"]["tags"]["default"] == ["a"]


def test_the_server_pipeline_prunes_unknown_fields_and_keeps_defaults():
    """Decode (prune) -> default -> prune: unknown fields go, defaults stay, validation passes."""
    schema = obj_schema(spec=obj_schema(replicas={"type": "integer", "default": 1, "maximum": 3}))
    body = {"apiVersion": "a/v1", "kind": "A", "metadata": {"name": "a"}, "spec": {"colour": "blue"}}
    assert crd_schema.unknown_fields(body, schema) == ["spec.colour"]
    stored = crd_schema.prune(crd_schema.apply_defaults(crd_schema.prune(body, schema), schema), schema)
    assert stored == {"apiVersion": "a/v1", "kind": "A", "metadata": {"name": "a"}, "spec": {"replicas": 1}}
    assert crd_schema.validate(stored, schema) == []


def test_defaulting_before_pruning_keeps_the_default_of_a_field_sent_as_null():
    schema = obj_schema(spec=obj_schema(mode={"type": "string", "default": "auto"}))
    defaulted = crd_schema.apply_defaults({"spec": {"mode": None, "junk": 1}}, schema)
    assert crd_schema.prune(defaulted, schema) == {"spec": {"mode": "auto"}}


# =====================================================================================
# Go renderings
# =====================================================================================

@pytest.mark.parametrize("value, text", [
    (1.0, "1"), (1e6, "1e+06"), (123456.0, "123456"), (1234567.0, "1.234567e+06"), (0.5, "0.5"),
    (1e-5, "1e-05"), (0.0001, "0.0001"), (-2.5, "-2.5"),
])
def test_floats_print_as_go_prints_a_float64_with_percent_v(value, text):
    assert crd_openapi.go_float(value) == text


def test_maps_print_as_go_prints_them_with_percent_sharp_v():
    assert crd_openapi.go_sharp_v({"b": [1, "x"], "a": None, "c": 1.5}) == (
        'map[string]interface {}{"a":interface {}(nil), "b":[]interface {}{1, "x"}, "c":1.5}')


# =====================================================================================
# Properties
# =====================================================================================

json_scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5))
json_values = st.recursive(json_scalars, lambda children: st.lists(children, max_size=3)
                           | st.dictionaries(st.sampled_from(["spec", "a", "b", "image", "ports", "port",
                                                              "labels", "raw", "known", "kind", "metadata",
                                                              "template", "x"]), children, max_size=4),
                           max_leaves=12)
resources = st.dictionaries(st.sampled_from(["apiVersion", "kind", "metadata", "spec", "status", "x"]),
                            json_values, max_size=4)

KEYWORD_SCHEMAS = [PRUNE_SCHEMA, DEFAULT_SCHEMA, CRONTAB] + [obj_schema(field=c[1]) for c in
                                                              TYPE_CASES + KEYWORD_CASES + JUNCTOR_CASES]
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(obj=resources, schema=st.sampled_from([PRUNE_SCHEMA, DEFAULT_SCHEMA, CRONTAB]))
def test_prune_is_idempotent_and_leaves_no_unknown_fields(obj, schema):
    once = crd_schema.prune(obj, schema)
    assert crd_schema.prune(once, schema) == once
    assert crd_schema.unknown_fields(once, schema) == []


@PROPERTY_SETTINGS
@given(obj=resources)
def test_apply_defaults_never_removes_a_field_that_is_not_null(obj):
    defaulted = crd_schema.apply_defaults(obj, DEFAULT_SCHEMA)

    def kept(before, after):
        if isinstance(before, dict):
            return isinstance(after, dict) and all(
                k in after and kept(v, after[k]) for k, v in before.items() if v is not None)
        if isinstance(before, list):
            return isinstance(after, list) and len(after) == len(before) and all(
                kept(b, a) for b, a in zip(before, after) if b is not None)
        return before == after  # a scalar is kept as it is

    assert kept(obj, defaulted)


@PROPERTY_SETTINGS
@given(value=json_values, schema=st.sampled_from(KEYWORD_SCHEMAS))
def test_validate_never_raises_and_never_mutates_on_any_json_value(value, schema):
    obj = {"spec": value, "field": value}
    before = copy.deepcopy(obj)
    errors = crd_schema.validate(obj, schema)
    assert all(isinstance(str(e), str) for e in errors)
    assert obj == before
    assert isinstance(crd_schema.validate(value, schema), list)


@PROPERTY_SETTINGS
@given(value=json_values)
def test_validate_schema_never_raises_on_any_json_value(value):
    assert isinstance(crd_schema.validate_schema({"type": "object", "properties": {"a": value}}
                                                 if isinstance(value, dict) else value, ROOT), list)
