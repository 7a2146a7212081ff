"""kube-apiserver over HTTP (labkube/core/api/http.py): paths, authentication outcomes, Status
bodies and the JSON kube-apiserver writes."""

from __future__ import annotations

import json

import pytest

import labkube
from labkube.core.api import auth
from labkube.core.api.http import (APIServerHTTP, SecurePort, ServingCertificate, go_json, is_pretty,
                                   kubeadm_serving_certificate)
from labkube.core.api.token_auth import InvalidToken

CURL = {"User-Agent": "curl/7.88.1"}
SA = auth.service_account("default", "default")


class Tokens:
    """A token authenticator that knows a few fixed tokens."""

    USERS = {"admin-token": auth.ADMIN, "sa-token": SA}

    def owns(self, token: str) -> bool:
        return True

    def authenticate(self, token: str) -> auth.UserInfo:
        if token not in self.USERS:
            raise InvalidToken("invalid bearer token")
        return self.USERS[token]


def bearer(token: str, **more: str) -> dict:
    return {"Authorization": f"Bearer {token}", **more}


@pytest.fixture(scope="module")
def cluster():
    return labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False)


@pytest.fixture
def front(cluster):
    return APIServerHTTP(cluster.server, Tokens())


@pytest.fixture
def fresh():
    cluster = labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False)
    return cluster, APIServerHTTP(cluster.server, Tokens())


# -- the wire format --------------------------------------------------------------------------
@pytest.mark.parametrize("query, agent, expected", [
    ({}, "curl/7.88.1", True),
    ({}, "Wget", True),
    ({}, "Mozilla/5.0 (X11)", True),
    ({}, "kubectl/v1.32.4 (linux/amd64)", False),
    ({}, "", False),
    ({"pretty": ["true"]}, "", True),
    ({"pretty": ["1"]}, "", True),
    ({"pretty": ["false"]}, "curl/7.88.1", False),
    ({"pretty": ["yes"]}, "curl/7.88.1", False),  # strconv.ParseBool fails: not pretty
    ({"pretty": [""]}, "curl/7.88.1", True),  # empty: the user agent decides
])
def test_pretty_printing_follows_the_query_then_the_user_agent(query, agent, expected):
    assert is_pretty(query, agent) is expected


def test_compact_json_ends_with_a_newline_and_indented_json_does_not():
    assert go_json({"a": [1]}, pretty=False) == b'{"a":[1]}\n'
    assert go_json({"a": [1]}, pretty=True) == b'{\n  "a": [\n    1\n  ]\n}'


def test_json_escapes_html_characters_as_go_does():
    assert go_json({"m": "a<b>&c"}, pretty=False) == b'{"m":"a\\u003cb\\u003e\\u0026c"}\n'


# -- non-resource URLs ------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/healthz", "/livez", "/readyz"])
def test_health_endpoints_answer_ok_in_plain_text_to_anyone(front, path):
    reply = front.serve("GET", path)
    assert (reply.status, reply.body) == (200, b"ok")
    assert ("Content-Type", "text/plain; charset=utf-8") in reply.headers


def test_version_is_indented_json_even_for_a_program(front):
    reply = front.serve("GET", "/version")
    assert reply.status == 200
    assert reply.text.startswith('{\n  "major": "1",\n  "minor": "32",\n  "gitVersion": "v1.32.0",')
    assert list(reply.json()) == ["major", "minor", "gitVersion", "gitCommit", "gitTreeState", "buildDate",
                                  "goVersion", "compiler", "platform"]


def test_anonymous_root_is_forbidden_with_kube_apiservers_status(front):
    reply = front.serve("GET", "/", CURL)
    assert reply.status == 403
    assert reply.text == (
        '{\n  "kind": "Status",\n  "apiVersion": "v1",\n  "metadata": {},\n  "status": "Failure",\n'
        '  "message": "forbidden: User \\"system:anonymous\\" cannot get path \\"/\\"",\n'
        '  "reason": "Forbidden",\n  "details": {},\n  "code": 403\n}')


def test_discovery_needs_an_authenticated_user(front):
    assert front.serve("GET", "/api").json()["message"] == \
        'forbidden: User "system:anonymous" cannot get path "/api"'
    assert front.serve("GET", "/api", bearer("sa-token")).status == 200


