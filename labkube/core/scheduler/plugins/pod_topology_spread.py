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

Matching pods per node — and per domain of a topology key — are counted once and then kept
up to date by the snapshot (:mod:`~labkube.core.scheduler.affinity_index`), so a cycle
costs one pass over the feasible nodes, not over every pod. kube-scheduler's PreScore walks
every node to sum each domain; when every node counts (the system defaults, no node
affinity) labkube reads the snapshot's per-domain sums instead, and it only sums domains
Score will read (those of feasible nodes that carry the key). Score computes each distinct
combination of counts once; the per-node counts of a window of consecutive feasible nodes
are sliced from a column the snapshot keeps (``Snapshot.node_column``). The results are the
same as kube-scheduler's, number for number.
"""

from __future__ import annotations

import json
import math
import operator
from itertools import repeat

from labkube.core.scheduler.framework import (MAX_NODE_SCORE, SKIP, UNSCHEDULABLE,
                                              UNSCHEDULABLE_AND_UNRESOLVABLE, ScoreList, Status)
from labkube.core.scheduler.helpers import (RequiredNodeAffinity, compile_selector, has_all_labels,
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
    has_extra = has_all_labels(pairs)
    return (lambda labels: base(labels) and has_extra(labels)), key


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
    owner = _controller_ref(pod)
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
    has_pairs = has_all_labels(pairs)
    if extra_match is None:
        return has_pairs, key
    if not pairs:
        return extra_match, key
    return (lambda labels: has_pairs(labels) and extra_match(labels)), key


class OwnerSelectors:
    """:func:`_owner_selector`'s answers, remembered while the snapshot's lists of Services,
    ReplicaSets, StatefulSets and ReplicationControllers stay the same lists (the scheduler
    replaces a list when one of its objects changes): the replicas of one ReplicaSet ask the
    same question one after another."""

    MAX_ANSWERS = 1024

    def __init__(self):
        self._sources: tuple = ()
        self._answers: dict = {}
        self._built: dict = {}  # whenUnsatisfiable -> (answer, its default Constraints)

    def get(self, pod, snapshot):
        sources = (snapshot.services, snapshot.replica_sets, snapshot.stateful_sets,
                   snapshot.replication_controllers)  # a new snapshot has new lists
        kept = self._sources
        if len(kept) != len(sources) or not all(map(operator.is_, kept, sources)):
            self._sources, self._answers = sources, {}
        owner = _controller_ref(pod)
        key = (pod.namespace, frozenset(pod.labels.items()),
               None if owner is None else (owner.get("apiVersion"), owner.get("kind"), owner.get("name")))
        answer = self._answers.get(key, self)
        if answer is self:
            if len(self._answers) >= self.MAX_ANSWERS:
                self._answers.clear()
            answer = self._answers[key] = _owner_selector(pod, snapshot)
        return answer


    def default_constraints(self, owner: tuple, when: str, defaults: list) -> list:
        """``[Constraint(c, *owner) for c in defaults]`` for an answer of :meth:`get`, built
        once while replicas asking the same question follow one another (a new list each
        time; the Constraints, never modified, are shared)."""
        built = self._built.get(when)
        if built is None or built[0] is not owner:
            built = self._built[when] = (owner, [Constraint(c, *owner) for c in defaults])
        return list(built[1])


def _controller_ref(pod) -> dict | None:
    return next((r for r in (pod.pod.get("metadata") or {}).get("ownerReferences") or ()
                 if r.get("controller")), None)


def constraints_for(pod, snapshot, when: str, owners: OwnerSelectors | None = None
                    ) -> tuple[list[Constraint], bool]:
    """The pod's constraints of kind ``when`` (or the system defaults); and whether defaulted.
    ``owners`` remembers the system defaults' selectors between pods."""
    declared = pod.spec.get("topologySpreadConstraints") or ()
    if declared:
        return [Constraint(c, *_merged_selector(c, pod.labels)) for c in declared
                if c.get("whenUnsatisfiable", DO_NOT_SCHEDULE) == when], False
    defaults = [c for c in SYSTEM_DEFAULT_CONSTRAINTS if c["whenUnsatisfiable"] == when]
    if not defaults:
        return [], True
    if owners is not None:
        owner = owners.get(pod, snapshot)
        if owner is None:
            return [], True
        return owners.default_constraints(owner, when, defaults), True
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

    def __init__(self):
        self._owners = OwnerSelectors()

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
        """``PreScore``: which feasible nodes are ignored, each constraint's normalizing
        weight, and the matching pods per domain of every non-hostname constraint."""
        snapshot = state.snapshot
        if not nodes or not len(snapshot):
            return _SKIP
        constraints, defaulted = constraints_for(pod, snapshot, SCHEDULE_ANYWAY, self._owners)
        if not constraints:
            return _SKIP
        s = PreScoreState(constraints, require_all=not defaulted)
        s.ignore_nodes_missing_keys(nodes)
        scored = [n for n in nodes if n.name not in s.ignored] if s.ignored else nodes
        s.weights = _normalizing_weights(constraints, scored, snapshot)
        s.per_node = [per_node_counts(snapshot, c, pod.namespace) for c in constraints]
        required = RequiredNodeAffinity(pod.pod)
        for c in constraints:
            if c.topology_key != LABEL_HOSTNAME:  # per-node counts are read in Score
                _count_domains(s, c, pod, snapshot, scored, required)
        state.write(PRE_SCORE_STATE_KEY, s)
        return None

    def score(self, state, pod, node):
        s = state.read(PRE_SCORE_STATE_KEY)
        if node.name in s.ignored:
            return 0
        total = 0.0
        for c, weight, matching in zip(s.constraints, s.weights, s.per_node):
            value = node.labels.get(c.topology_key)
            if value is None:
                continue
            if c.topology_key == LABEL_HOSTNAME:
                count = matching.get(node.name, 0)
            else:
                count = s.counts.get((c.topology_key, value), 0)
            total += count * weight + (c.max_skew - 1)
        return _round_half_away(total)

    def score_nodes(self, state, pod, nodes):
        """:meth:`score` for many nodes. Per constraint a column of matching-pod counts
        (None where the node lacks the key); then each distinct row of counts is scored
        once, with the same float additions as :meth:`score`. (One hostname constraint on
        this cycle's window of nodes: the scores are kept per node, see
        :func:`_kept_raw_scores`.)"""
        s = state.read(PRE_SCORE_STATE_KEY)
        counted = [(c, weight, matching) for c, weight, matching
                   in zip(s.constraints, s.weights, s.per_node) if _has_counts(s, c)]
        if not counted:
            return [0] * len(nodes)
        plan = [(weight, c.max_skew - 1) for c, weight, _ in counted]
        if len(counted) == 1 and not s.ignored:
            kept = _kept_raw_scores(state, nodes, counted[0][0], counted[0][2], plan)
            if kept is not None:
                return kept
        columns = [_count_column(s, c, matching, nodes, state) for c, _, matching in counted]
        if len(columns) == 1:  # the rows are single counts
            rows = columns[0]
            by_row = {count: _rounded_score((count,), plan) for count in set(rows)}
        else:
            rows = list(zip(*columns))
            by_row = {row: _rounded_score(row, plan) for row in set(rows)}
        if s.ignored:
            out = list(map(by_row.__getitem__, rows))
            return [0 if n.name in s.ignored else x for n, x in zip(nodes, out)]
        return ScoreList(map(by_row.__getitem__, rows), set(by_row.values()))

    def normalize_score(self, state, pod, scores):
        ignored = state.read(PRE_SCORE_STATE_KEY).ignored
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

    def normalize_score_list(self, state, pod, scores: list) -> list:
        """:meth:`normalize_score` over a list aligned with the nodes given to PreScore."""
        s = state.read(PRE_SCORE_STATE_KEY)
        mask = s.ignored_mask
        # few distinct raw scores (score_nodes passes them along): look at and compute each once
        distinct = scores.distinct if type(scores) is ScoreList else set(scores)
        valid = distinct if mask is None else [x for x, skip in zip(scores, mask) if not skip]
        low, high = min(valid, default=0), max(valid, default=0)
        if high == 0:
            out = [MAX_NODE_SCORE] * len(scores)
            normalized = {MAX_NODE_SCORE}
        else:
            top = high + low
            by_raw = {x: MAX_NODE_SCORE * (top - x) // high for x in distinct}
            out = list(map(by_raw.__getitem__, scores))
            normalized = set(by_raw.values())
        if mask is not None:
            return [0 if skip else x for x, skip in zip(out, mask)]
        return ScoreList(out, normalized) if out else out

    def events_to_register(self):
        return [("Pod", "Add"), ("Pod", "UpdatePodLabel"), ("Pod", "UpdatePodToleration"), ("Pod", "Delete"),
                ("Node", "Add"), ("Node", "Delete"), ("Node", "UpdateNodeLabel"), ("Node", "UpdateNodeTaint")]


class PreScoreState:
    """``preScoreState``: what PreScore leaves for Score and NormalizeScore."""

    __slots__ = ("constraints", "require_all", "ignored", "ignored_mask", "weights",
                 "counts", "per_node")

    def __init__(self, constraints, require_all: bool):
        self.constraints = constraints
        self.require_all = require_all  # declared constraints: nodes need every topology key
        self.ignored: set = set()       # names of feasible nodes missing a key (score 0)
        self.ignored_mask = None        # per feasible node: ignored? (None: nobody is)
        self.weights: list = []         # per constraint: log(domains + 2)
        self.counts: dict = {}          # (key, value) -> matching pods, for scored domains
        self.per_node: list = []        # per constraint: {node name: matching pods}

    def ignore_nodes_missing_keys(self, nodes) -> None:
        if not self.require_all:
            return
        keys = [c.topology_key for c in self.constraints]
        mask = [not all(k in n.labels for k in keys) for n in nodes]
        if any(mask):
            self.ignored_mask = mask
            self.ignored = {n.name for n, skip in zip(nodes, mask) if skip}


def _normalizing_weights(constraints, scored, snapshot) -> list:
    """``topologyNormalizingWeight``: log(domains + 2) per constraint. A node without the
    key counts in domain ""; a key shared by two constraints gives its domains to the first
    (the second finds them all taken, as kube-scheduler's shared pair map does)."""
    weights, seen = [], set()
    for c in constraints:
        if c.topology_key == LABEL_HOSTNAME:
            size = len(scored)
        elif c.topology_key in seen:
            size = 0
        elif not snapshot.nodes_with_label(c.topology_key):
            size = 1  # every node is in domain ""
        else:
            size = len({n.labels.get(c.topology_key, "") for n in scored})
        seen.add(c.topology_key)
        weights.append(math.log(size + 2))
    return weights


def _count_domains(s: PreScoreState, c: Constraint, pod, snapshot, scored, required) -> None:
    """Add the pods ``c`` matches to ``s.counts`` for every domain a scored node is in.

    Only domains that Score reads are counted: those of nodes that carry the key (a node
    without it gets nothing from this constraint). When every node counts (no node affinity
    to honour, taints ignored, no key required) the per-domain sums the snapshot keeps are
    exact; otherwise the nodes holding matching pods are walked one by one."""
    key = c.topology_key
    if not snapshot.nodes_with_label(key):
        return
    values = {n.labels[key] for n in scored if key in n.labels}
    if not values:
        return
    everyone = required.empty and not c.honor_taints
    if everyone and not s.require_all and "" not in values:
        per_domain = snapshot.affinity_index.pods_per_domain(pod.namespace, c.selector_key,
                                                             c.selector, key)
        for value in values:
            pair = (key, value)
            s.counts[pair] = s.counts.get(pair, 0) + per_domain.get(value, 0)
        return
    keys = [k.topology_key for k in s.constraints]
    for value in values:
        s.counts.setdefault((key, value), 0)
    for name, count in per_node_counts(snapshot, c, pod.namespace).items():
        node = snapshot.get(name)
        if s.require_all and not all(k in node.labels for k in keys):
            continue
        value = node.labels.get(key, "")
        if value in values and (everyone or c.includes(pod, node, required)):
            s.counts[(key, value)] += count


def _has_counts(s: PreScoreState, c: Constraint) -> bool:
    """Whether :func:`_count_column` has a column for ``c`` (some node has a count)."""
    return c.topology_key == LABEL_HOSTNAME or any(k == c.topology_key for k, _ in s.counts)


def _count_column(s: PreScoreState, c: Constraint, matching: dict, nodes, state):
    """Per node, the matching pods ``c`` counts for it (None: the node lacks the key);
    None when no node has a count (see :func:`_has_counts`)."""
    key = c.topology_key
    snapshot = state.snapshot
    if key == LABEL_HOSTNAME:
        if snapshot.nodes_with_label(key) == len(snapshot):  # as kubelets register nodes
            column = state.column(nodes, (NAME, id(matching)), _node_count(matching), matching)
            if column is not None:
                return column
            return list(map(matching.get, state.node_names(nodes), repeat(0)))
        get = matching.get
        return [get(n.name, 0) if key in n.labels else None for n in nodes]
    if not any(k == key for k, _ in s.counts):
        return None
    get = s.counts.get
    return [get((key, n.labels[key])) if key in n.labels else None for n in nodes]


def _kept_raw_scores(state, nodes, c: Constraint, matching: dict, plan: list) -> list | None:
    """:meth:`PodTopologySpread.score_nodes` when ``c``, by hostname on nodes that all have
    one, is the only constraint counted: the raw scores read from a per-node column of the
    snapshot (a node's score changes only with its count of matching pods, as the count
    column in :func:`_count_column`); None when the nodes are not this cycle's window."""
    snapshot = state.snapshot
    if c.topology_key != LABEL_HOSTNAME:
        return None
    if snapshot.nodes_with_label(LABEL_HOSTNAME) != len(snapshot):
        return None
    raw = state.column(nodes, (NAME, "raw", id(matching), tuple(plan)),
                       lambda node: _rounded_score((matching.get(node.name, 0),), plan), matching)
    return None if raw is None else ScoreList(raw, set(raw))


def _node_count(matching: dict):
    """node -> the matching pods on it (a per-node column of the snapshot: the counts of a
    node change only when a pod is placed on or removed from it)."""
    return lambda node: matching.get(node.name, 0)


def _rounded_score(counts: tuple, plan: list) -> int:
    """``Score``'s sum for one node: ``count × weight + (maxSkew − 1)`` per constraint the
    node has a count for, in constraint order, rounded (math.Round: scores are >= 0)."""
    total = 0.0
    for count, (weight, skew) in zip(counts, plan):
        if count is not None:
            total += count * weight + skew
    return int(total + 0.5)


def _round_half_away(x: float) -> int:
    """Go's ``math.Round``: halves away from zero (Python's round() goes to even)."""
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def new(args=None, handle=None) -> PodTopologySpread:
    return PodTopologySpread()
