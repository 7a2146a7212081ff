"""Node addressing scales past 255 nodes, as kube-controller-manager's IPAM does."""

import pytest

from labkube.core.nodes import node_internal_ip, node_pod_cidr


@pytest.mark.parametrize("index, cidr, ip", [
    (1, "10.244.1.0/24", "172.18.0.2"),
    (255, "10.244.255.0/24", "172.18.1.0"),
    (256, "10.245.0.0/24", "172.18.1.1"),
    (1000, "10.247.232.0/24", "172.18.3.233"),
])
def test_the_nth_node_gets_the_nth_slice_of_the_cluster_cidr(index, cidr, ip):
    assert (node_pod_cidr(index), node_internal_ip(index)) == (cidr, ip)


def test_a_node_beyond_the_cluster_cidr_is_refused():
    with pytest.raises(ValueError, match="outside the cluster CIDR"):
        node_pod_cidr(1024)
