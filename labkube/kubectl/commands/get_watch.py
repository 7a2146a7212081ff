"""``kubectl get -w``: print what is there now, then one more line per change, on the cluster clock.

Mirrors ``GetOptions.watch`` in k8s.io/kubectl/pkg/cmd/get/get.go of kubectl 1.32, and the
printers it drives (k8s.io/cli-runtime/pkg/printers):

1. One resource type only: the builder refuses ``get pods,svc -w`` and objects of several
   kinds (``watch is only supported on individual resources and resource collections``).
2. The objects now: a LIST (or the GET of one named object) is printed as ``kubectl get``
   prints it -- unless ``--watch-only``.
3. Then a WATCH: from the list's resourceVersion, or, for one named object, from ``0`` with
   ``fieldSelector=metadata.name=NAME`` (the server then sends a synthetic ADDED first, which
   kubectl does not print). Every event prints the object as it is in that event; a DELETED
   event prints the object's last state.
4. Tables: the server sends a one-row Table per event. kubectl prints the header once, with the
   first row it prints, and every event goes through the same tabwriter, flushed after each
   event, remembering its column widths: a column only grows, and rows already printed are
   never re-aligned (``Terminating`` pushes the columns after it to the right from then on).
   ``--output-watch-events`` puts an EVENT column first (``ADDED``, ``MODIFIED``,
   ``DELETED``); in ``-o json`` and ``-o yaml`` the object is wrapped in a ``WatchEvent``
   (``{"type": ..., "object": ...}``), JSON then on one line.
5. ``-o yaml`` separates the objects with ``---``; ``-o json`` prints them one after the other.

When does it end? A real watch never ends: kubectl prints until Ctrl-C, or until the request
times out -- ``--request-timeout=30s`` ends it after 30 s without a word and with exit code 0
(checked against the real kubectl 1.32: client-go's HTTP client times out the stream and
kubectl ignores the watch's end). That is labkube's bound: the command runs the cluster clock
(``cluster.run_until``, as ``kubectl wait`` does) for exactly ``--request-timeout`` and prints
the events in the order and at the simulated times they happened; the clock then reads the start
plus the timeout. Without ``--request-timeout`` labkube refuses, saying how to bound the watch.
"""

from __future__ import annotations

from typing import Any

from labkube.kubectl.commands import (
    Context,
    Target,
    namespace_for,
    parse_targets,
    printer_format,
    render_output,
)
from labkube.kubectl.commands import _output
from labkube.kubectl.errors import KubectlError

#: ``formatEventType``: the EVENT cell, padded to the width of MODIFIED.
EVENT_CELLS = {"ADDED": "ADDED   ", "MODIFIED": "MODIFIED", "DELETED": "DELETED ", "ERROR": "ERROR   "}

UNBOUNDED = (
    "error: a watch never ends on a real cluster, and labkube's clock only runs when asked: bound "
    "it with --request-timeout (e.g. \"kubectl get pods -w --request-timeout=60s\" runs the cluster "
    "clock 60 seconds and prints every change in that time)"
)
ONE_TYPE = "error: you may only specify a single resource type"
ONE_AT_A_TIME = "error: you may only watch a single resource or type of resource at a time"
SEVERAL_KINDS = ("error: watch is only supported on individual resources and resource collections - "
                 "more than 1 resource was found")
TIMEOUT_INVALID = ("error: Invalid timeout value. Timeout must be a single integer in seconds, or an "
                   "integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)")


def run(ctx: Context) -> list[BaseException]:
    """``GetOptions.watch``; arguments were checked by ``get``'s Complete and Validate."""
    timeout = request_timeout(ctx)
    target = _single_target(ctx)
    if timeout <= 0:
        raise KubectlError(UNBOUNDED)
    initial, resource_version = _read(ctx, target)
    printer = WatchPrinter(ctx, target.rtype, printer_format(ctx.flags["output"]))
    printer.print_objects([("ADDED", obj) for obj in initial], ctx.clock.now(), skip=ctx.flags["watch-only"])
    if len(initial) > 1 and target.names:
        raise KubectlError(_one_source_only(ctx, len(initial)))
    _follow(ctx, target, resource_version, printer, timeout)
    return []


# ---------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------


def request_timeout(ctx: Context) -> float:
    """``--request-timeout``: whole seconds (``30``) or a Go duration (``30s``, ``1m``); 0 = none."""
    from labkube.kubectl.parse import go_duration_seconds

    text = ctx.flags["request-timeout"]
    if text.isdigit():
        return float(text)
    try:
        seconds = go_duration_seconds(text)
    except ValueError:
        raise KubectlError(TIMEOUT_INVALID) from None
    return max(seconds, 0.0)


