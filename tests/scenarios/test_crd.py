"""The docs page "Extend the Kubernetes API with CustomResourceDefinitions", on the simulated clock.

Each test applies the page's manifests unchanged (tests/kubectl/crd_cases.py holds the first
ones) and checks what the page -- or kube-apiserver 1.32, where the page shows older output --
says a reader sees: the CRD established by the API server's own controllers, ``kubectl get
crontab`` printing ``NAME  AGE``, invalid CronTabs refused with the schema's messages, unknown
fields refused, defaults filled in, the status and scale subresources, and the lifecycle: a
deleted CRD takes its custom resources with it, a deleted namespace takes its own, and the
garbage collector honours ownerReferences from and to custom resources.
"""

import pytest

import labkube
from labkube import StatusError
from tests.kubectl.crd_cases import CRONTAB_CRD, MY_CRONTAB

CRD_NAME = "crontabs.stable.example.com"

#: The page's "Validation" CRD.
VALIDATED_CRD = CRONTAB_CRD.replace("""                cronSpec:
                  type: string
                image:
                  type: string
                replicas:
                  type: integer
""", """                cronSpec:
                  type: string
                  pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'
                image:
                  type: string
                replicas:
                  type: integer
                  minimum: 1
                  maximum: 10
""")

#: The page's "Defaulting" CRD.
DEFAULTED_CRD = CRONTAB_CRD.replace("""                cronSpec:
                  type: string
                image:
                  type: string
                replicas:
                  type: integer
""", """                cronSpec:
                  type: string
                  pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'
                  default: "5 0 * * *"
                image:
                  type: string
                replicas:
                  type: integer
                  minimum: 1
                  maximum: 10
                  default: 1
""")

#: The page's "Subresources" CRD (status and scale).
SUBRESOURCES_CRD = CRONTAB_CRD.replace("""                replicas:
                  type: integer
""", """                replicas:
                  type: integer
            status:
              type: object
              properties:
                replicas:
                  type: integer
                labelSelector:
                  type: string
      subresources:
        status: {}
        scale:
          specReplicasPath: .spec.replicas
          statusReplicasPath: .status.replicas
          labelSelectorPath: .status.labelSelector
""")


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=2, seed=0) as c:
        yield c


def _crd(cluster):
    return cluster.get("crd", CRD_NAME)


def _conditions(crd):
    return {c["type"]: (c["status"], c["reason"], c["message"]) for c in crd["status"].get("conditions", [])}


# -- the CRD itself -------------------------------------------------------------------------


def test_the_pages_crd_is_established_by_the_api_servers_own_controllers(cluster):
    cluster.apply(CRONTAB_CRD)
    crd = _crd(cluster)
    assert _conditions(crd) == {
        "NamesAccepted": ("True", "NoConflicts", "no conflicts found"),
        "Established": ("True", "InitialNamesAccepted", "the initial names have been accepted"),
    }
    assert crd["status"]["acceptedNames"] == {
        "plural": "crontabs", "singular": "crontab", "shortNames": ["ct"], "kind": "CronTab",
        "listKind": "CronTabList"}
    assert crd["status"]["storedVersions"] == ["v1"]
    assert crd["spec"]["conversion"] == {"strategy": "None"}
    assert crd["spec"]["names"]["listKind"] == "CronTabList"
    writers = {r.user for r in cluster.audit(verb="update", resource="customresourcedefinitions")}
    assert writers == {"system:apiserver"}  # not kube-controller-manager


def test_a_crd_whose_names_another_crd_of_its_group_holds_is_not_established(cluster):
    cluster.apply(CRONTAB_CRD)
    cluster.apply(CRONTAB_CRD.replace("crontabs.stable.example.com", "crontables.stable.example.com")
                  .replace("plural: crontabs", "plural: crontables"))
    crd = cluster.get("crd", "crontables.stable.example.com")
    # every name but the plural is taken; the last conflict found (listKind) is the reason
    assert _conditions(crd) == {
        "NamesAccepted": ("False", "ListKindConflict", '"CronTabList" is already in use'),
        "Established": ("False", "NotAccepted", "not all names are accepted"),
    }
    assert crd["status"]["acceptedNames"] == {"plural": "crontables", "kind": ""}
    assert cluster.registry.resolve("crontabs").group == "stable.example.com"


def test_the_crontabs_endpoint_is_served_only_once_the_crd_is_established(cluster):
    with pytest.raises(StatusError) as err:
        cluster.apply(MY_CRONTAB)
    assert err.value.message == 'no matches for kind "CronTab" in version "stable.example.com/v1"'
    cluster.apply(CRONTAB_CRD)
    assert cluster.apply(MY_CRONTAB)[0]["metadata"]["generation"] == 1


# -- custom objects ---------------------------------------------------------------------------


