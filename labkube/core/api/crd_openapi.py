"""A custom resource checked against its schema, in kube-openapi's words.

Mirrors k8s.io/kube-openapi pkg/validation/validate (``SchemaValidator`` and its type,
schemaProps, string, format, number, slice, common and object validators, in that order) and
pkg/validation/errors (the message formats), with apiextensions-apiserver
pkg/apiserver/validation (``ValidateCustomResource``, ``kubeOpenAPIResultToFieldErrors``) turning
the result into field errors as kube-apiserver returns them.

What a student sees, quirks included:

* a type error shows the JSON type as the bad value: ``spec.replicas: Invalid value: "string":
  spec.replicas in body must be of type integer: "string"``;
* every validator runs, so one value can fail its type and its enum at once;
* ``maxLength`` reads ``Too long: may not be more than 2 bytes`` (it counts characters all the
  same), ``maxItems`` and ``maxProperties`` ``Too many: 3: must have at most 2 items``, while the
  minimums read as kube-openapi words them (``should have at least 2 items``);
* ``anyOf``/``oneOf``/``allOf``/``not`` failures are composite errors with no field: they print
  as ``<nil>: Invalid value: "": "spec.port" must validate at least one schema (anyOf)``, followed
  by the errors of the branch that came closest (kube-openapi's ``MatchCount``, approximated here
  by the number of checks that passed);
* integers are compared as Go's ``int64`` (a limit of 1.5 is 1 for an integer) and floats print
  as Go's ``%v`` does (``1e+06``).

Properties are visited in sorted order (Go's map order is random). ``x-kubernetes-validations``
rules are not run (see :mod:`labkube.core.api.crd_schema`).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from labkube.core.api import crd_formats as formats
from labkube.core.api.crd_structural import (
    is_nullable,
    item_schema,
    property_schemas,
    string_list,
    sub_schemas,
)
from labkube.core.api.validation.meta import GoFieldError
from labkube.core.errors import FieldError, go_quote


# -- Go renderings of values (field.Error.ErrorBody, %v, %#v, json.Marshal) ----------------


def go_float(value: float) -> str:
    """``%v`` of a float64 (strconv's shortest ``%g``): an exponent below 1e-4 and from 1e6."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    exp = _shortest_digits(repr(abs(value)))[1]
    return _float_text(value, exp < -4 or exp >= 6)


def _float_text(value: float, exponent: bool) -> str:
    """A finite, non-zero float in its shortest digits, as ``%e`` or as ``%f`` would lay them out."""
    sign = "-" if value < 0 else ""
    text, exp = _shortest_digits(repr(abs(value)))
    if exponent:
        body = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{sign}{body}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp < 0:
        return f"{sign}0.{'0' * (-exp - 1)}{text}"
    if len(text) <= exp + 1:
        return f"{sign}{text}{'0' * (exp + 1 - len(text))}"
    return f"{sign}{text[:exp + 1]}.{text[exp + 1:]}"


def _shortest_digits(text: str) -> tuple[str, int]:
    """``repr`` of a positive float -> (significant digits, exponent of the first digit)."""
    mantissa, _, exp_text = text.lower().partition("e")
    exp = int(exp_text) if exp_text else 0
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    leading_zeros = len(whole + frac) - len((whole + frac).lstrip("0"))
    point = len(whole) + exp  # digits before the decimal point, counted from whole's start
    first_digit_exp = point - leading_zeros - 1
    return digits.rstrip("0") or "0", first_digit_exp


def _go_v(value: Any) -> str:
    """``%v`` of a JSON scalar as Go prints it (the ``in body should ...`` limits)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    return str(value)


def go_sharp_v(value: Any) -> str:
    """``%#v`` of a decoded JSON value (``map[string]interface {}{...}``)."""
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(go_sharp_v(v) for v in value) + "}"
    if isinstance(value, dict):
        items = ", ".join(f"{go_quote(str(k))}:{go_sharp_v(v)}" for k, v in sorted(value.items()))
        return "map[string]interface {}{" + items + "}"
    return go_quote(str(value))


def _go_error_value(value: Any) -> str:
    """How ``field.Error.ErrorBody`` shows a bad value: ``"null"``, ``%v``, ``%q`` or ``%#v``."""
    if value is None:
        return '"null"'
    if isinstance(value, (bool, int, float)):
        return _go_v(value)
    if isinstance(value, str):
        return go_quote(value)
    return go_sharp_v(value)


def _go_json(value: Any) -> str:
    """``json.Marshal`` of a decoded JSON value (HTML-escaped, floats as Go writes them)."""
    if isinstance(value, float) and math.isfinite(value):
        if value == 0:
            return "0"
        exponent = abs(value) < 1e-6 or abs(value) >= 1e21
        return re.sub(r"e-0(\d)$", r"e-\1", _float_text(value, exponent))
    if isinstance(value, list):
        return "[" + ",".join(_go_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_go_json(str(k))}:{_go_json(v)}" for k, v in sorted(value.items())) + "}"
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def invalid(path: str, value: Any, detail: str) -> FieldError:
    return GoFieldError("Invalid", path, value, detail, _go_error_value(value))


