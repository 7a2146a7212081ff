"""A request body that gives a key twice, as kube-apiserver 1.32 answers it over HTTP.

``Strict`` refuses it (``strict decoding error: duplicate field "spec.paused"``, among the unknown
fields in the order one decode meets them), ``Warn`` -- the default -- stores the last value
and warns about each repeat, ``Ignore`` stores the last value silently. A YAML body's repeats
are go-yaml's ``line 14: key "paused" already set in map``. The expected texts are those of
kube-apiserver's own integration test (test/integration/apiserver/field_validation_test.go:
``invalidBodyJSON``, ``invalidBodyYAML``, the merge patch and the custom resource cases).
kubectl never sends a repeated key (see tests/kubectl/dupkeys_cases.py); curl can.
"""

from __future__ import annotations

import json

import pytest

import labkube
from labkube.core.api import auth, duplicates, schema
from labkube.core.api.http import APIServerHTTP
from labkube.core.api.testing import deployment
from tests.kubectl.crd_cases import CRONTAB_CRD

DEPLOYMENT_JSON = """{
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "dupename", "name": "NAME", "labels": {"app": "nginx"}, "unknownMeta": "metaVal"},
  "spec": {
    "unknown1": "val1", "unknownDupe": "valDupe", "unknownDupe": "valDupe2", "paused": true, "paused": false,
    "selector": {"matchLabels": {"app": "nginx"}},
    "template": {"metadata": {"labels": {"app": "nginx"}},
                 "spec": {"containers": [{"name": "nginx", "image": "nginx:latest", "unknownNested": "val1",
                                          "imagePullPolicy": "Always", "imagePullPolicy": "Never"}]}}}}"""

DEPLOYMENT_YAML = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: dupename
  name: NAME
  unknownMeta: metaVal
  labels:
    app: nginx
spec:
  unknown1: val1
  unknownDupe: valDupe
  unknownDupe: valDupe2
  paused: true
  paused: false
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:latest
        unknownNested: val1
        imagePullPolicy: Always
        imagePullPolicy: Never
