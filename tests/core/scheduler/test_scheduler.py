"""Whole-scheduler tests: the chosen node and the FailedScheduling text, over small clusters."""

import random

import pytest

from labkube.core.scheduler import Scheduler, Snapshot, num_feasible_nodes_to_find
from tests.core.scheduler.objects import control_plane, node, pod


def schedule(nodes, incoming, existing=(), seed=0, **snapshot_kw):
    snapshot = Snapshot(nodes, existing, **snapshot_kw)
    return Scheduler(rng=random.Random(seed)).schedule_one(incoming, snapshot)


KIND = [control_plane("kind-control-plane"), node("kind-worker", cpu="2"), node("kind-worker2", cpu="2")]


@pytest.mark.parametrize("name, nodes, incoming, existing, message", [
    ("a control-plane taint and two busy workers give kube-scheduler's message",
     KIND, pod("big", cpu="1"),
     [pod("a", cpu="1500m", node_name="kind-worker"), pod("b", cpu="1500m", node_name="kind-worker2")],
     "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
     "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
     "2 No preemption victims found for incoming pod."),
    ("a request larger than any node is not helped by preemption",
     [node("n1", cpu="2"), node("n2", cpu="2")], pod("huge", cpu="8"), [],
     "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: "
     "2 Preemption is not helpful for scheduling."),
    ("a nodeSelector nobody matches",
     [node("n1"), node("n2"), node("n3")], pod("p", nodeSelector={"disktype": "nvme"}), [],
     "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. "
     "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."),
    ("cordoned and short of memory",
     [node("n1", unschedulable=True), node("n2", memory="1Gi")], pod("p", memory="2Gi"), [],
     "0/2 nodes are available: 1 Insufficient memory, 1 node(s) were unschedulable. "
     "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."),
    ("both short resources are counted on the same node",
     [node("n1", cpu="1", memory="1Gi")], pod("p", cpu="500m", memory="512Mi"),
     [pod("e", cpu="1", memory="1Gi", node_name="n1")],
     "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. "
     "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."),
    ("anti-affinity against running replicas",
     [control_plane("cp"), node("w1"), node("w2")],
     pod("web-2", labels={"app": "web"}, affinity={"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
         {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}]}}),
     [pod("web-0", labels={"app": "web"}, node_name="w1"), pod("web-1", labels={"app": "web"}, node_name="w2")],
     "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
     "2 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: "
     "1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."),
    ("conflicting matchFields are a PreFilter message, not a histogram",
     [node("n1"), node("n2"), node("n3")],
     pod("p", affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
         {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]},
                          {"key": "metadata.name", "operator": "In", "values": ["n2"]}]}]}}}), [],
     "0/3 nodes are available: pod affinity terms conflict. preemption: 0/3 nodes are available: "
     "3 Preemption is not helpful for scheduling."),
    ("a pod that may not preempt says so",
     [node("n1", cpu="1")], pod("p", cpu="2", preemptionPolicy="Never"), [],
     "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."),
    ("a cluster without nodes", [], pod("p"), [], "no nodes available to schedule pods"),
])
def test_failed_scheduling_message(name, nodes, incoming, existing, message):
    result = schedule(nodes, incoming, existing)
    assert not result.scheduled
    assert result.event_reason == "FailedScheduling"
    assert result.message == message


