"""``EventLog``: the cluster's Events as a table, newest first, Warnings highlighted.

Mirrors ``kubectl get events --sort-by=.lastTimestamp`` read bottom-up (and ``kubectl events``):
the columns LAST SEEN, TYPE, REASON, OBJECT, MESSAGE with the texts the controllers, the
scheduler and the kubelets recorded (``Scheduled``, ``Pulling``, ``FailedScheduling``,
``NodeNotReady``, ``TaintManagerEviction`` …). Filters narrow the list by object (a substring of
``kind/name``), by reason and by type (Normal / Warning), like ``--field-selector`` would.

Events are read through the public API (``cluster.events(namespace)``); the table reloads when
:meth:`EventLog.refresh` is called (the dashboard calls it after each action and redraw).
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from labkube.kubectl.printers.age import age

TYPES = ("All", "Normal", "Warning")
_WARNING_STYLE = "background:#fde8e8;color:#8b1a1a"


def event_row(event: dict, now: float) -> dict:
    """One table row: what ``kubectl get events`` shows for an Event."""
    involved = event.get("involvedObject") or {}
    series = event.get("series") or {}
    # printEvent: a series' lastObservedTime, else lastTimestamp, else eventTime (events.k8s.io)
    last = series.get("lastObservedTime") or event.get("lastTimestamp") or event.get("eventTime") or \
        (event.get("metadata") or {}).get("creationTimestamp") or ""
    seen = age(last, now) if last else "<unknown>"
    return {
        "last_seen": seen,
        "timestamp": last,
        "type": event.get("type", ""),
        "reason": event.get("reason", ""),
        "object": f"{(involved.get('kind') or '').lower()}/{involved.get('name', '')}",
        "namespace": involved.get("namespace") or (event.get("metadata") or {}).get("namespace", ""),
        "message": event.get("message", ""),
        "count": series.get("count") or event.get("count") or 1,
    }


def matches(row: dict, obj: str = "", reason: str = "", type_: str = "All") -> bool:
    """Does a row pass the filters (object substring, exact reason, type)?"""
    if obj and obj.lower() not in row["object"].lower():
        return False
    if reason and reason != row["reason"]:
        return False
    return type_ in ("All", "", None) or row["type"] == type_


class EventLog(widgets.VBox):
    """Events of ``namespace`` (None: all namespaces), newest first, with filters.

    ``rows()`` gives the filtered rows as dicts (what the table shows), ``text()`` the table as
    plain text, for lessons and tests.
    """

    def __init__(self, cluster, namespace: str | None = "default", limit: int = 100, **kwargs) -> None:
        self.cluster = cluster
        self.namespace = namespace
        self.limit = limit
        self.object_filter = widgets.Text(placeholder="pod/web", description="object",
                                          layout=widgets.Layout(width="16em"))
        self.reason_filter = widgets.Dropdown(options=[""], description="reason",
                                              layout=widgets.Layout(width="18em"))
        self.type_filter = widgets.ToggleButtons(options=TYPES, value="All", description="type",
                                                 style={"button_width": "5em"})
        self.table = widgets.HTML(layout=widgets.Layout(max_height="20em", overflow="auto"))
        self.table.add_class("lk-events")
        for control in (self.object_filter, self.reason_filter, self.type_filter):
            control.observe(lambda _change: self._show(), names="value")
        super().__init__([widgets.HBox([self.object_filter, self.reason_filter, self.type_filter]),
                          self.table], **kwargs)
        self._all: list[dict] = []
        self.refresh()

    def __repr__(self) -> str:
        return f"<EventLog: {len(self.rows())} events shown>"

    def refresh(self) -> None:
        """Reload the Events from the API and redraw the table."""
        now = self.cluster.clock.now()
        events = self.cluster.events(self.namespace)
        self._all = [event_row(e, now) for e in reversed(events)]
        reasons = [""] + sorted({r["reason"] for r in self._all})
        if tuple(reasons) != tuple(self.reason_filter.options):
            current = self.reason_filter.value
            self.reason_filter.options = reasons
            self.reason_filter.value = current if current in reasons else ""
        self._show()

    def rows(self) -> list[dict]:
        """The rows the table shows now: filtered, newest first, at most ``limit``."""
        return [row for row in self._all
                if matches(row, self.object_filter.value, self.reason_filter.value or "",
                           self.type_filter.value)][: self.limit]

    def text(self) -> str:
        """The rows as ``kubectl get events`` would lay them out (newest first)."""
        rows = self.rows()
        header = ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE")
        cells = [header] + [(r["last_seen"], r["type"], r["reason"], r["object"], r["message"]) for r in rows]
        widths = [max(len(c[i]) for c in cells) for i in range(4)]
        return "\n".join("   ".join(c[i].ljust(widths[i]) for i in range(4)) + "   " + c[4]
                         for c in cells)

    def _show(self) -> None:
        body = "".join(_row_html(r) for r in self.rows())
        self.table.value = (
            '<table class="lk-event-table" style="border-collapse:collapse;font-size:12px">'
            "<thead><tr>" + "".join(f'<th style="text-align:left;padding:2px 6px">{h}</th>'
                                     for h in ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"))
            + f"</tr></thead><tbody>{body}</tbody></table>"
        )


def _row_html(row: dict) -> str:
    warning = row["type"] == "Warning"
    css = "lk-event lk-event-warning" if warning else "lk-event"
    style = f' style="{_WARNING_STYLE}"' if warning else ""
    cells = (row["last_seen"], row["type"], row["reason"], row["object"],
             row["message"] + (f" (x{row['count']})" if row["count"] > 1 else ""))
    return f'<tr class="{css}"{style}>' + "".join(
        f'<td style="padding:2px 6px;vertical-align:top">{html.escape(str(c))}</td>' for c in cells) + "</tr>"
