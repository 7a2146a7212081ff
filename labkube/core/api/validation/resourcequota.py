"""ResourceQuotas: what kube-apiserver refuses, in its words.

Mirrors pkg/apis/core/validation/validation.go of Kubernetes 1.32 (``ValidateResourceQuota``,
``ValidateResourceQuotaUpdate``, ``ValidateResourceQuotaStatusUpdate``,
``ValidateResourceQuotaSpec``, ``validateResourceQuotaScopes``, ``validateScopeSelector``,
``ValidateResourceQuotaResourceName``, ``ValidateResourceQuantityValue``) and the resource-name
sets of pkg/apis/core/helper:

* a name in ``spec.hard``, ``status.hard`` or ``status.used`` is a qualified name; without a
  ``/`` it must be a standard resource (``must be a standard resource type or fully
  qualified``) known to quota (``must be a standard resource for quota``): cpu, memory,
  ephemeral-storage and their ``requests.``/``limits.`` forms, ``requests.storage``, hugepages,
  and the object counts pods, services, secrets, configmaps, persistentvolumeclaims,
  replicationcontrollers, resourcequotas, services.nodeports, services.loadbalancers;
  ``count/<resource>`` and ``requests.<vendor>/<name>`` are fully qualified;
* a quantity is not negative, and an object count is a whole number (``must be an integer``);
* ``spec.scopes``: known scopes (``unsupported scope``), each valid for every hard resource
  (BestEffort only limits ``pods``; the others pods and cpu/memory), never both of a pair
  (``conflicting scopes``); ``spec.scopeSelector`` likewise, with its operators;
* an update may not change ``spec.scopes`` (``field is immutable``).

Errors on map entries are reported in key order (Go's map order is random).
"""

from __future__ import annotations

from labkube.core.api import quantity as qty
from labkube.core.api.validation import meta, names
from labkube.core.errors import FieldError

NOT_STANDARD = "must be a standard resource type or fully qualified"
NOT_QUOTA_RESOURCE = "must be a standard resource for quota"
NOT_INTEGER = "must be an integer"
EXISTS_ONLY = ("must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, "
               "ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, "
               "ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity")

_COMPUTE = ("cpu", "memory", "ephemeral-storage")
_OBJECT_COUNTS = frozenset({"pods", "resourcequotas", "services", "replicationcontrollers", "secrets",
                            "configmaps", "persistentvolumeclaims", "services.nodeports",
                            "services.loadbalancers"})
#: ``standardQuotaResources``.
QUOTA_RESOURCES = frozenset(
    set(_COMPUTE) | {f"requests.{r}" for r in _COMPUTE} | {f"limits.{r}" for r in _COMPUTE}
    | {"requests.storage"} | _OBJECT_COUNTS)
#: ``standardResources``: what any resource list may name without a ``/``.
STANDARD_RESOURCES = QUOTA_RESOURCES | {"storage"}
#: ``integerResources``.
INTEGER_RESOURCES = _OBJECT_COUNTS

SCOPES = ("Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass",
          "CrossNamespacePodAffinity")
EXISTS_ONLY_SCOPES = ("BestEffort", "NotBestEffort", "Terminating", "NotTerminating", "CrossNamespacePodAffinity")
CONFLICTING_SCOPES = (("BestEffort", "NotBestEffort"), ("NotTerminating", "Terminating"))
_POD_COMPUTE = frozenset({"cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"})


def _is_quota_hugepages(name: str) -> bool:
    """``IsQuotaHugePageResourceName``."""
    return name.startswith("hugepages-") or name.startswith("requests.hugepages-")


def _is_extended(name: str) -> bool:
    """``IsExtendedResourceName``: outside kubernetes.io, not ``requests.``, and its
    ``requests.`` form a qualified name."""
    if "/" not in name or "kubernetes.io/" in name or name.startswith("requests."):
        return False
    return not names.is_qualified_name("requests." + name)


def scope_valid_for_resource(scope: str, resource: str) -> bool:
    """``IsResourceQuotaScopeValidForResource``."""
    if scope == "BestEffort":
        return resource == "pods"
    if scope in SCOPES:
        return resource == "pods" or resource in _POD_COMPUTE
    return True


def _resource_name(name: str, path: str) -> list[FieldError]:
    """``ValidateResourceQuotaResourceName``."""
    errs = [FieldError.invalid(path, name, msg) for msg in names.is_qualified_name(name)]
    if errs:
        return errs
    if "/" not in name:
        if name not in STANDARD_RESOURCES and not _is_quota_hugepages(name):
            return [FieldError.invalid(path, name, NOT_STANDARD)]
        if name not in QUOTA_RESOURCES and not _is_quota_hugepages(name):
            return [FieldError.invalid(path, name, NOT_QUOTA_RESOURCE)]
    return []


def _quantity(name: str, value, path: str) -> list[FieldError]:
    """``ValidateResourceQuantityValue``: not negative; whole for object counts."""
    try:
        quantity = qty.parse_quantity(str(value))
    except ValueError as err:
        return [FieldError.invalid(path, value, str(err))]
    if quantity.is_negative():
        return [FieldError.invalid(path, str(quantity), meta.IS_NEGATIVE)]
    if (name in INTEGER_RESOURCES or _is_extended(name)) and quantity.milli % 1000:
        return [FieldError.invalid(path, str(quantity), NOT_INTEGER)]
    return []


