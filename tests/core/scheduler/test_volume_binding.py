"""The volume plugins: VolumeRestrictions, VolumeBinding and VolumeZone, with kube-scheduler's reasons."""

import random

import pytest

from labkube.core.scheduler import Scheduler, Snapshot
from labkube.core.scheduler.plugins.volume_binding import VolumeBindingWork
from tests.core.scheduler.objects import node, pod
from tests.core.test_volume_helpers import claim, volume

NODES = ("n1", "n2", "n3")
WFFC = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "local"},
        "provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer"}
NO_PROVISIONER = {**WFFC, "metadata": {"name": "manual"}, "provisioner": "kubernetes.io/no-provisioner"}
BOUND = {"pv.kubernetes.io/bind-completed": "yes"}


def _with_claims(*claims, name="db"):
    p = pod(name)
    p["spec"]["volumes"] = [{"name": f"v{i}", "persistentVolumeClaim": {"claimName": c}} for i, c in enumerate(claims)]
    return p


def _snapshot(claims=(), volumes=(), classes=(WFFC, NO_PROVISIONER), nodes=NODES, zones=None):
    snapshot = Snapshot([node(n, zone=(zones or {}).get(n)) for n in nodes])
    for c in claims:
        snapshot.volumes.set_claim(c)
    for v in volumes:
        snapshot.volumes.set_volume(v)
    for sc in classes:
        snapshot.volumes.set_class(sc)
    return snapshot


def _schedule(p, snapshot, assume=True):
    return Scheduler(rng=random.Random(0)).schedule_one(p, snapshot, assume=assume)


def test_a_pod_without_claims_is_not_affected():
    assert _schedule(pod("web"), _snapshot()).scheduled


