"""``kubectl proxy``: the API server on a loopback port, as the kubeconfig's user.

* what it serves: labkube's HTTP front, with the credentials of the command (the admin, a
  ``--token``, ``--as``) -- the same answers kube-apiserver gives, 403s included;
* kubectl's filter: exec and attach paths, foreign Host headers and ``--reject-methods`` get
  ``403`` ``Forbidden``; paths outside ``--api-prefix`` get ``404 page not found``. Status,
  headers (in Go's sorted order) and bodies were compared with the REAL kubectl 1.32 proxy in
  front of the same HTTP front (``kubectl --server URL proxy``); the texts below are its;
* its own errors: the port in use, an invalid port, ``--address=::1`` as Go fails it, and
  labkube's refusal of anything off loopback;
* lifetime: ``Starting to serve on 127.0.0.1:PORT`` at once, ``stop()`` and ``cluster.close()``
  free the port.
"""

from __future__ import annotations

import http.client
import json
import socket

import pytest

import labkube
from labkube.kubectl import run
from labkube.kubectl.commands.proxy import Filter, extract_host

NS = "px"
TIMEOUT = 5


@pytest.fixture
def cluster():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl(f"create namespace {NS}")
    cluster.run(1)
    cluster.kubectl(f"run web --image=nginx -n {NS}")
    cluster.run(30)
    yield cluster
    cluster.close()


def proxy(cluster, flags: str = ""):
    result = run(cluster, f"proxy --port=0 {flags}")
    assert result.exit_code == 0, str(result)
    return result, cluster.forwards()[-1]


def ask(server, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", server.listeners[0].port, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


FORBIDDEN = (403, [("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff"),
                   ("Content-Length", "10")], b"Forbidden\n")
NOT_FOUND = (404, [("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff"),
                   ("Content-Length", "19")], b"404 page not found\n")


# -- serving the API ------------------------------------------------------------------------------
def test_proxy_prints_where_it_serves_and_returns_at_once(cluster):
    result, server = proxy(cluster)
    assert str(result) == f"Starting to serve on 127.0.0.1:{server.listeners[0].port}\n"
    assert server.url == f"http://127.0.0.1:{server.listeners[0].port}"
    assert server.output == str(result)


def test_proxy_serves_the_namespaces_pods_as_the_admin(cluster):
    _, server = proxy(cluster)
    status, headers, body = ask(server, "GET", f"/api/v1/namespaces/{NS}/pods")
    assert status == 200
    assert [key for key, _ in headers] == ["Audit-Id", "Cache-Control", "Content-Length", "Content-Type"]
    listing = json.loads(body)
    assert listing["kind"] == "PodList" and [p["metadata"]["name"] for p in listing["items"]] == ["web"]
    record = cluster.audit(resource="pods", verb="list")[-1]
    assert record.user == "kubernetes-admin"


def test_curl_gets_indented_json_as_from_kube_apiserver(cluster):
    _, server = proxy(cluster)
    _, _, body = ask(server, "GET", f"/api/v1/namespaces/{NS}/pods/web", {"User-Agent": "curl/8.5.0"})
    assert body.startswith(b'{\n  "kind": "Pod",\n  "apiVersion": "v1",\n')


def test_proxy_as_a_restricted_user_gets_the_api_servers_403(cluster):
    _, server = proxy(cluster, "--as=alice")
    status, _, body = ask(server, "GET", f"/api/v1/namespaces/{NS}/pods")
    assert status == 403
    assert json.loads(body)["message"] == (
        f'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "{NS}"')


def test_proxy_with_a_service_account_token_acts_as_the_account(cluster):
    token = run(cluster, f"create token default -n {NS}").stdout.strip()
    _, server = proxy(cluster, f"--token={token}")
    status, _, body = ask(server, "GET", f"/api/v1/namespaces/{NS}/pods")
    assert status == 403
    assert f'User "system:serviceaccount:{NS}:default" cannot list' in json.loads(body)["message"]


def test_a_write_through_the_proxy_reaches_the_cluster(cluster):
    _, server = proxy(cluster)
    manifest = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "made"},
                           "data": {"via": "proxy"}}).encode()
    status, _, _ = ask(server, "POST", f"/api/v1/namespaces/{NS}/configmaps", {"Content-Type": "application/json"},
                       manifest)
    assert status == 201
    assert cluster.get("configmap", "made", NS)["data"] == {"via": "proxy"}


def test_a_request_never_moves_cluster_time(cluster):
    _, server = proxy(cluster)
    before = cluster.clock.now()
    ask(server, "GET", "/api/v1/namespaces")
    assert cluster.clock.now() == before


# -- kubectl's filter -----------------------------------------------------------------------------
REFUSED = (
    ("exec, by default", "", "GET", f"/api/v1/namespaces/{NS}/pods/web/exec?command=ls", {}),
    ("attach, by default", "", "POST", f"/api/v1/namespaces/{NS}/pods/web/attach", {}),
    ("a Host that is not loopback", "", "GET", "/api/v1/namespaces", {"Host": "example.com"}),
    ("[::1] with a port: SplitHostPort leaves ::1, which the default does not accept", "", "GET", "/api",
     {"Host": "[::1]:8001"}),
    ("a method --reject-methods names", "--reject-methods=POST,DELETE", "DELETE",
     f"/api/v1/namespaces/{NS}/pods/web", {}),
    ("a path --accept-paths does not name", "--accept-paths=^/api/v1/namespaces$", "GET", "/api/v1/nodes", {}),
    ("exec under an --api-prefix", "--api-prefix=/k8s-api", "GET",
     f"/k8s-api/api/v1/namespaces/{NS}/pods/web/exec", {}),
)


@pytest.mark.parametrize("flags,method,path,headers", [case[1:] for case in REFUSED],
                         ids=[case[0] for case in REFUSED])
