"""Positions are stable: a pod keeps its place while others come and go."""

import random

import pytest

from labkube.widgets.layout import Layout, SlotGrid
from labkube.widgets.model import ClusterGraph
from labkube.widgets.render import render_svg
from tests.widgets import svgparse
from tests.widgets.objects import added, deleted, modified, node, pod, service


@pytest.mark.parametrize("case, operations, expected", [
    ("holders get slots in order", [("+", "a"), ("+", "b"), ("+", "c")], {"a": 0, "b": 1, "c": 2}),
    ("a freed slot goes to the next newcomer, the others keep theirs",
     [("+", "a"), ("+", "b"), ("+", "c"), ("-", "b"), ("+", "d")], {"a": 0, "c": 2, "d": 1}),
    ("the lowest free slot is reused first",
     [("+", "a"), ("+", "b"), ("+", "c"), ("-", "c"), ("-", "a"), ("+", "d"), ("+", "e")],
     {"b": 1, "d": 0, "e": 2}),
    ("assigning a holder twice keeps its slot", [("+", "a"), ("+", "b"), ("+", "a")], {"a": 0, "b": 1}),
])
def test_slot_grid_hands_out_the_lowest_free_slot_and_keeps_it(case, operations, expected):
    grid = SlotGrid()
    for op, key in operations:
        grid.assign(key) if op == "+" else grid.release(key)
    assert {key: grid.slot(key) for key in grid.keys()} == expected


def test_slot_grid_size_is_a_high_water_mark():
    grid = SlotGrid()
    grid.sync({"a", "b", "c"})
    grid.sync({"a"})
    assert (len(grid), grid.size) == (1, 3)
    grid.sync({"a", "x", "y", "z"})
    assert grid.size == 4 and {grid.slot(k) for k in "axyz"} == {0, 1, 2, 3}


def _base_graph() -> ClusterGraph:
    graph = ClusterGraph()
    graph.load([node("node-1"), node("node-2"), node("node-3"), service("web")]
               + [pod(f"a{i}", "node-1") for i in range(5)]
               + [pod(f"b{i}", "node-2") for i in range(3)]
               + [pod(f"p{i}") for i in range(3)])
    return graph


CHANGES = [
    ("a pod arrives on a node with free slots", [added(pod("a9", "node-1"))]),
    ("a pod leaves a node", [deleted(pod("a2", "node-1"))]),
    ("a pod arrives where another left", [deleted(pod("b1", "node-2")), added(pod("b9", "node-2"))]),
    ("a pod arrives on a full node, which grows", [added(pod(f"a{i}", "node-1")) for i in range(5, 9)]),
    ("a pending pod is scheduled", [modified(pod("p1", "node-3", "creating"))]),
    ("a pending pod arrives", [added(pod("p9"))]),
    ("a pod changes state", [modified(pod("a0", "node-1", "crashloop", restarts=3))]),
    ("the last pod of a node leaves", [deleted(pod(f"b{i}", "node-2")) for i in range(3)]),
]


@pytest.mark.parametrize("case, events", CHANGES)
def test_adding_or_removing_a_pod_moves_no_other_pod_in_the_svg(case, events):
    graph, layout = _base_graph(), Layout()
    before = svgparse.positions(render_svg(graph, layout))
    changed = {f"pod-default-{e['object']['metadata']['name']}" for e in events}
    for event in events:
        graph.apply_event(event)
    after = svgparse.positions(render_svg(graph, layout))
    unchanged = (before.keys() & after.keys()) - changed
    assert unchanged, "the scenario must leave some pods in place"
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    assert after.keys() == (before.keys() | {c for c in changed if c in after}) - \
        {c for c in changed if c not in after}


