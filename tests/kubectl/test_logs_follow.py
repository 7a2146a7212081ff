"""``kubectl logs -f`` follows a container on the simulated clock and prints what the real
kubectl 1.32 prints.

* goldens: every case of ``logs_follow_cases.py`` was run by the REAL kubectl 1.32 against an
  oracle API server that served the objects labkube held and, for each log request, the stream
  labkube's API server answered, at its simulated times (``capture_logs_follow.py``); here the
  same command runs in labkube and its text must be the same byte for byte;
* the clock: a stream ends by itself when its container stops (exit code 0) and the command
  then returns at that moment; a stream still open at ``--request-timeout`` ends there with
  client-go's timeout error (exit code 1);
* the bound: a stream that would stay open with no ``--request-timeout`` is refused before the
  clock moves; one that is over already (a completed container) needs none;
* a restarted container: the stream follows one instance and ends when it stops;
* several streams: after each one's log so far, the new lines come in time order;
* the invariant (hypothesis): whatever a container writes when, ``logs -f`` bounded at T prints
  exactly the lines it wrote up to T (or up to its end), as ``logs`` then shows them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labkube
from labkube.kubectl import run
from labkube.kubectl.commands.logs_follow import TIMED_OUT, UNBOUNDED
from tests.kubectl.logs_follow_cases import CASES, build

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def scenario():
    """The goldens' scenario (each test that moves its clock builds its own)."""
    cluster = build()
    yield cluster
    cluster.close()


def output(cluster, command: str) -> str:
    result = run(cluster, command)
    return result.stdout + result.stderr + f"# exit {result.exit_code}\n"


@pytest.mark.parametrize("case", CASES, ids=[c["stem"] for c in CASES])
def test_labkube_prints_what_real_kubectl_prints_for_logs_follow(case):
    golden = (HERE / "golden_logs_follow" / f"{case['stem']}.txt").read_text()
    cluster = build()
    try:
        assert output(cluster, case["command"]) == golden
    finally:
        cluster.close()


# ---------------------------------------------------------------------------------------
# When the stream ends
# ---------------------------------------------------------------------------------------


def test_a_stream_ends_when_its_container_stops_and_the_clock_stops_there():
    from labkube.core.clock import parse_timestamp

    cluster = build()
    try:
        start = cluster.clock.now()
        result = run(cluster, "logs -f job/counter --timestamps --request-timeout=1h")
        assert (result.exit_code, result.stderr) == (0, "")
        assert [line.split(" ", 1)[1] for line in result.stdout.splitlines()] == [f"line {i}" for i in range(1, 6)]
        last_line = parse_timestamp(result.stdout.splitlines()[-1].split(" ")[0])
        assert cluster.clock.now() == pytest.approx(last_line + 2)  # its last "sleep 2", then exit
        assert cluster.clock.now() < start + 3600
    finally:
        cluster.close()


@pytest.mark.parametrize("timeout, seconds", [("10s", 10.0), ("7", 7.0), ("1m30s", 90.0), ("1500ms", 1.5)])
def test_a_stream_still_open_ends_exactly_at_the_request_timeout_with_kubectls_error(timeout, seconds):
    cluster = build()
    try:
        start = cluster.clock.now()
        result = run(cluster, f"logs -f ticker --request-timeout={timeout}")
        assert (result.exit_code, result.stderr) == (1, f"error: {TIMED_OUT}\n")
        assert cluster.clock.now() == start + seconds
    finally:
        cluster.close()


def test_a_line_written_after_the_timeout_is_not_printed_and_one_before_it_is():
    cluster = build()  # ticker writes "tick 3" 8.6 s after it started, 3.6 s after the command starts
    try:
        assert "tick 3" not in run(cluster, "logs -f ticker --request-timeout=3s").stdout
        assert "tick 4" in run(cluster, "logs -f ticker --request-timeout=5s").stdout
    finally:
        cluster.close()


def test_an_unbounded_stream_of_a_running_container_is_refused_before_the_clock_moves(scenario):
    start = scenario.clock.now()
    for command in ("logs -f ticker", "logs -f -l app=web", "logs -f job/counter",
                    "logs -f ticker --request-timeout=0"):
        result = run(scenario, command)
        assert (result.stdout, result.stderr, result.exit_code) == ("", UNBOUNDED + "\n", 1), command
    assert scenario.clock.now() == start


def test_a_completed_container_needs_no_bound(scenario):
    start = scenario.clock.now()
    result = run(scenario, "logs -f job/done")
    assert (result.stdout, result.exit_code) == ("started\ndone\n", 0)
    assert scenario.clock.now() == start


def test_a_restarted_container_is_followed_until_the_instance_stops():
    with labkube.Cluster(nodes=1, seed=0) as cluster:
        cluster.kubectl("run flaky --image=busybox -- sh -c 'echo start; sleep 3; echo bye; exit 1'")
        cluster.run(2)
        result = run(cluster, "logs -f flaky --request-timeout=1m")
        assert (result.stdout, result.exit_code) == ("start\nbye\n", 0)
        cluster.run(30)  # restarted (after its back-off): a new instance, a new stream
        assert _pod(cluster, "flaky")["status"]["containerStatuses"][0]["restartCount"] >= 1
        assert run(cluster, "logs -f flaky --previous").stdout == "start\nbye\n"


