"""v1 ReplicationController and PodTemplate through the API server: discovery, defaults (the
RC's selector and labels from its template), validation in kube-apiserver 1.32's words, the
strategy (status, generation, /scale, orphaning by default) and the controller's role."""

import copy

import pytest

import labkube
from labkube import StatusError
from labkube.core.api import bootstrap_policy


def rc(name="nginx", **spec):
    template = spec.pop("template", {"metadata": {"labels": {"app": "nginx"}},
                                     "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}})
    return {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": name},
            "spec": {**spec, "template": template}}


def pod_template(name="tmpl", template=None):
    return {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": name},
            "template": template if template is not None else
            {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=1, seed=0) as c:
        yield c


# -- discovery -----------------------------------------------------------------------------------

def test_replication_controllers_are_served_in_v1_as_rc_in_the_all_category(cluster):
    rtype = cluster.server.registry.resolve("rc")
    assert (rtype.api_version, rtype.kind, rtype.plural, rtype.namespaced) == (
        "v1", "ReplicationController", "replicationcontrollers", True)
    assert rtype.categories == ("all",) and rtype.subresources == ("status", "scale")
    assert cluster.server.registry.resolve("replicationcontroller") is rtype


def test_pod_templates_are_served_in_v1_without_short_names_or_categories(cluster):
    rtype = cluster.server.registry.resolve("podtemplates")
    assert (rtype.api_version, rtype.kind, rtype.short_names, rtype.categories, rtype.subresources) == (
        "v1", "PodTemplate", (), (), ())


# -- ReplicationController defaults --------------------------------------------------------------

@pytest.mark.parametrize("change, expected_selector, expected_labels", [
    (lambda obj: None, {"app": "nginx"}, {"app": "nginx"}),
    (lambda obj: obj["spec"].update(selector={"app": "nginx"}), {"app": "nginx"}, {"app": "nginx"}),
    (lambda obj: obj["metadata"].update(labels={"team": "a"}), {"app": "nginx"}, {"team": "a"}),
    (lambda obj: obj["spec"]["template"]["metadata"]["labels"].update(tier="web"),
     {"app": "nginx", "tier": "web"}, {"app": "nginx", "tier": "web"}),
    (lambda obj: (obj["spec"]["template"]["metadata"]["labels"].update(tier="web"),
                  obj["spec"].update(selector={"tier": "web"})), {"tier": "web"}, {"app": "nginx", "tier": "web"}),
], ids=["a missing selector becomes the template's labels, and so do the rc's labels",
        "a given selector is kept",
        "the rc's own labels are kept",
        "every template label goes into the defaulted selector",
        "a selector matching part of the template's labels is kept"])
def test_rc_selector_and_labels_default_to_the_template_labels(cluster, change, expected_selector, expected_labels):
    obj = rc()
    change(obj)
    live = cluster.apply(obj)[0]
    assert live["spec"]["selector"] == expected_selector
    assert live["metadata"]["labels"] == expected_labels


def test_a_new_rc_gets_one_replica_a_defaulted_pod_template_generation_one_and_zero_status(cluster):
    live = cluster.apply(rc())[0]
    assert live["spec"]["replicas"] == 1
    assert live["metadata"]["generation"] == 1 and live["status"] == {"replicas": 0}
    template = live["spec"]["template"]
    assert template["metadata"]["creationTimestamp"] is None
    assert (template["spec"]["restartPolicy"], template["spec"]["dnsPolicy"]) == ("Always", "ClusterFirst")
    assert template["spec"]["containers"][0]["imagePullPolicy"] == "Always"


def test_a_status_written_on_create_is_reset(cluster):
    obj = rc()
    obj["status"] = {"replicas": 7, "readyReplicas": 7}
    assert cluster.apply(obj)[0]["status"] == {"replicas": 0}


# -- ReplicationController validation ------------------------------------------------------------

NO_LABELS = {"spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}


@pytest.mark.parametrize("obj, message", [
    (rc(template=NO_LABELS), "spec.selector: Required value"),
    (rc(selector={"app": "web"}),
     'spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: '
     "`selector` does not match template `labels`"),
    (rc(replicas=-1), "spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
    (rc(minReadySeconds=-3), "spec.minReadySeconds: Invalid value: -3: must be greater than or equal to 0"),
    (rc(template={"metadata": {"labels": {"app": "nginx"}},
                  "spec": {"containers": [{"name": "nginx", "image": "nginx"}], "restartPolicy": "Never"}}),
     'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'),
    (rc(template={"metadata": {"labels": {"app": "nginx"}},
                  "spec": {"containers": [{"name": "nginx", "image": "nginx"}], "activeDeadlineSeconds": 60}}),
     "spec.template.spec.activeDeadlineSeconds: Forbidden: "
     "activeDeadlineSeconds in ReplicationController is not Supported"),
    (rc(template={"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": []}}),
     "spec.template.spec.containers: Required value"),
    (rc(name="Nginx"),
     "metadata.name: Invalid value: \"Nginx\": a lowercase RFC 1123 subdomain must consist of lower case "
     "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
     "(e.g. 'example.com', regex used for validation is "
     "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
], ids=["a template without labels leaves the selector empty: Required",
        "a selector that does not match the template's labels",
        "negative replicas", "negative minReadySeconds",
        "restartPolicy Never is refused",
        "activeDeadlineSeconds is forbidden",
        "a template without containers",
        "a name that is not a DNS subdomain"])
def test_invalid_rcs_are_refused_with_kube_apiservers_message(cluster, obj, message):
    name = obj["metadata"]["name"]
    cluster.settle()
    before = cluster.store.revision
    with pytest.raises(StatusError) as err:
        cluster.apply(obj)
    assert err.value.code == 422
    assert err.value.message == f'ReplicationController "{name}" is invalid: {message}'
    assert cluster.store.revision == before


def test_a_missing_template_is_required_and_no_selector_can_be_defaulted(cluster):
    obj = rc()
    del obj["spec"]["template"]
    with pytest.raises(StatusError) as err:
        cluster.apply(obj)
    assert err.value.message == ('ReplicationController "nginx" is invalid: '
                                 '[spec.selector: Required value, spec.template: Required value]')


def test_unlike_a_replicasets_the_selector_of_an_rc_may_change(cluster):
    live = cluster.apply(rc(replicas=0))[0]
    live["spec"]["selector"] = {"app": "nginx", "track": "stable"}
    live["spec"]["template"]["metadata"]["labels"]["track"] = "stable"
    updated = cluster.client.update(live)
    assert updated["spec"]["selector"] == {"app": "nginx", "track": "stable"}
    assert updated["metadata"]["generation"] == 2


# -- strategy ------------------------------------------------------------------------------------

def test_a_main_update_keeps_status_and_a_status_update_keeps_spec(cluster):
    cluster.stop_component("controller-manager")
    live = cluster.apply(rc(replicas=0))[0]
    changed = copy.deepcopy(live)
    changed["status"] = {"replicas": 5}
    changed["metadata"]["labels"] = {"app": "nginx", "seen": "yes"}
    after_main = cluster.client.update(changed)
    assert after_main["status"] == {"replicas": 0} and after_main["metadata"]["generation"] == 1
    after_main["spec"]["replicas"] = 9
    after_main["status"] = {"replicas": 0, "observedGeneration": 1}
    after_status = cluster.client.update(after_main, subresource="status")
    assert after_status["spec"]["replicas"] == 0 and after_status["status"]["observedGeneration"] == 1


def test_a_status_with_more_ready_than_current_replicas_is_refused(cluster):
    cluster.stop_component("controller-manager")
    live = cluster.apply(rc(replicas=0))[0]
    live["status"] = {"replicas": 1, "readyReplicas": 2, "availableReplicas": 2}
    with pytest.raises(StatusError) as err:
        cluster.client.update(live, subresource="status")
    assert err.value.message == (
        'ReplicationController "nginx" is invalid: [status.readyReplicas: Invalid value: 2: cannot be greater '
        "than status.replicas, status.availableReplicas: Invalid value: 2: cannot be greater than status.replicas]")


def test_the_scale_subresource_reads_and_writes_replicas_with_the_selector_as_text(cluster):
    cluster.apply(rc(replicas=2, selector={"app": "nginx"}))
    scale = cluster.client.get("replicationcontrollers", "nginx", "default", subresource="scale")
    assert (scale["apiVersion"], scale["kind"], scale["spec"]) == ("autoscaling/v1", "Scale", {"replicas": 2})
    assert scale["status"]["selector"] == "app=nginx"
    assert cluster.kubectl("scale rc nginx --replicas=4") == "replicationcontroller/nginx scaled\n"
    assert cluster.get("rc", "nginx")["spec"]["replicas"] == 4


def test_deleting_an_rc_through_the_api_without_a_policy_orphans_its_pods(cluster):
    cluster.apply(rc(replicas=2))
    cluster.run(10)
    cluster.client.delete("replicationcontrollers", "nginx", "default")
    cluster.run(10)
    pods = cluster.list("pods", "default", label_selector="app=nginx")
    assert len(pods) == 2 and all(not p["metadata"].get("ownerReferences") for p in pods)


def test_field_selectors_on_status_replicas(cluster):
    cluster.apply(rc("two", replicas=2))
    cluster.apply(rc("none", replicas=0, selector={"app": "nginx"}))
    cluster.run(10)
    names = [o["metadata"]["name"] for o in cluster.list("replicationcontrollers", "default",
                                                           field_selector="status.replicas=2")]
    assert names == ["two"]


def test_the_replication_controller_role_is_kube_controller_managers_of_1_32():
    role = next(o for o in bootstrap_policy.objects()
                if o["kind"] == "ClusterRole" and o["metadata"]["name"] == "system:controller:replication-controller")
    rules = {(tuple(r["apiGroups"]), tuple(r["resources"]), frozenset(r["verbs"])) for r in role["rules"]}
    assert rules == {
        (("",), ("replicationcontrollers",), frozenset({"get", "list", "watch", "update"})),
        (("",), ("replicationcontrollers/status",), frozenset({"update"})),
        (("",), ("replicationcontrollers/finalizers",), frozenset({"update"})),
        (("",), ("pods",), frozenset({"list", "watch", "patch", "create", "delete"})),
        (("", "events.k8s.io"), ("events",), frozenset({"create", "update", "patch"})),
    }


def test_the_controller_acts_as_its_own_service_account(cluster):
    cluster.run(1)
    assert cluster.get("serviceaccount", "replication-controller", "kube-system")
    user = "system:serviceaccount:kube-system:replication-controller"
    assert cluster.can_i("create", "pods", user=user)
    assert cluster.can_i("update", "replicationcontrollers", user=user)
    assert not cluster.can_i("delete", "replicationcontrollers", user=user)


# -- PodTemplate ---------------------------------------------------------------------------------

def test_a_pod_template_gets_pod_spec_defaults_and_generation_one(cluster):
    live = cluster.apply(pod_template())[0]
    assert live["metadata"]["generation"] == 1 and "status" not in live and "spec" not in live
    spec = live["template"]["spec"]
    assert (spec["restartPolicy"], spec["dnsPolicy"], spec["terminationGracePeriodSeconds"]) == (
        "Always", "ClusterFirst", 30)
    assert live["template"]["metadata"] == {"labels": {"app": "web"}, "creationTimestamp": None}


def test_a_pod_template_generation_bumps_only_when_the_template_changes(cluster):
    live = cluster.apply(pod_template())[0]
    live["metadata"]["labels"] = {"team": "a"}
    live = cluster.client.update(live)
    assert live["metadata"]["generation"] == 1
    live["template"]["spec"]["containers"][0]["image"] = "nginx:1.27"
    assert cluster.client.update(live)["metadata"]["generation"] == 2


@pytest.mark.parametrize("obj, message", [
    (pod_template(template={}), "template.spec.containers: Required value"),
    (pod_template(template={"metadata": {"labels": {"bad key": "x"}},
                            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}),
     'template.metadata.labels: Invalid value: "bad key": name part must consist of alphanumeric characters, '
     "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  "
     "or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
    (pod_template(template={"spec": {"containers": [{"name": "c", "image": "nginx"}],
                                     "restartPolicy": "Sometimes"}}),
     'template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'),
], ids=["an empty template has no containers", "a bad template label key", "an unknown restart policy"])
def test_invalid_pod_templates_are_refused_with_kube_apiservers_message(cluster, obj, message):
    with pytest.raises(StatusError) as err:
        cluster.apply(obj)
    assert err.value.code == 422
    assert err.value.message == f'PodTemplate "tmpl" is invalid: {message}'


def test_a_pod_template_with_restart_policy_never_is_accepted(cluster):
    obj = pod_template(template={"spec": {"containers": [{"name": "c", "image": "nginx"}], "restartPolicy": "Never"}})
    assert cluster.apply(obj)[0]["template"]["spec"]["restartPolicy"] == "Never"
