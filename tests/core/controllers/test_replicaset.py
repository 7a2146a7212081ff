"""The ReplicaSet controller: pods to match replicas, slow start, claiming, ranking, status, events."""

from __future__ import annotations

import re

import pytest

from labkube.core.api import admission
from labkube.core.controllers.replicaset import ReplicaSetController, slow_start_batch
from labkube.core.errors import StatusError

from .workloads_sim import PodSimulator, condition, events, new_env, pods_of, set_ready, start


def replica_set(name="web", replicas=3, labels=None, min_ready=0):
    labels = labels or {"app": name}
    rs = {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)},
                 "template": {"metadata": {"labels": dict(labels)},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
    }
    if min_ready:
        rs["spec"]["minReadySeconds"] = min_ready
    return rs


def orphan(env, name, labels, node=""):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default", "labels": labels},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    if node:
        pod["spec"]["nodeName"] = node
    return env.admin.create(pod)


def get_rs(env, name="web"):
    return env.admin.get("replicasets", name, "default")


@pytest.fixture
def env():
    return new_env()


# -- creating and deleting ----------------------------------------------------------------------

def test_a_new_replica_set_creates_its_pods_with_generated_names_and_a_controller_reference(env):
    start(env, ReplicaSetController)
    rs = env.admin.create(replica_set(replicas=3))
    env.clock.run(1)
    pods = pods_of(env)
    assert len(pods) == 3
    for pod in pods:
        assert re.fullmatch(r"web-[bcdfghjklmnpqrstvwxz2456789]{5}", pod["metadata"]["name"])
        assert pod["metadata"]["generateName"] == "web-"
        assert pod["metadata"]["labels"] == {"app": "web"}
        assert pod["metadata"]["ownerReferences"] == [{
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": rs["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True}]
    created = events(env, "SuccessfulCreate")
    assert sorted(e["message"] for e in created) == sorted(f"Created pod: {p['metadata']['name']}" for p in pods)
    assert {e["source"]["component"] for e in created} == {"replicaset-controller"}
    assert {e["involvedObject"]["kind"] for e in created} == {"ReplicaSet"}


def test_scaling_down_deletes_pods_and_records_successful_delete_events(env):
    start(env, ReplicaSetController)
    env.admin.create(replica_set(replicas=4))
    env.clock.run(1)
    env.admin.patch("replicasets", "web", {"spec": {"replicas": 1}}, namespace="default")
    env.clock.run(1)
    remaining = pods_of(env)
    assert len(remaining) == 1
    deleted = events(env, "SuccessfulDelete")
    assert len(deleted) == 3
    assert all(re.fullmatch(r"Deleted pod: web-\w{5}", e["message"]) for e in deleted)
    assert f"Deleted pod: {remaining[0]['metadata']['name']}" not in {e["message"] for e in deleted}


def test_a_deleted_pod_is_replaced(env):
    start(env, ReplicaSetController)
    env.admin.create(replica_set(replicas=2))
    env.clock.run(1)
    victim = pods_of(env)[0]["metadata"]["name"]
    env.admin.delete("pods", victim, "default")
    env.clock.run(1)
    names = [p["metadata"]["name"] for p in pods_of(env)]
    assert len(names) == 2 and victim not in names


def test_pending_creations_are_not_repeated_before_the_informer_sees_them(env):
    manager = start(env, ReplicaSetController)
    controller = manager.by_name["replicaset-controller"]
    env.admin.create(replica_set(replicas=3))
    controller.rs_informer.pump()  # the controller sees the ReplicaSet, not yet its new pods
    controller.sync("default/web")
    assert controller.expectations.get("default/web") == (3, 0)
    controller.sync("default/web")  # the cache still shows no pods: expectations hold it back
    assert len(pods_of(env)) == 3
    controller.pod_informer.pump()
    assert controller.expectations.get("default/web") == (0, 0)
    env.clock.run(1)
    assert len(pods_of(env)) == 3 and len(events(env, "SuccessfulCreate")) == 3


# -- slow start ----------------------------------------------------------------------------------

