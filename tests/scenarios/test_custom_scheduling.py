"""A student's scheduler plugin and profile, added to a running cluster from a notebook cell.

``Cluster.add_scheduler_plugin`` registers a plugin (a class, or a name and plain functions);
``Cluster.add_scheduler_profile`` takes one ``profiles`` entry of a KubeSchedulerConfiguration
(schedulerName, plugins per extension point with weights, pluginConfig,
percentageOfNodesToScore). Both act at once, and refuse bad input with a clear error.
"""

import pytest

import labkube
from labkube.core.scheduler import UNSCHEDULABLE, Status, default_profile, function_plugin

PACKER = """
schedulerName: packer
plugins:
  multiPoint:
    enabled:
    - name: MostPods
      weight: 5
"""


def most_pods(pod, node):
    """More points for a node already running more pods of the pod's own namespace (the
    CoreDNS pods in kube-system do not count)."""
    namespace = pod["metadata"]["namespace"]
    return sum(1 for info in node.pods.values() if info.namespace == namespace)


class OnlySSD:
    name = "OnlySSD"

    def filter(self, state, pod, node):
        return None if node.labels.get("disk") == "ssd" else Status(UNSCHEDULABLE, "node(s) have no SSD")


def a_pod(name, scheduler_name=None, cpu="100m"):
    spec = {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu}}}]}
    if scheduler_name:
        spec["schedulerName"] = scheduler_name
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def node_of(cluster, name):
    return cluster.get("pod", name)["spec"].get("nodeName")


def test_a_function_score_plugin_in_a_new_profile_packs_the_pods_that_ask_for_it():
    cluster = labkube.Cluster(nodes=3, seed=0)
    assert cluster.add_scheduler_plugin("MostPods", score=most_pods, normalize=True) == "MostPods"
    profile = cluster.add_scheduler_profile(PACKER)
    assert profile.name == "packer" and profile.weights()["MostPods"] == 5
    cluster.apply(a_pod("first"))
    cluster.run(2)
    for i in range(3):
        cluster.apply(a_pod(f"packed-{i}", "packer"))
    cluster.run(2)
    assert {node_of(cluster, f"packed-{i}") for i in range(3)} == {node_of(cluster, "first")}
    decision = cluster.scheduling_decision("packed-2")
    assert decision.profile == "packer" and decision.score_of(node_of(cluster, "first"), "MostPods") == 500


def test_a_class_filter_plugin_enabled_at_filter_only_keeps_pods_off_nodes_without_ssd():
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.add_scheduler_plugin(OnlySSD)
    cluster.add_scheduler_profile({"schedulerName": "ssd",
                                   "plugins": {"filter": {"enabled": [{"name": "OnlySSD"}]}}})
    cluster.apply(a_pod("p", "ssd"))
    cluster.run(2)
    assert "0/3 nodes are available: 3 node(s) have no SSD." in cluster.kubectl("get events")
    cluster.kubectl("label node node-2 disk=ssd")
    cluster.run(2)
    assert node_of(cluster, "p") == "node-2"


def test_running_the_cell_again_replaces_the_plugin_in_the_profiles_that_use_it():
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.add_scheduler_plugin("Pick", filter=lambda pod, node: node.name == "node-1")
    cluster.add_scheduler_profile({"schedulerName": "picky", "plugins": {"multiPoint": {"enabled": [{"name": "Pick"}]}}})
    cluster.add_scheduler_plugin("Pick", filter=lambda pod, node: node.name == "node-3")
    cluster.apply(a_pod("p", "picky"))
    cluster.run(2)
    assert node_of(cluster, "p") == "node-3"


def test_a_profile_can_disable_default_plugins_and_set_plugin_config_and_percentage():
    cluster = labkube.Cluster(nodes=1, seed=0)
    profile = cluster.add_scheduler_profile({
        "schedulerName": "lean",
        "plugins": {"multiPoint": {"disabled": [{"name": "ImageLocality"}]},
                    "score": {"disabled": [{"name": "NodeResourcesBalancedAllocation"}],
                              "enabled": [{"name": "NodeResourcesFit", "weight": 4}]}},
        "pluginConfig": [{"name": "NodeResourcesFit", "args": {"resources": [{"name": "cpu", "weight": 1}]}}],
        "percentageOfNodesToScore": 50,
    })
    assert "ImageLocality" not in profile.plugin_names
    assert profile.disabled_map()["score"] == ("NodeResourcesBalancedAllocation",)
    assert profile.weights()["NodeResourcesFit"] == 4
    assert dict(next(p for p in profile.plugins if p.name == "NodeResourcesFit").args) == {
        "resources": [{"name": "cpu", "weight": 1}]}
    assert profile.percentage_of_nodes_to_score == 50


