"""``kubectl set serviceaccount (-f FILE | TYPE NAME) SERVICE_ACCOUNT`` (alias ``set sa``).

Mirrors staging/src/k8s.io/kubectl/pkg/cmd/set/set_serviceaccount.go (kubectl 1.32): the last
argument is the ServiceAccount's name, the words before it name the objects, and each object's
pod spec (a Pod's own, a workload's template) gets ``serviceAccountName``. The change goes as a
strategic merge patch, sent even when the name was already right, and kubectl prints
``deployment.apps/web serviceaccount updated``. An object without a pod spec fails with
``error: services/web the object is not a pod or does not have a pod template: *v1.Service``;
a refused patch with ``failed to patch ServiceAccountName <the server's message>``.
"""

from __future__ import annotations

import copy
from typing import Any

from labkube.kubectl.commands import Context, check_operation_output, dry_run_strategy
from labkube.kubectl.commands._set_helpers import POD_SPEC_PATHS, aggregate, object_name, pod_spec_of
from labkube.kubectl.commands._set_more import (
    Failed,
    Printer,
    deprecated_record,
    find_objects,
    record,
    print_or_patch,
)
from labkube.kubectl.errors import KubectlError


def run(ctx: Context) -> list[BaseException]:
    deprecated_record(ctx)
    strategy = dry_run_strategy(ctx)
    check_operation_output(ctx)
    args = ctx.parsed.all_args
    if not args:
        raise KubectlError("error: serviceaccount is required")
    name, resources = args[-1], args[:-1]
    try:
        found = find_objects(ctx, resources)
    except Failed as failed:
        return failed.errors
    local = ctx.flags["local"]
    printer = Printer(ctx, "serviceaccount updated", strategy)
    errors: list[BaseException] = []
    for rtype, obj in found:
        try:
            updated = _with_service_account(rtype, obj, name)
            record(ctx, updated)
        except ValueError as err:
            errors.append(KubectlError(f"error: {object_name(rtype, obj)} {err}\n"))
            continue
        failed = print_or_patch(ctx, printer, rtype, obj, updated, strategy, local, "failed to patch ServiceAccountName ")
        if failed is not None:
            errors.append(failed)
    return aggregate(errors)


def _with_service_account(rtype: Any, obj: dict, name: str) -> dict:
    updated = copy.deepcopy(obj)
    pod_spec_of(rtype, obj)  # ValueError for a kind without a pod spec
    node = updated
    for key in POD_SPEC_PATHS[rtype.kind]:
        node = node.setdefault(key, {})
    node["serviceAccountName"] = name
    return updated

