"""The Job controller and the TTL-after-finished controller, on the simulated clock.

Each scenario applies a Job, runs the cluster and checks what kube-controller-manager 1.32 does:
pods with the tracking finalizer, counts, conditions in order with their reasons, events, the
pod-failure backoff, deadlines, suspension, TTL deletion and cascading deletes.
"""

import pytest

import labkube
from labkube.core.clock import parse_timestamp
from labkube.core.controllers.job import JOB_TRACKING_FINALIZER, backoff_delay

PI = {
    "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
    "spec": {"backoffLimit": 4, "template": {"spec": {
        "containers": [{"name": "pi", "image": "perl",
                        "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(1000)"]}],
        "restartPolicy": "Never"}}},
}


def job(name, command, restart="Never", **spec):
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {**spec, "template": {"spec": {
                "containers": [{"name": "c", "image": "busybox:1.36", "command": command}],
                "restartPolicy": restart}}}}


def pods_of(cluster, name):
    items = cluster.client.list("pods", "default", label_selector=f"batch.kubernetes.io/job-name={name}")["items"]
    return sorted(items, key=lambda p: p["metadata"]["creationTimestamp"] + p["metadata"]["name"])


def job_events(cluster, name):
    return [(e["type"], e["reason"], e["message"]) for e in cluster.client.list("events", "default")["items"]
            if e["involvedObject"]["kind"] == "Job" and e["involvedObject"]["name"] == name]


def conditions(job_obj):
    return [(c["type"], c["status"], c.get("reason"), c.get("message")) for c in job_obj["status"].get("conditions", [])]


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=2, seed=0) as c:
        yield c


