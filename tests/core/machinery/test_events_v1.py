"""The events.k8s.io recorder writes Events as client-go's tools/events does: one Event per
isomorphic key, a series PATCHed on the second occurrence, counted in memory after that and
written by the 30-minute refresh and the 6-minute finish loops."""

import pytest

from labkube.core.api.testing import new_server, pod
from labkube.core.machinery.events_v1 import (EventBroadcaster, FINISH_PERIOD, NOTE_LENGTH_LIMIT,
                                              REFRESH_PERIOD, truncate_note)

RESOURCE = "events.events.k8s.io"


def _setup():
    env = new_server()
    web = env.admin.create(pod("web"))
    broadcaster = EventBroadcaster(env.admin, env.clock)
    broadcaster.start_recording_to_sink()
    recorder = broadcaster.new_recorder("default-scheduler", "labkube-control-plane")
    return env, web, broadcaster, recorder


def _failed(recorder, web, note="0/3 nodes are available: 3 Insufficient cpu."):
    return recorder.eventf(web, None, "Warning", "FailedScheduling", "Scheduling", note)


def _stored(env):
    return env.admin.list(RESOURCE, "default")["items"]


def _event_writes(env, since=0):
    return [(r.verb, r.api_group) for r in env.audit.records(since, resource="events")
            if r.verb in ("create", "patch", "update")]


def _last_seq(env):
    records = env.audit.records()
    return records[-1].seq if records else 0


def test_an_event_carries_every_new_api_field_and_leaves_the_deprecated_ones_unset():
    env, web, _, recorder = _setup()
    env.clock.run(1.25)
    event = recorder.eventf(web, None, "Normal", "Scheduled", "Binding",
                            "Successfully assigned default/web to node-1")
    assert event == {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": event["metadata"],
        "eventTime": "2025-01-01T00:00:01.250000Z",
        "reportingController": "default-scheduler",
        "reportingInstance": "default-scheduler-labkube-control-plane",
        "action": "Binding",
        "reason": "Scheduled",
        "regarding": {"apiVersion": "v1", "kind": "Pod", "name": "web", "namespace": "default",
                      "resourceVersion": web["metadata"]["resourceVersion"],
                      "uid": web["metadata"]["uid"]},
        "note": "Successfully assigned default/web to node-1",
        "type": "Normal",
        "deprecatedSource": {},
        "deprecatedFirstTimestamp": None,
        "deprecatedLastTimestamp": None,
    }
    assert event["metadata"]["name"] == f"web.{int(round(env.clock.now() * 1e9)):x}"
    assert event["metadata"]["namespace"] == "default"


def test_the_same_event_read_through_the_v1_api_shows_go_zero_values():
    env, web, _, recorder = _setup()
    created = _failed(recorder, web)
    core = env.admin.get("events", created["metadata"]["name"], "default")
    assert list(core) == ["apiVersion", "kind", "metadata", "involvedObject", "reason", "message", "source",
                          "firstTimestamp", "lastTimestamp", "type", "eventTime", "action",
                          "reportingComponent", "reportingInstance"]
    assert (core["source"], core["firstTimestamp"], core["lastTimestamp"]) == ({}, None, None)
    assert "count" not in core and "series" not in core
    assert (core["reportingComponent"], core["reportingInstance"]) == (
        "default-scheduler", "default-scheduler-labkube-control-plane")


def test_a_related_object_is_referenced_only_when_given():
    env, web, _, recorder = _setup()
    other = env.admin.create(pod("preemptor"))
    event = recorder.eventf(web, other, "Normal", "Preempted", "Preempting", "Preempted by pod x on node n")
    assert event["related"]["name"] == "preemptor"
    assert "related" not in _failed(recorder, web)


def test_the_second_occurrence_patches_a_series_onto_the_first_event():
    env, web, _, recorder = _setup()
    first = _failed(recorder, web)
    env.clock.run(60)
    since = _last_seq(env)
    again = _failed(recorder, web, note="a different note is still the same event")
    assert again["metadata"]["name"] == first["metadata"]["name"]
    assert again["series"] == {"count": 2, "lastObservedTime": "2025-01-01T00:01:00.000000Z"}
    assert again["note"] == first["note"]
    assert len(_stored(env)) == 1
    assert _event_writes(env, since) == [("patch", "events.k8s.io")]


