r"""String formats and regular expressions, as a CRD's schema checks them.

Mirrors the formats apiextensions-apiserver keeps (pkg/apiserver/validation/formats.go,
``supportedFormats``; any other format is stripped from the schema and ignored) with the checks
of kube-openapi's ``strfmt.Default`` registry, and Go's ``regexp.Compile`` for ``pattern``.
In 1.32 only these string formats survive; ``int32``, ``int64``, ``float`` and ``double`` are
stripped too (later releases keep them: kubernetes/kubernetes#136582), and ``quantity`` is not yet
a format.

Patterns run on Python's ``re`` with ASCII classes, as RE2's ``\d``/``\w``/``\s`` are. RE2
refuses look-arounds and back-references, so they are refused here with Go's words; the common
syntax errors are reworded as Go's ``regexp/syntax`` prints them (``missing argument to
repetition operator: `+```); rarer ones keep Python's wording. The format checks follow strfmt's
rules closely for the formats CRDs use (date-time, date, duration, uuid, ipv4/ipv6/cidr, mac,
hostname, email, uri, byte) and approximately for the rest (isbn, creditcard, ssn,
hexcolor, rgbcolor, bsonobjectid).
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import functools
import ipaddress
import re
from typing import Optional


# -- regular expressions (regexp.Compile) --------------------------------------------------


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> tuple[Optional[re.Pattern], str]:
    """Compile a schema pattern; on failure, Go's ``regexp.Compile`` error text."""
    unsupported = re.search(r"\(\?<?[=!]|\(\?<[A-Za-z]", pattern)
    if unsupported:
        return None, f"error parsing regexp: invalid or unsupported Perl syntax: `{unsupported.group(0)}`"
    backref = re.search(r"\\[1-9Z]", pattern)
    if backref:
        return None, f"error parsing regexp: invalid escape sequence: `{backref.group(0)}`"
    try:
        return re.compile(pattern.replace(r"\z", r"\Z"), re.ASCII), ""
    except (re.error, RecursionError, OverflowError) as err:
        return None, _go_regexp_error(pattern, err)


def _go_regexp_error(pattern: str, err: Exception) -> str:
    """Python's ``re.error`` reworded as Go's ``regexp/syntax`` error."""
    text = str(getattr(err, "msg", err))
    pos = getattr(err, "pos", None) or 0
    if text.startswith("nothing to repeat") or text.startswith("multiple repeat"):
        what = "missing argument to repetition operator" if text.startswith("nothing") \
            else "invalid nested repetition operator"
        return f"error parsing regexp: {what}: `{pattern[pos:pos + 1] or pattern}`"
    if text.startswith("missing )"):
        return f"error parsing regexp: missing closing ): `{pattern}`"
    if text.startswith("unterminated character set"):
        return f"error parsing regexp: missing closing ]: `{pattern[pos:]}`"
    if text.startswith("unbalanced parenthesis"):
        return f"error parsing regexp: unexpected ): `{pattern}`"
    if text.startswith("bad escape"):
        return f"error parsing regexp: invalid escape sequence: `{pattern[pos:pos + 2]}`"
    return f"error parsing regexp: {text}: `{pattern}`"


# -- formats (strfmt.Default, as apiextensions keeps them) ---------------------------------

_UUID = r"[0-9a-f]{8}-?[0-9a-f]{4}-?{v}[0-9a-f]{3}-?{n}[0-9a-f]{3}-?[0-9a-f]{12}"


_RGB_PART = r"\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*"


