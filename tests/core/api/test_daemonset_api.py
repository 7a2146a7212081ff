"""apps/v1 DaemonSet and ControllerRevision through the API server: discovery, defaults, the
template generation, status separation and validation with kube-apiserver 1.32's messages."""

import pytest

import labkube
from labkube import StatusError

TEMPLATE_GENERATION = "deprecated.daemonset.template.generation"


def daemon_set(name="agent", **spec):
    template = spec.pop("template", {"metadata": {"labels": {"app": "agent"}},
                                     "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    selector = spec.pop("selector", {"matchLabels": {"app": "agent"}})
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name},
            "spec": {"selector": selector, **spec, "template": template}}


def revision(name="r1", **fields):
    body = {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": name},
            "data": {"spec": {}}, "revision": 1}
    body.update(fields)
    return body


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=1, seed=0) as c:
        yield c


def invalid(cluster, obj):
    with pytest.raises(StatusError) as caught:
        cluster.client.create(obj, "default")
    assert caught.value.code == 422
    return caught.value.message


# -- discovery -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, kind, short_names, categories, subresources", [
    ("daemonsets", "DaemonSet", ("ds",), ("all",), ("status",)),
    ("controllerrevisions", "ControllerRevision", (), (), ()),
], ids=["daemonsets are ds, in the all category, with a status subresource",
        "controllerrevisions have no short name and no category"])
def test_the_kinds_are_served_in_apps_v1(cluster, name, kind, short_names, categories, subresources):
    rtype = cluster.server.registry.resolve(name)
    assert (rtype.api_version, rtype.kind, rtype.namespaced) == ("apps/v1", kind, True)
    assert (rtype.short_names, rtype.categories, rtype.subresources) == (short_names, categories, subresources)


def test_ds_resolves_to_daemonsets(cluster):
    assert cluster.server.registry.resolve("ds").kind == "DaemonSet"


# -- defaults and the strategy ------------------------------------------------------------------------


def test_a_daemon_set_is_defaulted_as_set_defaults_daemon_set_does(cluster):
    spec = cluster.client.create(daemon_set(), "default")["spec"]
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert spec["revisionHistoryLimit"] == 10
    pod_spec = spec["template"]["spec"]
    assert (pod_spec["restartPolicy"], pod_spec["dnsPolicy"], pod_spec["schedulerName"]) == \
        ("Always", "ClusterFirst", "default-scheduler")


def test_an_on_delete_daemon_set_gets_no_rolling_update_parameters(cluster):
    spec = cluster.client.create(daemon_set(updateStrategy={"type": "OnDelete"}), "default")["spec"]
    assert spec["updateStrategy"] == {"type": "OnDelete"}


def test_a_new_daemon_set_has_generation_1_template_generation_1_and_zero_counters(cluster):
    created = cluster.client.create(daemon_set(), "default")
    assert created["metadata"]["generation"] == 1
    assert created["metadata"]["annotations"] == {TEMPLATE_GENERATION: "1"}
    assert created["status"] == {"currentNumberScheduled": 0, "numberMisscheduled": 0,
                                 "desiredNumberScheduled": 0, "numberReady": 0}


@pytest.mark.parametrize("change, generation, template_generation", [
    (lambda s: s["template"]["spec"]["containers"][0].update(image="busybox:2"), 2, "2"),
    (lambda s: s.update(minReadySeconds=5), 2, "1"),
    (lambda s: None, 1, "1"),
], ids=["a template change bumps both the generation and the template generation",
        "another spec change bumps only the generation",
        "an update without change bumps neither"])
def test_updates_bump_the_generations(cluster, change, generation, template_generation):
    live = cluster.client.create(daemon_set(), "default")
    change(live["spec"])
    updated = cluster.client.update(live)
    assert updated["metadata"]["generation"] == generation
    assert updated["metadata"]["annotations"][TEMPLATE_GENERATION] == template_generation


def test_a_client_cannot_set_the_template_generation_on_update(cluster):
    live = cluster.client.create(daemon_set(), "default")
    live["metadata"]["annotations"][TEMPLATE_GENERATION] = "41"
    assert cluster.client.update(live)["metadata"]["annotations"][TEMPLATE_GENERATION] == "1"


def test_status_and_spec_are_written_through_their_own_paths(cluster):
    live = cluster.client.create(daemon_set(), "default")
    live["status"]["numberReady"] = 3
    live["spec"]["minReadySeconds"] = 9
    after_status = cluster.client.update(live, subresource="status")
    assert after_status["status"]["numberReady"] == 3 and "minReadySeconds" not in after_status["spec"]
    after_status["status"]["numberReady"] = 0
    after_main = cluster.client.update(after_status)
    assert after_main["status"]["numberReady"] == 3


