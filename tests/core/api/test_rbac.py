"""The RBAC authorizer, evaluated like plugin/pkg/auth/authorizer/rbac (labkube.core.api.rbac)."""

import pytest

from labkube.core.api import auth
from labkube.core.api.auth import (
    UnionAuthorizer,
    PrivilegedGroupAuthorizer,
    forbidden_error,
    non_resource_attributes,
    request_attributes,
)
from labkube.core.api.rbac import CompiledRule, RBACAuthorizer, aggregate_rules, rule_allows, selector_matches

V1 = "rbac.authorization.k8s.io/v1"
ALICE = auth.user("alice")


class Objects:
    """An in-memory stand-in for the API server's lister."""

    def __init__(self, *objs):
        self.items = {"roles": [], "rolebindings": [], "clusterroles": [], "clusterrolebindings": []}
        self.calls = 0
        for obj in objs:
            self.add(obj)

    def add(self, obj):
        self.items[obj["kind"].lower() + "s"].append(obj)

    def remove(self, kind, name):
        plural = kind.lower() + "s"
        self.items[plural] = [o for o in self.items[plural] if o["metadata"]["name"] != name]

    def __call__(self, plural, namespace):
        self.calls += 1
        items = self.items[plural]
        if namespace is None:
            return list(items)
        return [o for o in items if o["metadata"].get("namespace") == namespace]


def role(name, namespace, *rules):
    return {"kind": "Role", "apiVersion": V1,
            "metadata": {"name": name, "namespace": namespace}, "rules": list(rules)}


def cluster_role(name, *rules, labels=None, aggregate=None):
    obj = {"kind": "ClusterRole", "apiVersion": V1,
           "metadata": {"name": name, "labels": labels or {}}, "rules": list(rules)}
    if aggregate is not None:
        obj["aggregationRule"] = {"clusterRoleSelectors": aggregate}
    return obj


def rule(verbs, resources, groups=("",), names=None):
    out = {"verbs": list(verbs), "apiGroups": list(groups), "resources": list(resources)}
    if names:
        out["resourceNames"] = list(names)
    return out


def url_rule(verbs, urls):
    return {"verbs": list(verbs), "nonResourceURLs": list(urls)}


def role_binding(name, namespace, ref_kind, ref_name, *subjects):
    return {"kind": "RoleBinding", "apiVersion": V1,
            "metadata": {"name": name, "namespace": namespace},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": ref_kind, "name": ref_name},
            "subjects": list(subjects)}


def cluster_role_binding(name, ref_name, *subjects):
    return {"kind": "ClusterRoleBinding", "apiVersion": V1, "metadata": {"name": name},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": ref_name},
            "subjects": list(subjects)}


