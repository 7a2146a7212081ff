"""A pod's /etc/resolv.conf, /etc/hosts and /etc/hostname, as the kubelet and containerd make them.

Checked against pkg/kubelet/network/dns/dns.go (GetPodDNS and its limits), kubelet_pods.go
(managedHostsFileContent, GeneratePodHostNameAndDomain) and containerd's parseDNSOptions.
"""

from __future__ import annotations

import pytest

import labkube
from labkube.core.kubelet.dns import PodDNS, hostname_and_domain
from labkube.core.network.dns import resolv_conf
from labkube.runtime.cri import DNSConfig
from tests.core.kubelet.harness import Node, simple_pod

LOCALHOST = ("# Kubernetes-managed hosts file.\n"
             "127.0.0.1\tlocalhost\n"
             "::1\tlocalhost ip6-localhost ip6-loopback\n"
             "fe00::0\tip6-localnet\n"
             "fe00::0\tip6-mcastprefix\n"
             "fe00::1\tip6-allnodes\n"
             "fe00::2\tip6-allrouters\n")


def _sleeper(name="client", **spec):
    pod = simple_pod(name, "busybox:1.36", command=["sleep", "3600"])
    pod["spec"].update(spec)
    return pod


def _cat(node, name, path, namespace="default"):
    worker = node.kubelet.worker_for(namespace, name)
    result = node.runtime.exec_sync(worker.records["app"].container_id, ["cat", path])
    return result.stdout + result.stderr


def _started(node, pod, namespace="default"):
    node.create(pod, namespace)
    node.run(10)
    return pod["metadata"]["name"]


def test_a_pod_resolves_a_short_service_name_through_its_resolv_conf_search_path():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("create deployment web --image=nginx")
    cluster.kubectl("expose deployment web --port=80")
    cluster.kubectl("run client --image=busybox:1.36 --restart=Never -- sleep 3600")
    cluster.run(30)
    assert cluster.kubectl("exec client -- cat /etc/resolv.conf") == (
        "search default.svc.cluster.local svc.cluster.local cluster.local\n"
        "nameserver 10.96.0.10\n"
        "options ndots:5\n")
    assert "Welcome to nginx!" in cluster.kubectl("exec client -- wget -qO- http://web")


def test_a_cluster_first_pod_gets_the_resolv_conf_cluster_dns_describes():
    node = Node(namespaces=("default", "prod"))
    name = _started(node, _sleeper(), "prod")
    assert _cat(node, name, "/etc/resolv.conf", "prod") == resolv_conf("prod")


def test_the_hosts_file_is_kubelet_managed_and_names_the_pod_ip():
    node = Node()
    name = _started(node, _sleeper())
    ip = node.pod(name)["status"]["podIP"]
    assert _cat(node, name, "/etc/hosts") == LOCALHOST + f"{ip}\tclient\n"
    assert _cat(node, name, "/etc/hostname") == "client\n"


def test_a_pod_with_a_hostname_and_subdomain_lists_its_fqdn_first_then_its_host_aliases():
    node = Node()
    pod = _sleeper("web-0", hostname="web-0", subdomain="web", hostAliases=[
        {"ip": "10.1.2.3", "hostnames": ["foo.local", "bar.local"]},
        {"ip": "10.1.2.4", "hostnames": ["baz.local"]}])
    name = _started(node, pod)
    ip = node.pod(name)["status"]["podIP"]
    assert _cat(node, name, "/etc/hosts") == (
        LOCALHOST + f"{ip}\tweb-0.web.default.svc.cluster.local\tweb-0\n"
        "\n# Entries added by HostAliases.\n"
        "10.1.2.3\tfoo.local\n10.1.2.3\tbar.local\n10.1.2.4\tbaz.local\n")


def test_set_hostname_as_fqdn_puts_the_fqdn_in_etc_hostname_but_not_in_the_hosts_file():
    node = Node()
    name = _started(node, _sleeper("db", hostname="db", subdomain="dbs", setHostnameAsFQDN=True))
    assert _cat(node, name, "/etc/hostname") == "db.dbs.default.svc.cluster.local\n"
    assert _cat(node, name, "/etc/hosts").endswith("\tdb.dbs.default.svc.cluster.local\tdb\n")


def test_a_container_that_mounts_its_own_etc_hosts_keeps_it():
    node = Node()
    pod = _sleeper(volumes=[{"name": "hosts", "emptyDir": {}}])
    pod["spec"]["containers"][0]["volumeMounts"] = [{"name": "hosts", "mountPath": "/etc/hosts",
                                                     "subPath": "hosts"}]
    name = _started(node, pod)
    assert "Kubernetes-managed" not in _cat(node, name, "/etc/hosts")


