"""kube-apiserver's ValidateEventCreate/ValidateEventUpdate for Events written through
events.k8s.io/v1 (pkg/apis/core/validation/events.go): series, byte lengths, immutable fields."""

import pytest

from labkube.core.api.testing import new_server
from labkube.core.errors import StatusError

RESOURCE = "events.events.k8s.io"


def _event(name="web.1", **fields):
    event = {"apiVersion": "events.k8s.io/v1", "kind": "Event",
             "metadata": {"name": name, "namespace": "default"},
             "eventTime": "2025-01-01T00:00:00.000000Z", "reportingController": "default-scheduler",
             "reportingInstance": "default-scheduler-labkube-control-plane", "action": "Scheduling",
             "reason": "FailedScheduling", "regarding": {"kind": "Pod", "name": "web", "namespace": "default"},
             "note": "0/3 nodes are available", "type": "Warning"}
    event.update(fields)
    return event


def _refused(call) -> str:
    with pytest.raises(StatusError) as caught:
        call()
    return caught.value.message


def test_a_series_must_count_at_least_two_and_have_a_last_observed_time():
    env = new_server()
    message = _refused(lambda: env.admin.create(_event(series={"count": 1})))
    assert message == ('Event.events.k8s.io "web.1" is invalid: [series.count: Invalid value: "": '
                       "should be at least 2, series.lastObservedTime: Required value]")


def test_a_note_is_limited_to_1024_bytes_not_characters():
    env = new_server()
    message = _refused(lambda: env.admin.create(_event(note="é" * 600)))
    assert message == ('Event.events.k8s.io "web.1" is invalid: message: Invalid value: "": '
                       "can have at most 1024 characters")


def test_patching_only_the_series_is_a_valid_update():
    env = new_server()
    env.admin.create(_event())
    series = {"count": 2, "lastObservedTime": "2025-01-01T00:01:00.000000Z"}
    patched = env.admin.patch(RESOURCE, "web.1", {"series": series}, namespace="default")
    assert patched["series"] == series


def test_every_other_field_is_immutable_through_events_k8s_io():
    env = new_server()
    env.admin.create(_event())
    message = _refused(lambda: env.admin.patch(RESOURCE, "web.1", {"note": "changed", "action": "Binding"},
                                               namespace="default"))
    assert message == ('Event.events.k8s.io "web.1" is invalid: [message: Invalid value: "changed": '
                       'field is immutable, action: Invalid value: "Binding": field is immutable]')


def test_a_changed_regarding_is_shown_as_go_prints_the_struct():
    env = new_server()
    env.admin.create(_event())
    message = _refused(lambda: env.admin.patch(RESOURCE, "web.1", {"regarding": {"name": "db"}},
                                               namespace="default"))
    assert message == ('Event.events.k8s.io "web.1" is invalid: involvedObject: Invalid value: '
                       'core.ObjectReference{Kind:"Pod", Namespace:"default", Name:"db", UID:"", '
                       'APIVersion:"", ResourceVersion:"", FieldPath:""}: field is immutable')


def test_the_v1_api_applies_only_the_legacy_checks_on_update():
    env = new_server()
    env.admin.create(_event())
    updated = env.admin.patch("events", "web.1", {"message": "changed"}, namespace="default")
    assert updated["message"] == "changed"
