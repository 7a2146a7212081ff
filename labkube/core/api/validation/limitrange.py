"""Validation of v1 LimitRange, as kube-apiserver's ``ValidateLimitRange`` does it.

Mirrors pkg/apis/core/validation (Kubernetes 1.32):

* the name is a DNS subdomain; each ``spec.limits[i].type`` is ``Pod``, ``Container``,
  ``PersistentVolumeClaim`` or a qualified name, and appears once;
* resource names: for Pod and Container items those a container may request, otherwise any
  standard resource name (``storage``) or a qualified one;
* a ``Pod`` item may not carry ``default`` or ``defaultRequest``; a ``PersistentVolumeClaim``
  item needs a ``min`` or ``max`` for ``storage``;
* for each resource: min <= defaultRequest <= default <= max, min <= max, and
  ``maxLimitRequestRatio`` at least 1 and at most max/min.

Go reports the bad quantity itself as the invalid value, and a ``resource.Quantity`` has no
``String`` method on its value, so the message shows the struct (``%#v``):
``resource.Quantity{i:resource.int64Amount{value:1073741824, scale:0}, d:..., s:"1Gi", ...}``;
labkube renders it the same way (:func:`go_quantity`). The cached text ``s`` is always filled:
the same statement formats the message with ``q.String()``, which caches it, and Go's compiler
copies the variable into the error only after that call. Go walks the resources of an item in map order
(random); labkube walks them sorted, so errors come in a stable order.
"""

from __future__ import annotations

from labkube.core.api import quantity as qty
from labkube.core.api.validation import meta, names, pods
from labkube.core.errors import FieldError, GoText, go_quote

LIMIT_TYPES = ("Pod", "Container", "PersistentVolumeClaim")
#: ``helper.IsStandardResourceName``'s names (quota and storage included).
STANDARD_RESOURCES = frozenset({
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
    "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
    "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
    "persistentvolumeclaims", "storage", "requests.storage", "services.nodeports",
    "services.loadbalancers",
})
#: ``helper.IsOvercommitAllowed``: false for hugepages and extended resources.
_NO_OVERCOMMIT_PREFIXES = ("hugepages-", "requests.hugepages-")


def validate_limit_range(obj: dict, old: dict | None = None) -> list[FieldError]:
    if old is None:
        errs = meta.validate_object_meta(obj.get("metadata"), True, names.name_is_dns_subdomain)
    else:
        errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    seen_types: set = set()
    for index, item in enumerate((obj.get("spec") or {}).get("limits") or ()):
        path = f"spec.limits[{index}]"
        limit_type = item.get("type") or ""
        errs.extend(_type_name(limit_type, f"{path}.type"))
        if limit_type in seen_types:
            errs.append(FieldError.duplicate(f"{path}.type", limit_type))
        seen_types.add(limit_type)
        errs.extend(_item(item, limit_type, path))
    return errs


