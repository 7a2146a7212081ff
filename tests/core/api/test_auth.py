"""Identities, the authorizer chain and kube-apiserver's forbidden messages (labkube.core.api.auth)."""

import pytest

from labkube.core.api import auth
from labkube.core.api.auth import (
    ADMIN,
    ANONYMOUS,
    KUBE_CONTROLLER_MANAGER,
    KUBE_SCHEDULER,
    SUPER_ADMIN,
    Attributes,
    Decision,
    PrivilegedGroupAuthorizer,
    UnionAuthorizer,
    UserInfo,
    forbidden_error,
    forbidden_message,
    non_resource_attributes,
    request_attributes,
)

ALICE = auth.user("alice")

# ---------------------------------------------------------------------------
# identities
# ---------------------------------------------------------------------------

IDENTITIES = [
    ("the kubeadm admin is kubernetes-admin in kubeadm:cluster-admins, not system:masters",
     ADMIN, "kubernetes-admin", ("kubeadm:cluster-admins", "system:authenticated")),
    ("the break-glass super admin is in system:masters",
     SUPER_ADMIN, "kubernetes-super-admin", ("system:masters", "system:authenticated")),
    ("the scheduler has only system:authenticated",
     KUBE_SCHEDULER, "system:kube-scheduler", ("system:authenticated",)),
    ("the controller manager has only system:authenticated",
     KUBE_CONTROLLER_MANAGER, "system:kube-controller-manager", ("system:authenticated",)),
    ("a kubelet is system:node:<name> in system:nodes",
     auth.node("node-1"), "system:node:node-1", ("system:nodes", "system:authenticated")),
    ("a service account is in the all-SA group and its namespace's SA group",
     auth.service_account("dev", "builder"), "system:serviceaccount:dev:builder",
     ("system:serviceaccounts", "system:serviceaccounts:dev", "system:authenticated")),
    ("a controller is a kube-system service account",
     auth.controller("replicaset-controller"),
     "system:serviceaccount:kube-system:replicaset-controller",
     ("system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated")),
    ("kube-proxy runs as the kube-system/kube-proxy service account as kubeadm sets it up",
     auth.KUBE_PROXY, "system:serviceaccount:kube-system:kube-proxy",
     ("system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated")),
    ("the anonymous user is unauthenticated",
     ANONYMOUS, "system:anonymous", ("system:unauthenticated",)),
    ("a person gets system:authenticated appended after their groups",
     auth.user("bob", ["dev", "ops"]), "bob", ("dev", "ops", "system:authenticated")),
]


@pytest.mark.parametrize("case, info, name, groups", IDENTITIES, ids=[c[0] for c in IDENTITIES])
def test_well_known_identities(case, info, name, groups):
    assert (info.name, info.groups) == (name, groups)


AUTHENTICATED = [
    ("adds system:authenticated once", UserInfo("a", ("x",)), ("x", "system:authenticated")),
    ("leaves an already authenticated user alone",
     UserInfo("a", ("system:authenticated", "x")), ("system:authenticated", "x")),
    ("leaves an unauthenticated user alone",
     UserInfo("system:anonymous", ("system:unauthenticated",)), ("system:unauthenticated",)),
]


@pytest.mark.parametrize("case, info, groups", AUTHENTICATED, ids=[c[0] for c in AUTHENTICATED])
def test_authenticated_group_adder(case, info, groups):
    assert auth.authenticated(info).groups == groups


IMPERSONATED = [
    ("a user named alone is only authenticated", "alice", (), ("system:authenticated",)),
    ("groups given with the user come first", "alice", ("dev",), ("dev", "system:authenticated")),
    ("a service account without groups gets its fixed groups",
     "system:serviceaccount:dev:robot", (),
     ("system:serviceaccounts", "system:serviceaccounts:dev", "system:authenticated")),
    ("a service account with groups gets only those",
     "system:serviceaccount:dev:robot", ("x",), ("x", "system:authenticated")),
    ("system:unauthenticated among the groups keeps system:authenticated out",
     "bob", ("system:unauthenticated",), ("system:unauthenticated",)),
    ("the anonymous user is unauthenticated", "system:anonymous", (), ("system:unauthenticated",)),
]


@pytest.mark.parametrize("case, name, groups, expected", IMPERSONATED, ids=[c[0] for c in IMPERSONATED])
def test_impersonated_identity_has_the_groups_kube_apiservers_filter_gives(case, name, groups, expected):
    assert auth.user(name, groups) == UserInfo(name, expected)


