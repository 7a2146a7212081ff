"""An Indexed Job's ``successPolicy`` (beta, on by default in 1.32): validation with
kube-apiserver's messages, the rule matching of success_policy.go, and a Job declared done early."""

import pytest

import labkube
from labkube import StatusError
from labkube.core.controllers.job import match_success_policy, parse_intervals


def job(success_policy, completions=5, mode="Indexed", name="sp"):
    spec = {"completions": completions, "parallelism": completions, "successPolicy": success_policy,
            "template": {"spec": {"containers": [{"name": "c", "image": "busybox"}], "restartPolicy": "Never"}}}
    if mode:
        spec["completionMode"] = mode
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": spec}


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=2, seed=0) as c:
        yield c


R = "spec.successPolicy.rules[0]"


@pytest.mark.parametrize("policy, mode, message", [
    ({"rules": [{"succeededCount": 1}]}, None,
     'spec.successPolicy: Invalid value: {"rules":[{"succeededCount":1}]}: requires indexed completion mode'),
    ({"rules": []}, "Indexed",
     "spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified"),
    ({"rules": [{}]}, "Indexed", f"{R}: Required value: at least one of succeededCount or succeededIndexes must be specified"),
    ({"rules": [{"succeededIndexes": "1-x"}]}, "Indexed",
     f'{R}.succeededIndexes: Invalid value: "1-x": error parsing succeededIndexes: cannot convert string to integer for index: "x"'),
    ({"rules": [{"succeededIndexes": "3,1"}]}, "Indexed",
     f'{R}.succeededIndexes: Invalid value: "3,1": error parsing succeededIndexes: non-increasing order, previous: 3, current: 1'),
    ({"rules": [{"succeededIndexes": "2-9"}]}, "Indexed",
     f'{R}.succeededIndexes: Invalid value: "2-9": error parsing succeededIndexes: too large index: "9"'),
    ({"rules": [{"succeededIndexes": "1-2-3"}]}, "Indexed",
     f'{R}.succeededIndexes: Invalid value: "1-2-3": error parsing succeededIndexes: the fragment "1-2-3" violates '
     "the requirement that an index interval can have at most two parts separated by '-'"),
    ({"rules": [{"succeededCount": 6}]}, "Indexed",
     f"{R}.succeededCount: Invalid value: 6: must be less than or equal to 5 (the number of specified completions)"),
    ({"rules": [{"succeededIndexes": "0,2", "succeededCount": 3}]}, "Indexed",
     f"{R}.succeededCount: Invalid value: 3: must be less than or equal to 2 (the number of indexes in the "
     "specified succeededIndexes field)"),
], ids=["only Indexed Jobs", "a rule is required", "a rule needs a count or indexes", "indexes are numbers",
        "indexes increase", "indexes stay below completions", "an interval has two ends at most",
        "the count fits completions", "the count fits the indexes"])
def test_an_invalid_success_policy_is_refused_naming_the_field(cluster, policy, mode, message):
    with pytest.raises(StatusError) as err:
        cluster.apply(job(policy, mode=mode))
    assert err.value.code == 422
    assert err.value.message == f'Job.batch "sp" is invalid: {message}'


def test_the_success_policy_cannot_change(cluster):
    cluster.apply(job({"rules": [{"succeededCount": 1}]}))
    live = cluster.get("job", "sp")
    live["spec"]["successPolicy"] = {"rules": [{"succeededCount": 2}]}
    with pytest.raises(StatusError) as err:
        cluster.client.update(live)
    assert "spec.successPolicy: Invalid value: " in err.value.message and "field is immutable" in err.value.message


def indexed(policy, completions=10):
    return {"spec": {"completions": completions, "successPolicy": policy}}


@pytest.mark.parametrize("rules, succeeded, expected", [
    ([{"succeededIndexes": "0,2-3"}], "0,2,3", "Matched rules at index 0"),
    ([{"succeededIndexes": "0,2-3"}], "0,2", None),
    ([{"succeededIndexes": "0,2-3", "succeededCount": 1}], "2", "Matched rules at index 0"),
    ([{"succeededIndexes": "0-4", "succeededCount": 3}], "1,3-5", "Matched rules at index 0"),
    ([{"succeededIndexes": "0-4", "succeededCount": 3}], "4-9", None),
    ([{"succeededIndexes": "7"}, {"succeededCount": 2}], "1,2", "Matched rules at index 1"),
    ([{"succeededCount": 3}], "", None),
], ids=["every required index succeeded", "one required index is missing", "a count within the indexes",
        "overlap is counted across intervals", "indexes outside the rule do not count",
        "the first rule that matches names itself", "nothing succeeded yet"])
def test_success_policy_rules_match_the_succeeded_indexes(rules, succeeded, expected):
    assert match_success_policy(indexed({"rules": rules}), parse_intervals(succeeded, 10)) == expected


DOCS_SUCCESS_POLICY = """
apiVersion: batch/v1
kind: Job
metadata:
  name: job-success
spec:
  parallelism: 10
  completions: 10
  completionMode: Indexed # Required for the success policy
  successPolicy:
    rules:
      - succeededIndexes: 0,2-3
        succeededCount: 1
  template:
    spec:
      containers:
      - name: main
        image: python
        command:
          - python3
          - -c
          - |
            import os, sys, time
            if os.environ.get("JOB_COMPLETION_INDEX") == "2":
              sys.exit(0)
            else:
              time.sleep(60)
              sys.exit(1)
      restartPolicy: Never
"""


def test_a_success_policy_completes_the_job_early_and_stops_the_other_pods(cluster):
    cluster.kubectl("apply -f -", stdin=DOCS_SUCCESS_POLICY)
    cluster.run(90)
    status = cluster.get("job", "job-success")["status"]
    assert [(c["type"], c["reason"], c["message"]) for c in status["conditions"]] == [
        ("SuccessCriteriaMet", "SuccessPolicy", "Matched rules at index 0"),
        ("Complete", "SuccessPolicy", "Matched rules at index 0")]
    assert status["completedIndexes"] == "2" and status["succeeded"] == 1
    assert "failed" not in status  # the pods stopped by success are not failures
    assert cluster.list("pods", label_selector="job-name=job-success") == [
        p for p in cluster.list("pods", label_selector="job-name=job-success")
        if p["status"]["phase"] in ("Succeeded", "Failed")]
    assert cluster.kubectl("get job job-success").splitlines()[1].split()[1:3] == ["Complete", "1/10"]
