"""``backoffLimitPerIndex`` (beta, on in 1.32): each index of an Indexed Job has its own retry
budget and back-off, failed indexes are listed in ``status.failedIndexes``, and
``maxFailedIndexes`` stops the Job early (pkg/controller/job/indexed_job_utils.go)."""

import pytest

import labkube
from labkube import StatusError
from labkube.core.controllers.job import COMPLETION_INDEX, INDEX_FAILURE_COUNT

DOCS_EXAMPLE = """
apiVersion: batch/v1
kind: Job
metadata:
  name: job-backoff-limit-per-index-example
spec:
  completions: 10
  parallelism: 3
  completionMode: Indexed  # required for the feature
  backoffLimitPerIndex: 1  # maximal number of failures per index
  maxFailedIndexes: 5      # maximal number of failed indexes before terminating the Job execution
  template:
    spec:
      restartPolicy: Never # required for the feature
      containers:
      - name: example
        image: python
        command:
        - python3
        - -c
        - |
          import os, sys
          print("Hello world")
          if int(os.environ.get("JOB_COMPLETION_INDEX")) % 2 == 0:
            sys.exit(1)
"""


def per_index_job(name, script, completions=3, parallelism=3, rules=None, **spec):
    body = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"completions": completions, "parallelism": parallelism, "completionMode": "Indexed",
                     **spec, "template": {"spec": {"restartPolicy": "Never", "containers": [
                         {"name": "main", "image": "busybox:1.36", "command": ["sh", "-c", script]}]}}}}
    if rules:
        body["spec"]["podFailurePolicy"] = {"rules": rules}
    return body


def pods_of(cluster, name):
    items = cluster.client.list("pods", "default", label_selector=f"batch.kubernetes.io/job-name={name}")["items"]
    return sorted(items, key=lambda p: p["metadata"]["creationTimestamp"] + p["metadata"]["name"])


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=3, seed=1) as c:
        yield c


def test_the_documentations_example_ends_with_five_failed_and_five_completed_indexes(cluster):
    cluster.kubectl("apply -f -", stdin=DOCS_EXAMPLE)
    assert cluster.get("job", "job-backoff-limit-per-index-example")["spec"]["backoffLimit"] == 2147483647
    cluster.run(120)
    status = cluster.get("job", "job-backoff-limit-per-index-example")["status"]
    assert (status["completedIndexes"], status["failedIndexes"], status["succeeded"], status["failed"]) == (
        "1,3,5,7,9", "0,2,4,6,8", 5, 10)
    assert [(c["type"], c["reason"], c["message"]) for c in status["conditions"]] == [
        ("FailureTarget", "FailedIndexes", "Job has failed indexes"), ("Failed", "FailedIndexes", "Job has failed indexes")]
    counts = {}
    for pod in pods_of(cluster, "job-backoff-limit-per-index-example"):
        index = pod["metadata"]["labels"][COMPLETION_INDEX]
        counts.setdefault(index, []).append(pod["metadata"]["annotations"][INDEX_FAILURE_COUNT])
    assert counts == {str(i): (["0", "1"] if i % 2 == 0 else ["0"]) for i in range(10)}


def test_the_first_status_already_lists_no_failed_index(cluster):
    cluster.apply(per_index_job("fresh", "sleep 30", backoffLimitPerIndex=1))
    cluster.run(2)
    assert cluster.get("job", "fresh")["status"]["failedIndexes"] == ""


def test_an_index_waits_out_its_own_back_off_before_its_retry(cluster):
    cluster.apply(per_index_job("slow", "sleep 2; test $JOB_COMPLETION_INDEX != 1", backoffLimitPerIndex=2))
    cluster.run(60)
    retries = [p for p in pods_of(cluster, "slow") if p["metadata"]["labels"][COMPLETION_INDEX] == "1"]
    created = [p["metadata"]["creationTimestamp"][11:19] for p in retries]
    finished = [p["status"]["containerStatuses"][0]["state"]["terminated"]["finishedAt"][11:19] for p in retries]
    # each retry waits 10 s, then 20 s, after the failure before it
    assert created[1:] == ["00:00:12", "00:00:34"] and finished[:2] == ["00:00:02", "00:00:14"]
    assert [p["metadata"]["annotations"][INDEX_FAILURE_COUNT] for p in retries] == ["0", "1", "2"]
    status = cluster.get("job", "slow")["status"]
    assert (status["completedIndexes"], status["failedIndexes"], status["failed"]) == ("0,2", "1", 3)


def test_max_failed_indexes_stops_the_job_and_its_running_pods(cluster):
    cluster.apply(per_index_job("strict", "sleep 1; test $JOB_COMPLETION_INDEX -ge 2 && sleep 300; exit 1",
                                completions=4, parallelism=4, backoffLimitPerIndex=0, maxFailedIndexes=1))
    cluster.run(60)
    status = cluster.get("job", "strict")["status"]
    assert [(c["type"], c["reason"]) for c in status["conditions"]] == [
        ("FailureTarget", "MaxFailedIndexesExceeded"), ("Failed", "MaxFailedIndexesExceeded")]
    assert status["conditions"][0]["message"] == "Job has exceeded the specified maximal number of failed indexes"
    assert status["failedIndexes"] == "0,1" and status.get("active", 0) == 0
    assert status["failed"] == 4  # the two running pods were stopped and count as failed


def test_a_fail_index_rule_fails_the_index_without_retries(cluster):
    cluster.apply(per_index_job("bug", "exit $((40 + JOB_COMPLETION_INDEX))", completions=3, backoffLimitPerIndex=5,
                                rules=[{"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [42]}}]))
    cluster.run(30)
    index_two = [p for p in pods_of(cluster, "bug") if p["metadata"]["labels"][COMPLETION_INDEX] == "2"]
    assert len(index_two) == 1  # no retry for the index the rule failed
    assert len([p for p in pods_of(cluster, "bug") if p["metadata"]["labels"][COMPLETION_INDEX] == "0"]) > 1
    assert cluster.get("job", "bug")["status"]["failedIndexes"] == "2"


@pytest.mark.parametrize("spec, message", [
    ({"completions": 3, "backoffLimitPerIndex": 1, "maxFailedIndexes": 4},
     "spec.maxFailedIndexes: Invalid value: 4: must be less than or equal to completions"),
    ({"completions": 200000, "parallelism": 20000, "backoffLimitPerIndex": 1},
     "[spec.maxFailedIndexes: Required value: must be specified when completions is above 100000, "
     "spec.parallelism: Invalid value: 20000: must be less than or equal to 10000 when completions are above "
     "100000 and used with backoff limit per index]"),
    ({"completions": 3, "maxFailedIndexes": 1},
     "spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified"),
], ids=["no more failed indexes than completions", "huge Jobs must bound their failed indexes",
        "maxFailedIndexes needs backoffLimitPerIndex"])
def test_per_index_limits_are_validated(cluster, spec, message):
    body = per_index_job("bad", "true", **{k: v for k, v in spec.items() if k not in ("completions", "parallelism")},
                         completions=spec["completions"], parallelism=spec.get("parallelism", 1))
    with pytest.raises(StatusError) as err:
        cluster.apply(body)
    assert err.value.message == f'Job.batch "bad" is invalid: {message}'
