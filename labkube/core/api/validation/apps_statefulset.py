"""StatefulSets (apps/v1): what kube-apiserver 1.32 accepts, and what an update may change.

Mirrors pkg/apis/apps/validation/validation.go: ``ValidateStatefulSet``,
``ValidateStatefulSetSpec``, ``ValidatePodTemplateSpecForStatefulSet``,
``validateRollingUpdateStatefulSet``, ``ValidatePersistentVolumeClaimRetentionPolicy`` and
``ValidateStatefulSetUpdate``.

Three quirks a student may meet, all Kubernetes' own:

* the name must be a DNS **label** (not a subdomain): it becomes every pod's hostname;
* the pod template's *spec* is not validated here (a bad one fails when the controller creates
  a pod: ``FailedCreate``), and its labels are reported under ``spec.template.labels``;
* on update only ``replicas``, ``ordinals``, ``template``, ``updateStrategy``,
  ``persistentVolumeClaimRetentionPolicy`` and ``minReadySeconds`` may change; anything else
  (``serviceName``, ``volumeClaimTemplates``, ``selector``, ...) gives one ``spec: Forbidden``.
"""

from __future__ import annotations

from labkube.core.api import labels
from labkube.core.api.validation import meta, names
from labkube.core.api.validation.apps import positive_int_or_percent, _int_or_percent, _percent
from labkube.core.errors import FieldError

POD_MANAGEMENT_POLICIES = ("OrderedReady", "Parallel")
UPDATE_STRATEGY_TYPES = ("RollingUpdate", "OnDelete")
RETENTION_POLICY_TYPES = ("Retain", "Delete")
#: The fields ``ValidateStatefulSetUpdate`` lets change.
MUTABLE_SPEC_FIELDS = ("replicas", "ordinals", "template", "updateStrategy",
                       "persistentVolumeClaimRetentionPolicy", "minReadySeconds")
FORBIDDEN_UPDATE = ("updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                    "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                    "'minReadySeconds' are forbidden")


def validate_stateful_set(obj: dict, old: dict | None = None) -> list[FieldError]:
    """``ValidateStatefulSet`` on create, ``ValidateStatefulSetUpdate`` when ``old`` is given."""
    spec = obj.get("spec") or {}
    if old is None:
        errs = meta.validate_object_meta(obj.get("metadata"), True, names.name_is_dns_label)
        errs.extend(validate_stateful_set_spec(spec, "spec"))
        return errs
    errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    errs.extend(validate_stateful_set_spec(spec, "spec"))
    if _immutable_part(spec) != _immutable_part(old.get("spec") or {}):
        errs.append(FieldError.forbidden("spec", FORBIDDEN_UPDATE))
    return errs


def _immutable_part(spec: dict) -> dict:
    """The spec without the fields an update may change (empty values as Go compares them)."""
    return {key: value for key, value in spec.items()
            if key not in MUTABLE_SPEC_FIELDS and value not in (None, "", [], {})}


def validate_stateful_set_spec(spec: dict, path: str) -> list[FieldError]:
    """``ValidateStatefulSetSpec``, in the order kube-apiserver reports its errors."""
    errs = _pod_management_policy(spec.get("podManagementPolicy"), path + ".podManagementPolicy")
    errs.extend(_update_strategy(spec.get("updateStrategy") or {}, path + ".updateStrategy"))
    errs.extend(_retention_policy(spec.get("persistentVolumeClaimRetentionPolicy"),
                                  path + ".persistentVolumeClaimRetentionPolicy"))
    errs.extend(meta.nonnegative(spec.get("replicas", 0), path + ".replicas"))
    errs.extend(meta.nonnegative(spec.get("minReadySeconds", 0), path + ".minReadySeconds"))
    ordinals = spec.get("ordinals")
    if ordinals is not None:
        errs.extend(meta.nonnegative(ordinals.get("start", 0), path + ".ordinals.start"))
    errs.extend(_selector_and_template(spec, path))
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    policy = pod_spec.get("restartPolicy", "")
    if policy != "Always":
        errs.append(FieldError.not_supported(path + ".template.spec.restartPolicy", policy, ("Always",)))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        errs.append(FieldError.forbidden(path + ".template.spec.activeDeadlineSeconds",
                                         "activeDeadlineSeconds in StatefulSet is not Supported"))
    return errs


def _pod_management_policy(policy, path: str) -> list[FieldError]:
    if not policy:
        return [FieldError.required(path)]
    if policy not in POD_MANAGEMENT_POLICIES:
        return [FieldError.invalid(path, policy, "must be 'OrderedReady' or 'Parallel'")]
    return []


