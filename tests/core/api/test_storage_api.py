"""PersistentVolumes, PersistentVolumeClaims and StorageClasses through a bare API server:
discovery, defaults, the strategies' status rules, validation and the storage admission plugins,
with kube-apiserver 1.32's messages. No controllers run: what is seen is the API server's doing."""

import pytest

from labkube import StatusError
from labkube.core.api.testing import new_server


def pv(name="pv1", **spec):
    body = {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/data"}}
    body.update(spec)
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name},
            "spec": {k: v for k, v in body.items() if v is not None}}


def pvc(name="claim", **spec):
    body = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    body.update(spec)
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": "default"},
            "spec": {k: v for k, v in body.items() if v is not None}}


def storage_class(name="fast", annotations=None, **fields):
    meta = {"name": name}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": meta,
            "provisioner": "example.com/disk", **fields}


DEFAULT = {"storageclass.kubernetes.io/is-default-class": "true"}


@pytest.fixture
def ts():
    return new_server()


def message(ts, obj):
    with pytest.raises(StatusError) as err:
        ts.admin.create(obj)
    return err.value.message


# -- discovery ---------------------------------------------------------------------------


@pytest.mark.parametrize("name, api_version, kind, namespaced, subresources", [
    ("pv", "v1", "PersistentVolume", False, ("status",)),
    ("pvc", "v1", "PersistentVolumeClaim", True, ("status",)),
    ("sc", "storage.k8s.io/v1", "StorageClass", False, ()),
], ids=["volumes are cluster-scoped with a status", "claims live in a namespace with a status",
        "storage classes are cluster-scoped without status"])
def test_the_storage_kinds_are_served_under_their_short_names(ts, name, api_version, kind, namespaced, subresources):
    rtype = ts.server.registry.resolve(name)
    assert (rtype.api_version, rtype.kind, rtype.namespaced, rtype.subresources) == (
        api_version, kind, namespaced, subresources)
    assert rtype.categories == ()  # none of them is in "kubectl get all"


# -- defaults and what the strategies set ------------------------------------------------


