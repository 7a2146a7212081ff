"""HorizontalPodAutoscalers (autoscaling/v2, the storage form; v1 is validated after conversion).

Mirrors pkg/apis/autoscaling/validation/validation.go of Kubernetes 1.32
(``ValidateHorizontalPodAutoscaler``, ``validateHorizontalPodAutoscalerSpec``,
``ValidateCrossVersionObjectReference``, ``validateMetrics``, ``validateMetricSpec``, the metric
sources, ``validateMetricTarget``, ``validateBehavior`` and ``validateScalingRules``). As in
kube-apiserver, an autoscaling/v1 object is validated in the internal (v2) form, so a bad
``targetCPUUtilizationPercentage`` is reported at ``spec.metrics[0].resource.target...``.

``minReplicas`` must be at least 1 (the HPAScaleToZero feature gate is alpha and off in 1.32).
"""

from __future__ import annotations

from labkube.core.api import quantity as qty
from labkube.core.api.validation import meta, names
from labkube.core.errors import FieldError

METRIC_SOURCE_TYPES = ("ContainerResource", "External", "Object", "Pods", "Resource")
METRIC_TARGET_TYPES = ("AverageValue", "Utilization", "Value")
SELECT_POLICIES = ("Disabled", "Max", "Min")
POLICY_TYPES = ("Percent", "Pods")
MAX_STABILIZATION_WINDOW_SECONDS = 3600
MAX_PERIOD_SECONDS = 1800
_SOURCE_FIELDS = {"Object": "object", "Pods": "pods", "Resource": "resource",
                  "ContainerResource": "containerResource", "External": "external"}


def validate_hpa(obj: dict, old: dict | None = None) -> list[FieldError]:
    """``ValidateHorizontalPodAutoscaler`` (``...Update`` when ``old`` is given)."""
    hpa_meta = obj.get("metadata") or {}
    if old is None:
        errs = meta.validate_object_meta(hpa_meta, True, names.name_is_dns_subdomain)
    else:
        errs = meta.validate_object_meta_update(hpa_meta, old.get("metadata"))
    errs.extend(_spec(obj.get("spec") or {}, "spec"))
    return errs


def _spec(spec: dict, path: str) -> list[FieldError]:
    errs = []
    min_replicas, max_replicas = spec.get("minReplicas"), spec.get("maxReplicas") or 0
    if min_replicas is not None and min_replicas < 1:
        errs.append(FieldError.invalid(f"{path}.minReplicas", min_replicas, "must be greater than or equal to 1"))
    if max_replicas < 1:
        errs.append(FieldError.invalid(f"{path}.maxReplicas", max_replicas, "must be greater than 0"))
    if min_replicas is not None and max_replicas < min_replicas:
        errs.append(FieldError.invalid(f"{path}.maxReplicas", max_replicas,
                                       "must be greater than or equal to `minReplicas`"))
    errs.extend(object_reference(spec.get("scaleTargetRef") or {}, f"{path}.scaleTargetRef"))
    for i, metric in enumerate(spec.get("metrics") or ()):
        errs.extend(_metric(metric or {}, f"{path}.metrics[{i}]"))
    if spec.get("behavior") is not None:
        errs.extend(_behavior(spec["behavior"], f"{path}.behavior"))
    return errs


def object_reference(ref: dict, path: str) -> list[FieldError]:
    """``ValidateCrossVersionObjectReference``."""
    errs = []
    for key in ("kind", "name"):
        value = ref.get(key) or ""
        if not value:
            errs.append(FieldError.required(f"{path}.{key}"))
        else:
            errs.extend(FieldError.invalid(f"{path}.{key}", value, msg) for msg in _path_segment(value))
    return errs


def _path_segment(name: str) -> list[str]:
    """``path.IsValidPathSegmentName``."""
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in name]


def _metric(metric: dict, path: str) -> list[FieldError]:
    """``validateMetricSpec``: a known type, and exactly its own source."""
    errs = []
    kind = metric.get("type") or ""
    if not kind:
        errs.append(FieldError.required(f"{path}.type", "must specify a metric source type"))
    if kind not in METRIC_SOURCE_TYPES:
        errs.append(FieldError.not_supported(f"{path}.type", kind, METRIC_SOURCE_TYPES))
    present = [name for name in ("object", "pods", "resource", "containerResource", "external")
               if metric.get(name) is not None]
    if present:
        errs.extend(_SOURCE_CHECKS[present[0]](metric[present[0]], f"{path}.{present[0]}"))
    expected = _SOURCE_FIELDS.get(kind, kind.lower())
    if expected not in present:
        errs.append(FieldError.required(f"{path}.{expected}",
                                        "must populate information for the given metric source"))
    for extra in present:
        if extra != expected and len(present) != 1:
            errs.append(FieldError.forbidden(f"{path}.{extra}", "must populate the given metric source only"))
    return errs


def _resource(source: dict, path: str) -> list[FieldError]:
    errs = []
    if not source.get("name"):
        errs.append(FieldError.required(f"{path}.name", "must specify a resource name"))
    target = source.get("target") or {}
    errs.extend(_target(target, f"{path}.target"))
    if target.get("averageUtilization") is None and target.get("averageValue") is None:
        errs.append(FieldError.required(f"{path}.target.averageUtilization",
                                        "must set either a target raw value or a target utilization"))
    if target.get("averageUtilization") is not None and target.get("averageValue") is not None:
        errs.append(FieldError.forbidden(f"{path}.target.averageValue",
                                         "may not set both a target raw value and a target utilization"))
    return errs


