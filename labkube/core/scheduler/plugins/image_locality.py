"""ImageLocality: prefer nodes that already have the pod's images.

Mirrors pkg/scheduler/framework/plugins/imagelocality. For every container image (init and
app) the node has (``status.images[].names``, the name normalized with ``:latest`` when it
has no tag), add ``size × (nodes having it / all nodes)`` — the spread factor keeps every
pod from piling onto the one node that has a big image. The sum is clamped to
[23Mi, 1000Mi × number of containers] and scaled to 0..100.
"""

from __future__ import annotations

NAME = "ImageLocality"
MB = 1024 * 1024
MIN_THRESHOLD = 23 * MB
MAX_CONTAINER_THRESHOLD = 1000 * MB


def normalized_image_name(name: str) -> str:
    """Append ``:latest`` when the reference has no tag."""
    if name.rfind(":") <= name.rfind("/"):
        return name + ":latest"
    return name


def calculate_priority(sum_scores: int, num_containers: int) -> int:
    max_threshold = MAX_CONTAINER_THRESHOLD * max(num_containers, 1)
    sum_scores = min(max(sum_scores, MIN_THRESHOLD), max_threshold)
    return 100 * (sum_scores - MIN_THRESHOLD) // (max_threshold - MIN_THRESHOLD)


class ImageLocality:
    name = NAME

    def score(self, state, pod, node):
        snapshot = state.snapshot
        total = len(snapshot) if snapshot is not None else 1
        counts = snapshot.image_num_nodes if snapshot is not None else {}
        scores = 0
        for image in pod.images:
            image = normalized_image_name(image)
            size = node.image_sizes.get(image)
            if size is not None:
                scores += int(size * (counts.get(image, 1) / total))
        return calculate_priority(scores, len(pod.images))

    def score_nodes(self, state, pod, nodes):
        counts = state.snapshot.image_num_nodes if state.snapshot is not None else {}
        if not any(counts.get(normalized_image_name(i)) for i in pod.images):
            return [0] * len(nodes)  # no node has any of the images
        score = self.score
        return [0 if not n.image_sizes else score(state, pod, n) for n in nodes]

    def events_to_register(self):
        return [("Node", "Add"), ("Node", "Update")]


def new(args=None, handle=None) -> ImageLocality:
    return ImageLocality()