def test_get_crontab_prints_what_the_page_shows(cluster):
    cluster.apply(CRONTAB_CRD)
    cluster.kubectl("apply -f -", stdin=MY_CRONTAB)
    cluster.run(6)
    assert cluster.kubectl("get crontab") == "NAME                 AGE\nmy-new-cron-object   6s\n"
    for name in ("crontabs", "ct", "CronTab", "crontabs.stable.example.com", "crontabs.v1.stable.example.com"):
        assert cluster.kubectl(f"get {name} -o name") == "crontab.stable.example.com/my-new-cron-object\n"
    live = cluster.get("ct", "my-new-cron-object")
    assert live["spec"] == {"cronSpec": "* * * * */5", "image": "my-awesome-cron-image"}
    assert "status" not in live


def test_the_pages_invalid_crontab_is_refused_with_the_schemas_messages(cluster):
    cluster.apply(VALIDATED_CRD)
    out = cluster.kubectl("apply -f -", stdin=MY_CRONTAB.replace('"* * * * */5"', '"* * * *"').replace(
        "my-awesome-cron-image", "my-awesome-cron-image\n  replicas: 15"))
    assert out == (
        'The CronTab "my-new-cron-object" is invalid: \n'
        "* spec.cronSpec: Invalid value: \"* * * *\": spec.cronSpec in body should match "
        "'^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'\n"
        "* spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10\n")
    assert cluster.list("ct") == []
    assert cluster.kubectl("apply -f -", stdin=MY_CRONTAB.replace(
        "my-awesome-cron-image", "my-awesome-cron-image\n  replicas: 5")) == \
        "crontab.stable.example.com/my-new-cron-object created\n"


def test_an_unknown_field_is_refused_as_kubectls_strict_field_validation_asks(cluster):
    cluster.apply(CRONTAB_CRD)
    out = cluster.kubectl("create -f -", stdin=MY_CRONTAB + "  someRandomField: 42\n")
    assert out == ('Error from server (BadRequest): error when creating "STDIN": CronTab in version "v1" '
                   'cannot be handled as a CronTab: strict decoding error: unknown field "spec.someRandomField"\n')


def test_defaults_from_the_schema_are_filled_in(cluster):
    cluster.apply(DEFAULTED_CRD)
    live = cluster.apply({"apiVersion": "stable.example.com/v1", "kind": "CronTab",
                          "metadata": {"name": "my-new-cron-object"},
                          "spec": {"image": "my-awesome-cron-image"}})[0]
    assert live["spec"] == {"cronSpec": "5 0 * * *", "image": "my-awesome-cron-image", "replicas": 1}


def test_preserve_unknown_fields_keeps_what_the_schema_does_not_declare(cluster):
    cluster.apply(CRONTAB_CRD.replace("""                replicas:
                  type: integer
""", """                replicas:
                  type: integer
                json:
                  x-kubernetes-preserve-unknown-fields: true
"""))
    live = cluster.apply({"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "c"},
                          "spec": {"json": {"anything": [1, {"goes": True}]}}})[0]
    assert live["spec"]["json"] == {"anything": [1, {"goes": True}]}


@pytest.mark.parametrize("patch_type, patch", [
    ("merge", {"spec": {"replicas": 4}}),
    ("json", [{"op": "add", "path": "/spec/replicas", "value": 4}]),
])
def test_merge_and_json_patches_change_a_crontab_and_bump_its_generation(cluster, patch_type, patch):
    cluster.apply(CRONTAB_CRD)
    cluster.apply(MY_CRONTAB)
    live = cluster.patch("ct", "my-new-cron-object", patch, patch_type=patch_type)
    assert live["spec"]["replicas"] == 4
    assert live["metadata"]["generation"] == 2


def test_a_strategic_merge_patch_is_refused_with_415(cluster):
    cluster.apply(CRONTAB_CRD)
    cluster.apply(MY_CRONTAB)
    with pytest.raises(StatusError) as err:
        cluster.patch("ct", "my-new-cron-object", {"spec": {"replicas": 4}})
    assert (err.value.code, err.value.reason) == (415, "UnsupportedMediaType")
    assert err.value.message == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")


def test_the_status_subresource_separates_status_from_spec(cluster):
    cluster.apply(SUBRESOURCES_CRD)
    cluster.settle()  # the API server establishes the CRD (a client alone does not wait for it)
    created = cluster.client.create({**_my_crontab(replicas=3), "status": {"replicas": 9}})
    assert "status" not in created  # create drops it
    cr = cluster.get("ct", "my-new-cron-object")
    cr["status"] = {"replicas": 3, "labelSelector": "app=cron"}
    cr["spec"]["replicas"] = 7  # ignored through /status
    after_status = cluster.client.update(cr, subresource="status")
    assert after_status["status"] == {"replicas": 3, "labelSelector": "app=cron"}
    assert after_status["spec"]["replicas"] == 3
    assert after_status["metadata"]["generation"] == 1
    after_status["spec"]["replicas"] = 5
    after_status["status"] = {"replicas": 0}  # ignored through the main resource
    updated = cluster.client.update(after_status)
    assert updated["status"] == {"replicas": 3, "labelSelector": "app=cron"}
    assert updated["metadata"]["generation"] == 2


