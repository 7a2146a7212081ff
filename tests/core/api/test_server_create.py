"""create: system fields, generateName, namespaces, status reset, admission, dry run."""

import pytest

from labkube.core.api import auth
from labkube.core.api.testing import deployment, new_server, pod
from labkube.core.errors import StatusError


@pytest.fixture
def env():
    return new_server()


def test_create_sets_uid_creation_timestamp_and_resource_version_from_the_store(env):
    before = env.store.revision
    created = env.admin.create(pod())
    meta = created["metadata"]
    assert meta["resourceVersion"] == str(before + 1) == str(env.store.revision)
    assert meta["creationTimestamp"] == "2025-01-01T00:00:00Z"
    assert len(meta["uid"]) == 36
    assert meta["namespace"] == "default"


def test_create_returns_a_fresh_copy_and_leaves_the_callers_dict_alone(env):
    body = pod()
    created = env.admin.create(body)
    assert "uid" not in body["metadata"]
    created["metadata"]["labels"] = {"changed": "yes"}
    assert "labels" not in env.admin.get("pods", "web")["metadata"]


def test_generate_name_appends_five_random_characters(env):
    created = env.admin.create({**pod(), "metadata": {"generateName": "web-"}})
    name = created["metadata"]["name"]
    assert name.startswith("web-") and len(name) == len("web-") + 5
    assert created["metadata"]["generateName"] == "web-"


def test_generate_name_is_deterministic_for_a_seed():
    names = []
    for _ in range(2):
        env = new_server(seed=7)
        names.append(env.admin.create({**pod(), "metadata": {"generateName": "web-"}})["metadata"]["name"])
    assert names[0] == names[1]


def test_generate_name_retries_when_the_generated_name_is_taken():
    first = new_server(seed=3)
    state = first.clock.rng.getstate()
    taken = first.admin.create({**pod(), "metadata": {"generateName": "x-"}})["metadata"]["name"]
    env = new_server(seed=3)
    env.admin.create(pod(name=taken))
    env.clock.rng.setstate(state)  # the next generated name will be `taken` again
    created = env.admin.create({**pod(), "metadata": {"generateName": "x-"}})
    assert created["metadata"]["name"] != taken
    assert created["metadata"]["name"].startswith("x-")


def test_creating_an_existing_name_is_409_already_exists(env):
    env.admin.create(pod())
    with pytest.raises(StatusError) as err:
        env.admin.create(pod())
    assert (err.value.code, err.value.reason) == (409, "AlreadyExists")
    assert err.value.message == 'pods "web" already exists'


def test_a_body_namespace_other_than_the_requests_is_a_bad_request(env):
    with pytest.raises(StatusError) as err:
        env.admin.create(pod(namespace="other"), namespace="default")
    assert err.value.code == 400
    assert err.value.message == (
        "the namespace of the provided object does not match the namespace sent on the request"
    )


def test_cluster_scoped_objects_drop_a_namespace(env):
    created = env.admin.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team", "namespace": "x"}})
    assert "namespace" not in created["metadata"]


@pytest.mark.parametrize(
    "obj, sent, kept",
    [
        (pod(), {"phase": "Running", "podIP": "10.0.0.1"}, {"phase": "Pending", "qosClass": "BestEffort"}),
        (deployment(), {"replicas": 5, "readyReplicas": 5}, {}),
        ({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}},
         {"phase": "Terminating"}, {"phase": "Active"}),
        ({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
          "spec": {"selector": {"a": "b"}, "ports": [{"port": 80}]}},
         {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}, {"loadBalancer": {}}),
    ],
    ids=["pod starts Pending", "deployment status is emptied", "namespace is Active",
         "service has an empty load balancer"],
)
def test_create_resets_status_for_kinds_with_a_status_subresource(env, obj, sent, kept):
    assert env.admin.create({**obj, "status": sent})["status"] == kept


def test_pod_qos_class_is_computed_on_create(env):
    body = pod()
    body["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1", "memory": "1Gi"}}
    assert env.admin.create(body)["status"]["qosClass"] == "Guaranteed"


@pytest.mark.parametrize(
    "kind_obj, generation",
    [(deployment(), 1), (pod(), None)],
    ids=["deployments start at generation 1", "pods have no generation in 1.32"],
)
def test_generation_on_create(env, kind_obj, generation):
    assert env.admin.create(kind_obj)["metadata"].get("generation") == generation


