"""Strict decoding: an object's fields must exist and have the right JSON types.

Mirrors what kube-apiserver does when it turns a request body into a Go struct with field
validation ``Strict`` (kubectl's default): sigs.k8s.io/json (a case-sensitive fork of Go's
encoding/json) reports wrong types as ``json: cannot unmarshal <what> into Go struct field
<Struct>.<json.path> of type <Go type>``, and every unknown field as ``unknown field
"<path>"``; apimachinery's codec wraps the result as ``<Kind> in version "<v>" cannot be
handled as a <Kind>: ...`` in a 400 BadRequest. A wrong type wins over unknown fields (it is a
fatal error; unknown fields are reported only when decoding succeeded).

Guarantees: the walk follows the schema generated from Kubernetes 1.32's OpenAPI definitions
(:mod:`labkube.core.api.schema`), status included; IntOrString takes an int or a string;
quantities take numbers or strings and must parse; ``bytes`` fields must be base64; Time fields
(``meta.v1.Time``, whose UnmarshalJSON decodes a string) report ``of type string``.

Field validation (``fieldValidation``, kube-apiserver 1.27+): the walk always drops the unknown
fields it finds, as Go's decoder leaves them out of the struct, and then the directive says what
becomes of them: ``Strict`` refuses the body as above, ``Warn`` (the server's default when a
request names none) keeps the pruned object and returns one warning ``unknown field "<path>"``
each, ``Ignore`` keeps it silently. A wrong type is fatal under every directive.

Decoding also does what a Go round trip does to the object, in place: ``null`` fields are
dropped (Go leaves them zero and ``omitempty`` drops them), and quantities are rewritten in
canonical form (``cpu: 0.5`` is stored as ``"500m"``), so the stored object is what a real API
server would store.

Two passes, one answer. Almost every body is *clean*: every field known, no ``null``, every
value already of its Go type and already canonical. :func:`fast_decode` answers that question
with checkers compiled once per schema type (closures, like the object cache's copiers), and
a clean body needs nothing more (null fields, common in statuses, it drops on the way). Anything else -- an unknown field, a wrong type, a quantity
to rewrite -- goes through the reference walk (``_decode_model`` and friends), which is the one
place that knows the error texts and the normalizations. The checkers are conservative: they
answer "clean" only when the walk would neither fail nor change the object (a property test
checks that on random mutations of real objects).
"""

from __future__ import annotations

import base64
import binascii

from labkube.core import errors
from labkube.core.api import quantity as qty
from labkube.core.api import schema

# field kinds
_STR, _INT32, _INT64, _BOOL, _FLOAT, _TIME, _ANY, _IOS, _QTY, _BYTES, _MODEL, _LIST, _MAP = range(13)
_SCALAR_KINDS = {"str": _STR, "int": _INT32, "int64": _INT64, "bool": _BOOL, "float": _FLOAT,
                 "datetime": _TIME, "date": _TIME, "object": _ANY, "IntOrString": _IOS,
                 "Quantity": _QTY, "bytes": _BYTES}
_INT32_RANGE = (-(2**31), 2**31 - 1)
_INT64_RANGE = (-(2**63), 2**63 - 1)

_compiled: dict[str, dict[str, tuple]] = {}

#: What Go leaves in a slice element or a map value that was JSON ``null``: the element type's
#: zero value (``containers: [null]`` decodes to one empty Container, ``args: [null]`` to
#: ``[""]``, ``requests: {cpu: null}`` to ``"0"``). Kinds not here stay null: interfaces, nil
#: slices and maps, a zero Time and nil bytes all encode as ``null`` again.
_NULL_ITEM_ZEROS = {_MODEL: dict, _STR: str, _INT32: int, _INT64: int, _BOOL: bool, _FLOAT: float,
                    _IOS: int, _QTY: lambda: "0"}


class _TypeError(Exception):
    """A Go ``UnmarshalTypeError`` (or another fatal decode error) with its final text."""


def _compile_type(type_string: str) -> tuple:
    if type_string.startswith("list["):
        return (_LIST, _compile_type(type_string[5:-1]))
    if type_string.startswith("dict(str, "):
        return (_MAP, _compile_type(type_string[10:-1]))
    if type_string in _SCALAR_KINDS:
        return (_SCALAR_KINDS[type_string], None)
    return (_MODEL, type_string)


def compiled(type_name: str) -> dict[str, tuple]:
    """Field name -> (kind, argument, type string) for a model, built once."""
    table = _compiled.get(type_name)
    if table is None:
        table = {}
        for name, info in schema.fields(type_name).items():
            kind, arg = _compile_type(info.type)
            table[name] = (kind, arg, info.type)
        _compiled[type_name] = table
    return table


