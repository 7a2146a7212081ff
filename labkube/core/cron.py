"""Cron schedules as the CronJob controller reads them: parse a schedule, find its next time.

Mirrors github.com/robfig/cron/v3 (parser.go, spec.go, constantdelay.go), the library
Kubernetes 1.32 uses both to validate ``spec.schedule`` and to run CronJobs, with its
``ParseStandard`` options: five fields (minute, hour, day of month, month, day of week) or a
descriptor.

* A field is a comma-separated list of ranges: ``*`` or ``?`` (every value), ``N``, ``N-M``,
  each optionally with ``/STEP`` (``N/STEP`` means ``N-max/STEP``). Months and weekdays may be
  named (``jan``, ``mon``, any case). Day of week runs 0-6 (``7`` is refused).
* When both day fields are restricted, a day matches if **either** does (as in Vixie cron);
  when one is ``*`` (or ``?``), both must.
* Descriptors: ``@yearly``/``@annually``, ``@monthly``, ``@weekly``, ``@daily``/``@midnight``,
  ``@hourly`` and ``@every <Go duration>`` (at least one second, whole seconds).
* ``TZ=<zone> `` or ``CRON_TZ=<zone> `` in front names the zone; without one the schedule runs
  in the controller's own zone, which is UTC in a kube-controller-manager container (and in
  labkube). The API server refuses TZ in new schedules; the controller builds one from
  ``spec.timeZone``.

Errors carry the library's exact words, which kube-apiserver passes on to the student::

    >>> parse_standard("*/5 * * *")
    Traceback (most recent call last):
    ...
    labkube.core.cron.CronSyntaxError: expected exactly 5 fields, found 4: [*/5 * * *]

Times are Unix seconds (floats), as the cluster clock gives them::

    >>> from labkube.core.clock import EPOCH, format_timestamp
    >>> format_timestamp(parse_standard("30 9 * * mon-fri").next(EPOCH))
    '2025-01-01T09:30:00Z'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Optional, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = timezone.utc

#: The top bit marks a field written as ``*`` or ``?`` (``starBit``).
STAR_BIT = 1 << 63

DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


class CronSyntaxError(ValueError):
    """A schedule robfig/cron refuses; ``str(err)`` is the library's message."""


@dataclass(frozen=True)
class Bounds:
    """The values one field may take, and the names it accepts."""

    low: int
    high: int
    names: tuple[tuple[str, int], ...] = ()


MINUTES = Bounds(0, 59)
HOURS = Bounds(0, 23)
DAYS_OF_MONTH = Bounds(1, 31)
MONTHS = Bounds(1, 12, tuple((name, i + 1) for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))))
DAYS_OF_WEEK = Bounds(0, 6, tuple((name, i) for i, name in enumerate(
    ("sun", "mon", "tue", "wed", "thu", "fri", "sat"))))


# -- zones ------------------------------------------------------------------------------------------


def load_location(name: str) -> tzinfo:
    """``time.LoadLocation``: ``""`` and ``UTC`` are UTC; else an IANA zone, or ``unknown time zone``.

    Python reads the zone database from the system (``/usr/share/zoneinfo``) or, where there is
    none (Windows, slim containers), from the ``tzdata`` package."""
    if name in ("", "UTC"):
        return UTC
    if name == "Local":
        return UTC  # the controller's own zone: UTC in labkube, as in a kube-controller-manager pod
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError, PermissionError, OSError):
        raise CronSyntaxError(f"unknown time zone {name}") from None


# -- parsing ----------------------------------------------------------------------------------------


def parse_standard(spec: str) -> Union["SpecSchedule", "ConstantDelaySchedule"]:
    """``cron.ParseStandard``: five fields or a descriptor, optionally after ``TZ=zone``."""
    if not spec:
        raise CronSyntaxError("empty spec string")
    location: Optional[tzinfo] = None
    if spec.startswith(("TZ=", "CRON_TZ=")):
        location, spec = _split_zone(spec)
    if spec.startswith("@"):
        return _descriptor(spec, location)
    fields = spec.split()
    if len(fields) != 5:
        raise CronSyntaxError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    minute, hour, dom, month, dow = (
        get_field(text, bounds) for text, bounds in
        zip(fields, (MINUTES, HOURS, DAYS_OF_MONTH, MONTHS, DAYS_OF_WEEK)))
    return SpecSchedule(minute, hour, dom, month, dow, location)


def _split_zone(spec: str) -> tuple[tzinfo, str]:
    space, equals = spec.find(" "), spec.find("=")
    if space < 0:  # Go slices spec[eq+1:-1] and panics; say what is missing instead
        raise CronSyntaxError(f"expected exactly 5 fields, found 0: []")
    name = spec[equals + 1:space]
    try:
        location = load_location(name)
    except CronSyntaxError as err:
        raise CronSyntaxError(f"provided bad location {name}: {err}") from None
    return location, spec[space:].strip()


