"""``kubectl set resources`` on a running labkube cluster (the simulated clock drives the
rollout it causes), and its argument parsing. The byte-for-byte comparison with the real
kubectl is ``test_set_env_resources_oracle.py``."""

from __future__ import annotations

import pytest

import labkube
from labkube.kubectl import run
from labkube.kubectl.commands.set_resources import parse_resource_list
from labkube.kubectl.errors import KubectlError


@pytest.fixture()
def cluster():
    cluster = labkube.Cluster(nodes=1, seed=0)
    assert run(cluster, "create deployment web --image=nginx --replicas=2").exit_code == 0
    cluster.run(30)
    return cluster


def template_resources(cluster):
    deployment = cluster.client.get("deployments", "web", "default")
    return deployment["spec"]["template"]["spec"]["containers"][0].get("resources")


def test_limits_and_requests_reach_the_new_pods_through_a_rollout(cluster):
    since = cluster.audit_log.last_seq
    result = run(cluster, "set resources deployment/web --limits=cpu=0.5,memory=256Mi --requests=cpu=100m")
    assert (result.stdout, result.stderr, result.exit_code) == (
        "deployment.apps/web resource requirements updated\n", "", 0)
    user = cluster.client.user.name
    assert [(e.verb, e.resource) for e in cluster.audit(since, user=user)] == [
        ("get", "deployments"), ("patch", "deployments")]
    assert template_resources(cluster) == {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m"}}
    cluster.run(120)
    assert "2         <none>" in str(run(cluster, "rollout history deployment/web"))
    pods = cluster.client.list("pods", "default", label_selector="app=web")["items"]
    assert len(pods) == 2
    assert all(p["spec"]["containers"][0]["resources"]["limits"]["cpu"] == "500m" for p in pods)


def test_setting_the_same_values_again_sends_nothing(cluster):
    run(cluster, "set resources deployment/web --limits=cpu=500m")
    since = cluster.audit_log.last_seq
    result = run(cluster, "set resources deployment/web --limits=cpu=0.5")
    assert (str(result), result.exit_code) == ("", 0)
    assert [e.verb for e in cluster.audit(since, user=cluster.client.user.name)] == ["get"]


def test_a_container_name_that_matches_nothing_fails(cluster):
    result = run(cluster, "set resources deployment/web -c db --limits=cpu=1")
    assert (result.stderr, result.exit_code) == ("error: unable to find container named db\n", 1)


def test_the_api_servers_validation_is_reported_after_the_prefix(cluster):
    result = run(cluster, "set resources deployment/web --limits=cpu=-1")
    assert result.exit_code == 1
    assert result.stderr.startswith('error: failed to patch resources update to pod template Deployment.apps "web" is invalid')


def test_a_missing_object_is_reported_before_bad_limits(cluster):
    result = run(cluster, "set resources deployment/nope --limits=cpu=lots")
    assert result.stderr == 'Error from server (NotFound): deployments.apps "nope" not found\n'


@pytest.mark.parametrize("text, parsed", [
    ("", {}),
    ("cpu=200m,memory=512Mi", {"cpu": "200m", "memory": "512Mi"}),
    ("cpu=0.5,memory=1.5Gi", {"cpu": "500m", "memory": "1536Mi"}),
    ("cpu=1,cpu=2", {"cpu": "2"}),
])
def test_resource_lists_parse_into_canonical_quantities(text, parsed):
    assert parse_resource_list(text) == parsed


@pytest.mark.parametrize("text, message", [
    ("cpu", "error: Invalid argument syntax cpu, expected <resource>=<value>"),
    ("cpu=1,", "error: Invalid argument syntax , expected <resource>=<value>"),
    ("cpu=x", "error: quantities must match the regular expression"),
])
def test_bad_resource_lists_are_refused(text, message):
    with pytest.raises(KubectlError) as caught:
        parse_resource_list(text)
    assert caught.value.text.startswith(message)


BAD_INPUTS = [
    "set resources", "set resources deployment/web --limits", "set resources deployment/web --limits=",
    "set resources deployment/web --limits=cpu=1e999", "set resources deployment/web --requests=memory=1Qi",
    "set resources deployment/web --limits=cpu=1 -c", "set resources -f - --local --limits=cpu=1",
    "set resources -f - --local --limits=cpu=1 -o json", "set resources nodes --all --limits=cpu=1",
    "set resources deployment/web --limits=cpu=1 -o jsonpath={", "set resources deployment/web --limits=é=1",
    "set resources deployment web nope --limits=cpu=1",
]


@pytest.mark.parametrize("command", BAD_INPUTS)
def test_odd_input_never_raises_a_python_exception(cluster, command):
    result = run(cluster, command, stdin="kind: Deployment\napiVersion: apps/v1\nmetadata: {name: x}\nspec: 3\n")
    assert result.exit_code in (0, 1)


def test_record_keeps_the_command_as_the_change_cause_in_rollout_history(cluster):
    result = run(cluster, "set resources deployment/web --limits=cpu=1 --record")
    assert result.stderr == "Flag --record has been deprecated, --record will be removed in the future\n"
    cluster.run(60)
    history = run(cluster, "rollout history deployment/web").stdout
    assert "2         kubectl set resources deployment/web --limits=cpu=1 --record=true" in history