# ---------------------------------------------------------------------------
# Go names, for messages
# ---------------------------------------------------------------------------

_GO_SCALARS = {"str": "string", "int": "int32", "int64": "int64", "bool": "bool",
               "float": "float64", "datetime": "string", "date": "string", "object": "interface {}",
               "IntOrString": "int32", "Quantity": "resource.Quantity", "bytes": "[]uint8"}


def go_type_string(type_string: str) -> str:
    """How Go's reflect prints a field's type: ``[]v1.Container``, ``map[string]string``."""
    if type_string.startswith("list["):
        return "[]" + go_type_string(type_string[5:-1])
    if type_string == "dict(str, Quantity)":
        return "v1.ResourceList"
    if type_string.startswith("dict(str, "):
        return "map[string]" + go_type_string(type_string[10:-1])
    if type_string in _GO_SCALARS:
        return _GO_SCALARS[type_string]
    return schema.go_type(type_string)


def _json_kind(value) -> str:
    """The ``Value`` of a Go UnmarshalTypeError: what the JSON held."""
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object"


def _go_number(value) -> str:
    """JSON text of a number as kubectl sends it (YAML 3.0 arrives as 3)."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    return str(value)


def _cannot_unmarshal(what: str, struct: str, path: str, go_type: str) -> _TypeError:
    if struct:
        return _TypeError(f"json: cannot unmarshal {what} into Go struct field {struct}.{path} "
                          f"of type {go_type}")
    return _TypeError(f"json: cannot unmarshal {what} into Go value of type {go_type}")


# ---------------------------------------------------------------------------
# The walk
# ---------------------------------------------------------------------------


def _decode_model(obj: dict, type_name: str, go_path: str, shown_path: str,
                  unknown: list[str]) -> None:
    """Check one JSON object against a model (``go_path`` has no list indices)."""
    table = _compiled.get(type_name) or compiled(type_name)
    struct = None
    dropped = None
    for name, value in obj.items():
        spec = table.get(name)
        if spec is None:
            unknown.append(f"{shown_path}.{name}" if shown_path else name)
            dropped = (dropped or []) + [name]  # Go's decoder has nowhere to put it
            continue
        if value is None:
            dropped = (dropped or []) + [name]
            continue
        kind = spec[0]
        if kind == _STR:
            if value.__class__ is str:
                continue
        elif kind == _MODEL:
            if value.__class__ is dict:
                child = f"{go_path}.{name}" if go_path else name
                shown = f"{shown_path}.{name}" if shown_path else name
                _decode_model(value, spec[1], child, shown, unknown)
                continue
        elif kind == _MAP and value.__class__ is dict and spec[1][0] == _STR:
            if all(v.__class__ is str for v in value.values()):
                continue
        struct = struct or schema.go_type(type_name).partition(".")[2]
        child = f"{go_path}.{name}" if go_path else name
        shown = f"{shown_path}.{name}" if shown_path else name
        replacement = _decode_value(value, spec, spec[2], struct, child, shown, unknown)
        if replacement is not value:
            obj[name] = replacement
    if dropped:
        for name in dropped:
            del obj[name]


def _decode_value(value, spec: tuple, type_string: str, struct: str, go_path: str,
                  shown_path: str, unknown: list[str]):
    """Check one value; return it (or its normalized replacement)."""
    kind, arg = spec[0], spec[1]
    if kind == _MODEL:
        if value.__class__ is not dict:
            raise _cannot_unmarshal(_json_kind(value), struct, go_path, schema.go_type(arg))
        _decode_model(value, arg, go_path, shown_path, unknown)
        return value
    if kind == _LIST:
        return _decode_list(value, arg, type_string, struct, go_path, shown_path, unknown)
    if kind == _MAP:
        return _decode_map(value, arg, type_string, struct, go_path, shown_path, unknown)
    return _decode_scalar(value, kind, type_string, struct, go_path)


def _decode_list(value, spec, type_string, struct, go_path, shown_path, unknown):
    if value.__class__ is not list:
        raise _cannot_unmarshal(_json_kind(value), struct, go_path, go_type_string(type_string))
    element_type = type_string[5:-1]
    zero = _NULL_ITEM_ZEROS.get(spec[0])
    for i, item in enumerate(value):
        if item is None:
            if zero is not None:
                value[i] = item = zero()
            else:
                continue
        if spec[0] == _MODEL and item.__class__ is dict:
            _decode_model(item, spec[1], go_path, f"{shown_path}[{i}]", unknown)
            continue
        new = _decode_value(item, spec, element_type, struct, go_path, f"{shown_path}[{i}]",
                            unknown)
        if new is not item:
            value[i] = new
    return value


def _decode_map(value, spec, type_string, struct, go_path, shown_path, unknown):
    if value.__class__ is not dict:
        raise _cannot_unmarshal(_json_kind(value), struct, go_path, go_type_string(type_string))
    element_type = type_string[10:-1]
    zero = _NULL_ITEM_ZEROS.get(spec[0])
    for key, item in list(value.items()):
        if item is None:
            if zero is not None:
                value[key] = zero()
            continue
        new = _decode_value(item, spec, element_type, struct, go_path, f"{shown_path}[{key}]",
                            unknown)
        if new is not item:
            value[key] = new
    return value


def _decode_scalar(value, kind: int, type_string: str, struct: str, go_path: str):
    cls = value.__class__
    if kind == _STR or kind == _TIME:
        if cls is str:
            return value
        raise _cannot_unmarshal(_json_kind(value), struct, go_path, "string")
    if kind == _BOOL:
        if cls is bool:
            return value
        raise _cannot_unmarshal(_json_kind(value), struct, go_path, "bool")
    if kind in (_INT32, _INT64, _IOS):
        return _decode_int(value, kind, struct, go_path)
    if kind == _FLOAT:
        if cls in (int, float):
            return value
        raise _cannot_unmarshal(_json_kind(value), struct, go_path, "float64")
    if kind == _QTY:
        return _decode_quantity(value)
    if kind == _BYTES:
        return _decode_bytes(value, struct, go_path)
    return value  # _ANY


def _decode_int(value, kind: int, struct: str, go_path: str):
    cls = value.__class__
    if kind == _IOS and cls is str:
        return value
    go_type = "int64" if kind == _INT64 else "int32"
    if cls is float and value.is_integer() and abs(value) < 1e21:
        value, cls = int(value), int
    if cls is int:
        lo, hi = _INT64_RANGE if kind == _INT64 else _INT32_RANGE
        if lo <= value <= hi:
            return value
        raise _cannot_unmarshal(f"number {value}", struct, go_path, go_type)
    if cls is float:
        raise _cannot_unmarshal(f"number {_go_number(value)}", struct, go_path, go_type)
    raise _cannot_unmarshal(_json_kind(value), struct, go_path, go_type)


def _decode_quantity(value):
    """``Quantity.UnmarshalJSON``: any JSON text is parsed as a quantity (canonical on output)."""
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = _go_number(value)
    else:
        raise _TypeError(qty.ERR_FORMAT_WRONG)
    try:
        return str(qty.parse_quantity(text))
    except ValueError as err:
        raise _TypeError(str(err)) from None


def _decode_bytes(value, struct: str, go_path: str):
    if not isinstance(value, str):
        raise _cannot_unmarshal(_json_kind(value), struct, go_path, "[]uint8")
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _TypeError(f"illegal base64 data at input byte {_bad_base64_offset(value)}") from None
    return value


def _bad_base64_offset(text: str) -> int:
    """The offset Go's base64 decoder reports (``CorruptInputError``), for common mistakes:
    the first character outside the alphabet, else the start of the incomplete last quantum."""
    for i, ch in enumerate(text):
        if ch not in _BASE64_ALPHABET and ch not in "\r\n=":
            return i
    return (len(text.rstrip("=")) // 4) * 4


_BASE64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


# ---------------------------------------------------------------------------
# The fast pass: compiled checkers that say "clean" or "ask the walk"
# ---------------------------------------------------------------------------
#
# A checker takes one JSON value and returns True only if the walk would accept it and leave
# it as it is -- except for one normalization the checkers do themselves, because kubelets'
# statuses are full of them: a known field that is null is dropped (``lastProbeTime: null``).
# A checker that returns False may have dropped some nulls already; the walk drops them too,
# so running it afterwards gives the same object and the same errors. Each schema type gets one model checker, built on first use; its field table is filled in
# after the checker is registered, so recursive types (a type that contains itself) work.

_checkers: dict[str, object] = {}
_kind_checkers: dict[tuple[str, str], object] = {}
_canonical_quantities: dict[str, bool] = {}
_CANONICAL_CACHE_SIZE = 4096


def _is_str(value) -> bool:
    return value.__class__ is str


def _is_bool(value) -> bool:
    return value.__class__ is bool


def _is_float(value) -> bool:
    return value.__class__ is int or value.__class__ is float


def _is_int32(value) -> bool:
    return value.__class__ is int and -(2**31) <= value <= 2**31 - 1


def _is_int64(value) -> bool:
    return value.__class__ is int and -(2**63) <= value <= 2**63 - 1


def _is_int_or_string(value) -> bool:
    return value.__class__ is str or _is_int32(value)


def _is_anything(value) -> bool:
    return True  # ``object`` fields hold any JSON (a null field is dropped before this check)


def _is_canonical_quantity(value) -> bool:
    """A quantity string the walk would keep as it is (parses, already canonical)."""
    if value.__class__ is not str:
        return False
    known = _canonical_quantities.get(value)
    if known is None:
        try:
            known = str(qty.parse_quantity(value.strip())) == value
        except ValueError:
            known = False
        if len(_canonical_quantities) >= _CANONICAL_CACHE_SIZE:
            _canonical_quantities.clear()
        _canonical_quantities[value] = known
    return known


def _is_base64(value) -> bool:
    if value.__class__ is not str:
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


_SCALAR_CHECKERS = {_STR: _is_str, _TIME: _is_str, _INT32: _is_int32, _INT64: _is_int64,
                    _BOOL: _is_bool, _FLOAT: _is_float, _ANY: _is_anything,
                    _IOS: _is_int_or_string, _QTY: _is_canonical_quantity, _BYTES: _is_base64}


def _checker_for(spec: tuple):
    """The checker for a compiled field type (see :func:`_compile_type`)."""
    kind, arg = spec
    if kind == _MODEL:
        return model_checker(arg)
    if kind == _LIST:
        return _list_checker(_checker_for(arg), arg[0] not in _NULL_ITEM_ZEROS)
    if kind == _MAP:
        return _map_checker(_checker_for(arg), arg[0] not in _NULL_ITEM_ZEROS)
    return _SCALAR_CHECKERS[kind]


def _list_checker(item_ok, nulls_stay: bool):
    """``nulls_stay``: a null item is kept by the walk (else it becomes a zero value)."""
    def check(value) -> bool:
        if value.__class__ is not list:
            return False
        for item in value:
            if item is None:
                if not nulls_stay:
                    return False
            elif not item_ok(item):
                return False
        return True
    return check


def _map_checker(item_ok, nulls_stay: bool):
    if item_ok is _is_str:  # labels, annotations, selectors: the common case, inlined
        def check_strings(value) -> bool:  # a null value becomes ""
            if value.__class__ is not dict:
                return False
            for item in value.values():
                if item.__class__ is not str:
                    return False
            return True
        return check_strings

    def check(value) -> bool:
        if value.__class__ is not dict:
            return False
        for item in value.values():
            if item is None:
                if not nulls_stay:
                    return False
            elif not item_ok(item):
                return False
        return True
    return check


def model_checker(type_name: str):
    """The compiled checker of one schema type (a JSON object with known, clean fields)."""
    checker = _checkers.get(type_name)
    if checker is not None:
        return checker
    table: dict = {}  # field name -> checker, filled in below

    def check(obj) -> bool:
        if obj.__class__ is not dict:
            return False
        get = table.get
        nulls = None
        for name, value in obj.items():
            field_ok = get(name)
            if field_ok is None:
                return False  # an unknown field
            if field_ok is _is_str:
                if value.__class__ is not str:
                    if value is not None:
                        return False
                    nulls = [name] if nulls is None else nulls + [name]
            elif value is None:
                nulls = [name] if nulls is None else nulls + [name]
            elif not field_ok(value):
                return False
        if nulls:
            for name in nulls:  # what the walk does to a known field that is null
                del obj[name]
        return True

    _checkers[type_name] = check
    for name, (kind, arg, _type_string) in compiled(type_name).items():
        table[name] = _checker_for((kind, arg))
    return check


def fast_decode(obj, rtype) -> bool:
    """Drop known null fields (as the walk does) and say whether ``obj`` needs nothing more:
    True means :func:`reference_decode` would accept it and leave it as it now is."""
    key = (rtype.api_version, rtype.kind)
    checker = _kind_checkers.get(key)
    if checker is None:
        checker = _kind_checkers[key] = model_checker(schema.kind_type(rtype.api_version, rtype.kind))
    return checker(obj)


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


#: ``metav1.FieldValidation*``: what the server does with unknown fields.
STRICT, WARN, IGNORE = "Strict", "Warn", "Ignore"
#: The directive of a request that names none (kube-apiserver 1.27+).
DEFAULT_FIELD_VALIDATION = WARN
#: ``allowedFieldValidationValues`` in the order ``sets.String.List()`` gives them.
FIELD_VALIDATION_VALUES = ("", IGNORE, STRICT, WARN)
_OPTIONS_KINDS = {"create": "CreateOptions", "update": "UpdateOptions", "patch": "PatchOptions"}


def check_field_validation(verb: str, directive) -> str:
    """``ValidateFieldValidation`` of a create/update/patch's options: the directive to use
    (``None`` or ``""``: the default), or 422 naming the options kind, as kube-apiserver does."""
    if directive is None or directive == "":
        return DEFAULT_FIELD_VALIDATION
    if directive in (STRICT, WARN, IGNORE):
        return directive
    kind = _OPTIONS_KINDS.get(verb, "CreateOptions")
    raise errors.invalid(f"{kind}.meta.k8s.io", "", [
        errors.FieldError.not_supported("fieldValidation", directive, FIELD_VALIDATION_VALUES)])


def handle_unknown_fields(unknown: list[str], directive: str, warnings, prefix: str) -> None:
    """What the directive does with the (already dropped) unknown fields: refuse the body with
    ``prefix`` + ``strict decoding error: ...`` (Strict), add one warning each to ``warnings``
    (Warn; a ``None`` sink: nobody listens), or nothing (Ignore). A warning already recorded
    (a patch retried after a conflict decodes again) is not recorded twice, as apiserver's
    warning recorder keeps each text once."""
    if not unknown or directive == IGNORE:
        return
    if directive == STRICT:
        listed = ", ".join(f'unknown field "{path}"' for path in unknown)
        raise errors.bad_request(prefix + "strict decoding error: " + listed)
    if warnings is None:
        return
    for path in unknown:
        text = f'unknown field "{path}"'
        if text not in warnings:
            warnings.append(text)


def strict_decode(obj: dict, rtype, directive: str = STRICT, warnings=None) -> None:
    """Check ``obj`` as kube-apiserver's decoder would; raise 400 BadRequest if it fails.

    ``rtype`` is the object's :class:`~labkube.core.api.resources.ResourceType`. Normalizes the
    object in place as described in the module docstring; ``directive`` is the request's field
    validation (unknown fields refused, or dropped with a warning appended to ``warnings``, or
    dropped silently).
    """
    if obj.__class__ is dict and fast_decode(obj, rtype):
        return
    reference_decode(obj, rtype, directive, warnings)


def strict_decode_changed(obj: dict, rtype, changed: frozenset, directive: str = STRICT,
                          warnings=None) -> None:
    """:func:`strict_decode` of an object whose top-level fields other than ``changed`` are
    known to be decoded already: a patch result, whose untouched parts (a status patch leaves
    ``spec`` alone) are the stored object's own. Only the changed fields (and ``apiVersion``
    and ``kind``) are walked; the errors and normalizations are those of the whole walk, since
    an already decoded field passes it unchanged and without error."""
    partial = {key: value for key, value in obj.items() if key in changed or key in _TYPE_META}
    strict_decode(partial, rtype, directive, warnings)
    for key in changed:
        if key in partial:
            obj[key] = partial[key]
        else:
            obj.pop(key, None)  # a null (or unknown field) the walk dropped


_TYPE_META = frozenset(("apiVersion", "kind"))


def reference_decode(obj: dict, rtype, directive: str = STRICT, warnings=None) -> None:
    """:func:`strict_decode` by the generic walk alone (the reference the fast pass must match)."""
    prefix = f'{rtype.kind} in version "{rtype.version}" cannot be handled as a {rtype.kind}: '
    if not isinstance(obj, dict):
        go = go_type_string(schema.kind_type(rtype.api_version, rtype.kind))
        raise errors.bad_request(
            prefix + f"json: cannot unmarshal {_json_kind(obj)} into Go value of type {go}")
    unknown: list[str] = []
    try:
        _decode_model(obj, schema.kind_type(rtype.api_version, rtype.kind), "", "", unknown)
    except _TypeError as err:
        raise errors.bad_request(prefix + str(err)) from None
    handle_unknown_fields(unknown, directive, warnings, prefix)


def object_meta_type_error(metadata) -> str | None:
    """What Go's ``json.Unmarshal`` says when ``metadata`` (an object's ``metadata`` field, as
    sent) does not fit ``metav1.ObjectMeta``: the first wrong type in the order the value holds
    its keys (``json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of
    type string``), or None. Unknown fields are no error here (no field validation). kubectl's
    resource builder asks this of every document it reads (cli-runtime's
    ``metadataValidatingDecoder``)."""
    import copy

    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        return (f"json: cannot unmarshal {_json_kind(metadata)} into Go struct field "
                "metadataOnlyObject.metadata of type v1.ObjectMeta")
    try:
        _decode_model(copy.deepcopy(metadata), "meta.v1.ObjectMeta", "metadata", "metadata", [])
    except _TypeError as err:
        return str(err)
    return None