def _update_strategy(strategy: dict, path: str) -> list[FieldError]:
    kind = strategy.get("type", "")
    rolling = strategy.get("rollingUpdate")
    if not kind:
        return [FieldError.required(path)]
    if kind == "OnDelete":
        if rolling is None:
            return []
        return [meta.invalid_go(path + ".rollingUpdate", rolling, _go_rolling_update(rolling),
                                "only allowed for updateStrategy 'RollingUpdate'")]
    if kind == "RollingUpdate":
        return [] if rolling is None else _rolling_update(rolling, path + ".rollingUpdate")
    pointer = "(*apps.RollingUpdateStatefulSetStrategy)(nil)" if rolling is None else \
        "(*apps.RollingUpdateStatefulSetStrategy)(0xc000000000)"
    shown = f'apps.StatefulSetUpdateStrategy{{Type:"{kind}", RollingUpdate:{pointer}}}'
    return [meta.invalid_go(path, strategy, shown, "must be 'RollingUpdate' or 'OnDelete'")]


def _go_rolling_update(rolling: dict) -> str:
    """``%#v`` of an ``apps.RollingUpdateStatefulSetStrategy``."""
    unavailable = rolling.get("maxUnavailable")
    pointer = "(*intstr.IntOrString)(nil)" if unavailable is None else "(*intstr.IntOrString)(0xc000000000)"
    return (f"apps.RollingUpdateStatefulSetStrategy{{Partition:{rolling.get('partition', 0)}, "
            f"MaxUnavailable:{pointer}}}")


def _rolling_update(rolling: dict, path: str) -> list[FieldError]:
    """``validateRollingUpdateStatefulSet``."""
    errs = meta.nonnegative(rolling.get("partition", 0), path + ".partition")
    unavailable = rolling.get("maxUnavailable")
    if unavailable is not None:
        unavailable_path = path + ".maxUnavailable"
        errs.extend(positive_int_or_percent(unavailable, unavailable_path))
        if (_int_or_percent(unavailable) or 0) == 0:
            errs.append(meta.invalid_go(unavailable_path, unavailable, meta.go_int_or_string(unavailable),
                                        "cannot be 0"))
        percent = _percent(unavailable)
        if percent is not None and percent > 100:
            errs.append(meta.invalid_go(unavailable_path, unavailable, meta.go_int_or_string(unavailable),
                                        "must not be greater than 100%"))
    return errs


def _retention_policy(policy: dict | None, path: str) -> list[FieldError]:
    """``ValidatePersistentVolumeClaimRetentionPolicy``: each of the two is Retain or Delete."""
    if policy is None:
        return []
    errs: list[FieldError] = []
    for when in ("whenDeleted", "whenScaled"):
        value = policy.get(when, "")
        if value not in RETENTION_POLICY_TYPES:
            errs.append(FieldError.not_supported(f"{path}.{when}", value, RETENTION_POLICY_TYPES))
    return errs


def _selector_and_template(spec: dict, path: str) -> list[FieldError]:
    """The selector (required, not empty, strictly valid), then the template it must match."""
    selector = spec.get("selector")
    errs: list[FieldError] = []
    if selector is None:
        errs.append(FieldError.required(path + ".selector"))
    else:
        errs.extend(meta.validate_label_selector(selector, path + ".selector"))
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            errs.append(meta.invalid_go(path + ".selector", selector, meta.go_label_selector(selector),
                                        "empty selector is invalid for statefulset"))
    try:
        parsed = labels.selector_from_label_selector(selector)
    except labels.SelectorError:
        errs.append(meta.invalid_go(path + ".selector", selector, meta.go_label_selector(selector), ""))
        return errs
    errs.extend(_template(spec.get("template") or {}, parsed, path + ".template"))
    return errs


def _template(template: dict, selector, path: str) -> list[FieldError]:
    """``ValidatePodTemplateSpecForStatefulSet``: labels match the selector; labels and
    annotations are well formed. The pod spec itself is left to pod creation."""
    template_meta = template.get("metadata") or {}
    template_labels = template_meta.get("labels")
    errs: list[FieldError] = []
    if not selector.empty() and not selector.matches(template_labels or {}):
        errs.append(meta.invalid_go(path + ".metadata.labels", template_labels,
                                    meta.go_string_map(template_labels),
                                    "`selector` does not match template `labels`"))
    errs.extend(meta.validate_labels(template_labels, path + ".labels"))
    errs.extend(meta.validate_annotations(template_meta.get("annotations"), path + ".annotations"))
    return errs
