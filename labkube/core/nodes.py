"""The Node object a kubelet registers when it starts.

Mirrors pkg/kubelet/kubelet_node_status.go (``initialNode`` and the status setters in
pkg/kubelet/nodestatus): well-known labels (``kubernetes.io/hostname``, ``kubernetes.io/os``,
``kubernetes.io/arch`` and their ``beta.`` twins), capacity as the machine reports it (memory
in ``Ki``), allocatable, the four node conditions with the kubelet's reasons and messages,
addresses and ``nodeInfo``.

Allocatable is worked out here only (:func:`node_allocatable`, the kubelet's MachineInfo
setter with pkg/kubelet/cm's ``hardEvictionReservation``): of the default ``evictionHard``
thresholds, ``memory.available`` holds back 100Mi of memory and ``nodefs.available`` 10% of
the root disk's ephemeral-storage.

``spec.podCIDR`` would be assigned by kube-controller-manager's node IPAM controller; labkube
assigns the <index>-th /24 of the cluster CIDR ``10.244.0.0/14`` at registration (node 1:
``10.244.1.0/24``), so pod IPs are stable for a given node order. Node addresses come from
``172.18.0.0/16`` as kind's Docker network gives them (node 1: ``172.18.0.2``).
"""

from __future__ import annotations

import struct

from labkube import __version__
from labkube.core.api.quantity import BINARY_SI, Quantity, parse_quantity
from labkube.core.clock import Clock

KUBELET_VERSION = "v1.32.0"


def _memory_ki(quantity: str) -> int:
    return parse_quantity(quantity).value() // 1024


#: The kubelet's default ``evictionHard`` on Linux.
EVICTION_HARD = {"memory.available": "100Mi", "nodefs.available": "10%",
                 "imagefs.available": "15%", "nodefs.inodesFree": "5%"}
#: The signals whose threshold is held back from allocatable, and the resource it is taken from.
_RESERVING_SIGNALS = {"memory.available": "memory", "nodefs.available": "ephemeral-storage"}


def _float32(value: float) -> float:
    """``value`` rounded to a Go float32."""
    return struct.unpack("f", struct.pack("f", value))[0]


def threshold_quantity(threshold: str, capacity: Quantity) -> Quantity:
    """``GetThresholdQuantity``: an amount as it is, a percentage (parsed into a float32 as
    ``parsePercentage`` does) of the capacity, rounded down, in binary units."""
    if not threshold.endswith("%"):
        return parse_quantity(threshold)
    percentage = _float32(_float32(float(threshold[:-1])) / 100)
    return Quantity(int(float(capacity.value()) * percentage), BINARY_SI)


def hard_eviction_reservation(capacity: dict, thresholds: dict = EVICTION_HARD) -> dict[str, Quantity]:
    """``hardEvictionReservation``: what the hard eviction thresholds hold back, by resource."""
    reserved = {}
    for signal, threshold in thresholds.items():
        resource = _RESERVING_SIGNALS.get(signal)
        if resource is not None and resource in capacity:
            reserved[resource] = threshold_quantity(threshold, parse_quantity(capacity[resource]))
    return reserved


def node_allocatable(capacity: dict) -> dict[str, str]:
    """Allocatable as the kubelet's MachineInfo setter makes it: each capacity less its
    reservation, never below zero (no system-reserved or kube-reserved by default)."""
    reserved = hard_eviction_reservation(capacity)
    allocatable = {}
    for resource, amount in capacity.items():
        if resource not in reserved:
            allocatable[resource] = amount
            continue
        value = parse_quantity(amount) - reserved[resource]
        # Sent as kube-apiserver would store it: Go prints 96636764000 bytes (BinarySI, not a
        # multiple of 1024) as "96636764000", which the server reads back as DecimalSI and
        # writes "96636764k"; sending that saves it the rewrite.
        allocatable[resource] = str(parse_quantity(str(value))) if value.amount > 0 else "0"
    return allocatable


