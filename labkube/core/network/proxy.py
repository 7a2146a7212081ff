"""The service proxy: how a request to a Service's address reaches one of its pods.

Mirrors what kube-proxy programs into every node (pkg/proxy/iptables, pkg/proxy/ipvs) — as a
model, never as real packets (DESIGN.md: simulated IPs are never dialed):

* a ClusterIP:port, or any node's InternalIP:nodePort, is translated (DNAT) to one **ready**
  endpoint of the Service, taken from its EndpointSlices (``kubernetes.io/service-name``);
  when no endpoint is ready but some are terminating and still serving, those are used
  (kube-proxy's terminating-endpoint fallback);
* the Service port becomes the endpoint's port: the EndpointSlice port with the same name as the
  Service port (that is how a named ``targetPort`` such as ``http-web-svc`` becomes 8080);
* the endpoint is chosen round robin per Service port (IPVS's ``rr``, the default here) or at
  random with a generator seeded from the cluster's seed (iptables' ``statistic`` rules) —
  deterministic either way;
* ``sessionAffinity: ClientIP`` sends a client back to the endpoint it used last, until it has
  been idle for ``sessionAffinityConfig.clientIP.timeoutSeconds`` (default 10800 s), as the
  ``recent`` match does;
* ``externalTrafficPolicy: Local`` on a NodePort only uses endpoints on the node addressed;
* a Service with no usable endpoint REJECTs: the client sees "Connection refused"
  (``wget: can't connect to remote host (10.96.12.34): Connection refused``); a port the Service
  does not have is dropped, so the client's connect is never answered: busybox wget gives up when
  the kernel does (``wget: can't connect to remote host (10.96.12.34): Connection timed out``,
  after 127 s of SYN retries), or with ``-T SEC`` when its alarm fires first (``wget: download
  timed out``); a name DNS cannot resolve is ``wget: bad address 'nope'``.

A pod IP is reached directly (the pod network is flat). When a NetworkPolicy exists, each new
connection is then judged by the enforcer (:mod:`.policy`), after the DNAT, against the pod that
was chosen; a connection it drops is :class:`ConnectionTimedOut` (a dropped SYN gets no answer).
The chosen pod answers through the
``pod_http(namespace, pod_name, port, path) -> (status, body, headers)`` callable the cluster wires
to the kubelet and the container runtime; it raises (e.g. the runtime's ``ConnectionFailed``)
when nothing listens, which the client sees as "Connection refused".

An endpoint that is no pod but a host the cluster knows (``hosts``: the API server's
``172.18.0.1:6443``, the endpoint of ``default/kubernetes``) answers through that host's
``serve(method, target, headers, body, tls=...)``. It speaks TLS: for an ``https`` request the
client's ``tls.handshake(certificate)`` is called with the host's serving certificate first
(the client decides whether it trusts it, and raises if not: nothing is sent), and a plain
request gets the host's answer to plain HTTP. NetworkPolicy egress rules judge the connection
as one to an address outside the pod network (``ipBlock``), after the DNAT: to port 6443.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Union
from urllib.parse import urlsplit

from labkube.core.network.dns import ClusterDNS, endpoint_is_ready, ip_sort_key, is_ip
from labkube.core.network.policy import DNS_PORT, PolicySource, Side, Verdict

#: Where a request made from the notebook (not from a pod) comes from.
EXTERNAL_CLIENT_IP = "172.18.0.1"
DEFAULT_AFFINITY_TIMEOUT = 10800

PodHttp = Callable[[str, str, int, str], Any]
PodTcp = Callable[[str, str, int], bool]
PodRef = Union[str, tuple[str, str], None]

_SERVICES_BY_CLUSTER_IP = "labkube.network/cluster-ip"
_SERVICES_BY_NODE_PORT = "labkube.network/node-port"
_NODES_BY_IP = "labkube.network/node-ip"


# -- what a client sees ---------------------------------------------------------------------------
class NetworkError(Exception):
    """A request that did not get an HTTP answer; ``str(err)`` is what busybox wget prints."""

    def __init__(self, message: str, *, ip: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.ip = ip
        #: The socket error alone (``Connection refused``), for other clients' wording.
        self.reason = reason


class ConnectionRefused(NetworkError):
    """No ready endpoint (kube-proxy's REJECT), or nothing listens on the pod's port."""

    def __init__(self, ip: str) -> None:
        super().__init__(f"wget: can't connect to remote host ({ip}): Connection refused",
                         ip=ip, reason="Connection refused")


class ConnectionTimedOut(NetworkError):
    """The packet is dropped (a port the Service does not have, an address nobody owns, a
    NetworkPolicy: then ``verdict`` says which).

    The message is busybox wget's without ``-T`` (the kernel's connect timeout ends it); with
    ``-T SEC`` shorter than that, wget's own alarm says ``wget: download timed out`` instead."""

    def __init__(self, ip: str, verdict: Optional[Verdict] = None) -> None:
        super().__init__(f"wget: can't connect to remote host ({ip}): Connection timed out",
                         ip=ip, reason="Connection timed out")
        self.verdict = verdict


