"""``kubectl run`` and ``kubectl expose`` with ``--overrides``, as kubectl 1.32 applies them.

The goldens in ``golden_overrides/`` were printed by the real kubectl 1.32 (see
``capture_overrides.py``): merge, JSON and strategic overrides, the Go round trip that drops
unknown fields and brings back ``resources: {}``, and kubectl's own errors for bad overrides.
"""

import json
from pathlib import Path

import pytest

import labkube

GOLDEN = json.loads((Path(__file__).parent / "golden_overrides" / "cases.json").read_text())


def make_cluster() -> labkube.Cluster:
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("create deployment web --image=nginx --port=80")
    return cluster


@pytest.fixture(scope="module")
def cluster():
    return make_cluster()


@pytest.mark.parametrize("case", GOLDEN, ids=[case["args"][:70] for case in GOLDEN])
def test_the_output_is_what_kubectl_prints(cluster, case):
    assert cluster.kubectl(case["args"]).rstrip("\n") == case["output"].rstrip("\n")


def test_the_created_pod_carries_the_override_and_so_does_its_saved_configuration():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.run(1)  # the default ServiceAccount exists
    out = cluster.kubectl("""run web --image=nginx --save-config --overrides='{"spec":{"hostname":"h"}}'""")
    assert out == "pod/web created\n"
    pod = cluster.get("pod", "web")
    assert pod["spec"]["hostname"] == "h"
    saved = json.loads(pod["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert saved["spec"]["hostname"] == "h"


def test_an_exposed_service_carries_the_override():
    cluster = make_cluster()
    cluster.kubectl("""expose deployment web --overrides='{"spec":{"type":"NodePort"}}'""")
    assert cluster.get("service", "web")["spec"]["type"] == "NodePort"


def test_a_bad_override_creates_nothing():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.run(1)
    out = cluster.kubectl("""run web --image=nginx --overrides='{"spec":{"hostNetwork":"yes"}}'""")
    assert out == ("error: json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork "
                   "of type bool\n")
    assert cluster.list("pods", "default") == []
