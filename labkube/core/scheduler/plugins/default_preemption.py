"""DefaultPreemption: when no node fits, see whether evicting lower-priority pods would help.

Mirrors pkg/scheduler/framework/plugins/defaultpreemption and pkg/scheduler/framework/
preemption (1.32), without PodDisruptionBudgets and without extenders:

1. A pod with ``preemptionPolicy: Never`` is not eligible: ``not eligible due to
   preemptionPolicy=Never.``
2. Nodes rejected UnschedulableAndUnresolvable are not candidates: their reason becomes
   ``Preemption is not helpful for scheduling``.
3. On every other node (a dry run on a copy): the pods of lower priority are the potential
   victims — none: ``No preemption victims found for incoming pod``; remove them all and run
   the filters again — still no fit: that filter's reasons; fit: put victims back, highest
   priority first, as long as the pod still fits; what cannot be put back are the victims.
4. No candidate: the message is ``preemption: `` + the FitError text over those per-node
   reasons, e.g. ``preemption: 0/3 nodes are available: 1 Preemption is not helpful for
   scheduling, 2 No preemption victims found for incoming pod.``
5. Candidates: pick one node (fewest PDB violations — always 0 here —, then the lowest
   highest-victim priority, the lowest priority sum, the fewest victims, the first found)
   and nominate it; the caller evicts the victims.

The dry run visits candidates from a random offset drawn from the scheduler's seeded RNG,
and stops after max(10% of the nodes, 100) candidates, as kube-scheduler does.
"""

from __future__ import annotations

from labkube.core.scheduler.framework import (SUCCESS, UNSCHEDULABLE,
                                              UNSCHEDULABLE_AND_UNRESOLVABLE, PostFilterResult,
                                              Status)

NAME = "DefaultPreemption"
MSG_NOT_HELPFUL = "Preemption is not helpful for scheduling"
MSG_NO_VICTIMS = "No preemption victims found for incoming pod"
MSG_POLICY_NEVER = "not eligible due to preemptionPolicy=Never."
MIN_CANDIDATE_NODES_PERCENTAGE = 10
MIN_CANDIDATE_NODES_ABSOLUTE = 100


class DefaultPreemption:
    name = NAME

    def __init__(self, handle=None):
        self.handle = handle  # the Framework: runs filters during the dry run

    def post_filter(self, state, pod, statuses):
        if (pod.spec.get("preemptionPolicy") or "PreemptLowerPriority") == "Never":
            return None, Status(UNSCHEDULABLE, "preemption: " + MSG_POLICY_NEVER, plugin=NAME)
        from labkube.core.scheduler.messages import fit_error_message  # avoid an import cycle

        snapshot = state.snapshot
        results: dict[str, Status] = {}
        potential = []
        for node in snapshot.list():
            status = statuses.get(node.name)
            if status is None or status.code == UNSCHEDULABLE_AND_UNRESOLVABLE:
                results[node.name] = Status(UNSCHEDULABLE_AND_UNRESOLVABLE, MSG_NOT_HELPFUL, plugin=NAME)
            else:
                potential.append(node)
        candidates = self._dry_run(state, pod, potential, results)
        if not candidates:
            message = fit_error_message(len(snapshot), results)
            return PostFilterResult(""), Status(UNSCHEDULABLE, "preemption: " + message, plugin=NAME)
        node_name, victims = pick_one_node(candidates)
        return PostFilterResult(node_name, tuple(v.pod for v in victims)), Status(SUCCESS, plugin=NAME)

    def _dry_run(self, state, pod, nodes, results) -> list:
        if not nodes:
            return []
        rng = getattr(self.handle, "rng", None)
        offset = rng.randrange(len(nodes)) if rng is not None else 0
        wanted = min(len(nodes), max(len(nodes) * MIN_CANDIDATE_NODES_PERCENTAGE // 100,
                                     MIN_CANDIDATE_NODES_ABSOLUTE))
        candidates = []
        for i in range(len(nodes)):
            node = nodes[(offset + i) % len(nodes)]
            victims, status = self.select_victims(state.clone(), pod, node.clone())
            if status is None:
                candidates.append((node.name, victims))
                if len(candidates) >= wanted:
                    break
            else:
                results[node.name] = status
        return candidates

    def select_victims(self, state, pod, node):
        """``SelectVictimsOnNode``: (victims, None) or ([], the reason this node cannot help)."""
        potential = [p for p in node.pods.values() if p.priority < pod.priority]
        if not potential:
            return [], Status(UNSCHEDULABLE_AND_UNRESOLVABLE, MSG_NO_VICTIMS, plugin=NAME)
        for victim in potential:
            self._update(state, pod, victim, node, -1)
        status = self.handle.run_filter(state, pod, node)
        if status is not None:
            return [], status
        victims = []
        for victim in sorted(potential, key=lambda p: -p.priority):
            self._update(state, pod, victim, node, 1)
            if self.handle.run_filter(state, pod, node) is not None:
                self._update(state, pod, victim, node, -1)
                victims.append(victim)
        return victims, None

    def _update(self, state, pod, victim, node, sign: int) -> None:
        if sign > 0:
            node.add_pod(victim)
        else:
            node.remove_pod(victim.uid)
        for plugin in self.handle.points["pre_filter"]:
            update = getattr(plugin, "pre_filter_update", None)
            if update is not None:
                update(state, pod, victim, node, sign)

    def events_to_register(self):
        return []


def pick_one_node(candidates):
    """``pickOneNodeForPreemption`` without PDBs and start times: the gentlest candidate."""
    def cost(item):
        index, (name, victims) = item
        priorities = [v.priority for v in victims]
        return (max(priorities, default=-(2**31)), sum(priorities), len(victims), index)

    _, (name, victims) = min(enumerate(candidates), key=cost)
    return name, victims


def new(args=None, handle=None) -> DefaultPreemption:
    return DefaultPreemption(handle)
