"""``kubectl cordon NODE``, ``kubectl uncordon NODE`` and ``kubectl drain NODE``.

Mirrors k8s.io/kubectl/pkg/cmd/drain and pkg/drain:

* cordon/uncordon patch ``spec.unschedulable`` (``node/node-1 cordoned``, or
  ``node/node-1 already cordoned`` when nothing changes);
* drain cordons, lists the node's pods (field selector ``spec.nodeName``), runs kubectl's
  filters in order — DaemonSet-managed (refused without ``--ignore-daemonsets``), mirror pods
  (skipped), emptyDir (refused without ``--delete-emptydir-data``), no controller (refused
  without ``--force``); finished pods always go — and then evicts each pod through the
  ``pods/eviction`` subresource (``evicting pod default/web-abc``), waits on the cluster clock
  until it is gone (``pod/web-abc evicted``) and prints ``node/node-1 drained``. Refusals print
  kubectl's ``error: unable to drain node "node-1" due to error:cannot delete ...,
  continuing command...`` and the aggregated error, exit 1.
* an eviction a PodDisruptionBudget refuses (429) prints ``error when evicting
  pods/"web-abc" -n "default" (will retry after 5s): Cannot evict pod as it would violate the
  pod's disruption budget.`` and is tried again 5 simulated seconds later, printing ``evicting
  pod`` again each time (staging/src/k8s.io/kubectl/pkg/drain/drain.go, ``evictPods``); any
  other eviction error fails that pod at once. ``--timeout`` bounds the whole drain: kubectl
  notices it at a pod's next attempt (``error when evicting pods/"x" -n "ns": global timeout
  reached: 12s``) or while waiting (``error when waiting for pod "x" in namespace "ns" to
  terminate: ...``), then lists ``There are pending pods in node ... when an error
  occurred``. kubectl's default ``--timeout=0`` waits forever; labkube stops after one
  simulated hour (``DEFAULT_WAIT``) with the message kubectl's infinite deadline would give.

Evictions use ``Client.evict(name, namespace)`` when the client has it, else an ordinary
delete (the output is the same, as kubectl's ``--disable-eviction`` prints ``deleted``).
"""

from __future__ import annotations

from labkube.core.errors import StatusError
from labkube.kubectl.commands import Context, dry_run_strategy, dry_run_suffix
from labkube.kubectl.commands._ops import parse_duration
from labkube.kubectl.errors import KubectlError, standard_message

DAEMONSET_FATAL = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
DAEMONSET_WARNING = "ignoring DaemonSet-managed Pods"
LOCAL_STORAGE_FATAL = "Pods with local storage (use --delete-emptydir-data to override)"
LOCAL_STORAGE_WARNING = "deleting Pods with local storage"
UNMANAGED_FATAL = "cannot delete Pods that declare no controller (use --force to override)"
UNMANAGED_WARNING = "deleting Pods that declare no controller"
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
#: Simulated seconds a drain waits for evicted pods when ``--timeout`` is 0 (kubectl: forever).
DEFAULT_WAIT = 3600.0


def run(ctx: Context) -> list[BaseException]:
    verb = ctx.parsed.path
    strategy = dry_run_strategy(ctx)
    nodes = _nodes(ctx, verb)
    if verb in ("cordon", "uncordon"):
        for node in nodes:
            _cordon(ctx, node, verb == "cordon", strategy)
        return []
    timeout = parse_duration(ctx.flags["timeout"], "timeout")
    for node in nodes:
        _cordon(ctx, node, True, strategy)
    fatal: list[BaseException] = []
    remaining: list[str] = []
    for node in nodes:
        name = node["metadata"]["name"]
        try:
            _drain_node(ctx, node, strategy, timeout)
        except _DrainError as err:
            ctx.term.err_line(f'error: unable to drain node "{name}" due to error: {err}, continuing command...')
            fatal.append(err.as_error())
            remaining.append(name)
            ctx.term.err_line("There are pending nodes to be drained:")
            for pending in remaining:
                ctx.term.err_line(f" {pending}")
            continue
        ctx.term.line(f"node/{name} drained{dry_run_suffix(strategy)}")
    return fatal


