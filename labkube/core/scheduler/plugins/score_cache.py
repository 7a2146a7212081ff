"""Remember scores that depend only on the pod's requests and one node's state.

A labkube speed-up with no Kubernetes counterpart in 1.32 (kube-scheduler once had an
"equivalence cache" for predicates in the same spirit). NodeResourcesFit's and
NodeResourcesBalancedAllocation's scores for a node are a function of the pod's requests
and of that node alone; a node's ``generation`` changes whenever anything on it changes,
and generations are unique across all NodeInfos. So a score computed for (requests,
node generation) can be reused until the node changes — which, when a Deployment's
replicas are scheduled one after another, is most of the time.

Guarantees: never returns a score computed for another node state; bounded memory
(the table is dropped when more than ``max_signatures`` different requests were seen).
"""

from __future__ import annotations


class NodeScoreCache:
    def __init__(self, max_signatures: int = 32):
        self.max_signatures = max_signatures
        self._tables: dict = {}

    def table(self, signature) -> dict:
        """node name -> (generation, score) for pods with this request signature."""
        table = self._tables.get(signature)
        if table is None:
            if len(self._tables) >= self.max_signatures:
                self._tables.clear()
            table = self._tables[signature] = {}
        return table
