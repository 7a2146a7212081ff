"""``kubectl cluster-info``: where the control plane and the cluster's add-on Services answer.

Mirrors k8s.io/kubectl/pkg/cmd/clusterinfo (1.32): the API server's address, then every Service
in ``kube-system`` labelled ``kubernetes.io/cluster-service=true``, named by its
``kubernetes.io/name`` label, at its API-server proxy path built from its first port
(``https:`` in front when that port is named ``https`` or is 443), or at its load balancer's
address when it has one. A fresh labkube cluster lists CoreDNS, as kind's does.

The server is the one in the kubeconfig's cluster ``kubernetes`` (kubeadm's admin.conf, see
:mod:`.kubeconfig`): the API server's advertise address, the endpoint of ``default/kubernetes``
(``https://172.18.0.1:6443``).
``cluster-info dump`` is not provided.
"""

from __future__ import annotations

from labkube.core.api.kubernetes_service import ADVERTISE_ADDRESS, SECURE_PORT
from labkube.kubectl.commands import Context
from labkube.kubectl.errors import KubectlError

SERVER = f"https://{ADVERTISE_ADDRESS}:{SECURE_PORT}"
CLUSTER_SERVICE = "kubernetes.io/cluster-service=true"
HINT = "To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'."


def run(ctx: Context) -> list[BaseException]:
    if ctx.parsed.all_args[:1] == ["dump"]:
        raise KubectlError('error: "kubectl cluster-info dump" is a kubectl command that labkube '
                           "does not provide")
    ctx.term.line(f"Kubernetes control plane is running at {SERVER}")
    services = ctx.client.list("services", "kube-system", label_selector=CLUSTER_SERVICE)["items"]
    for service in services:
        labels = service["metadata"].get("labels") or {}
        name = labels.get("kubernetes.io/name") or service["metadata"]["name"]
        ctx.term.line(f"{name} is running at {service_link(service)}")
    ctx.term.line("")
    ctx.term.line(HINT)
    return []


def service_link(service: dict) -> str:
    """Where kubectl says an add-on Service answers: ``http://IP:PORT `` for each port of a
    load balancer (a space after each, as kubectl joins them), else the proxy path."""
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    ports = (service.get("spec") or {}).get("ports") or []
    if ingress:
        address = ingress[0].get("ip") or ingress[0].get("hostname", "")
        return "".join(f"http://{address}:{port.get('port')} " for port in ports)
    name = service["metadata"]["name"]
    if ports:
        port = ports[0]
        scheme = "https" if port.get("name") == "https" or port.get("port") == 443 else ""
        name = join_scheme_name_port(scheme, name, port.get("name", ""))
    namespace = service["metadata"]["namespace"]
    return f"{SERVER}/api/v1/namespaces/{namespace}/services/{name}/proxy"


def join_scheme_name_port(scheme: str, name: str, port: str) -> str:
    """apimachinery's ``JoinSchemeNamePort``: a scheme needs all three parts."""
    if scheme:
        return f"{scheme}:{name}:{port}"
    return f"{name}:{port}" if port else name
