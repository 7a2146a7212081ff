"""The Deployment controller on a bare API server, with a test-side pod simulator for readiness."""

from __future__ import annotations

import copy
import re

import pytest
from hypothesis import assume, given, settings, strategies as st

from labkube.core.controllers.deployment import DeploymentController, rollback, rollout, util
from labkube.core.controllers.replicaset import ReplicaSetController

from .workloads_sim import PodSimulator, condition, events, new_env, pods_of, start

HASH = r"[bcdfghjklmnpqrstvwxz2456789]+"


def deployment(name="web", replicas=3, image="nginx", strategy=None, **spec):
    d = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "c", "image": image}]}}, **spec},
    }
    if strategy is not None:
        d["spec"]["strategy"] = strategy
    return d


def cluster(ready_after=2.0, terminate_after=1.0):
    env = new_env()
    manager = start(env, ReplicaSetController, DeploymentController)
    PodSimulator(env, ready_after=ready_after, terminate_after=terminate_after)
    return env, manager


def get(env, name="web"):
    return env.admin.get("deployments", name, "default")


def replica_sets(env):
    items = env.admin.list("replicasets", "default")["items"]
    return sorted(items, key=lambda rs: util.revision(rs))


def set_image(env, image, name="web", **annotations):
    d = get(env, name)
    d["spec"]["template"]["spec"]["containers"][0]["image"] = image
    if annotations:
        d["metadata"].setdefault("annotations", {}).update(annotations)
    env.admin.update(d)


def scaling_messages(env):
    return [e["message"] for e in events(env, "ScalingReplicaSet")]


# -- a new Deployment ------------------------------------------------------------------------------

def test_a_new_deployment_creates_one_replica_set_named_by_its_pod_template_hash():
    env, manager = cluster()
    d = env.admin.create(deployment(replicas=3))
    env.clock.run(5)
    [rs] = replica_sets(env)
    name = rs["metadata"]["name"]
    pod_hash = rs["metadata"]["labels"]["pod-template-hash"]
    assert re.fullmatch(HASH, pod_hash) and name == f"web-{pod_hash}"
    assert rs["spec"]["selector"] == {"matchLabels": {"app": "web", "pod-template-hash": pod_hash}}
    assert rs["spec"]["template"]["metadata"]["labels"] == {"app": "web", "pod-template-hash": pod_hash}
    assert rs["metadata"]["annotations"] == {"deployment.kubernetes.io/revision": "1",
                                             "deployment.kubernetes.io/desired-replicas": "3",
                                             "deployment.kubernetes.io/max-replicas": "4"}
    assert rs["metadata"]["ownerReferences"] == [{
        "apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": d["metadata"]["uid"],
        "controller": True, "blockOwnerDeletion": True}]
    assert all(p["metadata"]["name"].startswith(name + "-") for p in pods_of(env))
    assert scaling_messages(env) == [f"Scaled up replica set {name} from 0 to 3"]
    assert not manager.error_log.entries


