"""The event recorder writes v1 Events as client-go does: deduplicated, aggregated, named by time."""

from labkube.core.api.testing import new_server, pod
from labkube.core.machinery.events import EventNamer, EventRecorder


def _setup():
    env = new_server()
    created = env.admin.create(pod("web"))
    recorder = EventRecorder(env.admin, env.clock, "default-scheduler")
    return env, created, recorder


def test_an_event_points_at_its_object_and_carries_time_count_and_source():
    env, web, recorder = _setup()
    event = recorder.event(web, "Normal", "Scheduled", "Successfully assigned default/web to node-1")
    assert event["involvedObject"] == {
        "apiVersion": "v1", "kind": "Pod", "name": "web", "namespace": "default",
        "resourceVersion": web["metadata"]["resourceVersion"], "uid": web["metadata"]["uid"],
    }
    assert (event["reason"], event["type"], event["count"]) == ("Scheduled", "Normal", 1)
    assert event["source"] == {"component": "default-scheduler"}
    assert event["firstTimestamp"] == event["lastTimestamp"] == "2025-01-01T00:00:00Z"
    assert event["metadata"]["name"] == f"web.{int(env.clock.now() * 1e9):x}"


def test_the_same_event_again_bumps_count_and_last_timestamp_instead_of_creating_another():
    env, web, recorder = _setup()
    first = recorder.event(web, "Warning", "BackOff", "Back-off restarting failed container")
    env.clock.run(30)
    again = recorder.event(web, "Warning", "BackOff", "Back-off restarting failed container")
    assert again["metadata"]["name"] == first["metadata"]["name"]
    assert (again["count"], again["lastTimestamp"]) == (2, "2025-01-01T00:00:30Z")
    assert again["firstTimestamp"] == "2025-01-01T00:00:00Z"
    assert len(env.admin.list("events", "default")["items"]) == 1


def test_events_about_a_cluster_scoped_object_go_to_the_default_namespace():
    env, _, recorder = _setup()
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1", "uid": "u1"}}
    event = recorder.event(node, "Normal", "NodeNotReady", "Node node-1 status is now: NodeNotReady")
    assert event["metadata"]["namespace"] == "default"
    assert "namespace" not in event["involvedObject"]


def test_ten_similar_events_are_combined():
    env, web, recorder = _setup()
    messages = []
    for i in range(11):
        messages.append(recorder.event(web, "Warning", "Failed", f"failure {i}")["message"])
    assert messages[8] == "failure 8"
    assert messages[9] == "(combined from similar events): failure 9"


def test_later_similar_events_patch_the_one_aggregate_event_instead_of_creating_more():
    env, web, recorder = _setup()
    for i in range(9):
        recorder.event(web, "Warning", "Failed", f"failure {i}")
    first = recorder.event(web, "Warning", "Failed", "failure 9")
    env.clock.run(5)
    later = [recorder.event(web, "Warning", "Failed", f"failure {i}") for i in range(10, 14)]
    assert {event["metadata"]["name"] for event in later} == {first["metadata"]["name"]}
    assert (later[-1]["count"], later[-1]["message"]) == (5, "(combined from similar events): failure 13")
    assert (later[-1]["firstTimestamp"], later[-1]["lastTimestamp"]) == (
        "2025-01-01T00:00:00Z", "2025-01-01T00:00:05Z")
    assert len(env.admin.list("events", "default")["items"]) == 10  # nine own Events + one aggregate


def test_a_message_seen_before_aggregation_began_keeps_bumping_its_own_event():
    env, web, recorder = _setup()
    own = recorder.event(web, "Warning", "Failed", "failure 0")
    for i in range(1, 12):
        recorder.event(web, "Warning", "Failed", f"failure {i}")
    again = recorder.event(web, "Warning", "Failed", "failure 0")
    assert (again["metadata"]["name"], again["count"], again["message"]) == (
        own["metadata"]["name"], 2, "failure 0")


def test_aggregation_starts_over_after_ten_quiet_minutes():
    env, web, recorder = _setup()
    for i in range(10):
        recorder.event(web, "Warning", "Failed", f"failure {i}")
    env.clock.run(601)
    assert recorder.event(web, "Warning", "Failed", "failure 10")["message"] == "failure 10"


def test_names_stay_unique_when_events_share_an_instant():
    env = new_server()
    namer = EventNamer(env.clock)
    assert len({namer.name("web") for _ in range(100)}) == 100


def test_a_deleted_event_is_recreated_under_its_name_with_its_running_count():
    env, web, recorder = _setup()
    first = recorder.event(web, "Normal", "Pulled", "pulled")
    env.admin.delete("events", first["metadata"]["name"], "default")
    env.clock.run(60)
    again = recorder.event(web, "Normal", "Pulled", "pulled")
    assert (again["metadata"]["name"], again["count"]) == (first["metadata"]["name"], 2)
    assert (again["firstTimestamp"], again["lastTimestamp"]) == ("2025-01-01T00:00:00Z", "2025-01-01T00:01:00Z")


def test_after_25_events_about_an_object_only_one_per_five_minutes_is_written():
    env, web, recorder = _setup()
    written = [recorder.event(web, "Warning", "BackOff", "Back-off restarting failed container")
               for _ in range(30)]
    assert [event is not None for event in written] == [True] * 25 + [False] * 5
    env.clock.run(299)
    assert recorder.event(web, "Warning", "BackOff", "Back-off restarting failed container") is None
    env.clock.run(1)
    event = recorder.event(web, "Warning", "BackOff", "Back-off restarting failed container")
    assert event["count"] == 32  # the skipped occurrences were counted all the same
    assert event["metadata"]["name"] == written[0]["metadata"]["name"]


def test_the_spam_filter_counts_per_object_not_per_reason():
    env, web, recorder = _setup()
    other = env.admin.create(pod("other"))
    for i in range(25):
        assert recorder.event(web, "Normal", f"Reason{i}", "m") is not None
    assert recorder.event(web, "Normal", "Another", "m") is None
    assert recorder.event(other, "Normal", "Another", "m") is not None


def test_an_event_first_skipped_is_created_later_with_its_first_timestamp():
    env, web, recorder = _setup()
    for i in range(25):
        recorder.event(web, "Normal", f"Reason{i}", "m")
    assert recorder.event(web, "Warning", "Late", "late") is None  # observed at 00:00:00
    env.clock.run(300)
    late = recorder.event(web, "Warning", "Late", "late")
    assert (late["count"], late["firstTimestamp"], late["lastTimestamp"]) == (
        2, "2025-01-01T00:00:00Z", "2025-01-01T00:05:00Z")


def test_the_correlator_forgets_its_least_recently_used_event_beyond_its_lru_size(monkeypatch):
    from labkube.core.machinery import events

    monkeypatch.setattr(events, "MAX_LRU_CACHE_ENTRIES", 2)
    env, web, recorder = _setup()
    first = recorder.event(web, "Normal", "Pulled", "one")
    recorder.event(web, "Normal", "Created", "two")
    recorder.event(web, "Normal", "Pulled", "one")  # used again: now the most recent
    recorder.event(web, "Normal", "Started", "three")  # evicts "two", the least recent
    again_first = recorder.event(web, "Normal", "Pulled", "one")
    again_second = recorder.event(web, "Normal", "Created", "two")
    assert (again_first["metadata"]["name"], again_first["count"]) == (first["metadata"]["name"], 3)
    assert again_second["count"] == 1  # forgotten, so written as a new Event
    assert len(env.admin.list("events", "default")["items"]) == 4
