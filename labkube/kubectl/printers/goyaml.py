"""YAML exactly as kubectl prints it (``-o yaml``).

kubectl marshals objects with sigs.k8s.io/yaml: JSON first, then go-yaml v2 (goyaml.v2) over
``map[interface{}]interface{}``. This module mirrors the parts of go-yaml v2 that shape the
text: its map-key order (``keyList.Less``, a "natural" order in which non-letters sort before
letters and digit runs compare as numbers: ``b1 < b01 < b10``), the encoder's choice of scalar
style (``encode.go stringv``: a string that would read back as something else — ``"80"``,
``"true"``, ``"yes"``, ``"null"``, ``""``, timestamps like ``"2025-01-01T00:00:00Z"``,
``"12:30"`` — is double-quoted; one with a newline asks for a literal block ``|``), the
emitter's checks (``yaml_emitter_analyze_scalar``: indicators, leading/trailing spaces and
breaks, unprintable characters fall back to single then double quotes), block scalars with
chomping and indentation hints (``|-``, ``|+``, ``|2-``), 2-space indentation, sequences not
indented under their key, ``{}``/``[]`` for empty collections, and line folding of long plain
and quoted scalars at column 80 (``best_width``).
"""

from __future__ import annotations

import re
import unicodedata

from labkube.kubectl.printers.format import go_float, normalize_number

BEST_WIDTH = 80
INDENT = 2

_YAML_STYLE_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_BASE60_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_GO_INT = re.compile(r"^[+-]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$")
_TS_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TS_FULL = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})([Tt]|\s)(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?"
    r"(Z|[+-]\d{2}:\d{2})?$"
)
_RESOLVE_MAP = {
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
    "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
    "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
}
_HINTED = set("+-0123456789yYnNtTfFoO~.")
_BREAKS = "\r\n\x85\u2028\u2029"


# --- resolve: would this string read back as a non-string? --------------------------------


def _valid_date(year: str, month: str, day: str) -> bool:
    import calendar

    y, m, d = int(year), int(month), int(day)
    return 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]


def _is_timestamp(text: str) -> bool:
    match = _TS_DATE.match(text)
    if match:
        return _valid_date(*match.groups())
    match = _TS_FULL.match(text)
    if not match:
        return False
    year, month, day, sep, hour, minute, second, _frac, zone = match.groups()
    if sep == " " and zone is not None or sep not in ("T", "t", " "):
        return False
    if sep in ("T", "t") and zone is None:
        return False
    return _valid_date(year, month, day) and int(hour) < 24 and int(minute) < 60 and int(second) < 60


def _is_go_int(text: str) -> bool:
    if not _GO_INT.match(text):
        return False
    body = text.lstrip("+-")
    try:
        value = int(body, 0) if not re.match(r"^0[0-7]+$", body) else int(body, 8)
    except ValueError:
        return False
    return value <= 2**64 - 1


def resolves_to_non_string(text: str) -> bool:
    """go-yaml v2 ``resolve("", s)`` gives a tag other than ``!!str`` (or a base-60 float)."""
    if text and text[0] not in _HINTED:
        return False
    if _BASE60_FLOAT.match(text):
        return True
    if text in _RESOLVE_MAP:
        return True
    if not text or text[0] not in _HINTED:
        return False
    if text[0] == ".":
        return _go_parse_float(text)
    if text[0] in "+-0123456789":
        if _is_timestamp(text):
            return True
        plain = text.replace("_", "")
        if _is_go_int(plain) or (_YAML_STYLE_FLOAT.match(plain) and _go_parse_float(plain)):
            return True
        if plain.startswith("-0b"):
            return bool(re.fullmatch(r"-0b[01]+", plain))
    return False


def _go_parse_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return not re.search(r"[a-zA-Z_]", text.replace("e", "").replace("E", ""))


# --- analyze: which styles can the emitter use? ---------------------------------------------


def _printable(ch: str) -> bool:
    """go-yaml's ``is_printable`` (sigs.k8s.io's fork also accepts NEL, U+0085)."""
    code = ord(ch)
    if ch == "\n" or 0x20 <= code <= 0x7E or code == 0x85:
        return True
    if 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD:
        return code != 0xFEFF
    return False


class _Analysis:
    __slots__ = ("multiline", "plain", "single", "block")

    def __init__(self, multiline: bool, plain: bool, single: bool, block: bool) -> None:
        self.multiline, self.plain, self.single, self.block = multiline, plain, single, block


