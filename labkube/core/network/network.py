"""The cluster network as a simulated container sees it: the runtime's ``Network`` protocol.

Mirrors what a pod's network namespace offers on a real node: DNS queries go to the kube-dns
Service (``nameserver 10.96.0.10`` in the pod's resolv.conf), and connections to a ClusterIP,
a NodePort or a pod IP pass through the node's kube-proxy rules. The simulated shell's
``nslookup``, ``wget``, ``curl`` and ``nc`` call this (see :class:`labkube.runtime.cri.Network`):

* ``resolve(name)`` answers one absolute query (the shell applies the search path and ndots of
  ``/etc/resolv.conf`` itself, as libc does) with the first A record, or ``None`` for NXDOMAIN;
* ``query(name, qtype)`` is one whole DNS exchange with the kube-dns Service, for tools that show
  it (``nslookup``): the rcode and every record (all A records of a headless Service, a CNAME
  and its target's addresses, PTR records for an ``in-addr.arpa`` name), as CoreDNS answers;
* ``http_get(url)`` returns the chosen pod's :class:`~labkube.runtime.cri.HttpResponse`, or raises
  :class:`~labkube.runtime.cri.ConnectionFailed` whose message is Go's text for the failure
  (``dial tcp 10.96.12.34:80: connect: connection refused``); the exception also carries
  ``ip`` and ``reason`` (``Connection refused``) so a client can word it like busybox
  (``wget: can't connect to remote host (10.96.12.34): Connection refused``).

The runtime holds one ``Network`` per node (:class:`NodeNetwork`); when the caller knows the pod
making the request, :meth:`NodeNetwork.for_pod` gives a :class:`PodNetwork` whose requests carry
the pod's IP as the client address (what ``sessionAffinity: ClientIP`` keys on).
"""

from __future__ import annotations

from typing import Any, Optional

from labkube.core.network import internet
from labkube.core.network.dns import NAMESERVER, Answer, ClusterDNS, Record
from labkube.core.network.proxy import (EXTERNAL_CLIENT_IP, ConnectionTimedOut, NetworkError,
                                        ServiceProxy, split_url)
from labkube.runtime.cri import ConnectionFailed, HttpResponse


def _failure(err: NetworkError, ip: str, port: int) -> ConnectionFailed:
    verb = "i/o timeout" if isinstance(err, ConnectionTimedOut) else "connect: connection refused"
    failed = ConnectionFailed(f"dial tcp {ip}:{port}: {verb}")
    failed.ip, failed.reason = ip, err.reason  # type: ignore[attr-defined]
    return failed


class PodNetwork:
    """The network seen from one pod: DNS answers and HTTP through the service proxy."""

    def __init__(self, dns: ClusterDNS, proxy: ServiceProxy, *, client_ip: str = EXTERNAL_CLIENT_IP,
                 namespace: str = "default") -> None:
        self.dns = dns
        self.proxy = proxy
        self.client_ip = client_ip
        self.namespace = namespace
        self.nameserver = dns.nameserver if dns is not None else NAMESERVER

    def resolve(self, name: str) -> Optional[str]:
        """The first A record of the absolute name ``name``, or None (NXDOMAIN)."""
        addresses = self.dns.resolve(name)
        return addresses[0] if addresses else internet.resolve(name)

    def query(self, name: str, qtype: str = "A") -> Answer:
        """One query to kube-dns: CoreDNS's answer, the CNAME chased, outside names forwarded."""
        answer = self.dns.lookup(name, qtype)
        if answer.rcode == "NXDOMAIN":
            return self._forwarded(answer)
        if answer.qtype == "A" and answer.records and not answer.addresses:
            return self._chase_cname(answer)
        return answer

    def _forwarded(self, answer: Answer) -> Answer:
        """A name outside the cluster zones, as CoreDNS's ``forward`` plugin gets it upstream:
        the outside model's A record (no AAAA: NODATA), not authoritative; else NXDOMAIN."""
        ip = internet.resolve(answer.name)
        if ip is None or answer.qtype not in ("A", "AAAA"):
            return answer
        records = (Record(answer.name, "A", ip),) if answer.qtype == "A" else ()
        return Answer(answer.name, answer.qtype, "NOERROR", records, authoritative=False)

    def _chase_cname(self, answer: Answer) -> Answer:
        """An ExternalName Service: the CNAME, then its target's A records (CoreDNS adds them)."""
        target = answer.records[-1].value
        chased = self.query(target, "A")
        return Answer(answer.name, "A", "NOERROR", answer.records + chased.records,
                      authoritative=answer.authoritative and chased.authoritative)

    def http_get(self, url: str, **_: Any) -> HttpResponse:
        """GET ``url`` (host already resolvable) through kube-proxy's rules to one pod."""
        host, port, path = split_url(url)
        ip = host if self.dns is None else (self.resolve(host) or host)
        site = internet.site_at(ip)
        if site is not None:
            if port != 80:
                raise ConnectionFailed(f"dial tcp {ip}:{port}: i/o timeout")
            return HttpResponse(200, site.body, (("Content-Type", "text/html"),))
        try:
            target, service = self.proxy.route(ip, port, self.client_ip)
            response = self.proxy.deliver(target, ip, path, "GET", service)
        except NetworkError as err:
            raise _failure(err, ip, port) from None
        return HttpResponse(response.status, response.body, response.headers)

    def tcp_open(self, host: str, port: int) -> bool:
        """Would a TCP connection to ``host:port`` be accepted?"""
        try:
            self.proxy.connect(host, port, client_ip=self.client_ip, namespace=self.namespace)
        except NetworkError:
            return False
        return True


class NodeNetwork(PodNetwork):
    """The ``Network`` a node's runtime is given: requests come from the node's address."""

    def __init__(self, dns: ClusterDNS, proxy: ServiceProxy, node_ip: str = EXTERNAL_CLIENT_IP) -> None:
        super().__init__(dns, proxy, client_ip=node_ip)

    def for_pod(self, namespace: str, pod_ip: str) -> PodNetwork:
        """The same network, with requests coming from ``pod_ip``."""
        return PodNetwork(self.dns, self.proxy, client_ip=pod_ip, namespace=namespace)
