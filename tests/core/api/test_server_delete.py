"""delete: what is returned, graceful pods, finalizers, propagation, namespaces, collections."""

import pytest

from labkube.core.api.testing import deployment, new_server, pod
from labkube.core.errors import StatusError



@pytest.fixture
def env():
    return new_server()


def configmap(name="cm", **meta):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, **meta}, "data": {"k": "v"}}


def bound_pod(env, name="web", grace=None):
    body = pod(name)
    if grace is not None:
        body["spec"]["terminationGracePeriodSeconds"] = grace
    env.admin.create(body)
    env.admin.create({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name},
                      "target": {"kind": "Node", "name": "node-1"}}, subresource="binding")


def test_an_immediate_delete_returns_a_success_status_naming_the_object(env):
    created = env.admin.create(deployment())
    assert env.admin.delete("deploy", "web") == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
        "details": {"name": "web", "group": "apps", "kind": "deployments", "uid": created["metadata"]["uid"]},
    }


def test_core_group_status_details_have_no_group(env):
    env.admin.create(configmap())
    assert "group" not in env.admin.delete("configmaps", "cm")["details"]


@pytest.mark.parametrize("resource, obj", [
    ("pods", pod()),
    ("services", {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                  "spec": {"selector": {"a": "b"}, "ports": [{"port": 80}]}}),
    ("serviceaccounts", {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web"}}),
], ids=["pods", "services", "serviceaccounts"])
def test_kinds_with_return_deleted_object_return_the_object(env, resource, obj):
    env.admin.create(obj)
    deleted = env.admin.delete(resource, "web")
    assert deleted["kind"] == obj["kind"] and deleted["metadata"]["name"] == "web"


def test_deleting_a_missing_object_is_not_found(env):
    with pytest.raises(StatusError) as err:
        env.admin.delete("configmaps", "ghost")
    assert (err.value.code, err.value.message) == (404, 'configmaps "ghost" not found')


def test_an_unbound_pod_is_removed_at_once(env):
    env.admin.create(pod())
    env.admin.delete("pods", "web")
    with pytest.raises(StatusError):
        env.admin.get("pods", "web")


def test_a_bound_pod_waits_its_grace_period_for_the_kubelet(env):
    bound_pod(env, grace=45)
    deleted = env.admin.delete("pods", "web")
    assert deleted["metadata"]["deletionTimestamp"] == "2025-01-01T00:00:45Z"
    assert deleted["metadata"]["deletionGracePeriodSeconds"] == 45
    assert env.admin.get("pods", "web")["metadata"]["deletionTimestamp"] == "2025-01-01T00:00:45Z"


def test_a_grace_period_option_overrides_the_pods_own(env):
    bound_pod(env)
    deleted = env.admin.delete("pods", "web", grace_period_seconds=5)
    assert deleted["metadata"]["deletionGracePeriodSeconds"] == 5


def test_a_second_delete_may_only_shorten_the_grace_period(env):
    bound_pod(env)
    env.admin.delete("pods", "web")
    revision = env.store.revision
    env.admin.delete("pods", "web", grace_period_seconds=60)
    assert env.store.revision == revision
    shortened = env.admin.delete("pods", "web", grace_period_seconds=10)
    assert shortened["metadata"]["deletionGracePeriodSeconds"] == 10
    assert shortened["metadata"]["deletionTimestamp"] == "2025-01-01T00:00:10Z"


def test_grace_period_zero_removes_a_bound_pod_at_once(env):
    bound_pod(env)
    env.admin.delete("pods", "web", grace_period_seconds=0)
    with pytest.raises(StatusError):
        env.admin.get("pods", "web")


def test_finalizers_keep_an_object_until_they_are_removed(env):
    env.admin.create(configmap(finalizers=["example.com/hold"]))
    held = env.admin.delete("configmaps", "cm")
    assert held["kind"] == "ConfigMap" and held["metadata"]["deletionTimestamp"] == "2025-01-01T00:00:00Z"
    assert env.admin.get("configmaps", "cm")["metadata"]["finalizers"] == ["example.com/hold"]


def test_deleting_an_object_with_finalizers_bumps_its_generation(env):
    body = deployment()
    body["metadata"]["finalizers"] = ["example.com/hold"]
    env.admin.create(body)
    assert env.admin.delete("deploy", "web")["metadata"]["generation"] == 2


@pytest.mark.parametrize("policy, finalizer", [
    ("Orphan", "orphan"),
    ("Foreground", "foregroundDeletion"),
])
def test_propagation_policies_that_need_the_garbage_collector_add_its_finalizer(env, policy, finalizer):
    env.admin.create(deployment())
    held = env.admin.delete("deploy", "web", propagation_policy=policy)
    assert held["metadata"]["finalizers"] == [finalizer]
    assert held["metadata"]["deletionTimestamp"]


def test_background_propagation_deletes_now(env):
    env.admin.create(deployment())
    assert env.admin.delete("deploy", "web", propagation_policy="Background")["status"] == "Success"


def test_an_unknown_propagation_policy_is_invalid(env):
    env.admin.create(configmap())
    with pytest.raises(StatusError) as err:
        env.admin.delete("configmaps", "cm", propagation_policy="Sideways")
    assert err.value.message == (
        'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": '
        'supported values: "Foreground", "Background", "Orphan", "nil"'
    )


@pytest.mark.parametrize("preconditions, why", [
    ({"uid": "nope"}, "Precondition failed: UID in precondition: nope, UID in object meta: {uid}"),
    ({"resourceVersion": "1"}, "Precondition failed: ResourceVersion in precondition: 1, "
                               "ResourceVersion in object meta: {rv}"),
], ids=["uid", "resourceVersion"])
def test_failed_preconditions_are_conflicts(env, preconditions, why):
    created = env.admin.create(configmap())
    with pytest.raises(StatusError) as err:
        env.admin.delete("configmaps", "cm", preconditions=preconditions)
    meta = created["metadata"]
    assert err.value.code == 409
    assert err.value.message == (
        'Operation cannot be fulfilled on configmaps "cm": '
        + why.format(uid=meta["uid"], rv=meta["resourceVersion"])
    )


def test_dry_run_delete_leaves_the_store_unchanged(env):
    env.admin.create(configmap())
    revision = env.store.revision
    env.admin.delete("configmaps", "cm", dry_run=True)
    assert env.store.revision == revision
    assert env.admin.get("configmaps", "cm")


def test_deleting_a_namespace_marks_it_terminating_and_keeps_it(env):
    env.admin.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    deleted = env.admin.delete("namespaces", "team")
    assert deleted["status"] == {"phase": "Terminating"}
    assert deleted["metadata"]["deletionTimestamp"]
    assert env.admin.get("namespaces", "team")["status"]["phase"] == "Terminating"


def test_a_terminating_namespace_with_finalizers_refuses_a_second_delete(env):
    env.admin.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    env.admin.delete("namespaces", "team")
    with pytest.raises(StatusError) as err:
        env.admin.delete("namespaces", "team")
    assert err.value.message == (
        'Operation cannot be fulfilled on namespaces "team": The system is ensuring all content is '
        "removed from this namespace.  Upon completion, this namespace will automatically be purged "
        "by the system."
    )


def test_a_finalized_namespace_is_removed_by_the_next_delete(env):
    env.admin.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    ns = env.admin.delete("namespaces", "team")
    ns["spec"]["finalizers"] = []
    finalized = env.admin.update(ns, subresource="finalize")
    assert "finalizers" not in finalized["spec"]
    env.admin.delete("namespaces", "team")
    with pytest.raises(StatusError) as err:
        env.admin.get("namespaces", "team")
    assert err.value.code == 404


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public"])
def test_system_namespaces_may_not_be_deleted(name):
    env = new_server(namespaces=("default", "kube-system", "kube-public"))
    with pytest.raises(StatusError) as err:
        env.admin.delete("namespaces", name)
    assert err.value.message == f'namespaces "{name}" is forbidden: this namespace may not be deleted'


def test_delete_collection_deletes_what_the_selector_matches(env):
    for name, tier in (("a", "front"), ("b", "front"), ("c", "back")):
        env.admin.create(configmap(name, labels={"tier": tier}))
    deleted = env.admin.delete_collection("configmaps", "default", label_selector="tier=front")
    assert [i["metadata"]["name"] for i in deleted["items"]] == ["a", "b"]
    assert [i["metadata"]["name"] for i in env.admin.list("configmaps")["items"]] == ["c"]
