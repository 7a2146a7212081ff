"""labkube reads YAML scalars as kubectl 1.32 does: go-yaml v2's ``resolve``, then JSON.

kubectl reads manifests with sigs.k8s.io/yaml, whose go-yaml v2 resolves a plain scalar by its
first character and a table of words (``resolve.go``): ``y``, ``yes``, ``on`` ... are booleans,
``~`` and ``null`` null, numbers Go's ``strconv`` reads (``0x1F``, ``017`` octal, ``1_000``),
and everything else -- timestamps and ``1:30`` included -- stays text. Then kubectl's JSON
decoding reads an integer beyond int64 as a float64.

``KUBECTL_PRINTED`` was printed by the real kubectl 1.32 (``create --dry-run=client -o json``
of a ConfigMap whose data held each scalar); the property test compares the loader with a
port of ``resolve`` written from go-yaml's source over generated plain scalars.
"""

from __future__ import annotations

import math
import re

import pytest
import yaml
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from labkube.core.manifests import ManifestError, StreamError, load_document, parse_text

#: scalar -> what kubectl 1.32 printed for it (a JSON value; 1.0 prints as 1)
KUBECTL_PRINTED = [
    ('=', '='),
    ('<<', '<<'),
    ('0x10000000000000000', '0x10000000000000000'),
    ('0b11111111111111111111111111111111111111111111111111111111111111111', '0b11111111111111111111111111111111111111111111111111111111111111111'),
    ('0o2000000000000000000000', '0o2000000000000000000000'),
    ('-0x8000000000000001', '-0x8000000000000001'),
    ('0b-101', -5),
    ('0b+101', 5),
    ('-0b101', -5),
    ('1e3', 1000),
    ('1.0', 1),
    ('.5', 0.5),
    ('+.nan', '+.nan'),
    ('+.5', 0.5),
    ('-.5e3', -500),
    ('1_000', 1000),
    ('0x_1F', 31),
    ('0x1_F', 31),
    ('1__0.5', 10.5),
    ('18446744073709551615', 1.8446744073709552e+19),
    ('18446744073709551616', 1.8446744073709552e+19),
    ('9223372036854775808', 9.223372036854776e+18),
    ('-9223372036854775809', -9.223372036854776e+18),
    ('2024-01-01', '2024-01-01'),
    ('2024-1-1', '2024-1-1'),
    ('2024-01-01T10:00:00Z', '2024-01-01T10:00:00Z'),
    ('2024-01-01 10:00:00', '2024-01-01 10:00:00'),
    ('1:30', '1:30'),
    ('0o17', 15),
    ('0O17', 15),
    ('0X1f', 31),
    ('0B11', 3),
    ('017', 15),
    ('08', 8),
    ('0', 0),
    ('-0', 0),
    ('+0', 0),
    ('00', 0),
    ('0.', 0),
    ('1.e5', 100000),
    ('1e', '1e'),
    ('1e+', '1e+'),
    ('.e1', '.e1'),
    ('._5', '._5'),
    ('.5_0', 0.5),
    ('0x', '0x'),
    ('0b', '0b'),
    ('+', '+'),
    ('+-1', '+-1'),
    ('--1', '--1'),
    ('1_', 1),
    ('_1', '_1'),
    ('1e400', '1e400'),
    ('-1e400', '-1e400'),
    ('.5e400', '.5e400'),
    ('1e-400', 0),
    ('yes', True),
    ('Yes', True),
    ('YES', True),
    ('yEs', 'yEs'),
    ('y', True),
    ('Y', True),
    ('n', False),
    ('N', False),
    ('on', True),
    ('On', True),
    ('ON', True),
    ('oN', 'oN'),
    ('off', False),
    ('Off', False),
    ('OFF', False),
    ('no', False),
    ('NO', False),
    ('No', False),
    ('true', True),
    ('TRUE', True),
    ('True', True),
    ('tRUE', 'tRUE'),
    ('false', False),
    ('null', None),
    ('Null', None),
    ('NULL', None),
    ('~', None),
    ('.naN', '.naN'),
    ('Infinity', 'Infinity'),
    ('inf', 'inf'),
    ('nan', 'nan'),
    ('0x1p-2', '0x1p-2'),
    ('0x1.8p1', '0x1.8p1'),
    ('1_000e1', 10000),
    ('0_7', 7),
    ('0e0', 0),
    ('1E5', 100000),
    ('1e05', 100000),
    ('0b_101', 5),
    ('0o_7', 7),
    ('0_x1', 1),
]