def get_field(text: str, bounds: Bounds) -> int:
    """``getField``: the bits of every value a comma-separated list of ranges names."""
    bits = 0
    for expr in (part for part in text.split(",") if part):
        bits |= get_range(expr, bounds)
    return bits


def get_range(expr: str, bounds: Bounds) -> int:
    """``getRange``: ``number | number "-" number [ "/" number ]``, or ``*``/``?`` with a step."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    extra = 0
    if low_and_high[0] in ("*", "?"):
        start, end, extra = bounds.low, bounds.high, STAR_BIT
    else:
        start = _int_or_name(low_and_high[0], bounds)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _int_or_name(low_and_high[1], bounds)
        else:
            raise CronSyntaxError(f"too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _must_parse_int(range_and_step[1])
        if len(low_and_high) == 1:
            end = bounds.high
        if step > 1:
            extra = 0
    else:
        raise CronSyntaxError(f"too many slashes: {expr}")
    _check_range(expr, start, end, step, bounds)
    return _bits(start, end, step) | extra


def _check_range(expr: str, start: int, end: int, step: int, bounds: Bounds) -> None:
    if start < bounds.low:
        raise CronSyntaxError(f"beginning of range ({start}) below minimum ({bounds.low}): {expr}")
    if end > bounds.high:
        raise CronSyntaxError(f"end of range ({end}) above maximum ({bounds.high}): {expr}")
    if start > end:
        raise CronSyntaxError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise CronSyntaxError(f"step of range should be a positive number: {expr}")


def _int_or_name(expr: str, bounds: Bounds) -> int:
    for name, value in bounds.names:
        if expr.lower() == name:
            return value
    return _must_parse_int(expr)


_GO_ATOI = re.compile(r"^[+-]?[0-9]+$")


def _must_parse_int(expr: str) -> int:
    """``mustParseInt``: ``strconv.Atoi``, then no negatives."""
    if not _GO_ATOI.match(expr):
        raise CronSyntaxError(f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": invalid syntax')
    number = int(expr)
    if number < 0:
        raise CronSyntaxError(f"negative number ({number}) not allowed: {expr}")
    return number


def _bits(low: int, high: int, step: int) -> int:
    return sum(1 << value for value in range(low, high + 1, step))


def _all(bounds: Bounds) -> int:
    return _bits(bounds.low, bounds.high, 1) | STAR_BIT


def _descriptor(spec: str, location: Optional[tzinfo]):
    """``parseDescriptor``: the named schedules and ``@every``."""
    midnight = dict(minute=1 << 0, hour=1 << 0)
    every_day = dict(dom=_all(DAYS_OF_MONTH), month=_all(MONTHS), dow=_all(DAYS_OF_WEEK))
    if spec in ("@yearly", "@annually"):
        return SpecSchedule(**midnight, dom=1 << 1, month=1 << 1, dow=_all(DAYS_OF_WEEK), location=location)
    if spec == "@monthly":
        return SpecSchedule(**midnight, dom=1 << 1, month=_all(MONTHS), dow=_all(DAYS_OF_WEEK), location=location)
    if spec == "@weekly":
        return SpecSchedule(**midnight, dom=_all(DAYS_OF_MONTH), month=_all(MONTHS), dow=1 << 0, location=location)
    if spec in ("@daily", "@midnight"):
        return SpecSchedule(**midnight, **every_day, location=location)
    if spec == "@hourly":
        return SpecSchedule(minute=1 << 0, hour=_all(HOURS), **every_day, location=location)
    if spec.startswith("@every "):
        try:
            seconds = parse_go_duration(spec[len("@every "):])
        except CronSyntaxError as err:
            raise CronSyntaxError(f"failed to parse duration {spec}: {err}") from None
        return ConstantDelaySchedule.every(seconds)
    raise CronSyntaxError(f"unrecognized descriptor: {spec}")


_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ms": 1e-3, "s": 1.0,
             "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]*)")


def parse_go_duration(text: str) -> float:
    """``time.ParseDuration`` in seconds: ``1h30m``, ``90s``, ``1.5h``; its errors word for word."""
    original, rest, sign = text, text, 1.0
    if rest[:1] in ("-", "+"):
        sign, rest = (-1.0 if rest[0] == "-" else 1.0), rest[1:]
    if rest == "0":
        return 0.0
    if not rest:
        raise CronSyntaxError(f'time: invalid duration "{original}"')
    total = 0.0
    while rest:
        match = _DURATION_PART.match(rest)
        number, unit = match.group(1), match.group(2)
        if number in ("", "."):
            raise CronSyntaxError(f'time: invalid duration "{original}"')
        if not unit:
            raise CronSyntaxError(f'time: missing unit in duration "{original}"')
        if unit not in _GO_UNITS:
            raise CronSyntaxError(f'time: unknown unit "{unit}" in duration "{original}"')
        total += float(number) * _GO_UNITS[unit]
        rest = rest[match.end():]
    return sign * total


# -- schedules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConstantDelaySchedule:
    """``@every``: a fixed delay in whole seconds, counted from the time given."""

    delay: int

    @classmethod
    def every(cls, seconds: float) -> "ConstantDelaySchedule":
        """``cron.Every``: at least one second, fractions of a second dropped."""
        return cls(max(1, int(seconds)) if seconds >= 1 else 1)

    def next(self, t: float) -> float:
        return math.floor(t) + self.delay


@dataclass(frozen=True)
class SpecSchedule:
    """Five bit sets (bit N set: value N matches) and the zone the fields are read in."""

    minute: int
    hour: int
    dom: int
    month: int
    dow: int
    location: Optional[tzinfo] = None  # None: the controller's own zone (UTC)

    def next(self, t: float) -> Optional[float]:
        """``SpecSchedule.Next``: the first matching second after ``t``; None if none in 5 years."""
        zone = self.location or UTC
        when = _in_zone(math.floor(t) + 1, zone)
        found = _NextSearch(self, zone, when).run()
        return None if found is None else found.timestamp()

    def day_matches(self, when: datetime) -> bool:
        """``dayMatches``: either day field if both are restricted, else both."""
        dom_match = bool(1 << when.day & self.dom)
        dow_match = bool(1 << ((when.weekday() + 1) % 7) & self.dow)
        if self.dom & STAR_BIT or self.dow & STAR_BIT:
            return dom_match and dow_match
        return dom_match or dow_match


def _in_zone(seconds: float, zone: tzinfo) -> datetime:
    return datetime.fromtimestamp(seconds, zone)


def _wall(zone: tzinfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """``time.Date`` in ``zone``: a wall-clock time, normalised through UTC (DST gaps move on)."""
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC).astimezone(zone)


def _plus(when: datetime, seconds: int) -> datetime:
    """``t.Add``: elapsed time, whatever the wall clock does."""
    return (when.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(when.tzinfo)


class _NextSearch:
    """The field-by-field search of ``SpecSchedule.Next``: month, day, hour, minute (seconds are 0).

    A field that does not match is incremented (the fields below reset on the first increment);
    wrapping into the next year, month, day or hour starts over from the month."""

    def __init__(self, schedule: SpecSchedule, zone: tzinfo, when: datetime) -> None:
        self.schedule, self.zone, self.when = schedule, zone, when
        self.added = False
        self.year_limit = when.year + 5

    def run(self) -> Optional[datetime]:
        while self.when.year <= self.year_limit:
            if self._month() and self._day() and self._hour() and self._minute() and self._second():
                return self.when
        return None

    def _first_add(self, reset: datetime) -> None:
        if not self.added:
            self.added = True
            self.when = reset

    def _month(self) -> bool:
        while not (1 << self.when.month & self.schedule.month):
            w = self.when
            self._first_add(_wall(self.zone, w.year, w.month, 1))
            w = self.when
            year, month = (w.year + 1, 1) if w.month == 12 else (w.year, w.month + 1)
            day = date(year, month, 1) + timedelta(days=w.day - 1)  # AddDate normalises Jan 31 + 1 month
            self.when = _wall(self.zone, day.year, day.month, day.day, w.hour, w.minute)
            if self.when.month == 1:
                return False
        return True

    def _day(self) -> bool:
        while not self.schedule.day_matches(self.when):
            w = self.when
            self._first_add(_wall(self.zone, w.year, w.month, w.day))
            w = self.when
            tomorrow = w.date() + timedelta(days=1)
            self.when = _wall(self.zone, tomorrow.year, tomorrow.month, tomorrow.day, w.hour, w.minute)
            if self.when.hour != 0:  # DST moved midnight: back to it
                shift = 24 - self.when.hour if self.when.hour > 12 else -self.when.hour
                self.when = _plus(self.when, shift * 3600)
            if self.when.day == 1:
                return False
        return True

    def _hour(self) -> bool:
        while not (1 << self.when.hour & self.schedule.hour):
            w = self.when
            self._first_add(_wall(self.zone, w.year, w.month, w.day, w.hour))
            self.when = _plus(self.when, 3600)
            if self.when.hour == 0:
                return False
        return True

    def _minute(self) -> bool:
        while not (1 << self.when.minute & self.schedule.minute):
            self._first_add(self.when.replace(second=0, microsecond=0))
            self.when = _plus(self.when, 60)
            if self.when.minute == 0:
                return False
        return True

    def _second(self) -> bool:
        """Standard schedules fire at second 0."""
        if self.when.second == 0:
            return True
        self._first_add(self.when.replace(microsecond=0))
        self.when = _plus(self.when, 60 - self.when.second)
        return False  # reaching second 0 wraps: the minute is checked again
