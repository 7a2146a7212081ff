"""The add-ons kubeadm installs after the control plane: cluster DNS, kube-proxy, an ingress class.

Mirrors what ``kubeadm init`` (and kind) apply once the API server is up:

* CoreDNS: the ``kube-dns`` Service at ``10.96.0.10`` in ``kube-system``, its ServiceAccount and
  the ``system:coredns`` ClusterRole and binding (it reads services, endpointslices, pods and
  namespaces);
* kube-proxy: its ServiceAccount (already bound to ``system:node-proxier`` by
  ``kubeadm:node-proxier``);
* an ingress controller (kind's ingress-nginx recipe) with its default IngressClass ``nginx``;
* kind's default StorageClass ``standard`` (provisioner ``rancher.io/local-path``,
  ``WaitForFirstConsumer``, reclaim policy ``Delete``), and the namespace, ServiceAccount and
  RBAC of the provisioner that serves it (:mod:`labkube.core.local_path`).

:class:`CoreDNS` and :class:`KubeProxy` are the running side, each a Component with its own
identity and informers, holding :class:`~labkube.core.network.ClusterDNS` and
:class:`~labkube.core.network.ServiceProxy`. Stop CoreDNS and names stop resolving; stop
kube-proxy and ClusterIPs stop routing.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from labkube.core import local_path
from labkube.core.api import auth
from labkube.core.machinery import Component, ErrorLog
from labkube.core.network import ClusterDNS, ServiceProxy

KUBE_DNS_IP = "10.96.0.10"
COREDNS_SA = ("kube-system", "coredns")
KUBE_PROXY_SA = ("kube-system", "kube-proxy")
INGRESS_SA = ("kube-system", "ingress-nginx")


def bootstrap_objects() -> list[dict]:
    """The API objects kubeadm's addon phase creates."""
    rbac = "rbac.authorization.k8s.io/v1"
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": {"name": "coredns", "namespace": "kube-system"}},
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": {"name": "kube-proxy", "namespace": "kube-system"}},
        {"apiVersion": rbac, "kind": "ClusterRole", "metadata": {"name": "system:coredns"},
         "rules": [
             {"apiGroups": [""], "resources": ["endpoints", "services", "pods", "namespaces"],
              "verbs": ["list", "watch"]},
             {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"],
              "verbs": ["list", "watch"]},
         ]},
        {"apiVersion": rbac, "kind": "ClusterRoleBinding", "metadata": {"name": "system:coredns"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:coredns"},
         "subjects": [{"kind": "ServiceAccount", "name": "coredns", "namespace": "kube-system"}]},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "kube-dns", "namespace": "kube-system",
                      "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true",
                                 "kubernetes.io/name": "CoreDNS"}},
         "spec": {"clusterIP": KUBE_DNS_IP, "selector": {"k8s-app": "kube-dns"},
                  "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                            {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                            {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]}},
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": {"name": "ingress-nginx", "namespace": "kube-system"}},
        {"apiVersion": rbac, "kind": "ClusterRole", "metadata": {"name": "ingress-nginx"},
         "rules": [
             {"apiGroups": [""], "resources": ["configmaps", "endpoints", "nodes", "pods", "secrets",
                                               "namespaces", "services"],
              "verbs": ["get", "list", "watch"]},
             {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"],
              "verbs": ["get", "list", "watch"]},
             {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "ingressclasses"],
              "verbs": ["get", "list", "watch"]},
             {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses/status"], "verbs": ["update"]},
             {"apiGroups": ["", "events.k8s.io"], "resources": ["events"], "verbs": ["create", "patch"]},
         ]},
        {"apiVersion": rbac, "kind": "ClusterRoleBinding", "metadata": {"name": "ingress-nginx"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "ingress-nginx"},
         "subjects": [{"kind": "ServiceAccount", "name": "ingress-nginx", "namespace": "kube-system"}]},
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
         "metadata": {"name": "nginx",
                      "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"},
                      "labels": {"app.kubernetes.io/component": "controller",
                                 "app.kubernetes.io/name": "ingress-nginx"}},
         "spec": {"controller": "k8s.io/ingress-nginx"}},
        DEFAULT_STORAGE_CLASS,
        *local_path.bootstrap_objects(),
    ]


#: kind's default StorageClass (its local-path-provisioner manifest): what a claim without a
#: class gets (the DefaultStorageClass admission plugin), provisioned once a pod using it is
#: scheduled.
DEFAULT_STORAGE_CLASS = {
    "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
    "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
    "provisioner": "rancher.io/local-path",
    "reclaimPolicy": "Delete",
    "volumeBindingMode": "WaitForFirstConsumer",
}


PodHttp = Callable[[str, str, int, str], Any]


class CoreDNS(Component):
    """Cluster DNS (CoreDNS's kubernetes plugin). Stop it and Service names stop resolving."""

    name = "coredns"

    def __init__(self, client: Any, clock: Any, errors: ErrorLog) -> None:
        super().__init__(client.as_user(auth.service_account(*COREDNS_SA)), clock, errors)
        self.dns: Optional[ClusterDNS] = None

    def setup(self) -> None:
        self.dns = ClusterDNS(self.informers, nameserver=KUBE_DNS_IP)


class KubeProxy(Component):
    """The service proxy. Stop it and ClusterIPs and NodePorts stop routing to pods."""

    name = "kube-proxy"

    def __init__(self, client: Any, clock: Any, errors: ErrorLog, dns: Any, pod_http: PodHttp,
                 pod_tcp: Optional[Callable[[str, str, int], bool]] = None,
                 policies: Optional[Callable[[], Any]] = None, hosts: Optional[dict] = None) -> None:
        super().__init__(client.as_user(auth.service_account(*KUBE_PROXY_SA)), clock, errors)
        self.dns = dns
        self.pod_http = pod_http
        self.pod_tcp = pod_tcp
        #: The NetworkPolicy enforcer's verdicts (kube-network-policies), when it runs.
        self.policies = policies
        #: Endpoints that are not pods (the API server's secure port), see ServiceProxy.
        self.hosts = hosts
        self.proxy: Optional[ServiceProxy] = None

    def setup(self) -> None:
        self.proxy = ServiceProxy(self.informers, self.dns, self.pod_http, self.clock, pod_tcp=self.pod_tcp,
                                  policies=self.policies, hosts=self.hosts)


class Current:
    """A stable handle on an object a Component re-creates at each start (``network.dns``)."""

    def __init__(self, get: Callable[[], Any], what: str) -> None:
        self._get = get
        self._what = what

    def __getattr__(self, name: str) -> Any:
        target = self._get()
        if target is None:
            raise ConnectionError(f"{self._what} is not running")
        return getattr(target, name)
