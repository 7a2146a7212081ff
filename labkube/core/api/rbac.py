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
from labkube.core.errors import aggregate_message, go_quote

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
