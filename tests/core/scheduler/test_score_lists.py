"""Score lists that carry what a plugin already knows about them (``ScoreList``), the
shared repeated columns, PodTopologySpread's raw scores kept per node, the label-subset
selectors, and the defaulted spread constraints remembered per owner: the same scores,
records and decisions as computing everything afresh."""

from __future__ import annotations

import random

import pytest

from labkube.core.scheduler import CycleState, Scheduler, Snapshot
from labkube.core.scheduler.framework import ScoreList, _distinct_in_range, repeated_score
from labkube.core.scheduler.helpers import compile_selector, has_all_labels
from labkube.core.scheduler.plugins.normalize import default_normalize_list
from labkube.core.scheduler.plugins.pod_topology_spread import OwnerSelectors, constraints_for
from labkube.core.scheduler.scheduler import _as_tuple

from .objects import node, pod

REPLICA_SET = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
               "metadata": {"name": "web", "namespace": "default"},
               "spec": {"selector": {"matchLabels": {"app": "web"}}}}


def _replica(i: int, cpu: str = "100m") -> dict:
    p = pod(f"web-{i}", cpu=cpu, memory="64Mi", labels={"app": "web"})
    p["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web",
                                         "uid": "rs-uid", "controller": True}]
    return p


# -- label selectors ----------------------------------------------------------------------

@pytest.mark.parametrize("pairs", [(), (("app", "web"),), (("app", "web"), ("tier", "front")),
                                   (("app", "web"), ("tier", "front"), ("x", ""))])
def test_has_all_labels_is_the_pairwise_check(pairs):
    matches = has_all_labels(pairs)
    label_sets = [{}, {"app": "web"}, {"app": "web", "tier": "front"}, {"app": "db", "tier": "front"},
                  {"app": "web", "tier": "front", "x": ""}, {"app": "web", "tier": "back", "x": "1"},
                  {"tier": "front", "x": "", "app": "web", "more": "yes"}]
    for labels in label_sets:
        assert matches(labels) == all(labels.get(k) == v for k, v in pairs), labels


def test_has_all_labels_with_an_unhashable_value_still_compares_pairwise():
    matches = has_all_labels((("a", ["x"]), ("b", "y")))
    assert matches({"a": ["x"], "b": "y"})
    assert not matches({"a": ["z"], "b": "y"})


def test_compile_selector_with_several_match_labels():
    selects = compile_selector({"matchLabels": {"app": "web", "tier": "front"}})
    assert selects({"app": "web", "tier": "front", "other": "1"})
    assert not selects({"app": "web"})
    assert not selects({"app": "web", "tier": "back"})


# -- ScoreList and repeated columns --------------------------------------------------------

def test_a_score_list_is_a_list_that_knows_its_distinct_values():
    scores = ScoreList([3, 5, 3], {3, 5})
    assert scores == [3, 5, 3] and _distinct_in_range(scores) == ({3, 5}, True)
    assert _distinct_in_range(ScoreList([3, 101], {3, 101})) == ({3, 101}, False)
    assert _as_tuple(scores) == (3, 5, 3) and type(_as_tuple(scores)) is tuple


def test_repeated_scores_share_one_tuple_for_the_records():
    a, b = repeated_score(100, 7), repeated_score(100, 7)
    assert a == [100] * 7 and a.distinct == {100}
    assert a is not b and _as_tuple(a) is _as_tuple(b) == (100,) * 7
    assert repeated_score(0, 0) == []
    assert _distinct_in_range(repeated_score(0, 3)) == ({0}, True)


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("raw", [[0, 0, 0], [0, 2, 4], [5, 5, 5]])
def test_default_normalize_list_agrees_for_plain_and_score_lists(raw, reverse):
    plain = default_normalize_list(list(raw), reverse=reverse)
    known = default_normalize_list(ScoreList(raw, set(raw)), reverse=reverse)
    assert plain == known
    if isinstance(known, ScoreList):
        assert known.distinct == set(known)


# -- PodTopologySpread: raw scores kept per node -------------------------------------------

def _spread_records(use_columns: bool, monkeypatch) -> list:
    """Records of scheduling replicas onto 150 nodes without zones (the hostname constraint
    is the only one counted), with 40 replicas already bound and every ninth step removing
    a replica placed earlier: the per-node counts, and so the scores, differ between nodes."""
    if not use_columns:
        monkeypatch.setattr(CycleState, "column", lambda self, *a, **k: None)
    bound = [dict(_replica(5000 + j), spec=dict(_replica(5000 + j)["spec"], nodeName=f"n{(j * 7) % 150}"))
             for j in range(40)]
    snapshot = Snapshot([node(f"n{i}", cpu="8") for i in range(150)], pods=bound,
                        replica_sets=[REPLICA_SET])
    scheduler = Scheduler(rng=random.Random(3))
    records, placed = [], []
    for i in range(160):
        if i % 9 == 8:
            snapshot.remove_pod(placed.pop((i * 5) % len(placed)))
        p = _replica(i)
        result = scheduler.schedule_one(p, snapshot)
        records.append(result.record.to_dict())
        placed.append(dict(p, spec=dict(p["spec"], nodeName=result.node_name)))
        snapshot.update_pod(placed[-1])
    monkeypatch.undo()
    return records


def _spread_raw(record: dict) -> set:
    return {p["raw"] for scores in record["scores"].values() for p in scores["plugins"]
            if p["plugin"] == "PodTopologySpread"}


def test_kept_spread_scores_equal_scores_computed_per_node(monkeypatch):
    with_columns = _spread_records(True, monkeypatch)
    assert with_columns == _spread_records(False, monkeypatch)
    assert all(_spread_raw(r) for r in with_columns)  # PodTopologySpread scored every pod
    assert any(len(_spread_raw(r)) > 1 for r in with_columns)  # with scores that differ


# -- defaulted constraints remembered per owner --------------------------------------------

def test_default_constraints_are_built_once_per_owner_and_handed_out_as_new_lists():
    snapshot = Snapshot([node("n0")], replica_sets=[REPLICA_SET])
    owners = OwnerSelectors()
    first, defaulted = constraints_for(snapshot.pod_info(_replica(0)), snapshot, "ScheduleAnyway", owners)
    second, _ = constraints_for(snapshot.pod_info(_replica(1)), snapshot, "ScheduleAnyway", owners)
    fresh, _ = constraints_for(snapshot.pod_info(_replica(2)), snapshot, "ScheduleAnyway")
    assert defaulted and first is not second and first == second
    assert [(c.topology_key, c.max_skew) for c in first] == [(c.topology_key, c.max_skew) for c in fresh]
    other = _replica(3)
    other["metadata"]["labels"] = {"app": "web", "tier": "x"}  # another question, another answer
    third, _ = constraints_for(snapshot.pod_info(other), snapshot, "ScheduleAnyway", owners)
    assert third[0] is not first[0] and third[0].selector({"app": "web"})
    assert constraints_for(snapshot.pod_info(_replica(4)), snapshot, "DoNotSchedule", owners) == ([], True)
