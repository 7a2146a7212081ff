"""InterPodAffinity: place pods near (affinity) or away from (anti-affinity) other pods.

Mirrors pkg/scheduler/framework/plugins/interpodaffinity (filtering.go, scoring.go).
A term says "pods matching this label selector, in these namespaces, within the same
``topologyKey`` domain" (same node for ``kubernetes.io/hostname``, same zone for
``topology.kubernetes.io/zone``).

* PreFilter counts, per topology pair (key, value), (1) existing pods whose *required
  anti-affinity* matches the incoming pod, (2) existing pods matching all of the incoming
  pod's required affinity terms, (3) existing pods matching each required anti-affinity term.
* Filter, in this order:
  - ``node(s) didn't match pod affinity rules`` (UnschedulableAndUnresolvable) — the node
    lacks a term's topology key, or no matching pod is in its domain; except that the first
    pod of a group that is affine to itself may go anywhere that has the keys;
  - ``node(s) didn't match pod anti-affinity rules`` (Unschedulable);
  - ``node(s) didn't satisfy existing pods anti-affinity rules`` (Unschedulable).
* Score: per topology pair, + weight for each existing pod matching a preferred affinity
  term, − weight for a preferred anti-affinity term, and the symmetric terms of existing
  pods (their required affinity counts with weight 1, ``hardPodAffinityWeight``); a node
  sums the pairs of its labels; normalized min→0, max→100.

labkube keeps these counts up to date in the snapshot
(:mod:`~labkube.core.scheduler.affinity_index`) instead of recounting every pod each cycle.
"""

from __future__ import annotations

from labkube.core.scheduler.affinity_index import candidates as _candidates
from labkube.core.scheduler.framework import (MAX_NODE_SCORE, SKIP, UNSCHEDULABLE,
                                              UNSCHEDULABLE_AND_UNRESOLVABLE, Status)

NAME = "InterPodAffinity"
PRE_FILTER_STATE_KEY = "PreFilter" + NAME
PRE_SCORE_STATE_KEY = "PreScore" + NAME
ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules"
ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules"
ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules"
HARD_POD_AFFINITY_WEIGHT = 1

_SKIP = Status(SKIP, plugin=NAME)
_AFFINITY = Status(UNSCHEDULABLE_AND_UNRESOLVABLE, ERR_REASON_AFFINITY_RULES_NOT_MATCH, plugin=NAME)
_ANTI = Status(UNSCHEDULABLE, ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH, plugin=NAME)
_EXISTING = Status(UNSCHEDULABLE, ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH, plugin=NAME)


class PreFilterState:
    """Counts for one cycle. The ``*_maps`` are live views from the snapshot's
    :class:`~labkube.core.scheduler.affinity_index.AffinityIndex`; what preemption's dry
    run removes or adds goes to the ``*_delta`` dicts instead, so the views stay untouched."""

    __slots__ = ("pod", "existing_anti_maps", "existing_anti_delta", "affinity_maps",
                 "affinity_delta", "anti_maps", "anti_delta")

    def __init__(self, pod):
        self.pod = pod
        self.existing_anti_maps: list = []   # {(key, value): pods}, one per matching term
        self.existing_anti_delta: dict = {}
        self.affinity_maps: list = []        # per required affinity term: {value: pods}
        self.affinity_delta: list = [{} for _ in pod.required_affinity]
        self.anti_maps: list = []            # per required anti-affinity term: {value: pods}
        self.anti_delta: list = [{} for _ in pod.required_anti_affinity]

    def clone(self) -> "PreFilterState":
        copy = PreFilterState(self.pod)
        copy.existing_anti_maps, copy.affinity_maps, copy.anti_maps = (
            self.existing_anti_maps, self.affinity_maps, self.anti_maps)
        copy.existing_anti_delta = dict(self.existing_anti_delta)
        copy.affinity_delta = [dict(d) for d in self.affinity_delta]
        copy.anti_delta = [dict(d) for d in self.anti_delta]
        return copy

    def existing_anti(self, pair) -> int:
        return self.existing_anti_delta.get(pair, 0) + sum(m.get(pair, 0) for m in self.existing_anti_maps)

    def affinity(self, i: int, value: str) -> int:
        return self.affinity_maps[i].get(value, 0) + self.affinity_delta[i].get(value, 0)

    def anti(self, i: int, value: str) -> int:
        return self.anti_maps[i].get(value, 0) + self.anti_delta[i].get(value, 0)

    def any_affinity(self) -> bool:
        return any(self.affinity(i, v) > 0 for i, m in enumerate(self.affinity_maps)
                   for v in set(m) | set(self.affinity_delta[i]))