def user_subject(name):
    return {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": name}


def group_subject(name):
    return {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": name}


def sa_subject(name, namespace=None):
    out = {"kind": "ServiceAccount", "name": name}
    if namespace is not None:
        out["namespace"] = namespace
    return out


POD_READER = role("pod-reader", "default", rule(["get", "list", "watch"], ["pods"]))
READ_PODS = role_binding("read-pods", "default", "Role", "pod-reader", user_subject("alice"))


# ---------------------------------------------------------------------------
# The issue's scenario
# ---------------------------------------------------------------------------


def test_alice_is_denied_then_allowed_by_a_role_and_binding_and_still_denied_elsewhere():
    objects = Objects()
    rbac = RBACAuthorizer(objects)
    list_default = request_attributes(ALICE, "list", "pods", namespace="default")
    list_other = request_attributes(ALICE, "list", "pods", namespace="other")

    before = rbac.authorize(list_default)
    assert (before.allowed, before.outcome, before.reason) == (False, "NoOpinion", "")
    assert forbidden_error(list_default, before.reason).message == (
        'pods is forbidden: User "alice" cannot list resource "pods" in API group "" '
        'in the namespace "default"')

    objects.add(POD_READER)
    objects.add(READ_PODS)
    after = rbac.authorize(list_default)
    assert after.allowed
    assert after.reason == ('RBAC: allowed by RoleBinding "read-pods/default" of Role '
                            '"pod-reader" to User "alice"')

    elsewhere = rbac.authorize(list_other)
    assert not elsewhere.allowed
    assert forbidden_error(list_other, elsewhere.reason).message == (
        'pods is forbidden: User "alice" cannot list resource "pods" in API group "" '
        'in the namespace "other"')


# ---------------------------------------------------------------------------
# Table: bindings, subjects, rules
# ---------------------------------------------------------------------------

POD_VIEWER = cluster_role("pod-viewer", rule(["get", "list"], ["pods"]))

CASES = [
    # (sentence, objects, attributes, allowed, reason)
    ("a ClusterRole bound by a RoleBinding grants inside the binding's namespace",
     [POD_VIEWER, role_binding("view-pods", "dev", "ClusterRole", "pod-viewer", user_subject("alice"))],
     request_attributes(ALICE, "list", "pods", namespace="dev"), True,
     'RBAC: allowed by RoleBinding "view-pods/dev" of ClusterRole "pod-viewer" to User "alice"'),
    ("a ClusterRole bound by a RoleBinding grants nothing in another namespace",
     [POD_VIEWER, role_binding("view-pods", "dev", "ClusterRole", "pod-viewer", user_subject("alice"))],
     request_attributes(ALICE, "list", "pods", namespace="prod"), False, ""),
    ("a ClusterRole bound by a RoleBinding grants nothing cluster-wide",
     [POD_VIEWER, role_binding("view-pods", "dev", "ClusterRole", "pod-viewer", user_subject("alice"))],
     request_attributes(ALICE, "list", "pods"), False, ""),
    ("a ClusterRoleBinding grants in every namespace",
     [POD_VIEWER, cluster_role_binding("view-pods", "pod-viewer", user_subject("alice"))],
     request_attributes(ALICE, "list", "pods", namespace="anywhere"), True,
     'RBAC: allowed by ClusterRoleBinding "view-pods" of ClusterRole "pod-viewer" to User "alice"'),
    ("a ClusterRoleBinding grants across all namespaces at once",
     [POD_VIEWER, cluster_role_binding("view-pods", "pod-viewer", user_subject("alice"))],
     request_attributes(ALICE, "list", "pods"), True,
     'RBAC: allowed by ClusterRoleBinding "view-pods" of ClusterRole "pod-viewer" to User "alice"'),
    ("a Role in another namespace is not found by a RoleBinding",
     [role("pod-reader", "other", rule(["list"], ["pods"])), READ_PODS],
     request_attributes(ALICE, "list", "pods", namespace="default"), False,
     'RBAC: role.rbac.authorization.k8s.io "pod-reader" not found'),
    ("a binding to a missing ClusterRole explains itself",
     [cluster_role_binding("ghost", "no-such-role", user_subject("alice"))],
     request_attributes(ALICE, "list", "pods"), False,
     'RBAC: clusterrole.rbac.authorization.k8s.io "no-such-role" not found'),
    ("two broken bindings are both reported, in brackets",
     [cluster_role_binding("ghost", "no-such-role", user_subject("alice")),
      role_binding("rb", "default", "Role", "missing", user_subject("alice"))],
     request_attributes(ALICE, "list", "pods", namespace="default"), False,
     'RBAC: [clusterrole.rbac.authorization.k8s.io "no-such-role" not found, '
     'role.rbac.authorization.k8s.io "missing" not found]'),
    ("a broken binding for someone else is not reported",
     [cluster_role_binding("ghost", "no-such-role", user_subject("bob"))],
     request_attributes(ALICE, "list", "pods"), False, ""),
    ("a missing role does not stop another binding from allowing",
     [POD_VIEWER, cluster_role_binding("a-ghost", "no-such-role", user_subject("alice")),
      cluster_role_binding("b-view", "pod-viewer", user_subject("alice"))],
     request_attributes(ALICE, "get", "pods", namespace="x", name="p"), True,
     'RBAC: allowed by ClusterRoleBinding "b-view" of ClusterRole "pod-viewer" to User "alice"'),
    ("a group subject matches members of the group",
     [POD_VIEWER, cluster_role_binding("devs", "pod-viewer", group_subject("dev"))],
     request_attributes(auth.user("carol", ["dev"]), "get", "pods", namespace="x", name="p"), True,
     'RBAC: allowed by ClusterRoleBinding "devs" of ClusterRole "pod-viewer" to Group "dev"'),
    ("a group subject does not match non-members",
     [POD_VIEWER, cluster_role_binding("devs", "pod-viewer", group_subject("dev"))],
     request_attributes(ALICE, "get", "pods", namespace="x", name="p"), False, ""),
    ("a user subject does not match a group of the same name",
     [POD_VIEWER, cluster_role_binding("u", "pod-viewer", user_subject("dev"))],
     request_attributes(auth.user("carol", ["dev"]), "get", "pods", namespace="x", name="p"),
     False, ""),
    ("system:authenticated matches every authenticated user",
     [POD_VIEWER, cluster_role_binding("all", "pod-viewer", group_subject("system:authenticated"))],
     request_attributes(ALICE, "list", "pods"), True,
     'RBAC: allowed by ClusterRoleBinding "all" of ClusterRole "pod-viewer" to Group '
     '"system:authenticated"'),
    ("the first matching subject of a binding is the one named in the reason",
     [POD_VIEWER, cluster_role_binding("both", "pod-viewer", group_subject("dev"),
                                       user_subject("carol"))],
     request_attributes(auth.user("carol", ["dev"]), "list", "pods"), True,
     'RBAC: allowed by ClusterRoleBinding "both" of ClusterRole "pod-viewer" to Group "dev"'),
    ("a ServiceAccount subject matches the service account's username",
     [POD_VIEWER, role_binding("ci", "dev", "ClusterRole", "pod-viewer", sa_subject("builder", "dev"))],
     request_attributes(auth.service_account("dev", "builder"), "list", "pods", namespace="dev"), True,
     'RBAC: allowed by RoleBinding "ci/dev" of ClusterRole "pod-viewer" to ServiceAccount '
     '"builder/dev"'),
    ("a ServiceAccount subject without a namespace means the RoleBinding's namespace",
     [POD_VIEWER, role_binding("ci", "dev", "ClusterRole", "pod-viewer", sa_subject("builder"))],
     request_attributes(auth.service_account("dev", "builder"), "list", "pods", namespace="dev"), True,
     'RBAC: allowed by RoleBinding "ci/dev" of ClusterRole "pod-viewer" to ServiceAccount '
     '"builder/dev"'),
    ("a ServiceAccount subject does not match the same name in another namespace",
     [POD_VIEWER, role_binding("ci", "dev", "ClusterRole", "pod-viewer", sa_subject("builder", "dev"))],
     request_attributes(auth.service_account("prod", "builder"), "list", "pods", namespace="dev"),
     False, ""),
    ("a ServiceAccount subject without a namespace in a ClusterRoleBinding matches nobody",
     [POD_VIEWER, cluster_role_binding("ci", "pod-viewer", sa_subject("builder"))],
     request_attributes(auth.service_account("default", "builder"), "list", "pods"), False, ""),
    ("a ServiceAccount subject in a ClusterRoleBinding grants everywhere",
     [POD_VIEWER, cluster_role_binding("ci", "pod-viewer", sa_subject("builder", "dev"))],
     request_attributes(auth.service_account("dev", "builder"), "list", "pods", namespace="prod"), True,
     'RBAC: allowed by ClusterRoleBinding "ci" of ClusterRole "pod-viewer" to ServiceAccount '
     '"builder/dev"'),
    ("the system:serviceaccounts group matches every service account",
     [POD_VIEWER, cluster_role_binding("sas", "pod-viewer", group_subject("system:serviceaccounts"))],
     request_attributes(auth.service_account("x", "y"), "list", "pods"), True,
     'RBAC: allowed by ClusterRoleBinding "sas" of ClusterRole "pod-viewer" to Group '
     '"system:serviceaccounts"'),
    ("an unknown roleRef kind is reported",
     [{**cluster_role_binding("odd", "x", user_subject("alice")),
       "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Policy", "name": "x"}}],
     request_attributes(ALICE, "list", "pods"), False,
     'RBAC: unsupported role reference kind: "Policy"'),
]


@pytest.mark.parametrize("case, objs, attrs, allowed, reason", CASES, ids=[c[0] for c in CASES])
def test_rbac_decisions(case, objs, attrs, allowed, reason):
    decision = RBACAuthorizer(Objects(*objs)).authorize(attrs)
    assert (decision.allowed, decision.reason) == (allowed, reason)
    assert decision.outcome in ("Allow", "NoOpinion")  # RBAC never denies outright


# ---------------------------------------------------------------------------
# Table: what a single rule matches (RuleAllows)
# ---------------------------------------------------------------------------

R = request_attributes

RULES = [
    ("a verb must be listed", rule(["get"], ["pods"]), R(ALICE, "list", "pods", namespace="d"), False),
    ("the verb * matches every verb", rule(["*"], ["pods"]), R(ALICE, "deletecollection", "pods", namespace="d"), True),
    ("the API group must match", rule(["get"], ["deployments"]),
     R(ALICE, "get", "deployments", namespace="d", api_group="apps"), False),
    ("the API group * matches every group", rule(["get"], ["deployments"], groups=["*"]),
     R(ALICE, "get", "deployments", namespace="d", api_group="apps"), True),
    ("a resource does not cover its subresources", rule(["get"], ["pods"]),
     R(ALICE, "get", "pods", namespace="d", name="p", subresource="log"), False),
    ("a subresource is granted as resource/subresource", rule(["get"], ["pods/log"]),
     R(ALICE, "get", "pods", namespace="d", name="p", subresource="log"), True),
    ("a subresource grant does not cover the resource", rule(["get"], ["pods/log"]),
     R(ALICE, "get", "pods", namespace="d", name="p"), False),
    ("a subresource grant does not cover another subresource", rule(["get"], ["pods/log"]),
     R(ALICE, "get", "pods", namespace="d", name="p", subresource="exec"), False),
    ("the resource * matches resources and subresources", rule(["get"], ["*"]),
     R(ALICE, "get", "pods", namespace="d", name="p", subresource="log"), True),
    ("*/scale matches the scale subresource of any resource", rule(["update"], ["*/scale"], groups=["*"]),
     R(ALICE, "update", "deployments", namespace="d", name="w", api_group="apps", subresource="scale"), True),
    ("*/scale does not match the resource itself", rule(["update"], ["*/scale"], groups=["*"]),
     R(ALICE, "update", "deployments", namespace="d", name="w", api_group="apps"), False),
    ("*/scale does not match another subresource", rule(["update"], ["*/scale"], groups=["*"]),
     R(ALICE, "update", "deployments", namespace="d", name="w", api_group="apps", subresource="status"), False),
    ("resourceNames allow the named object", rule(["get"], ["configmaps"], names=["app-config"]),
     R(ALICE, "get", "configmaps", namespace="d", name="app-config"), True),
    ("resourceNames refuse other objects", rule(["get"], ["configmaps"], names=["app-config"]),
     R(ALICE, "get", "configmaps", namespace="d", name="other"), False),
    ("resourceNames refuse a list, which names no object", rule(["list"], ["configmaps"], names=["app-config"]),
     R(ALICE, "list", "configmaps", namespace="d"), False),
    ("a resource rule never matches a non-resource URL", rule(["get"], ["*"], groups=["*"]),
     non_resource_attributes(ALICE, "get", "/healthz"), False),
    ("a non-resource URL matches exactly", url_rule(["get"], ["/healthz"]),
     non_resource_attributes(ALICE, "get", "/healthz"), True),
    ("a non-resource URL does not match a longer path", url_rule(["get"], ["/healthz"]),
     non_resource_attributes(ALICE, "get", "/healthz/etcd"), False),
    ("a trailing * matches any path with that prefix", url_rule(["get"], ["/healthz/*"]),
     non_resource_attributes(ALICE, "get", "/healthz/etcd"), True),
    ("a trailing * prefix includes the bare prefix with its slash", url_rule(["get"], ["/apis/*"]),
     non_resource_attributes(ALICE, "get", "/apis/"), True),
    ("the URL * matches every path", url_rule(["*"], ["*"]),
     non_resource_attributes(ALICE, "post", "/anything"), True),
    ("a non-resource rule never matches a resource request", url_rule(["get"], ["*"]),
     R(ALICE, "get", "pods", namespace="d", name="p"), False),
]


@pytest.mark.parametrize("case, policy_rule, attrs, allowed", RULES, ids=[c[0] for c in RULES])
def test_rule_allows(case, policy_rule, attrs, allowed):
    assert rule_allows(attrs, policy_rule) is allowed


# ---------------------------------------------------------------------------
# Aggregation
# ---------------------------------------------------------------------------

AGG_LABEL = "rbac.example.com/aggregate-to-monitoring"


def monitoring_objects(*extra):
    return Objects(
        cluster_role("monitoring", aggregate=[{"matchLabels": {AGG_LABEL: "true"}}]),
        cluster_role("monitoring-endpoints", rule(["get", "list", "watch"], ["endpoints"]),
                     labels={AGG_LABEL: "true"}),
        cluster_role_binding("mon", "monitoring", user_subject("alice")),
        *extra,
    )


def test_an_aggregated_cluster_role_grants_the_rules_of_the_labelled_roles():
    rbac = RBACAuthorizer(monitoring_objects())
    assert rbac.authorize(R(ALICE, "list", "endpoints", namespace="x")).allowed
    assert not rbac.authorize(R(ALICE, "list", "pods", namespace="x")).allowed


def test_a_newly_labelled_role_is_aggregated_at_once():
    objects = monitoring_objects()
    rbac = RBACAuthorizer(objects)
    objects.add(cluster_role("monitoring-pods", rule(["list"], ["pods"]), labels={AGG_LABEL: "true"}))
    assert rbac.authorize(R(ALICE, "list", "pods", namespace="x")).allowed


def test_aggregation_is_transitive_through_aggregated_roles():
    objects = Objects(
        cluster_role("top", aggregate=[{"matchLabels": {"to-top": "true"}}]),
        cluster_role("middle", labels={"to-top": "true"}, aggregate=[{"matchLabels": {"to-middle": "true"}}]),
        cluster_role("leaf", rule(["get"], ["secrets"]), labels={"to-middle": "true"}),
        cluster_role_binding("b", "top", user_subject("alice")),
    )
    assert RBACAuthorizer(objects).authorize(R(ALICE, "get", "secrets", namespace="x", name="s")).allowed


def test_aggregation_cycles_terminate():
    objects = Objects(
        cluster_role("a", rule(["get"], ["pods"]), labels={"to-b": "true"},
                     aggregate=[{"matchLabels": {"to-a": "true"}}]),
        cluster_role("b", rule(["get"], ["secrets"]), labels={"to-a": "true"},
                     aggregate=[{"matchLabels": {"to-b": "true"}}]),
        cluster_role_binding("bind", "a", user_subject("alice")),
    )
    requests = [R(ALICE, "get", res, namespace="x", name="s") for res in ("pods", "secrets", "nodes")]
    first = [RBACAuthorizer(objects).authorize(r).allowed for r in requests]
    again = [RBACAuthorizer(objects).authorize(r).allowed for r in requests]
    assert first == again  # terminates, deterministically
    assert first[2] is False  # and invents nothing that no role in the cycle holds


def test_aggregate_rules_sorts_by_name_skips_itself_and_drops_duplicates():
    shared = rule(["get"], ["pods"])
    target = cluster_role("agg", rule(["*"], ["*"]), labels={"x": "1"}, aggregate=[{"matchLabels": {"x": "1"}}])
    roles = [
        target,
        cluster_role("zeta", rule(["list"], ["nodes"]), shared, labels={"x": "1"}),
        cluster_role("alpha", shared, labels={"x": "1"}),
        cluster_role("other", rule(["delete"], ["pods"])),
    ]
    assert aggregate_rules(target, roles) == [shared, rule(["list"], ["nodes"])]


SELECTORS = [
    ("matchLabels must all match", {"matchLabels": {"a": "1", "b": "2"}}, {"a": "1"}, False),
    ("an empty selector matches everything", {}, {}, True),
    ("a null selector matches nothing", None, {"a": "1"}, False),
    ("In matches a listed value", {"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]}, {"a": "2"}, True),
    ("NotIn matches a missing key", {"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {}, True),
    ("Exists needs the key", {"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"b": "1"}, False),
    ("DoesNotExist refuses the key", {"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"a": ""}, False),
]


@pytest.mark.parametrize("case, selector, labels, matches", SELECTORS, ids=[c[0] for c in SELECTORS])
def test_selector_matches(case, selector, labels, matches):
    assert selector_matches(selector, labels) is matches


# ---------------------------------------------------------------------------
# Caching and rules_for
# ---------------------------------------------------------------------------


def test_with_a_generation_the_policy_is_listed_once_until_the_generation_changes():
    objects = Objects(POD_READER)
    generation = [1]
    rbac = RBACAuthorizer(objects, generation=lambda: generation[0])
    attrs = R(ALICE, "list", "pods", namespace="default")
    assert not rbac.authorize(attrs).allowed
    calls = objects.calls
    objects.add(READ_PODS)
    assert not rbac.authorize(attrs).allowed  # generation unchanged: the cached policy is used
    assert objects.calls == calls
    generation[0] = 2
    assert rbac.authorize(attrs).allowed


def test_without_a_generation_changes_are_seen_when_resource_versions_change():
    reader = {**POD_READER, "metadata": {**POD_READER["metadata"], "resourceVersion": "5"}}
    binding = {**READ_PODS, "metadata": {**READ_PODS["metadata"], "resourceVersion": "6"}}
    objects = Objects(reader, binding)
    rbac = RBACAuthorizer(objects)
    attrs = R(ALICE, "list", "pods", namespace="default")
    assert rbac.authorize(attrs).allowed
    objects.remove("RoleBinding", "read-pods")
    assert not rbac.authorize(attrs).allowed


def test_invalidate_forces_a_fresh_policy():
    objects = Objects(POD_READER)
    rbac = RBACAuthorizer(objects, generation=lambda: 1)
    attrs = R(ALICE, "list", "pods", namespace="default")
    assert not rbac.authorize(attrs).allowed
    objects.add(READ_PODS)
    rbac.invalidate()
    assert rbac.authorize(attrs).allowed


def test_rules_for_lists_cluster_wide_rules_then_namespace_rules():
    objects = Objects(
        POD_READER, READ_PODS,
        cluster_role("discover", url_rule(["get"], ["/api", "/api/*"]), rule(["get"], ["nodes"], names=["n1"])),
        cluster_role_binding("disc", "discover", group_subject("system:authenticated")),
    )
    rules = RBACAuthorizer(objects).rules_for(ALICE, "default")
    assert rules.resource_rules == (
        {"verbs": ["get"], "apiGroups": [""], "resources": ["nodes"], "resourceNames": ["n1"]},
        {"verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["pods"]},
    )
    assert rules.non_resource_rules == ({"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*"]},)
    assert (rules.incomplete, rules.evaluation_error) == (False, "")


def test_rules_for_reports_broken_bindings_as_an_evaluation_error():
    objects = Objects(READ_PODS)
    rules = RBACAuthorizer(objects).rules_for(ALICE, "default")
    assert rules.resource_rules == ()
    assert rules.evaluation_error == 'role.rbac.authorization.k8s.io "pod-reader" not found'
    assert rules.to_status()["evaluationError"] == rules.evaluation_error


def test_rules_for_another_namespace_leaves_out_that_namespaces_bindings():
    objects = Objects(POD_READER, READ_PODS)
    assert RBACAuthorizer(objects).rules_for(ALICE, "other").resource_rules == ()


# ---------------------------------------------------------------------------
# The authorizer chain kube-apiserver runs
# ---------------------------------------------------------------------------


def test_system_masters_is_allowed_before_rbac_is_asked():
    objects = Objects()
    chain = UnionAuthorizer([PrivilegedGroupAuthorizer(), RBACAuthorizer(objects)])
    decision = chain.authorize(R(auth.SUPER_ADMIN, "delete", "nodes", name="n1"))
    assert decision.allowed
    assert objects.calls == 0


def test_rbacs_reason_reaches_the_forbidden_message_through_the_chain():
    chain = UnionAuthorizer([PrivilegedGroupAuthorizer(), RBACAuthorizer(Objects(READ_PODS))])
    attrs = R(ALICE, "list", "pods", namespace="default")
    decision = chain.authorize(attrs)
    assert forbidden_error(attrs, decision.reason).message == (
        'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the '
        'namespace "default": RBAC: role.rbac.authorization.k8s.io "pod-reader" not found')


RESTRICTS_NAMES = [
    ("a rule without resourceNames restricts no names",
     {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}, ("", "configmaps", ""), False),
    ("a rule naming configmaps restricts configmap names",
     {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a"], "verbs": ["get"]},
     ("", "configmaps", ""), True),
    ("it does not restrict another resource's names",
     {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a"], "verbs": ["get"]},
     ("", "secrets", ""), False),
    ("nor the same resource in another group",
     {"apiGroups": ["apps"], "resources": ["configmaps"], "resourceNames": ["a"], "verbs": ["get"]},
     ("", "configmaps", ""), False),
    ("a subresource is its own resource",
     {"apiGroups": [""], "resources": ["pods"], "resourceNames": ["a"], "verbs": ["create"]},
     ("", "pods", "binding"), False),
    ("a */scale rule restricts every resource's scale",
     {"apiGroups": ["*"], "resources": ["*/scale"], "resourceNames": ["a"], "verbs": ["update"]},
     ("apps", "deployments", "scale"), True),
    ("a * resource rule restricts everything in its groups",
     {"apiGroups": [""], "resources": ["*"], "resourceNames": ["a"], "verbs": ["get"]},
     ("", "pods", "status"), True),
]


@pytest.mark.parametrize("name, rule, request_parts, expected", RESTRICTS_NAMES, ids=[c[0] for c in RESTRICTS_NAMES])
def test_a_rule_restricts_names_of_the_requests_it_could_match(name, rule, request_parts, expected):
    assert CompiledRule(rule).restricts_names_of(*request_parts) is expected
