"""``kubectl delete``: by name, by ``-f``, by ``-l`` selector or ``--all``.

Mirrors k8s.io/kubectl/pkg/cmd/delete. Named objects are fetched first (a missing one is
``Error from server (NotFound): pods "x" not found``, printed after the others unless
``--ignore-not-found``); each deletion prints ``pod "web-1" deleted`` (``force deleted`` with
``--force --grace-period=0``, ``(dry run)`` under ``--dry-run``). A selector that matches
nothing prints ``No resources found``. ``--cascade`` maps to the API's propagationPolicy
(background, foreground, orphan) and ``--grace-period`` to gracePeriodSeconds, with kubectl's
rules: ``--grace-period=0`` alone means 1 second, ``--force`` alone means 0, ``--now`` means 1.
"""

from __future__ import annotations

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
from labkube.kubectl.commands.apply import EMPTY_NAME, read_and_map
from labkube.kubectl.errors import KubectlError
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
    errors: list[BaseException] = []
    victims = _collect(ctx, errors)
    if grace == 0:
        ctx.term.err_line(FORCE_WARNING)
    found = 0
    for rtype, name, namespace in victims:
        found += 1
        try:
            if strategy != "client":
                ctx.client.delete(rtype, name, namespace, propagation_policy=propagation,
                                  grace_period_seconds=None if grace < 0 else grace,
                                  dry_run=api_dry_run(strategy))
        except StatusError as err:
            if not (err.code == 404 and ctx.flags["ignore-not-found"]):
                errors.append(err)
            continue
        _print_deleted(ctx, rtype, name, grace, strategy)
    if found == 0 and not errors and _by_selection(ctx):
        ctx.term.line("No resources found")
    return errors


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
        if ctx.parsed.args:
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
    args = ctx.parsed.args
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
    namespace = namespace_for(ctx, target.rtype)
    for name in target.names:
        try:
            ctx.client.get(target.rtype, name, namespace)
        except StatusError as err:
            if not (err.code == 404 and ctx.flags["ignore-not-found"]):
                errors.append(err)
            continue
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
