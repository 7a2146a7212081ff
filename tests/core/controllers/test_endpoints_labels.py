"""Endpoints labels: the Service's labels, plus ``service.kubernetes.io/headless`` when headless.

pkg/controller/endpoint/endpoints_controller.go sets ``newEndpoints.Labels = service.Labels``
(an empty map when the Service has none) and adds or removes the headless label; Go's
``omitempty`` then leaves an empty labels map out of the object, so a Service without labels
gives an Endpoints without ``labels``.
"""

import pytest

import labkube


def service(name, *, labels=None, headless=False):
    spec = {"selector": {"app": "web"}, "ports": [{"port": 80}]}
    if headless:
        spec["clusterIP"] = "None"
    meta = {"name": name}
    if labels is not None:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec}


@pytest.fixture(scope="module")
def cluster():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.apply([service("plain"), service("labelled", labels={"tier": "web"}),
                   service("headless", headless=True), service("empty-labels", labels={})])
    cluster.run(2)
    return cluster


@pytest.mark.parametrize("name, labels", [
    ("plain", None),
    ("empty-labels", None),
    ("labelled", {"tier": "web"}),
    ("headless", {"service.kubernetes.io/headless": ""}),
])
def test_endpoints_carry_the_service_labels_and_no_empty_map(cluster, name, labels):
    assert cluster.get("endpoints", name)["metadata"].get("labels") == labels


def test_kubectl_shows_no_labels_line_for_a_service_without_labels(cluster):
    assert "labels" not in cluster.kubectl("get endpoints plain -o yaml")


def test_removing_the_last_label_of_the_service_removes_the_labels_of_its_endpoints(cluster):
    cluster.kubectl("label service labelled tier-")
    cluster.run(1)
    assert "labels" not in cluster.get("endpoints", "labelled")["metadata"]
