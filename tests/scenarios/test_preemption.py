"""Preemption end to end, as kube-scheduler 1.32 does it (pkg/scheduler/framework/preemption,
plugins/defaultpreemption, schedule_one.go) on a cluster of three full nodes.

Three 2-CPU nodes run six 900m pods of a Deployment (two a node; ``sleep`` ignores SIGTERM, so
a deleted pod takes its whole 30 s grace period). At 30 s a 1.5-CPU pod of a PriorityClass worth
1,000,000 arrives: it fits nowhere, so preemption picks one node, marks both its pods
``DisruptionTarget`` (``PreemptionByScheduler``), deletes them gracefully with a ``Preempted``
event on each, and nominates the node in the preemptor's status. The ReplicaSet replaces the
two victims at once; the replacements (priority 0) find no room, and no victims either, while
the victims terminate and after: the room is kept for the nominated pod. When the victims are
gone (at about 60 s) the preemptor is bound to its nominated node.
"""

import pytest

import labkube

START = 1735689600.0  # the simulated clock's epoch: 2025-01-01T00:00:00Z

CLASSES = """
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high-priority
value: 1000000
description: "For the pods that must run."
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high-priority-nonpreempting
value: 1000000
preemptionPolicy: Never
description: "Queued ahead of others, but never preempts."
"""

FILLER = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: filler
spec:
  replicas: 6
  selector:
    matchLabels: {app: filler}
  template:
    metadata:
      labels: {app: filler}
    spec:
      containers:
      - name: c
        image: busybox
        command: [sleep, "3600"]
        resources:
          requests: {cpu: 900m}
