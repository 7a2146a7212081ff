"""networking.k8s.io/v1 NetworkPolicy through the API server: discovery, SetDefaults_NetworkPolicy,
the strategy's generation and ValidateNetworkPolicy with kube-apiserver 1.32's messages."""

import pytest

import labkube
from labkube import StatusError
from labkube.core.api import defaults, validation


def policy(name="p", **spec):
    spec.setdefault("podSelector", {})
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": "default"}, "spec": spec}


@pytest.fixture(scope="module")
def cluster():
    with labkube.Cluster(nodes=1, seed=0) as c:
        yield c


def test_network_policies_are_served_in_networking_v1_as_netpol(cluster):
    rtype = cluster.server.registry.resolve("netpol")
    assert (rtype.api_version, rtype.kind, rtype.namespaced, rtype.short_names) == (
        "networking.k8s.io/v1", "NetworkPolicy", True, ("netpol",))
    assert rtype.categories == () and rtype.subresources == ()
    assert cluster.server.registry.resolve("networkpolicies.networking.k8s.io") is rtype


@pytest.mark.parametrize("spec, policy_types", [
    ({}, ["Ingress"]),
    ({"ingress": [{}]}, ["Ingress"]),
    ({"egress": [{}]}, ["Ingress", "Egress"]),
    ({"egress": []}, ["Ingress"]),
    ({"policyTypes": ["Egress"]}, ["Egress"]),
    ({"policyTypes": ["Egress"], "ingress": [{}]}, ["Egress"]),
], ids=["no rules at all makes an ingress policy",
        "ingress rules make an ingress policy",
        "egress rules add Egress to Ingress",
        "an empty egress list adds nothing",
        "given policy types are kept",
        "given policy types win over the rules present"])
def test_policy_types_default_as_set_defaults_network_policy_computes_them(spec, policy_types):
    obj = policy(**spec)
    defaults.apply_defaults(obj)
    assert obj["spec"]["policyTypes"] == policy_types


def test_every_port_without_a_protocol_gets_tcp():
    obj = policy(ingress=[{"ports": [{"port": 80}, {"port": 53, "protocol": "UDP"}]}],
                 egress=[{"ports": [{"port": "http"}]}])
    defaults.apply_defaults(obj)
    assert [p["protocol"] for p in obj["spec"]["ingress"][0]["ports"]] == ["TCP", "UDP"]
    assert obj["spec"]["egress"][0]["ports"] == [{"port": "http", "protocol": "TCP"}]


def test_create_sets_generation_one_and_a_spec_change_bumps_it(cluster):
    live = cluster.apply(policy("gen"))[0]
    assert live["metadata"]["generation"] == 1 and "status" not in live
    changed = cluster.apply(policy("gen", podSelector={"matchLabels": {"app": "web"}}))[0]
    assert changed["metadata"]["generation"] == 2
    relabelled = dict(changed, metadata=dict(changed["metadata"], labels={"team": "a"}))
    assert cluster.client.update(relabelled)["metadata"]["generation"] == 2


def _errors(**spec):
    obj = policy(**spec)
    defaults.apply_defaults(obj)
    return [str(e) for e in validation.validate(obj)]