def test_a_workload_without_pods_is_watched_for_its_first_pod_up_to_the_pod_running_timeout():
    with labkube.Cluster(nodes=1, seed=0) as cluster:
        cluster.kubectl("create deployment idle --image=nginx --replicas=0")
        cluster.run(5)
        start = cluster.clock.now()
        result = run(cluster, "logs -f deployment/idle --pod-running-timeout=7s --request-timeout=1m")
        assert (result.stderr, result.exit_code) == ("error: timed out waiting for the condition\n", 1)
        assert cluster.clock.now() == start + 7
        assert run(cluster, "logs deployment/idle --pod-running-timeout=0s").stderr == \
            "error: --pod-running-timeout must be higher than zero\n"


def test_the_first_pod_to_come_is_the_one_whose_log_is_asked_for():
    with labkube.Cluster(nodes=1, seed=0) as cluster:
        cluster.kubectl("create deployment idle --image=nginx --replicas=0")
        cluster.run(5)
        start = cluster.clock.now()
        cluster.clock.call_later(3, lambda: cluster.kubectl("scale deployment idle --replicas=1"))
        result = run(cluster, "logs -f deployment/idle --request-timeout=1m")
        pod = cluster.client.list("pods", "default", label_selector="app=idle")["items"][0]["metadata"]["name"]
        assert result.stderr == f"Error from server (BadRequest): pod {pod} does not have a host assigned\n"
        assert start + 3 <= cluster.clock.now() < start + 4


# ---------------------------------------------------------------------------------------
# Several streams
# ---------------------------------------------------------------------------------------


def test_several_streams_print_their_logs_so_far_then_new_lines_in_time_order():
    cluster = build()
    try:
        result = run(cluster, "logs -f two --all-containers --timestamps --prefix --request-timeout=20s")
        lines = result.stdout.splitlines()
        backlog = ["[pod/two/left] 2025-01-01T00:00:00.603000000Z left 1",
                   "[pod/two/left] 2025-01-01T00:00:03.603000000Z left 2",
                   "[pod/two/right] 2025-01-01T00:00:01.103000000Z right 1"]
        assert lines[:3] == backlog
        live = [line.split("] ")[1] for line in lines[3:]]
        assert live == sorted(live) and len(live) == 7 + 4  # left 3..9, right 2..5
    finally:
        cluster.close()


def test_the_same_seed_prints_the_same_streams():
    texts = []
    for _ in range(2):
        cluster = build()
        try:
            texts.append(output(cluster, "logs -f -l app=two --all-containers --prefix --request-timeout=30s"))
        finally:
            cluster.close()
    assert texts[0] == texts[1] and texts[0].count("[pod/two/") > 10


# ---------------------------------------------------------------------------------------
# The options reach the stream, and plain logs read them too
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command, stdout", [
    ("logs job/counter --since=2s", "line 3\n"),
    ("logs job/counter --since-time=2025-01-01T00:00:02Z", "line 2\nline 3\n"),
    ("logs job/counter --since-time=2025-01-01T01:00:02+01:00", "line 2\nline 3\n"),
    ("logs job/counter --limit-bytes=10", "line 1\nlin"),
    ("logs job/counter --limit-bytes=10 --tail=1", "line 3\n"),
])
def test_plain_logs_honour_since_and_limit_bytes(scenario, command, stdout):
    result = run(scenario, command)
    assert (result.stdout, result.stderr, result.exit_code) == (stdout, "", 0)


# ---------------------------------------------------------------------------------------
# The invariant
# ---------------------------------------------------------------------------------------


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sleeps=st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=6),
       bound=st.integers(min_value=1, max_value=25), forever=st.booleans())
def test_logs_follow_bounded_at_t_prints_exactly_the_lines_written_up_to_t(sleeps, bound, forever):
    script = "; ".join(f"echo line {i}; sleep {s}" for i, s in enumerate(sleeps))
    if forever:
        script += "; sleep 3600"
    with labkube.Cluster(nodes=1, seed=0) as cluster:
        cluster.kubectl(f"run writer --image=busybox --restart=Never -- sh -c '{script}'")
        cluster.run(2)
        if _pod(cluster, "writer")["status"].get("phase") != "Running":
            return  # not started yet in this seed's timing: nothing to follow
        start = cluster.clock.now()
        result = run(cluster, f"logs -f writer --timestamps --request-timeout={bound}s")
        ended = cluster.clock.now() < start + bound
        assert result.stdout == run(cluster, "logs writer --timestamps").stdout
        assert (result.exit_code == 0) == ended and (result.stderr == "") == ended
        if ended:  # the container stopped: it wrote every line
            assert result.stdout.count("\n") == len(sleeps)


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def _pod(cluster, name: str) -> dict:
    return cluster.client.get("pods", name, "default")


