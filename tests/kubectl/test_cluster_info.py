"""``kubectl cluster-info`` as kubectl 1.32 prints it: the control plane's address, then each
``kubernetes.io/cluster-service=true`` Service of kube-system at its proxy path.

The shape of the text was printed by the real kubectl 1.32 against labkube's HTTP front; the
address differs (there the test server's, here the API server's advertise address)."""

import pytest

import labkube
from labkube.kubectl.commands.cluster_info import join_scheme_name_port, service_link


def test_a_fresh_cluster_shows_the_control_plane_and_coredns():
    cluster = labkube.Cluster(nodes=1, seed=0)
    assert cluster.kubectl("cluster-info") == (
        "Kubernetes control plane is running at https://172.18.0.1:6443\n"
        "CoreDNS is running at https://172.18.0.1:6443/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n"
        "\n"
        "To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n")


def test_an_added_cluster_service_is_listed_by_its_name_label():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("apply -f -", stdin="""
apiVersion: v1
kind: Service
metadata:
  name: dashboard
  namespace: kube-system
  labels: {kubernetes.io/cluster-service: "true", kubernetes.io/name: Dashboard}
spec:
  selector: {app: dashboard}
  ports: [{port: 443, targetPort: 8443}]
""")
    lines = cluster.kubectl("cluster-info").splitlines()
    # A port of 443 without a name: the scheme is guessed, the port name left empty.
    assert "Dashboard is running at https://172.18.0.1:6443/api/v1/namespaces/kube-system/services/" \
           "https:dashboard:/proxy" in lines


@pytest.mark.parametrize("scheme, name, port, joined", [
    ("", "kube-dns", "dns", "kube-dns:dns"),
    ("", "web", "", "web"),
    ("https", "dash", "", "https:dash:"),
    ("https", "dash", "https", "https:dash:https"),
])
def test_scheme_name_and_port_join_as_apimachinery_joins_them(scheme, name, port, joined):
    assert join_scheme_name_port(scheme, name, port) == joined


def test_a_load_balancer_is_linked_by_its_ingress_address_port_by_port():
    service = {"metadata": {"name": "lb", "namespace": "kube-system"},
               "spec": {"ports": [{"port": 80}, {"port": 443}]},
               "status": {"loadBalancer": {"ingress": [{"ip": "172.18.255.1"}]}}}
    assert service_link(service) == "http://172.18.255.1:80 http://172.18.255.1:443 "


def test_dump_is_not_provided():
    cluster = labkube.Cluster(nodes=0, seed=0)
    assert cluster.kubectl("cluster-info dump").startswith('error: "kubectl cluster-info dump" is a kubectl')
