"""Per-node columns of the snapshot, the feasible-node window, and what the score plugins
read from them: always the values a fresh computation over the nodes would give."""

from __future__ import annotations

import random

import pytest

from labkube.core.scheduler import CycleState, Scheduler, Snapshot
from labkube.core.scheduler.framework import wrapped_slice
from labkube.core.scheduler.plugins.pod_topology_spread import OwnerSelectors, constraints_for

from .objects import node, pod


def _requested_cpu(info) -> int:
    return info.requested.milli_cpu


def test_wrapped_slice_wraps_around_the_end():
    assert wrapped_slice([0, 1, 2, 3, 4], 3, 4) == [3, 4, 0, 1]
    assert wrapped_slice((0, 1, 2), 4, 2) == (1, 2)
    assert wrapped_slice([0, 1, 2], 0, 3) == [0, 1, 2]


@pytest.mark.parametrize("seed", range(4))
def test_a_column_follows_placements_removals_and_node_changes(seed):
    rng = random.Random(seed)
    names = [f"n{i}" for i in range(8)]
    snapshot = Snapshot([node(n, zone="ab"[i % 2]) for i, n in enumerate(names)])
    placed: list[dict] = []
    for step in range(150):
        action = rng.random()
        if action < 0.5 or not placed:
            p = pod(f"p{step}", cpu=f"{rng.randint(1, 50)}m", node_name=rng.choice(names))
            placed.append(p)
            snapshot.add_pod(p)
        elif action < 0.8:
            snapshot.remove_pod(placed.pop(rng.randrange(len(placed))))
        elif action < 0.9:
            name = rng.choice(names)
            snapshot.update_node(node(name, cpu=rng.choice(["4", "8"]), zone=rng.choice("abc")))
        elif action < 0.95:
            name = f"extra{step}"
            names.append(name)
            snapshot.add_node(node(name, zone="c"))
        else:
            snapshot.remove_node(names.pop(rng.randrange(len(names))))
        column = snapshot.node_column("cpu", _requested_cpu)
        assert column == [n.requested.milli_cpu for n in snapshot.list()]


def test_a_column_recomputes_only_the_nodes_that_changed():
    snapshot = Snapshot([node(f"n{i}") for i in range(5)])
    seen: list[str] = []

    def compute(info):
        seen.append(info.name)
        return len(info.pods)

    assert snapshot.node_column("pods", compute) == [0] * 5
    assert len(seen) == 5
    seen.clear()
    snapshot.add_pod(pod("a", node_name="n3"))
    assert snapshot.node_column("pods", compute) == [0, 0, 0, 1, 0]
    assert seen == ["n3"]
    seen.clear()
    assert snapshot.node_column("pods", compute) == [0, 0, 0, 1, 0]
    assert seen == []


def test_a_long_change_log_is_dropped_and_columns_start_afresh():
    snapshot = Snapshot([node("n0"), node("n1")])
    assert snapshot.node_column("pods", lambda n: len(n.pods)) == [0, 0]
    pods = [pod(f"p{i}", node_name="n1") for i in range(5000)]
    for p in pods:
        snapshot.add_pod(p)
    for p in pods[:10]:
        snapshot.remove_pod(p)
    assert len(snapshot._changed) < 5000
    assert snapshot.node_column("pods", lambda n: len(n.pods)) == [0, 4990]


def test_a_column_with_another_source_starts_afresh():
    snapshot = Snapshot([node("n0")])
    assert snapshot.node_column("k", lambda n: 1, source="a") == [1]
    assert snapshot.node_column("k", lambda n: 2, source="a") == [1]  # kept
    assert snapshot.node_column("k", lambda n: 2, source="b") == [2]


def _records(use_columns: bool, monkeypatch, pods, nodes, **snapshot_kw):
    if not use_columns:
        monkeypatch.setattr(CycleState, "column", lambda self, *a, **k: None)
    snapshot = Snapshot(nodes, **snapshot_kw)
    scheduler = Scheduler(rng=random.Random(7))
    out = []
    for p in pods:
        result = scheduler.schedule_one(p, snapshot)
        out.append(result.record.to_dict())
    monkeypatch.undo()
    return out


def _replica(i: int, cpu: str) -> dict:
    p = pod(f"web-{i}", cpu=cpu, memory="64Mi", labels={"app": "web"})
    p["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web",
                                         "uid": "rs-uid", "controller": True}]
    return p


def test_scores_read_from_columns_equal_scores_computed_per_node(monkeypatch):
    replica_set = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                   "metadata": {"name": "web", "namespace": "default"},
                   "spec": {"selector": {"matchLabels": {"app": "web"}}}}
    nodes = [node(f"n{i}", cpu=str(2 + i % 3), zone="abc"[i % 3]) for i in range(120)]
    pods = [_replica(i, ["100m", "250m", "1"][i % 3]) for i in range(300)]
    kw = {"replica_sets": [replica_set]}
    with_columns = _records(True, monkeypatch, pods, nodes, **kw)
    without = _records(False, monkeypatch, [dict(p) for p in pods], nodes, **kw)
    assert with_columns == without
    assert any(len(set(r["scores"][n]["total"] for n in r["scores"])) > 1 for r in with_columns)


def test_the_window_is_set_only_when_no_node_was_rejected():
    snapshot = Snapshot([node(f"n{i}", cpu="1") for i in range(4)] + [node("big", cpu="8")])
    scheduler = Scheduler(rng=random.Random(0))
    states = []
    original = CycleState.__init__

    def spy(self, snapshot=None):
        original(self, snapshot)
        states.append(self)

    CycleState.__init__ = spy
    try:
        scheduler.schedule_one(pod("small", cpu="100m"), snapshot)
        assert states[-1].window is not None and states[-1].window[2] == 5
        scheduler.schedule_one(pod("large", cpu="4"), snapshot)
        assert states[-1].window is None  # four nodes rejected: the feasible nodes have gaps
    finally:
        CycleState.__init__ = original


def test_owner_selectors_are_forgotten_when_the_controllers_change():
    def replica_set(labels):
        return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"name": "web", "namespace": "default"},
                "spec": {"selector": {"matchLabels": labels}}}

    snapshot = Snapshot([node("n0")], replica_sets=[replica_set({"app": "web"})])
    owners = OwnerSelectors()
    info = snapshot.pod_info(_replica(0, "100m"))
    first, _ = constraints_for(info, snapshot, "ScheduleAnyway", owners)
    assert first and first[0].selector({"app": "web"})
    again, _ = constraints_for(info, snapshot, "ScheduleAnyway", owners)
    assert again[0].selector is first[0].selector  # remembered
    snapshot.replica_sets = [replica_set({"app": "web", "tier": "front"})]
    changed, _ = constraints_for(info, snapshot, "ScheduleAnyway", owners)
    assert not changed[0].selector({"app": "web"})
    assert changed[0].selector({"app": "web", "tier": "front"})
