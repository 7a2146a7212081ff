"""DefaultPreemption: when no node fits, see whether evicting lower-priority pods would help.

Mirrors pkg/scheduler/framework/plugins/defaultpreemption and pkg/scheduler/framework/
preemption (1.32), without extenders:

1. A pod with ``preemptionPolicy: Never`` is not eligible: ``not eligible due to
   preemptionPolicy=Never.``; nor is a pod whose nominated node still runs a lower-priority
   pod terminating because of preemption: ``not eligible due to a terminating pod on the
   nominated node.`` (it waits for its earlier victims rather than picking new ones).
2. Nodes rejected UnschedulableAndUnresolvable are not candidates: their reason becomes
   ``Preemption is not helpful for scheduling``.
3. On every other node (a dry run on a copy): the pods of lower priority are the potential
   victims — none: ``No preemption victims found for incoming pod``; remove them all and run
   the filters again — still no fit: that filter's reasons; fit: put victims back, highest
   priority (then earliest started) first, as long as the pod still fits; what cannot be put
   back are the victims.
   PodDisruptionBudgets: the victims a budget has no ``disruptionsAllowed`` left for are
   put back first, so they are spared when possible; each node counts the violating victims
   it could not spare.
4. No candidate: the message is ``preemption: `` + the FitError text over those per-node
   reasons, e.g. ``preemption: 0/3 nodes are available: 1 Preemption is not helpful for
   scheduling, 2 No preemption victims found for incoming pod.``
5. Candidates: pick one node (:func:`pick_one_node`) and nominate it. The FailedScheduling
   message then has no preemption part (``0/3 nodes are available: 3 Insufficient cpu.``).
   The caller (:mod:`labkube.core.kube_scheduler`) marks each victim ``DisruptionTarget``
   (:func:`victim_condition`), deletes it gracefully, records ``Preempted`` on it, and sets
   the preemptor's ``status.nominatedNodeName``; until the victims are gone, the room is
   kept for the preemptor (:mod:`labkube.core.scheduler.nominator`).

The dry run visits candidates from a random offset drawn from the scheduler's seeded RNG,
and stops after max(10% of the nodes, 100) candidates, as kube-scheduler does.
"""

from __future__ import annotations

from labkube.core.api import pdbhelper
from labkube.core.clock import parse_timestamp
from labkube.core.scheduler.framework import (SUCCESS, UNSCHEDULABLE,
                                              UNSCHEDULABLE_AND_UNRESOLVABLE, PostFilterResult,
                                              Status)

NAME = "DefaultPreemption"
MSG_NOT_HELPFUL = "Preemption is not helpful for scheduling"
MSG_NO_VICTIMS = "No preemption victims found for incoming pod"
MSG_POLICY_NEVER = "not eligible due to preemptionPolicy=Never."
MSG_TERMINATING_ON_NOMINATED = "not eligible due to a terminating pod on the nominated node."
#: The condition kube-scheduler puts on a victim before deleting it (``prepareCandidate``).
DISRUPTION_TARGET = "DisruptionTarget"
REASON_PREEMPTION_BY_SCHEDULER = "PreemptionByScheduler"
MIN_CANDIDATE_NODES_PERCENTAGE = 10
MIN_CANDIDATE_NODES_ABSOLUTE = 100


class DefaultPreemption:
    name = NAME

    def __init__(self, handle=None):
        self.handle = handle  # the Framework: runs filters during the dry run

    def post_filter(self, state, pod, statuses):
        not_eligible = self.not_eligible_to_preempt(state, pod, statuses)
        if not_eligible:
            return None, Status(UNSCHEDULABLE, "preemption: " + not_eligible, plugin=NAME)
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

    @staticmethod
    def not_eligible_to_preempt(state, pod, statuses) -> str:
        """``PodEligibleToPreemptOthers``: "" or why this pod may not preempt now — its policy
        is Never, or a lower-priority pod preempted for it still terminates on its nominated
        node (unless that node can never fit it)."""
        if (pod.spec.get("preemptionPolicy") or "PreemptLowerPriority") == "Never":
            return MSG_POLICY_NEVER
        nominated = (pod.pod.get("status") or {}).get("nominatedNodeName")
        if not nominated:
            return ""
        status = statuses.get(nominated)
        if status is not None and status.code == UNSCHEDULABLE_AND_UNRESOLVABLE:
            return ""
        node = state.snapshot.get(nominated)
        if node is None:
            return ""
        if any(p.priority < pod.priority and terminating_by_preemption(p.pod) for p in node.pods.values()):
            return MSG_TERMINATING_ON_NOMINATED
        return ""

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
                candidates.append((node.name, victims))  # victims: a Victims list (PDB violations)
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
        victims = Victims()
        # Reprieve the victims whose eviction would violate a PodDisruptionBudget first, then
        # the others; each group highest priority first (filterPodsWithPDBViolation).
        ordered = sorted(potential, key=more_important_first)
        violating, non_violating = filter_pods_with_pdb_violation(ordered, pdbs_of(state))
        for victim in violating + non_violating:
            self._update(state, pod, victim, node, 1)
            if self.handle.run_filter(state, pod, node) is not None:
                self._update(state, pod, victim, node, -1)
                victims.append(victim)
                victims.num_pdb_violations += any(victim is v for v in violating)
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


