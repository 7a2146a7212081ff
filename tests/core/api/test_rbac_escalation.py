"""RBAC's escalation prevention: a Role or binding may grant only what its author holds
(kube-apiserver's pkg/registry/rbac policybased storages and ConfirmNoEscalation)."""

import pytest

import labkube
from labkube.core.api import rbac
from labkube.core.errors import StatusError

NOT_HELD = "is attempting to grant RBAC permissions not currently held:\n"


@pytest.fixture
def cluster():
    """dev: bob is namespace admin (the built-in ``admin`` ClusterRole in a RoleBinding)."""
    with labkube.Cluster(nodes=0, seed=0) as c:
        c.kubectl("create namespace dev")
        c.kubectl("create rolebinding bob-admin --clusterrole=admin --user=bob -n dev")
        yield c


def test_a_namespace_admin_may_not_bind_cluster_admin(cluster):
    out = cluster.kubectl("create rolebinding root --clusterrole=cluster-admin --user=bob -n dev --as=bob")
    assert out == (
        'Error from server (Forbidden): rolebindings.rbac.authorization.k8s.io "root" is forbidden: '
        'user "bob" (groups=["system:authenticated"]) ' + NOT_HELD
        + '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}\n')
    assert "root" not in cluster.kubectl("get rolebindings -n dev")


def test_a_namespace_admin_may_hand_on_rights_it_holds(cluster):
    assert cluster.kubectl("create rolebinding carol-edit --clusterrole=edit --user=carol -n dev --as=bob") == (
        "rolebinding.rbac.authorization.k8s.io/carol-edit created\n")


def test_a_role_lists_only_the_missing_rules_merged_per_resource(cluster):
    out = cluster.kubectl("create role nodes --verb=get,list --resource=nodes,pods -n dev --as=bob")
    assert out.endswith(NOT_HELD + '{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}\n')
    assert 'roles.rbac.authorization.k8s.io "nodes" is forbidden: user "bob"' in out


def test_a_service_account_is_named_with_its_groups(cluster):
    cluster.kubectl("create rolebinding robot-admin --clusterrole=admin --serviceaccount=dev:default -n dev")
    out = cluster.kubectl("create role r --verb=delete --resource=nodes -n dev --as=system:serviceaccount:dev:default")
    assert ('user "system:serviceaccount:dev:default" (groups=["system:serviceaccounts" '
            '"system:serviceaccounts:dev" "system:authenticated"]) ' + NOT_HELD) in out


def test_the_bind_verb_allows_binding_a_role_one_does_not_hold(cluster):
    cluster.apply({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                   "metadata": {"name": "binder", "namespace": "dev"},
                   "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"],
                              "verbs": ["bind"], "resourceNames": ["cluster-admin"]}]})
    cluster.kubectl("create rolebinding bob-binds --role=binder --user=bob -n dev")
    assert cluster.kubectl("create rolebinding root --clusterrole=cluster-admin --user=carol -n dev --as=bob") == (
        "rolebinding.rbac.authorization.k8s.io/root created\n")


def test_the_escalate_verb_allows_writing_a_role_with_more_rights(cluster):
    cluster.kubectl("create role escalator --verb=escalate --resource=roles -n dev")
    cluster.kubectl("create rolebinding bob-escalates --role=escalator --user=bob -n dev")
    assert cluster.kubectl("create role nodes --verb=get --resource=nodes -n dev --as=bob") == (
        "role.rbac.authorization.k8s.io/nodes created\n")


def test_an_update_that_adds_a_right_is_refused_and_nothing_changes(cluster):
    cluster.kubectl("create role reader --verb=get --resource=pods -n dev --as=bob")
    out = cluster.kubectl('patch role reader -n dev --as=bob --type=json '
                          '''-p '[{"op":"add","path":"/rules/0/resources/-","value":"nodes"}]' ''')
    assert NOT_HELD + '{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}' in out
    assert cluster.get("roles", "reader", "dev")["rules"][0]["resources"] == ["pods"]


def test_binding_a_missing_role_is_not_found(cluster):
    assert cluster.kubectl("create rolebinding x --role=nope --user=carol -n dev --as=bob") == (
        'Error from server (NotFound): roles.rbac.authorization.k8s.io "nope" not found\n')


def test_an_aggregation_rule_needs_cluster_admin(cluster):
    cluster.kubectl("create clusterrolebinding bob-writes-roles --clusterrole=crw --user=bob")
    cluster.kubectl("create clusterrole crw --verb=create,get --resource=clusterroles")
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "agg"},
            "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"a": "b"}}]}, "rules": []}
    with pytest.raises(StatusError) as refused:
        cluster.as_user("bob").create(role)
    assert refused.value.code == 403
    assert refused.value.message == (
        'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: '
        "must have cluster-admin privileges to use the aggregationRule")


def test_system_masters_may_grant_anything(cluster):
    assert cluster.kubectl("create clusterrole everything --verb=* --resource=* --as=root --as-group=system:masters") == (
        "clusterrole.rbac.authorization.k8s.io/everything created\n")


COVERS = [
    ("a wildcard verb covers every verb", {"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]},
     {"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"]}, True),
    ("a verb does not cover the wildcard verb", {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
     {"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]}, False),
    ("*/scale covers a resource's scale subresource",
     {"apiGroups": ["apps"], "resources": ["*/scale"], "verbs": ["get"]},
     {"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["get"]}, True),
    ("a rule for any name covers one name", {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]},
     {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"], "resourceNames": ["a"]}, True),
    ("a rule for one name does not cover every name",
     {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"], "resourceNames": ["a"]},
     {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}, False),
    ("a URL prefix covers the paths below it", {"nonResourceURLs": ["/api/*"], "verbs": ["get"]},
     {"nonResourceURLs": ["/api/v1"], "verbs": ["get"]}, True),
]


@pytest.mark.parametrize("case, owner, sub, expected", COVERS, ids=[c[0] for c in COVERS])
def test_rule_covers(case, owner, sub, expected):
    assert rbac.rule_covers(owner, sub) is expected


def test_compact_string_orders_the_fields_as_kube_apiserver_does():
    assert rbac.compact_string({"verbs": ["get"], "resourceNames": ["a"], "resources": ["configmaps"],
                                "apiGroups": [""]}) == (
        '{APIGroups:[""], Resources:["configmaps"], ResourceNames:["a"], Verbs:["get"]}')
