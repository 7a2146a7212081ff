"""``kubectl apply -f`` and ``kubectl create -f``.

Mirrors k8s.io/kubectl/pkg/cmd/apply (client-side apply) and pkg/cmd/create. Both read every
``-f`` source first (kubectl's resource builder), mapping each object's
``apiVersion``/``kind`` to a served resource; then they act on each object in order and print
one line each: ``deployment.apps/web created``, ``configured`` or ``unchanged`` for apply,
``created`` for create (``(dry run)``/``(server dry run)`` appended under ``--dry-run``).
Errors do not stop the others (``ContinueOnError``): they print after, e.g.
``Error from server (AlreadyExists): error when creating "web.yaml": deployments.apps "web"
already exists``.

Printing objects (``-o yaml|json|jsonpath|go-template``) differs between the two, as in
kubectl 1.32: ``create`` prints each object as it is made (YAML documents separated by
``---``), while ``apply`` prints nothing until every object is applied, then one object, or
all of them as one ``List`` (``printObjects`` in apply.go) -- and nothing at all when any
object failed. ``-o name`` prints each object as it goes in both.

Client dry-run of apply sends nothing: an object that does not exist prints as it would be
created, one that exists prints as the server has it now, ``configured (dry run)``.

Not modelled: server-side apply (``--server-side``, field managers) is refused before anything
is sent, with :data:`SERVER_SIDE_UNSUPPORTED` (``kubectl diff`` says the same); the flag
combinations kubectl itself refuses get kubectl's own words first.

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
    printer_format,
    render_output,
)
from labkube.kubectl.errors import KubectlError, PlainError, with_source

#: What ``apply --server-side`` and ``diff --server-side`` answer: labkube's API server does not
#: track field managers (see :mod:`labkube.core.api.server`), so it cannot do a server-side apply.
SERVER_SIDE_UNSUPPORTED = (
    "error: labkube does not model server-side apply (field managers): --server-side is not "
    "supported; leave it out for a client-side apply"
)


def run(ctx: Context) -> list[BaseException]:
    _check_arguments(ctx)
    strategy = dry_run_strategy(ctx)
    if ctx.parsed.path == "create":  # create makes its printer first, apply once it has files
        check_operation_output(ctx)
    else:
        _check_server_side_flags(ctx, strategy)
    if not ctx.parsed.get("filename"):
        raise KubectlError("error: must specify one of -f and -k")
    if ctx.parsed.path == "create":
        return _create_each(ctx, Printer(ctx, strategy))
    if ctx.flags["server-side"]:
        raise KubectlError(SERVER_SIDE_UNSUPPORTED)
    mapped, read_errors = read_and_map(ctx)  # GetObjects: every object read before any is applied
    check_operation_output(ctx)
    printer = Printer(ctx, strategy)
    errors: list[BaseException] = []
    for item, rtype in mapped:
        try:
            _apply_one(ctx, item, rtype, printer)
        except (StatusError, PlainError) as err:
            errors.append(err)
    if not mapped and not read_errors:
        raise KubectlError("error: no objects passed to apply")
    if not errors and not read_errors:
        printer.print_held()
    return with_read_errors(read_errors, errors, read_first=True)


def _create_each(ctx: Context, printer: "Printer") -> list[BaseException]:
    """create's ``r.Visit``: each object made as it is read."""
    read_errors: list[BaseException] = []
    errors: list[BaseException] = []
    created = 0
    for found in visit(ctx):
        if isinstance(found, BaseException):
            read_errors.append(found)
            continue
        created += 1
        try:
            _create_one(ctx, *found, printer)
        except (StatusError, PlainError) as err:
            errors.append(err)
    if not created and not read_errors:
        raise KubectlError("error: no objects passed to create")
    return with_read_errors(read_errors, errors, read_first=False)


def with_read_errors(read_errors: list[BaseException], errors: list[BaseException], *,
                     read_first: bool) -> list[BaseException]:
    """The errors a command ends with, as kubectl's ``ContinueOnError`` builder returns them.

    The errors met reading the files (a document that cannot be decoded, a kind not served, a
    YAML error) are gathered into one aggregate, which comes after the errors of acting on the
    objects (create, replace: the builder hands it back when its visit ends) or before them
    (apply, which reads everything first). Alone, the reading errors print a line each; beside
    others, the aggregate is one line, ``[first, second]``, each message once."""
    if not read_errors or not errors:
        return read_errors + errors
    messages: list[str] = []
    for err in read_errors:
        text = err.text if isinstance(err, KubectlError) else str(err)
        text = text[len("error: "):] if text.startswith("error: ") else text
        if text not in messages:
            messages.append(text)
    combined = PlainError(messages[0] if len(messages) == 1 else f"[{', '.join(messages)}]")
    return [combined, *errors] if read_first else [*errors, combined]


def _check_server_side_flags(ctx: Context, strategy: str) -> None:
    """apply's own refusals of flags that go with ``--server-side`` (``ApplyFlags.ToOptions``)."""
    server_side = ctx.flags["server-side"]
    if ctx.flags["force-conflicts"] and not server_side:
        raise KubectlError("error: --force-conflicts only works with --server-side")
    if strategy == "client" and server_side:
        raise KubectlError("error: --dry-run=client doesn't work with --server-side "
                           "(did you mean --dry-run=server instead?)")


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


