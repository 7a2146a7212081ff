"""The request pipeline's shortcuts give exactly what the general path gives.

* ``APIServer._authorize_request`` caches decisions by the request's attribute fields, so a
  repeated request builds no ``auth.Attributes``: its decision must be the authorizer's own
  decision for ``APIServer._attributes`` of the same request, first time and cached.
* a patch reads the current object through the object cache (a copy when a watch or an
  earlier read decoded it): the patch must never change the cached object, and must give the
  same result as a patch of a freshly decoded object.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labkube.core import serialization
from labkube.core.api import auth
from labkube.core.api.registry import strategy
from labkube.core.api.request import Options, Request
from labkube.core.api.testing import new_server, pod

USERS = [
    auth.SUPER_ADMIN,
    auth.ADMIN,
    auth.ANONYMOUS,
    auth.node("node-1"),
    auth.node("node-2"),
    auth.service_account("default", "default"),
    auth.controller("replicaset-controller"),
    auth.user("bob", ("system:authenticated",)),
]
RESOURCES = ["pods", "configmaps", "secrets", "nodes", "namespaces", "events",
             "deployments.apps", "roles.rbac.authorization.k8s.io", "services"]
VERBS = ["create", "get", "list", "watch", "update", "patch", "delete", "deletecollection"]


def one_configmap_role(ts, user="bob", name="cfg"):
    """RBAC that lets ``user`` read and write the ConfigMap ``name`` in default, and no other."""
    ts.admin.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                     "metadata": {"name": "one-configmap", "namespace": "default"},
                     "rules": [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": [name],
                                "verbs": ["get", "list", "watch", "update", "patch", "delete"]}]})
    ts.admin.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                     "metadata": {"name": f"{user}-one-configmap", "namespace": "default"},
                     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "one-configmap"},
                     "subjects": [{"kind": "User", "name": user}]})


@pytest.fixture(scope="module")
def cluster():
    ts = new_server(namespaces=("default", "other"))
    ts.admin.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}})
    ts.admin.create({**pod("web"), "spec": {"nodeName": "node-1", "containers": [
        {"name": "c", "image": "nginx", "envFrom": [{"configMapRef": {"name": "cfg"}}]}]}}, "default")
    one_configmap_role(ts)
    return ts


def general_decision(server, request, user, rtype):
    return server.authorizer.authorize(server._attributes(request, user, rtype))


@settings(max_examples=300, deadline=None)
@given(user=st.sampled_from(USERS), verb=st.sampled_from(VERBS), resource=st.sampled_from(RESOURCES),
       namespace=st.sampled_from([None, "", "default", "other", "kube-system"]),
       name=st.sampled_from([None, "", "cfg", "web", "node-1", "default"]),
       subresource=st.sampled_from([None, "", "status", "binding"]),
       field_selector=st.sampled_from([None, "metadata.name=cfg", "metadata.namespace=default,metadata.name=web",
                                       "metadata.name!=cfg", "metadata.name=..", "not a selector"]))
def test_a_cached_decision_is_the_authorizers_decision_for_the_same_request(
        cluster, user, verb, resource, namespace, name, subresource, field_selector):
    server = cluster.server
    rtype = server.resolve(resource)
    request = Request(verb, rtype, namespace, name, subresource, None, user, Options(field_selector=field_selector))
    expected = general_decision(server, request, user, rtype)
    assert server._authorize_request(request, user, rtype) == expected
    assert server._authorize_request(request, user, rtype) == expected  # now from the cache


def test_a_kubelets_cached_decision_follows_the_pods_bound_to_its_node():
    ts = new_server()
    ts.admin.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}})
    server, kubelet = ts.server, auth.node("node-1")
    rtype = server.resolve("configmaps")
    request = Request("get", rtype, "default", "cfg", None, None, kubelet)
    assert not server._authorize_request(request, kubelet, rtype).allowed
    ts.admin.create({**pod("web"), "spec": {"nodeName": "node-1", "containers": [
        {"name": "c", "image": "nginx", "envFrom": [{"configMapRef": {"name": "cfg"}}]}]}}, "default")
    assert server._authorize_request(request, kubelet, rtype).allowed
    assert server._authorize_request(request, kubelet, rtype) == general_decision(server, request, kubelet, rtype)


def test_a_kubelet_may_list_and_watch_by_name_only_the_configmap_its_pod_uses(cluster):
    # RequestInfo takes a list's or watch's name from an exact metadata.name field selector,
    # so the Node authorizer can allow the kubelet's per-object watch (its default
    # ConfigMap/Secret manager) while listing all ConfigMaps stays forbidden.
    server, user = cluster.server, auth.node("node-1")
    rtype = server.resolve("configmaps")

    def allowed(verb, selector):
        request = Request(verb, rtype, "default", None, None, None, user, Options(field_selector=selector))
        return server._authorize_request(request, user, rtype).allowed

    assert allowed("watch", "metadata.name=cfg") and allowed("list", "metadata.name=cfg")
    assert not allowed("watch", "metadata.name=other")
    assert not allowed("list", None)
    assert not allowed("list", "metadata.name!=cfg")


def test_rbac_resource_names_allow_watching_that_object_by_field_selector():
    ts = new_server(namespaces=("default",))
    ts.admin.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "1"}},
                    "default")
    one_configmap_role(ts)
    bob = ts.as_user("bob")
    listed = bob.list("configmaps", "default", field_selector="metadata.name=cfg")
    assert [item["metadata"]["name"] for item in listed["items"]] == ["cfg"]
    with pytest.raises(Exception, match='cannot list resource "configmaps"'):
        bob.list("configmaps", "default")


def test_a_decision_is_shared_across_names_only_where_no_rule_names_objects():
    ts = new_server(namespaces=("default",))
    for name in ("cfg", "other"):
        ts.admin.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}, "default")
    one_configmap_role(ts)
    server, bob = ts.server, ts.as_user("bob")
    assert not server._name_sensitive("", "pods", "binding")  # one decision for every pod
    assert server._name_sensitive("", "configmaps", "")  # the Role names a ConfigMap
    for _ in range(2):  # the second round from the cache
        assert bob.get("configmaps", "cfg", "default")["metadata"]["name"] == "cfg"
        with pytest.raises(Exception, match='cannot get resource "configmaps"'):
            bob.get("configmaps", "other", "default")


def test_a_namespace_request_is_authorized_in_that_namespace():
    ts = new_server(namespaces=("default", "team"))
    ts.admin.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                     "metadata": {"name": "view", "namespace": "team"},
                     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                 "name": "admin"},
                     "subjects": [{"kind": "User", "name": "bob"}]})
    bob = ts.as_user("bob")
    assert bob.get("namespaces", "team")["metadata"]["name"] == "team"
    with pytest.raises(Exception, match='cannot get resource "namespaces" in API group "" in the '
                                        'namespace "default"'):
        bob.get("namespaces", "default")


def running(ready):
    flag = "True" if ready else "False"
    return {"phase": "Running", "conditions": [{"type": "Ready", "status": flag}],
            "containerStatuses": [{"name": "c", "ready": ready, "restartCount": 0, "image": "nginx",
                                   "imageID": "", "state": {"running": {"startedAt": "2025-01-01T00:00:00Z"}}}]}


@pytest.mark.parametrize("reads_before", [0, 1, 2, 3])
def test_a_patch_never_changes_the_cached_object_and_gives_what_a_fresh_decode_gives(reads_before):
    results = []
    for cached in (False, True):
        ts = new_server()
        ts.admin.create(pod("web"), "default")
        if cached:
            for _ in range(reads_before):
                ts.admin.get("pods", "web", "default")
        kv = ts.store.get("/registry/pods/default/web")
        stored = ts.server._decode(kv)
        for ready in (False, True):
            results.append((cached, ts.admin.patch(
                "pods", "web", [{"op": "replace", "path": "/status", "value": running(ready)}],
                namespace="default", patch_type="json", subresource="status")))
        results.append((cached, ts.admin.patch("pods", "web", {"metadata": {"labels": {"a": "b"}}},
                                               namespace="default")))
        assert ts.server._objects.shared(kv) == stored  # the cached decode is untouched
        results.append((cached, serialization.dumps(ts.admin.list("pods", "default"))))
    plain = [r for cached, r in results if not cached]
    via_cache = [r for cached, r in results if cached]
    assert plain == via_cache


# -- order_metadata: one sort per key sequence ------------------------------------------
def reference_order(meta):
    rank = strategy._META_RANK
    return dict(sorted(meta.items(), key=lambda kv: rank.get(kv[0], 99)))


META_KEYS = list(strategy.OBJECT_META_ORDER) + ["x-unknown", "another", "zzz"]


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(st.sampled_from(META_KEYS), unique=True, max_size=len(META_KEYS)))
def test_ordered_metadata_is_what_a_stable_sort_by_go_rank_gives(keys):
    meta = {key: i for i, key in enumerate(keys)}
    for _ in range(2):  # the second time from the remembered order
        ordered = strategy.order_metadata(meta)
        assert list(ordered.items()) == list(reference_order(meta).items())
        assert ordered is not meta


# -- hand_over: a component gives the server its request body -------------------------------
def test_a_handed_over_body_is_used_in_place_and_gives_what_a_copied_one_gives():
    results = []
    for hand_over in (False, True):
        ts = new_server()
        body = pod("web")
        created = ts.admin.create(body, "default", hand_over=hand_over)
        assert ("uid" in body["metadata"]) is hand_over  # in place only when handed over
        status = running(True)
        patched = ts.admin.patch("pods", "web", [{"op": "replace", "path": "/status", "value": status}],
                                 namespace="default", patch_type="json", subresource="status",
                                 hand_over=hand_over)
        assert (patched["status"] is status) is hand_over
        results.append((created, patched, ts.admin.get("pods", "web", "default")))
    assert results[0] == results[1]


def test_a_body_not_handed_over_is_never_changed():
    ts = new_server()
    body = pod("web")
    before = serialization.copy(body)
    ts.admin.create(body, "default")
    ops = [{"op": "replace", "path": "/status", "value": running(False)}]
    ops_before = serialization.copy(ops)
    ts.admin.patch("pods", "web", ops, namespace="default", patch_type="json", subresource="status")
    assert body == before and ops == ops_before
