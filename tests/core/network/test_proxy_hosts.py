"""Endpoints that are not pods: the API server's secure port behind ``default/kubernetes``.

The proxy DNATs 10.96.0.1:443 to the endpoint 172.18.0.1:6443 and hands the request, headers
and body to the host there; for https the client's TLS side sees the certificate first."""

import pytest

from labkube.core.network import ConnectionTimedOut


class Host:
    """A TLS host that records what it was sent."""

    certificate = "the serving certificate"

    def __init__(self):
        self.requests = []

    def serve(self, method, target, headers, body, *, tls):
        self.requests.append((method, target, dict(headers), body, tls))
        return 200, (("Content-Type", "text/plain"),), b"ok"


class Client:
    """A client TLS side that trusts or refuses."""

    def __init__(self, trusts=True):
        self.trusts = trusts
        self.seen = None

    def handshake(self, certificate):
        self.seen = certificate
        if not self.trusts:
            raise PermissionError("untrusted")


@pytest.fixture
def api(net):
    host = Host()
    net.proxy.hosts = {("172.18.0.1", 6443): host}
    net.endpoints("kubernetes", [("172.18.0.1", None, True, "")], ports=[("https", 6443)], name="kubernetes")
    return net, host


def _send(net, url, **kwargs):
    target, service = net.proxy.route(*_ip_port(url))
    return net.proxy.deliver(target, _ip_port(url)[0], "/api", "GET", service, **kwargs)


def _ip_port(url):
    host, _, port = url.partition(":")
    return host, int(port)


def test_the_kubernetes_service_reaches_the_host_with_headers_and_body(api):
    net, host = api
    client = Client()
    response = _send(net, "10.96.0.1:443", headers={"Authorization": "Bearer t"}, body=b"{}", tls=client)
    assert (response.status, response.body, response.endpoint_ip, response.service) == (
        200, "ok", "172.18.0.1", "default/kubernetes")
    assert host.requests == [("GET", "/api", {"Authorization": "Bearer t"}, b"{}", True)]
    assert client.seen == "the serving certificate"


def test_a_client_that_refuses_the_certificate_sends_nothing(api):
    net, host = api
    with pytest.raises(PermissionError):
        _send(net, "10.96.0.1:443", tls=Client(trusts=False))
    assert host.requests == []


def test_plain_http_reaches_the_host_as_plain(api):
    net, host = api
    _send(net, "10.96.0.1:443")
    assert host.requests[0][-1] is False


def test_the_endpoint_address_is_reachable_directly(api):
    net, host = api
    _send(net, "172.18.0.1:6443", tls=Client())
    assert len(host.requests) == 1


def test_a_port_the_host_does_not_listen_on_is_dropped(api):
    net, _ = api
    with pytest.raises(ConnectionTimedOut):
        net.proxy.route("172.18.0.1", 8443)


def test_tcp_connections_to_the_host_are_accepted(api):
    net, _ = api
    assert net.proxy.connect("10.96.0.1", 443).endpoint_ip == "172.18.0.1"