def test_kubectl_scale_sets_the_replicas_at_the_crds_spec_replicas_path(cluster):
    cluster.apply(SUBRESOURCES_CRD)
    cluster.apply(_my_crontab(replicas=3))
    assert cluster.kubectl("scale --replicas=5 crontabs/my-new-cron-object") == \
        "crontab.stable.example.com/my-new-cron-object scaled\n"
    assert cluster.kubectl("get crontabs my-new-cron-object -o jsonpath={.spec.replicas}") == "5"
    scale = cluster.client.get("crontabs", "my-new-cron-object", "default", subresource="scale")
    assert scale["spec"] == {"replicas": 5} and scale["status"] == {"replicas": 0}


def test_a_cluster_scoped_crd_serves_objects_without_a_namespace(cluster):
    cluster.apply(CRONTAB_CRD.replace("scope: Namespaced", "scope: Cluster"))
    live = cluster.apply(MY_CRONTAB)[0]
    assert "namespace" not in live["metadata"]
    assert cluster.kubectl("api-resources --api-group=stable.example.com") == (
        "NAME       SHORTNAMES   APIVERSION              NAMESPACED   KIND\n"
        "crontabs   ct           stable.example.com/v1   false        CronTab\n")


def test_rbac_authorizes_custom_resources_by_their_group(cluster):
    cluster.apply(CRONTAB_CRD)
    cluster.apply(MY_CRONTAB)
    alice = cluster.as_user("alice")
    with pytest.raises(StatusError) as err:
        alice.list("crontabs", "default")
    assert err.value.message == ('crontabs.stable.example.com is forbidden: User "alice" cannot list resource '
                                 '"crontabs" in API group "stable.example.com" in the namespace "default"')
    cluster.apply({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                   "metadata": {"name": "crontab-reader", "namespace": "default"},
                   "rules": [{"apiGroups": ["stable.example.com"], "resources": ["crontabs"],
                              "verbs": ["get", "list", "watch"]}]})
    cluster.kubectl("create rolebinding alice-reads --role=crontab-reader --user=alice")
    assert [c["metadata"]["name"] for c in alice.list("crontabs", "default")["items"]] == ["my-new-cron-object"]


def test_two_clusters_in_one_kernel_serve_their_own_crds():
    with labkube.Cluster(nodes=0, seed=0) as one, labkube.Cluster(nodes=0, seed=1) as two:
        one.apply(CRONTAB_CRD)
        one.apply(MY_CRONTAB)
        with pytest.raises(StatusError):
            two.apply(MY_CRONTAB)
        assert "crontabs" not in two.kubectl("api-resources")


# -- lifecycle --------------------------------------------------------------------------------


def test_deleting_the_crd_deletes_every_crontab_then_the_crd(cluster):
    cluster.apply(CRONTAB_CRD)
    cluster.apply(MY_CRONTAB)
    cluster.kubectl("create namespace dev")
    cluster.apply(MY_CRONTAB, namespace="dev")
    assert cluster.kubectl("delete crd crontabs.stable.example.com") == \
        'customresourcedefinition.apiextensions.k8s.io "crontabs.stable.example.com" deleted\n'
    assert cluster.kubectl("get crd") == "No resources found\n"  # cluster-scoped (real kubectl 1.32)
    assert cluster.kubectl("get crontabs") == 'error: the server doesn\'t have a resource type "crontabs"\n'
    cluster.apply(CRONTAB_CRD)  # "If you later recreate the same CustomResourceDefinition, it will start out empty."
    assert cluster.list("crontabs", all_namespaces=True) == []


def test_a_crd_waits_terminating_while_a_crontab_keeps_a_finalizer(cluster):
    cluster.apply(CRONTAB_CRD)
    cluster.apply(MY_CRONTAB.replace("metadata:\n", "metadata:\n  finalizers:\n  - stable.example.com/finalizer\n"))
    cluster.delete("crd", CRD_NAME)
    cluster.run(10)
    crd = _crd(cluster)
    assert crd["metadata"]["finalizers"] == ["customresourcecleanup.apiextensions.k8s.io"]
    assert _conditions(crd)["Terminating"] == ("True", "InstanceDeletionInProgress",
                                               "CustomResource deletion is in progress")
    assert cluster.get("ct", "my-new-cron-object")["metadata"]["deletionTimestamp"]
    with pytest.raises(StatusError) as err:
        cluster.apply(MY_CRONTAB.replace("my-new-cron-object", "another"))
    assert err.value.message == "create not allowed while custom resource definition is terminating"
    cluster.patch("ct", "my-new-cron-object", {"metadata": {"finalizers": None}}, patch_type="merge")
    cluster.run(5)
    with pytest.raises(StatusError):
        _crd(cluster)