def test_a_controller_revision_is_stored_as_given(cluster):
    created = cluster.client.create(revision(data={"spec": {"x": 1}}, revision=4), "default")
    assert (created["data"], created["revision"]) == ({"spec": {"x": 1}}, 4)
    assert "generation" not in created["metadata"] and "status" not in created


# -- validation --------------------------------------------------------------------------------------


@pytest.mark.parametrize("obj, message", [
    (revision(data=None), 'ControllerRevision.apps "r1" is invalid: data: Required value: data is mandatory'),
    (revision(revision=-1),
     'ControllerRevision.apps "r1" is invalid: revision: Invalid value: -1: must be greater than or equal to 0'),
], ids=["data is mandatory", "the revision number is not negative"])
def test_controller_revision_validation(cluster, obj, message):
    if obj["data"] is None:
        del obj["data"]
    assert invalid(cluster, obj) == message


def test_a_controller_revisions_data_is_immutable(cluster):
    live = cluster.client.create(revision(data={"a": 1}), "default")
    live["data"] = {"a": 2}
    with pytest.raises(StatusError) as caught:
        cluster.client.update(live)
    assert caught.value.message == (
        'ControllerRevision.apps "r1" is invalid: data: Invalid value: runtime.RawExtension{Raw:[]uint8{'
        '0x7b, 0x22, 0x61, 0x22, 0x3a, 0x32, 0x7d}, Object:runtime.Object(nil)}: field is immutable')


def test_a_controller_revisions_number_may_change(cluster):
    live = cluster.client.create(revision(), "default")
    live["revision"] = 7
    assert cluster.client.update(live)["revision"] == 7


MISMATCH = ('spec.template.metadata.labels: Invalid value: map[string]string{"app":"agent"}: '
            '`selector` does not match template `labels`')


@pytest.mark.parametrize("obj, detail", [
    (daemon_set(selector={"matchLabels": {"app": "other"}}), MISMATCH),
    (daemon_set(selector=None), MISMATCH),
    (daemon_set(selector={}),
     "is invalid: spec.selector: Invalid value: "
     "&LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{},}: "
     "empty selector is invalid for daemonset"),
    (daemon_set(template={"metadata": {"labels": {"app": "agent"}},
                          "spec": {"restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "b"}]}}),
     'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'),
    (daemon_set(template={"metadata": {"labels": {"app": "agent"}},
                          "spec": {"activeDeadlineSeconds": 5, "containers": [{"name": "c", "image": "b"}]}}),
     "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported"),
    (daemon_set(minReadySeconds=-1), "spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0"),
    (daemon_set(revisionHistoryLimit=-2),
     "spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0"),
    (daemon_set(updateStrategy={"rollingUpdate": {"maxSurge": 1}}),
     "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"),
    (daemon_set(updateStrategy={"rollingUpdate": {"maxUnavailable": 0}}),
     "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"),
    (daemon_set(updateStrategy={"rollingUpdate": {"maxUnavailable": "120%"}}),
     'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 120%: must not be greater than 100%'),
    (daemon_set(updateStrategy={"type": "Sometimes"}),
     'spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:"Sometimes", '
     'RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: "RollingUpdate", "OnDelete"'),
], ids=["the selector must match the template's labels",
        "a missing selector matches nothing (no Required value, unlike a Deployment)",
        "an empty selector selects everything, and is refused",
        "the template must restart Always",
        "a daemon pod has no active deadline",
        "minReadySeconds is not negative",
        "revisionHistoryLimit is not negative",
        "maxSurge may not be set beside the defaulted maxUnavailable",
        "maxUnavailable and maxSurge cannot both be 0",
        "maxUnavailable cannot exceed 100%",
        "only RollingUpdate and OnDelete are update strategies"])
def test_daemon_set_validation(cluster, obj, detail):
    message = invalid(cluster, obj)
    assert message.startswith('DaemonSet.apps "agent" is invalid: ')
    assert detail in message


def test_the_selector_of_a_daemon_set_is_immutable(cluster):
    live = cluster.client.create(daemon_set(), "default")
    live["spec"]["selector"] = {"matchLabels": {"app": "agent", "tier": "x"}}
    live["spec"]["template"]["metadata"]["labels"]["tier"] = "x"
    with pytest.raises(StatusError) as caught:
        cluster.client.update(live)
    assert caught.value.message.endswith(
        "spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{app: agent,tier: x,},"
        "MatchExpressions:[]LabelSelectorRequirement{},}: field is immutable")


def test_a_spec_error_is_a_cause_twice_on_update_and_once_in_the_message_as_kube_apiserver_does(cluster):
    live = cluster.client.create(daemon_set(), "default")
    live["spec"]["minReadySeconds"] = -1
    with pytest.raises(StatusError) as caught:
        cluster.client.update(live)
    assert caught.value.message.count("spec.minReadySeconds: Invalid value: -1") == 1
    assert [c["field"] for c in caught.value.causes] == ["spec.minReadySeconds", "spec.minReadySeconds"]