def _type_invalid(path: str, value: Any, detail: str) -> FieldError:
    return GoFieldError("TypeInvalid", path, value, detail, _go_error_value(value))


def not_supported(path: str, value: Any, valid: Iterable[str]) -> FieldError:
    valid = list(valid)
    detail = ("supported values: " + ", ".join(go_quote(v) for v in valid)) if valid else ""
    return GoFieldError("NotSupported", path, value, detail, _go_error_value(value))


# -- SchemaValidator -----------------------------------------------------------------------

_IN = "body"


@dataclass(frozen=True)
class OpenAPIError:
    """One kube-openapi error: ``*errors.Validation`` (with ``name``) or a composite one."""

    code: str  # type|required|enum|too_long|too_many|invalid|composite
    name: str
    message: str
    value: Any = None
    values: tuple = ()
    limit: int = -1  # ``Valid``: the maximum a length or count error breaks


@dataclass
class Result:
    """``validate.Result``: errors in the order found, and ``MatchCount`` for anyOf/oneOf."""

    errors: list = field(default_factory=list)
    match_count: int = 0

    def merge(self, other: "Result") -> None:
        self.errors.extend(other.errors)
        self.match_count += other.match_count

    @property
    def valid(self) -> bool:
        return not self.errors


def _message(name: str, text: str) -> str:
    """kube-openapi's ``"%s in %s ..."``: the name, ``in body``, then the text."""
    return f"{name} in {_IN} {text}"


def _type_error(name: str, type_name: str, actual: str) -> OpenAPIError:
    """``errors.InvalidType`` with a string value: ``must be of type integer: "string"``."""
    return OpenAPIError("type", name, _message(name, f"must be of type {type_name}: {go_quote(actual)}"),
                         actual)


def validate_value(data: Any, s: dict, path: str) -> Result:
    """``SchemaValidator.Validate``: the validators in kube-openapi's order."""
    result = Result()
    if data is None:  # only the type and the enum validators look at a null
        result.errors.extend(_type_errors(None, s, path) or [])
        result.errors.extend(_enum_errors(None, s, path))
        return result
    steps = (_type_step, _schema_props_step, _string_step, _format_step, _number_step,
             _slice_step, _enum_step, _object_step)
    for step in steps:
        sub = step(data, s, path)
        if sub is None:  # the validator does not apply to this value
            continue
        result.merge(sub)
        result.match_count += 1
    result.match_count += 1
    return result


def _leaf(errors: list) -> Result:
    """The result of a validator without children: it counts as a match when it passes."""
    return Result(list(errors), 0 if errors else 1)


# -- type ----------------------------------------------------------------------------------


