"""ImageLocality: nodes that already have the pod's images score higher, scaled by spread."""

import pytest

from labkube.core.scheduler.plugins import image_locality
from labkube.core.scheduler.plugins.image_locality import normalized_image_name
from tests.core.scheduler.harness import scores
from tests.core.scheduler.objects import node, pod

MB = 1024 * 1024


@pytest.mark.parametrize("name, images_per_node, image, expected", [
    ("a node with the image scores by size times the share of nodes having it",
     {"n1": [(["web:1.0"], 250 * MB)], "n2": []}, "web:1.0", {"n1": (10, 10), "n2": (0, 0)}),
    ("an image on every node counts in full",
     {"n1": [(["web:1.0"], 250 * MB)], "n2": [(["web:1.0"], 250 * MB)]}, "web:1.0",
     {"n1": (23, 23), "n2": (23, 23)}),
    ("images below the 23Mi threshold score nothing",
     {"n1": [(["tiny:1"], 20 * MB)], "n2": [(["tiny:1"], 20 * MB)]}, "tiny:1", {"n1": (0, 0), "n2": (0, 0)}),
    ("an image without a tag is looked up as :latest",
     {"n1": [(["docker.io/library/nginx:latest", "nginx:latest"], 1200 * MB)], "n2": []}, "nginx",
     {"n1": (59, 59), "n2": (0, 0)}),
    ("a huge image is capped at 1000Mi per container",
     {"n1": [(["big:1"], 5000 * MB)], "n2": [(["big:1"], 5000 * MB)]}, "big:1",
     {"n1": (100, 100), "n2": (100, 100)}),
])
def test_image_locality_score(name, images_per_node, image, expected):
    nodes = [node(n, images=imgs) for n, imgs in images_per_node.items()]
    assert scores(image_locality.new(), pod("p", image=image), nodes) == expected


@pytest.mark.parametrize("name, given, normalized", [
    ("an image with a tag is kept", "nginx:1.27", "nginx:1.27"),
    ("an image without a tag gets latest", "nginx", "nginx:latest"),
    ("a registry port is not a tag", "localhost:5000/app", "localhost:5000/app:latest"),
])
def test_normalized_image_name(name, given, normalized):
    assert normalized_image_name(given) == normalized
