"""NodeAffinity: ``nodeSelector`` and ``affinity.nodeAffinity``, required and preferred.

Mirrors pkg/scheduler/framework/plugins/nodeaffinity.

* PreFilter: Skip for pods with neither nodeSelector nor required node affinity. When every
  required term pins ``metadata.name`` (``matchFields``), only those nodes are filtered
  (a PreFilterResult); terms that pin disjoint names reject the pod with
  ``pod affinity terms conflict``.
* Filter: the node must carry every nodeSelector label and match at least one required
  term; otherwise UnschedulableAndUnresolvable, ``node(s) didn't match Pod's node affinity/selector``.
* Score: the sum of the weights of the preferred terms the node matches; normalized so the
  best node scores 100 (PreScore answers Skip when the pod prefers nothing).
"""

from __future__ import annotations

from labkube.core.scheduler.framework import (SKIP, UNSCHEDULABLE_AND_UNRESOLVABLE,
                                              PreFilterResult, Status)
from labkube.core.scheduler.helpers import RequiredNodeAffinity, term_matches
from labkube.core.scheduler.plugins.normalize import default_normalize_score

NAME = "NodeAffinity"
ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector"
ERR_REASON_CONFLICT = "pod affinity terms conflict"
PRE_FILTER_STATE_KEY = "PreFilter" + NAME
PRE_SCORE_STATE_KEY = "PreScore" + NAME

_SKIP = Status(SKIP, plugin=NAME)
_REJECT = Status(UNSCHEDULABLE_AND_UNRESOLVABLE, ERR_REASON_POD, plugin=NAME)


def _node_names_pinned(terms) -> frozenset[str] | None:
    """Names every term restricts ``metadata.name`` to (In); None if some term does not."""
    names: set[str] = set()
    for term in terms:
        term_names = None
        for req in term.get("matchFields") or ():
            if req.get("key") == "metadata.name" and req.get("operator") == "In":
                values = set(req.get("values") or ())
                term_names = values if term_names is None else term_names & values
        if term_names is None:
            return None
        names |= term_names
    return frozenset(names)


class NodeAffinity:
    name = NAME

    def pre_filter(self, state, pod):
        required = RequiredNodeAffinity(pod.pod)
        if required.empty:
            return _SKIP
        state.write(PRE_FILTER_STATE_KEY, required)
        if not required.terms:
            return None
        names = _node_names_pinned(required.terms)
        if names is None:
            return None
        if not names:
            return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, ERR_REASON_CONFLICT, plugin=NAME)
        return PreFilterResult(names)

    def filter(self, state, pod, node):
        required = state.get(PRE_FILTER_STATE_KEY) or RequiredNodeAffinity(pod.pod)
        return None if required.matches(node.labels, node.name) else _REJECT

    def pre_score(self, state, pod, nodes):
        preferred = ((((pod.spec.get("affinity") or {}).get("nodeAffinity") or {})
                      .get("preferredDuringSchedulingIgnoredDuringExecution")) or ())
        terms = [(int(p.get("weight") or 0), p.get("preference") or {}) for p in preferred]
        terms = [(w, t) for w, t in terms if w]
        if not terms:
            return _SKIP
        state.write(PRE_SCORE_STATE_KEY, terms)
        return None

    def score(self, state, pod, node):
        terms = state.read(PRE_SCORE_STATE_KEY)
        return sum(w for w, term in terms if term_matches(term, node.labels, node.name))

    def normalize_score(self, state, pod, scores):
        default_normalize_score(scores)
        return None

    def events_to_register(self):
        return [("Node", "Add"), ("Node", "UpdateNodeLabel")]


def new(args=None, handle=None) -> NodeAffinity:
    return NodeAffinity()