def _analyze(value: str) -> _Analysis:
    if not value:
        return _Analysis(False, True, True, False)
    block_ind = flow_ind = line_breaks = special = False
    leading_space = leading_break = trailing_space = trailing_break = False
    break_space = space_break = previous_space = previous_break = False
    if value.startswith("---") or value.startswith("..."):
        block_ind = flow_ind = True
    preceded_by_ws = True
    n = len(value)
    for i, ch in enumerate(value):
        followed_by_ws = i + 1 >= n or value[i + 1] in " \t"
        if i == 0:
            if ch in "#,[]{}&*!|>'\"%@`":
                flow_ind = block_ind = True
            elif ch in "?:":
                flow_ind = True
                block_ind = block_ind or followed_by_ws
            elif ch == "-" and followed_by_ws:
                flow_ind = block_ind = True
        else:
            if ch in ",?[]{}":
                flow_ind = True
            elif ch == ":":
                flow_ind = True
                block_ind = block_ind or followed_by_ws
            elif ch == "#" and preceded_by_ws:
                flow_ind = block_ind = True
        if not _printable(ch):
            special = True
        if ch == " ":
            leading_space = leading_space or i == 0
            trailing_space = trailing_space or i == n - 1
            break_space = break_space or previous_break
            previous_space, previous_break = True, False
        elif ch in _BREAKS:
            line_breaks = True
            leading_break = leading_break or i == 0
            trailing_break = trailing_break or i == n - 1
            space_break = space_break or previous_space
            previous_space, previous_break = False, True
        else:
            previous_space = previous_break = False
        preceded_by_ws = ch in " \t" or ch in _BREAKS
    plain = single = block = True
    if leading_space or leading_break or trailing_space or trailing_break:
        plain = False
    if trailing_space:
        block = False
    if break_space:
        plain = single = False
    if space_break or special:
        plain = single = block = False
    if line_breaks or block_ind:
        plain = False
    return _Analysis(line_breaks, plain, single, block)


# --- writers --------------------------------------------------------------------------------


class _Out:
    """The emitter's output with its column, like libyaml's ``emitter.column``."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.column = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        newline = text.rfind("\n")
        self.column = len(text) - newline - 1 if newline >= 0 else self.column + len(text)

    def write_break(self, ch: str) -> None:
        """``write_break``: a newline, or the raw break character (NEL, LS, PS) with column 0."""
        self.parts.append(ch)
        self.column = 0

    def newline_indent(self, indent: int) -> None:
        """``yaml_emitter_write_indent``: a line break unless one was just written."""
        if self.column == 0 and self.parts and self.parts[-1][-1:] in _BREAKS:
            self.write(" " * indent)
        else:
            self.write("\n" + " " * indent)


def _write_plain(out: _Out, value: str, indent: int, allow_breaks: bool) -> None:
    spaces = False
    i, n = 0, len(value)
    while i < n:
        ch = value[i]
        if ch == " ":
            if allow_breaks and not spaces and out.column > BEST_WIDTH and (i + 1 < n and value[i + 1] != " "):
                out.newline_indent(indent)
            else:
                out.write(ch)
            spaces = True
        else:
            out.write(ch)
            spaces = False
        i += 1


def _write_single_quoted(out: _Out, value: str, indent: int, allow_breaks: bool) -> None:
    out.write("'")
    spaces = breaks = False
    n = len(value)
    for i, ch in enumerate(value):
        if ch == " ":
            if (allow_breaks and not spaces and out.column > BEST_WIDTH and 0 < i < n - 1
                    and value[i + 1] != " "):
                out.newline_indent(indent)
            else:
                out.write(ch)
            spaces = True
        elif ch in _BREAKS:
            if not breaks and ch == "\n":
                out.write_break("\n")
            out.write_break(ch)
            breaks = True
        else:
            if breaks:
                out.write(" " * indent)
            if ch == "'":
                out.write("'")
            out.write(ch)
            spaces = breaks = False
    out.write("'")


_ESCAPES = {
    "\0": "0", "\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f", "\r": "r",
    "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P",
}


def _write_double_quoted(out: _Out, value: str, indent: int, allow_breaks: bool) -> None:
    out.write('"')
    spaces = False
    n = len(value)
    for i, ch in enumerate(value):
        code = ord(ch)
        if not _printable(ch) or code == 0xFEFF or ch in _BREAKS or ch in '"\\':
            if ch in _ESCAPES:
                out.write("\\" + _ESCAPES[ch])
            elif code <= 0xFF:
                out.write(f"\\x{code:02X}")
            elif code <= 0xFFFF:
                out.write(f"\\u{code:04X}")
            else:
                out.write(f"\\U{code:08X}")
            spaces = False
        elif ch == " ":
            if allow_breaks and not spaces and out.column > BEST_WIDTH and i != 0 and i != n - 1:
                out.newline_indent(indent)
                if i + 1 < n and value[i + 1] == " ":
                    out.write("\\")
            else:
                out.write(ch)
            spaces = True
        else:
            out.write(ch)
            spaces = False
    out.write('"')


def _write_literal(out: _Out, value: str, indent: int) -> None:
    """A literal block scalar with go-yaml's indentation and chomping hints."""
    out.write("|")
    if value[0] in " " + _BREAKS:
        out.write(str(INDENT))
    if value[-1] not in _BREAKS:
        out.write("-")
    elif len(value) == 1 or value[-2] in _BREAKS:
        out.write("+")
    out.write("\n")
    breaks = True
    for ch in value:
        if ch in _BREAKS:
            out.write_break(ch)
            breaks = True
        else:
            if breaks:
                out.write(" " * indent)
                breaks = False
            out.write(ch)


