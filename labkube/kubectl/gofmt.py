"""Go's ``fmt`` printing of the values a Go template sees, for ``-o go-template``.

kubectl hands a template the object after a JSON round trip through
k8s.io/apimachinery/pkg/util/json, so a template only ever meets these Go types, which labkube
models with Python values:

=====================  ==============================  ==============================
Go type                Python value                    printed by ``%v``
=====================  ==============================  ==============================
``int64`` (JSON int)   :class:`Int64` (an ``int``)     ``3``
``int`` (``len``, 3)   ``int``                         ``3``
``uint8`` (a byte)     :class:`Uint8` (an ``int``)     ``104``
``float64``            ``float``                       ``1.5``, ``2.5e+09``, ``1.2e-05``
``string``             ``str``                         as is
``bool``               ``bool``                        ``true``
``map[string]any``     ``dict``                        ``map[a:1 b:x]`` (keys sorted)
``[]any``              ``list``                        ``[1 a <nil>]``
nil                    ``None``                        ``<nil>``
=====================  ==============================  ==============================

:func:`sprint`, :func:`sprintln` and :func:`sprintf` mirror ``fmt.Sprint``, ``fmt.Sprintln``
and ``fmt.Sprintf`` for these types, with fmt's own complaints in the output
(``%!d(string=web)``, ``%!s(MISSING)``, ``%!(EXTRA int64=3)``). Not modelled: argument indexes
(``%[2]d``) and ``%b``/``%x`` of floats.
"""

from __future__ import annotations

import dataclasses
import struct
from dataclasses import dataclass

from labkube.kubectl.printers.format import go_float

__all__ = ["Int64", "Uint8", "go_type", "sprint", "sprintln", "sprintf", "quote"]


class Int64(int):
    """A JSON integer as kubectl's decoder gives it to a template: Go's ``int64``."""


class Uint8(int):
    """A byte of a string (``index "abc" 0``): Go's ``uint8``."""


def go_type(value) -> str:
    """The Go type's name, as ``%T`` and fmt's complaints print it."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Int64):
        return "int64"
    if isinstance(value, Uint8):
        return "uint8"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    return type(value).__name__


# --- flags and padding --------------------------------------------------------------------------


@dataclass
class Flags:
    """One directive's flags: ``%-+# 0WIDTH.PRECverb``."""

    minus: bool = False
    plus: bool = False
    sharp: bool = False
    space: bool = False
    zero: bool = False
    sharp_v: bool = False  # %#v: Go syntax (the # of other verbs is ``sharp``)
    width: int | None = None
    precision: int | None = None


def _pad(text: str, flags: Flags, *, numeric: bool = False) -> str:
    if flags.width is None or len(text) >= flags.width:
        return text
    fill = flags.width - len(text)
    if flags.minus:
        return text + " " * fill
    if flags.zero and numeric and text[:1] in "+- ":
        return text[0] + "0" * fill + text[1:]
    return ("0" if flags.zero else " ") * fill + text


def _sign(text: str, negative: bool, flags: Flags) -> str:
    if negative:
        return "-" + text
    if flags.plus:
        return "+" + text
    if flags.space:
        return " " + text
    return text


# --- one value --------------------------------------------------------------------------------


def _bad_verb(verb: str, value, flags: Flags | None = None) -> str:
    """``%!d(string=web)``: the operand printed with ``%v`` under the same width and flags."""
    if value is None:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({go_type(value)}={format_value(value, 'v', flags or Flags())})"


