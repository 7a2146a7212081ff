"""The PV binder, the protection controllers and the local-path provisioner on a live cluster."""

import pytest

import labkube
from tests.core.test_volume_helpers import claim, volume


def _cluster(*objects, nodes=1, seconds=5, default_class=True):
    cluster = labkube.Cluster(nodes=nodes, seed=0)
    if not default_class:
        cluster.delete("storageclass", "standard")
    for obj in objects:
        cluster.create(obj)
    cluster.run(seconds)
    return cluster


def _events(cluster, name, namespace="default"):
    events = cluster.list("events", namespace, field_selector=f"involvedObject.name={name}")
    return [(e["type"], e["reason"], e["message"]) for e in events]


def _claim(name="data", **kw):
    c = claim(name, **kw)
    del c["metadata"]["uid"], c["metadata"]["resourceVersion"], c["status"]
    return c


def _volume(name, size="10Gi", **kw):
    v = volume(name, size, **kw)
    del v["status"]
    return v


def _phase(cluster, kind, name):
    return cluster.get(kind, name, "default" if kind == "persistentvolumeclaim" else None)["status"]["phase"]


@pytest.mark.parametrize("case, volumes, the_claim, expected", [
    ("the smallest volume of the class that is big enough",
     [_volume("big", "50Gi"), _volume("small", "6Gi"), _volume("tiny", "1Gi"), _volume("other", "6Gi", cls="x")],
     _claim(), "small"),
    ("volumes offering the fewest access modes first",
     [_volume("rwx", "6Gi", modes=("ReadWriteOnce", "ReadWriteMany")), _volume("rwo", "8Gi")], _claim(), "rwo"),
    ("a volume offering every access mode the claim asks for",
     [_volume("rwo", "6Gi"), _volume("rwx", "8Gi", modes=("ReadWriteMany", "ReadWriteOnce"))],
     _claim(modes=("ReadWriteMany",)), "rwx"),
])
def test_the_binder_binds_a_claim_to(case, volumes, the_claim, expected):
    cluster = _cluster(*volumes, the_claim)
    bound = cluster.get("persistentvolumeclaim", "data", "default")
    assert bound["spec"]["volumeName"] == expected, case
    assert _phase(cluster, "persistentvolume", expected) == "Bound"
    others = [v["metadata"]["name"] for v in volumes if v["metadata"]["name"] != expected]
    assert {_phase(cluster, "persistentvolume", n) for n in others} == {"Available"}


def test_a_claim_without_a_class_and_no_matching_volume_says_so():
    cluster = _cluster(_claim(cls=None), default_class=False)
    assert _phase(cluster, "persistentvolumeclaim", "data") == "Pending"
    assert _events(cluster, "data") == [
        ("Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set")]


def test_a_claim_without_a_class_gets_the_default_class_once_one_exists():
    cluster = _cluster(_claim(cls=None), default_class=False)
    cluster.apply("""
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: late, annotations: {storageclass.kubernetes.io/is-default-class: "true"}}
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
""")
    cluster.run(20)
    assert cluster.get("persistentvolumeclaim", "data", "default")["spec"]["storageClassName"] == "late"


def test_a_claim_asking_for_a_volume_too_small_is_told_why():
    cluster = _cluster(_volume("tiny", "1Gi"), _claim(volume_name="tiny"))
    assert _phase(cluster, "persistentvolumeclaim", "data") == "Pending"
    assert ("Warning", "VolumeMismatch", 'Cannot bind to requested volume "tiny": requested PV is too small') in \
        _events(cluster, "data")


def test_a_claim_of_a_class_without_a_provisioner_fails_to_provision():
    no_provisioner = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "local"},
                      "provisioner": "kubernetes.io/no-provisioner"}
    cluster = _cluster(no_provisioner, _claim(cls="local"))
    assert _events(cluster, "data") == [
        ("Warning", "ProvisioningFailed", "no volume plugin matched name: kubernetes.io/no-provisioner")]


