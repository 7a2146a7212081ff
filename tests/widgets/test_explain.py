"""Explainers: the scheduler's verdicts per node and plugin; the inspector's YAML, owners and why."""

import pytest

import labkube
from labkube.widgets.explain import ObjectInspector, SchedulerExplainer, mask_secret_yaml
from tests.widgets.helpers import web_cluster

BIG_POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  containers:\n  - name: c\n"
           "    image: nginx\n    resources:\n      requests:\n        cpu: '5'\n")


def test_an_unschedulable_pod_shows_each_nodes_filter_verdict():
    cluster = web_cluster()
    cluster.kubectl("cordon node-1")
    cluster.kubectl("apply -f -", stdin=BIG_POD)
    explainer = SchedulerExplainer(cluster, pod="big")
    verdicts = [(r["node"], r["filter"], r["selected"]) for r in explainer.rows()]
    assert verdicts == [
        ("node-1", "NodeUnschedulable: node(s) were unschedulable", False),
        ("node-2", "NodeResourcesFit: Insufficient cpu", False),
        ("node-3", "NodeResourcesFit: Insufficient cpu", False),
    ]
    assert "0/3 nodes are available" in explainer.table.value


def test_a_scheduled_pod_shows_scores_and_the_winner():
    cluster = web_cluster()
    cluster.fail_node("node-2")
    cluster.run(60)  # past the 50 s grace period: node-2 is tainted unreachable
    cluster.kubectl("run extra --image=nginx")
    explainer = SchedulerExplainer(cluster, pod="extra")
    rows = {r["node"]: r for r in explainer.rows()}
    assert rows["node-2"]["filter"] == \
        "TaintToleration: node(s) had untolerated taint {node.kubernetes.io/unreachable: }"
    winners = [n for n, r in rows.items() if r["selected"]]
    assert winners == [cluster.get("pods", "extra")["spec"]["nodeName"]]
    assert rows[winners[0]]["total"] == max(r["total"] for r in rows.values() if r["total"] is not None)
    assert set(rows[winners[0]]["scores"]) >= {"TaintToleration", "NodeResourcesFit"}
    assert 'class="lk-selected"' in explainer.table.value


def test_the_inspector_says_why_a_pod_is_pending():
    cluster = web_cluster()
    cluster.kubectl("apply -f -", stdin=BIG_POD)
    why = ObjectInspector(cluster, "pod", "big").why()
    assert why[0].startswith("Pending: the scheduler could not place it (Unschedulable): "
                             "0/3 nodes are available: 3 Insufficient cpu.")
    assert why[-1].startswith("Created at 2025-01-01T00:00:30Z: the admin (kubernetes-admin) created pods big")


def test_the_inspector_says_why_a_pod_restarted_and_is_not_ready():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("run crash --image=busybox -- false")
    cluster.run(30)
    why = ObjectInspector(cluster, "pod", "crash").why()
    assert any(w.startswith("Restarted ") and "ended with Error (exit code 1)" in w for w in why)
    assert any(w.startswith("BackOff: Back-off restarting failed container crash") for w in why)
    assert "Not Ready (ContainersNotReady): containers with unready status: [crash]" in why


def test_the_owner_chain_climbs_to_the_deployment():
    cluster = web_cluster()
    pod = cluster.list("pods")[0]["metadata"]["name"]
    chain = ObjectInspector(cluster, "pod", pod).owner_chain()
    assert chain == [f"Pod/{pod}", f"ReplicaSet/{pod.rsplit('-', 1)[0]}", "Deployment/web"]


def test_a_pods_creator_is_its_replicaset_controller():
    cluster = web_cluster()
    pod = cluster.list("pods")[0]["metadata"]["name"]
    lines = ObjectInspector(cluster, "pod", pod).created_by()
    assert lines[0] == f"Created for ReplicaSet {pod.rsplit('-', 1)[0]} (its controller owner)."
    assert "the replicaset controller" in lines[1]


def test_secret_values_are_masked_in_the_yaml():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("apply -f -", stdin="apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
                                        "stringData:\n  password: hunter2\n")
    text = ObjectInspector(cluster, "secret", "s").yaml()
    assert "hunter2" not in text and "aHVudGVyMg==" not in text
    assert "  password: '******'" in text
    assert "last-applied-configuration: '******'" in text


@pytest.mark.parametrize("text, masked", [
    ("data:\n  a: eA==\nkind: Secret\n", "data:\n  a: '******'\nkind: Secret\n"),
    ("kind: Secret\nstringData:\n  b: x\n", "kind: Secret\nstringData:\n  b: '******'\n"),
    ("kind: Secret\ntype: Opaque\n", "kind: Secret\ntype: Opaque\n"),
])
def test_masking_hides_values_but_keeps_keys(text, masked):
    assert mask_secret_yaml(text) == masked


def test_inspecting_a_missing_object_shows_kubectls_error():
    inspector = ObjectInspector(labkube.Cluster(nodes=1, seed=0), "pod", "nope")
    assert "Error from server (NotFound): pods &quot;nope&quot; not found" in inspector.body.value


def test_the_inspector_with_an_empty_namespace_box_reads_the_default_namespace():
    cluster = web_cluster()
    pod = cluster.list("pods")[0]["metadata"]["name"]
    inspector = ObjectInspector(cluster, "pod", pod, namespace="")
    assert inspector.yaml().startswith("apiVersion: v1\nkind: Pod\n")
    assert f"name: {pod}\n" in inspector.yaml()


@pytest.mark.parametrize("kind, name, shown", [
    ("bogus", "web", 'error: the server doesn&#x27;t have a resource type &quot;bogus&quot;'),
    ("pod", "", "error: resource name may not be empty"),
    ("pod", "web -o json", "Error from server (NotFound): pods &quot;web -o json&quot; not found"),
])
def test_the_inspector_shows_kubectls_error_for_what_it_cannot_read(kind, name, shown):
    inspector = ObjectInspector(web_cluster(), kind, name)
    inspector.inspect()
    assert inspector.body.value == f"<pre>{shown}</pre>"