def same(value, expected) -> bool:
    """Equal as JSON values: the same kind, numbers by value (kubectl prints 1.0 as 1)."""
    def kind(v):
        return "bool" if isinstance(v, bool) else "number" if isinstance(v, (int, float)) else type(v).__name__
    if kind(value) != kind(expected):
        return False
    if kind(value) == "number":
        return float(value) == float(expected)
    return value == expected


@pytest.mark.parametrize("text, printed", KUBECTL_PRINTED, ids=[repr(t) for t, _ in KUBECTL_PRINTED])
def test_a_plain_scalar_reads_as_kubectl_reads_it(text, printed):
    assert same(load_document(f"a: {text}\n")["a"], printed)


@pytest.mark.parametrize("document, value", [
    ("a:\n", {"a": None}),
    ("a: \n", {"a": None}),
    ("- \n", [None]),
    ("a: {b: }\n", {"a": {"b": None}}),
    ("a: {<<: {b: 1}, c: 2}\n", {"a": {"b": 1, "c": 2}}),  # a merge key still merges
    ("a: !foo y\n", {"a": "y"}),
    ("a: !!foo x\n", {"a": "x"}),
    ("a: !!str [1]\n", {"a": [1]}),  # go-yaml ignores the tags of mappings and sequences
    ("a: !!set {x: 1}\n", {"a": {"x": 1}}),
    ("a: !!omap [x: 1]\n", {"a": [{"x": 1}]}),
])
def test_empty_values_tags_and_merge_keys_read_as_go_yaml_reads_them(document, value):
    assert load_document(document) == value


# Printed by the real kubectl 1.32 for "data: {a: <scalar>}".
@pytest.mark.parametrize("scalar, value", [
    ("!!str 1", "1"), ("!!int 0x1F", 31), ("!!float 1", 1.0), ("!!float 0x10", 16.0), ("!!bool yes", True),
    ("!!binary aGk=", "hi"), ("!!binary /w==", "\ufffd"), ("!!timestamp 2024-01-01", "2024-01-01"),
    ("!!timestamp '2024-01-01T10:00:00+01:00'", "2024-01-01T10:00:00+01:00"),
    ("!!timestamp '2024-1-2 3:4:5.5'", "2024-1-2 3:4:5.5"), ('!!int "7"', 7), ("!!float '1e3'", 1000.0),
    ("!!str", ""), ("!!null", None), ("!!int 1_0", 10), ("!!merge x", "x"), ("!!value x", "x"),
])
def test_a_scalar_with_an_explicit_tag_reads_as_kubectl_reads_it(scalar, value):
    assert same(load_document(f"a: {scalar}\n")["a"], value)


@pytest.mark.parametrize("scalar, problem", [
    ("!!int 1.5", "cannot decode !!float `1.5` as a !!int"),
    ("!!bool 1", "cannot decode !!int `1` as a !!bool"),
    ("!!float x", "cannot decode !!str `x` as a !!float"),
    ("!!null x", "cannot decode !!str `x` as a !!null"),
    ("!!int", "cannot decode !!null `` as a !!int"),
    ("!!bool ''", "cannot decode !!null `` as a !!bool"),
    ("!!int x", "cannot decode !!str `x` as a !!int"),
    ("!!timestamp x", "cannot decode !!str `x` as a !!timestamp"),
    ("!!timestamp '2024-02-30'", "cannot decode !!str `2024-02-30` as a !!timestamp"),
    ("!!timestamp '2024-01-01T10:00:00'", "cannot decode !!str `2024-01-01T10:00:00` as a !!timestamp"),
    ("!!binary aGk", "!!binary value contains invalid base64 data"),
])
def test_a_scalar_its_explicit_tag_does_not_fit_is_refused_in_go_yamls_words(scalar, problem):
    with pytest.raises(ManifestError) as caught:
        parse_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\ndata:\n  a: {scalar}\n")
    assert str(caught.value) == f"error parsing STDIN: error converting YAML to JSON: yaml: {problem}"


@pytest.mark.parametrize("document, anchor", [
    ("data: &x {b: *x}\n", "x"),
    ("data:\n  a: &y [1, *y]\n", "y"),
    ("data: {a: &z {c: {d: *z}}}\n", "z"),
])
def test_an_anchor_inside_itself_is_refused_in_go_yamls_words(document, anchor):
    with pytest.raises(StreamError) as caught:
        load_document(document)
    assert str(caught.value) == f"error converting YAML to JSON: yaml: anchor '{anchor}' value contains itself"


