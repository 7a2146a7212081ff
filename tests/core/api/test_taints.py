"""Toleration matching, the rule the scheduler, the kubelet and taint eviction share."""

import pytest

from labkube.core.api.taints import toleration_tolerates, tolerates

TAINT = {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}


@pytest.mark.parametrize("toleration, expected", [
    ({"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}, True),
    ({"key": "node.kubernetes.io/unreachable", "operator": "Exists"}, True),  # any effect
    ({"operator": "Exists"}, True),  # an empty key with Exists tolerates everything
    ({"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule", "operator": "Exists"}, False),
    ({"key": "node.kubernetes.io/not-ready", "operator": "Exists"}, False),
    ({"key": "node.kubernetes.io/unreachable", "value": ""}, True),  # Equal by default, empty value
    ({"key": "node.kubernetes.io/unreachable", "value": "x"}, False),
    ({"key": "node.kubernetes.io/unreachable", "operator": "Gt"}, False),  # unknown operator
], ids=lambda v: str(v))
def test_a_toleration_matches_a_taint_by_effect_key_and_operator(toleration, expected):
    assert toleration_tolerates(toleration, TAINT) is expected


def test_any_matching_toleration_is_enough():
    assert tolerates([{"key": "a", "operator": "Exists"}, {"operator": "Exists"}], TAINT)
    assert not tolerates([], TAINT)
