"""``kubectl get --raw PATH`` through the API server's HTTP front, as the real kubectl 1.32
prints it: the body exactly as the server sent it (no newline added), errors as a Status.

The expected texts were printed by the real kubectl 1.32 pointed at labkube's HTTP front
(``kubectl --server http://127.0.0.1:PORT get --raw ...``) on a one-node cluster of seed 0.
"""

import pytest

import labkube

VERSION = ('{\n  "major": "1",\n  "minor": "32",\n  "gitVersion": "v1.32.0",\n'
           '  "gitCommit": "70d3cc986aa8221cd1dfb1121852688902d3bf53",\n  "gitTreeState": "clean",\n'
           '  "buildDate": "2024-12-11T17:59:15Z",\n  "goVersion": "go1.23.3",\n  "compiler": "gc",\n'
           '  "platform": "linux/amd64"\n}')

CASES = [
    ("health is a bare ok", "get --raw /healthz", "ok"),
    ("discovery is compact JSON with a newline",
     "get --raw /api",
     '{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":'
     '[{"clientCIDR":"0.0.0.0/0","serverAddress":"172.18.0.1:6443"}]}\n'),
    ("the version is always indented, without a newline", "get --raw /version", VERSION),
    ("a missing object is the NotFound Status", "get --raw /api/v1/namespaces/default/pods/nope",
     'Error from server (NotFound): pods "nope" not found\n'),
    ("an unknown path is NotFound", "get --raw /nope",
     "Error from server (NotFound): the server could not find the requested resource\n"),
]


@pytest.fixture(scope="module")
def cluster():
    return labkube.Cluster(nodes=1, seed=0)


@pytest.mark.parametrize("command, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_get_raw_prints_what_the_real_kubectl_prints(cluster, command, expected):
    assert cluster.kubectl(command) == expected


def test_get_raw_lists_objects_as_the_api_returns_them(cluster):
    import json

    pods = json.loads(cluster.kubectl("get --raw /api/v1/namespaces/kube-system/pods"))
    assert pods["kind"] == "PodList"
    assert sorted(p["metadata"]["labels"]["k8s-app"] for p in pods["items"]) == ["kube-dns", "kube-dns", "kube-proxy"]


def test_get_raw_is_authorized_as_the_acting_user(cluster):
    text = cluster.kubectl("get --raw /api/v1/namespaces/default/pods --as=alice")
    assert text == ('Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource '
                    '"pods" in API group "" in the namespace "default"\n')
