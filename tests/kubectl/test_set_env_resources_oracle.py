"""``kubectl set env`` and ``kubectl set resources`` print -- and send -- what the real kubectl
1.32 does, case by case.

The goldens in ``golden_set_env_resources/`` come from the real kubectl talking to the oracle
API server (``capture_set_env_resources.py``) holding the case's objects: ``<stem>.txt`` is
stdout, stderr and the exit code; ``<stem>.patches`` the PATCH requests kubectl sent (path,
server dry run or not, the strategic merge patch). Here the same objects are created in a
labkube Cluster, the same command runs through ``labkube.kubectl.run`` (in a folder holding the
case's files, with its stdin), and both the text and the patches must match.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from labkube.core.api.client import Client
from labkube.kubectl import run
from tests.kubectl.set_env_resources_cases import CASES
from tests.kubectl.test_ops_oracle import load

HERE = Path(__file__).parent
GOLDEN = HERE / "golden_set_env_resources"


class RecordingClient(Client):
    """A Client that remembers the PATCH requests, as the capture server does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.patches: list[dict] = []

    def patch(self, resource, name, patch, *, namespace=None, patch_type="strategic",
              subresource=None, dry_run=False, hand_over=False):
        rtype = self._rtype(resource)
        base = f"/apis/{rtype.group}/{rtype.version}" if rtype.group else f"/api/{rtype.version}"
        scope = f"/namespaces/{namespace}" if namespace else ""
        self.patches.append({"path": f"{base}{scope}/{rtype.plural}/{name}", "dryRun": dry_run,
                             "patch_type": patch_type, "body": json.loads(json.dumps(patch))})
        return super().patch(resource, name, patch, namespace=namespace, patch_type=patch_type,
                             subresource=subresource, dry_run=dry_run, hand_over=hand_over)


def labkube_run(case: dict, folder: Path, monkeypatch) -> tuple[str, list[dict]]:
    import labkube

    cluster = labkube.Cluster(nodes=0, seed=0)
    client = RecordingClient(cluster.server, cluster.client.user)
    cluster.client = client
    for namespace in sorted({o["metadata"].get("namespace", "default") for o in case.get("objects", [])} - {"default"}):
        client.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        client.create({"apiVersion": "v1", "kind": "ServiceAccount",
                       "metadata": {"name": "default", "namespace": namespace}})
    load(cluster, case.get("objects", []))
    for name, text in case.get("files", {}).items():
        (folder / name).write_text(text)
    monkeypatch.chdir(folder)
    result = run(cluster, case["command"], stdin=case.get("stdin"))
    return result.stdout + result.stderr + f"# exit {result.exit_code}\n", client.patches


def golden_patches(stem: str) -> list[dict]:
    """The PATCH requests kubectl sent; a ``--record`` change-cause loses the ``--server`` flag
    the capture added to kubectl's command line."""
    lines = (GOLDEN / f"{stem}.patches").read_text().splitlines()
    return [{**p, "body": json.loads(re.sub(r" --server=[^ \"]+", "", p["body"]))}
            for p in map(json.loads, lines)]


@pytest.mark.parametrize("case", CASES, ids=[c["stem"] for c in CASES])
def test_labkube_prints_what_real_kubectl_prints(case, tmp_path, monkeypatch):
    text, _ = labkube_run(case, tmp_path, monkeypatch)
    assert text == (GOLDEN / f"{case['stem']}.txt").read_text()


@pytest.mark.parametrize("case", CASES, ids=[c["stem"] for c in CASES])
def test_labkube_sends_the_patches_real_kubectl_sends(case, tmp_path, monkeypatch):
    _, sent = labkube_run(case, tmp_path, monkeypatch)
    expected = golden_patches(case["stem"])
    assert [p["patch_type"] for p in sent] == ["strategic"] * len(sent)
    assert [(p["path"], p["dryRun"], p["body"]) for p in sent] == \
        [(p["path"], p["dryRun"], p["body"]) for p in expected]
    assert all(p["contentType"] == "application/strategic-merge-patch+json" for p in expected)