def _single_target(ctx: Context) -> Target:
    """The builder's ``SingleResourceType`` and the multiple-kinds check, in kubectl's words."""
    if ctx.flags["filename"]:
        return _file_target(ctx)
    selecting = bool(ctx.flags["selector"] or ctx.flags["field-selector"])
    words = ctx.parsed.all_args
    if words and "/" not in words[0] and len(set(t for t in words[0].split(",") if t)) > 1:
        raise KubectlError(ONE_TYPE)  # checked before the types are looked up
    targets = parse_targets(ctx, words, selecting=selecting)
    if len({(t.rtype.group, t.rtype.plural) for t in targets}) > 1:
        raise KubectlError(ONE_TYPE)  # TYPE/NAME pairs (and categories), once resolved
    names = tuple(name for t in targets for name in t.names)
    return Target(targets[0].rtype, names)


def _one_source_only(ctx: Context, found: int) -> str:
    """``Result.Watch``: one source (a name, a file) or one collection; a file is one source
    that may hold several objects of the kind."""
    if len(ctx.flags["filename"]) == 1:
        return ("error: watch is only supported on individual resources and resource collections - "
                f"{found} resources were found")
    return ONE_AT_A_TIME


def _file_target(ctx: Context) -> Target:
    from labkube.kubectl.commands.apply import read_and_map

    mapped, errors = read_and_map(ctx)
    if errors:
        raise errors[0]
    kinds = {(rtype.group, rtype.kind) for _, rtype in mapped}
    if len(kinds) > 1:
        raise KubectlError(SEVERAL_KINDS)
    if not mapped:
        raise KubectlError("error: no objects passed to get")
    rtype = mapped[0][1]
    return Target(rtype, tuple(item.obj["metadata"]["name"] for item, _ in mapped))


# ---------------------------------------------------------------------------------------
# The objects now, and the watch
# ---------------------------------------------------------------------------------------


def _read(ctx: Context, target: Target) -> tuple[list[dict], str]:
    """The objects to print first and the resourceVersion to watch from ("0" for one name)."""
    rtype = target.rtype
    if target.names:
        return [ctx.client.get(rtype, name, namespace_for(ctx, rtype)) for name in target.names], "0"
    namespace = None if ctx.flags["all-namespaces"] else namespace_for(ctx, rtype)
    listing = ctx.client.list(rtype, namespace, label_selector=ctx.flags["selector"] or None,
                              field_selector=ctx.flags["field-selector"] or None)
    return listing["items"], listing["metadata"]["resourceVersion"]


def _follow(ctx: Context, target: Target, resource_version: str, printer: "WatchPrinter",
            timeout: float) -> None:
    """Watch and run the clock for ``timeout`` seconds, printing every event when it happens."""
    rtype = target.rtype
    if target.names:
        watch = ctx.client.watch(rtype, namespace_for(ctx, rtype), resource_version="0",
                                 field_selector=f"metadata.name={target.names[0]}")
        synthetic = [True]  # the server's ADDED for what exists: kubectl does not print it
    else:
        namespace = None if ctx.flags["all-namespaces"] else namespace_for(ctx, rtype)
        watch = ctx.client.watch(rtype, namespace, resource_version=resource_version,
                                 label_selector=ctx.flags["selector"] or None,
                                 field_selector=ctx.flags["field-selector"] or None)
        synthetic = [False]
    ended = [False]

    def print_events() -> bool:
        for event in watch.poll():
            if ended[0]:
                break
            if event["type"] == "ERROR":
                ended[0] = True  # the server ended the watch (e.g. 410 Expired)
                break
            if event["type"] not in EVENT_CELLS:
                continue  # BOOKMARK
            printer.print_objects([(event["type"], event["object"])], ctx.clock.now(), skip=synthetic[0])
            synthetic[0] = False
        return False

    try:
        ctx.cluster.run_until(print_events, timeout)
        print_events()
    finally:
        watch.cancel()


# ---------------------------------------------------------------------------------------
# Printing, one PrintObj and Flush at a time
# ---------------------------------------------------------------------------------------


