"""One source of truth for a node's allocatable: the Node a kubelet registers and the Node
``labkube.core.nodes.node_manifest`` builds (for tests and tools that make nodes without a
kubelet) hold the same allocatable: capacity less the hard eviction reservation
(pkg/kubelet/cm ``hardEvictionReservation``: 100Mi of memory, 10% of the root disk)."""

from labkube.core.clock import SimulatedClock
from labkube.core.nodes import node_manifest
from tests.core.kubelet.harness import NODE, Node


def test_a_node_manifest_has_the_allocatable_its_kubelet_registers():
    node = Node(cpu="2", memory="8Gi", pods="110")
    registered = node.admin.get("nodes", NODE)["status"]["allocatable"]
    built = node_manifest(NODE, 1, SimulatedClock(), cpu="2", memory="8Gi", pods="110")["status"]["allocatable"]
    assert built == registered
    assert built["ephemeral-storage"] == "96636764k" and built["memory"] == "8092Mi"
