"""CronJobs on the simulated clock behave as on a real cluster: one Job per scheduled time, named
after it, history limits, concurrency policies, suspend, time zones, missed schedules, events
and status as kube-controller-manager 1.32 writes them.

The clock starts at 2025-01-01T00:00:00Z (Unix minute 28928160), so the Job of 00:01 is
``hello-28928161``."""

import pytest

import labkube
from labkube.core.clock import EPOCH

#: The docs' hello CronJob (kubernetes.io/docs/tasks/job/automated-tasks-with-cron-jobs/).
HELLO = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: hello
            image: busybox:1.28
            imagePullPolicy: IfNotPresent
            command:
            - /bin/sh
            - -c
            - date; echo Hello from the Kubernetes cluster
          restartPolicy: OnFailure
"""

MINUTE_ZERO = int(EPOCH) // 60  # 28928160


def _cluster():
    return labkube.Cluster(nodes=1, seed=0)


def _sleeper(name, seconds, **spec):
    """A CronJob running every minute whose Job sleeps ``seconds``."""
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": "*/1 * * * *", **spec, "jobTemplate": {"spec": {"template": {"spec": {
                "containers": [{"name": "work", "image": "busybox:1.36", "command": ["sleep", str(seconds)]}],
                "restartPolicy": "Never"}}}}}}


def _jobs(cluster):
    return sorted(job["metadata"]["name"] for job in cluster.list("jobs", "default"))


def _events(cluster, name="hello"):
    return [(e["reason"], e["message"]) for e in cluster.events("default")
            if e["involvedObject"]["kind"] == "CronJob" and e["involvedObject"]["name"] == name]


def test_the_docs_hello_cronjob_creates_a_job_each_minute_and_keeps_three_successful():
    with _cluster() as cluster:
        cluster.apply(HELLO)
        cluster.run(5 * 60 + 30)
        assert _jobs(cluster) == [f"hello-{MINUTE_ZERO + m}" for m in (3, 4, 5)]
        latest = cluster.get("job", f"hello-{MINUTE_ZERO + 5}")
        assert latest["metadata"]["creationTimestamp"] == "2025-01-01T00:05:00Z"
        assert latest["metadata"]["annotations"] == {
            "batch.kubernetes.io/cronjob-scheduled-timestamp": "2025-01-01T00:05:00Z"}
        cron_job = cluster.get("cronjob", "hello")
        assert latest["metadata"]["ownerReferences"] == [{
            "apiVersion": "batch/v1", "kind": "CronJob", "name": "hello", "uid": cron_job["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True}]
        assert cron_job["status"] == {"lastScheduleTime": "2025-01-01T00:05:00Z",
                                      "lastSuccessfulTime": latest["status"]["completionTime"]}
        logs = cluster.kubectl(f"logs job/hello-{MINUTE_ZERO + 5}")
        assert logs == "Wed Jan  1 00:05:00 UTC 2025\nHello from the Kubernetes cluster\n"


def test_the_hello_cronjobs_events_are_the_controllers_reasons_and_messages():
    with _cluster() as cluster:
        cluster.apply(HELLO)
        cluster.run(4 * 60 + 30)
        first, fourth = f"hello-{MINUTE_ZERO + 1}", f"hello-{MINUTE_ZERO + 4}"
        events = _events(cluster)
        assert events[:2] == [("SuccessfulCreate", f"Created job {first}"),
                              ("SawCompletedJob", f"Saw completed job: {first}, condition: Complete")]
        # The fourth successful Job pushes the first out of the history of three.
        assert ("SuccessfulDelete", f"Deleted job {first}") in events
        assert events.index(("SuccessfulDelete", f"Deleted job {first}")) > events.index(
            ("SuccessfulCreate", f"Created job {fourth}"))


def test_while_a_job_runs_it_is_listed_as_active():
    with _cluster() as cluster:
        cluster.apply(_sleeper("slow", 30))
        cluster.run(70)
        name = f"slow-{MINUTE_ZERO + 1}"
        active = cluster.get("cronjob", "slow")["status"]["active"]
        job = cluster.get("job", name)
        assert active == [{"kind": "Job", "namespace": "default", "name": name, "uid": job["metadata"]["uid"],
                           "apiVersion": "batch/v1", "resourceVersion": active[0]["resourceVersion"]}]
        row = cluster.kubectl("get cronjob slow").splitlines()[1].split()
        assert row[6:9] == ["<none>", "False", "1"]  # TIMEZONE SUSPEND ACTIVE


def test_forbid_skips_schedules_while_a_job_runs_then_starts_the_missed_one_when_it_ends():
    with _cluster() as cluster:
        cluster.apply(_sleeper("once", 150, concurrencyPolicy="Forbid"))
        cluster.run(4 * 60 + 30)
        # 00:01 starts a Job of 150 s; 00:02 and 00:03 are skipped. Without a starting deadline
        # the most recent missed time (00:03) is started as soon as the first Job completes, and
        # then 00:04 is skipped because that one runs: what a real cluster does.
        first, late = f"once-{MINUTE_ZERO + 1}", f"once-{MINUTE_ZERO + 3}"
        assert _jobs(cluster) == [first, late]
        completed = cluster.get("job", first)["status"]["completionTime"]
        job = cluster.get("job", late)
        assert job["metadata"]["creationTimestamp"] == completed
        assert job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] == \
            "2025-01-01T00:03:00Z"
        skipped = [e for e in cluster.events("default") if e["reason"] == "JobAlreadyActive"]
        assert [(e["message"], e["count"]) for e in skipped] == [
            ("Not starting job because prior execution is running and concurrency policy is Forbid", 3)]


def test_replace_deletes_the_running_job_and_starts_the_new_one():
    with _cluster() as cluster:
        cluster.apply(_sleeper("latest", 600, concurrencyPolicy="Replace"))
        cluster.run(3 * 60 + 30)
        assert _jobs(cluster) == [f"latest-{MINUTE_ZERO + 3}"]
        events = _events(cluster, "latest")
        assert ("SuccessfulDelete", f"Deleted job latest-{MINUTE_ZERO + 1}") in events
        assert ("SuccessfulDelete", f"Deleted job latest-{MINUTE_ZERO + 2}") in events
        active = cluster.get("cronjob", "latest")["status"]["active"]
        assert [ref["name"] for ref in active] == [f"latest-{MINUTE_ZERO + 3}"]


def test_allow_runs_jobs_side_by_side():
    with _cluster() as cluster:
        cluster.apply(_sleeper("many", 600))
        cluster.run(3 * 60 + 30)
        active = cluster.get("cronjob", "many")["status"]["active"]
        assert [ref["name"] for ref in active] == [f"many-{MINUTE_ZERO + m}" for m in (1, 2, 3)]


def test_suspend_stops_new_jobs_and_resuming_starts_only_the_most_recent_missed_one():
    with _cluster() as cluster:
        cluster.apply(HELLO)
        cluster.run(90)
        cluster.kubectl("""patch cronjob hello -p '{"spec":{"suspend":true}}'""")
        cluster.run(5 * 60)
        assert _jobs(cluster) == [f"hello-{MINUTE_ZERO + 1}"]
        assert "True" in cluster.kubectl("get cronjob hello").splitlines()[1]
        cluster.kubectl("""patch cronjob hello -p '{"spec":{"suspend":false}}'""")  # at 00:06:30
        cluster.run(10)
        assert _jobs(cluster) == [f"hello-{MINUTE_ZERO + 1}", f"hello-{MINUTE_ZERO + 6}"]
        assert cluster.get("cronjob", "hello")["status"]["lastScheduleTime"] == "2025-01-01T00:06:00Z"


def test_a_starting_deadline_keeps_a_resumed_cronjob_from_starting_a_late_job():
    with _cluster() as cluster:
        cluster.apply(HELLO)
        cluster.kubectl("""patch cronjob hello -p '{"spec":{"suspend":true,"startingDeadlineSeconds":10}}'""")
        cluster.run(150)
        cluster.kubectl("""patch cronjob hello -p '{"spec":{"suspend":false}}'""")  # 30 s after 00:02
        cluster.run(20)
        assert _jobs(cluster) == []
        cluster.run(60)
        assert _jobs(cluster) == [f"hello-{MINUTE_ZERO + 3}"]


def test_more_than_a_hundred_missed_times_warns_and_still_starts_the_latest():
    with _cluster() as cluster:
        cluster.apply(HELLO)
        cluster.kubectl("""patch cronjob hello -p '{"spec":{"suspend":true}}'""")
        cluster.run(102 * 60 + 30)
        cluster.kubectl("""patch cronjob hello -p '{"spec":{"suspend":false}}'""")
        cluster.run(5)
        assert _events(cluster)[:2] == [
            ("TooManyMissedTimes",
             "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew"),
            ("SuccessfulCreate", f"Created job hello-{MINUTE_ZERO + 102}")]


def test_a_controller_manager_that_was_down_starts_only_the_most_recent_missed_job():
    with _cluster() as cluster:
        cluster.apply(HELLO)
        cluster.run(30)
        cluster.stop_component("controller-manager")
        cluster.run(4 * 60)  # 00:04:30: 00:01 ... 00:04 were missed
        cluster.start_component("controller-manager")
        cluster.run(10)
        assert _jobs(cluster) == [f"hello-{MINUTE_ZERO + 4}"]


def test_a_time_zone_schedule_fires_at_the_right_utc_instant():
    with _cluster() as cluster:
        obj = _sleeper("evening", 1, timeZone="America/New_York")
        obj["spec"]["schedule"] = "5 19 * * *"  # 19:05 in New York on Dec 31 is 00:05 UTC
        cluster.apply(obj)
        cluster.run(4 * 60 + 50)
        assert _jobs(cluster) == []
        cluster.run(20)
        assert _jobs(cluster) == [f"evening-{MINUTE_ZERO + 5}"]
        job = cluster.get("job", f"evening-{MINUTE_ZERO + 5}")
        assert job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] == \
            "2024-12-31T19:05:00-05:00"
        assert cluster.kubectl("get cronjob evening").splitlines()[1].split()[6:8] == ["America/New_York", "False"]


def test_labels_and_annotations_of_the_job_template_are_copied_to_each_job():
    with _cluster() as cluster:
        obj = _sleeper("tagged", 1)
        obj["spec"]["jobTemplate"]["metadata"] = {"labels": {"team": "a"}, "annotations": {"note": "x"}}
        cluster.apply(obj)
        cluster.run(65)
        job = cluster.get("job", f"tagged-{MINUTE_ZERO + 1}")
        assert job["metadata"]["labels"] == {"team": "a"}
        assert job["metadata"]["annotations"] == {
            "batch.kubernetes.io/cronjob-scheduled-timestamp": "2025-01-01T00:01:00Z", "note": "x"}


def test_a_failed_job_is_kept_within_the_failed_history_limit():
    with _cluster() as cluster:
        obj = _sleeper("broken", 1)
        job_spec = obj["spec"]["jobTemplate"]["spec"]
        job_spec["backoffLimit"] = 0
        job_spec["template"]["spec"]["containers"][0]["command"] = ["sh", "-c", "exit 1"]
        cluster.apply(obj)
        cluster.run(3 * 60 + 30)
        assert _jobs(cluster) == [f"broken-{MINUTE_ZERO + 3}"]  # failedJobsHistoryLimit: 1
        assert ("SawCompletedJob", f"Saw completed job: broken-{MINUTE_ZERO + 1}, condition: Failed") in \
            _events(cluster, "broken")
        assert "lastSuccessfulTime" not in cluster.get("cronjob", "broken")["status"]


def test_an_impossible_date_is_reported_and_never_scheduled():
    with _cluster() as cluster:
        obj = _sleeper("never", 1)
        obj["spec"]["schedule"] = "0 0 30 2 *"
        cluster.apply(obj)
        cluster.run(5)
        assert _events(cluster, "never") == [
            ("InvalidSchedule", "invalid schedule: 0 0 30 2 * : time difference between two schedules is less than 1 second")]


def test_kubectl_create_job_from_a_cronjob_makes_a_job_the_cronjob_owns():
    with _cluster() as cluster:
        cluster.apply(HELLO)
        cluster.kubectl("""patch cronjob hello -p '{"spec":{"suspend":true}}'""")
        assert cluster.kubectl("create job manual --from=cronjob/hello") == "job.batch/manual created\n"
        cluster.run(10)
        job = cluster.get("job", "manual")
        assert job["metadata"]["annotations"] == {"cronjob.kubernetes.io/instantiate": "manual"}
        ref = job["metadata"]["ownerReferences"][0]
        assert (ref["kind"], ref["name"], ref["controller"], "blockOwnerDeletion" in ref) == ("CronJob", "hello", True, False)
        assert cluster.kubectl("logs job/manual").endswith("Hello from the Kubernetes cluster\n")
        cluster.kubectl("delete cronjob hello")
        cluster.run(5)
        assert _jobs(cluster) == []


@pytest.mark.parametrize("seed", [0, 7])
def test_the_same_seed_gives_the_same_jobs_events_and_kubectl_text(seed):
    def run_once():
        with labkube.Cluster(nodes=2, seed=seed) as cluster:
            cluster.apply(HELLO)
            cluster.apply(_sleeper("slow", 90, concurrencyPolicy="Forbid"))
            cluster.run(4 * 60 + 30)
            return (cluster.kubectl("get cronjobs,jobs -o wide"), cluster.kubectl("describe cronjob slow"),
                    [(e["metadata"]["name"], e["reason"], e["message"]) for e in cluster.events("default")])

    assert run_once() == run_once()


def test_a_cluster_without_cronjobs_never_wakes_the_cronjob_controller():
    with _cluster() as cluster:
        controller = cluster.components["controller-manager"].by_name["cronjob-controller"]
        synced = []
        controller.sync = synced.append
        cluster.kubectl("create job once --image=busybox -- echo hi")
        cluster.run(120)
        assert synced == [] and not controller.queue.waiting