@pytest.mark.parametrize("name, nodes, incoming, existing, chosen", [
    ("the least loaded worker wins", [node("busy"), node("idle")], pod("p", cpu="500m"),
     [pod("e", cpu="2", memory="4Gi", node_name="busy")], "idle"),
    ("the control-plane is skipped", [control_plane("cp"), node("w")], pod("p"), [], "w"),
    ("a toleration lets a pod onto the control-plane when it is the better node",
     [control_plane("cp"), node("w")],
     pod("p", tolerations=[{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists",
                            "effect": "NoSchedule"}]),
     [pod("e", cpu="3", memory="6Gi", node_name="w")], "cp"),
    ("preferred node affinity outweighs a little load", [node("plain"), node("fast", labels={"disk": "ssd"})],
     pod("p", affinity={"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
         {"weight": 50, "preference": {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}}]}}),
     [pod("e", cpu="500m", node_name="fast")], "fast"),
    ("a PreferNoSchedule taint steers pods away", [node("spot", taints=[{"key": "spot", "effect": "PreferNoSchedule"}]),
                                                  node("regular")], pod("p"), [], "regular"),
    ("a pod naming its node goes there", [node("n1"), node("n2"), node("n3")], pod("p", node_name="n3"), [], "n3"),
    ("an image already present tips the balance", [node("cold"), node("warm", images=[(["app:2"], 800 * 1024 * 1024)])],
     pod("p", image="app:2"), [], "warm"),
])
def test_chosen_node(name, nodes, incoming, existing, chosen):
    result = schedule(nodes, incoming, existing)
    assert result.node_name == chosen
    assert result.message == f"Successfully assigned default/{incoming['metadata']['name']} to {chosen}"
    assert result.binding == {"apiVersion": "v1", "kind": "Binding",
                              "metadata": {"name": incoming["metadata"]["name"], "namespace": "default",
                                           "uid": incoming["metadata"]["uid"]},
                              "target": {"kind": "Node", "name": chosen}}


@pytest.mark.parametrize("name, nodes, percentage, expected", [
    ("a small cluster is searched completely", 50, 0, 50),
    ("100 nodes: adaptive 50% is 50, raised to the minimum of 100", 100, 0, 100),
    ("1000 nodes: 50 - 1000/125 = 42%", 1000, 0, 420),
    ("5000 nodes: 50 - 5000/125 = 10%", 5000, 0, 500),
    ("very large clusters bottom out at 5%", 10000, 0, 500),
    ("an explicit percentage is used as given", 5000, 5, 250),
    ("but never below 100 nodes", 1000, 5, 100),
    ("100% means every node", 300, 100, 300),
])
def test_num_feasible_nodes_to_find(name, nodes, percentage, expected):
    assert num_feasible_nodes_to_find(percentage, nodes) == expected


def test_filtering_stops_early_and_the_next_cycle_starts_where_it_stopped():
    snapshot = Snapshot([node(f"n{i:03d}") for i in range(250)])
    scheduler = Scheduler(rng=random.Random(0))
    first = scheduler.schedule_one(pod("a"), snapshot)
    second = scheduler.schedule_one(pod("b"), snapshot)
    # 250 nodes: 50 - 250/125 = 48% -> 120 feasible nodes are enough
    assert (first.evaluated_nodes, first.record.start_index, first.record.evaluated[0]) == (120, 0, "n000")
    assert (second.record.start_index, second.record.evaluated[0]) == (120, "n120")
    assert scheduler.next_start_node_index == 240


def test_rejected_nodes_count_toward_the_rotation():
    nodes = [node(f"n{i:03d}", cpu="1") for i in range(120)]
    existing = [pod(f"e{i}", cpu="1", node_name=f"n{i:03d}") for i in range(30)]
    snapshot = Snapshot(nodes, existing)
    scheduler = Scheduler(rng=random.Random(0))
    result = scheduler.schedule_one(pod("p", cpu="500m"), snapshot)
    assert (result.evaluated_nodes, result.feasible_nodes) == (120, 90)
    assert scheduler.next_start_node_index == 0


def test_assumed_pods_count_for_the_next_pod():
    snapshot = Snapshot([node("only", cpu="1")])
    scheduler = Scheduler(rng=random.Random(0))
    assert scheduler.schedule_one(pod("a", cpu="600m"), snapshot).node_name == "only"
    second = scheduler.schedule_one(pod("b", cpu="600m"), snapshot)
    assert second.message.startswith("0/1 nodes are available: 1 Insufficient cpu.")


