"""The scheduler's per-cycle and snapshot shortcuts always agree with a computation from scratch.

* the snapshot's floor under every node's free room (``fits_everywhere``) after random pod
  placements, removals, assumes, forgets, node updates, adds and removals — and
  NodeResourcesFit's ``filter_nodes``, which trusts it, against ``filter`` node by node;
* a replica whose spec equals the pod parsed just before shares its parsed parts, and they
  equal a fresh parse — also when its containers differ only in fields the scheduler does not
  parse (each pod's own service account token volume mount); a different spec is parsed anew;
* ``CycleState.node_names`` answers for the list it is given, even after that list grows.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from labkube.core.scheduler import CycleState, Snapshot
from labkube.core.scheduler.nodeinfo import PodInfo
from labkube.core.scheduler.plugins.node_resources_fit import NodeResourcesFit
from tests.core.scheduler.objects import node, pod

NODE_NAMES = [f"n{i}" for i in range(4)]
CPUS = ["100m", "500m", "1", "2"]
MEMORIES = ["64Mi", "512Mi", "1Gi", "3Gi"]


def _brute_force_fits(snapshot: Snapshot, milli_cpu: int, memory: int) -> bool:
    return all(n.free_pods > 0 and milli_cpu <= n.free_cpu and memory <= n.free_memory
               for n in snapshot.node_infos.values())


steps = st.lists(st.tuples(
    st.sampled_from(["place", "remove", "assume", "forget", "resize", "add_node", "remove_node"]),
    st.integers(0, 3), st.integers(0, 3), st.integers(0, 7)), max_size=40)


@given(steps, st.sampled_from(CPUS), st.sampled_from(MEMORIES))
@example(ops=[("place", 0, 0, 0)] * 3 + [("remove_node", n, 0, 0) for n in (1, 2, 3, 0)], cpu="100m",
         memory="64Mi")  # every node removed after one filled up: none is left without room
@settings(max_examples=150, deadline=None)
def test_fits_everywhere_and_filter_nodes_agree_with_every_node_after_any_changes(ops, cpu, memory):
    snapshot = Snapshot([node(name, cpu="2", memory="2Gi", pods="3") for name in NODE_NAMES])
    fit = NodeResourcesFit()
    probe = snapshot.pod_info(pod("probe", cpu=cpu, memory=memory))
    placed: dict[str, dict] = {}
    assumed: list = []
    for i, (op, a, b, c) in enumerate(ops):
        name = NODE_NAMES[a]
        if op == "place" and name in snapshot.node_infos:
            p = pod(f"p{i}", cpu=CPUS[b], memory=MEMORIES[c % 4], node_name=name)
            snapshot.add_pod(p)
            placed[p["metadata"]["uid"]] = p
        elif op == "remove" and placed:
            snapshot.remove_pod(placed.pop(sorted(placed)[c % len(placed)]))
        elif op == "assume" and name in snapshot.node_infos:
            assumed.append(snapshot.assume(snapshot.pod_info(pod(f"a{i}", cpu=CPUS[b])), name))
        elif op == "forget" and assumed:
            snapshot.forget(assumed.pop(c % len(assumed)))
        elif op == "resize" and name in snapshot.node_infos:
            snapshot.update_node(node(name, cpu=CPUS[b], memory=MEMORIES[c % 4], pods=str(c)))
        elif op == "add_node":
            snapshot.add_node(node(name, cpu="4", memory="4Gi", pods=str(c + 1)))
        elif op == "remove_node":
            snapshot.remove_node(name)
        req = probe.requests
        assert snapshot.fits_everywhere(req.milli_cpu, req.memory) == _brute_force_fits(
            snapshot, req.milli_cpu, req.memory)
        state = CycleState(snapshot)
        nodes = snapshot.list()
        assert fit.filter_nodes(state, probe, nodes) == [fit.filter(state, probe, n) for n in nodes]


def test_a_replica_with_the_same_spec_shares_the_parsed_parts_of_the_pod_parsed_before_it():
    snapshot = Snapshot([node("n0")])
    first = snapshot.pod_info(pod("web-1", cpu="250m", memory="64Mi", labels={"app": "web"}))
    replica = pod("web-2", cpu="250m", memory="64Mi", labels={"app": "web"})
    second = snapshot.pod_info(replica)
    fresh = PodInfo(replica)
    assert second.requests is first.requests
    assert second.requests.to_dict() == fresh.requests.to_dict()
    assert (second.name, second.uid, second.non_zero_cpu, second.non_zero_memory, second.images) == (
        fresh.name, fresh.uid, fresh.non_zero_cpu, fresh.non_zero_memory, fresh.images)


def test_a_pod_with_another_spec_or_namespace_is_parsed_anew():
    snapshot = Snapshot([node("n0")])
    first = snapshot.pod_info(pod("a", cpu="250m"))
    bigger = snapshot.pod_info(pod("b", cpu="500m"))
    elsewhere = snapshot.pod_info(pod("c", cpu="500m", namespace="other"))
    assert bigger.requests is not first.requests and bigger.requests.milli_cpu == 500
    assert elsewhere.requests is not bigger.requests and elsewhere.namespace == "other"


def _token_mounted(p: dict, volume: str) -> dict:
    """``p`` with a service account token volume mounted in each container, as admission does
    (its name ends in a random suffix, so every replica's differs)."""
    mount = {"name": volume, "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}
    for container in p["spec"]["containers"] + p["spec"].get("initContainers", []):
        container["volumeMounts"] = [mount]
    return p


def _init_container(image: str, cpu: str, restart_policy: str | None = None) -> dict:
    container = {"name": "init", "image": image, "resources": {"requests": {"cpu": cpu}}}
    if restart_policy:
        container["restartPolicy"] = restart_policy
    return container


@pytest.mark.parametrize("name, second_changes, shared", [
    ("a replica whose containers differ only in their token volume mount shares the parsed parts",
     {}, True),
    ("a replica with another image is parsed anew", {"image": "httpd:2.4"}, False),
    ("a replica with other requests is parsed anew", {"cpu": "500m"}, False),
    ("a replica with a sidecar where the first had an init container is parsed anew",
     {"initContainers": [_init_container("busybox", "1", "Always")]}, False),
    ("a replica with another init container image is parsed anew",
     {"initContainers": [_init_container("alpine", "1")]}, False),
])
def test_which_differences_between_replicas_keep_the_parsed_parts_shared(name, second_changes, shared):
    snapshot = Snapshot([node("n0")])
    template = {"cpu": "250m", "initContainers": [_init_container("busybox", "1")]}
    first = snapshot.pod_info(_token_mounted(pod("web-1", **template), "kube-api-access-abcde"))
    replica = _token_mounted(pod("web-2", **dict(template, **second_changes)), "kube-api-access-fghij")
    second = snapshot.pod_info(replica)
    fresh = PodInfo(replica)
    assert (second.requests is first.requests) == shared
    assert second.requests.to_dict() == fresh.requests.to_dict()
    assert (second.non_zero_cpu, second.non_zero_memory, second.images) == (
        fresh.non_zero_cpu, fresh.non_zero_memory, fresh.images)


def test_node_names_answers_for_the_list_given_even_after_it_grows():
    snapshot = Snapshot([node(name) for name in NODE_NAMES])
    state = CycleState(snapshot)
    nodes = snapshot.list()[:2]
    assert state.node_names(nodes) == tuple(n.name for n in nodes)
    nodes.append(snapshot.list()[3])
    assert state.node_names(nodes) == tuple(n.name for n in nodes)
    others = snapshot.list()[1:]
    assert state.node_names(others) == tuple(n.name for n in others)
