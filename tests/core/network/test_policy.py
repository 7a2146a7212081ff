"""The NetworkPolicy enforcer's verdicts, rule by rule (labkube.core.network.policy).

Each case builds a few pods and policies by hand and asks whether one connection passes, as
kube-network-policies would answer for the first packet of that connection."""

from __future__ import annotations

import pytest

from labkube.core.api import defaults
from labkube.core.network.policy import NetworkPolicies, Side, ip_in_block, port_matches


class FakeInformer:
    """Just what the enforcer reads of an informer: indexes, names and a length."""

    def __init__(self, objects):
        self.objects = list(objects)
        self.indexers = {}

    def add_indexer(self, name, func):
        self.indexers[name] = func

    def by_index(self, name, value):
        return [o for o in self.objects if value in self.indexers[name](o)]

    def get_by_name(self, namespace, name):
        return next((o for o in self.objects if o["metadata"]["name"] == name
                     and o["metadata"].get("namespace") == namespace), None)

    def __len__(self):
        return len(self.objects)


class FakeInformers:
    def __init__(self, policies, namespaces):
        self.made = {"networkpolicies": FakeInformer(policies), "namespaces": FakeInformer(namespaces)}

    def informer(self, resource):
        return self.made[resource]


def namespace(name, **labels):
    return {"metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name, **labels}}}


NAMESPACES = [namespace("default"), namespace("prod", team="web"), namespace("kube-system")]


def pod(name, ip, ns="default", ports=(), **labels):
    return Side(ip, {"metadata": {"name": name, "namespace": ns, "labels": labels},
                     "spec": {"containers": [{"name": "c", "ports": [
                         {"name": n, "containerPort": p, "protocol": "TCP"} for n, p in ports]}]}})


DB = pod("db", "10.244.1.5", role="db", ports=[("redis", 6379)])
FRONTEND = pod("fe", "10.244.2.7", role="frontend")
OTHER = pod("other", "10.244.3.9")
PROD_FRONTEND = pod("fe", "10.244.2.8", ns="prod", role="frontend")
PROD_OTHER = pod("other", "10.244.3.4", ns="prod")
#: A CoreDNS pod of kubeadm's Deployment, where kube-proxy sends a query to kube-dns.
COREDNS = Side("10.244.1.2", {
    "metadata": {"name": "coredns-5755c5476f-8b4b6", "namespace": "kube-system",
                 "labels": {"k8s-app": "kube-dns", "pod-template-hash": "5755c5476f"}},
    "spec": {"containers": [{"name": "coredns", "ports": [
        {"name": "dns", "containerPort": 53, "protocol": "UDP"},
        {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"},
        {"name": "metrics", "containerPort": 9153, "protocol": "TCP"}]}]}})
HOST = Side("172.18.0.1")  # cluster.request's address: the host on kind's network


def policy(name, ns="default", **spec):
    obj = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
           "metadata": {"name": name, "namespace": ns}, "spec": {"podSelector": {}, **spec}}
    defaults.apply_defaults(obj)
    return obj


def db_only(**spec):
    return policy("db", podSelector={"matchLabels": {"role": "db"}}, **spec)


def enforcer(*policies):
    return NetworkPolicies(FakeInformers(policies, NAMESPACES))


CASES = [
    # (sentence, policies, source, destination, port, allowed)
    ("with no policy at all everything passes", [], OTHER, DB, 6379, True),
    ("a policy selecting other pods leaves the db open",
     [policy("fe", podSelector={"matchLabels": {"role": "frontend"}})], OTHER, DB, 6379, True),
    ("a default-deny ingress policy drops connections to every pod of its namespace",
     [policy("deny")], OTHER, DB, 6379, False),
    ("a default-deny ingress policy does not touch another namespace",
     [policy("deny", ns="prod")], OTHER, DB, 6379, True),
    ("an ingress-only policy leaves the isolated pod's egress open", [db_only()], DB, OTHER, 80, True),
    ("a pod selector peer lets the matching pod of the policy's namespace in",
     [db_only(ingress=[{"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}]}])],
     FRONTEND, DB, 6379, True),
    ("a pod selector peer keeps other pods out",
     [db_only(ingress=[{"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}]}])],
     OTHER, DB, 6379, False),
    ("a pod selector peer alone only matches pods of the policy's own namespace",
     [db_only(ingress=[{"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}]}])],
     PROD_FRONTEND, DB, 6379, False),
    ("a namespace selector peer lets every pod of the matching namespaces in",
     [db_only(ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"team": "web"}}}]}])],
     PROD_OTHER, DB, 6379, True),
    ("a namespace selector peer keeps the policy's own namespace out when it does not match",
     [db_only(ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"team": "web"}}}]}])],
     FRONTEND, DB, 6379, False),
    ("an empty namespace selector matches every namespace",
     [db_only(ingress=[{"from": [{"namespaceSelector": {}}]}])], PROD_OTHER, DB, 6379, True),
    ("both selectors in one peer need both to match: the right pod in the right namespace",
     [db_only(ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"team": "web"}},
                                  "podSelector": {"matchLabels": {"role": "frontend"}}}]}])],
     PROD_FRONTEND, DB, 6379, True),
    ("both selectors in one peer keep another pod of that namespace out",
     [db_only(ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"team": "web"}},
                                  "podSelector": {"matchLabels": {"role": "frontend"}}}]}])],
     PROD_OTHER, DB, 6379, False),
    ("selectors never match an address that is not a pod",
     [db_only(ingress=[{"from": [{"namespaceSelector": {}}]}])], HOST, DB, 6379, False),
    ("an ipBlock lets an outside address in",
     [db_only(ingress=[{"from": [{"ipBlock": {"cidr": "172.18.0.0/16"}}]}])], HOST, DB, 6379, True),
    ("an ipBlock applies to pod addresses too",
     [db_only(ingress=[{"from": [{"ipBlock": {"cidr": "10.244.0.0/16", "except": ["10.244.3.0/24"]}}]}])],
     FRONTEND, DB, 6379, True),
    ("an ipBlock's except carves addresses out",
     [db_only(ingress=[{"from": [{"ipBlock": {"cidr": "10.244.0.0/16", "except": ["10.244.3.0/24"]}}]}])],
     OTHER, DB, 6379, False),
    ("a rule's port list restricts the ports",
     [db_only(ingress=[{"ports": [{"port": 6379}]}])], OTHER, DB, 22, False),
    ("a named port is looked up in the destination pod's containers",
     [db_only(ingress=[{"ports": [{"port": "redis"}]}])], OTHER, DB, 6379, True),
    ("a named port the pod does not have matches nothing",
     [db_only(ingress=[{"ports": [{"port": "http"}]}])], OTHER, DB, 6379, False),
    ("a port range includes both ends",
     [db_only(ingress=[{"ports": [{"port": 6000, "endPort": 6379}]}])], OTHER, DB, 6379, True),
    ("a UDP rule does not open the TCP port",
     [db_only(ingress=[{"ports": [{"port": 6379, "protocol": "UDP"}]}])], OTHER, DB, 6379, False),
    ("rules of several policies add up",
     [db_only(ingress=[{"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}]}]),
      policy("also", podSelector={"matchLabels": {"role": "db"}},
             ingress=[{"from": [{"ipBlock": {"cidr": "10.244.3.0/24"}}]}])],
     OTHER, DB, 6379, True),
    ("an egress deny-all drops the isolated pod's connections",
     [policy("deny-egress", policyTypes=["Egress"])], OTHER, DB, 6379, False),
    ("egress to a pod selector passes",
     [policy("egress", policyTypes=["Egress"], egress=[{"to": [{"podSelector": {"matchLabels": {"role": "db"}}}]}])],
     OTHER, DB, 6379, True),
    ("egress and ingress must both allow",
     [policy("egress", policyTypes=["Egress"], egress=[{}]), db_only()], OTHER, DB, 6379, False),
    ("an egress deny-all blocks DNS to CoreDNS",
     [policy("deny-egress", policyTypes=["Egress"])], OTHER, COREDNS, 53, False),
    ("DNS passes when UDP 53 to kube-system is allowed",
     [policy("dns", policyTypes=["Egress"], egress=[{
         "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
         "ports": [{"port": 53, "protocol": "UDP"}]}])], OTHER, COREDNS, 53, True),
    ("an ipBlock for the kube-dns ClusterIP does not allow DNS: the policy sees the CoreDNS pod",
     [policy("dns", policyTypes=["Egress"], egress=[{
         "to": [{"ipBlock": {"cidr": "10.96.0.10/32"}}], "ports": [{"port": 53, "protocol": "UDP"}]}])],
     OTHER, COREDNS, 53, False),
]


@pytest.mark.parametrize("policies, source, destination, port, allowed",
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_connection_passes_as_the_networkpolicy_api_says(policies, source, destination, port, allowed):
    protocol = "UDP" if destination is COREDNS else "TCP"
    assert bool(enforcer(*policies).check(source, destination, port, protocol)) is allowed


def test_a_pod_cannot_block_its_own_node():
    verdict = enforcer(policy("deny")).check(Side("172.18.0.3"), DB, 80, destination_node_ip="172.18.0.3")
    assert verdict and "own node" in str(verdict)


def test_a_drop_says_which_policy_isolates_the_pod():
    verdict = enforcer(policy("deny")).check(OTHER, DB, 6379)
    assert not verdict
    assert str(verdict) == ("dropped: pod default/db is isolated for ingress by default/deny and no rule "
                            "allows pod default/other on 6379/TCP")


def test_nothing_is_enforced_while_no_policy_exists():
    assert not enforcer().enforcing()
    assert enforcer(policy("deny")).enforcing()


@pytest.mark.parametrize("ip, block, inside", [
    ("10.1.2.3", {"cidr": "10.0.0.0/8"}, True),
    ("10.1.2.3", {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}, False),
    ("11.0.0.1", {"cidr": "10.0.0.0/8"}, False),
    ("10.1.2.3", {"cidr": "fd00::/8"}, False),
    ("not-an-ip", {"cidr": "0.0.0.0/0"}, False),
], ids=["inside the cidr", "inside an except", "outside the cidr", "another IP family",
        "something that is no address"])
def test_ip_in_block(ip, block, inside):
    assert ip_in_block(ip, block) is inside


def test_a_port_entry_with_only_a_protocol_matches_every_port_of_that_protocol():
    assert port_matches({"protocol": "SCTP"}, 9999, "SCTP", None)
    assert not port_matches({"protocol": "SCTP"}, 9999, "TCP", None)
