"""The pure half of the DaemonSet controller (pkg/controller/daemon/util and the placement
checks of daemon_controller.go): tolerations, node pinning, placement, up-to-date pods,
the revision patch, surge and unavailability, and the failed-pod back-off."""

import pytest

from labkube.core.controllers import daemonset_util as util


def ds(template_spec=None, labels=None, annotations=None, strategy=None):
    spec = {"containers": [{"name": "c", "image": "nginx"}], **(template_spec or {})}
    return {"metadata": {"name": "agent", "namespace": "default", "uid": "u1",
                         "annotations": annotations or {"deprecated.daemonset.template.generation": "3"}},
            "spec": {"selector": {"matchLabels": {"app": "agent"}},
                     "template": {"metadata": {"labels": labels or {"app": "agent"}}, "spec": spec},
                     "updateStrategy": strategy or {"type": "RollingUpdate",
                                                    "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}}}


def node(name="node-1", labels=None, taints=None):
    return {"metadata": {"name": name, "labels": labels or {}}, "spec": {"taints": taints or []}}


def taint(key, effect, value=""):
    return {"key": key, "value": value, "effect": effect}


# -- tolerations -----------------------------------------------------------------------------------------


def test_every_daemon_pod_tolerates_node_problems_forever():
    tolerations = util.daemon_pod_tolerations({})
    assert tolerations == [{"key": key, "operator": "Exists", "effect": effect}
                           for key, effect in util.DAEMON_TOLERATIONS]


def test_a_host_network_pod_also_tolerates_network_unavailable():
    assert util.daemon_pod_tolerations({"hostNetwork": True})[-1] == {
        "key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"}


def test_the_templates_own_tolerations_come_first_and_an_identical_one_is_not_repeated():
    own = [{"key": "dedicated", "operator": "Exists"},
           {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}]
    tolerations = util.daemon_pod_tolerations({"tolerations": own})
    assert tolerations[:2] == own and len(tolerations) == 1 + len(util.DAEMON_TOLERATIONS)


def test_a_matching_toleration_with_seconds_is_replaced_by_the_forever_one():
    own = [{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
            "tolerationSeconds": 30}]
    tolerations = util.daemon_pod_tolerations({"tolerations": own})
    assert tolerations[0] == {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}


# -- pinning and target node ------------------------------------------------------------------------------


@pytest.mark.parametrize("affinity, expected", [
    (None, {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-2"]}]}]}}}),
    ({"podAntiAffinity": {"x": 1}, "nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [1]}},
     {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
         {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-2"]}]}]},
         "preferredDuringSchedulingIgnoredDuringExecution": [1]},
      "podAntiAffinity": {"x": 1}}),
    ({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "disk", "operator": "Exists"}]}]}}},
     {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
         {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-2"]}]}]}}}),
], ids=["no affinity gets a required node-name term",
        "other affinities are kept",
        "required terms are replaced (the node was checked against them already)"])
def test_node_name_affinity(affinity, expected):
    assert util.node_name_affinity(affinity, "node-2") == expected


@pytest.mark.parametrize("spec, expected", [
    ({"nodeName": "node-1"}, "node-1"),
    ({"affinity": util.node_name_affinity(None, "node-3")}, "node-3"),
    ({}, None),
], ids=["a bound pod is on its node", "an unbound pod is for its pinned node", "a pod without either has none"])
def test_target_node_name(spec, expected):
    assert util.target_node_name({"spec": spec}) == expected


def test_the_pod_template_gets_the_generation_and_hash_labels_and_the_tolerations():
    template = util.create_pod_template(ds()["spec"]["template"], 3, "abc")
    assert template["metadata"]["labels"] == {"app": "agent", "controller-revision-hash": "abc",
                                              "pod-template-generation": "3"}
    assert len(template["spec"]["tolerations"]) == len(util.DAEMON_TOLERATIONS)


# -- placement -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("template_spec, the_node, expected", [
    ({}, node(), (True, True)),
    ({"nodeName": "node-9"}, node(), (False, False)),
    ({"nodeSelector": {"disk": "ssd"}}, node(), (False, False)),
    ({"nodeSelector": {"disk": "ssd"}}, node(labels={"disk": "ssd"}), (True, True)),
    ({}, node(taints=[taint("dedicated", "NoSchedule", "db")]), (False, True)),
    ({}, node(taints=[taint("dedicated", "NoExecute", "db")]), (False, False)),
    ({}, node(taints=[taint("dedicated", "PreferNoSchedule")]), (True, True)),
    ({"tolerations": [{"key": "dedicated", "operator": "Exists"}]},
     node(taints=[taint("dedicated", "NoExecute", "db")]), (True, True)),
    ({}, node(taints=[taint("node.kubernetes.io/unschedulable", "NoSchedule")]), (True, True)),
    ({}, node(taints=[taint("node.kubernetes.io/not-ready", "NoSchedule")]), (False, True)),
    ({}, node(taints=[taint("node.kubernetes.io/unreachable", "NoExecute")]), (True, True)),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-2"]}]}]}}}},
     node(), (False, False)),
], ids=["an untainted node runs the daemon",
        "a template nodeName names another node",
        "a node without the selected label",
        "a node with the selected label",
        "a NoSchedule taint: no new pod, the running one stays",
        "a NoExecute taint: no pod at all",
        "PreferNoSchedule is not a placement rule",
        "a tolerated NoExecute taint",
        "a cordoned node is tolerated",
        "a not-ready NoSchedule taint is not tolerated, but the pod stays",
        "an unreachable NoExecute taint is tolerated",
        "required node affinity for another node"])
