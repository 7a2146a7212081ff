"""labkube prints PersistentVolumes, claims and StorageClasses byte for byte as the real kubectl 1.32
printed them (``capture_storage.py``): ``get`` (cells from labkube's column sets, the rest from
kubectl) and ``describe`` (labkube's describers against kubectl's)."""

import pytest

from tests.kubectl.storage_cases import COMMANDS, GOLDEN, build

CASES = {
    "get_pv": "volumes: capacity, RWO/RWOP/ROX,RWX, the claim once bound, the beta class annotation",
    "get_pv_wide": "volumes with their volume mode",
    "get_pvc": "claims: capacity and access modes only once bound to a volume",
    "get_pvc_wide": "claims with their volume mode",
    "get_sc": "storage classes, the default one marked (default)",
    "describe_pv_mysql": "the docs' hostPath volume, bound",
    "describe_pv_local": "a local block volume with node affinity terms",
    "describe_pv_csi": "a CSI volume with its attributes",
    "describe_pvc_mysql": "the docs' claim, bound",
    "describe_pvc_data": "a claim of the default class waiting, used by a pod",
    "describe_sc_standard": "kind's default class",
    "describe_sc_fast": "a class with parameters, mount options, expansion and allowed topologies",
}


@pytest.fixture(scope="module")
def built():
    cluster = build()
    yield cluster
    cluster.close()


def test_every_captured_command_is_checked():
    assert set(CASES) == set(COMMANDS)


@pytest.mark.parametrize("stem", list(CASES), ids=list(CASES.values()))
def test_storage_output_matches_the_real_kubectl(built, stem):
    assert built.kubectl(" ".join(COMMANDS[stem])) == (GOLDEN / f"{stem}.txt").read_text()
