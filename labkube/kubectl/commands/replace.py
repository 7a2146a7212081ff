"""``kubectl replace -f FILE``: write each object of the files over the live one (a PUT).

Mirrors k8s.io/kubectl/pkg/cmd/replace of kubectl 1.32 (``Complete``, ``Validate``, ``Run``,
``forceReplace``) with the resource builder's ``ContinueOnError`` and cli-runtime's
``Helper.Replace``/``Helper.Create``. What a student can rely on:

* **Replace is a PUT of the whole object.** Unlike ``apply`` (a patch toward the file), the
  file *is* the new object: every field it leaves out is gone. Objects are handled one
  document at a time, in file order (folders: their ``.json``/``.yaml``/``.yml`` files by name,
  ``-R`` for subfolders), and each prints ``pod/web replaced``; an error does not stop the
  others and prints after them, e.g. ``Error from server (NotFound): error when replacing
  "web.yaml": pods "web" not found`` -- replace never creates.
* **Optimistic concurrency.** A file without ``metadata.resourceVersion`` replaces whatever is
  live: kubectl first GETs the object and copies its resourceVersion into the PUT. A file
  *with* one (``kubectl get -o yaml`` output) is a precondition: if the object changed since,
  the server answers Conflict (``the object has been modified; please apply your changes to
  the latest version and try again``). Immutable fields are the API server's to refuse: a
  Pod may change its images, not most of its spec.
* ``--save-config`` stores the object in the ``kubectl.kubernetes.io/last-applied-configuration``
  annotation; without it, an annotation already in the file is refreshed to the new content.
* ``--dry-run=client`` prints the object without sending anything; ``--dry-run=server`` sends
  the PUT with dryRun (``(server dry run)``). ``-o yaml|json|name|jsonpath`` print each
  result as it is done (YAML documents apart by ``---``).
* ``--subresource=status|scale`` PUTs to that subresource instead (``scale.autoscaling/web
  replaced``).
* ``--force`` deletes and re-creates, in three passes over the files: DELETE every object
  (``pod "web" deleted``; one already missing is skipped; ``--cascade``, ``--grace-period``),
  then wait until each is gone -- GET once a second, up to ``--timeout`` (default 5 minutes),
  then POST each (``pod/web replaced``). ``--grace-period=0`` means 1 second and waiting for
  the deletion (``--wait`` waits too). An error in the delete or wait pass stops before any
  object is created -- what was deleted stays deleted, as with kubectl -- and errors in the
  create pass do not carry the file name.

The simulated clock: waiting for a deletion runs the cluster clock (``cluster.run``, one
second per poll, as kubectl's ``PollImmediate``), so ``replace --force`` of a running Pod
returns after its graceful termination, with the clock that much later -- in a notebook it
never blocks. ``--raw`` (a PUT of the file's bytes to a URL) is refused: labkube's API server
is called in-process, not over HTTP. ``--validate`` values are checked as kubectl checks them;
labkube's API server always decodes strictly (kubectl's default, ``strict``), so unknown
fields are refused whatever the value, as with ``apply``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Iterator

from labkube.core.errors import StatusError
from labkube.kubectl import files
from labkube.kubectl.commands import (
    Context,
    api_dry_run,
    check_operation_output,
    dry_run_strategy,
    kind_prefix,
)
from labkube.kubectl.commands._ops import parse_duration
from labkube.kubectl.commands.apply import EMPTY_NAME, LAST_APPLIED, Printer, map_item, with_read_errors
from labkube.kubectl.commands.delete import cascade_policy
from labkube.kubectl.errors import KubectlError, PlainError, with_source

#: ``forceReplace``: how long to wait for the old objects to go when ``--timeout`` is 0.
DEFAULT_DELETE_TIMEOUT = 5 * 60.0
#: ``DeleteOptions.DeleteResult`` with ``--wait``: "wait forever" is a week.
WAIT_FOREVER = 168 * 3600.0
#: ``wait.PollImmediate(1*time.Second, ...)``
POLL_INTERVAL = 1.0
TIMED_OUT = "timed out waiting for the condition"

_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")

RAW_UNSUPPORTED = (
    "error: --raw is not available in labkube's kubectl: it sends the file's bytes to a URL over "
    "HTTP, and labkube's API server is called in-process. Use \"kubectl replace -f FILE\" "
    "(or cluster.client.update(obj) in Python)."
)
KUSTOMIZE_UNSUPPORTED = (
    "error: labkube's kubectl does not run kustomize (-k): build the manifests with kustomize "
    "first and pass them with -f"
)


@dataclass(frozen=True)
class ReplaceOptions:
    """The command line, completed and checked (kubectl's ``ReplaceOptions`` + ``DeleteOptions``)."""

    filenames: tuple[str, ...]
    recursive: bool
    strategy: str  # "none" | "client" | "server"
    save_config: bool
    subresource: str
    force: bool
    propagation: str
    grace_period: int  # -1: the object's own default
    wait_for_deletion: bool
    timeout: float  # 0: kubectl's defaults
    output: str


def run(ctx: Context) -> list[BaseException]:
    options = complete(ctx)
    validate(ctx, options)
    if ctx.flags["raw"]:
        raise KubectlError(RAW_UNSUPPORTED)
    if ctx.flags["kustomize"]:
        raise KubectlError(KUSTOMIZE_UNSUPPORTED)
    if options.force:
        return force_replace(ctx, options)
    return replace_each(ctx, options)


# ---------------------------------------------------------------------------------------
# Complete and Validate: the flags, in kubectl's order of checking
# ---------------------------------------------------------------------------------------


def complete(ctx: Context) -> ReplaceOptions:
    """``ReplaceOptions.Complete``: every flag read and its value checked."""
    flags = ctx.flags
    timeout = _timeout(ctx)
    _check_validate_flag(flags["validate"])
    strategy = dry_run_strategy(ctx)
    output = check_operation_output(ctx)
    propagation = _cascade(ctx, flags["cascade"])
    grace, wait = flags["grace-period"], flags["wait"]
    if grace == 0:  # kubectl turns --grace-period=0 into 1 and then waits for the deletion
        grace, wait = 1, True
    _require_filename(ctx)
    return ReplaceOptions(
        filenames=tuple(flags["filename"]), recursive=flags["recursive"], strategy=strategy,
        save_config=flags["save-config"], subresource=flags["subresource"], force=flags["force"],
        propagation=propagation, grace_period=grace, wait_for_deletion=wait, timeout=timeout,
        output=output,
    )


def _timeout(ctx: Context) -> float:
    """``--timeout`` is a Go duration flag; a bad value is a flag error (pflag's words)."""
    try:
        return parse_duration(ctx.flags["timeout"], "timeout")
    except KubectlError as err:
        message = err.text.removeprefix("error: ")
        raise KubectlError(f"Error: {message}\nSee '{ctx.parsed.command_path} --help' for usage.") from None


def _check_validate_flag(value: str) -> None:
    """``cmdutil.GetValidationDirective``: a boolean, or strict / warn / ignore."""
    if value in _TRUE or value in _FALSE or value in ("strict", "warn", "ignore"):
        return
    raise KubectlError(
        f'error: invalid - validate option "{value}"; must be one of: strict (or true), warn, '
        "ignore (or false)"
    )


def _cascade(ctx: Context, value: str) -> str:
    """``--cascade`` -> propagationPolicy; a boolean still works, with kubectl's warning."""
    if value in _TRUE or value in _FALSE:
        replacement = "background" if value in _TRUE else "orphan"
        ctx.term.err_line(f"warning: --cascade={value} is deprecated (boolean value) and can be "
                          f"replaced with --cascade={replacement}.")
        return cascade_policy(replacement)
    return cascade_policy(value)


def _require_filename(ctx: Context) -> None:
    """``FilenameOptions.RequireFilenameOrKustomize``."""
    filenames, kustomize = ctx.flags["filename"], ctx.flags["kustomize"]
    if not filenames and not kustomize:
        raise KubectlError("error: must specify one of -f and -k")
    if filenames and kustomize:
        raise KubectlError("error: only one of -f or -k can be specified")


def validate(ctx: Context, options: ReplaceOptions) -> None:
    """``ReplaceOptions.Validate``: flags that only make sense together."""
    if options.grace_period >= 0 and not options.force:
        raise KubectlError("error: --grace-period must have --force specified")
    if options.timeout != 0 and not options.force:
        raise KubectlError("error: --timeout must have --force specified")
    if options.force and options.strategy != "none":
        raise KubectlError("error: --dry-run can not be used when --force is set")
    if ctx.flags["raw"]:
        _validate_raw(ctx, options)


def _validate_raw(ctx: Context, options: ReplaceOptions) -> None:
    raw = ctx.flags["raw"]
    if len(options.filenames) != 1:
        raise KubectlError("error: --raw can only use a single local file or stdin")
    if options.filenames[0].startswith(("http://", "https://")):
        raise KubectlError("error: --raw cannot read from a url")
    if options.recursive:
        raise KubectlError("error: --raw and --recursive are mutually exclusive")
    if options.output:
        raise KubectlError("error: --raw and --output are mutually exclusive")
    problem = _request_uri_problem(raw)
    if problem:
        raise KubectlError(f'error: --raw must be a valid URL path: parse "{raw}": {problem}')


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})(.{0,2})", re.S)