def test_api_is_the_api_versions_with_the_advertise_address(front):
    assert front.serve("GET", "/api", bearer("sa-token")).json() == {
        "kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "172.18.0.1:6443"}]}


def test_apis_lists_groups_in_aggregator_priority_order_with_preferred_versions(front):
    groups = front.serve("GET", "/apis", bearer("sa-token")).json()["groups"]
    names = [g["name"] for g in groups]
    assert names[:4] == ["apps", "events.k8s.io", "autoscaling", "batch"]
    assert names.index("rbac.authorization.k8s.io") < names.index("storage.k8s.io") < names.index("discovery.k8s.io")
    autoscaling = groups[names.index("autoscaling")]
    assert [v["version"] for v in autoscaling["versions"]] == ["v2", "v1"]
    assert autoscaling["preferredVersion"] == {"groupVersion": "autoscaling/v2", "version": "v2"}


def test_core_resource_list_has_no_api_version_and_lists_subresources(front):
    doc = front.serve("GET", "/api/v1", bearer("sa-token")).json()
    assert list(doc)[:2] == ["kind", "groupVersion"] and "apiVersion" not in doc
    by_name = {r["name"]: r for r in doc["resources"]}
    assert by_name["pods"]["shortNames"] == ["po"] and by_name["pods"]["verbs"][0] == "create"
    assert by_name["pods/log"] == {"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod",
                                   "verbs": ["get"]}
    assert by_name["pods/eviction"]["group"] == "policy"
    assert (by_name["configmaps"]["storageVersionHash"], by_name["pods"]["storageVersionHash"]) == (
        "qFsyl6wFWjQ=", "xPOwRZ+Yhw8=")
    assert [r["name"] for r in doc["resources"]] == sorted(by_name)


def test_group_resource_list_names_its_group_version_and_the_scale_kind(front):
    doc = front.serve("GET", "/apis/apps/v1", bearer("sa-token")).json()
    assert (doc["apiVersion"], doc["groupVersion"]) == ("v1", "apps/v1")
    scale = next(r for r in doc["resources"] if r["name"] == "deployments/scale")
    assert (scale["group"], scale["version"], scale["kind"]) == ("autoscaling", "v1", "Scale")


def test_one_api_group(front):
    doc = front.serve("GET", "/apis/batch", bearer("sa-token")).json()
    assert doc["kind"] == "APIGroup" and doc["preferredVersion"]["groupVersion"] == "batch/v1"


@pytest.mark.parametrize("path", ["/nope", "/apis/nope.example.com", "/apis/apps/v9"])
def test_an_unknown_path_is_not_found_with_empty_details(front, path):
    reply = front.serve("GET", path, bearer("admin-token"))
    assert reply.status == 404
    assert reply.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": "the server could not find the requested resource",
                            "reason": "NotFound", "details": {}, "code": 404}


# -- authentication -------------------------------------------------------------------------------
def test_a_bad_bearer_token_is_unauthorized_never_anonymous(front):
    reply = front.serve("GET", "/healthz", bearer("wrong"))
    assert reply.status == 401
    assert reply.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": "Unauthorized", "reason": "Unauthorized", "code": 401}


def test_another_authorization_scheme_is_anonymous(front):
    reply = front.serve("GET", "/api", {"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert reply.json()["message"] == 'forbidden: User "system:anonymous" cannot get path "/api"'


def test_the_default_service_account_may_not_list_pods(front):
    reply = front.serve("GET", "/api/v1/namespaces/default/pods", bearer("sa-token", **CURL))
    assert reply.status == 403
    assert reply.json()["message"] == ('pods is forbidden: User "system:serviceaccount:default:default" cannot '
                                       'list resource "pods" in API group "" in the namespace "default"')
    assert reply.json()["details"] == {"kind": "pods"}
    assert reply.headers[0][0] == "Audit-Id"


def test_a_role_binding_lets_the_service_account_list_pods(fresh):
    cluster, front = fresh
    cluster.apply("""
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: default}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-pods, namespace: default}
subjects: [{kind: ServiceAccount, name: default, namespace: default}]
roleRef: {kind: Role, name: pod-reader, apiGroup: rbac.authorization.k8s.io}
""")
    reply = front.serve("GET", "/api/v1/namespaces/default/pods", bearer("sa-token"))
    assert (reply.status, reply.json()["kind"]) == (200, "PodList")


def test_requests_are_audited_as_the_authenticated_user(fresh):
    cluster, front = fresh
    front.serve("GET", "/api/v1/namespaces/default/pods", bearer("sa-token"))
    record = cluster.audit()[-1]
    assert (record.user, record.verb, record.code, record.decision) == (
        "system:serviceaccount:default:default", "list", 403, "forbid")


# -- resources -------------------------------------------------------------------------------------
CONFIG = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "labels": {"app": "web"}},
          "data": {"color": "blue"}}
