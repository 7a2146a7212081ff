"""Which pod updates start a pod sync.

The version of a pod that the kubelet's own status write made does not: syncing on the echo
of every own write would do nothing but compute the status again (the real kubelet's config
source passes on no status-only change). Any other new version does: a change to the spec,
labels, annotations or deletion, and a status someone else wrote, which the kubelet -- the
source of truth for pod status -- writes back.
"""

import pytest

from tests.core.kubelet.harness import Node, simple_pod


@pytest.fixture()
def running():
    node = Node()
    node.create(simple_pod("web", "nginx"))
    node.run(10)
    assert node.pod("web")["status"]["phase"] == "Running"
    worker = next(iter(node.kubelet.workers.values()))
    assert not worker._sync_scheduled
    return node, worker


def _with(pod, **changes):
    """A later version of ``pod`` (a new resourceVersion, as any write makes) with ``changes``."""
    new = {**pod, "metadata": dict(pod["metadata"]), "status": dict(pod["status"])}
    new["metadata"]["resourceVersion"] = str(int(pod["metadata"]["resourceVersion"]) + 1)
    for path, value in changes.items():
        part, key = path.split("__")
        new[part][key] = value
    return new


def test_the_echo_of_the_kubelet_s_own_status_write_starts_no_sync(running):
    node, worker = running
    current = node.pod("web")
    node.kubelet._pod_updated(worker.pod, current)
    assert not worker._sync_scheduled and worker.pod is current


CHANGES = [
    ("a label", {"metadata__labels": {"app": "other"}}),
    ("an annotation", {"metadata__annotations": {"note": "x"}}),
    ("the deletion", {"metadata__deletionTimestamp": "2025-01-01T00:01:00Z"}),
    ("a status someone else wrote", {"status__phase": "Unknown"}),
]


@pytest.mark.parametrize("case, changes", CHANGES, ids=[c[0] for c in CHANGES])
def test_other_changes_start_a_sync(running, case, changes):
    node, worker = running
    current = node.pod("web")
    node.kubelet._pod_updated(current, _with(current, **changes))
    assert worker._sync_scheduled


def test_a_status_someone_else_wrote_is_written_back():
    node = Node()
    node.create(simple_pod("web", "nginx"))
    node.run(10)
    pod = node.pod("web")
    conditions = [dict(c, status="False") if c["type"] == "Ready" else c for c in pod["status"]["conditions"]]
    node.admin.patch("pods", "web", {"status": {"conditions": conditions}}, namespace="default",
                     subresource="status")
    assert node.condition("web", "Ready")["status"] == "False"
    node.run(1)
    assert node.condition("web", "Ready")["status"] == "True"
