"""VolumeBinding: pods naming a PersistentVolumeClaim that does not exist cannot be scheduled."""

import random

from labkube.core.scheduler import Scheduler, Snapshot
from tests.core.scheduler.objects import node, pod


def _with_claim(name="db", claim="data"):
    p = pod(name)
    p["spec"]["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]
    return p


def test_a_pod_without_claims_is_not_affected():
    result = Scheduler(rng=random.Random(0)).schedule_one(pod("web"), Snapshot([node("n1")]))
    assert result.scheduled


def test_a_pod_whose_claim_does_not_exist_fails_before_any_node_is_tried():
    snapshot = Snapshot([node("n1"), node("n2"), node("n3")])
    result = Scheduler(rng=random.Random(0)).schedule_one(_with_claim(claim="mysql-pv-claim"), snapshot)
    assert not result.scheduled
    assert result.message == (
        '0/3 nodes are available: persistentvolumeclaim "mysql-pv-claim" not found. '
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )
    assert result.unschedulable_plugins == {"VolumeBinding"}