def _schema_types(s: dict) -> list[str]:
    if s.get("x-kubernetes-int-or-string") is True:
        return ["integer", "string"]
    kind = s.get("type")
    return [kind] if isinstance(kind, str) and kind else []


def _schema_format(s: dict) -> str:
    """The format after ``StripUnsupportedFormatsPostProcess``: one of the string formats
    apiextensions supports, whatever the type; any other (``int32``, ``int64``, ``float`` and
    ``double`` too, in 1.32) is stripped and never checked."""
    fmt = s.get("format")
    if not isinstance(fmt, str) or fmt.replace("-", "") not in formats.STRING_FORMATS:
        return ""
    return fmt


def _json_type(data: Any) -> tuple[str, str]:
    """``schemaInfoForType``: the JSON type and Go format of a decoded value."""
    if isinstance(data, bool):
        return "boolean", ""
    if isinstance(data, str):
        return "string", ""
    if isinstance(data, int):
        return "integer", "int64"
    if isinstance(data, float):
        return "number", "float64"
    if isinstance(data, list):
        return "array", ""
    return "object", ""


def _type_errors(data: Any, s: dict, path: str) -> Optional[list]:
    """``typeValidator``: None when the schema names neither a type nor a format."""
    types, fmt = _schema_types(s), _schema_format(s)
    if not types and not fmt:
        return None
    if data is None:
        if types and "null" not in types and not is_nullable(s):
            return [_type_error(path, ",".join(types), "null")]
        return []
    json_type, go_format = _json_type(data)
    float_is_int = json_type == "number" and math.isfinite(data) and float(data).is_integer() \
        and "integer" in types
    int_is_float = json_type == "integer" and "number" in types
    string_or_list = isinstance(data, (str, list))
    if not string_or_list and fmt and not (json_type in types or go_format == fmt or float_is_int
                                           or int_is_float):
        return [_type_error(path, fmt, go_format)]
    if not ("number" in types or "integer" in types) and fmt and string_or_list:
        return []
    if not (json_type in types or float_is_int or int_is_float):
        return [_type_error(path, ",".join(types), json_type)]
    return []


def _type_step(data: Any, s: dict, path: str) -> Optional[Result]:
    errors = _type_errors(data, s, path)
    return None if errors is None else _leaf(errors)


# -- anyOf, oneOf, allOf, not --------------------------------------------------------------


def _composite(message: str) -> OpenAPIError:
    return OpenAPIError("composite", "", message)


def _schema_props_step(data: Any, s: dict, path: str) -> Result:
    """``schemaPropsValidator``: anyOf, oneOf, allOf and not, each against the same value."""
    result = Result()
    _any_of(data, sub_schemas(s, "anyOf"), path, result)
    _one_of(data, sub_schemas(s, "oneOf"), path, result)
    _all_of(data, sub_schemas(s, "allOf"), path, result)
    negated = s.get("not")
    if isinstance(negated, dict) and validate_value(data, negated, path).valid:
        result.errors.append(_composite(f"{go_quote(path)} must not validate the schema (not)"))
    result.match_count += 1
    return result


def _any_of(data: Any, schemas: list, path: str, result: Result) -> None:
    if not schemas:
        return
    best: Optional[Result] = None
    first_success: Optional[Result] = None
    for schema in schemas:
        sub = validate_value(data, schema, path)
        if sub.valid:
            best, first_success = None, sub
            break
        if best is None or sub.match_count > best.match_count:
            best = sub
    if first_success is None:
        result.errors.append(_composite(f"{go_quote(path)} must validate at least one schema (anyOf)"))
    result.merge(best or first_success or Result())