class BadAddress(NetworkError):
    """DNS has no answer for the host."""

    def __init__(self, host: str) -> None:
        super().__init__(f"wget: bad address '{host}'", reason="bad address")
        self.host = host


@dataclass(frozen=True)
class Response:
    """An HTTP answer and who gave it (``pod`` is ``namespace/name``)."""

    status: int
    body: str
    headers: tuple[tuple[str, str], ...] = ()
    pod: str = ""
    node: str = ""
    endpoint_ip: str = ""
    service: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400


@dataclass(frozen=True)
class Connection:
    """A TCP connection that was accepted (for tcpSocket-like checks)."""

    ip: str
    port: int
    pod: str = ""
    node: str = ""
    endpoint_ip: str = ""


@dataclass(frozen=True)
class Target:
    """Where a request is delivered: one pod's IP and port (after DNAT)."""

    ip: str
    port: int
    namespace: str
    pod: str
    node: str


@dataclass
class _Affinity:
    ip: str
    last_used: float


# -- the proxy ------------------------------------------------------------------------------------
def _cluster_ip_index(svc: dict) -> list[str]:
    spec = svc.get("spec") or {}
    return [ip for ip in (spec.get("clusterIPs") or [spec.get("clusterIP")]) if ip and ip != "None"]


def _node_port_index(svc: dict) -> list[str]:
    return [str(p["nodePort"]) for p in (svc.get("spec") or {}).get("ports") or () if p.get("nodePort")]


def _node_ip_index(node: dict) -> list[str]:
    return [a["address"] for a in (node.get("status") or {}).get("addresses") or ()
            if a.get("type") in ("InternalIP", "ExternalIP") and a.get("address")]