def test_later_occurrences_are_counted_in_memory_without_an_api_call():
    env, web, _, recorder = _setup()
    _failed(recorder, web)
    _failed(recorder, web)
    since = _last_seq(env)
    for _ in range(5):
        env.clock.run(10)
        assert _failed(recorder, web) is None
    assert _event_writes(env, since) == []
    assert _stored(env)[0]["series"]["count"] == 2


def test_the_refresh_loop_writes_every_series_every_30_minutes():
    env, web, _, recorder = _setup()
    _failed(recorder, web)
    for _ in range(5):  # again at 4, 8, 12, 16, 20 minutes: a count of 6, last seen at 20 minutes
        env.clock.run(240)
        _failed(recorder, web)
    env.clock.run(REFRESH_PERIOD - 20 * 60 - 1)
    assert _stored(env)[0]["series"]["count"] == 2
    env.clock.run(1)
    assert _stored(env)[0]["series"] == {"count": 6, "lastObservedTime": "2025-01-01T00:20:00.000000Z"}


def test_a_series_not_seen_for_6_minutes_is_written_a_last_time_and_forgotten():
    env, web, broadcaster, recorder = _setup()
    _failed(recorder, web)
    env.clock.run(30)
    _failed(recorder, web)
    env.clock.run(30)
    _failed(recorder, web)  # count 3 at 1 minute, in memory only
    env.clock.run(FINISH_PERIOD - 60)  # the 6-minute tick: last seen 5 minutes ago, kept
    assert _stored(env)[0]["series"]["count"] == 2
    assert broadcaster.cached == 1
    env.clock.run(FINISH_PERIOD)  # the 12-minute tick: finished
    assert _stored(env)[0]["series"] == {"count": 3, "lastObservedTime": "2025-01-01T00:01:00.000000Z"}
    assert broadcaster.cached == 0
    event = _failed(recorder, web)  # the same again starts a new Event
    assert event["metadata"]["name"] != _stored(env)[0]["metadata"]["name"]
    assert len(_stored(env)) == 2


def test_a_singleton_is_forgotten_at_the_first_finish_tick_6_minutes_after_it():
    env, web, broadcaster, recorder = _setup()
    env.clock.run(60)
    _failed(recorder, web)
    env.clock.run(FINISH_PERIOD - 60)  # tick at 6 minutes: only 5 minutes old
    assert broadcaster.cached == 1
    env.clock.run(FINISH_PERIOD)
    assert broadcaster.cached == 0
    assert broadcaster.armed == ()  # nothing cached, no timer left


def test_a_series_whose_event_was_deleted_is_created_again_with_its_series():
    env, web, _, recorder = _setup()
    first = _failed(recorder, web)
    env.admin.delete(RESOURCE, first["metadata"]["name"], "default")
    again = _failed(recorder, web)
    assert again["metadata"]["name"] == first["metadata"]["name"]
    assert again["series"]["count"] == 2


def test_an_event_with_a_different_regarding_resource_version_is_a_new_event():
    env, web, _, recorder = _setup()
    _failed(recorder, web)
    newer = env.admin.patch("pods", "web", {"metadata": {"labels": {"a": "b"}}}, namespace="default")
    _failed(recorder, newer)
    assert len(_stored(env)) == 2
    assert all("series" not in e for e in _stored(env))


def test_an_unsupported_event_type_is_dropped_before_sending():
    env, web, broadcaster, recorder = _setup()
    assert recorder.eventf(web, None, "Error", "Failed", "Scheduling", "x") is None
    assert _stored(env) == [] and broadcaster.cached == 0


def test_a_note_over_1_kib_is_refused_by_the_server_and_dropped():
    env, web, _, recorder = _setup()
    assert _failed(recorder, web, note="x" * (NOTE_LENGTH_LIMIT + 1)) is None
    assert _stored(env) == []


@pytest.mark.parametrize("note, expected", [
    ("short", "short"),
    ("x" * 1024, "x" * 1024),
    ("x" * 1025, "x" * 1020 + " ..."),
])
def test_kube_schedulers_truncate_message_cuts_at_1024_bytes_with_an_ellipsis(note, expected):
    assert truncate_note(note) == expected


def test_a_shut_down_broadcaster_writes_nothing_and_keeps_no_timer():
    env, web, broadcaster, recorder = _setup()
    _failed(recorder, web)
    _failed(recorder, web)
    assert broadcaster.armed == ("finish", "refresh")
    broadcaster.shutdown()
    assert _failed(recorder, web) is None
    assert broadcaster.armed == () and broadcaster.cached == 0
