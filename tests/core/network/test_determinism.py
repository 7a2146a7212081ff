"""The same seed and the same calls give the same answers, byte for byte."""

from labkube.core.network import IngressController
from tests.core.network.conftest import Net


def transcript(seed):
    net = Net(seed=seed, mode="random")
    net.client.create({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                       "metadata": {"name": "nginx", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
                       "spec": {"controller": "k8s.io/ingress-nginx"}})
    net.backend("web", 4, affinity_timeout=30)
    net.backend("api", 3, first_ip=40)
    net.client.create({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "api"},
                       "spec": {"rules": [{"http": {"paths": [{"path": "/api", "pathType": "Prefix", "backend": {
                           "service": {"name": "api", "port": {"number": 80}}}}]}}]}}, "default")
    ingress = IngressController(net.client, net.clock, net.errors, net.proxy)
    ingress.start()
    lines = []
    for i in range(20):
        net.clock.run(7)
        r = net.proxy.request("http://web/", client_ip=f"10.0.0.{i % 3}")
        lines.append(f"{net.clock.timestamp()} {r.pod} {r.endpoint_ip} {r.node}")
        lines.append(repr(ingress.ingress_request("x", f"/api/{i}")))
    lines.append(repr(net.client.get("ingresses", "api", "default")["status"]))
    return "\n".join(lines)


def test_the_same_seed_gives_the_same_transcript():
    assert transcript(3) == transcript(3)


def test_another_seed_picks_other_endpoints_in_random_mode():
    assert transcript(3) != transcript(4)
