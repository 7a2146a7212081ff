"""A document whose metadata does not fit ObjectMeta is refused by kubectl before it is sent.

kubectl 1.32's resource builder decodes each document's ``metadata`` into ``metav1.ObjectMeta``
(cli-runtime's ``metadataValidatingDecoder``). YAML 1.1 reads ``app: yes`` as a boolean, so a
label like that is refused on the client: ``unable to decode "STDIN": json: cannot unmarshal
bool into Go struct field ObjectMeta.metadata.labels of type string``. That document is
skipped; the others still count. Every expectation was printed by the real kubectl 1.32
against labkube's HTTP front.
"""

from __future__ import annotations

import pytest

import labkube
from labkube.kubectl import run

LABELS_BOOL = ('unable to decode "STDIN": json: cannot unmarshal bool into Go struct field '
               "ObjectMeta.metadata.labels of type string")
LABELS_NUMBER = ('unable to decode "STDIN": json: cannot unmarshal number into Go struct field '
                 "ObjectMeta.metadata.labels of type string")


def configmap(name: str, metadata: str = "") -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}{metadata}}}\n"


@pytest.fixture
def cluster():
    c = labkube.Cluster(nodes=1, seed=0)
    c.run(2)
    return c


def exists(cluster, name: str) -> bool:
    return any(o["metadata"]["name"] == name for o in cluster.client.list("configmaps", "default")["items"])


@pytest.mark.parametrize("value", ["y", "Y", "yes", "Yes", "on", "ON", "n", "no", "NO", "off", "Off", "true", "False"])
@pytest.mark.parametrize("command", ["apply -f -", "create -f -", "replace -f -", "delete -f -",
                                     "create --dry-run=client -o yaml -f -"])
def test_a_label_yaml_reads_as_a_boolean_is_refused_before_sending(cluster, command, value):
    out = run(cluster, command, stdin=configmap("web", f", labels: {{app: {value}}}"))
    assert (out.stdout, out.stderr, out.exit_code) == ("", f"error: {LABELS_BOOL}\n", 1)
    assert not exists(cluster, "web")


def test_a_quoted_label_is_a_string(cluster):
    out = run(cluster, "apply -f -", stdin=configmap("web", ', labels: {app: "yes"}'))
    assert (out.stdout, out.exit_code) == ("configmap/web created\n", 0)


@pytest.mark.parametrize("name, metadata, error", [
    ("a number", ", labels: {app: 1}", LABELS_NUMBER),
    ("a name read as a boolean", "", 'unable to decode "STDIN": json: cannot unmarshal bool into Go struct '
     "field ObjectMeta.metadata.name of type string"),
    ("a generation that is not an integer", ", generation: 1.5", 'unable to decode "STDIN": json: cannot '
     "unmarshal number 1.5 into Go struct field ObjectMeta.metadata.generation of type int64"),
    ("a time that is not a string", ", creationTimestamp: 5", 'unable to decode "STDIN": json: cannot '
     "unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string"),
    ("annotations that are a list", ", annotations: [a]", 'unable to decode "STDIN": json: cannot unmarshal '
     "array into Go struct field ObjectMeta.metadata.annotations of type map[string]string"),
    ("an owner reference field", ", ownerReferences: [{name: 1}]", 'unable to decode "STDIN": json: cannot '
     "unmarshal number into Go struct field OwnerReference.metadata.ownerReferences.name of type string"),
    ("the first wrong field in sorted key order", ", namespace: 5, labels: {x: no}", LABELS_BOOL),
])
def test_metadata_of_the_wrong_type_is_named_as_gos_json_names_it(cluster, name, metadata, error):
    manifest = configmap("y" if name == "a name read as a boolean" else "web", metadata)
    out = run(cluster, "apply -f -", stdin=manifest)
    assert (out.stderr, out.exit_code) == (f"error: {error}\n", 1)


def test_a_json_stream_keeps_its_own_key_order(cluster):
    manifest = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j", "labels": {"b": 1, "a": true}}}'
    out = run(cluster, "apply -f -", stdin=manifest)
    assert out.stderr == f"error: {LABELS_NUMBER}\n"


def test_the_other_documents_still_count(cluster):
    out = run(cluster, "apply -f -", stdin=configmap("a", ", labels: {x: yes}") + "---\n" + configmap("ok")
              + "---\n" + configmap("c", ", labels: {x: 1}"))
    assert out.stdout == "configmap/ok created\n"
    assert (out.stderr, out.exit_code) == (f"{LABELS_BOOL}\n{LABELS_NUMBER}\n", 1)


@pytest.mark.parametrize("command, stderr_lines", [
    # apply reads every document first: the reading errors come first, as one aggregate
    ("apply -f -", [f"[{LABELS_BOOL}, {LABELS_NUMBER}]",
                    'Error from server (Invalid): error when creating "STDIN": ConfigMap "Bad_Name" is invalid']),
    # create and replace act as they read: the reading errors come last
    ("create -f -", ['Error from server (Invalid): error when creating "STDIN": ConfigMap "Bad_Name" is invalid',
                     f"[{LABELS_BOOL}, {LABELS_NUMBER}]"]),
])
def test_reading_errors_beside_others_print_as_one_aggregate(cluster, command, stderr_lines):
    out = run(cluster, command, stdin=configmap("a", ", labels: {x: yes}") + "---\n" + configmap("Bad_Name")
              + "---\n" + configmap("c", ", labels: {x: 1}"))
    lines = out.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith(start) for line, start in zip(lines, stderr_lines))


def test_the_same_reading_error_twice_prints_once_in_an_aggregate(cluster):
    out = run(cluster, "create -f -", stdin=configmap("a", ", labels: {x: yes}") + "---\n" + configmap("Bad_Name")
              + "---\n" + configmap("c", ", labels: {x: yes}"))
    assert out.stderr.splitlines()[1] == LABELS_BOOL


def test_a_lists_own_metadata_is_checked_and_its_items_are_not(cluster):
    item = "- " + configmap("web", ", labels: {app: y}").replace("\n", "\n  ")
    out = run(cluster, "apply -f -", stdin=f"apiVersion: v1\nkind: List\nmetadata: {{labels: {{a: y}}}}\nitems:\n{item}")
    assert out.stderr == f"error: {LABELS_BOOL}\n"
    out = run(cluster, "apply -f -", stdin=f"apiVersion: v1\nkind: List\nitems:\n{item}")
    assert out.stderr.startswith('Error from server (BadRequest): error when creating "STDIN": ConfigMap in version '
                                 '"v1" cannot be handled as a ConfigMap: json: cannot unmarshal bool')


@pytest.mark.parametrize("arguments, stderr", [
    ("-f - -f -", "error: standard input cannot be used for multiple arguments\n"),
    ("-f - -f - -f -", "standard input cannot be used for multiple arguments\n" * 2),
    ("-f /no/such -f - -f -", 'the path "/no/such" does not exist\nstandard input cannot be used for multiple arguments\n'),
    ("-f /no/such -f /nor/this", 'the path "/no/such" does not exist\nthe path "/nor/this" does not exist\n'),
])
def test_file_arguments_are_all_checked_before_anything_is_read(cluster, arguments, stderr):
    out = run(cluster, f"apply {arguments}", stdin=configmap("web"))
    assert (out.stdout, out.stderr, out.exit_code) == ("", stderr, 1)
    assert not exists(cluster, "web")