def _one_of(data: Any, schemas: list, path: str, result: Result) -> None:
    if not schemas:
        return
    best: Optional[Result] = None
    first_success: Optional[Result] = None
    validated = 0
    for schema in schemas:
        sub = validate_value(data, schema, path)
        if sub.valid:
            validated += 1
            best = None
            first_success = first_success or sub
            continue
        if validated == 0 and (best is None or sub.match_count > best.match_count):
            best = sub
    if validated != 1:
        why = "Found none valid" if validated == 0 else f"Found {validated} valid alternatives"
        result.errors.append(_composite(
            f"{go_quote(path)} must validate one and only one schema (oneOf). {why}"))
        if best is not None:
            result.merge(best)
    elif first_success is not None:
        result.merge(first_success)


def _all_of(data: Any, schemas: list, path: str, result: Result) -> None:
    if not schemas:
        return
    validated = 0
    for schema in schemas:
        sub = validate_value(data, schema, path)
        validated += sub.valid
        result.merge(sub)
    if validated != len(schemas):
        none = ". None validated" if validated == 0 else ""
        result.errors.append(_composite(f"{go_quote(path)} must validate all the schemas (allOf){none}"))


# -- strings -------------------------------------------------------------------------------


def _int_keyword(s: dict, key: str) -> Optional[int]:
    value = s.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return int(value)


def _string_step(data: Any, s: dict, path: str) -> Optional[Result]:
    """``stringValidator``: maxLength, minLength, pattern; the first failure only."""
    if not isinstance(data, str):
        return None
    max_length, min_length = _int_keyword(s, "maxLength"), _int_keyword(s, "minLength")
    if max_length is not None and len(data) > max_length:
        return _leaf([OpenAPIError("too_long", path, _message(
            path, f"should be at most {max_length} chars long"), data, limit=max_length)])
    if min_length is not None and len(data) < min_length:
        return _leaf([OpenAPIError("invalid", path, _message(
            path, f"should be at least {min_length} chars long"), data)])
    pattern = s.get("pattern")
    if isinstance(pattern, str) and pattern:
        compiled, problem = formats.compile_pattern(pattern)
        if compiled is None:
            shown = f"{pattern}, but pattern is invalid: {problem}"
            return _leaf([OpenAPIError("invalid", path, _message(path, f"should match '{shown}'"), data)])
        if not compiled.search(data):
            return _leaf([OpenAPIError("invalid", path, _message(path, f"should match '{pattern}'"), data)])
    return _leaf([])


# -- formats -------------------------------------------------------------------------------


def _format_step(data: Any, s: dict, path: str) -> Optional[Result]:
    """``formatValidator``: a string against a known format (``errors.InvalidType``)."""
    fmt = _schema_format(s)
    if not isinstance(data, str) or fmt.replace("-", "") not in formats.STRING_FORMATS:
        return None
    if formats.STRING_FORMATS[fmt.replace("-", "")](data):
        return Result()
    return Result([OpenAPIError("type", path, _message(path, f"must be of type {fmt}: {go_quote(data)}"),
                                  data)])


# -- numbers -------------------------------------------------------------------------------


def _number_keyword(s: dict, key: str) -> Optional[float]:
    value = s.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _go_int64(value: float) -> int:
    """Go's ``int64(f)``: truncation toward zero."""
    return int(value) if math.isfinite(value) else 0


def _number_step(data: Any, s: dict, path: str) -> Optional[Result]:
    """``numberValidator``: multipleOf, minimum, maximum (integers compare as int64)."""
    if isinstance(data, bool) or not isinstance(data, (int, float)):
        return None
    errors = []
    errors.extend(_multiple_of(data, _number_keyword(s, "multipleOf"), path))
    errors.extend(_bound(data, _number_keyword(s, "minimum"), s.get("exclusiveMinimum") is True, path,
                         below=True))
    errors.extend(_bound(data, _number_keyword(s, "maximum"), s.get("exclusiveMaximum") is True, path,
                         below=False))
    return Result(errors, 1)


