"""PodTopologySpread: spread matching pods evenly across topology domains.

Mirrors pkg/scheduler/framework/plugins/podtopologyspread (1.32). A constraint
``{maxSkew, topologyKey, whenUnsatisfiable, labelSelector, minDomains, matchLabelKeys,
nodeAffinityPolicy, nodeTaintsPolicy}`` counts pods matching the selector (same namespace,
not terminating) per domain (value of ``topologyKey``) over the nodes that pass the
inclusion policies (node affinity honoured, taints ignored by default).

* Filter (``DoNotSchedule`` constraints): a node without the topology key is rejected
  UnschedulableAndUnresolvable, ``node(s) didn't match pod topology spread constraints
  (missing required label)``; a node where ``count(domain) + 1 − min(count) > maxSkew``
  (the +1 only if the pod matches its own selector; min taken as 0 while fewer than
  ``minDomains`` domains exist) is Unschedulable, ``node(s) didn't match pod topology
  spread constraints``.
* Score (``ScheduleAnyway`` constraints): per constraint ``count × log(domains + 2) +
  (maxSkew − 1)``, rounded; normalized so the node with the fewest matching pods scores 100.
* Pods that declare no constraints get the system defaults — ``kubernetes.io/hostname``
  maxSkew 3 and ``topology.kubernetes.io/zone`` maxSkew 5, both ScheduleAnyway — with a
  selector built from the Services, ReplicaSets, StatefulSets and ReplicationControllers
  that select or own the pod (none: no spreading).

Matching pods per node are counted once and then kept up to date by the snapshot
(:mod:`~labkube.core.scheduler.affinity_index`), so a cycle costs one pass over the nodes,
not over every pod.
"""

from __future__ import annotations

import json
import math

from labkube.core.scheduler.framework import (MAX_NODE_SCORE, SKIP, UNSCHEDULABLE,
                                              UNSCHEDULABLE_AND_UNRESOLVABLE, Status)
from labkube.core.scheduler.helpers import (RequiredNodeAffinity, compile_selector,
                                            first_untolerated_taint)

NAME = "PodTopologySpread"
PRE_FILTER_STATE_KEY = "PreFilter" + NAME
PRE_SCORE_STATE_KEY = "PreScore" + NAME
ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints"
ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + " (missing required label)"
LABEL_HOSTNAME = "kubernetes.io/hostname"
LABEL_ZONE = "topology.kubernetes.io/zone"
DO_NOT_SCHEDULE, SCHEDULE_ANYWAY = "DoNotSchedule", "ScheduleAnyway"

#: ``config.PodTopologySpreadArgs`` with ``defaultingType: System``.
SYSTEM_DEFAULT_CONSTRAINTS = (
    {"topologyKey": LABEL_HOSTNAME, "whenUnsatisfiable": SCHEDULE_ANYWAY, "maxSkew": 3},
    {"topologyKey": LABEL_ZONE, "whenUnsatisfiable": SCHEDULE_ANYWAY, "maxSkew": 5},
)

_SKIP = Status(SKIP, plugin=NAME)
_MISSING_LABEL = Status(UNSCHEDULABLE_AND_UNRESOLVABLE, ERR_REASON_NODE_LABEL_NOT_MATCH, plugin=NAME)
_SKEW = Status(UNSCHEDULABLE, ERR_REASON_CONSTRAINTS_NOT_MATCH, plugin=NAME)


class Constraint:
    """``topologySpreadConstraint``: one parsed constraint with its selector compiled."""

    __slots__ = ("max_skew", "topology_key", "selector", "selector_key", "min_domains",
                 "honor_affinity", "honor_taints")

    def __init__(self, raw: dict, selector, selector_key):
        self.max_skew = int(raw.get("maxSkew") or 1)
        self.topology_key = raw.get("topologyKey", "")
        self.selector = selector
        self.selector_key = selector_key  # identifies the selector for the snapshot's counts
        self.min_domains = int(raw.get("minDomains") or 1)
        self.honor_affinity = (raw.get("nodeAffinityPolicy") or "Honor") == "Honor"
        self.honor_taints = (raw.get("nodeTaintsPolicy") or "Ignore") == "Honor"

    def includes(self, pod, node, required: RequiredNodeAffinity) -> bool:
        """``matchNodeInclusionPolicies``."""
        if self.honor_affinity and not required.matches(node.labels, node.name):
            return False
        if self.honor_taints and node.taints and first_untolerated_taint(
                node.taints, pod.tolerations, ("NoSchedule", "NoExecute")) is not None:
            return False
        return True


def _merged_selector(raw: dict, pod_labels: dict):
    """The label selector, with ``matchLabelKeys`` values taken from the pod merged in;
    returns (predicate, key)."""
    base = compile_selector(raw.get("labelSelector"))
    extra = {k: pod_labels[k] for k in raw.get("matchLabelKeys") or () if k in pod_labels}
    pairs = tuple(sorted(extra.items()))
    key = ("declared", json.dumps(raw.get("labelSelector"), sort_keys=True), pairs)
    if not extra:
        return base, key
    return (lambda labels: base(labels) and all(labels.get(k) == v for k, v in pairs)), key


