"""The event correlator's caches: an exact LRU, small aggregation records, shared messages."""

import pytest

from labkube.core.api.testing import new_server, pod
from labkube.core.machinery import events
from labkube.core.machinery.events import (
    AGGREGATE_MAX_EVENTS, EventRecorder, _LRU, _Similar, object_reference, shared_message,
)


def test_the_lru_forgets_the_least_recently_used_key(monkeypatch):
    monkeypatch.setattr(events, "MAX_LRU_CACHE_ENTRIES", 3)
    lru = _LRU()
    for key in "abc":
        lru.add(key, key.upper())
    assert lru.get("a") == "A"  # a is now the most recent; b the least
    lru.add("d", "D")
    assert ("b" in lru, "a" in lru, len(lru)) == (False, True, 3)


def test_adding_a_known_key_again_makes_it_the_most_recent(monkeypatch):
    monkeypatch.setattr(events, "MAX_LRU_CACHE_ENTRIES", 2)
    lru = _LRU()
    lru.add("a", 1)
    lru.add("b", 2)
    lru.add("a", 3)
    lru.add("c", 4)
    assert (lru.get("a"), lru.get("b"), lru.get("c")) == (3, None, 4)


def test_a_missing_key_gives_the_default():
    assert _LRU().get("nope", "default") == "default"


def test_an_aggregation_record_keeps_nine_messages_and_sends_every_other_to_the_aggregate():
    similar = _Similar()
    answers = [similar.add(f"m{i % 12}", float(i)) for i in range(24)]
    first_nine, others = answers[:AGGREGATE_MAX_EVENTS - 1], answers[AGGREGATE_MAX_EVENTS - 1:12]
    assert not any(first_nine) and all(others)
    assert answers[12:] == answers[:12]  # m0..m8 again keep their own Events, m9..m11 aggregate
    assert len(similar.messages) == AGGREGATE_MAX_EVENTS - 1 and similar.last == 23.0


def test_a_repeated_message_is_counted_once():
    similar = _Similar()
    for _ in range(20):
        assert similar.add("same", 0.0) is False
    assert similar.messages == ("same",)


def test_an_object_reference_has_its_keys_in_sorted_order():
    obj = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "web", "namespace": "default", "uid": "u1", "resourceVersion": "7"}}
    ref = object_reference(obj, "spec.containers{web}")
    assert list(ref) == sorted(ref)
    assert ref == {"apiVersion": "v1", "fieldPath": "spec.containers{web}", "kind": "Pod",
                   "name": "web", "namespace": "default", "resourceVersion": "7", "uid": "u1"}


def test_a_shared_message_is_one_string_for_every_caller():
    first = shared_message("Started container {}", "".join(["ng", "inx"]))
    again = shared_message("Started container {}", "".join(["ngi", "nx"]))
    assert first == "Started container nginx" and first is again


@pytest.mark.parametrize("field_path", ["", "spec.containers{a}"])
def test_events_differing_only_in_field_path_are_separate_events(field_path):
    env = new_server()
    web = env.admin.create(pod("web"))
    recorder = EventRecorder(env.admin, env.clock, "kubelet", host="node-1")
    one = recorder.event(web, "Normal", "Pulled", "pulled", field_path)
    other = recorder.event(web, "Normal", "Pulled", "pulled", "spec.containers{b}")
    again = recorder.event(web, "Normal", "Pulled", "pulled", field_path)
    assert one["metadata"]["name"] != other["metadata"]["name"]
    assert (again["metadata"]["name"], again["count"]) == (one["metadata"]["name"], 2)
