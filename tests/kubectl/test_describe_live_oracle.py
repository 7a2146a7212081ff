"""labkube's ``kubectl describe`` prints what the real kubectl 1.32 printed for live-cluster objects.

``capture_describe_live.py`` built each scenario of ``describe_live_cases.py`` (the docs'
manifests run to their documented states, rollouts, every kind of Service, failed and
cordoned nodes, RBAC, ...), stored the snapshot of every object and what the real kubectl
printed for ``kubectl describe <resource> <name>`` of each. Here the same command runs through
``labkube.kubectl.run`` against a client that answers GET and LIST from the stored snapshot
(as the oracle API server did), at the snapshot's ``now``: no kubectl, no cluster needed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import pytest

from labkube.core.api.labels import parse_field_selector, parse_selector
from labkube.core.api.resources import default_registry
from labkube.core.errors import not_found
from labkube.kubectl import run
from tests.kubectl.describe_live_cases import GOLDEN, SCENARIOS, load_snapshot

REGISTRY = default_registry()

class SnapshotClient:
    """GET and LIST over a stored snapshot, shaped as labkube's Client answers them."""

    def __init__(self, objects: list[dict]) -> None:
        self.objects = objects

    def _of(self, resource, namespace):
        rtype = REGISTRY.resolve(resource) if isinstance(resource, str) else resource
        return rtype, [o for o in self.objects
                       if (o["apiVersion"], o["kind"]) == (rtype.api_version, rtype.kind)
                       and (namespace is None or not rtype.namespaced or o["metadata"].get("namespace") == namespace)]

    def get(self, resource, name, namespace=None, **_):
        rtype, objects = self._of(resource, namespace)
        for obj in objects:
            if obj["metadata"]["name"] == name:
                return copy.deepcopy(obj)
        raise not_found(rtype.qualified_resource, name)

    def list(self, resource, namespace=None, *, label_selector=None, field_selector=None, **_):
        rtype, objects = self._of(resource, namespace)
        labels = parse_selector(label_selector or "")
        fields = parse_field_selector(field_selector or "")
        items = [{k: v for k, v in copy.deepcopy(o).items() if k not in ("apiVersion", "kind")} for o in objects
                 if labels.matches(o["metadata"].get("labels")) and all(
                     (str(_lookup(o, t.field)) == t.value) == (t.operator == "=") for t in fields.terms)]
        return {"apiVersion": rtype.api_version, "kind": rtype.list_kind, "metadata": {"resourceVersion": "100"},
                "items": items}


def _lookup(obj: dict, path: str):
    value = obj
    for part in path.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return "" if value is None else value


@dataclass
class FixedClock:
    at: float

    def now(self) -> float:
        return self.at


@dataclass
class SnapshotCluster:
    """What ``labkube.kubectl.run`` needs of a cluster: a client, the registry and a clock."""

    client: SnapshotClient
    clock: FixedClock
    registry = REGISTRY


_SNAPSHOTS: dict[str, dict] = {}


def _snapshot(stem: str) -> dict:
    if stem not in _SNAPSHOTS:
        _SNAPSHOTS[stem] = load_snapshot(stem)
    return _SNAPSHOTS[stem]


def _cases():
    for folder in sorted(p for p in GOLDEN.iterdir() if p.is_dir()):
        for record in _snapshot(folder.name)["commands"]:
            yield pytest.param(folder.name, record,
                               id=f"{folder.name.replace('_', ' ')}: kubectl {' '.join(record['args'])}")


def in_key_order(text: str, obj: dict) -> str:
    """``text`` with a Secret's or ConfigMap's Data entries in key order.

    describeSecret and describeConfigMap range over a Go map, so the real kubectl prints the
    keys in a different order from run to run; any order is as true as another. An entry
    starts at the line ``key:`` (a ConfigMap's is followed by ``----``) and runs to the next.
    """
    head, sep, rest = text.partition("Data\n====\n")
    end = rest.find("\nBinaryData\n====\n") if obj["kind"] == "ConfigMap" else rest.rindex("# exit")
    lines, tail = rest[:end].splitlines(keepends=True), rest[end:]
    keys = {key.replace("\x1b", "^[").replace("\r", "\\r") for key in obj.get("data") or {}}  # as printed
    starts = [i for i, line in enumerate(lines) if _starts_entry(line, lines[i + 1:i + 2], keys, obj["kind"])]
    if not starts:
        return text
    entries = ["".join(lines[a:b]) for a, b in zip(starts, starts[1:] + [len(lines)])]
    return head + sep + "".join(lines[: starts[0]]) + "".join(sorted(entries)) + tail


def _starts_entry(line: str, following: list[str], keys: set[str], kind: str) -> bool:
    key, colon, _ = line.partition(":")
    return bool(colon) and key in keys and (kind == "Secret" or following == ["----\n"])


@pytest.mark.parametrize("stem, record", list(_cases()))
def test_describe_of_a_live_object_matches_the_real_kubectl(stem, record):
    data = _snapshot(stem)
    client = SnapshotClient(data["objects"])
    cluster = SnapshotCluster(client, FixedClock(data["now"]))
    result = run(cluster, record["args"])
    got = result.stdout + result.stderr + f"# exit {result.exit_code}\n"
    want = (Path(GOLDEN) / stem / record["golden"]).read_text()
    resource, name = (record["args"] + [""])[1:3]
    if resource in ("secret", "configmap") and got != want:
        obj = client.get(resource, name, record["args"][4] if len(record["args"]) > 4 else "default")
        got, want = in_key_order(got, obj), in_key_order(want, obj)
    assert got == want


def test_every_scenario_was_captured():
    assert sorted(s.stem for s in SCENARIOS) == sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())
