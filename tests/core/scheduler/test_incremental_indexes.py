"""The scheduler's incremental shortcuts always agree with a count from scratch.

* per-node and per-domain PodTopologySpread counts (the snapshot's affinity index) after
  random pod adds and removals, node relabels, node adds and removals;
* the snapshot's label-key and image-size tallies;
* PodTopologySpread's scores against a direct transcription of kube-scheduler's
  ``scoring.go`` (every node walked, every pod counted);
* a new version of a placed pod that changes nothing for scheduling is swapped in place;
* a new version of a node parses its allocatable again only when it changed.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labkube.core.scheduler import CycleState, Snapshot
from labkube.core.scheduler.helpers import RequiredNodeAffinity, compile_selector
from labkube.core.scheduler.plugins import pod_topology_spread
from labkube.core.scheduler.plugins.score_cache import MISSING, missing
from tests.core.scheduler.objects import node, pod

HOST, ZONE = "kubernetes.io/hostname", "topology.kubernetes.io/zone"
NODE_NAMES = [f"n{i}" for i in range(6)]
RS = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web", "namespace": "default"},
      "spec": {"selector": {"matchLabels": {"app": "web"}}}}
OWNER = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "rs", "controller": True}]

# -- random cluster histories ------------------------------------------------------------

zones = st.sampled_from([None, "a", "b", "c", ""])  # None: no zone label; "": an empty value
ops = st.lists(st.one_of(
    st.tuples(st.just("add"), st.sampled_from(NODE_NAMES), st.sampled_from(["web", "db"]),
              st.sampled_from(["default", "other"]), st.booleans()),
    st.tuples(st.just("remove"), st.integers(0, 50)),
    st.tuples(st.just("relabel"), st.sampled_from(NODE_NAMES), zones),
    st.tuples(st.just("drop-node"), st.sampled_from(NODE_NAMES)),
    st.tuples(st.just("add-node"), st.sampled_from(NODE_NAMES), zones),
), max_size=40)


def zoned_node(name: str, zone: str | None) -> dict:
    return node(name, zone=zone)


def apply(snapshot: Snapshot, placed: dict, op: tuple, step: int) -> None:
    kind = op[0]
    if kind == "add" and op[1] in snapshot.node_infos:
        _, node_name, app, namespace, terminating = op
        p = pod(f"p{step}", namespace=namespace, labels={"app": app}, node_name=node_name)
        if terminating:
            p["metadata"]["deletionTimestamp"] = "2025-01-01T00:00:00Z"
        placed[p["metadata"]["uid"]] = p
        snapshot.add_pod(p)
    elif kind == "remove" and placed:
        uid = sorted(placed)[op[1] % len(placed)]
        snapshot.remove_pod(placed.pop(uid))
    elif kind in ("relabel", "add-node"):
        snapshot.update_node(zoned_node(op[1], op[2])) if op[1] in snapshot.node_infos else \
            snapshot.add_node(zoned_node(op[1], op[2]))
    elif kind == "drop-node":
        snapshot.remove_node(op[1])
        for uid in [u for u, p in placed.items() if p["spec"].get("nodeName") == op[1]]:
            del placed[uid]


def scratch_per_node(snapshot: Snapshot, namespace: str, selector) -> dict:
    out = {}
    for n in snapshot.node_infos.values():
        count = sum(1 for p in n.pods.values()
                    if p.namespace == namespace and not p.terminating and selector(p.labels))
        if count:
            out[n.name] = count
    return out


def scratch_per_domain(snapshot: Snapshot, per_node: dict, key: str) -> dict:
    out: dict = {}
    for name, count in per_node.items():
        value = snapshot.node_infos[name].labels.get(key)
        if value is not None:
            out[value] = out.get(value, 0) + count
    return out


@settings(max_examples=150, deadline=None)
@given(initial=st.lists(zones, min_size=len(NODE_NAMES), max_size=len(NODE_NAMES)), history=ops)
def test_per_node_and_per_domain_counts_equal_a_count_from_scratch(initial, history):
    snapshot = Snapshot([zoned_node(n, z) for n, z in zip(NODE_NAMES, initial)])
    selector = compile_selector({"matchLabels": {"app": "web"}})
    index = snapshot.affinity_index
    index.pods_per_domain("default", "web", selector, ZONE)  # watched from the start
    placed: dict = {}
    for step, op in enumerate(history):
        apply(snapshot, placed, op, step)
        per_node = scratch_per_node(snapshot, "default", selector)
        assert index.pods_per_node("default", "web", selector) == per_node
        assert index.pods_per_domain("default", "web", selector, ZONE) == \
            scratch_per_domain(snapshot, per_node, ZONE)
        assert index.pods_per_domain("default", "web", selector, HOST) == \
            scratch_per_domain(snapshot, per_node, HOST)


@settings(max_examples=100, deadline=None)
@given(history=st.lists(st.tuples(st.sampled_from(NODE_NAMES), zones, st.booleans(),
                                  st.sampled_from([0, 10, 900 * 2**20])), max_size=30))
def test_label_key_and_image_size_tallies_equal_a_count_from_scratch(history):
    snapshot = Snapshot()
    for name, zone, remove, image_size in history:
        if remove:
            snapshot.remove_node(name)
            continue
        images = [(["img:1"], image_size)] if image_size else None
        snapshot.update_node(node(name, zone=zone, images=images))
        infos = snapshot.node_infos.values()
        assert snapshot.nodes_with_label(ZONE) == sum(ZONE in n.labels for n in infos)
        assert snapshot.nodes_with_label(HOST) == len(snapshot)
        assert snapshot.max_image_size("img:1") == max(
            (n.image_sizes.get("img:1", 0) for n in infos), default=0)


# -- PodTopologySpread's scores against kube-scheduler's algorithm ---------------------------

def reference_scores(snapshot: Snapshot, incoming: dict, feasible: list) -> list | None:
    """PreScore + Score + NormalizeScore of scoring.go, walking every node and pod."""
    info = snapshot.pod_info(incoming)
    constraints, defaulted = pod_topology_spread.constraints_for(
        info, snapshot, pod_topology_spread.SCHEDULE_ANYWAY)
    if not constraints:
        return None
    require_all = not defaulted
    keys = [c.topology_key for c in constraints]
    ignored = {n.name for n in feasible if require_all and not all(k in n.labels for k in keys)}
    pair_counts: dict = {}
    sizes = [0] * len(constraints)
    for n in feasible:
        if n.name in ignored:
            continue
        for i, c in enumerate(constraints):
            pair = (c.topology_key, n.labels.get(c.topology_key, ""))
            if c.topology_key != HOST and pair not in pair_counts:
                pair_counts[pair] = 0
                sizes[i] += 1
    weights = [math.log((len(feasible) - len(ignored) if c.topology_key == HOST else sizes[i]) + 2)
               for i, c in enumerate(constraints)]
    required = RequiredNodeAffinity(incoming)
    for n in snapshot.list():
        if require_all and not all(k in n.labels for k in keys):
            continue
        for c in constraints:
            pair = (c.topology_key, n.labels.get(c.topology_key, ""))
            if c.includes(info, n, required) and pair in pair_counts:
                pair_counts[pair] += pod_topology_spread.count_matching(n, c.selector, info.namespace)
    raw = []
    for n in feasible:
        total = 0.0
        for c, weight in zip(constraints, weights):
            if c.topology_key in n.labels:
                if c.topology_key == HOST:
                    count = pod_topology_spread.count_matching(n, c.selector, info.namespace)
                else:
                    count = pair_counts[(c.topology_key, n.labels[c.topology_key])]
                total += count * weight + (c.max_skew - 1)
        raw.append(0 if n.name in ignored else int(total + 0.5))  # math.Round, total >= 0
    valid = [s for n, s in zip(feasible, raw) if n.name not in ignored]
    low, high = min(valid, default=0), max(valid, default=0)
    return [0 if n.name in ignored else 100 if high == 0 else 100 * (high + low - s) // high
            for n, s in zip(feasible, raw)]


def plugin_scores(snapshot: Snapshot, incoming: dict, feasible: list) -> list | None:
    plugin = pod_topology_spread.new()
    state = CycleState(snapshot)
    info = snapshot.pod_info(incoming)
    if plugin.pre_score(state, info, feasible) is not None:
        return None
    return plugin.normalize_score_list(state, info, plugin.score_nodes(state, info, feasible))


incoming_kinds = st.sampled_from(["defaults", "defaults+nodeSelector", "declared", "declared+taints"])


def incoming_pod(kind: str) -> dict:
    extra: dict = {}
    if kind.startswith("declared"):
        policy = {"nodeTaintsPolicy": "Honor"} if kind.endswith("taints") else {}
        extra["topologySpreadConstraints"] = [
            {"maxSkew": 2, "topologyKey": ZONE, "whenUnsatisfiable": "ScheduleAnyway",
             "labelSelector": {"matchLabels": {"app": "web"}}, **policy},
            {"maxSkew": 1, "topologyKey": HOST, "whenUnsatisfiable": "ScheduleAnyway",
             "labelSelector": {"matchLabels": {"app": "web"}}}]
    if kind.endswith("nodeSelector"):
        extra["nodeSelector"] = {ZONE: "a"}
    p = pod("incoming", labels={"app": "web"}, **extra)
    p["metadata"]["ownerReferences"] = OWNER
    return p


@settings(max_examples=150, deadline=None)
@given(initial=st.lists(zones, min_size=len(NODE_NAMES), max_size=len(NODE_NAMES)), history=ops,
       kind=incoming_kinds, tainted=st.sets(st.sampled_from(NODE_NAMES)), window=st.integers(2, 6))
def test_spread_scores_equal_kube_schedulers_algorithm(initial, history, kind, tainted, window):
    nodes = []
    for name, zone in zip(NODE_NAMES, initial):
        taints = [{"key": "k", "effect": "NoSchedule"}] if name in tainted else None
        nodes.append(node(name, zone=zone, taints=taints))
    snapshot = Snapshot(nodes, replica_sets=[RS])
    incoming = incoming_pod(kind)
    placed: dict = {}
    for step, op in enumerate(history):
        apply(snapshot, placed, op, step)
        feasible = snapshot.list()[:window]
        if len(feasible) >= 2:
            assert plugin_scores(snapshot, incoming, feasible) == \
                reference_scores(snapshot, incoming, feasible), f"step {step}"


# -- new versions of placed pods ------------------------------------------------------------

def bound_version(p: dict, version: str, **changes) -> dict:
    meta = dict(p["metadata"], resourceVersion=version)
    return dict(p, metadata=meta, **changes)


def test_a_status_update_of_a_placed_pod_shares_the_parsed_spec_and_keeps_the_sums():
    snapshot = Snapshot([node("n1")])
    first = pod("p", cpu="250m", memory="64Mi", labels={"app": "web"}, node_name="n1")
    first["metadata"]["resourceVersion"] = "1"
    snapshot.add_pod(first)
    before = snapshot.pod_info(first)
    generation = snapshot.get("n1").generation
    running = bound_version(first, "2", status={"phase": "Running"})
    snapshot.update_pod(running)
    after = snapshot.pod_info(running)
    assert after is not before and after.requests is before.requests
    assert snapshot.get("n1").pods[after.uid] is after
    assert snapshot.pods_by_label[("app", "web")][after.uid] is after
    assert snapshot.get("n1").generation == generation  # nothing a score depends on changed
    assert snapshot.get("n1").requested.milli_cpu == 250


@pytest.mark.parametrize("name, change, reparsed", [
    ("new container requests are parsed again",
     {"containers": [{"name": "app", "image": "nginx", "resources": {"requests": {"cpu": "1"}}}]}, True),
    ("a new toleration is parsed again", {"tolerations": [{"operator": "Exists"}]}, True),
    ("a changed nodeName alone keeps the parsed requests", {"nodeName": "n1"}, False),
])
def test_which_spec_changes_make_a_pod_be_parsed_again(name, change, reparsed):
    snapshot = Snapshot([node("n1")])
    first = pod("p", cpu="250m")
    first["metadata"]["resourceVersion"] = "1"
    before = snapshot.pod_info(first)
    after = snapshot.pod_info(bound_version(first, "2", spec=dict(first["spec"], **change)))
    assert (after.requests is not before.requests) == reparsed


def test_a_relabelled_placed_pod_is_moved_between_label_buckets():
    snapshot = Snapshot([node("n1")])
    first = pod("p", labels={"app": "web"}, node_name="n1")
    first["metadata"]["resourceVersion"] = "1"
    snapshot.add_pod(first)
    relabelled = bound_version(first, "2")
    relabelled["metadata"]["labels"] = {"app": "db"}
    snapshot.update_pod(relabelled)
    assert ("app", "web") not in snapshot.pods_by_label
    assert list(snapshot.pods_by_label[("app", "db")]) == [first["metadata"]["uid"]]


# -- score cache -----------------------------------------------------------------------------

@pytest.mark.parametrize("name, scores, expected", [
    ("no missing scores gives no positions", [3, 4, 5], []),
    ("every missing score is found, in order", [MISSING, 1, MISSING, MISSING], [0, 2, 3]),
    ("an empty list has nothing missing", [], []),
])
def test_missing_finds_the_positions_of_unknown_scores(name, scores, expected):
    assert missing(scores) == expected


@pytest.mark.parametrize("name, zones_by_node, pods_by_node, kind", [
    ("a zone label with an empty value shares domain \"\" with nodes that have no zone",
     {"n0": "", "n1": None, "n2": "a"}, {"n0": 1, "n1": 2, "n2": 1}, "defaults"),
    ("no node has a zone: only hostname spreading scores", {"n0": None, "n1": None}, {"n0": 2}, "defaults"),
    ("zones counted from the snapshot's per-zone sums", {"n0": "a", "n1": "a", "n2": "b"},
     {"n0": 1, "n1": 3}, "defaults"),
    ("a nodeSelector makes the excluded zones' pods not count", {"n0": "a", "n1": "b", "n2": "a"},
     {"n1": 4, "n2": 1}, "defaults+nodeSelector"),
    ("declared constraints ignore nodes without every key", {"n0": "a", "n1": None, "n2": "b"},
     {"n0": 1, "n1": 1}, "declared"),
])
def test_spread_scores_in_corner_cases_equal_kube_schedulers_algorithm(name, zones_by_node,
                                                                       pods_by_node, kind):
    snapshot = Snapshot([zoned_node(n, z) for n, z in zones_by_node.items()], replica_sets=[RS])
    for node_name, count in pods_by_node.items():
        for i in range(count):
            snapshot.add_pod(pod(f"{node_name}-{i}", labels={"app": "web"}, node_name=node_name))
    incoming = incoming_pod(kind)
    assert plugin_scores(snapshot, incoming, snapshot.list()) == \
        reference_scores(snapshot, incoming, snapshot.list())


@pytest.mark.parametrize("name, update, reparsed, milli_cpu", [
    ("a status update that leaves allocatable as it was keeps the parsed allocatable",
     dict(images=[(["nginx:1.27"], 1000)]), False, 4000),
    ("a new allocatable is parsed again", dict(cpu="8"), True, 8000),
    ("a new allocatable with an extended resource is parsed again",
     dict(extra={"example.com/gpu": "2"}), True, 4000),
])
def test_which_node_updates_make_its_allocatable_be_parsed_again(name, update, reparsed, milli_cpu):
    snapshot = Snapshot([node("n1")])
    before = snapshot.get("n1").allocatable
    snapshot.update_node(node("n1", **update))
    after = snapshot.get("n1")
    assert (after.allocatable is not before) == reparsed
    assert (after.alloc_cpu, after.free_cpu, after.allocatable.milli_cpu) == (milli_cpu, milli_cpu, milli_cpu)
    assert after.allocatable.scalars == ({"example.com/gpu": 2} if "extra" in update else {})
