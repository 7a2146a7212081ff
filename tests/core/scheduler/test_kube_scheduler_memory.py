"""kube-scheduler keeps its decision records within a count and a size budget."""

import labkube
from labkube.core import kube_scheduler


def _pod(name):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


def test_the_oldest_decision_records_go_first_when_their_entries_exceed_the_budget(monkeypatch):
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.run(10)
    cluster.client.create(_pod("first"), "default")
    cluster.run(2)
    one = kube_scheduler._entries(cluster.scheduling_decision("first"))
    monkeypatch.setattr(kube_scheduler, "DECISION_ENTRIES_KEPT", 2 * one)
    for name in ("second", "third"):
        cluster.client.create(_pod(name), "default")
        cluster.run(2)
    kept = [cluster.scheduling_decision(name) is not None for name in ("first", "second", "third")]
    assert kept == [False, True, True]
    assert cluster.components["scheduler"]._decision_entries == 2 * one
