"""DefaultPreemption and PodDisruptionBudgets: victims a budget protects are spared when
possible, and the node whose victims violate fewest budgets wins (filterPodsWithPDBViolation,
pickOneNodeForPreemption in kube-scheduler 1.32)."""

import random

import pytest

from labkube.core.scheduler import Scheduler, Snapshot
from labkube.core.scheduler.nodeinfo import PodInfo
from labkube.core.scheduler.plugins.default_preemption import filter_pods_with_pdb_violation
from tests.core.scheduler.objects import node, pod


def budget(app, allowed, namespace="default", disrupted=(), selector=None):
    return {"metadata": {"name": f"pdb-{app}", "namespace": namespace},
            "spec": {"selector": {"matchLabels": {"app": app}} if selector is None else selector},
            "status": {"disruptionsAllowed": allowed, "disruptedPods": {n: "2025-01-01T00:00:00Z" for n in disrupted}}}


def schedule(nodes, incoming, existing, pdbs):
    snapshot = Snapshot(nodes, existing)
    snapshot.pdb_lister = lambda: pdbs
    return Scheduler(rng=random.Random(0)).schedule_one(incoming, snapshot)


def names(infos):
    return [info.pod["metadata"]["name"] for info in infos]


@pytest.mark.parametrize("name, pods, pdbs, violating", [
    ("a budget with one disruption left lets the first matching pod go, not the second",
     [pod("a1", labels={"app": "a"}), pod("a2", labels={"app": "a"})], [budget("a", 1)], ["a2"]),
    ("a pod the eviction API already approved spends nothing",
     [pod("a1", labels={"app": "a"}), pod("a2", labels={"app": "a"})], [budget("a", 0, disrupted=["a1"])], ["a2"]),
    ("a budget of another namespace does not protect the pod",
     [pod("a1", labels={"app": "a"})], [budget("a", 0, namespace="other")], []),
    ("the scheduler treats an empty selector as matching nothing",
     [pod("a1", labels={"app": "a"})], [budget("a", 0, selector={})], []),
    ("a pod without labels matches no budget",
     [pod("bare")], [budget("a", 0, selector={"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]})], []),
    ("no budgets: nothing violates", [pod("a1", labels={"app": "a"})], [], []),
])
def test_pods_whose_eviction_a_budget_forbids_are_violating(name, pods, pdbs, violating):
    infos = [PodInfo(p) for p in pods]
    bad, good = filter_pods_with_pdb_violation(infos, pdbs)
    assert names(bad) == violating
    assert names(good) == [n for n in names(infos) if n not in violating]


def test_the_node_whose_victims_no_budget_protects_is_chosen():
    # Without budgets node a wins (its victim has the lower priority); its victim is protected.
    nodes = [node("a", cpu="1"), node("b", cpu="1")]
    existing = [pod("guarded", cpu="1", priority=1, node_name="a", labels={"app": "db"}),
                pod("free", cpu="1", priority=2, node_name="b", labels={"app": "web"})]
    result = schedule(nodes, pod("p", cpu="1", priority=100), existing, [budget("db", 0)])
    assert result.nominated_node_name == "b"
    assert [v["metadata"]["name"] for v in result.victims] == ["free"]


def test_without_budgets_the_lowest_priority_victim_is_chosen():
    nodes = [node("a", cpu="1"), node("b", cpu="1")]
    existing = [pod("guarded", cpu="1", priority=1, node_name="a", labels={"app": "db"}),
                pod("free", cpu="1", priority=2, node_name="b", labels={"app": "web"})]
    result = schedule(nodes, pod("p", cpu="1", priority=100), existing, [])
    assert result.nominated_node_name == "a"


def test_a_protected_pod_is_reprieved_before_a_higher_priority_one():
    nodes = [node("n", cpu="2")]
    existing = [pod("guarded", cpu="1", priority=1, node_name="n", labels={"app": "db"}),
                pod("mid", cpu="1", priority=5, node_name="n", labels={"app": "web"})]
    result = schedule(nodes, pod("p", cpu="1", priority=100), existing, [budget("db", 0)])
    assert [v["metadata"]["name"] for v in result.victims] == ["mid"]


def test_a_protected_pod_is_still_a_victim_when_nothing_else_makes_room():
    nodes = [node("n", cpu="1")]
    existing = [pod("guarded", cpu="1", priority=1, node_name="n", labels={"app": "db"})]
    result = schedule(nodes, pod("p", cpu="1", priority=100), existing, [budget("db", 0)])
    assert result.nominated_node_name == "n" and [v["metadata"]["name"] for v in result.victims] == ["guarded"]
