"""The add-ons kubeadm installs after the control plane: cluster DNS, kube-proxy, an ingress class.

Mirrors what ``kubeadm init`` (and kind) apply once the API server is up:

* CoreDNS: kubeadm's ``coredns`` Deployment (two replicas of ``registry.k8s.io/coredns/coredns``
  spread over nodes, critical priority, ``/health`` and ``/ready`` probes) and its ``coredns``
  ConfigMap (the Corefile), the ``kube-dns`` Service at ``10.96.0.10`` in ``kube-system``, its
  ServiceAccount and the ``system:coredns`` ClusterRole and binding (it reads services,
  endpointslices, pods and namespaces). The nodes ship the image, as kind's node image does, so
  the pods are Running and Ready before the first command returns;
* kube-proxy: kubeadm's ``kube-proxy`` DaemonSet (one ``registry.k8s.io/kube-proxy:v1.32.0`` pod
  on every node, on the host network, tolerating every taint), its ``kube-proxy`` ConfigMap (the
  KubeProxyConfiguration and a kubeconfig), its ServiceAccount (bound to ``system:node-proxier``
  by ``kubeadm:node-proxier``) and the ``kube-proxy`` Role joining nodes read the ConfigMap
  with. The nodes ship the image too, so a node's kube-proxy pod runs as soon as it is bound;
* an ingress controller (kind's ingress-nginx recipe) with its default IngressClass ``nginx``;
* kind's default StorageClass ``standard`` (provisioner ``rancher.io/local-path``,
  ``WaitForFirstConsumer``, reclaim policy ``Delete``), and the namespace, ServiceAccount and
  RBAC of the provisioner that serves it (:mod:`labkube.core.local_path`).

:class:`CoreDNS` and :class:`KubeProxy` are the running side, each a Component with its own
identity and informers, holding :class:`~labkube.core.network.ClusterDNS` and
:class:`~labkube.core.network.ServiceProxy`. A pod's DNS query is DNATed by kube-proxy to one
Ready CoreDNS pod (none Ready: the query times out) and answered from :class:`CoreDNS`'s
caches, which the replicas share (a real replica keeps its own watch; the answers are the
same). Scale the Deployment to zero, or stop the CoreDNS component, and names stop resolving;
stop kube-proxy and ClusterIPs stop routing. The kube-proxy pods are what a student sees of it
(``kubectl get pods -A``, ``kubectl logs``, ``kubectl drain``): the rules are programmed by the one
:class:`KubeProxy` component, not by each pod, so deleting a pod does not stop routing on its
node.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Optional

from labkube.core import local_path
from labkube.core.api import auth, kubernetes_service
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
        COREDNS_CONFIG_MAP,
        COREDNS_DEPLOYMENT,
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "kube-dns", "namespace": "kube-system",
                      "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true",
                                 "kubernetes.io/name": "CoreDNS"},
                      "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}},
         "spec": {"clusterIP": KUBE_DNS_IP, "selector": {"k8s-app": "kube-dns"},
                  "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                            {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                            {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]}},
        KUBE_PROXY_CONFIG_MAP,
        KUBE_PROXY_DAEMONSET,
        # kubeadm's read access to the kube-proxy ConfigMap for nodes joining with a token
        {"apiVersion": rbac, "kind": "Role", "metadata": {"name": "kube-proxy", "namespace": "kube-system"},
         "rules": [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["kube-proxy"],
                    "verbs": ["get"]}]},
        {"apiVersion": rbac, "kind": "RoleBinding", "metadata": {"name": "kube-proxy", "namespace": "kube-system"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "kube-proxy"},
         "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                       "name": "system:bootstrappers:kubeadm:default-node-token"}]},
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


COREDNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.11.3"  # kubeadm 1.32's CoreDNS

#: kubeadm's Corefile for the cluster domain ``cluster.local``.
COREFILE = """.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
"""

COREDNS_CONFIG_MAP = {
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "coredns", "namespace": "kube-system"},
    "data": {"Corefile": COREFILE},
}

#: kubeadm's CoreDNS Deployment: two replicas spread over nodes, critical priority, the
#: ``health`` plugin as liveness probe and ``ready`` as readiness probe. ``dnsPolicy: Default``:
#: CoreDNS itself resolves through the node's resolv.conf (its ``forward`` upstream).
COREDNS_DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "coredns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
    "spec": {
        "replicas": 2,
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
        "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
        "template": {
            "metadata": {"labels": {"k8s-app": "kube-dns"}},
            "spec": {
                "priorityClassName": "system-cluster-critical",
                "serviceAccountName": "coredns",
                "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 100, "podAffinityTerm": {
                        "labelSelector": {"matchExpressions": [
                            {"key": "k8s-app", "operator": "In", "values": ["kube-dns"]}]},
                        "topologyKey": "kubernetes.io/hostname"}}]}},
                "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                                {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}],
                "nodeSelector": {"kubernetes.io/os": "linux"},
                "containers": [{
                    "name": "coredns",
                    "image": COREDNS_IMAGE,
                    "imagePullPolicy": "IfNotPresent",
                    "resources": {"limits": {"memory": "170Mi"},
                                  "requests": {"cpu": "100m", "memory": "70Mi"}},
                    "args": ["-conf", "/etc/coredns/Corefile"],
                    "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/coredns", "readOnly": True}],
                    "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"},
                              {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                              {"containerPort": 9153, "name": "metrics", "protocol": "TCP"},
                              {"containerPort": 8080, "name": "liveness-probe", "protocol": "TCP"},
                              {"containerPort": 8181, "name": "readiness-probe", "protocol": "TCP"}],
                    "livenessProbe": {"httpGet": {"path": "/health", "port": "liveness-probe", "scheme": "HTTP"},
                                      "initialDelaySeconds": 60, "timeoutSeconds": 5,
                                      "successThreshold": 1, "failureThreshold": 5},
                    "readinessProbe": {"httpGet": {"path": "/ready", "port": "readiness-probe", "scheme": "HTTP"}},
                    "securityContext": {"allowPrivilegeEscalation": False,
                                        "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                                        "readOnlyRootFilesystem": True},
                }],
                "dnsPolicy": "Default",
                "volumes": [{"name": "config-volume", "configMap": {
                    "name": "coredns", "items": [{"key": "Corefile", "path": "Corefile"}]}}],
            },
        },
    },
}

KUBE_PROXY_IMAGE = "registry.k8s.io/kube-proxy:v1.32.0"

#: kube-proxy's KubeProxyConfiguration as kubeadm 1.32 marshals it into the ConfigMap (every
#: field of kubeproxy.config.k8s.io/v1alpha1, unset ones as zero values), with what kind's
#: kubeadm config sets (``mode: iptables``, ``iptables.minSyncPeriod: 1s``,
#: ``conntrack.maxPerCore: 0``) and what kubeadm fills in (the bind address, the kubeconfig
#: path, the cluster CIDR the controller-manager allocates node pod CIDRs from).
KUBE_PROXY_CONFIGURATION = """apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: 10.244.0.0/14
configSyncPeriod: 0s
conntrack:
  maxPerCore: 0
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocal:
  bridgeInterface: ""
  interfaceNamePrefix: ""