_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_./=+-]+\Z")
_QUOTE_SAFE = re.compile(r"[A-Za-z0-9_./=+:-]*\Z")


def _write_string(out: _Out, value: str, indent: int, simple_key: bool) -> None:
    """Choose the scalar style as go-yaml v2 does and write the string."""
    if _QUOTE_SAFE.match(value):  # fast paths: no space, break, indicator or escape
        if resolves_to_non_string(value):
            out.write(f'"{value}"')
            return
        if _PLAIN_SAFE.match(value) and value != "-" and not value.startswith(("---", "...")):
            out.write(value)
            return
    analysis = _analyze(value)
    if resolves_to_non_string(value):
        style = "double"
    elif "\n" in value:
        style = "literal"
    else:
        style = "plain"
    if simple_key and analysis.multiline:
        style = "double"
    if style == "plain":
        if not analysis.plain or (not value and simple_key):
            style = "single"
    if style == "single" and not analysis.single:
        style = "double"
    if style == "literal" and (not analysis.block or simple_key):
        style = "double"
    allow_breaks = not simple_key
    if style == "plain":
        _write_plain(out, value, indent, allow_breaks)
    elif style == "single":
        _write_single_quoted(out, value, indent, allow_breaks)
    elif style == "double":
        _write_double_quoted(out, value, indent, allow_breaks)
    else:
        _write_literal(out, value, indent)


