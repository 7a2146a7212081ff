"""Reading a JSON manifest stream as kubectl does: Go's json.Decoder, its errors and offsets."""

import pytest

from labkube.core.json_stream import JSONStreamError, decode_stream, go_quote_char, looks_like_json, unmarshal

# Every expectation in KUBECTL_CASES and FUZZ_CASES was produced by the real kubectl 1.32:
#
#     printf '%s' "$TEXT" | kubectl create --dry-run=client -o yaml -f - \
#         --server=http://127.0.0.1:1 --validate=false
#
# The message is what kubectl printed after "error parsing STDIN: " (None: no parse error).
# The kinds are the values kubectl decoded before it, one for each of its later complaints:
# "unable to decode ...: json: cannot unmarshal array|number|string|bool into Go value of type
# unstructured.detector", or "object" for a complaint about an object (a missing kind, or
# "unable to recognize" with no server). kubectl skips null, so null has no kind here.
# FUZZ_CASES are the shortest cases of each message kind from a differential fuzz run
# (random deletions, insertions, truncations and duplications of small JSON manifests); the
# fuzz script itself needs kubectl and is not kept here.

KUBECTL_CASES = [
    ('a trailing comma in an object', '{"a":1,}', [], "json: offset 8: invalid character '}' looking for beginning of object key string"),
    ('an object cut short', '{"a":1', [], 'unexpected EOF'),
    ('an unquoted key (YAML flow style)', '{a:1}', [], "json: offset 2: invalid character 'a' looking for beginning of object key string"),
    ('a key without a colon', '{"a" 1}', [], "json: offset 6: invalid character '1' after object key"),
    ('two pairs without a comma', '{"a":1 "b":2}', [], 'json: offset 8: invalid character \'"\' after object key:value pair'),
    ('two array elements without a comma', '{"a":[1 2]}', [], "json: offset 9: invalid character '2' after array element"),
    ('a raw tab in a string', '{"a":"x\ty"}', [], "json: offset 8: invalid character '\\t' in string literal"),
    ('a raw newline in a string', '{"a":"x\ny"}', [], "json: offset 8: invalid character '\\n' in string literal"),
    ('a NUL in a string', '{"a":"\x00"}', [], "json: offset 7: invalid character '\\x00' in string literal"),
    ('an unknown escape', '{"a":"\\x"}', [], "json: offset 8: invalid character 'x' in string escape code"),
    ('a bad hex digit in a unicode escape', '{"a":"\\u12g4"}', [], "json: offset 11: invalid character 'g' in \\u hexadecimal character escape"),
    ('a minus sign without digits', '{"a":-x}', [], "json: offset 7: invalid character 'x' in numeric literal"),
    ('a minus sign at the end of a value', '{"a":-}', [], "json: offset 7: invalid character '}' in numeric literal"),
    ('a leading zero', '{"a":01}', [], "json: offset 7: invalid character '1' after object key:value pair"),
    ('a decimal point without digits', '{"a":1.}', [], "json: offset 8: invalid character '}' after decimal point in numeric literal"),
    ('an exponent right after the decimal point', '{"a":1.e5}', [], "json: offset 8: invalid character 'e' after decimal point in numeric literal"),
    ('an exponent without digits', '{"a":1e}', [], "json: offset 8: invalid character '}' in exponent of numeric literal"),
    ('an exponent sign without digits', '{"a":1e+}', [], "json: offset 9: invalid character '}' in exponent of numeric literal"),
    ('a letter after an exponent', '{"a":1E5x}', [], "json: offset 9: invalid character 'x' after object key:value pair"),
    ('true misspelt at its second letter', '{"a":tRue}', [], "json: offset 7: invalid character 'R' in literal true (expecting 'r')"),
    ('true misspelt at its third letter', '{"a":trUe}', [], "json: offset 8: invalid character 'U' in literal true (expecting 'u')"),
    ('true misspelt at its fourth letter', '{"a":trux}', [], "json: offset 9: invalid character 'x' in literal true (expecting 'e')"),
    ('null cut short', '{"a":nul}', [], "json: offset 9: invalid character '}' in literal null (expecting 'l')"),
    ('null misspelt at its second letter', '{"a":nUll}', [], "json: offset 7: invalid character 'U' in literal null (expecting 'u')"),
    ('false cut short', '{"a":fals}', [], "json: offset 10: invalid character '}' in literal false (expecting 'e')"),
    ('false misspelt at its second letter', '{"a":fAlse}', [], "json: offset 7: invalid character 'A' in literal false (expecting 'a')"),
    ('false misspelt at its third letter', '{"a":faLse}', [], "json: offset 8: invalid character 'L' in literal false (expecting 'l')"),
    ('false misspelt at its fourth letter', '{"a":falSe}', [], "json: offset 9: invalid character 'S' in literal false (expecting 's')"),
    ('NaN', '{"a":NaN}', [], "json: offset 6: invalid character 'N' looking for beginning of value"),
    ('Infinity', '{"a":Infinity}', [], "json: offset 6: invalid character 'I' looking for beginning of value"),
    ('minus Infinity', '{"a":-Infinity}', [], "json: offset 7: invalid character 'I' in numeric literal"),
    ('a plus sign before a number', '{"a":+1}', [], "json: offset 6: invalid character '+' looking for beginning of value"),
    ('a number starting with a point', '{"a":.5}', [], "json: offset 6: invalid character '.' looking for beginning of value"),
    ('single-quoted keys', "{'a':1}", [], "json: offset 2: invalid character '\\'' looking for beginning of object key string"),
    ('a single-quoted value', '{"a":\'x\'}', [], "json: offset 6: invalid character '\\'' looking for beginning of value"),
    ('offsets count UTF-8 bytes', '{"a":"é",}', [], "json: offset 11: invalid character '}' looking for beginning of object key string"),
    ('offsets count UTF-8 bytes of keys and values', '{"é":"☃"  ,  }', [], "json: offset 17: invalid character '}' looking for beginning of object key string"),
    ('a YAML separator after a JSON object', '{"a":1}\n---\nb: 2', ['object'], "json: offset 10: invalid character '-' in numeric literal"),
    ('a second value cut short', '{"a":1} [1', ['object'], 'unexpected EOF'),
    ('garbage after an object', '{"a":1} x', ['object'], "json: offset 9: invalid character 'x' looking for beginning of value"),
    ('a stray closing brace after an object', '{"a":1}}', ['object'], "json: offset 8: invalid character '}' looking for beginning of value"),
    ('a literal cut short', '{"a":1,"b":tr', [], 'unexpected EOF'),
    ('a no-break space before the brace', '\xa0{}', [], "json: offset 1: invalid character 'Â' looking for beginning of value"),
    ('a vertical tab before the brace', '\x0b{}', [], "json: offset 1: invalid character '\\v' looking for beginning of value"),
    ('a form feed before the brace', '\x0c{"a":1}', [], "json: offset 1: invalid character '\\f' looking for beginning of value"),
    ('an ideographic space before the brace', '\u3000{}', [], "json: offset 1: invalid character 'ã' looking for beginning of value"),
    ('a byte order mark is dropped before offsets are counted', '\ufeff{"a":1,}', [], "json: offset 8: invalid character '}' looking for beginning of object key string"),
    ('a control character after an object', '{"a":1}\x01', ['object'], "json: offset 8: invalid character '\\x01' looking for beginning of value"),
    ('DEL after an object', '{"a":1}\x7f', ['object'], "json: offset 8: invalid character '\\x7f' looking for beginning of value"),
    ('a comment after an object', '{"a":1} /* c */', ['object'], "json: offset 9: invalid character '/' looking for beginning of value"),
    ('a hash comment after an object', '{"a":1} # comment', ['object'], "json: offset 9: invalid character '#' looking for beginning of value"),
    ('a non-ASCII character after an object', '{"a":1} ☃', ['object'], "json: offset 9: invalid character 'â' looking for beginning of value"),
    ('a trailing comma in an array', '{"a":[1,]}', [], "json: offset 9: invalid character ']' looking for beginning of value"),
    ('a leading comma in an array', '{"a":[,1]}', [], "json: offset 7: invalid character ',' looking for beginning of value"),
    ('a comma in an empty object', '{,}', [], "json: offset 2: invalid character ',' looking for beginning of object key string"),
    ('two objects with nothing between them', '{"a":1}{"b":2}', ['object', 'object'], None),
    ('a number with two decimal points after an object', '{"a":1}5.5.5', ['object', 'number'], "json: offset 11: invalid character '.' looking for beginning of value"),
    ('a literal running into garbage', '{"a":1}truex', ['object', 'bool'], "json: offset 12: invalid character 'x' looking for beginning of value"),
    ('a string cut short after an object', '{"a":1}"x', ['object'], 'unexpected EOF'),
    ('a lone minus sign after an object', '{"a":1}-', ['object'], 'unexpected EOF'),
    ('whitespace after the last object', '{"a":1}\r\n\t ', ['object'], None),
    ('a lone brace', '{', [], 'unexpected EOF'),
    ('a lone brace and whitespace', '{ \n', [], 'unexpected EOF'),
    ('an escaped NUL in a key', '{"a\\u0000b":1}', ['object'], None),
    ('a leading zero at top level splits into two numbers', '{"a":1} 01', ['object', 'number', 'number'], None),
    ('two strings with nothing between them', '{"a":1}"a""b"', ['object', 'string', 'string'], None),
    ('null after an object', '{"a":1} null', ['object'], None),
    ('values of every type after an object', '{"a":1} [1] 5 "s" true {"b":2}', ['object', 'array', 'number', 'string', 'bool', 'object'], None),
    ('null cut short after an object', '{"a":1} nul', ['object'], 'unexpected EOF'),
    ('a third object cut short', '{"a":1}\n{"b":[{"c":{"d":[]}}]}\n{"e":3,', ['object', 'object'], 'unexpected EOF'),
    ('a lone surrogate escape', '{"a":"\\ud800"}', ['object'], None),
    ('a backslash after an object', '{"a":1} \\', ['object'], "json: offset 9: invalid character '\\\\' looking for beginning of value"),
    ('a single quote after an object', '{"a":1} \'', ['object'], "json: offset 9: invalid character '\\'' looking for beginning of value"),
    ('a no-break space after an object', '{"a":1}\xa0', ['object'], "json: offset 8: invalid character 'Â' looking for beginning of value"),
    ('a next-line character after an object', '{"a":1}\x85', ['object'], "json: offset 8: invalid character 'Â' looking for beginning of value"),
    ('a byte order mark after an object', '{"a":1}\ufeff', ['object'], "json: offset 8: invalid character 'ï' looking for beginning of value"),
    ('a stray closing bracket after an object', '{"a" : 1 , "b" : [ true , false , null ] } ]', ['object'], "json: offset 44: invalid character ']' looking for beginning of value"),
    ('a number too large for a float', '{"a":1e400}', ['object'], None),
    ('a negative zero with an exponent', '{"a":-0.0e-0}', ['object'], None),
    ('every one-letter escape', '{"a":"\\/\\b\\f\\n\\r\\t\\"\\\\"}', ['object'], None),
    ('an upper-case unicode escape', '{"a":"\\U0041"}', [], "json: offset 8: invalid character 'U' in string escape code"),
    ('a unicode escape cut short', '{"a":"\\u00"}', [], 'json: offset 11: invalid character \'"\' in \\u hexadecimal character escape'),
    ('an array 9999 levels deep inside an object', '{"a":' + '[' * 9998 + ']' * 9998 + '}', ['object'], None),
    ('an array reaching the 10000-level limit', '{"a":' + '[' * 9999 + ']' * 9999 + '}', ['object'], None),
    ('10000 open levels cut short', '{"a":' + '[' * 9999, [], 'unexpected EOF'),
    ('one level past the 10000-level limit', '{"a":' + '[' * 10000, [], "json: offset 10005: invalid character '[' exceeded max depth"),
    ('objects reaching the 10000-level limit', '{"a":' + '{"b":' * 9999 + '1' + '}' * 9999 + '}', ['object'], None),
    ('objects one level past the limit', '{"a":' + '{"b":' * 10000 + '1' + '}' * 10000 + '}', [], "json: offset 50001: invalid character '{' exceeded max depth"),
    ('a second value at the 10000-level limit', '{"a":1}' + '[' * 10000 + ']' * 10000, ['object', 'array'], None),
    ('a second value one level past the limit', '{"a":1}' + '[' * 10001, ['object'], "json: offset 10008: invalid character '[' exceeded max depth"),
]
FUZZ_CASES = [
    ('{"kind":"Pod","spec":{"n":[1,-2.5e3,true,null,flse],"s":"a\\"\\u00e9\\/é"}}', [], "json: offset 48: invalid character 'l' in literal false (expecting 'a')"),
    ('{"kind":"Pod","spec":{"n":[1,-2.5e3,true,null,falsu00e9\\/é"}}', [], "json: offset 51: invalid character 'u' in literal false (expecting 'e')"),
    ('{"kind":"Pod","spec":{"n":[1,-2.5e3,true,null,fa\\"\\u00e9\\/é"}}', [], "json: offset 49: invalid character '\\\\' in literal false (expecting 'l')"),
    ('{"kind":"Pod","spec":{"n":[1,-2.5e3,true,null,fal]{"s":"a\\"\\u00e9\\/é"}}', [], "json: offset 50: invalid character ']' in literal false (expecting 's')"),
    ('{"kind":"Pod","spec":{"n":[1,-2.5e3,true,nu"\\u00e9\\/é"}', [], 'json: offset 44: invalid character \'"\' in literal null (expecting \'l\')'),
    ('{"kind": "Pod", "a": n{"b": [0.5', [], "json: offset 23: invalid character '{' in literal null (expecting 'u')"),
    ('{"a":{}, "b":[], "c":"\\t\\n", "d":-0}n", "d":-0}', ['object'], 'json: offset 38: invalid character \'"\' in literal null (expecting \'u\')'),
    ('{"kind": "Pod", "a": {"b": [0.5, 10E+2]}}\n{"kind": "Svc"}nd": "Svc"}', ['object', 'object'], "json: offset 59: invalid character 'd' in literal null (expecting 'u')"),
    ('{"kind":"Pod","spec":{"n":[1,-2.5e3,tru:,null,false]', [], "json: offset 40: invalid character ':' in literal true (expecting 'e')"),
    ('{"a":{}, "b":t\\n", "d":-0}', [], "json: offset 15: invalid character '\\\\' in literal true (expecting 'r')"),
    ('{"a":{}, "b":[], "c":"\\t\\n", "d":-0}t\\n", "d":-0}', ['object'], "json: offset 38: invalid character '\\\\' in literal true (expecting 'r')"),
    ('{"kind":"6od","spec":{"n":[1,-2.5e3,tre,n', [], "json: offset 39: invalid character 'e' in literal true (expecting 'u')"),
    ('{"a":{}, "b":[", "d":-0}', [], "json: offset 19: invalid character 'd' after array element"),
    ('{"kind": "Pod", "a": {"b": [0.5, 10E+2]}}\n{"kind":[ "Svc"}', ['object'], "json: offset 58: invalid character '}' after array element"),
    ('{"kind": "Pod",\n "a": {"b": [0.{"kSvc"}', [], "json: offset 32: invalid character '{' after decimal point in numeric literal"),
    ('{"ki{"ki', [], "json: offset 7: invalid character 'k' after object key"),
    ('{"kind": "Pod", "a": {"b": [0.5, 10E+2]}}\n{"kvc"}', ['object'], "json: offset 49: invalid character '}' after object key"),
    ('{"kind":"P"P', [], "json: offset 12: invalid character 'P' after object key:value pair"),
    ('{"kind": "Pod", "a": {"b": [0.5, 10E+2]}}\n{"kind":9"Svc"}', ['object'], 'json: offset 52: invalid character \'"\' after object key:value pair'),
    ('{"a":{}, "b":[], "c":"\\t\\u6, "d, "d":-0}', [], "json: offset 28: invalid character ',' in \\u hexadecimal character escape"),
    ('{"kind": "Pod", "a": {"b":0Ekind": "Svc"}', [], "json: offset 29: invalid character 'k' in exponent of numeric literal"),
    ('{"a":{}, "b":[], "c":"\\t\\n", "d":-[', [], "json: offset 35: invalid character '[' in numeric literal"),
    ('{"kind":"P\\od"', [], "json: offset 12: invalid character 'o' in string escape code"),
    ('{"kind": "Pod", "a": {"b": [0.5, 10E+2]}}\n{"ki\\d": "Svc"}', ['object'], "json: offset 48: invalid character 'd' in string escape code"),
    ('{"a\x01:{}, "b":[], "c":"\\t\\n", "', [], "json: offset 4: invalid character '\\x01' in string literal"),
    ('{"kind": "Pod", "a": {"b": [0.5, 10E+2]}}\n{"ind": "S\nc"}', ['object'], "json: offset 53: invalid character '\\n' in string literal"),
    ('{n', [], "json: offset 2: invalid character 'n' looking for beginning of object key string"),
    ('{"kind": "Pod", "a": {"b": [0.5,10E+2]}}\n{8"kind": "Svc"}', ['object'], "json: offset 43: invalid character '8' looking for beginning of object key string"),
    ('{"kind3"::', [], "json: offset 10: invalid character ':' looking for beginning of value"),
    ('{"b":[], "c":"\\t\\n", "d":-0}}', ['object'], "json: offset 29: invalid character '}' looking for beginning of value"),
    ('{"a":{}, "b":[], "c":"\\t\\n", "d":-0}"d":-0}', ['object', 'string'], "json: offset 40: invalid character ':' looking for beginning of value"),
    ('{"kind": "Pod", "a": {"b": [0.5, 10E+2]}}\n{"kind": "Svc"} "Sc"}', ['object', 'object', 'string'], "json: offset 63: invalid character '}' looking for beginning of value"),
    ('{', [], 'unexpected EOF'),
    ('{"a":{}, "b":[], "c":"\\t\\n", "d":-0}":-0}', ['object'], 'unexpected EOF'),
    ('{"kind": "Pod", "a": {"b": [0.5, 10E+2]}}\n{"kind": "Svc"}"}', ['object', 'object'], 'unexpected EOF'),
    ('{"a":{}, "b":[], "d":-0}', ['object'], None),
    ('{"kind": {"b": [0.5, 10E+2]}}\n{"kind": "Svc"}', ['object', 'object'], None),
    ('{"kind": "Pod", "a": {"b": [0.5, 10E+2]}}1{"kind": "Svc"}', ['object', 'number', 'object'], None),
]


