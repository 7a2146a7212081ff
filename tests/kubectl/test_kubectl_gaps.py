"""kubectl commands students meet, printed as the real kubectl 1.32 prints them.

Each case of ``kubectl_gaps_cases.py`` is a list of kubectl lines; the real kubectl's transcript
(captured against labkube's HTTP front, ``capture_kubectl_gaps.py``) is in
``golden_kubectl_gaps/``. Here labkube's own kubectl runs the same lines on an identically
seeded cluster and must print the same transcript, byte for byte (``label --list``'s lines,
which kubectl prints in Go's random map order, sorted in both).
"""

from __future__ import annotations

import pytest

from labkube.kubectl import run
from tests.kubectl.kubectl_gaps_cases import GENERATOR_CASES, SCENARIOS
from tests.kubectl.kubectl_gaps_transcripts import GOLDEN, golden_path, labkube_side, transcript


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_labkube_prints_the_transcript_real_kubectl_printed(scenario, tmp_path):
    assert transcript(scenario, tmp_path, labkube_side) == golden_path(scenario).read_text()


@pytest.mark.parametrize("stem, line", GENERATOR_CASES, ids=[c[0] for c in GENERATOR_CASES])
def test_a_generator_prints_what_real_kubectl_prints_without_a_server(stem, line, tmp_path, monkeypatch):
    import labkube

    monkeypatch.chdir(tmp_path)
    result = run(labkube.Cluster(nodes=0, seed=0), line)
    assert result.stdout + result.stderr + f"# exit {result.exit_code}\n" == (GOLDEN / f"gen_{stem}.txt").read_text()


def test_label_list_sends_nothing_to_the_server():
    import labkube

    cluster = labkube.Cluster(nodes=0, seed=0)
    cluster.kubectl("create configmap c --from-literal=a=b")
    before = cluster.client.get("configmaps", "c", "default")["metadata"]["resourceVersion"]
    result = run(cluster, "label --list cm c x=y")
    assert (result.stdout, result.exit_code) == ("x=y\n", 0)
    assert cluster.client.get("configmaps", "c", "default")["metadata"]["resourceVersion"] == before


def test_label_list_prints_the_same_order_every_time():
    import labkube

    cluster = labkube.Cluster(nodes=0, seed=0)
    run(cluster, "create configmap c")
    run(cluster, "label cm c z=1 a=2 m=3")
    assert {run(cluster, "label --list cm c").stdout for _ in range(3)} == {"a=2\nm=3\nz=1\n"}


# -- create ingress against the API server (the real kubectl sends these as protobuf, which the
# -- HTTP front does not read, so they are not in the transcripts) ------------------------------
def test_create_ingress_sends_the_ingress_and_wraps_the_servers_refusal():
    import labkube

    cluster = labkube.Cluster(nodes=0, seed=0)
    first = run(cluster, "create ingress web --rule=foo.com/*=web:80,tls=cert --class=nginx")
    assert (first.stdout, first.exit_code) == ("ingress.networking.k8s.io/web created\n", 0)
    spec = cluster.client.get("ingresses", "web", "default")["spec"]
    assert spec["rules"][0]["http"]["paths"][0]["pathType"] == "Prefix"
    assert spec["tls"] == [{"hosts": ["foo.com"], "secretName": "cert"}]
    again = run(cluster, "create ingress web --rule=foo.com/*=web:80")
    assert (again.stderr, again.exit_code) == (
        'error: failed to create ingress: ingresses.networking.k8s.io "web" already exists\n', 1)


def test_create_ingress_server_dry_run_creates_nothing():
    import labkube

    cluster = labkube.Cluster(nodes=0, seed=0)
    result = run(cluster, "create ingress y --rule=foo.com/=web:80 --dry-run=server")
    assert result.stdout == "ingress.networking.k8s.io/y created (server dry run)\n"
    assert cluster.client.list("ingresses", "default")["items"] == []


def test_a_rule_kubectl_panics_on_exits_2_without_a_traceback():
    import labkube

    result = run(labkube.Cluster(nodes=0, seed=0), "create ingress x --rule=foo.com/a=b=svc:80 --dry-run=client")
    assert (result.stdout, result.stderr, result.exit_code) == (
        "", "panic: runtime error: index out of range [1] with length 1\n", 2)