def test_the_filter_refuses_with_gos_forbidden(cluster, flags, method, path, headers):
    _, server = proxy(cluster, flags)
    assert ask(server, method, path, headers) == FORBIDDEN


def test_the_filter_refuses_before_the_api_server_sees_anything(cluster):
    _, server = proxy(cluster)
    before = len(cluster.audit())
    ask(server, "GET", f"/api/v1/namespaces/{NS}/pods/web/exec?command=ls")
    assert len(cluster.audit()) == before


def test_disable_filter_warns_and_lets_exec_paths_through_to_the_api_server(cluster):
    result, server = proxy(cluster, "--disable-filter")
    assert result.stderr == ("W0101 00:00:31.000000       1 proxy.go:177] Request filter disabled, your proxy is "
                             "vulnerable to XSRF attacks, please be cautious\n")
    status, _, _ = ask(server, "GET", f"/api/v1/namespaces/{NS}/pods/web/exec?command=ls")
    assert status != 403


def test_an_api_prefix_moves_the_api_and_leaves_404_outside(cluster):
    _, server = proxy(cluster, "--api-prefix=/k8s-api")
    assert ask(server, "GET", "/api/v1/namespaces") == NOT_FOUND
    status, _, body = ask(server, "GET", f"/k8s-api/api/v1/namespaces/{NS}")
    assert status == 200 and json.loads(body)["metadata"]["name"] == NS


@pytest.mark.parametrize("header,host", [
    ("127.0.0.1:8001", "127.0.0.1"), ("localhost", "localhost"), ("[::1]:8001", "::1"), ("[::1]", "[::1]"),
    ("::1", "::1"), ("example.com:80", "example.com"),
])
def test_the_host_is_split_from_its_port_as_go_splits_it(header, host):
    assert extract_host(header) == host


def test_the_default_filter_accepts_the_loopback_names():
    rules = Filter("^.*", "^/api/.*/pods/.*/exec,^/api/.*/pods/.*/attach", r"^localhost$,^127\.0\.0\.1$,^\[::1\]$",
                   "^$")
    assert rules.accept("GET", "/api/v1/pods", "localhost") and rules.accept("GET", "/", "127.0.0.1")
    assert rules.accept("GET", "/", "[::1]") and not rules.accept("GET", "/", "::1")
    assert not rules.accept("POST", "/api/v1/namespaces/a/pods/b/exec", "localhost")


# -- its own errors -------------------------------------------------------------------------------
def test_a_port_in_use_is_gos_listen_error(cluster):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run(cluster, f"proxy --port={port}")
    assert (str(result), result.exit_code) == (
        f"error: listen tcp 127.0.0.1:{port}: bind: address already in use\n", 1)
    assert cluster.forwards() == []


ERRORS = (
    ("a port out of range", "--port=70000", "error: listen tcp: address 70000: invalid port\n"),
    ("a negative port", "--port=-1", "error: listen tcp: address -1: invalid port\n"),
    ("an IPv6 address, which Go cannot join with the port", "--address=::1",
     "error: listen tcp: address ::1:8001: too many colons in address\n"),
    ("a socket and a port", "--unix-socket=/tmp/x --port=1",
     "error: cannot set --unix-socket and --port at the same time\n"),
)


@pytest.mark.parametrize("flags,text", [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS])
def test_proxy_errors_read_as_the_real_kubectls(cluster, flags, text):
    result = run(cluster, f"proxy {flags}")
    assert (str(result), result.exit_code) == (text, 1)


@pytest.mark.parametrize("address", ["0.0.0.0", "10.0.0.1", "example.com"])
def test_addresses_off_loopback_are_refused(cluster, address):
    result = run(cluster, f"proxy --port=0 --address={address}")
    assert result.exit_code == 1
    assert str(result) == (f"error: labkube serves on loopback only: --address={address} is not a loopback "
                           "address (use 127.0.0.1)\n")


def test_localhost_is_served_on_127_0_0_1(cluster):
    result, server = proxy(cluster, "--address=localhost")
    assert str(result) == f"Starting to serve on 127.0.0.1:{server.listeners[0].port}\n"


@pytest.mark.parametrize("flags", ["--www=/tmp", "--unix-socket=/tmp/proxy.sock"])
def test_static_files_and_unix_sockets_are_not_provided(cluster, flags):
    result = run(cluster, f"proxy {flags}")
    assert result.exit_code == 1 and "that labkube does not provide" in str(result)


def test_a_bad_regular_expression_is_fatal_as_in_kubectl(cluster):
    result = run(cluster, "proxy --port=0 --accept-paths=[")
    assert result.exit_code == 255
    assert str(result).startswith("F0101 00:00:31.000000       1 proxy_server.go:83] Error compiling re: ")


# -- lifetime -------------------------------------------------------------------------------------
def test_stopping_the_proxy_releases_its_port(cluster):
    _, server = proxy(cluster)
    port = server.listeners[0].port
    server.stop()
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
    assert cluster.forwards() == []


def test_closing_the_cluster_stops_the_proxy(cluster):
    _, server = proxy(cluster)
    cluster.close()
    assert not server.running and cluster.forwards() == []
    with pytest.raises(ConnectionError):
        ask(server, "GET", "/api")


def test_a_failure_inside_labkube_is_noted_in_the_output_not_printed_as_a_traceback(cluster, monkeypatch, capsys):
    _, server = proxy(cluster)

    def broken(*args, **kwargs):
        raise RuntimeError("the front fell over")

    monkeypatch.setattr(cluster.apiserver_http, "serve", broken)
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        ask(server, "GET", "/api")
    assert server.output.endswith("error: RuntimeError: the front fell over\n")
    assert "Traceback" not in capsys.readouterr().err
