"""The kubelet's resource amounts: cpu in millicores, memory in bytes, parsed once per value."""

import pytest

from labkube.core.kubelet.admission import pod_requests, resource_amount


@pytest.mark.parametrize("resource, value, expected", [
    ("cpu", "250m", 250),
    ("cpu", "1", 1000),
    ("cpu", 2, 2000),
    ("cpu", "0.1", 100),
    ("cpu", "1u", 1),  # rounded up to a whole millicore, as MilliValue() does
    ("memory", "64Mi", 64 * 1024 * 1024),
    ("memory", "1G", 10**9),
    ("memory", "1.5Ki", 1536),
    ("memory", "100m", 1),  # rounded up to a whole byte
])
def test_a_quantity_becomes_an_integer_amount(resource, value, expected):
    assert resource_amount(resource, value) == expected


def test_a_malformed_quantity_still_raises_each_time():
    for _ in range(2):
        with pytest.raises(ValueError):
            resource_amount("cpu", "lots")


def test_pod_requests_add_containers_and_overhead_and_take_the_largest_init_container():
    spec = {
        "containers": [{"resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}},
                       {"resources": {"requests": {"cpu": "150m"}}}],
        "initContainers": [{"resources": {"requests": {"cpu": "500m", "memory": "1Mi"}}}],
        "overhead": {"cpu": "10m"},
    }
    assert pod_requests({"spec": spec}) == {"cpu": 510, "memory": 64 * 1024 * 1024}
