"""AGE formatting: duration.HumanDuration and translateTimestampSince, case by case."""

import pytest

from labkube.kubectl.printers.age import age, human_duration, rfc1123z

from .objects import NOW, ts

M, H, D, Y = 60, 3600, 86400, 365 * 86400

CASES = [
    ("a time two seconds in the future is invalid", -2, "<invalid>"),
    ("a time a second in the future reads as zero seconds", -1, "0s"),
    ("a time just now is zero seconds", 0, "0s"),
    ("fractions of a second are truncated", 59.9, "59s"),
    ("under two minutes prints seconds only", 119, "119s"),
    ("two minutes exactly drops the zero seconds", 2 * M, "2m"),
    ("under ten minutes keeps the seconds", 2 * M + 30, "2m30s"),
    ("nine minutes fifty-nine seconds still shows seconds", 9 * M + 59, "9m59s"),
    ("ten minutes drops the seconds", 10 * M + 59, "10m"),
    ("under three hours prints minutes", 179 * M, "179m"),
    ("three hours prints hours", 3 * H, "3h"),
    ("under eight hours keeps the minutes", 3 * H + 5 * M, "3h5m"),
    ("eight hours drops the minutes", 8 * H + 59 * M, "8h"),
    ("under two days prints hours", 47 * H, "47h"),
    ("two days prints days", 2 * D, "2d"),
    ("under eight days keeps the hours", 6 * D + 5 * H, "6d5h"),
    ("eight days drops the hours", 8 * D + 23 * H, "8d"),
    ("under two years prints days", 729 * D, "729d"),
    ("two years exactly prints years", 2 * Y, "2y"),
    ("under eight years keeps the days", 3 * Y + 40 * D, "3y40d"),
    ("eight years and beyond prints years", 9 * Y + 100 * D, "9y"),
]


@pytest.mark.parametrize("seconds, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_human_duration(seconds, expected):
    assert human_duration(seconds) == expected


def test_age_reads_the_timestamp_relative_to_the_given_now():
    assert age(ts(15 * M + 20), NOW) == "15m"


def test_age_of_a_missing_timestamp_is_unknown():
    assert age(None, NOW) == "<unknown>"


def test_age_of_a_micro_time_uses_its_whole_seconds():
    assert age("2025-01-01T23:59:30.999999Z", NOW) == "29s"


def test_describe_times_are_rfc1123z_in_utc():
    assert rfc1123z("2025-01-01T23:44:41Z") == "Wed, 01 Jan 2025 23:44:41 +0000"
