"""Manifests kubectl reads but cannot name: what create, apply and delete -f say about them.

kubectl 1.32's resource builder decodes each document's ``metadata`` into ``ObjectMeta``
(cli-runtime's ``metadataValidatingDecoder``): one that is not a map, or a name or namespace
that is not a string, is refused on the client, ``unable to decode "STDIN": json: ...``. A
request for one object needs a name, so ``apply`` (which first GETs the live object) and
``delete`` refuse a nameless object on the client; ``apply`` refuses ``generateName`` in its
own words, while ``create`` uses it. Every expectation here was printed by the real kubectl.
"""

from __future__ import annotations

import pytest

import labkube
from labkube.kubectl import run

POD = "apiVersion: v1\nkind: Pod\nmetadata: {meta}\nspec: {{containers: [{{name: c, image: nginx}}]}}\n"
NO_NAME_ON_APPLY = (
    "error: error when retrieving current configuration of:\n"
    'Resource: "/v1, Resource=pods", GroupVersionKind: "/v1, Kind=Pod"\n'
    'Name: "", Namespace: "default"\n'
    'from server for: "STDIN": resource name may not be empty\n'
)


@pytest.fixture(scope="module")
def cluster():
    c = labkube.Cluster(nodes=1, seed=0)
    c.run(5)  # the default ServiceAccount exists
    return c


@pytest.mark.parametrize("name, command, meta, stderr", [
    ("create refuses a metadata that is not a map before sending it", "create", "x",
     'error: unable to decode "STDIN": json: cannot unmarshal string into Go struct field '
     "metadataOnlyObject.metadata of type v1.ObjectMeta\n"),
    ("apply refuses generateName without a name", "apply", "{generateName: web-}",
     "error: from web-: cannot use generate name with apply\n"),
    ("apply of a null metadata has no name either", "apply", "null", NO_NAME_ON_APPLY),
    ("delete needs a name", "delete", "{generateName: web-}", "error: resource name may not be empty\n"),
    ("delete refuses a metadata that is not a map", "delete", "[1, 2]",
     'error: unable to decode "STDIN": json: cannot unmarshal array into Go struct field '
     "metadataOnlyObject.metadata of type v1.ObjectMeta\n"),
])
def test_a_manifest_without_a_usable_name(cluster, name, command, meta, stderr):
    result = run(cluster, f"{command} -f -", stdin=POD.format(meta=meta))
    assert (result.stdout, result.stderr, result.exit_code) == ("", stderr, 1)


def test_create_does_use_generate_name(cluster):
    result = run(cluster, "create -f -", stdin=POD.format(meta="{generateName: web-}"))
    assert result.exit_code == 0 and result.stdout.startswith("pod/web-") and result.stdout.endswith(" created\n")


@pytest.mark.parametrize("name, command, manifest, stderr", [
    ("an apiVersion that is not a string is refused by the validation", "create",
     "apiVersion: [v1]\nkind: Pod\nmetadata: {name: p}\n",
     'error: error validating "STDIN": error validating data: apiVersion isn\'t string type; if you choose to '
     "ignore these errors, turn validation off with --validate=false\n"),
    ("both type fields wrong are named together", "create", "apiVersion: 1\nkind: 2\nmetadata: {name: p}\n",
     'error: error validating "STDIN": error validating data: [apiVersion isn\'t string type, kind isn\'t string '
     "type]; if you choose to ignore these errors, turn validation off with --validate=false\n"),
    ("both type fields missing are named together", "create", "metadata: {name: p}\n",
     'error: error validating "STDIN": error validating data: [apiVersion not set, kind not set]; if you '
     "choose to ignore these errors, turn validation off with --validate=false\n"),
    ("a name that is not a string is refused by the decoding", "delete",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {a: 1}\n",
     'error: unable to decode "STDIN": json: cannot unmarshal object into Go struct field '
     "ObjectMeta.metadata.name of type string\n"),
])
def test_type_fields_of_the_wrong_type_read_as_unset(cluster, name, command, manifest, stderr):
    result = run(cluster, f"{command} -f -", stdin=manifest)
    assert (result.stderr, result.exit_code) == (stderr, 1)


@pytest.mark.parametrize("name, metadata, message", [
    ("metadata that is not a map", "x",
     'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field '
     "Pod.metadata of type v1.ObjectMeta"),
    ("a name that is not a string", {"name": {"a": 1}},
     'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal object into Go struct field '
     "ObjectMeta.metadata.name of type string"),
])
def test_the_python_apply_refuses_unaddressable_objects_with_the_servers_words(cluster, name, metadata, message):
    with pytest.raises(labkube.StatusError) as caught:
        cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": metadata,
                       "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    assert (caught.value.code, caught.value.message) == (400, message)


def test_apply_of_a_namespace_that_is_not_a_string_is_refused_before_sending(cluster):
    result = run(cluster, "apply -f -", stdin="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: [1, a]\n")
    assert (result.stderr, result.exit_code) == (
        'error: unable to decode "STDIN": json: cannot unmarshal array into Go struct field '
        "ObjectMeta.metadata.namespace of type string\n", 1)


def test_a_null_service_port_is_port_0_and_refused_as_kube_apiserver_refuses_it(cluster):
    with pytest.raises(labkube.StatusError) as caught:
        cluster.client.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                               "spec": {"ports": [None], "selector": {"app": "web"}}}, "default")
    assert caught.value.message == (
        'Service "s" is invalid: [spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, '
        "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive]")


@pytest.mark.parametrize("call", [
    lambda client: client.get("pods", {"name": "web"}),
    lambda client: client.list("pods", ["default"]),
])
def test_the_python_client_names_a_name_or_namespace_of_the_wrong_type(cluster, call):
    with pytest.raises(TypeError, match="an object's name and namespace are strings"):
        call(cluster.client)


def test_a_server_side_dry_run_of_a_namespace_that_is_not_a_string_is_refused_too(cluster):
    result = run(cluster, "apply --dry-run=server -f -",
                 stdin="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: {a: 1}\n")
    assert result.exit_code == 1
    assert result.stderr.endswith("cannot unmarshal object into Go struct field ObjectMeta.metadata.namespace "
                                  "of type string\n")
