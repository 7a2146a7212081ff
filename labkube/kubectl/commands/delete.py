"""``kubectl delete``: by name, by ``-f``, by ``-l`` selector or ``--all``; then wait until gone.

Mirrors k8s.io/kubectl/pkg/cmd/delete (delete.go) of kubectl 1.32. Named objects are deleted
without being read first (a missing one is the DELETE's ``Error from server (NotFound): pods
"x" not found``, printed after the others unless ``--ignore-not-found``); each deletion prints ``pod "web-1" deleted`` (``force
deleted`` with ``--force --grace-period=0``, ``(dry run)`` under ``--dry-run``). A selector that
matches nothing prints ``No resources found``. ``--cascade`` maps to the API's propagationPolicy
(background, foreground, orphan) and ``--grace-period`` to gracePeriodSeconds, with kubectl's
rules: ``--grace-period=0`` alone means 1 second, ``--force`` alone means 0, ``--now`` means 1.

Waiting (``--wait``, default true). A DELETE only *starts* a deletion: a pod keeps running
(Terminating) through its grace period, an object with finalizers stays until they are removed.
So once every ``deleted`` line is printed, kubectl blocks until each deleted object is gone,
one after another, with ``cmdwait.IsDeleted`` -- the check ``kubectl wait --for=delete`` uses:

* gone means a GET answers NotFound, or finds a *new* object under the name: its UID differs
  from the one the DELETE answered (a StatefulSet recreating ``web-0``); otherwise kubectl
  watches the object until the watch says DELETED;
* it waits only when everything went well: no ``--dry-run``, not ``--wait=false``, no
  objects found (``No resources found``) and no error at all -- one NotFound among the names,
  and kubectl prints its error and returns without waiting;
* ``--force --grace-period=0`` still waits, but the object is already gone: it returns at once;
* ``--timeout`` bounds the whole wait (one deadline for all objects); ``0s``, the default,
  means a week. When it expires the first object still there fails the command:
  ``error: timed out waiting for the condition on pods/web``, exit code 1, and the objects
  after it are not waited for. A negative ``--timeout`` times out at once (if the object is
  still there). A wait the user may not do (Forbidden, or a kind that cannot be watched) is
  skipped without a word.

Time is the cluster's: the wait runs the cluster clock (``cluster.run_until``, through
:class:`~labkube.kubectl.commands.wait.Wait`), so ``kubectl delete pod web`` returns with the
simulated clock moved on by the pod's termination -- 30 s for a process that ignores SIGTERM,
next to nothing for one that exits on it -- and the next ``kubectl get pods`` no longer lists
it, as in a real terminal.

Where labkube differs, on purpose. Some deletions never finish: a pod on a node that died
stays Terminating until the node comes back, and real kubectl then waits out its week. A
notebook must not simulate a week, so when no ``--timeout`` was set (or ``0s``) labkube's
kubectl stops waiting after :func:`patience`: the longest grace period the API server granted
any of the objects (``metadata.deletionGracePeriodSeconds`` in its answer to the DELETE), but
at least the pod default of 30 s -- a foreground cascade or a namespace waits for its pods'
grace, which that answer does not show -- plus :data:`SLACK` (60 s) for the kubelet and the
controllers to finish. That is far more than a healthy deletion needs and little to simulate.
It then prints one line on stderr and succeeds (exit code 0), as kubectl would have kept
waiting rather than fail (wrapped here)::

    labkube: stopped waiting after 1m30s of cluster time: pods/web is still being deleted
    (kubectl would keep waiting, up to a week); use --wait=false not to wait, or --timeout
    to wait longer
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labkube.core.errors import StatusError
from labkube.kubectl.commands import (
    Context,
    Target,
    api_dry_run,
    dry_run_strategy,
    dry_run_suffix,
    kind_prefix,
    namespace_for,
    parse_targets,
)
from labkube.kubectl.commands._ops import format_duration, parse_duration
from labkube.kubectl.commands.apply import EMPTY_NAME, read_and_map
from labkube.kubectl.commands.wait import DEADLINE_PASSED, TIMED_OUT, ForDelete, Found, Wait
from labkube.kubectl.errors import KubectlError, PlainError
from labkube.kubectl.files import object_meta

FORCE_WARNING = (
    "Warning: Immediate deletion does not wait for confirmation that the running resource has "
    "been terminated. The resource may continue to run on the cluster indefinitely."
)

_NO_RESOURCES = (
    "error: You must provide one or more resources by argument or filename.\n"
    "Example resource specifications include:\n"
    "   '-f rsrc.yaml'\n"
    "   '--filename=rsrc.json'\n"
    "   '<resource> <name>'\n"
    "   '<resource>'"
)


def run(ctx: Context) -> list[BaseException]:
    propagation = cascade_policy(ctx.flags["cascade"])
    grace = grace_period(ctx)
    strategy = dry_run_strategy(ctx)
    timeout = parse_duration(ctx.flags["timeout"], "timeout")
    errors: list[BaseException] = []
    victims = _collect(ctx, errors)
    if grace == 0:
        ctx.term.err_line(FORCE_WARNING)
    deletions: list[Deletion] = []
    for rtype, name, namespace in victims:
        answer = None
        try:
            if strategy != "client":
                answer = ctx.client.delete(rtype, name, namespace, propagation_policy=propagation,
                                           grace_period_seconds=None if grace < 0 else grace,
                                           dry_run=api_dry_run(strategy))
        except StatusError as err:
            if not (err.code == 404 and ctx.flags["ignore-not-found"]):
                errors.append(err)
            continue
        _print_deleted(ctx, rtype, name, grace, strategy)
        deletions.append(Deletion.of(rtype, name, namespace, answer))
    if not victims and not errors and _by_selection(ctx):
        ctx.term.line("No resources found")
    if errors or not deletions or not ctx.flags["wait"] or strategy != "none":
        return errors  # kubectl waits only when every deletion went through for real
    return wait_until_deleted(ctx, deletions, timeout)


def cascade_policy(value: str) -> str:
    """``--cascade`` -> the DeleteOptions propagationPolicy."""
    policies = {"background": "Background", "foreground": "Foreground", "orphan": "Orphan",
                "true": "Background", "false": "Orphan"}
    if value not in policies:
        raise KubectlError(
            f'error: invalid cascade value ({value}). Must be "background", "foreground", or "orphan"'
        )
    return policies[value]


def grace_period(ctx: Context) -> int:
    """kubectl's grace-period rules (-1 = the object's own default)."""
    grace, force, now = ctx.flags["grace-period"], ctx.flags["force"], ctx.flags["now"]
    if now:
        if grace >= 0:
            raise KubectlError("error: --now and --grace-period cannot be specified together")
        grace = 1
    if grace == 0 and not force:
        grace = 1  # "--grace-period=0" without --force is treated as 1 for safety
    if force and grace < 0:
        grace = 0
    return grace


def _by_selection(ctx: Context) -> bool:
    return bool(ctx.flags["selector"] or ctx.flags["all"] or ctx.flags["field-selector"])


def _collect(ctx: Context, errors: list[BaseException]) -> list[tuple[Any, str, str | None]]:
    """(type, name, namespace) of every object to delete, in kubectl's order."""
    if ctx.flags["filename"]:
        if ctx.parsed.all_args:
            raise KubectlError("error: there is no need to specify a resource type as a separate "
                               "argument when passing arguments in resource/name form")
        mapped, errors_read = read_and_map(ctx)
        errors.extend(errors_read)
        victims = []
        for item, rtype in mapped:
            meta = object_meta(item.obj)
            if not meta.get("name"):
                raise KubectlError(f"error: {EMPTY_NAME}")  # client-go refuses a DELETE without a name
            victims.append((rtype, meta["name"], meta.get("namespace") if rtype.namespaced else None))
        return victims
    targets = _targets(ctx)
    victims: list[tuple[Any, str, str | None]] = []
    for target in targets:
        if target.names:
            victims.extend(_named(ctx, target, errors))
        else:
            victims.extend(_selected(ctx, target))
    return victims


