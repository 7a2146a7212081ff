"""The ingress controller routes as the Ingress concept page describes (ingress-nginx's behaviour)."""

from pathlib import Path

import pytest
import yaml

from labkube.core.network import ConnectionRefused, IngressController, nginx_error_page
from labkube.core.network.ingress import host_matches, path_matches
from tests.conftest import CONFORMANCE
from tests.core.network.conftest import Net

DOCS = Path(CONFORMANCE) / "service" / "networking"
NGINX_404 = ("<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
             "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


def ingress_class(net, name, *, default=False, controller="k8s.io/ingress-nginx"):
    meta = {"name": name}
    if default:
        meta["annotations"] = {"ingressclass.kubernetes.io/is-default-class": "true"}
    net.client.create({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": meta,
                       "spec": {"controller": controller}})


def start_controller(net, **kwargs):
    kwargs.setdefault("address", "172.18.0.2")
    controller = IngressController(net.client, net.clock, net.errors, net.proxy, **kwargs)
    controller.start()
    net.settle()
    return controller


def apply_doc(net, filename):
    for doc in yaml.safe_load_all((DOCS / filename).read_text()):
        if doc:
            net.client.create(doc, "default")
    net.settle()


def served_by(response):
    """The Service whose pod answered, or the status code when nothing did."""
    return response.service.split("/")[1] if response.service else response.status


@pytest.fixture
def docs_net():
    net = Net()
    ingress_class(net, "nginx", default=True)
    ingress_class(net, "nginx-example")
    for i, (name, port) in enumerate((("test", 80), ("service1", 4200), ("service2", 8080), ("service1b", 80))):
        net.backend(name, 1, first_ip=10 + 10 * i, ports=(("http", port, 8080),))
    return net


# -- the documentation's manifests ------------------------------------------------------------------
@pytest.mark.parametrize("host, path, expected", [
    ("anything.example", "/testpath", "test"),
    ("", "/testpath/deeper", "test"),
    ("example.com", "/", 404),
    ("example.com", "/testpathology", 404),
], ids=[
    "a request for /testpath on any host goes to the test service",
    "a subpath of /testpath goes to the test service",
    "the root has no rule and gets nginx's 404",
    "a longer word is not a path element match",
])
def test_minimal_ingress_routes_testpath_to_the_test_service(docs_net, host, path, expected):
    apply_doc(docs_net, "minimal-ingress.yaml")
    controller = start_controller(docs_net)
    assert served_by(controller.ingress_request(host, path)) == expected


@pytest.mark.parametrize("host, path, expected, port", [
    ("foo.bar.com", "/foo", "service1", 4200),
    ("foo.bar.com", "/bar/baz", "service2", 8080),
    ("foo.bar.com", "/", 404, None),
    ("other.com", "/foo", 404, None),
], ids=[
    "foo.bar.com/foo goes to service1 on port 4200",
    "foo.bar.com/bar goes to service2 on port 8080",
    "foo.bar.com/ matches no path",
    "another host matches no rule",
])
def test_simple_fanout_sends_foo_and_bar_to_two_services(docs_net, host, path, expected, port):
    apply_doc(docs_net, "simple-fanout-example.yaml")
    controller = start_controller(docs_net)
    response = controller.ingress_request(host, path)
    assert served_by(response) == expected
    if port is not None:
        assert docs_net.pods.calls[-1][2] == 8080  # the Service port became the pods' targetPort


def test_name_virtual_hosts_send_each_host_to_its_service():
    net = Net()
    ingress_class(net, "nginx", default=True)
    net.backend("service1", 1, first_ip=10, ports=(("http", 80, 8080),))
    net.backend("service2", 1, first_ip=20, ports=(("http", 80, 8080),))
    apply_doc(net, "name-virtual-host-ingress.yaml")
    controller = start_controller(net)
    assert [served_by(controller.request(f"http://{host}/any/path")) for host in
            ("foo.bar.com", "bar.foo.com", "FOO.BAR.COM:80", "baz.com")] == ["service1", "service2", "service1", 404]


def test_the_404_body_is_nginxs(docs_net):
    controller = start_controller(docs_net)
    response = controller.ingress_request("nowhere", "/")
    assert (response.status, response.body) == (404, NGINX_404)
    assert nginx_error_page(404) == NGINX_404


# -- the "Examples" table of the Ingress concept page -------------------------------------------------
EXAMPLES = [
    ("Prefix", ["/"], "/any/path", 0),
    ("Exact", ["/foo"], "/foo", 0),
    ("Exact", ["/foo"], "/bar", None),
    ("Exact", ["/foo"], "/foo/", None),
    ("Exact", ["/foo/"], "/foo", None),
    ("Prefix", ["/foo"], "/foo", 0),
    ("Prefix", ["/foo"], "/foo/", 0),
    ("Prefix", ["/foo/"], "/foo", 0),
    ("Prefix", ["/foo/"], "/foo/", 0),
    ("Prefix", ["/aaa/bb"], "/aaa/bbb", None),
    ("Prefix", ["/aaa/bbb"], "/aaa/bbb", 0),
    ("Prefix", ["/aaa/bbb/"], "/aaa/bbb", 0),
    ("Prefix", ["/aaa/bbb"], "/aaa/bbb/", 0),
    ("Prefix", ["/aaa/bbb"], "/aaa/bbb/ccc", 0),
    ("Prefix", ["/aaa/bbb"], "/aaa/bbbxyz", None),
    ("Prefix", ["/", "/aaa"], "/aaa/ccc", 1),
    ("Prefix", ["/", "/aaa", "/aaa/bbb"], "/aaa/bbb", 2),
    ("Prefix", ["/", "/aaa", "/aaa/bbb"], "/ccc", 0),
    ("Prefix", ["/aaa"], "/ccc", None),
    ("Mixed", ["/foo", "/foo"], "/foo", 1),
]
EXAMPLE_IDS = [
    "Prefix / matches all paths",
    "Exact /foo matches /foo",
    "Exact /foo does not match /bar",
    "Exact /foo does not match /foo/",
    "Exact /foo/ does not match /foo",
    "Prefix /foo matches /foo",
    "Prefix /foo matches /foo/",
    "Prefix /foo/ matches /foo",
    "Prefix /foo/ matches /foo/",
    "Prefix /aaa/bb does not match /aaa/bbb",
    "Prefix /aaa/bbb matches /aaa/bbb",
    "Prefix /aaa/bbb/ matches /aaa/bbb ignoring the trailing slash",
    "Prefix /aaa/bbb matches /aaa/bbb/ with its trailing slash",
    "Prefix /aaa/bbb matches the subpath /aaa/bbb/ccc",
    "Prefix /aaa/bbb does not match the string prefix /aaa/bbbxyz",
    "Prefix / and /aaa: /aaa/ccc matches the /aaa prefix",
    "Prefix /, /aaa and /aaa/bbb: /aaa/bbb matches the /aaa/bbb prefix",
    "Prefix /, /aaa and /aaa/bbb: /ccc matches the / prefix",
    "Prefix /aaa: /ccc uses the default backend",
    "Mixed /foo Prefix and /foo Exact: /foo prefers Exact",
]


@pytest.fixture(scope="module")
def table_net():
    net = Net()
    ingress_class(net, "nginx", default=True)
    for i in range(3):
        net.backend(f"p{i}", 1, first_ip=10 + 10 * i, ports=(("http", 80, 8080),))
    net.backend("fallback", 1, first_ip=50, ports=(("http", 80, 8080),))
    return net, start_controller(net)


@pytest.mark.parametrize("kind, paths, request_path, winner", EXAMPLES, ids=EXAMPLE_IDS)
def test_path_examples_from_the_ingress_concept_page(table_net, kind, paths, request_path, winner):
    net, controller = table_net
    entries = []
    for i, path in enumerate(paths):
        path_type = ("Prefix", "Exact")[i] if kind == "Mixed" else kind
        entries.append({"path": path, "pathType": path_type,
                        "backend": {"service": {"name": f"p{i}", "port": {"number": 80}}}})
    name = f"table-{EXAMPLES.index((kind, paths, request_path, winner))}"
    net.client.create({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name},
                       "spec": {"defaultBackend": {"service": {"name": "fallback", "port": {"number": 80}}},
                                "rules": [{"host": f"{name}.example", "http": {"paths": entries}}]}}, "default")
    net.settle()
    expected = "fallback" if winner is None else f"p{winner}"
    assert served_by(controller.ingress_request(f"{name}.example", request_path)) == expected