def test_a_pod_whose_claim_does_not_exist_fails_before_any_node_is_tried():
    result = _schedule(_with_claims("mysql-pv-claim"), _snapshot())
    assert result.message == (
        '0/3 nodes are available: persistentvolumeclaim "mysql-pv-claim" not found. '
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")
    assert result.unschedulable_plugins == {"VolumeRestrictions"}


BOUND_TO_N1 = volume("pv1", node="n1", phase="Bound", claim_ref={"namespace": "default", "name": "data", "uid": "uid-data"})


@pytest.mark.parametrize("case, claims, volumes, message", [
    ("an unbound claim of an Immediate (or missing) class waits for the PV controller",
     [claim(cls="my-storage-class")], [],
     "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
     "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."),
    ("a bound claim's volume pins the pod to the volume's node",
     [claim(volume_name="pv1", annotations=BOUND)], [BOUND_TO_N1], None),
    ("a bound claim whose volume is gone fits no node",
     [claim(volume_name="gone", annotations=BOUND)], [],
     "0/3 nodes are available: 3 node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s). "
     "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."),
    ("a delayed claim of a class that cannot provision needs a free volume the node can reach",
     [claim(cls="manual")], [volume("local-n2", cls="manual", node="n2")], None),
    ("a delayed claim with no reachable volume and no provisioner fits nowhere",
     [claim(cls="manual", size="50Gi")], [volume("local-n2", cls="manual", node="n2")],
     "0/3 nodes are available: 3 node(s) didn't find available persistent volumes to bind. "
     "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."),
    ("a claim being deleted keeps the pod out",
     [{**claim(cls="local"), "metadata": {**claim()["metadata"], "deletionTimestamp": "2025-01-01T00:00:00Z"}}], [],
     '0/3 nodes are available: persistentvolumeclaim "data" is being deleted. '
     "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."),
])
def test_volume_binding_decides(case, claims, volumes, message):
    result = _schedule(_with_claims("data"), _snapshot(claims, volumes))
    if message is None:
        assert result.scheduled, case
    else:
        assert result.message == message, case


def test_a_bound_claim_on_another_nodes_volume_says_volume_node_affinity_conflict():
    snapshot = _snapshot([claim(volume_name="pv1", annotations=BOUND)], [BOUND_TO_N1])
    result = _schedule(_with_claims("data"), snapshot)
    assert result.node_name == "n1"
    record = {r.node: r.reasons for r in result.record.rejections}
    assert record == {"n2": ("node(s) had volume node affinity conflict",),
                      "n3": ("node(s) had volume node affinity conflict",)}


def test_a_chosen_static_volume_is_assumed_pre_bound_and_prebind_writes_its_claim_ref():
    snapshot = _snapshot([claim(cls="manual")], [volume("local-n2", cls="manual", node="n2")])
    result = _schedule(_with_claims("data"), snapshot)
    assert result.node_name == "n2"
    assumed = snapshot.volumes.volume("local-n2")
    assert assumed["spec"]["claimRef"]["uid"] == "uid-data"
    assert snapshot.volumes.get_api_volume("local-n2").get("spec", {}).get("claimRef") is None
    fwk = Scheduler(rng=random.Random(0)).framework_for(result.pod)
    works, status = fwk.run_pre_bind(result.state, snapshot.pod_info(result.pod), "n2")
    assert status is None and [w.volumes[0]["metadata"]["name"] for w in works] == ["local-n2"]
    # the next pod's claim cannot have the same volume any more
    other = claim("other", cls="manual")
    snapshot.volumes.set_claim(other)
    assert not _schedule(_with_claims("other", name="db2"), snapshot).scheduled


def test_a_delayed_claim_to_provision_gets_the_selected_node_in_prebind():
    snapshot = _snapshot([claim(cls="local")])
    result = _schedule(_with_claims("data"), snapshot)
    assert result.scheduled
    fwk = Scheduler(rng=random.Random(0)).framework_for(result.pod)
    works, _ = fwk.run_pre_bind(result.state, snapshot.pod_info(result.pod), result.node_name)
    written = works[0].claims[0]
    assert written["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == result.node_name


def test_unreserve_drops_what_reserve_assumed():
    snapshot = _snapshot([claim(cls="local")])
    result = _schedule(_with_claims("data"), snapshot)
    assert "volume.kubernetes.io/selected-node" in snapshot.volumes.claim("default", "data")["metadata"]["annotations"]
    Scheduler(rng=random.Random(0)).forget(result, snapshot)
    assert snapshot.volumes.claim("default", "data")["metadata"]["annotations"] == {}


def test_a_claim_given_a_node_fits_only_that_node():
    chosen = claim(cls="local", annotations={"volume.kubernetes.io/selected-node": "n3"})
    result = _schedule(_with_claims("data"), _snapshot([chosen]))
    assert result.node_name == "n3"


@pytest.mark.parametrize("case, api_claim, done", [
    ("the claim not yet bound: keep waiting", claim(cls="local"), None),
    ("the provisioner gave up (selected node removed): binding failed", claim(cls="local"), False),
    ("bound by the PV controller: done", claim(cls="local", volume_name="pvc-1", annotations=BOUND), True),
])
def test_prebind_waits_until_the_claim_is_fully_bound(case, api_claim, done):
    written = claim(cls="local", annotations={"volume.kubernetes.io/selected-node": "n1"})
    if done is not False:
        api_claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] = "n1"
    snapshot = _snapshot([api_claim], [volume("pvc-1", cls="local", node="n1")])
    work = VolumeBindingWork(pod("db"), "n1", [], [written])
    outcome, message = work.check(snapshot.volumes, {"kubernetes.io/hostname": "n1"})
    assert outcome is done, case
    if done is False:
        assert message == 'provisioning failed for PVC "data"'


def test_a_read_write_once_pod_claim_in_use_rejects_every_node():
    rwop = claim(modes=("ReadWriteOncePod",), volume_name="pv1", annotations=BOUND)
    snapshot = _snapshot([rwop], [volume("pv1", modes=("ReadWriteOncePod",), phase="Bound")])
    first = _schedule(_with_claims("data", name="first"), snapshot)
    assert first.scheduled
    second = _schedule(_with_claims("data", name="second"), snapshot)
    assert second.message.startswith(
        "0/3 nodes are available: 3 node has pod using PersistentVolumeClaim with the same name and "
        "ReadWriteOncePod access mode.")


def test_a_volume_in_a_zone_keeps_the_pod_in_that_zone():
    zoned = volume("pv1", phase="Bound", claim_ref={"namespace": "default", "name": "data", "uid": "uid-data"})
    zoned["metadata"]["labels"] = {"topology.kubernetes.io/zone": "b"}
    snapshot = _snapshot([claim(volume_name="pv1", annotations=BOUND)], [zoned], zones={"n1": "a", "n2": "b", "n3": "c"})
    result = _schedule(_with_claims("data"), snapshot)
    assert result.node_name == "n2"
    reasons = {r.node: (r.plugin, r.reasons) for r in result.record.rejections}
    assert reasons["n1"] == ("VolumeZone", ("node(s) had no available volume zone",))