"""

JSON_FINDINGS = [
    'duplicate field "metadata.name"', 'unknown field "metadata.unknownMeta"', 'unknown field "spec.unknown1"',
    'unknown field "spec.unknownDupe"', 'duplicate field "spec.paused"',
    'unknown field "spec.template.spec.containers[0].unknownNested"',
    'duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
]
YAML_LINES = ['line 5: key "name" already set in map', 'line 12: key "unknownDupe" already set in map',
              'line 14: key "paused" already set in map', 'line 28: key "imagePullPolicy" already set in map']
YAML_UNKNOWN = ['unknown field "metadata.unknownMeta"', 'unknown field "spec.template.spec.containers[0].unknownNested"',
                'unknown field "spec.unknown1"', 'unknown field "spec.unknownDupe"']
REFUSED = 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '

MERGE_PATCH = """{"spec": {
  "unknown1": "val1", "unknownDupe": "valDupe", "unknownDupe": "valDupe2", "paused": true, "paused": false,
  "template": {"spec": {"containers": [{"name": "app", "image": "nginx:latest", "unknownNested": "val1",
                                        "imagePullPolicy": "Always", "imagePullPolicy": "Never"}]}}}}"""
PATCH_FINDINGS = [
    'duplicate field "spec.unknownDupe"', 'duplicate field "spec.paused"',
    'duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
    'unknown field "spec.template.spec.containers[0].unknownNested"', 'unknown field "spec.unknown1"',
    'unknown field "spec.unknownDupe"',
]


@pytest.fixture
def cluster():
    cluster = labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False)
    cluster.client.create(deployment(), "default")
    return cluster


def _send(cluster, method: str, path: str, body: str, content_type: str = "application/json",
          user=auth.ADMIN):
    return APIServerHTTP(cluster.server).serve(method, path, {"Content-Type": content_type}, body.encode(), user=user)


def _warnings(reply) -> list[str]:
    return [json.loads(value[len("299 - "):]) for key, value in reply.headers if key == "Warning"]


def _deployments(query: str = "") -> str:
    return "/apis/apps/v1/namespaces/default/deployments" + query


# -- the decoders --------------------------------------------------------------------------------


def test_a_kinds_body_reports_repeats_and_unknown_fields_in_one_walk_in_document_order():
    findings = duplicates.json_findings(DEPLOYMENT_JSON, schema.kind_type("apps/v1", "Deployment"))
    assert [text for _, _, text in findings] == JSON_FINDINGS


def test_an_untyped_body_reports_every_repeated_key_and_no_unknown_field():
    assert [text for _, _, text in duplicates.json_findings(MERGE_PATCH)] == PATCH_FINDINGS[:3]


@pytest.mark.parametrize("body, expected", [
    ('{"metadata": {"labels": {"app": "a", "app": "b"}}}', ['duplicate field "metadata.labels.app"']),
    ('{"metadata": {"bogus": {"a": 1, "a": 2}, "bogus": 3}}', ['unknown field "metadata.bogus"']),
    ('{"spec": {"containers": [{"name": "a"}, {"name": "b", "name": "c"}]}}',
     ['duplicate field "spec.containers[1].name"']),
    ('{"metadata": {"managedFields": [{"fieldsV1": {"f:a": {}, "f:a": {}}}]}}', []),
], ids=["a map key's path is joined with a dot", "an unknown field is reported once and not looked into",
        "a list position is in brackets", "a field kept as raw bytes is not looked into"])
def test_the_path_of_a_finding_is_the_strict_decoders(body, expected):
    findings = duplicates.json_findings(body, schema.kind_type("v1", "Pod"))
    assert [text for _, _, text in findings] == expected


def test_go_yaml_reports_the_line_of_each_repeated_keys_value_inside_the_value_first():
    text = "metadata:\n  name: a\n  name: b\nmetadata:\n  x: 1\n  x: 2\n1: a\n'1': b\n1: c\ny: 1\ntrue: 2\n"
    value, lines = duplicates.load_yaml(text)
    assert lines == ['line 3: key "name" already set in map', 'line 6: key "x" already set in map',
                     'line 5: key "metadata" already set in map', 'line 9: key 1 already set in map',
                     'line 11: key true already set in map']
    assert value == {"metadata": {"x": 2}, 1: "c", "1": "b", True: 2}


# -- over HTTP: create and update ----------------------------------------------------------------


@pytest.mark.parametrize("method, path", [("POST", _deployments()), ("PUT", _deployments("/web"))],
                         ids=["create", "update"])
def test_strict_refuses_a_body_with_repeated_keys_naming_them_among_the_unknown_fields(cluster, method, path):
    reply = _send(cluster, method, path + "?fieldValidation=Strict", DEPLOYMENT_JSON.replace("NAME", "web"))
    assert (reply.status, reply.json()["reason"]) == (400, "BadRequest")
    assert reply.json()["message"] == REFUSED + ", ".join(JSON_FINDINGS)


@pytest.mark.parametrize("query", ["?fieldValidation=Warn", ""], ids=["Warn", "no directive is Warn"])
def test_warn_stores_the_last_values_and_warns_about_each_repeat_in_its_place(cluster, query):
    reply = _send(cluster, "POST", _deployments(query), DEPLOYMENT_JSON.replace("NAME", "second"))
    assert (reply.status, _warnings(reply)) == (201, JSON_FINDINGS)
    spec = reply.json()["spec"]
    assert (spec["paused"], spec["template"]["spec"]["containers"][0]["imagePullPolicy"]) == (False, "Never")
    assert reply.json()["metadata"]["name"] == "second"


def test_ignore_stores_the_last_values_silently(cluster):
    reply = _send(cluster, "POST", _deployments("?fieldValidation=Ignore"), DEPLOYMENT_JSON.replace("NAME", "second"))
    assert (reply.status, _warnings(reply)) == (201, [])
    assert reply.json()["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Never"


def test_a_yaml_body_is_refused_with_go_yamls_lines_then_the_unknown_fields_in_key_order(cluster):
    reply = _send(cluster, "POST", _deployments("?fieldValidation=Strict"), DEPLOYMENT_YAML.replace("NAME", "second"),
                  "application/yaml")
    assert reply.status == 400
    assert reply.json()["message"] == REFUSED + duplicates.yaml_strict_error(YAML_LINES) + ", " + ", ".join(YAML_UNKNOWN)


def test_a_yaml_body_under_warn_gets_one_warning_per_line_of_go_yaml(cluster):
    reply = _send(cluster, "POST", _deployments(), DEPLOYMENT_YAML.replace("NAME", "second"), "application/yaml")
    assert (reply.status, _warnings(reply)) == (201, YAML_LINES + YAML_UNKNOWN)


# -- over HTTP: what comes before decoding, and after it -------------------------------------------


CONFIGMAP = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "name": "b"}%s}'


@pytest.mark.parametrize("query, body, user, status, message", [
    ("?fieldValidation=Strict", CONFIGMAP % "", auth.user("bob", ["system:authenticated"]), 403,
     'configmaps is forbidden: User "bob" cannot create resource "configmaps" in API group "" in the namespace '
     '"default"'),
    ("?fieldValidation=sometimes", CONFIGMAP % "", auth.ADMIN, 422,
     'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "sometimes": supported values: '
     '"", "Ignore", "Strict", "Warn"'),
    ("?fieldValidation=Strict", CONFIGMAP % ', "data": {"k": 1}', auth.ADMIN, 400,
     'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct '
     'field ConfigMap.data of type string'),
], ids=["authorization comes first", "the options are checked before the body",
        "a fatal decoding error is reported alone"])
def test_a_strict_refusal_waits_its_turn(cluster, query, body, user, status, message):
    reply = _send(cluster, "POST", "/api/v1/namespaces/default/configmaps" + query, body, user=user)
    assert (reply.status, reply.json()["message"]) == (status, message)


def test_a_strict_refusal_stores_nothing_and_is_audited_once_as_a_400(cluster):
    since = cluster.audit_log.last_seq
    reply = _send(cluster, "POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", CONFIGMAP % "")
    assert reply.json()["message"] == ('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding '
                                       'error: duplicate field "metadata.name"')
    assert [(r.verb, r.resource, r.code) for r in cluster.audit(since)] == [("create", "configmaps", 400)]
    stored = {cm["metadata"]["name"] for cm in cluster.client.list("configmaps", "default")["items"]}
    assert not stored & {"a", "b"}


# -- over HTTP: patches and custom resources (an unstructured map: repeats come first) --------------


@pytest.mark.parametrize("content_type", ["application/merge-patch+json", "application/strategic-merge-patch+json"])
def test_a_patch_reports_its_repeats_before_the_patched_objects_unknown_fields(cluster, content_type):
    refused = _send(cluster, "PATCH", _deployments("/web?fieldValidation=Strict"), MERGE_PATCH, content_type)
    assert (refused.status, refused.json()["message"]) == (400, REFUSED + ", ".join(PATCH_FINDINGS))
    warned = _send(cluster, "PATCH", _deployments("/web?fieldValidation=Warn"), MERGE_PATCH, content_type)
    assert (warned.status, _warnings(warned)) == (200, PATCH_FINDINGS)
    assert warned.json()["spec"]["paused"] is False


def test_a_patch_of_a_missing_object_is_not_found_before_its_repeats_count(cluster):
    reply = _send(cluster, "PATCH", _deployments("/nope?fieldValidation=Strict"), MERGE_PATCH,
                  "application/merge-patch+json")
    assert (reply.status, reply.json()["reason"]) == (404, "NotFound")


def test_a_custom_resource_reports_every_repeat_before_its_unknown_fields(cluster):
    cluster.apply(CRONTAB_CRD)
    cluster.run(2)
    body = ('{"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "x", "name": "c"},'
            ' "spec": {"unknown1": 1, "unknownDupe": 1, "unknownDupe": 2, "image": "a", "image": "b"}}')
    expected = ['duplicate field "metadata.name"', 'duplicate field "spec.unknownDupe"', 'duplicate field "spec.image"',
                'unknown field "spec.unknown1"', 'unknown field "spec.unknownDupe"']
    path = "/apis/stable.example.com/v1/namespaces/default/crontabs"
    refused = _send(cluster, "POST", path + "?fieldValidation=Strict", body)
    assert refused.json()["message"] == ('CronTab in version "v1" cannot be handled as a CronTab: strict decoding '
                                         'error: ' + ", ".join(expected))
    warned = _send(cluster, "POST", path, body)
    assert (warned.status, _warnings(warned), warned.json()["spec"]) == (201, expected, {"image": "b"})


# -- a YAML body is read as sigs.k8s.io/yaml reads it -----------------------------------------------


@pytest.mark.parametrize("body, message", [
    ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\n",
     'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal bool into Go struct field '
     'ObjectMeta.metadata.name of type string'),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n   labels: {}\n",
     "error converting YAML to JSON: yaml: line 5: mapping values are not allowed in this context"),
], ids=["go-yaml v2 reads y as true", "a syntax error is worded as go-yaml words it"])
def test_a_yaml_body_is_read_with_go_yaml_v2s_rules(cluster, body, message):
    reply = _send(cluster, "POST", "/api/v1/namespaces/default/configmaps", body, "application/yaml")
    assert (reply.status, reply.json()["message"]) == (400, message)