"""


def important(name, priority_class="high-priority", cpu="1500m"):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"priorityClassName": priority_class,
                     "containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu}}}]}}


REPLACEMENT_MESSAGE = ("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
                       "3 No preemption victims found for incoming pod.")


def full_cluster(seed=0):
    cluster = labkube.Cluster(nodes=3, seed=seed)
    cluster.apply(CLASSES)
    cluster.apply(FILLER)
    cluster.run(30)
    return cluster


def run_until(cluster, seconds):
    cluster.run(START + seconds - cluster.clock.now())


def pods(cluster):
    return {p["metadata"]["name"]: p for p in cluster.client.list("pods", "default")["items"]}


def events(cluster, reason):
    return [e for e in cluster.client.list("events.events.k8s.io", "default")["items"] if e["reason"] == reason]


def condition(pod, kind):
    return next((c for c in (pod.get("status") or {}).get("conditions") or () if c["type"] == kind), None)


@pytest.fixture(scope="module")
def preempted():
    """The cluster 1 s after vip arrived (victims terminating), and at 90 s (vip running)."""
    cluster = full_cluster()
    before = pods(cluster)
    vip = cluster.apply(important("vip"))[0]
    run_until(cluster, 31)
    during = pods(cluster)
    run_until(cluster, 90)
    yield cluster, vip, before, during, pods(cluster)
    cluster.close()


def victims_of(before, during):
    return sorted(n for n, p in during.items() if n in before and p["metadata"].get("deletionTimestamp"))


def test_the_preemptor_gets_its_class_priority_and_policy(preempted):
    _, vip, *_ = preempted
    assert (vip["spec"]["priority"], vip["spec"]["preemptionPolicy"]) == (1000000, "PreemptLowerPriority")


def test_preemption_deletes_both_pods_of_one_node_and_no_other(preempted):
    _, _, before, during, _ = preempted
    victims = victims_of(before, during)
    assert len(victims) == 2
    assert len({before[name]["spec"]["nodeName"] for name in victims}) == 1


def test_the_preemptor_is_nominated_to_the_victims_node(preempted):
    _, _, before, during, _ = preempted
    node = before[victims_of(before, during)[0]]["spec"]["nodeName"]
    assert during["vip"]["status"]["nominatedNodeName"] == node
    assert "nodeName" not in during["vip"]["spec"]


def test_victims_carry_the_disruption_target_condition_while_they_terminate(preempted):
    _, _, before, during, _ = preempted
    for name in victims_of(before, during):
        target = condition(during[name], "DisruptionTarget")
        assert {k: target[k] for k in ("status", "reason", "message")} == {
            "status": "True", "reason": "PreemptionByScheduler",
            "message": "default-scheduler: preempting to accommodate a higher priority pod"}
        assert during[name]["metadata"]["deletionGracePeriodSeconds"] == 30


def test_each_victim_gets_a_preempted_event_naming_the_preemptors_uid_and_node(preempted):
    cluster, vip, before, during, _ = preempted
    node = before[victims_of(before, during)[0]]["spec"]["nodeName"]
    got = sorted((e["regarding"]["name"], e["related"]["name"], e["type"], e["action"], e["reportingController"],
                  e["note"]) for e in events(cluster, "Preempted"))
    assert got == [(name, "vip", "Normal", "Preempting", "default-scheduler",
                    f"Preempted by pod {vip['metadata']['uid']} on node {node}")
                   for name in victims_of(before, during)]


def test_the_preemptors_failed_scheduling_has_no_preemption_part(preempted):
    cluster, *_ = preempted
    assert [e["note"] for e in events(cluster, "FailedScheduling") if e["regarding"]["name"] == "vip"] == \
        ["0/3 nodes are available: 3 Insufficient cpu."]


def test_the_replacements_stay_pending_with_no_victims_to_take(preempted):
    cluster, _, before, _, after = preempted
    replacements = [p for n, p in after.items() if n not in before and n != "vip"]
    assert len(replacements) == 2
    for pod in replacements:
        assert "nodeName" not in pod["spec"]
        scheduled = condition(pod, "PodScheduled")
        assert (scheduled["status"], scheduled["reason"], scheduled["message"]) == \
            ("False", "Unschedulable", REPLACEMENT_MESSAGE)
    notes = {e["note"] for e in events(cluster, "FailedScheduling") if e["regarding"]["name"] != "vip"}
    assert notes == {REPLACEMENT_MESSAGE}


def test_the_preemptor_runs_on_its_node_once_the_victims_are_gone(preempted):
    cluster, _, before, during, after = preempted
    node = during["vip"]["status"]["nominatedNodeName"]
    assert (after["vip"]["spec"]["nodeName"], after["vip"]["status"]["phase"]) == (node, "Running")
    assert not set(victims_of(before, during)) & set(after)
    [scheduled] = [e for e in events(cluster, "Scheduled") if e["regarding"]["name"] == "vip"]
    assert scheduled["eventTime"] >= "2025-01-01T00:01:00"  # after the 30 s grace period


def test_a_pod_whose_class_never_preempts_waits_without_evicting_anyone():
    with full_cluster() as cluster:
        before = pods(cluster)
        cluster.apply(important("polite", "high-priority-nonpreempting"))
        cluster.run(5)
        after = pods(cluster)
        assert after["polite"]["spec"]["preemptionPolicy"] == "Never"
        assert not any(p["metadata"].get("deletionTimestamp") for p in after.values())
        assert set(after) == set(before) | {"polite"}
        assert condition(after["polite"], "PodScheduled")["message"] == (
            "0/3 nodes are available: 3 Insufficient cpu. preemption: not eligible due to "
            "preemptionPolicy=Never.")
        assert events(cluster, "Preempted") == []


def test_a_pod_no_bigger_than_the_free_room_preempts_nobody():
    with full_cluster() as cluster:
        cluster.apply(important("small", cpu="100m"))
        cluster.run(5)
        assert pods(cluster)["small"]["status"]["phase"] == "Running"
        assert events(cluster, "Preempted") == []


def _story(seed):
    with full_cluster(seed) as cluster:
        cluster.apply(important("vip"))
        run_until(cluster, 90)
        return (sorted((p["metadata"]["name"], p["spec"].get("nodeName"), p["metadata"]["uid"])
                       for p in pods(cluster).values()),
                sorted((e["reason"], e["regarding"]["name"], e["note"]) for e in
                       cluster.client.list("events.events.k8s.io", "default")["items"]))


def test_the_same_seed_preempts_the_same_pods_on_the_same_node():
    assert _story(3) == _story(3)
