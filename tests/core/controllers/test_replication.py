"""The ReplicationController controller: the ReplicaSet controller's code over RCs — pods with
an RC controller reference, events from ``replication-controller``, adoption and release by the
RC's label-map selector, ReplicaFailure, and no work at all while no RC exists."""

from __future__ import annotations

import re

import pytest

from labkube.core.controllers.replicaset import ReplicaSetController
from labkube.core.controllers.replication import ReplicationManager

from .test_replicaset import RefusePods, orphan
from .workloads_sim import PodSimulator, condition, events, new_env, pods_of, start


def rc(name="web", replicas=3, labels=None, selector=None):
    labels = labels or {"app": name}
    obj = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": name, "namespace": "default"},
           "spec": {"replicas": replicas,
                    "template": {"metadata": {"labels": dict(labels)},
                                 "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    if selector is not None:
        obj["spec"]["selector"] = selector
    return obj


def get_rc(env, name="web"):
    return env.admin.get("replicationcontrollers", name, "default")


@pytest.fixture
def env():
    return new_env()


def test_a_new_rc_creates_its_pods_with_an_rc_controller_reference_and_replication_controller_events(env):
    start(env, ReplicationManager)
    created_rc = env.admin.create(rc(replicas=3))
    env.clock.run(1)
    pods = pods_of(env)
    assert len(pods) == 3
    for pod in pods:
        assert re.fullmatch(r"web-\w{5}", pod["metadata"]["name"]) and pod["metadata"]["generateName"] == "web-"
        assert pod["metadata"]["ownerReferences"] == [{
            "apiVersion": "v1", "kind": "ReplicationController", "name": "web",
            "uid": created_rc["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
    created = events(env, "SuccessfulCreate")
    assert sorted(e["message"] for e in created) == sorted(f"Created pod: {p['metadata']['name']}" for p in pods)
    assert {e["source"]["component"] for e in created} == {"replication-controller"}
    assert {(e["involvedObject"]["apiVersion"], e["involvedObject"]["kind"]) for e in created} == {
        ("v1", "ReplicationController")}


def test_the_selector_defaulted_from_the_template_selects_the_pods(env):
    start(env, ReplicationManager)
    env.admin.create(rc(replicas=2, labels={"app": "web", "tier": "front"}))
    env.clock.run(1)
    assert get_rc(env)["spec"]["selector"] == {"app": "web", "tier": "front"}
    assert len(pods_of(env, label_selector="app=web,tier=front")) == 2


def test_status_counts_replicas_and_ready_pods_in_the_rc_status_field_order(env):
    start(env, ReplicationManager)
    PodSimulator(env, ready_after=2)
    env.admin.create(rc(replicas=2))
    env.clock.run(5)
    status = get_rc(env)["status"]
    assert list(status) == ["replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas",
                            "observedGeneration"]
    assert status == {"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 2,
                      "observedGeneration": 1}


def test_scaling_down_deletes_pods_with_successful_delete_events(env):
    start(env, ReplicationManager)
    env.admin.create(rc(replicas=4))
    env.clock.run(1)
    env.admin.patch("replicationcontrollers", "web", {"spec": {"replicas": 1}}, namespace="default")
    env.clock.run(1)
    assert len(pods_of(env)) == 1
    deleted = events(env, "SuccessfulDelete")
    assert len(deleted) == 3 and {e["source"]["component"] for e in deleted} == {"replication-controller"}


def test_a_deleted_pod_is_replaced(env):
    start(env, ReplicationManager)
    env.admin.create(rc(replicas=2))
    env.clock.run(1)
    victim = pods_of(env)[0]["metadata"]["name"]
    env.admin.delete("pods", victim, "default")
    env.clock.run(1)
    names = [p["metadata"]["name"] for p in pods_of(env)]
    assert len(names) == 2 and victim not in names


def test_a_matching_orphan_is_adopted_by_the_label_map_selector(env):
    start(env, ReplicationManager)
    orphan(env, "stray", {"app": "web", "extra": "yes"})
    orphan(env, "other", {"app": "api"})
    created_rc = env.admin.create(rc(replicas=2))
    env.clock.run(1)
    stray = env.admin.get("pods", "stray", "default")
    assert stray["metadata"]["ownerReferences"][0]["uid"] == created_rc["metadata"]["uid"]
    assert stray["metadata"]["ownerReferences"][0]["kind"] == "ReplicationController"
    assert not env.admin.get("pods", "other", "default")["metadata"].get("ownerReferences")
    assert len(events(env, "SuccessfulCreate")) == 1


def test_a_pod_whose_labels_stop_matching_is_released_and_replaced(env):
    start(env, ReplicationManager)
    env.admin.create(rc(replicas=2))
    env.clock.run(1)
    name = pods_of(env)[0]["metadata"]["name"]
    env.admin.patch("pods", name, {"metadata": {"labels": {"app": "debug"}}}, namespace="default")
    env.clock.run(1)
    assert not env.admin.get("pods", name, "default")["metadata"].get("ownerReferences")
    assert len(pods_of(env, label_selector="app=web")) == 2


def test_a_replicaset_and_an_rc_with_the_same_labels_do_not_take_each_others_pods(env):
    start(env, ReplicaSetController, ReplicationManager)
    env.admin.create({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs", "namespace": "default"},
                      "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                               "template": {"metadata": {"labels": {"app": "web"}},
                                            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    env.clock.run(1)
    env.admin.create(rc(replicas=1))
    env.clock.run(1)
    kinds = sorted(p["metadata"]["ownerReferences"][0]["kind"] for p in pods_of(env))
    assert kinds == ["ReplicaSet", "ReplicaSet", "ReplicationController"]


def test_a_refused_creation_sets_the_replica_failure_condition_until_creation_succeeds(env):
    plugin = env.server.admission.register(RefusePods())
    start(env, ReplicationManager)
    env.admin.create(rc(replicas=3))
    env.clock.run(0)
    cond = condition(get_rc(env), "ReplicaFailure")
    assert (cond["status"], cond["reason"]) == ("True", "FailedCreate")
    assert re.fullmatch(r'pods "web-\w{5}" is forbidden: exceeded quota: .*', cond["message"])
    assert events(env, "FailedCreate")[0]["message"].startswith("Error creating: pods \"web-")
    plugin.on = False
    env.clock.run(30)
    assert len(pods_of(env)) == 3 and condition(get_rc(env), "ReplicaFailure") is None


def test_pod_events_cost_the_rc_controller_no_lookups_while_no_rc_exists(env):
    manager = start(env, ReplicaSetController, ReplicationManager)
    controller = manager.by_name["replication-controller"]
    lookups = []
    controller._resolve = lambda *args: lookups.append(args)
    controller._pod_replica_sets = lambda pod: lookups.append(pod) or []
    env.admin.create({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs", "namespace": "default"},
                      "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                               "template": {"metadata": {"labels": {"app": "web"}},
                                            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    orphan(env, "lonely", {"app": "stray"})
    PodSimulator(env, ready_after=1)
    env.clock.run(3)
    assert len(pods_of(env)) == 4 and lookups == []
    env.admin.create(rc(name="late", replicas=0))
    env.clock.run(1)
    orphan(env, "second", {"app": "late"})
    env.clock.run(1)
    assert lookups  # with an RC in the cache, pod events are looked at again