@pytest.mark.parametrize("count, fail_on, calls, successes", [
    (10, None, 10, 10),   # batches 1, 2, 4, 3
    (10, 1, 1, 0),        # the first batch fails: nothing more is tried
    (10, 2, 3, 2),        # batch 2 (calls 2-3) fails at its first call; its other call still runs
    (10, 4, 7, 6),        # batch 3 (calls 4-7) fails: 1 + 2 + 3 successes
    (3, None, 3, 3),
    (0, None, 0, 0),
])
def test_slow_start_batches_double_and_stop_after_a_failing_batch(count, fail_on, calls, successes):
    made = []

    def fn():
        made.append(len(made) + 1)
        if len(made) == fail_on:
            raise StatusError(403, "Forbidden", "no")

    got, err = slow_start_batch(count, 1, fn)
    assert (len(made), got, err is not None) == (calls, successes, fail_on is not None)


class RefusePods:
    """A quota-like admission plugin (test-side) refusing pod creations while ``on``."""

    name = "TestRefusePods"

    def __init__(self):
        self.on = True
        self.attempts = 0

    def validate(self, attrs):
        if attrs.operation == admission.CREATE and attrs.is_pod() and self.on:
            self.attempts += 1
            raise admission.forbidden(attrs, "exceeded quota: pods, requested: pods=1, used: pods=0, limited: pods=0")


def test_a_refused_creation_stops_the_batch_and_sets_a_replica_failure_condition(env):
    plugin = env.server.admission.register(RefusePods())
    start(env, ReplicaSetController)
    env.admin.create(replica_set(replicas=10))
    env.clock.run(0)  # the syncs at t=0 (the add, then the status update); retries back off from 5 ms
    # validating admission sees the generated name, as ResourceQuota does in Kubernetes
    message = re.compile(r'pods "web-\w{5}" is forbidden: exceeded quota: pods, requested: pods=1, '
                         r"used: pods=0, limited: pods=0")
    failed = events(env, "FailedCreate")
    assert len(failed) == plugin.attempts == 2  # one pod per sync, not 10
    assert failed[0]["type"] == "Warning" and message.fullmatch(failed[0]["message"].removeprefix("Error creating: "))
    cond = condition(get_rs(env), "ReplicaFailure")
    assert {k: cond[k] for k in ("type", "status", "lastTransitionTime", "reason")} == {
        "type": "ReplicaFailure", "status": "True", "lastTransitionTime": "2025-01-01T00:00:00Z",
        "reason": "FailedCreate"}
    assert message.fullmatch(cond["message"])
    plugin.on = False
    env.clock.run(30)  # the rate-limited retry succeeds
    rs = get_rs(env)
    assert len(pods_of(env)) == 10 and condition(rs, "ReplicaFailure") is None


# -- adoption and release ------------------------------------------------------------------------

