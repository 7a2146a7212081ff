"""labkube's ``kubectl events`` prints what the real kubectl 1.32 prints, case by case.

The goldens in ``golden_events/`` come from the real kubectl talking to the oracle API server
(``capture_events.py``) holding the case's Events. Here the same Events are created through
labkube's API server in a cluster whose clock reads ``events_cases.NOW``, and the same command
runs through ``labkube.kubectl.run``: the LIST, the namespace, the field selector of ``--for``
and the storage order come from labkube's server, everything after from ``commands/events.py``.
Goldens hold stdout, then stderr, then the exit code.

``served`` cases (``-o json``/``-o yaml`` print server-assigned uids and resourceVersions) get
the fixture exactly as the oracle served it, from a test-side Client.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

import labkube
from labkube.core.api.client import Client
from labkube.kubectl import run
from tests.kubectl.events_cases import CASES, NOW, key_order

HERE = Path(__file__).parent


class ServedClient(Client):
    """A Client whose core/v1 Event LIST answers with the case's fixture, as the oracle did."""

    events: list[dict] = []

    def list(self, resource, namespace=None, **options):
        rtype = self._rtype(resource)
        if (rtype.group, rtype.plural) != ("", "events"):
            return super().list(resource, namespace, **options)
        items = [copy.deepcopy(e) for e in self.events
                 if namespace is None or e["metadata"]["namespace"] == namespace]
        items = [e for e in items if _matches(e, options.get("field_selector") or "")]
        return {"kind": "EventList", "apiVersion": "v1", "metadata": {"resourceVersion": "100"}, "items": items}


def _matches(event: dict, selector: str) -> bool:
    for term in filter(None, selector.split(",")):
        path, _, want = term.partition("=")
        value = event
        for part in path.split("."):
            value = (value or {}).get(part, "")
        if str(value) != want:
            return False
    return True


def create_events(cluster, events: list[dict]) -> None:
    """Create the fixture's Events through the API (the server assigns uid and resourceVersion)."""
    namespaces = {e["metadata"]["namespace"] for e in events}
    existing = {n["metadata"]["name"] for n in cluster.client.list("namespaces")["items"]}
    for name in sorted(namespaces - existing):
        cluster.client.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    for event in events:
        event = copy.deepcopy(event)
        for key in ("uid", "resourceVersion", "creationTimestamp"):
            event["metadata"].pop(key)
        cluster.client.create({"apiVersion": "v1", "kind": "Event", **event})


def labkube_output(case: dict) -> str:
    cluster = labkube.Cluster(nodes=0, seed=0)
    assert cluster.clock.now() == NOW, "the goldens' dates assume the simulated clock's start"
    events = key_order(case["fixture"](NOW))
    if case.get("served"):
        client = ServedClient(cluster.server, cluster.client.user)
        client.events = events
        cluster.client = client
    else:
        create_events(cluster, events)
    result = run(cluster, case["command"])
    return result.stdout + result.stderr + f"# exit {result.exit_code}\n"


@pytest.mark.parametrize("case", CASES, ids=[c["stem"] for c in CASES])
def test_labkube_prints_what_real_kubectl_prints_for_events(case):
    assert labkube_output(case) == (HERE / "golden_events" / f"{case['stem']}.txt").read_text()


def test_every_case_has_a_golden_and_every_golden_a_case():
    stems = {c["stem"] for c in CASES}
    assert len(stems) == len(CASES)
    assert stems == {p.stem for p in (HERE / "golden_events").glob("*.txt")}