def _targets(ctx: Context) -> list[Target]:
    args = ctx.parsed.all_args
    if not args:
        raise KubectlError(_NO_RESOURCES)
    targets = parse_targets(ctx, args)
    has_names = any(t.names for t in targets)
    if ctx.flags["all"] and ctx.flags["selector"]:
        raise KubectlError("error: setting 'all' parameter but found a non empty selector. ")
    if has_names and (_by_selection(ctx)):
        raise KubectlError("error: name cannot be provided when a selector is specified")
    if not has_names and not _by_selection(ctx):
        raise KubectlError("error: resource(s) were provided, but no name was specified")
    return targets


def _named(ctx: Context, target: Target, errors: list[BaseException]):
    """Named objects are not fetched (the builder's ``RequireObject(false)``): the DELETE
    itself answers NotFound, and a user may delete what they may not read."""
    namespace = namespace_for(ctx, target.rtype)
    for name in target.names:
        yield target.rtype, name, namespace


def _selected(ctx: Context, target: Target):
    rtype = target.rtype
    namespace = None if ctx.flags["all-namespaces"] else namespace_for(ctx, rtype)
    listing = ctx.client.list(rtype, namespace, label_selector=ctx.flags["selector"] or None,
                              field_selector=ctx.flags["field-selector"] or None)
    for item in listing["items"]:
        meta = item["metadata"]
        yield rtype, meta["name"], meta.get("namespace") if rtype.namespaced else None


