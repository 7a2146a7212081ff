"""Draw a :class:`~labkube.widgets.model.ClusterGraph` as SVG with graphviz, in fixed places.

Real Kubernetes has no picture; this is the one labkube draws. Positions come from
:class:`~labkube.widgets.layout.Layout` and are handed to graphviz as pinned (``pos="x,y!"``,
node boxes as clusters with an explicit ``bb``), rendered by ``neato -n2``, which draws what it
is given and moves nothing — so a pod keeps its place while others come and go.

The palette (one fill per pod state, so a glance reads the cluster):

=============  ====================================================  ==========================
state          kubectl STATUS                                        drawn as
=============  ====================================================  ==========================
ready          Running, all containers ready                         green
running        Running (or NotReady), not every container ready      light green, dashed border
pending        Pending, SchedulingGated                              amber
creating       ContainerCreating, PodInitializing                    light amber
init           Init:0/2 …                                            pale amber
crashloop      CrashLoopBackOff (also Init:CrashLoopBackOff)         red
error          Error, ExitCode:n, Failed, Evicted, …                 light red
oom            OOMKilled                                             dark red, white text
imagepull      ImagePullBackOff, ErrImagePull, InvalidImageName      orange
terminating    Terminating                                           grey stripes, dashed border
succeeded      Completed, Succeeded                                  blue-grey
unknown        Unknown (node lost) and anything else                 grey
=============  ====================================================  ==========================

A pod's label is its (shortened) name over its STATUS, with ``↻3`` when it has restarted three
times. Nodes: Ready nodes are light boxes; NotReady and Unknown ones grey with a ``✖``;
cordoned ones (``spec.unschedulable``) have a dashed border; other taints are listed under the
name. Services point at the pods behind their ready endpoints, Ingresses at their Services.

Every pod is an SVG group ``<g id="pod-<ns>-<name>" class="node lk-pod lk-state-<state>">``
and every node box ``<g id="node-<name>" class="cluster lk-node lk-node-<state>">``, so a
browser test can count them. Above ``summary_threshold`` pods (default 300) the picture is
*summarised*: one bar per node, striped by how many of its pods are in each state, with the
counts written on it — 1,000 nodes and 30,000 pods still draw in well under a second.

The SVG has no fixed size: ``style="max-width:100%;height:auto"`` and graphviz's viewBox, so it
fits a notebook's output area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import graphviz

from labkube.widgets.layout import BANDS, Box, Layout
from labkube.widgets.model import CONTROL_PLANE, POD_STATES, UNSCHEDULED, ClusterGraph


@dataclass(frozen=True)
class StateStyle:
    fill: str
    pen: str
    label: str
    dashed: bool = False
    font: str = "#000000"


#: The documented palette, in legend order.
PALETTE = {
    "ready": StateStyle("#66bb6a", "#1b5e20", "Ready"),
    "running": StateStyle("#d7f0d2", "#2e7d32", "Running, not ready", dashed=True),
    "pending": StateStyle("#ffca28", "#8d6e00", "Pending"),
    "creating": StateStyle("#ffe082", "#8d6e00", "ContainerCreating"),
    "init": StateStyle("#fff3c4", "#8d6e00", "Init:x/y"),
    "crashloop": StateStyle("#e53935", "#7f0000", "CrashLoopBackOff", font="#ffffff"),
    "error": StateStyle("#ef9a9a", "#b71c1c", "Error / Failed"),
    "oom": StateStyle("#7f0000", "#3e0000", "OOMKilled", font="#ffffff"),
    "imagepull": StateStyle("#fb8c00", "#8a4b00", "ImagePullBackOff"),
    "terminating": StateStyle("#bdbdbd:#eeeeee:#bdbdbd:#eeeeee", "#616161", "Terminating", dashed=True),
    "succeeded": StateStyle("#b0bec5", "#37474f", "Succeeded"),
    "unknown": StateStyle("#9e9e9e", "#424242", "Unknown"),
}
NODE_FILL = {"Ready": "#f5f8fb", "NotReady": "#d6d6d6", "Unknown": "#d6d6d6"}
NODE_PEN = {"Ready": "#546e7a", "NotReady": "#757575", "Unknown": "#757575"}
BAND_STYLE = {  # kind: (label prefix, fill)
    "Ingress": ("ing", "#d1c4e9"), "Service": ("svc", "#bbdefb"),
    "Deployment": ("deploy", "#ffe0b2"), "ReplicaSet": ("rs", "#fff3e0"),
}
EDGE_STYLE = {
    "endpoint": 'color="#1e88e5", penwidth=0.8',
    "backend": 'color="#7e57c2", penwidth=1.2',
    "owns": 'color="#a1887f", style=dashed',
    "calls": 'color="#78909c"',
}
FONT = "Helvetica,Arial,sans-serif"
NAME_LIMIT = 18


@dataclass(frozen=True)
class RenderOptions:
    """How to draw: ``mode`` "auto" (summarise above ``summary_threshold`` pods), "full" or
    "summary"; ``legend`` and ``edges`` (service, ingress and owner arrows) can be turned off."""

    mode: str = "auto"
    summary_threshold: int = 300
    legend: bool = True
    edges: bool = True

    def __post_init__(self) -> None:
        if self.mode not in ("auto", "full", "summary"):
            raise ValueError(f'mode must be "auto", "full" or "summary", not {self.mode!r}')


def is_summarised(graph: ClusterGraph, options: RenderOptions) -> bool:
    if options.mode != "auto":
        return options.mode == "summary"
    return graph.pod_count() > options.summary_threshold


# -- DOT text --------------------------------------------------------------------------------
def _q(text: str) -> str:
    """A DOT double-quoted string (labels use \\n for line breaks)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _pos(x: float, y: float) -> str:
    """Picture coordinates (y down) as a pinned graphviz position (y up)."""
    return f'"{x:.1f},{-y:.1f}!"'


