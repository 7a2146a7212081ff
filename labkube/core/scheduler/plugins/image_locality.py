"""ImageLocality: prefer nodes that already have the pod's images.

Mirrors pkg/scheduler/framework/plugins/imagelocality. For every container image (init and
app) the node has (``status.images[].names``, the name normalized with ``:latest`` when it
has no tag), add ``size × (nodes having it / all nodes)`` — the spread factor keeps every
pod from piling onto the one node that has a big image. The sum is clamped to
[23Mi, 1000Mi × number of containers] and scaled to 0..100.
"""

from __future__ import annotations

from labkube.core.scheduler.framework import repeated_score

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
        return self._score(_spreads(state.snapshot, pod), len(pod.images), node)

    @staticmethod
    def _score(spreads, num_containers: int, node) -> int:
        """``sumImageScores`` then ``calculatePriority``; ``spreads``: (image, nodes/all)."""
        scores = 0
        for image, spread in spreads:
            size = node.image_sizes.get(image)
            if size is not None:
                scores += int(size * spread)
        return calculate_priority(scores, num_containers)

    def score_nodes(self, state, pod, nodes):
        snapshot = state.snapshot
        spreads = _spreads(snapshot, pod)
        if snapshot is not None and _best_case(snapshot, spreads) <= MIN_THRESHOLD:
            return repeated_score(0, len(nodes))  # no node can score above 0
        score, count = self._score, len(pod.images)
        return [0 if not n.image_sizes else score(spreads, count, n) for n in nodes]

    def events_to_register(self):
        return [("Node", "Add"), ("Node", "Update")]


def _spreads(snapshot, pod) -> list[tuple[str, float]]:
    """Per container (init containers first): its normalized image and ``spread``, the
    share of all nodes that have that image (``scaledImageScore``'s factor)."""
    total = len(snapshot) if snapshot is not None else 1
    counts = snapshot.image_num_nodes if snapshot is not None else {}
    out = []
    for image in pod.images:
        image = normalized_image_name(image)
        out.append((image, counts.get(image, 1) / total))
    return out


def _best_case(snapshot, spreads) -> int:
    """The highest sum any node could reach: every image at its largest reported size."""
    return sum(int(snapshot.max_image_size(image) * spread) for image, spread in spreads)


def new(args=None, handle=None) -> ImageLocality:
    return ImageLocality()
