"""The kubelet: one per node, running the pods bound to it through the runtime interface.

See :mod:`.kubelet` for the component and the modules it is made of: :mod:`.node_status`
(registration, Lease and status heartbeats), :mod:`.admission`, :mod:`.pod_workers` (the
per-pod state machine), :mod:`.images`, :mod:`.probes`, :mod:`.volumes`, :mod:`.env`,
:mod:`.status` and :mod:`.termination`. :mod:`.network` wraps a client to cut a kubelet off from
the API server (a partition).
"""

from labkube.core.kubelet.kubelet import Kubelet, KubeletConfig
from labkube.core.kubelet.network import APIUnreachable, PartitionableClient

__all__ = ["APIUnreachable", "Kubelet", "KubeletConfig", "PartitionableClient"]
