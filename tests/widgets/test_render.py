"""The SVG picture: goldens for fixed scenarios, shapes a browser can count, summarised mode.

Goldens live in tests/widgets/golden/: ``<name>.dot`` (the graphviz source, compared exactly)
and ``<name>.svg.json`` (the SVG's groups, classes, texts and rounded shapes; text coordinates,
which depend on installed fonts, are left out). Regenerate with ``LABKUBE_UPDATE_GOLDEN=1``.
"""

import json
import os
from pathlib import Path

import pytest

from labkube.widgets.layout import Layout
from labkube.widgets.model import ClusterGraph
from labkube.widgets.render import (
    PALETTE, ClusterPicture, RenderOptions, render_dot, render_svg, short_name,
)
from tests.widgets import svgparse
from tests.widgets.objects import (
    added, deployment, endpoint_slice, ingress, modified, node, pod, replica_set, service,
)

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("LABKUBE_UPDATE_GOLDEN") == "1"


def mixed_states() -> tuple[ClusterGraph, RenderOptions]:
    graph = ClusterGraph()
    graph.load([
        node("node-1"), node("node-2", unschedulable=True),
        node("node-3", "Unknown", taints=[{"key": "gpu", "value": "true", "effect": "NoSchedule"}]),
        pod("web-6dc5cd68db-2jml5", "node-1"), pod("web-6dc5cd68db-lg2v9", "node-1", "not-ready"),
        pod("pull", "node-1", "imagepull"), pod("init", "node-1", init="waiting"),
        pod("crash", "node-2", "crashloop", restarts=3), pod("oom", "node-2", "oom", restarts=1),
        pod("failed", "node-2", "error"), pod("done", "node-2", "completed"),
        pod("creating", "node-2", "creating"),
        pod("old", "node-3", deleting=True), pod("pending-1"), pod("pending-2"),
        service("web"), ingress("front", ["web"]),
        endpoint_slice("web", {"web-6dc5cd68db-2jml5": True, "web-6dc5cd68db-lg2v9": False}),
    ])
    return graph, RenderOptions()


def owners() -> tuple[ClusterGraph, RenderOptions]:
    graph = ClusterGraph(namespace="shop", owners=True)
    graph.load([
        node("node-1"), node("node-2"),
        deployment("cart", namespace="shop"), replica_set("cart-5d9f", "cart", namespace="shop"),
        pod("cart-5d9f-aaaaa", "node-1", namespace="shop", owner=("ReplicaSet", "cart-5d9f")),
        pod("cart-5d9f-bbbbb", "node-2", namespace="shop", owner=("ReplicaSet", "cart-5d9f")),
        pod("elsewhere", "node-1", namespace="default"),
    ])
    return graph, RenderOptions()


def summary() -> tuple[ClusterGraph, RenderOptions]:
    graph = ClusterGraph()
    graph.load([node("node-1"), node("node-2", "False"), node("node-3", unschedulable=True), node("node-4")]
               + [pod(f"a{i}", "node-1") for i in range(6)] + [pod("a-bad", "node-1", "crashloop")]
               + [pod(f"b{i}", "node-2", deleting=True) for i in range(3)]
               + [pod(f"c{i}", "node-3", "creating") for i in range(2)] + [pod("c-oom", "node-3", "oom")]
               + [pod(f"p{i}") for i in range(4)] + [service("web")])
    return graph, RenderOptions(mode="summary")


def empty() -> tuple[ClusterGraph, RenderOptions]:
    graph = ClusterGraph()
    graph.load([node("node-1"), node("node-2"), node("node-3")])
    return graph, RenderOptions(legend=False)


SCENARIOS = {"mixed-states": mixed_states, "owners": owners, "summary": summary, "empty": empty}


def _check_golden(path: Path, actual: str) -> None:
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"missing golden {path.name}; run with LABKUBE_UPDATE_GOLDEN=1 to write it")
        path.write_text(actual)
    assert actual == path.read_text(), f"{path.name} differs (LABKUBE_UPDATE_GOLDEN=1 to accept)"


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_picture_of_a_fixed_scenario_matches_its_golden(name):
    graph, options = SCENARIOS[name]()
    layout = Layout()
    svg = render_svg(graph, layout, options)
    _check_golden(GOLDEN / f"{name}.dot", render_dot(graph, layout, options))
    _check_golden(GOLDEN / f"{name}.svg.json", json.dumps(svgparse.structure(svg), indent=1) + "\n")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_same_state_draws_byte_identical_svg(name):
    first, options = SCENARIOS[name]()
    second, _ = SCENARIOS[name]()
    assert render_svg(first, Layout(), options) == render_svg(second, Layout(), options)


