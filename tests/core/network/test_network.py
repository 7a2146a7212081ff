"""The Network the simulated runtime's shell uses: DNS answers and HTTP through the proxy."""

import pytest

from labkube.core.network import NodeNetwork, resolv_conf
from labkube.runtime.cri import ConnectionFailed, ContainerConfig, Mount, PodSandboxConfig


@pytest.fixture
def node_net(net):
    net.backend("web", 2)
    net.service("empty", cluster_ip="10.96.12.34")
    return net, NodeNetwork(net.dns, net.proxy, "172.18.0.2")


@pytest.mark.parametrize("name, ip", [
    ("web.default.svc.cluster.local", None),
    ("kubernetes.default.svc.cluster.local", "10.96.0.1"),
    ("empty.default.svc.cluster.local", "10.96.12.34"),
    ("web", None),
    ("nope.default.svc.cluster.local", None),
], ids=["a service name gives its ClusterIP", "the kubernetes service", "a service without endpoints still resolves",
        "a short name is not an absolute name (the shell applies the search path)", "an unknown name is NXDOMAIN"])
def test_resolve_answers_absolute_names(node_net, name, ip):
    net, network = node_net
    expected = ip or (net.client.get("services", "web", "default")["spec"]["clusterIP"] if name.startswith("web.") else None)
    assert network.resolve(name) == expected


def test_the_nameserver_is_the_kube_dns_service(node_net):
    assert node_net[1].nameserver == "10.96.0.10"


def test_http_get_reaches_a_ready_pod_round_robin(node_net):
    net, network = node_net
    bodies = [network.http_get("http://web.default.svc.cluster.local/hi").body for _ in range(2)]
    assert bodies == ["default/web-0:8080/hi", "default/web-1:8080/hi"]


def test_http_get_to_a_service_without_endpoints_fails_with_connection_refused(node_net):
    _, network = node_net
    with pytest.raises(ConnectionFailed) as err:
        network.http_get("http://empty.default.svc.cluster.local/")
    assert (err.value.message, err.value.ip, err.value.reason) == (
        "dial tcp 10.96.12.34:80: connect: connection refused", "10.96.12.34", "Connection refused")


def test_a_pod_network_sends_the_pod_ip_as_client_for_session_affinity(net):
    net.backend("sticky", 3, affinity_timeout=10800)
    network = NodeNetwork(net.dns, net.proxy, "172.18.0.2")
    pods = {network.for_pod("default", f"10.244.5.{i}").http_get("http://sticky.default.svc.cluster.local/").body
            for i in range(3) for _ in range(2)}
    assert len(pods) == 3


def test_tcp_open_is_true_only_when_a_pod_accepts(node_net):
    net, network = node_net
    net.pods.closed.add(("default", "web-0"))
    assert [network.tcp_open("web", 80) for _ in range(2)] == [False, True]
    assert network.tcp_open("empty", 80) is False


# -- through the simulated runtime's busybox shell ---------------------------------------------------
def run_busybox(net, script):
    from labkube.runtime.sim.runtime import SimRuntime
    from labkube.runtime.volume import Volume

    runtime = SimRuntime(net.clock, "node-1", network=NodeNetwork(net.dns, net.proxy, "172.18.0.2"))
    sandbox = runtime.run_pod_sandbox(PodSandboxConfig("client", "default", "uid-1", ip="10.244.1.99"))
    runtime.pull_image("busybox:1.36")
    net.clock.run(30)
    etc = Volume("etc", {"resolv.conf": resolv_conf("default")})
    config = ContainerConfig("c", "busybox:1.36", command=("sh", "-c", script),
                             mounts=(Mount("/etc/resolv.conf", etc, sub_path="resolv.conf"),))
    container = runtime.create_container(sandbox, config)
    runtime.start_container(container)
    net.clock.run(5)
    return runtime.logs(container)


def test_nslookup_in_a_busybox_pod_uses_the_search_path(node_net):
    net, _ = node_net
    cluster_ip = net.client.get("services", "web", "default")["spec"]["clusterIP"]
    log = run_busybox(net, "nslookup web")
    assert f"Name:\tweb.default.svc.cluster.local\nAddress: {cluster_ip}" in log


def test_wget_in_a_busybox_pod_reaches_a_pod_of_the_service(node_net):
    net, _ = node_net
    log = run_busybox(net, "wget -qO- http://web/hello; echo; wget -qO- http://web.default/hello")
    assert "default/web-0:8080/hello" in log and "default/web-1:8080/hello" in log


def test_wget_in_a_busybox_pod_prints_connection_refused_and_bad_address(node_net):
    net, _ = node_net
    log = run_busybox(net, "wget -qO- http://empty/; wget http://nope/")
    assert log.splitlines() == ["wget: can't connect to remote host (10.96.12.34): Connection refused",
                                "wget: bad address 'nope'"]
