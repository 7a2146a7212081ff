"""ObjectMeta's lists and maps are ``omitempty``: an empty one is not stored, as a Go round trip
through kube-apiserver drops it (the Job controller's patch that removes a pod's last finalizer
leaves no ``finalizers: []`` behind)."""

import pytest

import labkube


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=1, seed=0) as c:
        yield c


def test_empty_metadata_collections_are_not_stored_on_create(cluster):
    created = cluster.client.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
        "name": "a", "labels": {}, "annotations": {}, "finalizers": [], "ownerReferences": []}}, "default")
    stored = cluster.get("configmap", "a")
    for key in ("labels", "annotations", "finalizers", "ownerReferences"):
        assert key not in stored["metadata"] and key not in created["metadata"]


def test_a_patch_removing_the_last_finalizer_leaves_no_empty_list(cluster):
    cluster.client.create({"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": "b", "finalizers": ["example.com/keep"]}}, "default")
    patched = cluster.client.patch("configmaps", "b", {"metadata": {
        "$deleteFromPrimitiveList/finalizers": ["example.com/keep"]}}, namespace="default")
    assert "finalizers" not in patched["metadata"]
    assert "finalizers" not in cluster.get("configmap", "b")["metadata"]


def test_a_finished_job_pod_shows_no_finalizers_field(cluster):
    cluster.kubectl("create job j --image=busybox:1.36 -- true")
    cluster.run(30)
    pod = cluster.list("pods", label_selector="job-name=j")[0]
    assert pod["status"]["phase"] == "Succeeded" and "finalizers" not in pod["metadata"]
    assert "finalizers:" not in cluster.kubectl(f"get pod {pod['metadata']['name']} -o yaml")


def test_non_empty_collections_are_kept(cluster):
    cluster.client.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
        "name": "c", "labels": {"a": "b"}, "finalizers": ["example.com/x"]}}, "default")
    meta = cluster.get("configmap", "c")["metadata"]
    assert meta["labels"] == {"a": "b"} and meta["finalizers"] == ["example.com/x"]
