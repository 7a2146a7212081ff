"""The CronJob controller's arithmetic (pkg/controller/cronjob/utils.go): the most recent unmet
scheduled time, the requeue delay, Job names, the Job built from the template, history order."""

from datetime import datetime

import pytest

from labkube.core import cron
from labkube.core.controllers.cronjob import (
    NEXT_SCHEDULE_DELTA, ScheduleError, job_from_template, job_name, most_recent_schedule_time,
    next_schedule_delay, rfc1123z, rfc3339_in_zone, start_time_order,
)


def _t(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _cron_job(schedule="*/1 * * * *", created="2025-01-01T00:00:00Z", last=None, deadline=None, zone=None):
    spec = {"schedule": schedule, "jobTemplate": {"spec": {"template": {"spec": {}}}}}
    if deadline is not None:
        spec["startingDeadlineSeconds"] = deadline
    if zone is not None:
        spec["timeZone"] = zone
    status = {"lastScheduleTime": last} if last else {}
    return {"metadata": {"name": "hello", "namespace": "default", "uid": "u-1", "creationTimestamp": created},
            "spec": spec, "status": status}


@pytest.mark.parametrize("kwargs, now, expected, missed", [
    ({}, "2025-01-01T00:00:30Z", None, 0),
    ({}, "2025-01-01T00:01:00Z", "2025-01-01T00:01:00Z", 0),
    ({}, "2025-01-01T00:01:59Z", "2025-01-01T00:01:00Z", 0),
    ({}, "2025-01-01T00:05:30Z", "2025-01-01T00:05:00Z", 5),
    ({"last": "2025-01-01T00:05:00Z"}, "2025-01-01T00:05:30Z", None, 0),
    ({"schedule": "0 * * * *"}, "2025-01-01T03:10:00Z", "2025-01-01T03:00:00Z", 3),
    ({"schedule": "30 6-16/4 * * 1-5", "created": "2025-01-03T00:00:00Z"}, "2025-01-07T12:00:00Z",
     "2025-01-07T10:30:00Z", 26),
    ({"deadline": 200}, "2025-01-01T00:10:30Z", "2025-01-01T00:10:00Z", 3),
    ({}, "2025-01-01T01:42:30Z", "2025-01-01T01:42:00Z", 102),
], ids=[
    "before the first time: nothing to start",
    "exactly at the first time",
    "within the minute of the first time",
    "five minutes missed: the latest, and how many",
    "the last scheduled time was started already",
    "hourly, three hours missed",
    "an irregular schedule: missed times are estimated from the first gap (4 h), the time is exact",
    "a starting deadline moves the earliest time forward",
    "more than a hundred missed",
])
def test_the_most_recent_unmet_time(kwargs, now, expected, missed):
    cron_job = _cron_job(**kwargs)
    lookup = most_recent_schedule_time(cron_job, _t(now), cron.parse_standard(cron_job["spec"]["schedule"]), True)
    assert (lookup.most_recent, lookup.missed) == (None if expected is None else _t(expected), missed)


def test_a_date_that_never_comes_is_an_error_not_a_loop():
    cron_job = _cron_job(schedule="59 23 31 2 *")
    with pytest.raises(ScheduleError) as err:
        most_recent_schedule_time(cron_job, _t("2025-03-01T00:00:00Z"), cron.parse_standard("59 23 31 2 *"), True)
    assert str(err.value) == "time difference between two schedules is less than 1 second"


@pytest.mark.parametrize("kwargs, now, next_time", [
    ({}, "2025-01-01T00:00:00Z", "2025-01-01T00:01:00Z"),
    ({"last": "2025-01-01T00:01:00Z"}, "2025-01-01T00:01:00.1Z", "2025-01-01T00:02:00Z"),
    ({"last": "2025-01-01T00:01:00Z"}, "2025-01-01T00:05:30Z", "2025-01-01T00:06:00Z"),
    ({"schedule": "@hourly"}, "2025-01-01T00:20:00Z", "2025-01-01T01:00:00Z"),
], ids=["the first time after creation", "the next minute after a start",
        "after missed times, the next time from now", "hourly"])
def test_the_requeue_is_just_after_the_next_scheduled_time(kwargs, now, next_time):
    cron_job = _cron_job(**kwargs)
    delay = next_schedule_delay(cron_job, _t(now), cron.parse_standard(cron_job["spec"]["schedule"]))
    assert delay == pytest.approx(_t(next_time) + NEXT_SCHEDULE_DELTA - _t(now))


def test_job_names_count_minutes_since_1970():
    assert job_name(_cron_job(), _t("2025-01-01T00:01:00Z")) == "hello-28928161"


def test_the_job_copies_the_template_and_is_controlled_by_the_cronjob():
    cron_job = _cron_job(zone="Asia/Tokyo")
    cron_job["spec"]["jobTemplate"] = {"metadata": {"labels": {"a": "b"}, "annotations": {"z": "1"}},
                                       "spec": {"backoffLimit": 2, "template": {"spec": {"containers": []}}}}
    job = job_from_template(cron_job, _t("2025-01-01T00:01:00Z"))
    assert job == {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "hello-28928161", "namespace": "default", "labels": {"a": "b"},
                     "annotations": {"batch.kubernetes.io/cronjob-scheduled-timestamp": "2025-01-01T09:01:00+09:00",
                                     "z": "1"},
                     "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "hello", "uid": "u-1",
                                          "controller": True, "blockOwnerDeletion": True}]},
        "spec": {"backoffLimit": 2, "template": {"spec": {"containers": []}}},
    }
    job["spec"]["backoffLimit"] = 9
    assert cron_job["spec"]["jobTemplate"]["spec"]["backoffLimit"] == 2  # a copy, never the cached object


@pytest.mark.parametrize("seconds, zone, text", [
    (_t("2025-01-01T00:01:00Z"), None, "2025-01-01T00:01:00Z"),
    (_t("2025-01-01T00:01:00Z"), "Europe/London", "2025-01-01T00:01:00Z"),
    (_t("2025-07-01T00:01:00Z"), "Europe/London", "2025-07-01T01:01:00+01:00"),
    (_t("2025-01-01T00:05:00Z"), "America/New_York", "2024-12-31T19:05:00-05:00"),
], ids=["UTC", "a zone at offset zero prints Z", "summer time", "a negative offset"])
def test_scheduled_timestamps_are_rfc3339_in_the_cronjobs_zone(seconds, zone, text):
    assert rfc3339_in_zone(seconds, zone) == text


def test_missed_schedule_times_print_as_rfc1123z():
    assert rfc1123z(_t("2025-01-01T00:01:00Z")) == "Wed, 01 Jan 2025 00:01:00 +0000"


def test_history_is_trimmed_oldest_start_first_and_unstarted_last():
    jobs = [{"metadata": {"name": n}, "status": {"startTime": s} if s else {}} for n, s in (
        ("c", "2025-01-01T00:03:00Z"), ("never", None), ("a", "2025-01-01T00:01:00Z"), ("b", "2025-01-01T00:01:00Z"))]
    assert [j["metadata"]["name"] for j in sorted(jobs, key=start_time_order)] == ["a", "b", "c", "never"]