def test_every_pod_is_a_shape_with_its_id_and_state_class():
    graph, options = mixed_states()
    pods = svgparse.groups(render_svg(graph, Layout(), options), "lk-pod")
    assert len(pods) == 12
    assert pods["pod-default-crash"].get("class") == "node lk-pod lk-state-crashloop"
    assert pods["pod-default-web-6dc5cd68db-2jml5"].get("class") == "node lk-pod lk-state-ready"
    assert pods["pod-default-pending-1"].get("class") == "node lk-pod lk-state-pending"


@pytest.mark.parametrize("pod_id, state, texts", [
    ("pod-default-crash", "crashloop", ["crash", "CrashLoopBackOff ↻3"]),
    ("pod-default-oom", "oom", ["oom", "OOMKilled ↻1"]),
    ("pod-default-web-6dc5cd68db-2jml5", "ready", ["web-6dc5cd…-2jml5", "Running"]),
    ("pod-default-web-6dc5cd68db-lg2v9", "running", ["web-6dc5cd…-lg2v9", "Running"]),
    ("pod-default-pull", "imagepull", ["pull", "ImagePullBackOff"]),
    ("pod-default-init", "init", ["init", "Init:0/2"]),
    ("pod-default-done", "succeeded", ["done", "Completed"]),
    ("pod-default-failed", "error", ["failed", "Error"]),
    ("pod-default-creating", "creating", ["creating", "ContainerCreating"]),
    ("pod-default-pending-1", "pending", ["pending-1", "Pending"]),
])
def test_a_pod_reads_at_a_glance_colour_status_and_restart_badge(pod_id, state, texts):
    graph, options = mixed_states()
    group = svgparse.groups(render_svg(graph, Layout(), options), "lk-pod")[pod_id]
    shape = next(s for s in group if s.tag.endswith("polygon"))
    assert shape.get("fill") == PALETTE[state].fill
    assert svgparse.texts(group) == texts


def test_a_terminating_pod_is_grey_striped_with_a_dashed_border():
    graph, options = mixed_states()
    group = svgparse.groups(render_svg(graph, Layout(), options), "lk-pod")["pod-default-old"]
    fills = [s.get("fill") for s in group if s.tag.endswith("polygon")]
    assert fills[:4] == ["#bdbdbd", "#eeeeee", "#bdbdbd", "#eeeeee"]
    assert all(s.get("stroke-dasharray") for s in group if s.tag.endswith("polygon"))


@pytest.mark.parametrize("node_id, classes, first_text, dashed", [
    ("node-node-1", "cluster lk-node lk-node-ready", "node-1 · Ready", False),
    ("node-node-2", "cluster lk-node lk-node-ready lk-node-cordoned", "node-2 · Ready,SchedulingDisabled", True),
    ("node-node-3", "cluster lk-node lk-node-unknown lk-node-tainted", "✖ node-3 · NotReady", False),
])
def test_nodes_show_their_state_cordon_and_taints(node_id, classes, first_text, dashed):
    graph, options = mixed_states()
    group = svgparse.groups(render_svg(graph, Layout(), options), "lk-node")[node_id]
    assert group.get("class") == classes
    assert svgparse.texts(group)[0] == first_text
    assert bool(next(iter(group.iter("{http://www.w3.org/2000/svg}path"))).get("stroke-dasharray")) == dashed


def test_a_tainted_node_lists_its_taint_under_its_name():
    graph, options = mixed_states()
    group = svgparse.groups(render_svg(graph, Layout(), options), "lk-node")["node-node-3"]
    assert svgparse.texts(group)[1] == "taint: gpu=true:NoSchedule"


def test_service_arrows_go_to_ready_endpoints_only_and_ingress_to_service():
    graph, options = mixed_states()
    svg = render_svg(graph, Layout(), options)
    titles = sorted(g.find("{http://www.w3.org/2000/svg}title").text
                    for g in svgparse.groups(svg, "lk-edge").values())
    assert [t for t in titles if not t.startswith("cp/")] == [
        "ingress/default/front->service/default/web",
        "service/default/web->pod/default/web-6dc5cd68db-2jml5",
    ]


