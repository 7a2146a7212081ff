"""Cluster DNS is served by CoreDNS pods, as kubeadm (and kind) run it.

A fresh cluster has kubeadm's ``coredns`` Deployment in ``kube-system``: two replicas spread
over nodes, Running and Ready before the first command returns (kind's node image ships the
CoreDNS image), behind the ``kube-dns`` Service. A pod's DNS query goes to ``10.96.0.10`` and is
DNATed to one of those pods: with none Ready, names stop resolving; a pod on a dead node keeps
its endpoint (and its share of the queries) until the node controller marks it not ready.
"""

from __future__ import annotations

import hashlib

import pytest

import labkube
from labkube.core.addons import COREFILE

TIMED_OUT = ";; connection timed out; no servers could be reached"


def _client_pod(cluster: labkube.Cluster, name: str = "client") -> None:
    cluster.kubectl(f"run {name} --image=busybox:1.36 -- sleep 3600")
    cluster.run(10)


def _nslookup(cluster: labkube.Cluster, host: str, pod: str = "client") -> str:
    result = cluster.client.pod_exec(pod, "default", ["nslookup", host])
    return result.stdout + result.stderr


def _coredns_pods(cluster: labkube.Cluster) -> list[dict]:
    return cluster.client.list("pods", "kube-system", label_selector="k8s-app=kube-dns")["items"]


def test_a_fresh_cluster_runs_two_ready_coredns_pods_on_different_nodes():
    cluster = labkube.Cluster(seed=0)
    started = cluster.clock.now()
    cluster.settle()
    pods = _coredns_pods(cluster)
    assert len(pods) == 2
    assert all(p["status"]["phase"] == "Running" for p in pods)
    assert all({"type": "Ready", "status": "True"}.items() <= c.items()
               for p in pods for c in p["status"]["conditions"] if c["type"] == "Ready")
    assert len({p["spec"]["nodeName"] for p in pods}) == 2, "preferred anti-affinity spreads them"
    assert cluster.clock.now() == started, "no time has to pass: the image is on the node"


def test_the_coredns_deployment_is_kubeadms():
    cluster = labkube.Cluster(seed=0)
    deploy = cluster.client.get("deployments", "coredns", "kube-system")
    spec = deploy["spec"]["template"]["spec"]
    assert deploy["spec"]["replicas"] == 2
    assert spec["priorityClassName"] == "system-cluster-critical"
    assert spec["dnsPolicy"] == "Default"
    assert spec["containers"][0]["image"] == "registry.k8s.io/coredns/coredns:v1.11.3"
    assert spec["containers"][0]["readinessProbe"]["httpGet"] == {
        "path": "/ready", "port": "readiness-probe", "scheme": "HTTP"}


def test_the_kube_dns_endpoints_are_the_coredns_pods():
    cluster = labkube.Cluster(seed=0)
    cluster.settle()
    ips = sorted(p["status"]["podIP"] for p in _coredns_pods(cluster))
    endpoints = cluster.client.get("endpoints", "kube-dns", "kube-system")
    assert sorted(a["ip"] for a in endpoints["subsets"][0]["addresses"]) == ips


def test_coredns_logs_its_banner_with_the_hash_of_the_corefile():
    cluster = labkube.Cluster(seed=0)
    cluster.settle()
    name = _coredns_pods(cluster)[0]["metadata"]["name"]
    log = cluster.kubectl(f"logs -n kube-system {name}")
    assert log.splitlines() == [
        ".:53",
        "[INFO] plugin/reload: Running configuration SHA512 = "
        + hashlib.sha512(COREFILE.encode()).hexdigest(),
        "CoreDNS-1.11.3",
        "linux/amd64, go1.21.11, a6338e9",
    ]


def test_the_first_user_pod_lands_on_the_node_without_coredns():
    cluster = labkube.Cluster(seed=0)
    cluster.kubectl("run web --image=nginx")
    cluster.settle()
    busy = {p["spec"]["nodeName"] for p in _coredns_pods(cluster)}
    assert cluster.client.get("pods", "web", "default")["spec"]["nodeName"] not in busy


def test_names_stop_resolving_when_coredns_is_scaled_to_zero_and_come_back_with_it():
    cluster = labkube.Cluster(seed=0)
    _client_pod(cluster)
    assert "Address: 10.96.0.1" in _nslookup(cluster, "kubernetes.default.svc.cluster.local")

    cluster.kubectl("scale deployment coredns -n kube-system --replicas=0")
    cluster.run(40)  # the pods' 30 s grace period
    assert _coredns_pods(cluster) == []
    assert TIMED_OUT in _nslookup(cluster, "kubernetes.default.svc.cluster.local")
    wget = cluster.client.pod_exec("client", "default", ["wget", "-qO-", "http://kubernetes.default"])
    assert wget.stderr == "wget: bad address 'kubernetes.default'\n"

    cluster.kubectl("scale deployment coredns -n kube-system --replicas=2")
    cluster.run(5)
    assert "Address: 10.96.0.1" in _nslookup(cluster, "kubernetes.default.svc.cluster.local")


def test_deleting_a_coredns_pod_is_healed_by_its_replicaset():
    cluster = labkube.Cluster(seed=0)
    cluster.settle()
    victim = _coredns_pods(cluster)[0]["metadata"]["name"]
    cluster.kubectl(f"delete pod -n kube-system {victim} --wait=false")
    cluster.run(35)
    names = [p["metadata"]["name"] for p in _coredns_pods(cluster)]
    assert len(names) == 2 and victim not in names


def test_queries_sent_to_a_coredns_pod_on_a_dead_node_time_out_until_its_endpoint_is_not_ready():
    cluster = labkube.Cluster(seed=0)
    _client_pod(cluster)
    client_node = cluster.client.get("pods", "client", "default")["spec"]["nodeName"]
    dead = next(p["spec"]["nodeName"] for p in _coredns_pods(cluster)
                if p["spec"]["nodeName"] != client_node)
    cluster.fail_node(dead)
    cluster.run(1)
    answers = [_nslookup(cluster, "kubernetes.default.svc.cluster.local") for _ in range(4)]
    assert sum(TIMED_OUT in a for a in answers) == 2, "round robin: every other query is lost"

    cluster.run(60)  # grace period: NotReady, the pod's Ready=False, the endpoint not ready
    assert all("Address: 10.96.0.1" in _nslookup(cluster, "kubernetes.default.svc.cluster.local") for _ in range(4))


@pytest.mark.parametrize("seed", [0, 1])
def test_the_coredns_pods_are_the_same_for_the_same_seed(seed):
    def snapshot() -> list[tuple]:
        cluster = labkube.Cluster(seed=seed)
        cluster.settle()
        return [(p["metadata"]["name"], p["spec"]["nodeName"], p["status"]["podIP"])
                for p in _coredns_pods(cluster)]

    assert snapshot() == snapshot()
