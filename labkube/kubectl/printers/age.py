"""Ages as kubectl prints them: ``5s``, ``2m30s``, ``15m``, ``3h5m``, ``6d``, ``3y``.

Mirrors k8s.io/apimachinery/pkg/util/duration.HumanDuration (the AGE column, describe's event
ages, RESTARTS' "(2m15s ago)") and the printers' ``translateTimestampSince``.

Time never comes from the wall clock: callers pass ``now`` (seconds since the Unix epoch,
normally the cluster clock's ``now()``). Go truncates durations toward zero at every step;
so do we.
"""

from __future__ import annotations

from datetime import datetime, timezone

UNKNOWN = "<unknown>"


def human_duration(seconds: float) -> str:
    """``duration.HumanDuration``: a short, approximate rendering of a duration."""
    whole = int(seconds)  # Go: int(d.Seconds()) truncates toward zero
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 60 * 2:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        sec = whole % 60
        return f"{minutes}m" if sec == 0 else f"{minutes}m{sec}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = whole // 3600
    if hours < 8:
        mins = minutes % 60
        return f"{hours}h" if mins == 0 else f"{hours}h{mins}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def parse_time(text: str | None) -> float | None:
    """Seconds since the epoch for an RFC 3339 timestamp (``metav1.Time``/``MicroTime``)."""
    if not text:
        return None
    value = text.strip()
    if value.endswith("Z") or value.endswith("z"):
        value = value[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


def age(timestamp: str | None, now: float) -> str:
    """``translateTimestampSince``: ``<unknown>`` for a missing time, else the human duration."""
    when = parse_time(timestamp)
    if when is None:
        return UNKNOWN
    return human_duration(now - when)


def rfc1123z(timestamp: str | None) -> str:
    """Go's ``time.RFC1123Z`` in UTC, as describe prints times: ``Wed, 01 Jan 2025 00:00:00 +0000``.

    A missing time prints Go's zero time, as describe does for an unset ``metav1.Time``.
    """
    when = parse_time(timestamp)
    if when is None:
        return "Mon, 01 Jan 0001 00:00:00 +0000"
    return datetime.fromtimestamp(when, tz=timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