def _bb(box: Box) -> str:
    return f'"{box.x0:.1f},{-box.y1:.1f},{box.x1:.1f},{-box.y0:.1f}"'


def _css_id(*parts: str) -> str:
    return "-".join(parts)


def short_name(name: str, limit: int = NAME_LIMIT) -> str:
    """Long generated names keep their head and their random tail: ``web-6dc5c…-2jml5``."""
    if len(name) <= limit:
        return name
    tail = name[-6:]
    return name[: limit - len(tail) - 2] + "…" + tail


def _pod_style(state: str) -> str:
    style = PALETTE[state]
    fill = "striped" if ":" in style.fill else "filled"
    dashed = ",dashed" if style.dashed else ""
    return (f'style="{fill}{dashed}", fillcolor="{style.fill}", color="{style.pen}", '
            f'fontcolor="{style.font}"')


_POD_STYLES = {state: _pod_style(state) for state in POD_STATES}


def pod_label(attrs: dict) -> str:
    badge = f" ↻{attrs['restarts']}" if attrs["restarts"] else ""
    return f"{short_name(attrs['name'])}\n{attrs['status']}{badge}"


def _pod_line(vid: str, attrs: dict, x: float, y: float) -> str:
    return (f'{_q(vid)} [pos={_pos(x, y)}, label={_q(pod_label(attrs))}, '
            f'id="pod-{attrs["namespace"]}-{attrs["name"]}", '
            f'class="lk-pod lk-state-{attrs["state"]}", {_POD_STYLES[attrs["state"]]}];')


def node_label(attrs: dict, pod_count: int | None = None) -> str:
    mark = "✖ " if attrs["state"] != "Ready" else ""
    status = attrs["status"] if attrs["registered"] else "Unknown (no Node object)"
    lines = [f"{mark}{attrs['name']} · {status}"]
    if attrs["taints"]:
        lines.append("taint: " + ", ".join(attrs["taints"]))
    if pod_count is not None:
        lines[0] += f" · {pod_count} pods"
    return "\n".join(lines)