@pytest.mark.parametrize("case, policy, path, phase, event", [
    ("Retain keeps the volume Released", "Retain", "/mnt/data", "Released", None),
    ("Delete of a hostPath outside /tmp fails", "Delete", "/mnt/data", "Failed",
     ("Warning", "VolumeFailedDelete", "host_path deleter only supports /tmp/.+ but received provided /mnt/data")),
])
def test_deleting_the_claim_releases_the_volume_and_applies_its_reclaim_policy(case, policy, path, phase, event):
    v = _volume("pv1")
    v["spec"]["persistentVolumeReclaimPolicy"] = policy
    v["spec"]["hostPath"]["path"] = path
    cluster = _cluster(v, _claim())
    assert _phase(cluster, "persistentvolume", "pv1") == "Bound"
    cluster.delete("persistentvolumeclaim", "data", "default")
    cluster.run(20)
    assert _phase(cluster, "persistentvolume", "pv1") == phase, case
    assert _events(cluster, "pv1") == ([event] if event else [])  # a volume's events live in "default"


def test_delete_of_a_hostpath_under_tmp_removes_the_volume():
    v = _volume("scratch")
    v["spec"]["persistentVolumeReclaimPolicy"] = "Delete"
    v["spec"]["hostPath"]["path"] = "/tmp/scratch"
    cluster = _cluster(v, _claim())
    cluster.delete("persistentvolumeclaim", "data", "default")
    cluster.run(20)
    assert cluster.list("persistentvolumes") == []


def _pod_using(claim_name, name="user", node=None):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
           "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"],
                                    "volumeMounts": [{"name": "d", "mountPath": "/data"}]}],
                    "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": claim_name}}]}}
    if node:
        pod["spec"]["nodeName"] = node
    return pod


