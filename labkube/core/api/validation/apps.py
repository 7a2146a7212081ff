"""Deployments and ReplicaSets (apps/v1).

Mirrors pkg/apis/apps/validation/validation.go (``ValidateDeploymentSpec``,
``ValidateReplicaSetSpec``, ``ValidatePodTemplateSpecForReplicaSet``,
``ValidateDeploymentStrategy``, ``ValidateRollingUpdateDeployment``) and the apps/v1 rule of
the strategies that ``spec.selector`` is immutable on update.

A Deployment without a selector reports both ``spec.selector: Required value`` and the template
mismatch, as kube-apiserver does (a nil selector matches nothing).
"""

from __future__ import annotations

import re

from labkube.core.api import labels
from labkube.core.api.validation import meta, names, pods
from labkube.core.errors import FieldError

_PERCENT = re.compile(r"^[0-9]+%$")
PERCENT_FMT = "[0-9]+%"
PERCENT_ERR = "a valid percent string must be a numeric string followed by an ending '%'"


def _template(template, selector: dict | None, path: str) -> list[FieldError]:
    """``ValidatePodTemplateSpecForReplicaSet``."""
    if template is None:
        return [FieldError.required(path)]
    errs: list[FieldError] = []
    template_meta = template.get("metadata") or {}
    template_labels = template_meta.get("labels")
    try:
        parsed = labels.selector_from_label_selector(selector)
    except labels.SelectorError:
        parsed = None
    if parsed is not None and not parsed.empty() and not parsed.matches(template_labels or {}):
        errs.append(meta.invalid_go(path + ".metadata.labels", template_labels,
                                    meta.go_string_map(template_labels),
                                    "`selector` does not match template `labels`"))
    errs.extend(meta.validate_labels(template_labels, path + ".metadata.labels"))
    errs.extend(meta.validate_annotations(template_meta.get("annotations"), path + ".metadata.annotations"))
    spec = template.get("spec") or {}
    errs.extend(pods.validate_pod_spec(spec, path + ".spec"))
    policy = spec.get("restartPolicy")
    if policy and policy != "Always" and policy in pods.RESTART_POLICIES:
        errs.append(FieldError.not_supported(path + ".spec.restartPolicy", policy, ("Always",)))
    if spec.get("activeDeadlineSeconds") is not None:
        errs.append(FieldError.forbidden(path + ".spec.activeDeadlineSeconds",
                                         "activeDeadlineSeconds in ReplicaSet is not Supported"))
    return errs


def _selector(spec: dict, path: str) -> list[FieldError]:
    selector = spec.get("selector")
    if selector is None:
        return [FieldError.required(path)]
    errs = meta.validate_label_selector(selector, path)
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        errs.append(meta.invalid_go(path, selector, meta.go_label_selector(selector),
                                    "empty selector is invalid for deployment"))
    return errs


def _selector_and_template(spec: dict, path: str) -> list[FieldError]:
    errs = _selector(spec, path + ".selector")
    try:
        labels.selector_from_label_selector(spec.get("selector"))
    except labels.SelectorError:
        selector = spec.get("selector")
        errs.append(meta.invalid_go(path + ".selector", selector, meta.go_label_selector(selector),
                                    "invalid label selector"))
        return errs
    errs.extend(_template(spec.get("template"), spec.get("selector"), path + ".template"))
    return errs


def validate_deployment(obj: dict, old: dict | None = None) -> list[FieldError]:
    if old is None:
        errs = meta.validate_object_meta(obj.get("metadata"), True, names.name_is_dns_subdomain)
    else:
        errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    spec = obj.get("spec") or {}
    errs.extend(meta.nonnegative(spec.get("replicas", 0), "spec.replicas"))
    errs.extend(_selector_and_template(spec, "spec"))
    errs.extend(_strategy(spec.get("strategy") or {}, "spec.strategy"))
    min_ready = spec.get("minReadySeconds", 0)
    errs.extend(meta.nonnegative(min_ready, "spec.minReadySeconds"))
    if spec.get("revisionHistoryLimit") is not None:
        errs.extend(meta.nonnegative(spec["revisionHistoryLimit"], "spec.revisionHistoryLimit"))
    deadline = spec.get("progressDeadlineSeconds")
    if deadline is not None:
        errs.extend(meta.nonnegative(deadline, "spec.progressDeadlineSeconds"))
        if deadline <= min_ready:
            errs.append(FieldError.invalid("spec.progressDeadlineSeconds", deadline,
                                           "must be greater than minReadySeconds"))
    if old is not None:
        errs.extend(_selector_immutable(spec, old.get("spec") or {}))
    return errs