def _print_deleted(ctx: Context, rtype: Any, name: str, grace: int, strategy: str) -> None:
    if ctx.flags["output"] == "name":
        ctx.term.line(f"{kind_prefix(rtype)}/{name}")
        return
    operation = "force deleted" if grace == 0 else "deleted"
    ctx.term.line(f'{kind_prefix(rtype)} "{name}" {operation}{dry_run_suffix(strategy)}')


# ---------------------------------------------------------------------------------------
# --wait: until every deleted object is gone
# ---------------------------------------------------------------------------------------

#: A pod's default ``terminationGracePeriodSeconds``: the least grace labkube's patience allows.
POD_DEFAULT_GRACE = 30
#: Cluster time beyond the longest grace period before labkube's kubectl stops waiting.
SLACK = 60


@dataclass(frozen=True)
class Deletion:
    """One object the API server accepted a DELETE for (an entry of kubectl's ``deletedInfos``)."""

    found: Found
    #: The UID the DELETE answered (kubectl's ``UIDMap``): a different UID later means a new object.
    uid: str | None
    #: ``metadata.deletionGracePeriodSeconds`` of the answer (0 for an object deleted at once).
    grace: int

    @classmethod
    def of(cls, rtype: Any, name: str, namespace: str | None, answer: dict | None) -> "Deletion":
        meta = {"name": name, **({"namespace": namespace} if namespace else {})}
        answer = answer or {}
        if answer.get("kind") == "Status":  # deleted at once: the Status names the UID
            return cls(Found(rtype, {"metadata": meta}), (answer.get("details") or {}).get("uid"), 0)
        answered = answer.get("metadata") or {}
        return cls(Found(rtype, {"metadata": meta}), answered.get("uid"),
                   int(answered.get("deletionGracePeriodSeconds") or 0))


class TimedOut(PlainError):
    """The deadline passed while ``object_name`` (``pods/web``) was still there."""

    def __init__(self, message: str, object_name: str) -> None:
        super().__init__(message)
        self.object_name = object_name


def wait_until_deleted(ctx: Context, deletions: list[Deletion], timeout: float) -> list[BaseException]:
    """delete's ``waitOptions.RunWait()``; without a ``--timeout``, labkube's patience instead
    of kubectl's week (see the module docstring)."""
    bounded_by_labkube = timeout == 0
    if bounded_by_labkube:
        timeout = patience(deletions)
    errors = DeletionWait(ctx, deletions, timeout).run()
    if bounded_by_labkube and errors and isinstance(errors[0], TimedOut):
        ctx.term.err_line(stopped_waiting(errors[0].object_name, timeout))
        return []
    return errors


def patience(deletions: list[Deletion]) -> float:
    """How much cluster time labkube waits when kubectl would wait a week."""
    return float(max([POD_DEFAULT_GRACE, *(d.grace for d in deletions)]) + SLACK)


def stopped_waiting(object_name: str, waited: float) -> str:
    return (f"labkube: stopped waiting after {format_duration(waited)} of cluster time: {object_name} "
            "is still being deleted (kubectl would keep waiting, up to a week); use --wait=false not "
            "to wait, or --timeout to wait longer")


class DeletionWait(Wait):
    """``RunWait`` with ``ConditionFn: IsDeleted`` over the deleted objects, as delete runs it.

    Unlike ``kubectl wait``, delete visits a plain list (``InfoListVisitor``): the objects are
    waited for in order and the first failure ends the wait. Each check is ``IsDeleted`` with
    delete's UIDMap; the watching and the clock are :class:`Wait`'s."""

    def __init__(self, ctx: Context, deletions: list[Deletion], timeout: float) -> None:
        super().__init__(ctx, ForDelete(), lambda: iter(d.found for d in deletions), timeout)
        self.deletions = deletions

    def run(self) -> list[BaseException]:
        for deletion in self.deletions:
            try:
                self._until_gone(deletion)
            except StatusError as err:
                # delete.go: "if we're forbidden from waiting, we shouldn't fail", nor when the
                # resource does not support a verb the wait needs.
                return [] if err.code in (403, 405) else [err]
            except TimedOut as err:
                return [err]
        return []

    def _until_gone(self, deletion: Deletion) -> None:
        """``IsDeleted``: NotFound, or another UID under the name, or a DELETED watch event."""
        found = deletion.found
        if self.timeout > 0 and self._time_left() <= 0:
            raise TimedOut(DEADLINE_PASSED, found.object_name)  # the GET's context has expired
        try:
            gotten = self.ctx.client.get(found.rtype, found.name, found.namespace)
        except StatusError as err:
            if err.code == 404:
                return
            raise
        if deletion.uid and gotten["metadata"].get("uid") != deletion.uid:
            return  # a new object under the same name: the deleted one is gone
        timed_out = TimedOut(f"{TIMED_OUT} on {found.object_name}", found.object_name)
        if self.timeout < 0:
            raise timed_out
        current, resource_version = self._current(found)
        if current is None:
            return
        if not self._watch(found, resource_version, lambda event: event["type"] == "DELETED"):
            raise timed_out