def _owner_selector(pod, snapshot):
    """``helper.DefaultSelector``: Services selecting the pod, plus its controller's selector."""
    label_set: dict = {}
    for svc in snapshot.services:
        meta, spec = svc.get("metadata") or {}, svc.get("spec") or {}
        selector = spec.get("selector")
        if meta.get("namespace", "default") != pod.namespace or not selector:
            continue
        if all(pod.labels.get(k) == v for k, v in selector.items()):
            label_set.update(selector)
    extra = None
    owner = next((r for r in (pod.pod.get("metadata") or {}).get("ownerReferences") or ()
                  if r.get("controller")), None)
    if owner is not None:
        kinds = {("v1", "ReplicationController"): snapshot.replication_controllers,
                 ("apps/v1", "ReplicaSet"): snapshot.replica_sets,
                 ("apps/v1", "StatefulSet"): snapshot.stateful_sets}
        for obj in kinds.get((owner.get("apiVersion"), owner.get("kind")), ()):
            meta = obj.get("metadata") or {}
            if meta.get("name") == owner.get("name") and meta.get("namespace", "default") == pod.namespace:
                selector = (obj.get("spec") or {}).get("selector")
                if owner.get("kind") == "ReplicationController":
                    label_set.update(selector or {})
                elif selector:
                    extra = selector
    if not label_set and not extra:
        return None
    pairs = tuple(sorted(label_set.items()))
    extra_match = compile_selector(extra) if extra else None
    key = ("default", pairs, json.dumps(extra, sort_keys=True))
    return (lambda labels: (all(labels.get(k) == v for k, v in pairs)
                            and (extra_match is None or extra_match(labels)))), key


def constraints_for(pod, snapshot, when: str) -> tuple[list[Constraint], bool]:
    """The pod's constraints of kind ``when`` (or the system defaults); and whether defaulted."""
    declared = pod.spec.get("topologySpreadConstraints") or ()
    if declared:
        return [Constraint(c, *_merged_selector(c, pod.labels)) for c in declared
                if c.get("whenUnsatisfiable", DO_NOT_SCHEDULE) == when], False
    defaults = [c for c in SYSTEM_DEFAULT_CONSTRAINTS if c["whenUnsatisfiable"] == when]
    if not defaults:
        return [], True
    owner = _owner_selector(pod, snapshot)
    if owner is None:
        return [], True
    return [Constraint(c, *owner) for c in defaults], True


def count_matching(node, selector, namespace: str) -> int:
    """``countPodsMatchSelector``: same namespace, not terminating, labels match."""
    return sum(1 for p in node.pods.values()
               if p.namespace == namespace and not p.terminating and selector(p.labels))


def per_node_counts(snapshot, constraint, namespace: str) -> dict:
    """{node name: count_matching(...)} kept up to date by the snapshot."""
    return snapshot.affinity_index.pods_per_node(namespace, constraint.selector_key, constraint.selector)


class PreFilterState:
    __slots__ = ("constraints", "counts", "required")

    def __init__(self, constraints, required):
        self.constraints = constraints
        self.required = required
        self.counts: dict = {}  # (key, value) -> matching pods

    def clone(self) -> "PreFilterState":
        copy = PreFilterState(self.constraints, self.required)
        copy.counts = dict(self.counts)
        return copy

    def min_match(self, key: str, min_domains: int) -> int:
        values = [n for (k, _), n in self.counts.items() if k == key]
        if len(values) < min_domains:
            return 0
        return min(values, default=0)


