"""Manifests kubectl reads but cannot name: what create, apply and delete -f say about them.

kubectl reads ``metadata`` through unstructured accessors: one that is not a map reads as no
name and no namespace, and only the server can refuse it. A request for one object needs a
name, so ``apply`` (which first GETs the live object) and ``delete`` refuse a nameless
object on the client -- which is why ``apply`` cannot use ``generateName`` and ``create`` can.
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
    ("create sends a metadata that is not a map, and the server refuses it", "create", "x",
     'Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled '
     "as a Pod: json: cannot unmarshal string into Go struct field Pod.metadata of type v1.ObjectMeta\n"),
    ("apply cannot look up an object with generateName and no name", "apply", "{generateName: web-}",
     NO_NAME_ON_APPLY),
    ("apply of a null metadata has no name either", "apply", "null", NO_NAME_ON_APPLY),
    ("delete needs a name", "delete", "{generateName: web-}", "error: resource name may not be empty\n"),
    ("delete of a metadata that is not a map has no name", "delete", "[1, 2]",
     "error: resource name may not be empty\n"),
])
def test_a_manifest_without_a_usable_name(cluster, name, command, meta, stderr):
    result = run(cluster, f"{command} -f -", stdin=POD.format(meta=meta))
    assert (result.stdout, result.stderr, result.exit_code) == ("", stderr, 1)


def test_create_does_use_generate_name(cluster):
    result = run(cluster, "create -f -", stdin=POD.format(meta="{generateName: web-}"))
    assert result.exit_code == 0 and result.stdout.startswith("pod/web-") and result.stdout.endswith(" created\n")
