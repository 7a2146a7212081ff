"""The snapshot's incremental affinity counts always equal a recount from scratch."""

import random

import pytest

from labkube.core.scheduler import CycleState, Snapshot
from labkube.core.scheduler.plugins import inter_pod_affinity, pod_topology_spread
from tests.core.scheduler.objects import node, pod

HOST, ZONE = "kubernetes.io/hostname", "topology.kubernetes.io/zone"


def term(app, key):
    return {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key}


def random_pod(rng, i, node_name=None):
    affinity = {}
    if rng.random() < 0.4:
        affinity["podAntiAffinity"] = {"requiredDuringSchedulingIgnoredDuringExecution": [
            term(rng.choice("abc"), rng.choice([HOST, ZONE]))]}
    if rng.random() < 0.2:
        affinity["podAffinity"] = {"requiredDuringSchedulingIgnoredDuringExecution": [
            term(rng.choice("abc"), ZONE)]}
    extra = {"affinity": affinity} if affinity else {}
    return pod(f"p{i}", labels={"app": rng.choice("abc")}, node_name=node_name, **extra)


def spread_probe(i, key, when):
    return pod(f"spread-{i}", labels={"app": "a"}, topologySpreadConstraints=[
        {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": when,
         "labelSelector": {"matchLabels": {"app": "a"}}}])


def verdicts(snapshot, probe, plugin=None):
    plugin = plugin or inter_pod_affinity.new()
    state = CycleState(snapshot)
    info = snapshot.pod_info(probe)
    if plugin.pre_filter(state, info) is not None:
        return "skip"
    return {n.name: (plugin.filter(state, info, n) or None) and plugin.filter(state, info, n).reasons
            for n in snapshot.list()}


@pytest.mark.parametrize("seed", range(5))
def test_incremental_counts_match_a_fresh_snapshot(seed):
    rng = random.Random(seed)
    nodes = {f"n{i}": node(f"n{i}", zone="ab"[i % 2]) for i in range(6)}
    live = Snapshot(nodes.values())
    placed: dict[str, dict] = {}
    probes = [random_pod(rng, 1000 + i) for i in range(4)]
    for step in range(120):
        action = rng.random()
        if action < 0.55 or not placed:
            p = random_pod(rng, step, node_name=rng.choice(list(nodes)))
            placed[p["metadata"]["uid"]] = p
            live.add_pod(p)
        elif action < 0.9:
            uid = rng.choice(sorted(placed))
            live.remove_pod(placed.pop(uid))
        else:
            name = rng.choice(list(nodes))
            nodes[name] = node(name, zone=rng.choice("abc"))
            live.update_node(nodes[name])
        fresh = Snapshot(nodes.values(), placed.values())
        for probe in probes:
            assert verdicts(live, probe) == verdicts(fresh, probe), f"step {step}"
        spread = pod_topology_spread.new()
        for probe in (spread_probe(1, HOST, "DoNotSchedule"), spread_probe(2, ZONE, "DoNotSchedule")):
            assert verdicts(live, probe, spread) == verdicts(fresh, probe, spread), f"step {step}"
        for probe in (spread_probe(3, HOST, "ScheduleAnyway"), spread_probe(4, ZONE, "ScheduleAnyway")):
            assert spread_scores(live, probe) == spread_scores(fresh, probe), f"step {step}"


def spread_scores(snapshot, probe):
    plugin = pod_topology_spread.new()
    state = CycleState(snapshot)
    info = snapshot.pod_info(probe)
    nodes = snapshot.list()
    if plugin.pre_score(state, info, nodes) is not None:
        return "skip"
    scores = {n.name: plugin.score(state, info, n) for n in nodes}
    plugin.normalize_score(state, info, scores)
    return scores
