"""The node lifecycle, taint eviction and pod GC controllers write as kube-controller-manager does.

Taints go on and off a Node through ``PatchNodeTaints`` (a strategic merge PATCH carrying the
resourceVersion read and the whole taint list), adding and removing as two requests; a pod's
DisruptionTarget condition and PodGC's Failed phase through ``PatchPodStatus`` (a PATCH of
``pods/status`` with the pod's UID as a precondition). So the audit log shows ``patch`` where
labkube once showed ``update``.
"""

from __future__ import annotations

import labkube
from labkube.core.controllers.node_lifecycle import swap_node_taints
from labkube.core.controllers.pods import patch_pod_status

CONTROLLER = "system:serviceaccount:kube-system:node-controller"


class RecordingClient:
    """The cluster's client, remembering each PATCH body."""

    def __init__(self, client):
        self.client, self.patches = client, []

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def patch(self, resource, name, patch, **kwargs):
        self.patches.append((resource, name, patch, kwargs.get("subresource")))
        return self.client.patch(resource, name, patch, **kwargs)


def _taint(key, effect="NoExecute"):
    return {"key": key, "effect": effect}


def test_swapping_taints_adds_then_removes_each_with_its_own_patch():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.run(5)
    client = RecordingClient(cluster.client)
    assert swap_node_taints(client, cluster.clock, "node-1", [_taint("node.kubernetes.io/not-ready")], [])
    node = cluster.get("nodes", "node-1")
    assert swap_node_taints(client, cluster.clock, "node-1", [_taint("node.kubernetes.io/unreachable")],
                            [_taint("node.kubernetes.io/not-ready")], node)
    bodies = [patch for _, _, patch, _ in client.patches]
    assert len(bodies) == 3
    stamped = {"timeAdded": cluster.clock.timestamp()}
    assert bodies[1]["spec"]["taints"] == [dict(_taint("node.kubernetes.io/not-ready"), **stamped),
                                           dict(_taint("node.kubernetes.io/unreachable"), **stamped)]
    assert bodies[2]["spec"]["taints"] == [dict(_taint("node.kubernetes.io/unreachable"), **stamped)]
    assert all(set(body["metadata"]) == {"resourceVersion"} for body in bodies)
    assert cluster.get("nodes", "node-1")["spec"]["taints"] == bodies[2]["spec"]["taints"]


def test_removing_the_last_taint_deletes_the_list_and_a_cached_node_without_it_skips_the_request():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.run(5)
    client = RecordingClient(cluster.client)
    swap_node_taints(client, cluster.clock, "node-1", [_taint("example.com/x")], [])
    swap_node_taints(client, cluster.clock, "node-1", [], [_taint("example.com/x")])
    assert client.patches[-1][2]["spec"] == {"taints": None}
    assert "taints" not in cluster.get("nodes", "node-1")["spec"]
    untainted = cluster.get("nodes", "node-1")
    before = len(client.patches)
    assert swap_node_taints(client, cluster.clock, "node-1", [], [_taint("example.com/x")], untainted)
    assert len(client.patches) == before


def test_a_stale_resource_version_in_the_patch_is_a_conflict_that_is_read_again():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.run(5)

    class RacingClient(RecordingClient):
        raced = False

        def get(self, *args, **kwargs):
            node = self.client.get(*args, **kwargs)
            if not self.raced:  # another writer changes the node between our GET and PATCH
                self.raced = True
                self.client.patch("nodes", "node-1", {"metadata": {"labels": {"other": "writer"}}})
            return node

    client = RacingClient(cluster.client)
    assert swap_node_taints(client, cluster.clock, "node-1", [_taint("example.com/x")], [])
    assert len(client.patches) == 2
    node = cluster.get("nodes", "node-1")
    assert node["metadata"]["labels"]["other"] == "writer"
    assert [t["key"] for t in node["spec"]["taints"]] == ["example.com/x"]


def test_a_pod_status_patch_carries_the_uid_and_only_what_changed():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("run web --image=nginx:1.27")
    cluster.run(20)
    pod = cluster.get("pods", "web", "default")
    status = dict(pod["status"], phase="Failed")
    client = RecordingClient(cluster.client)
    patch_pod_status(client, pod, status)
    body = client.patches[0][2]
    assert client.patches[0][3] == "status"
    assert body == {"metadata": {"uid": pod["metadata"]["uid"]}, "status": {"phase": "Failed"}}
    assert cluster.get("pods", "web", "default")["status"]["phase"] == "Failed"


def _controller_writes(cluster, since):
    return [(r.verb, r.resource + (f"/{r.subresource}" if r.subresource else ""))
            for r in cluster.audit(since=since) if r.user == CONTROLLER and r.resource != "events"]


def test_a_failed_node_is_tainted_and_its_pods_marked_by_patches_as_kube_controller_manager_does():
    cluster = labkube.Cluster(nodes=2, seed=0)
    cluster.kubectl("create deployment web --image=nginx:1.27 --replicas=2")
    cluster.run(20)
    mark = cluster.audit_log.last_seq
    cluster.fail_node("node-2")
    cluster.run(400)
    writes = _controller_writes(cluster, mark)
    assert ("update", "nodes") not in writes and ("update", "pods/status") in writes  # MarkPodsNotReady
    assert writes.count(("patch", "nodes")) == 2  # NoSchedule, then NoExecute unreachable
    assert ("patch", "pods/status") in writes  # the DisruptionTarget condition, before the delete
    assert writes.index(("patch", "pods/status")) < writes.index(("delete", "pods"))
    mark = cluster.audit_log.last_seq
    cluster.recover_node("node-2")
    cluster.run(60)
    assert _controller_writes(cluster, mark).count(("patch", "nodes")) == 2  # each taint off on its own
    assert "taints" not in cluster.get("nodes", "node-2")["spec"]