_TIME_OF_DAY = re.compile(r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$")


_HOSTNAME = re.compile(r"^([a-zA-Z0-9]((-?[a-zA-Z0-9]{0,62})?)|([a-zA-Z0-9](([a-zA-Z0-9-]{0,61}"
                       r"[a-zA-Z0-9])?)(\.)){1,}([a-zA-Z]){2,63})$")


_SCALA_DURATION = re.compile(r"((\d+)\s*([A-Za-zµ]+))")


_GO_DURATION = re.compile(r"^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$|^[-+]?0$")


_SCALA_UNITS = {"ns", "nano", "nanos", "nanosecond", "nanoseconds", "us", "µs", "micro", "micros",
                "microsecond", "microseconds", "ms", "milli", "millis", "millisecond",
                "milliseconds", "s", "sec", "secs", "second", "seconds", "m", "min", "mins",
                "minute", "minutes", "h", "hr", "hour", "hours", "d", "day", "days", "w", "wk",
                "week", "weeks"}


def _is_date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_date_time(text: str) -> bool:
    """``strfmt.IsDateTime``: a full date, ``t``, then a time of day with a zone."""
    parts = text.lower().split("t")
    if len(text) < 4 or len(parts) < 2 or not _is_date(parts[0]):
        return False
    match = _TIME_OF_DAY.match(parts[1])
    if match is None:
        return False
    return match.group(1) <= "23" and match.group(2) <= "59" and match.group(3) <= "59"


def _is_mac(text: str) -> bool:
    """``net.ParseMAC``: 6, 8 or 20 octets, ``:``/``-`` separated pairs or ``.`` quads."""
    for sep in ":-":
        parts = text.split(sep)
        if len(parts) in (6, 8, 20) and all(re.fullmatch(r"[0-9a-fA-F]{2}", p) for p in parts):
            return True
    parts = text.split(".")
    return len(parts) in (3, 4, 10) and all(re.fullmatch(r"[0-9a-fA-F]{4}", p) for p in parts)


def _is_ip(text: str, separator: str) -> bool:
    """``strfmt.IsIPv4``/``IsIPv6``: ``net.ParseIP`` accepts it and it has a ``.``/``:``."""
    if "%" in text:
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return separator in text


def _is_cidr(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return "/" in text


def _is_uri(text: str) -> bool:
    """``url.ParseRequestURI``: an absolute URI or an absolute path."""
    if text.startswith("/"):
        return " " not in text
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S*$", text))


def _is_email(text: str) -> bool:
    address = re.fullmatch(r"(?:[^<>]*<)?([^<>@\s]+@[^<>@\s]+)>?", text.strip())
    return address is not None and not address.group(1).endswith(".")


def _isbn10(digits: str) -> bool:
    if not re.fullmatch(r"\d{9}[\dX]", digits):
        return False
    total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
    return total % 11 == 0


def _isbn13(digits: str) -> bool:
    if not re.fullmatch(r"\d{13}", digits):
        return False
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(digits))
    return total % 10 == 0


def _isbn_digits(text: str) -> str:
    return re.sub(r"[\s-]", "", text)


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _is_duration(text: str) -> bool:
    """``strfmt.ParseDuration``: Go's ``time.ParseDuration``, else ``<n> <unit>`` groups."""
    if _GO_DURATION.match(text):
        return True
    groups = _SCALA_DURATION.findall(text)
    return bool(groups) and all(unit.lower() in _SCALA_UNITS for _, _, unit in groups)


STRING_FORMATS = {
    "bsonobjectid": lambda t: bool(re.fullmatch(r"[0-9a-fA-F]{24}", t)),
    "uri": _is_uri,
    "email": _is_email,
    "hostname": lambda t: len(t) <= 255 and bool(_HOSTNAME.match(t)),
    "ipv4": lambda t: _is_ip(t, "."),
    "ipv6": lambda t: _is_ip(t, ":"),
    "cidr": _is_cidr,
    "mac": _is_mac,
    "uuid": lambda t: bool(re.fullmatch(_UUID.replace("{v}", "[0-9a-f]").replace("{n}", "[0-9a-f]"), t, re.I)),
    "uuid3": lambda t: bool(re.fullmatch(_UUID.replace("{v}", "3").replace("{n}", "[0-9a-f]"), t, re.I)),
    "uuid4": lambda t: bool(re.fullmatch(_UUID.replace("{v}", "4").replace("{n}", "[89ab]"), t, re.I)),
    "uuid5": lambda t: bool(re.fullmatch(_UUID.replace("{v}", "5").replace("{n}", "[89ab]"), t, re.I)),
    "isbn": lambda t: _isbn10(_isbn_digits(t)) or _isbn13(_isbn_digits(t)),
    "isbn10": lambda t: _isbn10(_isbn_digits(t)),
    "isbn13": lambda t: _isbn13(_isbn_digits(t)),
    "creditcard": lambda t: bool(re.fullmatch(
        r"(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}"
        r"|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})", re.sub(r"\D", "", t))),
    "ssn": lambda t: bool(re.fullmatch(r"\d{3}[- ]?\d{2}[- ]?\d{4}", t)),
    "hexcolor": lambda t: bool(re.fullmatch(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", t)),
    "rgbcolor": lambda t: bool(re.fullmatch(rf"rgb\({_RGB_PART},{_RGB_PART},{_RGB_PART}\)", t)),
    "byte": _is_base64,
    "password": lambda t: True,
    "date": _is_date,
    "duration": _is_duration,
    "datetime": _is_date_time,
}