@pytest.mark.parametrize("path_type, rule, request_path, matches", [
    ("ImplementationSpecific", "/foo", "/foo/bar", True),
    ("ImplementationSpecific", "/foo", "/foobar", False),
    ("Exact", "/foo", "/foo?x=1", True),
    ("Prefix", "/foo", "/foo/bar?x=1", True),
], ids=["ImplementationSpecific is treated as Prefix", "ImplementationSpecific matches whole elements",
        "Exact ignores the query string", "Prefix ignores the query string"])
def test_path_matching_details(path_type, rule, request_path, matches):
    assert path_matches(path_type, rule, request_path) is matches


@pytest.mark.parametrize("rule, header, matches", [
    ("*.foo.com", "bar.foo.com", True),
    ("*.foo.com", "baz.bar.foo.com", False),
    ("*.foo.com", "foo.com", False),
    ("foo.bar.com", "foo.bar.com", True),
    ("foo.bar.com", "x.foo.bar.com", False),
], ids=["a wildcard matches based on shared suffix", "a wildcard only covers a single DNS label",
        "a wildcard needs one label before the suffix", "a precise host matches itself",
        "a precise host does not match a subdomain"])
def test_hostname_wildcards(rule, header, matches):
    assert host_matches(rule, header) is matches


def test_an_exact_host_wins_over_a_wildcard_and_a_wildcard_over_no_host():
    net = Net()
    ingress_class(net, "nginx", default=True)
    for i, name in enumerate(("exact", "wild", "any")):
        net.backend(name, 1, first_ip=10 + 10 * i, ports=(("http", 80, 8080),))
    rules = [{"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix",
                                               "backend": {"service": {"name": svc, "port": {"number": 80}}}}]}}
             for host, svc in (("foo.bar.com", "exact"), ("*.bar.com", "wild"))]
    rules.append({"http": {"paths": [{"path": "/", "pathType": "Prefix",
                                      "backend": {"service": {"name": "any", "port": {"number": 80}}}}]}})
    net.client.create({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "hosts"},
                       "spec": {"rules": rules}}, "default")
    controller = start_controller(net)
    assert [served_by(controller.ingress_request(h, "/")) for h in ("foo.bar.com", "baz.bar.com", "a.b.bar.com")] == [
        "exact", "wild", "any"]


