"""Roles, ClusterRoles and their bindings (rbac.authorization.k8s.io/v1).

Mirrors pkg/apis/rbac/validation/validation.go: ``ValidateRole``/``ValidateClusterRole``
(``ValidatePolicyRule``), ``ValidateRoleBinding``/``ValidateClusterRoleBinding``
(``ValidateRoleBindingSubject``) and the rule that ``roleRef`` cannot change. RBAC names are
path segments (``ValidateRBACName``): anything but ``.``, ``..`` or names containing ``/`` or
``%``.
"""

from __future__ import annotations

from labkube.core.api.validation import meta, names
from labkube.core.errors import FieldError, go_quote

GROUP = "rbac.authorization.k8s.io"


def _meta(obj: dict, old: dict | None, namespaced: bool) -> list[FieldError]:
    if old is None:
        return meta.validate_object_meta(obj.get("metadata"), namespaced, names.path_segment_name)
    return meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))


def _policy_rule(rule: dict, namespaced: bool, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if not rule.get("verbs"):
        errs.append(FieldError.required(path + ".verbs", "verbs must contain at least one value"))
    urls = rule.get("nonResourceURLs") or []
    if urls:
        shown = meta.go_string_slice(urls)
        if namespaced:
            errs.append(meta.invalid_go(path + ".nonResourceURLs", urls, shown,
                                        "namespaced rules cannot apply to non-resource URLs"))
        if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
            errs.append(meta.invalid_go(path + ".nonResourceURLs", urls, shown,
                                        "rules cannot apply to both regular resources and non-resource URLs"))
        return errs
    if not rule.get("apiGroups"):
        errs.append(FieldError.required(path + ".apiGroups",
                                        "resource rules must supply at least one api group"))
    if not rule.get("resources"):
        errs.append(FieldError.required(path + ".resources",
                                        "resource rules must supply at least one resource"))
    return errs


def validate_role(obj: dict, old: dict | None = None) -> list[FieldError]:
    errs = _meta(obj, old, True)
    for i, rule in enumerate(obj.get("rules") or ()):
        errs.extend(_policy_rule(rule, True, f"rules[{i}]"))
    return errs


def validate_cluster_role(obj: dict, old: dict | None = None) -> list[FieldError]:
    errs = _meta(obj, old, False)
    for i, rule in enumerate(obj.get("rules") or ()):
        errs.extend(_policy_rule(rule, False, f"rules[{i}]"))
    aggregation = obj.get("aggregationRule")
    if aggregation is not None:
        selectors = aggregation.get("clusterRoleSelectors") or []
        if not selectors:
            errs.append(FieldError.required(
                "aggregationRule.clusterRoleSelectors",
                "at least one clusterRoleSelector required if aggregationRule is non-nil"))
        for i, selector in enumerate(selectors):
            errs.extend(meta.validate_label_selector(selector, f"aggregationRule.clusterRoleSelectors[{i}]"))
    return errs


def _role_ref(ref: dict, kinds: tuple[str, ...]) -> list[FieldError]:
    errs: list[FieldError] = []
    if ref.get("apiGroup", "") != GROUP:
        errs.append(FieldError.not_supported("roleRef.apiGroup", ref.get("apiGroup", ""), (GROUP,)))
    if ref.get("kind", "") not in kinds:
        errs.append(FieldError.not_supported("roleRef.kind", ref.get("kind", ""), kinds))
    name = ref.get("name", "")
    if not name:
        errs.append(FieldError.required("roleRef.name"))
    else:
        errs.extend(FieldError.invalid("roleRef.name", name, m) for m in names.path_segment_name(name))
    return errs


def _subject(subject: dict, namespaced: bool, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = subject.get("name", "")
    if not name:
        errs.append(FieldError.required(path + ".name"))
    kind = subject.get("kind", "")
    group = subject.get("apiGroup", "")
    if kind == "ServiceAccount":
        if name:
            errs.extend(FieldError.invalid(path + ".name", name, m)
                        for m in names.name_is_dns_subdomain(name))
        if group:
            errs.append(FieldError.not_supported(path + ".apiGroup", group, ("",)))
        if not namespaced and not subject.get("namespace"):
            errs.append(FieldError.required(path + ".namespace"))
    elif kind in ("User", "Group"):
        if group != GROUP:
            errs.append(FieldError.not_supported(path + ".apiGroup", group, (GROUP,)))
    else:
        errs.append(FieldError.not_supported(path + ".kind", kind, ("ServiceAccount", "User", "Group")))
    return errs


def _binding(obj: dict, old: dict | None, namespaced: bool, kinds) -> list[FieldError]:
    errs = _meta(obj, old, namespaced)
    ref = obj.get("roleRef") or {}
    if old is not None and ref != (old.get("roleRef") or {}):
        shown = (f"rbac.RoleRef{{APIGroup:{go_quote(ref.get('apiGroup', ''))}, "
                 f"Kind:{go_quote(ref.get('kind', ''))}, Name:{go_quote(ref.get('name', ''))}}}")
        errs.append(meta.invalid_go("roleRef", ref, shown, "cannot change roleRef"))
    errs.extend(_role_ref(ref, kinds))
    for i, subject in enumerate(obj.get("subjects") or ()):
        errs.extend(_subject(subject, namespaced, f"subjects[{i}]"))
    return errs


def validate_role_binding(obj: dict, old: dict | None = None) -> list[FieldError]:
    return _binding(obj, old, True, ("Role", "ClusterRole"))


def validate_cluster_role_binding(obj: dict, old: dict | None = None) -> list[FieldError]:
    return _binding(obj, old, False, ("ClusterRole",))