def _nodes(ctx: Context, verb: str) -> list[dict]:
    args = ctx.parsed.all_args
    selector = ctx.flags["selector"]
    if not args and not selector:
        raise ctx.usage_error(f"USAGE: {verb} NODE [flags]")
    if args and selector:
        raise ctx.usage_error("cannot specify both a node name and a --selector option")
    if selector:
        return ctx.client.list("nodes", label_selector=selector)["items"]
    found = []
    for name in args:
        found.append(ctx.client.get("nodes", name.removeprefix("node/").removeprefix("nodes/")))
    return found


def _cordon(ctx: Context, node: dict, desired: bool, strategy: str) -> None:
    name = node["metadata"]["name"]
    current = bool((node.get("spec") or {}).get("unschedulable"))
    if current == desired:
        ctx.term.line(f"node/{name} already {'cordoned' if desired else 'uncordoned'}")
        return
    if strategy != "client":
        try:
            ctx.client.patch("nodes", name, {"spec": {"unschedulable": True if desired else None}},
                             dry_run=strategy == "server")
        except StatusError as err:
            ctx.term.err_line(f'error: unable to {"cordon" if desired else "uncordon"} node "{name}": '
                              f"{standard_message(err).removeprefix('Error from server ')}")
            return
    ctx.term.line(f"node/{name} {'cordoned' if desired else 'uncordoned'}{dry_run_suffix(strategy)}")


# ---------------------------------------------------------------------------------------
# Choosing the pods (pkg/drain/filters.go)
# ---------------------------------------------------------------------------------------


class _DrainError(Exception):
    """Why a node could not be drained; kubectl 1.32 prints the aggregate without ``error: ``."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]")
        self.errors = errors

    def as_error(self) -> KubectlError:
        return KubectlError("\n".join(self.errors))


def _controller(pod: dict) -> dict | None:
    for ref in (pod.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def _finished(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def pod_status(ctx: Context, pod: dict) -> tuple[bool, str, str]:
    """(delete?, "Okay"|"Skip"|"Warning"|"Error", message) after kubectl's filters, in order."""
    status = (True, "Okay", "")
    for check in (_daemonset_filter, _mirror_filter, _local_storage_filter, _unreplicated_filter):
        status = check(ctx, pod)
        if not status[0]:
            break
    return status


def _daemonset_filter(ctx: Context, pod: dict) -> tuple[bool, str, str]:
    ref = _controller(pod)
    if ref is None or ref.get("kind") != "DaemonSet" or _finished(pod):
        return True, "Okay", ""
    try:
        ctx.client.get("daemonsets", ref.get("name", ""), pod["metadata"]["namespace"])
    except StatusError as err:
        if err.code == 404 and ctx.flags["force"]:
            return True, "Warning", err.message
        return False, "Error", err.message
    if not ctx.flags["ignore-daemonsets"]:
        return False, "Error", DAEMONSET_FATAL
    return False, "Warning", DAEMONSET_WARNING


def _mirror_filter(ctx: Context, pod: dict) -> tuple[bool, str, str]:
    if MIRROR_ANNOTATION in ((pod.get("metadata") or {}).get("annotations") or {}):
        return False, "Skip", ""
    return True, "Okay", ""


def _local_storage_filter(ctx: Context, pod: dict) -> tuple[bool, str, str]:
    volumes = (pod.get("spec") or {}).get("volumes") or []
    if not any("emptyDir" in v for v in volumes) or _finished(pod):
        return True, "Okay", ""
    if not ctx.flags["delete-emptydir-data"]:
        return False, "Error", LOCAL_STORAGE_FATAL
    return True, "Warning", LOCAL_STORAGE_WARNING


def _unreplicated_filter(ctx: Context, pod: dict) -> tuple[bool, str, str]:
    if _finished(pod) or _controller(pod) is not None:
        return True, "Okay", ""
    if ctx.flags["force"]:
        return True, "Warning", UNMANAGED_WARNING
    return False, "Error", UNMANAGED_FATAL