def _item(item: dict, limit_type: str, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    fields = {"max": item.get("max") or {}, "min": item.get("min") or {}}
    if limit_type == "Pod":
        for name in ("default", "defaultRequest"):
            if item.get(name):
                errs.append(FieldError.forbidden(f"{path}.{name}", "may not be specified when `type` is 'Pod'"))
    else:
        fields["default"] = item.get("default") or {}
        fields["defaultRequest"] = item.get("defaultRequest") or {}
    fields["maxLimitRequestRatio"] = item.get("maxLimitRequestRatio") or {}
    for field_name, resources in fields.items():
        for name in sorted(resources):
            errs.extend(_resource_name(limit_type, name, f"{path}.{field_name}[{name}]"))
    if limit_type == "PersistentVolumeClaim" and "storage" not in fields["min"] and "storage" not in fields["max"]:
        errs.append(FieldError.required(
            f"{path}.limits", "either minimum or maximum storage value is required, but neither was provided"))
    keys = sorted(set().union(*(set(resources) for resources in fields.values())))
    for name in keys:
        errs.extend(_ordering(name, {f: _parsed(r.get(name)) for f, r in fields.items()}, path))
    return errs


def _ordering(name: str, q: dict, path: str) -> list[FieldError]:
    """min <= defaultRequest <= default <= max and the ratio, for one resource."""
    errs: list[FieldError] = []
    low, high, default, request, ratio = q["min"], q["max"], q.get("default"), q.get("defaultRequest"), q["maxLimitRequestRatio"]

    def invalid(field_name: str, value, detail: str) -> None:
        errs.append(FieldError.invalid(f"{path}.{field_name}[{name}]", GoText(go_quantity(value)), detail))

    if low is not None and high is not None and low > high:
        invalid("min", low, f"min value {low} is greater than max value {high}")
    if request is not None and low is not None and low > request:
        invalid("defaultRequest", request, f"min value {low} is greater than default request value {request}")
    if request is not None and high is not None and request > high:
        invalid("defaultRequest", request, f"default request value {request} is greater than max value {high}")
    if request is not None and default is not None and request > default:
        invalid("defaultRequest", request,
                f"default request value {request} is greater than default limit value {default}")
    if default is not None and low is not None and low > default:
        invalid("default", low, f"min value {low} is greater than default value {default}")
    if default is not None and high is not None and default > high:
        invalid("default", high, f"default value {default} is greater than max value {high}")
    if ratio is not None and ratio.amount < 1:
        invalid("maxLimitRequestRatio", ratio, f"ratio {ratio} is less than 1")
    if ratio is not None and low is not None and high is not None:
        errs.extend(_ratio_within_bounds(name, ratio, low, high, path))
    if (name.startswith(_NO_OVERCOMMIT_PREFIXES) or ("/" in name and not name.startswith("kubernetes.io/"))) \
            and default is not None and request is not None and default != request:
        invalid("defaultRequest", request, f"default value {default} must equal to defaultRequest value {request} in {name}")
    return errs


def _ratio_within_bounds(name: str, ratio, low, high, path: str) -> list[FieldError]:
    """``ratio %s is greater than max/min = %f``, compared in thousandths when they fit."""
    if low.value() == 0:
        return []  # Go divides by zero here and gets +Inf: no ratio is too large
    ratio_value, low_value, high_value = float(ratio.value()), low.value(), high.value()
    if max(ratio.value(), low_value, high_value) < _MAX_MILLI_VALUE:
        ratio_value, low_value, high_value = ratio.milli / 1000, low.milli, high.milli
    limit = high_value / low_value
    if ratio_value > limit:
        return [FieldError.invalid(f"{path}.maxLimitRequestRatio[{name}]", GoText(go_quantity(ratio)),
                                   f"ratio {ratio} is greater than max/min = {limit:f}")]
    return []


_MAX_MILLI_VALUE = (2**63 - 1) // 1000


def _parsed(value) -> qty.Quantity | None:
    if value is None:
        return None
    try:
        return qty.parse_quantity(str(value))
    except ValueError:
        return None  # the strict decoder refuses malformed quantities before validation


def _type_name(value: str, path: str) -> list[FieldError]:
    """``validateLimitRangeTypeName``."""
    errs = meta.qualified_name(value, path)
    if not errs and "/" not in value and value not in LIMIT_TYPES:
        errs.append(FieldError.invalid(path, value, "must be a standard limit type or fully qualified"))
    return errs


def _resource_name(limit_type: str, name: str, path: str) -> list[FieldError]:
    """``validateLimitRangeResourceName``: container resources for Pod and Container items."""
    if limit_type in ("Pod", "Container"):
        return pods._resource_name(name, path)
    errs = meta.qualified_name(name, path)
    if not errs and "/" not in name and name not in STANDARD_RESOURCES and not name.startswith("hugepages-"):
        errs.append(FieldError.invalid(path, name, "must be a standard resource type or fully qualified"))
    return errs


# -- Go's %#v of a resource.Quantity ---------------------------------------------------


def go_quantity(quantity: qty.Quantity) -> str:
    """``fmt.Sprintf("%#v", q)`` of a Quantity parsed from its text (``ParseQuantity``).

    The int64 fast path keeps ``value`` and ``scale``; larger or finer numbers take the
    ``inf.Dec`` path, whose pointer Go prints as an address (labkube prints a fixed one)."""
    text = str(quantity) if quantity._text is None else quantity._text
    fast = _int64_amount(text)
    if fast is None:
        decimal = "d:resource.infDecAmount{Dec:(*inf.Dec)(0xc000010000)}"
        return (f"resource.Quantity{{i:resource.int64Amount{{value:0, scale:0}}, {decimal}, "
                f"s:{go_quote(str(quantity))}, Format:\"{quantity.format}\"}}")
    value, scale = fast
    return (f"resource.Quantity{{i:resource.int64Amount{{value:{value}, scale:{scale}}}, "
            f"d:resource.infDecAmount{{Dec:(*inf.Dec)(nil)}}, s:{go_quote(str(quantity))}, "
            f"Format:\"{quantity.format}\"}}")


def _int64_amount(text: str) -> tuple[int, int] | None:
    """(value, scale) of ParseQuantity's int64 fast path, or None."""
    if text == "0":
        return 0, 0
    positive, _value, num, denom, suffix = qty._split(text)
    _base, exponent, fmt = qty._interpret(suffix)
    if fmt == qty.BINARY_SI:
        if exponent < 0 or denom:
            return None
        precision, scale, multiplier = 15 - len(num) - int(exponent * 3 / 10) - 1, 0, 2**exponent
    else:
        precision, scale, multiplier = 18 - (len(num) + len(denom)), exponent - len(denom), 1
    if precision < 0 or scale < -9:
        return None
    shifted = num + denom
    result = int(shifted) * multiplier
    if result > 2**63 - 1:
        return None
    return (result if positive else -result), scale
