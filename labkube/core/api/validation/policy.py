"""PodDisruptionBudgets (policy/v1).

Mirrors pkg/apis/policy/validation/validation.go of Kubernetes 1.32
(``ValidatePodDisruptionBudget``, ``ValidatePodDisruptionBudgetSpec``,
``ValidatePodDisruptionBudgetStatusUpdate``) and the generic ``rest.BeforeCreate`` that checks
the metadata afterwards: a PDB's name only has to be a path segment.

* ``minAvailable`` and ``maxUnavailable`` are each a non-negative integer or a percentage
  ``0%``..``100%``; setting both is refused with the whole spec printed as Go's ``%#v`` of
  the internal struct. That rendering shows pointer addresses, which differ on every real
  request; labkube prints fixed, plausible ones so the text stays deterministic.
* ``selector`` is an ordinary label selector (a missing one is valid: it selects no pods;
  an empty one ``{}`` selects every pod of the namespace).
* ``unhealthyPodEvictionPolicy`` is ``IfHealthyBudget`` or ``AlwaysAllow`` when set.
* A status update (``/status``) must keep the four counts non-negative.
"""

from __future__ import annotations

from labkube.core.api.validation import meta, names
from labkube.core.api.validation.apps import positive_int_or_percent
from labkube.core.errors import FieldError

#: ``supportedUnhealthyPodEvictionPolicies`` (sets.List: sorted).
UNHEALTHY_POD_EVICTION_POLICIES = ("AlwaysAllow", "IfHealthyBudget")
BOTH_SET = "minAvailable and maxUnavailable cannot be both set"
#: Where labkube pretends Go allocated the spec's pointers (real servers print fresh ones).
_FAKE_ADDRESSES = ("0xc00efdb120", "0xc00efdb140", "0xc00efdb160")


def validate_pod_disruption_budget(obj: dict, old: dict | None = None) -> list[FieldError]:
    """``Strategy.Validate`` / ``ValidateUpdate``, then the generic metadata checks."""
    spec = obj.get("spec") or {}
    errs = validate_spec(spec, "spec")
    if old is None:
        errs.extend(meta.validate_object_meta(obj.get("metadata"), True, names.path_segment_name))
    else:
        errs.extend(meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata")))
        errs.extend(validate_status(obj.get("status") or {}, "status"))
    return errs


def validate_spec(spec: dict, path: str) -> list[FieldError]:
    """``ValidatePodDisruptionBudgetSpec``."""
    errs: list[FieldError] = []
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        errs.append(meta.invalid_go(path, spec, go_spec(spec), BOTH_SET))
    for field in ("minAvailable", "maxUnavailable"):
        value = spec.get(field)
        if value is not None:
            errs.extend(positive_int_or_percent(value, f"{path}.{field}"))
            errs.extend(not_more_than_100_percent(value, f"{path}.{field}"))
    errs.extend(meta.validate_label_selector(spec.get("selector"), path + ".selector"))
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in UNHEALTHY_POD_EVICTION_POLICIES:
        errs.append(FieldError.not_supported(path + ".unhealthyPodEvictionPolicy", policy,
                                             UNHEALTHY_POD_EVICTION_POLICIES))
    return errs


def not_more_than_100_percent(value, path: str) -> list[FieldError]:
    """``IsNotMoreThan100Percent``."""
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit() and int(value[:-1]) > 100:
        return [meta.invalid_go(path, value, meta.go_int_or_string(value), "must not be greater than 100%")]
    return []


def validate_status(status: dict, path: str) -> list[FieldError]:
    """``ValidatePodDisruptionBudgetStatusUpdate`` for policy/v1 (conditions are not re-checked)."""
    errs: list[FieldError] = []
    for field in ("disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"):
        errs.extend(meta.nonnegative(status.get(field, 0), f"{path}.{field}"))
    return errs


def go_spec(spec: dict) -> str:
    """``%#v`` of the internal ``policy.PodDisruptionBudgetSpec`` (pointers as addresses)."""
    fields = (("MinAvailable", "*intstr.IntOrString", spec.get("minAvailable")),
              ("Selector", "*v1.LabelSelector", spec.get("selector")),
              ("MaxUnavailable", "*intstr.IntOrString", spec.get("maxUnavailable")),
              ("UnhealthyPodEvictionPolicy", "*policy.UnhealthyPodEvictionPolicyType",
               spec.get("unhealthyPodEvictionPolicy")))
    shown = []
    for (name, go_type, value), address in zip(fields, _FAKE_ADDRESSES + ("0xc00efdb180",)):
        shown.append(f"{name}:({go_type})({'nil' if value is None else address})")
    return "policy.PodDisruptionBudgetSpec{" + ", ".join(shown) + "}"