@pytest.mark.parametrize("spec, expected", [
    ({"ingress": [{"from": [{}]}]},
     ["spec.ingress[0].from[0]: Required value: must specify a peer"]),
    ({"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]},
     ["spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer"]),
    ({"ingress": [{"from": [{"ipBlock": {"cidr": ""}}]}]},
     ["spec.ingress[0].from[0].ipBlock.cidr: Required value"]),
    ({"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0"}}]}]},
     ['spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0": not a valid CIDR']),
    ({"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["192.168.0.0/16", "10.0.0.0/8"]}}]}]},
     ['spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "192.168.0.0/16": must be a strict subset of `cidr`',
      'spec.ingress[0].from[0].ipBlock.except[1]: Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`']),
    ({"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["x", "11.0.0.0/8"]}}]}]},
     ['spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "x": not a valid CIDR']),
    ({"ingress": [{"ports": [{"protocol": "HTTP", "port": 80}]}]},
     ['spec.ingress[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "TCP", "UDP", "SCTP"']),
    ({"ingress": [{"ports": [{"port": 0}]}]},
     ["spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"]),
    ({"ingress": [{"ports": [{"port": "Http_Web"}]}]},
     ['spec.ingress[0].ports[0].port: Invalid value: "Http_Web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']),
    ({"egress": [{"ports": [{"endPort": 90}]}]},
     ["spec.egress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is not specified"]),
    ({"egress": [{"ports": [{"port": "http", "endPort": 90}]}]},
     ["spec.egress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric"]),
    ({"egress": [{"ports": [{"port": 100, "endPort": 90}]}]},
     ["spec.egress[0].ports[0].endPort: Invalid value: 90: must be greater than or equal to `port`"]),
    ({"egress": [{"ports": [{"port": 100, "endPort": 70000}]}]},
     ["spec.egress[0].ports[0].endPort: Invalid value: 70000: must be between 1 and 65535, inclusive"]),
    ({"policyTypes": ["Ingress", "Egress", "Ingress"]},
     ['spec.policyTypes: Invalid value: []networking.PolicyType{"Ingress", "Egress", "Ingress"}: '
      "may not specify more than two policyTypes"]),
    ({"policyTypes": ["ingress"]},
     ['spec.policyTypes[0]: Unsupported value: "ingress": supported values: "Ingress", "Egress"']),
    ({"podSelector": {"matchLabels": {"app": "a b"}}},
     ['spec.podSelector.matchLabels: Invalid value: "a b": a valid label must be an empty string or consist of '
      "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
      "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
      "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]),
    ({"ingress": [{"from": [{"namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "In"}]}}]}]},
     ["spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values: Required value: "
      "must be specified when `operator` is 'In' or 'NotIn'"]),
], ids=[
    "a peer must name something",
    "an ipBlock stands alone",
    "an ipBlock needs a cidr",
    "a cidr needs a prefix length",
    "except entries must lie strictly inside the cidr",
    "the first unparsable except entry ends the checks",
    "protocols are TCP, UDP or SCTP",
    "port numbers run from 1 to 65535",
    "named ports are IANA service names",
    "endPort needs a port",
    "endPort needs a numeric port",
    "endPort is not below port",
    "endPort is a port number too",
    "at most two policy types",
    "policy types are capitalised",
    "selectors' label values are checked",
    "selector requirements are checked",
])
def test_invalid_policies_are_refused_with_kube_apiservers_words(spec, expected):
    assert _errors(**spec) == expected


@pytest.mark.parametrize("spec", [
    {"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.1/8", "except": ["10.1.0.0/16"]}}]}]},
    {"ingress": [{"from": [{"ipBlock": {"cidr": "010.000.0.0/8"}}]}]},
    {"ingress": [{"from": [{"ipBlock": {"cidr": "fd00::/8", "except": ["fd00:1::/32"]}}]}]},
    {"ingress": [{"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"a": "b"}}}]}]},
    {"egress": [{"ports": [{"port": 32000, "endPort": 32768}, {"protocol": "SCTP"}]}]},
], ids=["host bits may be set (ParseCIDRSloppy)", "octets may have leading zeros",
        "IPv6 blocks", "both selectors in one peer", "a port range and a protocol alone"])
def test_valid_policies_pass_validation(spec):
    assert _errors(**spec) == []


def test_the_api_server_refuses_an_invalid_policy_and_stores_nothing(cluster):
    before = cluster.store.revision
    with pytest.raises(StatusError) as err:
        cluster.apply(policy("bad", ingress=[{"from": [{}]}]))
    assert err.value.message == (
        'NetworkPolicy.networking.k8s.io "bad" is invalid: spec.ingress[0].from[0]: Required value: '
        "must specify a peer")
    assert cluster.store.revision == before