def test_dns_policy_none_writes_only_the_pods_dns_config():
    node = Node()
    name = _started(node, _sleeper(dnsPolicy="None", dnsConfig={
        "nameservers": ["1.2.3.4"], "searches": ["ns1.svc.cluster-domain.example", "my.dns.search.suffix"],
        "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}))
    assert _cat(node, name, "/etc/resolv.conf") == (
        "search ns1.svc.cluster-domain.example my.dns.search.suffix\n"
        "nameserver 1.2.3.4\n"
        "options ndots:2 edns0\n")


def test_dns_policy_default_copies_the_nodes_resolv_conf():
    node = Node()
    name = _started(node, _sleeper(dnsPolicy="Default"))
    assert _cat(node, name, "/etc/resolv.conf") == "nameserver 172.18.0.1\n"


def test_a_cluster_first_pods_dns_config_is_appended_and_its_options_replace_same_named_ones():
    node = Node()
    name = _started(node, _sleeper(dnsConfig={
        "nameservers": ["10.96.0.10", "8.8.8.8"], "searches": ["example.com", "svc.cluster.local"],
        "options": [{"name": "ndots", "value": "1"}, {"name": "single-request-reopen"}]}))
    assert _cat(node, name, "/etc/resolv.conf") == (
        "search default.svc.cluster.local svc.cluster.local cluster.local example.com\n"
        "nameserver 10.96.0.10\nnameserver 8.8.8.8\n"
        "options ndots:1 single-request-reopen\n")


def test_more_than_three_nameservers_are_cut_with_a_dns_config_forming_warning():
    node = Node()
    name = _started(node, _sleeper(dnsPolicy="None", dnsConfig={
        "nameservers": ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"]}))
    assert _cat(node, name, "/etc/resolv.conf") == (
        "nameserver 1.1.1.1\nnameserver 2.2.2.2\nnameserver 3.3.3.3\n")
    assert ("DNSConfigForming", "Nameserver limits were exceeded, some nameservers have been omitted, "
            "the applied nameserver line is: 1.1.1.1 2.2.2.2 3.3.3.3") in node.reasons(name)


@pytest.mark.parametrize("policy, host_network, expected", [
    ("ClusterFirst", False, ("10.96.0.10",)),
    ("ClusterFirst", True, ("172.18.0.1",)),            # falls back to Default on the host's network
    ("ClusterFirstWithHostNet", True, ("10.96.0.10",)),
    ("Default", False, ("172.18.0.1",)),
    ("None", False, ()),
], ids=["cluster first", "cluster first on the host network is default",
        "cluster first with host net", "default", "none"])
def test_each_dns_policy_picks_its_nameservers(policy, host_network, expected):
    pod = {"metadata": {"name": "p", "namespace": "default"},
           "spec": {"dnsPolicy": policy, "hostNetwork": host_network}}
    assert PodDNS(("10.96.0.10",), "cluster.local").for_pod(pod, lambda m: None).servers == expected


def test_a_search_line_longer_than_2048_characters_is_cut_from_the_end():
    warnings = []
    domains = [f"{i:02d}" + "x" * 97 + ".example" for i in range(25)]  # 25 x 107 characters
    pod = {"metadata": {"name": "p", "namespace": "default"},
           "spec": {"dnsPolicy": "None", "dnsConfig": {"searches": domains}}}
    config = PodDNS(("10.96.0.10",), "cluster.local").for_pod(pod, warnings.append)
    assert config.searches == tuple(domains[:18])
    assert len(" ".join(domains[:18])) <= 2048 < len(" ".join(domains[:19]))
    assert warnings == ["Search Line limits were exceeded, some search paths have been omitted, "
                        "the applied search line is: " + " ".join(domains[:18])]


def test_a_hostname_longer_than_63_characters_is_cut_without_a_trailing_dash():
    name = "a" * 62 + "-" + "b" * 5
    assert hostname_and_domain({"metadata": {"name": name}, "spec": {}}, "cluster.local") == ("a" * 62, "")


def test_containerd_writes_search_then_nameservers_then_options():
    config = DNSConfig(("10.96.0.10", "8.8.8.8"), ("a.b", "c"), ("ndots:5", "edns0"))
    assert config.resolv_conf() == ("search a.b c\nnameserver 10.96.0.10\nnameserver 8.8.8.8\n"
                                    "options ndots:5 edns0\n")
    assert DNSConfig().resolv_conf() == ""
