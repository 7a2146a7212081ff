"""A bare API server with Services, EndpointSlices and Pods built by hand, and a fake pod_http.

No endpointslice controller, no kubelet: each test writes exactly the objects it needs, and the
fake ``pod_http`` answers with the name of the pod that got the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import pytest

from labkube.core.api.testing import new_server
from labkube.core.machinery import ErrorLog, InformerFactory
from labkube.core.network import ClusterDNS, ServiceProxy
from labkube.runtime.cri import ConnectionFailed


@dataclass
class FakePods:
    """pod_http for tests: answers ``<ns>/<pod>:<port><path>``; ``closed`` pods refuse."""

    closed: set = field(default_factory=set)
    calls: list = field(default_factory=list)

    def __call__(self, namespace: str, pod: str, port: int, path: str):
        self.calls.append((namespace, pod, port, path))
        if (namespace, pod) in self.closed:
            raise ConnectionFailed(f"dial tcp 10.244.0.0:{port}: connect: connection refused")
        return 200, f"{namespace}/{pod}:{port}{path}", {"Server": "fake"}

    def tcp(self, namespace: str, pod: str, port: int) -> bool:
        """pod_tcp for tests: every port of a pod that is not ``closed`` is open."""
        return (namespace, pod) not in self.closed


class Net:
    def __init__(self, seed: int = 0, mode: str = "round-robin") -> None:
        self.env = new_server(seed=seed, namespaces=("default", "prod", "kube-system"))
        self.client = self.env.admin
        self.clock = self.env.clock
        self.errors = ErrorLog()
        self.pods = FakePods()
        self.informers = InformerFactory(self.client, self.clock)
        self.dns = ClusterDNS(self.informers)
        self.proxy = ServiceProxy(self.informers, self.dns, self.pods, self.clock, mode=mode,
                                  pod_tcp=self.pods.tcp)
        self.informers.start()
        self.service("kubernetes", cluster_ip="10.96.0.1", ports=[("https", 443, 6443)], selector=None)
        self.coredns()

    def coredns(self) -> None:
        """kube-dns (10.96.0.10, 53/UDP) and the one CoreDNS pod behind it, on node-1."""
        self.client.create({"apiVersion": "v1", "kind": "Service",
                            "metadata": {"name": "kube-dns", "namespace": "kube-system"},
                            "spec": {"clusterIP": "10.96.0.10", "selector": {"k8s-app": "kube-dns"},
                                     "ports": [{"name": "dns", "port": 53, "protocol": "UDP"},
                                               {"name": "dns-tcp", "port": 53, "protocol": "TCP"}]}})
        self.pod("coredns-0", "10.244.1.2", "kube-system")
        self.endpoints("kube-dns", [("10.244.1.2", "coredns-0", True, "node-1")], "kube-system",
                       ports=(("dns", 53),))

    def settle(self) -> None:
        self.clock.run(0.1)

    # -- builders ---------------------------------------------------------------------------
    def service(self, name: str, namespace: str = "default", *, ports=(("http", 80, 8080),),
                cluster_ip: Optional[str] = None, type: str = "ClusterIP", selector="app",
                affinity_timeout: Optional[int] = None, node_port: Optional[int] = None,
                external_traffic_policy: Optional[str] = None, **spec) -> dict:
        port_list = []
        for port_name, port, target in ports:
            entry = {"name": port_name, "port": port, "targetPort": target}
            if node_port is not None:
                entry["nodePort"] = node_port
            port_list.append(entry)
        body = {"ports": port_list, "type": type, **spec}
        if selector:
            body["selector"] = {"app": name}
        if cluster_ip:
            body["clusterIP"] = cluster_ip
        if affinity_timeout is not None:
            body["sessionAffinity"] = "ClientIP"
            body["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": affinity_timeout}}
        if external_traffic_policy:
            body["externalTrafficPolicy"] = external_traffic_policy
        svc = self.client.create({"apiVersion": "v1", "kind": "Service",
                                  "metadata": {"name": name, "namespace": namespace}, "spec": body})
        self.settle()
        return svc

    def pod(self, name: str, ip: str, namespace: str = "default", *, node: str = "node-1",
            hostname: Optional[str] = None, subdomain: Optional[str] = None) -> dict:
        spec = {"nodeName": node, "containers": [{"name": "c", "image": "nginx"}]}
        if hostname:
            spec["hostname"] = hostname
        if subdomain:
            spec["subdomain"] = subdomain
        pod = self.client.create({"apiVersion": "v1", "kind": "Pod",
                                  "metadata": {"name": name, "namespace": namespace}, "spec": spec})
        pod["status"] = {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}]}
        pod = self.client.update(pod, subresource="status")
        self.settle()
        return pod

    def endpoints(self, service: str, endpoints, namespace: str = "default", *, ports=(("http", 8080),),
                  name: Optional[str] = None) -> dict:
        """endpoints: (ip, pod name or None, ready, node[, hostname][, terminating])."""
        items = []
        for entry in endpoints:
            ip, pod, ready, node = entry[:4]
            item = {"addresses": [ip], "conditions": {"ready": ready, "serving": ready, "terminating": False},
                    "nodeName": node}
            if pod:
                item["targetRef"] = {"kind": "Pod", "namespace": namespace, "name": pod}
            if len(entry) > 4 and entry[4]:
                item["hostname"] = entry[4]
            if len(entry) > 5 and entry[5]:
                item["conditions"] = {"ready": False, "serving": True, "terminating": True}
            items.append(item)
        eps = self.client.create({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": name or f"{service}-abcde", "namespace": namespace,
                         "labels": {"kubernetes.io/service-name": service}},
            "addressType": "IPv4",
            "ports": [{"name": pname, "port": port, "protocol": "UDP" if pname == "dns" else "TCP"}
                      for pname, port in ports],
            "endpoints": items,
        })
        self.settle()
        return eps

    def backend(self, name: str, count: int, namespace: str = "default", *, ready: bool = True,
                first_ip: int = 10, **service) -> dict:
        """A Service with ``count`` ready pods ``<name>-0`` … on node-1/node-2 alternately."""
        svc = self.service(name, namespace, **service)
        rows = []
        for i in range(count):
            ip = f"10.244.{1 + i % 2}.{first_ip + i}"
            self.pod(f"{name}-{i}", ip, namespace, node=f"node-{1 + i % 2}")
            rows.append((ip, f"{name}-{i}", ready, f"node-{1 + i % 2}"))
        ports = [(p[0], p[2] if isinstance(p[2], int) else 8080) for p in service.get("ports", (("http", 80, 8080),))]
        self.endpoints(name, rows, namespace, ports=ports)
        return svc


@pytest.fixture
def net() -> Net:
    return Net()
