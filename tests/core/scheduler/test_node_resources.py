"""NodeResourcesFit (filter, LeastAllocated score) and NodeResourcesBalancedAllocation."""

import pytest

from labkube.core.scheduler.plugins import node_resources_balanced, node_resources_fit
from tests.core.scheduler.harness import filter_statuses, reasons, scores
from tests.core.scheduler.objects import node, pod

U, UU = "Unschedulable", "UnschedulableAndUnresolvable"


def with_init(p, *inits):
    p["spec"]["initContainers"] = [
        {"name": f"init-{i}", "image": "busybox", "resources": {"requests": req}, **extra}
        for i, (req, extra) in enumerate(inits)]
    return p


@pytest.mark.parametrize("name, the_pod, existing, expected", [
    ("a pod that fits the free cpu and memory passes", pod("p", cpu="1", memory="1Gi"),
     [pod("e", cpu="2", memory="1Gi", node_name="n")], None),
    ("a pod asking for more cpu than is left is rejected", pod("p", cpu="3"),
     [pod("e", cpu="2", node_name="n")], (U, "Insufficient cpu")),
    ("every short resource is reported", pod("p", cpu="3", memory="7Gi"),
     [pod("e", cpu="2", memory="2Gi", node_name="n")], (U, "Insufficient cpu", "Insufficient memory")),
    ("a request larger than the whole node can never fit", pod("p", cpu="5"), [],
     (UU, "Insufficient cpu")),
    ("exactly the free amount fits", pod("p", cpu="2"), [pod("e", cpu="2", node_name="n")], None),
    ("a pod without requests fits a full node", pod("p"), [pod("e", cpu="4", memory="8Gi", node_name="n")], None),
    ("terminated pods hold no resources", pod("p", cpu="3"),
     [pod("e", cpu="2", node_name="n", phase="Succeeded")], None),
    ("an init container larger than the app containers sets the request",
     with_init(pod("p", cpu="1"), ({"cpu": "3"}, {})), [pod("e", cpu="2", node_name="n")], (U, "Insufficient cpu")),
    ("sidecar init containers add to the app containers",
     with_init(pod("p", cpu="1500m"), ({"cpu": "1"}, {"restartPolicy": "Always"})),
     [pod("e", cpu="2", node_name="n")], (U, "Insufficient cpu")),
    ("pod overhead counts", pod("p", cpu="2", overhead={"cpu": "250m"}),
     [pod("e", cpu="2", node_name="n")], (U, "Insufficient cpu")),
    ("an extended resource the node lacks is insufficient",
     pod("p", containers=[{"name": "c", "image": "cuda", "resources": {"requests": {"example.com/gpu": "1"}}}]),
     [], (UU, "Insufficient example.com/gpu")),
])
def test_fit_filter(name, the_pod, existing, expected):
    result = filter_statuses(node_resources_fit.new(), the_pod, [node("n", cpu="4", memory="8Gi")], existing)
    assert reasons(result) == {"n": expected}


def test_a_full_node_is_too_many_pods_even_for_an_empty_pod():
    result = filter_statuses(node_resources_fit.new(), pod("p"), [node("n", pods="1")], [pod("e", node_name="n")])
    assert reasons(result) == {"n": (U, "Too many pods")}


SIZED = [node("small", cpu="4000m", memory="10000"), node("large", cpu="6000m", memory="10000")]


def two_containers(cpu1, mem1, cpu2, mem2):
    return pod("p", containers=[
        {"name": "a", "image": "x", "resources": {"requests": {"cpu": cpu1, "memory": mem1}}},
        {"name": "b", "image": "x", "resources": {"requests": {"cpu": cpu2, "memory": mem2}}}])


@pytest.mark.parametrize("name, the_pod, existing, expected", [
    ("an empty node scores 100 minus what the pod takes, averaged over cpu and memory",
     two_containers("1000m", "2000", "2000m", "3000"), [],
     {"small": (37, 37), "large": (50, 50)}),
    ("pods without requests count as 100m cpu and 200Mi memory when scoring",
     pod("p"), [], {"small": (48, 48), "large": (49, 49)}),
    ("a node whose requests exceed allocatable scores 0 on that resource",
     two_containers("1000m", "2000", "2000m", "3000"),
     [pod("e", cpu="4", memory="1000", node_name="small")], {"small": (20, 20), "large": (50, 50)}),
])
def test_least_allocated_score(name, the_pod, existing, expected):
    assert scores(node_resources_fit.new(), the_pod, SIZED, existing) == expected


@pytest.mark.parametrize("name, the_pod, existing, expected", [
    ("cpu and memory used in equal shares score 100; unequal shares lose (1 - |f1 - f2| / 2)",
     two_containers("1000m", "2000", "2000m", "3000"), [], {"small": (87, 87), "large": (100, 100)}),
    ("existing requests count, and fractions cap at 1",
     two_containers("1000m", "2000", "2000m", "3000"), [pod("e", cpu="3", node_name="small")],
     {"small": (75, 75), "large": (100, 100)}),
    ("a pod without requests adds nothing (no defaults here)", pod("p"),
     [pod("e", cpu="2", node_name="small")], {"small": (75, 75), "large": (100, 100)}),
])
def test_balanced_allocation_score(name, the_pod, existing, expected):
    assert scores(node_resources_balanced.new(), the_pod, SIZED, existing) == expected