ADMIN_JSON = bearer("admin-token", **{"Content-Type": "application/json"})


def test_post_creates_with_201_and_get_reads_it_back(fresh):
    _, front = fresh
    created = front.serve("POST", "/api/v1/namespaces/default/configmaps", ADMIN_JSON, json.dumps(CONFIG).encode())
    assert created.status == 201 and created.json()["metadata"]["namespace"] == "default"
    got = front.serve("GET", "/api/v1/namespaces/default/configmaps/cfg", bearer("admin-token"))
    assert got.json()["data"] == {"color": "blue"}


def test_a_list_honours_label_selector_and_limit(fresh):
    cluster, front = fresh
    cluster.create(CONFIG)
    cluster.create({**CONFIG, "metadata": {"name": "other"}})
    selected = front.serve("GET", "/api/v1/namespaces/default/configmaps?labelSelector=app%3Dweb",
                           bearer("admin-token")).json()
    assert [i["metadata"]["name"] for i in selected["items"]] == ["cfg"]
    page = front.serve("GET", "/api/v1/namespaces/default/configmaps?limit=1", bearer("admin-token")).json()
    assert len(page["items"]) == 1 and page["metadata"]["continue"]


def test_a_field_selector_on_a_cluster_wide_list(fresh):
    _, front = fresh
    reply = front.serve("GET", "/api/v1/namespaces?fieldSelector=metadata.name%3Dkube-system", bearer("admin-token"))
    assert [i["metadata"]["name"] for i in reply.json()["items"]] == ["kube-system"]


def test_put_replaces_and_patch_merges_by_content_type(fresh):
    cluster, front = fresh
    current = cluster.create(CONFIG)[0]
    current["data"] = {"color": "green"}
    put = front.serve("PUT", "/api/v1/namespaces/default/configmaps/cfg", ADMIN_JSON, json.dumps(current).encode())
    assert put.status == 200 and put.json()["data"] == {"color": "green"}
    patch = front.serve("PATCH", "/api/v1/namespaces/default/configmaps/cfg",
                        bearer("admin-token", **{"Content-Type": "application/merge-patch+json"}),
                        b'{"data": {"size": "L"}}')
    assert patch.json()["data"] == {"color": "green", "size": "L"}
    jsonpatch = front.serve("PATCH", "/api/v1/namespaces/default/configmaps/cfg",
                            bearer("admin-token", **{"Content-Type": "application/json-patch+json"}),
                            b'[{"op": "remove", "path": "/data/size"}]')
    assert jsonpatch.json()["data"] == {"color": "green"}


def test_delete_answers_the_status_and_the_object_is_gone(fresh):
    cluster, front = fresh
    cluster.create(CONFIG)
    reply = front.serve("DELETE", "/api/v1/namespaces/default/configmaps/cfg", bearer("admin-token"))
    assert reply.status == 200
    assert front.serve("GET", "/api/v1/namespaces/default/configmaps/cfg", bearer("admin-token")).json()["message"] \
        == 'configmaps "cfg" not found'


def test_delete_of_a_collection_removes_the_selected_objects(fresh):
    cluster, front = fresh
    cluster.create(CONFIG)
    reply = front.serve("DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=app%3Dweb",
                        bearer("admin-token"))
    assert reply.status == 200
    assert not [c for c in cluster.list("configmaps", namespace="default") if c["metadata"]["name"] == "cfg"]


@pytest.mark.parametrize("method, content_type, body, code, message", [
    ("POST", "application/x-www-form-urlencoded", b"a=b", 415,
     "the body of the request was in an unknown format - accepted media types include: application/json, "
     "application/yaml, application/vnd.kubernetes.protobuf"),
    ("PATCH", "application/json", b"{}", 415,
     "the body of the request was in an unknown format - accepted media types include: "
     "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, "
     "application/apply-patch+yaml"),
    ("POST", "application/json", b"{oops", 400,
     "couldn't get version/kind; json parse error: invalid character 'o' looking for beginning of object key string"),
    ("POST", "application/json", b"", 400,
     "couldn't get version/kind; json parse error: unexpected end of JSON input"),
])
def test_bodies_the_server_cannot_read(fresh, method, content_type, body, code, message):
    _, front = fresh
    path = "/api/v1/namespaces/default/configmaps" + ("/cfg" if method == "PATCH" else "")
    reply = front.serve(method, path, bearer("admin-token", **{"Content-Type": content_type}), body)
    assert (reply.status, reply.json()["message"]) == (code, message)


