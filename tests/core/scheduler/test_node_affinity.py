"""NodeAffinity: nodeSelector, required and preferred node affinity."""

import pytest

from labkube.core.scheduler.plugins import node_affinity
from tests.core.scheduler.harness import filter_statuses, reasons, scores
from tests.core.scheduler.objects import node, pod

UU = "UnschedulableAndUnresolvable"
MISMATCH = (UU, "node(s) didn't match Pod's node affinity/selector")


def required(*terms):
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": list(terms)}}}


def expr(key, op, *values):
    e = {"key": key, "operator": op}
    if values:
        e["values"] = list(values)
    return e


NODES = [node("ssd-a", labels={"disk": "ssd", "cores": "8"}, zone="a"),
         node("hdd-b", labels={"disk": "hdd", "cores": "2"}, zone="b"),
         node("bare")]


@pytest.mark.parametrize("name, spec, expected", [
    ("a pod without selector or affinity fits every node", {}, {"ssd-a": None, "hdd-b": None, "bare": None}),
    ("a nodeSelector keeps the pod to nodes with the label",
     {"nodeSelector": {"disk": "ssd"}}, {"ssd-a": None, "hdd-b": MISMATCH, "bare": MISMATCH}),
    ("required terms are ORed", {"affinity": required(
        {"matchExpressions": [expr("disk", "In", "ssd")]},
        {"matchExpressions": [expr("disk", "In", "hdd")]})},
     {"ssd-a": None, "hdd-b": None, "bare": MISMATCH}),
    ("expressions in one term are ANDed", {"affinity": required(
        {"matchExpressions": [expr("disk", "In", "ssd"), expr("topology.kubernetes.io/zone", "In", "b")]})},
     {"ssd-a": MISMATCH, "hdd-b": MISMATCH, "bare": MISMATCH}),
    ("NotIn matches nodes without the label", {"affinity": required(
        {"matchExpressions": [expr("disk", "NotIn", "ssd")]})},
     {"ssd-a": MISMATCH, "hdd-b": None, "bare": None}),
    ("DoesNotExist matches only nodes without the label", {"affinity": required(
        {"matchExpressions": [expr("disk", "DoesNotExist")]})},
     {"ssd-a": MISMATCH, "hdd-b": MISMATCH, "bare": None}),
    ("Gt compares the label as an integer", {"affinity": required(
        {"matchExpressions": [expr("cores", "Gt", "4")]})},
     {"ssd-a": None, "hdd-b": MISMATCH, "bare": MISMATCH}),
    ("an empty term matches no node", {"affinity": required({})},
     {"ssd-a": MISMATCH, "hdd-b": MISMATCH, "bare": MISMATCH}),
    ("nodeSelector and affinity must both hold", {"nodeSelector": {"disk": "hdd"}, "affinity": required(
        {"matchExpressions": [expr("disk", "Exists")]})},
     {"ssd-a": MISMATCH, "hdd-b": None, "bare": MISMATCH}),
    ("matchFields on metadata.name narrows the nodes before filtering", {"affinity": required(
        {"matchFields": [expr("metadata.name", "In", "bare")]})}, {"bare": None}),
    ("terms pinning disjoint node names conflict", {"affinity": required(
        {"matchFields": [expr("metadata.name", "In", "bare"), expr("metadata.name", "In", "ssd-a")]})},
     {n: (UU, "pod affinity terms conflict") for n in ("ssd-a", "hdd-b", "bare")}),
])
def test_node_affinity_filter(name, spec, expected):
    assert reasons(filter_statuses(node_affinity.new(), pod("p", **spec), NODES)) == expected


def preferred(*weighted):
    return {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": w, "preference": {"matchExpressions": [e]}} for w, e in weighted]}}


@pytest.mark.parametrize("name, spec, expected", [
    ("a pod without preferences is not scored", {}, None),
    ("matching preferred terms add their weights; the best node scores 100",
     {"affinity": preferred((2, expr("disk", "In", "ssd")), (5, expr("topology.kubernetes.io/zone", "In", "a", "b")))},
     {"ssd-a": (7, 100), "hdd-b": (5, 71), "bare": (0, 0)}),
    ("when no node matches every score is 0",
     {"affinity": preferred((3, expr("disk", "In", "nvme")))},
     {"ssd-a": (0, 0), "hdd-b": (0, 0), "bare": (0, 0)}),
])
def test_node_affinity_score(name, spec, expected):
    assert scores(node_affinity.new(), pod("p", **spec), NODES) == expected