def _grouped(statuses: list[tuple[dict, tuple[bool, str, str]]], reason: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for pod, (_, why, message) in statuses:
        if why == reason:
            meta = pod["metadata"]
            groups.setdefault(message or "unexpected error", []).append(f"{meta['namespace']}/{meta['name']}")
    return groups


def pods_for_deletion(ctx: Context, node_name: str) -> tuple[list[dict], str, list[str]]:
    """``GetPodsForDeletion``: (pods to evict, the warnings line, the errors)."""
    listing = ctx.client.list("pods", None, field_selector=f"spec.nodeName={node_name}",
                              label_selector=ctx.flags["pod-selector"] or None)
    statuses = [(pod, pod_status(ctx, pod)) for pod in listing["items"]]
    errors = []
    for message, pods in _grouped(statuses, "Error").items():
        # kubectl 1.32 prefixes every message, even its own "cannot delete Pods that declare
        # no controller": the doubled words are what a student sees.
        errors.append(f"cannot delete {message}: {', '.join(pods)}")
    warnings = "; ".join(f"{m}: {', '.join(p)}" for m, p in _grouped(statuses, "Warning").items())
    return [pod for pod, status in statuses if status[0]], warnings, errors


# ---------------------------------------------------------------------------------------
# Evicting
# ---------------------------------------------------------------------------------------


def _drain_node(ctx: Context, node: dict, strategy: str, timeout: float) -> None:
    name = node["metadata"]["name"]
    pods, warnings, errors = pods_for_deletion(ctx, name)
    if errors:
        raise _DrainError(errors)
    if warnings:
        ctx.term.err_line(f"Warning: {warnings}")
    if strategy == "client":
        for pod in pods:
            ctx.term.line(f"evicting pod {pod['metadata']['namespace']}/{pod['metadata']['name']} (dry run)")
        return
    if not pods:
        return
    failures = _Evictions(ctx, pods, strategy, timeout).run()
    if failures:
        _report_pending(ctx, name, failures)
        raise _DrainError(failures)


def _report_pending(ctx: Context, node_name: str, failures: list[str]) -> None:
    """``deleteOrEvictPodsSimple``: the node's pods still there when evicting failed."""
    pending, _, _ = pods_for_deletion(ctx, node_name)
    if not pending:
        return
    error = failures[0] if len(failures) == 1 else "[" + ", ".join(failures) + "]"
    ctx.term.err_line(f'There are pending pods in node "{node_name}" when an error occurred: {error}')
    for pod in pending:
        ctx.term.err_line(f"pod/{pod['metadata']['name']}")


#: kubectl sleeps this long before retrying an eviction a disruption budget refused (429).
EVICTION_RETRY_INTERVAL = 5.0
#: ``time.Duration(math.MaxInt64)``: the global timeout kubectl uses for ``--timeout=0``.
INFINITE_TIMEOUT_TEXT = "2562047h47m16.854775807s"
_EPSILON = 1e-6


class _PodEviction:
    """One of kubectl's per-pod eviction goroutines, as a state on the cluster clock."""

    def __init__(self, pod: dict) -> None:
        self.pod = pod
        self.retry_at: float | None = None  # refused by a budget: try again then
        self.waiting = False  # evicted: waiting until the pod is gone
        self.error: str | None = None

    @property
    def name(self) -> str:
        return self.pod["metadata"]["name"]

    @property
    def namespace(self) -> str:
        return self.pod["metadata"]["namespace"]


class _Evictions:
    """``Helper.evictPods``: every pod evicted "at once"; a 429 (a PodDisruptionBudget) is
    printed and retried 5 s later; an evicted pod is waited for until it is gone; everything
    stops at the global timeout.

    kubectl runs one goroutine per pod; here they take turns in the pods' order on the cluster
    clock, so the output is the same on every run. ``--timeout=0`` means forever in kubectl; a
    simulated drain gives up after ``DEFAULT_WAIT`` (one simulated hour) and reports what
    kubectl would report at its (infinite) global timeout.
    """

    def __init__(self, ctx: Context, pods: list[dict], strategy: str, timeout: float) -> None:
        self.ctx = ctx
        self.strategy = strategy
        self.states = [_PodEviction(pod) for pod in pods]
        self.clock = ctx.cluster.clock
        self.deadline = self.clock.now() + (timeout or DEFAULT_WAIT)
        self.timeout_text = ctx.flags["timeout"] if timeout else INFINITE_TIMEOUT_TEXT

    def run(self) -> list[str]:
        for state in self.states:
            self._attempt(state)
        while True:
            retrying = [s for s in self.states if s.retry_at is not None]
            waiting = [s for s in self.states if s.waiting]
            if not retrying and not waiting:
                break
            self._advance(retrying, waiting)
            for state in retrying:
                if state.retry_at is not None and state.retry_at <= self.clock.now() + _EPSILON:
                    self._attempt(state)
        return [s.error for s in self.states if s.error]

    def _advance(self, retrying: list[_PodEviction], waiting: list[_PodEviction]) -> None:
        """Run the cluster to the next retry (or the deadline), noticing evicted pods leave."""
        now = self.clock.now()
        if waiting and now >= self.deadline - _EPSILON:
            for state in waiting:
                state.waiting = False
                state.error = (f'error when waiting for pod "{state.name}" in namespace "{state.namespace}" '
                               f"to terminate: global timeout reached: {self.timeout_text}")
            return
        horizon = min([s.retry_at for s in retrying if s.retry_at is not None]
                      + ([self.deadline] if waiting else []))
        if horizon > now:
            self.ctx.cluster.run_until(lambda: self._notice_gone(waiting) and not retrying, horizon - now)
        else:
            self._notice_gone(waiting)

    def _attempt(self, state: _PodEviction) -> None:
        """One pass of the goroutine's loop: print, check the deadline, evict."""
        suffix = " (server dry run)" if self.strategy == "server" else ""
        self.ctx.term.line(f"evicting pod {state.namespace}/{state.name}{suffix}")
        state.retry_at = None
        if self.clock.now() >= self.deadline - _EPSILON:
            state.error = (f'error when evicting pods/"{state.name}" -n "{state.namespace}": '
                           f"global timeout reached: {self.timeout_text}")
            return
        try:
            evicted = _evict(self.ctx, state.pod, self.strategy)
        except StatusError as err:
            if err.code == 404:
                return
            if err.code == 429:
                self.ctx.term.err_line(f'error when evicting pods/"{state.name}" -n "{state.namespace}" '
                                       f"(will retry after 5s): {err.message}")
                state.retry_at = self.clock.now() + EVICTION_RETRY_INTERVAL
                return
            state.error = f'error when evicting pods/"{state.name}" -n "{state.namespace}": {err.message}'
            return
        state.waiting = evicted

    def _notice_gone(self, waiting: list[_PodEviction]) -> bool:
        """``waitForDelete``: a pod is done once it is gone (or replaced by a new uid)."""
        for state in waiting:
            if state.waiting and _gone(self.ctx, state.pod):
                state.waiting = False
                self.ctx.term.line(f"pod/{state.name} evicted")
        return not any(s.waiting for s in waiting)


def _gone(ctx: Context, pod: dict) -> bool:
    meta = pod["metadata"]
    try:
        now = ctx.client.get("pods", meta["name"], meta["namespace"])
    except StatusError as err:
        if err.code != 404:
            raise
        return True
    return now["metadata"].get("uid") != meta.get("uid")


def _evict(ctx: Context, pod: dict, strategy: str) -> bool:
    """Evict (or, with ``--disable-eviction`` or a server dry run, delete); True when the pod
    is now going away for real."""
    meta = pod["metadata"]
    evict = getattr(ctx.client, "evict", None)
    grace = ctx.flags["grace-period"]
    if evict is not None and not ctx.flags["disable-eviction"] and strategy == "none":
        evict(meta["name"], meta["namespace"], grace_period_seconds=grace if grace >= 0 else None)
    else:
        ctx.client.delete("pods", meta["name"], meta["namespace"],
                          grace_period_seconds=grace if grace >= 0 else None,
                          dry_run=strategy == "server")
    return strategy == "none"
