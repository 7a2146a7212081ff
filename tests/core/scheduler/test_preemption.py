"""DefaultPreemption (PostFilter) and the Reserve/Permit steps after a node is chosen."""

import random

import pytest

from labkube.core.scheduler import Registry, Scheduler, Snapshot, Status, default_profile
from tests.core.scheduler.objects import control_plane, node, pod

ANTI_WEB = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
    {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}]}}


def schedule(nodes, incoming, existing=()):
    return Scheduler(rng=random.Random(0)).schedule_one(incoming, Snapshot(nodes, existing))


@pytest.mark.parametrize("name, nodes, incoming, existing, message, nominated, victims", [
    ("evicting every lower-priority pod would still not make room: the filter's reason is kept",
     [node("n", cpu="2")], pod("p", cpu="2", priority=10),
     [pod("low", cpu="1", priority=1, node_name="n"), pod("peer", cpu="1", priority=10, node_name="n")],
     "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.",
     "", []),
    ("pods of equal priority are never victims",
     [node("n", cpu="1")], pod("p", cpu="1", priority=5), [pod("same", cpu="1", priority=5, node_name="n")],
     "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
     "1 No preemption victims found for incoming pod.", "", []),
    ("the node whose victims have the lowest priority is chosen",
     [node("a", cpu="1"), node("b", cpu="1")], pod("p", cpu="1", priority=100),
     [pod("mid", cpu="1", priority=50, node_name="a"), pod("low", cpu="1", priority=1, node_name="b")],
     "0/2 nodes are available: 2 Insufficient cpu.", "b", ["low"]),
    ("evicting a pod that blocks anti-affinity makes room",
     [node("w1")], pod("web-new", labels={"app": "web"}, priority=100, affinity=ANTI_WEB),
     [pod("web-old", labels={"app": "web"}, priority=0, node_name="w1")],
     "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules.", "w1", ["web-old"]),
    ("tainted nodes are never candidates",
     [control_plane("cp", cpu="1"), node("w", cpu="1")], pod("p", cpu="1", priority=100),
     [pod("sys", cpu="1", priority=0, node_name="cp"), pod("app", cpu="1", priority=0, node_name="w")],
     "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint "
     "{node-role.kubernetes.io/control-plane: }.", "w", ["app"]),
])
def test_preemption(name, nodes, incoming, existing, message, nominated, victims):
    """``nominated`` "" is a preemption that found no candidate: it clears any earlier
    nomination (ModeOverride with no node), unlike a pod that may not preempt at all (None)."""
    result = schedule(nodes, incoming, existing)
    assert result.message == message
    assert result.nominated_node_name == nominated
    assert [v["metadata"]["name"] for v in result.victims] == victims
    assert result.record.nominated_node == (nominated or "")


class Gate:
    """Reserve and Permit as a student might write them."""

    name = "Gate"

    def __init__(self, reserve_ok=True, permit_ok=True):
        self.reserve_ok, self.permit_ok = reserve_ok, permit_ok
        self.log = []

    def reserve(self, state, pod, node_name):
        self.log.append(("reserve", node_name))
        return None if self.reserve_ok else Status("Error", "quota exhausted")

    def unreserve(self, state, pod, node_name):
        self.log.append(("unreserve", node_name))

    def permit(self, state, pod, node_name):
        return None if self.permit_ok else Status("Unschedulable", "not now")


@pytest.mark.parametrize("name, gate, error, log", [
    ("a successful reserve keeps the pod assumed", Gate(), None, [("reserve", "n")]),
    ("a failed reserve is undone", Gate(reserve_ok=False), "running Reserve plugin 'Gate': quota exhausted",
     [("reserve", "n"), ("unreserve", "n")]),
    ("a permit rejection is undone", Gate(permit_ok=False), "rejected pod 'p' by permit plugin 'Gate': not now",
     [("reserve", "n"), ("unreserve", "n")]),
])
def test_reserve_and_permit(name, gate, error, log):
    registry = Registry()
    registry.register(gate)
    scheduler = Scheduler(registry, [default_profile().with_plugin("Gate")], rng=random.Random(0))
    snapshot = Snapshot([node("n")])
    result = scheduler.schedule_one(pod("p", cpu="1"), snapshot)
    assert result.error == error and gate.log == log
    assert snapshot.get("n").requested.milli_cpu == (1000 if error is None else 0)