class PodTopologySpread:
    name = NAME

    # -- filtering ------------------------------------------------------------
    def pre_filter(self, state, pod):
        constraints, _ = constraints_for(pod, state.snapshot, DO_NOT_SCHEDULE)
        if not constraints:
            return _SKIP
        required = RequiredNodeAffinity(pod.pod)
        s = PreFilterState(constraints, required)
        per_node = [per_node_counts(state.snapshot, c, pod.namespace) for c in constraints]
        for node in state.snapshot.list():
            if not all(c.topology_key in node.labels for c in constraints):
                continue
            for c, counts in zip(constraints, per_node):
                if c.includes(pod, node, required):
                    pair = (c.topology_key, node.labels[c.topology_key])
                    s.counts[pair] = s.counts.get(pair, 0) + counts.get(node.name, 0)
        state.write(PRE_FILTER_STATE_KEY, s)
        return None

    def pre_filter_update(self, state, pod, other, node, sign: int) -> None:
        """PreFilterExtensions AddPod/RemovePod: keep counts right while preemption simulates."""
        s = state.get(PRE_FILTER_STATE_KEY)
        if s is None or other.namespace != pod.namespace:
            return
        if not all(c.topology_key in node.labels for c in s.constraints):
            return
        for c in s.constraints:
            if c.includes(pod, node, s.required) and c.selector(other.labels):
                pair = (c.topology_key, node.labels[c.topology_key])
                s.counts[pair] = s.counts.get(pair, 0) + sign

    def filter(self, state, pod, node):
        s = state.get(PRE_FILTER_STATE_KEY)
        if s is None:
            return None
        for c in s.constraints:
            value = node.labels.get(c.topology_key)
            if value is None:
                return _MISSING_LABEL
            self_match = 1 if c.selector(pod.labels) else 0
            skew = s.counts.get((c.topology_key, value), 0) + self_match - s.min_match(c.topology_key, c.min_domains)
            if skew > c.max_skew:
                return _SKEW
        return None

    # -- scoring ----------------------------------------------------------------
    def pre_score(self, state, pod, nodes):
        snapshot = state.snapshot
        if not nodes or not len(snapshot):
            return _SKIP
        constraints, defaulted = constraints_for(pod, snapshot, SCHEDULE_ANYWAY)
        if not constraints:
            return _SKIP
        require_all = not defaulted
        ignored = set()
        counts: dict = {}
        sizes = [0] * len(constraints)
        for node in nodes:
            if require_all and not all(c.topology_key in node.labels for c in constraints):
                ignored.add(node.name)
                continue
            for i, c in enumerate(constraints):
                if c.topology_key == LABEL_HOSTNAME:
                    continue
                pair = (c.topology_key, node.labels.get(c.topology_key, ""))
                if pair not in counts:
                    counts[pair] = 0
                    sizes[i] += 1
        weights = []
        for i, c in enumerate(constraints):
            size = len(nodes) - len(ignored) if c.topology_key == LABEL_HOSTNAME else sizes[i]
            weights.append(math.log(size + 2))
        required = RequiredNodeAffinity(pod.pod)
        per_node = [per_node_counts(snapshot, c, pod.namespace) for c in constraints]
        for c, matching in zip(constraints, per_node):
            if c.topology_key == LABEL_HOSTNAME:
                continue  # counted per node in Score
            everyone = required.empty and not c.honor_taints
            for name, count in matching.items():  # only nodes that have matching pods
                node = snapshot.get(name)
                if require_all and not all(k.topology_key in node.labels for k in constraints):
                    continue
                pair = (c.topology_key, node.labels.get(c.topology_key, ""))
                if pair in counts and (everyone or c.includes(pod, node, required)):
                    counts[pair] += count
        state.write(PRE_SCORE_STATE_KEY, (constraints, counts, weights, ignored, per_node))
        return None

    def score(self, state, pod, node):
        constraints, counts, weights, ignored, per_node = state.read(PRE_SCORE_STATE_KEY)
        if node.name in ignored:
            return 0
        total = 0.0
        for c, weight, matching in zip(constraints, weights, per_node):
            value = node.labels.get(c.topology_key)
            if value is None:
                continue
            if c.topology_key == LABEL_HOSTNAME:
                count = matching.get(node.name, 0)
            else:
                count = counts.get((c.topology_key, value), 0)
            total += count * weight + (c.max_skew - 1)
        return _round_half_away(total)

    def score_nodes(self, state, pod, nodes):
        constraints, counts, weights, ignored, per_node = state.read(PRE_SCORE_STATE_KEY)
        plan = [(c.topology_key, c.topology_key == LABEL_HOSTNAME, w, c.max_skew - 1, m)
                for c, w, m in zip(constraints, weights, per_node)]
        out = []
        for node in nodes:
            name, labels, total = node.name, node.labels, 0.0
            if name in ignored:
                out.append(0)
                continue
            for key, per_host, weight, skew, matching in plan:
                value = labels.get(key)
                if value is not None:
                    count = matching.get(name, 0) if per_host else counts.get((key, value), 0)
                    total += count * weight + skew
            out.append(int(total + 0.5))  # math.Round for a non-negative score
        return out

    def normalize_score(self, state, pod, scores):
        ignored = state.read(PRE_SCORE_STATE_KEY)[3]
        valid = [s for n, s in scores.items() if n not in ignored]
        low = min(valid, default=0)
        high = max(valid, default=0)
        for name, score in scores.items():
            if name in ignored:
                scores[name] = 0
            elif high == 0:
                scores[name] = MAX_NODE_SCORE
            else:
                scores[name] = MAX_NODE_SCORE * (high + low - score) // high
        return None

    def events_to_register(self):
        return [("Pod", "Add"), ("Pod", "Update"), ("Pod", "Delete"), ("Node", "Add"), ("Node", "Update")]


def _round_half_away(x: float) -> int:
    """Go's ``math.Round``: halves away from zero (Python's round() goes to even)."""
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def new(args=None, handle=None) -> PodTopologySpread:
    return PodTopologySpread()
