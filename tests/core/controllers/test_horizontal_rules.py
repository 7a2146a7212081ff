"""Stabilization and rate limits between a metric's proposal and the replicas the HPA sets."""

import pytest

from labkube.core.api import autoscaling
from labkube.core.controllers import horizontal_rules as rules


@pytest.mark.parametrize("history, current, desired, expected, able, limit", [
    ([], 1, 5, 4, rules.READY_FOR_NEW_SCALE, rules.SCALE_UP_LIMIT),
    ([], 4, 20, 8, rules.READY_FOR_NEW_SCALE, rules.SCALE_UP_LIMIT),
    ([], 4, 6, 6, rules.READY_FOR_NEW_SCALE, rules.WITHIN_RANGE),
    ([(6, 900.0)], 6, 1, 6, rules.SCALE_DOWN_STABILIZED, rules.WITHIN_RANGE),
    ([(6, 699.0)], 6, 1, 1, rules.READY_FOR_NEW_SCALE, rules.WITHIN_RANGE),
    ([], 3, 0, 1, rules.READY_FOR_NEW_SCALE, rules.TOO_FEW),
    ([], 8, 30, 10, rules.READY_FOR_NEW_SCALE, rules.TOO_MANY),
], ids=["one step at most goes to four", "one step at most doubles", "a step within the limits is taken",
        "a scale-down within five minutes of a higher recommendation is held",
        "a recommendation older than five minutes is forgotten",
        "never below minReplicas", "never above maxReplicas"])
def test_normalize_without_behavior(history, current, desired, expected, able, limit):
    recs = rules.Recommendations(list(history))
    replicas, got_able, got_limit, _ = rules.normalize(recs, current, desired, 1, 10, 1000.0)
    assert (replicas, got_able, got_limit) == (expected, able, limit)


def test_a_recommendation_exactly_at_the_window_edge_still_holds_a_scale_down():
    recs = rules.Recommendations([(6, 700.0)])
    assert rules.normalize(recs, 6, 2, 1, 10, 1000.0)[0] == 6


def test_scale_up_policies_count_what_was_added_within_their_period():
    behavior = {"scaleUp": autoscaling.scale_up_rules(), "scaleDown": autoscaling.scale_down_rules()}
    events = rules.ScaleEvents(up=[(4, 990.0)])
    recs = rules.Recommendations()
    replicas, _, limit, limited = rules.normalize_with_behavior(recs, events, behavior, 5, 20, 1, 50, 1000.0)
    assert (replicas, limit, limited) == (5, rules.SCALE_UP_LIMIT, True)  # 1 -> 5 already this period
    later = rules.normalize_with_behavior(rules.Recommendations(), events, behavior, 5, 20, 1, 50, 1010.0)
    assert later[0] == 10  # a new period: max(5 + 4, 5 * 200%)


def test_a_disabled_scale_down_never_removes_pods():
    behavior = {"scaleUp": autoscaling.scale_up_rules(),
                "scaleDown": {"stabilizationWindowSeconds": 0, "selectPolicy": "Disabled",
                              "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}}
    replicas, _, limit, _ = rules.normalize_with_behavior(rules.Recommendations(), rules.ScaleEvents(), behavior,
                                                          5, 1, 1, 10, 1000.0)
    assert (replicas, limit) == (5, rules.SCALE_DOWN_LIMIT)