def _resource_list(resources, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for name in sorted(resources or {}):
        entry = f"{path}[{name}]"
        errs.extend(_resource_name(name, entry))
        errs.extend(_quantity(name, resources[name], entry))
    return errs


def _go_scopes(scopes) -> str:
    if not scopes:
        return "[]core.ResourceQuotaScope(nil)"
    return "[]core.ResourceQuotaScope{" + ", ".join(f'"{s}"' for s in scopes) + "}"


def _go_scope_selector(selector: dict) -> str:
    exprs = ", ".join(
        f'core.ScopedResourceSelectorRequirement{{ScopeName:"{e.get("scopeName", "")}", '
        f'Operator:"{e.get("operator", "")}", Values:{meta.go_string_slice(e.get("values"))}}}'
        for e in selector.get("matchExpressions") or ())
    return f"&core.ScopeSelector{{MatchExpressions:[]core.ScopedResourceSelectorRequirement{{{exprs}}}}}"


def _scopes(spec: dict, path: str) -> list[FieldError]:
    """``validateResourceQuotaScopes``."""
    scopes = spec.get("scopes") or []
    if not scopes:
        return []
    errs: list[FieldError] = []
    scopes_path, go_text = f"{path}.scopes", _go_scopes(scopes)
    hard = sorted(spec.get("hard") or {})
    for scope in scopes:
        if scope not in SCOPES:
            errs.append(meta.invalid_go(scopes_path, scopes, go_text, "unsupported scope"))
        for name in hard:
            if name in QUOTA_RESOURCES and not scope_valid_for_resource(scope, name):
                errs.append(meta.invalid_go(scopes_path, scopes, go_text, "unsupported scope applied to resource"))
    for pair in CONFLICTING_SCOPES:
        if set(pair) <= set(scopes):
            errs.append(meta.invalid_go(scopes_path, scopes, go_text, "conflicting scopes"))
    return errs


def _scope_selector(spec: dict, path: str) -> list[FieldError]:
    """``validateScopeSelector`` / ``validateScopedResourceSelectorRequirement``."""
    selector = spec.get("scopeSelector")
    if selector is None:
        return []
    errs: list[FieldError] = []
    exprs_path = f"{path}.scopeSelector.matchExpressions"
    hard = sorted(spec.get("hard") or {})
    seen = set()
    for expr in selector.get("matchExpressions") or ():
        scope, operator, values = expr.get("scopeName", ""), expr.get("operator", ""), expr.get("values") or []
        if scope not in SCOPES:
            errs.append(FieldError.invalid(f"{exprs_path}.scopeName", scope, "unsupported scope"))
        for name in hard:
            if name in QUOTA_RESOURCES and not scope_valid_for_resource(scope, name):
                errs.append(meta.invalid_go(exprs_path, selector, _go_scope_selector(selector),
                                            "unsupported scope applied to resource"))
        if scope in EXISTS_ONLY_SCOPES and operator != "Exists":
            errs.append(FieldError.invalid(f"{exprs_path}.operator", operator, EXISTS_ONLY))
        errs.extend(_operator(operator, values, exprs_path))
        seen.add(scope)
    for pair in CONFLICTING_SCOPES:
        if set(pair) <= seen:
            scopes = spec.get("scopes") or []
            errs.append(meta.invalid_go(exprs_path, scopes, _go_scopes(scopes), "conflicting scopes"))
    return errs


def _operator(operator: str, values: list, path: str) -> list[FieldError]:
    if operator in ("In", "NotIn"):
        if not values:
            return [FieldError.required(f"{path}.values",
                                        "must be at least one value when `operator` is 'In' or 'NotIn' "
                                        "for scope selector")]
        return []
    if operator in ("Exists", "DoesNotExist"):
        if values:
            return [meta.invalid_go(f"{path}.values", values, meta.go_string_slice(values),
                                    "must be no value when `operator` is 'Exist' or 'DoesNotExist' "
                                    "for scope selector")]
        return []
    return [FieldError.invalid(f"{path}.operator", operator, "not a valid selector operator")]


def validate_resource_quota_spec(spec: dict, path: str = "spec") -> list[FieldError]:
    """``ValidateResourceQuotaSpec``."""
    errs = _resource_list(spec.get("hard"), f"{path}.hard")
    errs.extend(_scopes(spec, path))
    errs.extend(_scope_selector(spec, path))
    return errs


def validate_resource_quota_status(status: dict, path: str = "status") -> list[FieldError]:
    """``ValidateResourceQuotaStatus``."""
    return _resource_list(status.get("hard"), f"{path}.hard") + _resource_list(status.get("used"), f"{path}.used")


def validate_resource_quota(obj: dict, old: dict | None = None) -> list[FieldError]:
    """Create: metadata, spec and status. Update (of the object or of ``/status``): metadata
    changes, spec and status, and ``spec.scopes`` unchanged."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    if old is None:
        errs = meta.validate_object_meta(obj.get("metadata"), True, names.name_is_dns_subdomain)
    else:
        errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    errs.extend(validate_resource_quota_spec(spec))
    errs.extend(validate_resource_quota_status(status))
    if old is not None:
        new_scopes, old_scopes = spec.get("scopes") or [], (old.get("spec") or {}).get("scopes") or []
        if set(new_scopes) != set(old_scopes):
            errs.append(meta.invalid_go("spec.scopes", new_scopes, _go_scopes(new_scopes), meta.FIELD_IMMUTABLE))
    return errs
