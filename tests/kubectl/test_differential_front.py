"""What the differential runs against the real kubectl found, pinned without the kubectl binary.

The HTTP front (``labkube/core/api/http.py``) now answers as kube-apiserver does where the real
kubectl 1.32 depends on it: a ``meta.k8s.io`` Table for ``kubectl get``, ``/openapi/v3`` for
kubectl's field-validation check, ``Impersonate-User``/``Impersonate-Group`` for ``--as``, and a
pods/log query's options. labkube's kubectl now prints what the real one printed for a Deployment's
``rollout history --revision`` and ``rollout undo --dry-run``, for an Invalid error without causes,
and for nothing found of a cluster-scoped kind. These tests run in CI, where kubectl is absent.
"""

from __future__ import annotations

import json

import pytest

import labkube
from labkube.core.api import auth
from labkube.core.api.http_table import wanted_table_version

TABLE_ACCEPT = ("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
                "g=meta.k8s.io,application/json")


@pytest.fixture(scope="module")
def cluster():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("create deployment web --image=nginx:1.27 --replicas=2")
    cluster.run(30)
    return cluster


def get(cluster, target, user=auth.ADMIN, **headers):
    reply = cluster.apiserver_http.serve("GET", target, headers, user=user)
    return reply.status, (reply.json() if reply.body[:1] in (b"{", b"[") else reply.text)


# -- Tables ------------------------------------------------------------------------------------
@pytest.mark.parametrize("accept, expected", [
    (TABLE_ACCEPT, "v1"),
    ("application/json;as=Table;v=v1beta1;g=meta.k8s.io", "v1beta1"),
    ("application/json", None),
    ("application/json;as=Table;v=v2;g=meta.k8s.io", None),
    ("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io", None),
    ("", None),
])
def test_the_accept_header_says_which_table_version_is_wanted(accept, expected):
    assert wanted_table_version(accept) == expected