def terminating_by_preemption(pod: dict) -> bool:
    """``podTerminatingByPreemption``: deleting, with DisruptionTarget=True from preemption."""
    if (pod.get("metadata") or {}).get("deletionTimestamp") is None:
        return False
    for condition in (pod.get("status") or {}).get("conditions") or ():
        if condition.get("type") == DISRUPTION_TARGET:
            return condition.get("status") == "True" and condition.get("reason") == REASON_PREEMPTION_BY_SCHEDULER
    return False


def victim_condition(scheduler_name: str) -> dict:
    """The DisruptionTarget condition ``prepareCandidate`` patches onto each victim."""
    return {"type": DISRUPTION_TARGET, "status": "True", "reason": REASON_PREEMPTION_BY_SCHEDULER,
            "message": f"{scheduler_name}: preempting to accommodate a higher priority pod"}


class Victims(list):
    """The pods to evict on one node, and how many of them a PodDisruptionBudget protects."""

    num_pdb_violations = 0


def pdbs_of(state) -> list:
    """The scheduler's PodDisruptionBudget lister (``pdbLister.List``): the kube-scheduler
    component sets ``snapshot.pdb_lister``; a bare scheduler has no budgets."""
    lister = getattr(state.snapshot, "pdb_lister", None)
    return lister() if lister is not None else []


def filter_pods_with_pdb_violation(pods, pdbs) -> tuple[list, list]:
    """``filterPodsWithPDBViolation``: (pods whose eviction would take a budget below zero,
    the others), spending each matching budget's ``disruptionsAllowed`` as it goes. Pods in a
    budget's ``disruptedPods`` are already being evicted and spend nothing. Unlike the
    eviction API, the scheduler treats an empty selector as matching nothing."""
    if not pdbs:
        return [], list(pods)
    allowed = [(pdb.get("status") or {}).get("disruptionsAllowed", 0) for pdb in pdbs]
    violating, non_violating = [], []
    for info in pods:
        meta = info.pod["metadata"]
        violated = False
        for i, pdb in enumerate(pdbs) if meta.get("labels") else ():
            selector = (pdb.get("spec") or {}).get("selector")
            if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
                continue
            if not pdbhelper.selects(pdb, info.pod):
                continue
            if meta.get("name") in ((pdb.get("status") or {}).get("disruptedPods") or {}):
                continue
            allowed[i] -= 1
            violated = violated or allowed[i] < 0
        (violating if violated else non_violating).append(info)
    return violating, non_violating


def pick_one_node(candidates):
    """``pickOneNodeForPreemption``: the gentlest candidate — fewest PodDisruptionBudget
    violations, then the lowest highest-victim priority, the lowest priority sum (each
    priority counted from -2^31, so fewer victims weigh less), the fewest victims, the latest
    start among its highest-priority victims (``GetEarliestPodStartTime``), the first found."""
    def cost(item):
        index, (name, victims) = item
        priorities = [v.priority for v in victims]
        violations = getattr(victims, "num_pdb_violations", 0)
        return (violations, max(priorities, default=-(2**31)), sum(p + 2**31 for p in priorities),
                len(victims), -earliest_start_of_highest(victims), index)

    _, (name, victims) = min(enumerate(candidates), key=cost)
    return name, victims


def start_time(info) -> float:
    """``GetPodStartTime``: ``status.startTime``, or now (later than any) if not started."""
    started = (info.pod.get("status") or {}).get("startTime")
    return parse_timestamp(started) if started else float("inf")


def more_important_first(info) -> tuple:
    """``MoreImportantPod`` as a sort key: higher priority first, then the earlier started."""
    return (-info.priority, start_time(info))


def earliest_start_of_highest(victims) -> float:
    """``GetEarliestPodStartTime``: the earliest ``status.startTime`` among the victims of the
    highest priority (a pod not started yet counts as starting now: later than any)."""
    if not victims:
        return float("inf")
    highest = max(v.priority for v in victims)
    return min(start_time(v) for v in victims if v.priority == highest)


def new(args=None, handle=None) -> DefaultPreemption:
    return DefaultPreemption(handle)
