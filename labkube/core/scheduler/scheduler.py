"""One scheduling cycle: from a pending pod and a snapshot to a node (or a FitError).

Mirrors pkg/scheduler/schedule_one.go (1.32): ``schedulePod`` → ``findNodesThatFitPod``
(PreFilter, Filter over a rotating window of nodes) → PostFilter when nothing fits →
``prioritizeNodes`` (PreScore, Score, NormalizeScore, weights) → ``selectHost`` → assume →
Reserve → Permit. Binding is left to the caller: the result carries the ``Binding`` dict the
live component posts to ``pods/binding``; if that fails it calls :meth:`Scheduler.forget`.

``percentageOfNodesToScore``: on large clusters the Filter phase stops once it has found
``num_feasible_nodes_to_find(percentage, nodes)`` feasible nodes — all nodes below 100;
otherwise ``nodes × percentage / 100`` (percentage 0 means adaptive: ``50 − nodes/125``, at
least 5) but never fewer than 100. The next cycle starts where this one stopped
(``nextStartNodeIndex``), so over time every node gets looked at.

``selectHost``: the highest total wins; ties are broken by reservoir sampling with the
scheduler's seeded ``random.Random`` — each of k tied nodes is chosen with probability 1/k.

Guarantees: the same snapshot, pods, profile and seed give the same choices, messages and
decision records; no wall clock is read.
"""

from __future__ import annotations

import random
from itertools import compress, count, islice, repeat
from operator import attrgetter, eq
from dataclasses import dataclass, field, fields

from labkube.core.scheduler.decision import DecisionRecord, PluginScores, Rejection
from labkube.core.scheduler.framework import (ERROR, UNSCHEDULABLE_AND_UNRESOLVABLE, CycleState,
                                              Framework, ScoreList, Status)
from labkube.core.scheduler.messages import NO_NODES_AVAILABLE, fit_error_message
from labkube.core.scheduler.nominator import Nominator
from labkube.core.scheduler.plugins.default_binder import binding_for
from labkube.core.scheduler.profile import DEFAULT_SCHEDULER_NAME, default_profile
from labkube.core.scheduler.registry import Registry

MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5
#: ``DefaultPercentageOfNodesToScore``: 0 selects the adaptive formula.
DEFAULT_PERCENTAGE_OF_NODES_TO_SCORE = 0
_MIN_CHUNK = 32
_NAME = attrgetter("name")


def num_feasible_nodes_to_find(percentage: int | None, num_all_nodes: int) -> int:
    """``numFeasibleNodesToFind``: how many feasible nodes are enough to stop filtering."""
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND:
        return num_all_nodes
    if not percentage:
        percentage = 50 - num_all_nodes // 125
        if percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND:
            percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND
    num_nodes = num_all_nodes * percentage // 100
    return max(num_nodes, MIN_FEASIBLE_NODES_TO_FIND)


