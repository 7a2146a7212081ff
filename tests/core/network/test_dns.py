"""Cluster DNS answers as CoreDNS's kubernetes plugin does (names, headless, pods, SRV, search)."""

import pytest

from labkube.core.network import ClusterDNS, resolv_conf, search_path


@pytest.fixture
def cluster(net):
    net.service("web", cluster_ip="10.96.12.34")
    net.service("db", "prod", cluster_ip="10.96.50.1", ports=(("postgres", 5432, 5432),))
    net.service("nginx", cluster_ip="None", ports=(("web", 80, 80),))
    net.pod("web-0", "10.244.1.5", hostname="web-0", subdomain="nginx")
    net.pod("web-1", "10.244.2.7")
    net.pod("web-2", "10.244.1.30")
    net.endpoints("nginx", [("10.244.2.7", "web-1", True, "node-2"),
                            ("10.244.1.5", "web-0", True, "node-1"),
                            ("10.244.1.30", "web-2", False, "node-1")], ports=(("web", 80),))
    return net


@pytest.mark.parametrize("name, addresses", [
    ("web.default.svc.cluster.local", ("10.96.12.34",)),
    ("WEB.default.svc.cluster.local.", ("10.96.12.34",)),
    ("db.prod.svc.cluster.local", ("10.96.50.1",)),
    ("kubernetes.default.svc.cluster.local", ("10.96.0.1",)),
    ("kube-dns.kube-system.svc.cluster.local", ("10.96.0.10",)),
    ("nginx.default.svc.cluster.local", ("10.244.1.5", "10.244.2.7")),
    ("web-0.nginx.default.svc.cluster.local", ("10.244.1.5",)),
    ("10-244-2-7.nginx.default.svc.cluster.local", ("10.244.2.7",)),
    ("10-244-1-5.default.pod.cluster.local", ("10.244.1.5",)),
    ("10-244-9-9.prod.pod.cluster.local", ("10.244.9.9",)),
], ids=[
    "a service name gives its ClusterIP",
    "names are case-insensitive and may end with a dot",
    "a service in another namespace is found by its full name",
    "the kubernetes service is 10.96.0.1",
    "the kube-dns service is 10.96.0.10",
    "a headless service gives its ready endpoint IPs sorted",
    "a pod with hostname and subdomain has its own name under the headless service",
    "an endpoint without hostname is named by its dashed IP",
    "a pod A record is the IP written in the name",
    "pods insecure answers any dashed IP as kubeadm's Corefile does",
])
def test_absolute_names_resolve(cluster, name, addresses):
    assert cluster.dns.resolve(name) == addresses


@pytest.mark.parametrize("name", [
    "nope.default.svc.cluster.local",
    "web.prod.svc.cluster.local",
    "web.default.svc.example.com",
    "web-2.nginx.default.svc.cluster.local",
    "web-0.web.default.svc.cluster.local",
    "300-1-1-1.default.pod.cluster.local",
    "default.svc.cluster.local",
], ids=[
    "an unknown service",
    "a service name in the wrong namespace",
    "a name outside the cluster domain",
    "an endpoint that is not ready",
    "an endpoint name under a service with a ClusterIP",
    "a pod label that is not an IP",
    "a bare namespace",
])
def test_unknown_names_are_nxdomain(cluster, name):
    answer = cluster.dns.lookup(name)
    assert (answer.rcode, answer.addresses) == ("NXDOMAIN", ())


@pytest.mark.parametrize("name, namespace, fqdn", [
    ("web", "default", "web.default.svc.cluster.local"),
    ("db", "prod", "db.prod.svc.cluster.local"),
    ("db.prod", "default", "db.prod.svc.cluster.local"),
    ("web.default.svc", "prod", "web.default.svc.cluster.local"),
    ("kubernetes.default", "prod", "kubernetes.default.svc.cluster.local"),
    ("web.default.svc.cluster.local", "prod", "web.default.svc.cluster.local"),
], ids=[
    "a short name resolves in the pod's own namespace",
    "a short name in another namespace uses that namespace's search path",
    "name.namespace resolves through svc.cluster.local",
    "name.namespace.svc resolves through cluster.local",
    "kubernetes.default resolves from any namespace",
    "a full name resolves as it is",
])
def test_search_path_resolves_short_names_from_a_pod(cluster, name, namespace, fqdn):
    answer = cluster.dns.search(name, namespace)
    assert answer.name == fqdn and answer.addresses


def test_a_short_name_of_another_namespace_is_not_found():
    from tests.core.network.conftest import Net

    net = Net()
    net.service("db", "prod", cluster_ip="10.96.50.1")
    assert net.dns.search("db", "default").rcode == "NXDOMAIN"


def test_kubernetes_default_resolves_to_the_api_server_service(cluster):
    assert cluster.dns.search("kubernetes.default", "default").addresses == ("10.96.0.1",)


def test_headless_service_with_no_ready_endpoint_is_nxdomain(net):
    net.service("quiet", cluster_ip="None")
    net.endpoints("quiet", [("10.244.1.9", None, False, "node-1")])
    assert net.dns.lookup("quiet.default.svc.cluster.local").rcode == "NXDOMAIN"


