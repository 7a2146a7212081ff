"""Reading a JSON manifest stream the way kubectl reads one, with kubectl's error messages.

Mirrors two pieces of Go that sit under ``kubectl apply -f``:

* k8s.io/apimachinery/pkg/util/yaml/decoder.go: ``YAMLOrJSONDecoder`` peeks at the first
  4096 bytes of the stream (``GuessJSONStream``) and, when the first non-space character
  there is ``{`` (``hasJSONPrefix``, spaces as Go's ``unicode.IsSpace`` counts them), reads
  the whole stream as JSON with Go's ``encoding/json.Decoder``. It wraps the decoder's syntax
  errors as ``JSONSyntaxError``, whose text is ``json: offset N: <message>``.
* Go's encoding/json (scanner.go, stream.go): the decoder reads one JSON value after another,
  separated by optional whitespace. The byte-at-a-time scanner is ported here state for
  state, so an error names the same character, the same context and the same byte offset
  (counted in UTF-8 bytes over the whole stream, one past the offending byte). A value cut
  short by the end of the stream is Go's ``io.ErrUnexpectedEOF``, printed ``unexpected EOF``.

A worked example: the stream ``{"a":1} {"b":2,}`` yields ``{"a": 1}`` and then raises
``JSONStreamError("json: offset 16: invalid character '}' looking for beginning of object key
string")``; kubectl prints ``error parsing STDIN: `` before that text.

Quirks that follow from Go's rules, all confirmed against kubectl 1.32:

* Values need no space between them when their ends are unambiguous: ``"a""b"`` is two
  strings, and ``01`` is the number 0 followed by the number 1.
* Any JSON value is delivered, not only objects: ``{...} [1]`` yields a list and ``{...} 5`` a
  number. kubectl's StreamVisitor skips ``null`` and then fails on the others with
  ``unable to decode "STDIN": json: cannot unmarshal array into Go value of type
  unstructured.detector`` (``number``, ``string``, ``bool`` likewise): that is the caller's
  business, not this module's.
* ``hasJSONPrefix`` counts Unicode spaces (a no-break space, U+3000, ``\\v``) but the JSON
  scanner skips only space, tab, CR and LF, so ``"\\u00a0{}"`` is taken for JSON and then
  fails at offset 1 on the character ``'Â'`` (Go quotes the first UTF-8 byte as if it were a
  Latin-1 character).

Neighbours: the manifest readers (:mod:`labkube.core.manifests`, labkube.kubectl.files) read
YAML streams; they are the ones to ask :func:`looks_like_json` and hand JSON streams here.
The text is expected decoded already: kubectl reads bytes through a UTF-8 decoder that turns
each invalid byte into U+FFFD (``bytes.decode("utf-8", "replace")`` does the same) and drops a
leading byte order mark, as this module does.
Values are built by Python's :mod:`json` once the ported scanner has accepted them (by a
small stack machine when they nest deeper than Python's json can go; Go allows 10000 levels).
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Callable, Iterator

# StreamVisitor.Visit: yaml.NewYAMLOrJSONDecoder(v.Reader, 4096).
JSON_PEEK_BYTES = 4096

# The characters for which Go's unicode.IsSpace is true. Python's str.isspace says yes to
# more (U+001C..U+001F), so the set is spelled out.
GO_UNICODE_SPACES = (
    "\t\n\v\f\r \u0085\u00a0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)

# kubectl's FileVisitor decodes input through unicode.BOMOverride: a leading BOM is dropped.
BYTE_ORDER_MARK = "\ufeff"

MAX_NESTING_DEPTH = 10000  # scanner.go's maxNestingDepth

JSON_SPACES = " \t\r\n"  # scanner.go's isSpace


class JSONStreamError(ValueError):
    """The stream is not valid JSON; str() is what kubectl prints after ``error parsing STDIN: ``.

    ``offset`` is Go's byte offset for a syntax error, and None for ``unexpected EOF``;
    ``syntax`` is the SyntaxError's own message (``invalid character 'x' ...``), without the
    offset apimachinery adds.
    """

    def __init__(self, message: str, offset: int | None = None, syntax: str | None = None):
        super().__init__(message)
        self.offset = offset
        self.syntax = syntax if syntax is not None else message


def looks_like_json(text: str) -> bool:
    """Whether kubectl reads ``text`` as a JSON stream: apimachinery's ``GuessJSONStream``.

    True when the first character that is not a Go ``unicode.IsSpace`` space is ``{`` and it
    starts within the first 4096 bytes (the decoder peeks no further).
    """
    text = _without_byte_order_mark(text)
    rest = text.lstrip(GO_UNICODE_SPACES)
    if not rest.startswith("{"):
        return False
    leading_space = text[: len(text) - len(rest)]
    return len(leading_space.encode("utf-8")) < JSON_PEEK_BYTES


def decode_stream(text: str) -> Iterator[Any]:
    """Yield each JSON value of the stream in order, as Go's ``json.Decoder`` reads them.

    Raises :class:`JSONStreamError` at the first bad value, after yielding the values before
    it. Whitespace after the last value ends the stream quietly. ``null`` is yielded as None.
    """
    data = _without_byte_order_mark(text).encode("utf-8")
    as_chars = data.decode("latin-1")  # one character a byte, as Go's scanner steps
    scan = _Scanner()
    start = 0
    while True:
        end = _read_value(scan, as_chars, start)
        if end is None:
            return
        yield _python_value(data[start:end])
        start = end


def unmarshal(text: str) -> Any:
    """One JSON value as Go's ``json.Unmarshal`` reads it into ``interface{}``.

    The whole text must be one value (checkValid): otherwise JSONStreamError with the
    SyntaxError's own words, as kube-apiserver reports a bad patch body:
    ``invalid character 'x' after top-level value``, ``unexpected end of JSON input``.
    """
    chars = text.encode("utf-8").decode("latin-1")
    scan = _Scanner()
    for c in chars:
        scan.bytes += 1
        if scan.step(scan, c) == SCAN_ERROR:
            break
    if scan.err is None and scan.step is not _state_end_top:
        scan.step(scan, " ")  # scanner.eof: a number or literal may end here
        if scan.err is None and scan.step is not _state_end_top:
            raise JSONStreamError("unexpected end of JSON input", scan.bytes)
    if scan.err is not None:
        raise JSONStreamError(scan.err.syntax, scan.err.offset)
    return _python_value(text.encode("utf-8"))


def _without_byte_order_mark(text: str) -> str:
    return text[1:] if text.startswith(BYTE_ORDER_MARK) else text


def _python_value(raw: bytes) -> Any:
    """The value of JSON the scanner accepted; lone surrogate escapes become U+FFFD, as in Go."""
    text = raw.decode("utf-8")
    try:
        value = json.loads(text)
    except RecursionError:  # Python's json gives up near 1000 levels, Go's at 10000
        return _load_deeply_nested(text)
    if _SURROGATE_ESCAPE.search(raw):
        value = _replace_lone_surrogates(value)
    return value


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:,]|[^\s\[\]{}:,"]+')


def _load_deeply_nested(text: str) -> Any:
    """json.loads without recursion, for JSON the scanner has accepted: a stack of open values."""
    stack: list[list | dict] = []
    keys: list[str | None] = []  # for each open object, its key waiting for a value
    for token in _TOKEN.findall(text):
        if token in ("[", "{"):
            stack.append([] if token == "[" else {})
            keys.append(None)
            continue
        if token in (",", ":"):
            continue
        if token in ("]", "}"):
            value = stack.pop()
            keys.pop()
            if not stack:
                return value
        else:
            value = _replace_lone_surrogates(json.loads(token))
            if isinstance(stack[-1], dict) and keys[-1] is None:
                keys[-1] = value
                continue
        _add_to_innermost(stack, keys, value)
    raise ValueError("not a JSON array or object")  # the scanner let through something else


def _add_to_innermost(stack: list[list | dict], keys: list[str | None], value: Any) -> None:
    if isinstance(stack[-1], list):
        stack[-1].append(value)
    else:
        stack[-1][keys[-1]] = value
        keys[-1] = None


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _replace_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_replace_lone_surrogates(k): _replace_lone_surrogates(v) for k, v in value.items()}
    return value


# --- Go's json.Decoder.readValue --------------------------------------------------------


def _read_value(scan: _Scanner, chars: str, start: int) -> int | None:
    """The end of the value starting at ``start``, or None when only whitespace is left.

    Mirrors stream.go's readValue over a buffer that already holds the whole stream.
    """
    scan.reset()
    for i in range(start, len(chars)):
        scan.bytes += 1
        op = scan.step(scan, chars[i])
        if op == SCAN_END:  # a number or literal ended before this byte
            scan.bytes -= 1
            return i
        if op in (SCAN_END_OBJECT, SCAN_END_ARRAY) and _state_end_value(scan, " ") == SCAN_END:
            return i + 1
        if op == SCAN_ERROR:
            raise scan.err
    return _read_value_at_eof(scan, chars, start)


def _read_value_at_eof(scan: _Scanner, chars: str, start: int) -> int | None:
    if scan.step(scan, " ") == SCAN_END:  # a top-level number ends at the end of the stream
        return len(chars)
    if chars[start:].strip(JSON_SPACES):
        raise JSONStreamError("unexpected EOF")
    return None


# --- Go's scanner (encoding/json/scanner.go) --------------------------------------------

# What a step reports (scanner.go's scan* constants). The decoder acts only on the ends of
# values and on errors; the others tell a parser following along what it has just seen.
SCAN_CONTINUE = 0
SCAN_BEGIN_LITERAL = 1
SCAN_BEGIN_OBJECT = 2
SCAN_OBJECT_KEY = 3
SCAN_OBJECT_VALUE = 4
SCAN_END_OBJECT = 5
SCAN_BEGIN_ARRAY = 6
SCAN_ARRAY_VALUE = 7
SCAN_END_ARRAY = 8
SCAN_SKIP_SPACE = 9
SCAN_END = 10
SCAN_ERROR = 11

# What composite value the scanner is inside (scanner.go's parse* constants).
PARSE_OBJECT_KEY = 0
PARSE_OBJECT_VALUE = 1
PARSE_ARRAY_VALUE = 2


class _Scanner:
    """The state machine: ``step`` is the function for the next byte (a Latin-1 character).

    ``bytes`` counts bytes over the whole stream; like Go's, ``reset`` leaves it alone.
    """

    def __init__(self) -> None:
        self.bytes = 0
        self.reset()

    def reset(self) -> None:
        self.step: Callable[[_Scanner, str], int] = _state_begin_value
        self.parse_state: list[int] = []
        self.err: JSONStreamError | None = None

    def push_parse_state(self, c: str, state: int, success: int) -> int:
        self.parse_state.append(state)
        if len(self.parse_state) <= MAX_NESTING_DEPTH:
            return success
        return self.error(c, "exceeded max depth")

    def pop_parse_state(self) -> None:
        self.parse_state.pop()
        self.step = _state_end_top if not self.parse_state else _state_end_value

    def error(self, c: str, context: str) -> int:
        self.step = _state_error
        message = f"invalid character {go_quote_char(c)} {context}"
        self.err = JSONStreamError(f"json: offset {self.bytes}: {message}", self.bytes, message)
        return SCAN_ERROR


def _state_begin_value_or_empty(s: _Scanner, c: str) -> int:
    """After ``[``."""
    if c in JSON_SPACES:
        return SCAN_SKIP_SPACE
    if c == "]":
        return _state_end_value(s, c)
    return _state_begin_value(s, c)


def _state_begin_value(s: _Scanner, c: str) -> int:
    """At the start of a value."""
    if c in JSON_SPACES:
        return SCAN_SKIP_SPACE
    if c == "{":
        s.step = _state_begin_string_or_empty
        return s.push_parse_state(c, PARSE_OBJECT_KEY, SCAN_BEGIN_OBJECT)
    if c == "[":
        s.step = _state_begin_value_or_empty
        return s.push_parse_state(c, PARSE_ARRAY_VALUE, SCAN_BEGIN_ARRAY)
    literal_state = _literal_state_after(c)
    if literal_state is None:
        return s.error(c, "looking for beginning of value")
    s.step = literal_state
    return SCAN_BEGIN_LITERAL


def _literal_state_after(c: str) -> Callable[[_Scanner, str], int] | None:
    """The state after the first character of a string, number, true, false or null."""
    if "1" <= c <= "9":
        return _state_1
    return _LITERAL_STARTS.get(c)


def _state_begin_string_or_empty(s: _Scanner, c: str) -> int:
    """After ``{``."""
    if c in JSON_SPACES:
        return SCAN_SKIP_SPACE
    if c == "}":
        s.parse_state[-1] = PARSE_OBJECT_VALUE
        return _state_end_value(s, c)
    return _state_begin_string(s, c)


def _state_begin_string(s: _Scanner, c: str) -> int:
    """After ``{"key": value,``: only a key may come."""
    if c in JSON_SPACES:
        return SCAN_SKIP_SPACE
    if c == '"':
        s.step = _state_in_string
        return SCAN_BEGIN_LITERAL
    return s.error(c, "looking for beginning of object key string")


def _state_end_value(s: _Scanner, c: str) -> int:
    """After a complete value, such as ``{}`` or ``true`` or ``["x"``."""
    if not s.parse_state:
        s.step = _state_end_top
        return _state_end_top(s, c)
    if c in JSON_SPACES:
        s.step = _state_end_value
        return SCAN_SKIP_SPACE
    inside = s.parse_state[-1]
    if inside == PARSE_OBJECT_KEY:
        return _after_object_key(s, c)
    if inside == PARSE_OBJECT_VALUE:
        return _after_object_value(s, c)
    return _after_array_element(s, c)


def _after_object_key(s: _Scanner, c: str) -> int:
    if c == ":":
        s.parse_state[-1] = PARSE_OBJECT_VALUE
        s.step = _state_begin_value
        return SCAN_OBJECT_KEY
    return s.error(c, "after object key")


def _after_object_value(s: _Scanner, c: str) -> int:
    if c == ",":
        s.parse_state[-1] = PARSE_OBJECT_KEY
        s.step = _state_begin_string
        return SCAN_OBJECT_VALUE
    if c == "}":
        s.pop_parse_state()
        return SCAN_END_OBJECT
    return s.error(c, "after object key:value pair")


def _after_array_element(s: _Scanner, c: str) -> int:
    if c == ",":
        s.step = _state_begin_value
        return SCAN_ARRAY_VALUE
    if c == "]":
        s.pop_parse_state()
        return SCAN_END_ARRAY
    return s.error(c, "after array element")


def _state_end_top(s: _Scanner, c: str) -> int:
    """After the top-level value. Go notes an error for a non-space byte but the decoder
    never reads it: the next value starts at that byte."""
    if c not in JSON_SPACES:
        s.error(c, "after top-level value")
    return SCAN_END


def _state_in_string(s: _Scanner, c: str) -> int:
    """Inside a string: control characters must be escaped."""
    if c == '"':
        s.step = _state_end_value
        return SCAN_CONTINUE
    if c == "\\":
        s.step = _state_in_string_escape
        return SCAN_CONTINUE
    if c < "\x20":
        return s.error(c, "in string literal")
    return SCAN_CONTINUE


def _state_in_string_escape(s: _Scanner, c: str) -> int:
    """After a backslash in a string."""
    if c in 'bfnrt\\/"':
        s.step = _state_in_string
        return SCAN_CONTINUE
    if c == "u":
        s.step = _expect_hex_digits(4)
        return SCAN_CONTINUE
    return s.error(c, "in string escape code")


@functools.cache
def _expect_hex_digits(left: int) -> Callable[[_Scanner, str], int]:
    """After ``\\u`` and 4 - ``left`` hex digits (Go's stateInStringEscU, U1, U12, U123)."""

    def state(s: _Scanner, c: str) -> int:
        if c not in "0123456789abcdefABCDEF":
            return s.error(c, "in \\u hexadecimal character escape")
        s.step = _expect_hex_digits(left - 1) if left > 1 else _state_in_string
        return SCAN_CONTINUE

    return state


def _state_neg(s: _Scanner, c: str) -> int:
    """After ``-`` in a number."""
    if c == "0":
        s.step = _state_0
        return SCAN_CONTINUE
    if "1" <= c <= "9":
        s.step = _state_1
        return SCAN_CONTINUE
    return s.error(c, "in numeric literal")


def _state_1(s: _Scanner, c: str) -> int:
    """After a non-zero integer part, such as ``1`` or ``100``."""
    if "0" <= c <= "9":
        s.step = _state_1
        return SCAN_CONTINUE
    return _state_0(s, c)


def _state_0(s: _Scanner, c: str) -> int:
    """After ``0``: no more digits may follow (a leading zero ends the number)."""
    if c == ".":
        s.step = _state_dot
        return SCAN_CONTINUE
    if c in "eE":
        s.step = _state_e
        return SCAN_CONTINUE
    return _state_end_value(s, c)


def _state_dot(s: _Scanner, c: str) -> int:
    """After the decimal point, such as ``1.``."""
    if "0" <= c <= "9":
        s.step = _state_dot_0
        return SCAN_CONTINUE
    return s.error(c, "after decimal point in numeric literal")


def _state_dot_0(s: _Scanner, c: str) -> int:
    """After digits of the fraction, such as ``3.14``."""
    if "0" <= c <= "9":
        return SCAN_CONTINUE
    if c in "eE":
        s.step = _state_e
        return SCAN_CONTINUE
    return _state_end_value(s, c)


def _state_e(s: _Scanner, c: str) -> int:
    """After the ``e`` of an exponent."""
    if c in "+-":
        s.step = _state_e_sign
        return SCAN_CONTINUE
    return _state_e_sign(s, c)


def _state_e_sign(s: _Scanner, c: str) -> int:
    """After ``e+`` or ``e-``: a digit must follow."""
    if "0" <= c <= "9":
        s.step = _state_e_0
        return SCAN_CONTINUE
    return s.error(c, "in exponent of numeric literal")


def _state_e_0(s: _Scanner, c: str) -> int:
    """After digits of the exponent, such as ``3.14e0``."""
    if "0" <= c <= "9":
        return SCAN_CONTINUE
    return _state_end_value(s, c)


@functools.cache
def _expect(word: str, index: int) -> Callable[[_Scanner, str], int]:
    """Inside the literal ``word`` (true, false, null), expecting ``word[index]`` next
    (Go's stateT, stateTr, stateTru, stateF, ..., stateNul)."""
    wanted = word[index]

    def state(s: _Scanner, c: str) -> int:
        if c != wanted:
            return s.error(c, f"in literal {word} (expecting {go_quote_char(wanted)})")
        s.step = _expect(word, index + 1) if index + 1 < len(word) else _state_end_value
        return SCAN_CONTINUE

    return state


def _state_error(s: _Scanner, c: str) -> int:
    return SCAN_ERROR


_LITERAL_STARTS = {
    '"': _state_in_string,
    "-": _state_neg,
    "0": _state_0,
    "t": _expect("true", 1),
    "f": _expect("false", 1),
    "n": _expect("null", 1),
}


# --- Go's quoteChar and strconv.Quote ---------------------------------------------------

_GO_NAMED_ESCAPES = {
    "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
}


def go_quote_char(c: str) -> str:
    """A byte (a character U+0000..U+00FF) quoted as Go's encoding/json quoteChar quotes it.

    ``'x'``, ``'\\''``, ``'"'``, ``'\\\\'``, ``'\\n'``, ``'\\x01'``, ``'\\u0085'``, ``'Ã'``.
    """
    if c == "'":
        return "'\\''"
    if c == '"':
        return "'\"'"
    return "'" + _go_escape(c) + "'"


def _go_escape(c: str) -> str:
    """The character as strconv.Quote writes it between the quotes."""
    if c == "\\":
        return "\\\\"
    if _go_is_print(c):
        return c
    if c in _GO_NAMED_ESCAPES:
        return _GO_NAMED_ESCAPES[c]
    code = ord(c)
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def _go_is_print(c: str) -> bool:
    """strconv.IsPrint for U+0000..U+00FF: ASCII graphics and space, Latin-1 but NBSP and SHY."""
    code = ord(c)
    return 0x20 <= code <= 0x7E or (0xA1 <= code <= 0xFF and code != 0xAD)