@dataclass(frozen=True)
class FitError:
    """``framework.FitError``: no node fits; ``str()`` is the FailedScheduling message."""

    pod: str
    num_all_nodes: int
    statuses: dict = field(hash=False, compare=False)  # node name -> Status
    pre_filter_message: str = ""
    post_filter_message: str = ""

    @property
    def message(self) -> str:
        return fit_error_message(self.num_all_nodes, self.statuses, self.pre_filter_message,
                                 self.post_filter_message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ScheduleResult:
    """What one cycle decided. Exactly one of ``node_name``, ``fit_error``, ``error`` is set."""

    pod: dict
    profile: str
    node_name: str | None = None
    evaluated_nodes: int = 0
    feasible_nodes: int = 0
    fit_error: FitError | None = None
    error: str | None = None
    binding: dict | None = None
    nominated_node_name: str | None = None   # preemption: where the pod should go next time
    victims: tuple = ()                      # preemption: pod dicts to evict
    record: DecisionRecord | None = None
    assumed: bool = False
    #: the cycle's CycleState, kept for the binding cycle (PreBind, Unreserve)
    state: CycleState | None = field(default=None, compare=False, repr=False)

    @property
    def scheduled(self) -> bool:
        return self.node_name is not None

    @property
    def unschedulable_plugins(self) -> frozenset[str]:
        """The plugins that rejected the pod (the queue wakes it on events they care about)."""
        if self.fit_error is None:
            return frozenset()
        return frozenset(s.plugin for s in self.fit_error.statuses.values() if s.plugin)

    @property
    def event_reason(self) -> str:
        return "Scheduled" if self.scheduled else "FailedScheduling"

    @property
    def message(self) -> str:
        """The event message: ``Successfully assigned ns/name to node`` or the FailedScheduling text."""
        meta = self.pod.get("metadata") or {}
        if self.scheduled:
            key = f"{meta.get('namespace', 'default')}/{meta.get('name', '')}"
            return f"Successfully assigned {key} to {self.node_name}"
        if self.fit_error is not None:
            return self.fit_error.message
        return self.error or ""


_RESULT_FIELDS = tuple(f.name for f in fields(ScheduleResult))


class Scheduler:
    """Profiles (one Framework each) plus the state that spans cycles: the RNG and the
    rotating start index. ``schedule_one`` is the whole public scheduling API."""

    def __init__(self, registry: Registry | None = None, profiles=None, *,
                 rng: random.Random | None = None,
                 percentage_of_nodes_to_score: int = DEFAULT_PERCENTAGE_OF_NODES_TO_SCORE,
                 record: bool = True):
        self.registry = registry or Registry()
        self.rng = rng if rng is not None else random.Random(0)
        self.percentage_of_nodes_to_score = percentage_of_nodes_to_score
        self.record = record
        self.next_start_node_index = 0
        #: pods preemption nominated to a node: other pods filter as if they ran there
        self.nominator = Nominator()
        self.profiles: dict = {}
        self.frameworks: dict[str, Framework] = {}
        for profile in profiles or [default_profile()]:
            self.set_profile(profile)

    # -- profiles ---------------------------------------------------------------
    def set_profile(self, profile) -> Framework:
        """Add or replace a profile (takes effect for the next pod; no restart)."""
        framework = self.registry.build(profile, self.rng)
        self.profiles[profile.name] = profile
        self.frameworks[profile.name] = framework
        return framework

    def remove_profile(self, name: str) -> None:
        self.profiles.pop(name, None)
        self.frameworks.pop(name, None)

    def framework_for(self, pod: dict) -> Framework | None:
        name = (pod.get("spec") or {}).get("schedulerName") or DEFAULT_SCHEDULER_NAME
        return self.frameworks.get(name)

    def events_to_register(self) -> dict[str, set]:
        """Plugin name -> cluster events that may help pods it rejected (for the queue)."""
        merged: dict[str, set] = {}
        for fwk in self.frameworks.values():
            for name, events in fwk.events_to_register().items():
                merged.setdefault(name, set()).update(events)
        return merged

    def handles(self, pod: dict) -> bool:
        """Whether one of this scheduler's profiles is responsible for the pod."""
        return self.framework_for(pod) is not None

    # -- the cycle ----------------------------------------------------------------
    def schedule_one(self, pod: dict, snapshot, *, assume: bool = True) -> ScheduleResult:
        """Decide where ``pod`` goes; with ``assume`` count it on that node in ``snapshot``."""
        fwk = self.framework_for(pod)
        name = (pod.get("spec") or {}).get("schedulerName") or DEFAULT_SCHEDULER_NAME
        if fwk is None:
            return ScheduleResult(pod, name, error=f"profile not found for scheduler name {name!r}")
        info = snapshot.pod_info(pod)
        state = CycleState(snapshot)
        cycle = _Cycle(self, fwk, info, state, snapshot)
        result = cycle.run()
        if result.node_name is not None and assume:
            result = self._assume_and_reserve(fwk, state, info, snapshot, result, cycle)
        return result

    def _assume_and_reserve(self, fwk, state, info, snapshot, result, cycle) -> ScheduleResult:
        node_name = result.node_name
        snapshot.assume(info, node_name)
        self.nominator.forget(info.uid)  # assumed: it holds its room itself now
        message = ""
        status = fwk.run_reserve(state, info, node_name)
        if status is not None:
            message = f"running Reserve plugin {status.plugin!r}: {status.message}"
        else:
            status = fwk.run_permit(state, info, node_name)
            if status is not None:
                message = f"rejected pod {info.name!r} by permit plugin {status.plugin!r}: {status.message}"
        if status is not None:
            fwk.run_unreserve(state, info, node_name)
            snapshot.forget(info)
            return cycle.finish(error=message)
        if fwk.binder is not None:
            binding = fwk.binder.bind(state, info, node_name)
        else:
            binding = binding_for(info.pod, node_name)
        return _replace(result, binding=binding, assumed=True, state=state)

    def forget(self, result: ScheduleResult, snapshot) -> None:
        """The binding failed: run Unreserve and drop the assumed pod from the snapshot."""
        if not result.assumed or result.node_name is None:
            return
        fwk = self.framework_for(result.pod)
        info = snapshot.pod_info(result.pod)
        if fwk is not None:
            fwk.run_unreserve(result.state or CycleState(snapshot), info, result.node_name)
        snapshot.forget(info)


def _replace(result: ScheduleResult, **changes) -> ScheduleResult:
    """``dataclasses.replace`` for a ScheduleResult (without its generic field checks)."""
    values = {name: getattr(result, name) for name in _RESULT_FIELDS}
    values.update(changes)
    return ScheduleResult(**values)


def _window(nodes: list, start: int, count: int) -> list:
    """``count`` nodes from ``start``, wrapping around the end of the list."""
    start %= len(nodes)
    chunk = nodes[start:start + count]
    if len(chunk) < count:
        chunk += nodes[:count - len(chunk)]
    return chunk


def _plugin_scores(plugin: tuple, raw: list, normalized: list) -> PluginScores:
    """One column of the decision record (a plugin without NormalizeScore has one list for both)."""
    raw_t = _as_tuple(raw)
    normalized_t = raw_t if normalized is raw else _as_tuple(normalized)
    return PluginScores(plugin[0], plugin[1], raw_t, normalized_t)


def _as_tuple(scores: list) -> tuple:
    """``tuple(scores)`` (see ``ScoreList.as_tuple``)."""
    return scores.as_tuple() if type(scores) is ScoreList else tuple(scores)


class _Cycle:
    """The steps of one ``schedulePod`` call, kept apart so each reads as one idea."""

    def __init__(self, scheduler: Scheduler, fwk: Framework, info, state: CycleState, snapshot):
        self.scheduler, self.fwk, self.info, self.state, self.snapshot = scheduler, fwk, info, state, snapshot
        self.all_nodes = snapshot.list()
        self.statuses: dict[str, Status] = {}
        self.evaluated: list = []
        self.feasible: list = []
        self.table = None
        self.start_index = scheduler.next_start_node_index
        self.num_to_find = 0
        self.pre_filter_message = ""

    def run(self) -> ScheduleResult:
        if not self.all_nodes:
            return self.finish(error=NO_NODES_AVAILABLE)
        nominated = self._nominated_node()
        if nominated is not None:
            return self.finish(node_name=nominated)
        status = self._find_nodes_that_fit()
        if status is not None and status.code == ERROR:
            return self.finish(error=status.message)
        if not self.feasible:
            return self._unschedulable()
        if len(self.feasible) == 1:
            return self.finish(node_name=self.feasible[0].name)
        return self._prioritize_and_select()

    # -- Filter -----------------------------------------------------------------
    def _pre_filter(self):
        result, status = self.fwk.run_pre_filter(self.state, self.info)
        return result, status

    def _nominated_node(self) -> str | None:
        """``evaluateNominatedNode``: a pod that preempted goes straight to its nominated node if it fits."""
        name = (self.info.pod.get("status") or {}).get("nominatedNodeName")
        node = self.snapshot.get(name) if name else None
        if node is None:
            return None
        result, status = self._pre_filter()
        if status is None and (result is None or result.node_names is None or name in result.node_names):
            status = self.fwk.run_filter(self.state, self.info, node)
            if self.scheduler.nominator:
                status = self._with_nominated_pods(node, status)
            if status is None:
                self.evaluated, self.feasible = [node], [node]
                return name
        self.state = self._fresh_state()
        return None

    def _with_nominated_pods(self, node, status) -> Status | None:
        """``RunFilterPluginsWithNominatedPods``: a node that fits must still fit with the pods
        of equal or higher priority nominated to it counted as running there."""
        if status is not None:
            return status
        nominated = self.scheduler.nominator.pods_that_count_against(node.name, self.info)
        if not nominated:
            return None
        state, node_with = self.state.clone(), node.clone()
        for other in nominated:
            node_with.add_pod(other)
            for plugin in self.fwk.points["pre_filter"]:
                update = getattr(plugin, "pre_filter_update", None)
                if update is not None:
                    update(state, self.info, other, node_with, 1)
        return self.fwk.run_filter(state, self.info, node_with)

    def _fresh_state(self) -> CycleState:
        return CycleState(self.snapshot)

    def _find_nodes_that_fit(self) -> Status | None:
        result, status = self._pre_filter()
        if status is not None:
            if status.code == ERROR:
                return status
            self.pre_filter_message = status.message
            for node in self.all_nodes:
                self.statuses[node.name] = status
            return None
        nodes = self.all_nodes
        if result is not None and result.node_names is not None:
            nodes = [n for n in self.all_nodes if n.name in result.node_names]
        self.num_to_find = num_feasible_nodes_to_find(self._percentage(), len(nodes))
        if nodes:
            processed = self._filter_window(nodes)
            self.scheduler.next_start_node_index = (self.start_index + processed) % len(self.all_nodes)
            if nodes is self.all_nodes and not self.statuses and self.feasible:
                # nothing rejected: the feasible nodes are consecutive nodes of the snapshot's list
                self.state.window = (self.feasible, self.start_index % len(nodes), len(self.feasible),
                                     self.all_nodes)
        if len(nodes) < len(self.all_nodes):
            self._set_absent_nodes_status(result, nodes)
        return None

    def _set_absent_nodes_status(self, result, nodes) -> None:
        """Nodes PreFilter left out count as rejected by the plugins that narrowed the set."""
        absent = Status(UNSCHEDULABLE_AND_UNRESOLVABLE,
                        f"node(s) didn't satisfy plugin(s) [{' '.join(sorted(result.plugins))}]",
                        plugin=result.plugins[0])
        kept = {n.name for n in nodes}
        for node in self.all_nodes:
            if node.name not in kept:
                self.statuses[node.name] = absent

    def _percentage(self) -> int | None:
        pct = self.fwk.percentage_of_nodes_to_score
        return self.scheduler.percentage_of_nodes_to_score if pct is None else pct

    def _filter_window(self, nodes: list) -> int:
        """Filter from the rotating start index until enough feasible nodes are found."""
        n = len(nodes)
        start = self.start_index % n
        need_all = self.num_to_find
        if not self.fwk.points["filter"]:
            self.feasible = _window(nodes, start, need_all)
            self.evaluated = list(self.feasible)
            return len(self.feasible)
        pos = 0
        evaluated, feasible, statuses = self.evaluated, self.feasible, self.statuses
        while pos < n and len(feasible) < need_all:
            chunk = _window(nodes, start + pos, min(max(need_all - len(feasible), _MIN_CHUNK), n - pos))
            pos += len(chunk)
            answers = self.fwk.run_filter_batch(self.state, self.info, chunk)
            if self.scheduler.nominator:  # only while a preemptor waits for its victims to go
                answers = [self._with_nominated_pods(node, status) for node, status in zip(chunk, answers)]
            if not any(answers):  # every node in the chunk fits (the common case)
                wanted = need_all - len(feasible)
                take = chunk if len(chunk) <= wanted else chunk[:wanted]
                evaluated.extend(take)
                feasible.extend(take)
                continue
            for node, status in zip(chunk, answers):
                evaluated.append(node)
                if status is None:
                    feasible.append(node)
                    if len(feasible) == need_all:
                        break
                else:
                    statuses[node.name] = status
        return len(self.evaluated)

    # -- PostFilter ----------------------------------------------------------------
    def _unschedulable(self) -> ScheduleResult:
        result, status = (None, None)
        if self.fwk.points["post_filter"]:
            result, status = self.fwk.run_post_filter(self.state, self.info, self.statuses)
            if status is not None and status.code == ERROR:
                return self.finish(error=status.message)
        post_msg = status.message if status is not None else ""
        fit_error = FitError(self.info.key, len(self.all_nodes), self.statuses,
                             self.pre_filter_message, post_msg)
        nominated = result.nominated_node_name if result is not None else None
        victims = result.victims if result is not None else ()
        # None: leave status.nominatedNodeName alone; "": clear it (ModeOverride, no node)
        return self.finish(fit_error=fit_error, nominated=nominated, victims=victims)

    # -- Score ----------------------------------------------------------------------
    def _prioritize_and_select(self) -> ScheduleResult:
        fwk, state, info = self.fwk, self.state, self.info
        status = fwk.run_pre_score(state, info, self.feasible)
        if status is not None:
            return self.finish(error=status.message)
        table, status = fwk.run_score(state, info, self.feasible)
        if status is not None:
            return self.finish(error=status.message)
        self.table = table
        return self.finish(node_name=self._select_host(table))

    def _select_host(self, table) -> str:
        """``selectHost``: the highest total; a tie is broken uniformly at random with the
        seeded RNG. kube-scheduler draws once per tied node (reservoir sampling, each of k
        tied nodes kept with probability 1/k); one draw among the k gives the same odds."""
        totals = table.totals
        best_score = max(totals if table.distinct_totals is None else table.distinct_totals)
        ties = totals.count(best_score)
        if ties == 1:
            return table.nodes[totals.index(best_score)].name
        chosen = self.scheduler.rng.randrange(ties)  # the chosen-th tied node, counting from 0
        if ties == len(totals):  # every node tied
            return table.nodes[chosen].name
        # positions of the tied nodes (operator.eq: cheaper per node than best_score.__eq__)
        tied = compress(count(), map(eq, totals, repeat(best_score)))
        return table.nodes[next(islice(tied, chosen, None))].name

    # -- the result ---------------------------------------------------------------------
    def finish(self, *, node_name=None, fit_error=None, error=None, nominated=None,
               victims=()) -> ScheduleResult:
        record = self._record(node_name, fit_error, error, nominated, victims) if self.scheduler.record else None
        return ScheduleResult(
            pod=self.info.pod, profile=self.fwk.profile_name, node_name=node_name,
            evaluated_nodes=len(self.evaluated) if not self.pre_filter_message else len(self.all_nodes),
            feasible_nodes=len(self.feasible), fit_error=fit_error, error=error,
            nominated_node_name=nominated, victims=tuple(victims), record=record)

    def _record(self, node_name, fit_error, error, nominated, victims) -> DecisionRecord:
        feasible = self.state.node_names(self.feasible)
        evaluated = self.all_nodes if self.pre_filter_message else self.evaluated
        # feasible nodes are found among the evaluated ones, in order: same length, same names
        evaluated = feasible if len(evaluated) == len(feasible) else tuple(map(_NAME, evaluated))
        rejections = tuple(Rejection(name, s.plugin, s.code, s.reasons)
                           for name, s in self.statuses.items())  # in visiting order
        table = self.table
        scores: tuple = ()
        scored: tuple = ()
        totals: tuple = ()
        if table is not None:
            scored = feasible if table.nodes is self.feasible else tuple(map(_NAME, table.nodes))
            scores = tuple(map(_plugin_scores, table.plugins, table.raw, table.normalized))
            totals = tuple(table.totals)
        return DecisionRecord(
            pod=self.info.key, profile=self.fwk.profile_name, num_all_nodes=len(self.all_nodes),
            num_nodes_to_find=self.num_to_find, start_index=self.start_index,
            evaluated=evaluated, rejections=rejections,
            feasible=feasible, scored_nodes=scored, scores=scores,
            totals=totals, selected=node_name,
            message=fit_error.message if fit_error is not None else "",
            pre_filter_message=self.pre_filter_message, nominated_node=nominated or "",
            victims=tuple(f"{(v.get('metadata') or {}).get('namespace', 'default')}/"
                          f"{(v.get('metadata') or {}).get('name', '')}" for v in victims),
            error=error or "")


__all__ = ["Scheduler", "ScheduleResult", "FitError", "num_feasible_nodes_to_find"]