def _node_classes(attrs: dict) -> str:
    classes = f"lk-node lk-node-{attrs['state'].lower()}"
    if attrs["cordoned"]:
        classes += " lk-node-cordoned"
    if attrs["taints"]:
        classes += " lk-node-tainted"
    return classes


def _node_style(attrs: dict) -> str:
    dashed = ",dashed" if attrs["cordoned"] else ""
    return (f'style="filled,rounded{dashed}", fillcolor="{NODE_FILL[attrs["state"]]}", '
            f'color="{NODE_PEN[attrs["state"]]}"')


def _header(title: str) -> list[str]:
    return [
        f"digraph {_q(title)} {{",
        f'graph [splines=false, outputorder=edgesfirst, bgcolor="white", fontname="{FONT}", '
        f'fontsize=10, id="lk-cluster", class="lk-cluster"];',
        f'node [shape=box, fixedsize=true, fontname="{FONT}", fontsize=8, penwidth=1];',
        'edge [arrowsize=0.5, penwidth=1];',
    ]


def _control_plane(graph: ClusterGraph, layout: Layout) -> list[str]:
    g = layout.geometry
    lines = []
    for i, vid in enumerate(f"cp/{name}" for name in _cp_names(graph)):
        attrs = graph.graph.nodes[vid]
        running = attrs["state"] == "Running"
        x = i * (g.item_width + g.box_gap) + g.item_width / 2
        label = attrs["name"] if running else f"{attrs['name']}\n(stopped)"
        style = 'style="filled,rounded", fillcolor="#cfd8dc"' if running else \
            'style="filled,rounded,dashed", fillcolor="#eeeeee", fontcolor="#757575"'
        lines.append(
            f'{_q(vid)} [pos={_pos(x, g.item_height / 2 + 4)}, width={g.item_width / 72:.3f}, '
            f'height={g.item_height / 72:.3f}, label={_q(label)}, id="cp-{attrs["name"]}", '
            f'class="lk-control-plane lk-cp-{attrs["state"].lower()}", {style}];')
    return lines


def _cp_names(graph: ClusterGraph) -> list[str]:
    return [name for name in CONTROL_PLANE if f"cp/{name}" in graph.graph]