# -- classes, backends, status ----------------------------------------------------------------------
def simple_ingress(net, name="web", **spec_extra):
    spec = {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix",
                                           "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}
    spec.update(spec_extra)
    meta = {"name": name}
    if "annotations" in spec:
        meta["annotations"] = spec.pop("annotations")
    net.client.create({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta, "spec": spec},
                      "default")
    net.settle()


@pytest.mark.parametrize("classes, spec, served", [
    ([("nginx", True)], {}, True),
    ([("nginx", False)], {}, False),
    ([], {}, False),
    ([("nginx", False)], {"ingressClassName": "nginx"}, True),
    ([("nginx", True)], {"ingressClassName": "missing"}, False),
    ([("nginx", True), ("traefik", False)], {"ingressClassName": "traefik"}, False),
    ([], {"annotations": {"kubernetes.io/ingress.class": "nginx"}}, True),
    ([("nginx", True)], {"annotations": {"kubernetes.io/ingress.class": "traefik"}}, False),
], ids=[
    "an Ingress without a class is served when our class is the default",
    "an Ingress without a class is ignored when no class is the default",
    "an Ingress without a class is ignored when there is no IngressClass",
    "an Ingress naming our class is served",
    "an Ingress naming a class that does not exist is ignored",
    "an Ingress naming another controller's class is ignored",
    "the legacy kubernetes.io/ingress.class annotation selects us",
    "the legacy annotation naming another class is ignored",
])
def test_ingress_class_selection(classes, spec, served):
    net = Net()
    for name, default in classes:
        ingress_class(net, name, default=default,
                      controller="traefik.io/ingress-controller" if name == "traefik" else "k8s.io/ingress-nginx")
    net.backend("web", 1)
    simple_ingress(net, **spec)
    controller = start_controller(net)
    net.settle()
    response = controller.ingress_request("example.com", "/")
    status = net.client.get("ingresses", "web", "default").get("status") or {}
    assert (served_by(response) == "web", bool(status.get("loadBalancer", {}).get("ingress"))) == (served, served)


def test_watch_without_class_serves_classless_ingresses():
    net = Net()
    net.backend("web", 1)
    simple_ingress(net)
    controller = start_controller(net, watch_without_class=True)
    assert served_by(controller.ingress_request("example.com", "/")) == "web"


def test_status_shows_the_controller_address():
    net = Net()
    ingress_class(net, "nginx", default=True)
    net.backend("web", 1)
    start_controller(net, address="192.168.49.2")
    simple_ingress(net)
    net.settle()
    status = net.client.get("ingresses", "web", "default")["status"]
    assert status == {"loadBalancer": {"ingress": [{"ip": "192.168.49.2"}]}}


def test_the_address_defaults_to_the_first_nodes_internal_ip():
    net = Net()
    ingress_class(net, "nginx", default=True)
    net.backend("web", 1)
    simple_ingress(net)
    controller = start_controller(net, address=None)
    assert net.client.get("ingresses", "web", "default").get("status", {}).get("loadBalancer", {}) == {}
    net.client.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}})
    node = net.client.get("nodes", "node-1")
    node["status"] = {"addresses": [{"type": "InternalIP", "address": "172.18.0.2"}]}
    net.client.update(node, subresource="status")
    net.settle()
    assert controller.address() == "172.18.0.2"
    assert net.client.get("ingresses", "web", "default")["status"]["loadBalancer"]["ingress"] == [{"ip": "172.18.0.2"}]


