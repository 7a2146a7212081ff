"""Generators (``kubectl create deployment|configmap|secret generic|namespace|...``) print
byte-for-byte what real kubectl 1.32 prints with ``--dry-run=client``.

The goldens under ``golden_generators/`` were captured from the real kubectl by
``capture_generators.py``; the command lines are in ``generator_cases.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from labkube.core.api.resources import Registry, default_registry
from labkube.core.clock import SimulatedClock
from labkube.kubectl import run
from labkube.kubectl.commands.create import build_deployment, container_names, parse_literal
from labkube.kubectl.errors import KubectlError

from tests.kubectl.generator_cases import CASES, FILES

GOLDEN = Path(__file__).parent / "golden_generators"


@dataclass
class OfflineCluster:
    """Just what ``--dry-run=client`` generators read: the registry and the clock."""

    registry: Registry = field(default_factory=default_registry)
    clock: SimulatedClock = field(default_factory=lambda: SimulatedClock(seed=0))
    client: Any = None


@pytest.fixture()
def workdir(tmp_path):
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    previous = os.getcwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(previous)


@pytest.mark.parametrize("stem,command", CASES, ids=[c[0] for c in CASES])
def test_generator_output_matches_real_kubectl_byte_for_byte(workdir, stem, command):
    result = run(OfflineCluster(), command)
    got = str(result) + f"# exit {result.exit_code}\n"
    assert got == (GOLDEN / f"{stem}.txt").read_text()


@pytest.mark.parametrize(
    "images,expected",
    [
        (["nginx"], ["nginx"]),
        (["nginx:1.27"], ["nginx"]),
        (["registry.k8s.io/pause:3.9"], ["pause"]),
        (["busybox@sha256:abc"], ["busybox"]),
        (["my_app"], ["my-app-sfx01"]),
        (["repo/some.thing:2"], ["some-thing-sfx01"]),
    ],
    ids=[
        "a bare image names its container",
        "a tag is dropped",
        "the registry path is dropped",
        "a digest is dropped",
        "underscores become dashes plus a random suffix",
        "dots become dashes plus a random suffix",
    ],
)
def test_container_names_follow_kubectl(images, expected):
    assert container_names(images, lambda: "sfx01") == expected


def test_deployment_random_suffix_comes_from_the_seeded_cluster_clock():
    first = run(OfflineCluster(), "create deployment w --image=my_app --dry-run=client -o name")
    one = run(OfflineCluster(), "create deployment w --image=my_app --dry-run=client -o yaml").stdout
    two = run(OfflineCluster(), "create deployment w --image=my_app --dry-run=client -o yaml").stdout
    assert first.exit_code == 0 and one == two and "name: my-app-" in one


@pytest.mark.parametrize(
    "source,expected",
    [
        ("a=1", ("a", "1")),
        ("a=b=c", ("a", "b=c")),
        ("msg='hi there'", ("msg", "hi there")),
        ('n="42"', ("n", "42")),
        ("empty=", ("empty", "")),
    ],
    ids=["a simple pair", "only the first = splits", "single quotes are trimmed",
         "double quotes are trimmed", "an empty value is allowed"],
)
def test_literal_sources_parse_like_kubectl(source, expected):
    assert parse_literal(source) == expected


@pytest.mark.parametrize("source", ["a", "=b"], ids=["no equals sign", "no key"])
def test_bad_literal_sources_are_refused(source):
    with pytest.raises(KubectlError, match=f"invalid literal source {source}, expected key=value"):
        parse_literal(source)


def test_build_deployment_keeps_go_field_order_for_json():
    obj = build_deployment("web", ["nginx"], replicas=2)
    assert list(obj) == ["kind", "apiVersion", "metadata", "spec", "status"]
    assert list(obj["spec"]) == ["replicas", "selector", "template", "strategy"]
    assert list(obj["metadata"]) == ["name", "creationTimestamp", "labels"]
