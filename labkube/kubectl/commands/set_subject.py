"""``kubectl set subject (-f FILE | TYPE NAME) [--user=NAME] [--group=NAME]
[--serviceaccount=NAMESPACE:NAME]``: add subjects to a RoleBinding or ClusterRoleBinding.

Mirrors staging/src/k8s.io/kubectl/pkg/cmd/set/set_subject.go (kubectl 1.32). The subjects are
made from the flags -- users, then groups, then ServiceAccounts, each sorted and without
repeats; a ServiceAccount written ``:name`` is in the command's namespace (a
ClusterRoleBinding needs the namespace written) -- and those the binding lacks are appended.
A binding that already has them all gets no patch and prints nothing; the others print
``rolebinding.rbac.authorization.k8s.io/x subjects updated``. Any other kind fails with
``error: services/web setting subjects is only supported for RoleBinding/ClusterRoleBinding``.
"""

from __future__ import annotations

import copy
from typing import Any

from labkube.kubectl.commands import Context, check_operation_output, dry_run_strategy
from labkube.kubectl.commands._set_helpers import aggregate, object_name
from labkube.kubectl.commands._set_more import Failed, Printer, find_objects, print_or_patch
from labkube.kubectl.errors import KubectlError

RBAC_GROUP = "rbac.authorization.k8s.io"
_BINDINGS = ("RoleBinding", "ClusterRoleBinding")


def run(ctx: Context) -> list[BaseException]:
    strategy = dry_run_strategy(ctx)
    check_operation_output(ctx)
    try:
        found = find_objects(ctx, ctx.parsed.all_args, selector=ctx.flags["selector"])
    except Failed as failed:
        return failed.errors
    _validate(ctx, found)
    wanted = subjects(ctx.flags["user"], ctx.flags["group"], ctx.flags["serviceaccount"], ctx.namespace)
    local = ctx.flags["local"]
    printer = Printer(ctx, "subjects updated", strategy)
    errors: list[BaseException] = []
    for rtype, obj in found:
        if obj.get("kind") not in _BINDINGS:
            errors.append(KubectlError(f"error: {object_name(rtype, obj)} setting subjects is only supported "
                                       "for RoleBinding/ClusterRoleBinding\n"))
            continue
        updated = _with_subjects(obj, wanted)
        if updated is None:  # nothing to add: no patch, nothing printed
            continue
        failed = print_or_patch(ctx, printer, rtype, obj, updated, strategy, local, "failed to patch subjects to rolebinding: ")
        if failed is not None:
            errors.append(failed)
    return aggregate(errors)


def _validate(ctx: Context, found: list[tuple[Any, dict]]) -> None:
    """``SubjectOptions.Validate``."""
    flags = ctx.flags
    if flags["all"] and flags["selector"]:
        raise KubectlError("error: cannot set --all and --selector at the same time")
    if not flags["user"] and not flags["group"] and not flags["serviceaccount"]:
        raise KubectlError("error: you must specify at least one value of user, group or serviceaccount")
    for account in flags["serviceaccount"]:
        tokens = account.split(":")
        if len(tokens) != 2 or not tokens[1]:
            raise KubectlError("error: serviceaccount must be <namespace>:<name>")
        if not tokens[0] and any(obj.get("kind") == "ClusterRoleBinding" for _, obj in found):
            raise KubectlError("error: serviceaccount must be <namespace>:<name>, namespace must be specified")


def subjects(users: list[str], groups: list[str], accounts: list[str], namespace: str) -> list[dict]:
    """The subjects the flags name, in kubectl's order (Go's Subject field order)."""
    made = [{"kind": "User", "apiGroup": RBAC_GROUP, "name": user} for user in sorted(set(users))]
    made += [{"kind": "Group", "apiGroup": RBAC_GROUP, "name": group} for group in sorted(set(groups))]
    for account in sorted(set(accounts)):
        account_namespace, name = account.split(":")
        made.append({"kind": "ServiceAccount", "name": name, "namespace": account_namespace or namespace})
    return made


def _with_subjects(obj: dict, wanted: list[dict]) -> dict | None:
    """``addSubjects``: the binding with the subjects it lacks appended (None: it has them all)."""
    existing = list(obj.get("subjects") or [])
    new = [s for s in wanted if not any(_same(s, e) for e in existing)]
    if not new:
        return None
    updated = copy.deepcopy(obj)
    updated["subjects"] = existing + new
    return updated


def _same(a: dict, b: dict) -> bool:
    """Go's ``==`` on two Subjects (absent fields are "")."""
    return all(a.get(k, "") == b.get(k, "") for k in ("kind", "apiGroup", "name", "namespace"))

