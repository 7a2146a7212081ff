"""Custom plugins and profiles: written in a notebook cell, swapped in without a restart."""

import random

import pytest

from labkube.core.scheduler import (Profile, Registry, Scheduler, Snapshot, Status, default_profile,
                                    function_plugin)
from labkube.core.scheduler.profile import DEFAULT_PLUGINS
from tests.core.scheduler.objects import node, pod

NODES = [node("n1", labels={"disk": "hdd"}), node("n2", labels={"disk": "ssd"}), node("n3", labels={"disk": "hdd"})]


class PreferHighNumbers:
    """A score plugin as a student would write it."""

    name = "PreferHighNumbers"

    def score(self, state, pod, node):
        return int(node.name[-1]) * 10


def only_ssd(pod, node):
    return node.labels.get("disk") == "ssd" or "node(s) have no SSD"


def test_the_default_profile_has_kube_schedulers_plugins_and_weights():
    weights = {p.name: p.weight for p in DEFAULT_PLUGINS if p.weight is not None}
    assert weights == {"TaintToleration": 3, "NodeAffinity": 2, "NodeResourcesFit": 1, "PodTopologySpread": 2,
                       "InterPodAffinity": 2, "NodeResourcesBalancedAllocation": 1, "ImageLocality": 1}
    fwk = Registry().build(default_profile())
    assert [p.name for p in fwk.points["filter"]] == [
        "NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit",
        "VolumeRestrictions", "VolumeBinding", "VolumeZone", "PodTopologySpread", "InterPodAffinity"]
    assert [p.name for p in fwk.points["post_filter"]] == ["DefaultPreemption"]
    assert [p.name for p in fwk.points["reserve"]] == ["VolumeBinding"]
    assert [p.name for p in fwk.points["pre_bind"]] == ["VolumeBinding"]


def test_a_function_filter_plugin_changes_where_pods_go_and_what_the_event_says():
    registry = Registry()
    registry.register(function_plugin("OnlySSD", filter=only_ssd))
    scheduler = Scheduler(registry, [default_profile().with_plugin("OnlySSD")], rng=random.Random(0))
    snapshot = Snapshot(NODES)
    assert scheduler.schedule_one(pod("p", cpu="1"), snapshot).node_name == "n2"
    blocked = scheduler.schedule_one(pod("q", cpu="4"), snapshot)
    assert blocked.message == ("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) have no SSD. "
                               "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.")


def test_a_class_score_plugin_with_a_weight_outvotes_the_defaults():
    registry = Registry()
    registry.register(PreferHighNumbers)
    profile = default_profile().with_plugin("PreferHighNumbers", weight=10)
    scheduler = Scheduler(registry, [profile], rng=random.Random(0))
    result = scheduler.schedule_one(pod("p"), Snapshot(NODES))
    assert result.node_name == "n3"
    assert result.record.score_of("n3", "PreferHighNumbers") == 300


def test_a_second_profile_serves_pods_that_ask_for_it_by_scheduler_name():
    registry = Registry()
    registry.register(function_plugin("OnlySSD", filter=only_ssd))
    scheduler = Scheduler(registry, [default_profile()], rng=random.Random(0))
    scheduler.set_profile(default_profile("ssd-scheduler").with_plugin("OnlySSD"))
    snapshot = Snapshot(NODES)
    assert scheduler.schedule_one(pod("p", schedulerName="ssd-scheduler"), snapshot).node_name == "n2"
    assert scheduler.schedule_one(pod("q", schedulerName="ssd-scheduler"), snapshot).record.profile == "ssd-scheduler"


def test_swapping_the_default_profile_takes_effect_for_the_next_pod():
    registry = Registry()
    scheduler = Scheduler(registry, rng=random.Random(0))
    snapshot = Snapshot(NODES)
    assert scheduler.schedule_one(pod("a"), snapshot).scheduled
    registry.register(function_plugin("NoNodes", filter=lambda p, n: False))
    scheduler.set_profile(default_profile().with_plugin("NoNodes"))
    result = scheduler.schedule_one(pod("b"), snapshot)
    assert result.message.startswith("0/3 nodes are available: 3 node(s) didn't satisfy plugin NoNodes.")


def test_a_function_score_plugin_may_ask_for_normalization():
    registry = Registry()
    registry.register(function_plugin("ByPods", score=lambda p, n: 1000 - len(n.pods), normalize=True))
    profile = Profile(name="default-scheduler", plugins=["NodeResourcesFit", ("ByPods", 1)])
    result = Scheduler(registry, [profile], rng=random.Random(0)).schedule_one(
        pod("p"), Snapshot(NODES, [pod("e", node_name="n1")]))
    column = result.record.scores[-1]
    assert (column.plugin, column.raw, column.normalized) == ("ByPods", (999, 1000, 1000), (99, 100, 100))


def test_a_score_outside_0_to_100_is_an_error():
    registry = Registry()
    registry.register(function_plugin("TooBig", score=lambda p, n: 500))
    profile = Profile(plugins=["TooBig"])
    result = Scheduler(registry, [profile], rng=random.Random(0)).schedule_one(pod("p"), Snapshot(NODES))
    assert result.error == ("plugin 'TooBig' returns an invalid score 500, it should in the range of [0, 100] "
                            "after normalizing")


def test_a_filter_may_return_a_status_with_its_own_code():
    registry = Registry()
    registry.register(function_plugin(
        "Never", filter=lambda p, n: Status("UnschedulableAndUnresolvable", "node(s) are not allowed")))
    result = Scheduler(registry, [default_profile().with_plugin("Never")], rng=random.Random(0)).schedule_one(
        pod("p"), Snapshot(NODES))
    assert result.message.endswith("preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")


@pytest.mark.parametrize("name, build, error", [
    ("an unknown plugin in a profile names the plugin",
     lambda: Registry().build(Profile(plugins=["Missing"])), KeyError),
    ("a plugin listed twice is refused", lambda: Profile(plugins=["NodeName", "NodeName"]), ValueError),
    ("a function plugin needs a function", lambda: function_plugin("Empty"), ValueError),
    ("a plugin without a name cannot be registered", lambda: Registry().register(object()), ValueError),
])
def test_mistakes_are_reported(name, build, error):
    with pytest.raises(error):
        build()


def test_disabling_one_extension_point_keeps_the_others():
    profile = Profile(plugins=DEFAULT_PLUGINS, disabled={"score": ["TaintToleration"]})
    fwk = Registry().build(profile)
    assert "TaintToleration" in [p.name for p in fwk.points["filter"]]
    assert "TaintToleration" not in [p.name for p in fwk.points["score"]]
