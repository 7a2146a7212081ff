"""fieldValidation: what kube-apiserver 1.32 does with unknown fields under each directive.

Strict refuses the body (``strict decoding error: unknown field "..."``), Warn (the server's
default) drops each unknown field and returns a warning ``unknown field "<path>"``, Ignore drops
them silently; a wrong type is fatal under every directive. Checked at the decoder, through the
server (create, update, patch; built-in kinds and custom resources) and over HTTP
(``?fieldValidation=`` and the ``Warning: 299 - "..."`` headers).
"""

from __future__ import annotations

import copy
import json

import pytest

import labkube
from labkube.core.api import auth, decode
from labkube.core.api.client import KubernetesWarning
from labkube.core.api.http import APIServerHTTP, warning_headers
from labkube.core.api.resources import default_registry
from labkube.core.api.testing import deployment, new_server
from labkube.core.errors import StatusError
from tests.kubectl.crd_cases import CRONTAB_CRD

REGISTRY = default_registry()

CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
             "data": {"mode": "fast"}, "colour": "blue"}
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labelz": {"a": "b"}},
       "spec": {"containers": [{"name": "c", "image": "nginx"},
                               {"name": "d", "image": "nginx", "imagePullPolicyy": "Always"}]}}
CONFIGMAP_REFUSED = ('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
                     'unknown field "colour"')


def _decode(obj: dict, directive: str) -> tuple[dict, list]:
    found: list = []
    obj = copy.deepcopy(obj)
    decode.strict_decode(obj, REGISTRY.for_kind(obj["apiVersion"], obj["kind"]), directive, found)
    return obj, found


# -- the decoder ------------------------------------------------------------------------------


def test_strict_refuses_every_unknown_field_in_one_message_in_the_order_of_the_body():
    with pytest.raises(StatusError) as err:
        _decode(POD, "Strict")
    assert (err.value.code, err.value.message) == (
        400, 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field '
             '"metadata.labelz", unknown field "spec.containers[1].imagePullPolicyy"')


@pytest.mark.parametrize("directive, expected_warnings", [
    ("Warn", ['unknown field "metadata.labelz"', 'unknown field "spec.containers[1].imagePullPolicyy"']),
    ("Ignore", []),
], ids=["warn drops the fields and warns about each", "ignore drops them silently"])
def test_warn_and_ignore_keep_the_object_without_its_unknown_fields(directive, expected_warnings):
    obj, found = _decode(POD, directive)
    assert obj["metadata"] == {"name": "web"}
    assert obj["spec"]["containers"][1] == {"name": "d", "image": "nginx"}
    assert found == expected_warnings


@pytest.mark.parametrize("directive", ["Strict", "Warn", "Ignore"])
def test_a_wrong_type_is_fatal_under_every_directive(directive):
    body = {**CONFIGMAP, "data": {"mode": 3}}
    with pytest.raises(StatusError) as err:
        _decode(body, directive)
    assert err.value.message == ('ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot '
                                 'unmarshal number into Go struct field ConfigMap.data of type string')


def test_a_warning_already_recorded_is_not_recorded_twice():
    found = ['unknown field "colour"']
    decode.strict_decode(copy.deepcopy(CONFIGMAP), REGISTRY.for_kind("v1", "ConfigMap"), "Warn", found)
    assert found == ['unknown field "colour"']


@pytest.mark.parametrize("verb, kind", [("create", "CreateOptions"), ("update", "UpdateOptions"),
                                        ("patch", "PatchOptions")])
def test_an_unsupported_directive_is_invalid_options(verb, kind):
    with pytest.raises(StatusError) as err:
        decode.check_field_validation(verb, "strict")
    assert (err.value.code, err.value.message) == (
        422, f'{kind}.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported '
             'values: "", "Ignore", "Strict", "Warn"')


@pytest.mark.parametrize("given, used", [(None, "Warn"), ("", "Warn"), ("Strict", "Strict"),
                                         ("Warn", "Warn"), ("Ignore", "Ignore")])
def test_a_request_without_a_directive_gets_the_servers_default_warn(given, used):
    assert decode.check_field_validation("create", given) == used


# -- through the server --------------------------------------------------------------------------


@pytest.fixture
def env():
    return new_server()


def test_a_bare_client_gets_the_servers_default_and_sees_the_warning_as_a_python_warning(env):
    with pytest.warns(KubernetesWarning, match='unknown field "colour"'):
        created = env.admin.create(copy.deepcopy(CONFIGMAP))
    assert "colour" not in created
    assert "colour" not in env.admin.get("configmaps", "settings", "default")


