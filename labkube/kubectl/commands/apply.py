"""``kubectl apply -f`` and ``kubectl create -f``.

Mirrors k8s.io/kubectl/pkg/cmd/apply (client-side apply) and pkg/cmd/create. Both read every
``-f`` source first (kubectl's resource builder), mapping each object's
``apiVersion``/``kind`` to a served resource; then they act on each object in order and print
one line each: ``deployment.apps/web created``, ``configured`` or ``unchanged`` for apply,
``created`` for create (``(dry run)``/``(server dry run)`` appended under ``--dry-run``).
Errors do not stop the others (``ContinueOnError``): they print after, e.g.
``Error from server (AlreadyExists): error when creating "web.yaml": deployments.apps "web"
already exists``.

The work is the Python API's: :func:`labkube.core.apply.apply_object` (three-way merge with
the last-applied-configuration annotation) and ``Client.create``.
"""

from __future__ import annotations

from typing import Any

from labkube.core.apply import LAST_APPLIED_ANNOTATION as LAST_APPLIED
from labkube.core.errors import StatusError
from labkube.kubectl import files
from labkube.kubectl.commands import (
    Context,
    api_dry_run,
    check_operation_output,
    dry_run_strategy,
    print_operation,
)
from labkube.kubectl.errors import KubectlError, PlainError, with_source


def run(ctx: Context) -> list[BaseException]:
    _check_arguments(ctx)
    strategy = dry_run_strategy(ctx)
    if ctx.parsed.path == "create":  # create makes its printer first, apply once it has files
        check_operation_output(ctx)
    if not ctx.parsed.get("filename"):
        raise KubectlError("error: must specify one of -f and -k")
    mapped, errors = read_and_map(ctx)
    if ctx.parsed.path == "apply":
        check_operation_output(ctx)
    act = _apply_one if ctx.parsed.path == "apply" else _create_one
    for item, rtype in mapped:
        try:
            act(ctx, item, rtype, strategy)
        except (StatusError, PlainError) as err:
            errors.append(err)
    if not mapped and not errors:
        raise KubectlError("error: no objects passed to " + ctx.parsed.path.split()[0])
    return errors


def _check_arguments(ctx: Context) -> None:
    """Both verbs take objects from files only: any argument is refused before anything else
    (``create po,svc`` is ``Unexpected args: [po,svc]``; ``create deployment`` is a subcommand,
    found by the parser)."""
    words = ctx.parsed.all_args
    if words:
        raise ctx.usage_error(f"Unexpected args: [{' '.join(words)}]")


# ---------------------------------------------------------------------------------------
# The builder: read, map kinds to resources, settle namespaces
# ---------------------------------------------------------------------------------------


def read_and_map(ctx: Context) -> tuple[list[tuple[files.Item, Any]], list[BaseException]]:
    """Every object of the ``-f`` sources with its ResourceType; mapping errors collected."""
    items, errors = files.read(ctx.parsed.get("filename"), ctx.stdin, ctx.parsed.get("recursive"))
    mapped: list[tuple[files.Item, Any]] = []
    for item in items:
        try:
            rtype = map_item(ctx, item)
        except (PlainError, KubectlError) as err:
            errors.append(err)
            continue
        mapped.append((item, rtype))
    return mapped, errors


def map_item(ctx: Context, item: files.Item) -> Any:
    """One object's ResourceType, its namespace settled (PlainError/KubectlError otherwise)."""
    rtype = _mapping(ctx, item)
    _settle_namespace(ctx, item.obj, rtype)
    return rtype


def _mapping(ctx: Context, item: files.Item) -> Any:
    obj = item.obj
    try:
        return ctx.registry.for_kind(obj["apiVersion"], obj["kind"])
    except StatusError as err:
        meta = files.object_meta(obj)
        raise PlainError(
            f'resource mapping not found for name: "{meta.get("name", "")}" namespace: '
            f'"{meta.get("namespace", "")}" from "{item.source}": {err.message}\n'
            "ensure CRDs are installed first"
        ) from None


def _settle_namespace(ctx: Context, obj: dict, rtype: Any) -> None:
    """Fill in the namespace; refuse a conflicting ``-n`` as kubectl's builder does."""
    if not rtype.namespaced:
        return
    if obj.get("metadata") is None:
        obj["metadata"] = {}
    meta = obj["metadata"]
    if not isinstance(meta, dict):
        return  # unstructured's SetNamespace cannot write into it either; the server refuses it
    given = meta.get("namespace")
    if given and ctx.namespace_explicit and given != ctx.namespace:
        raise PlainError(
            f'the namespace from the provided object "{given}" does not match the namespace '
            f'"{ctx.namespace}". You must pass \'--namespace={given}\' to perform this operation.'
        )
    if not given:
        meta["namespace"] = ctx.namespace