def split_url(url: str) -> tuple[str, int, str]:
    """(host, port, path?query) of a URL; the scheme defaults to http."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return (parts.hostname or "").lower(), port, path


class ServiceProxy:
    """kube-proxy's model: ClusterIP / NodePort / pod IP -> one pod, and the pod's answer."""

    def __init__(self, informers: Any, dns: ClusterDNS, pod_http: PodHttp, clock: Any, *,
                 mode: str = "round-robin", pod_tcp: Optional[PodTcp] = None,
                 policies: Optional[PolicySource] = None, hosts: Optional[Mapping[tuple, Any]] = None) -> None:
        if mode not in ("round-robin", "random"):
            raise ValueError(f'mode must be "round-robin" or "random", not {mode!r}')
        self.dns = dns
        self.pod_http = pod_http
        self.pod_tcp = pod_tcp
        self.clock = clock
        self.mode = mode
        #: The NetworkPolicy enforcer, when one runs (``policies()`` is None otherwise).
        self.policies = policies or (lambda: None)
        #: Endpoints that are not pods, by (ip, port): the API server's secure port.
        self.hosts: Mapping[tuple, Any] = hosts or {}
        self.rng = random.Random(f"kube-proxy/{getattr(clock, 'seed', 0)}")
        self.nodes = informers.informer("nodes")
        self.nodes.add_indexer(_NODES_BY_IP, _node_ip_index)
        dns.services.add_indexer(_SERVICES_BY_CLUSTER_IP, _cluster_ip_index)
        dns.services.add_indexer(_SERVICES_BY_NODE_PORT, _node_port_index)
        self._next: dict[tuple, int] = {}
        self._affinity: dict[tuple, _Affinity] = {}
        self._endpoint_cache: dict[tuple, tuple[tuple, tuple[list[Target], list[Target]]]] = {}

    # -- public API --------------------------------------------------------------------------
    def request(self, url: str, *, from_pod: PodRef = None, method: str = "GET",
                namespace: str = "default", client_ip: Optional[str] = None,
                headers: Optional[Mapping[str, str]] = None) -> Response:
        """GET ``url`` as a client in ``from_pod`` (``"ns/name"``) or from outside the cluster.

        The host is a DNS name (searched like a pod in ``namespace`` — or in the pod's namespace —
        would), a ClusterIP, a node IP with a nodePort, or a pod IP. Raises :class:`BadAddress`,
        :class:`ConnectionRefused` or :class:`ConnectionTimedOut`.
        """
        host, port, path = split_url(url)
        namespace, source_ip = self._client(from_pod, namespace, client_ip)
        ip = self.resolve(host, namespace)
        target, service = self.route(ip, port, source_ip)
        tls = _TRUSTING_CLIENT if urlsplit(url).scheme == "https" else None
        return self.deliver(target, ip, path, method, service, headers=headers, tls=tls)

    def connect(self, host: str, port: int, *, from_pod: PodRef = None, namespace: str = "default",
                client_ip: Optional[str] = None) -> Connection:
        """Open (and close) a TCP connection, like a tcpSocket probe or ``nc -z``."""
        namespace, source_ip = self._client(from_pod, namespace, client_ip)
        ip = self.resolve(host.lower(), namespace)
        target, _ = self.route(ip, port, source_ip)
        if not self._tcp_open(target):
            raise ConnectionRefused(ip)
        return Connection(ip, port, f"{target.namespace}/{target.pod}", target.node, target.ip)

    def echo(self, ip: str, client_ip: str) -> Optional[tuple[str, int]]:
        """An ICMP echo (``ping``) from ``client_ip`` to ``ip``: the (node the reply comes from,
        router hops on the way back), or None when nothing answers.

        A node and a pod that runs answer. A ClusterIP does not: kube-proxy's iptables rules
        only DNAT the Service's ports, so the virtual IP has no host behind it. NetworkPolicies
        are not applied to ICMP here (real enforcers drop it for isolated pods)."""
        nodes = self.nodes.by_index(_NODES_BY_IP, ip)
        if nodes:
            return nodes[0]["metadata"]["name"], 0
        pod = self.dns.pod_by_ip(ip)
        if pod is None or (pod.get("status") or {}).get("phase") != "Running":
            return None
        node = (pod.get("spec") or {}).get("nodeName", "")
        client = self.dns.pod_by_ip(client_ip)
        if (client or {}).get("spec", {}).get("nodeName") == node:
            return node, 1  # the node routes the reply from one veth to the other
        return node, 2  # out of one node and into the other

    def resolve(self, host: str, namespace: str = "default") -> str:
        """The IP a client in ``namespace`` dials for ``host`` (the first A record)."""
        if is_ip(host):
            return host
        addresses = self.dns.search(host, namespace).addresses
        if not addresses:
            raise BadAddress(host)
        return addresses[0]

    def route(self, ip: str, port: int, client_ip: str = EXTERNAL_CLIENT_IP) -> tuple[Target, str]:
        """Where a connection to ``ip:port`` ends up: (target, ``ns/service`` or ""), once the
        NetworkPolicy enforcer let it through (else :class:`ConnectionTimedOut`)."""
        target, service = self._translate(ip, port, client_ip)
        if self._enforcing():
            self.admit(self._source_seen(ip, client_ip, target, service), target, ip)
        return target, service

    def _enforcing(self) -> bool:
        policies = self.policies()
        return policies is not None and policies.enforcing()

    def _translate(self, ip: str, port: int, client_ip: str) -> tuple[Target, str]:
        """kube-proxy's DNAT: the pod a packet to ``ip:port`` is sent to."""
        services = self.dns.services.by_index(_SERVICES_BY_CLUSTER_IP, ip)
        if services:
            svc = services[0]
            service_port = _service_port(svc, lambda p: p.get("port") == port)
            if service_port is None:
                raise ConnectionTimedOut(ip)
            return self.choose(svc, service_port, ip, client_ip), _key(svc)
        nodes = self.nodes.by_index(_NODES_BY_IP, ip)
        if nodes:
            return self._route_node_port(nodes[0], ip, port, client_ip)
        pod = self.dns.pod_by_ip(ip)
        if pod is not None:
            return _pod_target(pod, ip, port), ""
        if (ip, port) in self.hosts:
            return Target(ip, port, "", "", ""), ""
        raise ConnectionTimedOut(ip)

    def to_service(self, namespace: str, name: str, port: Union[int, str], path: str, *,
                   client_ip: str = EXTERNAL_CLIENT_IP, method: str = "GET") -> Response:
        """Send a request to a Service port given by number or name (what an Ingress backend names)."""
        svc = self.dns.service(namespace, name)
        if svc is None:
            raise ConnectionRefused(name)
        service_port = port_by_number_or_name(svc, port)
        if service_port is None:
            raise ConnectionTimedOut(name)
        cluster_ip = (svc.get("spec") or {}).get("clusterIP") or name
        target = self.choose(svc, service_port, cluster_ip, client_ip)
        return self.deliver(target, cluster_ip, path, method, _key(svc))

    # -- choosing an endpoint ---------------------------------------------------------------
    def choose(self, svc: dict, service_port: dict, dialed_ip: str, client_ip: str,
               node: Optional[str] = None) -> Target:
        """Pick one endpoint of ``svc`` for ``service_port`` (REJECT when there is none)."""
        candidates = self.candidates(svc, service_port, node)
        if not candidates:
            raise ConnectionRefused(dialed_ip)
        key = (_key(svc), service_port.get("name", ""), service_port.get("port"))
        if (svc.get("spec") or {}).get("sessionAffinity") == "ClientIP":
            return self._sticky(svc, key, candidates, client_ip)
        return self._pick(key, candidates)

    def ready_targets(self, svc: dict, service_port: dict) -> list[Target]:
        """The ready endpoints for a Service port, sorted by IP (what an ingress controller uses)."""
        return self._endpoints(svc, service_port)[0]

    def candidates(self, svc: dict, service_port: dict, node: Optional[str] = None) -> list[Target]:
        """Usable endpoints for the port, sorted by IP: ready ones, else serving-terminating ones."""
        ready, terminating = self._endpoints(svc, service_port)
        chosen = ready or terminating
        if node is not None:
            chosen = [t for t in chosen if t.node == node]
        return chosen

    def _endpoints(self, svc: dict, service_port: dict) -> tuple[list[Target], list[Target]]:
        """(ready, serving-terminating) targets, cached until a slice of the Service changes."""
        namespace = svc["metadata"]["namespace"]
        slices = self.dns.endpoint_slices(namespace, svc["metadata"]["name"])
        key = (_key(svc), service_port.get("name", ""), service_port.get("targetPort"),
               tuple(eps["metadata"].get("resourceVersion", "") for eps in slices))
        cached = self._endpoint_cache.get(key[:3])
        if cached is not None and cached[0] == key[3]:
            return cached[1]
        built = self._build_endpoints(namespace, slices, service_port)
        self._endpoint_cache[key[:3]] = (key[3], built)
        return built

    def _build_endpoints(self, namespace: str, slices: list[dict],
                         service_port: dict) -> tuple[list[Target], list[Target]]:
        ready: dict[tuple, Target] = {}
        terminating: dict[tuple, Target] = {}
        for eps in slices:
            number = _slice_port(eps, service_port)
            if number is None:
                continue
            for endpoint in eps.get("endpoints") or ():
                bucket = _bucket(endpoint, ready, terminating)
                if bucket is None:
                    continue
                for ip in endpoint.get("addresses") or ():
                    bucket.setdefault((ip, number), self._endpoint_target(endpoint, ip, number, namespace))
        order = lambda t: (ip_sort_key(t.ip), t.port)  # noqa: E731
        return sorted(ready.values(), key=order), sorted(terminating.values(), key=order)

    def _endpoint_target(self, endpoint: dict, ip: str, port: int, namespace: str) -> Target:
        ref = endpoint.get("targetRef") or {}
        pod_ns, pod_name = ref.get("namespace") or namespace, ref.get("name", "")
        node = endpoint.get("nodeName", "")
        if not pod_name:
            pod = self.dns.pod_by_ip(ip)
            if pod is not None:
                pod_ns, pod_name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        if not node and pod_name:
            node = ((self.dns.pod(pod_ns, pod_name) or {}).get("spec") or {}).get("nodeName", "")
        return Target(ip, port, pod_ns, pod_name, node)

    def _pick(self, key: tuple, candidates: list[Target]) -> Target:
        if self.mode == "random":
            return candidates[self.rng.randrange(len(candidates))]
        index = self._next.get(key, 0)
        self._next[key] = index + 1
        return candidates[index % len(candidates)]

    def _sticky(self, svc: dict, key: tuple, candidates: list[Target], client_ip: str) -> Target:
        timeout = _affinity_timeout(svc)
        now = self.clock.now()
        remembered = self._affinity.get(key + (client_ip,))
        if remembered is not None and now - remembered.last_used <= timeout:
            for target in candidates:
                if target.ip == remembered.ip:
                    remembered.last_used = now
                    return target
        target = self._pick(key, candidates)
        self._affinity[key + (client_ip,)] = _Affinity(target.ip, now)
        return target

    def _route_node_port(self, node: dict, ip: str, port: int, client_ip: str) -> tuple[Target, str]:
        for svc in self.dns.services.by_index(_SERVICES_BY_NODE_PORT, str(port)):
            service_port = _service_port(svc, lambda p: p.get("nodePort") == port)
            if service_port is None:
                continue
            local = (svc.get("spec") or {}).get("externalTrafficPolicy") == "Local"
            return self.choose(svc, service_port, ip, client_ip, node["metadata"]["name"] if local else None), _key(svc)
        raise ConnectionRefused(ip)

    # -- NetworkPolicy -----------------------------------------------------------------------
    def admit(self, source_ip: str, target: Target, dialed_ip: str) -> None:
        """Raise :class:`ConnectionTimedOut` when a NetworkPolicy drops this new connection."""
        policies = self.policies()
        if policies is None or not policies.enforcing():
            return
        if not target.pod:
            if (target.ip, target.port) in self.hosts:
                self._admit_host(policies, source_ip, target, dialed_ip)
            return
        destination = Side(target.ip, self.dns.pod(target.namespace, target.pod))
        verdict = policies.check(self.side(source_ip), destination, target.port,
                                 destination_node_ip=self._node_ip(target.node))
        if not verdict:
            raise ConnectionTimedOut(dialed_ip, verdict)

    def _admit_host(self, policies: Any, source_ip: str, target: Target, dialed_ip: str) -> None:
        """A connection to a host endpoint: only the client's egress rules apply (ipBlock)."""
        verdict = policies.egress(self.side(source_ip), Side(target.ip), target.port)
        if not verdict:
            raise ConnectionTimedOut(dialed_ip, verdict)

    def admit_outside(self, source_ip: str, ip: str, port: int) -> None:
        """The same for a connection leaving the cluster (no DNAT, no pod at the far end)."""
        policies = self.policies()
        if policies is None or not policies.enforcing():
            return
        verdict = policies.egress(self.side(source_ip), Side(ip), port)
        if not verdict:
            raise ConnectionTimedOut(ip, verdict)

    def dns_server(self, source_ip: str, nameserver: str) -> Target:
        """The CoreDNS pod a DNS query from ``source_ip`` to ``nameserver:53/UDP`` (the kube-dns
        Service) is DNATed to, as kube-proxy picks it. Raises :class:`ConnectionRefused` when the
        Service has no ready endpoint (kube-proxy's REJECT rule), :class:`ConnectionTimedOut`
        when a NetworkPolicy drops the query or the chosen pod cannot answer (its node is down:
        the endpoint stays ready until the node controller notices)."""
        services = self.dns.services.by_index(_SERVICES_BY_CLUSTER_IP, nameserver)
        if not services:
            raise ConnectionTimedOut(nameserver)
        service_port = next((p for p in (services[0].get("spec") or {}).get("ports") or ()
                             if p.get("port") == DNS_PORT and p.get("protocol") == "UDP"), None)
        if service_port is None:
            raise ConnectionTimedOut(nameserver)
        target = self.choose(services[0], service_port, nameserver, source_ip)
        policies = self.policies()
        if policies is not None and policies.enforcing() and target.pod:
            destination = Side(target.ip, self.dns.pod(target.namespace, target.pod))
            verdict = policies.check(self.side(source_ip), destination, DNS_PORT, "UDP")
            if not verdict:
                raise ConnectionTimedOut(nameserver, verdict)
        if not self._tcp_open(target):
            raise ConnectionTimedOut(nameserver)
        return target

    def side(self, ip: str) -> Side:
        """An address as the enforcer sees it: the pod owning it (host-network pods are their
        node: kube-network-policies leaves them out of its pod index), or none."""
        pod = self.dns.pod_by_ip(ip)
        if pod is not None and (pod.get("spec") or {}).get("hostNetwork"):
            pod = None
        return Side(ip, pod)

    def _node_ip(self, node_name: str) -> str:
        node = self.nodes.get_by_name(None, node_name) if node_name else None
        addresses = _node_ip_index(node) if node is not None else []
        return addresses[0] if addresses else ""

    def _source_seen(self, dialed_ip: str, client_ip: str, target: Target, service: str) -> str:
        """The source address the backend sees: the client's, except through a NodePort with
        ``externalTrafficPolicy: Cluster`` to a pod on another node (kube-proxy masquerades:
        the node that was addressed)."""
        if not service or target.node == "":
            return client_ip
        nodes = self.nodes.by_index(_NODES_BY_IP, dialed_ip)
        if not nodes or nodes[0]["metadata"]["name"] == target.node:
            return client_ip
        return dialed_ip

    # -- delivering ---------------------------------------------------------------------------
    def deliver(self, target: Target, dialed_ip: str, path: str, method: str = "GET",
                service: str = "", *, headers: Optional[Mapping[str, str]] = None, body: bytes = b"",
                tls: Any = None) -> Response:
        """Hand the request to the target pod through ``pod_http`` (a pod sees only the
        method and path), or to a host endpoint with its headers and body (``tls``: the
        client's TLS side for an https request, None for plain HTTP)."""
        if not target.pod:
            host = self.hosts.get((target.ip, target.port))
            if host is None:
                raise ConnectionTimedOut(dialed_ip)
            return _deliver_to_host(host, target, path, method, service, headers or {}, body, tls)
        try:
            status, body, headers = self.pod_http(target.namespace, target.pod, target.port, path)
        except NetworkError:
            raise
        except Exception:  # the runtime's ConnectionFailed, or a pod that is gone
            raise ConnectionRefused(dialed_ip) from None
        if method.upper() == "HEAD":
            body = ""
        return Response(int(status), body, _header_pairs(headers), f"{target.namespace}/{target.pod}",
                        target.node, target.ip, service)

    def _tcp_open(self, target: Target) -> bool:
        if not target.pod:
            return (target.ip, target.port) in self.hosts
        if self.pod_tcp is not None:
            return bool(self.pod_tcp(target.namespace, target.pod, target.port))
        try:
            self.pod_http(target.namespace, target.pod, target.port, "/")
        except Exception:
            return False
        return True

    def _client(self, from_pod: PodRef, namespace: str, client_ip: Optional[str]) -> tuple[str, str]:
        """(namespace whose search path applies, source IP) for a request."""
        if from_pod is None:
            return namespace, client_ip or EXTERNAL_CLIENT_IP
        pod_ns, pod_name = from_pod if isinstance(from_pod, tuple) else _split(from_pod, namespace)
        pod = self.dns.pod(pod_ns, pod_name) or {}
        return pod_ns, client_ip or (pod.get("status") or {}).get("podIP", "") or EXTERNAL_CLIENT_IP


