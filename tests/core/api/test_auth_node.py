"""Kubelets are authorized by the Node authorizer, not RBAC (labkube.core.api.node_authorizer)."""

import pytest

from labkube.core.api import auth, bootstrap_policy
from labkube.core.api.auth import request_attributes as R
from labkube.core.api.node_authorizer import NodeAuthorizer, kubeadm_authorizer
from labkube.core.api.rbac import Generation

N1 = auth.node("node-1")

PODS = {
    "node-1": [{
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "nodeName": "node-1",
            "imagePullSecrets": [{"name": "registry"}],
            "volumes": [
                {"name": "cfg", "configMap": {"name": "web-config"}},
                {"name": "data", "persistentVolumeClaim": {"claimName": "web-data"}},
                {"name": "p", "projected": {"sources": [{"secret": {"name": "projected-secret"}}]}},
            ],
            "containers": [{
                "name": "web", "image": "nginx",
                "env": [{"name": "PW", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}}],
                "envFrom": [{"configMapRef": {"name": "env-config"}}],
            }],
        },
    }],
}


def authorizer():
    return NodeAuthorizer(lambda node: PODS.get(node, ()),
                          lambda ns, claim: "pv-7" if (ns, claim) == ("default", "web-data") else "")


CASES = [
    ("a kubelet registers its Node", R(N1, "create", "nodes"), "Allow", ""),
    ("a kubelet writes node status", R(N1, "patch", "nodes", name="node-1", subresource="status"), "Allow", ""),
    ("a kubelet watches pods", R(N1, "watch", "pods"), "Allow", ""),
    ("a kubelet writes pod status", R(N1, "update", "pods", namespace="default", name="web", subresource="status"), "Allow", ""),
    ("a kubelet renews its lease", R(N1, "update", "leases", namespace="kube-node-lease", name="node-1", api_group="coordination.k8s.io"), "Allow", ""),
    ("a kubelet cannot create deployments", R(N1, "create", "deployments", namespace="default", api_group="apps"), "NoOpinion", ""),
    ("a kubelet reads a secret its pod mounts through env", R(N1, "get", "secrets", namespace="default", name="db"), "Allow", ""),
    ("a kubelet reads an image pull secret", R(N1, "get", "secrets", namespace="default", name="registry"), "Allow", ""),
    ("a kubelet reads a projected secret", R(N1, "get", "secrets", namespace="default", name="projected-secret"), "Allow", ""),
    ("a kubelet reads a configmap volume", R(N1, "get", "configmaps", namespace="default", name="web-config"), "Allow", ""),
    ("a kubelet reads an envFrom configmap", R(N1, "watch", "configmaps", namespace="default", name="env-config"), "Allow", ""),
    ("a kubelet reads its pod's claim", R(N1, "get", "persistentvolumeclaims", namespace="default", name="web-data"), "Allow", ""),
    ("a kubelet reads the volume bound to its pod's claim", R(N1, "get", "persistentvolumes", name="pv-7"), "Allow", ""),
    ("a kubelet cannot read an unrelated secret", R(N1, "get", "secrets", namespace="default", name="other"),
     "NoOpinion", "no relationship found between node 'node-1' and this object"),
    ("another kubelet cannot read the pod's secret", R(auth.node("node-2"), "get", "secrets", namespace="default", name="db"),
     "NoOpinion", "no relationship found between node 'node-2' and this object"),
    ("the same name in another namespace is unrelated", R(N1, "get", "secrets", namespace="prod", name="db"),
     "NoOpinion", "no relationship found between node 'node-1' and this object"),
    ("a kubelet cannot list secrets", R(N1, "list", "secrets", namespace="default"), "NoOpinion", "No Object name found"),
    ("a kubelet cannot write secrets", R(N1, "update", "secrets", namespace="default", name="db"),
     "NoOpinion", "can only read resources of this type"),
    ("a kubelet cannot read secrets across namespaces", R(N1, "get", "secrets", name="db"),
     "NoOpinion", "can only read namespaced object of this type"),
    ("people are left to RBAC", R(auth.user("alice"), "get", "secrets", namespace="default", name="db"), "NoOpinion", ""),
    ("a node name outside system:nodes is left to RBAC",
     R(auth.user("system:node:node-1"), "create", "nodes"), "NoOpinion", ""),
]


@pytest.mark.parametrize("case, attrs, outcome, reason", CASES, ids=[c[0] for c in CASES])
def test_node_authorizer(case, attrs, outcome, reason):
    decision = authorizer().authorize(attrs)
    assert (decision.outcome, decision.reason) == (outcome, reason)


def lister_for(objs):
    """Lists ``objs`` as they are at call time (the list may grow)."""
    return lambda plural, namespace: [o for o in objs if o["kind"].lower() + "s" == plural]


def test_the_kubeadm_chain_lets_the_admin_kubelets_and_components_work_and_stops_others():
    chain = kubeadm_authorizer(
        lister_for(bootstrap_policy.objects() + bootstrap_policy.kubeadm_objects()),
        generation=Generation(), pods_on_node=lambda node: PODS.get(node, ()))
    assert chain.authorize(R(auth.ADMIN, "delete", "namespaces", name="dev")).allowed
    assert chain.authorize(R(N1, "create", "nodes")).allowed
    assert chain.authorize(R(auth.KUBE_SCHEDULER, "create", "pods", namespace="d", name="p", subresource="binding")).allowed
    denied = chain.authorize(R(N1, "get", "secrets", namespace="default", name="other"))
    assert not denied.allowed
    assert denied.reason == "no relationship found between node 'node-1' and this object"


def test_a_generation_bump_makes_rbac_see_new_bindings():
    objs = bootstrap_policy.objects()
    gen = Generation()
    chain = kubeadm_authorizer(lister_for(objs), generation=gen)
    admin_request = R(auth.ADMIN, "list", "pods", namespace="default")
    assert not chain.authorize(admin_request).allowed
    objs.extend(bootstrap_policy.kubeadm_objects())
    assert not chain.authorize(admin_request).allowed  # not bumped yet: cached policy
    gen.bump()
    assert chain.authorize(admin_request).allowed