def test_a_complete_rollout_reports_kubernetes_conditions_and_counts():
    env, _ = cluster()
    env.admin.create(deployment(replicas=3))
    env.clock.run(1)
    d = get(env)
    rs_name = replica_sets(env)[0]["metadata"]["name"]
    assert d["metadata"]["annotations"] == {"deployment.kubernetes.io/revision": "1"}
    # NewReplicaSetCreated first, then (pods created: progress) ReplicaSetUpdated, moved last
    assert d["status"]["conditions"] == [
        {"type": "Available", "status": "False", "lastUpdateTime": "2025-01-01T00:00:00Z",
         "lastTransitionTime": "2025-01-01T00:00:00Z", "reason": "MinimumReplicasUnavailable",
         "message": "Deployment does not have minimum availability."},
        {"type": "Progressing", "status": "True", "lastUpdateTime": "2025-01-01T00:00:00Z",
         "lastTransitionTime": "2025-01-01T00:00:00Z", "reason": "ReplicaSetUpdated",
         "message": f'ReplicaSet "{rs_name}" is progressing.'},
    ]
    assert d["status"]["unavailableReplicas"] == 3
    env.clock.run(4)
    d = get(env)
    assert {k: v for k, v in d["status"].items() if k != "conditions"} == {
        "observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3}
    assert d["status"]["conditions"] == [
        {"type": "Available", "status": "True", "lastUpdateTime": "2025-01-01T00:00:02Z",
         "lastTransitionTime": "2025-01-01T00:00:02Z", "reason": "MinimumReplicasAvailable",
         "message": "Deployment has minimum availability."},
        {"type": "Progressing", "status": "True", "lastUpdateTime": "2025-01-01T00:00:02Z",
         "lastTransitionTime": "2025-01-01T00:00:00Z", "reason": "NewReplicaSetAvailable",
         "message": f'ReplicaSet "{rs_name}" has successfully progressed.'},
    ]
    assert rollout.status_message(d) == ('deployment "web" successfully rolled out\n', True)


def test_a_rolling_update_reports_progress_and_scales_in_kubernetes_words():
    env, _ = cluster()
    env.admin.create(deployment(replicas=3))
    env.clock.run(5)
    set_image(env, "nginx:1.27")
    env.clock.run(1)
    old, new = (rs["metadata"]["name"] for rs in replica_sets(env))
    progressing = condition(get(env), "Progressing")
    assert (progressing["reason"], progressing["message"]) == ("ReplicaSetUpdated", f'ReplicaSet "{new}" is progressing.')
    env.clock.run(20)
    assert scaling_messages(env) == [
        f"Scaled up replica set {old} from 0 to 3",
        f"Scaled up replica set {new} from 0 to 1",
        f"Scaled down replica set {old} from 3 to 2",
        f"Scaled up replica set {new} from 1 to 2",
        f"Scaled down replica set {old} from 2 to 1",
        f"Scaled up replica set {new} from 2 to 3",
        f"Scaled down replica set {old} from 1 to 0",
    ]
    assert [util.revision(rs) for rs in replica_sets(env)] == [1, 2]
    assert get(env)["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert condition(get(env), "Progressing")["message"] == f'ReplicaSet "{new}" has successfully progressed.'


# -- the rolling-update invariants -------------------------------------------------------------------

def _rollout_violations(replicas, surge, unavailable, ready_after, min_ready=0):
    """Run a full rolling update; return every moment the surge/availability bounds were broken."""
    env, manager = cluster(ready_after=ready_after)
    spec = {"minReadySeconds": min_ready} if min_ready else {}
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}
    env.admin.create(deployment(replicas=replicas, strategy=strategy, **spec))
    d = get(env)
    assert env.clock.run_until(lambda: (get(env).get("status") or {}).get("availableReplicas", 0) == replicas, 300)
    max_surge, max_unavailable = util.max_surge(d), util.max_unavailable(d)
    set_image(env, "nginx:2")
    violations = []

    def check():
        pods = [p for p in pods_of(env) if not p["metadata"].get("deletionTimestamp")]
        now = env.clock.now()
        available = sum(1 for p in pods if _available(p, min_ready, now))
        total = len(pods)
        spec_total = sum(rs["spec"]["replicas"] for rs in env.admin.list("replicasets", "default")["items"])
        if available < replicas - max_unavailable or total > replicas + max_surge \
                or spec_total > replicas + max_surge:
            violations.append((now, available, total, spec_total))
        return False

    env.clock.run_until(check, 60 + 4 * replicas * (ready_after + min_ready + 2))
    finished = get(env)
    done = rollout.status_message(finished)[1]
    # Optimistic-concurrency conflicts (a cache a moment behind) are retried, as in Kubernetes.
    errors = [e for e in manager.error_log.entries if "the object has been modified" not in e.message]
    return violations, done, errors


def _available(pod, min_ready, now):
    from labkube.core.controllers.pods import is_pod_available
    return is_pod_available(pod, min_ready, now)


@pytest.mark.parametrize("replicas, surge, unavailable", [
    (3, "25%", "25%"),
    (4, 1, 0),
    (4, 0, 1),
    (5, "50%", "50%"),
    (6, "0%", "34%"),
    (10, "30%", "10%"),
    (2, "100%", 0),
    (3, 0, "100%"),
])
def test_a_rolling_update_keeps_within_max_surge_and_max_unavailable_at_every_moment(replicas, surge, unavailable):
    violations, done, errors = _rollout_violations(replicas, surge, unavailable, ready_after=3)
    assert violations == [] and done and not errors


_INT_OR_PERCENT = st.one_of(st.integers(0, 3), st.sampled_from(["0%", "10%", "25%", "33%", "50%", "100%"]))


@settings(max_examples=15, deadline=None, derandomize=True)
@given(replicas=st.integers(1, 8), surge=_INT_OR_PERCENT, unavailable=_INT_OR_PERCENT,
       ready_after=st.integers(1, 6), min_ready=st.sampled_from([0, 0, 3]))
def test_any_rolling_update_keeps_within_its_bounds_and_completes(replicas, surge, unavailable, ready_after,
                                                                  min_ready):
    assume(not (surge in (0, "0%") and unavailable in (0, "0%")))  # refused by validation
    violations, done, errors = _rollout_violations(replicas, surge, unavailable, ready_after, min_ready)
    assert violations == [] and done and not errors


def test_min_ready_seconds_slows_the_rollout_but_keeps_the_bounds():
    violations, done, _ = _rollout_violations(4, 1, 1, ready_after=2, min_ready=5)
    assert violations == [] and done


# -- Recreate ------------------------------------------------------------------------------------------

def test_recreate_removes_every_old_pod_before_creating_a_new_one():
    env, manager = cluster(ready_after=2, terminate_after=5)
    env.admin.create(deployment(replicas=3, strategy={"type": "Recreate"}))
    env.clock.run(5)
    old_hash = replica_sets(env)[0]["metadata"]["labels"]["pod-template-hash"]
    set_image(env, "nginx:2")
    overlaps = []

    def check():
        hashes = {p["metadata"]["labels"]["pod-template-hash"] for p in pods_of(env)}
        if old_hash in hashes and len(hashes) > 1:
            overlaps.append(env.clock.now())
        return False

    env.clock.run_until(check, 60)
    rss = replica_sets(env)
    assert overlaps == []
    assert [rs["spec"]["replicas"] for rs in rss] == [0, 3]
    assert get(env)["status"]["availableReplicas"] == 3
    new = rss[1]["metadata"]["name"]
    assert scaling_messages(env)[1:] == [f"Scaled down replica set {rss[0]['metadata']['name']} from 3 to 0",
                                         f"Scaled up replica set {new} from 0 to 3"]
    assert not manager.error_log.entries


# -- rollback -----------------------------------------------------------------------------------------

def test_rollout_undo_restores_the_previous_template_and_gives_it_the_next_revision():
    env, _ = cluster()
    env.admin.create(deployment(replicas=2))
    env.clock.run(5)
    set_image(env, "nginx:2", **{"kubernetes.io/change-cause": "kubectl set image to 2"})
    env.clock.run(20)
    first, second = replica_sets(env)
    assert rollback.undo(env.admin, "default", "web") == "rolled back"
    env.clock.run(20)
    d = get(env)
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx"
    assert "pod-template-hash" not in d["spec"]["template"]["metadata"]["labels"]
    by_name = {rs["metadata"]["name"]: rs for rs in replica_sets(env)}
    back = by_name[first["metadata"]["name"]]
    assert util.revision(back) == 3 and back["spec"]["replicas"] == 2
    assert back["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
    assert by_name[second["metadata"]["name"]]["spec"]["replicas"] == 0
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    assert "kubernetes.io/change-cause" not in d["metadata"]["annotations"]
    assert [(h.revision, h.change_cause) for h in rollback.history(env.admin, "default", "web")] == [
        (2, "kubectl set image to 2"), (3, "")]
    assert rollback.format_history(rollback.history(env.admin, "default", "web")) == (
        "REVISION  CHANGE-CAUSE\n2         kubectl set image to 2\n3         <none>\n")


def test_rollout_undo_to_a_revision_and_its_errors():
    env, _ = cluster()
    env.admin.create(deployment(replicas=1))
    env.clock.run(5)
    for image in ("nginx:2", "nginx:3"):
        set_image(env, image)
        env.clock.run(10)
    assert rollback.undo(env.admin, "default", "web", to_revision=3) == \
        "skipped rollback (current template already matches revision 3)"
    with pytest.raises(rollback.RolloutError, match="^unable to find specified revision 9 in history$"):
        rollback.undo(env.admin, "default", "web", to_revision=9)
    assert rollback.undo(env.admin, "default", "web", to_revision=1) == "rolled back"
    env.clock.run(10)
    assert get(env)["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx"
    assert [h.revision for h in rollback.history(env.admin, "default", "web")] == [2, 3, 4]
    rollout.pause(env.admin, "default", "web")
    with pytest.raises(rollback.RolloutError, match="^you cannot rollback a paused deployment"):
        rollback.undo(env.admin, "default", "web")


def test_the_deprecated_rollback_annotation_makes_the_controller_roll_back():
    env, _ = cluster()
    env.admin.create(deployment(replicas=1))
    env.clock.run(5)
    set_image(env, "nginx:2")
    env.clock.run(10)
    env.admin.patch("deployments", "web", {"metadata": {"annotations": {"deprecated.deployment.rollback.to": "1"}}},
                    namespace="default")
    env.clock.run(10)
    d = get(env)
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx"
    assert "deprecated.deployment.rollback.to" not in d["metadata"]["annotations"]
    [done] = events(env, "DeploymentRollback")
    assert done["message"] == 'Rolled back deployment "web" to revision 1'


# -- pause and resume --------------------------------------------------------------------------------

def test_a_paused_deployment_makes_no_rollout_progress_until_resumed():
    env, _ = cluster()
    env.admin.create(deployment(replicas=2))
    env.clock.run(5)
    assert rollout.pause(env.admin, "default", "web") == "paused"
    set_image(env, "nginx:2")
    env.clock.run(30)
    assert len(replica_sets(env)) == 1
    d = get(env)
    progressing = condition(d, "Progressing")
    assert (progressing["status"], progressing["reason"], progressing["message"]) == (
        "Unknown", "DeploymentPaused", "Deployment is paused")
    assert d["status"]["observedGeneration"] == d["metadata"]["generation"]
    env.admin.patch("deployments", "web", {"spec": {"replicas": 4}}, namespace="default")
    env.clock.run(5)
    assert [rs["spec"]["replicas"] for rs in replica_sets(env)] == [4]  # scaling still works
    with pytest.raises(rollback.RolloutError, match='^deployments.apps "web" is already paused$'):
        rollout.pause(env.admin, "default", "web")
    assert rollout.resume(env.admin, "default", "web") == "resumed"
    env.clock.run(1)
    assert condition(get(env), "Progressing")["reason"] in ("DeploymentResumed", "ReplicaSetUpdated")
    assert [ev["reason"] for ev in events(env) if ev["reason"] == "ScalingReplicaSet"]
    env.clock.run(40)
    assert [rs["spec"]["replicas"] for rs in replica_sets(env)] == [0, 4]


def test_rollout_restart_rolls_every_pod():
    env, _ = cluster()
    env.admin.create(deployment(replicas=2))
    env.clock.run(5)
    before = {p["metadata"]["name"] for p in pods_of(env)}
    assert rollout.restart(env.admin, "default", "web", env.clock.timestamp()) == "restarted"
    with pytest.raises(rollback.RolloutError, match="if restart has already been triggered within the past second"):
        rollout.restart(env.admin, "default", "web", env.clock.timestamp())
    env.clock.run(30)
    after = {p["metadata"]["name"] for p in pods_of(env)}
    assert len(after) == 2 and not before & after
    annotations = get(env)["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {"kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:05Z"}


# -- progress deadline --------------------------------------------------------------------------------

def test_a_rollout_that_makes_no_progress_times_out_after_its_deadline():
    env, _ = cluster(ready_after=None)  # pods never become ready
    env.admin.create(deployment(replicas=2, progressDeadlineSeconds=10))
    env.clock.run(10)  # pods were created at t=0 (progress); nothing since, but the deadline is not passed
    assert condition(get(env), "Progressing")["reason"] == "ReplicaSetUpdated"
    env.clock.run(2)
    rs_name = replica_sets(env)[0]["metadata"]["name"]
    progressing = condition(get(env), "Progressing")
    assert progressing == {"type": "Progressing", "status": "False", "lastUpdateTime": "2025-01-01T00:00:11Z",
                           "lastTransitionTime": "2025-01-01T00:00:11Z", "reason": "ProgressDeadlineExceeded",
                           "message": f'ReplicaSet "{rs_name}" has timed out progressing.'}
    with pytest.raises(rollback.RolloutError, match='^deployment "web" exceeded its progress deadline$'):
        rollout.status_message(get(env))


# -- history cleanup ------------------------------------------------------------------------------------

def test_old_replica_sets_beyond_the_revision_history_limit_are_deleted():
    env, _ = cluster()
    env.admin.create(deployment(replicas=1, revisionHistoryLimit=2))
    env.clock.run(5)
    for n in range(2, 6):
        set_image(env, f"nginx:{n}")
        env.clock.run(15)
    assert [util.revision(rs) for rs in replica_sets(env)] == [3, 4, 5]
    assert [rs["spec"]["replicas"] for rs in replica_sets(env)] == [0, 0, 1]


def test_scaling_a_deployment_scales_its_replica_set_and_records_the_event():
    env, _ = cluster()
    env.admin.create(deployment(replicas=2))
    env.clock.run(5)
    assert rollout.scale(env.admin, "default", "web", 5) == "scaled"
    env.clock.run(5)
    [rs] = replica_sets(env)
    assert rs["spec"]["replicas"] == 5 and len(pods_of(env)) == 5
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "5"
    assert scaling_messages(env)[-1] == f"Scaled up replica set {rs['metadata']['name']} from 2 to 5"
    with pytest.raises(rollback.RolloutError, match="^Expected replicas to be 3, was 5$"):
        rollout.scale(env.admin, "default", "web", 1, current_replicas=3)


def test_a_selector_that_selects_everything_is_refused_with_a_warning():
    env = new_env()
    manager = start(env, DeploymentController)
    controller = manager.by_name["deployment-controller"]
    d = deployment()
    env.admin.create(d)
    env.clock.run(0)
    # The API server refuses an empty selector: reach the branch by putting one in the cache
    # (a changed copy: the cached object itself must never be modified).
    changed = copy.deepcopy(controller.d_informer.get("default/web"))
    changed["spec"]["selector"] = {}
    controller.d_informer._store_put("default/web", changed)
    controller.sync("default/web")
    [warning] = events(env, "SelectingAll")
    assert warning["message"] == "This deployment is selecting all pods. A non-empty selector is required."


def test_an_orphan_replica_set_matching_the_selector_is_adopted():
    env, _ = cluster()
    d = deployment(replicas=2)
    template = d["spec"]["template"]
    pod_hash = util.compute_hash({**template, "metadata": {**template["metadata"], "creationTimestamp": None}})
    env.admin.create({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                      "metadata": {"name": "stray", "namespace": "default", "labels": {"app": "web"}},
                      "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web", "x": "y"}},
                               "template": {"metadata": {"labels": {"app": "web", "x": "y"}},
                                            "spec": template["spec"]}}})
    created = env.admin.create(d)
    env.clock.run(10)
    stray = env.admin.get("replicasets", "stray", "default")
    assert stray["metadata"]["ownerReferences"][0]["uid"] == created["metadata"]["uid"]
    assert pod_hash  # the new ReplicaSet keeps the hash naming
    assert stray["spec"]["replicas"] == 0


# -- kubectl rollout status, and determinism ------------------------------------------------------------

def _with_status(generation=2, observed=2, replicas=3, **status):
    return {"metadata": {"name": "web", "generation": generation},
            "spec": {"replicas": replicas}, "status": {"observedGeneration": observed, **status}}


@pytest.mark.parametrize("d, message, done", [
    (_with_status(generation=3), "Waiting for deployment spec update to be observed...\n", False),
    (_with_status(updatedReplicas=1, replicas=3),
     'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...\n', False),
    (_with_status(updatedReplicas=3, **{"replicas": 3}) | {"status": {"observedGeneration": 2, "replicas": 4,
                                                                      "updatedReplicas": 3}},
     'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...\n', False),
    (_with_status() | {"status": {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3,
                                  "availableReplicas": 2}},
     'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...\n', False),
    (_with_status() | {"status": {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3,
                                  "availableReplicas": 3}},
     'deployment "web" successfully rolled out\n', True),
])
def test_rollout_status_prints_what_kubectl_prints(d, message, done):
    assert rollout.status_message(d) == (message, done)


def _run_twice_scenario():
    env, _ = cluster()
    env.admin.create(deployment(replicas=3))
    env.clock.run(5)
    set_image(env, "nginx:2")
    env.clock.run(30)
    return ([(e["metadata"]["name"], e["reason"], e["message"], e["lastTimestamp"]) for e in events(env)],
            sorted(p["metadata"]["name"] for p in pods_of(env)))


def test_the_same_seed_gives_the_same_pods_and_events():
    first = _run_twice_scenario()
    assert first == _run_twice_scenario() and len(first[0]) > 10


def test_scaling_in_the_middle_of_a_rollout_grows_both_replica_sets_in_proportion():
    env = new_env()
    start(env, ReplicaSetController, DeploymentController)
    sim = PodSimulator(env, ready_after=2)
    env.admin.create(deployment(replicas=10))  # 25%/25%: surge 3, unavailable 2
    env.clock.run(5)
    sim.stop()  # from now on no pod becomes ready: the rollout stalls at old 8, new 5
    set_image(env, "nginx:2")
    env.clock.run(5)
    old, new = replica_sets(env)
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (8, 5)
    env.admin.patch("deployments", "web", {"spec": {"replicas": 20}}, namespace="default")
    env.clock.run(1)
    old, new = replica_sets(env)
    # 20 replicas + 25% surge = 25 allowed, 13 now: 8*25/13 -> 15 and 5*25/13 -> 10
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (15, 10)
    assert scaling_messages(env)[-2:] == [
        f"Scaled up replica set {old['metadata']['name']} from 8 to 15",
        f"Scaled up replica set {new['metadata']['name']} from 5 to 10"]
    assert {rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] for rs in (old, new)} == {"25"}
