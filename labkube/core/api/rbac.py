"""RBAC: Roles and ClusterRoles say what may be done, bindings say who may do it.

Mirrors plugin/pkg/auth/authorizer/rbac (``RBACAuthorizer``, ``RuleAllows``),
pkg/registry/rbac/validation/rule.go (``DefaultRuleResolver.VisitRulesFor``: which bindings
apply to a user, how their roles are found, the "allowed by ..." source strings), the matching
helpers of pkg/apis/rbac/v1/evaluation_helpers.go and, for aggregated ClusterRoles,
pkg/controller/clusterroleaggregation.

The evaluation, for a user and a request in namespace N:

1. every ClusterRoleBinding whose subjects include the user grants the rules of its role
   everywhere;
2. if N is set, every RoleBinding in N whose subjects include the user grants the rules of its
   Role (from N) or ClusterRole, but only inside N;
3. the first rule that matches allows the request (reason ``RBAC: allowed by RoleBinding
   "read-pods/default" of Role "pod-reader" to User "alice"``). RBAC never denies: without a
   match it has *no opinion*; if a binding pointed at a missing role, the reason says so
   (``RBAC: role.rbac.authorization.k8s.io "pod-reader" not found``) and kube-apiserver
   appends it to the 403 message.

A subject matches by kind: ``User`` by name, ``Group`` by membership, ``ServiceAccount`` by the
username ``system:serviceaccount:<ns>:<name>`` (a RoleBinding's ServiceAccount subject without
a namespace means the binding's namespace).

Aggregated ClusterRoles (``admin``, ``edit``, ``view`` and any with an ``aggregationRule``): in
a real cluster the clusterrole-aggregation controller copies the rules of every ClusterRole
whose labels match the selectors into the aggregated role's ``rules`` (sorted by role name,
skipping itself, without duplicates). This authorizer computes that same union when it
compiles the policy, so a new ``aggregate-to-view`` role takes effect at once, exactly as it
would a moment later on a real cluster; :func:`aggregate_rules` is that computation for a
controller or for display.

Escalation prevention (the end of this module): a Role, ClusterRole or binding may grant only
rules its author already holds, unless the author may ``escalate`` roles or ``bind`` the role;
:class:`EscalationCheck` refuses the write with kube-apiserver's "attempting to grant RBAC
permissions not currently held" message.

Speed. Each decision uses a compiled policy: bindings indexed by user, group and
service-account name, rules turned into sets. The compiled policy is cached and rebuilt only
when the RBAC objects change: pass ``generation`` (a cheap callable whose value changes
whenever a Role, ClusterRole or binding is written, e.g. a counter the API server bumps) to
skip listing entirely (:class:`Generation` is such a counter; ``invalidate()`` also works);
without it the authorizer lists the four kinds on every decision and reuses the compiled policy while each kind's count and highest ``resourceVersion`` are
unchanged (with etcd's increasing revisions every write changes one of them; objects without
a numeric resourceVersion are recompiled every time).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Iterable, Sequence

from labkube.core.api.auth import (
    SERVICE_ACCOUNT_USERNAME_PREFIX,
    Attributes,
    Decision,
    UserInfo,
)
from labkube.core.errors import StatusError, aggregate_message, forbidden, go_quote, not_found

Lister = Callable[[str, "str | None"], list]

ALL = "*"
RBAC_GROUP = "rbac.authorization.k8s.io"

# ---------------------------------------------------------------------------
# One rule (pkg/apis/rbac/v1/evaluation_helpers.go)
# ---------------------------------------------------------------------------


class CompiledRule:
    """A PolicyRule prepared for fast matching; ``source`` is the original dict."""

    __slots__ = (
        "source", "all_verbs", "verbs", "all_groups", "groups", "all_resources",
        "resources", "sub_wildcards", "names", "all_urls", "urls", "url_prefixes",
    )

    def __init__(self, rule: dict) -> None:
        self.source = rule
        verbs = rule.get("verbs") or ()
        groups = rule.get("apiGroups") or ()
        resources = rule.get("resources") or ()
        urls = rule.get("nonResourceURLs") or ()
        self.all_verbs = ALL in verbs
        self.verbs = frozenset(verbs)
        self.all_groups = ALL in groups
        self.groups = frozenset(groups)
        self.all_resources = ALL in resources
        self.resources = frozenset(resources)
        # "*/scale" matches the scale subresource of any resource.
        self.sub_wildcards = frozenset(r[2:] for r in resources if r.startswith("*/"))
        self.names = frozenset(rule.get("resourceNames") or ())
        self.all_urls = ALL in urls
        self.urls = frozenset(urls)
        self.url_prefixes = tuple(u.rstrip("*") for u in urls if u.endswith("*"))

    def allows(self, attrs: Attributes) -> bool:
        """``RuleAllows``: verb, then group/resource/name or the non-resource URL."""
        if not (self.all_verbs or attrs.verb in self.verbs):
            return False
        if attrs.resource_request:
            return self._matches_resource(attrs)
        return self._matches_url(attrs.path)

    def _matches_resource(self, attrs: Attributes) -> bool:
        if not (self.all_groups or attrs.api_group in self.groups):
            return False
        if not self.all_resources:
            sub = attrs.subresource
            combined = f"{attrs.resource}/{sub}" if sub else attrs.resource
            if combined not in self.resources and not (sub and sub in self.sub_wildcards):
                return False
        return not self.names or attrs.name in self.names

    def restricts_names_of(self, group: str, resource: str, subresource: str) -> bool:
        """Whether the rule lists ``resourceNames`` and could match a request for this group,
        resource and subresource (then whether it allows one depends on the object's name)."""
        if not self.names or not (self.all_groups or group in self.groups):
            return False
        if self.all_resources:
            return True
        combined = f"{resource}/{subresource}" if subresource else resource
        return combined in self.resources or bool(subresource and subresource in self.sub_wildcards)

    def _matches_url(self, path: str) -> bool:
        if self.all_urls or path in self.urls:
            return True
        return any(path.startswith(prefix) for prefix in self.url_prefixes)


def rule_allows(attrs: Attributes, rule: dict) -> bool:
    """Whether one PolicyRule dict allows the request (``RuleAllows``)."""
    return CompiledRule(rule).allows(attrs)


# ---------------------------------------------------------------------------
# Aggregation (pkg/controller/clusterroleaggregation)
# ---------------------------------------------------------------------------


def selector_matches(selector: dict | None, labels: dict | None) -> bool:
    """A metav1.LabelSelector (matchLabels + matchExpressions) against labels.

    An empty selector matches everything; a null one matches nothing.
    """
    if selector is None:
        return False
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    return all(_expression_matches(e, labels) for e in selector.get("matchExpressions") or ())


def _expression_matches(expression: dict, labels: dict) -> bool:
    key, operator = expression.get("key", ""), expression.get("operator", "")
    values = expression.get("values") or ()
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    raise ValueError(f"{operator!r} is not a valid label selector operator")


def _rule_key(rule: dict) -> tuple:
    # Semantic equality: a missing list equals an empty one.
    return tuple(
        tuple(rule.get(f) or ())
        for f in ("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs")
    )


def aggregate_rules(cluster_role: dict, cluster_roles: Iterable[dict]) -> list[dict]:
    """The rules the aggregation controller would write into ``cluster_role``.

    Selected roles (by any of the ``clusterRoleSelectors``) are taken in name order, the role
    itself is skipped, and a rule already present is not added twice. The selected roles'
    rules are used as they are stored; :class:`RBACAuthorizer` resolves aggregation of
    aggregated roles (``admin`` includes ``edit`` which includes ``view``) transitively.
    """
    by_name = {r.get("metadata", {}).get("name", ""): r for r in cluster_roles}
    return _aggregate(cluster_role, by_name, lambda role: role.get("rules") or [])


def _aggregate(cluster_role: dict, by_name: dict, rules_of: Callable[[dict], list]) -> list[dict]:
    own_name = cluster_role.get("metadata", {}).get("name", "")
    selectors = (cluster_role.get("aggregationRule") or {}).get("clusterRoleSelectors") or ()
    selected = set()
    for selector in selectors:
        for name, role in by_name.items():
            if selector_matches(selector, role.get("metadata", {}).get("labels")):
                selected.add(name)
    rules: list[dict] = []
    seen: set[tuple] = set()
    for name in sorted(selected):
        if name == own_name:
            continue
        for rule in rules_of(by_name[name]):
            key = _rule_key(rule)
            if key not in seen:
                seen.add(key)
                rules.append(rule)
    return rules


def _effective_cluster_role_rules(by_name: dict[str, dict]) -> dict[str, list[dict]]:
    """Every ClusterRole's rules with aggregation resolved to a fixed point."""
    done: dict[str, list[dict]] = {}
    in_progress: set[str] = set()

    def rules_of(role: dict) -> list[dict]:
        name = role.get("metadata", {}).get("name", "")
        if name in done:
            return done[name]
        if role.get("aggregationRule") is None or name in in_progress:
            return role.get("rules") or []
        in_progress.add(name)
        done[name] = _aggregate(role, by_name, rules_of)
        in_progress.discard(name)
        return done[name]

    return {name: rules_of(role) for name, role in by_name.items()}


# ---------------------------------------------------------------------------
# The compiled policy (pkg/registry/rbac/validation/rule.go)
# ---------------------------------------------------------------------------


@dataclass
class _Grant:
    """One binding as it applies to its subjects: its role's rules, or why they are missing."""

    order: int
    binding_kind: str  # "ClusterRoleBinding" | "RoleBinding"
    binding: dict
    rules: tuple[CompiledRule, ...] = ()
    error: str = ""
    _allowed: dict[int, Decision] = field(default_factory=dict)

    def allow_decision(self, subject_index: int) -> Decision:
        """The (immutable, so shared) Allow decision naming this binding and subject."""
        decision = self._allowed.get(subject_index)
        if decision is None:
            decision = Decision.allow(f"RBAC: allowed by {self.describe(subject_index)}")
            self._allowed[subject_index] = decision
        return decision

    def describe(self, subject_index: int) -> str:
        """The ``source`` string of rule.go's describers, used in the allow reason."""
        meta = self.binding.get("metadata", {})
        name, namespace = meta.get("name", ""), meta.get("namespace", "")
        ref = self.binding.get("roleRef") or {}
        subject = (self.binding.get("subjects") or [])[subject_index]
        shown = f"{name}/{namespace}" if self.binding_kind == "RoleBinding" else name
        return (
            f"{self.binding_kind} {go_quote(shown)} of {ref.get('kind', '')} "
            f"{go_quote(ref.get('name', ''))} to {_describe_subject(subject, namespace)}"
        )


def _describe_subject(subject: dict, binding_namespace: str) -> str:
    kind, name = subject.get("kind", ""), subject.get("name", "")
    if kind == "ServiceAccount":
        return f"{kind} {go_quote(name + '/' + (subject.get('namespace') or binding_namespace))}"
    return f"{kind} {go_quote(name)}"


@dataclass
class _BindingIndex:
    """Bindings of one scope, indexed by who they name: (binding order, subject index, grant)."""

    users: dict[str, list[tuple[int, int, _Grant]]] = field(default_factory=dict)
    groups: dict[str, list[tuple[int, int, _Grant]]] = field(default_factory=dict)
    # (user name, groups) -> applicable grants; a cluster has few distinct identities.
    _memo: dict[tuple, list[tuple[int, _Grant]]] = field(default_factory=dict)

    def add(self, grant: _Grant, namespace: str) -> None:
        for index, subject in enumerate(grant.binding.get("subjects") or ()):
            kind, name = subject.get("kind"), subject.get("name", "")
            if kind == "User":
                self.users.setdefault(name, []).append((grant.order, index, grant))
            elif kind == "Group":
                self.groups.setdefault(name, []).append((grant.order, index, grant))
            elif kind == "ServiceAccount":
                sa_namespace = subject.get("namespace") or namespace
                if sa_namespace:
                    username = f"{SERVICE_ACCOUNT_USERNAME_PREFIX}{sa_namespace}:{name}"
                    self.users.setdefault(username, []).append((grant.order, index, grant))

    def applicable(self, user: UserInfo) -> list[tuple[int, _Grant]]:
        """(subject index, grant) for the bindings naming this user, in list order.

        A binding that names the user through several subjects is reported once, with the
        first of them, as rule.go's appliesTo does.
        """
        key = (user.name, user.groups)
        found = self._memo.get(key)
        if found is None:
            found = self._find(user)
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = found
        return found

    def _find(self, user: UserInfo) -> list[tuple[int, _Grant]]:
        entries = list(self.users.get(user.name, ()))
        for group in user.groups:
            entries.extend(self.groups.get(group, ()))
        entries.sort(key=lambda entry: (entry[0], entry[1]))
        unique: list[tuple[int, _Grant]] = []
        last_order = -1
        for order, subject_index, grant in entries:
            if order != last_order:
                unique.append((subject_index, grant))
                last_order = order
        return unique


class _Policy:
    """All RBAC objects compiled for evaluation."""

    def __init__(self, roles: list, role_bindings: list, cluster_roles: list,
                 cluster_role_bindings: list) -> None:
        by_name = {r.get("metadata", {}).get("name", ""): r for r in cluster_roles}
        effective = _effective_cluster_role_rules(by_name)
        self._cluster_rules = {n: _compile(rules) for n, rules in effective.items()}
        self._role_rules = {
            (r.get("metadata", {}).get("namespace", ""), r.get("metadata", {}).get("name", "")):
                _compile(r.get("rules") or [])
            for r in roles
        }
        self._name_sensitive: dict[tuple[str, str, str], bool] = {}
        self.cluster = _BindingIndex()
        for order, binding in enumerate(cluster_role_bindings):
            self.cluster.add(self._grant("ClusterRoleBinding", order, binding, ""), "")
        self.namespaced: dict[str, _BindingIndex] = {}
        for order, binding in enumerate(role_bindings):
            namespace = binding.get("metadata", {}).get("namespace", "")
            index = self.namespaced.setdefault(namespace, _BindingIndex())
            index.add(self._grant("RoleBinding", order, binding, namespace), namespace)

    def _grant(self, kind: str, order: int, binding: dict, namespace: str) -> _Grant:
        grant = _Grant(order, kind, binding)
        ref = binding.get("roleRef") or {}
        ref_kind, ref_name = ref.get("kind", ""), ref.get("name", "")
        if ref_kind == "Role":
            rules = self._role_rules.get((namespace, ref_name))
            missing = f"role.{RBAC_GROUP} {go_quote(ref_name)} not found"
        elif ref_kind == "ClusterRole":
            rules = self._cluster_rules.get(ref_name)
            missing = f"clusterrole.{RBAC_GROUP} {go_quote(ref_name)} not found"
        else:
            rules, missing = None, f"unsupported role reference kind: {go_quote(ref_kind)}"
        if rules is None:
            grant.error = missing
        else:
            grant.rules = rules
        return grant

    def name_sensitive(self, group: str, resource: str, subresource: str) -> bool:
        """Whether any role has a ``resourceNames`` rule that could match such a request."""
        key = (group, resource, subresource)
        known = self._name_sensitive.get(key)
        if known is None:
            rule_sets = (*self._cluster_rules.values(), *self._role_rules.values())
            known = self._name_sensitive[key] = any(
                rule.restricts_names_of(group, resource, subresource) for rules in rule_sets for rule in rules)
        return known

    def scopes(self, namespace: str) -> tuple[_BindingIndex, ...]:
        """The binding indexes VisitRulesFor walks: cluster-wide first, then the namespace's."""
        index = self.namespaced.get(namespace) if namespace else None
        return (self.cluster,) if index is None else (self.cluster, index)


def _compile(rules: Sequence[dict]) -> tuple[CompiledRule, ...]:
    return tuple(CompiledRule(rule) for rule in rules)


# ---------------------------------------------------------------------------
# The authorizer
# ---------------------------------------------------------------------------


class Generation:
    """A counter to pass as ``generation``: call ``bump()`` after every RBAC write.

    ``RBACAuthorizer(lister, generation=gen)`` then lists and compiles only after a bump.
    """

    def __init__(self) -> None:
        self._value = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self._value += 1

    def __call__(self) -> int:
        return self._value


_KINDS = ("roles", "rolebindings", "clusterroles", "clusterrolebindings")
_NO_OPINION = Decision.no_opinion()
_MEMO_LIMIT = 10_000


@dataclass(frozen=True)
class RuleList:
    """What a user may do in a namespace: the body of a SelfSubjectRulesReview status."""

    resource_rules: tuple[dict, ...]
    non_resource_rules: tuple[dict, ...]
    incomplete: bool = False
    evaluation_error: str = ""

    def to_status(self) -> dict:
        status: dict[str, Any] = {
            "resourceRules": [dict(r) for r in self.resource_rules],
            "nonResourceRules": [dict(r) for r in self.non_resource_rules],
            "incomplete": self.incomplete,
        }
        if self.evaluation_error:
            status["evaluationError"] = self.evaluation_error
        return status


class RBACAuthorizer:
    """Authorizes requests from the Roles, ClusterRoles and bindings the lister returns.

    ``lister(plural, namespace)`` returns the stored objects (dicts) of ``"roles"``,
    ``"rolebindings"``, ``"clusterroles"`` or ``"clusterrolebindings"``; namespace None means
    all namespaces (or, for the cluster-scoped kinds, simply all of them). See the module
    docstring for ``generation`` and caching.
    """

    def __init__(self, lister: Lister, *, generation: Callable[[], Hashable] | None = None) -> None:
        self._lister = lister
        self._generation = generation
        # (key, policy), replaced as one tuple so readers never see a mismatched pair.
        self._cache: tuple[Hashable, _Policy | None] = (None, None)

    # -- the Authorizer protocol -------------------------------------------------
    def authorize(self, attrs: Attributes) -> Decision:
        errors: list[str] = []
        for scope in self._policy().scopes(attrs.namespace):
            for subject_index, grant in scope.applicable(attrs.user):
                if grant.error:
                    errors.append(grant.error)
                    continue
                for rule in grant.rules:
                    if rule.allows(attrs):
                        return grant.allow_decision(subject_index)
        if errors:
            return Decision.no_opinion(f"RBAC: {aggregate_message(errors)}")
        return _NO_OPINION

    def name_sensitive(self, group: str, resource: str, subresource: str) -> bool:
        """Whether a decision for this group, resource and subresource can depend on the
        object's name (only through ``resourceNames``); if not, a decision made for one name
        holds for every name, which lets the API server cache it once."""
        return self._policy().name_sensitive(group, resource, subresource)

    # -- kubectl auth can-i --list -------------------------------------------------
    def rules_for(self, user: UserInfo, namespace: str | None = None) -> RuleList:
        """Every rule that applies to ``user`` in ``namespace`` (cluster-wide ones first)."""
        policy = self._policy()
        resource_rules: list[dict] = []
        non_resource_rules: list[dict] = []
        errors: list[str] = []
        for scope in policy.scopes(namespace or ""):
            for _, grant in scope.applicable(user):
                if grant.error:
                    errors.append(grant.error)
                for rule in grant.rules:
                    _split_rule(rule.source, resource_rules, non_resource_rules)
        evaluation_error = aggregate_message(errors) if errors else ""
        return RuleList(tuple(resource_rules), tuple(non_resource_rules), False, evaluation_error)

    # -- the rule resolver of the escalation check -----------------------------------
    def policy_rules_for(self, user: UserInfo, namespace: str = "") -> tuple[list[dict], list[str]]:
        """``RulesFor``: every PolicyRule that applies to ``user`` in ``namespace`` (aggregated
        ClusterRoles with their aggregated rules), and the errors met resolving them, worded as
        the registry-backed resolver words them (``roles.rbac.authorization.k8s.io "x" not
        found``)."""
        rules: list[dict] = []
        errors: list[str] = []
        for scope in self._policy().scopes(namespace):
            for _, grant in scope.applicable(user):
                if grant.error:
                    errors.append(grant.error.replace("role.", "roles.", 1))
                rules.extend(rule.source for rule in grant.rules)
        return rules, errors

    def role_reference_rules(self, kind: str, name: str, namespace: str = "") -> list[dict] | None:
        """``GetRoleReferenceRules``: the rules of the Role (in ``namespace``) or ClusterRole a
        binding refers to; None if there is no such role."""
        policy = self._policy()
        if kind == "Role":
            compiled = policy._role_rules.get((namespace, name))
        elif kind == "ClusterRole":
            compiled = policy._cluster_rules.get(name)
        else:
            compiled = None
        return None if compiled is None else [rule.source for rule in compiled]

    def invalidate(self) -> None:
        """Forget the compiled policy (the next decision lists and compiles again)."""
        self._cache = (None, None)

    # -- compiled policy cache -----------------------------------------------------
    def _policy(self) -> _Policy:
        cached_key, cached_policy = self._cache
        if self._generation is not None:
            key: Hashable = self._generation()
            if cached_policy is not None and key == cached_key:
                return cached_policy
            objects = self._list_all()
        else:
            objects = self._list_all()
            key = _fingerprint(objects)
            if key is not None and cached_policy is not None and key == cached_key:
                return cached_policy
        policy = _Policy(*objects)
        self._cache = (key, policy)
        return policy

    def _list_all(self) -> tuple[list, list, list, list]:
        return tuple(list(self._lister(kind, None)) for kind in _KINDS)  # type: ignore[return-value]


def _fingerprint(objects: tuple[list, ...]) -> Hashable:
    """(count, highest resourceVersion) of each kind, or None if a version is not a number.

    With etcd-style versions (one global, increasing revision) this changes on every write:
    a create or update brings a version above the old maximum, and a delete alone lowers the
    count.
    """
    parts = []
    for items in objects:
        highest = 0
        for item in items:
            version = (item.get("metadata") or {}).get("resourceVersion")
            if not version or not version.isdigit():
                return None
            number = int(version)
            if number > highest:
                highest = number
        parts.append((len(items), highest))
    return tuple(parts)


def _split_rule(rule: dict, resource_rules: list[dict], non_resource_rules: list[dict]) -> None:
    """RBAC's RulesFor: a rule may yield a resource rule, a non-resource rule, or both."""
    verbs = list(rule.get("verbs") or ())
    if rule.get("resources"):
        entry: dict[str, Any] = {"verbs": verbs}
        for key in ("apiGroups", "resources", "resourceNames"):
            if rule.get(key):
                entry[key] = list(rule[key])
        resource_rules.append(entry)
    if rule.get("nonResourceURLs"):
        non_resource_rules.append({"verbs": verbs, "nonResourceURLs": list(rule["nonResourceURLs"])})


# ---------------------------------------------------------------------------
# Escalation prevention (pkg/registry/rbac: escalation_check.go, validation/rule.go,
# validation/policy_compact.go, */policybased/storage.go; component-helpers' Covers)
# ---------------------------------------------------------------------------
#
# RBAC lets a user write Roles and bindings only if that grants nobody more than the user
# holds already. kube-apiserver checks it in the RBAC registry, around create and update of the
# four kinds (after mutating admission, before validation):
#
# * members of system:masters may do anything;
# * a Role or ClusterRole may hold only rules the author's own rules cover (in the role's
#   namespace), unless the author may ``escalate`` roles/clusterroles; a ClusterRole with an
#   ``aggregationRule`` needs ``*`` on everything;
# * a binding may name only a role whose rules the author's own rules cover (in the binding's
#   namespace), unless the author may ``bind`` that role.
#
# A refusal is a 403: ``rolebindings.rbac.authorization.k8s.io "x" is forbidden: user "bob"
# (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently
# held:`` followed by the missing rules, one per line, e.g.
# ``{APIGroups:["*"], Resources:["*"], Verbs:["*"]}``.

#: ``fullAuthority``: what cluster-admin holds.
FULL_AUTHORITY = (
    {"verbs": [ALL], "apiGroups": [ALL], "resources": [ALL]},
    {"verbs": [ALL], "nonResourceURLs": [ALL]},
)
_ROLE_RESOURCES = frozenset({"roles", "clusterroles"})
_BINDING_RESOURCES = {"rolebindings": "RoleBinding", "clusterrolebindings": "ClusterRoleBinding"}


def breakdown_rule(rule: dict) -> list[dict]:
    """``BreakdownRule``: one rule per (group, resource, verb[, name]) and per (URL, verb)."""
    verbs = rule.get("verbs") or ()
    names = rule.get("resourceNames") or ()
    out: list[dict] = []
    for group in rule.get("apiGroups") or ():
        for resource in rule.get("resources") or ():
            for verb in verbs:
                base = {"apiGroups": [group], "resources": [resource], "verbs": [verb]}
                if names:
                    out.extend({**base, "resourceNames": [name]} for name in names)
                else:
                    out.append(base)
    for url in rule.get("nonResourceURLs") or ():
        out.extend({"nonResourceURLs": [url], "verbs": [verb]} for verb in verbs)
    return out


def _has_all(owned: Sequence[str], wanted: Sequence[str]) -> bool:
    return set(wanted) <= set(owned)


def _resources_cover(owned: Sequence[str], wanted: Sequence[str]) -> bool:
    """A resource is covered by itself, by ``*``, or (a subresource) by ``*/<sub>``."""
    if ALL in owned:
        return True
    for resource in wanted:
        if resource in owned:
            continue
        _, slash, sub = resource.partition("/")
        if not slash or f"*/{sub}" not in owned:
            return False
    return True


def _urls_cover(owned: Sequence[str], wanted: Sequence[str]) -> bool:
    def one(path: str) -> bool:
        return any(o == path or (o.endswith("*") and path.startswith(o.rstrip("*"))) for o in owned)

    return all(one(path) for path in wanted)


def rule_covers(owner: dict, sub: dict) -> bool:
    """``ruleCovers``: does ``owner`` allow everything the broken-down ``sub`` allows?"""
    owner_names = owner.get("resourceNames") or ()
    sub_names = sub.get("resourceNames") or ()
    names_ok = not owner_names if not sub_names else (not owner_names or _has_all(owner_names, sub_names))
    return (
        (ALL in (owner.get("verbs") or ()) or _has_all(owner.get("verbs") or (), sub.get("verbs") or ()))
        and (ALL in (owner.get("apiGroups") or ())
             or _has_all(owner.get("apiGroups") or (), sub.get("apiGroups") or ()))
        and _resources_cover(owner.get("resources") or (), sub.get("resources") or ())
        and _urls_cover(owner.get("nonResourceURLs") or (), sub.get("nonResourceURLs") or ())
        and names_ok
    )


def covers(owner_rules: Sequence[dict], servant_rules: Sequence[dict]) -> tuple[bool, list[dict]]:
    """``Covers``: whether the owner's rules allow everything the servant's do, and the
    broken-down servant rules they do not."""
    missing = [sub for rule in servant_rules for sub in breakdown_rule(rule)
               if not any(rule_covers(owner, sub) for owner in owner_rules)]
    return not missing, missing


def compact_rules(rules: Sequence[dict]) -> list[dict]:
    """kube-apiserver's ``CompactRules``: rules with one group, one resource and nothing but
    verbs are merged per (group, resource); the others are kept as they are."""
    compacted: list[dict] = []
    simple: dict[tuple[str, str], dict] = {}
    for rule in rules:
        groups, resources = rule.get("apiGroups") or (), rule.get("resources") or ()
        if (rule.get("resourceNames") or rule.get("nonResourceURLs")
                or len(groups) != 1 or len(resources) != 1):
            compacted.append(rule)
            continue
        key = (groups[0], resources[0])
        if key in simple:
            simple[key]["verbs"] = simple[key]["verbs"] + list(rule.get("verbs") or ())
        else:
            simple[key] = {"apiGroups": list(groups), "resources": list(resources),
                           "verbs": list(rule.get("verbs") or ())}
    return compacted + list(simple.values())


def _go_strings(values: Sequence[str]) -> str:
    """Go's ``%q`` of a []string: ``["a" "b"]``."""
    return "[" + " ".join(go_quote(v) for v in values) + "]"


def compact_string(rule: dict) -> str:
    """``CompactString``: ``{APIGroups:["apps"], Resources:["deployments"], Verbs:["delete"]}``."""
    parts = [f"{label}:{_go_strings(rule[key])}"
             for label, key in (("APIGroups", "apiGroups"), ("Resources", "resources"),
                                ("NonResourceURLs", "nonResourceURLs"),
                                ("ResourceNames", "resourceNames"), ("Verbs", "verbs"))
             if rule.get(key)]
    return "{" + ", ".join(parts) + "}"


def escalation_message(user: UserInfo, missing: Sequence[dict], resolution_errors: Sequence[str] = ()) -> str:
    """``ConfirmNoEscalation``'s error text: the missing rules compacted, deduplicated, sorted."""
    lines = sorted({compact_string(rule) for rule in compact_rules(missing)})
    message = (f"user {go_quote(user.name)} (groups={_go_strings(user.groups)}) is attempting to grant "
               "RBAC permissions not currently held:\n" + "\n".join(lines))
    if resolution_errors:
        message += f"; resolution errors: [{' '.join(resolution_errors)}]"
    return message


class EscalationCheck:
    """The RBAC registry's guard on writes of Roles, ClusterRoles and their bindings.

    In kube-apiserver this is not an admission plugin: pkg/registry/rbac wraps the storage of
    the four kinds (``policybased.Storage``) and checks each create and update after mutating
    admission and before validation. labkube's server runs it at that same point of its
    pipeline, through the admission chain's mutating phase (it never mutates).

    ``rbac`` is the cluster's :class:`RBACAuthorizer` (the rule resolver), ``authorize`` the
    server's whole authorizer chain (for the ``bind`` and ``escalate`` verbs).
    """

    name = "RBACEscalationCheck"

    def __init__(self, rbac: RBACAuthorizer, authorize: Callable[[Any], Decision]) -> None:
        self._rbac = rbac
        self._authorize = authorize

    @staticmethod
    def handles(operation: str, group: str, resource: str, subresource: str) -> bool:
        return operation in ("CREATE", "UPDATE") and group == RBAC_GROUP and not subresource

    def admit(self, attrs: Any) -> None:
        if attrs.operation not in ("CREATE", "UPDATE") or attrs.subresource:
            return
        if attrs.group != RBAC_GROUP or attrs.obj is None:
            return
        user = attrs.user
        if "system:masters" in user.groups:  # EscalationAllowed
            return
        if attrs.operation == "UPDATE" and _only_gc_fields_changed(attrs.obj, attrs.old):
            return
        if attrs.resource in _ROLE_RESOURCES:
            self._check_role(attrs, user)
        elif attrs.resource in _BINDING_RESOURCES:
            self._check_binding(attrs, user)

    # -- roles ---------------------------------------------------------------------
    def _check_role(self, attrs: Any, user: UserInfo) -> None:
        if self._may(user, "escalate", attrs.resource, attrs.name if attrs.operation == "UPDATE" else "",
                     attrs.namespace):
            return  # RoleEscalationAuthorized
        self._confirm(attrs, user, attrs.obj.get("rules") or [])
        if attrs.resource == "clusterroles" and (_aggregates(attrs.obj) or _aggregates(attrs.old)):
            if not covers(self._owner_rules(user, "")[0], FULL_AUTHORITY)[0]:
                raise forbidden(attrs.rtype.qualified_resource, attrs.name,
                                "must have cluster-admin privileges to use the aggregationRule")

    # -- bindings ------------------------------------------------------------------
    def _check_binding(self, attrs: Any, user: UserInfo) -> None:
        ref = attrs.obj.get("roleRef") or {}
        role_resource = {"Role": "roles", "ClusterRole": "clusterroles"}.get(ref.get("kind", ""))
        if role_resource and self._may(user, "bind", role_resource, ref.get("name", ""), attrs.namespace):
            return  # BindingAuthorized
        self._confirm(attrs, user, self._role_reference_rules(ref, attrs.namespace))

    def _role_reference_rules(self, ref: dict, namespace: str) -> list[dict]:
        """``GetRoleReferenceRules``, through the registry: NotFound for a missing role."""
        kind, name = ref.get("kind", ""), ref.get("name", "")
        rules = self._rbac.role_reference_rules(kind, name, namespace)
        if rules is None:
            if kind not in ("Role", "ClusterRole"):
                raise StatusError(500, "InternalError",
                                  f"Internal error occurred: unsupported role reference kind: {go_quote(kind)}", {})
            raise not_found(f"{kind.lower()}s.{RBAC_GROUP}", name)
        return rules

    # -- shared ----------------------------------------------------------------------
    def _may(self, user: UserInfo, verb: str, resource: str, name: str, namespace: str) -> bool:
        attrs = Attributes(user, verb, namespace or "", RBAC_GROUP, resource, "", name or "")
        return self._authorize(attrs).allowed

    def _owner_rules(self, user: UserInfo, namespace: str) -> tuple[list[dict], list[str]]:
        return self._rbac.policy_rules_for(user, namespace)

    def _confirm(self, attrs: Any, user: UserInfo, rules: Sequence[dict]) -> None:
        """``ConfirmNoEscalation`` in the object's namespace ("" for cluster-scoped kinds)."""
        owner_rules, resolution_errors = self._owner_rules(user, attrs.namespace or "")
        ok, missing = covers(owner_rules, rules)
        if not ok:
            raise forbidden(attrs.rtype.qualified_resource, attrs.name,
                            escalation_message(user, missing, resolution_errors))


def _aggregates(role: dict | None) -> bool:
    return bool(((role or {}).get("aggregationRule") or {}).get("clusterRoleSelectors"))


def _only_gc_fields_changed(new: dict, old: dict | None) -> bool:
    """``IsOnlyMutatingGCFields``: the update touches only ownerReferences and finalizers."""
    if old is None:
        return False

    def without_gc(obj: dict) -> dict:
        meta = {k: v for k, v in (obj.get("metadata") or {}).items()
                if k not in ("ownerReferences", "finalizers", "resourceVersion", "managedFields")}
        return {**obj, "metadata": meta}

    return without_gc(new) == without_gc(old)


def find_rbac(authorizer: Any) -> RBACAuthorizer | None:
    """The RBACAuthorizer in an authorizer chain (or the authorizer itself), or None."""
    if isinstance(authorizer, RBACAuthorizer):
        return authorizer
    for member in getattr(authorizer, "authorizers", ()):
        found = find_rbac(member)
        if found is not None:
            return found
    return None


def register_escalation_check(admission: Any, authorizer: Any, authorize: Callable[[Any], Decision]) -> None:
    """Guard RBAC writes with :class:`EscalationCheck` if ``authorizer`` includes RBAC."""
    rbac = find_rbac(authorizer)
    if rbac is not None and admission.get(EscalationCheck.name) is None:
        admission.register(EscalationCheck(rbac, authorize))