def format_value(value, verb: str, flags: Flags, depth: int = 0) -> str:
    """``printArg``/``printValue``: one operand under one verb (maps and slices element-wise)."""
    if verb == "T":
        return _pad("<nil>" if value is None else go_type(value)[:flags.precision], flags)
    if verb == "v" and flags.sharp_v and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return _pad(go_syntax(value) if depth == 0 or value is not None else "interface {}(nil)", flags)
    if value is None:
        if depth or verb == "v":
            return _pad("<nil>", flags) if not depth else "<nil>"
        return _bad_verb(verb, value, flags)
    if isinstance(value, bool):
        return _pad("true" if value else "false", flags) if verb in "tv" else _bad_verb(verb, value, flags)
    if isinstance(value, int):
        return _format_int(value, verb, flags)
    if isinstance(value, float):
        return _format_float(value, verb, flags)
    if isinstance(value, str):
        return _format_string(value, verb, flags)
    if isinstance(value, dict):
        inner = " ".join(f"{format_value(k, verb, flags, depth + 1)}:{format_value(value[k], verb, flags, depth + 1)}"
                         for k in sorted(value))
        return f"map[{inner}]"
    if isinstance(value, list):
        return "[" + " ".join(format_value(v, verb, flags, depth + 1) for v in value) + "]"
    return _pad(str(value), flags)


def _format_int(value: int, verb: str, flags: Flags) -> str:
    if verb in "vd":
        digits, prefix = str(abs(value)), ""
    elif verb in "xX":
        digits = format(abs(value), "x" if verb == "x" else "X")
        prefix = ("0x" if verb == "x" else "0X") if flags.sharp else ""
    elif verb == "o":
        digits, prefix = format(abs(value), "o"), ""
        if flags.sharp:
            digits = "0" + digits
    elif verb == "O":
        digits, prefix = format(abs(value), "o"), "0o"
    elif verb == "b":
        digits, prefix = format(abs(value), "b"), "0b" if flags.sharp else ""
    elif verb == "c":
        return _pad(_rune(value), flags)
    elif verb == "q":
        return _pad(quote(_rune(value), "'", ascii_only=flags.plus), flags)
    elif verb == "U":
        text = f"U+{value:04X}" if value >= 0 else f"U+{value & 0xFFFFFFFFFFFFFFFF:04X}"
        if flags.sharp and 0 <= value <= 0x10FFFF and _rune(value).isprintable():
            text += f" '{_rune(value)}'"
        return _pad(text, flags)
    else:
        return _bad_verb(verb, value, flags)
    if flags.precision is not None:
        if flags.precision == 0 and value == 0:
            return " " * (flags.width or 0)
        digits = digits.rjust(flags.precision, "0")
    elif flags.zero and not flags.minus and flags.width is not None:
        sign_width = 1 if (value < 0 or flags.plus or flags.space) else 0
        digits = digits.rjust(flags.width - sign_width, "0")
    return _pad(_sign(prefix + digits, value < 0, flags), dataclasses.replace(flags, zero=False))


def _rune(value: int) -> str:
    return chr(value) if 0 <= value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else "\ufffd"


def _format_float(value: float, verb: str, flags: Flags) -> str:
    """``fmtFloat``: strconv's digits for the verb, then ``#``, the sign and the padding."""
    if verb not in "vbgGeEfFxX":
        return _bad_verb(verb, value, flags)
    negative = value < 0 or (value == 0 and str(value).startswith("-"))
    magnitude = abs(value)
    if value != value or magnitude == float("inf"):
        text = "NaN" if value != value else "Inf"
        sign = "-" if value < 0 else "+" if flags.plus else " " if flags.space else "" if text == "NaN" else ""
        return _pad(sign + text, dataclasses.replace(flags, zero=False))
    digits = _float_digits(magnitude, "g" if verb == "v" else verb, flags.precision)
    if flags.sharp and verb != "b":
        digits = _sharp_float(digits, verb, flags.precision)
    sign = "-" if negative else "+" if flags.plus else " " if flags.space else ""
    if flags.zero and not flags.minus and flags.width is not None:
        return sign + digits.rjust(flags.width - len(sign), "0")
    return _pad(sign + digits, flags)


def _float_digits(magnitude: float, verb: str, precision: int | None) -> str:
    """``strconv.FormatFloat(v, verb, prec, 64)`` of a non-negative finite number."""
    if verb in "gG":
        text = go_float(magnitude) if precision is None else f"%.{max(precision, 1)}g" % magnitude
        return text.upper() if verb == "G" else text
    if verb in "eEfF":
        return f"%.{6 if precision is None else precision}{verb.lower() if verb == 'F' else verb}" % magnitude
    if verb == "b":
        bits = struct.unpack(">Q", struct.pack(">d", magnitude))[0]
        exponent, mantissa = (bits >> 52) & 0x7FF, bits & ((1 << 52) - 1)
        if exponent:
            mantissa |= 1 << 52
        return f"{mantissa}p{(exponent or 1) - 1075:+d}"
    return _hex_float(magnitude, verb, precision)