def test_a_volume_defaults_to_retain_filesystem_and_an_unset_host_path_type(ts):
    live = ts.admin.create(pv())
    assert live["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert live["spec"]["volumeMode"] == "Filesystem"
    assert live["spec"]["hostPath"] == {"path": "/data", "type": ""}


def test_a_new_volume_is_pending_since_its_creation_whatever_status_was_sent(ts):
    obj = pv()
    obj["status"] = {"phase": "Bound", "message": "made up"}
    live = ts.admin.create(obj)
    assert live["status"] == {"phase": "Pending", "lastPhaseTransitionTime": live["metadata"]["creationTimestamp"]}
    assert "generation" not in live["metadata"]


def test_a_phase_change_through_status_stamps_a_new_transition_time(ts):
    live = ts.admin.create(pv())
    ts.clock.run(30)
    live["status"] = {"phase": "Available"}
    moved = ts.admin.update(live, subresource="status")
    assert moved["status"]["lastPhaseTransitionTime"] == ts.clock.timestamp() != live["metadata"]["creationTimestamp"]
    stamp = moved["status"]["lastPhaseTransitionTime"]
    ts.clock.run(30)
    moved["status"] = {"phase": "Available", "message": "still"}
    kept = ts.admin.update(moved, subresource="status")
    assert kept["status"]["lastPhaseTransitionTime"] == stamp


def test_a_transition_time_the_writer_sets_with_the_phase_is_kept(ts):
    live = ts.admin.create(pv())
    ts.clock.run(30)
    live["status"] = {"phase": "Released", "lastPhaseTransitionTime": "2024-06-01T00:00:00Z"}
    assert ts.admin.update(live, subresource="status")["status"]["lastPhaseTransitionTime"] == "2024-06-01T00:00:00Z"


def test_a_volume_status_update_keeps_the_spec_and_a_spec_update_keeps_the_status(ts):
    live = ts.admin.create(pv())
    live["status"] = {"phase": "Available"}
    live["spec"]["storageClassName"] = "ignored"
    after_status = ts.admin.update(live, subresource="status")
    assert "storageClassName" not in after_status["spec"] and after_status["status"]["phase"] == "Available"
    after_status["spec"]["storageClassName"] = "manual"
    after_status["status"] = {"phase": "Failed"}
    after_spec = ts.admin.update(after_status)
    assert after_spec["spec"]["storageClassName"] == "manual" and after_spec["status"]["phase"] == "Available"


def test_a_new_claim_is_pending_with_filesystem_mode_and_no_generation(ts):
    live = ts.admin.create(pvc(storageClassName="manual"))
    assert live["status"] == {"phase": "Pending"}
    assert live["spec"]["volumeMode"] == "Filesystem"
    assert "generation" not in live["metadata"]


def test_a_storage_class_defaults_to_delete_and_immediate_binding(ts):
    live = ts.admin.create(storage_class())
    assert (live["reclaimPolicy"], live["volumeBindingMode"]) == ("Delete", "Immediate")
    assert "status" not in live and "generation" not in live["metadata"]


# -- validation -------------------------------------------------------------------------


@pytest.mark.parametrize("obj, expected", [
    (pv(accessModes=None), 'PersistentVolume "pv1" is invalid: spec.accessModes: Required value'),
    (pv(capacity=None), 'PersistentVolume "pv1" is invalid: [spec.capacity: Required value, '
                        'spec.capacity: Unsupported value: core.ResourceList(nil): supported values: "storage"]'),
    (pv(capacity={"storage": "0"}), 'PersistentVolume "pv1" is invalid: spec.capacity[storage]: '
                                    'Invalid value: "0": must be greater than zero'),
    (pv(hostPath=None), 'PersistentVolume "pv1" is invalid: spec: Required value: must specify a volume type'),
    (pv(nfs={"server": "nfs", "path": "/x"}), 'PersistentVolume "pv1" is invalid: spec.nfs: '
                                             'Forbidden: may not specify more than 1 volume type'),
    (pv(accessModes=["ReadWriteOncePod", "ReadWriteOnce"]), 'PersistentVolume "pv1" is invalid: spec.accessModes: '
                                                           'Forbidden: may not use ReadWriteOncePod with other access modes'),
    (pv(accessModes=["ReadWriteSome"]), 'PersistentVolume "pv1" is invalid: spec.accessModes: Unsupported value: '
                                       '"ReadWriteSome": supported values: "ReadOnlyMany", "ReadWriteMany", '
                                       '"ReadWriteOnce", "ReadWriteOncePod"'),
    (pv(persistentVolumeReclaimPolicy="Keep"), 'PersistentVolume "pv1" is invalid: spec.persistentVolumeReclaimPolicy: '
                                              'Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"'),
    (pv(hostPath={"path": "/data/../etc"}), 'PersistentVolume "pv1" is invalid: spec.hostPath.path: '
                                           'Invalid value: "/data/../etc": must not contain \'..\''),
    (pv(hostPath=None, local={"path": "/mnt/disk"}), 'PersistentVolume "pv1" is invalid: spec.nodeAffinity: '
                                                    'Required value: Local volume requires node affinity'),
    (pvc(accessModes=None), 'PersistentVolumeClaim "claim" is invalid: spec.accessModes: '
                            'Required value: at least 1 access mode is required'),
    (pvc(resources={}), 'PersistentVolumeClaim "claim" is invalid: spec.resources[storage]: Required value'),
    (pvc(resources={"requests": {"storage": "0"}}), 'PersistentVolumeClaim "claim" is invalid: '
                                                   'spec.resources[storage]: Invalid value: "0": must be greater than zero'),
    (pvc(storageClassName="Fast_Disk"), 'PersistentVolumeClaim "claim" is invalid: spec.storageClassName: '
                                       'Invalid value: "Fast_Disk": a lowercase RFC 1123 subdomain must consist of '
                                       "lower case alphanumeric characters, '-' or '.', and must start and end with an "
                                       "alphanumeric character (e.g. 'example.com', regex used for validation is "
                                       "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
    ({**storage_class(), "provisioner": ""}, 'StorageClass.storage.k8s.io "fast" is invalid: provisioner: Required value'),
    (storage_class(reclaimPolicy="Recycle"), 'StorageClass.storage.k8s.io "fast" is invalid: reclaimPolicy: '
                                            'Unsupported value: "Recycle": supported values: "Delete", "Retain"'),
    (storage_class(volumeBindingMode="Later"), 'StorageClass.storage.k8s.io "fast" is invalid: volumeBindingMode: '
                                              'Unsupported value: "Later": supported values: "Immediate", '
                                              '"WaitForFirstConsumer"'),
], ids=["a volume needs an access mode", "a volume needs a storage capacity", "a volume's capacity is positive",
        "a volume needs a source", "a volume has one source only", "ReadWriteOncePod stands alone",
        "an unknown access mode is refused", "an unknown reclaim policy is refused",
        "a host path may not climb out with ..", "a local volume needs node affinity",
        "a claim needs an access mode", "a claim needs a storage request", "a claim's request is positive",
        "a claim's class is a DNS subdomain", "a storage class needs a provisioner",
        "a storage class may not recycle", "a storage class binds Immediate or WaitForFirstConsumer"])
def test_invalid_storage_objects_are_refused_with_kube_apiservers_words(ts, obj, expected):
    assert message(ts, obj) == expected


def test_the_documented_mysql_volume_and_claim_are_valid(ts):
    ts.admin.create(pv("mysql-pv-volume", storageClassName="manual", capacity={"storage": "20Gi"},
                       hostPath={"path": "/mnt/data"}))
    ts.admin.create(pvc("mysql-pv-claim", storageClassName="manual", resources={"requests": {"storage": "20Gi"}}))


def test_a_claims_spec_is_immutable_except_the_volume_name_while_unset(ts):
    live = ts.admin.create(pvc(storageClassName="manual"))
    live["spec"]["volumeName"] = "pv1"
    bound = ts.admin.update(live)  # what the binder does
    assert bound["spec"]["volumeName"] == "pv1"
    bound["spec"]["volumeName"] = "pv2"
    with pytest.raises(StatusError) as err:
        ts.admin.update(bound)
    assert err.value.message.startswith(
        'PersistentVolumeClaim "claim" is invalid: spec: Forbidden: spec is immutable after creation except '
        "resources.requests and volumeAttributesClassName for bound claims\n  core.PersistentVolumeClaimSpec{\n")
    assert '- \tVolumeName: "pv1",\n+ \tVolumeName: "pv2",' in err.value.message


def test_only_a_bound_claim_may_grow_and_only_when_its_class_allows_expansion(ts):
    ts.admin.create(storage_class("fixed"))
    ts.admin.create(storage_class("growing", allowVolumeExpansion=True))
    for name in ("fixed", "growing"):
        claim = ts.admin.create(pvc(name, storageClassName=name))
        claim["status"] = {"phase": "Bound"}
        ts.admin.update(claim, subresource="status")
    fixed = ts.admin.get("persistentvolumeclaims", "fixed", "default")
    fixed["spec"]["resources"]["requests"]["storage"] = "2Gi"
    with pytest.raises(StatusError) as err:
        ts.admin.update(fixed)
    assert err.value.message == ('persistentvolumeclaims "fixed" is forbidden: only dynamically provisioned pvc can be '
                                 "resized and the storageclass that provisions the pvc must support resize")
    growing = ts.admin.get("persistentvolumeclaims", "growing", "default")
    growing["spec"]["resources"]["requests"]["storage"] = "2Gi"
    assert ts.admin.update(growing)["spec"]["resources"]["requests"]["storage"] == "2Gi"


def test_a_pending_claim_may_not_change_its_request(ts):
    claim = ts.admin.create(pvc(storageClassName="manual"))
    claim["spec"]["resources"]["requests"]["storage"] = "2Gi"
    with pytest.raises(StatusError) as err:
        ts.admin.update(claim)
    assert err.value.message.startswith('PersistentVolumeClaim "claim" is invalid: spec: Forbidden: spec is immutable')


def test_a_bound_claim_may_not_shrink(ts):
    claim = ts.admin.create(pvc(storageClassName="manual"))
    claim["status"] = {"phase": "Bound"}
    claim = ts.admin.update(claim, subresource="status")
    claim["spec"]["resources"]["requests"]["storage"] = "512Mi"
    with pytest.raises(StatusError) as err:
        ts.admin.update(claim)
    assert err.value.message == ('PersistentVolumeClaim "claim" is invalid: spec.resources.requests.storage: '
                                 "Forbidden: field can not be less than previous value")


def test_a_volumes_source_is_immutable_but_its_claim_ref_is_not(ts):
    live = ts.admin.create(pv())
    live["spec"]["claimRef"] = {"namespace": "default", "name": "claim"}
    live = ts.admin.update(live)
    live["spec"]["hostPath"] = {"path": "/elsewhere", "type": ""}
    with pytest.raises(StatusError) as err:
        ts.admin.update(live)
    assert err.value.message.startswith('PersistentVolume "pv1" is invalid: spec.persistentvolumesource: Forbidden: '
                                        "spec.persistentvolumesource is immutable after creation\n")


@pytest.mark.parametrize("change, expected", [
    ({"provisioner": "other.io/disk"}, "provisioner: Forbidden: updates to provisioner are forbidden."),
    ({"parameters": {"type": "ssd"}}, "parameters: Forbidden: updates to parameters are forbidden."),
    ({"reclaimPolicy": "Retain"}, "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden."),
    ({"volumeBindingMode": "WaitForFirstConsumer"},
     'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable'),
], ids=["the provisioner", "the parameters", "the reclaim policy", "the binding mode"])
def test_a_storage_class_may_not_change(ts, change, expected):
    live = ts.admin.create(storage_class())
    live.update(change)
    with pytest.raises(StatusError) as err:
        ts.admin.update(live)
    assert err.value.message == f'StorageClass.storage.k8s.io "fast" is invalid: {expected}'


def test_a_storage_class_may_gain_labels_and_expansion(ts):
    live = ts.admin.create(storage_class())
    live["metadata"]["labels"] = {"tier": "gold"}
    live["allowVolumeExpansion"] = True
    assert ts.admin.update(live)["allowVolumeExpansion"] is True


# -- admission --------------------------------------------------------------------------


def test_a_claim_without_a_class_gets_the_default_class(ts):
    ts.admin.create(storage_class("standard", DEFAULT))
    assert ts.admin.create(pvc())["spec"]["storageClassName"] == "standard"


def test_with_two_default_classes_the_newest_wins(ts):
    ts.admin.create(storage_class("older", DEFAULT))
    ts.clock.run(10)
    ts.admin.create(storage_class("newer", DEFAULT))
    assert ts.admin.create(pvc())["spec"]["storageClassName"] == "newer"


def test_two_default_classes_made_in_the_same_second_resolve_by_name(ts):
    ts.admin.create(storage_class("beta", DEFAULT))
    ts.admin.create(storage_class("alpha", DEFAULT))
    assert ts.admin.create(pvc())["spec"]["storageClassName"] == "alpha"


@pytest.mark.parametrize("spec, expected", [
    ({"storageClassName": ""}, ""),
    ({"storageClassName": "manual"}, "manual"),
], ids=["asking for no class keeps no class", "asking for a class keeps it"])
def test_a_claim_that_names_a_class_keeps_it(ts, spec, expected):
    ts.admin.create(storage_class("standard", DEFAULT))
    assert ts.admin.create(pvc(**spec))["spec"]["storageClassName"] == expected


def test_without_a_default_class_a_claim_keeps_no_class(ts):
    ts.admin.create(storage_class("fast", {"storageclass.kubernetes.io/is-default-class": "false"}))
    assert "storageClassName" not in ts.admin.create(pvc())["spec"]


def test_new_claims_and_volumes_are_protected_by_finalizers(ts):
    assert ts.admin.create(pvc(storageClassName="manual"))["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    obj = pv()
    obj["metadata"]["finalizers"] = ["example.com/keep"]
    assert ts.admin.create(obj)["metadata"]["finalizers"] == ["example.com/keep", "kubernetes.io/pv-protection"]


def test_a_protected_claim_waits_terminating_until_its_finalizer_goes(ts):
    ts.admin.create(pvc(storageClassName="manual"))
    ts.admin.delete("persistentvolumeclaims", "claim", "default")
    claim = ts.admin.get("persistentvolumeclaims", "claim", "default")
    assert claim["metadata"]["deletionTimestamp"]
    claim["metadata"]["finalizers"] = []
    ts.admin.update(claim)
    with pytest.raises(StatusError):
        ts.admin.get("persistentvolumeclaims", "claim", "default")


def test_claims_and_volumes_can_be_selected_by_the_legacy_name_field(ts):
    ts.admin.create(pv("a"))
    ts.admin.create(pv("b"))
    names = [i["metadata"]["name"] for i in ts.admin.list("persistentvolumes", field_selector="name=b")["items"]]
    assert names == ["b"]