def test_the_svg_fits_its_container_instead_of_a_fixed_size():
    graph, options = empty()
    root = svgparse.parse(render_svg(graph, Layout(), options))
    assert root.get("style") == "max-width:100%;height:auto"
    assert root.get("width") is None and root.get("height") is None
    assert root.get("viewBox").startswith("0.00 0.00 ")


def test_the_legend_shows_every_state_and_the_node_marks():
    graph, _ = empty()
    legend = svgparse.groups(render_svg(graph, Layout(), RenderOptions()), "lk-legend")
    assert sorted(legend) == sorted([f"legend-{s}" for s in PALETTE] + ["legend-node-notready", "legend-node-cordoned"])


# -- summarised mode -------------------------------------------------------------------------
def _many(pods: int) -> ClusterGraph:
    graph = ClusterGraph()
    graph.load([node(f"node-{i}") for i in range(5)] + [pod(f"p{i}", f"node-{i % 5}") for i in range(pods)])
    return graph


@pytest.mark.parametrize("pods, threshold, summarised", [
    (300, 300, False), (301, 300, True), (40, 30, True), (30, 30, False),
])
def test_the_picture_is_summarised_above_the_threshold(pods, threshold, summarised):
    svg = render_svg(_many(pods), Layout(), RenderOptions(summary_threshold=threshold))
    assert len(svgparse.groups(svg, "lk-pod")) == (0 if summarised else pods)
    assert len(svgparse.groups(svg, "lk-summary")) == (6 if summarised else 0)


def test_a_summarised_node_shows_its_counts_and_stripes_in_proportion():
    graph, options = summary()
    group = svgparse.groups(render_svg(graph, Layout(), options), "lk-summary")["node-node-1"]
    assert svgparse.texts(group) == ["node-1 · Ready · 7 pods", "6 ready · 1 crashloop"]
    stripes = [s for s in group if s.tag.endswith("polygon") and s.get("fill") != "none"]
    assert [s.get("fill") for s in stripes] == [PALETTE["ready"].fill, PALETTE["crashloop"].fill]
    widths = [svgparse._points(s)[1][0] - svgparse._points(s)[0][0] for s in stripes]
    assert round(widths[0] / widths[1]) == 6


def test_the_mode_option_is_checked():
    with pytest.raises(ValueError, match='mode must be "auto", "full" or "summary"'):
        RenderOptions(mode="tiny")


# -- the picture object ----------------------------------------------------------------------
def test_a_picture_redraws_only_when_the_graph_changed_and_saves_its_svg(tmp_path):
    graph, _ = empty()
    picture = ClusterPicture(graph)
    first = picture.svg()
    assert picture.svg() is first
    graph.apply_event(added(pod("new", "node-1")))
    second = picture.svg()
    assert second is not first and "pod&#45;default&#45;new" in second
    graph.apply_event(modified(pod("new", "node-1")))
    assert picture.svg() is second
    picture.save(tmp_path / "x.svg")
    assert (tmp_path / "x.svg").read_text() == second
    assert picture._repr_svg_() == second


def test_a_picture_of_a_live_cluster_lists_it_through_the_client():
    import labkube

    with labkube.Cluster(nodes=2, seed=0) as cluster:
        cluster.kubectl("create deployment web --image=nginx --replicas=3")
        cluster.run(5)
        svg = ClusterPicture.from_cluster(cluster, namespace="default").svg()
    assert len(svgparse.groups(svg, "lk-pod")) == 3
    assert sorted(svgparse.groups(svg, "lk-node")) == ["node-node-1", "node-node-2"]


@pytest.mark.parametrize("name, shown", [
    ("web", "web"), ("web-6dc5cd68db-2jml5", "web-6dc5cd…-2jml5"), ("a" * 18, "a" * 18),
])
def test_long_generated_names_keep_their_head_and_random_tail(name, shown):
    assert short_name(name) == shown


def test_a_picture_given_a_rebuilt_graph_draws_the_new_one():
    graph, _ = empty()
    picture = ClusterPicture(graph)
    picture.svg()
    rebuilt, _ = empty()
    rebuilt.apply_event(added(pod("new", "node-1")))
    rebuilt.revision = graph.revision
    picture.graph = rebuilt
    assert "pod-default-new" in svgparse.groups(picture.svg(), "lk-pod")