def test_a_backend_port_may_be_named():
    net = Net()
    ingress_class(net, "nginx", default=True)
    net.backend("web", 1, ports=(("http", 80, 8080),))
    net.client.create({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "named"},
                       "spec": {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {
                           "service": {"name": "web", "port": {"name": "http"}}}}]}}]}}, "default")
    controller = start_controller(net)
    assert served_by(controller.ingress_request("x", "/")) == "web"


@pytest.mark.parametrize("setup", ["no ready endpoint", "no such service"])
def test_a_backend_that_cannot_answer_is_503(setup):
    net = Net()
    ingress_class(net, "nginx", default=True)
    if setup == "no ready endpoint":
        net.backend("web", 1, ready=False)
    simple_ingress(net)
    controller = start_controller(net)
    response = controller.ingress_request("x", "/")
    assert (response.status, response.body) == (503, nginx_error_page(503))
    assert "<title>503 Service Temporarily Unavailable</title>" in response.body


def test_a_default_backend_catches_what_no_rule_matches():
    net = Net()
    ingress_class(net, "nginx", default=True)
    net.backend("web", 1, first_ip=10)
    net.backend("fallback", 1, first_ip=20)
    simple_ingress(net, rules=[{"host": "foo.bar.com", "http": {"paths": [
        {"path": "/app", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}],
        defaultBackend={"service": {"name": "fallback", "port": {"number": 80}}})
    controller = start_controller(net)
    assert [served_by(controller.ingress_request(h, p)) for h, p in
            (("foo.bar.com", "/app/x"), ("foo.bar.com", "/other"), ("unknown.com", "/"))] == ["web", "fallback", "fallback"]


def test_a_single_service_ingress_has_only_a_default_backend():
    net = Net()
    ingress_class(net, "nginx", default=True)
    net.backend("test", 1)
    net.client.create({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "test-ingress"},
                       "spec": {"defaultBackend": {"service": {"name": "test", "port": {"number": 80}}}}}, "default")
    controller = start_controller(net)
    assert served_by(controller.ingress_request("anything", "/any")) == "test"


def test_requests_spread_over_the_backend_pods(docs_net):
    docs_net.backend("web", 2, first_ip=100)
    simple_ingress(docs_net)
    controller = start_controller(docs_net)
    assert [controller.ingress_request("x", "/").pod for _ in range(4)] == ["default/web-0", "default/web-1"] * 2


def test_a_stopped_controller_refuses_connections(docs_net):
    controller = start_controller(docs_net)
    controller.stop()
    with pytest.raises(ConnectionRefused, match=r"\(172\.18\.0\.2\): Connection refused"):
        controller.ingress_request("foo.bar.com", "/")
