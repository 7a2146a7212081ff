"""The "Debugging DNS Resolution" page (kubernetes.io/docs/tasks/administer-cluster/dns-debugging-resolution).

Its ``dnsutils`` pod runs ``registry.k8s.io/e2e-test-images/agnhost:2.39`` with no command: the
image's ``CMD ["pause"]`` keeps it Running. The page then runs ``nslookup`` in it, which in
that image (Alpine with bind-tools) is BIND 9's: ``Address: SERVER#53``, the search list
tried name by name, one answer printed.
"""

import pytest

import labkube

#: The page's manifest, as the website ships it (JSON-style YAML after a document marker).
DNSUTILS = """---
{
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "dnsutils",
    namespace: "default",
  },
  spec: {
    containers: [{
      name: "dnsutils",
      image: "registry.k8s.io/e2e-test-images/agnhost:2.39",
      imagePullPolicy: "IfNotPresent",
    }],
    restartPolicy: "Always",
  },
}
"""
HEADER = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n"


@pytest.fixture(scope="module")
def cluster():
    cluster = labkube.Cluster(nodes=2, seed=0)
    assert cluster.kubectl("apply -f -", stdin=DNSUTILS) == "pod/dnsutils created\n"
    cluster.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "outside"},
                   "spec": {"type": "ExternalName", "externalName": "example.com"}})
    cluster.run(60)
    return cluster


def test_the_dnsutils_pod_keeps_running_on_the_images_default_command(cluster):
    assert cluster.kubectl("get pods dnsutils").splitlines()[1].split()[1:4] == ["1/1", "Running", "0"]
    assert cluster.kubectl("logs dnsutils") == "Paused\n"


def test_nslookup_finds_kubernetes_default_through_the_search_list(cluster):
    assert cluster.kubectl("exec -i -t dnsutils -- nslookup kubernetes.default") == (
        HEADER + "Name:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n\n")


def test_nslookup_finds_the_dns_service_itself(cluster):
    assert cluster.kubectl("exec -i -t dnsutils -- nslookup kube-dns.kube-system") == (
        HEADER + "Name:\tkube-dns.kube-system.svc.cluster.local\nAddress: 10.96.0.10\n\n")


def test_the_pods_resolv_conf_is_the_kubelets(cluster):
    assert cluster.kubectl("exec -ti dnsutils -- cat /etc/resolv.conf") == (
        "search default.svc.cluster.local svc.cluster.local cluster.local\n"
        "nameserver 10.96.0.10\noptions ndots:5\n")


def test_a_name_nobody_has_is_nxdomain_and_exit_status_1(cluster):
    assert cluster.kubectl("exec dnsutils -- nslookup nosuch") == (
        HEADER + "** server can't find nosuch: NXDOMAIN\n\ncommand terminated with exit code 1\n")


def test_an_address_is_looked_up_in_reverse(cluster):
    assert cluster.kubectl("exec dnsutils -- nslookup 10.96.0.1") == (
        HEADER + "1.0.96.10.in-addr.arpa\tname = kubernetes.default.svc.cluster.local.\n\n")


def test_an_externalname_service_is_a_cname_printed_once_then_its_target(cluster):
    assert cluster.kubectl("exec dnsutils -- nslookup outside") == (
        HEADER + "outside.default.svc.cluster.local\tcanonical name = example.com.\n"
        "Name:\texample.com\nAddress: 192.0.2.20\n\n")


def test_an_outside_name_is_answered_non_authoritatively(cluster):
    assert cluster.kubectl("exec dnsutils -- nslookup example.com") == (
        HEADER + "Non-authoritative answer:\nName:\texample.com\nAddress: 192.0.2.20\n\n")


def test_a_fully_qualified_name_is_asked_as_is(cluster):
    assert cluster.kubectl("exec dnsutils -- nslookup kubernetes.default.svc.cluster.local.") == (
        HEADER + "Name:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n\n")


def test_srv_records_name_each_port(cluster):
    out = cluster.kubectl("exec dnsutils -- nslookup -type=SRV kube-dns.kube-system")
    assert out.startswith(HEADER)
    assert "kube-dns.kube-system.svc.cluster.local\tservice = 0 33 9153 kube-dns.kube-system.svc.cluster.local.\n" in out


def test_without_cluster_dns_the_lookup_times_out(cluster):
    cluster.kubectl("scale deployment coredns -n kube-system --replicas=0")
    cluster.run(40)
    try:
        assert cluster.kubectl("exec dnsutils -- nslookup kubernetes.default") == (
            ";; connection timed out; no servers could be reached\n\n"
            "command terminated with exit code 1\n")
    finally:
        cluster.kubectl("scale deployment coredns -n kube-system --replicas=2")
        cluster.run(40)
