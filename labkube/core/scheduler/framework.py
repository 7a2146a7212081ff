"""The scheduling framework: statuses, extension points, cycle state, and the runner.

Mirrors pkg/scheduler/framework (interface.go, cycle_state.go, runtime/framework.go).
A scheduling cycle for one pod walks the extension points of a *profile* in order:

    PreFilter → Filter (per node) → PostFilter (only if no node fits)
    → PreScore → Score (per node) → NormalizeScore → × weight → Reserve → Permit
    → (binding cycle: PreBind → Bind)

A plugin is any object with a ``name`` and one or more of these methods (the protocols
below spell out the signatures); the framework finds them by name, so a class written in a
notebook cell is a plugin as soon as it has ``name`` and, say, ``filter``.

Every method answers with a :class:`Status` (``None`` means Success, as Go's nil does). Its
code says what the scheduler does next:

* ``Success`` — go on;
* ``Unschedulable`` — this node does not fit now, preemption might help;
* ``UnschedulableAndUnresolvable`` — this node will not fit, preemption cannot help;
* ``Error`` — something broke: the pod is retried with backoff;
* ``Skip`` — from PreFilter/PreScore: "nothing to do for this pod", the plugin's
  Filter/Score is not called in this cycle.

Optional methods a plugin may also have:

* ``events_to_register()`` — the cluster events ``(resource, action)`` that may make a pod
  it rejected schedulable (the queue's wake-up rules; all events when absent);
* ``pre_filter_update(state, pod, other, node, sign)`` — kube-scheduler's
  PreFilterExtensions AddPod/RemovePod, used by preemption's dry run;
* ``bind(state, pod, node_name)`` — returns the Binding to post (DefaultBinder);
* ``pre_bind(state, pod, node_name)`` — what must happen before the pod is bound: None, an
  Error Status, or work the live scheduler carries out and waits for (VolumeBinding's
  :class:`~labkube.core.scheduler.plugins.volume_binding.VolumeBindingWork`);
* ``filter_nodes`` / ``score_nodes`` / ``normalize_score_list`` — performance only (labkube,
  not Kubernetes): kube-scheduler runs Filter and Score for many nodes in parallel
  goroutines; Python cannot, so a plugin may answer for a list of nodes at once. Results are
  identical to calling ``filter``/``score``/``normalize_score`` per node, which is what
  plugins without them get (the plugin tests check both agree).

Guarantees: plugins run in profile order; Filter stops at a node's first rejection; scores
outside 0..100 after NormalizeScore are an Error, as in kube-scheduler; nothing here reads a
clock or an unseeded random source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import repeat
from operator import add, attrgetter, mul
from typing import Protocol, runtime_checkable

from labkube.core.scheduler.nodeinfo import NodeInfo, PodInfo, Resource  # noqa: F401 (re-export)

SUCCESS = "Success"
ERROR = "Error"
UNSCHEDULABLE = "Unschedulable"
UNSCHEDULABLE_AND_UNRESOLVABLE = "UnschedulableAndUnresolvable"
WAIT = "Wait"
SKIP = "Skip"

MAX_NODE_SCORE = 100
MIN_NODE_SCORE = 0

_NAME = attrgetter("name")


class Status:
    """``framework.Status``: a code, the reasons (shown in FailedScheduling) and the plugin."""

    __slots__ = ("code", "reasons", "plugin")

    def __init__(self, code: str = SUCCESS, *reasons: str, plugin: str = ""):
        self.code = code
        self.reasons = tuple(reasons)
        self.plugin = plugin

    def is_success(self) -> bool:
        return self.code == SUCCESS

    def is_rejected(self) -> bool:
        """Unschedulable or UnschedulableAndUnresolvable."""
        return self.code in (UNSCHEDULABLE, UNSCHEDULABLE_AND_UNRESOLVABLE)

    def is_skip(self) -> bool:
        return self.code == SKIP

    @property
    def message(self) -> str:
        """``Status.Message()``: the reasons joined by ", "."""
        return ", ".join(self.reasons)

    def with_plugin(self, plugin: str) -> "Status":
        if self.plugin == plugin:
            return self
        return Status(self.code, *self.reasons, plugin=plugin)

    def to_dict(self) -> dict:
        return {"code": self.code, "reasons": list(self.reasons), "plugin": self.plugin}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Status):
            return NotImplemented
        return (self.code, self.reasons, self.plugin) == (other.code, other.reasons, other.plugin)

    def __hash__(self) -> int:
        return hash((self.code, self.reasons, self.plugin))

    def __repr__(self) -> str:
        plugin = f", plugin={self.plugin!r}" if self.plugin else ""
        return f"Status({self.code!r}, {', '.join(map(repr, self.reasons))}{plugin})"


def is_success(status: Status | None) -> bool:
    return status is None or status.code == SUCCESS


def as_status(result, plugin: str, default_reason: str) -> Status | None:
    """Turn what a student's filter function returns into a Status.

    ``None``/``True``/Success → None (fits); ``False`` → Unschedulable with
    ``default_reason``; a string → Unschedulable with that reason; a Status → itself.
    """
    if result is None or result is True:
        return None
    if isinstance(result, Status):
        return None if result.code == SUCCESS else result.with_plugin(plugin)
    if result is False:
        return Status(UNSCHEDULABLE, default_reason, plugin=plugin)
    if isinstance(result, str):
        return Status(UNSCHEDULABLE, result, plugin=plugin)
    raise TypeError(f"filter of plugin {plugin!r} returned {type(result).__name__}; "
                    "want Status, bool, str or None")


class CycleState:
    """``framework.CycleState``: per-cycle scratch space plugins write in PreFilter/PreScore
    and read in Filter/Score, plus the snapshot being scheduled against.

    ``window`` (labkube, for speed): set by the scheduler when the feasible nodes are
    ``count`` consecutive nodes of ``snapshot.list()`` from ``start`` (wrapping around), as
    ``(feasible list, start, count, snapshot.list())``; :meth:`node_names` and
    :meth:`column` then slice lists the snapshot keeps instead of visiting every node."""

    __slots__ = ("_data", "snapshot", "skip_filter", "skip_score", "_names", "window")

    def __init__(self, snapshot=None):
        self._data: dict = {}
        self.snapshot = snapshot
        self.skip_filter: set[str] = set()
        self.skip_score: set[str] = set()
        self._names = None  # (nodes, their names): see node_names
        self.window = None

    def _window_of(self, nodes: list):
        """(start, count) when ``nodes`` is this cycle's window of the snapshot's nodes."""
        window = self.window
        if window is not None and window[0] is nodes and self.snapshot.list() is window[3]:
            return window[1], window[2]
        return None

    def node_names(self, nodes: list) -> tuple:
        """The names of ``nodes``, computed once per cycle for the same list (the score
        plugins and the decision record all ask it for the feasible nodes)."""
        kept = self._names
        if kept is not None and kept[0] is nodes and len(kept[1]) == len(nodes):
            return kept[1]
        at = self._window_of(nodes)
        if at is not None:
            names = wrapped_slice(self.snapshot.node_names(), *at)
        else:
            names = tuple(map(_NAME, nodes))
        self._names = (nodes, names)
        return names

    def column(self, nodes: list, key, compute, source=None) -> list | None:
        """``[compute(node) for node in nodes]`` read from the snapshot's per-node column
        ``key`` (see ``Snapshot.node_column``) when ``nodes`` is this cycle's window; None
        otherwise (the caller computes it)."""
        at = self._window_of(nodes)
        if at is None:
            return None
        return wrapped_slice(self.snapshot.node_column(key, compute, source), *at)

    def write(self, key: str, value) -> None:
        self._data[key] = value

    def read(self, key: str):
        """The value a plugin wrote; KeyError (like Go's ErrNotFound) when absent."""
        return self._data[key]

    def get(self, key: str, default=None):
        return self._data.get(key, default)

    def clone(self) -> "CycleState":
        copy = CycleState(self.snapshot)
        copy._data = {k: (v.clone() if hasattr(v, "clone") else v) for k, v in self._data.items()}
        copy.skip_filter = set(self.skip_filter)
        copy.skip_score = set(self.skip_score)
        copy._names = self._names
        copy.window = self.window
        return copy


def wrapped_slice(items, start: int, count: int) -> list:
    """``count`` items from ``start``, wrapping around the end (``count <= len(items)``);
    a list or tuple like ``items``."""
    start %= len(items)
    chunk = items[start:start + count]
    if len(chunk) < count:
        chunk = chunk + items[:count - len(chunk)]
    return chunk


@dataclass(frozen=True)
class PreFilterResult:
    """``framework.PreFilterResult``: PreFilter may narrow the nodes worth filtering."""

    node_names: frozenset[str] | None = None  # None: all nodes
    plugins: tuple[str, ...] = ()             # who narrowed (filled in by the framework)

    def merge(self, other: "PreFilterResult | None") -> "PreFilterResult":
        if other is None or other.node_names is None:
            return self
        if self.node_names is None:
            return other
        return PreFilterResult(self.node_names & other.node_names, self.plugins + other.plugins)


@dataclass(frozen=True)
class PostFilterResult:
    """What PostFilter (preemption) proposes: a nominated node and the pods to evict there."""

    nominated_node_name: str = ""
    victims: tuple[dict, ...] = field(default=())


# ---------------------------------------------------------------------------
# Extension-point protocols (documentation and isinstance checks; duck typing is enough)
# ---------------------------------------------------------------------------


@runtime_checkable
class Plugin(Protocol):
    name: str


@runtime_checkable
class PreFilterPlugin(Plugin, Protocol):
    def pre_filter(self, state: CycleState, pod: PodInfo) -> "Status | PreFilterResult | None":
        """Compute per-pod data once; reject the pod for every node; or narrow the nodes."""


@runtime_checkable
class FilterPlugin(Plugin, Protocol):
    def filter(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> Status | None:
        """Can the pod run on this node? None (or Success) if yes."""


@runtime_checkable
class PostFilterPlugin(Plugin, Protocol):
    def post_filter(self, state: CycleState, pod: PodInfo,
                    statuses: dict) -> "tuple[PostFilterResult | None, Status | None]":
        """Called when no node fits: try to make room (preemption)."""


@runtime_checkable
class PreScorePlugin(Plugin, Protocol):
    def pre_score(self, state: CycleState, pod: PodInfo, nodes: list) -> Status | None:
        """Compute per-pod data for scoring over the feasible nodes; Skip to opt out."""


@runtime_checkable
class ScorePlugin(Plugin, Protocol):
    def score(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> int:
        """A raw score for one feasible node."""


@runtime_checkable
class NormalizeScorePlugin(Plugin, Protocol):
    def normalize_score(self, state: CycleState, pod: PodInfo, scores: dict) -> Status | None:
        """Rewrite raw scores (node name -> int) in place into 0..100."""


@runtime_checkable
class ReservePlugin(Plugin, Protocol):
    def reserve(self, state: CycleState, pod: PodInfo, node_name: str) -> Status | None: ...

    def unreserve(self, state: CycleState, pod: PodInfo, node_name: str) -> None: ...


@runtime_checkable
class PermitPlugin(Plugin, Protocol):
    def permit(self, state: CycleState, pod: PodInfo, node_name: str) -> Status | None: ...


EXTENSION_POINTS = ("pre_filter", "filter", "post_filter", "pre_score", "score", "reserve", "permit",
                    "pre_bind")


# ---------------------------------------------------------------------------
# The runner
# ---------------------------------------------------------------------------


class ScoreList(list):
    """A list of scores that carries its distinct values, ``distinct`` (a set), for a plugin
    that knows them already (it computed each distinct score once): the framework then
    does not look at every score again to find them. Otherwise a plain list, never
    modified once made. ``frozen``: the same scores as a tuple, when one is kept already
    (see :func:`repeated_score`)."""

    __slots__ = ("distinct", "frozen")

    def __init__(self, scores, distinct: set, frozen: tuple | None = None):
        super().__init__(scores)
        self.distinct = distinct
        self.frozen = frozen

    def as_tuple(self) -> tuple:
        """``tuple(self)`` (the decision record keeps tuples). tuple() copies a list
        subclass item by item, a plain list in one block: hence the plain copy first."""
        return self.frozen if self.frozen is not None else tuple(list.copy(self))


#: (score, count) -> ``(score,) * count``: one tuple shared by every decision record
#: holding that column (TaintToleration's all-100 column, ImageLocality's all-0 ...)
_REPEATED: dict = {}
_MAX_REPEATED = 64


def repeated_score(score: int, count: int) -> list:
    """``[score] * count`` as a :class:`ScoreList` (its one distinct value known, its tuple
    shared)."""
    if not count:
        return []
    frozen = _REPEATED.get((score, count))
    if frozen is None:
        if len(_REPEATED) >= _MAX_REPEATED:
            _REPEATED.clear()
        frozen = _REPEATED[(score, count)] = (score,) * count
    return ScoreList(frozen, {score}, frozen)  # the list copied from the tuple in one block


def _distinct_in_range(scores: list) -> tuple[set, bool]:
    """The distinct values of ``scores`` (not empty) and whether all of them are in
    [MIN_NODE_SCORE, MAX_NODE_SCORE] (one value repeated — the usual case — is one check;
    a :class:`ScoreList` knows its distinct values)."""
    if type(scores) is ScoreList:
        distinct = scores.distinct
        return distinct, min(distinct) >= MIN_NODE_SCORE and max(distinct) <= MAX_NODE_SCORE
    first = scores[0]
    if scores[-1] == first and scores.count(first) == len(scores):
        return {first}, MIN_NODE_SCORE <= first <= MAX_NODE_SCORE
    distinct = set(scores)  # few distinct scores: cheaper to look at each once
    return distinct, min(distinct) >= MIN_NODE_SCORE and max(distinct) <= MAX_NODE_SCORE


@dataclass
class ScoreTable:
    """Scores of one cycle: per plugin, raw and normalized (weight applied by the reader)."""

    nodes: list          # NodeInfo, in the order they were found feasible
    plugins: list        # (name, weight)
    raw: list            # per plugin: list[int] aligned with nodes
    normalized: list     # per plugin: list[int] aligned with nodes
    totals: list         # per node: sum of normalized * weight
    #: the distinct values of ``totals`` when known without looking at every node (else None)
    distinct_totals: set | None = None


def _weighted_totals(varying: list, constant, num_nodes: int) -> list:
    """Per node: the sum of ``normalized × weight`` over the ``varying`` columns, in order,
    plus ``constant`` (the uniform columns' share) — built as one chain of maps, one list."""
    if not varying:
        return [constant] * num_nodes
    column, weight = varying[0]
    acc = iter(column) if weight == 1 else map(mul, column, repeat(weight))
    for column, weight in varying[1:]:
        acc = map(add, acc, column if weight == 1 else map(mul, column, repeat(weight)))
    if constant:
        acc = map(add, acc, repeat(constant))
    return list(acc)


def _one_column_totals(column: list, weight: int, constant: int, distinct: set) -> tuple[list, set]:
    """:func:`_weighted_totals` for one varying column whose ``distinct`` values are known:
    each distinct total is computed once and looked up per node; also the distinct totals."""
    total_of = {score: score * weight + constant for score in distinct}
    return list(map(total_of.__getitem__, column)), set(total_of.values())


class Framework:
    """Runs one profile's plugins (``frameworkImpl``): built by :class:`Profile` + registry."""

    def __init__(self, profile_name: str, plugins: list, weights: dict,
                 disabled: dict | None = None, percentage_of_nodes_to_score: int | None = None,
                 rng=None):
        self.profile_name = profile_name
        self.weights = dict(weights)
        self.percentage_of_nodes_to_score = percentage_of_nodes_to_score
        self.rng = rng  # the scheduler's seeded random.Random (preemption's dry-run offset)
        self.disabled = disabled or {}
        self.set_plugins(plugins)

    def set_plugins(self, plugins: list) -> None:
        """Install the plugin instances and sort them into their extension points."""
        self.plugins = list(plugins)
        self.points = {
            point: [p for p in self.plugins
                    if callable(getattr(p, point, None)) and p.name not in self.disabled.get(point, ())]
            for point in EXTENSION_POINTS
        }
        self.binder = next((p for p in self.plugins if callable(getattr(p, "bind", None))), None)

    def plugin(self, name: str):
        return next((p for p in self.plugins if p.name == name), None)

    def has(self, point: str) -> bool:
        return bool(self.points[point])

    # -- PreFilter ----------------------------------------------------------
    def run_pre_filter(self, state: CycleState, pod: PodInfo
                       ) -> tuple[PreFilterResult | None, Status | None]:
        """``RunPreFilterPlugins``: the merged node narrowing, or the first rejection."""
        result: PreFilterResult | None = None
        narrowing: list[str] = []
        for plugin in self.points["pre_filter"]:
            answer = plugin.pre_filter(state, pod)
            if isinstance(answer, PreFilterResult):
                if answer.node_names is not None:
                    narrowing.append(plugin.name)
                    answer = PreFilterResult(frozenset(answer.node_names), (plugin.name,))
                    result = answer if result is None else result.merge(answer)
                continue
            if answer is None or answer.code == SUCCESS:
                continue
            if answer.code == SKIP:
                state.skip_filter.add(plugin.name)
                continue
            return None, answer.with_plugin(plugin.name)
        if result is not None and result.node_names is not None and not result.node_names:
            if len(narrowing) == 1:
                msg = f"node(s) didn't satisfy plugin {narrowing[0]}"
            else:
                msg = f"node(s) didn't satisfy plugin(s) [{' '.join(narrowing)}] simultaneously"
            return None, Status(UNSCHEDULABLE_AND_UNRESOLVABLE, msg, plugin=narrowing[0])
        return result, None

    # -- Filter -------------------------------------------------------------
    def run_filter(self, state: CycleState, pod: PodInfo, node: NodeInfo) -> Status | None:
        """``RunFilterPlugins`` for one node: the first rejection, or None."""
        for plugin in self.points["filter"]:
            if plugin.name in state.skip_filter:
                continue
            status = plugin.filter(state, pod, node)
            if status is not None and status.code != SUCCESS:
                return status.with_plugin(plugin.name)
        return None

    def run_filter_batch(self, state: CycleState, pod: PodInfo, nodes: list) -> list:
        """Filter many nodes at once; element i is node i's first rejection or None."""
        statuses: list = [None] * len(nodes)
        alive = None  # positions of the nodes no plugin rejected yet (None: all of them)
        alive_nodes = nodes
        for plugin in self.points["filter"]:
            if not alive_nodes:
                break
            if plugin.name in state.skip_filter:
                continue
            batch = getattr(plugin, "filter_nodes", None)
            if batch is not None:
                answers = batch(state, pod, alive_nodes)
            else:
                answers = [plugin.filter(state, pod, node) for node in alive_nodes]
            if not any(answers):
                continue
            survivors, survivor_nodes = [], []
            for i, node, status in zip(range(len(nodes)) if alive is None else alive, alive_nodes, answers):
                if status is None or status.code == SUCCESS:
                    survivors.append(i)
                    survivor_nodes.append(node)
                else:
                    statuses[i] = status.with_plugin(plugin.name)
            alive, alive_nodes = survivors, survivor_nodes
        return statuses

    # -- PostFilter ---------------------------------------------------------
    def run_post_filter(self, state: CycleState, pod: PodInfo, statuses: dict
                        ) -> tuple[PostFilterResult | None, Status | None]:
        """``RunPostFilterPlugins``: the first plugin that succeeds wins; else reasons pile up."""
        reasons: list[str] = []
        rejector = ""
        result = None
        for plugin in self.points["post_filter"]:
            res, status = plugin.post_filter(state, pod, statuses)
            if status is None or status.code == SUCCESS:
                return res, None
            if status.code == ERROR:
                return None, status.with_plugin(plugin.name)
            if not status.is_rejected():
                continue
            rejector = rejector or plugin.name
            reasons.extend(status.reasons)
            if res is not None:
                result = res
        if not reasons:
            return result, Status(UNSCHEDULABLE, plugin=rejector)
        return result, Status(UNSCHEDULABLE, *reasons, plugin=rejector)

    # -- PreScore, Score, NormalizeScore -------------------------------------
    def run_pre_score(self, state: CycleState, pod: PodInfo, nodes: list) -> Status | None:
        for plugin in self.points["pre_score"]:
            status = plugin.pre_score(state, pod, nodes)
            if status is None or status.code == SUCCESS:
                continue
            if status.code == SKIP:
                state.skip_score.add(plugin.name)
                continue
            return status.with_plugin(plugin.name)
        return None

    def run_score(self, state: CycleState, pod: PodInfo, nodes: list) -> tuple[ScoreTable | None, Status | None]:
        """``RunScorePlugins``: raw → normalized (0..100) → weighted; totals per node.

        A column that is the same for every node (all 100, all 0: common when a plugin has
        nothing to prefer) is added to the totals once at the end, as one constant; the
        other columns are weighted and summed in one pass, in plugin order (when only one
        column differs, each of its distinct scores is weighted once)."""
        table = ScoreTable(nodes, [], [], [], [])
        varying = []  # (normalized, weight) of the columns that differ between nodes
        constant = 0
        distinct = set()  # the distinct normalized scores of the varying column(s)
        for plugin in self.points["score"]:
            if plugin.name in state.skip_score:
                continue
            raw, normalized, values, status = self._score_column(state, pod, nodes, plugin)
            if status is not None:
                return None, status
            weight = self.weights.get(plugin.name, 1)
            table.plugins.append((plugin.name, weight))
            table.raw.append(raw)
            table.normalized.append(normalized)
            if not normalized:
                continue
            if len(values) == 1:
                constant += normalized[0] * weight
                continue
            varying.append((normalized, weight))
            distinct = values
        if len(varying) == 1:
            table.totals, table.distinct_totals = _one_column_totals(*varying[0], constant, distinct)
        else:
            table.totals = _weighted_totals(varying, constant, len(nodes))
            if not varying and nodes:
                table.distinct_totals = {constant}
        return table, None

    def _score_column(self, state: CycleState, pod: PodInfo, nodes: list, plugin):
        """One plugin's raw and normalized scores and the distinct normalized scores, or
        the Error status that stops scoring."""
        batch = getattr(plugin, "score_nodes", None)
        raw = batch(state, pod, nodes) if batch is not None else [
            plugin.score(state, pod, node) for node in nodes]
        normalized = raw
        normalize = getattr(plugin, "normalize_score", None)
        normalize_list = getattr(plugin, "normalize_score_list", None)
        if normalize_list is not None:
            normalized = normalize_list(state, pod, raw)
        elif normalize is not None:
            names = [n.name for n in nodes]
            by_name = dict(zip(names, raw))
            status = normalize(state, pod, by_name)
            if status is not None and status.code != SUCCESS:
                return None, None, None, status.with_plugin(plugin.name)
            normalized = list(map(by_name.__getitem__, names))
        if not normalized:
            return raw, normalized, set(), None
        distinct, in_range = _distinct_in_range(normalized)
        if not in_range:
            bad = next(s for s in normalized if s < MIN_NODE_SCORE or s > MAX_NODE_SCORE)
            return None, None, None, Status(
                ERROR, f"plugin {plugin.name!r} returns an invalid score {bad}, it should "
                f"in the range of [{MIN_NODE_SCORE}, {MAX_NODE_SCORE}] after normalizing",
                plugin=plugin.name)
        return raw, normalized, distinct, None

    # -- Reserve, Permit ----------------------------------------------------
    def run_reserve(self, state: CycleState, pod: PodInfo, node_name: str) -> Status | None:
        for plugin in self.points["reserve"]:
            status = plugin.reserve(state, pod, node_name)
            if status is not None and status.code != SUCCESS:
                return status.with_plugin(plugin.name)
        return None

    def run_unreserve(self, state: CycleState, pod: PodInfo, node_name: str) -> None:
        for plugin in reversed(self.points["reserve"]):
            unreserve = getattr(plugin, "unreserve", None)
            if unreserve is not None:
                unreserve(state, pod, node_name)

    def run_permit(self, state: CycleState, pod: PodInfo, node_name: str) -> Status | None:
        """Permit: only allow or reject (labkube has no waiting pods)."""
        for plugin in self.points["permit"]:
            status = plugin.permit(state, pod, node_name)
            if status is not None and status.code not in (SUCCESS, WAIT):
                return status.with_plugin(plugin.name)
        return None

    def run_pre_bind(self, state: CycleState, pod: PodInfo, node_name: str) -> "tuple[list, Status | None]":
        """``RunPreBindPlugins``, first half: each PreBind plugin answers None (nothing to
        do), a Status (an Error stops binding: ``running PreBind plugin "X": ...``) or the
        work the live scheduler carries out before the pod is bound (VolumeBinding's API
        updates and the wait for the PV controller)."""
        works = []
        for plugin in self.points["pre_bind"]:
            answer = plugin.pre_bind(state, pod, node_name)
            if answer is None:
                continue
            if isinstance(answer, Status):
                if answer.code == SUCCESS:
                    continue
                return works, Status(ERROR, f'running PreBind plugin "{plugin.name}": {answer.message}',
                                     plugin=plugin.name)
            works.append(answer)
        return works, None

    def events_to_register(self) -> dict[str, set[tuple[str, str]]]:
        """Plugin name -> the cluster events that may make a pod it rejected schedulable."""
        out = {}
        for plugin in self.plugins:
            events = getattr(plugin, "events_to_register", None)
            out[plugin.name] = set(events()) if events is not None else {("*", "*")}
        return out
