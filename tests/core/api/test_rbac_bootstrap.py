"""The default roles a cluster boots with behave as on a real cluster (labkube.core.api.bootstrap_policy)."""

import pytest

from labkube.core.api import auth, bootstrap_policy
from labkube.core.api.auth import non_resource_attributes, request_attributes
from labkube.core.api.rbac import RBACAuthorizer

R = request_attributes
ALICE = auth.user("alice")


class Objects:
    def __init__(self, objs):
        self.items = {"roles": [], "rolebindings": [], "clusterroles": [], "clusterrolebindings": []}
        for obj in objs:
            self.items[obj["kind"].lower() + "s"].append(obj)

    def __call__(self, plural, namespace):
        items = self.items[plural]
        return [o for o in items if namespace is None or o["metadata"].get("namespace") == namespace]


def bind_in_namespace(cluster_role, namespace="team", subject="alice"):
    return {"kind": "RoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": {"name": f"{subject}-{cluster_role}", "namespace": namespace},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_role},
            "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": subject}]}


def cluster_authorizer(*extra):
    return RBACAuthorizer(Objects(bootstrap_policy.objects() + bootstrap_policy.kubeadm_objects() + list(extra)))


USER_FACING = [
    # (sentence, role bound in "team", attributes, allowed)
    ("view can list pods", "view", R(ALICE, "list", "pods", namespace="team"), True),
    ("view can read pod logs", "view", R(ALICE, "get", "pods", namespace="team", name="p", subresource="log"), True),
    ("view cannot read secrets", "view", R(ALICE, "get", "secrets", namespace="team", name="s"), False),
    ("view cannot exec into pods", "view", R(ALICE, "create", "pods", namespace="team", name="p", subresource="exec"), False),
    ("view cannot create deployments", "view", R(ALICE, "create", "deployments", namespace="team", api_group="apps"), False),
    ("view can read deployments", "view", R(ALICE, "list", "deployments", namespace="team", api_group="apps"), True),
    ("view can read this namespace", "view", R(ALICE, "get", "namespaces", name="team"), True),
    ("view cannot read another namespace", "view", R(ALICE, "get", "namespaces", name="other"), False),
    ("view cannot list roles", "view", R(ALICE, "list", "roles", namespace="team", api_group="rbac.authorization.k8s.io"), False),
    ("edit can read secrets", "edit", R(ALICE, "get", "secrets", namespace="team", name="s"), True),
    ("edit can create deployments", "edit", R(ALICE, "create", "deployments", namespace="team", api_group="apps"), True),
    ("edit can scale deployments", "edit", R(ALICE, "update", "deployments", namespace="team", name="w", api_group="apps", subresource="scale"), True),
    ("edit can exec into pods", "edit", R(ALICE, "create", "pods", namespace="team", name="p", subresource="exec"), True),
    ("edit can still list pods through view", "edit", R(ALICE, "list", "pods", namespace="team"), True),
    ("edit cannot write pod status", "edit", R(ALICE, "update", "pods", namespace="team", name="p", subresource="status"), False),
    ("edit cannot create rolebindings", "edit", R(ALICE, "create", "rolebindings", namespace="team", api_group="rbac.authorization.k8s.io"), False),
    ("edit cannot write endpoints since Kubernetes 1.22", "edit", R(ALICE, "create", "endpoints", namespace="team"), False),
    ("admin can create rolebindings", "admin", R(ALICE, "create", "rolebindings", namespace="team", api_group="rbac.authorization.k8s.io"), True),
    ("admin can create roles", "admin", R(ALICE, "create", "roles", namespace="team", api_group="rbac.authorization.k8s.io"), True),
    ("admin can read secrets through edit", "admin", R(ALICE, "get", "secrets", namespace="team", name="s"), True),
    ("admin cannot change resource quotas", "admin", R(ALICE, "update", "resourcequotas", namespace="team", name="q"), False),
    ("admin bound in a namespace cannot create clusterrolebindings", "admin", R(ALICE, "create", "clusterrolebindings", api_group="rbac.authorization.k8s.io"), False),
    ("admin bound in a namespace cannot delete its namespace", "admin", R(ALICE, "delete", "namespaces", name="team"), False),
    ("admin bound in one namespace cannot list pods in another", "admin", R(ALICE, "list", "pods", namespace="other"), False),
    ("cluster-admin bound in a namespace can do anything there", "cluster-admin", R(ALICE, "delete", "secrets", namespace="team", name="s"), True),
    ("cluster-admin bound in a namespace cannot list nodes", "cluster-admin", R(ALICE, "list", "nodes"), False),
]


@pytest.mark.parametrize("case, role, attrs, allowed", USER_FACING, ids=[c[0] for c in USER_FACING])
def test_user_facing_roles(case, role, attrs, allowed):
    assert cluster_authorizer(bind_in_namespace(role)).authorize(attrs).allowed is allowed


