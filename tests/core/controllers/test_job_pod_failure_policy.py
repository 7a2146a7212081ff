"""A Job's ``podFailurePolicy``: validation with kube-apiserver 1.32's messages, and what the Job
controller does with each rule (pkg/controller/job/pod_failure_policy.go), including the three
manifests of kubernetes.io's "Handling retriable and non-retriable pod failures" pages."""

import pytest

import labkube
from labkube import StatusError
from labkube.core.controllers.job import match_pod_failure_policy


def rules_job(rules, name="pfp", containers=None, **spec):
    containers = containers or [{"name": "main", "image": "busybox"}]
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {**spec, "podFailurePolicy": {"rules": rules},
                     "template": {"spec": {"containers": containers, "restartPolicy": "Never"}}}}


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=2, seed=0) as c:
        yield c


R = "spec.podFailurePolicy.rules[0]"


@pytest.mark.parametrize("rule, message", [
    ({"onExitCodes": {"operator": "In", "values": [1]}},
     f'{R}.action: Required value: valid values: ["Count" "FailIndex" "FailJob" "Ignore"]'),
    ({"action": "Retry", "onExitCodes": {"operator": "In", "values": [1]}},
     f'{R}.action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"'),
    ({"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [1]}},
     f'{R}.action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set'),
    ({"action": "FailJob"}, f"{R}: Invalid value: specifying one of OnExitCodes and OnPodConditions is required"),
    ({"action": "FailJob", "onExitCodes": {"operator": "In", "values": [1]},
      "onPodConditions": [{"type": "DisruptionTarget"}]},
     f"{R}: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported"),
    ({"action": "FailJob", "onExitCodes": {"values": [1]}},
     f'{R}.onExitCodes.operator: Required value: valid values: ["In" "NotIn"]'),
    ({"action": "FailJob", "onExitCodes": {"operator": "Equals", "values": [1]}},
     f'{R}.onExitCodes.operator: Unsupported value: "Equals": supported values: "In", "NotIn"'),
    ({"action": "FailJob", "onExitCodes": {"containerName": "sidecar", "operator": "In", "values": [1]}},
     f'{R}.onExitCodes.containerName: Invalid value: "sidecar": must be one of the container or '
     "initContainer names in the pod template"),
    ({"action": "FailJob", "onExitCodes": {"operator": "In", "values": []}},
     f"{R}.onExitCodes.values: Invalid value: []int32{{}}: at least one value is required"),
    ({"action": "FailJob", "onExitCodes": {"operator": "In", "values": [0, 1]}},
     f"{R}.onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator"),
    ({"action": "FailJob", "onExitCodes": {"operator": "NotIn", "values": [3, 3]}},
     f"{R}.onExitCodes.values[1]: Duplicate value: 3"),
    ({"action": "FailJob", "onExitCodes": {"operator": "NotIn", "values": [5, 2]}},
     f"{R}.onExitCodes.values: Invalid value: []int32{{5, 2}}: must be ordered"),
    ({"action": "Ignore", "onPodConditions": [{"type": "Bad Type", "status": "True"}]},
     f'{R}.onPodConditions[0].type: Invalid value: "Bad Type": name part must consist of alphanumeric '
     "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or "
     "'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
    ({"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "Maybe"}]},
     f'{R}.onPodConditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"'),
], ids=["an action is required", "an unknown action", "FailIndex needs backoffLimitPerIndex",
        "a rule needs something to match", "a rule matches exit codes or conditions, not both",
        "an operator is required", "an unknown operator", "the container must be in the template",
        "values may not be empty", "In may not list 0", "values are distinct", "values are ordered",
        "a condition type is a qualified name", "a condition status is True, False or Unknown"])
def test_an_invalid_pod_failure_policy_is_refused_naming_the_field(cluster, rule, message):
    with pytest.raises(StatusError) as err:
        cluster.apply(rules_job([rule]))
    assert err.value.code == 422
    assert err.value.message == f'Job.batch "pfp" is invalid: {message}'


def test_too_many_rules_are_refused(cluster):
    rule = {"action": "Count", "onExitCodes": {"operator": "In", "values": [1]}}
    with pytest.raises(StatusError) as err:
        cluster.apply(rules_job([rule] * 21))
    assert err.value.message == 'Job.batch "pfp" is invalid: spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items'


def test_a_pod_failure_policy_needs_restart_policy_never(cluster):
    body = rules_job([{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}])
    body["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
    with pytest.raises(StatusError) as err:
        cluster.apply(body)
    assert err.value.message == ('Job.batch "pfp" is invalid: spec.template.spec.restartPolicy: Invalid value: '
                                 '"OnFailure": only "Never" is supported when podFailurePolicy is specified')


def failed_pod(exit_codes, init_codes=(), conditions=()):
    def statuses(codes, prefix):
        return [{"name": f"{prefix}{i}", "state": {"terminated": {"exitCode": code}} if code is not None
                 else {"running": {}}} for i, code in enumerate(codes)]
    return {"metadata": {"name": "p", "namespace": "ns"},
            "status": {"phase": "Failed", "containerStatuses": statuses(exit_codes, "c"),
                       "initContainerStatuses": statuses(init_codes, "i"),
                       "conditions": [{"type": t, "status": s} for t, s in conditions]}}


def policy(*rules):
    return {"spec": {"podFailurePolicy": {"rules": list(rules)}}}


FAIL_42 = {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}
IGNORE_DISRUPTION = {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}


@pytest.mark.parametrize("job, pod, expected", [
    (policy(FAIL_42), failed_pod([42]),
     ("Container c0 for pod ns/p failed with exit code 42 matching FailJob rule at index 0", True, "FailJob")),
    (policy(FAIL_42), failed_pod([1]), (None, True, None)),
    (policy(IGNORE_DISRUPTION, FAIL_42), failed_pod([42], conditions=[("DisruptionTarget", "True")]),
     (None, False, "Ignore")),
    (policy(IGNORE_DISRUPTION), failed_pod([137], conditions=[("DisruptionTarget", "False")]), (None, True, None)),
    (policy({"action": "FailJob", "onPodConditions": [{"type": "ConfigIssue", "status": "True"}]}),
     failed_pod([1], conditions=[("Ready", "False"), ("ConfigIssue", "True")]),
     ("Pod ns/p has condition ConfigIssue matching FailJob rule at index 0", True, "FailJob")),
    (policy({"action": "Count", "onExitCodes": {"operator": "NotIn", "values": [1, 2]}}, FAIL_42),
     failed_pod([42]), (None, True, "Count")),
    (policy({"action": "Ignore", "onExitCodes": {"operator": "NotIn", "values": [1]}}), failed_pod([0, None]),
     (None, True, None)),
    (policy({"action": "FailJob", "onExitCodes": {"containerName": "i0", "operator": "In", "values": [3]}}),
     failed_pod([None], init_codes=[3]),
     ("Container i0 for pod ns/p failed with exit code 3 matching FailJob rule at index 0", True, "FailJob")),
    (policy({"action": "FailJob", "onExitCodes": {"containerName": "c1", "operator": "In", "values": [42]}}),
     failed_pod([42, 42]),
     ("Container c1 for pod ns/p failed with exit code 42 matching FailJob rule at index 0", True, "FailJob")),
], ids=["an exit code In the list fails the Job", "another exit code falls through to counting",
        "the first matching rule wins", "a condition must have the pattern's status",
        "any condition of the pod can match", "Count counts, and stops the search",
        "exit code 0 and running containers never match", "init containers are matched too",
        "containerName limits the match to one container"])
def test_the_first_matching_rule_decides(job, pod, expected):
    assert match_pod_failure_policy(job, pod) == expected


BASH_JOB = """
apiVersion: batch/v1
kind: Job
metadata:
  name: {name}
spec:
  completions: {completions}
  parallelism: {parallelism}
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: docker.io/library/bash:5
        command: ["bash"]
        args:
        - -c
        - {script}
  backoffLimit: {backoff}
  podFailurePolicy:
    rules:
{rules}
"""

FAILJOB_RULES = """    - action: FailJob
      onExitCodes:
        containerName: main
        operator: In
        values: [42]"""
IGNORE_RULES = """    - action: Ignore
      onPodConditions:
      - type: DisruptionTarget"""


def test_the_documentations_failjob_example_fails_at_the_first_exit_42(cluster):
    cluster.kubectl("apply -f -", stdin=BASH_JOB.format(
        name="job-pod-failure-policy-failjob", completions=8, parallelism=2, backoff=6, rules=FAILJOB_RULES,
        script="echo \"Hello world! I'm going to exit with 42 to simulate a software bug.\" && sleep 30 && exit 42"))
    cluster.run(45)
    status = cluster.get("job", "job-pod-failure-policy-failjob")["status"]
    first = sorted(p["metadata"]["name"] for p in cluster.list("pods", label_selector="job-name=job-pod-failure-policy-failjob"))
    assert [(c["type"], c["reason"]) for c in status["conditions"]] == [
        ("FailureTarget", "PodFailurePolicy"), ("Failed", "PodFailurePolicy")]
    message = status["conditions"][1]["message"]
    assert message.startswith("Container main for pod default/job-pod-failure-policy-failjob-")
    assert message.endswith(" failed with exit code 42 matching FailJob rule at index 0")
    assert len(first) == 2 and status["failed"] == 2 and "succeeded" not in status
    assert ("Warning", "PodFailurePolicy", message) in [
        (e["type"], e["reason"], e["message"]) for e in cluster.list("events")]


def test_the_documentations_ignore_example_survives_a_drain_with_backoff_limit_zero(cluster):
    cluster.kubectl("apply -f -", stdin=BASH_JOB.format(
        name="job-pod-failure-policy-ignore", completions=4, parallelism=2, backoff=0, rules=IGNORE_RULES,
        script="echo \"Hello world! I'm going to exit with 0 (success).\" && sleep 90 && exit 0"))
    cluster.run(5)
    pods = cluster.list("pods", label_selector="job-name=job-pod-failure-policy-ignore")
    node = pods[0]["spec"]["nodeName"]
    cluster.kubectl(f"drain {node} --ignore-daemonsets")
    cluster.run(40)
    status = cluster.get("job", "job-pod-failure-policy-ignore")["status"]
    assert "failed" not in status and not status.get("conditions")
    cluster.kubectl(f"uncordon {node}")
    cluster.run(400)
    status = cluster.get("job", "job-pod-failure-policy-ignore")["status"]
    assert status["succeeded"] == 4 and "failed" not in status
    assert [c["type"] for c in status["conditions"]] == ["SuccessCriteriaMet", "Complete"]


def test_without_the_ignore_rule_the_same_drain_fails_the_job(cluster):
    cluster.kubectl("apply -f -", stdin=BASH_JOB.format(
        name="strict", completions=4, parallelism=2, backoff=0,
        rules="""    - action: Count
      onExitCodes:
        operator: NotIn
        values: [0]""",
        script="sleep 90"))
    cluster.run(5)
    node = cluster.list("pods", label_selector="job-name=strict")[0]["spec"]["nodeName"]
    cluster.kubectl(f"drain {node} --ignore-daemonsets")
    cluster.run(60)
    status = cluster.get("job", "strict")["status"]
    assert [(c["type"], c["reason"]) for c in status["conditions"]][-1] == ("Failed", "BackoffLimitExceeded")
