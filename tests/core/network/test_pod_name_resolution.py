"""Name resolution inside a pod as libc does it: /etc/hosts first (hostAliases, the pod's own
hostname and subdomain FQDN), then the first nameserver of /etc/resolv.conf. Only the cluster
DNS (10.96.0.10) knows Service names: a ``dnsPolicy: Default`` pod asks the node's resolver
and a ``None`` pod its own servers, which know outside names only."""

import pytest

import labkube


@pytest.fixture(scope="module")
def cluster():
    c = labkube.Cluster(nodes=1, seed=0)
    c.kubectl("create deployment web --image=nginx")
    c.kubectl("expose deployment web --port=80")

    def pod(name, **spec):
        c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {
            "containers": [{"name": "c", "image": "busybox:1.36", "command": ["sleep", "3600"]}],
            **spec}})

    pod("first")
    pod("node-dns", dnsPolicy="Default")
    pod("own-dns", dnsPolicy="None", dnsConfig={"nameservers": ["1.1.1.1"]})
    pod("aliased", hostAliases=[{"ip": "10.1.2.3", "hostnames": ["foo.local"]}],
        hostname="db-0", subdomain="db")
    c.run(30)
    return c


def _sh(cluster, pod, command):
    result = cluster.client.pod_exec(pod, "default", ["sh", "-c", command])
    return result.stdout + result.stderr


def test_a_cluster_first_pod_reaches_a_service_by_name(cluster):
    assert "Welcome to nginx!" in _sh(cluster, "first", "wget -qO- http://web")
    assert _sh(cluster, "first", "nc -z web 80; echo $?") == "0\n"


def test_a_default_dns_pod_asks_the_node_which_knows_no_service_names(cluster):
    assert _sh(cluster, "node-dns", "cat /etc/resolv.conf") == "nameserver 172.18.0.1\n"
    assert _sh(cluster, "node-dns", "wget -qO- http://web") == "wget: bad address 'web'\n"
    assert _sh(cluster, "node-dns", "wget -qO- http://web.default.svc.cluster.local") == \
        "wget: bad address 'web.default.svc.cluster.local'\n"
    assert _sh(cluster, "node-dns", "nc -z web 80") == "nc: bad address 'web'\n"
    assert "Example Domain" in _sh(cluster, "node-dns", "wget -qO- http://example.com")


def test_nslookup_asks_the_pods_nameserver(cluster):
    assert _sh(cluster, "node-dns", "nslookup web") == (
        "Server:\t\t172.18.0.1\nAddress:\t172.18.0.1:53\n\n"
        "** server can't find web: NXDOMAIN\n\n** server can't find web: NXDOMAIN\n\n")
    assert "Name:\tweb.default.svc.cluster.local\n" in _sh(cluster, "first", "nslookup web")


def test_a_none_dns_pod_asks_only_its_own_servers(cluster):
    assert _sh(cluster, "own-dns", "wget -qO- http://web") == "wget: bad address 'web'\n"


def test_host_aliases_and_the_pods_own_names_come_from_etc_hosts(cluster):
    assert _sh(cluster, "aliased", "wget -T 1 http://foo.local").startswith(
        "Connecting to foo.local (10.1.2.3:80)\n")
    ip = cluster.client.get("pods", "aliased", "default")["status"]["podIP"]
    assert _sh(cluster, "aliased", "wget -qO- http://db-0.db.default.svc.cluster.local:1234") == \
        f"wget: can't connect to remote host ({ip}): Connection refused\n"


def test_an_https_url_without_a_port_connects_to_443(cluster):
    assert _sh(cluster, "aliased", "wget -T 1 https://foo.local/").startswith(
        "Connecting to foo.local (10.1.2.3:443)\n")