def visit(ctx: Context):
    """Every object of the ``-f`` sources with its ResourceType, in order, or the error met in
    its place (kubectl's builder visited with ``ContinueOnError``)."""
    for items, error in files.read_each(ctx.parsed.get("filename"), ctx.stdin, ctx.parsed.get("recursive")):
        for item in items:
            try:
                yield item, map_item(ctx, item)
            except (PlainError, KubectlError) as err:
                yield err
        if error is not None:
            yield error


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


def _apply_one(ctx: Context, item: files.Item, rtype: Any, printer: "Printer") -> None:
    from labkube.core.apply import apply_object

    obj = item.obj
    meta = files.object_meta(obj)
    if not meta.get("name") and meta.get("generateName"):
        raise PlainError(f"from {meta['generateName']}: cannot use generate name with apply")
    live = _current(ctx, item, rtype)
    strategy = printer.strategy
    if live is not None and strategy != "client" and LAST_APPLIED not in _annotations(live):
        ctx.term.err_line(_missing_annotation_warning(rtype, obj))
    verb = "creating" if live is None else "patching"
    try:
        if strategy == "none":
            result, action = apply_object(ctx.client, obj, namespace=ctx.namespace, live=live)
        else:
            result, action = _dry_run_apply(ctx, obj, rtype, live, strategy)
    except StatusError as err:
        raise with_source(verb, item.source, err) from None
    printer.applied(result, action)


def _annotations(obj: dict) -> dict:
    return obj.get("metadata", {}).get("annotations") or {}


def _dry_run_apply(ctx: Context, obj: dict, rtype: Any, live: dict | None, strategy: str):
    """What apply would do, without persisting. Client dry-run sends nothing at all: a new
    object is the file's (with its last-applied annotation), an existing one stays as the
    server has it and is said to be ``configured`` (kubectl computes no patch)."""
    from labkube.core.apply import apply_patch_for, with_last_applied

    modified = with_last_applied(obj)
    meta = files.object_meta(obj)
    namespace = (meta.get("namespace") or ctx.namespace) if rtype.namespaced else None
    if live is None:
        if strategy == "client":
            return modified, "created"
        return ctx.client.create(modified, dry_run=True), "created"
    if strategy == "client":
        return live, "configured"
    patch = apply_patch_for(live, modified)
    if not patch:
        return live, "unchanged"
    patch_type = "strategic" if rtype.group in ("", "apps", "networking.k8s.io", "rbac.authorization.k8s.io",
                                                "discovery.k8s.io", "coordination.k8s.io",
                                                "events.k8s.io") else "merge"
    result = ctx.client.patch(rtype, meta["name"], patch, namespace=namespace,
                              patch_type=patch_type, dry_run=True)
    return result, "configured"


class Printer:
    """The command's one ``-o`` printer (kubectl builds it once per command).

    ``create``/``replace`` print each object as it is done: a YAML printer writes ``---``
    before every object but its first. ``apply`` prints ``-o name`` (or the default
    ``kind/name configured`` line) as it goes, and holds every other format until all objects
    are applied (:meth:`print_held`).
    """

    def __init__(self, ctx: Context, strategy: str) -> None:
        self.ctx = ctx
        self.strategy = strategy
        self.output = printer_format(ctx.flags.get("output", "") or "")
        self.printed = 0
        self.held: list[dict] = []

    def done(self, obj: dict, operation: str) -> None:
        """Print one object now (``created``, ``replaced``)."""
        if self.output == "yaml" and self.printed:
            self.ctx.term.out("---\n")
        print_operation(self.ctx, obj, operation, self.strategy)
        self.printed += 1

    def applied(self, obj: dict, operation: str) -> None:
        """apply's ``applyOneObject``: print the line now, or hold the object for the end."""
        if self.output in ("", "name"):
            self.done(obj, operation)
        else:
            self.held.append(obj)

    def print_held(self) -> None:
        """``printObjects``: the one object held, or all of them as one ``List``."""
        if not self.held:
            return
        if len(self.held) == 1:
            self.ctx.term.out(render_output(self.ctx, self.held, self.output, single=True))
            return
        self.ctx.term.out(applied_list_output(self.ctx, self.held, self.output))


def applied_list_output(ctx: Context, objs: list[dict], output: str) -> str:
    """The ``corev1.List`` apply prints: ``kind``, ``apiVersion``, empty ``metadata`` and the
    items, in the Go struct's field order for JSON (each item's own keys sorted, as an
    unstructured object's are)."""
    from labkube.kubectl.commands._output import go_json_indent

    document = {"kind": "List", "apiVersion": "v1", "metadata": {},
                "items": [files.sorted_keys(obj) for obj in objs]}
    if output == "json":
        return go_json_indent(document, sort_keys=False)
    return render_output(ctx, [document], output, single=True)


#: client-go's ``Request.Name("")``: a request for one object needs its name.
EMPTY_NAME = "resource name may not be empty"


def _current(ctx: Context, item: files.Item, rtype: Any) -> dict | None:
    """``info.Get()``: the live object, or None when it does not exist yet. An object without
    a name cannot be looked up (client-go refuses the request); apply -- unlike create --
    refuses ``generateName`` before that."""
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


def _create_one(ctx: Context, item: files.Item, rtype: Any, printer: Printer) -> None:
    obj = item.obj
    if printer.strategy == "client":
        printer.done(obj, "created")
        return
    try:
        created = ctx.client.create(obj, dry_run=api_dry_run(printer.strategy))
    except StatusError as err:
        raise with_source("creating", item.source, err) from None
    printer.done(created, "created")
