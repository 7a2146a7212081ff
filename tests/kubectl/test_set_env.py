"""``kubectl set env`` on a running labkube cluster: what it changes, what it prints, what the
cluster does next (driven by the simulated clock), and its helpers one by one.

The byte-for-byte comparison with the real kubectl is ``test_set_env_resources_oracle.py``.
"""

from __future__ import annotations

import pytest

import labkube
from labkube.kubectl import run
from labkube.kubectl.commands._set_helpers import select_string
from labkube.kubectl.commands.set_env import (
    field_path_value,
    parse_env,
    reference_text,
    resource_field_value,
    split_environment_from_resources,
    update_env,
)
from labkube.kubectl.errors import KubectlError


@pytest.fixture()
def cluster():
    cluster = labkube.Cluster(nodes=1, seed=0)
    assert run(cluster, "create deployment web --image=nginx --replicas=2").exit_code == 0
    cluster.run(30)
    return cluster


def template_env(cluster, name="web"):
    deployment = cluster.client.get("deployments", name, "default")
    return deployment["spec"]["template"]["spec"]["containers"][0].get("env")


def kubectl_requests(cluster, since):
    user = cluster.client.user.name
    return [(e.verb, e.resource, e.name) for e in cluster.audit(since, user=user)]


# -- scenarios ------------------------------------------------------------------------------


def test_setting_a_variable_patches_the_template_and_rolls_out_a_new_revision(cluster):
    since = cluster.audit_log.last_seq
    result = run(cluster, "set env deployment/web GREETING=hello")
    assert (result.stdout, result.stderr, result.exit_code) == ("deployment.apps/web env updated\n", "", 0)
    assert kubectl_requests(cluster, since) == [("get", "deployments", "web"), ("patch", "deployments", "web")]
    assert template_env(cluster) == [{"name": "GREETING", "value": "hello"}]
    cluster.run(120)
    history = str(run(cluster, "rollout history deployment/web"))
    assert "1         <none>" in history and "2         <none>" in history
    pods = cluster.client.list("pods", "default", label_selector="app=web")["items"]
    assert len(pods) == 2
    assert all(p["spec"]["containers"][0].get("env") == [{"name": "GREETING", "value": "hello"}] for p in pods)


def test_removing_a_variable_takes_it_out_of_the_template(cluster):
    run(cluster, "set env deployment/web A=1 B=2")
    result = run(cluster, "set env deployment/web A-")
    assert result.exit_code == 0
    assert template_env(cluster) == [{"name": "B", "value": "2"}]


def test_an_unchanged_object_gets_no_patch_and_no_output(cluster):
    run(cluster, "set env deployment/web A=1")
    since = cluster.audit_log.last_seq
    result = run(cluster, "set env deployment/web A=1")
    assert (str(result), result.exit_code) == ("", 0)
    assert [r[0] for r in kubectl_requests(cluster, since)] == ["get"]


def test_from_a_configmap_adds_references_sorted_by_key_with_warnings(cluster):
    run(cluster, "create configmap cfg --from-literal=b.key=2 --from-literal=A_KEY=1 --from-literal=c-key=3")
    result = run(cluster, "set env deployment/web --from=configmap/cfg --prefix=APP_")
    assert result.stderr == ("Warning: key b.key transferred to B_KEY\n"
                             "Warning: key c-key transferred to C_KEY\n")
    assert [e["name"] for e in template_env(cluster)] == ["APP_A_KEY", "APP_B_KEY", "APP_C_KEY"]
    assert template_env(cluster)[1]["valueFrom"] == {"configMapKeyRef": {"key": "b.key", "name": "cfg"}}


def test_list_resolves_secret_and_configmap_references(cluster):
    run(cluster, "create secret generic creds --from-literal=password=s3cr3t")
    run(cluster, "set env deployment/web --from=secret/creds X=1")
    result = run(cluster, "set env deployment/web --list --resolve")
    assert result.stdout == "# Deployment web, container nginx\nX=1\nPASSWORD=s3cr3t\n"
    plain = run(cluster, "set env deployment/web --list")
    assert plain.stdout == "# Deployment web, container nginx\nX=1\n# PASSWORD from secret creds, key password\n"


def test_list_sends_nothing_even_with_changes(cluster):
    since = cluster.audit_log.last_seq
    result = run(cluster, "set env deployment/web --list NEW=1")
    assert result.stdout == "# Deployment web, container nginx\nNEW=1\n"
    assert [r[0] for r in kubectl_requests(cluster, since)] == ["get"]
    assert template_env(cluster) is None


def test_client_dry_run_prints_but_changes_nothing(cluster):
    result = run(cluster, "set env deployment/web A=1 --dry-run=client -o jsonpath={.spec.template.spec.containers[0].env[0].name}")
    assert (result.stdout, result.exit_code) == ("A", 0)
    assert template_env(cluster) is None


def test_server_dry_run_changes_nothing(cluster):
    result = run(cluster, "set env deployment/web A=1 --dry-run=server")
    assert result.stdout == "deployment.apps/web env updated (server dry run)\n"
    assert template_env(cluster) is None


def test_stdin_variables_are_read_with_dash_e_dash(cluster):
    result = run(cluster, "set env deployment/web -e -", stdin="A=1\n# note\nB=two\n")
    assert result.exit_code == 0
    assert template_env(cluster) == [{"name": "A", "value": "1"}, {"name": "B", "value": "two"}]


