"""``kubectl rollout status|history|undo|restart|pause|resume deployment/NAME`` (and daemonsets, statefulsets).

Mirrors k8s.io/kubectl/pkg/cmd/rollout and pkg/polymorphichelpers. None of these is a special
API: ``pause``/``resume`` patch ``spec.paused``, ``restart`` stamps the pod template with the
``kubectl.kubernetes.io/restartedAt`` annotation, ``undo`` patches the template back to an
older ReplicaSet's, ``history`` lists ReplicaSets by their revision annotation, and
``status`` watches the Deployment. The Deployment-specific logic lives with the Deployment
controller (:mod:`labkube.core.controllers.deployment.rollback` and ``.rollout``); DaemonSets
and StatefulSets keep their history in ControllerRevisions
(:mod:`labkube.kubectl.commands.rollout_revisions`). This module parses, loops over objects
and prints as kubectl does.

``rollout status`` never blocks a notebook: it watches the Deployment and runs the cluster's
clock forward (``cluster.run_until``) until the rollout is done, failed, or ``--timeout``
passes — by default the Deployment's ``progressDeadlineSeconds`` plus a minute, after which
the controller has reported the deadline (DaemonSets and StatefulSets have no deadline: they
get the default one's 11 minutes, where kubectl would wait forever). It prints one line per watch event, exactly as
kubectl would have printed them while waiting. With a real-time clock ``run_until`` waits in
wall time instead (it polls the watch every simulated/real second).
"""

from __future__ import annotations

from typing import Any, Callable

from labkube.core.errors import StatusError
from labkube.kubectl.commands import (
    Context, dry_run_strategy, dry_run_suffix, kind_prefix, print_operation, printer_format, render_output,
)
from labkube.kubectl.commands._ops import parse_duration, raise_group_help, resource_objects, typed
from labkube.kubectl.commands import rollout_revisions as revisions
from labkube.kubectl.errors import KubectlError

DEFAULT_PROGRESS_DEADLINE = 600
#: Extra simulated seconds ``status`` waits past the progress deadline for the controller's verdict.
STATUS_GRACE = 60.0


def _helpers():
    from labkube.core.controllers.deployment import rollback, rollout

    return rollback, rollout


def run(ctx: Context) -> list[BaseException]:
    sub = ctx.parsed.path.partition(" ")[2]
    if not sub:
        raise_group_help(ctx, "rollout")
    if not ctx.parsed.all_args and not ctx.flags.get("filename") and not ctx.flags.get("kustomize"):
        raise KubectlError("error: required resource not specified")  # every subcommand's Validate
    errors: list[BaseException] = []
    found = list(resource_objects(ctx, ctx.parsed.all_args, errors))
    if sub == "status":
        _check_single(found)
    for rtype, obj in found:
        try:
            _SUBCOMMANDS[sub](ctx, rtype, obj)
        except StatusError as err:
            errors.append(err)
        except KubectlError as err:
            if sub == "status":
                raise
            errors.append(err)
    return errors


def _check_single(found: list) -> None:
    if len(found) != 1:
        raise KubectlError(f"error: rollout status is only supported on individual resources and "
                           f"resource collections - {len(found)} resources were found")


def _rollout_error(fn: Callable[[], str], prefix: str = "error: ") -> str:
    rollback, _ = _helpers()
    try:
        return fn()
    except rollback.RolloutError as err:
        raise KubectlError(f"{prefix}{err}") from None