def test_user_info_is_frozen_and_copies_its_groups_and_extra():
    groups = ["a"]
    extra = {"scopes": ["x"]}
    info = UserInfo("u", groups, extra=extra)
    groups.append("b")
    extra["scopes"].append("y")
    assert info.groups == ("a",)
    assert dict(info.extra) == {"scopes": ("x",)}
    with pytest.raises(AttributeError):
        info.name = "v"
    with pytest.raises(TypeError):
        info.extra["other"] = ()


def test_user_info_rejects_a_single_string_as_groups():
    with pytest.raises(TypeError):
        UserInfo("u", "system:masters")


SA_NAMES = [
    ("a service account username splits into namespace and name",
     "system:serviceaccount:ns:sa", ("ns", "sa")),
    ("a person is not a service account", "alice", None),
    ("a username without a name is not a service account", "system:serviceaccount:ns", None),
    ("a username with an extra colon is not a service account", "system:serviceaccount:a:b:c", None),
]


@pytest.mark.parametrize("case, name, expected", SA_NAMES, ids=[c[0] for c in SA_NAMES])
def test_split_service_account_username(case, name, expected):
    assert auth.split_service_account_username(name) == expected


NODE_NAMES = [
    ("a kubelet speaks for its node", auth.node("n1"), "n1"),
    ("a node-like name outside system:nodes is not a node",
     auth.user("system:node:n1"), None),
    ("a member of system:nodes with another name is not a node",
     UserInfo("alice", ("system:nodes",)), None),
]


@pytest.mark.parametrize("case, info, expected", NODE_NAMES, ids=[c[0] for c in NODE_NAMES])
def test_node_name(case, info, expected):
    assert auth.node_name(info) == expected


# ---------------------------------------------------------------------------
# attributes
# ---------------------------------------------------------------------------


def test_a_request_for_a_namespace_object_is_scoped_to_that_namespace():
    attrs = request_attributes(ALICE, "get", "namespaces", name="dev")
    assert (attrs.namespace, attrs.name) == ("dev", "dev")


def test_listing_namespaces_stays_cluster_scoped():
    assert request_attributes(ALICE, "list", "namespaces").namespace == ""


def test_request_attributes_fill_group_and_subresource():
    attrs = request_attributes(ALICE, "get", "deployments", namespace="default", name="web",
                               api_group="apps", subresource="scale")
    assert attrs == Attributes(ALICE, "get", "default", "apps", "deployments", "scale", "web")


# ---------------------------------------------------------------------------
# decisions and the union
# ---------------------------------------------------------------------------


class Fixed:
    def __init__(self, decision):
        self.decision = decision
        self.calls = 0

    def authorize(self, attrs):
        self.calls += 1
        return self.decision


ATTRS = request_attributes(ALICE, "list", "pods", namespace="default")

UNION = [
    ("the first allow wins and later authorizers are not asked",
     [Decision.no_opinion(), Decision.allow("ok"), Decision.deny("no")], "Allow", "ok", [1, 1, 0]),
    ("an explicit deny stops the chain before a later allow",
     [Decision.deny("blocked"), Decision.allow("ok")], "Deny", "blocked", [1, 0]),
    ("no opinion from everyone is no opinion, reasons joined by newlines",
     [Decision.no_opinion("first"), Decision.no_opinion(""), Decision.no_opinion("third")],
     "NoOpinion", "first\nthird", [1, 1, 1]),
    ("an empty chain has no opinion", [], "NoOpinion", "", []),
]


@pytest.mark.parametrize("case, decisions, outcome, reason, calls", UNION, ids=[c[0] for c in UNION])
def test_union_authorizer(case, decisions, outcome, reason, calls):
    members = [Fixed(d) for d in decisions]
    result = UnionAuthorizer(members).authorize(ATTRS)
    assert (result.outcome, result.reason, result.allowed) == (outcome, reason, outcome == "Allow")
    assert [m.calls for m in members] == calls


PRIVILEGED = [
    ("system:masters is allowed anything", SUPER_ADMIN, True),
    ("the kubeadm admin is not privileged; RBAC must allow it", ADMIN, False),
    ("a person is not privileged", ALICE, False),
]


@pytest.mark.parametrize("case, info, allowed", PRIVILEGED, ids=[c[0] for c in PRIVILEGED])
def test_privileged_group_authorizer(case, info, allowed):
    decision = PrivilegedGroupAuthorizer().authorize(request_attributes(info, "delete", "nodes", name="n1"))
    assert decision.allowed is allowed
    assert decision.outcome == ("Allow" if allowed else "NoOpinion")


def test_always_deny_gives_kube_apiservers_reason():
    decision = auth.AlwaysDenyAuthorizer().authorize(ATTRS)
    assert (decision.outcome, decision.reason) == ("NoOpinion", "Everything is forbidden.")


