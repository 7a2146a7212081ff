"""Node allocatable (capacity less the hard eviction reservation) and the claims of the
service-account token a pod mounts, as Kubernetes 1.32 makes them.

Allocatable: pkg/kubelet/cm hardEvictionReservation, pkg/kubelet/eviction/api GetThresholdQuantity
(a float32 percentage). Token: pkg/serviceaccount/claims.go, pkg/registry/core/serviceaccount/
storage/token.go (--service-account-extend-token-expiration, on by default).
"""

from __future__ import annotations

import base64
import json
import re

import labkube
from labkube.core.kubelet.node_status import hard_eviction_reservation, node_allocatable
from tests.core.kubelet.harness import Node, simple_pod

TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


# -- allocatable -----------------------------------------------------------------------------------
def test_allocatable_ephemeral_storage_is_capacity_less_ten_percent_of_the_root_disk():
    node = Node()
    node.run(1)
    status = node.admin.get("nodes", "node-1")["status"]
    assert status["capacity"]["ephemeral-storage"] == "100Gi"
    assert status["allocatable"]["ephemeral-storage"] == "96636764k"  # 107374182400 - 10737418400


def test_only_memory_and_nodefs_thresholds_hold_anything_back():
    capacity = {"cpu": "2", "ephemeral-storage": "100Gi", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                "memory": "8Gi", "pods": "110"}
    reserved = hard_eviction_reservation(capacity)
    assert {k: v.value() for k, v in reserved.items()} == {"memory": 100 * 2**20,
                                                          "ephemeral-storage": 10737418400}
    assert node_allocatable(capacity) == dict(capacity, memory="8092Mi", **{"ephemeral-storage": "96636764k"})


# -- the token's claims -----------------------------------------------------------------------------
def _claims(token: str) -> dict:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _cluster_token():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("run client --image=busybox:1.36 --restart=Never -- sleep 3600")
    cluster.run(10)
    return cluster, _claims(cluster.kubectl(f"exec client -- cat {TOKEN}"))


def test_the_default_token_expires_after_a_year_and_warns_after_the_3607_seconds_asked_for():
    _, claims = _cluster_token()
    assert claims["exp"] - claims["iat"] == 365 * 24 * 3600
    assert claims["kubernetes.io"]["warnafter"] - claims["iat"] == 3607
    assert claims["nbf"] == claims["iat"]


def test_the_token_names_its_node_with_the_nodes_uid_and_has_a_uuid_jti():
    cluster, claims = _cluster_token()
    pod = cluster.get("pods", "client")
    node = cluster.get("nodes", pod["spec"]["nodeName"])
    assert claims["kubernetes.io"]["node"] == {"name": node["metadata"]["name"], "uid": node["metadata"]["uid"]}
    assert claims["kubernetes.io"]["pod"] == {"name": "client", "uid": pod["metadata"]["uid"]}
    assert UUID.fullmatch(claims["jti"])
    assert list(claims) == sorted(claims)  # go-jose writes the claims as a sorted JSON object


def test_the_same_seed_gives_the_same_token():
    assert _cluster_token()[1] == _cluster_token()[1]


def test_a_token_for_another_audience_or_lifetime_is_not_extended_and_has_no_warnafter():
    node = Node()
    pod = simple_pod("vault", "busybox:1.36", command=["sleep", "3600"],
                     volumeMounts=[{"name": "tok", "mountPath": "/var/run/secrets/tokens"}])
    pod["spec"]["volumes"] = [{"name": "tok", "projected": {"sources": [{"serviceAccountToken": {
        "path": "vault-token", "audience": "vault", "expirationSeconds": 7200}}]}}]
    node.create(pod)
    node.run(5)
    worker = node.kubelet.worker_for("default", "vault")
    token = node.runtime.exec_sync(worker.records["app"].container_id,
                                   ["cat", "/var/run/secrets/tokens/vault-token"]).stdout
    claims = _claims(token)
    assert (claims["aud"], claims["exp"] - claims["iat"]) == (["vault"], 7200)
    assert "warnafter" not in claims["kubernetes.io"]
