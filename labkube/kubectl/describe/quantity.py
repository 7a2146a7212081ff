"""Just enough of resource.Quantity for describe: parse, add, compare, print canonically.

Mirrors k8s.io/apimachinery/pkg/api/resource: suffixes (m, k, M, G, T, P, E; Ki … Ei;
exponents like 1e3), and ``Quantity.String()``'s canonical form — binary suffixes only for
BinarySI amounts that are whole multiples of 1024 (and at least 1024), otherwise the
DecimalSI suffix with the largest exponent (a multiple of 3) that keeps the mantissa whole.
"""

from __future__ import annotations

import re
from fractions import Fraction

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000), "": Fraction(1),
            "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9), "T": Fraction(10**12),
            "P": Fraction(10**15), "E": Fraction(10**18)}
_PATTERN = re.compile(r"^([+-]?[0-9.]+)([eE][+-]?[0-9]+|[a-zA-Z]*)$")


class Quantity:
    __slots__ = ("value", "binary")

    def __init__(self, value: Fraction = Fraction(0), binary: bool = False) -> None:
        self.value, self.binary = value, binary

    @classmethod
    def parse(cls, text) -> "Quantity":
        match = _PATTERN.match(str(text).strip())
        if not match:
            return cls()
        number, suffix = Fraction(match.group(1)), match.group(2)
        if suffix in _BINARY:
            return cls(number * _BINARY[suffix], True)
        if suffix and suffix[0] in "eE":
            return cls(number * Fraction(10) ** int(suffix[1:]))
        return cls(number * _DECIMAL.get(suffix, Fraction(1)))

    def __add__(self, other: "Quantity") -> "Quantity":
        binary = self.binary if self.value else other.binary
        return Quantity(self.value + other.value, binary)

    def milli(self) -> int:
        return -((-self.value * 1000) // 1)  # round up, like MilliValue()

    def whole(self) -> int:
        return -((-self.value) // 1)  # round up, like Value()

    def __str__(self) -> str:
        value = self.value
        if value == 0:
            return "0"
        if self.binary and abs(value) >= 1024 and value.denominator == 1:
            for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
                if value % _BINARY[suffix] == 0:
                    return f"{value // _BINARY[suffix]}{suffix}"
        for suffix in ("E", "P", "T", "G", "M", "k", "", "m", "u", "n"):
            scaled = value / _DECIMAL[suffix]
            if scaled.denominator == 1:
                return f"{scaled.numerator}{suffix}"
        return f"{-((-value * 10**9) // 1)}n"


def resource_list(resources: dict | None) -> dict[str, Quantity]:
    return {name: Quantity.parse(text) for name, text in (resources or {}).items()}


def _add(total: dict, more: dict) -> None:
    for name, qty in more.items():
        total[name] = total[name] + qty if name in total else qty


def _max(total: dict, more: dict) -> None:
    for name, qty in more.items():
        if name not in total or qty.value > total[name].value:
            total[name] = qty


def pod_requests_and_limits(pod: dict) -> tuple[dict, dict]:
    """``resourcehelper.PodRequestsAndLimits``: containers summed, init containers maxed."""
    spec = pod.get("spec") or {}
    result = []
    for field in ("requests", "limits"):
        total: dict[str, Quantity] = {}
        for container in spec.get("containers") or []:
            _add(total, resource_list((container.get("resources") or {}).get(field)))
        sidecars: dict[str, Quantity] = {}
        init_max: dict[str, Quantity] = {}
        for container in spec.get("initContainers") or []:
            amounts = resource_list((container.get("resources") or {}).get(field))
            if container.get("restartPolicy") == "Always":
                _add(total, amounts)
                _add(sidecars, amounts)
                amounts = dict(sidecars)
            else:
                combined = dict(amounts)
                _add(combined, sidecars)
                amounts = combined
            _max(init_max, amounts)
        _max(total, init_max)
        if spec.get("overhead"):
            _add(total, resource_list(spec["overhead"]))
        result.append(total)
    return result[0], result[1]


def qos_class(pod: dict) -> str:
    """``qos.GetPodQOS``: Guaranteed, Burstable or BestEffort from cpu/memory requests and limits."""
    status_qos = (pod.get("status") or {}).get("qosClass")
    if status_qos:
        return status_qos
    spec = pod.get("spec") or {}
    containers = list(spec.get("containers") or []) + list(spec.get("initContainers") or [])
    requests: dict[str, Quantity] = {}
    limits: dict[str, Quantity] = {}
    guaranteed = True
    for container in containers:
        res = container.get("resources") or {}
        reqs = {k: v for k, v in resource_list(res.get("requests")).items() if k in ("cpu", "memory") and v.value}
        lims = {k: v for k, v in resource_list(res.get("limits")).items() if k in ("cpu", "memory") and v.value}
        _add(requests, reqs)
        _add(limits, lims)
        if set(lims) != {"cpu", "memory"}:
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and all(requests.get(k) is None or requests[k].value == limits[k].value for k in limits):
        return "Guaranteed"
    return "Burstable"
