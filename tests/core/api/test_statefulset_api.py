"""apps/v1 StatefulSet through the API server: discovery, SetDefaults_StatefulSet, validation and
update rules with kube-apiserver 1.32's messages, the status and scale subresources."""

import pytest

import labkube
from labkube import StatusError


def sts(name="web", **spec):
    template = spec.pop("template", {"metadata": {"labels": {"app": "nginx"}},
                                     "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}})
    body = {"selector": {"matchLabels": {"app": "nginx"}}, "serviceName": "nginx", "template": template}
    body.update(spec)
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name}, "spec": body}


CLAIM = {"metadata": {"name": "www"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                               "resources": {"requests": {"storage": "1Gi"}}}}


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=1, seed=0) as c:
        c.stop_component("controller-manager")  # the API alone: no controller writes status
        yield c


def test_statefulsets_are_served_in_apps_v1_as_sts_in_the_all_category(cluster):
    rtype = cluster.server.registry.resolve("sts")
    assert (rtype.api_version, rtype.kind, rtype.plural, rtype.namespaced) == ("apps/v1", "StatefulSet",
                                                                              "statefulsets", True)
    assert rtype.short_names == ("sts",) and "all" in rtype.categories
    assert rtype.subresources == ("status", "scale")


@pytest.mark.parametrize("given, field, expected", [
    ({}, "podManagementPolicy", "OrderedReady"),
    ({}, "updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
    ({"updateStrategy": {"type": "RollingUpdate"}}, "updateStrategy", {"type": "RollingUpdate"}),
    ({"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {}}}, "updateStrategy",
     {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
    ({"updateStrategy": {"type": "OnDelete"}}, "updateStrategy", {"type": "OnDelete"}),
    ({}, "replicas", 1),
    ({"replicas": 0}, "replicas", 0),
    ({}, "revisionHistoryLimit", 10),
    ({}, "persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"}),
    ({"persistentVolumeClaimRetentionPolicy": {"whenScaled": "Delete"}}, "persistentVolumeClaimRetentionPolicy",
     {"whenDeleted": "Retain", "whenScaled": "Delete"}),
], ids=["pods are managed OrderedReady", "an omitted strategy is RollingUpdate with partition 0",
        "a RollingUpdate given without rollingUpdate gets no partition",
        "an empty rollingUpdate gets partition 0", "OnDelete stays bare",
        "one replica", "zero replicas are kept", "ten revisions of history",
        "claims are retained when deleted and when scaled", "a half-given retention policy is completed"])
def test_stateful_set_defaults(cluster, given, field, expected):
    live = cluster.apply(sts(**given))[0]
    assert live["spec"][field] == expected


def test_claim_templates_get_pvc_defaults_and_their_type_meta(cluster):
    live = cluster.apply(sts(volumeClaimTemplates=[CLAIM]))[0]
    assert live["spec"]["volumeClaimTemplates"] == [{
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": "www", "creationTimestamp": None},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                 "volumeMode": "Filesystem"},
        "status": {"phase": "Pending"},
    }]


def test_a_new_stateful_set_has_generation_one_and_an_empty_status(cluster):
    obj = sts()
    obj["status"] = {"replicas": 7, "readyReplicas": 7}
    live = cluster.apply(obj)[0]
    assert live["metadata"]["generation"] == 1
    assert live["status"] == {"replicas": 0, "availableReplicas": 0}


def test_the_template_gets_pod_spec_defaults(cluster):
    template = cluster.apply(sts())[0]["spec"]["template"]
    assert template["metadata"]["creationTimestamp"] is None
    assert template["spec"]["restartPolicy"] == "Always"
    assert template["spec"]["containers"][0]["imagePullPolicy"] == "Always"


def test_max_unavailable_is_dropped_while_its_feature_gate_is_off(cluster):
    obj = sts(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}})
    assert cluster.apply(obj)[0]["spec"]["updateStrategy"]["rollingUpdate"] == {"partition": 0}


TEMPLATE_LABELS_MISMATCH = ('spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: '
                            '`selector` does not match template `labels`')


@pytest.mark.parametrize("change, message", [
    (lambda o: o["spec"].update(replicas=-1), "spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
    (lambda o: o["spec"].update(podManagementPolicy="Sometimes"),
     "spec.podManagementPolicy: Invalid value: \"Sometimes\": must be 'OrderedReady' or 'Parallel'"),
    (lambda o: o["spec"].update(updateStrategy={"type": "Recreate"}),
     'spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:"Recreate", '
     "RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be 'RollingUpdate' or 'OnDelete'"),
    (lambda o: o["spec"].update(updateStrategy={"type": "OnDelete", "rollingUpdate": {"partition": 1}}),
     "spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{Partition:1, "
     "MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy 'RollingUpdate'"),
    (lambda o: o["spec"].update(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": -1}}),
     "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0"),
    (lambda o: o["spec"].update(minReadySeconds=-3),
     "spec.minReadySeconds: Invalid value: -3: must be greater than or equal to 0"),
    (lambda o: o["spec"].update(ordinals={"start": -1}),
     "spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0"),
    (lambda o: o["spec"].update(persistentVolumeClaimRetentionPolicy={"whenDeleted": "Keep"}),
     'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": '
     'supported values: "Retain", "Delete"'),
    (lambda o: o["spec"]["template"]["metadata"].update(labels={"app": "other"}), TEMPLATE_LABELS_MISMATCH),
    (lambda o: o["spec"]["template"]["spec"].update(restartPolicy="Never"),
     'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'),
    (lambda o: o["spec"]["template"]["spec"].update(activeDeadlineSeconds=5),
     "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported"),
    (lambda o: o["metadata"].update(name="web.v1"),
     'metadata.name: Invalid value: "web.v1": must not contain dots'),
], ids=["negative replicas", "an unknown pod management policy", "an unknown update strategy",
        "OnDelete with rollingUpdate", "a negative partition", "negative minReadySeconds",
        "a negative start ordinal", "an unknown retention policy",
        "a template whose labels the selector does not match", "restartPolicy Never",
        "activeDeadlineSeconds in the template", "a name with a dot (it becomes each pod's hostname)"])
def test_invalid_stateful_sets_are_refused_with_kube_apiservers_message(cluster, change, message):
    obj = sts()
    change(obj)
    name = obj["metadata"]["name"]
    with pytest.raises(StatusError) as err:
        cluster.client.create(obj, "default")
    assert err.value.code == 422
    assert err.value.message == f'StatefulSet.apps "{name}" is invalid: {message}'


def test_a_stateful_set_without_selector_reports_it_required_and_the_template_unmatched(cluster):
    obj = sts()
    del obj["spec"]["selector"]
    with pytest.raises(StatusError) as err:
        cluster.client.create(obj, "default")
    assert err.value.message.startswith('StatefulSet.apps "web" is invalid: [spec.selector: Required value, ')


def test_the_pod_spec_of_the_template_is_not_validated_by_the_api_server(cluster):
    """ValidatePodTemplateSpecForStatefulSet leaves the pod spec alone: a bad one only fails
    when the controller creates a pod."""
    obj = sts(template={"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": [{"name": "x"}]}})
    assert cluster.client.create(obj, "default")["metadata"]["name"] == "web"


def test_bad_template_labels_are_reported_under_spec_template_labels(cluster):
    """ValidatePodTemplateSpecForStatefulSet names the field ``spec.template.labels``."""
    obj = sts()
    obj["spec"]["template"]["metadata"]["labels"]["-bad"] = "x"
    with pytest.raises(StatusError) as err:
        cluster.client.create(obj, "default")
    assert 'spec.template.labels: Invalid value: "-bad": name part must consist of' in err.value.message


FORBIDDEN = ("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
             "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' "
             "are forbidden")


@pytest.mark.parametrize("change", [
    lambda spec: spec.update(serviceName="other"),
    lambda spec: spec.update(podManagementPolicy="Parallel"),
    lambda spec: spec.update(revisionHistoryLimit=3),
    lambda spec: spec["volumeClaimTemplates"][0]["spec"]["resources"]["requests"].update(storage="2Gi"),
], ids=["serviceName", "podManagementPolicy", "revisionHistoryLimit", "a claim template's size"])
def test_other_spec_fields_are_forbidden_to_change(cluster, change):
    live = cluster.apply(sts(volumeClaimTemplates=[CLAIM]))[0]
    change(live["spec"])
    with pytest.raises(StatusError) as err:
        cluster.client.update(live)
    assert err.value.message == f'StatefulSet.apps "web" is invalid: {FORBIDDEN}'


@pytest.mark.parametrize("change", [
    lambda spec: spec.update(replicas=5),
    lambda spec: spec["template"]["spec"]["containers"][0].update(image="nginx:1.27"),
    lambda spec: spec.update(updateStrategy={"type": "OnDelete"}),
    lambda spec: spec.update(minReadySeconds=10),
    lambda spec: spec.update(ordinals={"start": 5}),
    lambda spec: spec.update(persistentVolumeClaimRetentionPolicy={"whenDeleted": "Delete", "whenScaled": "Delete"}),
], ids=["replicas", "the template", "updateStrategy", "minReadySeconds", "ordinals", "the retention policy"])
def test_the_six_mutable_fields_may_change_and_bump_the_generation(cluster, change):
    live = cluster.apply(sts(volumeClaimTemplates=[CLAIM]))[0]
    change(live["spec"])
    assert cluster.client.update(live)["metadata"]["generation"] == 2


def test_status_writes_keep_the_spec_and_main_writes_keep_the_status(cluster):
    live = cluster.apply(sts())[0]
    live["status"] = {"replicas": 1, "availableReplicas": 0, "observedGeneration": 1}
    live["spec"]["replicas"] = 9
    written = cluster.client.update(live, subresource="status")
    assert written["status"]["observedGeneration"] == 1 and written["spec"]["replicas"] == 1
    written["status"] = {}
    assert cluster.client.update(written)["status"]["observedGeneration"] == 1


def test_kubectl_scale_writes_replicas_through_the_scale_subresource(cluster):
    cluster.apply(sts())
    assert cluster.kubectl("scale sts web --replicas=5") == "statefulset.apps/web scaled\n"
    scale = cluster.client.get("statefulsets", "web", "default", subresource="scale")
    assert scale["spec"] == {"replicas": 5} and scale["status"]["selector"] == "app=nginx"
    assert cluster.get("statefulset", "web")["spec"]["replicas"] == 5


def test_the_statefulset_controller_has_its_bootstrap_role(cluster):
    user = "system:serviceaccount:kube-system:statefulset-controller"
    for verb, resource in (("create", "pods"), ("watch", "statefulsets"),
                           ("create", "persistentvolumeclaims"), ("create", "controllerrevisions")):
        assert cluster.can_i(verb, resource, user=user), (verb, resource)
    assert not cluster.can_i("delete", "statefulsets", user=user)