@pytest.mark.parametrize("directive, stored, seen", [
    ("Warn", True, ['unknown field "colour"']),
    ("Ignore", True, []),
    ("Strict", False, []),
])
def test_create_follows_the_clients_field_validation(env, directive, stored, seen):
    heard: list = []
    client = env.admin.with_field_validation(directive, heard.append)
    if stored:
        assert "colour" not in client.create(copy.deepcopy(CONFIGMAP))
    else:
        with pytest.raises(StatusError) as err:
            client.create(copy.deepcopy(CONFIGMAP))
        assert err.value.message == CONFIGMAP_REFUSED
    assert heard == seen


def test_an_update_with_an_unknown_field_is_stored_without_it_and_warned_about(env):
    heard: list = []
    client = env.admin.with_field_validation("Warn", heard.append)
    live = client.create(deployment())
    live["spec"]["replica"] = 5
    updated = client.update(live)
    assert "replica" not in updated["spec"]
    assert heard == ['unknown field "spec.replica"']


def test_a_patch_that_only_adds_unknown_fields_changes_nothing_under_ignore(env):
    client = env.admin.with_field_validation("Ignore", lambda text: pytest.fail(text))
    live = client.create(deployment())
    patched = client.patch("deploy", "web", {"spec": {"replica": 4}}, patch_type="merge")
    assert patched["metadata"]["resourceVersion"] == live["metadata"]["resourceVersion"]


def test_a_client_acting_as_another_user_keeps_its_field_validation(env):
    client = env.admin.with_field_validation("Strict").as_user(auth.SUPER_ADMIN)
    with pytest.raises(StatusError):
        client.create(copy.deepcopy(CONFIGMAP))


# -- custom resources -----------------------------------------------------------------------------

CRONTAB = {"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "c"},
           "spec": {"cronSpec": "* * * * */5", "image": "img", "someRandomField": 42}}


@pytest.fixture(scope="module")
def cluster():
    with labkube.Cluster(nodes=0, seed=0) as c:
        c.apply(CRONTAB_CRD)
        c.run(2)
        yield c


@pytest.mark.parametrize("directive, seen", [
    ("Warn", ['unknown field "spec.someRandomField"']),
    ("Ignore", []),
])
def test_a_custom_resource_is_pruned_by_its_schema_as_the_directive_says(cluster, directive, seen):
    heard: list = []
    client = cluster.client.with_field_validation(directive, heard.append)
    created = client.create(copy.deepcopy(CRONTAB), "default", dry_run=True)
    assert created["spec"] == {"cronSpec": "* * * * */5", "image": "img"}
    assert heard == seen


def test_a_custom_resource_with_an_unknown_field_is_refused_under_strict(cluster):
    with pytest.raises(StatusError) as err:
        cluster.client.with_field_validation("Strict").create(copy.deepcopy(CRONTAB), "default")
    assert err.value.message == ('CronTab in version "v1" cannot be handled as a CronTab: strict decoding '
                                 'error: unknown field "spec.someRandomField"')


# -- over HTTP -----------------------------------------------------------------------------------


@pytest.fixture
def front():
    cluster = labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False)
    http = APIServerHTTP(cluster.server)
    http.authenticate = lambda headers: auth.ADMIN
    return http


def _post(front, query: str):
    return front.serve("POST", "/api/v1/namespaces/default/configmaps" + query,
                       {"Content-Type": "application/json"}, json.dumps(CONFIGMAP).encode())


def _warnings(reply) -> list:
    return [value for key, value in reply.headers if key == "Warning"]


@pytest.mark.parametrize("query, status, warning_values", [
    ("", 201, ['299 - "unknown field \\"colour\\""']),
    ("?fieldValidation=Warn", 201, ['299 - "unknown field \\"colour\\""']),
    ("?fieldValidation=Ignore", 201, []),
    ("?fieldValidation=Strict", 400, []),
    ("?fieldValidation=foo", 422, []),
], ids=["no directive is Warn", "Warn", "Ignore", "Strict", "an unsupported directive"])
def test_the_http_front_passes_field_validation_on_and_sends_warning_headers(front, query, status,
                                                                              warning_values):
    reply = _post(front, query)
    assert (reply.status, _warnings(reply)) == (status, warning_values)
    if status == 201:
        assert "colour" not in reply.json()


def test_a_warning_header_quotes_its_text_as_go_does():
    assert warning_headers(['unknown field "spec.foo"']) == (("Warning", '299 - "unknown field \\"spec.foo\\""'),)
    assert warning_headers(None) == ()