def test_namespace_gets_the_kubernetes_finalizer_and_the_metadata_name_label(env):
    created = env.admin.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    assert created["spec"] == {"finalizers": ["kubernetes"]}
    assert created["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team"}


def test_managed_fields_are_never_written(env):
    body = pod()
    body["metadata"]["managedFields"] = [{"manager": "kubectl"}]
    assert "managedFields" not in env.admin.create(body)["metadata"]


def test_a_resource_version_on_create_is_a_bad_request(env):
    with pytest.raises(StatusError) as err:
        env.admin.create(pod(resourceVersion="5"))
    assert err.value.message == "resourceVersion should not be set on objects to be created"


def test_dry_run_create_validates_fully_but_writes_nothing(env):
    revision = env.store.revision
    created = env.admin.create(pod(), dry_run=True)
    assert created["metadata"]["uid"] and "resourceVersion" not in created["metadata"]
    assert env.store.revision == revision
    with pytest.raises(StatusError) as err:
        env.admin.get("pods", "web")
    assert err.value.code == 404


def test_dry_run_create_still_reports_that_the_object_exists(env):
    env.admin.create(pod())
    with pytest.raises(StatusError) as err:
        env.admin.create(pod(), dry_run=True)
    assert err.value.reason == "AlreadyExists"


@pytest.mark.parametrize(
    "make_request",
    [
        lambda env: env.admin.create(pod(name="Bad_Name")),
        lambda env: env.admin.with_field_validation("Strict").create(  # kubectl's default
            {**pod(name="other"), "spec": {"containers": [{"name": "c", "image": "nginx", "imagePolicy": "x"}]}}),
        lambda env: env.as_user("mallory").create(pod(name="other")),
        lambda env: env.admin.create(pod()),
        lambda env: env.admin.create(pod(name="x"), namespace="missing"),
    ],
    ids=["an invalid name", "an unknown field", "a forbidden user", "a name that exists", "a missing namespace"],
)
def test_a_failed_create_leaves_the_store_revision_unchanged(env, make_request):
    env.admin.create(pod())
    revision = env.store.revision
    with pytest.raises(StatusError):
        make_request(env)
    assert env.store.revision == revision


def test_namespace_lifecycle_refuses_a_missing_namespace(env):
    with pytest.raises(StatusError) as err:
        env.admin.create(pod(), namespace="nowhere")
    assert (err.value.code, err.value.message) == (404, 'namespaces "nowhere" not found')


def test_namespace_lifecycle_refuses_creates_in_a_terminating_namespace(env):
    env.admin.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "old"}})
    env.admin.delete("namespaces", "old")
    with pytest.raises(StatusError) as err:
        env.admin.create(pod(), namespace="old")
    assert err.value.code == 403
    assert err.value.message == (
        'pods "web" is forbidden: unable to create new content in namespace old '
        "because it is being terminated"
    )
    assert err.value.causes[-1]["reason"] == "NamespaceTerminating"


def test_service_account_admission_requires_the_account(env):
    env.admin.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bare"}})
    with pytest.raises(StatusError) as err:
        env.admin.create(pod(), namespace="bare")
    assert err.value.message == (
        'pods "web" is forbidden: error looking up service account bare/default: '
        'serviceaccount "default" not found'
    )


def test_pods_get_the_service_account_token_volume_and_default_tolerations(env):
    spec = env.admin.create(pod())["spec"]
    assert spec["serviceAccountName"] == "default"
    assert spec["volumes"][0]["name"].startswith("kube-api-access-")
    assert spec["containers"][0]["volumeMounts"][0]["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount"
    assert [t["key"] for t in spec["tolerations"]] == ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
    assert (spec["priority"], spec["preemptionPolicy"]) == (0, "PreemptLowerPriority")


def test_every_request_is_audited_including_denied_ones(env):
    since = env.audit.last_seq
    env.admin.create(pod())
    with pytest.raises(StatusError):
        env.as_user("alice").get("pods", "web")
    records = env.audit.records(since)
    assert [(r.user, r.verb, r.resource, r.name, r.code, r.decision) for r in records] == [
        ("kubernetes-super-admin", "create", "pods", "web", 201, "allow"),
        ("alice", "get", "pods", "web", 403, "forbid"),
    ]