def _request_uri_problem(raw: str) -> str:
    """What Go's ``url.ParseRequestURI`` objects to ("" when it parses): the common cases."""
    if not raw.startswith("/") and not _SCHEME.match(raw):
        return "invalid URI for request"
    bad = _BAD_ESCAPE.search(raw)
    if bad:
        return f'invalid URL escape "{bad.group(0)}"'
    return ""


# ---------------------------------------------------------------------------------------
# Reading: one source at a time, each object mapped to its resource as it comes
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One object of the files with its resource type (kubectl's ``resource.Info``)."""

    obj: dict
    source: str
    rtype: Any

    @property
    def name(self) -> str:
        return files.object_meta(self.obj).get("name", "")

    @property
    def namespace(self) -> str | None:
        return files.object_meta(self.obj).get("namespace") if self.rtype.namespaced else None


def visit(ctx: Context, options: ReplaceOptions) -> Iterator[Document | BaseException]:
    """Every document of the ``-f`` sources in order, or the error met in its place.

    kubectl's builder with ``ContinueOnError``: a document whose kind is not served is an
    error and the next document still counts; a YAML error ends its file. Every path is
    checked before the first object is acted on.
    """
    sources = list(files.read_each(list(options.filenames), ctx.stdin, options.recursive))
    for items, error in sources:
        for item in items:
            try:
                rtype = map_item(ctx, item)
            except (PlainError, KubectlError) as err:
                yield err
                continue
            yield Document(item.obj, item.source, rtype)
        if error is not None:
            yield error


# ---------------------------------------------------------------------------------------
# replace: PUT each object
# ---------------------------------------------------------------------------------------


def replace_each(ctx: Context, options: ReplaceOptions) -> list[BaseException]:
    """``ReplaceOptions.Run`` without ``--force``: each document replaced, errors collected
    (the errors met reading the files last, as kubectl's builder returns them)."""
    read_errors: list[BaseException] = []
    errors: list[BaseException] = []
    printer = Printer(ctx, options.strategy)
    for doc in visit(ctx, options):
        if isinstance(doc, BaseException):
            read_errors.append(doc)
            continue
        try:
            replace_one(ctx, doc, options, printer)
        except (StatusError, PlainError) as err:
            errors.append(err)
    return with_read_errors(read_errors, errors, read_first=False)


def replace_one(ctx: Context, doc: Document, options: ReplaceOptions, printer: Printer) -> None:
    """One PUT, printed by the command's one printer (YAML documents apart by ``---``)."""
    obj = with_apply_annotation(doc.obj, options.save_config)
    if options.strategy == "client":
        printer.done(obj, "replaced")
        return
    if not doc.name:
        raise PlainError(_with_source("replacing", doc.source, EMPTY_NAME))
    _take_live_resource_version(ctx, doc, obj, options.subresource)
    try:
        replaced = _put(ctx, doc, obj, options)
    except StatusError as err:
        raise with_source("replacing", doc.source, err) from None
    printer.done(replaced, "replaced")


def with_apply_annotation(obj: dict, save_config: bool) -> dict:
    """``util.CreateOrUpdateAnnotation``: with ``--save-config``, the object's JSON becomes its
    last-applied-configuration annotation; without it, an annotation already there is
    refreshed to the new content. Returns a copy; the file's object stays as read."""
    from labkube.core.apply import with_last_applied

    annotations = files.object_meta(obj).get("annotations")
    present = isinstance(annotations, dict) and bool(annotations.get(LAST_APPLIED))
    writable = isinstance(obj.get("metadata", {}), dict)  # Go's unstructured cannot write into another type
    if (save_config or present) and writable:
        return with_last_applied(obj)
    return copy.deepcopy(obj)


def _take_live_resource_version(ctx: Context, doc: Document, obj: dict, subresource: str) -> None:
    """``Helper.Replace(overwrite=true)``: a file without a resourceVersion takes the live
    object's, so the PUT overwrites whatever is there. If the GET fails, the PUT goes as it
    is and the server has the last word (NotFound, Forbidden ...)."""
    version = files.object_meta(obj).get("resourceVersion")
    if isinstance(version, str) and version:
        return
    try:
        live = ctx.client.get(doc.rtype, doc.name, doc.namespace, subresource=subresource or None)
    except StatusError:
        return
    obj["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]


def _put(ctx: Context, doc: Document, obj: dict, options: ReplaceOptions) -> dict:
    dry_run = api_dry_run(options.strategy)
    if options.subresource == "scale":
        return ctx.client.update(obj, subresource="scale", resource=doc.rtype, dry_run=dry_run)
    return ctx.client.update(obj, subresource=options.subresource or None, dry_run=dry_run)


def _with_source(verb: str, source: str, message: str) -> str:
    """``cmdutil.AddSourceToErr`` for an error that is not the server's."""
    return f'error when {verb} "{source}": {message}' if source else message


# ---------------------------------------------------------------------------------------
# replace --force: delete, wait until gone, create
# ---------------------------------------------------------------------------------------


def force_replace(ctx: Context, options: ReplaceOptions) -> list[BaseException]:
    """``forceReplace``: three passes over the files; the first two stop the command on error."""
    docs: list[Document] = []
    errors = _delete_pass(ctx, options, docs)
    if errors:
        return errors
    if not docs:
        ctx.term.line("No resources found")
    elif options.wait_for_deletion:
        _wait_for_deletion(ctx, docs, options.timeout or WAIT_FOREVER)
    errors = _poll_until_gone(ctx, docs, options)
    if errors:
        return errors
    return _create_pass(ctx, docs, options)


def _delete_pass(ctx: Context, options: ReplaceOptions, docs: list[Document]) -> list[BaseException]:
    """``DeleteOptions.DeleteResult`` (not-found ignored): every object deleted in turn."""
    errors: list[BaseException] = []
    for doc in visit(ctx, options):
        if isinstance(doc, BaseException):
            errors.append(doc)
            continue
        docs.append(doc)
        try:
            _delete_one(ctx, doc, options)
        except (StatusError, PlainError) as err:
            errors.append(err)
    return errors


def _delete_one(ctx: Context, doc: Document, options: ReplaceOptions) -> None:
    if not doc.name:
        raise PlainError(_with_source("deleting", doc.source, EMPTY_NAME))
    try:
        ctx.client.delete(doc.rtype, doc.name, doc.namespace, propagation_policy=options.propagation,
                          grace_period_seconds=None if options.grace_period < 0 else options.grace_period)
    except StatusError as err:
        if err.code == 404:
            return  # replace --force also creates what was not there
        raise with_source("deleting", doc.source, err) from None
    if options.output == "name":
        ctx.term.line(f"{kind_prefix(doc.rtype)}/{doc.name}")
    else:
        ctx.term.line(f'{kind_prefix(doc.rtype)} "{doc.name}" deleted')


def _gone(ctx: Context, doc: Document, subresource: str | None = None) -> bool:
    try:
        ctx.client.get(doc.rtype, doc.name, doc.namespace, subresource=subresource)
    except StatusError as err:
        if err.code == 404:
            return True
        raise
    return False


def _wait_for_deletion(ctx: Context, docs: list[Document], timeout: float) -> None:
    """``--wait`` (or ``--grace-period=0``): ``kubectl wait --for=delete`` on each object,
    which watches, so it sees the deletion the moment it happens."""
    for doc in docs:
        if not ctx.cluster.run_until(lambda: _gone(ctx, doc), timeout):
            raise KubectlError(f"error: {TIMED_OUT} on {doc.rtype.plural}/{doc.name}")


def _poll_until_gone(ctx: Context, docs: list[Document], options: ReplaceOptions) -> list[BaseException]:
    """``wait.PollImmediate(1s, timeout)`` per object: GET now and then every second of
    cluster time until the server answers NotFound."""
    timeout = options.timeout or DEFAULT_DELETE_TIMEOUT
    errors: list[BaseException] = []
    for doc in docs:
        waited = 0.0
        try:
            while not _gone(ctx, doc, options.subresource or None):
                if waited >= timeout:
                    raise PlainError(TIMED_OUT)
                ctx.cluster.run(POLL_INTERVAL)
                waited += POLL_INTERVAL
        except (StatusError, PlainError) as err:
            errors.append(err)
    return errors


def _create_pass(ctx: Context, docs: list[Document], options: ReplaceOptions) -> list[BaseException]:
    """``Helper.Create(modify=true)`` of each object, its resourceVersion cleared."""
    errors: list[BaseException] = []
    created = 0
    printer = Printer(ctx, "none")
    for doc in docs:
        obj = with_apply_annotation(doc.obj, options.save_config)
        if isinstance(obj.get("metadata"), dict):
            obj["metadata"].pop("resourceVersion", None)
        try:
            result = ctx.client.create(obj, doc.namespace)
        except StatusError as err:
            errors.append(err)
            continue
        created += 1
        printer.done(result, "replaced")
    if not errors and created == 0:
        raise KubectlError("error: no objects passed to replace")
    return errors
