"""``pods/proxy`` and ``services/proxy``: the API server relays a request to a pod.

The Kubernetes Basics tutorial reaches its app as
``curl localhost:8001/api/v1/namespaces/default/pods/$POD_NAME:8080/proxy/`` through
``kubectl proxy``; these tests go through the API server's HTTP front (``kubectl get --raw``)
and through a real ``kubectl proxy`` listener on loopback.
"""

import json
import re
import urllib.error
import urllib.request

import pytest

import labkube
from labkube.core.api.proxy_rest import split_scheme_name_port

BOOTCAMP = "gcr.io/google-samples/kubernetes-bootcamp:v1"


@pytest.fixture(scope="module")
def cluster():
    cluster = labkube.Cluster(nodes=2, seed=5)
    cluster.kubectl(f"create deployment kubernetes-bootcamp --image={BOOTCAMP} --port=8080")
    cluster.kubectl("expose deployment kubernetes-bootcamp --port 8080")
    cluster.apply(
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "empty"},
         "spec": {"selector": {"app": "nobody"}, "ports": [{"port": 80}]}})
    cluster.kubectl("run sleeper --image=busybox:1.36 -- sleep 3600")
    cluster.run(60)
    yield cluster
    cluster.close()


def _pod(cluster):
    return cluster.list("pods", "default", label_selector="app=kubernetes-bootcamp")[0]["metadata"]["name"]


def _raw(cluster, path):
    return cluster.apiserver_http.serve("GET", path, {"Accept": "*/*"}, user=cluster.client.user)


def _status(reply):
    body = json.loads(reply.body)
    return reply.status, body["reason"], body["message"]


def test_a_pods_port_answers_through_the_api_server(cluster):
    pod = _pod(cluster)
    assert cluster.kubectl(f"get --raw /api/v1/namespaces/default/pods/{pod}:8080/proxy/") == (
        f"Hello Kubernetes bootcamp! | Running on: {pod} | v=1\n")


def test_without_a_port_the_first_declared_container_port_is_used(cluster):
    pod = _pod(cluster)
    reply = _raw(cluster, f"/api/v1/namespaces/default/pods/{pod}/proxy/")
    assert reply.status == 200 and reply.text.startswith("Hello Kubernetes bootcamp!")
    assert ("Content-Type", "text/plain") in reply.headers


def test_a_port_nothing_listens_on_is_the_transports_503(cluster):
    pod = cluster.get("pod", _pod(cluster), "default")
    reply = _raw(cluster, f"/api/v1/namespaces/default/pods/{pod['metadata']['name']}:9090/proxy/")
    assert _status(reply) == (503, "ServiceUnavailable", "error trying to reach service: dial tcp "
                              f"{pod['status']['podIP']}:9090: connect: connection refused")


def test_a_service_relays_to_one_of_its_ready_pods_by_name_or_number(cluster):
    pod = _pod(cluster)
    for target in ("kubernetes-bootcamp", "kubernetes-bootcamp:8080", "http:kubernetes-bootcamp:8080"):
        reply = _raw(cluster, f"/api/v1/namespaces/default/services/{target}/proxy/any/path?x=1")
        assert reply.status == 200 and reply.text == f"Hello Kubernetes bootcamp! | Running on: {pod} | v=1\n"


@pytest.mark.parametrize("path, expected", [
    ("pods/nosuch/proxy/", (404, "NotFound", 'pods "nosuch" not found')),
    ("pods/a:b:c:d/proxy/", (400, "BadRequest", 'invalid pod request "a:b:c:d"')),
    ("pods/ftp:a:80/proxy/", (400, "BadRequest", 'invalid pod request "ftp:a:80"')),
    ("services/nosuch/proxy/", (404, "NotFound", 'services "nosuch" not found')),
    ("services/kubernetes-bootcamp:9999/proxy/",
     (503, "ServiceUnavailable", 'no service port 9999 found for service "kubernetes-bootcamp"')),
    ("services/empty/proxy/", (503, "ServiceUnavailable", 'no endpoints available for service "empty"')),
])
def test_what_cannot_be_located_is_refused_as_kube_apiserver_refuses_it(cluster, path, expected):
    assert _status(_raw(cluster, f"/api/v1/namespaces/default/{path}")) == expected


def test_https_to_a_plain_http_server_fails_its_handshake(cluster):
    reply = _raw(cluster, f"/api/v1/namespaces/default/pods/https:{_pod(cluster)}:8080/proxy/")
    assert _status(reply) == (503, "ServiceUnavailable",
                              "error trying to reach service: tls: first record does not look like a TLS handshake")


def test_a_pod_without_an_address_is_not_allowed():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("run pending --image=nginx --overrides='{\"spec\":{\"nodeSelector\":{\"none\":\"x\"}}}'")
    cluster.run(5)
    reply = _raw(cluster, "/api/v1/namespaces/default/pods/pending:80/proxy/")
    assert _status(reply) == (400, "BadRequest", "address not allowed")


def test_each_request_is_audited_as_the_proxy_subresource(cluster):
    _raw(cluster, f"/api/v1/namespaces/default/pods/{_pod(cluster)}:8080/proxy/")
    last = [e for e in cluster.audit() if e.subresource == "proxy"][-1]
    assert (last.verb, last.resource, last.code) == ("get", "pods", 200)


def test_a_user_without_pods_proxy_is_forbidden(cluster):
    """RequestInfo names the object as the URL does: ``POD:8080``."""
    cluster.kubectl("create serviceaccount viewer")
    cluster.kubectl("create rolebinding viewer --clusterrole=view --serviceaccount=default:viewer")
    out = cluster.kubectl(f"get --raw /api/v1/namespaces/default/pods/{_pod(cluster)}:8080/proxy/ "
                          "--as=system:serviceaccount:default:viewer")
    assert out == ('Error from server (Forbidden): pods "' + _pod(cluster) + ':8080" is forbidden: User '
                   '"system:serviceaccount:default:viewer" cannot get resource "pods/proxy" in API group "" '
                   'in the namespace "default"\n')


def test_the_tutorials_curl_through_kubectl_proxy(cluster):
    pod = _pod(cluster)
    port = re.search(r":(\d+)", cluster.kubectl("proxy --port=0")).group(1)
    url = f"http://127.0.0.1:{port}/api/v1/namespaces/default/pods/{pod}:8080/proxy/"
    with urllib.request.urlopen(url, timeout=10) as reply:
        assert reply.read().decode() == f"Hello Kubernetes bootcamp! | Running on: {pod} | v=1\n"
    assert f"Running On: {pod} | Total Requests:" in cluster.kubectl(f"logs {pod}")


@pytest.mark.parametrize("text, split", [
    ("web", ("", "web", "")), ("web:8080", ("", "web", "8080")), ("https:web:443", ("https", "web", "443")),
    ("http:web:", ("http", "web", "")), (":80", None), ("a:b:c:d", None), ("ftp:web:21", None),
])
def test_names_split_into_scheme_name_and_port_as_utilnet_splits_them(text, split):
    assert split_scheme_name_port(text) == split
