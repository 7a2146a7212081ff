"""DaemonSets and ControllerRevisions (apps/v1).

Mirrors pkg/apis/apps/validation/validation.go of Kubernetes 1.32 (``ValidateDaemonSet``,
``ValidateDaemonSetSpec``, ``ValidateDaemonSetUpdateStrategy``,
``ValidateRollingUpdateDaemonSet``, ``ValidateControllerRevision``,
``ValidateControllerRevisionUpdate``) and pkg/registry/apps/daemonset/strategy.go, whose
``ValidateUpdate`` runs the spec checks twice (``ValidateDaemonSet`` and
``ValidateDaemonSetUpdate`` both validate the spec, so an update reports a spec error twice, as
kube-apiserver does) and makes ``spec.selector`` immutable for apps/v1.

Unlike a Deployment, a DaemonSet without a selector gets no ``Required value``: a nil selector
matches nothing, so the error is the template's labels not matching it.
"""

from __future__ import annotations

import json

from labkube.core.api import labels
from labkube.core.api.validation import apps, meta, names, pods
from labkube.core.errors import FieldError

UPDATE_STRATEGY_TYPES = ("RollingUpdate", "OnDelete")


# -- ControllerRevision ---------------------------------------------------------------------------


def validate_controller_revision(obj: dict, old: dict | None = None) -> list[FieldError]:
    """``ValidateControllerRevision`` (create) / ``ValidateControllerRevisionUpdate``."""
    errs: list[FieldError] = []
    if old is not None:
        errs.extend(meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata")))
    errs.extend(meta.validate_object_meta(obj.get("metadata"), True, names.name_is_dns_subdomain))
    if obj.get("data") is None:
        errs.append(FieldError.required("data", "data is mandatory"))
    errs.extend(meta.nonnegative(obj.get("revision", 0), "revision"))
    if old is not None and obj.get("data") != old.get("data"):
        errs.append(meta.invalid_go("data", obj.get("data"), go_raw_extension(obj.get("data")),
                                    meta.FIELD_IMMUTABLE))
    return errs


def go_raw_extension(data) -> str:
    """``%#v`` of a ``runtime.RawExtension`` holding ``data`` as its raw JSON bytes."""
    if data is None:
        return "runtime.RawExtension{Raw:[]uint8(nil), Object:runtime.Object(nil)}"
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
    hex_bytes = ", ".join(f"0x{byte:x}" for byte in raw)
    return f"runtime.RawExtension{{Raw:[]uint8{{{hex_bytes}}}, Object:runtime.Object(nil)}}"


# -- DaemonSet -----------------------------------------------------------------------------------


def validate_daemon_set(obj: dict, old: dict | None = None) -> list[FieldError]:
    """``daemonSetStrategy.Validate`` / ``ValidateUpdate``."""
    spec = obj.get("spec") or {}
    errs = meta.validate_object_meta(obj.get("metadata"), True, names.name_is_dns_subdomain)
    errs.extend(validate_daemon_set_spec(spec, "spec"))
    if old is None:
        return errs
    errs.extend(meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata")))
    errs.extend(validate_daemon_set_spec(spec, "spec"))
    old_selector = (old.get("spec") or {}).get("selector")
    if apps._normal_selector(spec.get("selector")) != apps._normal_selector(old_selector):
        selector = spec.get("selector")
        errs.append(meta.invalid_go("spec.selector", selector, meta.go_label_selector(selector),
                                    meta.FIELD_IMMUTABLE))
    return errs


def validate_daemon_set_spec(spec: dict, path: str) -> list[FieldError]:
    """``ValidateDaemonSetSpec``."""
    selector = spec.get("selector")
    template = spec.get("template") or {}
    template_labels = (template.get("metadata") or {}).get("labels")
    errs = meta.validate_label_selector(selector, path + ".selector") if selector is not None else []
    errs.extend(_selector_matches_template(selector, template_labels, path))
    if selector is not None and not selector.get("matchLabels") and not selector.get("matchExpressions"):
        errs.append(meta.invalid_go(path + ".selector", selector, meta.go_label_selector(selector),
                                    "empty selector is invalid for daemonset"))
    errs.extend(_pod_template(template, path + ".template"))
    template_spec = template.get("spec") or {}
    policy = template_spec.get("restartPolicy", "")
    if policy != "Always":
        errs.append(FieldError.not_supported(path + ".template.spec.restartPolicy", policy, ("Always",)))
    if template_spec.get("activeDeadlineSeconds") is not None:
        errs.append(FieldError.forbidden(path + ".template.spec.activeDeadlineSeconds",
                                         "activeDeadlineSeconds in DaemonSet is not Supported"))
    errs.extend(meta.nonnegative(spec.get("minReadySeconds", 0), path + ".minReadySeconds"))
    errs.extend(_update_strategy(spec.get("updateStrategy") or {}, path + ".updateStrategy"))
    if spec.get("revisionHistoryLimit") is not None:
        errs.extend(meta.nonnegative(spec["revisionHistoryLimit"], path + ".revisionHistoryLimit"))
    return errs


def _selector_matches_template(selector: dict | None, template_labels: dict | None,
                               path: str) -> list[FieldError]:
    """A nil selector is ``labels.Nothing()``: it matches no labels at all."""
    try:
        parsed = labels.selector_from_label_selector(selector) if selector is not None else None
    except labels.SelectorError:
        return []
    if parsed is not None and parsed.matches(template_labels or {}):
        return []
    return [meta.invalid_go(path + ".template.metadata.labels", template_labels,
                            meta.go_string_map(template_labels),
                            "`selector` does not match template `labels`")]


def _pod_template(template: dict, path: str) -> list[FieldError]:
    """``ValidatePodTemplateSpec``: the template's labels, annotations and pod spec."""
    template_meta = template.get("metadata") or {}
    errs = meta.validate_labels(template_meta.get("labels"), path + ".metadata.labels")
    errs.extend(meta.validate_annotations(template_meta.get("annotations"), path + ".metadata.annotations"))
    errs.extend(pods.validate_pod_spec(template.get("spec") or {}, path + ".spec"))
    return errs


def _update_strategy(strategy: dict, path: str) -> list[FieldError]:
    """``ValidateDaemonSetUpdateStrategy``."""
    kind = strategy.get("type", "")
    rolling = strategy.get("rollingUpdate")
    if kind == "OnDelete":
        return []
    if kind == "RollingUpdate":
        if rolling is None:
            return [FieldError.required(path + ".rollingUpdate")]
        return _rolling_update(rolling, path + ".rollingUpdate")
    pointer = "(*apps.RollingUpdateDaemonSet)(nil)" if rolling is None else \
        "(*apps.RollingUpdateDaemonSet)(0xc000000000)"
    shown = f'apps.DaemonSetUpdateStrategy{{Type:"{kind}", RollingUpdate:{pointer}}}'
    return [meta.not_supported_go(path, strategy, shown, UPDATE_STRATEGY_TYPES)]


def _rolling_update(rolling: dict, path: str) -> list[FieldError]:
    """``ValidateRollingUpdateDaemonSet``: exactly one of maxUnavailable and maxSurge is non-zero."""
    unavailable = rolling.get("maxUnavailable", 0)
    surge = rolling.get("maxSurge", 0)
    errs = apps.positive_int_or_percent(unavailable, path + ".maxUnavailable")
    errs.extend(apps.positive_int_or_percent(surge, path + ".maxSurge"))
    for value, field in ((unavailable, ".maxUnavailable"), (surge, ".maxSurge")):
        percent = apps._percent(value)
        if percent is not None and percent > 100:
            errs.append(meta.invalid_go(path + field, value, meta.go_int_or_string(value),
                                        "must not be greater than 100%"))
    has_unavailable = (apps._int_or_percent(unavailable) or 0) != 0
    has_surge = (apps._int_or_percent(surge) or 0) != 0
    if has_unavailable and has_surge:
        errs.append(meta.invalid_go(path + ".maxSurge", surge, meta.go_int_or_string(surge),
                                    "may not be set when maxUnavailable is non-zero"))
    elif not has_unavailable and not has_surge:
        errs.append(FieldError.required(path + ".maxUnavailable", "cannot be 0 when maxSurge is 0"))
    return errs
