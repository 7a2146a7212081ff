"""labkube's operations commands print what the real kubectl 1.32 prints, case by case.

The goldens in ``golden_ops/`` come from the real kubectl talking to the oracle API server
(``capture_ops.py``) holding the case's objects; here the same objects are created in a
labkube Cluster and the same command runs through ``labkube.kubectl.run``. Goldens hold
stdout, then stderr, then the exit code, so both streams are compared that way. Logs and
metrics come from a test-side Client subclass with the Client methods labkube's API server
offers for them (``pod_logs``, ``node_metrics``, ``pod_metrics``).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from labkube.core.api.client import Client
from labkube.kubectl import run
from tests.kubectl.ops_cases import CASES, METRICS_NODES, METRICS_PODS

HERE = Path(__file__).parent


class CaseClient(Client):
    """A Client with the case's pod logs and metrics."""

    logs: dict[str, str] = {}
    metrics = False

    def pod_logs(self, name, namespace, *, container=None, previous=False, tail_lines=None,
                 timestamps=False):
        self.get("pods", name, namespace)
        return self.logs[name]

    def node_metrics(self):
        if not self.metrics:
            from labkube.core.errors import StatusError

            raise StatusError(404, "NotFound", "the server could not find the requested resource")
        return copy.deepcopy(METRICS_NODES)

    def pod_metrics(self, namespace=None):
        return copy.deepcopy(METRICS_PODS)


def load(cluster, objects: list[dict]) -> None:
    """Create the case's objects; owner uids point at the objects created here."""
    from labkube.core.errors import StatusError

    try:  # pods need the namespace's default ServiceAccount (its controller may not run here)
        cluster.client.create({"apiVersion": "v1", "kind": "ServiceAccount",
                               "metadata": {"name": "default", "namespace": "default"}})
    except StatusError as err:
        if err.code != 409:
            raise
    uids: dict[str, str] = {}
    for obj in objects:
        obj = copy.deepcopy(obj)
        status = obj.pop("status", None)
        meta = obj["metadata"]
        for key in ("uid", "creationTimestamp", "generation"):
            meta.pop(key, None)
        for ref in meta.get("ownerReferences") or []:
            ref["uid"] = uids.get(ref["name"], ref["uid"])
        created = cluster.client.create(obj)
        uids[meta["name"]] = created["metadata"]["uid"]
        if status:
            created["status"] = status
            cluster.client.update(created, subresource="status")


def labkube_output(case: dict) -> str:
    import labkube

    cluster = labkube.Cluster(nodes=0, seed=0)
    client = CaseClient(cluster.server, cluster.client.user)
    client.logs = case.get("logs", {})
    client.metrics = case.get("metrics", False)
    cluster.client = client
    load(cluster, case.get("objects", []))
    result = run(cluster, case["command"])
    return result.stdout + result.stderr + f"# exit {result.exit_code}\n"


@pytest.mark.parametrize("case", CASES, ids=[c["stem"] for c in CASES])
def test_labkube_prints_what_real_kubectl_prints_for_operations(case):
    assert labkube_output(case) == (HERE / "golden_ops" / f"{case['stem']}.txt").read_text()