def test_node_should_run_daemon_pod(template_spec, the_node, expected):
    assert util.Placement.of(ds(template_spec)).should_run(the_node) == expected


# -- up to date, patch, counts -----------------------------------------------------------------------------


def pod(labels):
    return {"metadata": {"labels": labels}}


@pytest.mark.parametrize("labels, updated", [
    ({"controller-revision-hash": "new"}, True),
    ({"controller-revision-hash": "old", "pod-template-generation": "3"}, True),
    ({"controller-revision-hash": "old", "pod-template-generation": "2"}, False),
    ({}, False),
], ids=["the current hash", "an old hash but the current template generation", "neither", "no labels"])
def test_is_pod_updated(labels, updated):
    assert util.is_pod_updated(pod(labels), "new", 3) is updated


def test_an_unparsable_template_generation_is_none():
    assert util.ds_template_generation(ds(annotations={"deprecated.daemonset.template.generation": "x"})) is None
    assert util.ds_template_generation(ds()) == 3


def test_the_revision_patch_replaces_the_template_and_is_sorted():
    patch = util.daemon_set_patch(ds())
    assert list(patch) == ["spec"] and list(patch["spec"]) == ["template"]
    assert list(patch["spec"]["template"]) == ["$patch", "metadata", "spec"]
    assert patch["spec"]["template"]["$patch"] == "replace"


@pytest.mark.parametrize("rolling, nodes, surge, unavailable", [
    ({"maxUnavailable": 1, "maxSurge": 0}, 10, 0, 1),
    ({"maxUnavailable": "25%", "maxSurge": 0}, 10, 0, 3),
    ({"maxUnavailable": 0, "maxSurge": "10%"}, 15, 2, 0),
], ids=["absolute numbers", "a percentage of unavailability rounds up", "a percentage of surge rounds up"])
def test_surge_and_unavailable_counts(rolling, nodes, surge, unavailable):
    daemon = ds(strategy={"type": "RollingUpdate", "rollingUpdate": rolling})
    assert (util.surge_count(daemon, nodes), util.unavailable_count(daemon, nodes)) == (surge, unavailable)


def test_on_delete_has_no_surge_and_no_unavailability():
    daemon = ds(strategy={"type": "OnDelete"})
    assert (util.surge_count(daemon, 5), util.unavailable_count(daemon, 5), util.allows_surge(daemon)) == (0, 0, False)


def test_bound_pods_sort_before_unbound_then_oldest_first():
    def p(name, created, node_name=None):
        return {"metadata": {"name": name, "creationTimestamp": created}, "spec": {"nodeName": node_name}}
    order = sorted([p("c", "2025-01-01T00:00:01Z"), p("b", "2025-01-01T00:00:05Z", "n"),
                    p("a", "2025-01-01T00:00:09Z", "n")], key=util.pod_order)
    assert [x["metadata"]["name"] for x in order] == ["b", "a", "c"]


# -- back-off ---------------------------------------------------------------------------------------------


def test_the_failed_pod_backoff_doubles_up_to_its_maximum_and_expires():
    backoff = util.Backoff(initial=1, maximum=4)
    assert not backoff.in_backoff_since_update("k", 0)
    backoff.next("k", 0)
    assert backoff.in_backoff_since_update("k", 0.5) and not backoff.in_backoff_since_update("k", 1.0)
    delays = []
    for now in (2, 3, 4, 5):
        backoff.next("k", now)
        delays.append(backoff.get("k"))
    assert delays == [2, 4, 4, 4]
    backoff.next("k", 100)  # untouched for more than twice the maximum: starts over
    assert backoff.get("k") == 1