def test_forget_releases_an_assumed_pod_when_binding_fails():
    snapshot = Snapshot([node("only", cpu="1")])
    scheduler = Scheduler(rng=random.Random(0))
    first = scheduler.schedule_one(pod("a", cpu="600m"), snapshot)
    scheduler.forget(first, snapshot)
    assert scheduler.schedule_one(pod("b", cpu="600m"), snapshot).node_name == "only"


def test_without_assume_the_snapshot_is_untouched():
    snapshot = Snapshot([node("only", cpu="1")])
    scheduler = Scheduler(rng=random.Random(0))
    scheduler.schedule_one(pod("a", cpu="600m"), snapshot, assume=False)
    assert snapshot.get("only").requested.milli_cpu == 0


def test_a_higher_priority_pod_nominates_a_node_and_names_its_victims():
    nodes = [node("n1", cpu="2"), node("n2", cpu="2")]
    existing = [pod("low", cpu="2", priority=0, node_name="n1"),
                pod("mid", cpu="2", priority=500, node_name="n2")]
    result = schedule(nodes, pod("high", cpu="1", priority=1000), existing)
    assert not result.scheduled
    assert result.message == "0/2 nodes are available: 2 Insufficient cpu."
    assert result.nominated_node_name == "n1"
    assert [v["metadata"]["name"] for v in result.victims] == ["low"]


def test_preemption_keeps_the_victims_it_can_spare():
    nodes = [node("n1", cpu="3")]
    existing = [pod("low-a", cpu="1", priority=1, node_name="n1"), pod("low-b", cpu="1", priority=2, node_name="n1"),
                pod("low-c", cpu="1", priority=3, node_name="n1")]
    result = schedule(nodes, pod("high", cpu="1", priority=10), existing)
    assert [v["metadata"]["name"] for v in result.victims] == ["low-a"]


def test_a_nominated_pod_goes_straight_to_its_nominated_node():
    incoming = pod("high", cpu="1")
    incoming["status"]["nominatedNodeName"] = "n2"
    result = schedule([node("n1"), node("n2", cpu="2")], incoming, [pod("e", cpu="500m", node_name="n2")])
    assert (result.node_name, result.evaluated_nodes) == ("n2", 1)


def _choices(seed, count=20):
    snapshot = Snapshot([node(f"n{i}") for i in range(10)])
    scheduler = Scheduler(rng=random.Random(seed))
    results = [scheduler.schedule_one(pod(f"p{i}", cpu="100m"), snapshot) for i in range(count)]
    return [r.node_name for r in results], [r.record.to_dict() for r in results]


def test_the_same_seed_gives_the_same_choices_and_records():
    first, second = _choices(7), _choices(7)
    for a, b in zip(first[1], second[1]):
        a["pod"] = b["pod"] = ""
    assert first == second


def test_another_seed_breaks_ties_differently():
    assert _choices(1)[0] != _choices(2)[0]


def test_ties_are_spread_uniformly():
    counts = {}
    for seed in range(300):
        chosen = schedule([node("a"), node("b"), node("c")], pod("p"), seed=seed).node_name
        counts[chosen] = counts.get(chosen, 0) + 1
    assert sorted(counts) == ["a", "b", "c"] and min(counts.values()) > 70


def test_pods_for_another_scheduler_are_not_handled():
    scheduler = Scheduler(rng=random.Random(0))
    other = pod("p", schedulerName="my-scheduler")
    assert not scheduler.handles(other) and scheduler.handles(pod("q"))
    assert "profile not found" in scheduler.schedule_one(other, Snapshot([node("n")])).error


def test_nodes_left_out_by_prefilter_are_counted_in_the_message():
    pinned = pod("p", cpu="8", affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n2"]}]}]}}})
    result = schedule([node("n1"), node("n2"), node("n3")], pinned)
    assert result.message == (
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")
    assert result.record.evaluated == ("n2",)