def test_a_list_asked_for_as_a_table_has_the_printers_columns_and_cells(cluster):
    status, table = get(cluster, "/api/v1/namespaces/default/pods", Accept=TABLE_ACCEPT)
    assert status == 200
    assert (table["kind"], table["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    columns = [(c["name"], c["priority"], c["format"]) for c in table["columnDefinitions"]]
    assert columns[:5] == [("Name", 0, "name"), ("Ready", 0, ""), ("Status", 0, ""), ("Restarts", 0, ""),
                           ("Age", 0, "")]
    assert ("IP", 1, "") in columns  # -o wide's columns come too; kubectl drops them
    assert [row["cells"][1:5] for row in table["rows"]] == [["1/1", "Running", "0", "30s"]] * 2
    first = table["rows"][0]["object"]
    assert (first["kind"], first["apiVersion"]) == ("PartialObjectMetadata", "meta.k8s.io/v1")
    assert first["metadata"]["labels"]["app"] == "web"
    assert table["metadata"]["resourceVersion"]


def test_a_table_row_carries_the_whole_object_when_include_object_says_so(cluster):
    _, table = get(cluster, "/apis/apps/v1/namespaces/default/deployments?includeObject=Object",
                   Accept=TABLE_ACCEPT)
    obj = table["rows"][0]["object"]
    assert (obj["kind"], obj["apiVersion"], obj["spec"]["replicas"]) == ("Deployment", "apps/v1", 2)
    _, table = get(cluster, "/apis/apps/v1/namespaces/default/deployments?includeObject=None",
                   Accept=TABLE_ACCEPT)
    assert "object" not in table["rows"][0]


def test_one_object_asked_for_as_a_table_is_a_table_of_one_row(cluster):
    _, table = get(cluster, "/api/v1/nodes/node-1", Accept="application/json;as=Table;v=v1beta1;g=meta.k8s.io")
    assert table["apiVersion"] == "meta.k8s.io/v1beta1"
    assert [row["cells"][:2] for row in table["rows"]] == [["node-1", "Ready"]]


def test_without_a_table_in_the_accept_header_the_list_comes_as_it_is(cluster):
    _, listing = get(cluster, "/api/v1/namespaces/default/pods", Accept="application/json")
    assert listing["kind"] == "PodList"


# -- /openapi/v3 -------------------------------------------------------------------------------
def test_the_openapi_index_points_at_each_group_versions_document_by_its_hash(cluster):
    status, index = get(cluster, "/openapi/v3")
    assert status == 200
    entry = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
    assert entry.startswith("/openapi/v3/apis/apps/v1?hash=") and len(entry.split("=")[1]) == 128
    _, again = get(cluster, "/openapi/v3")
    assert again == index


def test_a_group_versions_document_says_its_writes_take_field_validation(cluster):
    status, doc = get(cluster, "/openapi/v3/apis/apps/v1?hash=whatever")
    assert status == 200
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "apps", "version": "v1", "kind": "Deployment"}
    assert [p["name"] for p in patch["parameters"]] == ["fieldValidation"]
    _, core = get(cluster, "/openapi/v3/api/v1")
    assert "/api/v1/nodes/{name}" in core["paths"]
    assert get(cluster, "/openapi/v3/apis/nothing/v1")[0] == 404


# -- impersonation -----------------------------------------------------------------------------
def test_impersonate_user_makes_the_request_that_users(cluster):
    status, body = get(cluster, "/api/v1/namespaces/default/pods", **{"Impersonate-User": "alice"})
    assert status == 403
    assert body["message"] == ('pods is forbidden: User "alice" cannot list resource "pods" in API group "" '
                               'in the namespace "default"')


def test_impersonated_groups_come_from_every_impersonate_group_header(cluster):
    front = cluster.apiserver_http
    user = front.impersonate(auth.ADMIN, {"impersonate-user": "bob", "impersonate-group": ["devs", "ops"]})
    assert (user.name, user.groups) == ("bob", ("devs", "ops", "system:authenticated"))
    account = front.impersonate(auth.ADMIN, {"impersonate-user": "system:serviceaccount:default:default"})
    assert account.groups == ("system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated")


def test_a_user_who_may_not_impersonate_is_refused_in_kube_apiservers_words(cluster):
    status, body = get(cluster, "/api/v1/namespaces/default/pods", user=auth.user("carol"),
                       **{"Impersonate-User": "alice"})
    assert status == 403
    assert body["message"] == ('users "alice" is forbidden: User "carol" cannot impersonate resource "users" '
                               'in API group "" at the cluster scope')


# -- pods/log options --------------------------------------------------------------------------
def test_a_pods_log_query_chooses_the_lines_and_their_timestamps():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("run one --image=busybox --restart=Never -- sh -c 'echo hello; echo world'")
    cluster.run(30)
    base = "/api/v1/namespaces/default/pods/one/log"
    assert get(cluster, base) == (200, "hello\nworld\n")
    assert get(cluster, base + "?tailLines=1") == (200, "world\n")
    status, text = get(cluster, base + "?tailLines=1&timestamps=true")
    assert status == 200 and text.endswith("Z world\n") and text.startswith("2025-01-01T00:00:")
    assert get(cluster, base + "?tailLines=x")[1]["message"] == 'strconv.ParseInt: parsing "x": invalid syntax'


# -- labkube's kubectl, where the real one printed otherwise ---------------------------------------
@pytest.fixture()
def rolled():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("create deployment web --image=nginx:1.27")
    cluster.run(10)
    cluster.kubectl("set image deployment/web nginx=nginx:1.28")
    cluster.run(10)
    return cluster


def test_rollout_history_of_a_revision_prints_the_template_with_its_tabs_unaligned(rolled):
    text = rolled.kubectl("rollout history deployment web --revision=1")
    assert text.startswith("deployment.apps/web with revision #1\nPod Template:\n  Labels:\tapp=web\n")
    assert "    Image:\tnginx:1.27\n" in text and text.endswith("  Tolerations:\t<none>\n\n")


def test_rollout_undo_dry_run_client_prints_the_template_and_says_dry_run(rolled):
    text = rolled.kubectl("rollout undo deployment web --dry-run=client")
    assert text.startswith("deployment.apps/web Pod Template:\n  Labels:\tapp=web\n")
    assert text.endswith("  Tolerations:\t<none>\n (dry run)\n")


def test_rollout_undo_dry_run_server_changes_nothing(rolled):
    assert rolled.kubectl("rollout undo deployment web --dry-run=server") == \
        "deployment.apps/web rolled back (server dry run)\n"
    image = rolled.kubectl("get deploy web -o jsonpath={.spec.template.spec.containers[0].image}")
    assert image == "nginx:1.28"


def test_an_invalid_error_without_causes_prints_the_servers_message():
    cluster = labkube.Cluster(nodes=0, seed=0)
    cluster.kubectl("create configmap settings --from-literal=a=b")
    text = cluster.kubectl("patch cm settings --type=json -p '[{\"op\":\"remove\",\"path\":\"/data/x\"}]'")
    assert text == "The request is invalid: the server rejected our request due to an error in our request\n"


@pytest.mark.parametrize("command, expected", [
    ("get pv", "No resources found\n"),
    ("get pods,pv", "No resources found\n"),
    ("get pods", "No resources found in default namespace.\n"),
    ("get pods -A", "No resources found\n"),
])
def test_nothing_found_names_the_namespace_only_when_every_kind_is_namespaced(command, expected):
    cluster = labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False)
    assert cluster.kubectl(command) == expected