def _hex_float(magnitude: float, verb: str, precision: int | None) -> str:
    """``%x`` of a float: ``0x1.4p+01`` (shortest mantissa, two-digit exponent)."""
    if magnitude == 0:
        mantissa, exponent = "0", 0
    else:
        text = magnitude.hex()  # 0x1.4000000000000p+1
        head, _, exp = text[2:].partition("p")
        lead, _, fraction = head.partition(".")
        exponent = int(exp)
        if lead == "0":  # a subnormal: normalise to 1.xxx
            bits = int(fraction, 16)
            shift = 52 - bits.bit_length() + 1
            bits = (bits << shift) & ((1 << 52) - 1)
            exponent -= shift
            fraction = f"{bits:013x}"
        fraction = fraction.rstrip("0")
        if precision is not None:
            value = int(("1" + fraction.ljust(13, "0")), 16)
            keep = 4 * (13 - precision) if precision < 13 else 0
            if keep:
                half = 1 << (keep - 1)
                remainder = value & ((1 << keep) - 1)
                value >>= keep
                if remainder > half or (remainder == half and value & 1):
                    value += 1
                if value >> (4 * precision) >= 2:
                    value >>= 1
                    exponent += 1
            fraction = f"{value:x}"[1:].ljust(precision, "0") if precision else ""
        mantissa = "1" + ("." + fraction if fraction else "")
    text = f"0x{mantissa}p{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    return text.upper() if verb == "X" else text


def _sharp_float(num: str, verb: str, precision: int | None) -> str:
    """The ``#`` flag: always a decimal point; ``%#g`` keeps trailing zeros to the precision."""
    digits = (6 if precision is None else precision) if verb in "vgGxX" else 0
    tail = ""
    for marker in ("p", "P") + (("e", "E") if verb not in "xX" else ()):
        if marker in num:
            num, tail = num[:num.index(marker)], num[num.index(marker):]
            break
    seen_nonzero = False
    for ch in num:  # as Go counts: the x of 0x counts as a digit
        if ch == ".":
            continue
        seen_nonzero = seen_nonzero or ch != "0"
        if seen_nonzero:
            digits -= 1
    if "." not in num:
        if num == "0":
            digits -= 1
        num += "."
    return num + "0" * max(digits, 0) + tail


def _format_string(value: str, verb: str, flags: Flags) -> str:
    if verb in "vs":
        text = value if flags.precision is None else value[:flags.precision]
        return _pad(text, flags)
    if verb == "q":
        text = value if flags.precision is None else value[:flags.precision]
        if flags.sharp and "`" not in text and all(c == "\t" or c.isprintable() for c in text):
            return _pad(f"`{text}`", flags)
        return _pad(quote(text, ascii_only=flags.plus), flags)
    if verb in "xX":
        data = value.encode("utf-8", "surrogateescape")
        if flags.precision is not None:
            data = data[:flags.precision]
        form = "x" if verb == "x" else "X"
        prefix = ("0x" if verb == "x" else "0X") if flags.sharp else ""
        if flags.space:
            text = " ".join(prefix + format(b, "02" + form) for b in data)
        else:
            text = (prefix if data else "") + "".join(format(b, "02" + form) for b in data)
        return _pad(text, flags)
    return _bad_verb(verb, value, flags)


# --- quoting ---------------------------------------------------------------------------------

_QUOTE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                  "\v": "\\v", "\\": "\\\\"}


def quote(text: str, quote_char: str = '"', ascii_only: bool = False) -> str:
    """``strconv.Quote``: Go escapes, printable runes kept (``QuoteToASCII`` with ``ascii_only``)."""
    out = [quote_char]
    for ch in text:
        code = ord(ch)
        if ch == quote_char:
            out.append("\\" + ch)
        elif ch in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[ch])
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch.isprintable() and (code < 0x80 or not ascii_only):
            out.append(ch)
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append(quote_char)
    return "".join(out)


