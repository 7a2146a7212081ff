"""NodeResourcesFit: the pod's requests must fit in what the node has left.

Mirrors pkg/scheduler/framework/plugins/noderesources/fit.go and least_allocated.go.

* PreFilter: the pod's requests as Kubernetes computes them (containers summed, the max
  with each init container, sidecars accumulating, plus ``spec.overhead``).
* Filter: ``Too many pods`` when the node's pod slots are used up; then, for each resource
  the pod requests, ``Insufficient cpu`` / ``Insufficient memory`` /
  ``Insufficient ephemeral-storage`` / ``Insufficient <extended resource>`` when
  request > allocatable − already requested. All reasons are kept; the status is
  Unschedulable, or UnschedulableAndUnresolvable when a request exceeds the node's whole
  allocatable (evicting pods could never help). (When the snapshot knows every node has
  room for the pod — ``Snapshot.fits_everywhere`` — a window of nodes passes at once.)
* Score (LeastAllocated, the default strategy): for cpu and memory (weight 1 each),
  ``(allocatable − requested) × 100 / allocatable`` where requested includes this pod and
  uses the non-zero defaults (100m, 200Mi) for containers that request nothing; the
  weighted average, integer division as in Go. (Scores are remembered per node state, see
  :mod:`~labkube.core.scheduler.plugins.score_cache`, or kept in a per-node column of the
  snapshot, see ``Snapshot.node_column``.)
"""

from __future__ import annotations

from labkube.core.scheduler.framework import UNSCHEDULABLE, UNSCHEDULABLE_AND_UNRESOLVABLE, Status
from labkube.core.scheduler.helpers import other_resource_usage
from labkube.core.scheduler.plugins.score_cache import (NodeScoreCache, cached_scores,
                                                         generations, missing)

NAME = "NodeResourcesFit"
PRE_FILTER_STATE_KEY = "PreFilter" + NAME
REASON_TOO_MANY_PODS = "Too many pods"
REASON_CPU = "Insufficient cpu"
REASON_MEMORY = "Insufficient memory"
REASON_EPHEMERAL = "Insufficient ephemeral-storage"

#: LeastAllocated's default resources and weights (``config.NodeResourcesFitArgs``).
DEFAULT_RESOURCES = (("cpu", 1), ("memory", 1))


def insufficient(pod_req, node) -> list[tuple[str, bool]]:
    """``fitsRequest``: (reason, unresolvable) for every resource the node is short of."""
    out = []
    alloc, used = node.allocatable, node.requested
    if len(node.pods) + 1 > alloc.allowed_pods:
        out.append((REASON_TOO_MANY_PODS, False))
    if pod_req.is_zero():
        return out
    if pod_req.milli_cpu > 0 and pod_req.milli_cpu > alloc.milli_cpu - used.milli_cpu:
        out.append((REASON_CPU, pod_req.milli_cpu > alloc.milli_cpu))
    if pod_req.memory > 0 and pod_req.memory > alloc.memory - used.memory:
        out.append((REASON_MEMORY, pod_req.memory > alloc.memory))
    if pod_req.ephemeral_storage > 0 and (
            pod_req.ephemeral_storage > alloc.ephemeral_storage - used.ephemeral_storage):
        out.append((REASON_EPHEMERAL, pod_req.ephemeral_storage > alloc.ephemeral_storage))
    for name, amount in pod_req.scalars.items():
        have = alloc.scalars.get(name, 0)
        if amount > have - used.scalars.get(name, 0):
            out.append((f"Insufficient {name}", amount > have))
    return out


def least_requested_score(requested: int, capacity: int) -> int:
    """``leastRequestedScore``: 100 for an empty node, 0 for a full (or overfull) one."""
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * 100 // capacity


class NodeResourcesFit:
    name = NAME

    def __init__(self, resources=DEFAULT_RESOURCES):
        self.resources = tuple(resources)
        self._cache = NodeScoreCache()

    def pre_filter(self, state, pod):
        state.write(PRE_FILTER_STATE_KEY, pod.requests)
        return None

    def filter(self, state, pod, node):
        problems = insufficient(pod.requests, node)
        if not problems:
            return None
        code = UNSCHEDULABLE_AND_UNRESOLVABLE if any(u for _, u in problems) else UNSCHEDULABLE
        return Status(code, *(reason for reason, _ in problems), plugin=NAME)

    def filter_nodes(self, state, pod, nodes):
        req = pod.requests
        cpu, mem = req.milli_cpu, req.memory
        if req.ephemeral_storage or req.scalars:
            return [self.filter(state, pod, n) for n in nodes]
        snapshot = state.snapshot if state is not None else None
        fits_everywhere = getattr(snapshot, "fits_everywhere", None)
        if (nodes and fits_everywhere is not None and snapshot.get(nodes[0].name) is nodes[0]
                and fits_everywhere(cpu, mem)):
            return [None] * len(nodes)  # the snapshot's nodes: none is short of room
        filter_one = self.filter
        return [None if (n.free_pods > 0 and cpu <= n.free_cpu and mem <= n.free_memory)
                else filter_one(state, pod, n) for n in nodes]

    def _scoring_request(self, node, resource: str, pod) -> tuple[int, int]:
        if resource == "cpu":
            return node.allocatable.milli_cpu, node.non_zero_requested_cpu + pod.non_zero_cpu
        if resource == "memory":
            return node.allocatable.memory, node.non_zero_requested_memory + pod.non_zero_memory
        return other_resource_usage(node, pod, resource)

    def score(self, state, pod, node):
        total = weights = 0
        for resource, weight in self.resources:
            alloc, requested = self._scoring_request(node, resource, pod)
            if alloc == 0:
                continue
            total += least_requested_score(requested, alloc) * weight
            weights += weight
        return total // weights if weights else 0

    def score_nodes(self, state, pod, nodes):
        if self.resources != DEFAULT_RESOURCES:
            return [self.score(state, pod, n) for n in nodes]
        pcpu, pmem = pod.non_zero_cpu, pod.non_zero_memory
        if state is not None:
            scores = state.column(nodes, (NAME, id(self), pcpu, pmem), self._scorer(pod), self)
            if scores is not None:
                return scores
        table = self._cache.table((pcpu, pmem))
        scores = cached_scores(table, generations(state, nodes))
        for i in missing(scores):
            n = nodes[i]
            table[n.generation] = scores[i] = self._least_allocated(pod, n)
        return scores

    def _least_allocated(self, pod, n) -> int:
        """:meth:`score` with the default resources (cpu and memory, weight 1 each)."""
        acpu, amem = n.alloc_cpu, n.alloc_memory
        if acpu and amem:
            rcpu, rmem = n.non_zero_requested_cpu + pod.non_zero_cpu, n.non_zero_requested_memory + pod.non_zero_memory
            return ((0 if rcpu > acpu else (acpu - rcpu) * 100 // acpu)
                    + (0 if rmem > amem else (amem - rmem) * 100 // amem)) // 2
        return self.score(None, pod, n)

    def _scorer(self, pod):
        """node -> score for pods requesting what ``pod`` requests (a per-node column)."""
        return lambda node: self._least_allocated(pod, node)

    def events_to_register(self):
        return [("Pod", "Delete"), ("Node", "Add"), ("Node", "UpdateNodeAllocatable")]


def new(args=None, handle=None) -> NodeResourcesFit:
    resources = (args or {}).get("resources")
    if resources:
        return NodeResourcesFit(tuple((r["name"], int(r.get("weight", 1))) for r in resources))
    return NodeResourcesFit()