def _scalar_text(value) -> str | None:
    """The plain text of a non-string scalar, or None for strings and collections."""
    value = normalize_number(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = go_float(value)
        return {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(text, text)
    return None


# --- key order ------------------------------------------------------------------------------


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L")


def _natural_less(a: str, b: str) -> bool:
    """go-yaml v2 ``keyList.Less`` for two string keys."""
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        la, lb = _is_letter(ca), _is_letter(cb)
        if la and lb:
            return ca < cb
        if la or lb:
            return lb
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdigit():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdigit():
            an = an * 10 + int(a[ai])
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdigit():
            bn = bn * 10 + int(b[bi])
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(a) < len(b)


def _compare(x, y) -> int:
    if _natural_less(str(x), str(y)):
        return -1
    if _natural_less(str(y), str(x)):
        return 1
    return 0


_ORDER_CACHE: dict[tuple, list] = {}


def sorted_keys(mapping: dict) -> list:
    """The mapping's keys in go-yaml's order (cached per key set: objects repeat their shapes)."""
    from functools import cmp_to_key

    canonical = tuple(sorted(mapping, key=str))
    order = _ORDER_CACHE.get(canonical)
    if order is None:
        order = sorted(canonical, key=cmp_to_key(_compare))
        if len(_ORDER_CACHE) > 4096:
            _ORDER_CACHE.clear()
        _ORDER_CACHE[canonical] = order
    return order


# --- documents ------------------------------------------------------------------------------


def _emit_value_after_key(out: _Out, value, indent: int) -> None:
    """Emit a mapping value; the key and ``:`` are already written at ``indent``."""
    if isinstance(value, dict):
        if not value:
            out.write(" {}")
        else:
            _emit_mapping(out, value, indent + INDENT, inline=False)
        return
    if isinstance(value, (list, tuple)):
        if not value:
            out.write(" []")
        else:
            _emit_sequence(out, value, indent)
        return
    out.write(" ")
    _emit_scalar(out, value, indent + INDENT)


def _emit_scalar(out: _Out, value, indent: int) -> None:
    text = _scalar_text(value)
    if text is not None:
        out.write(text)
    else:
        _write_string(out, str(value), indent, simple_key=False)


def _is_simple_key(key) -> bool:
    """``yaml_emitter_check_simple_key``: at most 128 bytes and on one line."""
    if not isinstance(key, str):
        return True
    return len(key.encode()) <= 128 and not _analyze(key).multiline


def _emit_mapping(out: _Out, mapping: dict, indent: int, inline: bool) -> None:
    for index, key in enumerate(sorted_keys(mapping)):
        if not (inline and index == 0):
            out.newline_indent(indent)
        if not _is_simple_key(key):
            _emit_complex_entry(out, key, mapping[key], indent)
            continue
        key_text = _scalar_text(key) if not isinstance(key, str) else None
        if key_text is not None:
            out.write(key_text)
        else:
            _write_string(out, key, indent, simple_key=True)
        out.write(":")
        _emit_value_after_key(out, mapping[key], indent)


def _emit_complex_entry(out: _Out, key: str, value, indent: int) -> None:
    """A key too long (or multi-line) for ``key: value``: ``? key`` then ``: value``."""
    out.write("? ")
    _write_string(out, key, indent + INDENT, simple_key=False)
    out.newline_indent(indent)
    out.write(":")
    if isinstance(value, dict) and value:
        out.write(" ")
        _emit_mapping(out, value, indent + INDENT, inline=True)
    elif isinstance(value, (list, tuple)) and value:
        out.write(" ")
        _emit_nested_sequence(out, value, indent + INDENT)
    else:
        _emit_value_after_key(out, value, indent)


def _emit_sequence(out: _Out, items, indent: int) -> None:
    for item in items:
        out.newline_indent(indent)
        out.write("-")
        if isinstance(item, dict):
            if not item:
                out.write(" {}")
            else:
                out.write(" ")
                _emit_mapping(out, item, indent + INDENT, inline=True)
        elif isinstance(item, (list, tuple)):
            if not item:
                out.write(" []")
            else:
                out.write(" ")
                _emit_nested_sequence(out, item, indent + INDENT)
        else:
            out.write(" ")
            _emit_scalar(out, item, indent + INDENT)


def _emit_nested_sequence(out: _Out, items, indent: int) -> None:
    """A sequence directly inside a sequence item: ``- - a`` then ``  - b``."""
    for index, item in enumerate(items):
        if index:
            out.newline_indent(indent)
        out.write("-")
        if isinstance(item, dict) and item:
            out.write(" ")
            _emit_mapping(out, item, indent + INDENT, inline=True)
        elif isinstance(item, (list, tuple)) and item:
            out.write(" ")
            _emit_nested_sequence(out, item, indent + INDENT)
        elif isinstance(item, dict):
            out.write(" {}")
        elif isinstance(item, (list, tuple)):
            out.write(" []")
        else:
            out.write(" ")
            _emit_scalar(out, item, indent + INDENT)


class YAMLError(ValueError):
    """go-yaml refused the document; ``str()`` is its message (``yaml: control characters ...``)."""


# Characters go-yaml's reader rejects in the JSON text it is handed (JSON escapes C0 controls).
_UNREADABLE = re.compile("[\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_NEL_RUN = re.compile(r"[ \t]*(?:\x85[ \t]*)+")


def _fold_nel(text: str) -> str:
    """A raw NEL (U+0085) survives Go's JSON encoding, and go-yaml then reads it as a line break
    inside a double-quoted scalar and folds it: one break becomes a space, n breaks n-1 newlines."""
    def fold(match: re.Match) -> str:
        breaks = match.group(0).count("\x85")
        return " " if breaks == 1 else "\n" * (breaks - 1)

    return _NEL_RUN.sub(fold, text)


def _as_go_yaml_reads_it(value):
    """The value as go-yaml sees it after sigs.k8s.io/yaml's ``JSONToYAML``: refuses what its
    reader refuses, folds NEL; everything else is returned as is (no copy)."""
    if isinstance(value, str):
        if _UNREADABLE.search(value):
            raise YAMLError("yaml: control characters are not allowed")
        return _fold_nel(value) if "\x85" in value else value
    if isinstance(value, dict):
        changed = False
        result = {}
        for key, item in value.items():
            new_key, new_item = _as_go_yaml_reads_it(key), _as_go_yaml_reads_it(item)
            changed = changed or new_key is not key or new_item is not item
            result[new_key] = new_item
        return result if changed else value
    if isinstance(value, (list, tuple)):
        items = [_as_go_yaml_reads_it(item) for item in value]
        return items if any(a is not b for a, b in zip(items, value)) else value
    return value


def dump(obj) -> str:
    """One YAML document, as ``yaml.Marshal`` (sigs.k8s.io/yaml) returns it.

    Raises :class:`YAMLError` where kubectl fails (``error: yaml: control characters are not
    allowed`` for a string holding DEL or a C1 control character).
    """
    obj = _as_go_yaml_reads_it(obj)
    out = _Out()
    if isinstance(obj, dict):
        if not obj:
            return "{}\n"
        _emit_mapping(out, obj, 0, inline=True)
    elif isinstance(obj, (list, tuple)):
        if not obj:
            return "[]\n"
        _emit_sequence(out, obj, 0)
        text = "".join(out.parts)
        return text.lstrip("\n") + "\n"
    else:
        _emit_scalar(out, obj, 0)
    return "".join(out.parts) + "\n"
