"""A pod's name-resolution files: ``/etc/resolv.conf`` settings and the ``/etc/hosts`` file.

Mirrors pkg/kubelet/network/dns/dns.go (``GetPodDNS``) and the hosts-file part of
pkg/kubelet/kubelet_pods.go (``GeneratePodHostNameAndDomain``, ``makeHostsMount``,
``managedHostsFileContent``) of Kubernetes 1.32:

* **DNS settings** by ``dnsPolicy``, handed to the runtime in the sandbox config (the runtime
  writes ``/etc/resolv.conf``: :meth:`labkube.runtime.cri.DNSConfig.resolv_conf`):

  - ``ClusterFirst`` (the default): nameserver the cluster DNS Service (10.96.0.10), search
    ``<ns>.svc.cluster.local svc.cluster.local cluster.local`` then the node's own search
    domains, ``options ndots:5``; a ``hostNetwork`` pod falls back to ``Default``;
  - ``ClusterFirstWithHostNet``: ``ClusterFirst``, for host-network pods too;
  - ``Default``: the node's ``/etc/resolv.conf`` (:data:`~labkube.runtime.cri.NODE_RESOLV_CONF`);
  - ``None``: nothing but the pod's ``dnsConfig``.

  ``spec.dnsConfig`` is then merged in: its nameservers after the policy's, its searches after
  the policy's (duplicates dropped), its options replacing same-named ones. The result is cut
  to 3 nameservers and to 32 search domains of at most 2048 characters together (no domain
  longer than 253), with a ``DNSConfigForming`` warning event saying what was applied.
* **The hosts file**: ``# Kubernetes-managed hosts file.``, the localhost and IPv6 lines, the
  pod IP with its hostname (and ``<hostname>.<subdomain>.<ns>.svc.cluster.local`` first when
  ``spec.subdomain`` is set), then ``hostAliases`` under ``# Entries added by HostAliases.``.
  A ``hostNetwork`` pod gets the node's own hosts file under a "(host network)" header. It is
  mounted at ``/etc/hosts`` in every container that does not mount that path itself.

Differences: Go's ``mergeDNSOptions`` rebuilds the options from a map, so their order on a real
node changes from pod to pod; labkube keeps the policy's options first, then the pod's new
ones, in their order (deterministic). The contents of the node's own files are labkube's
(a kind-like node), not read from a machine.
"""

from __future__ import annotations

from typing import Callable, Optional

from labkube.runtime.cri import NODE_RESOLV_CONF, DNSConfig
from labkube.runtime.volume import Generated, Volume

#: ``validation.MaxDNSNameservers``, ``MaxDNSSearchPaths``, ``MaxDNSSearchListChars``.
MAX_NAMESERVERS = 3
MAX_SEARCH_PATHS = 32
MAX_SEARCH_LIST_CHARS = 2048
#: No search domain may be longer than a DNS-1123 subdomain (glibc aborts on longer ones).
MAX_SEARCH_DOMAIN = 253
#: ``defaultDNSOptions``.
DEFAULT_OPTIONS = ("ndots:5",)
#: A hostname is cut to this many characters (``truncatePodHostnameIfNeeded``).
MAX_HOSTNAME = 63

MANAGED_HOSTS_HEADER = "# Kubernetes-managed hosts file.\n"
MANAGED_HOSTS_HEADER_HOST_NETWORK = "# Kubernetes-managed hosts file (host network).\n"
#: The lines every managed hosts file starts with, after its header.
LOCALHOST_LINES = ("127.0.0.1\tlocalhost\n"
                   "::1\tlocalhost ip6-localhost ip6-loopback\n"
                   "fe00::0\tip6-localnet\n"
                   "fe00::0\tip6-mcastprefix\n"
                   "fe00::1\tip6-allnodes\n"
                   "fe00::2\tip6-allrouters\n")
#: Where the kubelet mounts the hosts file, and the file's name in the pod's directory.
ETC_HOSTS = "/etc/hosts"
HOSTS_FILE = "etc-hosts"

Warn = Callable[[str], None]


# -- resolv.conf ---------------------------------------------------------------------------------
def parse_resolv_conf(text: str) -> DNSConfig:
    """``parseResolvConf``: nameserver lines add up; the last ``search`` and ``options`` lines
    win; a search domain's trailing dot is dropped."""
    servers: list[str] = []
    searches: list[str] = []
    options: list[str] = []
    for line in text.split("\n"):
        fields = line.strip().split()
        if not fields or fields[0].startswith("#"):
            continue
        if fields[0] == "nameserver" and len(fields) >= 2:
            servers.append(fields[1])
        elif fields[0] == "search":
            searches = [domain.removesuffix(".") for domain in fields[1:]]
        elif fields[0] == "options":
            options = fields[1:]
    return DNSConfig(tuple(servers), tuple(searches), tuple(options))