def go_syntax(value) -> str:
    """``%#v``: Go-syntax representation of a JSON value."""
    if value is None:
        return "<nil>"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        inner = ", ".join(f"{quote(k)}:{'interface {}(nil)' if value[k] is None else go_syntax(value[k])}"
                          for k in sorted(value))
        return "map[string]interface {}{" + inner + "}"
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join("interface {}(nil)" if v is None else go_syntax(v) for v in value) + "}"
    if isinstance(value, float):
        return go_float(value)
    return str(value)


# --- Sprint, Sprintln, Sprintf ---------------------------------------------------------------------


def sprint(*args) -> str:
    """``fmt.Sprint``: a space between operands when neither is a string."""
    out = []
    for index, arg in enumerate(args):
        if index and not isinstance(arg, str) and not isinstance(args[index - 1], str):
            out.append(" ")
        out.append(format_value(arg, "v", Flags()))
    return "".join(out)


def sprintln(*args) -> str:
    """``fmt.Sprintln``: spaces between all operands and a newline."""
    return " ".join(format_value(arg, "v", Flags()) for arg in args) + "\n"


def _read_number(fmt: str, i: int) -> tuple[int | None, int]:
    start = i
    while i < len(fmt) and fmt[i].isdigit():
        i += 1
    return (int(fmt[start:i]) if i > start else None), i


def _star(args: list, used: int) -> tuple[int | None, int, bool]:
    """A ``*`` width or precision: the next argument, which must be an int."""
    if used < len(args) and isinstance(args[used], int) and not isinstance(args[used], bool):
        return int(args[used]), used + 1, True
    return None, used + (1 if used < len(args) else 0), False


_FLAG_NAMES = {"-": "minus", "+": "plus", "#": "sharp", " ": "space", "0": "zero"}


def _directive(fmt: str, i: int, args: list, used: int, out: list[str]) -> tuple[Flags, int, int]:
    """Read ``[flags][width][.precision]`` at ``fmt[i]`` (``*`` takes an argument): the flags,
    the index of the verb and how many arguments are used now."""
    flags = Flags()
    while i < len(fmt) and fmt[i] in _FLAG_NAMES:
        setattr(flags, _FLAG_NAMES[fmt[i]], True)
        i += 1
    if fmt[i:i + 1] == "*":
        flags.width, used, ok = _star(args, used)
        i += 1
        if not ok:
            out.append("%!(BADWIDTH)")
        elif flags.width is not None and flags.width < 0:
            flags.minus, flags.width = True, -flags.width
    else:
        flags.width, i = _read_number(fmt, i)
    if fmt[i:i + 1] == ".":
        i += 1
        if fmt[i:i + 1] == "*":
            flags.precision, used, ok = _star(args, used)
            i += 1
            if not ok:
                out.append("%!(BADPREC)")
            elif flags.precision is not None and flags.precision < 0:
                flags.precision = None
        else:
            precision, i = _read_number(fmt, i)
            flags.precision = precision or 0
    return flags, i, used


def sprintf(fmt: str, args: list) -> str:
    """``fmt.Sprintf`` for a template's values."""
    out: list[str] = []
    used, i = 0, 0
    while i < len(fmt):
        percent = fmt.find("%", i)
        if percent < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:percent])
        flags, i, used = _directive(fmt, percent + 1, args, used, out)
        if i >= len(fmt):
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "v":  # %+v and %#v are flags of the verb, not a sign or an alternate form
            flags.sharp_v, flags.sharp, flags.plus = flags.sharp, False, False
        if verb == "%":
            out.append("%")
        elif used >= len(args):
            out.append(f"%!{verb}(MISSING)")
        else:
            flags.zero = flags.zero and not flags.minus
            out.append(format_value(args[used], verb, flags))
            used += 1
    if used < len(args):
        extra = ", ".join("<nil>" if a is None else f"{go_type(a)}={format_value(a, 'v', Flags())}"
                          for a in args[used:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)
