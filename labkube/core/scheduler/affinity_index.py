"""Counts of pods per topology domain, kept up to date, for InterPodAffinity.

kube-scheduler's InterPodAffinity PreFilter walks every pod in the cluster on every cycle
(in parallel goroutines) to count, per topology pair, the pods that match each term. In
Python that walk dominates as soon as a few thousand pods carry affinity. labkube keeps the
counts instead and updates them as pods are placed and removed:

* ``existing_anti`` — for every distinct *required anti-affinity term* of pods already
  placed: how many such pods sit in each (topologyKey, value) domain. A new pod checks each
  distinct term once ("does it select me?") instead of every pod.
* ``matching(term)`` — for a term an incoming pod asks about (its own required affinity or
  anti-affinity): how many placed pods it selects per topology value. The first request
  scans the cluster; the term is then remembered (up to ``max_terms``, least recently used
  dropped) and its counts follow every placement and removal.

* ``pods_per_node(namespace, key, selector)`` — for PodTopologySpread: how many placed,
  not terminating pods of a namespace a selector matches, per node (remembered like above);
  ``pods_per_domain(..., topology_key)`` — the same pods summed per value of a node label
  (per zone, say), so that scoring a zone constraint costs one look-up per zone instead of
  one per node with matching pods.

A node's labels changing or a namespace's labels changing invalidates everything (rare).

Guarantees: the counts equal what a full scan would give at any moment; maps handed out
are live views — callers must not modify them.
"""

from __future__ import annotations

from collections import OrderedDict


class AffinityIndex:
    def __init__(self, snapshot, max_terms: int = 64):
        self.snapshot = snapshot
        self.max_terms = max_terms
        #: term key -> (term, {(topologyKey, value): pods})
        self.existing_anti: dict = {}
        self._watched: OrderedDict = OrderedDict()  # term key -> (term, {value: pods})
        self._spread: OrderedDict = OrderedDict()   # (namespace, key) -> (selector, {node: pods})

    # -- maintenance (called by the snapshot) -------------------------------------------
    def placed(self, info, node, sign: int = 1) -> None:
        labels = node.labels
        for term in info.required_anti_affinity:
            value = labels.get(term.topology_key)
            if value is not None:
                entry = self.existing_anti.get(term.key)
                if entry is None:
                    entry = self.existing_anti[term.key] = (term, {})
                _bump(entry[1], (term.topology_key, value), sign)
                if not entry[1]:
                    del self.existing_anti[term.key]
        if self._spread and not info.terminating:
            for (namespace, _), spread in self._spread.items():
                if info.namespace == namespace and spread.selector(info.labels):
                    spread.bump(node, sign)
        if self._watched:
            ns_labels = self.snapshot.namespaces.get(info.namespace, {})
            for term, counts in self._watched.values():
                value = labels.get(term.topology_key)
                if value is not None and term.matches(info, ns_labels):
                    _bump(counts, value, sign)

    def invalidate(self) -> None:
        """Recount from scratch (node labels or namespace labels changed)."""
        self._watched.clear()
        self._spread.clear()
        self.existing_anti.clear()
        for node in self.snapshot.nodes_with_required_anti_affinity_pods.values():
            for info in node.pods_with_required_anti_affinity.values():
                self.placed(info, node)  # nothing is watched now: only existing_anti changes

    # -- queries ----------------------------------------------------------------------------
    def matching(self, term) -> dict:
        """{topology value: placed pods the term selects} (a live view; do not modify)."""
        entry = self._watched.get(term.key)
        if entry is not None:
            self._watched.move_to_end(term.key)
            return entry[1]
        counts: dict = {}
        snapshot = self.snapshot
        for info, node in candidates(snapshot, term):
            value = node.labels.get(term.topology_key)
            if value is not None and term.matches(info, snapshot.namespaces.get(info.namespace, {})):
                _bump(counts, value, 1)
        self._watched[term.key] = (term, counts)
        if len(self._watched) > self.max_terms:
            self._watched.popitem(last=False)
        return counts


    def pods_per_node(self, namespace: str, key, selector) -> dict:
        """{node name: placed, not terminating pods in ``namespace`` matching ``selector``}.

        ``key`` must identify the selector (equal keys, equal selectors). A live view."""
        return self._spread_counts(namespace, key, selector).per_node

    def pods_per_domain(self, namespace: str, key, selector, topology_key: str) -> dict:
        """{value of ``topology_key``: the pods :meth:`pods_per_node` counts on nodes with that
        label value} (nodes without the label are left out). A live view."""
        return self._spread_counts(namespace, key, selector).domain(topology_key, self.snapshot)

    def _spread_counts(self, namespace: str, key, selector) -> "_SpreadCounts":
        entry = self._spread.get((namespace, key))
        if entry is not None:
            self._spread.move_to_end((namespace, key))
            return entry
        entry = _SpreadCounts(selector)
        for node in self.snapshot.list():
            count = sum(1 for p in node.pods.values()
                        if p.namespace == namespace and not p.terminating and selector(p.labels))
            if count:
                entry.per_node[node.name] = count
        self._spread[(namespace, key)] = entry
        if len(self._spread) > self.max_terms:
            self._spread.popitem(last=False)
        return entry


class _SpreadCounts:
    """One PodTopologySpread selector's counts: per node, and per domain of the topology
    keys asked about so far (a key's domains are summed from the nodes when first asked)."""

    __slots__ = ("selector", "per_node", "per_domain")

    def __init__(self, selector):
        self.selector = selector
        self.per_node: dict = {}     # node name -> pods
        self.per_domain: dict = {}   # topology key -> {label value: pods}

    def bump(self, node, sign: int) -> None:
        _bump(self.per_node, node.name, sign)
        for topology_key, counts in self.per_domain.items():
            value = node.labels.get(topology_key)
            if value is not None:
                _bump(counts, value, sign)

    def domain(self, topology_key: str, snapshot) -> dict:
        counts = self.per_domain.get(topology_key)
        if counts is None:
            counts = self.per_domain[topology_key] = {}
            for name, count in self.per_node.items():
                value = snapshot.node_infos[name].labels.get(topology_key)
                if value is not None:
                    _bump(counts, value, count)
        return counts


def _bump(counts: dict, key, by: int) -> None:
    value = counts.get(key, 0) + by
    if value:
        counts[key] = value
    else:
        counts.pop(key, None)


def candidates(snapshot, term):
    """Placed (pod, node) pairs that could match ``term``, narrowed by the label index."""
    if term.equalities:
        smallest = min((snapshot.pods_by_label.get(pair, {}) for pair in term.equalities), key=len)
        for info in list(smallest.values()):
            node = snapshot.get(snapshot.node_of(info.uid))
            if node is not None:
                yield info, node
    else:
        yield from snapshot.pods()
