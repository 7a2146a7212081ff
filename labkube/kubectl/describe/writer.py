"""describe's PrefixWriter and the multi-line helpers every describer shares.

Mirrors k8s.io/kubectl/pkg/describe/describe.go: ``PrefixWriter.Write(level, format)`` indents by
two spaces a level; text is collected with tabs and aligned at the end by Go's tabwriter with
``tabbedString`` settings (minwidth 0, padding 2). ``flush()`` mirrors ``w.Flush()``, which
``DescribeEvents`` calls before its table so that the events table aligns on its own.
Also here: ``printLabelsMultiline``, ``printAnnotationsMultiline`` (skipping
``kubectl.kubernetes.io/last-applied-configuration`` and folding values longer than 140
characters), ``printPodTolerationsMultiline``, ``printNodeTaintsMultiline`` and the events table.
"""

from __future__ import annotations

from labkube.core.apply import LAST_APPLIED_ANNOTATION as LAST_APPLIED
from labkube.kubectl.printers.age import age, parse_time
from labkube.kubectl.printers.columns import as_core_event
from labkube.kubectl.printers.tabwriter import describe_table

MAX_ANNOTATION_LEN = 140


def escape_terminal(text: str) -> str:
    """cli-runtime's ``printers.WriteEscaped``: ESC prints as ``^[`` and CR as ``\\r``, so a
    value cannot drive the terminal (kubernetes/kubernetes#101695)."""
    return text.replace("\x1b", "^[").replace("\r", "\\r")


class PrefixWriter:
    """Every write is escaped for the terminal before the tabwriter sees it, as in Go."""

    def __init__(self) -> None:
        self._done: list[str] = []
        self._pending: list[str] = []

    def write(self, level: int, text: str) -> None:
        self._pending.append(escape_terminal("  " * level + text))

    def line(self, text: str = "") -> None:
        """``WriteLine``: the text and a newline, no indentation."""
        self._pending.append(escape_terminal(text + "\n"))

    def flush(self) -> None:
        self._done.append(describe_table("".join(self._pending)))
        self._pending = []

    def text(self) -> str:
        self.flush()
        return "".join(self._done)


def labels_multiline(w: PrefixWriter, title: str, labels: dict | None, initial_indent: str = "") -> None:
    w.write(0, f"{initial_indent}{title}:\t")
    if not labels:
        w.line("<none>")
        return
    for index, key in enumerate(sorted(labels)):
        if index:
            w.write(0, initial_indent + "\t")
        w.write(0, f"{key}={labels[key]}\n")


def annotations_multiline(w: PrefixWriter, title: str, annotations: dict | None) -> None:
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k != LAST_APPLIED)
    if not keys:
        w.line("<none>")
        return
    for index, key in enumerate(keys):
        if index:
            w.write(0, "\t")
        value = annotations[key]
        if value.endswith("\n"):
            value = value[:-1]
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{key}:\n")
            for part in value.split("\n"):
                if len(part) > MAX_ANNOTATION_LEN - 2:
                    part = part[: MAX_ANNOTATION_LEN - 2] + "..."
                w.write(0, f"\t  {part}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def tolerations_multiline(w: PrefixWriter, title: str, tolerations: list[dict] | None,
                          initial_indent: str = "") -> None:
    w.write(0, f"{initial_indent}{title}:\t")
    if not tolerations:
        w.line("<none>")
        return
    for index, tol in enumerate(sorted(tolerations, key=lambda t: t.get("key", ""))):
        if index:
            w.write(0, initial_indent + "\t")
        text = tol.get("key", "")
        if tol.get("value"):
            text += "=" + tol["value"]
        if tol.get("effect"):
            text += ":" + tol["effect"]
        if tol.get("operator") == "Exists" and not tol.get("value"):
            text += " op=Exists" if (tol.get("key") or tol.get("effect")) else "op=Exists"
        if tol.get("tolerationSeconds") is not None:
            text += f" for {tol['tolerationSeconds']}s"
        w.write(0, text + "\n")


def taints_multiline(w: PrefixWriter, title: str, taints: list[dict] | None) -> None:
    w.write(0, f"{title}:\t")
    if not taints:
        w.line("<none>")
        return
    ordered = sorted(taints, key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    for index, taint in enumerate(ordered):
        if index:
            w.write(0, "\t")
        text = taint.get("key", "")
        if taint.get("value"):
            text += "=" + taint["value"]
        text += ":" + taint.get("effect", "")
        w.write(0, text + "\n")


def _event_time(event: dict) -> float:
    """describe's ``SortableEvents`` orders by ``lastTimestamp`` alone (kubectl events, unlike
    describe, falls back to the series and eventTime), so Events written through events.k8s.io,
    which have none (the scheduler's), sort first."""
    return parse_time(event.get("lastTimestamp")) or 0.0


def describe_events(w: PrefixWriter, events: list[dict] | None, now: float) -> None:
    """``DescribeEvents``: ``Events:  <none>`` or the Type/Reason/Age/From/Message table."""
    if events is None:
        return
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for raw in sorted((as_core_event(e) for e in events), key=_event_time):
        first = age(raw.get("eventTime"), now) if raw.get("eventTime") else age(raw.get("firstTimestamp"), now)
        series = raw.get("series")
        if series:
            interval = f"{age(series.get('lastObservedTime'), now)} (x{series.get('count', 0)} over {first})"
        elif (raw.get("count") or 0) > 1:
            interval = f"{age(raw.get('lastTimestamp'), now)} (x{raw['count']} over {first})"
        else:
            interval = first
        source = (raw.get("source") or {}).get("component") or raw.get("reportingComponent") or ""
        message = (raw.get("message") or "").strip()
        w.write(1, f"{raw.get('type', '')}\t{raw.get('reason', '')}\t{interval}\t{source}\t{message}\n")


def string_or_none(text: str | None) -> str:
    return text if text else "<none>"


def go_list(values: list | None) -> str:
    """Go's ``%v`` of a ``[]string``: ``[a b]``."""
    return "[" + " ".join(str(v) for v in values or []) + "]"


def go_bool(value: bool) -> str:
    return "true" if value else "false"
