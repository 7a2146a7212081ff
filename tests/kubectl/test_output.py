"""-o yaml / json / name / custom-columns, checked against what the real kubectl 1.32 printed."""

import json

import pytest

from labkube.core.api.resources import default_registry
from labkube.kubectl import output
from labkube.kubectl.printers.goyaml import YAMLError, resolves_to_non_string, sorted_keys

from . import objects as o
from .golden_cases import golden, golden_json

REG = default_registry()
OBJECTS = o.cluster_objects()
POD = f"web-{o.RS_HASH}-x2kq9"


def find(kind, name):
    return next(x for x in OBJECTS if x["kind"] == kind and x["metadata"]["name"] == name)


def default_pods():
    return [x for x in OBJECTS if x["kind"] == "Pod" and x["metadata"]["namespace"] == "default"]


def pod_list():
    return output.list_document(default_pods(), REG.resolve("pods"))


GOLDEN = [
    ("a pod in YAML", "yaml_pod_running.yaml", lambda: output.to_yaml(find("Pod", POD))),
    ("a configmap with a multi-line value", "yaml_configmap.yaml", lambda: output.to_yaml(find("ConfigMap", "app-config"))),
    ("a deployment in YAML", "yaml_deployment.yaml", lambda: output.to_yaml(find("Deployment", "web"))),
    ("a list of pods is a List with kind and apiVersion on every item", "yaml_pods_list.yaml",
     lambda: output.to_yaml(pod_list())),
    ("a service in JSON", "json_service.json", lambda: output.to_json(find("Service", "web"))),
    ("a list of pods in JSON", "json_pods_list.json", lambda: output.to_json(pod_list())),
    ("pod names", "name_pods.txt", lambda: output.names(default_pods(), REG.resolve("pods"))),
    ("names of a kind in a group carry the group", "name_deployments.txt",
     lambda: output.names([find("Deployment", "web")], REG.resolve("deploy"))),
    ("custom columns print Go values and <none>", "custom_columns.txt",
     lambda: output.custom_columns(default_pods(), "NAME:.metadata.name,IMAGE:.spec.containers[*].image,"
                                                   "NODE:.spec.nodeName,LABELS:.metadata.labels")),
    ("a generated deployment", "create_deployment.yaml", lambda: output.to_yaml({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"creationTimestamp": None, "labels": {"app": "web"}, "name": "web"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "strategy": {},
                 "template": {"metadata": {"creationTimestamp": None, "labels": {"app": "web"}},
                              "spec": {"containers": [{"image": "nginx", "name": "nginx", "resources": {}}]}}},
        "status": {}})),
    ("a generated configmap with quoted and block values", "create_configmap_multiline.yaml", lambda: output.to_yaml({
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"creationTimestamp": None, "name": "game"},
        "data": {"game.properties": "enemies=aliens\nlives=3\n", "ui": "color.good=purple", "port": "8080",
                 "enabled": "true"}})),
    ("a generated secret", "create_secret.yaml", lambda: output.to_yaml({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"creationTimestamp": None, "name": "db"},
        "data": {"password": "aHVudGVyMmh1bnRlcg=="}})),
    ("a typed object in JSON keeps the struct order it is given", "create_configmap.json", lambda: output.to_json({
        "kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "x", "creationTimestamp": None},
        "data": {"a": "1"}}, sort_keys=False)),
]


@pytest.mark.parametrize("golden_file, render", [c[1:] for c in GOLDEN], ids=[c[0] for c in GOLDEN])
def test_output_matches_real_kubectl(golden_file, render):
    assert render() == golden(golden_file)


STRINGS = golden_json("yaml_strings.json")["cases"]


@pytest.mark.parametrize("case", [c for c in STRINGS if not c["yaml_stderr"]],
                         ids=[f"tricky strings in {c['object']['metadata']['name']} print as go-yaml prints them"
                              for c in STRINGS if not c["yaml_stderr"]])
def test_yaml_quoting_folding_and_block_scalars_match_real_kubectl(case):
    assert output.to_yaml(case["object"]) == case["yaml"]
    assert output.to_json(case["object"]) == case["json"]


def test_a_control_character_fails_like_kubectl():
    case = next(c for c in STRINGS if c["yaml_stderr"])
    with pytest.raises(YAMLError) as err:
        output.to_yaml(case["object"])
    assert case["yaml_stderr"] == f"error: {err.value}"


DOCS = golden_json("apply_docs.json")["cases"]


@pytest.mark.parametrize("case", DOCS, ids=[f"the docs manifest {c['file']} prints as kubectl apply prints it"
                                            for c in DOCS])
def test_kubernetes_docs_manifests_match_real_kubectl(case):
    obj = json.loads(case["json"])
    assert output.to_yaml(obj) == case["yaml"]
    if obj.get("kind") != "List":
        assert output.to_json(obj) == case["json"]


RESOLVE = [
    ("a number reads back as a number", "80", True),
    ("a boolean word reads back as a boolean", "yes", True),
    ("a one-letter n is YAML 1.1's false", "n", True),
    ("an RFC 3339 time reads back as a timestamp", "2025-01-01T00:00:00Z", True),
    ("a sexagesimal-looking time is quoted", "12:30", True),
    ("an empty string reads back as null", "", True),
    ("<< is not resolved by go-yaml v2", "<<", False),
    ("an IP address stays a string", "10.0.0.1", False),
    ("a version with two dots stays a string", "1.2.3", False),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in RESOLVE], ids=[c[0] for c in RESOLVE])
def test_resolves_to_non_string(text, expected):
    assert resolves_to_non_string(text) is expected


def test_yaml_key_order_puts_non_letters_first_and_compares_numbers():
    assert sorted_keys({"b10": 0, "b2": 0, "B": 0, "_x": 0, "a_b": 0, "aB": 0}) == ["_x", "B", "a_b", "aB", "b2", "b10"]


def test_mixed_kinds_form_one_list():
    doc = output.list_document([(find("Pod", POD), REG.resolve("pods")), (find("Service", "web"), REG.resolve("svc"))])
    assert [item["kind"] for item in doc["items"]] == ["Pod", "Service"]
    assert doc["metadata"] == {"resourceVersion": ""}


def test_name_with_an_operation_reads_like_kubectl_apply():
    assert output.name_of(find("Deployment", "web"), REG.resolve("deploy"), "configured") == \
        "deployment.apps/web configured"


BAD_COLUMNS = [
    ("an empty spec", "", "custom-columns format specified but no custom columns given"),
    ("a column without a path", "NAME", "unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"),
]


@pytest.mark.parametrize("spec, message", [c[1:] for c in BAD_COLUMNS], ids=[c[0] for c in BAD_COLUMNS])
def test_bad_custom_columns_specs_are_rejected_with_kubectls_message(spec, message):
    with pytest.raises(output.CustomColumnsError, match=message):
        output.custom_columns([], spec)
