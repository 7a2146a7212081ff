"""The machines of the cluster: a kubelet and a container runtime per node, and their failures.

Mirrors what is *outside* Kubernetes in a real cluster — the machines, their network and the
processes on them — so that failures can be injected the way they happen:

* ``fail_node``: the machine dies. Its kubelet stops and every container on it is gone. The API
  still says the pods are Running until the node lifecycle controller notices the missing
  heartbeats (50 s) and the taint eviction controller evicts them (300 s more, by default) —
  what real Kubernetes does, and what surprises students.
* ``recover_node``: the machine boots again; the kubelet starts, re-registers and heartbeats.
* ``partition_node``: the machine is fine (containers keep running) but its kubelet cannot reach
  the API server; ``heal_partition`` reconnects it.
* ``crash_container``: one container's process is killed; the restart policy decides.
* ``set_node_conditions``: the kubelet reports MemoryPressure / DiskPressure / PIDPressure.

``pod_http`` and ``pod_tcp`` are how the service proxy reaches a pod: they find the node whose
runtime holds the pod's sandbox and ask that runtime (a model; no simulated IP is dialed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from labkube.core.api import auth
from labkube.core.api.client import Client
from labkube.core.errors import StatusError
from labkube.core.kubelet import Kubelet, KubeletConfig, PartitionableClient
from labkube.core.machinery import ErrorLog, EventNamer
from labkube.core.network import NodeNetwork
from labkube.core.nodes import node_internal_ip
from labkube.runtime.cri import ConnectionFailed
from labkube.runtime.sim import SimRuntime

#: The images kind's node image ships, so its add-on pods start without a pull ("Container
#: image ... already present on machine"): CoreDNS and kube-proxy, whose Deployment and
#: DaemonSet kubeadm creates.
NODE_IMAGE_PRELOADS = ("registry.k8s.io/coredns/coredns:v1.11.3", "registry.k8s.io/kube-proxy:v1.32.0")


@dataclass
class Machine:
    """One node: the kubelet, its runtime, and the wire between the kubelet and the API."""

    name: str
    index: int
    kubelet: Kubelet
    runtime: SimRuntime
    wire: PartitionableClient
    failed: bool = False

    @property
    def ip(self) -> str:
        return node_internal_ip(self.index)


class NodePool:
    """Creates machines and injects their failures; the cluster facade delegates here."""

    def __init__(self, server: Any, clock: Any, errors: ErrorLog, namer: EventNamer,
                 dns: Any, proxy: Any, admin: Client,
                 kubelet_config: Optional[KubeletConfig] = None) -> None:
        self.server = server
        self.clock = clock
        self.errors = errors
        self.namer = namer
        self.dns = dns
        self.proxy = proxy
        self.admin = admin
        self.kubelet_config = kubelet_config or KubeletConfig()
        self.machines: dict[str, Machine] = {}
        self._next_index = 0

    # -- machines --------------------------------------------------------------------------
    def add(self, name: Optional[str] = None, *, cpu: str = "2", memory: str = "8Gi",
            pods: str = "110", labels: Optional[dict] = None, taints: Optional[list] = None) -> Machine:
        self._next_index += 1
        index = self._next_index
        name = name or f"node-{index}"
        if name in self.machines:
            raise ValueError(f'a node named "{name}" already exists')
        ip = node_internal_ip(index)
        runtime = SimRuntime(self.clock, name, network=NodeNetwork(self.dns, self.proxy, ip),
                             preloaded=NODE_IMAGE_PRELOADS)
        wire = PartitionableClient(Client(self.server, auth.node(name)))
        kubelet = Kubelet(wire, self.clock, runtime, name, self.errors, self.namer, index=index,
                          cpu=cpu, memory=memory, pods=pods, labels=labels, taints=taints,
                          config=self.kubelet_config)
        machine = Machine(name, index, kubelet, runtime, wire)
        self.machines[name] = machine
        kubelet.start()
        return machine

    def remove(self, name: str) -> None:
        """Take the machine away and delete its Node object (as ``kubectl delete node`` after)."""
        machine = self.get(name)
        machine.kubelet.stop()
        machine.kubelet.kill_all_containers()
        del self.machines[name]
        try:
            self.admin.delete("nodes", name)
        except StatusError as err:
            if err.code != 404:
                raise

    def get(self, name: str) -> Machine:
        if name not in self.machines:
            known = ", ".join(sorted(self.machines)) or "none"
            raise ValueError(f'no node named "{name}" (nodes: {known})')
        return self.machines[name]

    # -- failures ---------------------------------------------------------------------------
    def fail(self, name: str) -> None:
        machine = self.get(name)
        machine.failed = True
        machine.kubelet.stop()
        machine.kubelet.kill_all_containers()

    def recover(self, name: str) -> None:
        machine = self.get(name)
        machine.failed = False
        machine.wire.heal()
        machine.kubelet.start()

    def partition(self, name: str) -> None:
        self.get(name).wire.sever()

    def heal(self, name: str) -> None:
        self.get(name).wire.heal()

    def crash_container(self, namespace: str, pod: str, container: Optional[str] = None) -> None:
        self._machine_of(namespace, pod).kubelet.crash_container(namespace, pod, container)

    def set_conditions(self, name: str, **pressure: bool) -> None:
        self.get(name).kubelet.set_node_conditions(**pressure)

    # -- reaching pods ------------------------------------------------------------------------
    def _machine_of(self, namespace: str, pod: str) -> Machine:
        for machine in self.machines.values():
            if machine.kubelet.running or not machine.failed:
                if machine.kubelet.worker_for(namespace, pod) is not None:
                    return machine
        raise ValueError(f'pod "{namespace}/{pod}" is not running on any node')

    def _pod_ip(self, namespace: str, pod: str) -> tuple[Machine, str]:
        for machine in self.machines.values():
            if machine.failed:
                continue
            worker = machine.kubelet.worker_for(namespace, pod)
            if worker is not None and worker.pod_ip:
                return machine, worker.pod_ip
        raise ConnectionFailed(f"dial tcp: pod {namespace}/{pod}: connect: no route to host")

    def pod_http(self, namespace: str, pod: str, port: int, path: str,
                 method: str = "GET") -> tuple[int, str, dict]:
        machine, ip = self._pod_ip(namespace, pod)
        response = machine.runtime.http_get_ip(ip, port, path, method=method)
        return response.status, response.body, dict(response.headers)

    def pod_tcp(self, namespace: str, pod: str, port: int) -> bool:
        try:
            machine, ip = self._pod_ip(namespace, pod)
        except ConnectionFailed:
            return False
        return machine.runtime.tcp_open_ip(ip, port)

    def kubelet_for(self, node_name: str) -> Optional[Kubelet] | str:
        """The kubelet the API server connects to for logs and exec: None if it is down, and
        the dial's ``"i/o timeout"`` if a partition cuts it off (packets to it are lost)."""
        machine = self.machines.get(node_name)
        if machine is None or machine.failed or not machine.kubelet.running:
            return None
        if machine.wire.severed:
            return "i/o timeout"
        return machine.kubelet


    # -- resource metrics (what metrics-server would scrape from each kubelet) -------------
    def metrics(self) -> tuple[list[dict], list[dict]]:
        """NodeMetrics and PodMetrics items for every running node, from the runtimes' stats."""
        now = self.clock.timestamp()
        nodes, pods = [], []
        for name in sorted(self.machines):
            machine = self.machines[name]
            if machine.failed or not machine.kubelet.running or machine.wire.severed:
                continue  # metrics-server cannot scrape it: the node is missing from `top`
            node_cpu, node_memory = SYSTEM_CPU_MILLICORES, SYSTEM_MEMORY_BYTES
            for key in sorted(machine.kubelet.workers):
                worker = machine.kubelet.workers[key]
                containers = self._container_usage(machine, worker)
                if not containers:
                    continue
                node_cpu += sum(c[1] for c in containers)
                node_memory += sum(c[2] for c in containers)
                meta = worker.pod["metadata"]
                pods.append({
                    "metadata": {"name": meta["name"], "namespace": meta["namespace"],
                                 "creationTimestamp": now, "labels": dict(meta.get("labels") or {})},
                    "timestamp": now, "window": "15s",
                    "containers": [{"name": n, "usage": _usage(cpu, memory)} for n, cpu, memory in containers],
                })
            nodes.append({"metadata": {"name": name, "creationTimestamp": now,
                                       "labels": dict(machine.kubelet.labels)},
                          "timestamp": now, "window": "20s", "usage": _usage(node_cpu, node_memory)})
        return nodes, pods

    @staticmethod
    def _container_usage(machine: Machine, worker: Any) -> list[tuple[str, int, int]]:
        usage = []
        for name in sorted(worker.records):
            record = worker.records[name]
            if record.init or not record.container_id:
                continue
            try:
                stats = machine.runtime.container_stats(record.container_id)
            except Exception:  # the container is gone: it uses nothing
                continue
            usage.append((name, stats.cpu_millicores, stats.memory_bytes))
        return usage


#: What the node's own processes (kubelet, runtime, system daemons) use, as `top nodes` shows.
SYSTEM_CPU_MILLICORES = 60
SYSTEM_MEMORY_BYTES = 420 * 1024 * 1024


def _usage(cpu_millicores: int, memory_bytes: int) -> dict:
    """metrics-server's units: CPU in nanocores, memory in Ki."""
    return {"cpu": f"{cpu_millicores * 1_000_000}n", "memory": f"{memory_bytes // 1024}Ki"}


PodHttp = Callable[[str, str, int, str], tuple]
