"""Why the scheduler put a pod where it did: a per-pod decision record.

kube-scheduler explains itself only in logs at high verbosity (``-v=10`` prints each
plugin's score per node). labkube keeps the same facts as data for the scheduler explainer
widget and for lessons:

* which nodes were looked at (``percentageOfNodesToScore`` may stop early) and, for each
  node that was filtered out, the plugin that rejected it, the status code and the reasons;
* for each feasible node, each score plugin's raw score, its normalized score (0..100),
  the weight and the weighted score, and the total;
* the chosen node — or the FailedScheduling message and what preemption proposed.

Guarantees: frozen dataclasses; ``to_dict()`` is JSON-ready and deterministic (node order is
the order the scheduler visited them); ``explain()`` is plain text a notebook can print.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rejection:
    """A node the Filter (or PreFilter) phase turned away."""

    node: str
    plugin: str
    code: str
    reasons: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"node": self.node, "plugin": self.plugin, "code": self.code,
                "reasons": list(self.reasons)}


@dataclass(frozen=True)
class PluginScores:
    """One score plugin's column: raw and normalized scores aligned with ``scored_nodes``."""

    plugin: str
    weight: int
    raw: tuple[int, ...]
    normalized: tuple[int, ...]

    @property
    def weighted(self) -> tuple[int, ...]:
        return tuple(s * self.weight for s in self.normalized)


@dataclass(frozen=True)
class NodeScore:
    """One plugin's score for one node."""

    plugin: str
    raw: int
    normalized: int
    weight: int

    @property
    def weighted(self) -> int:
        return self.normalized * self.weight

    def to_dict(self) -> dict:
        return {"plugin": self.plugin, "raw": self.raw, "normalized": self.normalized,
                "weight": self.weight, "weighted": self.weighted}


@dataclass(frozen=True)
class NodeDecision:
    """Everything the record says about one node."""

    node: str
    evaluated: bool
    feasible: bool
    rejection: Rejection | None
    scores: tuple[NodeScore, ...]
    total: int | None
    selected: bool


@dataclass(frozen=True)
class DecisionRecord:
    pod: str                              # namespace/name
    profile: str
    num_all_nodes: int
    num_nodes_to_find: int
    start_index: int
    evaluated: tuple[str, ...]            # nodes filtered, in visiting order
    rejections: tuple[Rejection, ...]
    feasible: tuple[str, ...]
    scored_nodes: tuple[str, ...]         # empty when there was nothing to compare
    scores: tuple[PluginScores, ...]
    totals: tuple[int, ...]
    selected: str | None
    message: str = ""                     # FailedScheduling text, when unschedulable
    pre_filter_message: str = ""
    nominated_node: str = ""
    victims: tuple[str, ...] = ()
    error: str = ""

    # -- lookups ---------------------------------------------------------------
    def rejection(self, node: str) -> Rejection | None:
        return next((r for r in self.rejections if r.node == node), None)

    def score_of(self, node: str, plugin: str | None = None) -> int | None:
        """The node's total (or one plugin's weighted) score; None if it was not scored."""
        if node not in self.scored_nodes:
            return None
        i = self.scored_nodes.index(node)
        if plugin is None:
            return self.totals[i]
        column = next((c for c in self.scores if c.plugin == plugin), None)
        return None if column is None else column.weighted[i]

    def node(self, name: str) -> NodeDecision:
        scores: tuple = ()
        total = None
        if name in self.scored_nodes:
            i = self.scored_nodes.index(name)
            scores = tuple(NodeScore(c.plugin, c.raw[i], c.normalized[i], c.weight) for c in self.scores)
            total = self.totals[i]
        return NodeDecision(name, name in self.evaluated, name in self.feasible,
                            self.rejection(name), scores, total, name == self.selected)

    def nodes(self) -> list[NodeDecision]:
        return [self.node(n) for n in self.evaluated]

    # -- output ------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "pod": self.pod,
            "profile": self.profile,
            "numAllNodes": self.num_all_nodes,
            "numNodesToFind": self.num_nodes_to_find,
            "startIndex": self.start_index,
            "evaluated": list(self.evaluated),
            "rejections": [r.to_dict() for r in self.rejections],
            "feasible": list(self.feasible),
            "scores": {
                node: {"total": self.totals[i],
                       "plugins": [NodeScore(c.plugin, c.raw[i], c.normalized[i], c.weight).to_dict()
                                   for c in self.scores]}
                for i, node in enumerate(self.scored_nodes)
            },
            "selected": self.selected,
            "message": self.message,
            "preFilterMessage": self.pre_filter_message,
            "nominatedNode": self.nominated_node,
            "victims": list(self.victims),
            "error": self.error,
        }

    def explain(self, limit: int = 20) -> str:
        """A plain-text account: the verdict, the rejections, then the score table."""
        lines = [self._headline(),
                 f"  {len(self.evaluated)} of {self.num_all_nodes} node(s) evaluated "
                 f"(start at index {self.start_index}, stop after {self.num_nodes_to_find} feasible), "
                 f"{len(self.feasible)} feasible"]
        if self.pre_filter_message:
            lines.append(f"  PreFilter rejected the pod: {self.pre_filter_message}")
        if self.rejections:
            lines.append("  Filtered out:")
            width = max(len(r.node) for r in self.rejections)
            for r in self.rejections[:limit]:
                lines.append(f"    {r.node:<{width}}  {r.plugin}: {', '.join(r.reasons)}")
            if len(self.rejections) > limit:
                lines.append(f"    ... and {len(self.rejections) - limit} more")
        if self.scored_nodes:
            lines.extend(self._score_table(limit))
        elif len(self.feasible) == 1:
            lines.append("  Only one feasible node: no scoring needed.")
        if self.nominated_node:
            lines.append(f"  Preemption nominated {self.nominated_node}, evicting: "
                         f"{', '.join(self.victims) or '(nobody)'}")
        return "\n".join(lines)

    def _headline(self) -> str:
        if self.selected:
            return f"Pod {self.pod} (profile {self.profile}): scheduled to {self.selected}"
        if self.error:
            return f"Pod {self.pod} (profile {self.profile}): error: {self.error}"
        return f"Pod {self.pod} (profile {self.profile}): unschedulable\n  {self.message}"

    def _score_table(self, limit: int) -> list[str]:
        order = sorted(range(len(self.scored_nodes)), key=lambda i: (-self.totals[i], i))[:limit]
        width = max(len(n) for n in self.scored_nodes)
        header = f"    {'node':<{width}}  " + "  ".join(
            f"{c.plugin}(x{c.weight})" for c in self.scores) + "  total"
        lines = ["  Scores (raw -> normalized x weight):", header]
        for i in order:
            cells = []
            for c in self.scores:
                cell = f"{c.raw[i]}->{c.normalized[i]}x{c.weight}={c.normalized[i] * c.weight}"
                cells.append(f"{cell:>{len(c.plugin) + 4}}")
            mark = "  <- selected" if self.scored_nodes[i] == self.selected else ""
            lines.append(f"    {self.scored_nodes[i]:<{width}}  " + "  ".join(cells)
                         + f"  {self.totals[i]}{mark}")
        if len(self.scored_nodes) > limit:
            lines.append(f"    ... and {len(self.scored_nodes) - limit} more")
        return lines
