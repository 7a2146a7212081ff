"""labkube.core.cron reads schedules as robfig/cron v3's ParseStandard does (Kubernetes 1.32's
parser) and finds the same next times: table tests with the library's own messages, and
properties checked against a brute-force minute-by-minute search."""

from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labkube.core.clock import EPOCH, format_timestamp
from labkube.core.cron import CronSyntaxError, parse_go_duration, parse_standard


def _at(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _next_times(spec: str, start: str, count: int) -> list[str]:
    schedule, t, out = parse_standard(spec), _at(start), []
    for _ in range(count):
        t = schedule.next(t)
        out.append(format_timestamp(t))
    return out


@pytest.mark.parametrize("spec, start, expected", [
    ("*/1 * * * *", "2025-01-01T00:00:00Z", ["2025-01-01T00:01:00Z", "2025-01-01T00:02:00Z"]),
    ("* * * * *", "2025-01-01T00:00:30Z", ["2025-01-01T00:01:00Z", "2025-01-01T00:02:00Z"]),
    ("*/15 * * * *", "2025-01-01T00:14:59Z", ["2025-01-01T00:15:00Z", "2025-01-01T00:30:00Z"]),
    ("5/20 * * * *", "2025-01-01T00:00:00Z", ["2025-01-01T00:05:00Z", "2025-01-01T00:25:00Z"]),
    ("0 9-17/4 * * *", "2025-01-01T00:00:00Z", ["2025-01-01T09:00:00Z", "2025-01-01T13:00:00Z",
                                                "2025-01-01T17:00:00Z", "2025-01-02T09:00:00Z"]),
    ("30 9 * * mon-fri", "2025-01-03T10:00:00Z", ["2025-01-06T09:30:00Z", "2025-01-07T09:30:00Z"]),
    ("0 0 1 JAN,Jul ?", "2025-01-01T00:00:00Z", ["2025-07-01T00:00:00Z", "2026-01-01T00:00:00Z"]),
    ("0 0 13 * fri", "2025-01-01T00:00:00Z", ["2025-01-03T00:00:00Z", "2025-01-10T00:00:00Z"]),
    ("0 0 31 * *", "2025-01-31T00:00:00Z", ["2025-03-31T00:00:00Z", "2025-05-31T00:00:00Z"]),
    ("0 0 29 2 *", "2025-01-01T00:00:00Z", ["2028-02-29T00:00:00Z"]),
    ("@hourly", "2025-01-01T00:00:00Z", ["2025-01-01T01:00:00Z", "2025-01-01T02:00:00Z"]),
    ("@daily", "2025-01-01T00:00:00Z", ["2025-01-02T00:00:00Z"]),
    ("@midnight", "2025-01-01T12:00:00Z", ["2025-01-02T00:00:00Z"]),
    ("@weekly", "2025-01-01T00:00:00Z", ["2025-01-05T00:00:00Z", "2025-01-12T00:00:00Z"]),
    ("@monthly", "2025-01-01T00:00:00Z", ["2025-02-01T00:00:00Z"]),
    ("@yearly", "2025-01-01T00:00:00Z", ["2026-01-01T00:00:00Z"]),
    ("@annually", "2025-06-01T00:00:00Z", ["2026-01-01T00:00:00Z"]),
    ("@every 90s", "2025-01-01T00:00:00Z", ["2025-01-01T00:01:30Z", "2025-01-01T00:03:00Z"]),
    ("@every 1h30m", "2025-01-01T00:00:00Z", ["2025-01-01T01:30:00Z"]),
    ("TZ=America/New_York 0 9 * * *", "2025-01-01T00:00:00Z", ["2025-01-01T14:00:00Z"]),
    ("CRON_TZ=Asia/Tokyo 0 9 * * *", "2025-01-01T00:00:00Z", ["2025-01-02T00:00:00Z"]),
    ("TZ=Europe/Berlin 0 9 * * *", "2025-07-01T00:00:00Z", ["2025-07-01T07:00:00Z"]),
], ids=[
    "every minute fires at each minute",
    "a time inside a minute waits for the next whole minute",
    "steps count from zero",
    "N/step means N to the maximum",
    "a stepped hour range",
    "weekday names and ranges",
    "question marks and month names in any case",
    "both day fields restricted: either one matches (Friday the 3rd)",
    "the 31st skips months without one",
    "February 29th waits for a leap year",
    "hourly", "daily", "midnight is daily", "weekly on Sundays", "monthly", "yearly", "annually",
    "every 90 seconds counts from the given time",
    "every with a compound duration",
    "a zone's 9 o'clock in winter is UTC 14:00",
    "CRON_TZ works like TZ",
    "summer time moves a zone's 9 o'clock to 07:00 UTC",
])
def test_next_times(spec, start, expected):
    assert _next_times(spec, start, len(expected)) == expected


@pytest.mark.parametrize("spec, message", [
    ("", "empty spec string"),
    ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
    ("0 * * * * *", "expected exactly 5 fields, found 6: [0 * * * * *]"),
    ("60 * * * *", "end of range (60) above maximum (59): 60"),
    ("* 24 * * *", "end of range (24) above maximum (23): 24"),
    ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
    ("* * * 13 *", "end of range (13) above maximum (12): 13"),
    ("* * * * 7", "end of range (7) above maximum (6): 7"),
    ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
    ("*/0 * * * *", "step of range should be a positive number: */0"),
    ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
    ("*/2/3 * * * *", "too many slashes: */2/3"),
    ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
    ("* * * * monday", 'failed to parse int from monday: strconv.Atoi: parsing "monday": invalid syntax'),
    ("@reboot", "unrecognized descriptor: @reboot"),
    ("@every 5", 'failed to parse duration @every 5: time: missing unit in duration "5"'),
    ("@every 5d", 'failed to parse duration @every 5d: time: unknown unit "d" in duration "5d"'),
    ("TZ=Mars/Base * * * * *", "provided bad location Mars/Base: unknown time zone Mars/Base"),
], ids=[
    "empty", "four fields", "six fields (no seconds field)", "minute 60", "hour 24", "day 0",
    "month 13", "weekday 7 is not Sunday", "a backwards range", "a zero step", "two hyphens",
    "two slashes", "not a number", "a full day name", "an unknown descriptor",
    "every without a unit", "every with days", "an unknown zone",
])
def test_what_robfig_cron_refuses_and_its_words(spec, message):
    with pytest.raises(CronSyntaxError) as err:
        parse_standard(spec)
    assert str(err.value) == message


@pytest.mark.parametrize("text, seconds", [("90s", 90), ("1h30m", 5400), ("1.5h", 5400), ("0", 0),
                                           ("500ms", 0.5), ("2m0.5s", 120.5)])
def test_go_durations(text, seconds):
    assert parse_go_duration(text) == pytest.approx(seconds)


def test_every_runs_at_least_once_a_second():
    assert parse_standard("@every 10ms").next(EPOCH) == EPOCH + 1


# -- properties: the search agrees with a brute-force scan of every minute ---------------------

def _field(low, high):
    single = st.integers(low, high).map(str)
    ranged = st.tuples(st.integers(low, high), st.integers(low, high)).map(
        lambda p: f"{min(p)}-{max(p)}")
    stepped = st.tuples(st.sampled_from(["*", str(low)]), st.integers(1, high - low + 1)).map(
        lambda p: f"{p[0]}/{p[1]}")
    part = st.one_of(st.just("*"), single, ranged, stepped)
    return st.lists(part, min_size=1, max_size=3).map(",".join)


SPECS = st.tuples(_field(0, 59), _field(0, 23), _field(1, 31), _field(1, 12), _field(0, 6)).map(" ".join)


def _expand(text, low, high):
    values = set()
    for part in text.split(","):
        rng, _, step = part.partition("/")
        if rng == "*":
            a, b = low, high
        elif "-" in rng:
            a, b = (int(x) for x in rng.split("-"))
        else:
            a = b = int(rng)
            if step:
                b = high
        values.update(range(a, b + 1, int(step or 1)))
    return values


def _matches(spec, when):
    minute, hour, dom, month, dow = spec.split()
    if when.minute not in _expand(minute, 0, 59) or when.hour not in _expand(hour, 0, 23):
        return False
    if when.month not in _expand(month, 1, 12):
        return False
    dom_ok = when.day in _expand(dom, 1, 31)
    dow_ok = (when.weekday() + 1) % 7 in _expand(dow, 0, 6)
    # robfig/cron's star bit: a part written * (or */1) in either day field means "both must match"
    star = any(p in ("*", "*/1") for p in dom.split(",") + dow.split(","))
    return (dom_ok and dow_ok) if star else (dom_ok or dow_ok)


@settings(max_examples=150, deadline=None)
@given(spec=SPECS, offset=st.integers(0, 400 * 24 * 3600))
def test_the_next_time_is_the_first_matching_minute_after_the_given_time(spec, offset):
    start = EPOCH + offset
    found = parse_standard(spec).next(start)
    if found is None:
        return
    assert found > start and found % 60 == 0
    assert _matches(spec, datetime.fromtimestamp(found, timezone.utc))
    minute = (int(start) // 60 + 1) * 60
    checked = 0
    while minute < found and checked < 5000:  # no earlier minute matches (bounded scan)
        assert not _matches(spec, datetime.fromtimestamp(minute, timezone.utc)), format_timestamp(minute)
        minute += 60
        checked += 1


@settings(max_examples=100, deadline=None)
@given(spec=SPECS, offset=st.integers(0, 10 ** 7))
def test_next_is_strictly_increasing_and_stable(spec, offset):
    schedule = parse_standard(spec)
    first = schedule.next(EPOCH + offset)
    if first is None:
        return
    assert schedule.next(first - 0.5) == first
    second = schedule.next(first)
    assert second is None or second > first