SCHEDULER, CM = auth.KUBE_SCHEDULER, auth.KUBE_CONTROLLER_MANAGER
RS, DEPLOY = auth.controller("replicaset-controller"), auth.controller("deployment-controller")

COMPONENTS = [
    ("the admin is cluster-admin through kubeadm:cluster-admins",
     R(auth.ADMIN, "delete", "nodes", name="n1"), True,
     'RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" '
     'to Group "kubeadm:cluster-admins"'),
    ("system:masters is cluster-admin through RBAC too",
     R(auth.SUPER_ADMIN, "list", "secrets"), True,
     'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" '
     'to Group "system:masters"'),
    ("the scheduler binds pods",
     R(SCHEDULER, "create", "pods", namespace="default", name="web", subresource="binding"), True,
     'RBAC: allowed by ClusterRoleBinding "system:kube-scheduler" of ClusterRole '
     '"system:kube-scheduler" to User "system:kube-scheduler"'),
    ("the scheduler updates pod status",
     R(SCHEDULER, "patch", "pods", namespace="default", name="web", subresource="status"), True, None),
    ("the scheduler watches nodes", R(SCHEDULER, "watch", "nodes"), True, None),
    ("the scheduler cannot create pods", R(SCHEDULER, "create", "pods", namespace="default"), False, ""),
    ("the scheduler may renew only its own lease",
     R(SCHEDULER, "update", "leases", namespace="kube-system", name="kube-scheduler", api_group="coordination.k8s.io"), True, None),
    ("the scheduler may not take the controller manager's lease",
     R(SCHEDULER, "update", "leases", namespace="kube-system", name="kube-controller-manager", api_group="coordination.k8s.io"), False, ""),
    ("the controller manager lists every resource for its informers",
     R(CM, "list", "deployments", api_group="apps"), True, None),
    ("the controller manager itself cannot create pods",
     R(CM, "create", "pods", namespace="default"), False, ""),
    ("the replicaset controller creates pods",
     R(RS, "create", "pods", namespace="default"), True,
     'RBAC: allowed by ClusterRoleBinding "system:controller:replicaset-controller" of ClusterRole '
     '"system:controller:replicaset-controller" to ServiceAccount "replicaset-controller/kube-system"'),
    ("the replicaset controller writes replicaset status",
     R(RS, "update", "replicasets", namespace="default", name="web-1", api_group="apps", subresource="status"), True, None),
    ("the replicaset controller cannot update deployments",
     R(RS, "update", "deployments", namespace="default", name="web", api_group="apps"), False, ""),
    ("the deployment controller creates replicasets",
     R(DEPLOY, "create", "replicasets", namespace="default", api_group="apps"), True, None),
    ("the deployment controller cannot create pods",
     R(DEPLOY, "create", "pods", namespace="default"), False, ""),
    ("the garbage collector deletes anything",
     R(auth.controller("generic-garbage-collector"), "delete", "configmaps", namespace="x", name="c"), True, None),
    ("kube-proxy watches endpointslices through kubeadm:node-proxier",
     R(auth.KUBE_PROXY, "watch", "endpointslices", api_group="discovery.k8s.io"), True,
     'RBAC: allowed by ClusterRoleBinding "kubeadm:node-proxier" of ClusterRole "system:node-proxier" '
     'to ServiceAccount "kube-proxy/kube-system"'),
    ("a kubelet gets nothing from RBAC: system:node is bound to no one (the Node authorizer decides)",
     R(auth.node("n1"), "get", "pods", namespace="default", name="p"), False, ""),
    ("any user may create a SelfSubjectAccessReview",
     R(ALICE, "create", "selfsubjectaccessreviews", api_group="authorization.k8s.io"), True, None),
    ("a plain user cannot list pods",
     R(ALICE, "list", "pods", namespace="default"), False, ""),
    ("an authenticated user may read discovery",
     non_resource_attributes(ALICE, "get", "/apis/apps/v1"), True,
     'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" '
     'to Group "system:authenticated"'),
    ("an anonymous user may read /healthz", non_resource_attributes(auth.ANONYMOUS, "get", "/healthz"), True, None),
    ("an anonymous user may not read discovery", non_resource_attributes(auth.ANONYMOUS, "get", "/api"), False, ""),
    ("a service account may read the OIDC discovery document",
     non_resource_attributes(auth.service_account("default", "default"), "get", "/.well-known/openid-configuration"), True, None),
]


@pytest.mark.parametrize("case, attrs, allowed, reason", COMPONENTS, ids=[c[0] for c in COMPONENTS])
def test_component_and_default_bindings(case, attrs, allowed, reason):
    decision = cluster_authorizer().authorize(attrs)
    assert decision.allowed is allowed
    if reason is not None:
        assert decision.reason == reason


