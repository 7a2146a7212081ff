"""Stable positions for a cluster picture: nothing moves when a pod comes or goes.

Real Kubernetes has no layout — this module is the picture's, not the cluster's. It exists
because automatic graph layouts (graphviz ``dot``, ``fdp``, ``neato``) rearrange everything when
one pod is added, which makes a live picture unreadable. Instead positions are computed here,
in Python, and handed to graphviz as fixed (``neato -n2``).

The picture, top to bottom (coordinates in points, y grows downwards, origin top-left)::

    control plane row (etcd, kube-apiserver, kube-scheduler, kube-controller-manager) + legend
    ingresses row(s)       ┐
    services row(s)        │ each a band of slots, only present once something used it
    deployments row(s)     │
    replicasets row(s)     ┘
    ┌ not scheduled ┐  ┌ node-1 ┐ ┌ node-2 ┐ ┌ node-3 ┐ ┌ node-4 ┐   node grid, in rows of
    │ pending pods  │  │ pods   │ │ pods   │ │        │ │        │   ``node_columns`` boxes
    └───────────────┘  └────────┘ └────────┘ └────────┘ └────────┘

Guarantees (what :class:`SlotGrid` is for):

- A pod gets the lowest free slot of its node (or of the "not scheduled" lane) when it first
  appears there and keeps it until it leaves; a freed slot is reused only after its pod is gone.
  So adding or removing a pod never moves another pod.
- Boxes grow only when every slot is taken, and never shrink while their node exists; a grid
  row is as tall as the tallest node it ever held. Only such growth (or new nodes, services,
  bands) can shift what lies below it — never a pod arriving in a free slot or leaving.
- Nodes get grid cells the same way (first free cell, new nodes in name order), so the first
  picture of a cluster shows its nodes in name order and a new node never moves the others.
- The top-left corner is fixed, so the picture grows only to the right and downwards.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from labkube.widgets.model import UNSCHEDULED, ClusterGraph

#: Bands above the node grid, top to bottom: (vertex kind, band title).
BANDS = (("Ingress", "ingresses"), ("Service", "services"),
         ("Deployment", "deployments"), ("ReplicaSet", "replicasets"))


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in picture coordinates (y grows downwards)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def center(self) -> tuple[float, float]:
        return ((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2)

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True)
class Geometry:
    """Sizes in points. Change them for a denser or roomier picture."""

    pod_width: float = 84
    pod_height: float = 30
    gap: float = 6
    pods_per_row: int = 4
    lane_columns: int = 2
    node_columns: int = 4
    node_header: float = 30
    padding: float = 8
    box_gap: float = 18
    item_width: float = 120
    item_height: float = 30
    top_height: float = 64
    summary_width: float = 190
    summary_height: float = 40
    summary_columns: int = 8

    @property
    def pod_pitch(self) -> tuple[float, float]:
        return (self.pod_width + self.gap, self.pod_height + self.gap)


class SlotGrid:
    """Numbered slots handed out lowest-free-first; a holder keeps its slot until released."""

    def __init__(self) -> None:
        self._slots: dict[str, int] = {}
        self._free: list[int] = []
        #: Slots ever used: the size the box must have (a high-water mark, never shrinks).
        self.size = 0

    def __contains__(self, key: str) -> bool:
        return key in self._slots

    def __len__(self) -> int:
        return len(self._slots)

    def slot(self, key: str) -> int:
        return self._slots[key]

    def keys(self) -> set[str]:
        return set(self._slots)

    def assign(self, key: str) -> int:
        if key in self._slots:
            return self._slots[key]
        if self._free:
            slot = heapq.heappop(self._free)
        else:
            slot = self.size
            self.size += 1
        self._slots[key] = slot
        return slot

    def release(self, key: str) -> None:
        slot = self._slots.pop(key, None)
        if slot is not None:
            heapq.heappush(self._free, slot)

    def sync(self, wanted: set[str]) -> bool:
        """Release the holders not wanted, then seat the new ones in sorted order."""
        held = self._slots.keys()
        gone = [key for key in held if key not in wanted]
        new = sorted(key for key in wanted if key not in self._slots)
        for key in gone:
            self.release(key)
        for key in new:
            self.assign(key)
        return bool(gone or new)


def _rows(count: int, per_row: int) -> int:
    return max(1, -(-count // per_row))


class Layout:
    """Where everything in a :class:`ClusterGraph` goes; call :meth:`update` before reading."""

    def __init__(self, geometry: Geometry | None = None) -> None:
        self.geometry = geometry or Geometry()
        self._cells = SlotGrid()
        self._pods: dict[str, SlotGrid] = {UNSCHEDULED: SlotGrid()}
        self._seen_generation: dict[str, int] = {}
        self._graph: ClusterGraph | None = None
        self._bands = {kind: SlotGrid() for kind, _ in BANDS}
        self._row_height: dict[int, int] = {}
        self._band_rows: dict[str, int] = {kind: 0 for kind, _ in BANDS}

    # -- following the graph ------------------------------------------------------------
    def update(self, graph: ClusterGraph) -> None:
        """Bring slots in line with the graph: free the slots of what left, seat what came.

        The graph may be a new one (say, rebuilt after a watch expired): what is still there
        keeps its place, as long as the same Layout is used.
        """
        if graph is not self._graph:
            self._graph = graph
            self._seen_generation.clear()
        nodes = set(graph.nodes())
        for gone in self._cells.keys() - nodes:
            self._pods.pop(gone, None)
            self._seen_generation.pop(gone, None)
        self._cells.sync(nodes)
        for name in [UNSCHEDULED, *sorted(nodes)]:
            generation = graph.node_generation(name)
            if self._seen_generation.get(name) != generation:
                self._seen_generation[name] = generation
                self._pods.setdefault(name, SlotGrid()).sync(graph.pod_ids(name))
        for kind, _ in BANDS:
            self._bands[kind].sync(set(graph.vertices(kind)))
        self._grow()

    def _grow(self) -> None:
        """Raise the high-water marks: band rows and grid-row heights only ever grow."""
        g = self.geometry
        for kind, _ in BANDS:
            rows = -(-self._bands[kind].size // self.band_columns)
            self._band_rows[kind] = max(self._band_rows[kind], rows)
        for name in self._cells.keys():
            row = self._cells.slot(name) // g.node_columns
            needed = _rows(self._pods[name].size, g.pods_per_row)
            self._row_height[row] = max(self._row_height.get(row, 1), needed)

    # -- geometry -------------------------------------------------------------------------
    @property
    def lane_width(self) -> float:
        g = self.geometry
        return g.lane_columns * g.pod_pitch[0] + 2 * g.padding - g.gap

    @property
    def node_width(self) -> float:
        g = self.geometry
        return g.pods_per_row * g.pod_pitch[0] + 2 * g.padding - g.gap

    @property
    def grid_x(self) -> float:
        return self.lane_width + self.geometry.box_gap

    @property
    def width(self) -> float:
        g = self.geometry
        return self.grid_x + g.node_columns * (self.node_width + g.box_gap) - g.box_gap

    @property
    def band_columns(self) -> int:
        g = self.geometry
        return max(1, int((self.width + g.box_gap) // (g.item_width + g.box_gap)))

    def band_top(self, kind: str) -> float:
        """The y where a band starts (bands never used take no room)."""
        g = self.geometry
        y = g.top_height
        for other, _ in BANDS:
            if other == kind:
                return y
            y += self._band_rows[other] * (g.item_height + g.box_gap)
        return y

    @property
    def body_top(self) -> float:
        return self.band_top("")

    def band_position(self, kind: str, vid: str) -> tuple[float, float]:
        g = self.geometry
        slot = self._bands[kind].slot(vid)
        col, row = slot % self.band_columns, slot // self.band_columns
        x = col * (g.item_width + g.box_gap) + g.item_width / 2
        y = self.band_top(kind) + row * (g.item_height + g.box_gap) + g.item_height / 2
        return (x, y)

    def _box_height(self, pod_rows: int) -> float:
        g = self.geometry
        return g.node_header + pod_rows * g.pod_pitch[1] + g.padding - g.gap

    def _grid_row_top(self, row: int) -> float:
        top = self.body_top
        for r in range(row):
            top += self._box_height(self._row_height.get(r, 1)) + self.geometry.box_gap
        return top

    def node_box(self, name: str) -> Box:
        g = self.geometry
        cell = self._cells.slot(name)
        col, row = cell % g.node_columns, cell // g.node_columns
        x0 = self.grid_x + col * (self.node_width + g.box_gap)
        y0 = self._grid_row_top(row)
        return Box(x0, y0, x0 + self.node_width, y0 + self._box_height(self._row_height.get(row, 1)))

    def lane_box(self) -> Box:
        g = self.geometry
        rows = _rows(self._pods[UNSCHEDULED].size, g.lane_columns)
        return Box(0, self.body_top, self.lane_width, self.body_top + self._box_height(rows))

    def pod_position(self, node: str | None, vid: str, box: Box | None = None) -> tuple[float, float]:
        """The centre of a pod's slot inside its node's box (or the lane when node is None).

        Pass the node's ``box`` (from :meth:`node_boxes`) when placing many pods.
        """
        g = self.geometry
        key = node or UNSCHEDULED
        per_row = g.lane_columns if key == UNSCHEDULED else g.pods_per_row
        if box is None:
            box = self.lane_box() if key == UNSCHEDULED else self.node_box(key)
        slot = self._pods[key].slot(vid)
        col, row = slot % per_row, slot // per_row
        pitch_x, pitch_y = g.pod_pitch
        return (box.x0 + g.padding + col * pitch_x + g.pod_width / 2,
                box.y0 + g.node_header + row * pitch_y + g.pod_height / 2)

    def node_boxes(self) -> dict[str, Box]:
        """Every node's box at once (cheaper than node_box per node for big grids)."""
        g = self.geometry
        tops, top = {}, self.body_top
        rows = 1 + max((self._cells.slot(n) // g.node_columns for n in self._cells.keys()), default=0)
        for r in range(rows):
            tops[r] = top
            top += self._box_height(self._row_height.get(r, 1)) + g.box_gap
        boxes = {}
        for name in self._cells.keys():
            cell = self._cells.slot(name)
            col, row = cell % g.node_columns, cell // g.node_columns
            x0 = self.grid_x + col * (self.node_width + g.box_gap)
            height = self._box_height(self._row_height.get(row, 1))
            boxes[name] = Box(x0, tops[row], x0 + self.node_width, tops[row] + height)
        return boxes

    def pod_slot(self, node: str | None, vid: str) -> int:
        return self._pods[node or UNSCHEDULED].slot(vid)

    # -- the summarised picture -------------------------------------------------------------
    def summary_box(self, name: str) -> Box:
        """A node's box in the summarised picture: a small fixed-size cell in the same order."""
        g = self.geometry
        cell = self._cells.slot(name)
        col, row = cell % g.summary_columns, cell // g.summary_columns
        x0 = g.summary_width + g.box_gap + col * (g.summary_width + g.box_gap)
        y0 = self.body_top + row * (g.summary_height + g.box_gap)
        return Box(x0, y0, x0 + g.summary_width, y0 + g.summary_height)

    def summary_lane_box(self) -> Box:
        g = self.geometry
        return Box(0, self.body_top, g.summary_width, self.body_top + g.summary_height)