def test_a_claim_in_use_is_deleted_only_after_its_pod_is_gone():
    cluster = _cluster(_volume("pv1"), _claim(), _pod_using("data"), seconds=30)
    assert cluster.get("pod", "user", "default")["status"]["phase"] == "Running"
    cluster.delete("persistentvolumeclaim", "data", "default")
    cluster.run(10)
    kept = cluster.get("persistentvolumeclaim", "data", "default")
    assert kept["metadata"]["deletionTimestamp"] and kept["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    cluster.delete("pod", "user", "default")
    cluster.run(60)
    assert cluster.list("persistentvolumeclaims", "default") == []
    assert _phase(cluster, "persistentvolume", "pv1") == "Released"


def test_a_bound_volume_is_deleted_only_after_its_claim_is_gone():
    cluster = _cluster(_volume("pv1"), _claim())
    cluster.delete("persistentvolume", "pv1")
    cluster.run(5)
    assert cluster.get("persistentvolume", "pv1")["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]
    cluster.delete("persistentvolumeclaim", "data", "default")
    cluster.run(20)
    assert cluster.list("persistentvolumes") == []


def test_a_waiting_claim_names_the_pod_the_scheduler_has_not_placed():
    cluster = _cluster()
    cluster.stop_component("scheduler")
    cluster.create(_claim(cls="standard"))
    cluster.create(_pod_using("data", name="web-0"))
    cluster.run(20)
    assert [reason for _, reason, _ in _events(cluster, "data")] == ["WaitForFirstConsumer", "WaitForPodScheduled"]
    assert _events(cluster, "data")[-1][2] == "waiting for pod web-0 to be scheduled"


def test_without_the_provisioner_a_claim_waits_for_it_by_name():
    cluster = _cluster()
    cluster.stop_component("local-path-provisioner")
    cluster.create(_claim(cls="standard"))
    cluster.create(_pod_using("data"))
    cluster.run(40)
    assert _phase(cluster, "persistentvolumeclaim", "data") == "Pending"
    assert cluster.get("pod", "user", "default")["spec"].get("nodeName") is None
    reasons = [reason for _, reason, _ in _events(cluster, "data")]
    assert reasons[-1] == "ExternalProvisioning"
    cluster.start_component("local-path-provisioner")
    cluster.run(20)
    assert _phase(cluster, "persistentvolumeclaim", "data") == "Bound"
    assert cluster.get("pod", "user", "default")["spec"]["nodeName"] == "node-1"


def test_a_provisioned_volume_is_deleted_with_its_claim():
    cluster = _cluster(_claim(cls="standard"), _pod_using("data"), seconds=30)
    name = cluster.get("persistentvolumeclaim", "data", "default")["spec"]["volumeName"]
    assert _phase(cluster, "persistentvolume", name) == "Bound"
    cluster.delete("pod", "user", "default")
    cluster.delete("persistentvolumeclaim", "data", "default")
    cluster.run(60)
    assert cluster.list("persistentvolumes") == []


def test_a_pod_placed_by_hand_on_an_unbound_claim_waits_in_container_creating_without_an_event():
    cluster = _cluster(_claim(cls="manual"), _pod_using("data", node="node-1"), seconds=30)
    pod = cluster.get("pod", "user", "default")
    assert pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "ContainerCreating"
    assert [reason for _, reason, _ in _events(cluster, "user")] == []
    cluster.create(_volume("pv1"))
    cluster.run(150)  # the binder binds at once; the kubelet's mount retry backs off up to ~2 minutes
    assert cluster.get("pod", "user", "default")["status"]["phase"] == "Running"


def test_a_new_pod_on_a_provisioned_claim_lands_on_the_volumes_node_and_finds_the_files():
    cluster = _cluster(_claim(cls="standard"), _pod_using("data", name="first"), nodes=3, seconds=30)
    first = cluster.get("pod", "first", "default")
    cluster.kubectl("exec first -- sh -c 'echo kept > /data/note'")
    cluster.delete("pod", "first", "default")
    cluster.run(40)
    cluster.create(_pod_using("data", name="second"))
    cluster.run(30)
    second = cluster.get("pod", "second", "default")
    assert second["spec"]["nodeName"] == first["spec"]["nodeName"]  # the volume's node affinity
    assert cluster.kubectl("exec second -- cat /data/note") == "kept\n"


def test_a_pod_waiting_for_its_claim_is_scheduled_once_the_claim_is_bound():
    cluster = _cluster(_pod_using("data"), nodes=3, seconds=10)
    cluster.create(_volume("pv1"))
    cluster.create(_claim())
    cluster.run(30)
    assert cluster.get("pod", "user", "default")["status"]["phase"] == "Running"
    messages = [m for _, reason, m in _events(cluster, "user") if reason == "FailedScheduling"]
    assert messages[0] == ('0/3 nodes are available: persistentvolumeclaim "data" not found. '
                           "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")


def test_provisioning_is_deterministic_for_a_seed():
    def run():
        cluster = _cluster(_claim(cls="standard"), _pod_using("data"), nodes=3, seconds=30)
        return ([(e["reason"], e["message"], e["lastTimestamp"]) for e in cluster.list("events", "default")],
                cluster.get("persistentvolumeclaim", "data", "default")["spec"]["volumeName"])
    assert run() == run()


def test_the_scheduler_gives_up_waiting_for_a_volume_after_its_bind_timeout_and_tries_again():
    cluster = _cluster()
    cluster.stop_component("local-path-provisioner")
    cluster.create(_claim(cls="standard"))
    cluster.create(_pod_using("data"))
    cluster.run(599)
    assert [reason for _, reason, _ in _events(cluster, "user")] == []  # waiting in PreBind, silently
    cluster.run(5)
    assert _events(cluster, "user")[0] == (
        "Warning", "FailedScheduling",
        'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded')
    condition = next(c for c in cluster.get("pod", "user", "default")["status"]["conditions"]
                     if c["type"] == "PodScheduled")
    assert condition["reason"] == "SchedulerError"


def test_a_local_volume_of_a_wait_for_first_consumer_class_is_bound_by_the_scheduler_on_its_node():
    local = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "local-storage"},
             "provisioner": "kubernetes.io/no-provisioner", "volumeBindingMode": "WaitForFirstConsumer"}
    disk = _volume("local-pv", cls="local-storage", node="node-2")
    del disk["spec"]["hostPath"]
    disk["spec"]["local"] = {"path": "/mnt/disks/ssd1"}
    cluster = _cluster(local, disk, _claim(cls="local-storage"), nodes=3)
    assert _events(cluster, "data")[0][1] == "WaitForFirstConsumer"
    cluster.create(_pod_using("data"))
    cluster.run(30)
    pod = cluster.get("pod", "user", "default")
    assert pod["spec"]["nodeName"] == "node-2" and pod["status"]["phase"] == "Running"
    volume = cluster.get("persistentvolume", "local-pv")
    assert volume["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] == "yes"
    assert cluster.get("persistentvolumeclaim", "data", "default")["spec"]["volumeName"] == "local-pv"