def test_without_kubeadms_binding_the_admin_has_no_rights():
    rbac = RBACAuthorizer(Objects(bootstrap_policy.objects()))
    assert not rbac.authorize(R(auth.ADMIN, "list", "pods", namespace="default")).allowed


# ---------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------

OBJECTS = bootstrap_policy.objects()


def test_every_bootstrap_object_is_labelled_and_auto_updated():
    for obj in OBJECTS:
        meta = obj["metadata"]
        assert meta["labels"]["kubernetes.io/bootstrapping"] == "rbac-defaults", meta["name"]
        assert meta["annotations"] == {"rbac.authorization.kubernetes.io/autoupdate": "true"}, meta["name"]


def test_bootstrap_objects_carry_no_server_set_fields():
    for obj in OBJECTS:
        assert set(obj["metadata"]) <= {"name", "labels", "annotations"}, obj["metadata"]["name"]


def test_bootstrap_objects_are_roles_then_bindings_each_sorted_and_unique():
    kinds = [o["kind"] for o in OBJECTS]
    assert kinds == sorted(kinds, key=lambda k: k != "ClusterRole")
    for kind in ("ClusterRole", "ClusterRoleBinding"):
        names = [o["metadata"]["name"] for o in OBJECTS if o["kind"] == kind]
        assert names == sorted(set(names))


def test_every_binding_refers_to_a_bootstrap_cluster_role():
    roles = {o["metadata"]["name"] for o in OBJECTS if o["kind"] == "ClusterRole"}
    for binding in OBJECTS + bootstrap_policy.kubeadm_objects():
        if binding["kind"] == "ClusterRoleBinding":
            assert binding["roleRef"]["name"] in roles


def test_expected_default_roles_exist():
    names = {o["metadata"]["name"] for o in OBJECTS}
    for expected in ("cluster-admin", "admin", "edit", "view", "system:basic-user",
                     "system:discovery", "system:public-info-viewer", "system:kube-scheduler",
                     "system:kube-controller-manager", "system:node", "system:node-proxier",
                     "system:volume-scheduler", "system:controller:replicaset-controller",
                     "system:controller:deployment-controller"):
        assert expected in names


def test_objects_returns_fresh_copies():
    first = bootstrap_policy.objects()
    first[0]["metadata"]["name"] = "changed"
    assert bootstrap_policy.objects()[0]["metadata"]["name"] != "changed"


def _by_name(name):
    return next(o for o in OBJECTS if o["metadata"]["name"] == name)


AGGREGATION = [
    ("view carries the rules of system:aggregate-to-view", "view", ["system:aggregate-to-view"]),
    ("edit carries aggregate-to-edit then view, by role name", "edit",
     ["system:aggregate-to-edit", "view"]),
    ("admin carries edit then aggregate-to-admin, by role name", "admin",
     ["edit", "system:aggregate-to-admin"]),
]


@pytest.mark.parametrize("case, name, sources", AGGREGATION, ids=[c[0] for c in AGGREGATION])
def test_aggregated_roles_are_filled_as_the_controller_leaves_them(case, name, sources):
    expected = []
    for source in sources:
        for rule in _by_name(source)["rules"]:
            if rule not in expected:
                expected.append(rule)
    assert _by_name(name)["rules"] == expected


def test_rule_lists_are_sorted_as_policy_go_builds_them():
    for obj in OBJECTS:
        for rule in obj.get("rules") or []:
            for key in ("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"):
                if key in rule:
                    assert rule[key] == sorted(rule[key]), (obj["metadata"]["name"], key)


def test_bootstrap_objects_round_trip_through_the_official_client_models():
    client = pytest.importorskip("kubernetes.client")
    api = client.ApiClient()
    for obj in OBJECTS + bootstrap_policy.kubeadm_objects():
        model = api._ApiClient__deserialize(obj, "V1" + obj["kind"])
        assert api.sanitize_for_serialization(model) == obj, obj["metadata"]["name"]


def test_each_controller_role_is_defined_once_in_the_policy_source():
    """A name written twice in the role table silently keeps only the later rules."""
    import ast
    import collections
    import inspect

    tree = ast.parse(inspect.getsource(bootstrap_policy._controller_rules))
    table = next(node for node in ast.walk(tree) if isinstance(node, ast.Dict))
    names = collections.Counter(key.value for key in table.keys)
    assert [name for name, count in names.items() if count > 1] == []


def test_the_job_controller_updates_but_does_not_patch_job_status_as_in_1_32():
    rules = bootstrap_policy._controller_rules()["job-controller"]
    status_rules = [rule for rule in rules if "jobs/status" in rule["resources"]]
    assert [rule["verbs"] for rule in status_rules] == [["update"]]
