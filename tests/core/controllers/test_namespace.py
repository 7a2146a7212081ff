"""Namespace deletion empties the namespace, then removes it; ServiceAccount "default" per namespace."""

from labkube.core.controllers.namespace import NamespaceController
from labkube.core.controllers.serviceaccount import ServiceAccountsController
from labkube.core.errors import StatusError
from tests.core.controllers.helpers import add_pod, new_env, start_manager


def setup():
    env = new_env()
    manager = start_manager(env, [NamespaceController, ServiceAccountsController])
    env.admin.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    env.clock.run(1)
    return env, manager


def exists(env, resource, name, namespace=None):
    try:
        env.admin.get(resource, name, namespace)
        return True
    except StatusError as err:
        assert err.code == 404
        return False


def conditions(env, name="dev"):
    ns = env.admin.get("namespaces", name)
    return {c["type"]: (c["status"], c["reason"], c["message"]) for c in ns["status"].get("conditions") or []}


def test_a_new_namespace_gets_the_default_service_account():
    env, _ = setup()
    assert exists(env, "serviceaccounts", "default", "dev")


def test_a_deleted_default_service_account_is_recreated():
    env, _ = setup()
    env.admin.delete("serviceaccounts", "default", "dev")
    env.clock.run(1)
    assert exists(env, "serviceaccounts", "default", "dev")


def test_deleting_a_namespace_deletes_its_content_and_then_the_namespace():
    env, manager = setup()
    add_pod(env, "web", namespace="dev")
    env.admin.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "dev"}})
    env.admin.delete("namespaces", "dev")
    env.clock.run(1)
    assert not exists(env, "namespaces", "dev")
    assert env.admin.list("configmaps", "dev")["items"] == []
    assert env.admin.list("pods", "dev")["items"] == []
    assert manager.error_log.entries == []


def test_a_namespace_waits_for_pods_that_shut_down_gracefully_and_says_so():
    env, _ = setup()
    bound = add_pod(env, "web", namespace="dev", node="node-1")  # bound pods wait for their kubelet
    env.admin.delete("namespaces", "dev")
    env.clock.run(1)
    assert env.admin.get("namespaces", "dev")["status"]["phase"] == "Terminating"
    found = conditions(env)
    assert found["NamespaceContentRemaining"] == (
        "True", "SomeResourcesRemain", "Some resources are remaining: pods. has 1 resource instances")
    assert found["NamespaceDeletionDiscoveryFailure"] == (
        "False", "ResourcesDiscovered", "All resources successfully discovered")
    assert found["NamespaceFinalizersRemaining"] == (
        "False", "ContentHasNoFinalizers", "All content-preserving finalizers finished")
    env.admin.delete("pods", "web", "dev", grace_period_seconds=0)  # what the kubelet would finish
    env.clock.run(20)
    assert not exists(env, "namespaces", "dev")
    assert bound["metadata"]["name"] == "web"


def test_objects_held_by_finalizers_are_reported():
    env, _ = setup()
    env.admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": "held", "namespace": "dev", "finalizers": ["example.com/hold"]}})
    env.admin.delete("namespaces", "dev")
    env.clock.run(1)
    found = conditions(env)
    assert found["NamespaceFinalizersRemaining"] == (
        "True", "SomeFinalizersRemain",
        "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances")
    cm = env.admin.get("configmaps", "held", "dev")
    cm["metadata"].pop("finalizers")
    env.admin.update(cm)
    env.clock.run(10)
    assert not exists(env, "namespaces", "dev")


def test_no_service_account_is_created_in_a_terminating_namespace():
    env, _ = setup()
    env.admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": "held", "namespace": "dev", "finalizers": ["example.com/hold"]}})
    env.admin.delete("namespaces", "dev")
    env.clock.run(5)
    assert not exists(env, "serviceaccounts", "default", "dev")