def _unique(items) -> tuple[str, ...]:
    """``omitDuplicates``: the first of each, in order."""
    return tuple(dict.fromkeys(items))


def merge_options(existing: tuple[str, ...], pod_options: list[dict]) -> tuple[str, ...]:
    """``mergeDNSOptions``: the pod's options replace the same-named ones (``ndots:2`` replaces
    ``ndots:5``); an option without a value is written bare."""
    merged: dict[str, str] = {}
    for option in existing:
        name, _, value = option.partition(":")
        merged[name] = value
    for option in pod_options:
        merged[option.get("name", "")] = option.get("value") or ""
    return tuple(f"{name}:{value}" if value else name for name, value in merged.items())


def _fit_searches(searches: tuple[str, ...], warn: Warn) -> tuple[str, ...]:
    """``formDNSSearchFitsLimits``."""
    exceeded = len(searches) > MAX_SEARCH_PATHS
    kept = [s for s in searches[:MAX_SEARCH_PATHS] if len(s) <= MAX_SEARCH_DOMAIN]
    exceeded = exceeded or len(kept) < len(searches[:MAX_SEARCH_PATHS])
    while kept and len(" ".join(kept)) > MAX_SEARCH_LIST_CHARS:
        kept.pop()
        exceeded = True
    if exceeded:
        warn("Search Line limits were exceeded, some search paths have been omitted, "
             f"the applied search line is: {' '.join(kept)}")
    return tuple(kept)


def _fit_servers(servers: tuple[str, ...], warn: Warn) -> tuple[str, ...]:
    """``formDNSNameserversFitsLimits``."""
    if len(servers) <= MAX_NAMESERVERS:
        return servers
    servers = servers[:MAX_NAMESERVERS]
    warn("Nameserver limits were exceeded, some nameservers have been omitted, "
         f"the applied nameserver line is: {' '.join(servers)}")
    return servers


def dns_type(spec: dict) -> str:
    """``getPodDNSType``: "cluster", "host" or "none"."""
    policy = spec.get("dnsPolicy") or "ClusterFirst"
    if policy == "None":
        return "none"
    if policy == "ClusterFirstWithHostNet":
        return "cluster"
    if policy == "ClusterFirst" and not spec.get("hostNetwork"):
        return "cluster"
    return "host"  # Default, and ClusterFirst on the host's network


class PodDNS:
    """The kubelet's DNS configurer: ``--cluster-dns``, ``--cluster-domain`` and the node's
    resolv.conf. The settings of a plain ClusterFirst pod (no ``dnsConfig``) are the same for
    a whole namespace, so they are made once per namespace."""

    def __init__(self, cluster_dns: tuple[str, ...], cluster_domain: str,
                 node_resolv_conf: str = NODE_RESOLV_CONF) -> None:
        self.cluster_dns = tuple(cluster_dns)
        self.cluster_domain = cluster_domain
        self.host = parse_resolv_conf(node_resolv_conf)
        self._by_namespace: dict[str, DNSConfig] = {}

    def cluster_searches(self, namespace: str) -> tuple[str, ...]:
        """``generateSearchesForDNSClusterFirst``: the cluster's three, then the node's."""
        if not self.cluster_domain:
            return self.host.searches
        domain = self.cluster_domain
        return _unique((f"{namespace}.svc.{domain}", f"svc.{domain}", domain, *self.host.searches))

    def for_pod(self, pod: dict, warn: Warn) -> DNSConfig:
        """``GetPodDNS``: the pod's DNS settings; ``warn(message)`` for a DNSConfigForming event."""
        spec = pod.get("spec") or {}
        namespace = (pod.get("metadata") or {}).get("namespace", "default")
        kind = dns_type(spec)
        if kind == "cluster" and spec.get("dnsConfig") is None:
            cached = self._by_namespace.get(namespace)
            if cached is None:
                cached = self._by_namespace[namespace] = self._fit(self._base(kind, namespace), warn)
            return cached
        config = self._base(kind, namespace)
        extra = spec.get("dnsConfig")
        if extra is not None:
            config = DNSConfig(_unique((*config.servers, *(extra.get("nameservers") or ()))),
                               _unique((*config.searches, *(extra.get("searches") or ()))),
                               merge_options(config.options, extra.get("options") or []))
        return self._fit(config, warn)

    def _base(self, kind: str, namespace: str) -> DNSConfig:
        if kind == "none":
            return DNSConfig()
        if kind == "cluster" and self.cluster_dns:
            return DNSConfig(self.cluster_dns, self.cluster_searches(namespace), DEFAULT_OPTIONS)
        return self.host

    @staticmethod
    def _fit(config: DNSConfig, warn: Warn) -> DNSConfig:
        return DNSConfig(_fit_servers(config.servers, warn), _fit_searches(config.searches, warn),
                         config.options)