def _bound(data: Any, limit: Optional[float], exclusive: bool, path: str, below: bool) -> list:
    if limit is None:
        return []
    shown = _go_int64(limit) if isinstance(data, int) else limit
    if below:
        failed = data <= shown if exclusive else data < shown
        words = "should be greater than" if exclusive else "should be greater than or equal to"
    else:
        failed = data >= shown if exclusive else data > shown
        words = "should be less than" if exclusive else "should be less than or equal to"
    if not failed:
        return []
    return [OpenAPIError("invalid", path, _message(path, f"{words} {_go_v(shown)}"), data)]


def _multiple_of(data: Any, factor: Optional[float], path: str) -> list:
    if factor is None:
        return []
    if factor < 0:
        message = f"factor MultipleOf declared for {path} must be positive: {_go_v(factor)}"
        return [OpenAPIError("invalid", path, message, factor)]
    if isinstance(data, int) and _go_int64(factor) != 0:
        whole = _go_int64(factor)
        if int(data / whole) * whole == data if abs(data) < 2 ** 53 else data % whole == 0:
            return []
        return [OpenAPIError("invalid", path, _message(path, f"should be a multiple of {whole}"), data)]
    if factor == 0:
        return []
    quotient = (1 / factor * data) if factor < 1 else (data / factor)
    if _is_json_integer(quotient):
        return []
    return [OpenAPIError("invalid", path, _message(path, f"should be a multiple of {_go_v(factor)}"), data)]


def _is_json_integer(value: float) -> bool:
    """``swag.IsFloat64AJSONInteger``: whole up to a relative error of 1e-9."""
    if not math.isfinite(value):
        return False
    nearest = float(round(value))
    if value == nearest:
        return True
    return abs(value - nearest) / max(abs(value) + abs(nearest), 1e-300) < 1e-9


# -- arrays --------------------------------------------------------------------------------


def go_deep_equal(a: Any, b: Any) -> bool:
    """``reflect.DeepEqual`` of decoded JSON: int64, float64 and bool are different types."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(go_deep_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(go_deep_equal(a[k], b[k]) for k in a)
    return a == b


def _slice_step(data: Any, s: dict, path: str) -> Optional[Result]:
    """``schemaSliceValidator``: every item, then minItems, maxItems, uniqueItems."""
    if not isinstance(data, list):
        return None
    result = Result()
    items = item_schema(s)
    if items is not None:
        for index, item in enumerate(data):
            result.merge(validate_value(item, items, f"{path}[{index}]"))
    min_items, max_items = _int_keyword(s, "minItems"), _int_keyword(s, "maxItems")
    if min_items is not None and len(data) < min_items:
        result.errors.append(OpenAPIError("invalid", path, _message(
            path, f"should have at least {min_items} items"), len(data)))
    if max_items is not None and len(data) > max_items:
        result.errors.append(OpenAPIError("too_many", path, _message(
            path, f"should have at most {max_items} items"), len(data), limit=max_items))
    if s.get("uniqueItems") is True and _has_duplicates(data):
        result.errors.append(OpenAPIError("invalid", path, _message(path, "shouldn't contain duplicates")))
    result.match_count += 1
    return result


def _has_duplicates(values: list) -> bool:
    return any(go_deep_equal(values[i], values[j])
               for i in range(len(values)) for j in range(i))


# -- enum ----------------------------------------------------------------------------------


def _enum_matches(data: Any, allowed: Any) -> bool:
    """``reflect.Value.Convert`` to the enum value's type, then ``DeepEqual``."""
    if isinstance(allowed, bool) or isinstance(data, bool):
        return isinstance(allowed, bool) and isinstance(data, bool) and data == allowed
    if isinstance(allowed, int):
        return isinstance(data, (int, float)) and math.isfinite(data) and int(data) == allowed
    if isinstance(allowed, float):
        return isinstance(data, (int, float)) and float(data) == allowed
    if isinstance(allowed, str):
        if isinstance(data, int):  # Go converts an integer to the string of that rune
            return 0 <= data <= 0x10FFFF and chr(data) == allowed
        return isinstance(data, str) and data == allowed
    return go_deep_equal(data, allowed)