detectLocalMode: ""
enableProfiling: false
healthzBindAddress: ""
hostnameOverride: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 1s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: ""
  strictARP: false
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
metricsBindAddress: ""
mode: iptables
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: ""
showHiddenMetricsForVersion: ""
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: ""
  rootHnsEndpointName: ""
  sourceVip: """""

#: kubeadm's kubeconfig for kube-proxy: the API server's endpoint and the pod's own
#: ServiceAccount token and CA (projected at /var/run/secrets/kubernetes.io/serviceaccount).
KUBE_PROXY_KUBECONFIG = f"""apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    server: https://{kubernetes_service.ADVERTISE_ADDRESS}:{kubernetes_service.SECURE_PORT}
  name: default
contexts:
- context:
    cluster: default
    namespace: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token"""


def component_config_hash(data: dict) -> str:
    """kubeadm's ``SignConfigMap``: sha256 over the values in key order, as the
    ``kubeadm.kubernetes.io/component-config.hash`` annotation."""
    digest = hashlib.sha256()
    for key in sorted(data):
        digest.update(data[key].encode())
    return f"sha256:{digest.hexdigest()}"


_KUBE_PROXY_DATA = {"config.conf": KUBE_PROXY_CONFIGURATION, "kubeconfig.conf": KUBE_PROXY_KUBECONFIG}

KUBE_PROXY_CONFIG_MAP = {
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "kube-proxy", "namespace": "kube-system", "labels": {"app": "kube-proxy"},
                 "annotations": {"kubeadm.kubernetes.io/component-config.hash":
                                 component_config_hash(_KUBE_PROXY_DATA)}},
    "data": _KUBE_PROXY_DATA,
}

#: kubeadm's kube-proxy DaemonSet: one pod on every Linux node whatever its taints, on the
#: node's network, privileged (it writes iptables rules), critical to the node.
KUBE_PROXY_DAEMONSET = {
    "apiVersion": "apps/v1", "kind": "DaemonSet",
    "metadata": {"name": "kube-proxy", "namespace": "kube-system", "labels": {"k8s-app": "kube-proxy"}},
    "spec": {
        "selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
        "updateStrategy": {"type": "RollingUpdate"},
        "template": {
            "metadata": {"labels": {"k8s-app": "kube-proxy"}},
            "spec": {
                "priorityClassName": "system-node-critical",
                "containers": [{
                    "name": "kube-proxy",
                    "image": KUBE_PROXY_IMAGE,
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf",
                                "--hostname-override=$(NODE_NAME)"],
                    "securityContext": {"privileged": True},
                    "volumeMounts": [{"mountPath": "/var/lib/kube-proxy", "name": "kube-proxy"},
                                     {"mountPath": "/run/xtables.lock", "name": "xtables-lock"},
                                     {"mountPath": "/lib/modules", "name": "lib-modules", "readOnly": True}],
                    "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
                }],
                "hostNetwork": True,
                "serviceAccountName": "kube-proxy",
                "volumes": [{"name": "kube-proxy", "configMap": {"name": "kube-proxy"}},
                            {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"}},
                            {"name": "lib-modules", "hostPath": {"path": "/lib/modules"}}],
                "tolerations": [{"operator": "Exists"}],
                "nodeSelector": {"kubernetes.io/os": "linux"},
            },
        },
    },
}

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