# -- hostname and /etc/hosts ---------------------------------------------------------------------
def hostname_and_domain(pod: dict, cluster_domain: str) -> tuple[str, str]:
    """``GeneratePodHostNameAndDomain``: ``spec.hostname`` or the pod's name (cut to 63
    characters, no trailing ``-`` or ``.``), and ``<subdomain>.<ns>.svc.<domain>`` when
    ``spec.subdomain`` is set (else "")."""
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    hostname = spec.get("hostname") or meta.get("name", "")
    if len(hostname) > MAX_HOSTNAME:
        hostname = hostname[:MAX_HOSTNAME].rstrip("-.")
    domain = ""
    if spec.get("subdomain"):
        domain = f"{spec['subdomain']}.{meta.get('namespace', 'default')}.svc.{cluster_domain}"
    return hostname, domain


def sandbox_hostname(pod: dict, cluster_domain: str) -> str:
    """The sandbox's (the kernel's) hostname: the short one, or the FQDN with
    ``setHostnameAsFQDN`` (``GetNodenameForKernel``); empty for a host-network pod (the
    runtime then uses the node's)."""
    spec = pod.get("spec") or {}
    if spec.get("hostNetwork"):
        return ""
    hostname, domain = hostname_and_domain(pod, cluster_domain)
    if spec.get("setHostnameAsFQDN") and domain:
        return f"{hostname}.{domain}"
    return hostname


def host_aliases_lines(aliases: list[dict]) -> str:
    """``hostsEntriesFromHostAliases``: one line per (IP, hostname), after a blank line and a
    comment; nothing when there are none."""
    if not aliases:
        return ""
    lines = [f"{alias.get('ip', '')}\t{name}\n"
             for alias in aliases for name in alias.get("hostnames") or ()]
    return "\n# Entries added by HostAliases.\n" + "".join(lines)


def managed_hosts(pod_ips: tuple[str, ...], hostname: str, domain: str, aliases: list[dict]) -> str:
    """``managedHostsFileContent``."""
    if domain:
        own = "".join(f"{ip}\t{hostname}.{domain}\t{hostname}\n" for ip in pod_ips)
    else:
        own = "".join(f"{ip}\t{hostname}\n" for ip in pod_ips)
    return MANAGED_HOSTS_HEADER + LOCALHOST_LINES + own + host_aliases_lines(aliases)


def node_hosts(node_ip: str, node_name: str) -> str:
    """The node's own ``/etc/hosts`` (as Docker writes it for a kind node)."""
    return ("127.0.0.1\tlocalhost\n"
            "::1\tlocalhost ip6-localhost ip6-loopback\n"
            "fe00::0\tip6-localnet\n"
            "ff00::0\tip6-mcastprefix\n"
            "ff02::1\tip6-allnodes\n"
            "ff02::2\tip6-allrouters\n"
            f"{node_ip}\t{node_name}\n")


class HostsFile(Generated):
    """The pod's hosts file, made when read (most containers never read it): from the pod's
    IP, its hostname and domain and its host aliases, fixed when the sandbox was made."""

    __slots__ = ("pod_ip", "hostname", "domain", "aliases", "node")

    def __init__(self, pod_ip: str, hostname: str, domain: str, aliases: list[dict],
                 node: Optional[tuple[str, str]] = None) -> None:
        self.pod_ip, self.hostname, self.domain = pod_ip, hostname, domain
        self.aliases = aliases
        #: (node IP, node name) for a host-network pod, else None
        self.node = node

    def make(self) -> bytes:
        if self.node is not None:
            return (MANAGED_HOSTS_HEADER_HOST_NETWORK + node_hosts(*self.node)
                    + host_aliases_lines(self.aliases)).encode()
        return managed_hosts((self.pod_ip,), self.hostname, self.domain, self.aliases).encode()


def hosts_volume(pod: dict, pod_ip: str, cluster_domain: str, node: tuple[str, str]) -> Volume:
    """``makeHostsMount``'s file: a one-file volume, mounted with subPath :data:`HOSTS_FILE`."""
    spec = pod.get("spec") or {}
    hostname, domain = hostname_and_domain(pod, cluster_domain)
    aliases = list(spec.get("hostAliases") or ())
    on_host = node if spec.get("hostNetwork") else None
    return Volume(HOSTS_FILE, {HOSTS_FILE: HostsFile(pod_ip, hostname, domain, aliases, on_host)})
