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
the pod's IP as the client address (what ``sessionAffinity: ClientIP`` keys on, and what
NetworkPolicies judge: see :mod:`.policy`).

When a NetworkPolicy keeps the pod from reaching CoreDNS (an egress deny-all without a rule for
UDP 53), ``resolve`` and ``query`` raise :class:`DNSTimedOut`, a ``TimeoutError``: the query was
dropped and no answer ever comes (the simulated shell waits out the resolver's timeout). A
connection the policy drops fails as ``dial tcp IP:PORT: i/o timeout``.
"""

from __future__ import annotations

from typing import Any, Optional

from labkube.core.network import internet
from labkube.core.network.dns import NAMESERVER, Answer, ClusterDNS, Record
from labkube.core.network.proxy import (EXTERNAL_CLIENT_IP, ConnectionTimedOut, NetworkError,
                                        ServiceProxy, split_url)
from labkube.runtime.cri import ConnectionFailed, HttpResponse


class DNSTimedOut(TimeoutError):
    """A DNS query nobody answers (a NetworkPolicy dropped it): dig's words for it."""

    def __init__(self, verdict: Any = None) -> None:
        super().__init__(";; connection timed out; no servers could be reached")
        self.verdict = verdict


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
        self._check_dns()
        return self._first_address(name)

    def _first_address(self, name: str) -> Optional[str]:
        addresses = self.dns.resolve(name)
        return addresses[0] if addresses else internet.resolve(name)

    def _check_dns(self) -> None:
        """Raise :class:`DNSTimedOut` when this pod's query reaches no CoreDNS pod: kube-dns has
        no ready endpoint, a NetworkPolicy drops the query, or the chosen pod is down."""
        try:
            self.proxy.dns_server(self.client_ip, self.nameserver)
        except NetworkError as err:
            raise DNSTimedOut(getattr(err, "verdict", None)) from None
        except ConnectionError:  # kube-proxy is stopped: the rules it programmed stay in place
            return

    def query(self, name: str, qtype: str = "A") -> Answer:
        """One query to kube-dns: CoreDNS's answer, the CNAME chased, outside names forwarded."""
        self._check_dns()
        return self._query(name, qtype)

    def _query(self, name: str, qtype: str) -> Answer:
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
        """An ExternalName Service: the CNAME, then its target's A records (CoreDNS adds them
        to its own answer, which stays authoritative: the name asked is in its zone)."""
        target = answer.records[-1].value
        chased = self._query(target, "A")
        return Answer(answer.name, "A", "NOERROR", answer.records + chased.records,
                      authoritative=answer.authoritative)

    def http_get(self, url: str, **_: Any) -> HttpResponse:
        """GET ``url`` (host already resolvable) through kube-proxy's rules to one pod."""
        return self.http_request(url)

    def http_request(self, url: str, *, method: str = "GET", headers: Optional[dict] = None,
                     body: bytes = b"", tls: Any = None) -> HttpResponse:
        """One HTTP exchange through kube-proxy's rules: a pod answers the method and path; the
        API server (``https://kubernetes.default.svc``) also reads the headers and body, after
        ``tls.handshake(certificate)`` when ``tls`` is given (the client's TLS side; None for
        plain HTTP). Raises ConnectionFailed as :meth:`http_get`, and whatever the client's
        handshake raises."""
        host, port, path = split_url(url)
        ip = host if self.dns is None else (self._first_address(host) or host)
        site = internet.site_at(ip)
        if site is not None:
            return self._outside(site, ip, port)
        try:
            target, service = self.proxy.route(ip, port, self.client_ip)
            response = self.proxy.deliver(target, ip, path, method, service, headers=headers, body=body, tls=tls)
        except NetworkError as err:
            raise _failure(err, ip, port) from None
        return HttpResponse(response.status, response.body, response.headers)

    def _outside(self, site: internet.Site, ip: str, port: int) -> HttpResponse:
        """A site outside the cluster: only port 80 answers; egress policies apply."""
        try:
            self.proxy.admit_outside(self.client_ip, ip, port)
        except NetworkError as err:
            raise _failure(err, ip, port) from None
        except ConnectionError:  # kube-proxy is stopped: no rules on the node, nothing enforced
            pass
        if port != 80:
            raise ConnectionFailed(f"dial tcp {ip}:{port}: i/o timeout")
        return HttpResponse(200, site.body, (("Content-Type", "text/html"),))

    def echo(self, ip: str) -> Optional[tuple[str, int]]:
        """``ping``: (the node answering, router hops back), or None when no reply comes."""
        return self.proxy.echo(ip, self.client_ip)

    def tcp_open(self, host: str, port: int) -> bool:
        """Would a TCP connection to ``host:port`` be accepted?"""
        try:
            self.tcp_connect(host, port)
        except ConnectionFailed:
            return False
        return True

    def tcp_connect(self, host: str, port: int) -> None:
        """Open (and close) a TCP connection to ``host:port``, or raise ``ConnectionFailed`` in
        Go's words: ``i/o timeout`` when the SYN is dropped, ``connection refused`` otherwise."""
        try:
            self.proxy.connect(host, port, client_ip=self.client_ip, namespace=self.namespace)
        except NetworkError as err:
            raise _failure(err, host, port) from None


class NodeNetwork(PodNetwork):
    """The ``Network`` a node's runtime is given: requests come from the node's address."""

    def __init__(self, dns: ClusterDNS, proxy: ServiceProxy, node_ip: str = EXTERNAL_CLIENT_IP) -> None:
        super().__init__(dns, proxy, client_ip=node_ip)

    def for_pod(self, namespace: str, pod_ip: str) -> PodNetwork:
        """The same network, with requests coming from ``pod_ip``."""
        return PodNetwork(self.dns, self.proxy, client_ip=pod_ip, namespace=namespace)