def _ns_labels(snapshot, namespace: str) -> dict:
    return snapshot.namespaces.get(namespace, {}) if snapshot is not None else {}


def _bump(counts: dict, key, by: int = 1) -> None:
    counts[key] = counts.get(key, 0) + by


def matches_all(terms, info, snapshot) -> bool:
    ns = _ns_labels(snapshot, info.namespace)
    return all(t.matches(info, ns) for t in terms)


def _all_terms_counts(pod, snapshot) -> list:
    """Per required affinity term: {value: placed pods matching *all* the terms}."""
    maps = [{} for _ in pod.required_affinity]
    for info, node in _candidates(snapshot, pod.required_affinity[0]):
        if info.uid == pod.uid or not matches_all(pod.required_affinity, info, snapshot):
            continue
        for i, term in enumerate(pod.required_affinity):
            value = node.labels.get(term.topology_key)
            if value is not None:
                _bump(maps[i], value)
    return maps


class InterPodAffinity:
    name = NAME

    # -- filtering ------------------------------------------------------------
    def pre_filter(self, state, pod):
        snapshot = state.snapshot
        index = snapshot.affinity_index
        if not pod.required_affinity and not pod.required_anti_affinity and not index.existing_anti:
            return _SKIP
        s = PreFilterState(pod)
        own_ns = _ns_labels(snapshot, pod.namespace)
        s.existing_anti_maps = [counts for term, counts in index.existing_anti.values()
                                if term.matches(pod, own_ns)]
        if len(pod.required_affinity) == 1:
            s.affinity_maps = [index.matching(pod.required_affinity[0])]
        elif pod.required_affinity:
            s.affinity_maps = _all_terms_counts(pod, snapshot)
        s.anti_maps = [index.matching(term) for term in pod.required_anti_affinity]
        state.write(PRE_FILTER_STATE_KEY, s)
        return None

    def pre_filter_update(self, state, pod, other, node, sign: int) -> None:
        """PreFilterExtensions AddPod/RemovePod: keep counts right while preemption simulates."""
        s = state.get(PRE_FILTER_STATE_KEY)
        if s is None:
            return
        snapshot = state.snapshot
        labels = node.labels
        for term in other.required_anti_affinity:
            value = labels.get(term.topology_key)
            if value is not None and term.matches(pod, _ns_labels(snapshot, pod.namespace)):
                _bump(s.existing_anti_delta, (term.topology_key, value), sign)
        if pod.required_affinity and other.uid != pod.uid and matches_all(pod.required_affinity, other, snapshot):
            for i, term in enumerate(pod.required_affinity):
                value = labels.get(term.topology_key)
                if value is not None:
                    _bump(s.affinity_delta[i], value, sign)
        for i, term in enumerate(pod.required_anti_affinity):
            value = labels.get(term.topology_key)
            if value is not None and term.matches(other, _ns_labels(snapshot, other.namespace)):
                _bump(s.anti_delta[i], value, sign)

    def filter(self, state, pod, node):
        s = state.get(PRE_FILTER_STATE_KEY)
        if s is None:
            return None
        labels = node.labels
        if pod.required_affinity and not self._satisfies_affinity(s, pod, labels, state.snapshot):
            return _AFFINITY
        for i, term in enumerate(pod.required_anti_affinity):
            value = labels.get(term.topology_key)
            if value is not None and s.anti(i, value) > 0:
                return _ANTI
        if s.existing_anti_maps or s.existing_anti_delta:
            for pair in labels.items():
                if s.existing_anti(pair) > 0:
                    return _EXISTING
        return None

    @staticmethod
    def _satisfies_affinity(s, pod, labels, snapshot) -> bool:
        pods_exist = True
        for i, term in enumerate(pod.required_affinity):
            value = labels.get(term.topology_key)
            if value is None:
                return False
            if s.affinity(i, value) <= 0:
                pods_exist = False
        if pods_exist:
            return True
        # The first pod of a group affine to itself: allowed if nothing else matches yet.
        return not s.any_affinity() and matches_all(pod.required_affinity, pod, snapshot)

    # -- scoring ----------------------------------------------------------------
    def pre_score(self, state, pod, nodes):
        snapshot = state.snapshot
        has_constraints = bool(pod.preferred_affinity or pod.preferred_anti_affinity)
        if not has_constraints and not snapshot.num_scoring_affinity_pods:
            return _SKIP  # nothing placed has terms that could score this pod
        own_ns = _ns_labels(snapshot, pod.namespace)
        topology: dict = {}
        sources = snapshot.list() if has_constraints else list(snapshot.nodes_with_affinity_pods.values())
        for node in sources:
            if not node.labels:
                continue
            existing_pods = node.pods if has_constraints else node.pods_with_affinity
            for existing in existing_pods.values():
                self._process_existing(topology, pod, existing, node, own_ns, snapshot)
        if not topology:
            return _SKIP
        state.write(PRE_SCORE_STATE_KEY, topology)
        return None

    @staticmethod
    def _process_existing(topology, pod, existing, node, own_ns, snapshot) -> None:
        def credit(terms, target, ns_labels, sign, fixed_weight=None):
            for term in terms:
                if term.matches(target, ns_labels):
                    value = node.labels.get(term.topology_key)
                    if value is not None:
                        per_key = topology.setdefault(term.topology_key, {})
                        weight = term.weight if fixed_weight is None else fixed_weight
                        per_key[value] = per_key.get(value, 0) + sign * weight

        existing_ns = _ns_labels(snapshot, existing.namespace)
        if pod.preferred_affinity:
            credit(pod.preferred_affinity, existing, existing_ns, 1)
        if pod.preferred_anti_affinity:
            credit(pod.preferred_anti_affinity, existing, existing_ns, -1)
        if existing.required_affinity:
            credit(existing.required_affinity, pod, own_ns, 1, HARD_POD_AFFINITY_WEIGHT)
        if existing.preferred_affinity:
            credit(existing.preferred_affinity, pod, own_ns, 1)
        if existing.preferred_anti_affinity:
            credit(existing.preferred_anti_affinity, pod, own_ns, -1)

    def score(self, state, pod, node):
        topology = state.read(PRE_SCORE_STATE_KEY)
        total = 0
        for key, values in topology.items():
            value = node.labels.get(key)
            if value is not None:
                total += values.get(value, 0)
        return total

    def normalize_score(self, state, pod, scores):
        if not scores:
            return None
        low, high = min(scores.values()), max(scores.values())
        spread = high - low
        for name, score in scores.items():
            scores[name] = int(MAX_NODE_SCORE * ((score - low) / spread)) if spread > 0 else 0
        return None

    def events_to_register(self):
        return [("Pod", "Add"), ("Pod", "UpdatePodLabel"), ("Pod", "Delete"), ("Node", "Add"), ("Node", "UpdateNodeLabel")]


def new(args=None, handle=None) -> InterPodAffinity:
    return InterPodAffinity()
