"""NodeName, NodeUnschedulable, TaintToleration and NodePorts: filter and score tables."""

import pytest

from labkube.core.scheduler.plugins import node_name, node_ports, node_unschedulable, taint_toleration
from tests.core.scheduler.harness import filter_statuses, reasons, scores
from tests.core.scheduler.objects import node, pod

U, UU = "Unschedulable", "UnschedulableAndUnresolvable"
TAINT_A = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
TAINT_EXEC = {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}
PREFER = {"key": "spot", "value": "true", "effect": "PreferNoSchedule"}


@pytest.mark.parametrize("name, the_pod, expected", [
    ("a pod that names no node fits every node", pod("p"), {"n1": None, "n2": None}),
    ("a pod that names a node fits only that node", pod("p", node_name="n2"),
     {"n1": (UU, "node(s) didn't match the requested node name"), "n2": None}),
])
def test_node_name(name, the_pod, expected):
    assert reasons(filter_statuses(node_name.new(), the_pod, [node("n1"), node("n2")])) == expected


@pytest.mark.parametrize("name, the_pod, expected", [
    ("a pod can't be scheduled onto a cordoned node", pod("p"),
     {"cordoned": (UU, "node(s) were unschedulable"), "open": None}),
    ("a pod tolerating the unschedulable taint can be scheduled onto a cordoned node",
     pod("p", tolerations=[{"key": "node.kubernetes.io/unschedulable", "operator": "Exists",
                            "effect": "NoSchedule"}]),
     {"cordoned": None, "open": None}),
    ("a toleration for another effect does not count", pod("p", tolerations=[
        {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoExecute"}]),
     {"cordoned": (UU, "node(s) were unschedulable"), "open": None}),
])
def test_node_unschedulable(name, the_pod, expected):
    nodes = [node("cordoned", unschedulable=True), node("open")]
    assert reasons(filter_statuses(node_unschedulable.new(), the_pod, nodes)) == expected


@pytest.mark.parametrize("name, taints, tolerations, expected", [
    ("a pod with no tolerations can't be scheduled onto a node with taints", [TAINT_A], [],
     (UU, "node(s) had untolerated taint {dedicated: gpu}")),
    ("a pod with an Equal toleration for the taint can be scheduled", [TAINT_A],
     [{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}], None),
    ("a toleration with the wrong value does not tolerate the taint", [TAINT_A],
     [{"key": "dedicated", "operator": "Equal", "value": "cpu", "effect": "NoSchedule"}],
     (UU, "node(s) had untolerated taint {dedicated: gpu}")),
    ("an Exists toleration without a key tolerates every taint", [TAINT_A],
     [{"operator": "Exists"}], None),
    ("a toleration without an effect matches every effect", [TAINT_A],
     [{"key": "dedicated", "operator": "Exists"}], None),
    ("a PreferNoSchedule taint never blocks a pod", [PREFER], [], None),
    ("the first untolerated taint is the one reported, value empty as kubectl shows it",
     [PREFER, {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}, TAINT_A], [],
     (UU, "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }")),
    ("a NoExecute taint blocks pods that do not tolerate it", [TAINT_EXEC], [],
     (UU, "node(s) had untolerated taint {node.kubernetes.io/unreachable: }")),
])
def test_taint_toleration_filter(name, taints, tolerations, expected):
    the_pod = pod("p")
    the_pod["spec"]["tolerations"] = tolerations
    result = reasons(filter_statuses(taint_toleration.new(), the_pod, [node("n", taints=taints)]))
    assert result == {"n": expected}


@pytest.mark.parametrize("name, tolerations, expected", [
    ("nodes with fewer intolerable PreferNoSchedule taints score higher", [],
     {"clean": (0, 100), "one": (1, 50), "two": (2, 0)}),
    ("a tolerated PreferNoSchedule taint does not count", [{"key": "spot", "operator": "Exists"}],
     {"clean": (0, 100), "one": (0, 100), "two": (1, 0)}),
    ("a toleration for NoSchedule does not help with PreferNoSchedule",
     [{"key": "spot", "operator": "Exists", "effect": "NoSchedule"}],
     {"clean": (0, 100), "one": (1, 50), "two": (2, 0)}),
])
def test_taint_toleration_score(name, tolerations, expected):
    nodes = [node("clean"), node("one", taints=[PREFER]),
             node("two", taints=[PREFER, {"key": "old", "value": "x", "effect": "PreferNoSchedule"}])]
    the_pod = pod("p")
    the_pod["spec"]["tolerations"] = tolerations
    assert scores(taint_toleration.new(), the_pod, nodes) == expected


def test_taint_toleration_scores_all_100_when_no_node_has_prefer_taints():
    assert scores(taint_toleration.new(), pod("p"), [node("a"), node("b")]) == {"a": (0, 100), "b": (0, 100)}


def _with_port(p, port, host_ip=None, protocol="TCP"):
    entry = {"containerPort": 80, "hostPort": port, "protocol": protocol}
    if host_ip:
        entry["hostIP"] = host_ip
    p["spec"]["containers"][0]["ports"] = [entry]
    return p


@pytest.mark.parametrize("name, incoming, existing, fits", [
    ("a pod asking for a host port in use can't go there", _with_port(pod("p"), 8080),
     _with_port(pod("q", node_name="n"), 8080), False),
    ("a different host port is fine", _with_port(pod("p"), 8081),
     _with_port(pod("q", node_name="n"), 8080), True),
    ("the same port on another protocol is fine", _with_port(pod("p"), 8080, protocol="UDP"),
     _with_port(pod("q", node_name="n"), 8080), True),
    ("two specific host IPs do not clash", _with_port(pod("p"), 8080, "10.0.0.1"),
     _with_port(pod("q", node_name="n"), 8080, "10.0.0.2"), True),
    ("0.0.0.0 clashes with a specific IP", _with_port(pod("p"), 8080, "10.0.0.1"),
     _with_port(pod("q", node_name="n"), 8080), False),
])
def test_node_ports(name, incoming, existing, fits):
    result = reasons(filter_statuses(node_ports.new(), incoming, [node("n")], [existing]))
    assert result == {"n": None if fits else (U, "node(s) didn't have free ports for the requested pod ports")}
