"""watch: initial state, replay, streaming, selector transitions, compaction, cancel."""

import pytest

from labkube.core.api.testing import new_server, pod



@pytest.fixture
def env():
    return new_server()


def summary(events):
    return [(e["type"], e["object"]["metadata"]["name"]) for e in events]


def test_a_watch_without_resource_version_starts_with_the_current_objects(env):
    env.admin.create(pod("a"))
    env.admin.create(pod("b"))
    watch = env.admin.watch("pods")
    assert summary(watch.poll()) == [("ADDED", "a"), ("ADDED", "b")]
    env.admin.create(pod("c"))
    assert summary(watch.poll()) == [("ADDED", "c")]


def test_a_watch_from_a_resource_version_replays_history_then_streams(env):
    rv = env.admin.list("pods")["metadata"]["resourceVersion"]
    env.admin.create(pod("a"))
    env.admin.patch("pods", "a", {"metadata": {"labels": {"x": "y"}}})
    env.admin.delete("pods", "a")
    watch = env.admin.watch("pods", resource_version=rv)
    events = watch.poll()
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "MODIFIED", "DELETED"]
    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert versions == sorted(versions) and len(set(versions)) == 4
    env.admin.create(pod("b"))
    assert summary(watch.poll()) == [("ADDED", "b")]


def test_watch_objects_carry_kind_and_api_version(env):
    watch = env.admin.watch("pods", resource_version=str(env.store.revision))
    env.admin.create(pod("a"))
    obj = watch.poll()[0]["object"]
    assert (obj["apiVersion"], obj["kind"]) == ("v1", "Pod")


def test_a_deleted_event_carries_the_last_state_at_the_deletion_revision(env):
    env.admin.create(pod("a"))
    watch = env.admin.watch("pods", resource_version=str(env.store.revision))
    env.admin.delete("pods", "a")
    deleted = [e for e in watch.poll() if e["type"] == "DELETED"][0]
    assert deleted["object"]["metadata"]["resourceVersion"] == str(env.store.revision)


def test_label_selector_transitions_look_like_adds_and_deletes(env):
    env.admin.create(pod("a"))
    watch = env.admin.watch("pods", label_selector="app=web", resource_version=str(env.store.revision))
    env.admin.patch("pods", "a", {"metadata": {"labels": {"app": "web"}}})
    env.admin.patch("pods", "a", {"metadata": {"labels": {"tier": "x"}}})
    env.admin.patch("pods", "a", {"metadata": {"labels": {"app": "db"}}})
    env.admin.patch("pods", "a", {"metadata": {"labels": {"tier": "y"}}})
    assert [e["type"] for e in watch.poll()] == ["ADDED", "MODIFIED", "DELETED"]


def test_a_namespaced_watch_sees_only_its_namespace():
    env = new_server(namespaces=("default", "team"))
    watch = env.admin.watch("pods", "team", resource_version=str(env.store.revision))
    env.admin.create(pod("a"))
    env.admin.create(pod("b"), namespace="team")
    assert summary(watch.poll()) == [("ADDED", "b")]


def test_a_field_selector_watch(env):
    watch = env.admin.watch("pods", field_selector="metadata.name=b", resource_version=str(env.store.revision))
    env.admin.create(pod("a"))
    env.admin.create(pod("b"))
    assert summary(watch.poll()) == [("ADDED", "b")]


def test_a_watch_from_a_compacted_revision_gets_a_410_error_event(env):
    env.admin.create(pod("a"))
    env.admin.create(pod("b"))
    env.store.compact(env.store.revision)
    watch = env.admin.watch("pods", resource_version="3")
    events = watch.poll()
    assert len(events) == 1 and events[0]["type"] == "ERROR"
    status = events[0]["object"]
    assert (status["kind"], status["code"], status["reason"]) == ("Status", 410, "Expired")
    assert status["message"] == f"too old resource version: 3 ({env.store.compact_revision})"
    assert watch.cancelled


def test_cancel_stops_delivery(env):
    watch = env.admin.watch("pods", resource_version=str(env.store.revision))
    watch.cancel()
    env.admin.create(pod("a"))
    assert watch.poll() == [] and watch.get(timeout=0) is None


def test_get_returns_events_one_at_a_time(env):
    watch = env.admin.watch("pods", resource_version=str(env.store.revision))
    env.admin.create(pod("a"))
    env.admin.create(pod("b"))
    assert watch.get(timeout=0)["object"]["metadata"]["name"] == "a"
    assert watch.get(timeout=0)["object"]["metadata"]["name"] == "b"
    assert watch.get(timeout=0) is None


def test_on_ready_is_called_when_events_are_queued(env):
    watch = env.admin.watch("pods", resource_version=str(env.store.revision))
    calls = []
    watch.on_ready = lambda: calls.append(1)
    env.admin.create(pod("a"))
    assert calls and len(watch.poll()) == 1
