"""Resource quantities ("100m", "128Mi", "1.5", "2e3"), exactly as Kubernetes reads and prints them.

Mirrors k8s.io/apimachinery/pkg/api/resource (``ParseQuantity``, ``Quantity.String``,
``CanonicalizeBytes``). A quantity is a signed decimal number with an optional suffix:

* decimal SI: ``n u m "" k M G T P E`` (10^-9 ... 10^18),
* binary SI: ``Ki Mi Gi Ti Pi Ei`` (2^10 ... 2^60),
* a decimal exponent: ``e3``, ``E-2``.

Guarantees: values are exact (a :class:`~fractions.Fraction`), rounded *up* to the nano unit as
Kubernetes does; ``str()`` is Kubernetes' canonical form (``"0.5"`` -> ``"500m"``,
``"1536Mi"`` stays, ``"1.5Gi"`` -> ``"1536Mi"``), including Kubernetes' habit of keeping the
caller's text when it is already canonical; errors carry Kubernetes' messages.
A :class:`Quantity` is immutable, so :func:`parse_quantity` memoizes its answers by text (a
bounded cache: a pod create reads the same few texts, "100m" and "64Mi", many times over).

    >>> str(parse_quantity("0.5")), parse_quantity("250m").milli, str(parse_quantity("1.5Gi"))
    ('500m', 250, '1536Mi')
"""

from __future__ import annotations

from fractions import Fraction
from functools import total_ordering
from math import ceil

REGEX = r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
ERR_FORMAT_WRONG = f"quantities must match the regular expression '{REGEX}'"
ERR_NUMERIC = "unable to parse numeric part of quantity"
ERR_SUFFIX = "unable to parse quantity's suffix"

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12,
                     "P": 15, "E": 18}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_BY_EXPONENT = {v: k for k, v in _DECIMAL_SUFFIXES.items()}
_BINARY_BY_EXPONENT = {0: "", **{v: k for k, v in _BINARY_SUFFIXES.items()}}
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_DIGITS = frozenset("0123456789")
_NANO = Fraction(1, 10**9)
_MAX_INT64 = 2**63 - 1
_MAX_ALLOWED = Fraction(_MAX_INT64)  # BinarySI values are capped here


@total_ordering
class Quantity:
    """An exact quantity with its format (``DecimalSI``, ``BinarySI``, ``DecimalExponent``).

    Immutable (parsed quantities are shared through :func:`parse_quantity`'s cache)."""

    __slots__ = ("amount", "format", "_text")

    def __init__(self, amount: Fraction | int, format: str = DECIMAL_SI, text: str | None = None):
        init = object.__setattr__
        init(self, "amount", amount if type(amount) is Fraction else Fraction(amount))
        init(self, "format", format)
        init(self, "_text", text)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Quantity is immutable (cannot set {name!r})")

    def __reduce__(self):  # copy, deepcopy and pickle rebuild through __init__
        return (Quantity, (self.amount, self.format, self._text))

    # -- numbers ------------------------------------------------------------
    def value(self) -> int:
        """``Value()``: the amount rounded up to an integer."""
        return ceil(self.amount)

    @property
    def milli(self) -> int:
        """``MilliValue()``: the amount in thousandths, rounded up (``"100m"`` -> 100)."""
        return ceil(self.amount * 1000)

    def is_zero(self) -> bool:
        return self.amount.numerator == 0

    def is_whole_milli(self) -> bool:
        """True when the amount is a whole number of thousandths (no rounding at milli)."""
        return 1000 % self.amount.denominator == 0  # n/d in lowest terms: 1000n/d whole iff d | 1000

    def is_negative(self) -> bool:
        return self.amount.numerator < 0  # a Fraction's sign is its numerator's

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Quantity):
            return self.amount == other.amount
        return NotImplemented

    def __lt__(self, other: "Quantity") -> bool:
        return self.amount < other.amount

    def __hash__(self) -> int:
        return hash(self.amount)

    def __add__(self, other: "Quantity") -> "Quantity":
        return Quantity(self.amount + other.amount, self.format)

    def __sub__(self, other: "Quantity") -> "Quantity":
        return Quantity(self.amount - other.amount, self.format)

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"

    # -- text ---------------------------------------------------------------
    def __str__(self) -> str:
        if self._text is None:  # computed once: the text is a pure function of the value
            number, suffix = canonical_parts(self.amount, self.format)
            object.__setattr__(self, "_text", number + suffix)
        return self._text


def _int_or_zero(text: str) -> int:
    return int(text) if text else 0


def _split(text: str) -> tuple[bool, str, str, str, str]:
    """``parseQuantityString``: (positive, value, numerator, denominator, suffix)."""
    positive, pos, end = True, 0, len(text)
    if text[0] in "+-":
        positive = text[0] != "-"
        pos = 1
    while pos < end and text[pos] == "0":
        pos += 1
    if pos >= end:
        return positive, "0", "0", "", ""
    start = pos
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    num = text[start:pos] or "0"
    denom = ""
    if pos < end and text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        denom = text[start:pos]
    value = text[:pos]
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end:
        raise ValueError(ERR_FORMAT_WRONG)
    return positive, value, num, denom, text[suffix_start:]