def test_a_pod_refuses_env_changes_as_the_api_server_does(cluster):
    pod = cluster.client.list("pods", "default")["items"][0]["metadata"]["name"]
    result = run(cluster, f"set env pod/{pod} A=1")
    assert result.exit_code == 1
    assert result.stderr.startswith(f'error: failed to patch env update to pod template: Pod "{pod}" is invalid: spec: Forbidden')


def test_a_kind_without_a_pod_template_is_refused(cluster):
    result = run(cluster, "set env service/kubernetes A=1")
    assert (result.stderr, result.exit_code) == (
        "error: services/kubernetes the object is not a pod or does not have a pod template: *v1.Service\n", 1)


def test_the_same_command_gives_the_same_output_for_the_same_seed():
    outputs = []
    for _ in range(2):
        cluster = labkube.Cluster(nodes=1, seed=3)
        run(cluster, "create deployment web --image=nginx")
        run(cluster, "create configmap cfg --from-literal=z=1 --from-literal=a=2")
        cluster.run(10)
        run(cluster, "set env deployment/web --from=cm/cfg")
        outputs.append(str(run(cluster, "get deployment web -o yaml")))
    assert outputs[0] == outputs[1]


BAD_INPUTS = [
    "set env", "set env -e", "set env deployment/web -e -", "set env deployment/web =", "set env deployment/web ==",
    "set env deployment/web -", "set env deployment/web --from=", "set env deployment/web --from=/",
    "set env deployment/web --from=configmap/cfg/x", "set env deployment/web --keys= --from=cm/x",
    "set env -f /nonexistent A=1", "set env -f - A=1", "set env deploy/web -c '[' A=1",
    "set env deploy/web -c '**' A=1", "set env deployment/web A=1 -o jsonpath={.x", "set env deployment/web --list --resolve -c",
    "set env nodes --all A=1", "set env namespaces default A=1", "set env deployment/web A=1 --local",
    "set env pods,deployments --all --list", "set env deployment/web 'A=é'", "set env deployment/web --overwrite=maybe A=1",
    "set env deployment/web --prefix=1 A=1", "set env deployment/web --from=secret/none --list",
]


@pytest.mark.parametrize("command", BAD_INPUTS)
def test_odd_input_never_raises_a_python_exception(cluster, command):
    result = run(cluster, command, stdin="apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: a, image: b}]}\n")
    assert result.exit_code in (0, 1)


# -- helpers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, pattern, selected", [
    ("nginx", "*", True),
    ("nginx", "nginx", True),
    ("nginx", "ngin", False),
    ("sidecar", "s*", True),
    ("nginx", "s*", False),
    ("sidecar", "*car", True),
    ("sidecar", "*cars", False),
    ("sidecar", "si*ar", True),
    ("", "", True),
])
def test_containers_are_selected_as_kubectl_selects_them(name, pattern, selected):
    assert select_string(name, pattern) is selected


@pytest.mark.parametrize("args, split", [
    (["deploy/web", "A=1", "B-"], (["deploy/web"], ["A=1", "B-"])),
    (["deploy", "web", "A="], (["deploy", "web"], ["A="])),
    (["deploy/web", "A=1", "pods"], None),
    (["=x"], (["=x"], [])),
])
def test_resources_come_before_changes(args, split):
    assert split_environment_from_resources(args) == split


def test_parse_env_sets_removes_and_omits_empty_values():
    assert parse_env(["A=1", "B=", "C-"], None) == ([{"name": "A", "value": "1"}, {"name": "B"}], ["C"])


@pytest.mark.parametrize("spec, message", [
    ("1A=x", '"1A" is not a valid key name: a valid environment variable name'),
    ("..A=x", '"..A" is not a valid key name: must not start with \'..\''),
    ("A", "unknown environment variable: A"),
])
def test_parse_env_refuses_bad_input(spec, message):
    with pytest.raises(KubectlError) as caught:
        parse_env([spec], None)
    assert caught.value.text.startswith(f"error: {message}")


def test_update_env_keeps_order_replaces_and_appends():
    existing = [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "C", "value": "3"}]
    assert update_env(existing, [{"name": "B", "value": "new"}, {"name": "D", "value": "4"}], ["C"]) == [
        {"name": "A", "value": "1"}, {"name": "B", "value": "new"}, {"name": "D", "value": "4"}]


def test_field_paths_and_resource_fields_resolve_as_kubelet_would():
    obj = {"metadata": {"name": "web", "namespace": "dev", "labels": {"b": "2", "a": "x y"}}}
    assert field_path_value(obj, "metadata.name") == "web"
    assert field_path_value(obj, "metadata.labels") == 'a="x y"\nb="2"'
    assert field_path_value(obj, "metadata.labels['b']") == "2"
    container = {"resources": {"limits": {"cpu": "1500m", "memory": "1Gi"}}}
    assert resource_field_value({"resource": "limits.cpu"}, container) == "2"
    assert resource_field_value({"resource": "limits.memory", "divisor": "1Mi"}, container) == "1024"
    assert resource_field_value({"resource": "requests.cpu", "divisor": "1m"}, container) == "0"
    with pytest.raises(ValueError, match="Unsupported container resource : limits.gpu"):
        resource_field_value({"resource": "limits.gpu"}, container)


def test_references_are_described_by_their_source():
    assert reference_text({"resourceFieldRef": {"containerName": "app", "resource": "limits.cpu"}}) == \
        "resource field app/limits.cpu"
    assert reference_text({}) == "invalid valueFrom"
