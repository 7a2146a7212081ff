"""Small Go look-alikes the patch code needs to speak kube-apiserver's words.

* :func:`go_v` — how Go's ``fmt.Sprintf("%v", x)`` prints a JSON value decoded into
  ``interface{}`` (``map[a:1 b:[x y]]``, ``<nil>``, ``80``). Strategic merge patch error
  messages and its scalar sort order are built from it.
* :func:`go_type_of` — the Go type a JSON value decodes to (``float64`` for every number), so
  that ``1`` and ``1.0`` are the same type and ``true`` is not a number.
* :func:`decode_json` — parse a patch body and fail with encoding/json's messages
  (``json: cannot unmarshal array into Go value of type map[string]interface {}``,
  ``invalid character 'x' looking for beginning of value``).
"""

from __future__ import annotations

from typing import Any

from labkube.core.json_stream import JSONStreamError, unmarshal

GO_MAP = "map[string]interface {}"


def go_v(value: Any) -> str:
    """Go's ``%v`` for a value from ``json.Unmarshal`` into ``interface{}``."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return go_float(float(value)) if abs(value) >= 1e21 else str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, dict):
        inner = " ".join(f"{k}:{go_v(value[k])}" for k in sorted(value))
        return f"map[{inner}]"
    if isinstance(value, list):
        return "[" + " ".join(go_v(v) for v in value) + "]"
    return str(value)


def go_float(value: float) -> str:
    """``%v`` of a float64: shortest representation, exponent form from 1e21 (``%g``-like)."""
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        digits = exponent.lstrip("+-").lstrip("0").rjust(2, "0")
        text = f"{mantissa}e{sign}{digits}"
    return text


def go_type_of(value: Any) -> str:
    """The Go type ``json.Unmarshal`` gives a JSON value inside an ``interface{}``."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "slice"
    return type(value).__name__


_JSON_KIND = {"map": "object", "slice": "array", "string": "string", "float64": "number",
              "bool": "bool"}


def decode_json(body: str | bytes, go_type: str, want: type) -> Any:
    """Parse ``body`` as Go's encoding/json would into ``go_type``; ValueError with its message."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    try:
        value = unmarshal(body)
    except JSONStreamError as err:
        raise ValueError(err.syntax) from None
    if value is not None and not isinstance(value, want):
        kind = _JSON_KIND.get(go_type_of(value), "value")
        raise ValueError(f"json: cannot unmarshal {kind} into Go value of type {go_type}")
    return value