#: (type, status when True, reason and message when False, reason and message when True)
PRESSURE_CONDITIONS = {
    "MemoryPressure": (("KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                       ("KubeletHasInsufficientMemory", "kubelet has insufficient memory available")),
    "DiskPressure": (("KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                     ("KubeletHasDiskPressure", "kubelet has disk pressure")),
    "PIDPressure": (("KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                    ("KubeletHasInsufficientPID", "kubelet has insufficient PID available")),
}


def condition(ctype: str, status: str, reason: str, message: str, heartbeat: str, transition: str) -> dict:
    return {
        "lastHeartbeatTime": heartbeat,
        "lastTransitionTime": transition,
        "message": message,
        "reason": reason,
        "status": status,
        "type": ctype,
    }


def node_pod_cidr(index: int) -> str:
    """The node IPAM controller's pick: the index-th /24 of --cluster-cidr=10.244.0.0/14."""
    if not 0 < index < 1024:
        raise ValueError(f"node index {index} is outside the cluster CIDR 10.244.0.0/14 (1..1023)")
    return f"10.{244 + index // 256}.{index % 256}.0/24"


def node_internal_ip(index: int) -> str:
    """The machine's address on the cluster's network (172.18.0.0/16; .1 is the gateway)."""
    host = index + 1
    return f"172.18.{host // 256}.{host % 256}"


def node_conditions(timestamp: str, pressure: dict | None = None) -> list[dict]:
    """The kubelet's four conditions; ``pressure`` maps e.g. ``MemoryPressure`` to True."""
    pressure = pressure or {}
    out = []
    for ctype, (ok, bad) in PRESSURE_CONDITIONS.items():
        on = bool(pressure.get(ctype))
        reason, message = bad if on else ok
        out.append(condition(ctype, "True" if on else "False", reason, message, timestamp, timestamp))
    out.append(condition("Ready", "True", "KubeletReady", "kubelet is posting ready status",
                         timestamp, timestamp))
    return out


def _kibibytes(ki: int) -> str:
    """An amount of KiB as the kubelet's Go Quantity prints it: canonical, so a whole number
    of GiB or MiB gets that suffix (``8388608Ki`` is ``8Gi``; a real machine's odd byte count
    stays in ``Ki``). The API server would store it canonical anyway; sent canonical, it needs
    no rewriting on the way."""
    return str(parse_quantity(f"{ki}Ki"))


def node_manifest(name: str, index: int, clock: Clock, *, cpu: str, memory: str, pods: str,
                  runtime_version: str = "", labels: dict | None = None,
                  taints: list | None = None) -> dict:
    """The Node a fresh kubelet on machine number ``index`` registers (status included).

    ``runtime_version`` is what the runtime reports (``containerd://1.7.24``); ``labels`` are
    added to the well-known ones (``--node-labels``); ``taints`` are registered with the node
    (``--register-with-taints``).
    """
    memory_ki = _memory_ki(memory)
    storage_ki = 100 * 1024 * 1024  # a 100Gi root disk
    capacity = {
        "cpu": cpu,
        "ephemeral-storage": _kibibytes(storage_ki),
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": _kibibytes(memory_ki),
        "pods": pods,
    }
    allocatable = node_allocatable(capacity)
    pod_cidr = node_pod_cidr(index)
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": dict(sorted({
                "beta.kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                **(labels or {}),
            }.items())),
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": {"podCIDR": pod_cidr, "podCIDRs": [pod_cidr], **({"taints": list(taints)} if taints else {})},
        "status": {
            "addresses": [
                {"address": node_internal_ip(index), "type": "InternalIP"},
                {"address": name, "type": "Hostname"},
            ],
            "allocatable": allocatable,
            "capacity": capacity,
            "conditions": node_conditions(clock.timestamp()),
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": clock.uuid(),
                "containerRuntimeVersion": runtime_version or f"labkube-sim://{__version__}",
                "kernelVersion": "6.1.0-labkube",
                "kubeProxyVersion": KUBELET_VERSION,
                "kubeletVersion": KUBELET_VERSION,
                "machineID": clock.uuid().replace("-", ""),
                "operatingSystem": "linux",
                "osImage": "labkube simulated node",
                "systemUUID": clock.uuid(),
            },
        },
    }