def _interpret(suffix: str) -> tuple[int, int, str]:
    """(base, exponent, format) of a suffix, or ERR_SUFFIX."""
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix], DECIMAL_SI
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        exponent = suffix[1:]
        digits = exponent[1:] if exponent[0] in "+-" else exponent
        if digits and set(digits) <= _DIGITS:
            return 10, int(exponent), DECIMAL_EXPONENT
    raise ValueError(ERR_SUFFIX)


def _fast_path(positive: bool, base: int, exponent: int, fmt: str, num: str, denom: str,
               text: str) -> Quantity | None:
    """Kubernetes' int64 fast path; it keeps the caller's text when that is already canonical."""
    if fmt == BINARY_SI:
        if exponent < 0 or denom:
            return None
        precision, scale, multiplier = 15 - len(num) - int(exponent * 3 / 10) - 1, 0, 2**exponent
    else:
        precision, scale, multiplier = 18 - (len(num) + len(denom)), exponent - len(denom), 1
    if precision < 0 or scale < -9:
        return None
    shifted = num + denom
    value = int(shifted)
    if value > _MAX_INT64:
        raise ValueError(ERR_NUMERIC)
    result = value * multiplier
    if result > _MAX_INT64:
        return None
    amount = Fraction(result if positive else -result) * Fraction(10) ** scale
    if fmt == BINARY_SI:
        keep = exponent % 10 == 0 and value & 7 != 0
    else:
        keep = scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
    return Quantity(amount, fmt, text if keep else None)


_CACHE_SIZE = 4096
_cache: dict[str, Quantity] = {}


def parse_quantity(text: str) -> Quantity:
    """``resource.ParseQuantity``: raise ValueError with Kubernetes' message on bad input.

    Answers are memoized by text (Quantity is immutable, so sharing one is safe); the cache is
    bounded and simply starts over when full -- the texts in a cluster are few."""
    cached = _cache.get(text) if type(text) is str else None
    if cached is not None:
        return cached
    quantity = _parse(text)
    if len(_cache) >= _CACHE_SIZE:
        _cache.clear()
    _cache[text] = quantity
    return quantity


def _parse(text: str) -> Quantity:
    if not isinstance(text, str) or not text:
        raise ValueError(ERR_FORMAT_WRONG)
    if text == "0":
        return Quantity(0, DECIMAL_SI, "0")
    positive, value, num, denom, suffix = _split(text)
    base, exponent, fmt = _interpret(suffix)
    fast = _fast_path(positive, base, exponent, fmt, num, denom, text)
    if fast is not None:
        return fast
    digits = value.lstrip("+-")
    if not digits.replace(".", "", 1).isdigit():
        raise ValueError(ERR_NUMERIC)
    amount = Fraction(digits)
    amount *= Fraction(10) ** exponent if base == 10 else 2**exponent
    amount = _round_up_to_nano(amount)
    if fmt == BINARY_SI and amount > _MAX_ALLOWED:
        amount = _MAX_ALLOWED
    if fmt == BINARY_SI and 0 < amount < 1:
        fmt = DECIMAL_SI
    return Quantity(amount if positive else -amount, fmt)


def _round_up_to_nano(amount: Fraction) -> Fraction:
    if amount.denominator == 1 or (amount / _NANO).denominator == 1:
        return amount
    return Fraction(ceil(amount / _NANO)) * _NANO


def _strip_factors(value: int, base: int) -> tuple[int, int]:
    times = 0
    while value and value % base == 0:
        value //= base
        times += 1
    return value, times


def canonical_parts(amount: Fraction, fmt: str) -> tuple[str, str]:
    """``CanonicalizeBytes``: the number and suffix Kubernetes prints for an amount."""
    if amount == 0:
        return "0", ""
    if fmt == BINARY_SI and (-1024 < amount < 1024 or amount.denominator != 1):
        fmt = DECIMAL_SI
    if fmt == BINARY_SI:
        number, times = _strip_factors(int(amount), 1024)
        return str(number), _BINARY_BY_EXPONENT.get(times * 10, "")
    mantissa, exponent = _decimal_mantissa(amount)
    mantissa, times = _strip_factors(mantissa, 10)
    exponent += times
    while exponent % 3:
        mantissa *= 10
        exponent -= 1
    if fmt == DECIMAL_EXPONENT:
        return str(mantissa), (f"e{exponent}" if exponent else "")
    return str(mantissa), _DECIMAL_BY_EXPONENT.get(exponent, "")


def _decimal_mantissa(amount: Fraction) -> tuple[int, int]:
    """An integer mantissa and power of ten equal to ``amount`` (a multiple of 10^-9)."""
    if amount.denominator == 1:
        return amount.numerator, 0
    return int(amount * 10**9), -9


def format_quantity(amount: Fraction | int, fmt: str = DECIMAL_SI) -> str:
    """The canonical text for an amount in a format (``format_quantity(Fraction(1, 2))`` = ``"500m"``)."""
    number, suffix = canonical_parts(Fraction(amount), fmt)
    return number + suffix


def normalize(value: object) -> str:
    """What a quantity field holds after the API server decodes and re-encodes it."""
    if isinstance(value, bool):
        raise ValueError(ERR_FORMAT_WRONG)
    if isinstance(value, int):
        return str(parse_quantity(str(value)))
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text:
            mantissa, _, exp = text.lower().partition("e")
            text = f"{mantissa}e{int(exp)}"
        return str(parse_quantity(text))
    return str(parse_quantity(value))
