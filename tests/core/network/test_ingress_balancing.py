"""ingress-nginx balances over a backend Service's ready endpoints itself.

The controller reads the EndpointSlices and proxies to pod IPs (its ``load-balance`` default is
``round_robin``); kube-proxy's ClusterIP rules, and so the Service's ``sessionAffinity``, are
not on that path. Stickiness through an ingress comes from ingress-nginx annotations only.
"""

from tests.core.network.conftest import Net
from tests.core.network.test_ingress import ingress_class, simple_ingress, start_controller


def pods_answering(controller, count, client_ip="203.0.113.7"):
    return [controller.request("http://example.com/", client_ip=client_ip).pod for _ in range(count)]


def test_ingress_round_robins_over_the_pods_even_when_the_service_has_client_ip_affinity():
    net = Net()
    ingress_class(net, "nginx", default=True)
    net.backend("web", 3, affinity_timeout=10800)
    simple_ingress(net)
    controller = start_controller(net)
    # the endpoints in IP order: web-0 10.244.1.10, web-2 10.244.1.12, web-1 10.244.2.11
    assert pods_answering(controller, 4) == ["default/web-0", "default/web-2", "default/web-1", "default/web-0"]


def test_the_service_affinity_still_holds_for_clients_of_the_cluster_ip():
    net = Net()
    net.backend("web", 3, affinity_timeout=10800)
    pods = {net.proxy.request("http://web/", client_ip="10.244.9.9").pod for _ in range(3)}
    assert len(pods) == 1


def test_ingress_skips_endpoints_that_are_not_ready():
    net = Net()
    ingress_class(net, "nginx", default=True)
    net.service("web")
    for i in range(3):
        net.pod(f"web-{i}", f"10.244.1.{10 + i}")
    net.endpoints("web", [("10.244.1.10", "web-0", True, "node-1"), ("10.244.1.11", "web-1", False, "node-1"),
                          ("10.244.1.12", "web-2", True, "node-1")])
    simple_ingress(net)
    controller = start_controller(net)
    assert pods_answering(controller, 3) == ["default/web-0", "default/web-2", "default/web-0"]


def test_ingress_to_a_backend_without_ready_endpoints_is_503():
    net = Net()
    ingress_class(net, "nginx", default=True)
    net.service("web")
    simple_ingress(net)
    controller = start_controller(net)
    assert controller.request("http://example.com/").status == 503
