"""The service proxy routes like kube-proxy: ready endpoints, round robin, affinity, ports, REJECT."""

import pytest

from labkube.core.network import BadAddress, ConnectionRefused, ConnectionTimedOut, ServiceProxy
from tests.core.network.conftest import Net


def answered_by(net, url, times, **kwargs):
    return [net.proxy.request(url, **kwargs).pod for _ in range(times)]


def test_round_robin_spreads_requests_over_every_ready_pod_in_endpoint_ip_order(net):
    net.backend("web", 3)  # web-0 10.244.1.10, web-1 10.244.2.11, web-2 10.244.1.12
    assert answered_by(net, "http://web.default.svc.cluster.local/", 6) == [
        "default/web-0", "default/web-2", "default/web-1"] * 2


def test_not_ready_endpoints_get_no_traffic(net):
    net.service("web")
    net.pod("web-0", "10.244.1.10")
    net.pod("web-1", "10.244.2.11")
    net.endpoints("web", [("10.244.1.10", "web-0", True, "node-1"), ("10.244.2.11", "web-1", False, "node-2")])
    assert set(answered_by(net, "http://web/", 4)) == {"default/web-0"}


def test_terminating_but_serving_endpoints_are_used_when_none_is_ready(net):
    net.service("web")
    net.pod("web-0", "10.244.1.10")
    net.endpoints("web", [("10.244.1.10", "web-0", False, "node-1", None, True)])
    assert net.proxy.request("http://web/").pod == "default/web-0"


def test_the_response_names_pod_node_endpoint_and_service(net):
    net.backend("web", 1)
    response = net.proxy.request("http://web/index.html?x=1")
    assert (response.status, response.body, response.pod, response.node, response.endpoint_ip, response.service) == (
        200, "default/web-0:8080/index.html?x=1", "default/web-0", "node-1", "10.244.1.10", "default/web")


@pytest.mark.parametrize("url", [
    "http://web/", "http://web.default/", "http://web.default.svc/",
    "http://web.default.svc.cluster.local/", "web", "http://WEB.default.svc.cluster.local:80/",
], ids=["short name", "name.namespace", "name.namespace.svc", "full name", "no scheme", "upper case and port"])
def test_every_form_of_the_service_name_reaches_it(net, url):
    net.backend("web", 1)
    assert net.proxy.request(url).pod == "default/web-0"


def test_the_cluster_ip_reaches_the_service(net):
    svc = net.backend("web", 1, cluster_ip="10.96.12.34")
    assert net.proxy.request(f"http://{svc['spec']['clusterIP']}/").service == "default/web"


def test_a_pod_ip_is_reached_directly_on_the_port_given(net):
    net.pod("lonely", "10.244.2.50", node="node-2")
    response = net.proxy.request("http://10.244.2.50:9000/healthz")
    assert (response.pod, response.node, response.body) == ("default/lonely", "node-2", "default/lonely:9000/healthz")


def test_no_ready_endpoints_is_connection_refused_as_wget_prints_it(net):
    net.service("web", cluster_ip="10.96.12.34")
    net.endpoints("web", [("10.244.1.10", None, False, "node-1")])
    with pytest.raises(ConnectionRefused) as err:
        net.proxy.request("http://web/")
    assert str(err.value) == "wget: can't connect to remote host (10.96.12.34): Connection refused"


def test_a_service_without_any_endpointslice_is_connection_refused(net):
    net.service("web", cluster_ip="10.96.12.35")
    with pytest.raises(ConnectionRefused, match=r"\(10\.96\.12\.35\): Connection refused"):
        net.proxy.request("http://web.default.svc.cluster.local/")


def test_a_pod_that_does_not_listen_refuses_the_connection(net):
    net.backend("web", 1, cluster_ip="10.96.12.36")
    net.pods.closed.add(("default", "web-0"))
    with pytest.raises(ConnectionRefused, match=r"\(10\.96\.12\.36\)"):
        net.proxy.request("http://web/")


def test_an_unknown_host_is_a_bad_address(net):
    with pytest.raises(BadAddress) as err:
        net.proxy.request("http://nope/")
    assert str(err.value) == "wget: bad address 'nope'"


def test_a_port_the_service_does_not_have_times_out(net):
    net.backend("web", 1)
    with pytest.raises(ConnectionTimedOut) as err:
        net.proxy.request("http://web:8081/")
    ip = net.client.get("services", "web", "default")["spec"]["clusterIP"]
    assert str(err.value) == f"wget: can't connect to remote host ({ip}): Connection timed out"


def test_an_address_nobody_owns_times_out(net):
    with pytest.raises(ConnectionTimedOut):
        net.proxy.request("http://10.96.99.99/")


@pytest.mark.parametrize("url, port", [
    ("http://web/", 8080),
    ("http://web:9090/metrics", 9100),
], ids=["the named targetPort of the http port becomes 8080", "a second named port becomes its own number"])
def test_named_target_ports_come_from_the_endpointslice(net, url, port):
    net.service("web", ports=(("http", 80, "http-web-svc"), ("metrics", 9090, "metrics")))
    net.pod("web-0", "10.244.1.10")
    net.endpoints("web", [("10.244.1.10", "web-0", True, "node-1")], ports=(("http", 8080), ("metrics", 9100)))
    net.proxy.request(url)
    assert net.pods.calls[-1][2] == port