# -- helpers ----------------------------------------------------------------------------------------
class _ClusterCAClient:
    """The TLS side of a request made from the notebook: like kubectl with its kubeconfig, it
    trusts the cluster CA that signed the API server's certificate."""

    @staticmethod
    def handshake(certificate: Any) -> None:
        return None


_TRUSTING_CLIENT = _ClusterCAClient()


def _deliver_to_host(host: Any, target: Target, path: str, method: str, service: str,
                     headers: Mapping[str, str], body: bytes, tls: Any) -> Response:
    """The TLS handshake (the client checks the certificate; nothing is sent if it refuses),
    then the host's answer."""
    if tls is not None:
        tls.handshake(host.certificate)
    status, reply_headers, reply_body = host.serve(method.upper(), path, headers, body, tls=tls is not None)
    text = reply_body.decode("utf-8", "replace") if isinstance(reply_body, bytes) else str(reply_body)
    if method.upper() == "HEAD":
        text = ""
    return Response(int(status), text, _header_pairs(reply_headers), "", "", target.ip, service)


def _key(obj: dict) -> str:
    return f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"


def _split(ref: str, namespace: str) -> tuple[str, str]:
    ns, _, name = ref.rpartition("/")
    return ns or namespace, name


def _service_port(svc: dict, matches: Callable[[dict], bool]) -> Optional[dict]:
    for port in (svc.get("spec") or {}).get("ports") or ():
        if port.get("protocol", "TCP") == "TCP" and matches(port):
            return port
    return None


