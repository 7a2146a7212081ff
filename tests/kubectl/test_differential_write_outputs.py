"""The real kubectl 1.32 and labkube's kubectl print the same for writes of several objects.

Runs on the differential harness (``differential_harness.py``): each scenario's lines go through
labkube's kubectl and through the real ``kubectl --server URL`` against an identical cluster's
HTTP front, and stdout, stderr and exit code must match. What these scenarios pin down:

* ``apply -o yaml|json|jsonpath|go-template`` of several objects prints them once, at the end,
  as one ``List`` -- and nothing when an object failed; ``-o name`` prints as it goes;
* ``create -f`` and ``replace -f`` print each object as it is done, YAML documents apart by
  ``---``, errors in the order the documents came;
* ``apply --dry-run=client`` of an object that exists prints it as the server has it;
* ``diff`` flag errors: kubectl's usage-error words and exit status 2;
* label values YAML reads as booleans or numbers (``app: yes``), and other metadata of the
  wrong type, are refused before anything is sent, one document at a time;
* kubectl's own refusals of flags that go with ``--server-side``.

Skipped when the ``kubectl`` binary is not installed.
"""

from __future__ import annotations

import shutil

import pytest

from tests.kubectl.differential_harness import Scenario, run_scenario

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="the real kubectl is not installed")


def configmap(name: str, metadata: str = "") -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}{metadata}}}\ndata: {{k: v}}\n"


TWO = configmap("one") + "---\n" + configmap("two")
WITH_A_BAD_NAME = configmap("three") + "---\n" + configmap("Bad_Name") + "---\n" + configmap("four")
BOOLEAN_LABELS = (configmap("five", ", labels: {app: yes}") + "---\n" + configmap("six") + "---\n"
                  + configmap("seven", ", labels: {tier: 1, app: on}"))
FILES = {"two.yaml": TWO, "bad.yaml": WITH_A_BAD_NAME, "booleans.yaml": BOOLEAN_LABELS,
         "one.yaml": configmap("eight")}

SCENARIOS = [
    Scenario("apply prints several objects as one List, or one object alone", (
        "apply -f two.yaml -o yaml",
        "apply -f two.yaml -o json",
        "apply -f two.yaml -f one.yaml -o jsonpath={.items[*].metadata.name}",
        "apply -f two.yaml -o go-template={{.kind}}",
        "apply -f two.yaml -o jsonpath={.metadata.name}",
        "apply -f one.yaml -o yaml",
        "apply -f two.yaml -o name",
    ), files=FILES),
    Scenario("apply prints no objects when one of them fails", (
        "apply -f bad.yaml -o yaml",
        "apply -f bad.yaml -o name",
    ), files=FILES),
    Scenario("apply --dry-run=client prints an existing object as it is", (
        "apply -f one.yaml",
        "apply --dry-run=client -f one.yaml -f two.yaml -o yaml",
        "apply --dry-run=client -f one.yaml",
        "apply --dry-run=server -f one.yaml -f two.yaml -o json",
    ), files=FILES),
    Scenario("create and replace print each object, YAML documents apart", (
        "create --dry-run=client -f two.yaml -o yaml",
        "create -f two.yaml -o yaml",
        "replace -f two.yaml -o yaml",
        "replace --dry-run=client -f two.yaml -o json",
        "create -f bad.yaml -o yaml",
        "create -f two.yaml -o jsonpath={.metadata.name}",
    ), files=FILES),
    Scenario("diff's flag errors exit 2 in kubectl's usage-error words", (
        "diff --bogus -f two.yaml",
        "diff -f",
        "diff -x -f two.yaml",
        "diff -f two.yaml --prune=maybe",
        "diff -f two.yaml --concurrency=x",
        "apply --bogus -f two.yaml",
    ), files=FILES),
    Scenario("metadata of the wrong type is refused document by document", (
        "apply -f booleans.yaml",
        "create -f booleans.yaml -o name",
        "diff -f booleans.yaml",
        ("apply -f -", '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j", "labels": {"b": 1, "a": true}}}'),
        ("apply -f -", configmap("nine", ", namespace: 5, labels: {x: no}")),
        ("apply -f -", configmap("ten", ", annotations: [a]")),
        ("apply --validate=false -f -", "apiVersion: v1\nkind: List\nmetadata: {labels: {a: y}}\nitems: []\n"),
        ("apply -f - -f -", configmap("eleven")),
        "apply -f two.yaml -f /no/such/file -f /nor/this",
        ("create -f -", configmap("twelve", ", labels: {a: yes}") + "---\n" + configmap("Bad_Name") + "---\n"
         + configmap("thirteen", ", labels: {a: 1}")),
        ("apply -f -", configmap("fourteen", ", labels: {a: yes}") + "---\n" + configmap("Bad_Name")
         + "---\n" + configmap("fifteen", ", labels: {a: yes}")),
        ("replace -f -", configmap("sixteen", ", labels: {a: yes}") + "---\n" + configmap("missing")),
    ), files=FILES),
    Scenario("kubectl's own refusals of server-side apply's flags", (
        "apply --force-conflicts -f two.yaml",
        "apply --server-side --dry-run=client -f two.yaml",
        "apply --server-side x -f two.yaml",
        "diff --force-conflicts -f two.yaml",
    ), files=FILES),
    Scenario("apply refuses generateName in its own words", (
        ("apply -f -", "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: web-}\n"),
    ), files=FILES),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_real_kubectl_through_the_front_prints_what_labkube_prints(scenario, tmp_path):
    differences = run_scenario(scenario, tmp_path)
    assert not differences, "\n".join(str(d) for d in differences)