def _container_resource(source: dict, path: str) -> list[FieldError]:
    errs = []
    if not source.get("container"):
        errs.append(FieldError.required(f"{path}.container", "must specify a container"))
    return errs + _resource(source, path)


def _metric_identifier(source: dict, path: str) -> list[FieldError]:
    if not (source.get("metric") or {}).get("name"):
        return [FieldError.required(f"{path}.metric.name", "must specify a metric name")]
    return []


def _pods(source: dict, path: str) -> list[FieldError]:
    errs = _metric_identifier(source, path) + _target(source.get("target") or {}, f"{path}.target")
    if (source.get("target") or {}).get("averageValue") is None:
        errs.append(FieldError.required(f"{path}.target.averageValue", "must specify a positive target averageValue"))
    return errs


def _object(source: dict, path: str) -> list[FieldError]:
    errs = object_reference(source.get("describedObject") or {}, f"{path}.describedObject")
    errs += _metric_identifier(source, path) + _target(source.get("target") or {}, f"{path}.target")
    target = source.get("target") or {}
    if target.get("value") is None and target.get("averageValue") is None:
        errs.append(FieldError.required(f"{path}.target.averageValue",
                                        "must set either a target value or averageValue"))
    return errs


def _external(source: dict, path: str) -> list[FieldError]:
    errs = _metric_identifier(source, path) + _target(source.get("target") or {}, f"{path}.target")
    target = source.get("target") or {}
    if target.get("value") is None and target.get("averageValue") is None:
        errs.append(FieldError.required(f"{path}.target.averageValue",
                                        "must set either a target value for metric or a per-pod target"))
    if target.get("value") is not None and target.get("averageValue") is not None:
        errs.append(FieldError.forbidden(f"{path}.target.value",
                                         "may not set both a target value for metric and a per-pod target"))
    return errs


_SOURCE_CHECKS = {"object": _object, "pods": _pods, "resource": _resource,
                  "containerResource": _container_resource, "external": _external}


def _target(target: dict, path: str) -> list[FieldError]:
    """``validateMetricTarget``."""
    errs = []
    kind = target.get("type") or ""
    if not kind:
        errs.append(FieldError.required(f"{path}.type", "must specify a metric target type"))
    elif kind not in METRIC_TARGET_TYPES:
        errs.append(FieldError.not_supported(f"{path}.type", kind, METRIC_TARGET_TYPES))
    utilization = target.get("averageUtilization")
    if utilization is not None and utilization < 1:
        errs.append(FieldError.invalid(f"{path}.averageUtilization", utilization, "must be greater than 0"))
    for key in ("value", "averageValue"):
        if target.get(key) is not None and _sign(target[key]) != 1:
            errs.append(FieldError.invalid(f"{path}.{key}", target[key], "must be positive"))
    return errs


def _sign(value) -> int:
    try:
        amount = qty.parse_quantity(str(value)).amount
    except (ValueError, TypeError):
        return 0
    return (amount > 0) - (amount < 0)


def _behavior(behavior: dict, path: str) -> list[FieldError]:
    errs = []
    for key in ("scaleUp", "scaleDown"):
        if behavior.get(key) is not None:
            errs.extend(_scaling_rules(behavior[key], f"{path}.{key}"))
    return errs


def _scaling_rules(rules: dict, path: str) -> list[FieldError]:
    """``validateScalingRules``."""
    errs = []
    window = rules.get("stabilizationWindowSeconds")
    if window is not None and window < 0:
        errs.append(FieldError.invalid(f"{path}.stabilizationWindowSeconds", window,
                                       "must be greater than or equal to zero"))
    if window is not None and window > MAX_STABILIZATION_WINDOW_SECONDS:
        errs.append(FieldError.invalid(f"{path}.stabilizationWindowSeconds", window,
                                       f"must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}"))
    select = rules.get("selectPolicy")
    if select is not None and select not in SELECT_POLICIES:
        errs.append(FieldError.not_supported(f"{path}.selectPolicy", select, SELECT_POLICIES))
    policies = rules.get("policies") or []
    if not policies:
        errs.append(FieldError.required(f"{path}.policies", "must specify at least one Policy"))
    for i, policy in enumerate(policies):
        errs.extend(_policy(policy or {}, f"{path}.policies[{i}]"))
    return errs


def _policy(policy: dict, path: str) -> list[FieldError]:
    errs = []
    kind = policy.get("type") or ""
    if kind not in POLICY_TYPES:
        errs.append(FieldError.not_supported(f"{path}.type", kind, POLICY_TYPES))
    value = policy.get("value") or 0
    if value <= 0:
        errs.append(FieldError.invalid(f"{path}.value", value, "must be greater than zero"))
    period = policy.get("periodSeconds") or 0
    if period <= 0:
        errs.append(FieldError.invalid(f"{path}.periodSeconds", period, "must be greater than zero"))
    if period > MAX_PERIOD_SECONDS:
        errs.append(FieldError.invalid(f"{path}.periodSeconds", period,
                                       f"must be less than or equal to {MAX_PERIOD_SECONDS}"))
    return errs