# -- a port of go-yaml v2's resolve (goyaml.v2/resolve.go) for plain, untagged scalars ---------
GO_RESOLVE_MAP = {
    **{w: True for w in ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")},
    **{w: False for w in ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")},
    **{w: None for w in ("", "~", "null", "Null", "NULL")},
    **{w: math.nan for w in (".nan", ".NaN", ".NAN")},
    **{w: math.inf for w in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")},
    **{w: -math.inf for w in ("-.inf", "-.Inf", "-.INF")},
    "<<": "<<",
}
YAML_STYLE_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
GO_INT_SYNTAX = re.compile(r"([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|([1-9][0-9]*|0))")


def go_parse_int(s: str, *, signed: bool):
    """strconv.ParseInt(s, 0, 64) (or ParseUint, which takes no sign): the value, or None."""
    m = GO_INT_SYNTAX.fullmatch(s)
    if not m or (m.group(1) and not signed):
        return None
    hex_, octal_o, binary, octal, decimal = m.groups()[1:]
    value = int(hex_, 16) if hex_ else int(octal_o or octal, 8) if (octal_o or octal) else (
        int(binary, 2) if binary else int(decimal))
    value = -value if m.group(1) == "-" else value
    if signed:
        return value if -(2**63) <= value < 2**63 else None
    return value if value < 2**64 else None


def underscore_ok(s: str) -> bool:
    """strconv's underscoreOK: each _ sits between digits (or after a base prefix)."""
    saw, i = "^", 0
    if s[:1] in ("+", "-"):
        s = s[1:]
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i, saw, hexa = 2, "0", s[1].lower() == "x"
    for c in s[i:]:
        if c.isdigit() or (hexa and c.lower() in "abcdef"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
    return saw != "_"


def go_parse_float(s: str):
    """strconv.ParseFloat(s, 64) for the decimal syntax go-yaml lets through; None on error."""
    if "_" in s:
        if not underscore_ok(s):
            return None
        s = s.replace("_", "")
    if not re.fullmatch(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", s):
        return None
    value = float(s)
    return None if math.isinf(value) else value


def go_resolve(text: str):
    """What kubectl's JSON holds for a plain scalar (a timestamp decodes into interface{} as
    its text, so it needs no branch of its own here)."""
    hint = text[:1]
    if text in GO_RESOLVE_MAP:
        return GO_RESOLVE_MAP[text]
    if hint == ".":
        value = go_parse_float(text)
        return text if value is None else value
    if hint and hint in "+-0123456789":
        plain = text.replace("_", "")
        for signed in (True, False):
            value = go_parse_int(plain, signed=signed)
            if value is not None:
                return value if -(2**63) <= value < 2**63 else float(value)
        if YAML_STYLE_FLOAT.match(plain):
            value = go_parse_float(plain)
            if value is not None:
                return value
        if plain.startswith("0b"):
            m = re.fullmatch(r"([+-]?)([01]+)", plain[2:])
            if m:
                value = int(m.group(2), 2) * (-1 if m.group(1) == "-" else 1)
                if -(2**63) <= value < 2**63:
                    return value
                if not m.group(1) and value < 2**64:
                    return float(value)
    return text


def is_plain_scalar(text: str) -> bool:
    try:
        node = yaml.compose(f"a: {text}\n", Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return False
    value = node.value[0][1]
    return isinstance(value, yaml.ScalarNode) and value.style is None and value.value == text \
        and not value.tag.startswith("!")


SCALARS = st.one_of(
    st.text(alphabet="0123456789+-._eExXoObB", min_size=1, max_size=10),
    st.text(alphabet="0123456789+-._eEabcdfxyYnNtTfFoO~:lu ", min_size=1, max_size=8),
    st.sampled_from(sorted(GO_RESOLVE_MAP)),
    st.integers(min_value=-(2**66), max_value=2**66).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)


@settings(max_examples=400, deadline=None)
@given(SCALARS)
@example("0b-101")
@example(".5_0")
@example("18446744073709551615")
@example("0x_1F")
def test_the_loader_resolves_plain_scalars_as_go_yaml_v2(text):
    assume(text and is_plain_scalar(text))
    expected = go_resolve(text)
    if isinstance(expected, float) and (math.isinf(expected) or math.isnan(expected)):
        with pytest.raises(StreamError, match="json: unsupported value"):
            load_document(f"a: {text}\n")
        return
    assert same(load_document(f"a: {text}\n")["a"], expected), (text, expected)


@pytest.mark.parametrize("text, value", [(t, v) for t, v in KUBECTL_PRINTED])
def test_the_port_agrees_with_the_real_kubectl(text, value):
    assert same(go_resolve(text), value)