def test_deleting_a_namespace_deletes_its_crontabs(cluster):
    cluster.apply(CRONTAB_CRD)
    cluster.kubectl("create namespace dev")
    cluster.apply(MY_CRONTAB, namespace="dev")
    cluster.apply(MY_CRONTAB)
    cluster.kubectl("delete namespace dev")
    cluster.run(10)
    with pytest.raises(StatusError):
        cluster.get("namespace", "dev")
    assert [(c["metadata"]["namespace"]) for c in cluster.list("crontabs", all_namespaces=True)] == ["default"]


def test_deleting_a_crontab_that_owns_a_deployment_deletes_the_deployment(cluster):
    cluster.apply(CRONTAB_CRD)
    owner = cluster.apply(MY_CRONTAB)[0]
    cluster.apply(_deployment_owned_by(owner))
    cluster.run(10)
    assert cluster.list("pods")
    cluster.delete("crontab", "my-new-cron-object")
    cluster.run(30)
    assert cluster.list("deployments") == []
    assert cluster.list("pods") == []


def test_a_crontab_whose_owner_is_gone_is_garbage_collected_once_the_collector_discovers_crontabs(cluster):
    cluster.apply(CRONTAB_CRD)
    owner = cluster.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owner"}})[0]
    cr = _my_crontab()
    cr["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                                          "uid": owner["metadata"]["uid"]}]
    cluster.apply(cr)
    cluster.delete("configmap", "owner")
    cluster.run(5)
    assert len(cluster.list("crontabs")) == 1  # the collector has not discovered crontabs yet
    cluster.run(25)  # its discovery period (30 s) has passed: it watches crontabs now
    assert cluster.list("crontabs") == []


# -- helpers -----------------------------------------------------------------------------------


def _my_crontab(**spec):
    return {"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "my-new-cron-object"},
            "spec": {"cronSpec": "* * * * */5", "image": "my-awesome-cron-image", **spec}}


def _deployment_owned_by(owner: dict) -> dict:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": owner["metadata"]["name"], "ownerReferences": [{
            "apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"crontab": owner["metadata"]["name"]}},
                 "template": {"metadata": {"labels": {"crontab": owner["metadata"]["name"]}},
                              "spec": {"containers": [{"name": "cron", "image": "busybox:1.36",
                                                       "command": ["sleep", "3600"]}]}}},
    }


def test_a_schema_change_applies_to_the_next_write(cluster):
    cluster.apply(CRONTAB_CRD)
    cluster.apply(MY_CRONTAB)
    cluster.apply(VALIDATED_CRD)
    with pytest.raises(StatusError) as err:
        cluster.patch("ct", "my-new-cron-object", {"spec": {"replicas": 15}}, patch_type="merge")
    assert err.value.message == ('CronTab.stable.example.com "my-new-cron-object" is invalid: spec.replicas: '
                                 "Invalid value: 15: spec.replicas in body should be less than or equal to 10")


def test_a_version_added_to_the_crd_serves_the_same_objects_in_its_apiversion(cluster):
    cluster.apply(CRONTAB_CRD)
    cluster.apply(MY_CRONTAB)
    crd = cluster.get("crd", CRD_NAME)
    v2 = {**crd["spec"]["versions"][0], "name": "v2", "storage": False}
    crd["spec"]["versions"].append(v2)
    cluster.client.update(crd)
    cluster.settle()
    assert cluster.client.get("crontabs.v2.stable.example.com", "my-new-cron-object", "default")["apiVersion"] == \
        "stable.example.com/v2"
    assert cluster.client.get("crontabs.v1.stable.example.com", "my-new-cron-object", "default")["apiVersion"] == \
        "stable.example.com/v1"
    # discovery prefers the highest version, as kubectl does
    assert cluster.kubectl("get crontabs -o jsonpath={.items[0].apiVersion}") == "stable.example.com/v2"


def test_a_dependent_of_an_owner_whose_kind_is_not_served_yet_is_kept_until_it_is(cluster):
    cluster.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "orphan", "ownerReferences": [
        {"apiVersion": "stable.example.com/v1", "kind": "CronTab", "name": "gone", "uid": "no-such-uid"}]}})
    cluster.run(60)  # the collector cannot tell whether a CronTab exists: it keeps asking
    assert cluster.get("configmap", "orphan")
    cluster.apply(CRONTAB_CRD)  # now it can: there is no such CronTab
    cluster.run(120)
    with pytest.raises(StatusError):
        cluster.get("configmap", "orphan")
