"""Which pod a ReplicaSet deletes first (ActivePodsWithRanks), compared pod against pod."""

from __future__ import annotations

import pytest

from labkube.core.clock import EPOCH, format_timestamp
from labkube.core.controllers.pods import deletion_order, is_pod_available, pods_to_delete

NOW = EPOCH + 100_000


def pod(name, node="n1", phase="Running", ready=True, ready_at=0.0, created=0.0, restarts=0, cost=None, uid=None):
    meta = {"name": name, "uid": uid or name, "creationTimestamp": format_timestamp(EPOCH + created)}
    if cost is not None:
        meta["annotations"] = {"controller.kubernetes.io/pod-deletion-cost": cost}
    return {
        "metadata": meta,
        "spec": {"nodeName": node} if node else {},
        "status": {"phase": phase,
                   "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                   "lastTransitionTime": format_timestamp(EPOCH + ready_at)}],
                   "containerStatuses": [{"name": "c", "restartCount": restarts}]},
    }


@pytest.mark.parametrize("description, first, second", [
    ("unscheduled before scheduled", pod("a", node=""), pod("b")),
    ("pending before unknown", pod("a", phase="Pending", ready=False), pod("b", phase="Unknown", ready=False)),
    ("unknown before running", pod("a", phase="Unknown", ready=False), pod("b", ready=False)),
    ("not ready before ready", pod("a", ready=False), pod("b")),
    ("lower deletion cost before higher", pod("a", cost="-1"), pod("b", cost="7")),
    ("ready recently before ready long ago", pod("a", ready_at=90_000), pod("b", ready_at=10)),
    ("more restarts before fewer", pod("a", restarts=5), pod("b", restarts=1)),
    ("newer before older", pod("a", created=90_000), pod("b", created=10)),
    ("ages in the same power of two tie, broken by UID", pod("z", created=60_000, uid="1"),
     pod("y", created=60_001, uid="2")),
])
def test_the_less_valuable_pod_is_deleted_first(description, first, second):
    assert deletion_order([second, first], [], NOW) == [first, second], description
    assert deletion_order([first, second], [], NOW) == [first, second], description


def test_a_pod_on_a_node_crowded_with_related_pods_goes_first():
    lonely, crowded = pod("a", node="n1"), pod("b", node="n2")
    related = [pod("r1", node="n2"), pod("r2", node="n2"), pod("r3", node="n1")]
    assert deletion_order([lonely, crowded], related, NOW) == [crowded, lonely]


def test_when_every_pod_goes_no_ordering_is_needed():
    pods = [pod("b"), pod("a", node="")]
    assert pods_to_delete(pods, [], 2, NOW) == pods
    assert pods_to_delete(pods, [], 1, NOW) == [pods[1]]


@pytest.mark.parametrize("ready_at, min_ready, available", [
    (0, 0, True),
    (NOW - EPOCH - 10, 10, False),   # exactly minReadySeconds: not yet (strictly more is needed)
    (NOW - EPOCH - 11, 10, True),
])
def test_a_pod_is_available_once_ready_for_more_than_min_ready_seconds(ready_at, min_ready, available):
    assert is_pod_available(pod("a", ready_at=ready_at), min_ready, NOW) is available