def _enum_errors(data: Any, s: dict, path: str) -> list:
    allowed = s.get("enum")
    if not isinstance(allowed, list) or not allowed:
        return []
    if data is not None and any(v is not None and _enum_matches(data, v) for v in allowed):
        return []
    listed = ", ".join(_go_v_list(v) for v in allowed)
    return [OpenAPIError("enum", path, _message(path, f"should be one of [{listed}]"), data, tuple(allowed))]


def _go_v_list(value: Any) -> str:
    """``%v`` of one element of a ``[]interface{}``."""
    if value is None:
        return "<nil>"
    if isinstance(value, (list, dict)):
        return _go_json(value)
    return _go_v(value)


def _enum_step(data: Any, s: dict, path: str) -> Result:
    return _leaf(_enum_errors(data, s, path))


# -- objects -------------------------------------------------------------------------------


def _object_step(data: Any, s: dict, path: str) -> Optional[Result]:
    """``objectValidator``: property counts, additionalProperties, properties, required."""
    if not isinstance(data, dict):
        return None
    count = len(data)
    min_props, max_props = _int_keyword(s, "minProperties"), _int_keyword(s, "maxProperties")
    if min_props is not None and count < min_props:
        return Result([OpenAPIError("invalid", path, _message(
            path, f"should have at least {min_props} properties"), count)])
    if max_props is not None and count > max_props:
        return Result([OpenAPIError("too_many", path, _message(
            path, f"should have at most {max_props} properties"), count, limit=max_props)])
    result = Result()
    properties = property_schemas(s)
    extra = s.get("additionalProperties")
    for key in sorted(data, key=str):
        if key in properties:
            continue
        if extra is False:
            result.errors.append(OpenAPIError("invalid", path, f"{path}.{key} in {_IN} is a forbidden property",
                                               key))
        elif isinstance(extra, dict):
            result.merge(validate_value(data[key], extra, f"{path}.{key}"))
    for name in sorted(properties):
        if name in data and isinstance(properties[name], dict):
            child = f"{path}.{name}" if path else name
            result.merge(validate_value(data[name], properties[name], child))
    for name in string_list(s, "required"):
        if name not in data:
            result.errors.append(OpenAPIError("required", f"{path}.{name}",
                                               _message(f"{path}.{name}", "is required")))
    result.match_count += 1
    return result


# -- kubeOpenAPIResultToFieldErrors --------------------------------------------------------


def _child(parent: Optional[str], name: str) -> str:
    """``(*field.Path).Child``; a nil parent prints as the name alone."""
    return name if parent is None else f"{parent}.{name}"


def to_field_errors(fld_path: Optional[str], errors: list) -> list[FieldError]:
    """``kubeOpenAPIResultToFieldErrors``: each kube-openapi error as a field error."""
    return [_to_field_error(fld_path, err) for err in errors]


def _to_field_error(fld_path: Optional[str], err: OpenAPIError) -> FieldError:
    if err.code == "composite":  # not a *errors.Validation: no field, a blank value
        return invalid(fld_path if fld_path is not None else "<nil>", "", err.message)
    path = fld_path if fld_path is not None else "<nil>"
    if err.name and err.name != ".":
        path = _child(fld_path, err.name[1:] if err.name.startswith(".") else err.name)
    value = "" if err.value is None else err.value
    if err.code == "required":
        return FieldError.required(path)
    if err.code == "enum":
        valid = [v if isinstance(v, str) else _go_json(v) for v in err.values]
        return not_supported(path, err.value, valid)
    if err.code == "too_long":  # field.TooLong, which never shows the value
        return FieldError.too_long(path, value, err.limit)
    if err.code == "too_many":  # maxItems and maxProperties: field.TooMany(actual, max)
        return FieldError.too_many(path, err.value, err.limit)
    if err.code == "type":
        return _type_invalid(path, value, err.message)
    return invalid(path, value, err.message)