def info_string(obj: dict, rtype: Any) -> str:
    """``resource.Info.String()``: the mapping and the object's name and namespace."""
    meta = files.object_meta(obj)
    return (
        f'Resource: "{rtype.group}/{rtype.version}, Resource={rtype.plural}", '
        f'GroupVersionKind: "{rtype.group}/{rtype.version}, Kind={rtype.kind}"\n'
        f'Name: "{meta.get("name", "")}", Namespace: "{meta.get("namespace", "")}"'
    )


# ---------------------------------------------------------------------------------------
# apply
# ---------------------------------------------------------------------------------------


def _apply_one(ctx: Context, item: files.Item, rtype: Any, strategy: str) -> None:
    from labkube.core.apply import apply_object

    obj = item.obj
    live = _current(ctx, item, rtype)
    if live is not None and LAST_APPLIED not in (live.get("metadata", {}).get("annotations") or {}):
        ctx.term.err_line(_missing_annotation_warning(rtype, obj))
    verb = "creating" if live is None else "patching"
    try:
        if strategy == "none":
            result, action = apply_object(ctx.client, obj, namespace=ctx.namespace, live=live)
        else:
            result, action = _dry_run_apply(ctx, obj, rtype, live, strategy)
    except StatusError as err:
        raise with_source(verb, item.source, err) from None
    print_operation(ctx, result, action, strategy)


def _dry_run_apply(ctx: Context, obj: dict, rtype: Any, live: dict | None, strategy: str):
    """What apply would do, without persisting: client dry-run sends nothing at all."""
    from labkube.core.apply import apply_patch_for, with_last_applied

    modified = with_last_applied(obj)
    meta = files.object_meta(obj)
    namespace = (meta.get("namespace") or ctx.namespace) if rtype.namespaced else None
    if live is None:
        if strategy == "client":
            return modified, "created"
        return ctx.client.create(modified, dry_run=True), "created"
    patch = apply_patch_for(live, modified)
    if not patch:
        return live, "unchanged"
    if strategy == "client":
        return modified, "configured"
    patch_type = "strategic" if rtype.group in ("", "apps", "networking.k8s.io", "rbac.authorization.k8s.io",
                                                "discovery.k8s.io", "coordination.k8s.io",
                                                "events.k8s.io") else "merge"
    result = ctx.client.patch(rtype, meta["name"], patch, namespace=namespace,
                              patch_type=patch_type, dry_run=True)
    return result, "configured"


#: client-go's ``Request.Name("")``: a request for one object needs its name.
EMPTY_NAME = "resource name may not be empty"


def _current(ctx: Context, item: files.Item, rtype: Any) -> dict | None:
    """``info.Get()``: the live object, or None when it does not exist yet. An object without
    a name cannot be looked up (client-go refuses the request), so apply -- unlike create --
    cannot use ``generateName``."""
    meta = files.object_meta(item.obj)
    name = meta.get("name")
    verb = f"retrieving current configuration of:\n{info_string(item.obj, rtype)}\nfrom server for:"
    if not name:
        raise PlainError(f'error when {verb} "{item.source}": {EMPTY_NAME}' if item.source else EMPTY_NAME)
    try:
        return ctx.client.get(rtype, name, meta.get("namespace") if rtype.namespaced else None)
    except StatusError as err:
        if err.code == 404:
            return None
        raise with_source(verb, item.source, err) from None


def _missing_annotation_warning(rtype: Any, obj: dict) -> str:
    name = files.object_meta(obj).get("name", "")
    return (
        f"Warning: resource {rtype.plural}/{name} is missing the {LAST_APPLIED} annotation which "
        "is required by kubectl apply. kubectl apply should only be used on resources created "
        "declaratively by either kubectl create --save-config or kubectl apply. The missing "
        "annotation will be patched automatically."
    )


# ---------------------------------------------------------------------------------------
# create -f
# ---------------------------------------------------------------------------------------


def _create_one(ctx: Context, item: files.Item, rtype: Any, strategy: str) -> None:
    obj = item.obj
    if strategy == "client":
        print_operation(ctx, obj, "created", strategy)
        return
    try:
        created = ctx.client.create(obj, dry_run=api_dry_run(strategy))
    except StatusError as err:
        raise with_source("creating", item.source, err) from None
    print_operation(ctx, created, "created", strategy)
