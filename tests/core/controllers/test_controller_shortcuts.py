"""Shortcuts controllers take for speed give exactly the answers of the plain computation."""

from __future__ import annotations

import pytest

from labkube.core.api.labels import selector_from_label_selector
from labkube.core.clock import EPOCH, format_timestamp
from labkube.core.controllers.owner import label_matcher
from labkube.core.controllers.pods import is_pod_available, is_ready_condition_available
from labkube.core.controllers.replicaset import calculate_status, pod_from_template

LABEL_SETS = [
    {}, {"app": "web"}, {"app": "web", "tier": "front"}, {"app": "db"}, {"tier": "front"},
    {"app": "web", "pod-template-hash": "abc"}, {"app": "web", "pod-template-hash": "xyz"},
]


@pytest.mark.parametrize("label_selector", [
    None,
    {},
    {"matchLabels": {"app": "web"}},
    {"matchLabels": {"app": "web", "pod-template-hash": "abc"}},
    {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "db"]}]},
    {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]},
    {"matchExpressions": [{"key": "tier", "operator": "Exists"}]},
    {"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]},
    {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "app", "operator": "In", "values": ["db"]}]},
    {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["db"]}]},
])
def test_a_label_matcher_agrees_with_its_selector_on_every_label_set(label_selector):
    selector = selector_from_label_selector(label_selector)
    matches = label_matcher(selector)
    assert [matches(labels) for labels in LABEL_SETS] == [selector.matches(labels) for labels in LABEL_SETS]


def test_a_pod_made_from_a_template_shares_nothing_with_it():
    template = {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}]}]}}
    owner = {"metadata": {"name": "web-abc", "uid": "u1"}}
    pod = pod_from_template(template, owner, None)
    assert pod["spec"] == template["spec"] and pod["metadata"]["generateName"] == "web-abc-"
    pod["spec"]["containers"][0]["ports"][0]["containerPort"] = 8080
    pod["metadata"]["labels"]["app"] = "changed"
    assert template["spec"]["containers"][0]["ports"][0]["containerPort"] == 80
    assert template["metadata"]["labels"] == {"app": "web"}


class _Clock:
    def __init__(self, now):
        self._now = now

    def now(self):
        return self._now

    def timestamp(self):
        return format_timestamp(self._now)


def _pod(labels, ready=None, ready_at=0.0):
    status = {}
    if ready is not None:
        status["conditions"] = [{"type": "Ready", "status": "True" if ready else "False",
                                 "lastTransitionTime": format_timestamp(EPOCH + ready_at)}]
    return {"metadata": {"labels": labels}, "status": status}


def test_replicaset_status_counts_labels_readiness_and_availability_per_pod():
    rs = {"metadata": {"name": "web"},
          "spec": {"replicas": 5, "minReadySeconds": 10,
                   "template": {"metadata": {"labels": {"app": "web", "tier": "front"}}}}}
    pods = [
        _pod({"app": "web", "tier": "front", "extra": "x"}, ready=True, ready_at=0),  # available
        _pod({"app": "web", "tier": "front"}, ready=True, ready_at=95),  # ready 5 s: not yet available
        _pod({"app": "web", "tier": "back"}, ready=False),  # a label with another value
        _pod({"app": "web"}),  # a label missing, no conditions
        _pod({"app": "web", "tier": "front"}, ready=True, ready_at=90),  # exactly 10 s: not yet
    ]
    status = calculate_status(rs, pods, None, _Clock(EPOCH + 100))
    assert status == {"replicas": 5, "fullyLabeledReplicas": 3, "readyReplicas": 3, "availableReplicas": 1}


@pytest.mark.parametrize("ready_at, min_ready, available", [
    (0, 0, True), (0, 99, True), (0, 100, False), (50, 10, True), (95, 10, False),
])
def test_a_ready_condition_is_available_after_more_than_min_ready_seconds(ready_at, min_ready, available):
    pod = _pod({}, ready=True, ready_at=ready_at)
    cond = pod["status"]["conditions"][0]
    assert is_ready_condition_available(cond, min_ready, EPOCH + 100) is available
    assert is_pod_available(pod, min_ready, EPOCH + 100) is available
