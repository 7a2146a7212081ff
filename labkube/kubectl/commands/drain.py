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

Evictions use ``Client.evict(name, namespace)`` when the client has it, else an ordinary
delete (the output is the same, as kubectl's ``--disable-eviction`` prints ``deleted``).
"""

from __future__ import annotations

from typing import Any

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
    pods, warnings, errors = pods_for_deletion(ctx, node["metadata"]["name"])
    if errors:
        raise _DrainError(errors)
    if warnings:
        ctx.term.err_line(f"Warning: {warnings}")
    if strategy == "client":
        for pod in pods:
            ctx.term.line(f"evicting pod {pod['metadata']['namespace']}/{pod['metadata']['name']} (dry run)")
        return
    evicting = []
    for pod in pods:
        meta = pod["metadata"]
        ctx.term.line(f"evicting pod {meta['namespace']}/{meta['name']}")
        if _evict(ctx, pod, strategy):
            evicting.append(pod)
    _wait_gone(ctx, evicting, timeout or DEFAULT_WAIT, verb="evicted")


def _evict(ctx: Context, pod: dict, strategy: str) -> bool:
    meta = pod["metadata"]
    evict = getattr(ctx.client, "evict", None)
    grace = ctx.flags["grace-period"]
    try:
        if evict is not None and not ctx.flags["disable-eviction"] and strategy == "none":
            evict(meta["name"], meta["namespace"])
        else:
            ctx.client.delete("pods", meta["name"], meta["namespace"],
                              grace_period_seconds=grace if grace >= 0 else None,
                              dry_run=strategy == "server")
    except StatusError as err:
        if err.code == 404:
            return False
        raise _DrainError([f'error when evicting pod "{meta["name"]}": {err.message}']) from None
    return strategy == "none"


def _wait_gone(ctx: Context, pods: list[dict], timeout: float, verb: str) -> None:
    """``waitForDelete``: each pod is done once it is gone (or replaced by a new uid)."""
    pending = list(pods)

    def check() -> bool:
        for pod in list(pending):
            meta = pod["metadata"]
            try:
                now = ctx.client.get("pods", meta["name"], meta["namespace"])
            except StatusError as err:
                if err.code != 404:
                    raise
                now = None
            if now is None or now["metadata"].get("uid") != meta.get("uid"):
                pending.remove(pod)
                ctx.term.line(f"pod/{meta['name']} {verb}")
        return not pending

    if not ctx.cluster.run_until(check, timeout):
        names = ", ".join(f'"{p["metadata"]["name"]}"' for p in pending)
        raise _DrainError([f"error when waiting for pod {names} terminating: global timeout reached: "
                           f"{ctx.flags['timeout']}"])
