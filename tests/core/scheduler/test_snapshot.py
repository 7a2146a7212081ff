"""The snapshot: pod requests as Kubernetes computes them, incremental sums, node order."""

import pytest

from labkube.core.scheduler import Snapshot
from labkube.core.scheduler.nodeinfo import PodInfo
from tests.core.scheduler.objects import node, pod


def container(cpu=None, memory=None, **extra):
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    return {"name": "c", "image": "x", "resources": {"requests": requests}, **extra}


@pytest.mark.parametrize("name, spec, cpu, memory", [
    ("app containers add up", {"containers": [container("100m", "64Mi"), container("250m", "64Mi")]},
     350, 128 * 2**20),
    ("the largest init container wins when it is larger than the app containers",
     {"containers": [container("500m")], "initContainers": [container("2"), container("1")]}, 2000, 0),
    ("init containers smaller than the app containers change nothing",
     {"containers": [container("1")], "initContainers": [container("200m")]}, 1000, 0),
    ("sidecars run beside the app containers and beside later init containers",
     {"containers": [container("1")],
      "initContainers": [container("500m", restartPolicy="Always"), container("2")]}, 2500, 0),
    ("overhead is added on top", {"containers": [container("1", "1Gi")], "overhead": {"cpu": "250m", "memory": "120Mi"}},
     1250, 1144 * 2**20),
    ("fractions of a millicore round up", {"containers": [container("0.0001")]}, 1, 0),
])
def test_pod_requests(name, spec, cpu, memory):
    info = PodInfo(pod("p", **spec))
    assert (info.requests.milli_cpu, info.requests.memory) == (cpu, memory)


def test_scoring_assumes_100m_and_200mi_for_containers_without_requests():
    info = PodInfo(pod("p", containers=[container(), container("300m")]))
    assert (info.non_zero_cpu, info.non_zero_memory) == (400, 2 * 200 * 2**20)


def test_bound_pods_count_on_their_node_and_removal_restores_the_sums():
    snapshot = Snapshot([node("n")])
    a = pod("a", cpu="1", memory="1Gi", node_name="n")
    snapshot.add_pod(a)
    snapshot.add_pod(pod("b", cpu="500m", node_name="n"))
    info = snapshot.get("n")
    assert (info.requested.milli_cpu, info.requested.memory, len(info.pods)) == (1500, 2**30, 2)
    snapshot.remove_pod(a)
    assert (info.requested.milli_cpu, info.requested.memory, len(info.pods)) == (500, 0, 1)


@pytest.mark.parametrize("name, the_pod, counted", [
    ("a pending pod holds nothing", pod("p", cpu="1"), False),
    ("a running pod holds its requests", pod("p", cpu="1", node_name="n", phase="Running"), True),
    ("a succeeded pod holds nothing", pod("p", cpu="1", node_name="n", phase="Succeeded"), False),
    ("a failed pod holds nothing", pod("p", cpu="1", node_name="n", phase="Failed"), False),
    ("a pod on an unknown node is ignored", pod("p", cpu="1", node_name="gone"), False),
])
def test_which_pods_count(name, the_pod, counted):
    snapshot = Snapshot([node("n")], [the_pod])
    assert snapshot.get("n").requested.milli_cpu == (1000 if counted else 0)


def test_an_updated_pod_replaces_its_old_version():
    snapshot = Snapshot([node("n1"), node("n2")])
    p = pod("p", cpu="1", node_name="n1")
    snapshot.add_pod(p)
    moved = dict(p, metadata=dict(p["metadata"], resourceVersion="999"), spec=dict(p["spec"], nodeName="n2"))
    snapshot.update_pod(moved)
    assert (snapshot.get("n1").requested.milli_cpu, snapshot.get("n2").requested.milli_cpu) == (0, 1000)
    done = dict(moved, metadata=dict(moved["metadata"], resourceVersion="1000"), status={"phase": "Succeeded"})
    snapshot.update_pod(done)
    assert snapshot.get("n2").requested.milli_cpu == 0


def test_assume_then_the_real_binding_replaces_the_assumed_pod():
    snapshot = Snapshot([node("n")])
    p = pod("p", cpu="1")
    snapshot.assume(snapshot.pod_info(p), "n")
    assert snapshot.is_assumed(p["metadata"]["uid"]) and snapshot.get("n").requested.milli_cpu == 1000
    bound = dict(p, metadata=dict(p["metadata"], resourceVersion="77"), spec=dict(p["spec"], nodeName="n"))
    snapshot.add_pod(bound)
    assert not snapshot.is_assumed(p["metadata"]["uid"]) and snapshot.get("n").requested.milli_cpu == 1000


def test_nodes_are_listed_round_robin_across_zones():
    nodes = [node("a1", zone="a"), node("a2", zone="a"), node("a3", zone="a"), node("b1", zone="b"), node("c1", zone="c")]
    assert [n.name for n in Snapshot(nodes).list()] == ["a1", "b1", "c1", "a2", "a3"]


def test_removing_a_node_drops_it_and_its_pods():
    snapshot = Snapshot([node("n1"), node("n2")], [pod("p", cpu="1", node_name="n1")])
    snapshot.remove_node("n1")
    assert [n.name for n in snapshot.list()] == ["n2"] and snapshot.node_of("p") is None


def test_image_spread_is_counted_across_nodes():
    snapshot = Snapshot([node("n1", images=[(["web:1"], 10)]), node("n2", images=[(["web:1"], 10)]), node("n3")])
    assert snapshot.image_num_nodes["web:1"] == 2
    snapshot.remove_node("n1")
    assert snapshot.image_num_nodes["web:1"] == 1


def test_a_node_update_keeps_its_pods():
    snapshot = Snapshot([node("n", cpu="2")], [pod("p", cpu="1", node_name="n")])
    snapshot.update_node(node("n", cpu="8", taints=[{"key": "k", "effect": "NoSchedule"}]))
    info = snapshot.get("n")
    assert (info.allocatable.milli_cpu, info.requested.milli_cpu, snapshot.tainted_nodes) == (8000, 1000, {"n"})