def _legend(layout: Layout) -> list[str]:
    g = layout.geometry
    x0 = 4 * (g.item_width + g.box_gap) + g.box_gap
    entries = [(state, PALETTE[state].label, _POD_STYLES[state]) for state in POD_STATES]
    entries.append(("node-notready", "✖ node NotReady",
                    f'style="filled", fillcolor="{NODE_FILL["NotReady"]}", color="{NODE_PEN["NotReady"]}"'))
    entries.append(("node-cordoned", "node cordoned",
                    f'style="filled,dashed", fillcolor="{NODE_FILL["Ready"]}", color="{NODE_PEN["Ready"]}"'))
    per_row, width, height = 7, 84.0, 18.0
    lines = []
    for i, (key, text, style) in enumerate(entries):
        x = x0 + (i % per_row) * (width + 4) + width / 2
        y = 6 + (i // per_row) * (height + 6) + height / 2
        lines.append(f'"legend/{key}" [pos={_pos(x, y)}, width={width / 72:.3f}, height={height / 72:.3f}, '
                     f'fontsize=7, label={_q(text)}, id="legend-{key}", class="lk-legend", {style}];')
    return lines


def _bands(graph: ClusterGraph, layout: Layout) -> list[str]:
    g = layout.geometry
    lines = []
    for kind, _ in BANDS:
        prefix, fill = BAND_STYLE[kind]
        for vid in graph.vertices(kind):
            attrs = graph.graph.nodes[vid]
            x, y = layout.band_position(kind, vid)
            extra = f" {attrs['ready']}" if "ready" in attrs else ""
            label = f"{prefix}/{short_name(attrs['name'], 16)}{extra}"
            lines.append(
                f'{_q(vid)} [pos={_pos(x, y)}, width={g.item_width / 72:.3f}, height={g.item_height / 72:.3f}, '
                f'label={_q(label)}, id={_q(_css_id(prefix, attrs["namespace"], attrs["name"]))}, '
                f'class="lk-{kind.lower()}", style="filled,rounded", fillcolor="{fill}"];')
    return lines


def _edges(graph: ClusterGraph, kinds: tuple[str, ...]) -> list[str]:
    lines = []
    for kind in kinds:
        for source, target in graph.edges(kind):
            lines.append(f'{_q(source)} -> {_q(target)} [class="lk-edge lk-edge-{kind}", {EDGE_STYLE[kind]}];')
    return lines


def _full_body(graph: ClusterGraph, layout: Layout) -> list[str]:
    g = layout.geometry
    size = f'node [width={g.pod_width / 72:.3f}, height={g.pod_height / 72:.3f}];'
    lines = [size]
    lane = layout.lane_box()
    lane_pods = graph.pods_on(UNSCHEDULED)
    lines.append(f'subgraph "cluster_lane" {{ graph [bb={_bb(lane)}, label={_q(f"not scheduled · {len(lane_pods)}")}, '
                 f'id="lane-unscheduled", class="lk-lane", style="filled,rounded,dashed", '
                 f'fillcolor="#fffdf5", color="#b0a060"];')
    nodes = graph.graph.nodes
    for vid in lane_pods:
        lines.append(_pod_line(vid, nodes[vid], *layout.pod_position(None, vid, lane)))
    lines.append("}")
    boxes = layout.node_boxes()
    for name in graph.nodes():
        attrs = nodes[f"node/{name}"]
        box = boxes[name]
        lines.append(f'subgraph {_q("cluster_node/" + name)} {{ graph [bb={_bb(box)}, label={_q(node_label(attrs))}, '
                     f'id={_q("node-" + name)}, class="{_node_classes(attrs)}", {_node_style(attrs)}];')
        for vid in graph.pods_on(name):
            lines.append(_pod_line(vid, nodes[vid], *layout.pod_position(name, vid, box)))
        lines.append("}")
    return lines


def _stripes(counts: dict[str, int]) -> str:
    """A graphviz ``striped`` fill: one stripe per state, as wide as its share of the pods."""
    total = sum(counts.values())
    if not total:
        return "#f5f5f5"
    parts = [(PALETTE[s].fill.split(":")[0], n / total) for s, n in counts.items()]
    head = [f"{color};{share:.3f}" for color, share in parts[:-1]]
    return ":".join(head + [parts[-1][0]])


def summary_counts_text(counts: dict[str, int], top: int = 3) -> str:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], POD_STATES.index(item[0])))
    text = " · ".join(f"{n} {state}" for state, n in ranked[:top])
    return text + (" · …" if len(ranked) > top else "")


def _summary_body(graph: ClusterGraph, layout: Layout) -> list[str]:
    g = layout.geometry
    lines = [f'node [width={g.summary_width / 72:.3f}, height={g.summary_height / 72:.3f}, fontsize=7];']
    summary = graph.summary()
    lane_counts = summary.get(UNSCHEDULED, {})
    x, y = layout.summary_lane_box().center
    lines.append(f'"lane" [pos={_pos(x, y)}, style="striped,dashed", fillcolor="{_stripes(lane_counts)}", '
                 f'label={_q(f"not scheduled · {sum(lane_counts.values())} pods" + chr(10) + summary_counts_text(lane_counts))}, '
                 f'id="lane-unscheduled", class="lk-lane lk-summary"];')
    nodes = graph.graph.nodes
    for name in graph.nodes():
        attrs = nodes[f"node/{name}"]
        counts = summary.get(name, {})
        x, y = layout.summary_box(name).center
        dashed = ",dashed" if attrs["cordoned"] else ""
        pen = 'color="#424242", penwidth=2.5' if attrs["state"] != "Ready" else f'color="{NODE_PEN["Ready"]}"'
        label = node_label(attrs, sum(counts.values())) + "\n" + summary_counts_text(counts)
        lines.append(f'{_q("node/" + name)} [pos={_pos(x, y)}, style="striped{dashed}", '
                     f'fillcolor="{_stripes(counts)}", {pen}, label={_q(label)}, '
                     f'id={_q("node-" + name)}, class="{_node_classes(attrs)} lk-summary"];')
    return lines


