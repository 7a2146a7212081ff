"""Garbage collector: a Deployment -> ReplicaSet -> Pod chain built by hand with ownerReferences."""

from labkube.core.controllers.garbage_collector import GarbageCollector
from tests.core.controllers.helpers import add_pod, new_env, start_manager


def owner_ref(obj, block=True):
    return {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"], "controller": True, "blockOwnerDeletion": block}


def chain(env):
    deploy = env.admin.create({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    rs = env.admin.create({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": "web-abc", "namespace": "default", "ownerReferences": [owner_ref(deploy)]},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    add_pod(env, "web-abc-1", labels={"app": "web"}, owner=owner_ref(rs))
    add_pod(env, "web-abc-2", labels={"app": "web"}, owner=owner_ref(rs))
    return deploy, rs


def names(env, resource):
    return [o["metadata"]["name"] for o in env.admin.list(resource, "default")["items"]]


def setup():
    env = new_env()
    manager = start_manager(env, [GarbageCollector])
    return env, manager


def test_background_deletion_removes_the_whole_chain():
    env, manager = setup()
    chain(env)
    env.clock.run(1)
    env.admin.delete("deployments", "web", "default")
    env.clock.run(1)
    assert (names(env, "replicasets"), names(env, "pods")) == ([], [])
    assert manager.error_log.entries == []


def test_foreground_deletion_deletes_dependents_first_then_the_owner():
    env, _ = setup()
    chain(env)
    env.clock.run(1)
    env.admin.delete("deployments", "web", "default", propagation_policy="Foreground")
    deploy = env.admin.get("deployments", "web", "default")
    assert deploy["metadata"]["finalizers"] == ["foregroundDeletion"]
    env.clock.run(1)
    assert (names(env, "deployments"), names(env, "replicasets"), names(env, "pods")) == ([], [], [])


def test_a_foreground_owner_waits_while_a_blocking_dependent_is_held_by_a_finalizer():
    env, _ = setup()
    deploy, rs = chain(env)
    rs = env.admin.get("replicasets", "web-abc", "default")
    rs["metadata"]["finalizers"] = ["example.com/hold"]
    env.admin.update(rs)
    env.clock.run(1)
    env.admin.delete("deployments", "web", "default", propagation_policy="Foreground")
    env.clock.run(5)
    assert names(env, "deployments") == ["web"]
    rs = env.admin.get("replicasets", "web-abc", "default")
    rs["metadata"].pop("finalizers")
    env.admin.update(rs)
    env.clock.run(1)
    assert (names(env, "deployments"), names(env, "replicasets")) == ([], [])


def test_orphan_deletion_keeps_dependents_and_removes_their_owner_reference():
    env, _ = setup()
    chain(env)
    env.clock.run(1)
    env.admin.delete("deployments", "web", "default", propagation_policy="Orphan")
    env.clock.run(1)
    assert names(env, "deployments") == []
    rs = env.admin.get("replicasets", "web-abc", "default")
    assert "ownerReferences" not in rs["metadata"]
    assert names(env, "pods") == ["web-abc-1", "web-abc-2"]


def test_a_dependent_whose_owner_never_existed_is_deleted():
    env, _ = setup()
    ghost = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "ghost", "uid": "0000"}}
    add_pod(env, "stray", owner=owner_ref(ghost))
    env.clock.run(1)
    assert names(env, "pods") == []


def test_an_owner_with_a_different_uid_counts_as_gone():
    env, _ = setup()
    rs = env.admin.create({
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-abc", "namespace": "default"},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    stale = dict(owner_ref(rs), uid="not-" + rs["metadata"]["uid"])
    add_pod(env, "stale", owner=stale)
    env.clock.run(1)
    assert names(env, "pods") == []


def test_a_dependent_with_one_live_owner_only_loses_the_dead_reference():
    env, _ = setup()
    deploy, rs = chain(env)
    pod = env.admin.get("pods", "web-abc-1", "default")
    pod["metadata"]["ownerReferences"].append(dict(owner_ref(deploy), controller=False))
    env.admin.update(pod)
    env.clock.run(1)
    env.admin.delete("replicasets", "web-abc", "default")
    env.clock.run(1)
    assert names(env, "pods") == ["web-abc-1"]
    refs = env.admin.get("pods", "web-abc-1", "default")["metadata"]["ownerReferences"]
    assert [r["kind"] for r in refs] == ["Deployment"]


def test_dependents_of_an_owner_deleted_before_the_collector_started_are_collected():
    env = new_env()
    chain(env)
    env.admin.delete("deployments", "web", "default", propagation_policy="Orphan")
    rs = env.admin.get("replicasets", "web-abc", "default")
    env.admin.delete("replicasets", "web-abc", "default")  # no collector yet: pods stay
    assert names(env, "pods") == ["web-abc-1", "web-abc-2"]
    start_manager(env, [GarbageCollector])
    env.clock.run(1)
    assert names(env, "pods") == []
    assert rs["metadata"]["uid"]