def test_a_nil_ready_condition_counts_as_ready(net):
    net.service("nil", cluster_ip="None")
    net.client.create({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                       "metadata": {"name": "nil-1", "labels": {"kubernetes.io/service-name": "nil"}},
                       "addressType": "IPv4", "endpoints": [{"addresses": ["10.244.3.3"]}]}, "default")
    net.settle()
    assert net.dns.resolve("nil.default.svc.cluster.local") == ("10.244.3.3",)


def test_dns_follows_endpointslice_changes(cluster):
    eps = cluster.client.get("endpointslices", "nginx-abcde", "default")
    eps["endpoints"][2]["conditions"]["ready"] = True
    cluster.client.update(eps)
    cluster.settle()
    assert cluster.dns.resolve("nginx.default.svc.cluster.local") == ("10.244.1.5", "10.244.1.30", "10.244.2.7")


def test_a_pod_hostname_is_taken_from_the_pod_when_the_slice_has_none(net):
    net.service("workers", cluster_ip="None")
    net.pod("w", "10.244.2.2", hostname="busybox-1", subdomain="workers")
    net.endpoints("workers", [("10.244.2.2", "w", True, "node-2")])
    assert net.dns.resolve("busybox-1.workers.default.svc.cluster.local") == ("10.244.2.2",)


def test_verified_pod_records_need_a_pod_with_that_ip_in_that_namespace(net):
    verified = ClusterDNS(net.informers, pods="verified")
    net.pod("p", "10.244.1.8")
    assert verified.resolve("10-244-1-8.default.pod.cluster.local") == ("10.244.1.8",)
    assert verified.resolve("10-244-1-8.prod.pod.cluster.local") == ()
    assert verified.resolve("10-244-1-9.default.pod.cluster.local") == ()


def test_external_name_service_is_a_cname(net):
    net.client.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext"},
                       "spec": {"type": "ExternalName", "externalName": "web.default.svc.cluster.local"}},
                      "default")
    net.service("web", cluster_ip="10.96.12.34")
    answer = net.dns.lookup("ext.default.svc.cluster.local")
    assert [str(r) for r in answer.records] == [
        "ext.default.svc.cluster.local.\t30\tIN\tCNAME\tweb.default.svc.cluster.local."]
    assert net.dns.resolve("ext.default.svc.cluster.local") == ("10.96.12.34",)


@pytest.mark.parametrize("query, expected", [
    ("_http._tcp.web.default.svc.cluster.local",
     ["_http._tcp.web.default.svc.cluster.local.\t30\tIN\tSRV\t0 100 80 web.default.svc.cluster.local."]),
    ("_web._tcp.nginx.default.svc.cluster.local",
     ["_web._tcp.nginx.default.svc.cluster.local.\t30\tIN\tSRV\t0 50 80 web-0.nginx.default.svc.cluster.local.",
      "_web._tcp.nginx.default.svc.cluster.local.\t30\tIN\tSRV\t0 50 80 10-244-2-7.nginx.default.svc.cluster.local."]),
], ids=[
    "a named port of a ClusterIP service points at the service name",
    "a named port of a headless service has one record per ready endpoint",
])
def test_srv_records_for_named_ports(cluster, query, expected):
    assert [str(r) for r in cluster.dns.lookup(query, "SRV").records] == expected


@pytest.mark.parametrize("query", [
    "_metrics._tcp.web.default.svc.cluster.local",
    "_http._udp.web.default.svc.cluster.local",
], ids=["a port name the service lacks", "the wrong protocol"])
def test_srv_for_a_port_the_service_lacks_is_nxdomain(cluster, query):
    assert cluster.dns.lookup(query, "SRV").rcode == "NXDOMAIN"


def test_nslookup_prints_like_busybox(cluster):
    misses = ("** server can't find web.svc.cluster.local: NXDOMAIN\n\n"
              "** server can't find web.cluster.local: NXDOMAIN\n\n")
    assert cluster.dns.nslookup("web", "default") == (
        "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
        "Name:\tweb.default.svc.cluster.local\nAddress: 10.96.12.34\n\n" + misses + "\n" + misses)


def test_nslookup_of_a_headless_service_lists_every_address(cluster):
    assert cluster.dns.nslookup("nginx.default.svc.cluster.local").splitlines()[3:] == [
        "Name:\tnginx.default.svc.cluster.local", "Address: 10.244.1.5",
        "Name:\tnginx.default.svc.cluster.local", "Address: 10.244.2.7", "", ""]


def test_nslookup_of_an_unknown_name_says_nxdomain(cluster):
    assert cluster.dns.nslookup("nope.default") == (
        "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n" + "** server can't find nope.default: NXDOMAIN\n\n" * 2)


def test_resolv_conf_is_what_the_kubelet_writes_for_cluster_first():
    assert resolv_conf("prod") == ("search prod.svc.cluster.local svc.cluster.local cluster.local\n"
                                   "nameserver 10.96.0.10\noptions ndots:5\n")
    assert search_path("default") == ("default.svc.cluster.local", "svc.cluster.local", "cluster.local")


def test_an_unknown_pods_mode_is_refused(net):
    with pytest.raises(ValueError, match='pods must be "insecure" or "verified"'):
        ClusterDNS(net.informers, pods="disabled")
