"""Indexed Jobs (``completionMode: Indexed``): each pod gets a completion index.

Checks the index bookkeeping of pkg/controller/job/indexed_job_utils.go (1.32) table by table,
then whole Jobs on the simulated clock: pod names, hostnames, the index annotation, label and
``JOB_COMPLETION_INDEX``, ``status.completedIndexes``, a failing index retried under its own
number, and ``kubectl describe``'s capped index list.
"""

import pytest
from hypothesis import given, strategies as st

import labkube
from labkube.core.controllers.job import (
    COMPLETION_INDEX, completion_index, duplicated_index_pods, first_pending_indexes, intervals_have,
    intervals_text, intervals_total, parse_intervals, pod_generate_name_with_index, with_indexes,
)
from labkube.kubectl.describe.batch import cap_indexes


def pod(name, index=None, phase="Running", node="node-1", created="2025-01-01T00:00:00Z"):
    meta = {"name": name, "uid": f"uid-{name}", "creationTimestamp": created}
    if index is not None:
        meta["annotations"] = {COMPLETION_INDEX: index}
    return {"metadata": meta, "spec": {"nodeName": node}, "status": {"phase": phase}}


@pytest.mark.parametrize("text, completions, want", [
    ("", 5, []),
    ("0", 5, [[0, 0]]),
    ("1,3-5,7", 10, [[1, 1], [3, 5], [7, 7]]),
    ("0-2,3", 10, [[0, 3]]),          # touching intervals merge
    ("1-9", 5, [[1, 4]]),             # cut at completions
    ("2,7,8", 5, [[2, 2]]),           # indexes beyond completions dropped
    ("a,1,b-3,4", 10, [[1, 1], [4, 4]]),  # a corrupted part is skipped
])
def test_completed_indexes_are_read_as_intervals_cut_at_completions(text, completions, want):
    assert parse_intervals(text, completions) == want


@pytest.mark.parametrize("intervals, want", [
    ([], ""),
    ([[1, 1], [3, 5], [7, 7]], "1,3-5,7"),
    ([[3, 4]], "3,4"),                 # two neighbours are listed, not joined by a hyphen
    ([[0, 2]], "0-2"),
])
def test_intervals_are_written_as_the_controller_writes_them(intervals, want):
    assert intervals_text(intervals) == want


def test_new_indexes_merge_into_the_intervals_they_touch():
    assert with_indexes([[1, 2], [6, 6]], [0, 3, 5, 9]) == [[0, 3], [5, 6], [9, 9]]
    assert intervals_total([[0, 3], [5, 6], [9, 9]]) == 7


@given(st.sets(st.integers(0, 40)), st.integers(1, 45))
def test_indexes_survive_the_trip_through_completed_indexes_text(indexes, completions):
    kept = sorted(i for i in indexes if i < completions)
    intervals = with_indexes([], sorted(indexes))
    back = parse_intervals(intervals_text(intervals), completions)
    assert [i for i in range(completions) if intervals_have(back, i)] == kept
    assert intervals_total(back) == len(kept)


@pytest.mark.parametrize("active, succeeded, count, completions, want", [
    ([], [], 3, 5, [0, 1, 2]),
    (["0", "2"], [], 3, 5, [1, 3, 4]),
    ([], [[0, 1], [3, 3]], 5, 6, [2, 4, 5]),
    (["4"], [[0, 2]], 2, 5, [3]),
    (["0"], [[1, 4]], 1, 5, []),
    (["x", "-1"], [], 2, 3, [0, 1]),   # pods without a valid index take no index
])
def test_new_pods_take_the_lowest_indexes_neither_done_nor_running(active, succeeded, count, completions, want):
    pods = [pod(f"p{i}", index) for i, index in enumerate(active)]
    assert first_pending_indexes(pods, succeeded, count, completions) == want


@pytest.mark.parametrize("job_name, index, want", [
    ("indexed-job", 1, "indexed-job-1-"),
    ("h" * 70, 1, "h" * 55 + "-1-"),
    ("h" * 57, 12, "h" * 54 + "-12-"),
])
def test_pod_names_carry_the_index_and_stay_short_enough(job_name, index, want):
    assert pod_generate_name_with_index(job_name, index) == want