def _revisions_error(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except revisions.RolloutError as err:
        raise KubectlError(f"error: {err}") from None


def _revisioned(rtype: Any) -> bool:
    """A DaemonSet or StatefulSet: its history is in ControllerRevisions."""
    return rtype.group == "apps" and rtype.kind in revisions.REVISIONED_KINDS


def _deployments_only(rtype: Any, verb: str) -> None:
    if rtype.kind != "Deployment":
        raise KubectlError(f"error: {verb} is not supported for {kind_prefix(rtype)} in labkube yet "
                           "(kubectl supports deployments, daemonsets and statefulsets)")


# -- pause / resume / restart -------------------------------------------------------------------
def _pause(ctx: Context, rtype: Any, obj: dict) -> None:
    if _revisioned(rtype):
        raise KubectlError(f"error: {revisions.not_pausable(rtype.plural, obj, 'pausing')}")
    _deployments_only(rtype, "rollout pause")
    _, helpers = _helpers()
    meta = obj["metadata"]
    result = _rollout_error(lambda: helpers.pause(ctx.client, meta["namespace"], meta["name"]))
    print_operation(ctx, typed(obj, rtype), result)


def _resume(ctx: Context, rtype: Any, obj: dict) -> None:
    if _revisioned(rtype):
        raise KubectlError(f"error: {revisions.not_pausable(rtype.plural, obj, 'resuming')}")
    _deployments_only(rtype, "rollout resume")
    _, helpers = _helpers()
    meta = obj["metadata"]
    result = _rollout_error(lambda: helpers.resume(ctx.client, meta["namespace"], meta["name"]))
    print_operation(ctx, typed(obj, rtype), result)


def _restart(ctx: Context, rtype: Any, obj: dict) -> None:
    if _revisioned(rtype):
        stamp = ctx.clock.timestamp()
        result = _revisions_error(lambda: revisions.restart(ctx.client, rtype.plural, obj, stamp))
        print_operation(ctx, typed(obj, rtype), result)
        return
    _deployments_only(rtype, "rollout restart")
    _, helpers = _helpers()
    meta = obj["metadata"]
    stamp = ctx.clock.timestamp()
    result = _rollout_error(lambda: helpers.restart(ctx.client, meta["namespace"], meta["name"], stamp))
    print_operation(ctx, typed(obj, rtype), result)


# -- undo / history -----------------------------------------------------------------------------
def _undo(ctx: Context, rtype: Any, obj: dict) -> None:
    if _revisioned(rtype):
        _undo_revisioned(ctx, rtype, obj)
        return
    _deployments_only(rtype, "rollout undo")
    rollback, _ = _helpers()
    meta = obj["metadata"]
    to_revision = ctx.flags["to-revision"]
    strategy = dry_run_strategy(ctx)
    if strategy == "client":  # printTemplate's plain text, then the printer's dry-run suffix
        template = _rollout_error(lambda: _revision_template_for_undo(ctx, obj, to_revision))
        ctx.term.line(f"{kind_prefix(rtype)}/{meta['name']} {_raw_template(template)} (dry run)")
        return
    result = _rollout_error(lambda: rollback.undo(ctx.client, meta["namespace"], meta["name"], to_revision,
                                                  dry_run=strategy == "server"))
    print_operation(ctx, typed(obj, rtype), result, strategy)


def _undo_revisioned(ctx: Context, rtype: Any, obj: dict) -> None:
    """A DaemonSet's or StatefulSet's undo: patch it with a ControllerRevision's data."""
    to_revision = ctx.flags["to-revision"]
    strategy = dry_run_strategy(ctx)
    if strategy == "client":
        target = _revisions_error(lambda: revisions.rollback_target(ctx.client, obj, to_revision))
        template = _raw_template(revisions.applied_template(obj, target))
        ctx.term.out(f"{kind_prefix(rtype)}/{obj['metadata']['name']} will roll back to {template}"
                     f"{dry_run_suffix(strategy)}\n")
        return
    result = _revisions_error(lambda: revisions.rollback(ctx.client, rtype.plural, obj, to_revision,
                                                         dry_run=strategy == "server"))
    print_operation(ctx, typed(obj, rtype), result, strategy)


def _revision_template_for_undo(ctx: Context, obj: dict, to_revision: int) -> dict:
    rollback, _ = _helpers()
    if to_revision < 0:
        raise rollback.RolloutError(f"unable to find specified revision {to_revision} in history")
    return rollback.replica_set_for_revision(ctx.client, obj, to_revision)["spec"]["template"]


def _history(ctx: Context, rtype: Any, obj: dict) -> None:
    meta = obj["metadata"]
    revision = ctx.flags["revision"]
    prefix = f"{kind_prefix(rtype)}/{meta['name']}"
    if _revisioned(rtype):
        _history_revisioned(ctx, obj, revision, prefix)
        return
    _deployments_only(rtype, "rollout history")
    rollback, _ = _helpers()
    if revision > 0:
        template = _rollout_error(
            lambda: rollback.revision_template(ctx.client, meta["namespace"], meta["name"], revision))
        ctx.term.out(f"{prefix} with revision #{revision}\n{_raw_template(template)}\n")
        return
    if revision < 0:
        raise KubectlError(f"error: revision must be a positive integer: {revision}")
    entries = rollback.history(ctx.client, meta["namespace"], meta["name"])
    ctx.term.out(f"{prefix} \n{rollback.format_history(entries)}\n")


def _history_revisioned(ctx: Context, obj: dict, revision: int, prefix: str) -> None:
    if revision < 0:
        raise KubectlError(f"error: revision must be a positive integer: {revision}")
    output = printer_format(ctx.flags.get("output", ""))
    if output:
        _history_objects(ctx, obj, revision, output)
        return
    table, template = _revisions_error(lambda: revisions.view_history(ctx.client, obj, revision))
    if template is not None:
        ctx.term.out(f"{prefix} with revision #{revision}\n{_raw_template(template)}\n")
        return
    ctx.term.out(f"{prefix} \n{table}\n")


def _history_objects(ctx: Context, obj: dict, revision: int, output: str) -> None:
    """``rollout history -o FORMAT``: the object at each revision (or at ``--revision``), each
    printed on its own, as kubectl's printer prints one object after another."""
    by_revision = revisions.history_objects(ctx.client, obj)
    if revision > 0:
        if revision not in by_revision:  # kubectl 1.32 panics here (a nil object to its printer)
            raise KubectlError("error: unable to find the specified revision")
        chosen = [by_revision[revision]]
    else:
        chosen = [by_revision[number] for number in sorted(by_revision)]
    if output == "json":  # a typed object keeps Go's struct field order
        from labkube.kubectl.commands._output import go_json_indent

        parts = [go_json_indent(one, sort_keys=False) for one in chosen]
    else:
        parts = [render_output(ctx, [one], output, single=True) for one in chosen]
    ctx.term.out(("---\n" if output == "yaml" else "").join(parts))


def _raw_template(template: dict) -> str:
    """``printTemplate`` of polymorphichelpers/history.go: the Pod Template block written to a
    plain buffer, so its tabs are not aligned (unlike ``kubectl describe``)."""
    from labkube.kubectl.describe.pod import describe_pod_template
    from labkube.kubectl.describe.writer import PrefixWriter

    class PlainWriter(PrefixWriter):
        def flush(self) -> None:
            self._done.append("".join(self._pending))
            self._pending = []

    writer = PlainWriter()
    describe_pod_template(writer, template)
    return writer.text()


# -- status -------------------------------------------------------------------------------------
def _status(ctx: Context, rtype: Any, obj: dict) -> None:
    if rtype.kind != "Deployment" and not _revisioned(rtype):
        raise KubectlError(f"error: no status viewer has been implemented for {rtype.kind}")
    viewer = _status_viewer(rtype)
    meta = obj["metadata"]
    revision = ctx.flags["revision"]
    if revision < 0:
        raise KubectlError(f"error: revision must be a positive integer: {revision}")
    if not ctx.flags["watch"]:
        ctx.term.out(viewer(obj, revision)[0])
        return
    timeout = parse_duration(ctx.flags["timeout"], "timeout")
    if timeout <= 0:
        deadline = (obj.get("spec") or {}).get("progressDeadlineSeconds") or DEFAULT_PROGRESS_DEADLINE
        timeout = deadline + STATUS_GRACE
    watch = ctx.client.watch(rtype, meta["namespace"], field_selector=f"metadata.name={meta['name']}")
    try:
        finished = _follow(ctx, viewer, watch, revision, timeout)
    finally:
        watch.cancel()
    if not finished:
        raise KubectlError("error: timed out waiting for the condition")


def _status_viewer(rtype: Any) -> Callable[[dict, int], tuple[str, bool]]:
    """``StatusViewerFor``: the kind's (line, done) function; DaemonSets and StatefulSets
    ignore ``--revision``."""
    if _revisioned(rtype):
        viewer = revisions.STATUS_VIEWERS[rtype.kind]
        return lambda obj, _revision: _revisions_error(lambda: viewer(obj))
    return _status_line


def _follow(ctx: Context, viewer: Callable[[dict, int], tuple[str, bool]], watch: Any, revision: int,
            timeout: float) -> bool:
    """Print a status line per ADDED/MODIFIED event until done; run the clock meanwhile."""
    state = {"done": False}

    def drain_events() -> bool:
        for event in watch.poll():
            if event["type"] == "DELETED":
                raise KubectlError('error: object has been deleted')
            if event["type"] not in ("ADDED", "MODIFIED"):
                continue
            line, done = viewer(event["object"], revision)
            ctx.term.out(line)
            if done:
                state["done"] = True
                return True
        return False

    if drain_events():
        return True
    return bool(ctx.cluster.run_until(drain_events, timeout)) or state["done"]


def _status_line(d: dict, revision: int) -> tuple[str, bool]:
    """``DeploymentStatusViewer.Status``, with the ``--revision`` check."""
    rollback, helpers = _helpers()
    if revision > 0:
        current = ((d.get("metadata") or {}).get("annotations") or {}).get("deployment.kubernetes.io/revision")
        if current is None:
            raise KubectlError("error: cannot get the revision of deployment "
                               f'"{d["metadata"]["name"]}": revision not found')
        if int(current) != revision:
            raise KubectlError(f"error: desired revision ({revision}) is different from the running "
                               f"revision ({current})")
    try:
        return helpers.status_message(d)
    except rollback.RolloutError as err:
        raise KubectlError(f"error: {err}") from None


_SUBCOMMANDS: dict[str, Callable[[Context, Any, dict], None]] = {
    "status": _status,
    "history": _history,
    "undo": _undo,
    "restart": _restart,
    "pause": _pause,
    "resume": _resume,
}