def test_tables_and_openapi_documents_are_json_as_kube_apiserver_writes_it(cluster):
    reply = cluster.apiserver_http.serve("GET", "/api/v1/namespaces", {"Accept": TABLE_ACCEPT}, user=auth.ADMIN)
    assert reply.body.endswith(b"}\n") and json.loads(reply.body)["kind"] == "Table"


# -- --sort-by: Go's sort.Sort and kubectl's Less ------------------------------------------------
#: ``kubectl get cm -l set=s --sort-by=.data.v -o name`` of the real kubectl 1.32 over 40
#: ConfigMaps c00..c39 (listed in name order) where ``v`` is ``i % 3`` and missing when ``i % 4 == 0``:
#: the ten without a value come first, in the order pdqsort's moves leave them (kubectl's ``Less``
#: calls a missing value less than anything, even another missing one), then the ties of each
#: value, again not in their first order.
REAL_SORTED = ["c16", "c08", "c20", "c24", "c28", "c04", "c00", "c32", "c36", "c12", "c30", "c21", "c39", "c33",
               "c03", "c15", "c09", "c27", "c18", "c06", "c25", "c31", "c22", "c10", "c19", "c07", "c37", "c01",
               "c34", "c13", "c11", "c14", "c02", "c29", "c05", "c35", "c17", "c26", "c38", "c23"]


def test_sort_by_leaves_ties_and_missing_values_where_kubectls_unstable_sort_does():
    cluster = labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False)
    for i in range(40):
        data = {"v": str(i % 3)} if i % 4 else None
        cluster.client.create({"apiVersion": "v1", "kind": "ConfigMap",
                               "metadata": {"name": f"c{i:02d}", "labels": {"set": "s"}},
                               **({"data": data} if data else {})}, namespace="default")
    text = cluster.kubectl("get cm -l set=s --sort-by=.data.v -o name")
    assert [line.split("/")[1] for line in text.split()] == REAL_SORTED


@pytest.mark.parametrize("values, expected", [
    (["10", "9", "2Gi", "500Mi"], ["9", "10", "500Mi", "2Gi"]),  # both quantities: by amount
    (["web-10", "web-9", "a2", "a10", "x"], ["a10", "a2", "web-10", "web-9", "x"]),  # else byte order
])
def test_sort_by_compares_quantities_by_amount_and_other_text_byte_by_byte(values, expected):
    from labkube.core.api.quantity import parse_quantity
    from labkube.kubectl.gosort import go_sort, value_less

    assert go_sort(values, lambda a, b: value_less(a, b, parse_quantity)) == expected


def test_go_sort_sorts_what_it_is_given():
    import random

    from labkube.kubectl.gosort import go_sort

    rng = random.Random(7)
    for size in (0, 1, 5, 13, 50, 200):
        values = [rng.randint(0, 20) for _ in range(size)]
        assert go_sort(values, lambda a, b: a < b) == sorted(values)
