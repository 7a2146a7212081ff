"""``kubectl get -w`` runs the simulated clock for ``--request-timeout`` and prints what the real
kubectl 1.32 prints.

* goldens: every case of ``watch_cases.py`` was run by the REAL kubectl 1.32 against an oracle
  API server that served what labkube's API server held and streamed, as watch events, every
  change labkube's cluster made during the watch (``capture_watch.py``); here the same scenario
  runs in labkube and the command's text must be the same byte for byte;
* the clock: a watch ends exactly at its start plus ``--request-timeout``, and prints each
  change at the simulated time it happened;
* the bound: without ``--request-timeout`` labkube says how to bound the watch;
* determinism: the same seed prints the same text;
* the invariant (hypothesis): whatever changes happen when, the command prints exactly the
  changes a watch opened beside it sees until the timeout, each once and in order.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labkube
from labkube.kubectl import run
from tests.kubectl.wait_cases import pod
from tests.kubectl.watch_cases import CASES, build

HERE = Path(__file__).parent


def labkube_output(case: dict, tmp_path: Path, monkeypatch) -> str:
    for name, text in case.get("files", {}).items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    cluster = build(case)
    try:
        result = run(cluster, case["command"])
    finally:
        cluster.close()
    return result.stdout + result.stderr + f"# exit {result.exit_code}\n"


@pytest.mark.parametrize("case", CASES, ids=[c["stem"] for c in CASES])
def test_labkube_prints_what_real_kubectl_prints_for_get_watch(case, tmp_path, monkeypatch):
    golden = (HERE / "golden_watch" / f"{case['stem']}.txt").read_text()
    assert labkube_output(case, tmp_path, monkeypatch) == golden


# ---------------------------------------------------------------------------------------
# The clock
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("timeout, seconds", [("10s", 10.0), ("90", 90.0), ("1m30s", 90.0), ("500ms", 0.5)])
def test_a_watch_runs_the_clock_for_exactly_the_request_timeout(timeout, seconds):
    with labkube.Cluster(nodes=1, seed=0) as cluster:
        start = cluster.clock.now()
        result = run(cluster, f"get pods -w --request-timeout={timeout}")
        assert result.exit_code == 0
        assert cluster.clock.now() == start + seconds


def test_a_change_after_the_timeout_is_not_printed_and_one_before_it_is():
    cluster = build({"scenario": "pods"})  # pod e is created at 4 s
    try:
        assert "\ne " not in run(cluster, "get pods -w --request-timeout=3s").stdout
        assert "\ne " in run(cluster, "get pods -w --request-timeout=2s").stdout
    finally:
        cluster.close()


def test_rows_carry_the_age_the_object_had_when_it_changed():
    with labkube.Cluster(nodes=1, seed=0) as cluster:
        cluster.kubectl("run web --image=nginx")
        cluster.run(100)
        cluster.clock.call_later(20, lambda: cluster.kubectl("label pod web tier=front"))
        lines = run(cluster, "get pod web -w --request-timeout=60s").stdout.splitlines()
        assert [line.split()[-1] for line in lines[1:]] == ["100s", "2m"]


def test_a_rollout_prints_pending_then_container_creating_then_running():
    cluster = build({"scenario": "rollout"})
    try:
        text = run(cluster, "get pods -w --request-timeout=30s").stdout
    finally:
        cluster.close()
    statuses = [line.split()[2] for line in text.splitlines()[1:]]
    assert statuses.index("Pending") < statuses.index("ContainerCreating") < statuses.index("Running")


def test_the_same_seed_prints_the_same_watch():
    texts = []
    for _ in range(2):
        cluster = build({"scenario": "rollout"})
        try:
            texts.append(run(cluster, "get pods -w -o wide --request-timeout=30s").stdout)
        finally:
            cluster.close()
    assert texts[0] == texts[1] and texts[0].count("\n") > 4


def test_the_python_api_returns_the_whole_watch_as_text():
    cluster = build({"scenario": "pods"})
    try:
        text = cluster.kubectl("get pods -w --request-timeout=10s")
    finally:
        cluster.close()
    assert text == (HERE / "golden_watch" / "pods.txt").read_text().rsplit("# exit", 1)[0]


# ---------------------------------------------------------------------------------------
# The bound
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    "get pods -w",
    "get pods --watch-only",
    "get pods -w --request-timeout=0",
    "get pod web -w --request-timeout=0s",
])
def test_a_watch_without_a_request_timeout_says_how_to_bound_it(command):
    with labkube.Cluster(nodes=0, seed=0) as cluster:
        start = cluster.clock.now()
        result = run(cluster, command)
        assert result.exit_code == 1
        assert "--request-timeout" in result.stderr and "Traceback" not in result.stderr
        assert result.stdout == "" and cluster.clock.now() == start


# ---------------------------------------------------------------------------------------
# Invariant: every change in the window, once, in order, and nothing after it
# ---------------------------------------------------------------------------------------

_CHANGES = st.lists(
    st.tuples(st.integers(min_value=1, max_value=40),
              st.sampled_from(["create", "label", "delete"]),
              st.sampled_from(["p", "q", "r"])),
    max_size=8,
)


def _change(cluster, kind: str, name: str) -> None:
    try:
        if kind == "create":
            cluster.client.create(pod(name))
        elif kind == "label":
            cluster.kubectl(f"label pod {name} step={int(cluster.clock.now()) % 1000} --overwrite")
        else:
            cluster.client.delete("pods", name, "default", grace_period_seconds=0)
    except labkube.StatusError:
        pass  # the pod is not there (or already is): no change


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=_CHANGES, timeout=st.integers(min_value=1, max_value=45))
def test_a_watch_prints_every_change_in_its_window_once_in_order(changes, timeout):
    with labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False) as cluster:
        start = cluster.clock.now()
        for seconds, kind, name in changes:
            cluster.clock.call_at(start + seconds, lambda k=kind, n=name: _change(cluster, k, n))
        witness = cluster.client.watch("pods", "default", resource_version=cluster.client.list(
            "pods", "default")["metadata"]["resourceVersion"])
        text = run(cluster, f"get pods --watch-only -o json --output-watch-events "
                            f"--request-timeout={timeout}s").stdout
        seen = [(e["type"], e["object"]["metadata"]["name"]) for e in witness.poll()]
        printed = [(e["type"], e["object"]["metadata"]["name"]) for e in map(json.loads, text.splitlines())]
        assert printed == seen
        assert cluster.clock.now() == start + timeout
