"""InterPodAffinity: required and preferred (anti-)affinity, and existing pods' anti-affinity."""

import pytest

from labkube.core.scheduler.plugins import inter_pod_affinity
from tests.core.scheduler.harness import filter_statuses, reasons, scores
from tests.core.scheduler.objects import node, pod

U, UU = "Unschedulable", "UnschedulableAndUnresolvable"
AFFINITY = (UU, "node(s) didn't match pod affinity rules")
ANTI = (U, "node(s) didn't match pod anti-affinity rules")
EXISTING = (U, "node(s) didn't satisfy existing pods anti-affinity rules")
HOST, ZONE = "kubernetes.io/hostname", "topology.kubernetes.io/zone"
NODES = [node("a1", zone="a"), node("a2", zone="a"), node("b1", zone="b")]


def term(app, key, **extra):
    return {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key, **extra}


def affinity(kind, *terms, preferred=False):
    field = "preferredDuringSchedulingIgnoredDuringExecution" if preferred else "requiredDuringSchedulingIgnoredDuringExecution"
    if preferred:
        terms = [{"weight": w, "podAffinityTerm": t} for w, t in terms]
    return {kind: {field: list(terms)}}


@pytest.mark.parametrize("name, incoming, existing, expected", [
    ("a pod with required affinity goes only where a matching pod runs",
     pod("web", labels={"app": "web"}, affinity=affinity("podAffinity", term("db", HOST))),
     [pod("db", labels={"app": "db"}, node_name="a1")],
     {"a1": None, "a2": AFFINITY, "b1": AFFINITY}),
    ("affinity on zone accepts every node of the matching pod's zone",
     pod("web", labels={"app": "web"}, affinity=affinity("podAffinity", term("db", ZONE))),
     [pod("db", labels={"app": "db"}, node_name="a1")],
     {"a1": None, "a2": None, "b1": AFFINITY}),
    ("the first pod of a group affine to itself may go anywhere",
     pod("db-0", labels={"app": "db"}, affinity=affinity("podAffinity", term("db", ZONE))), [],
     {"a1": None, "a2": None, "b1": None}),
    ("a pod with required affinity and nothing to match stays pending",
     pod("web", labels={"app": "web"}, affinity=affinity("podAffinity", term("db", ZONE))), [],
     {"a1": AFFINITY, "a2": AFFINITY, "b1": AFFINITY}),
    ("a pod with required anti-affinity avoids nodes running a matching pod",
     pod("web-1", labels={"app": "web"}, affinity=affinity("podAntiAffinity", term("web", HOST))),
     [pod("web-0", labels={"app": "web"}, node_name="a1")],
     {"a1": ANTI, "a2": None, "b1": None}),
    ("anti-affinity only looks in the pod's own namespace by default",
     pod("web-1", labels={"app": "web"}, affinity=affinity("podAntiAffinity", term("web", HOST))),
     [pod("web-0", namespace="other", labels={"app": "web"}, node_name="a1")],
     {"a1": None, "a2": None, "b1": None}),
    ("an empty namespaceSelector looks in every namespace",
     pod("web-1", labels={"app": "web"},
         affinity=affinity("podAntiAffinity", term("web", HOST, namespaceSelector={}))),
     [pod("web-0", namespace="other", labels={"app": "web"}, node_name="a1")],
     {"a1": ANTI, "a2": None, "b1": None}),
    ("an existing pod's anti-affinity keeps matching pods out of its zone",
     pod("web", labels={"app": "web"}),
     [pod("loner", labels={"app": "loner"}, node_name="a1",
          affinity=affinity("podAntiAffinity", term("web", ZONE)))],
     {"a1": EXISTING, "a2": EXISTING, "b1": None}),
    ("an existing pod's anti-affinity does not affect pods it does not select",
     pod("api", labels={"app": "api"}),
     [pod("loner", labels={"app": "loner"}, node_name="a1",
          affinity=affinity("podAntiAffinity", term("web", ZONE)))],
     {"a1": None, "a2": None, "b1": None}),
    ("a node without the topology key can't satisfy required affinity",
     pod("web", labels={"app": "web"}, affinity=affinity("podAffinity", term("db", "rack"))),
     [pod("db", labels={"app": "db"}, node_name="a1")],
     {"a1": AFFINITY, "a2": AFFINITY, "b1": AFFINITY}),
])
def test_inter_pod_affinity_filter(name, incoming, existing, expected):
    assert reasons(filter_statuses(inter_pod_affinity.new(), incoming, NODES, existing)) == expected


@pytest.mark.parametrize("name, incoming, existing, expected", [
    ("a pod without affinity, among pods without affinity, is not scored", pod("p"),
     [pod("db", labels={"app": "db"}, node_name="a1")], None),
    ("preferred affinity credits every node in the matching pod's zone",
     pod("web", affinity=affinity("podAffinity", (5, term("db", ZONE)), preferred=True)),
     [pod("db", labels={"app": "db"}, node_name="a1")],
     {"a1": (5, 100), "a2": (5, 100), "b1": (0, 0)}),
    ("preferred anti-affinity debits the node of the matching pod",
     pod("web", affinity=affinity("podAntiAffinity", (5, term("web", HOST)), preferred=True)),
     [pod("web-0", labels={"app": "web"}, node_name="a1")],
     {"a1": (-5, 0), "a2": (0, 100), "b1": (0, 100)}),
    ("an existing pod's required affinity attracts the pods it selects (weight 1)",
     pod("db", labels={"app": "db"}),
     [pod("web", labels={"app": "web"}, node_name="b1", affinity=affinity("podAffinity", term("db", ZONE)))],
     {"a1": (0, 0), "a2": (0, 0), "b1": (1, 100)}),
])
def test_inter_pod_affinity_score(name, incoming, existing, expected):
    assert scores(inter_pod_affinity.new(), incoming, NODES, existing) == expected
