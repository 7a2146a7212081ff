"""How a claim finds its volume: FindMatchingVolume's rules, one table row each."""

import pytest

from labkube.core.volume_helpers import (
    bind_volume_to_claim, check_node_affinity, claim_class, find_matching_volume,
    is_delay_binding_mode, is_fully_bound,
)


def volume(name, size="10Gi", *, cls="manual", modes=("ReadWriteOnce",), phase="Available", labels=None,
           mode=None, claim_ref=None, node=None, deleting=False):
    spec = {"capacity": {"storage": size}, "accessModes": list(modes), "storageClassName": cls,
            "hostPath": {"path": f"/mnt/{name}"}}
    if mode:
        spec["volumeMode"] = mode
    if claim_ref:
        spec["claimRef"] = claim_ref
    if node:
        spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}}
    meta = {"name": name, "labels": labels or {}}
    if deleting:
        meta["deletionTimestamp"] = "2025-01-01T00:00:00Z"
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": meta, "spec": spec,
            "status": {"phase": phase}}


def claim(name="data", size="5Gi", *, cls="manual", modes=("ReadWriteOnce",), selector=None, mode=None,
          volume_name=None, annotations=None):
    spec = {"accessModes": list(modes), "resources": {"requests": {"storage": size}}}
    if cls is not None:
        spec["storageClassName"] = cls
    if selector:
        spec["selector"] = selector
    if mode:
        spec["volumeMode"] = mode
    if volume_name:
        spec["volumeName"] = volume_name
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}", "resourceVersion": "7",
                         "annotations": annotations or {}},
            "spec": spec, "status": {"phase": "Pending"}}


REF = {"kind": "PersistentVolumeClaim", "namespace": "default", "name": "data", "uid": "uid-data"}


@pytest.mark.parametrize("case, volumes, the_claim, expected", [
    ("the smallest volume that is large enough wins",
     [volume("big", "50Gi"), volume("small", "6Gi"), volume("tiny", "1Gi")], claim(), "small"),
    ("a volume exactly the requested size fits",
     [volume("exact", "5Gi")], claim(), "exact"),
    ("a volume of another class is never chosen",
     [volume("fast", cls="fast")], claim(), None),
    ("a claim of the empty class matches only volumes without a class",
     [volume("classed"), volume("plain", cls="")], claim(cls=""), "plain"),
    ("a volume that is not Available is skipped",
     [volume("released", phase="Released"), volume("pending", phase="Pending")], claim(), None),
    ("a volume bound to another claim is skipped",
     [volume("taken", claim_ref={**REF, "name": "other", "uid": "uid-other"})], claim(), None),
    ("a volume pre-bound to the claim wins even if larger and not Available",
     [volume("small"), volume("mine", "90Gi", phase="Pending", claim_ref={"namespace": "default", "name": "data"})],
     claim(), "mine"),
    ("the label selector must match the volume's labels",
     [volume("ssd", labels={"disk": "ssd"}), volume("hdd", "6Gi", labels={"disk": "hdd"})],
     claim(selector={"matchLabels": {"disk": "ssd"}}), "ssd"),
    ("a Block claim does not get a Filesystem volume",
     [volume("fs")], claim(mode="Block"), None),
    ("a volume being deleted is skipped",
     [volume("going", deleting=True)], claim(), None),
    ("a volume too small is skipped",
     [volume("small", "1Gi")], claim(size="2Gi"), None),
])
def test_the_pv_controller_path_chooses(case, volumes, the_claim, expected):
    found = find_matching_volume(the_claim, volumes)
    assert (found["metadata"]["name"] if found else None) == expected, case


@pytest.mark.parametrize("case, volumes, node_labels, expected", [
    ("the scheduler's path checks the volume's node affinity",
     [volume("on-n1", node="n1"), volume("on-n2", "20Gi", node="n2")], {"kubernetes.io/hostname": "n2"}, "on-n2"),
    ("the scheduler's path checks access modes",
     [volume("rox", modes=("ReadOnlyMany",)), volume("rwo", "9Gi")], {}, "rwo"),
    ("a pre-bound volume whose affinity excludes the node means no match at all",
     [volume("pinned", node="n1", claim_ref={"namespace": "default", "name": "data"}), volume("other")],
     {"kubernetes.io/hostname": "n2"}, None),
])
def test_the_scheduler_path_chooses(case, volumes, node_labels, expected):
    found = find_matching_volume(claim(), volumes, node_labels)
    assert (found["metadata"]["name"] if found else None) == expected, case


def test_delay_binding_leaves_unbound_volumes_to_the_scheduler_but_keeps_pre_bound_ones():
    free = volume("free")
    mine = volume("mine", claim_ref={"namespace": "default", "name": "data"})
    assert find_matching_volume(claim(), [free], delay_binding=True) is None
    assert find_matching_volume(claim(), [free, mine], delay_binding=True) is mine


def test_chosen_volumes_are_excluded_for_the_next_claim():
    assert find_matching_volume(claim(), [volume("a"), volume("b", "20Gi")], {}, {"a"})["metadata"]["name"] == "b"


@pytest.mark.parametrize("case, classes, the_claim, expected", [
    ("a WaitForFirstConsumer class delays binding", {"local": "WaitForFirstConsumer"}, claim(cls="local"), True),
    ("an Immediate class does not", {"fast": "Immediate"}, claim(cls="fast"), False),
    ("a class that does not exist binds immediately", {}, claim(cls="my-storage-class"), False),
    ("no class binds immediately", {}, claim(cls=None), False),
])
def test_delay_binding_mode(case, classes, the_claim, expected):
    get = lambda name: {"volumeBindingMode": classes[name]} if name in classes else None  # noqa: E731
    assert is_delay_binding_mode(the_claim, get) is expected, case


def test_the_beta_class_annotation_wins_over_the_spec():
    c = claim(annotations={"volume.beta.kubernetes.io/storage-class": "old"})
    assert claim_class(c) == "old"


def test_binding_a_volume_sets_the_claim_ref_and_marks_it_bound_by_the_controller():
    bound, dirty = bind_volume_to_claim(volume("v"), claim())
    assert dirty
    assert bound["spec"]["claimRef"] == {"kind": "PersistentVolumeClaim", "namespace": "default", "name": "data",
                                         "uid": "uid-data", "apiVersion": "v1", "resourceVersion": "7"}
    assert bound["metadata"]["annotations"] == {"pv.kubernetes.io/bound-by-controller": "yes"}
    again, dirty = bind_volume_to_claim(bound, claim())
    assert not dirty and again == bound


def test_a_volume_pre_bound_by_its_creator_is_not_marked_bound_by_the_controller():
    bound, dirty = bind_volume_to_claim(volume("v", claim_ref={"namespace": "default", "name": "data"}), claim())
    assert dirty and bound["spec"]["claimRef"]["uid"] == "uid-data"
    assert "annotations" not in bound["metadata"]


def test_a_claim_is_fully_bound_with_a_volume_name_and_the_bind_completed_annotation():
    assert not is_fully_bound(claim(volume_name="v"))
    assert is_fully_bound(claim(volume_name="v", annotations={"pv.kubernetes.io/bind-completed": "yes"}))


@pytest.mark.parametrize("case, labels, expected", [
    ("the hostname the volume names fits", {"kubernetes.io/hostname": "n1"}, True),
    ("another hostname does not", {"kubernetes.io/hostname": "n2"}, False),
    ("a node without the label does not", {}, False),
])
def test_node_affinity_of_a_volume(case, labels, expected):
    assert check_node_affinity(volume("v", node="n1"), labels) is expected, case
    assert check_node_affinity(volume("w"), labels) is True