def render_dot(graph: ClusterGraph, layout: Layout, options: RenderOptions | None = None) -> str:
    """The graphviz source of the picture (layout must be up to date: ``layout.update(graph)``)."""
    options = options or RenderOptions()
    summarised = is_summarised(graph, options)
    lines = _header("cluster")
    lines += _control_plane(graph, layout)
    if options.legend:
        lines += _legend(layout)
    lines += _bands(graph, layout)
    lines += _summary_body(graph, layout) if summarised else _full_body(graph, layout)
    lines += _edges(graph, ("calls",))
    if options.edges:
        kinds = ("backend", "owns") if summarised else ("backend", "owns", "endpoint")
        lines += _edges(graph, kinds)
    lines.append("}")
    return "\n".join(lines) + "\n"


_SIZE = re.compile(r'<svg width="[^"]*" height="[^"]*"')


def svg_from_dot(dot: str) -> str:
    """Run ``neato -n2`` (positions as given) and make the SVG fit its container."""
    raw = graphviz.pipe("neato", "svg", dot.encode("utf-8"), neato_no_op=2, quiet=True).decode("utf-8")
    svg = raw[raw.index("<svg"):]
    return _SIZE.sub('<svg style="max-width:100%;height:auto"', svg, count=1)


def render_svg(graph: ClusterGraph, layout: Layout, options: RenderOptions | None = None) -> str:
    """Update ``layout`` from ``graph`` and draw it: the SVG text."""
    layout.update(graph)
    return svg_from_dot(render_dot(graph, layout, options))


class ClusterPicture:
    """A picture of a graph that keeps its layout between drawings (so nothing jumps).

    ``svg()`` redraws only when the graph changed since the last call; ``save(path)`` writes
    the SVG; in Jupyter the object displays itself (``_repr_svg_``) without any widget.
    """

    def __init__(self, graph: ClusterGraph, layout: Layout | None = None,
                 options: RenderOptions | None = None) -> None:
        self.graph = graph
        self.layout = layout or Layout()
        self.options = options or RenderOptions()
        self._cache: tuple[ClusterGraph, int, RenderOptions, str] | None = None

    @classmethod
    def from_cluster(cls, cluster, *, namespace: str | None = None, label_selector: str | None = None,
                     owners: bool = False, options: RenderOptions | None = None) -> "ClusterPicture":
        graph = ClusterGraph.from_cluster(cluster, namespace=namespace,
                                          label_selector=label_selector, owners=owners)
        return cls(graph, options=options)

    def dot(self) -> str:
        self.layout.update(self.graph)
        return render_dot(self.graph, self.layout, self.options)

    def svg(self) -> str:
        """The SVG text; drawn again only if the graph (or options) changed since last time.

        ``graph`` may be replaced by a new ClusterGraph (e.g. rebuilt after a watch expired);
        the layout carries over, so what is still there keeps its place.
        """
        cached = self._cache
        if (cached is None or cached[0] is not self.graph or cached[1] != self.graph.revision
                or cached[2] != self.options):
            svg = render_svg(self.graph, self.layout, self.options)
            self._cache = cached = (self.graph, self.graph.revision, self.options, svg)
        return cached[3]

    def save(self, path) -> None:
        with open(path, "w", encoding="utf-8") as out:
            out.write(self.svg())

    def _repr_svg_(self) -> str:
        return self.svg()
