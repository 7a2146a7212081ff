"""PriorityClass validation, in kube-apiserver's words.

Mirrors pkg/apis/scheduling/validation (Kubernetes 1.32):

* ``ValidatePriorityClass``: the name is a DNS subdomain; a name starting ``system-`` must be
  one of the two system classes with exactly their value and ``globalDefault: false``
  (``IsKnownSystemPriorityClass`` in pkg/apis/scheduling/v1/helpers.go says which part is
  wrong); any other class may not go above 1,000,000,000 (``HighestUserDefinablePriority``);
  ``preemptionPolicy`` is ``PreemptLowerPriority`` or ``Never``
  (core validation's ``ValidatePreemptionPolicy``).
* ``ValidatePriorityClassUpdate``: ``value`` and ``preemptionPolicy`` never change.

That only one class may be the ``globalDefault`` is the Priority admission plugin's rule, not
validation's (:class:`labkube.core.api.admission.PriorityAdmission`).
"""

from __future__ import annotations

from labkube.core.api.validation import meta, names
from labkube.core.errors import FieldError

SYSTEM_PRIORITY_CLASS_PREFIX = "system-"
#: ``scheduling.HighestUserDefinablePriority``.
HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000
#: ``scheduling.SystemCriticalPriority``: twice the highest user-definable priority.
SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY
#: The classes kube-apiserver creates at start (name -> value); see registry/scheduling.py.
SYSTEM_PRIORITY_CLASS_VALUES = {
    "system-node-critical": SYSTEM_CRITICAL_PRIORITY + 1000,
    "system-cluster-critical": SYSTEM_CRITICAL_PRIORITY,
}
#: ``ValidatePreemptionPolicy``'s supported values, in its order.
PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")


def validate_priority_class(obj: dict, old: dict | None = None) -> list[FieldError]:
    """``ValidatePriorityClass`` on create, ``ValidatePriorityClassUpdate`` on update."""
    if old is not None:
        return _validate_update(obj, old)
    errs = meta.validate_object_meta(obj.get("metadata"), False, names.name_is_dns_subdomain)
    errs.extend(_value_and_name(obj))
    if obj.get("preemptionPolicy") is not None:
        errs.extend(validate_preemption_policy(obj["preemptionPolicy"], "preemptionPolicy"))
    return errs


def _value_and_name(obj: dict) -> list[FieldError]:
    name = (obj.get("metadata") or {}).get("name") or ""
    value = obj.get("value", 0)
    if name.startswith(SYSTEM_PRIORITY_CLASS_PREFIX):
        problem = system_class_problem(name, value, bool(obj.get("globalDefault")))
        if problem:
            return [FieldError.forbidden(
                "metadata.name",
                f"priority class names with '{SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved "
                f"for system use only. error: {problem}")]
        return []
    if value > HIGHEST_USER_DEFINABLE_PRIORITY:
        return [FieldError.forbidden(
            "value", f"maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}")]
    return []


def system_class_problem(name: str, value: int, global_default: bool) -> str:
    """``IsKnownSystemPriorityClass``: "" when it is one, else what does not match."""
    if name not in SYSTEM_PRIORITY_CLASS_VALUES:
        return f"{name} is not a known system priority class"
    if value != SYSTEM_PRIORITY_CLASS_VALUES[name]:
        return f"value of {name} PriorityClass must be {SYSTEM_PRIORITY_CLASS_VALUES[name]}"
    if global_default:
        return f"globalDefault of {name} PriorityClass must be false"
    return ""


def validate_preemption_policy(policy: str, path: str) -> list[FieldError]:
    """``ValidatePreemptionPolicy``: Required when empty, NotSupported when unknown."""
    if policy == "":
        return [FieldError.required(path)]
    if policy not in PREEMPTION_POLICIES:
        return [FieldError.not_supported(path, policy, PREEMPTION_POLICIES)]
    return []


def _validate_update(obj: dict, old: dict) -> list[FieldError]:
    errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    if obj.get("value", 0) != old.get("value", 0):
        errs.append(FieldError.forbidden("value", "may not be changed in an update."))
    errs.extend(meta.immutable(obj.get("preemptionPolicy"), old.get("preemptionPolicy"), "preemptionPolicy"))
    return errs
