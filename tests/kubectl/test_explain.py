"""``kubectl explain``: kubectl 1.32's plaintext template, with go-wordwrap's line breaking.

The expected text of the maxSurge case is the head of real ``kubectl explain
deployment.spec.strategy.rollingUpdate.maxSurge`` output (kubectl 1.32 against a v1.32 server).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from labkube.core.api.resources import Registry, default_registry
from labkube.core.clock import SimulatedClock
from labkube.kubectl import run
from labkube.kubectl.commands.explain import indent, wrap


@dataclass
class OfflineCluster:
    registry: Registry = field(default_factory=default_registry)
    clock: SimulatedClock = field(default_factory=lambda: SimulatedClock(seed=0))
    client: Any = None


REAL_MAX_SURGE_HEAD = """GROUP:      apps
KIND:       Deployment
VERSION:    v1

FIELD: maxSurge <IntOrString>


DESCRIPTION:
    The maximum number of pods that can be scheduled above the desired number of
    pods. Value can be an absolute number (ex: 5) or a percentage of desired
    pods (ex: 10%). This can not be 0 if MaxUnavailable is 0. Absolute number is
    calculated from percentage by rounding up. Defaults to 25%. Example: when
"""


def test_a_field_explanation_matches_real_kubectl():
    text = str(run(OfflineCluster(), "explain deployment.spec.strategy.rollingUpdate.maxSurge"))
    assert text.startswith(REAL_MAX_SURGE_HEAD)


def test_a_kind_explanation_lists_fields_with_types_and_required_marks():
    text = str(run(OfflineCluster(), "explain pods.spec"))
    assert text.startswith("KIND:       Pod\nVERSION:    v1\n\nFIELD: spec <PodSpec>\n\n\nDESCRIPTION:\n")
    assert "\nFIELDS:\n  activeDeadlineSeconds\t<integer>\n" in text
    assert "\n  containers\t<[]Container> -required-\n" in text


def test_core_kinds_have_no_group_line_and_named_groups_do():
    assert str(run(OfflineCluster(), "explain configmaps")).startswith("KIND:       ConfigMap\n")
    assert str(run(OfflineCluster(), "explain deploy")).startswith("GROUP:      apps\nKIND:       Deployment\n")


def test_recursive_lists_nested_names_only():
    text = str(run(OfflineCluster(), "explain deployment.spec.selector --recursive"))
    assert "\n  matchExpressions\t<[]LabelSelectorRequirement>\n    key\t<string> -required-\n" in text


def test_unknown_resource_and_field_are_errors():
    assert str(run(OfflineCluster(), "explain flurbs")) == 'error: the server doesn\'t have a resource type "flurbs"\n'
    assert str(run(OfflineCluster(), "explain pods.spec.nope")) == 'error: field "nope" does not exist\n'


WRAPS = [
    ("short text is untouched", "hello world", 76, "hello world"),
    ("breaks at the last space that fits", "aaa bbb ccc", 7, "aaa bbb\nccc"),
    ("a word longer than the limit stays whole", "tiny enormousword x", 5, "tiny\nenormousword\nx"),
    ("existing newlines are kept", "one\ntwo", 76, "one\ntwo"),
    ("the space at a break is dropped", "ab cd", 2, "ab\ncd"),
]


@pytest.mark.parametrize("text,limit,expected", [w[1:] for w in WRAPS], ids=[w[0] for w in WRAPS])
def test_wrap_follows_go_wordwrap(text, limit, expected):
    assert wrap(text, limit) == expected


def test_indent_pads_every_line_like_sprig():
    assert indent("a\nb\n", 4) == "    a\n    b\n    "
