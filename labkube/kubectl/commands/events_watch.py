"""``kubectl events -w``: the events there are, then each new one as it happens, on the cluster clock.

Mirrors ``EventsOptions.runWatch`` of k8s.io/kubectl/pkg/cmd/events (kubectl 1.32):

* no LIST: one WATCH of core/v1 Events (of the namespace, or all with ``-A``; with ``--for``
  the same field selector as the list) without a resourceVersion, so the server first sends an
  ADDED for every event that exists, in its storage order (by namespace and name) -- not sorted
  by time as ``kubectl events`` sorts them -- and then each change;
* a DELETED event is not printed (events expire after an hour); ``--types`` filters;
  an updated event (``count`` went up) prints again, with its new LAST SEEN;
* the header comes with the first row; each event goes through the same tabwriter, flushed
  after every event, that remembers its column widths (a column only grows);
* ``-o json|yaml|name|jsonpath`` print each Event on its own, as a typed v1 Event
  (``---`` between YAML documents).

LAST SEEN is how long before the moment the event is printed it happened: on the cluster clock.
As ``kubectl get -w`` (see ``get_watch``), the watch lasts ``--request-timeout`` of simulated
time, after which it ends without a word and with exit code 0; without a timeout labkube
refuses, saying how to bound it.
"""

from __future__ import annotations

from typing import Any, Optional

from labkube.kubectl.commands import Context
from labkube.kubectl.commands.get_watch import request_timeout
from labkube.kubectl.errors import KubectlError
from labkube.kubectl.printers.tabwriter import tabwrite

UNBOUNDED = (
    "error: a watch never ends on a real cluster, and labkube's clock only runs when asked: bound "
    "it with --request-timeout (e.g. \"kubectl events -w --request-timeout=60s\" runs the cluster "
    "clock 60 seconds and prints every event in that time)"
)


def run(ctx: Context, involved: Any, output: Any, wanted: list[str]) -> list[BaseException]:
    """``runWatch``, after ``kubectl events`` checked its flags."""
    from labkube.kubectl.commands import events

    timeout = request_timeout(ctx)
    if timeout <= 0:
        raise KubectlError(UNBOUNDED)
    namespace = None if ctx.flags["all-namespaces"] else ctx.namespace
    watch = ctx.client.watch(events._core_events(ctx), namespace,
                             field_selector=involved.field_selector() if involved else None)
    printer = EventWatchPrinter(ctx, output)

    def print_events() -> bool:
        for change in watch.poll():
            if change["type"] in ("ADDED", "MODIFIED") and events.is_wanted_type(change["object"], wanted):
                printer.print_event(change["object"], ctx.clock.now())
        return False

    try:
        ctx.cluster.run_until(print_events, timeout)
        print_events()
    finally:
        watch.cancel()
    return []


class EventWatchPrinter:
    """``EventPrinter`` (the header once) on one remembering tabwriter, or an ``-o`` printer."""

    def __init__(self, ctx: Context, output: Optional[Any]) -> None:
        self.ctx = ctx
        self.output = output
        self.widths: list[int] = []
        self.printed = 0

    def print_event(self, event: dict, now: float) -> None:
        self.printed += 1
        if self.output is None:
            self._print_row(event, now)
        else:
            self._print_other(event)

    def _print_row(self, event: dict, now: float) -> None:
        from labkube.kubectl.commands.events import HEADERS, event_row

        all_namespaces = self.ctx.flags["all-namespaces"]
        text = event_row(event, now, all_namespaces)
        if self.printed == 1 and not self.ctx.flags["no-headers"]:
            text = ("NAMESPACE\t" if all_namespaces else "") + "\t".join(HEADERS) + "\n" + text
        # a message's "\f" flushes, "\v" ends a cell (see events.remembering_tabwrite)
        self.ctx.term.out("\n".join(tabwrite(segment.replace("\v", "\t"), minwidth=6, padding=3,
                                             remembered=self.widths) for segment in text.split("\f")))

    def _print_other(self, event: dict) -> None:
        from labkube.kubectl import jsonpath
        from labkube.kubectl.commands.events import typed_event
        from labkube.kubectl.output import to_json, to_yaml

        name = self.output.name
        show_managed = self.ctx.flags.get("show-managed-fields", False)
        if name == "name":
            self.ctx.term.line(f"event/{(event.get('metadata') or {}).get('name', '')}")
        elif name == "json":
            self.ctx.term.out(to_json(typed_event(event, managed_fields=show_managed), sort_keys=False))
        elif name == "yaml":
            separator = "---\n" if self.printed > 1 else ""
            self.ctx.term.out(separator + to_yaml(typed_event(event, managed_fields=show_managed)))
        else:
            document = typed_event(event)
            allow_missing = self.ctx.flags.get("allow-missing-template-keys", True)
            if name == "go-template":
                from labkube.kubectl.commands.events import go_template_text

                self.ctx.term.out(go_template_text(self.output, document, allow_missing))
                return
            try:
                if name == "jsonpath-as-json":
                    results = jsonpath.find_results(self.output.template, document, allow_missing)
                    self.ctx.term.out("".join(to_json(list(group)) for group in results))
                else:
                    self.ctx.term.out(jsonpath.execute(self.output.template, document, allow_missing))
            except (jsonpath.JSONPathError, RecursionError):
                pass  # kubectl's events -w ignores what PrintObj returns
