"""``kubectl autoscale`` (autoscale.go 1.32): the object it builds, its refusals, what it prints."""

import pytest

import labkube
from labkube.kubectl import run
from labkube.kubectl.commands.autoscale import build_hpa


@pytest.fixture(scope="module")
def cluster():
    with labkube.Cluster(nodes=1, seed=0) as c:
        c.kubectl("create deployment web --image=nginx")
        c.kubectl("run lone --image=nginx")
        yield c


@pytest.mark.parametrize("options, spec", [
    ({}, {"maxReplicas": 5}),
    ({"min_replicas": 0}, {"maxReplicas": 5}),
    ({"min_replicas": 2, "cpu_percent": 0}, {"minReplicas": 2, "maxReplicas": 5, "targetCPUUtilizationPercentage": 0}),
], ids=["no --min and no --cpu-percent leave both to the server", "--min=0 is not sent",
        "--cpu-percent=0 is sent"])
def test_build_hpa_sets_only_what_was_given(options, spec):
    hpa = build_hpa("web", "apps/v1", "Deployment", 5, **options)
    expected = {"scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"}, **spec}
    assert hpa["spec"] == expected and hpa["apiVersion"] == "autoscaling/v1"


@pytest.mark.parametrize("command, message", [
    ("autoscale deployment web", 'error: required flag(s) "max" not set'),
    ("autoscale pod lone --max=3", "error: cannot autoscale a Pod: could not find scale subresource for "
                                   "/v1, Resource=pods in discovery information"),
    ("autoscale deployment nothing --max=3", 'Error from server (NotFound): deployments.apps "nothing" not found'),
], ids=["--max is required", "a pod has no scale subresource", "the target must exist"])
def test_autoscale_refusals(cluster, command, message):
    result = run(cluster, command)
    assert result.exit_code == 1 and str(result).strip() == message


def test_autoscale_creates_a_v1_hpa_that_the_server_defaults(cluster):
    assert cluster.kubectl("autoscale deployment web --max=4") == \
        "horizontalpodautoscaler.autoscaling/web autoscaled\n"
    stored = cluster.client.get("horizontalpodautoscalers", "web", "default")
    assert stored["spec"]["minReplicas"] == 1
    assert stored["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 80
