"""Small formatters shared by tables and describe: labels, selectors, Go's ``%v``.

Mirrors k8s.io/apimachinery's ``labels.FormatLabels``, ``labels.Selector.String`` (via
``metav1.LabelSelectorAsSelector``) and ``metav1.FormatLabelSelector``.
"""

from __future__ import annotations

from decimal import Decimal

NONE = "<none>"


def format_labels(labels: dict | None) -> str:
    """``labels.FormatLabels``: ``a=1,b=2`` sorted by key, ``<none>`` when empty."""
    if not labels:
        return NONE
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def selector_string(selector: dict | None) -> str:
    """``LabelSelectorAsSelector(sel).String()``: requirements sorted by key, ``""`` if empty."""
    if not selector:
        return ""
    requirements: list[tuple[str, str]] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        requirements.append((key, f"{key}={value}"))
    for expr in selector.get("matchExpressions") or []:
        key, op = expr.get("key", ""), expr.get("operator", "")
        values = ",".join(sorted(expr.get("values") or []))
        if op == "In":
            requirements.append((key, f"{key} in ({values})"))
        elif op == "NotIn":
            requirements.append((key, f"{key} notin ({values})"))
        elif op == "Exists":
            requirements.append((key, key))
        elif op == "DoesNotExist":
            requirements.append((key, f"!{key}"))
    requirements.sort(key=lambda item: item[0])
    return ",".join(text for _, text in requirements)


def format_label_selector(selector: dict | None) -> str:
    """``metav1.FormatLabelSelector``: like :func:`selector_string` but ``<none>`` when empty."""
    return selector_string(selector) or NONE


def go_sprint(value) -> str:
    """Go's ``fmt.Sprint`` of a JSON value: ``map[a:1 b:2]``, ``[x y]``, ``true``, ``<nil>``."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_sprint(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(v) for v in value) + "]"
    if isinstance(value, float):
        value = normalize_number(value)
        return go_float(value) if isinstance(value, float) else str(value)
    return str(value)


def _shortest_digits(value: float) -> tuple[str, str, int]:
    """(sign, digits, decimal point position) of the shortest round-trip decimal."""
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    exponent += len(digit_tuple) - len(digits)
    return ("-" if sign else ""), digits, len(digits) + exponent


def go_float(value: float) -> str:
    """``strconv.FormatFloat(v, 'g', -1, 64)`` — what Go's ``%v`` and YAML print for a float."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if str(value).startswith("-") else "0"
    neg, digits, point = _shortest_digits(value)
    exp = point - 1
    if exp < -4 or exp >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{neg}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    return neg + _fixed(digits, point)


def go_json_float(value: float) -> str:
    """encoding/json's float: ``%f`` style unless the magnitude is < 1e-6 or >= 1e21."""
    if value == 0:
        return "-0" if str(value).startswith("-") else "0"
    neg, digits, point = _shortest_digits(value)
    if abs(value) < 1e-6 or abs(value) >= 1e21:
        exp = point - 1
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{neg}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp)}"
    return neg + _fixed(digits, point)


def _fixed(digits: str, point: int) -> str:
    if point <= 0:
        return "0." + "0" * -point + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return digits[:point] + "." + digits[point:]


def normalize_number(value):
    """JSON numbers as Go's unstructured decoding sees them: integral floats become ints."""
    if isinstance(value, float) and value == value and abs(value) < 2**63 and value == int(value):
        return int(value)
    return value