def test_a_yaml_body_is_accepted(fresh):
    _, front = fresh
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: yml}\ndata: {k: v}\n"
    reply = front.serve("POST", "/api/v1/namespaces/default/configmaps",
                        bearer("admin-token", **{"Content-Type": "application/yaml"}), body)
    assert reply.status == 201


def test_an_invalid_object_is_a_422_with_causes(fresh):
    _, front = fresh
    bad = {**CONFIG, "metadata": {"name": "Bad_Name"}}
    reply = front.serve("POST", "/api/v1/namespaces/default/configmaps", ADMIN_JSON, json.dumps(bad).encode())
    assert reply.status == 422 and reply.json()["reason"] == "Invalid"


def test_an_unknown_resource_is_not_found(front):
    assert front.serve("GET", "/api/v1/namespaces/default/widgets", bearer("admin-token")).status == 404


def test_exec_needs_a_connection_upgrade(front):
    reply = front.serve("POST", "/api/v1/namespaces/default/pods/web/exec?command=ls", bearer("admin-token"))
    assert (reply.status, reply.json()["message"]) == (400, "Upgrade request required")


def test_the_namespace_object_itself_is_addressed_by_its_name(front):
    reply = front.serve("GET", "/api/v1/namespaces/kube-system", bearer("admin-token"))
    assert reply.json()["metadata"]["name"] == "kube-system"


def test_a_namespaces_status_is_its_subresource(front):
    reply = front.serve("GET", "/api/v1/namespaces/kube-system/status", bearer("admin-token"))
    assert (reply.status, reply.json()["status"]) == (200, {"phase": "Active"})


def test_a_namespaced_object_needs_its_namespace_in_the_path(front):
    assert front.serve("GET", "/api/v1/pods/web", bearer("admin-token")).status == 404


# -- the secure port ------------------------------------------------------------------------------
def test_plain_http_on_the_secure_port_gets_gos_answer(front):
    port = SecurePort(front, ServingCertificate("PEM"))
    assert port.serve("GET", "/api", {}, tls=False) == (400, (), b"Client sent an HTTP request to an HTTPS server.\n")


@pytest.mark.parametrize("host, valid", [
    ("kubernetes.default.svc", True), ("kubernetes", True), ("10.96.0.1", True), ("172.18.0.1", True),
    ("kubernetes.default.svc.cluster.local.", True), ("web.default.svc", False),
])
def test_the_serving_certificate_names_the_kubernetes_service(host, valid):
    certificate = kubeadm_serving_certificate("PEM", "172.18.0.1", "10.96.0.1")
    assert certificate.matches(host) is valid


def test_custom_resources_are_encoded_unstructured_sorted_keys_and_typed_items():
    """kube-apiserver serves custom resources as unstructured maps: keys sorted at every level,
    each list item with its apiVersion and kind, the list metadata with an empty continue."""
    import labkube
    from tests.kubectl.crd_cases import CRONTAB_CRD, MY_CRONTAB

    cluster = labkube.Cluster(nodes=0, seed=0)
    cluster.kubectl("apply -f -", stdin=CRONTAB_CRD)
    cluster.run(1)
    cluster.kubectl("apply -f -", stdin=MY_CRONTAB)
    cluster.kubectl("create clusterrole crontab-reader --verb=get,list --resource=crontabs.stable.example.com")
    cluster.kubectl("create clusterrolebinding anonymous-crontabs --clusterrole=crontab-reader --user=system:anonymous")
    status, _, body = cluster.apiserver_http.serve(
        "GET", "/apis/stable.example.com/v1/namespaces/default/crontabs", {})
    listed = json.loads(body)
    assert status == 200 and list(listed) == sorted(listed) == ["apiVersion", "items", "kind", "metadata"]
    assert listed["metadata"]["continue"] == ""
    item = listed["items"][0]
    assert (item["apiVersion"], item["kind"]) == ("stable.example.com/v1", "CronTab")
    assert list(item) == sorted(item) and list(item["metadata"]) == sorted(item["metadata"])
    _, _, body = cluster.apiserver_http.serve(
        "GET", "/apis/stable.example.com/v1/namespaces/default/crontabs/my-new-cron-object", {})
    one = json.loads(body)
    assert list(one["metadata"]) == sorted(one["metadata"]) and one["kind"] == "CronTab"