def test_a_slice_that_does_not_list_the_port_is_not_used_for_it(net):
    net.service("web", ports=(("http", 80, 8080), ("admin", 81, 8081)))
    net.pod("web-0", "10.244.1.10")
    net.endpoints("web", [("10.244.1.10", "web-0", True, "node-1")], ports=(("http", 8080),))
    with pytest.raises(ConnectionRefused):
        net.proxy.request("http://web:81/")


def test_session_affinity_keeps_a_client_on_one_pod(net):
    net.backend("web", 3, affinity_timeout=10800)
    assert len(set(answered_by(net, "http://web/", 5, client_ip="10.244.9.1"))) == 1


def test_session_affinity_is_per_client_ip(net):
    net.backend("web", 3, affinity_timeout=10800)
    pods = [net.proxy.request("http://web/", client_ip=f"10.244.9.{i}").pod for i in range(3)]
    assert sorted(pods) == ["default/web-0", "default/web-1", "default/web-2"]


def test_a_pod_client_is_identified_by_its_pod_ip(net):
    net.backend("web", 3, affinity_timeout=10800)
    net.pod("client", "10.244.9.9")
    first = net.proxy.request("http://web/", from_pod="default/client").pod
    assert answered_by(net, "http://web/", 3, from_pod=("default", "client")) == [first] * 3


def test_session_affinity_expires_after_the_client_is_idle_for_the_timeout(net):
    net.backend("web", 3, affinity_timeout=60)
    first = net.proxy.request("http://web/", client_ip="10.1.1.1").pod
    net.proxy.request("http://web/", client_ip="10.2.2.2")  # moves round robin on
    net.clock.run(59)
    assert net.proxy.request("http://web/", client_ip="10.1.1.1").pod == first
    net.clock.run(61)
    assert net.proxy.request("http://web/", client_ip="10.1.1.1").pod != first


def test_session_affinity_moves_when_its_pod_is_no_longer_ready(net):
    net.backend("web", 2, affinity_timeout=10800)
    assert net.proxy.request("http://web/", client_ip="10.1.1.1").pod == "default/web-0"
    eps = net.client.get("endpointslices", "web-abcde", "default")
    eps["endpoints"][0]["conditions"]["ready"] = False
    net.client.update(eps)
    net.settle()
    assert net.proxy.request("http://web/", client_ip="10.1.1.1").pod == "default/web-1"


def test_a_node_port_on_any_node_ip_reaches_the_service(net):
    net.backend("web", 2, type="NodePort", node_port=30080)
    net.client.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}})
    node = net.client.get("nodes", "node-1")
    node["status"] = {"addresses": [{"type": "InternalIP", "address": "172.18.0.2"}]}
    net.client.update(node, subresource="status")
    net.settle()
    assert answered_by(net, "http://172.18.0.2:30080/", 2) == ["default/web-0", "default/web-1"]
    with pytest.raises(ConnectionRefused):
        net.proxy.request("http://172.18.0.2:30081/")


def test_external_traffic_policy_local_uses_only_endpoints_on_that_node(net):
    net.backend("web", 4, type="NodePort", node_port=30090, external_traffic_policy="Local")
    for name, ip in (("node-1", "172.18.0.2"), ("node-2", "172.18.0.3")):
        net.client.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}})
        node = net.client.get("nodes", name)
        node["status"] = {"addresses": [{"type": "InternalIP", "address": ip}]}
        net.client.update(node, subresource="status")
    net.settle()
    assert set(answered_by(net, "http://172.18.0.3:30090/", 4)) == {"default/web-1", "default/web-3"}


def test_random_mode_is_deterministic_for_a_seed_and_spreads():
    runs = []
    for _ in range(2):
        net = Net(seed=7, mode="random")
        net.backend("web", 3)
        runs.append(answered_by(net, "http://web/", 30))
    assert runs[0] == runs[1]
    assert set(runs[0]) == {"default/web-0", "default/web-1", "default/web-2"}


def test_random_mode_depends_on_the_seed():
    runs = []
    for seed in (1, 2):
        net = Net(seed=seed, mode="random")
        net.backend("web", 3)
        runs.append(answered_by(net, "http://web/", 30))
    assert runs[0] != runs[1]


def test_connect_reports_the_pod_that_accepted(net):
    net.backend("web", 1)
    conn = net.proxy.connect("web", 80)
    assert (conn.pod, conn.endpoint_ip, conn.port) == ("default/web-0", "10.244.1.10", 80)


def test_connect_to_a_closed_pod_is_refused(net):
    net.backend("web", 1, cluster_ip="10.96.12.37")
    net.pods.closed.add(("default", "web-0"))
    with pytest.raises(ConnectionRefused):
        net.proxy.connect("web", 80)


def test_an_unknown_mode_is_refused(net):
    with pytest.raises(ValueError, match='mode must be "round-robin" or "random"'):
        ServiceProxy(net.informers, net.dns, net.pods, net.clock, mode="least-conn")
