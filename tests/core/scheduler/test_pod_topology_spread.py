"""PodTopologySpread: DoNotSchedule filtering, ScheduleAnyway scoring, system defaults."""

import pytest

from labkube.core.scheduler.plugins import pod_topology_spread
from tests.core.scheduler.harness import filter_statuses, reasons, scores
from tests.core.scheduler.objects import node, pod

U, UU = "Unschedulable", "UnschedulableAndUnresolvable"
SKEW = (U, "node(s) didn't match pod topology spread constraints")
MISSING = (UU, "node(s) didn't match pod topology spread constraints (missing required label)")
HOST, ZONE = "kubernetes.io/hostname", "topology.kubernetes.io/zone"
NODES = [node("a1", zone="a"), node("a2", zone="a"), node("b1", zone="b")]


def spread(key, max_skew=1, when="DoNotSchedule", **extra):
    return {"maxSkew": max_skew, "topologyKey": key, "whenUnsatisfiable": when,
            "labelSelector": {"matchLabels": {"app": "web"}}, **extra}


def web(name, node_name=None, **kw):
    return pod(name, labels={"app": "web"}, node_name=node_name, **kw)


@pytest.mark.parametrize("name, incoming, existing, nodes, expected", [
    ("a node whose domain would exceed maxSkew is rejected",
     web("p", topologySpreadConstraints=[spread(HOST)]), [web("e", "a1")], NODES,
     {"a1": SKEW, "a2": None, "b1": None}),
    ("zones are compared by their totals",
     web("p", topologySpreadConstraints=[spread(ZONE)]), [web("e1", "a1"), web("e2", "b1")], NODES,
     {"a1": None, "a2": None, "b1": None}),
    ("a bigger maxSkew tolerates more imbalance",
     web("p", topologySpreadConstraints=[spread(HOST, max_skew=2)]), [web("e", "a1")], NODES,
     {"a1": None, "a2": None, "b1": None}),
    ("pods that do not match the selector are not counted",
     web("p", topologySpreadConstraints=[spread(HOST)]), [pod("e", labels={"app": "db"}, node_name="a1")], NODES,
     {"a1": None, "a2": None, "b1": None}),
    ("a node without the topology key is rejected as missing the label",
     web("p", topologySpreadConstraints=[spread(ZONE)]), [], NODES + [node("nozone")],
     {"a1": None, "a2": None, "b1": None, "nozone": MISSING}),
    ("with fewer domains than minDomains the global minimum counts as 0",
     web("p", topologySpreadConstraints=[spread(ZONE, minDomains=3)]), [web("e1", "a1"), web("e2", "b1")], NODES,
     {"a1": SKEW, "a2": SKEW, "b1": SKEW}),
    ("nodes the pod's nodeSelector excludes are not counted as domains",
     web("p", topologySpreadConstraints=[spread(HOST)], nodeSelector={"topology.kubernetes.io/zone": "a"}),
     [web("e1", "a1")], NODES, {"a1": SKEW, "a2": None, "b1": None}),
    ("ScheduleAnyway constraints never filter", web("p", topologySpreadConstraints=[spread(HOST, when="ScheduleAnyway")]),
     [web("e", "a1"), web("f", "a1")], NODES, {"a1": None, "a2": None, "b1": None}),
])
def test_topology_spread_filter(name, incoming, existing, nodes, expected):
    assert reasons(filter_statuses(pod_topology_spread.new(), incoming, nodes, existing)) == expected


@pytest.mark.parametrize("name, incoming, existing, expected", [
    ("the zone with fewer matching pods scores 100",
     web("p", topologySpreadConstraints=[spread(ZONE, when="ScheduleAnyway")]),
     [web("e1", "a1"), web("e2", "a2")], {"a1": (3, 0), "a2": (3, 0), "b1": (0, 100)}),
    ("hostname spreading counts each node's own pods",
     web("p", topologySpreadConstraints=[spread(HOST, when="ScheduleAnyway")]),
     [web("e1", "a1"), web("e2", "a1"), web("e3", "a2")], {"a1": (3, 0), "a2": (2, 33), "b1": (0, 100)}),
    ("a pod without constraints and without owners is not spread", web("p"), [web("e", "a1")], None),
])
def test_topology_spread_score(name, incoming, existing, expected):
    assert scores(pod_topology_spread.new(), incoming, NODES, existing) == expected


def test_system_default_constraints_spread_pods_of_the_same_replicaset():
    owner = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-abc", "controller": True, "uid": "rs"}]
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": {"name": "web-abc", "namespace": "default"},
          "spec": {"selector": {"matchLabels": {"app": "web"}}}}
    existing = [web("e1", "a1"), web("e2", "a1")]
    for e in existing:
        e["metadata"]["ownerReferences"] = owner
    incoming = web("p")
    incoming["metadata"]["ownerReferences"] = owner
    result = scores(pod_topology_spread.new(), incoming, NODES, existing, replica_sets=[rs])
    # hostname: maxSkew 3, weight log(3+2); zone: maxSkew 5, weight log(2+2)
    assert result == {"a1": (12, 50), "a2": (9, 75), "b1": (6, 100)}


def test_services_selecting_the_pod_also_define_the_default_selector():
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"selector": {"app": "web"}}}
    result = scores(pod_topology_spread.new(), web("p"), NODES, [web("e1", "a1")], services=[svc])
    assert result["a1"][1] < result["b1"][1] == 100
