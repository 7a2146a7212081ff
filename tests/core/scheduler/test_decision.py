"""The decision record: rejections, per-plugin scores, the choice, and its text."""

import json
import random

from labkube.core.scheduler import Scheduler, Snapshot
from tests.core.scheduler.objects import control_plane, node, pod


def record_for(nodes, incoming, existing=()):
    result = Scheduler(rng=random.Random(0)).schedule_one(incoming, Snapshot(nodes, existing))
    return result, result.record


def test_each_rejected_node_names_its_plugin_and_reason():
    _, record = record_for([control_plane("cp"), node("small", cpu="1"), node("ok")], pod("p", cpu="2"))
    assert [(r.node, r.plugin, r.code, r.reasons) for r in record.rejections] == [
        ("cp", "TaintToleration", "UnschedulableAndUnresolvable",
         ("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }",)),
        ("small", "NodeResourcesFit", "UnschedulableAndUnresolvable", ("Insufficient cpu",)),
    ]
    assert record.feasible == ("ok",) and record.selected == "ok" and record.scored_nodes == ()


def test_each_plugin_has_raw_normalized_and_weighted_scores():
    nodes = [node("busy", cpu="4000m", memory="10000"), node("idle", cpu="4000m", memory="10000"),
             node("spot", taints=[{"key": "spot", "effect": "PreferNoSchedule"}])]
    _, record = record_for(nodes, pod("p", cpu="1", memory="1000"), [pod("e", cpu="2", memory="5000", node_name="busy")])
    assert [(c.plugin, c.weight) for c in record.scores] == [
        ("TaintToleration", 3), ("NodeResourcesFit", 1), ("NodeResourcesBalancedAllocation", 1), ("ImageLocality", 1)]
    busy = record.node("busy")
    assert [(s.plugin, s.raw, s.normalized, s.weighted) for s in busy.scores] == [
        ("TaintToleration", 0, 100, 300), ("NodeResourcesFit", 32, 32, 32),
        ("NodeResourcesBalancedAllocation", 92, 92, 92), ("ImageLocality", 0, 0, 0)]
    assert busy.total == 424 == record.score_of("busy")
    assert record.score_of("spot", "TaintToleration") == 0
    assert record.selected == "idle" and record.node("idle").selected


def test_an_unschedulable_record_carries_the_message():
    _, record = record_for([node("n", cpu="1")], pod("p", cpu="2"))
    assert record.selected is None and record.message.startswith("0/1 nodes are available: 1 Insufficient cpu.")


def test_to_dict_is_json_ready_and_explain_is_text():
    _, record = record_for([control_plane("cp"), node("w1"), node("w2")], pod("p"))
    data = record.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["rejections"][0]["node"] == "cp" and set(data["scores"]) == {"w1", "w2"}
    text = record.explain()
    assert text.splitlines()[0] == f"Pod default/p (profile default-scheduler): scheduled to {record.selected}"
    assert "cp  TaintToleration: node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }" in text
    assert "<- selected" in text
