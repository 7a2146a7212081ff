"""``kubectl get jobs`` and ``kubectl describe job`` for Jobs the controller ran.

The column set and describer live in columns_batch.py and describe/batch.py; the shared
registries pick them up once the lead registers them (see the modules' docstrings).
"""

import pytest

import labkube
from labkube.kubectl.describe.batch import describe_job
from labkube.kubectl.printers import columns
from labkube.kubectl.printers.columns_batch import JOB_COLUMNS, job_completions, job_status

PI = {
    "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
    "spec": {"backoffLimit": 4, "template": {"spec": {
        "containers": [{"name": "pi", "image": "perl",
                        "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(1000)"]}],
        "restartPolicy": "Never"}}},
}


@pytest.fixture
def cluster(monkeypatch):
    monkeypatch.setitem(columns.COLUMN_SETS, "Job", JOB_COLUMNS)
    with labkube.Cluster(nodes=1, seed=0) as c:
        yield c


def test_get_jobs_shows_status_completions_duration_and_age(cluster):
    cluster.apply(PI)
    cluster.run(5)
    assert cluster.kubectl("get jobs") == (
        "NAME   STATUS    COMPLETIONS   DURATION   AGE\n"
        "pi     Running   0/1           5s         5s\n")
    cluster.run(25)
    assert cluster.kubectl("get jobs") == (
        "NAME   STATUS     COMPLETIONS   DURATION   AGE\n"
        "pi     Complete   1/1           18s        30s\n")
    uid = cluster.get("job", "pi")["metadata"]["uid"]
    assert cluster.kubectl("get jobs -o wide").splitlines()[1].split() == [
        "pi", "Complete", "1/1", "18s", "30s", "pi", "perl", f"batch.kubernetes.io/controller-uid={uid}"]


@pytest.mark.parametrize("conditions, deleting, expected", [
    ([], False, "Running"),
    ([("SuccessCriteriaMet", "True")], False, "SuccessCriteriaMet"),
    ([("FailureTarget", "True")], False, "FailureTarget"),
    ([("Suspended", "True")], False, "Suspended"),
    ([("Suspended", "False")], False, "Running"),
    ([("FailureTarget", "True")], True, "Terminating"),
    ([("SuccessCriteriaMet", "True"), ("Complete", "True")], True, "Complete"),
    ([("FailureTarget", "True"), ("Failed", "True")], False, "Failed"),
], ids=["no condition is Running", "success criteria met", "failure target", "suspended",
        "resumed is Running", "being deleted beats failure target", "complete beats deletion",
        "failed"])
def test_the_status_column_follows_printjobs_order(conditions, deleting, expected):
    job = {"metadata": {"name": "j"}, "status": {"conditions": [{"type": t, "status": s} for t, s in conditions]}}
    if deleting:
        job["metadata"]["deletionTimestamp"] = "2025-01-01T00:00:00Z"
    assert job_status(job) == expected


@pytest.mark.parametrize("spec, succeeded, expected", [
    ({"completions": 5, "parallelism": 2}, 3, "3/5"),
    ({"parallelism": 1}, 0, "0/1"),
    ({"parallelism": 3}, 1, "1/1 of 3"),
], ids=["with completions", "a work queue of one", "a work queue of three"])
def test_the_completions_column(spec, succeeded, expected):
    assert job_completions({"spec": spec, "status": {"succeeded": succeeded}}) == expected


def test_describe_job_prints_kubectls_page(cluster):
    cluster.apply(PI)
    cluster.run(30)
    pi = cluster.get("job", "pi")
    uid = pi["metadata"]["uid"]
    events = [e for e in cluster.client.list("events", "default")["items"] if e["involvedObject"]["kind"] == "Job"]
    pod = cluster.client.list("pods", "default")["items"][0]["metadata"]["name"]
    assert describe_job(pi, events, cluster.clock.now()) == f"""\
Name:             pi
Namespace:        default
Selector:         batch.kubernetes.io/controller-uid={uid}
Labels:           batch.kubernetes.io/controller-uid={uid}
                  batch.kubernetes.io/job-name=pi
                  controller-uid={uid}
                  job-name=pi
Annotations:      <none>
Parallelism:      1
Completions:      1
Completion Mode:  NonIndexed
Suspend:          false
Backoff Limit:    4
Start Time:       Wed, 01 Jan 2025 00:00:00 +0000
Completed At:     Wed, 01 Jan 2025 00:00:18 +0000
Duration:         18s
Pods Statuses:    0 Active (0 Ready) / 1 Succeeded / 0 Failed
Pod Template:
  Labels:  batch.kubernetes.io/controller-uid={uid}
           batch.kubernetes.io/job-name=pi
           controller-uid={uid}
           job-name=pi
  Containers:
   pi:
    Image:      perl
    Port:       <none>
    Host Port:  <none>
    Command:
      perl
      -Mbignum=bpi
      -wle
      print bpi(1000)
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Events:
  Type    Reason            Age   From            Message
  ----    ------            ----  ----            -------
  Normal  SuccessfulCreate  30s   job-controller  Created pod: {pod}
  Normal  Completed         12s   job-controller  Job completed
"""


def test_logs_and_wait_work_on_a_job(cluster):
    cluster.apply(PI)
    cluster.run(30)
    assert cluster.kubectl("logs job/pi").startswith("3.14159")
    assert cluster.kubectl("wait --for=condition=complete job/pi --timeout=1s") == "job.batch/pi condition met\n"
