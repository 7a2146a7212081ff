"""Remember scores that depend only on the pod's requests and one node's state.

A labkube speed-up with no Kubernetes counterpart in 1.32 (kube-scheduler once had an
"equivalence cache" for predicates in the same spirit). NodeResourcesFit's and
NodeResourcesBalancedAllocation's scores for a node are a function of the pod's requests
and of that node alone. A node's ``generation`` changes whenever anything on it changes,
and generations are unique across all NodeInfos, so a generation names one state of one
node: a score computed for (requests, generation) can be reused until the node changes —
which, when a Deployment's replicas are scheduled one after another, is most of the time.

Usage in a plugin's ``score_nodes``::

    table = self._cache.table(signature)          # generation -> score, for these requests
    scores = cached_scores(table, generations(state, nodes))
    for i in missing(scores): ... compute, then table[nodes[i].generation] = scores[i] = ...

Guarantees: never returns a score computed for another node state; bounded memory (a
table is emptied when it holds more than ``max_entries`` generations — old generations
are never asked for again — and all tables are dropped when more than
``max_signatures`` different requests were seen).
"""

from __future__ import annotations

from itertools import repeat
from operator import attrgetter

#: ``cached_scores`` puts this where a score is not known (real scores are never negative).
MISSING = -1
_GENERATION = attrgetter("generation")
_STATE_KEY = "labkube/node-generations"


class NodeScoreCache:
    def __init__(self, max_signatures: int = 16, max_entries: int = 65536):
        self.max_signatures = max_signatures
        self.max_entries = max_entries
        self._tables: dict = {}

    def table(self, signature) -> dict:
        """generation -> score, for pods with this request signature."""
        table = self._tables.get(signature)
        if table is None:
            if len(self._tables) >= self.max_signatures:
                self._tables.clear()
            table = self._tables[signature] = {}
        elif len(table) > self.max_entries:
            table.clear()
        return table


def generations(state, nodes: list) -> list:
    """The nodes' generations, computed once per cycle and list of nodes (kept in ``state``)."""
    if state is None:
        return list(map(_GENERATION, nodes))
    kept = state.get(_STATE_KEY)
    if kept is not None and kept[0] is nodes and len(kept[1]) == len(nodes):
        return kept[1]
    gens = list(map(_GENERATION, nodes))
    state.write(_STATE_KEY, (nodes, gens))
    return gens


def cached_scores(table: dict, gens: list) -> list:
    """The known score per generation, :data:`MISSING` where there is none."""
    return list(map(table.get, gens, repeat(MISSING)))


def missing(scores: list) -> list[int]:
    """The positions of :data:`MISSING` scores (usually few: counted and found in C)."""
    out: list[int] = []
    at = 0
    for _ in range(scores.count(MISSING)):
        at = scores.index(MISSING, at)
        out.append(at)
        at += 1
    return out