def validate_replica_set(obj: dict, old: dict | None = None) -> list[FieldError]:
    if old is None:
        errs = meta.validate_object_meta(obj.get("metadata"), True, names.name_is_dns_subdomain)
    else:
        errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    spec = obj.get("spec") or {}
    errs.extend(meta.nonnegative(spec.get("replicas", 0), "spec.replicas"))
    errs.extend(meta.nonnegative(spec.get("minReadySeconds", 0), "spec.minReadySeconds"))
    errs.extend(_selector_and_template(spec, "spec"))
    if old is not None:
        errs.extend(_selector_immutable(spec, old.get("spec") or {}))
    return errs


def _selector_immutable(spec: dict, old_spec: dict) -> list[FieldError]:
    new, old = spec.get("selector"), old_spec.get("selector")
    if _normal_selector(new) == _normal_selector(old):
        return []
    return [meta.invalid_go("spec.selector", new, meta.go_label_selector(new), meta.FIELD_IMMUTABLE)]


def _normal_selector(selector: dict | None):
    if selector is None:
        return None
    return (selector.get("matchLabels") or {}, selector.get("matchExpressions") or [])


# -- strategy -------------------------------------------------------------------


def _strategy(strategy: dict, path: str) -> list[FieldError]:
    kind = strategy.get("type", "")
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            return [FieldError.forbidden(path + ".rollingUpdate",
                                         "may not be specified when strategy `type` is 'Recreate'")]
        return []
    if kind == "RollingUpdate":
        if rolling is None:
            return [FieldError.required(path + ".rollingUpdate",
                                        "this should be defaulted and never be nil")]
        return _rolling_update(rolling, path + ".rollingUpdate")
    pointer = "(*apps.RollingUpdateDeployment)(nil)" if rolling is None else \
        "(*apps.RollingUpdateDeployment)(0xc000000000)"
    shown = f'apps.DeploymentStrategy{{Type:"{kind}", RollingUpdate:{pointer}}}'
    return [meta.not_supported_go(path, strategy, shown, ("Recreate", "RollingUpdate"))]


def _rolling_update(rolling: dict, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    unavailable = rolling.get("maxUnavailable", 0)
    surge = rolling.get("maxSurge", 0)
    errs.extend(positive_int_or_percent(unavailable, path + ".maxUnavailable"))
    errs.extend(positive_int_or_percent(surge, path + ".maxSurge"))
    if _int_or_percent(unavailable) == 0 and _int_or_percent(surge) == 0:
        errs.append(meta.invalid_go(path + ".maxUnavailable", unavailable,
                                    meta.go_int_or_string(unavailable),
                                    "may not be 0 when `maxSurge` is 0"))
    percent = _percent(unavailable)
    if percent is not None and percent > 100:
        errs.append(meta.invalid_go(path + ".maxUnavailable", unavailable,
                                    meta.go_int_or_string(unavailable), "must not be greater than 100%"))
    return errs


def positive_int_or_percent(value, path: str) -> list[FieldError]:
    """``ValidatePositiveIntOrPercent``."""
    if isinstance(value, str):
        if not _PERCENT.match(value):
            return [meta.invalid_go(path, value, meta.go_int_or_string(value),
                                    names.regex_error(PERCENT_ERR, PERCENT_FMT, "1%", "93%"))]
        return []
    return meta.nonnegative(value, path)


def _percent(value) -> int | None:
    if isinstance(value, str) and _PERCENT.match(value):
        return int(value[:-1])
    return None


def _int_or_percent(value) -> int | None:
    if isinstance(value, int):
        return value
    return _percent(value)
