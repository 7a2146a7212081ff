"""The storage column sets and describers on objects the oracle scenario does not hold
(printPersistentVolume, printPersistentVolumeClaim, printStorageClass; describe.go)."""

import pytest

from labkube.kubectl.describe.storage import describe_persistent_volume_claim, pods_using
from labkube.kubectl.printers.columns_storage import (
    access_modes,
    persistent_volume_claim_row,
    persistent_volume_row,
    storage_class_row,
)

NOW = 1735689600.0  # 2025-01-01T00:00:00Z


@pytest.mark.parametrize("modes, expected", [
    (["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"], "RWO,RWX"),
    (["ReadWriteOncePod"], "RWOP"),
    (["ReadOnlyMany", "ReadWriteOnce", "ReadWriteMany"], "RWO,ROX,RWX"),
    ([], ""),
], ids=["each mode once, in kubectl's order", "ReadWriteOncePod", "all three classic modes", "none"])
def test_access_modes_print_as_kubectls_short_names(modes, expected):
    assert access_modes(modes) == expected


def test_a_volume_being_deleted_shows_terminating_and_an_unset_volume_mode():
    pv = {"metadata": {"name": "v", "creationTimestamp": "2025-01-01T00:00:00Z",
                       "deletionTimestamp": "2025-01-01T00:00:00Z"},
          "spec": {"capacity": {"storage": "1024Mi"}}, "status": {"phase": "Released"}}
    assert persistent_volume_row(pv, NOW) == ["v", "1Gi", "", "", "Terminating", "", "", "<unset>", "", "0s",
                                              "<unset>"]


def test_a_claim_shows_capacity_and_modes_from_its_status_only_once_it_names_a_volume():
    claim = {"metadata": {"name": "c", "creationTimestamp": "2025-01-01T00:00:00Z"},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                      "storageClassName": "standard", "volumeMode": "Filesystem"},
             "status": {"phase": "Pending", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "2Gi"}}}
    assert persistent_volume_claim_row(claim, NOW)[1:5] == ["Pending", "", "", ""]
    claim["spec"]["volumeName"] = "pvc-1"
    assert persistent_volume_claim_row(claim, NOW)[1:5] == ["Pending", "pvc-1", "2Gi", "RWO"]


@pytest.mark.parametrize("annotations, name", [
    ({"storageclass.kubernetes.io/is-default-class": "true"}, "gold (default)"),
    ({"storageclass.beta.kubernetes.io/is-default-class": "true"}, "gold (default)"),
    ({"storageclass.kubernetes.io/is-default-class": "false"}, "gold"),
], ids=["the GA annotation", "the beta annotation", "an annotation saying false"])
def test_the_default_class_is_marked_after_its_name(annotations, name):
    sc = {"metadata": {"name": "gold", "annotations": annotations, "creationTimestamp": "2025-01-01T00:00:00Z"},
          "provisioner": "p.io/x"}
    assert storage_class_row(sc, NOW)[0] == name
    assert storage_class_row(sc, NOW)[2:5] == ["Delete", "Immediate", "false"]


def _pod(name, uid, *claims):
    return {"metadata": {"name": name, "uid": uid},
            "spec": {"volumes": [{"name": f"v{i}", "persistentVolumeClaim": {"claimName": c}}
                                 for i, c in enumerate(claims)]}}


def test_used_by_lists_the_pods_mounting_the_claim_and_the_pod_owning_it_sorted():
    claim = {"metadata": {"name": "data", "namespace": "default",
                          "ownerReferences": [{"kind": "Pod", "name": "eph", "uid": "u3"}]},
             "spec": {}, "status": {"phase": "Pending"}}
    pods = [_pod("zeta", "u1", "data"), _pod("alpha", "u2", "other", "data"), _pod("eph", "u3"),
            _pod("none", "u4", "other")]
    assert [p["metadata"]["name"] for p in pods_using(claim, pods)] == ["zeta", "alpha", "eph"]
    text = describe_persistent_volume_claim(claim, None, NOW, pods)
    assert "Used By:       alpha\n               eph\n               zeta\n" in text