@pytest.mark.parametrize("text, want", [("3", 3), ("0", 0), ("+2", 2), ("-1", None), ("x", None),
                                        ("1.5", None), (" 1", None), (None, None)])
def test_a_completion_index_is_a_non_negative_decimal(text, want):
    assert completion_index(pod("p", text)) == want


def test_repeated_invalid_and_out_of_range_indexes_are_removed_keeping_the_most_valuable():
    pods = [pod("a", "1", phase="Pending"), pod("b", "1", phase="Running"), pod("c", None),
            pod("d", "0"), pod("e", "7"), pod("f", "bad")]
    remove, keep = duplicated_index_pods(pods, completions=5)
    assert [p["metadata"]["name"] for p in remove] == ["c", "f", "a", "e"]
    assert [p["metadata"]["name"] for p in keep] == ["d", "b"]


@pytest.mark.parametrize("indexes, want", [
    ("", "<none>"),
    ("0-4", "0-4"),
    (",".join(str(i) for i in range(0, 60, 2)), "0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,...")
])
def test_describe_caps_a_long_index_list_after_fifty_characters(indexes, want):
    assert cap_indexes(indexes, 50) == want


def indexed_job(name, command, completions, parallelism, **spec):
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"completions": completions, "parallelism": parallelism, "completionMode": "Indexed",
                     **spec, "template": {"spec": {
                         "containers": [{"name": "worker", "image": "busybox:1.36", "command": command}],
                         "restartPolicy": "Never"}}}}


def pods_of(cluster, name):
    items = cluster.client.list("pods", "default", label_selector=f"batch.kubernetes.io/job-name={name}")["items"]
    return sorted(items, key=lambda p: p["metadata"]["creationTimestamp"] + p["metadata"]["name"])


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=2, seed=0) as c:
        yield c


def test_each_pod_of_an_indexed_job_knows_its_index_by_name_hostname_label_and_env(cluster):
    cluster.apply(indexed_job("work", ["sh", "-c", "echo item $JOB_COMPLETION_INDEX on $(hostname); sleep 5"], 5, 3))
    cluster.run(2)
    first = pods_of(cluster, "work")
    assert [p["metadata"]["generateName"] for p in first] == ["work-0-", "work-1-", "work-2-"]
    for index, p in enumerate(first):
        assert p["metadata"]["name"].startswith(f"work-{index}-")
        assert p["metadata"]["annotations"][COMPLETION_INDEX] == str(index)
        assert p["metadata"]["labels"][COMPLETION_INDEX] == str(index)
        assert p["spec"]["hostname"] == f"work-{index}"
        assert p["spec"]["containers"][0]["env"] == [{"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef": {
            "apiVersion": "v1", "fieldPath": "metadata.labels['batch.kubernetes.io/job-completion-index']"}}}]
    cluster.run(60)
    logs = {p["metadata"]["labels"][COMPLETION_INDEX]: cluster.kubectl(f"logs {p['metadata']['name']}").strip()
            for p in pods_of(cluster, "work")}
    assert logs == {str(i): f"item {i} on work-{i}" for i in range(5)}
    status = cluster.get("job", "work")["status"]
    assert status["completedIndexes"] == "0-4" and status["succeeded"] == 5
    assert [c["type"] for c in status["conditions"]] == ["SuccessCriteriaMet", "Complete"]
    assert "uncountedTerminatedPods" in status and status["uncountedTerminatedPods"] == {}


def test_completed_indexes_grow_as_indexes_finish_out_of_order(cluster):
    # index i sleeps 10 - 3i seconds: index 2 finishes first, then 1, then 0
    cluster.apply(indexed_job("race", ["sh", "-c", "sleep $((10 - 3 * JOB_COMPLETION_INDEX))"], 3, 3))
    seen = []
    for _ in range(20):
        cluster.run(1)
        done = (cluster.get("job", "race").get("status") or {}).get("completedIndexes", "")
        if not seen or seen[-1] != done:
            seen.append(done)
    assert seen == ["", "2", "1,2", "0-2"]