def kubectl_kind(value):
    """The word kubectl uses for a decoded value it cannot turn into an object."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def decode_like_kubectl(text):
    """The kinds of the non-null values decoded, and the error message (None if none)."""
    kinds, message = [], None
    try:
        for value in decode_stream(text):
            if value is not None:
                kinds.append(kubectl_kind(value))
    except JSONStreamError as err:
        message = str(err)
    return kinds, message


@pytest.mark.parametrize("name, text, kinds, message", KUBECTL_CASES, ids=[c[0] for c in KUBECTL_CASES])
def test_streams_decode_and_fail_as_kubectl_reads_them(name, text, kinds, message):
    assert looks_like_json(text)
    assert decode_like_kubectl(text) == (kinds, message)


@pytest.mark.parametrize("text, kinds, message", FUZZ_CASES, ids=[str(c[2]) for c in FUZZ_CASES])
def test_fuzzed_streams_fail_as_kubectl_reads_them(text, kinds, message):
    assert decode_like_kubectl(text) == (kinds, message)


# Leading characters before '{"a":1,}' and whether kubectl 1.32 then read the stream as JSON
# (it printed a "json: offset" error) or as YAML.
PREFIXES = [
    ("nothing", "", True),
    ("JSON whitespace", " \n\t\r", True),
    ("a vertical tab, a Go unicode space", "\v", True),
    ("a no-break space", "\u00a0", True),
    ("a next-line character", "\u0085", True),
    ("an ogham space mark", "\u1680", True),
    ("a line separator", "\u2028", True),
    ("an ideographic space", "\u3000", True),
    ("a byte order mark, which kubectl drops", "\ufeff", True),
    ("two byte order marks", "\ufeff\ufeff", False),
    ("a byte order mark after a space", " \ufeff", False),
    ("a file separator, which Python calls a space and Go does not", "\x1c", False),
    ("a zero-width space", "\u200b", False),
    ("a Mongolian vowel separator", "\u180e", False),
    ("a YAML comment", "# c\n", False),
    ("a bracket", "[", False),
    ("4095 spaces, the brace still inside the 4096 bytes peeked at", " " * 4095, True),
    ("4096 spaces, the brace past the bytes peeked at", " " * 4096, False),
    ("a no-break space ending at byte 4096", " " * 4094 + "\u00a0", False),
    ("a no-break space ending at byte 4095", " " * 4093 + "\u00a0", True),
    ("a byte order mark, not counted in the bytes peeked at", "\ufeff" + " " * 4095, True),
]


@pytest.mark.parametrize("name, prefix, is_json", PREFIXES, ids=[p[0] for p in PREFIXES])
def test_a_stream_is_json_when_its_first_non_space_is_a_brace_within_4096_bytes(name, prefix, is_json):
    assert looks_like_json(prefix + '{"a":1,}') is is_json


def test_values_come_out_in_order_with_their_python_types():
    text = '{"a":[1,2.5,-0,1e3,"\\u00e9",true,false,null]} null 01 "x""y" [] {}'
    assert list(decode_stream(text)) == [
        {"a": [1, 2.5, 0, 1000.0, "\u00e9", True, False, None]}, None, 0, 1, "x", "y", [], {},
    ]


def test_values_before_an_error_are_delivered_before_it_is_raised():
    stream = decode_stream('{"a":1} {"b":2,}')
    assert next(stream) == {"a": 1}
    with pytest.raises(JSONStreamError, match="offset 16"):
        next(stream)


def test_a_lone_surrogate_escape_becomes_the_replacement_character_as_in_go():
    assert list(decode_stream('{"a":"\\ud800x","\\udc00":1}')) == [{"a": "\ufffdx", "\ufffd": 1}]


def test_values_nested_deeper_than_pythons_json_allows_still_decode():
    text = '{"a":' + '[' * 5000 + '"\\ud800"' + ']' * 5000 + '}'
    value = next(decode_stream(text))["a"]
    depth = 0
    while isinstance(value, list):
        value, depth = value[0], depth + 1
    assert (depth, value) == (5000, "\ufffd")


def test_an_empty_or_blank_stream_yields_nothing():
    assert list(decode_stream("")) == []
    assert list(decode_stream(" \n\t ")) == []


def test_a_syntax_error_carries_its_offset_and_an_unexpected_eof_none():
    with pytest.raises(JSONStreamError) as syntax:
        list(decode_stream('{"a":1,}'))
    with pytest.raises(JSONStreamError) as eof:
        list(decode_stream('{"a":1'))
    assert (syntax.value.offset, eof.value.offset) == (8, None)
    assert isinstance(syntax.value, ValueError)


# How Go's quoteChar shows a byte; each form appears in a kubectl 1.32 message above.
QUOTED = [
    ("a letter", "x", "'x'"),
    ("a single quote, escaped", "'", "'\\''"),
    ("a double quote, not escaped", '"', "'\"'"),
    ("a backslash, doubled", "\\", "'\\\\'"),
    ("a tab, named", "\t", "'\\t'"),
    ("a vertical tab, named", "\v", "'\\v'"),
    ("NUL, in hex", "\x00", "'\\x00'"),
    ("DEL, in hex", "\x7f", "'\\x7f'"),
    ("the lead byte of a UTF-8 character, as a Latin-1 letter", "\xc3", "'\u00c3'"),
]


@pytest.mark.parametrize("name, byte, quoted", QUOTED, ids=[q[0] for q in QUOTED])
def test_characters_are_quoted_as_go_quotes_them(name, byte, quoted):
    assert go_quote_char(byte) == quoted


# json.Unmarshal (scanner.go's checkValid + eof), the reading behind kube-apiserver's patch
# bodies: one value, and the SyntaxError's own words without an offset.
@pytest.mark.parametrize("text, message", [
    ("", "unexpected end of JSON input"),
    ("[{", "unexpected end of JSON input"),
    ('"x', "unexpected end of JSON input"),
    ('{"a":1} x', "invalid character 'x' after top-level value"),
    ('{"a":1,}', "invalid character '}' looking for beginning of object key string"),
    ("nul", "invalid character ' ' in literal null (expecting 'l')"),
    ("1.", "invalid character ' ' after decimal point in numeric literal"),
    ("[1 2]", "invalid character '2' after array element"),
])
def test_unmarshal_refuses_what_go_refuses_in_its_words(text, message):
    with pytest.raises(JSONStreamError) as caught:
        unmarshal(text)
    assert str(caught.value) == message


@pytest.mark.parametrize("text, value", [("12", 12), (" 5 ", 5), ('{"a":1}\n', {"a": 1}), ("null", None)])
def test_unmarshal_reads_one_value(text, value):
    assert unmarshal(text) == value