def test_a_pod_waiting_for_a_profile_is_scheduled_once_the_profile_exists():
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply(a_pod("p", "packer"))
    cluster.run(5)
    assert node_of(cluster, "p") is None
    cluster.add_scheduler_plugin("MostPods", score=most_pods, normalize=True)
    cluster.add_scheduler_profile(PACKER)
    cluster.run(1)
    assert node_of(cluster, "p") is not None


def test_the_scheduler_component_api_the_lessons_used_still_works():
    cluster = labkube.Cluster(nodes=3, seed=0)
    scheduler = cluster.components["scheduler"]
    scheduler.scheduler.registry.register(function_plugin("MostPods", score=most_pods, normalize=True))
    scheduler.use_profile(default_profile().with_plugin("MostPods", weight=5).renamed("packer"))
    assert sorted(scheduler.scheduler.profiles) == ["default-scheduler", "packer"]


class NoPoints:
    name = "NoPoints"


class WrongScore:
    name = "WrongScore"

    def score(self, pod, node):
        return 0


def bad_profile(**fields):
    return lambda cluster: cluster.add_scheduler_profile({"schedulerName": "x", **fields})


@pytest.mark.parametrize("case, act, error, words", [
    ("an unknown extension point", bad_profile(plugins={"scoring": {"enabled": [{"name": "ImageLocality"}]}}),
     ValueError, "plugins.scoring: unknown extension point"),
    ("a point that takes no custom plugin", bad_profile(plugins={"bind": {"enabled": [{"name": "X"}]}}),
     ValueError, "plugins.bind: labkube keeps kube-scheduler's default bind plugins"),
    ("a plugin that is not registered", bad_profile(plugins={"multiPoint": {"enabled": [{"name": "Missing"}]}}),
     ValueError, "plugin 'Missing' is not registered"),
    ("a plugin enabled where it does nothing", bad_profile(plugins={"filter": {"enabled": [{"name": "ImageLocality"}]}}),
     ValueError, "plugins.filter.enabled: plugin 'ImageLocality' does not implement filter"),
    ("a plugin listed twice", bad_profile(plugins={"score": {"enabled": [{"name": "ImageLocality"}, {"name": "ImageLocality"}]}}),
     ValueError, "plugins.score.enabled[1].name: Duplicate value: 'ImageLocality'"),
    ("a weight that is not positive", bad_profile(plugins={"score": {"enabled": [{"name": "ImageLocality", "weight": 0}]}}),
     ValueError, "plugins.score.enabled[0].weight: Invalid value: 0"),
    ("a percentage above 100", bad_profile(percentageOfNodesToScore=150),
     ValueError, "percentageOfNodesToScore: Invalid value: 150: not in valid range [0-100]"),
    ("an unknown field", bad_profile(plugin={}), ValueError, "unknown field 'plugin'"),
    ("disabling every default plugin, the binder too", bad_profile(plugins={"multiPoint": {"disabled": [{"name": "*"}]}}),
     ValueError, "plugins.queueSort: Required value"),
    ("a plugin named like kube-scheduler's own", lambda c: c.add_scheduler_plugin("NodeResourcesFit", filter=lambda p, n: True),
     ValueError, "a plugin named NodeResourcesFit already exists"),
    ("a function with the wrong signature", lambda c: c.add_scheduler_plugin("One", score=lambda pod: 1),
     TypeError, "the score function <lambda> must take (pod, node)"),
    ("a method with the wrong signature", lambda c: c.add_scheduler_plugin(WrongScore),
     TypeError, "plugin 'WrongScore': score must take (self, state, pod, node)"),
    ("a class with no extension point", lambda c: c.add_scheduler_plugin(NoPoints),
     ValueError, "plugin 'NoPoints' has none of the extension point methods"),
    ("a bare function", lambda c: c.add_scheduler_plugin(most_pods),
     ValueError, "most_pods is a function: give it a name and a role"),
    ("a name with neither filter nor score", lambda c: c.add_scheduler_plugin("Empty"),
     ValueError, "plugin 'Empty' needs a filter or a score function"),
])
def test_bad_input_is_refused_with_a_clear_error_and_changes_nothing(case, act, error, words):
    cluster = labkube.Cluster(nodes=1, seed=0)
    scheduler = cluster.components["scheduler"].scheduler
    before = (sorted(scheduler.profiles), scheduler.registry.names())
    with pytest.raises(error) as raised:
        act(cluster)
    assert words in str(raised.value)
    assert (sorted(scheduler.profiles), scheduler.registry.names()) == before
