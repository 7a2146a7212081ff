"""``kubectl create priorityclass`` (alias ``pc``): the object it builds and what it answers,
against the real kubectl 1.32 (the dry-run goldens are in golden_priorityclass/, captured by
``capture_priorityclass.py``; the messages below were printed by /usr/bin/kubectl v1.32)."""

import pytest
import yaml

import labkube
from labkube.kubectl.commands.create_priorityclass import build_priority_class
from tests.kubectl.priorityclass_cases import GOLDEN


@pytest.mark.parametrize("stem, args", [
    ("create_pc_yaml", ("high", 1000, False, "high priority", "PreemptLowerPriority")),
    ("create_pc_default_never_yaml", ("default-priority", 10, True, "", "Never")),
    ("create_pc_no_value_yaml", ("zero", 0, False, "", "PreemptLowerPriority")),
], ids=["value and description", "global default that never preempts", "no value is value 0"])
def test_create_priorityclass_builds_what_kubectl_builds(stem, args):
    assert build_priority_class(*args) == yaml.safe_load((GOLDEN / f"{stem}.txt").read_text())


COMMAND_CASES = [
    ("create priorityclass --value=1",
     "error: exactly one NAME is required, got 0\nSee 'kubectl create priorityclass -h' for help and examples\n"),
    ("create pc a b --value=1",
     "error: exactly one NAME is required, got 2\nSee 'kubectl create priorityclass -h' for help and examples\n"),
    ("create priorityclass x --value=3000000000",
     'Error: invalid argument "3000000000" for "--value" flag: strconv.ParseInt: parsing "3000000000": '
     "value out of range\nSee 'kubectl create priorityclass --help' for usage.\n"),
    ("create priorityclass x --global-default=maybe",
     'Error: invalid argument "maybe" for "--global-default" flag: strconv.ParseBool: parsing "maybe": '
     "invalid syntax\nSee 'kubectl create priorityclass --help' for usage.\n"),
    # sent to the API server: its answers
    ("create pc big --value=2000000000",
     'The PriorityClass "big" is invalid: value: Forbidden: maximum allowed value of a user defined '
     "priority is 1000000000\n"),
    ("create pc system-gold --value=10",
     'The PriorityClass "system-gold" is invalid: metadata.name: Forbidden: priority class names with '
     "'system-' prefix are reserved for system use only. error: system-gold is not a known system "
     "priority class\n"),
    ("create pc bad --value=1 --preemption-policy=Sometimes",
     'The PriorityClass "bad" is invalid: preemptionPolicy: Unsupported value: "Sometimes": supported '
     'values: "PreemptLowerPriority", "Never"\n'),
]


@pytest.mark.parametrize("line, expected", COMMAND_CASES, ids=[
    "no name", "two names", "value beyond int32", "a flag that is not a bool",
    "above the highest user-definable priority", "the reserved system- prefix", "an unknown policy"])
def test_create_priorityclass_answers_as_kubectl(line, expected):
    with labkube.Cluster(nodes=1, seed=0) as cluster:
        assert cluster.kubectl(line) == expected


def test_create_priorityclass_creates_a_class_pods_can_name():
    with labkube.Cluster(nodes=1, seed=0) as cluster:
        assert cluster.kubectl("create pc gold --value=1000 --preemption-policy=Never") == \
            "priorityclass.scheduling.k8s.io/gold created\n"
        pod = cluster.client.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                     "spec": {"priorityClassName": "gold",
                                              "containers": [{"name": "c", "image": "nginx"}]}}, "default")
        assert (pod["spec"]["priority"], pod["spec"]["preemptionPolicy"]) == (1000, "Never")