def test_a_failing_index_is_retried_under_its_own_number_until_the_backoff_limit(cluster):
    cluster.apply(indexed_job("flaky", ["sh", "-c", "sleep 2; test $JOB_COMPLETION_INDEX != 1"], 3, 3, backoffLimit=1))
    cluster.run(120)
    pods = pods_of(cluster, "flaky")
    indexes = [p["metadata"]["labels"][COMPLETION_INDEX] for p in pods]
    assert sorted(indexes) == ["0", "1", "1", "2"]
    assert [p["status"]["phase"] for p in pods if p["metadata"]["labels"][COMPLETION_INDEX] == "1"] == ["Failed", "Failed"]
    status = cluster.get("job", "flaky")["status"]
    assert status["completedIndexes"] == "0,2" and status["succeeded"] == 2 and status["failed"] == 2
    assert [(c["type"], c["reason"]) for c in status["conditions"]] == [
        ("FailureTarget", "BackoffLimitExceeded"), ("Failed", "BackoffLimitExceeded")]


def test_kubectl_describe_shows_the_completion_mode_and_completed_indexes(cluster):
    cluster.apply(indexed_job("shown", ["sh", "-c", "sleep 1"], 4, 2))
    cluster.run(30)
    text = cluster.kubectl("describe job shown")
    assert "Completion Mode:    Indexed\n" in text
    assert "Pods Statuses:      0 Active (0 Ready) / 4 Succeeded / 0 Failed\nCompleted Indexes:  0-3\n" in text


def test_lowering_parallelism_deletes_the_pod_ready_for_the_shortest_time(cluster):
    """``activePodsForRemoval`` ranks pods as ``controller.ActivePods`` does, for every Job."""
    body = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "wide"},
            "spec": {"parallelism": 3, "completions": 6, "template": {"spec": {
                "containers": [{"name": "c", "image": "busybox:1.36", "command": ["sleep", "600"]}],
                "restartPolicy": "Never"}}}}
    cluster.apply(body)
    cluster.run(5)
    first = {p["metadata"]["name"] for p in pods_of(cluster, "wide")}
    cluster.kubectl("patch job wide -p '{\"spec\":{\"parallelism\":4}}'")
    cluster.run(5)
    newest = {p["metadata"]["name"] for p in pods_of(cluster, "wide")} - first
    assert len(newest) == 1
    cluster.kubectl("patch job wide -p '{\"spec\":{\"parallelism\":3}}'")
    cluster.run(5)
    running = {p["metadata"]["name"] for p in pods_of(cluster, "wide")
               if not p["metadata"].get("deletionTimestamp") and p["status"].get("phase") == "Running"}
    assert running == first


DOCS_INDEXED_JOB = """
apiVersion: batch/v1
kind: Job
metadata:
  name: 'indexed-job'
spec:
  completions: 5
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      initContainers:
      - name: 'input'
        image: 'docker.io/library/bash'
        command:
        - "bash"
        - "-c"
        - |
          items=(foo bar baz qux xyz)
          echo ${items[$JOB_COMPLETION_INDEX]} > /input/data.txt
        volumeMounts:
        - mountPath: /input
          name: input
      containers:
      - name: 'worker'
        image: 'docker.io/library/busybox'
        command:
        - "rev"
        - "/input/data.txt"
        volumeMounts:
        - mountPath: /input
          name: input
      volumes:
      - name: input
        emptyDir: {}
"""


def test_the_documentations_indexed_job_reverses_one_word_per_index(cluster):
    """kubernetes.io's "Indexed Job for Parallel Processing with Static Work Assignment":
    the init container picks the word of its index in bash, the worker prints it reversed."""
    assert cluster.kubectl("apply -f -", stdin=DOCS_INDEXED_JOB) == "job.batch/indexed-job created\n"
    cluster.run(120)
    status = cluster.get("job", "indexed-job")["status"]
    assert status["completedIndexes"] == "0-4" and status["succeeded"] == 5
    words = {p["metadata"]["labels"][COMPLETION_INDEX]: cluster.kubectl(f"logs {p['metadata']['name']} -c worker")
             for p in pods_of(cluster, "indexed-job")}
    assert words == {"0": "oof\n", "1": "rab\n", "2": "zab\n", "3": "xuq\n", "4": "zyx\n"}
