"""Cluster DNS: the names CoreDNS's ``kubernetes`` plugin answers, from Services, EndpointSlices, Pods.

Mirrors CoreDNS's ``plugin/kubernetes`` with kubeadm's Corefile (``kubernetes cluster.local
in-addr.arpa ip6.arpa { pods insecure … }``) and the DNS spec
(github.com/kubernetes/dns/blob/master/docs/specification.md):

===============================================  =============================================
``<svc>.<ns>.svc.cluster.local``  A              the ClusterIP; for a headless Service
                                                 (``clusterIP: None``) the ready endpoint IPs
``<host>.<svc>.<ns>.svc.cluster.local``  A       one endpoint of a headless Service: ``host`` is
                                                 the endpoint's ``hostname`` (a pod with
                                                 ``spec.hostname`` and ``spec.subdomain: <svc>``)
                                                 or its IP with dashes (``10-244-1-5``)
``_<port>._<proto>.<svc>.<ns>.svc.cluster.local``  SRV for a named port: priority 0, weight
                                                 ``100 // n``, the port, the target name
``<a-b-c-d>.<ns>.pod.cluster.local``  A          the IP written in the name (``pods insecure``:
                                                 not checked; ``pods verified``: a pod in that
                                                 namespace must have that IP)
ExternalName Services                            a CNAME to ``spec.externalName``
``<d.c.b.a>.in-addr.arpa``  PTR                  a ClusterIP: ``<svc>.<ns>.svc.cluster.local``;
                                                 else an endpoint address:
                                                 ``<host>.<svc>.<ns>.svc.cluster.local``
anything else                                    NXDOMAIN
===============================================  =============================================

A name that exists answers every other query type (AAAA in an IPv4 cluster) with NOERROR and no
records ("NODATA"), as CoreDNS does; only a name that does not exist is NXDOMAIN. CoreDNS is
authoritative for these zones, so its answers carry the AA bit (``nslookup`` then prints no
"Non-authoritative answer:").

"Ready" is an EndpointSlice endpoint whose ``conditions.ready`` is true or absent (the API says
a nil ``ready`` means ready); the endpointslice controller already marks every endpoint ready
when the Service sets ``publishNotReadyAddresses``, so DNS only reads ``ready``. IPs of several
records are returned sorted numerically (kubeadm's ``loadbalance`` plugin would shuffle them;
labkube keeps them deterministic).

A pod's ``/etc/resolv.conf`` (what the kubelet writes for ``dnsPolicy: ClusterFirst``) lists the
search path ``<ns>.svc.cluster.local svc.cluster.local cluster.local`` with ``ndots:5``, so a short
name like ``web`` or ``web.prod`` is tried with each suffix first: :meth:`ClusterDNS.search` does
that, :func:`resolv_conf` renders the file.

:class:`ClusterDNS` is not a Component: it answers from the caches of the informers of the
factory it is given (services, endpointslices, pods), so whoever owns that factory starts and
stops it. All answers are computed from the caches at query time; nothing is written to the API.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Optional

CLUSTER_DOMAIN = "cluster.local"
#: The kube-dns Service's ClusterIP (kubeadm: the tenth address of the service CIDR).
NAMESERVER = "10.96.0.10"
NDOTS = 5
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
TTL = 30

_SLICES_BY_SERVICE = "labkube.network/service"
_PODS_BY_IP = "labkube.network/pod-ip"


@dataclass(frozen=True)
class Record:
    """One resource record. ``value`` is an IP (A), a target name (CNAME, SRV)."""

    name: str
    type: str
    value: str
    port: int = 0
    priority: int = 0
    weight: int = 0
    ttl: int = TTL

    def __str__(self) -> str:
        if self.type == "SRV":
            data = f"{self.priority} {self.weight} {self.port} {self.value}."
        elif self.type in ("CNAME", "PTR"):
            data = f"{self.value}."
        else:
            data = self.value
        return f"{self.name}.\t{self.ttl}\tIN\t{self.type}\t{data}"


@dataclass(frozen=True)
class Answer:
    """The reply to one query: ``rcode`` is ``NOERROR`` or ``NXDOMAIN``; ``authoritative`` is the
    AA bit (CoreDNS's own zones: set; names forwarded to an upstream resolver: clear)."""

    name: str
    qtype: str
    rcode: str
    records: tuple[Record, ...] = field(default=())
    authoritative: bool = True

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(r.value for r in self.records if r.type == "A")

    @property
    def found(self) -> bool:
        return self.rcode == "NOERROR" and bool(self.records)


def ip_sort_key(ip: str) -> tuple:
    try:
        return (0, int(ipaddress.ip_address(ip)))
    except ValueError:
        return (1, ip)


def dashed(ip: str) -> str:
    """``10.244.1.5`` -> ``10-244-1-5`` (the label CoreDNS uses for an IP)."""
    return ip.replace(".", "-").replace(":", "-")


def undashed(label: str) -> Optional[str]:
    """``10-244-1-5`` -> ``10.244.1.5``, or None when the label is not an IPv4 address."""
    parts = label.split("-")
    if len(parts) != 4 or not all(p.isdigit() and int(p) <= 255 and str(int(p)) == p for p in parts):
        return None
    return ".".join(parts)


def is_ip(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def reverse_name(ip: str) -> str:
    """``10.96.0.10`` -> ``10.0.96.10.in-addr.arpa`` (the name a PTR query asks for)."""
    return ".".join(reversed(ip.split("."))) + ".in-addr.arpa"


def search_path(namespace: str, domain: str = CLUSTER_DOMAIN) -> tuple[str, ...]:
    """The ``search`` line of a ClusterFirst pod's resolv.conf."""
    return (f"{namespace}.svc.{domain}", f"svc.{domain}", domain)


def resolv_conf(namespace: str, *, nameserver: str = NAMESERVER, domain: str = CLUSTER_DOMAIN) -> str:
    """``/etc/resolv.conf`` as the kubelet writes it for a ``dnsPolicy: ClusterFirst`` pod."""
    return (f"search {' '.join(search_path(namespace, domain))}\n"
            f"nameserver {nameserver}\noptions ndots:{NDOTS}\n")


def endpoint_is_ready(endpoint: dict) -> bool:
    """EndpointConditions.ready: nil means ready."""
    return (endpoint.get("conditions") or {}).get("ready") is not False


def _slice_service_index(obj: dict) -> list[str]:
    name = (obj["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL)
    return [f"{obj['metadata'].get('namespace', '')}/{name}"] if name else []


def _nslookup_block(qname: str, answer: Answer) -> str:
    """One reply as busybox's nslookup prints it (its parse_reply), with the closing blank line."""
    if answer.rcode != "NOERROR":
        return f"** server can't find {qname}: {answer.rcode}\n\n"
    formats = {"A": "Name:\t{0}\nAddress: {1}\n", "CNAME": "{0}\tcanonical name = {1}\n",
               "PTR": "{0}\tname = {1}\n"}
    lines = [formats[r.type].format(r.name, r.value) for r in answer.records if r.type in formats]
    return "".join(lines) + "\n"


def _service_order(obj: dict) -> tuple[str, str]:
    return (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])


def _pod_ip_index(obj: dict) -> list[str]:
    status = obj.get("status") or {}
    ips = [entry.get("ip") for entry in status.get("podIPs") or () if entry.get("ip")]
    if status.get("podIP") and status["podIP"] not in ips:
        ips.append(status["podIP"])
    return ips


class ClusterDNS:
    """CoreDNS's kubernetes plugin over shared informer caches.

    ``informers`` is an :class:`~labkube.core.machinery.InformerFactory` (its owner starts it);
    ``pods`` is ``"insecure"`` (kubeadm's default) or ``"verified"``.
    """

    def __init__(self, informers: Any, *, domain: str = CLUSTER_DOMAIN, nameserver: str = NAMESERVER,
                 pods: str = "insecure") -> None:
        if pods not in ("insecure", "verified"):
            raise ValueError(f'pods must be "insecure" or "verified", not {pods!r}')
        self.domain = domain.strip(".").lower()
        self.nameserver = nameserver
        self.pods_mode = pods
        self.services = informers.informer("services")
        self.slices = informers.informer("endpointslices")
        self.pods = informers.informer("pods")
        self.slices.add_indexer(_SLICES_BY_SERVICE, _slice_service_index)
        self.pods.add_indexer(_PODS_BY_IP, _pod_ip_index)

    # -- the caches, as the proxy and the ingress controller also need them -------------------
    def service(self, namespace: str, name: str) -> Optional[dict]:
        return self.services.get_by_name(namespace, name)

    def endpoint_slices(self, namespace: str, service: str) -> list[dict]:
        return self.slices.by_index(_SLICES_BY_SERVICE, f"{namespace}/{service}")

    def pod_by_ip(self, ip: str) -> Optional[dict]:
        pods = self.pods.by_index(_PODS_BY_IP, ip)
        return pods[0] if pods else None

    def pod(self, namespace: str, name: str) -> Optional[dict]:
        return self.pods.get_by_name(namespace, name)

    def endpoint_hostname(self, endpoint: dict, service: dict) -> Optional[str]:
        """The endpoint's DNS label: ``hostname`` as the endpointslice controller sets it."""
        if endpoint.get("hostname"):
            return endpoint["hostname"]
        ref = endpoint.get("targetRef") or {}
        if ref.get("kind", "Pod") != "Pod" or not ref.get("name"):
            return None
        pod = self.pod(ref.get("namespace") or service["metadata"]["namespace"], ref["name"])
        spec = (pod or {}).get("spec") or {}
        if spec.get("hostname") and spec.get("subdomain") == service["metadata"]["name"]:
            return spec["hostname"]
        return None

    def ready_endpoints(self, namespace: str, service: dict) -> list[tuple[str, dict]]:
        """(ip, endpoint) for each ready address of the Service, deduplicated, sorted by IP."""
        seen: dict[str, dict] = {}
        for eps in self.endpoint_slices(namespace, service["metadata"]["name"]):
            for endpoint in eps.get("endpoints") or ():
                if not endpoint_is_ready(endpoint):
                    continue
                for ip in endpoint.get("addresses") or ():
                    seen.setdefault(ip, endpoint)
        return sorted(seen.items(), key=lambda item: ip_sort_key(item[0]))

    # -- queries --------------------------------------------------------------------------------
    def lookup(self, name: str, qtype: str = "A") -> Answer:
        """Answer one absolute query (``web.default.svc.cluster.local``), as CoreDNS would."""
        fqdn = name.rstrip(".").lower()
        qtype = qtype.upper()
        if fqdn.endswith(".in-addr.arpa"):
            return self._reverse_answer(fqdn, qtype)
        records = self._records(fqdn, "SRV" if qtype == "SRV" else "A")
        if records is None:
            return Answer(fqdn, qtype, "NXDOMAIN")
        if qtype not in ("A", "SRV"):
            records = [r for r in records if r.type == "CNAME"]  # NODATA, or the CNAME
        return Answer(fqdn, qtype, "NOERROR", tuple(records))

    def reverse(self, ip: str) -> Optional[str]:
        """The name a PTR query for ``ip`` answers (CoreDNS: ClusterIPs first, then endpoints)."""
        for svc in sorted(self.services.list(), key=_service_order):
            spec = svc.get("spec") or {}
            if ip in (spec.get("clusterIPs") or [spec.get("clusterIP")]):
                return f"{svc['metadata']['name']}.{svc['metadata']['namespace']}.svc.{self.domain}"
        for eps in sorted(self.slices.list(), key=_service_order):
            service = _slice_service_index(eps)
            for endpoint in eps.get("endpoints") or ():
                if service and ip in (endpoint.get("addresses") or ()):
                    namespace, name = service[0].split("/", 1)
                    svc = self.service(namespace, name) or {"metadata": {"namespace": namespace, "name": name}}
                    host = self.endpoint_hostname(endpoint, svc) or dashed(ip)
                    return f"{host}.{name}.{namespace}.svc.{self.domain}"
        return None

    def _reverse_answer(self, fqdn: str, qtype: str) -> Answer:
        labels = fqdn[: -len(".in-addr.arpa")].split(".")
        ip = ".".join(reversed(labels))
        target = self.reverse(ip) if len(labels) == 4 and is_ip(ip) else None
        if target is None:
            return Answer(fqdn, qtype, "NXDOMAIN")
        records = (Record(fqdn, "PTR", target),) if qtype == "PTR" else ()
        return Answer(fqdn, qtype, "NOERROR", records)

    def resolve(self, name: str) -> tuple[str, ...]:
        """The A records of an absolute name (following a CNAME inside the cluster), or ()."""
        answer = self.lookup(name, "A")
        for _ in range(8):
            if answer.addresses or not answer.records or answer.records[0].type != "CNAME":
                break
            answer = self.lookup(answer.records[0].value, "A")
        return answer.addresses

    def search(self, name: str, namespace: str = "default", qtype: str = "A") -> Answer:
        """Resolve ``name`` as a resolver in a pod of ``namespace`` does (search path, ndots:5).

        Returns the first answer that has records; NXDOMAIN for the name as typed otherwise.
        """
        for candidate in self.candidates(name, namespace):
            answer = self.lookup(candidate, qtype)
            if qtype == "A" and not answer.addresses and answer.found:
                addresses = self.resolve(candidate)
                if addresses:
                    return Answer(answer.name, qtype, "NOERROR",
                                  answer.records + tuple(Record(answer.name, "A", ip) for ip in addresses))
            if answer.found:
                return answer
        return Answer(name.rstrip(".").lower(), qtype.upper(), "NXDOMAIN")

    def candidates(self, name: str, namespace: str) -> list[str]:
        """The names a resolver tries, in order (glibc/musl: as-is first only with >= ndots dots)."""
        if name.endswith("."):
            return [name[:-1]]
        qualified = [f"{name}.{suffix}" for suffix in search_path(namespace, self.domain)]
        return [name] + qualified if name.count(".") >= NDOTS else qualified + [name]

    def nslookup(self, name: str, namespace: str = "default") -> str:
        """What busybox 1.36's ``nslookup <name>`` prints in a pod of ``namespace``.

        That applet (networking/nslookup.c, the LEDE one) sends its own queries: A, then AAAA,
        for the name as typed if it has a dot, else for the name under each search domain (it
        ignores ``ndots``); then prints one block per reply, in order. The simulated busybox in
        :mod:`labkube.runtime.sim.utils` does the same inside a container.
        """
        head = f"Server:\t\t{self.nameserver}\nAddress:\t{self.nameserver}:53\n\n"
        if is_ip(name):
            queries = [(reverse_name(name), "PTR")]
        else:
            names = [name] if "." in name else [f"{name}.{s}" for s in search_path(namespace, self.domain)]
            queries = [(n, qtype) for qtype in ("A", "AAAA") for n in names]
        return head + "".join(_nslookup_block(qname, self.lookup(qname, qtype)) for qname, qtype in queries)

    # -- building the records -----------------------------------------------------------------
    def _records(self, fqdn: str, qtype: str) -> Optional[list[Record]]:
        suffix = "." + self.domain
        if not fqdn.endswith(suffix):
            return None
        labels = fqdn[: -len(suffix)].split(".")
        zone = labels[-1]
        if zone == "svc" and len(labels) >= 3:
            return self._service_zone(fqdn, labels[:-1], qtype)
        if zone == "pod" and len(labels) == 3:
            return self._pod_record(fqdn, labels[0], labels[1], qtype)
        return None

    def _service_zone(self, fqdn: str, labels: list[str], qtype: str) -> Optional[list[Record]]:
        """labels without the trailing ``svc``: [svc, ns], [host, svc, ns], [_port, _proto, svc, ns]."""
        if len(labels) == 2:
            return self._service_records(fqdn, labels[1], labels[0], qtype, None)
        if len(labels) == 3:
            return self._endpoint_record(fqdn, labels[2], labels[1], labels[0], qtype)
        if len(labels) == 4 and labels[0].startswith("_") and labels[1].startswith("_"):
            if qtype != "SRV":
                return None
            port = (labels[0][1:], labels[1][1:])
            return self._service_records(fqdn, labels[3], labels[2], qtype, port)
        return None

    def _service_records(self, fqdn: str, namespace: str, name: str, qtype: str,
                         port: Optional[tuple[str, str]]) -> Optional[list[Record]]:
        svc = self.service(namespace, name)
        if svc is None:
            return None
        spec = svc.get("spec") or {}
        if spec.get("type") == "ExternalName":
            target = (spec.get("externalName") or "").rstrip(".").lower()
            return [Record(fqdn, "CNAME", target)] if target and port is None else None
        if qtype == "SRV":
            return self._srv_records(fqdn, svc, port)
        cluster_ip = spec.get("clusterIP") or ""
        if cluster_ip and cluster_ip != "None":
            return [Record(fqdn, "A", cluster_ip)]
        ips = [ip for ip, _ in self.ready_endpoints(namespace, svc)]
        return [Record(fqdn, "A", ip) for ip in ips] or None

    def _srv_records(self, fqdn: str, svc: dict, wanted: Optional[tuple[str, str]]) -> Optional[list[Record]]:
        namespace, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
        service_fqdn = f"{name}.{namespace}.svc.{self.domain}"
        ports = [p for p in (svc.get("spec") or {}).get("ports") or ()
                 if wanted is None or (p.get("name", "").lower() == wanted[0]
                                       and p.get("protocol", "TCP").lower() == wanted[1])]
        if not ports:
            return None
        cluster_ip = (svc.get("spec") or {}).get("clusterIP") or ""
        if cluster_ip and cluster_ip != "None":
            targets = [(service_fqdn, p["port"]) for p in ports]
        else:
            targets = self._headless_srv_targets(svc, service_fqdn, ports)
        weight = 100 // len(targets) if targets else 0
        return [Record(fqdn, "SRV", target, port=port, weight=weight) for target, port in targets] or None

    def _headless_srv_targets(self, svc: dict, service_fqdn: str, ports: list[dict]) -> list[tuple[str, int]]:
        namespace = svc["metadata"]["namespace"]
        targets = []
        for port in ports:
            for ip, endpoint in self.ready_endpoints(namespace, svc):
                host = self.endpoint_hostname(endpoint, svc) or dashed(ip)
                number = self._slice_port(namespace, svc, port) or port["port"]
                targets.append((f"{host}.{service_fqdn}", number))
        return targets

    def _slice_port(self, namespace: str, svc: dict, port: dict) -> Optional[int]:
        for eps in self.endpoint_slices(namespace, svc["metadata"]["name"]):
            for entry in eps.get("ports") or ():
                if entry.get("name", "") == port.get("name", "") and entry.get("port"):
                    return entry["port"]
        return None

    def _endpoint_record(self, fqdn: str, namespace: str, name: str, host: str, qtype: str) -> Optional[list[Record]]:
        svc = self.service(namespace, name)
        if svc is None or qtype != "A" or (svc.get("spec") or {}).get("clusterIP") not in ("None", None, ""):
            return None
        ips = [ip for ip, endpoint in self.ready_endpoints(namespace, svc)
               if (self.endpoint_hostname(endpoint, svc) or dashed(ip)) == host]
        return [Record(fqdn, "A", ip) for ip in ips] or None

    def _pod_record(self, fqdn: str, label: str, namespace: str, qtype: str) -> Optional[list[Record]]:
        ip = undashed(label)
        if ip is None or qtype != "A":
            return None
        if self.pods_mode == "verified":
            pod = self.pod_by_ip(ip)
            if pod is None or pod["metadata"].get("namespace") != namespace:
                return None
        return [Record(fqdn, "A", ip)]