def port_by_number_or_name(svc: dict, port: Union[int, str]) -> Optional[dict]:
    """The Service's TCP port whose ``port`` number or ``name`` is ``port`` (an Ingress backend)."""
    return _service_port(svc, lambda p: p.get("port") == port or (p.get("name") or None) == port)


def _slice_port(eps: dict, service_port: dict) -> Optional[int]:
    """The endpoint port for a Service port: the slice's port entry with the same name and
    protocol.

    An entry without ``port`` means "all ports": the Service's numeric targetPort is used. A slice
    that lists no entry of that name does not serve the port (kube-proxy builds its endpoints per
    slice port name).
    """
    name = service_port.get("name", "") or ""
    protocol = service_port.get("protocol", "TCP")
    for entry in eps.get("ports") or ():
        if (entry.get("name") or "") == name and entry.get("protocol", "TCP") == protocol:
            if entry.get("port") is not None:
                return entry["port"]
            target = service_port.get("targetPort", service_port.get("port"))
            return target if isinstance(target, int) else None
    return None


def _bucket(endpoint: dict, ready: dict, terminating: dict) -> Optional[dict]:
    conditions = endpoint.get("conditions") or {}
    if endpoint_is_ready(endpoint):
        return ready
    if conditions.get("serving") and conditions.get("terminating"):
        return terminating
    return None


def _affinity_timeout(svc: dict) -> float:
    config = ((svc.get("spec") or {}).get("sessionAffinityConfig") or {}).get("clientIP") or {}
    return float(config.get("timeoutSeconds", DEFAULT_AFFINITY_TIMEOUT))


def _pod_target(pod: dict, ip: str, port: int) -> Target:
    meta, spec = pod["metadata"], pod.get("spec") or {}
    return Target(ip, port, meta["namespace"], meta["name"], spec.get("nodeName", ""))


def _header_pairs(headers: Any) -> tuple[tuple[str, str], ...]:
    if not headers:
        return ()
    items = headers.items() if isinstance(headers, Mapping) else headers
    return tuple((str(k), str(v)) for k, v in items)