def test_random_churn_on_a_small_cluster_never_moves_a_pod_that_stayed():
    rng = random.Random(7)
    graph, layout = ClusterGraph(), Layout()
    graph.load([node("node-1"), node("node-2"), node("node-3")])
    live: dict[str, str | None] = {}
    for step in range(400):
        layout.update(graph)
        before = {vid: layout.pod_position(graph.graph.nodes[vid]["node"], vid) for vid in graph.vertices("Pod")}
        name = f"p{rng.randrange(60)}"
        if name in live and rng.random() < 0.5:
            graph.apply_event(deleted(pod(name, live.pop(name))))
        else:
            where = rng.choice(["node-1", "node-2", "node-3", None])
            live[name] = where
            graph.apply_event(added(pod(name, where)))
        layout.update(graph)
        after = {vid: layout.pod_position(graph.graph.nodes[vid]["node"], vid) for vid in graph.vertices("Pod")}
        moved = [vid for vid in before.keys() & after.keys() if vid != f"pod/default/{name}" and before[vid] != after[vid]]
        assert moved == [], f"step {step}: {moved}"


def test_a_node_box_grows_only_when_its_slots_are_full_and_never_shrinks():
    graph, layout = ClusterGraph(), Layout()
    graph.load([node("node-1")] + [pod(f"a{i}", "node-1") for i in range(4)])
    layout.update(graph)
    one_row = layout.node_box("node-1").height
    graph.apply_event(deleted(pod("a1", "node-1")))
    graph.apply_event(added(pod("a9", "node-1")))
    layout.update(graph)
    assert layout.node_box("node-1").height == one_row
    graph.apply_event(added(pod("a10", "node-1")))
    layout.update(graph)
    two_rows = layout.node_box("node-1").height
    assert two_rows == one_row + layout.geometry.pod_pitch[1]
    for name in ("a0", "a2", "a3", "a9", "a10"):
        graph.apply_event(deleted(pod(name, "node-1")))
    layout.update(graph)
    assert layout.node_box("node-1").height == two_rows


def test_nodes_fill_the_grid_in_name_order_and_a_new_node_moves_no_other():
    graph, layout = ClusterGraph(), Layout()
    graph.load([node(f"node-{i}") for i in (3, 1, 5, 2, 4)])
    layout.update(graph)
    xs = {name: layout.node_box(name).x0 for name in graph.nodes()}
    assert sorted(xs, key=lambda n: (layout.node_box(n).y0, xs[n])) == [
        "node-1", "node-2", "node-3", "node-4", "node-5"]
    boxes = {name: layout.node_box(name) for name in graph.nodes()}
    graph.apply_event(added(node("node-0")))
    layout.update(graph)
    assert {name: layout.node_box(name) for name in boxes} == boxes


def test_a_scheduled_pod_leaves_the_lane_and_its_lane_slot_is_reused():
    graph, layout = ClusterGraph(), Layout()
    graph.load([node("node-1"), pod("p0"), pod("p1"), pod("p2")])
    layout.update(graph)
    first = layout.pod_position(None, "pod/default/p0")
    graph.apply_event(modified(pod("p0", "node-1")))
    graph.apply_event(added(pod("p3")))
    layout.update(graph)
    assert layout.pod_position(None, "pod/default/p3") == first
    assert layout.node_box("node-1").x0 < layout.pod_position("node-1", "pod/default/p0")[0]


def test_a_rebuilt_graph_drawn_with_the_same_layout_keeps_every_pod_in_place():
    objects = [node("node-1"), node("node-2")] + [pod(f"a{i}", "node-1") for i in range(6)] + [pod("b", "node-2")]
    first, layout = ClusterGraph(), Layout()
    first.load(objects)
    first.apply_event(deleted(pod("a1", "node-1")))
    before = svgparse.positions(render_svg(first, layout))
    rebuilt = ClusterGraph()
    rebuilt.load([o for o in objects if o["metadata"]["name"] not in ("a1", "b")] + [pod("c", "node-2")])
    after = svgparse.positions(render_svg(rebuilt, layout))
    assert {k: v for k, v in after.items() if k != "pod-default-c"} == \
        {k: v for k, v in before.items() if k != "pod-default-b"}
    assert after["pod-default-c"] == before["pod-default-b"]
