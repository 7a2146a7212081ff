"""Run one plugin the way the framework does, for table-driven plugin tests.

``filter_statuses`` runs PreFilter then Filter on every node and returns node -> Status|None
(a PreFilter rejection is reported for every node, as the framework does). When the plugin
also has a batch ``filter_nodes``, it checks that the batch agrees with the per-node filter.
``scores`` runs PreScore, Score and NormalizeScore and returns node -> (raw, normalized);
a PreScore Skip gives None.
"""

from __future__ import annotations

from labkube.core.scheduler import CycleState, PreFilterResult, Snapshot, Status
from labkube.core.scheduler.framework import SKIP


def _setup(pod, nodes, pods, snapshot_kw):
    snapshot = Snapshot(nodes, pods, **(snapshot_kw or {}))
    return snapshot, snapshot.pod_info(pod), CycleState(snapshot)


def filter_statuses(plugin, pod, nodes, pods=(), **snapshot_kw) -> dict:
    snapshot, info, state = _setup(pod, nodes, pods, snapshot_kw)
    pre = getattr(plugin, "pre_filter", None)
    allowed = None
    if pre is not None:
        answer = pre(state, info)
        if isinstance(answer, PreFilterResult):
            allowed = answer.node_names
        elif isinstance(answer, Status) and answer.code == SKIP:
            return {n.name: None for n in snapshot.list()}
        elif isinstance(answer, Status) and answer.code != "Success":
            return {n.name: answer for n in snapshot.list()}
    nodes_list = [n for n in snapshot.list() if allowed is None or n.name in allowed]
    out = {n.name: plugin.filter(state, info, n) for n in nodes_list}
    batch = getattr(plugin, "filter_nodes", None)
    if batch is not None:
        assert dict(zip(out, batch(state, info, nodes_list))) == out, "filter_nodes disagrees with filter"
    return out


def reasons(statuses: dict) -> dict:
    """node -> (code, reasons...) or None, for compact expectations."""
    return {n: (None if s is None else (s.code, *s.reasons)) for n, s in statuses.items()}


def scores(plugin, pod, nodes, pods=(), **snapshot_kw) -> dict | None:
    snapshot, info, state = _setup(pod, nodes, pods, snapshot_kw)
    feasible = snapshot.list()
    pre = getattr(plugin, "pre_score", None)
    if pre is not None:
        status = pre(state, info, feasible)
        if status is not None and status.code == SKIP:
            return None
    raw = [plugin.score(state, info, n) for n in feasible]
    batch = getattr(plugin, "score_nodes", None)
    if batch is not None:
        assert list(batch(state, info, feasible)) == raw, "score_nodes disagrees with score"
    by_name = {n.name: r for n, r in zip(feasible, raw)}
    normalized = dict(by_name)
    if hasattr(plugin, "normalize_score"):
        plugin.normalize_score(state, info, normalized)
    if hasattr(plugin, "normalize_score_list"):
        assert plugin.normalize_score_list(state, info, raw) == list(normalized.values())
    return {n: (by_name[n], normalized[n]) for n in by_name}