def test_the_pi_job_completes_with_success_criteria_met_then_complete(cluster):
    cluster.apply(PI)
    cluster.run(60)
    pi = cluster.get("job", "pi")
    assert conditions(pi) == [
        ("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
        ("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
    ]
    status = pi["status"]
    assert status["succeeded"] == 1 and "active" not in status and "failed" not in status
    assert status["ready"] == 0 and status["terminating"] == 0 and status["uncountedTerminatedPods"] == {}
    assert status["completionTime"] == pi["status"]["conditions"][1]["lastTransitionTime"]
    assert parse_timestamp(status["completionTime"]) > parse_timestamp(status["startTime"])
    (pod,) = pods_of(cluster, "pi")
    assert pod["status"]["phase"] == "Succeeded"
    assert not pod["metadata"].get("finalizers")  # counted, so the tracking finalizer is gone
    assert job_events(cluster, "pi") == [
        ("Normal", "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}"),
        ("Normal", "Completed", "Job completed"),
    ]


def test_a_running_job_pod_carries_the_tracking_finalizer_and_a_controller_reference(cluster):
    cluster.apply(job("sleeper", ["sleep", "300"]))
    cluster.run(5)
    (pod,) = pods_of(cluster, "sleeper")
    sleeper = cluster.get("job", "sleeper")
    assert pod["metadata"]["finalizers"] == [JOB_TRACKING_FINALIZER]
    assert pod["metadata"]["generateName"] == "sleeper-"
    assert pod["metadata"]["ownerReferences"] == [{
        "apiVersion": "batch/v1", "kind": "Job", "name": "sleeper", "uid": sleeper["metadata"]["uid"],
        "controller": True, "blockOwnerDeletion": True}]
    assert sleeper["status"]["active"] == 1 and "conditions" not in sleeper["status"]


def test_parallelism_two_runs_at_most_two_pods_until_five_succeed(cluster):
    cluster.apply(job("five", ["sh", "-c", "sleep 5"], parallelism=2, completions=5))
    most = 0
    for _ in range(120):
        cluster.run(1)
        running = [p for p in pods_of(cluster, "five") if p["status"].get("phase") not in ("Succeeded", "Failed")]
        most = max(most, len(running))
    five = cluster.get("job", "five")
    assert most == 2
    assert five["status"]["succeeded"] == 5 and len(pods_of(cluster, "five")) == 5
    assert conditions(five)[-1][0] == "Complete"
    assert cluster.kubectl("get job five -o jsonpath={.status.succeeded}") == "5"


def test_a_failing_job_stops_after_backoff_limit_plus_one_pods_with_doubling_backoff(cluster):
    cluster.apply(job("fails", ["sh", "-c", "exit 1"], backoffLimit=2))
    cluster.run(300)
    fails = cluster.get("job", "fails")
    pods = pods_of(cluster, "fails")
    assert len(pods) == 3 and all(p["status"]["phase"] == "Failed" for p in pods)
    assert fails["status"]["failed"] == 3
    assert conditions(fails) == [
        ("FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
        ("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
    ]
    assert "completionTime" not in fails["status"]
    # Each replacement waits 10 s, then 20 s, after the previous pod's container finished.
    finished = [parse_timestamp(p["status"]["containerStatuses"][0]["state"]["terminated"]["finishedAt"])
                for p in pods]
    created = [parse_timestamp(p["metadata"]["creationTimestamp"]) for p in pods]
    assert created[1] - finished[0] == pytest.approx(10, abs=1)
    assert created[2] - finished[1] == pytest.approx(20, abs=1)
    assert ("Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit") in job_events(cluster, "fails")


def test_pod_failure_backoff_doubles_from_ten_seconds_and_stops_at_ten_minutes():
    assert [backoff_delay(n) for n in range(0, 9)] == [0, 10, 20, 40, 80, 160, 320, 600, 600]


def test_on_failure_restarts_count_against_the_backoff_limit(cluster):
    cluster.apply(job("restarts", ["sh", "-c", "exit 1"], restart="OnFailure", backoffLimit=2))
    cluster.run(300)
    restarts = cluster.get("job", "restarts")
    assert conditions(restarts)[-1][:3] == ("Failed", "True", "BackoffLimitExceeded")
    assert len(pods_of(cluster, "restarts")) == 0 or all(
        p["metadata"].get("deletionTimestamp") for p in pods_of(cluster, "restarts"))
    # The controller deletes the running pod keeping its finalizer, and counts it as failed
    # (trackJobStatusAndRemoveFinalizers: "every non-terminated pod is considered failed").
    assert restarts["status"]["failed"] == 1


def test_active_deadline_seconds_fails_the_job_and_deletes_its_pods(cluster):
    cluster.apply(job("slow", ["sleep", "600"], activeDeadlineSeconds=30))
    cluster.run(29)
    assert "conditions" not in cluster.get("job", "slow")["status"]
    cluster.run(60)
    slow = cluster.get("job", "slow")
    assert conditions(slow) == [
        ("FailureTarget", "True", "DeadlineExceeded", "Job was active longer than specified deadline"),
        ("Failed", "True", "DeadlineExceeded", "Job was active longer than specified deadline"),
    ]
    assert parse_timestamp(slow["status"]["conditions"][0]["lastTransitionTime"]) - \
        parse_timestamp(slow["status"]["startTime"]) == 30
    assert slow["status"]["failed"] == 1  # the running pod it deleted counts as failed
    assert pods_of(cluster, "slow") == []


def test_a_failing_job_waits_for_its_terminating_pods_before_the_failed_condition(cluster):
    # sleep ignores SIGTERM: the deleted pod stops only after its 30 s grace period.
    cluster.apply(job("slow", ["sleep", "600"], activeDeadlineSeconds=30))
    cluster.run(35)
    slow = cluster.get("job", "slow")
    assert [c[0] for c in conditions(slow)] == ["FailureTarget"]
    assert (slow["status"]["terminating"], slow["status"]["ready"], slow["status"]["failed"]) == (1, 0, 1)
    assert "active" not in slow["status"]
    assert pods_of(cluster, "slow")[0]["metadata"].get("deletionTimestamp")
    cluster.run(30)
    slow = cluster.get("job", "slow")
    assert [c[0] for c in conditions(slow)] == ["FailureTarget", "Failed"]
    failed_at = parse_timestamp(slow["status"]["conditions"][1]["lastTransitionTime"])
    assert failed_at - parse_timestamp(slow["status"]["startTime"]) > 60
    assert slow["status"]["terminating"] == 0
    reasons = [r for _, r, _ in job_events(cluster, "slow")]
    assert reasons == ["SuccessfulCreate", "SuccessfulDelete", "DeadlineExceeded"]


def test_a_suspended_job_creates_no_pods_until_it_is_resumed(cluster):
    cluster.apply(job("later", ["sh", "-c", "sleep 3"], suspend=True))
    cluster.run(20)
    later = cluster.get("job", "later")
    assert pods_of(cluster, "later") == [] and "startTime" not in later["status"]
    assert conditions(later) == [("Suspended", "True", "JobSuspended", "Job suspended")]
    cluster.client.patch("jobs", "later", {"spec": {"suspend": False}}, namespace="default")
    cluster.run(60)
    later = cluster.get("job", "later")
    assert conditions(later)[0] == ("Suspended", "False", "JobResumed", "Job resumed")
    assert conditions(later)[-1][0] == "Complete"
    assert [r for _, r, _ in job_events(cluster, "later")] == ["Suspended", "Resumed", "SuccessfulCreate", "Completed"]


def test_suspending_a_running_job_deletes_its_pods_without_counting_failures(cluster):
    cluster.apply(job("paused", ["sleep", "600"]))
    cluster.run(10)
    cluster.client.patch("jobs", "paused", {"spec": {"suspend": True}}, namespace="default")
    cluster.run(60)
    paused = cluster.get("job", "paused")
    assert pods_of(cluster, "paused") == []
    assert "failed" not in paused["status"] and "active" not in paused["status"]
    assert conditions(paused) == [("Suspended", "True", "JobSuspended", "Job suspended")]


def test_ttl_seconds_after_finished_deletes_the_job_and_its_pods(cluster):
    cluster.apply(job("brief", ["sh", "-c", "true"], ttlSecondsAfterFinished=30))
    cluster.run(20)
    finished = parse_timestamp(cluster.get("job", "brief")["status"]["completionTime"])
    cluster.clock.run_to(finished + 29)
    assert cluster.client.list("jobs", "default")["items"]
    cluster.run(40)
    assert cluster.client.list("jobs", "default")["items"] == []
    assert pods_of(cluster, "brief") == []


def test_ttl_seconds_after_finished_deletes_in_the_foreground_pods_first(cluster):
    # ttlafterfinished_controller.go deletes with DeletePropagationForeground: the garbage
    # collector deletes the pods, then removes the Job's foregroundDeletion finalizer.
    cluster.apply(job("brief", ["sh", "-c", "true"], ttlSecondsAfterFinished=30))
    cluster.run(60)
    gc = "system:serviceaccount:kube-system:generic-garbage-collector"
    writes = [(r.verb, r.resource) for r in cluster.audit(user=gc)
              if r.namespace == "default" and r.verb in ("create", "update", "patch", "delete")]
    assert writes == [("delete", "pods"), ("update", "jobs")]
    assert cluster.client.list("jobs", "default")["items"] == []


def test_kubectl_delete_job_deletes_its_pods_in_the_background(cluster):
    cluster.apply(job("gone", ["sleep", "600"], parallelism=2))
    cluster.run(10)
    assert len(pods_of(cluster, "gone")) == 2
    assert cluster.kubectl("delete job gone") == 'job.batch "gone" deleted\n'
    cluster.run(60)
    assert pods_of(cluster, "gone") == []


def test_deleting_a_job_through_the_api_without_a_policy_orphans_its_pods(cluster):
    """batch/v1's DefaultGarbageCollectionPolicy is OrphanDependents, for old clients."""
    cluster.apply(job("orphaner", ["sleep", "600"]))
    cluster.run(10)
    cluster.client.delete("jobs", "orphaner", "default")
    cluster.run(30)
    (pod,) = pods_of(cluster, "orphaner")
    assert "ownerReferences" not in pod["metadata"]
    assert "deletionTimestamp" not in pod["metadata"]


def test_the_same_seed_gives_the_same_job_history():
    def history():
        with labkube.Cluster(nodes=2, seed=7) as c:
            c.apply(job("fails", ["sh", "-c", "exit 1"], backoffLimit=1))
            c.run(120)
            return c.kubectl("get pods"), job_events(c, "fails"), c.get("job", "fails")["status"]
    assert history() == history()


def test_the_job_controller_writes_a_status_only_when_it_changes(cluster):
    # syncJob updates the status only when a counter or a condition changed (needsStatusUpdate /
    # needsFlush): started; the pod ready; the pod counted as uncounted; then counted and Complete.
    cluster.apply(job("short", ["sleep", "5"]))
    cluster.run(30)
    controller = "system:serviceaccount:kube-system:job-controller"
    writes = [r for r in cluster.audit(user=controller, verb="update") if r.subresource == "status"]
    assert len(writes) == 4
    assert conditions(cluster.get("job", "short"))[-1][0] == "Complete"