def test_a_matching_orphan_is_adopted_instead_of_creating_a_new_pod(env):
    start(env, ReplicaSetController)
    orphan(env, "stray", {"app": "web"})
    rs = env.admin.create(replica_set(replicas=2))
    env.clock.run(1)
    stray = env.admin.get("pods", "stray", "default")
    assert stray["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]
    assert len(pods_of(env)) == 2
    assert len(events(env, "SuccessfulCreate")) == 1


def test_a_pod_whose_labels_stop_matching_is_released_and_replaced(env):
    start(env, ReplicaSetController)
    env.admin.create(replica_set(replicas=2))
    env.clock.run(1)
    name = pods_of(env)[0]["metadata"]["name"]
    env.admin.patch("pods", name, {"metadata": {"labels": {"app": "debug"}}}, namespace="default")
    env.clock.run(1)
    released = env.admin.get("pods", name, "default")
    assert not released["metadata"].get("ownerReferences")
    assert len(pods_of(env, label_selector="app=web")) == 2


def test_a_pod_controlled_by_another_owner_is_left_alone(env):
    start(env, ReplicaSetController)
    pod = orphan(env, "taken", {"app": "web"})
    env.admin.patch("pods", "taken", {"metadata": {"ownerReferences": [{
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "other", "uid": "0000",
        "controller": True}]}}, namespace="default")
    env.admin.create(replica_set(replicas=1))
    env.clock.run(1)
    assert env.admin.get("pods", "taken", "default")["metadata"]["ownerReferences"][0]["uid"] == "0000"
    assert pod["metadata"]["uid"] and len(pods_of(env, label_selector="app=web")) == 2


# -- which pods go first -------------------------------------------------------------------------

def _scale_down_one(env, make):
    """Create two orphans set up by ``make``, adopt them with replicas=2, scale to 1: who survives?"""
    start(env, ReplicaSetController)
    make(env)
    env.admin.create(replica_set(replicas=2))
    env.clock.run(1)
    env.clock.run(5)
    env.admin.patch("replicasets", "web", {"spec": {"replicas": 1}}, namespace="default")
    env.clock.run(1)
    return [p["metadata"]["name"] for p in pods_of(env) if not p["metadata"].get("deletionTimestamp")]


def _pair(first_node="", second_node="", first=None, second=None, first_at=0, second_at=0):
    def make(env):
        env.clock.run(first_at)
        a = orphan(env, "a", {"app": "web"}, first_node)
        env.clock.run(second_at)
        b = orphan(env, "b", {"app": "web"}, second_node)
        for pod, spec in ((a, first), (b, second)):
            if spec is not None:
                set_ready(env, pod, **spec)
    return make


@pytest.mark.parametrize("description, make, survivor", [
    ("an unscheduled pod goes before a scheduled one",
     _pair("", "node-1"), "b"),
    ("a pending pod goes before a running one",
     _pair("n", "n", {"ready": False, "phase": "Pending"}, {"ready": False, "phase": "Running"}), "b"),
    ("a pod in phase Unknown goes before a running one",
     _pair("n", "n", {"ready": False, "phase": "Running"}, {"ready": False, "phase": "Unknown"}), "a"),
    ("a not-ready pod goes before a ready one",
     _pair("n", "n", {"ready": True}, {"ready": False}), "a"),
    ("the pod with more restarts goes first",
     _pair("n", "n", {"ready": False, "restarts": 3}, {"ready": False, "restarts": 1}), "b"),
    ("the newer pod goes first",
     _pair("n", "n", first_at=0, second_at=100), "a"),
])
def test_scaling_down_deletes_the_least_valuable_pod_first(env, description, make, survivor):
    assert _scale_down_one(env, make) == [survivor], description


def test_a_pod_ready_for_less_time_goes_before_one_ready_longer(env):
    def make(env):
        a = orphan(env, "a", {"app": "web"}, "n")
        b = orphan(env, "b", {"app": "web"}, "n")
        set_ready(env, a)
        env.clock.run(3600)
        set_ready(env, b)
    assert _scale_down_one(env, make) == ["a"]


def test_a_lower_pod_deletion_cost_goes_first(env):
    def make(env):
        for name, cost in (("a", "10"), ("b", "-5")):
            pod = orphan(env, name, {"app": "web"}, "n")
            env.admin.patch("pods", name, {"metadata": {"annotations": {
                "controller.kubernetes.io/pod-deletion-cost": cost}}}, namespace="default")
            set_ready(env, pod)
    assert _scale_down_one(env, make) == ["a"]


# -- status ----------------------------------------------------------------------------------------

def test_status_counts_replicas_ready_and_available_after_min_ready_seconds(env):
    start(env, ReplicaSetController)
    PodSimulator(env, ready_after=2)
    env.admin.create(replica_set(replicas=3, min_ready=10))
    env.clock.run(1)
    status = get_rs(env)["status"]
    assert status == {"replicas": 3, "fullyLabeledReplicas": 3, "observedGeneration": 1}
    env.clock.run(2)
    assert get_rs(env)["status"] == {"replicas": 3, "fullyLabeledReplicas": 3, "readyReplicas": 3,
                                     "observedGeneration": 1}
    env.clock.run(9)  # ready at t=2: available once more than 10 s have passed
    assert get_rs(env)["status"].get("availableReplicas", 0) == 0
    env.clock.run(2)
    assert get_rs(env)["status"]["availableReplicas"] == 3


def test_observed_generation_follows_spec_changes_and_a_partially_labeled_pod_is_not_fully_labeled(env):
    start(env, ReplicaSetController)
    env.admin.create(replica_set(replicas=1, labels={"app": "web"}))
    env.clock.run(1)
    rs = get_rs(env)
    rs["spec"]["template"]["metadata"]["labels"]["tier"] = "front"
    env.admin.update(rs)
    env.clock.run(1)
    status = get_rs(env)["status"]
    assert status["observedGeneration"] == 2
    assert status["replicas"] == 1 and status.get("fullyLabeledReplicas", 0) == 0
