"""The node lifecycle monitor remembers what it read from each Node and Lease object.

``monitorNodeHealth`` visits every node every 5 s; NodeFacts (zone, Ready condition, NoExecute
taints) are worked out once per Node object and a Lease's ``renewTime`` parsed once per Lease
object. These tests fail if that memory goes stale: the clock still decides when a silent
node is Unknown, and a new version of a Node (labels, taints) is always seen. A Ready node with
nothing to do is, until its Node object changes, only checked for a newer Lease and against
the grace period.
"""

from tests.core.controllers.helpers import add_node, condition
from tests.core.controllers.test_node_lifecycle import cluster, ready_status, taints

ZONE = "topology.kubernetes.io/zone"
EXCLUDE_DISRUPTION = "node.kubernetes.io/exclude-disruption"


def controller(manager):
    return manager.by_name["node-controller"]


def relabel(env, name, **labels):
    node = env.admin.get("nodes", name)
    node["metadata"]["labels"].update(labels)
    env.admin.update(node)


def assert_unknown_at_the_110_s_tick_and_not_before(env):
    """Run from t=50.5 to just before the 110 s tick (still Ready), then past it (Unknown);
    the grace period is 1.32's default of 50 s."""
    env.clock.run(109.9 - 50.5)
    assert ready_status(env) == "True"
    env.clock.run(0.2)
    ready = condition(env.admin.get("nodes", "node-1"), "Ready")
    assert (ready["status"], ready["lastTransitionTime"]) == ("Unknown", "2025-01-01T00:01:50Z")


def test_a_node_whose_lease_stops_is_unknown_at_the_first_tick_after_the_grace_period():
    env, beats, _ = cluster()
    beats["node-1"].posts_status = False  # from now on the Node object never changes
    env.clock.run(30)  # t=50.5: lease renewed at 30, 40 and 50
    # The last renewal (t=50) is first seen at the 55 s tick (the 50 s tick runs just before
    # it lands): Unknown once now > 55 + 50, i.e. at the 110 s tick, and not a tick earlier.
    beats["node-1"].stop()
    assert_unknown_at_the_110_s_tick_and_not_before(env)


def test_a_node_whose_status_and_lease_stop_together_is_unknown_at_the_same_tick():
    env, beats, _ = cluster()
    env.clock.run(30)
    beats["node-1"].stop()  # last status post and lease renewal at t=50, seen at the 55 s tick
    assert_unknown_at_the_110_s_tick_and_not_before(env)


def test_a_label_added_after_registration_takes_the_node_out_of_the_disruption_count():
    env, beats, _ = cluster()
    relabel(env, "node-2", **{EXCLUDE_DISRUPTION: ""})
    relabel(env, "node-3", **{EXCLUDE_DISRUPTION: ""})
    beats["node-1"].stop()  # node-1 is now its zone's only counted node: full disruption
    env.clock.run(100)
    assert ready_status(env) == "Unknown"
    assert ("node.kubernetes.io/unreachable", "NoExecute") not in taints(env)


def test_a_node_moved_to_another_zone_is_counted_there():
    env, _, manager = cluster()
    relabel(env, "node-2", **{ZONE: "z1"})
    env.clock.run(5)
    assert controller(manager).zone_states.get(":\x00:z1") == "Normal"


def test_a_taint_added_after_the_node_was_seen_is_removed_when_the_node_is_ready():
    env, _, _ = cluster()
    node = env.admin.get("nodes", "node-2")
    node["spec"]["taints"] = [{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}]
    env.admin.update(node)
    env.clock.run(5)
    assert taints(env, "node-2") == []


def test_facts_are_remembered_for_the_same_node_object_and_recomputed_for_a_new_one():
    env, _, manager = cluster()
    ctrl = controller(manager)
    node = ctrl.nodes.get("node-2")
    assert ctrl.node_facts(node) is ctrl.node_facts(node)
    relabel(env, "node-2", **{ZONE: "z1"})
    env.clock.run(0.1)
    newer = ctrl.nodes.get("node-2")
    assert newer is not node
    assert (ctrl.node_facts(node).zone, ctrl.node_facts(newer).zone) == ("", ":\x00:z1")


def test_a_deleted_node_is_forgotten():
    env, _, manager = cluster()
    ctrl = controller(manager)
    add_node(env, "node-4", 4)
    env.clock.run(5)
    assert "node-4" in ctrl.known
    env.admin.delete("nodes", "node-4")
    env.clock.run(5)
    assert "node-4" not in ctrl.known and "node-4" not in ctrl.health


def visits(ctrl):
    """The nodes whose health the monitor acts on (``_act_on_health``), recorded per call."""
    seen = []
    act = ctrl._act_on_health

    def recording(node, observed, current):
        seen.append(node["metadata"]["name"])
        return act(node, observed, current)

    ctrl._act_on_health = recording
    return seen


def test_a_ready_node_whose_node_object_did_not_change_is_only_checked_against_the_clock():
    env, beats, manager = cluster()
    for beat in beats.values():
        beat.posts_status = False  # the Node objects stay the same; Leases go on
    env.clock.run(5)  # one pass over the last Node objects marks them quiet
    seen = visits(controller(manager))
    env.clock.run(30)
    assert seen == []
    assert ready_status(env) == "True"


def test_a_quiet_node_is_visited_in_full_again_when_its_node_object_changes():
    env, beats, manager = cluster()
    for beat in beats.values():
        beat.posts_status = False
    env.clock.run(5)
    seen = visits(controller(manager))
    relabel(env, "node-2", team="a")
    env.clock.run(5)
    assert seen == ["node-2"]

