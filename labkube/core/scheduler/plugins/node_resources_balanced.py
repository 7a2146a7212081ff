"""NodeResourcesBalancedAllocation: prefer nodes whose cpu and memory fill up evenly.

Mirrors pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go (1.32).
For each resource (cpu and memory by default) the fraction
``(requested on node + requested by pod) / allocatable`` (capped at 1, actual requests —
no non-zero defaults); the score is ``(1 − std) × 100`` truncated, where std is the
standard deviation of the fractions — for two resources simply ``|f1 − f2| / 2``.
Resources a node has none of are left out. (Scores are remembered per node state, see
:mod:`~labkube.core.scheduler.plugins.score_cache`, or kept in a per-node column of the
snapshot, see ``Snapshot.node_column``.)
"""

from __future__ import annotations

import math

from labkube.core.scheduler.helpers import other_resource_usage
from labkube.core.scheduler.plugins.score_cache import (NodeScoreCache, cached_scores,
                                                         generations, missing)

NAME = "NodeResourcesBalancedAllocation"
DEFAULT_RESOURCES = ("cpu", "memory")


def balanced_score(fractions: list[float]) -> int:
    """``balancedResourceScorer``."""
    if len(fractions) == 2:
        std = abs((fractions[0] - fractions[1]) / 2)
    elif len(fractions) > 2:
        mean = sum(fractions) / len(fractions)
        std = math.sqrt(sum((f - mean) ** 2 for f in fractions) / len(fractions))
    else:
        std = 0.0
    return int((1 - std) * 100)


def _usage(node, pod, resource: str) -> tuple[int, int]:
    if resource == "cpu":
        return node.allocatable.milli_cpu, node.requested.milli_cpu + pod.requests.milli_cpu
    if resource == "memory":
        return node.allocatable.memory, node.requested.memory + pod.requests.memory
    return other_resource_usage(node, pod, resource)


class BalancedAllocation:
    name = NAME

    def __init__(self, resources=DEFAULT_RESOURCES):
        self.resources = tuple(resources)
        self._cache = NodeScoreCache()

    def score(self, state, pod, node):
        fractions = []
        for resource in self.resources:
            alloc, requested = _usage(node, pod, resource)
            if alloc:
                fractions.append(min(requested / alloc, 1.0))
        return balanced_score(fractions)

    def score_nodes(self, state, pod, nodes):
        if self.resources != DEFAULT_RESOURCES:
            return [self.score(state, pod, n) for n in nodes]
        pcpu, pmem = pod.requests.milli_cpu, pod.requests.memory
        if state is not None:
            scores = state.column(nodes, (NAME, id(self), pcpu, pmem), self._scorer(pod), self)
            if scores is not None:
                return scores
        table = self._cache.table((pcpu, pmem))
        scores = cached_scores(table, generations(state, nodes))
        for i in missing(scores):
            n = nodes[i]
            table[n.generation] = scores[i] = self._balanced(pod, n)
        return scores

    def _balanced(self, pod, n) -> int:
        """:meth:`score` with the default resources (cpu and memory)."""
        acpu, amem = n.alloc_cpu, n.alloc_memory
        if acpu and amem:
            fc = min((n.req_cpu + pod.requests.milli_cpu) / acpu, 1.0)
            fm = min((n.req_memory + pod.requests.memory) / amem, 1.0)
            return int((1 - abs((fc - fm) / 2)) * 100)
        return self.score(None, pod, n)

    def _scorer(self, pod):
        """node -> score for pods requesting what ``pod`` requests (a per-node column)."""
        return lambda node: self._balanced(pod, node)

    def events_to_register(self):
        return [("Pod", "Delete"), ("Node", "Add"), ("Node", "Update")]


def new(args=None, handle=None) -> BalancedAllocation:
    resources = (args or {}).get("resources")
    if resources:
        return BalancedAllocation(tuple(r["name"] for r in resources))
    return BalancedAllocation()
