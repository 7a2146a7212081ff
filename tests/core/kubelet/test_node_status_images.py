"""The node status's image list: worked out again only when the runtime lists other images.

Every 10 s the kubelet checks whether its status changed (``nodeStatusUpdateFrequency``); the
images part of that check is sorted and digested once per different list the runtime gives
(an Image is frozen), so these tests check both that a change is still seen at the next
heartbeat and that an unchanged list is not worked out again.
"""

from labkube.core.kubelet import node_status
from tests.core.kubelet.harness import Node, simple_pod


def status_image_names(node):
    return [names for image in node.admin.get("nodes", "node-1")["status"].get("images") or []
            for names in image["names"]]


def test_an_image_removed_from_the_node_leaves_the_status_at_the_next_heartbeat():
    node = Node()
    node.create(simple_pod("web", "nginx:1.14.2"))
    node.run(12)
    assert "docker.io/library/nginx:1.14.2" in status_image_names(node)
    node.admin.delete("pods", "web", "default")
    node.run(60)
    node.runtime.remove_image("docker.io/library/nginx:1.14.2")
    node.run(10)
    assert "docker.io/library/nginx:1.14.2" not in status_image_names(node)


def test_an_unchanged_image_list_is_not_sorted_again(monkeypatch):
    node = Node()
    node.create(simple_pod("web", "nginx:1.14.2"))
    node.run(12)
    calls = []
    largest_first = node_status._largest_first
    monkeypatch.setattr(node_status, "_largest_first", lambda image: calls.append(image) or largest_first(image))
    node.run(100)  # ten heartbeats, the same images
    assert calls == []