def test_always_allow_allows():
    assert auth.AlwaysAllowAuthorizer().authorize(ATTRS).allowed


def test_a_decision_cannot_contradict_its_outcome():
    with pytest.raises(ValueError):
        Decision(True, "", "Deny")
    with pytest.raises(ValueError):
        Decision(False, "", "Maybe")


# ---------------------------------------------------------------------------
# forbidden messages (responsewriters/errors.go forbiddenMessage + Forbidden)
# ---------------------------------------------------------------------------

MESSAGES = [
    ("a namespaced list",
     request_attributes(ALICE, "list", "pods", namespace="default"), "",
     'User "alice" cannot list resource "pods" in API group "" in the namespace "default"'),
    ("a cluster-scoped list",
     request_attributes(ALICE, "list", "nodes"), "",
     'User "alice" cannot list resource "nodes" in API group "" at the cluster scope'),
    ("a grouped resource names its API group",
     request_attributes(ALICE, "create", "deployments", namespace="dev", api_group="apps"), "",
     'User "alice" cannot create resource "deployments" in API group "apps" in the namespace "dev"'),
    ("a subresource is written resource/subresource",
     request_attributes(ALICE, "get", "pods", namespace="default", name="web", subresource="log"), "",
     'User "alice" cannot get resource "pods/log" in API group "" in the namespace "default"'),
    ("a named object is not named in this part of the message",
     request_attributes(ALICE, "delete", "secrets", namespace="default", name="db"), "",
     'User "alice" cannot delete resource "secrets" in API group "" in the namespace "default"'),
    ("a non-resource URL is a path",
     non_resource_attributes(ALICE, "get", "/healthz"), "",
     'User "alice" cannot get path "/healthz"'),
    ("an authorizer's reason follows after a colon, unquoted",
     request_attributes(ALICE, "list", "pods", namespace="default"),
     'RBAC: role.rbac.authorization.k8s.io "pod-reader" not found',
     'User "alice" cannot list resource "pods" in API group "" in the namespace "default": '
     'RBAC: role.rbac.authorization.k8s.io "pod-reader" not found'),
    ("a service account is named by its full username",
     request_attributes(auth.service_account("dev", "ci"), "list", "secrets", namespace="dev"), "",
     'User "system:serviceaccount:dev:ci" cannot list resource "secrets" in API group "" '
     'in the namespace "dev"'),
    ("angle brackets and ampersands are escaped so the message never looks like HTML",
     non_resource_attributes(auth.user("<b>&"), "get", "/x"), "",
     'User "&lt;b&gt;&amp;" cannot get path "/x"'),
]


@pytest.mark.parametrize("case, attrs, reason, expected", MESSAGES, ids=[c[0] for c in MESSAGES])
def test_forbidden_message(case, attrs, reason, expected):
    assert forbidden_message(attrs, reason) == expected


ERRORS = [
    ("a list is forbidden on the resource without a name",
     request_attributes(ALICE, "list", "pods", namespace="default"),
     'pods is forbidden: User "alice" cannot list resource "pods" in API group "" '
     'in the namespace "default"',
     {"kind": "pods"}),
    ("a named object is quoted before is forbidden",
     request_attributes(ALICE, "get", "deployments", namespace="dev", name="web", api_group="apps"),
     'deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" '
     'in API group "apps" in the namespace "dev"',
     {"name": "web", "group": "apps", "kind": "deployments"}),
    ("a subresource request is forbidden on the parent resource",
     request_attributes(ALICE, "get", "pods", namespace="default", name="web", subresource="log"),
     'pods "web" is forbidden: User "alice" cannot get resource "pods/log" in API group "" '
     'in the namespace "default"',
     {"name": "web", "kind": "pods"}),
    ("reading a namespace is forbidden in that namespace",
     request_attributes(ALICE, "get", "namespaces", name="dev"),
     'namespaces "dev" is forbidden: User "alice" cannot get resource "namespaces" '
     'in API group "" in the namespace "dev"',
     {"name": "dev", "kind": "namespaces"}),
    ("a non-resource URL is plainly forbidden",
     non_resource_attributes(ANONYMOUS, "get", "/"),
     'forbidden: User "system:anonymous" cannot get path "/"',
     {}),
]


@pytest.mark.parametrize("case, attrs, message, details", ERRORS, ids=[c[0] for c in ERRORS])
def test_forbidden_error(case, attrs, message, details):
    error = forbidden_error(attrs)
    assert (error.code, error.reason, error.message) == (403, "Forbidden", message)
    assert error.status.get("details", {}) == details
