"""The nominator: which pending pods preemption has promised a node to.

Mirrors the ``nominator`` of kube-scheduler's scheduling queue (pkg/scheduler/backend/queue,
1.32) and how filtering uses it (``RunFilterPluginsWithNominatedPods`` in
pkg/scheduler/framework/runtime/framework.go):

* a pod whose preemption picked node N carries ``status.nominatedNodeName: N`` and is kept
  here under N until it is bound, deleted, or nominated elsewhere (or nowhere);
* when any other pod is filtered against N, the pods nominated to N with an **equal or
  higher** priority count as if they already ran there -- so the room a preemption made is
  not taken by a lower-priority pod (the victims' own replacements, typically) before the
  preemptor comes back for it.

Worked example: node-1 has 2 CPUs; ``vip`` (priority 1000, 1.5 CPU) preempts two 0.9-CPU
pods there and is nominated to node-1. Their ReplicaSet creates two replacements (priority 0).
When the victims are gone, a replacement filtered against node-1 sees ``vip``'s 1.5 CPU as
taken: ``Insufficient cpu``. ``vip`` itself is never counted against itself.

Costs nothing while nobody is nominated: the scheduler asks ``bool(nominator)`` first.
"""

from __future__ import annotations

from labkube.core.scheduler.nodeinfo import PodInfo


class Nominator:
    """Nominated pods by node (``nominatedPods``) and each pod's node (``nominatedPodToNode``)."""

    def __init__(self) -> None:
        self._by_node: dict[str, dict[str, PodInfo]] = {}
        self._node_of: dict[str, str] = {}

    def __bool__(self) -> bool:
        return bool(self._node_of)

    def nominate(self, info: PodInfo, node_name: str) -> None:
        """``AddNominatedPod``: ``info`` waits for ``node_name`` ("" forgets it)."""
        self.forget(info.uid)
        if not node_name:
            return
        self._by_node.setdefault(node_name, {})[info.uid] = info
        self._node_of[info.uid] = node_name

    def forget(self, uid: str) -> None:
        """``DeleteNominatedPodIfExists``: bound, deleted or no longer nominated."""
        node_name = self._node_of.pop(uid, None)
        if node_name is None:
            return
        pods = self._by_node[node_name]
        pods.pop(uid, None)
        if not pods:
            del self._by_node[node_name]

    def node_of(self, uid: str) -> str:
        return self._node_of.get(uid, "")

    def lower_priority_than(self, node_name: str, priority: int) -> list[PodInfo]:
        """``getLowerPriorityNominatedPods``: who loses its nomination when a pod of
        ``priority`` preempts on ``node_name``."""
        return [p for p in (self._by_node.get(node_name) or {}).values() if p.priority < priority]

    def pods_that_count_against(self, node_name: str, pod: PodInfo) -> list[PodInfo]:
        """``addNominatedPods``: the pods nominated to ``node_name`` that ``pod`` must leave
        room for (priority >= its own, itself excluded)."""
        pods = self._by_node.get(node_name)
        if not pods:
            return []
        return [p for uid, p in pods.items() if uid != pod.uid and p.priority >= pod.priority]
