"""NetworkPolicy scenarios whose ``kubectl describe``/``get`` output the REAL kubectl 1.32 printed
(``capture_netpol.py``) and labkube must print byte for byte (``test_netpol_oracle.py``)."""

from __future__ import annotations

from pathlib import Path

import labkube

GOLDEN = Path(__file__).resolve().parent / "golden_netpol"
DOCS_POLICY = Path("/work/shared/conformance/k8s-docs/service/networking/networkpolicy.yaml")


def _policy(name, spec, namespace="default", **meta):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace, **meta}, "spec": spec}


#: The docs' policy (service/networking/networkpolicy.yaml), written out so the test needs no corpus.
TEST_NETWORK_POLICY = _policy("test-network-policy", {
    "podSelector": {"matchLabels": {"role": "db"}},
    "policyTypes": ["Ingress", "Egress"],
    "ingress": [{"from": [{"ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}},
                          {"namespaceSelector": {"matchLabels": {"project": "myproject"}}},
                          {"podSelector": {"matchLabels": {"role": "frontend"}}}],
                 "ports": [{"protocol": "TCP", "port": 6379}]}],
    "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}], "ports": [{"protocol": "TCP", "port": 5978}]}],
})

POLICIES = [
    TEST_NETWORK_POLICY,
    _policy("default-deny-ingress", {"podSelector": {}, "policyTypes": ["Ingress"]}),
    _policy("default-deny-all", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
    _policy("allow-all-egress", {"podSelector": {}, "egress": [{}], "policyTypes": ["Egress"]}),
    _policy("api-allow", {
        "podSelector": {"matchLabels": {"app": "api"},
                        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["backend", "cache"]}]},
        "ingress": [
            {"from": [{"namespaceSelector": {"matchLabels": {"team": "web"}},
                       "podSelector": {"matchLabels": {"role": "client"}}}],
             "ports": [{"port": "http"}, {"protocol": "UDP", "port": 53}]},
            {"from": [{"namespaceSelector": {}}], "ports": [{"port": 32000, "endPort": 32768}]},
            {"ports": [{"protocol": "SCTP"}]},
        ],
        "egress": [
            {"to": [{"podSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]}},
                    {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.96.0.0/12", "10.244.0.0/16"]}}]},
            {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                     "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
             "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]},
        ],
    }, labels={"app": "api"}, annotations={"owner": "platform"}),
    _policy("allow-monitoring", {"podSelector": {"matchLabels": {"app": "web"}},
                                 "ingress": [{"from": [{"ipBlock": {"cidr": "192.168.0.0/16"}}]}]},
            namespace="prod"),
]

#: golden stem -> kubectl arguments
COMMANDS = {
    "describe_test_network_policy": ["describe", "networkpolicy", "test-network-policy"],
    "describe_default_deny_ingress": ["describe", "netpol", "default-deny-ingress"],
    "describe_default_deny_all": ["describe", "netpol", "default-deny-all"],
    "describe_allow_all_egress": ["describe", "netpol", "allow-all-egress"],
    "describe_api_allow": ["describe", "netpol", "api-allow"],
    "describe_allow_monitoring": ["describe", "netpol", "allow-monitoring", "-n", "prod"],
    "get_netpol": ["get", "netpol"],
    "get_netpol_wide": ["get", "networkpolicies", "-o", "wide"],
    "get_netpol_all_namespaces": ["get", "netpol", "-A"],
}


def build() -> labkube.Cluster:
    """Every policy of :data:`POLICIES`, created a few seconds apart so their ages differ."""
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}})
    for policy in POLICIES:
        cluster.apply(policy)
        cluster.run(7)
    return cluster


def objects(cluster: labkube.Cluster) -> list[dict]:
    """What the oracle API server serves: the NetworkPolicies of every namespace."""
    return [{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", **item}
            for item in cluster.client.list("networkpolicies")["items"]]
