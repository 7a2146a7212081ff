"""What apply, create and replace print for several objects, and what apply refuses.

Every expectation was printed by the real kubectl 1.32 against labkube's HTTP front
(``test_differential_write_outputs.py`` replays them there when kubectl is installed):

* ``apply -o yaml|json|jsonpath|go-template`` holds the objects and prints them at the end:
  one object alone, several as one ``List`` (``kind``, ``apiVersion``, ``metadata: {}``,
  ``items``) -- and nothing at all when any object failed. ``-o name`` prints as it goes.
* ``create -f`` and ``replace -f`` print each object as it is done; YAML documents are
  separated by ``---``.
* ``apply --dry-run=client`` of an object that exists prints it as the server has it,
  ``configured (dry run)``, without the missing-annotation warning (nothing is patched).
* ``apply --server-side`` is refused before anything is sent (labkube does not model field
  managers); the flag combinations kubectl refuses itself get kubectl's words.
"""

from __future__ import annotations

import json

import pytest
import yaml

import labkube
from labkube.kubectl import run
from labkube.kubectl.commands.apply import SERVER_SIDE_UNSUPPORTED


def configmap(name: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ndata: {{k: v}}\n"


TWO = configmap("one") + "---\n" + configmap("two")
WITH_A_BAD_NAME = configmap("three") + "---\n" + configmap("Bad_Name")


@pytest.fixture
def cluster():
    c = labkube.Cluster(nodes=1, seed=0)
    c.run(2)
    return c


def names(cluster) -> list[str]:
    return sorted(o["metadata"]["name"] for o in cluster.client.list("configmaps", "default")["items"]
                  if o["metadata"]["name"] != "kube-root-ca.crt")


def test_apply_prints_several_objects_as_one_list_in_yaml(cluster):
    out = run(cluster, "apply -f - -o yaml", stdin=TWO)
    document = yaml.safe_load(out.stdout)
    assert (out.exit_code, out.stderr) == (0, "")
    assert (document["kind"], document["apiVersion"], document["metadata"]) == ("List", "v1", {})
    assert [item["metadata"]["name"] for item in document["items"]] == ["one", "two"]
    assert out.stdout.startswith("apiVersion: v1\nitems:\n- apiVersion: v1\n")
    assert out.stdout.endswith("kind: List\nmetadata: {}\n")


def test_apply_prints_the_list_in_json_in_the_go_structs_field_order(cluster):
    out = run(cluster, "apply -f - -o json", stdin=TWO)
    document = json.loads(out.stdout)
    assert list(document) == ["kind", "apiVersion", "metadata", "items"]
    assert list(document["items"][0]) == sorted(document["items"][0])  # an unstructured object's keys
    assert out.stdout.count('"kind": "List"') == 1


@pytest.mark.parametrize("output, printed", [
    ("jsonpath={.items[*].metadata.name}", "one two"),
    ("jsonpath={.metadata.name}", ""),  # the List has no name
    ("go-template={{.kind}}", "List"),
    ("go-template={{.metadata.name}}", "<no value>"),
    ("name", "configmap/one\nconfigmap/two\n"),
])
def test_apply_templates_see_the_list(cluster, output, printed):
    out = run(cluster, f"apply -f - -o {output}", stdin=TWO)
    assert (out.stdout, out.exit_code) == (printed, 0)


def test_apply_of_one_object_prints_it_alone(cluster):
    out = run(cluster, "apply -f - -o yaml", stdin=configmap("one"))
    assert yaml.safe_load(out.stdout)["kind"] == "ConfigMap"


def test_apply_prints_no_objects_when_one_of_them_failed(cluster):
    out = run(cluster, "apply -f - -o yaml", stdin=WITH_A_BAD_NAME)
    assert out.stdout == ""
    assert out.stderr.startswith('The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"')
    assert names(cluster) == ["three"]  # the good one was applied all the same


def test_apply_with_o_name_prints_each_object_as_it_goes_even_when_one_fails(cluster):
    out = run(cluster, "apply -f - -o name", stdin=WITH_A_BAD_NAME)
    assert (out.stdout, out.exit_code) == ("configmap/three\n", 1)


@pytest.mark.parametrize("command", ["create -f -", "create --dry-run=client -f -", "replace -f -",
                                     "replace --dry-run=client -f -"])
def test_create_and_replace_separate_yaml_documents(cluster, command):
    if command.startswith("replace"):
        run(cluster, "create -f -", stdin=TWO)
    out = run(cluster, f"{command} -o yaml", stdin=TWO)
    assert out.exit_code == 0
    documents = out.stdout.split("---\n")
    assert [yaml.safe_load(d)["metadata"]["name"] for d in documents] == ["one", "two"]


def test_create_prints_json_objects_one_after_the_other(cluster):
    out = run(cluster, "create -f - -o json", stdin=TWO)
    assert "---" not in out.stdout and out.stdout.count('"kind": "ConfigMap"') == 2


def test_replace_force_separates_the_new_objects_only(cluster):
    run(cluster, "create -f -", stdin=TWO)
    out = run(cluster, "replace --force -f - -o yaml", stdin=TWO)
    assert out.stdout.startswith('configmap "one" deleted\nconfigmap "two" deleted\napiVersion: v1\n')
    assert out.stdout.count("---\n") == 1


def test_client_dry_run_of_an_existing_object_prints_it_as_the_server_has_it(cluster):
    run(cluster, "create -f -", stdin=configmap("one"))  # created without the last-applied annotation
    live = cluster.client.get("configmaps", "one", "default")
    out = run(cluster, "apply --dry-run=client -f - -o json", stdin=configmap("one").replace("k: v", "k: w"))
    assert json.loads(out.stdout) == live
    assert out.stderr == ""  # kubectl patches nothing, so it does not warn about the annotation
    out = run(cluster, "apply --dry-run=client -f -", stdin=configmap("one").replace("k: v", "k: w"))
    assert out.stdout == "configmap/one configured (dry run)\n"


def test_apply_refuses_generate_name_in_its_own_words(cluster):
    out = run(cluster, "apply -f -", stdin="apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: web-}\n")
    assert (out.stderr, out.exit_code) == ("error: from web-: cannot use generate name with apply\n", 1)


# -- server-side apply -------------------------------------------------------------------------
@pytest.mark.parametrize("command", [
    "apply --server-side -f -",
    "apply --server-side=true --force-conflicts -f - -o yaml",
    "apply --server-side --dry-run=server -f -",
])
def test_server_side_apply_is_refused_before_anything_is_sent(cluster, command):
    before = cluster.store.revision
    out = run(cluster, command, stdin=TWO)
    assert (out.stdout, out.stderr, out.exit_code) == ("", SERVER_SIDE_UNSUPPORTED + "\n", 1)
    assert cluster.store.revision == before  # nothing written


def test_diff_refuses_server_side_with_the_same_message(cluster):
    out = run(cluster, "diff --server-side -f -", stdin=TWO)
    assert (out.stderr, out.exit_code) == (SERVER_SIDE_UNSUPPORTED + "\n", 2)


@pytest.mark.parametrize("command, stderr", [
    ("apply --force-conflicts -f -", "error: --force-conflicts only works with --server-side\n"),
    ("apply --force-conflicts --server-side=false -f -", "error: --force-conflicts only works with --server-side\n"),
    ("apply --server-side --dry-run=client -f -",
     "error: --dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)\n"),
    ("apply --server-side x -f -", "error: Unexpected args: [x]\nSee 'kubectl apply -h' for help and examples\n"),
    ("apply --server-side", "error: must specify one of -f and -k\n"),
])
def test_kubectl_refuses_server_side_flag_combinations_in_its_own_words(cluster, command, stderr):
    out = run(cluster, command, stdin=TWO)
    assert (out.stdout, out.stderr, out.exit_code) == ("", stderr, 1)
    assert names(cluster) == []