class WatchPrinter:
    """kubectl's printer for a watch: the table printer (header once, one tabwriter that
    remembers its widths) or an ``-o`` printer called once per object."""

    def __init__(self, ctx: Context, rtype: Any, output: str) -> None:
        self.ctx = ctx
        self.rtype = rtype
        self.output = output
        self.with_events = ctx.flags["output-watch-events"]
        self.widths: list[int] = []
        self.printed_headers = False
        self.printed = 0
        check_output(ctx, output)

    def print_objects(self, events: list[tuple[str, dict]], now: float, *, skip: bool) -> None:
        if skip or not events:
            return
        if self.output in ("", "wide"):
            self._print_table(events, now)
        elif self.output.startswith("custom-columns="):
            self._print_custom_columns([obj for _, obj in events])
        else:
            for kind, obj in events:
                self._print_other(kind, obj)

    # -- tables ---------------------------------------------------------------------------
    def _print_table(self, events: list[tuple[str, dict]], now: float) -> None:
        from labkube.kubectl.printers.tabwriter import tabwrite

        lines = self._table_lines([obj for _, obj in events], now)
        if self.with_events:
            header = ["EVENT"] if len(lines) > len(events) else []
            cells = header + [EVENT_CELLS[kind] for kind, _ in events]
            lines = [f"{cell}\t{line}" for cell, line in zip(cells, lines)]
        self.printed_headers = True
        text = "".join(line + "\n" for line in lines)
        self.ctx.term.out(tabwrite(text, minwidth=6, padding=3, remembered=self.widths))

    def _table_lines(self, objs: list[dict], now: float) -> list[str]:
        from labkube.kubectl.printers.table import PrintOptions, table_lines

        flags = self.ctx.flags
        options = PrintOptions(
            wide=self.output == "wide", show_labels=flags["show-labels"],
            label_columns=tuple(flags["label-columns"]), all_namespaces=flags["all-namespaces"],
            no_headers=flags["no-headers"] or self.printed_headers, show_kind=flags["show-kind"],
            namespace=self.ctx.namespace)
        typed = [_output_typed(obj, self.rtype) for obj in objs]
        return table_lines(typed, self.rtype, now, options,
                           with_kind=flags["show-kind"], with_namespace=flags["all-namespaces"])

    def _print_custom_columns(self, objs: list[dict]) -> None:
        """CustomColumnsPrinter: the header once, each object through the same tabwriter."""
        from labkube.kubectl.output import custom_column_lines
        from labkube.kubectl.printers.tabwriter import tabwrite

        spec = self.output.partition("=")[2]
        lines = custom_column_lines(objs, spec, self.ctx.flags["no-headers"] or self.printed_headers)
        self.printed_headers = True
        self.ctx.term.out(tabwrite("".join(line + "\n" for line in lines), minwidth=6, padding=3,
                                   remembered=self.widths))

    # -- -o name, yaml, json, jsonpath --------------------------------------------------------
    def _print_other(self, kind: str, obj: dict) -> None:
        from labkube.kubectl.output import to_json, to_yaml

        obj = _output_typed(obj, self.rtype)
        self.printed += 1
        base = self.output.partition("=")[0]
        if base == "yaml":
            separator = "---\n" if self.printed > 1 else ""
            document = {"object": obj, "type": kind} if self.with_events else obj
            self.ctx.term.out(separator + to_yaml(document))
        elif base == "json" and self.with_events:
            self.ctx.term.out(f'{{"type":{to_json(kind, indent=None)},"object":{to_json(obj, indent=None)}}}\n')
        else:
            self.ctx.term.out(render_output(self.ctx, [obj], self.output, single=True))


def check_output(ctx: Context, output: str) -> None:
    """``ToPrinter``: a format kubectl has no printer for, a custom-columns spec or a JSONPath
    template it cannot read fails before anything is printed."""
    from labkube.kubectl import jsonpath
    from labkube.kubectl.output import CustomColumnsError, parse_custom_columns

    base, _, argument = output.partition("=")
    if base in ("", "wide", "json", "yaml", "name"):
        return
    if base == "custom-columns":
        try:
            parse_custom_columns(argument)
        except CustomColumnsError as err:
            raise KubectlError(f"error: {err}") from None
    elif base in ("jsonpath", "jsonpath-as-json"):
        try:
            jsonpath.parse(argument)
        except jsonpath.JSONPathError as err:
            raise KubectlError(f"error: error parsing jsonpath {argument}, {err}") from None
    elif base in _output.GO_TEMPLATE_FORMATS and _output.go_template_of(ctx, output) is not None:
        return
    else:
        _output.render_objects(ctx, [], output, single=False)  # kubectl's "unable to match a printer"


def _output_typed(obj: dict, rtype: Any) -> dict:
    from labkube.kubectl.output import with_type

    return with_type(obj, rtype)

