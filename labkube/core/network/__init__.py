"""Services, DNS and Ingress: how traffic finds pods (a model; no simulated IP is ever dialed).

* :mod:`.dns` — :class:`ClusterDNS`, CoreDNS's kubernetes plugin (service, headless, pod and SRV
  records, search paths, busybox ``nslookup`` output);
* :mod:`.proxy` — :class:`ServiceProxy`, kube-proxy's model (ClusterIP / NodePort / pod IP → a
  ready endpoint, round robin or seeded random, ClientIP session affinity, named targetPorts);
* :mod:`.ingress` — :class:`IngressController`, an ingress-nginx-like Component;
* :mod:`.network` — :class:`NodeNetwork` / :class:`PodNetwork`, the ``Network`` the simulated
  runtime's shell uses for ``nslookup``, ``wget``, ``curl`` and ``nc``;
* :mod:`.policy` — :class:`NetworkPolicies`, NetworkPolicy enforcement as kube-network-policies
  (kind's kindnet) does it, run by the :class:`KubeNetworkPolicies` Component; the proxy asks it
  for a verdict on each new connection, after the DNAT.

Wiring (what the cluster does)::

    informers = InformerFactory(client, clock)          # services, endpointslices, pods, nodes
    dns = ClusterDNS(informers)
    netpol = KubeNetworkPolicies(client, clock, errors); netpol.start()
    proxy = ServiceProxy(informers, dns, pod_http, clock,   # pod_http(ns, pod, port, path)
                         policies=netpol.current)
    informers.start()
    ingress = IngressController(client, clock, errors, proxy); ingress.start()
    runtime = SimRuntime(clock, node, network=NodeNetwork(dns, proxy, node_ip))
"""

from labkube.core.network.dns import (CLUSTER_DOMAIN, NAMESERVER, Answer, ClusterDNS, Record, resolv_conf,
                                      search_path)
from labkube.core.network.ingress import IngressController, nginx_error_page
from labkube.core.network.network import DNSTimedOut, NodeNetwork, PodNetwork
from labkube.core.network.policy import KubeNetworkPolicies, NetworkPolicies, Verdict
from labkube.core.network.proxy import (BadAddress, Connection, ConnectionRefused, ConnectionTimedOut,
                                        NetworkError, Response, ServiceProxy)

__all__ = [
    "Answer", "BadAddress", "CLUSTER_DOMAIN", "ClusterDNS", "Connection", "ConnectionRefused",
    "ConnectionTimedOut", "DNSTimedOut", "IngressController", "KubeNetworkPolicies", "NAMESERVER",
    "NetworkError", "NetworkPolicies", "NodeNetwork", "PodNetwork", "Record", "Response", "ServiceProxy",
    "Verdict", "nginx_error_page", "resolv_conf", "search_path",
]
