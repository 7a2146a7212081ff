"""``kubectl wait --for=...``: block until objects meet a condition, are deleted, or exist.

Mirrors k8s.io/kubectl/pkg/cmd/wait of kubectl 1.32 (wait.go, condition.go, json.go,
delete.go, create.go). ``wait`` is not an API of its own: it is a GET/LIST and a WATCH per
object, and a check run on every state the watch delivers.

* ``--for=condition=NAME[=VALUE]``: the object's ``.status.conditions`` has an entry whose
  ``type`` is NAME and whose ``status`` is VALUE (default ``true``), both compared
  case-insensitively. The first entry of that type decides, and it is ignored (not met) while
  its ``observedGeneration`` -- or else ``.status.observedGeneration`` -- is older than
  ``metadata.generation``: a controller has not yet looked at the latest spec.
* ``--for=jsonpath='{EXPR}'[=VALUE]``: EXPR finds exactly one value (any value when no VALUE
  is given) equal, as text, to VALUE. A map or a list cannot be compared.
* ``--for=delete``: the object is gone. Objects already gone are skipped without a word.
* ``--for=create``: the objects exist; kubectl polls its GET or LIST every half second.

Each object found prints ``pod/web condition met`` (or the object in the ``-o`` format) when
its wait ends well; the failures print at the end, as kubectl's ``ContinueOnError`` does:
``timed out waiting for the condition on pods/web``, NotFound, ``condition not met for
pods/web`` (``--timeout=0`` checks once). A selector that matches nothing is ``error: no
matching resources found`` (except for ``--for=delete``).

Time. kubectl sets ONE deadline, ``--timeout`` from the start (default 30s; 0 means check
once and do not wait; negative means a week), and waits for the objects one after another
against it, so a second object gets only what the first one left -- once the deadline has
passed, the remaining ones fail at once. Here the deadline is on the cluster's clock: while
waiting, the command runs the clock (``cluster.run_until``, as ``rollout status`` does) and
reads the watch each time something happened, so a notebook never blocks on wall time and a
timeout advances simulated time by exactly ``--timeout``. With a real-time clock the command
waits for cluster time to pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Union

from labkube.core.errors import StatusError, go_quote, not_found
from labkube.kubectl import files, jsonpath
from labkube.kubectl.commands import (
    Context,
    check_operation_output,
    expand_types,
    namespace_for,
    resolve_type,
)
from labkube.kubectl.commands import _output
from labkube.kubectl.commands._ops import NO_RESOURCES, parse_duration, typed
from labkube.kubectl.errors import KubectlError, PlainError
from labkube.kubectl.printers.format import go_sprint

#: ``--timeout`` below zero means "a week" (168h), as in kubectl.
A_WEEK = 168 * 3600.0
#: ``--for=create`` asks the API server this often (``wait.PollUntilContextTimeout``).
CREATE_POLL_INTERVAL = 0.5

TIMED_OUT = "timed out waiting for the condition"
#: What client-go says when a request is made after the deadline has already passed
#: (``--for=delete`` GETs each object with the deadline's context).
DEADLINE_PASSED = "client rate limiter Wait returned an error: context deadline exceeded"
NO_MATCHES = "no matching resources found"

#: kubectl 1.32's wait dereferences the REST mapping that ``--local`` objects do not have.
LOCAL_CRASH = ("panic: runtime error: invalid memory address or nil pointer dereference\n"
               "(kubectl 1.32's wait crashes here: objects read with --local have no REST mapping)")
LOCAL_WITH_ARGS = (
    "error: you must specify resources by --filename when --local is set.\n"
    "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'"
)


def run(ctx: Context) -> list[BaseException]:
    timeout = _timeout(ctx)
    check_printer(ctx)
    waiter = parse_for(ctx.flags["for"])
    visit = visitor_for(ctx)
    return Wait(ctx, waiter, visit, timeout).run()


def _timeout(ctx: Context) -> float:
    """The effective ``--timeout`` in seconds: 0 = check once, negative = a week. (The parser
    has already refused a value that is not a Go duration, with pflag's words.)"""
    seconds = parse_duration(ctx.flags["timeout"], "timeout")
    return A_WEEK if seconds < 0 else seconds


#: ``-o`` formats kubectl's wait accepts that labkube's printers cannot render.
UNRENDERED_FORMATS = ("go-template", "go-template-file", "template", "templatefile", "jsonpath-file")


def check_printer(ctx: Context) -> None:
    """``PrintFlags.ToPrinter``: refuse a bad ``-o`` before anything is read; a JSONPath
    template is parsed now (``error parsing jsonpath {.a[}, unterminated array``)."""
    output = check_operation_output(ctx)
    base, _, template = output.partition("=")
    if base in UNRENDERED_FORMATS:
        raise KubectlError(f"error: -o {base} is not available in labkube's kubectl; use -o jsonpath=..., "
                           "-o yaml or -o json")
    if base not in ("jsonpath", "jsonpath-as-json"):
        return
    if not template:
        raise KubectlError("error: template format specified but no template given")
    try:
        jsonpath.parse(template)
    except jsonpath.JSONPathError as err:
        raise KubectlError(f"error: error parsing jsonpath {template}, {err}") from None


# ---------------------------------------------------------------------------------------
# --for: what to wait for
# ---------------------------------------------------------------------------------------


class CheckError(Exception):
    """A check that cannot be evaluated (kubectl gives up on the object with this message)."""


@dataclass(frozen=True)
class ForDelete:
    """``--for=delete``."""


@dataclass(frozen=True)
class ForCreate:
    """``--for=create``."""


@dataclass(frozen=True)
class ForCondition:
    """``--for=condition=NAME[=VALUE]``: a ``.status.conditions`` entry (condition.go)."""

    name: str
    status: str = "true"

    def met(self, obj: dict) -> bool:
        conditions = _status(obj).get("conditions")
        if not isinstance(conditions, list):
            return False
        for condition in conditions:
            if not isinstance(condition, dict):
                return False
            kind, status = condition.get("type"), condition.get("status")
            if not isinstance(kind, str) or not equal_fold(kind, self.name):
                continue
            if not isinstance(status, str):
                continue
            if _generation_not_observed(obj, condition):
                return False
            return equal_fold(status, self.status)
        return False


def equal_fold(a: str, b: str) -> bool:
    """Go's ``strings.EqualFold``: equal under Unicode *simple* case folding (one character
    for one: ``K`` and the Kelvin sign fold together, ``ß`` and ``ss`` do not)."""
    return len(a) == len(b) and all(_fold(x) == _fold(y) for x, y in zip(a, b))


def _fold(char: str) -> str:
    upper = char.upper()
    char = upper if len(upper) == 1 else char
    lower = char.lower()
    return lower if len(lower) == 1 else char


def _generation_not_observed(obj: dict, condition: dict) -> bool:
    """The condition describes an older spec than ``metadata.generation``."""
    generation = _int_field((obj.get("metadata") or {}).get("generation"))
    if generation is None:
        return False
    observed = _int_field(condition.get("observedGeneration"))
    if observed is None:
        observed = _int_field(_status(obj).get("observedGeneration"))
    return observed is not None and observed < generation


def _status(obj: dict) -> dict:
    status = obj.get("status")
    return status if isinstance(status, dict) else {}


def _int_field(value: Any) -> int | None:
    """``unstructured.NestedInt64``: only an integer counts."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class ForJSONPath:
    """``--for=jsonpath='{EXPR}'[=VALUE]`` (json.go); ``value=None`` accepts any value."""

    template: str
    value: str | None = None

    def met(self, obj: dict) -> bool:
        try:
            results = jsonpath.find_results(self.template, obj, allow_missing_keys=True)
        except (jsonpath.JSONPathError, RecursionError) as err:
            raise CheckError(str(err)) from None
        if not results or not results[0]:
            return False
        if len(results) > 1:
            raise CheckError("given jsonpath expression matches more than one list")
        if len(results[0]) > 1:
            raise CheckError("given jsonpath expression matches more than one value")
        if self.value is None:
            return True
        found = results[0][0]
        if isinstance(found, (dict, list)):
            raise CheckError("jsonpath leads to a nested object or list which is not supported")
        return go_sprint(found).strip() == self.value.strip()


Check = Union[ForCondition, ForJSONPath]
Waiter = Union[ForDelete, ForCreate, ForCondition, ForJSONPath]


def parse_for(text: str) -> Waiter:
    """``conditionFuncFor``: the ``--for`` value, or kubectl's error for it."""
    lowered = text.lower()
    if lowered == "delete":
        return ForDelete()
    if lowered == "create":
        return ForCreate()
    if text.startswith("condition="):
        name, has_value, value = text[len("condition="):].partition("=")
        return ForCondition(name, value if has_value else "true")
    if text.startswith("jsonpath="):
        return _parse_jsonpath(text[len("jsonpath="):])
    raise KubectlError(f"error: unrecognized condition: {go_quote(text)}")


def _parse_jsonpath(text: str) -> ForJSONPath:
    parts = split_jsonpath_input(text)
    if len(parts) > 2:
        raise KubectlError("error: jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 "
                           "or --for=jsonpath='{.status.readyReplicas}'")
    try:
        template = jsonpath.relaxed(parts[0])
    except jsonpath.JSONPathError as err:
        raise KubectlError(f"error: {err}") from None
    value = None
    if len(parts) == 2:
        value = parts[1].strip("'\"")
        if not value:
            raise KubectlError("error: jsonpath wait has to have a value after equal sign, like "
                               "--for=jsonpath='{.status.readyReplicas}'=3")
    if not template:
        raise KubectlError("error: jsonpath expression cannot be empty")
    try:
        jsonpath.parse(template)
    except jsonpath.JSONPathError as err:
        raise KubectlError(f"error: {err}") from None
    return ForJSONPath(template, value)


def split_jsonpath_input(text: str) -> list[str]:
    """Split on single ``=`` signs; ``==`` (a filter's comparison) stays inside a part."""
    parts, current, index = [], "", 0
    while index < len(text):
        if text[index] == "=":
            if text[index + 1:index + 2] == "=":
                current += "=="
                index += 2
                continue
            parts.append(current)
            current = ""
        else:
            current += text[index]
        index += 1
    return parts + [current]


# ---------------------------------------------------------------------------------------
# The objects to wait for: kubectl's resource builder
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """One object the builder visits, as it was read (``info.Object``)."""

    rtype: Any
    obj: dict

    @property
    def name(self) -> str:
        return files.object_meta(self.obj).get("name") or ""

    @property
    def namespace(self) -> str | None:
        return files.object_meta(self.obj).get("namespace") if self.rtype.namespaced else None

    @property
    def object_name(self) -> str:
        """``info.ObjectName()``: ``pods/web`` (the resource, not the kind)."""
        return f"{self.rtype.plural}/{self.name}"


Visited = Union[Found, BaseException]


Visit = Callable[[], Iterator[Visited]]


def visitor_for(ctx: Context) -> Visit:
    """Check the arguments in the order kubectl's builder does, and return how to visit what
    they name: lazily and in order (a named object is read when its turn comes, a selector
    lists each type when its turn comes). The visit may run more than once: ``--for=create``
    polls with it."""
    args = list(ctx.parsed.all_args)
    if ctx.flags["local"] and args:
        raise KubectlError(LOCAL_WITH_ARGS)
    tuples, types, names = _split_args(args)
    if ctx.flags["filename"]:
        _check_no_args_with_files(types, names, tuples)
        return lambda: _visit_files(ctx)
    selector = ctx.flags["selector"].strip()
    fields = ctx.flags["field-selector"].strip()
    select_all = ctx.flags["all"] and len(args) == 1 and not tuples
    if not ctx.flags["local"] and (selector or fields or select_all):
        return _selection(ctx, tuples, types, names, selector, fields)
    if tuples:
        pairs = [(resolve_type(ctx, kind), name) for kind, name in tuples]
        _check_namespace_for_names(ctx, [rtype for rtype, _ in pairs])
        return lambda: _visit_named(ctx, pairs)
    if names:
        rtype = resolve_type(ctx, types[0])
        _check_namespace_for_names(ctx, [rtype])
        return lambda: _visit_named(ctx, [(rtype, name) for name in names])
    if types:
        for kind in types:
            resolve_type(ctx, kind)
        raise KubectlError("error: resource(s) were provided, but no name was specified")
    raise KubectlError(NO_RESOURCES)


def _split_args(args: list[str]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """``ResourceTypeOrNameArgs``: (type, name) pairs, or types and names."""
    if not args:
        return [], [], []
    with_slash = [arg for arg in args if "/" in arg]
    if with_slash and len(with_slash) != len(args):
        raise KubectlError(
            "error: there is no need to specify a resource type as a separate argument when passing "
            "arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of "
            "'kubectl get resource resource/<resource_name>'")
    types = [] if with_slash else list(dict.fromkeys(part for part in args[0].split(",") if part))
    if len(types) > 1 and len(args) > 1:  # pods,svc a b -> pods/a pods/b svc/a svc/b
        args = [f"{kind}/{name}" for kind in types for name in args[1:]]
        with_slash = args
    if not with_slash:
        return [], types, args[1:]
    tuples = []
    for arg in args:
        kind, _, name = arg.partition("/")
        if "/" in name:
            raise KubectlError("error: arguments in resource/name form may not have more than one slash")
        if not kind or not name or len([p for p in kind.split(",") if p]) != 1:
            raise KubectlError("error: arguments in resource/name form must have a single resource and name")
        tuples.append((kind, name))
    return tuples, [], []


def _check_no_args_with_files(types: list[str], names: list[str], tuples: list) -> None:
    if types:
        raise KubectlError("error: when paths, URLs, or stdin is provided as input, you may not specify "
                           "resource arguments as well")
    if names:
        raise KubectlError("error: name cannot be provided when a path is specified")
    if tuples:
        raise KubectlError("error: resource/name arguments cannot be provided when a path is specified")


def _check_namespace_for_names(ctx: Context, rtypes: list[Any]) -> None:
    if ctx.flags["all-namespaces"] and any(rtype.namespaced for rtype in rtypes):
        raise KubectlError("error: a resource cannot be retrieved by name across all namespaces")


def _selection(ctx: Context, tuples: list, types: list[str], names: list[str], selector: str,
               fields: str) -> Visit:
    if names:
        raise KubectlError("error: name cannot be provided when a selector is specified")
    if tuples:
        raise KubectlError("error: selectors and the all flag cannot be used when passing resource/name "
                           "arguments")
    if not types:
        raise KubectlError("error: at least one resource must be specified to use a selector")
    rtypes: list[Any] = []
    for kind in types:
        rtypes.extend(t for t in expand_types(ctx, kind) if t not in rtypes)
    return lambda: _visit_selected(ctx, rtypes, selector, fields)


def _visit_named(ctx: Context, pairs: list[tuple[Any, str]]) -> Iterator[Visited]:
    for rtype, name in pairs:
        try:
            yield Found(rtype, get_latest(ctx, rtype, name, namespace_for(ctx, rtype)))
        except StatusError as err:
            yield err


def _visit_selected(ctx: Context, rtypes: list[Any], selector: str, fields: str) -> Iterator[Visited]:
    for rtype in rtypes:
        namespace = None if ctx.flags["all-namespaces"] else namespace_for(ctx, rtype)
        try:
            listing = ctx.client.list(rtype, namespace, label_selector=selector or None,
                                      field_selector=fields or None)
        except StatusError as err:
            yield err
            continue
        for item in listing["items"]:
            yield Found(rtype, typed(item, rtype))


def _visit_files(ctx: Context) -> Iterator[Visited]:
    """Objects of ``-f``, file by file, each read again from the server (``Latest()``)."""
    for items, error in files.read_each(ctx.flags["filename"], ctx.stdin, ctx.flags["recursive"]):
        for item in items:
            yield _file_object(ctx, item)
        if error is not None:
            yield error


def _file_object(ctx: Context, item: files.Item) -> Visited:
    # apply's mapping without its namespace check: the builder checks -n after the GET
    from labkube.kubectl.commands.apply import _mapping

    try:
        rtype = _mapping(ctx, item)
    except PlainError as err:
        return err
    meta = files.object_meta(item.obj)
    namespace = (meta.get("namespace") or ctx.namespace) if rtype.namespaced else None
    if ctx.flags["local"] or not meta.get("name"):
        return Found(rtype, item.obj)  # nothing to read (the wait then wants a name)
    try:
        live = get_latest(ctx, rtype, meta.get("name", ""), namespace)
    except StatusError as err:
        return err
    if rtype.namespaced and ctx.namespace_explicit and namespace != ctx.namespace:
        return PlainError(
            f'the namespace from the provided object "{namespace}" does not match the namespace '
            f'"{ctx.namespace}". You must pass \'--namespace={namespace}\' to perform this operation.')
    return Found(rtype, live)


def get_latest(ctx: Context, rtype: Any, name: str, namespace: str | None) -> dict:
    """``resource.Info.Get``: GET the object; when it is missing from a namespace other than
    ``default``, say so if it is the namespace that is missing."""
    try:
        return ctx.client.get(rtype, name, namespace)
    except StatusError as err:
        if err.code == 404 and namespace and namespace != "default":
            try:
                ctx.client.get("namespaces", namespace)
            except StatusError as namespace_err:
                if namespace_err.code == 404:
                    raise namespace_err from None
        raise


# ---------------------------------------------------------------------------------------
# Waiting
# ---------------------------------------------------------------------------------------


class Wait:
    """One run of ``kubectl wait``: the deadline, the objects, what was printed and failed."""

    def __init__(self, ctx: Context, waiter: Waiter, visit: Visit, timeout: float) -> None:
        self.ctx = ctx
        self.waiter = waiter
        self.visit = visit
        self.timeout = timeout
        self.deadline = ctx.clock.now() + timeout
        self.printed = 0

    def run(self) -> list[BaseException]:
        if isinstance(self.waiter, ForCreate):
            failed = self._poll_until_created()
            if failed:
                return failed
        errors: list[BaseException] = []
        visited = 0
        for found in self.visit():
            if isinstance(found, BaseException):
                errors.append(found)
                continue
            visited += 1
            try:
                self._print_met(self._wait_for(found))
            except (StatusError, PlainError) as err:
                errors.append(err)
        if isinstance(self.waiter, ForDelete):
            return [err for err in errors if not _is_not_found(err)]
        if not errors and visited == 0:
            raise KubectlError(f"error: {NO_MATCHES}")
        return errors

    def _wait_for(self, found: Found) -> dict:
        """The object to print once its wait ended well; raises what kubectl reports."""
        if not found.name:
            raise PlainError("resource name must be provided")
        if isinstance(self.waiter, ForCreate):
            return found.obj
        if self.ctx.flags["local"]:
            raise KubectlError(LOCAL_CRASH, exit_code=2)
        if isinstance(self.waiter, ForDelete):
            return self._until_deleted(found)
        return self._until_met(found, self.waiter)

    # -- time ---------------------------------------------------------------------------------
    def _time_left(self) -> float:
        return self.deadline - self.ctx.clock.now()

    def _run_clock_until(self, predicate: Callable[[], bool]) -> bool:
        """Run the cluster clock until ``predicate()`` or the deadline."""
        cluster, clock = self.ctx.cluster, self.ctx.clock
        if hasattr(clock, "run_until"):
            return bool(cluster.run_until(predicate, self._time_left()))
        while not predicate():  # a real-time clock: let cluster time pass a second at a time
            if self._time_left() <= 0:
                return False
            cluster.run(min(1.0, self._time_left()))
        return True

    # -- --for=condition / --for=jsonpath (getObjAndCheckCondition) ---------------------------
    def _until_met(self, found: Found, check: Check) -> dict:
        if self.timeout == 0:
            return self._check_once(found, check)
        if self._time_left() <= 0:
            raise PlainError(f"{TIMED_OUT} on {found.object_name}")
        current, resource_version = self._current(found)
        if current is None:
            raise not_found(found.rtype.qualified_resource, found.name)
        if _met(check, current):
            return current
        met: list[dict] = []

        def condition_met(event: dict) -> bool:
            if event["type"] in ("ADDED", "MODIFIED") and _met(check, event["object"]):
                met.append(event["object"])
                return True
            return False  # DELETED: keep waiting, the object may come back

        self._watch(found, resource_version, condition_met)
        if met:
            return met[0]
        raise PlainError(f"{TIMED_OUT} on {found.object_name}")

    def _check_once(self, found: Found, check: Check) -> dict:
        """``--timeout=0``: one GET and one check, no waiting."""
        obj = self.ctx.client.get(found.rtype, found.name, found.namespace)
        if not _met(check, obj):
            raise PlainError(f"condition not met for {found.object_name}")
        return obj

    # -- --for=delete (IsDeleted) ---------------------------------------------------------------
    def _until_deleted(self, found: Found) -> dict:
        if self.timeout > 0 and self._time_left() <= 0:
            raise PlainError(DEADLINE_PASSED)
        try:
            gotten = self.ctx.client.get(found.rtype, found.name, found.namespace)
        except StatusError as err:
            if err.code == 404:
                return found.obj
            raise
        if self.timeout == 0:
            raise PlainError(f"condition not met for {found.object_name}")
        current, resource_version = self._current(found)
        if current is None:
            return gotten
        if self._watch(found, resource_version, lambda event: event["type"] == "DELETED"):
            return gotten
        raise PlainError(f"{TIMED_OUT} on {found.object_name}")

    # -- the list and watch of one object (watchtools.UntilWithSync) ---------------------------
    def _current(self, found: Found) -> tuple[dict | None, str]:
        """The object as a LIST by name sees it now, and the list's resourceVersion."""
        listing = self.ctx.client.list(found.rtype, found.namespace,
                                       field_selector=f"metadata.name={found.name}")
        items = listing["items"]
        current = typed(items[0], found.rtype) if items else None
        return current, listing["metadata"]["resourceVersion"]

    def _watch(self, found: Found, resource_version: str, done: Callable[[dict], bool]) -> bool:
        """Watch the object from ``resource_version``, running the clock, until an event is
        ``done`` or the deadline passes."""
        watch = self.ctx.client.watch(found.rtype, found.namespace, resource_version=resource_version,
                                      field_selector=f"metadata.name={found.name}")

        def any_event_done() -> bool:
            return any(done(event) for event in watch.poll())

        try:
            return self._run_clock_until(any_event_done)
        finally:
            watch.cancel()

    # -- --for=create (the poll in RunWait) ---------------------------------------------------
    def _poll_until_created(self) -> list[BaseException]:
        """Visit every half second until nothing is missing; the errors if kubectl gives up."""
        start = self.ctx.clock.now()
        ticks = 0
        while True:
            errors = [v for v in self.visit() if isinstance(v, BaseException)]
            if not errors:
                return []
            if len(errors) > 1 or not _is_not_found(errors[0]):
                return errors
            ticks += 1
            next_poll = start + ticks * CREATE_POLL_INTERVAL
            if next_poll >= self.deadline:
                self.ctx.cluster.run(max(0.0, self._time_left()))
                raise KubectlError(f"error: {TIMED_OUT}")
            self.ctx.cluster.run(max(0.0, next_poll - self.ctx.clock.now()))

    # -- printing -------------------------------------------------------------------------------
    def _print_met(self, obj: dict) -> None:
        """``pod/web condition met``, or the object in the ``-o`` format."""
        output = self.ctx.flags["output"]
        self.printed += 1
        if not output:
            self.ctx.term.line(f"{_output.object_name(obj)} condition met")
            return
        if output == "yaml" and self.printed > 1:
            self.ctx.term.out("---\n")  # the YAML printer separates the objects it prints
        try:
            self.ctx.term.out(_output.render_objects(self.ctx, [obj], output, single=True))
        except KubectlError:
            pass  # kubectl's wait ignores what PrintObj returns: a template error prints nothing


def _met(check: Check, obj: dict) -> bool:
    try:
        return check.met(obj)
    except CheckError as err:
        raise PlainError(str(err)) from None  # kubectl gives up on this object


def _is_not_found(err: BaseException) -> bool:
    return isinstance(err, StatusError) and err.code == 404
