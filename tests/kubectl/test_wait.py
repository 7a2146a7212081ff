"""``kubectl wait`` waits on labkube's simulated clock and prints what the real kubectl prints.

Three kinds of tests:

* goldens: every case of ``wait_cases.py`` was run by the REAL kubectl 1.32 against an oracle
  API server holding labkube's objects and changing them on the case's timeline
  (``capture_wait.py``); here the same objects and timeline live in a labkube cluster and the
  output must be byte for byte the same;
* unit tests of the pieces: ``--for`` parsing, Go durations, the condition and JSONPath checks;
* scenarios on a full cluster (``nodes=3, seed=0``): the controllers and kubelets make the
  conditions true while ``wait`` runs the clock; no sleeps, and the clock is checked.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

import labkube
from labkube.kubectl import run
from labkube.kubectl.commands import wait
from labkube.kubectl.commands.wait import (
    ForCondition,
    ForCreate,
    ForDelete,
    ForJSONPath,
    parse_for,
    split_jsonpath_input,
)
from labkube.kubectl.errors import KubectlError
from tests.kubectl.wait_cases import CASES, build, schedule

HERE = Path(__file__).parent


# ---------------------------------------------------------------------------------------
# Goldens from the real kubectl
# ---------------------------------------------------------------------------------------


def labkube_output(case: dict, tmp_path: Path, monkeypatch) -> str:
    for name, text in case.get("files", {}).items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    cluster = build(case)
    try:
        schedule(cluster, case)
        result = run(cluster, case["command"])
    finally:
        cluster.close()
    return result.stdout + result.stderr + f"# exit {result.exit_code}\n"


@pytest.mark.parametrize("case", CASES, ids=[c["stem"] for c in CASES])
def test_labkube_prints_what_real_kubectl_prints_for_wait(case, tmp_path, monkeypatch):
    golden = (HERE / "golden_wait" / f"{case['stem']}.txt").read_text()
    assert labkube_output(case, tmp_path, monkeypatch) == golden


# ---------------------------------------------------------------------------------------
# --for
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, waiter", [
    ("delete", ForDelete()),
    ("DELETE", ForDelete()),
    ("Create", ForCreate()),
    ("condition=Ready", ForCondition("Ready", "true")),
    ("condition=Ready=False", ForCondition("Ready", "False")),
    ("condition=a=b=c", ForCondition("a", "b=c")),
    ("condition=", ForCondition("", "true")),
    ("jsonpath={.status.phase}", ForJSONPath("{.status.phase}")),
    ("jsonpath=.status.phase=Running", ForJSONPath("{.status.phase}", "Running")),
    ("jsonpath={.spec.replicas}='3'", ForJSONPath("{.spec.replicas}", "3")),
    ("jsonpath={.spec.replicas}=\"3\"", ForJSONPath("{.spec.replicas}", "3")),
    ('jsonpath={.status.conditions[?(@.type=="Ready")].status}=True',
     ForJSONPath('{.status.conditions[?(@.type=="Ready")].status}', "True")),
])
def test_for_values_parse_as_kubectl_reads_them(text, waiter):
    assert parse_for(text) == waiter


@pytest.mark.parametrize("text, message", [
    ("", 'error: unrecognized condition: ""'),
    ("Condition=Ready", 'error: unrecognized condition: "Condition=Ready"'),
    ("deleted", 'error: unrecognized condition: "deleted"'),
    ("jsonpath=", "error: jsonpath expression cannot be empty"),
    ("jsonpath={.a}=", "error: jsonpath wait has to have a value after equal sign, like "
                       "--for=jsonpath='{.status.readyReplicas}'=3"),
    ("jsonpath={.a}=''", "error: jsonpath wait has to have a value after equal sign, like "
                         "--for=jsonpath='{.status.readyReplicas}'=3"),
    ("jsonpath={.a}=1=2", "error: jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 "
                          "or --for=jsonpath='{.status.readyReplicas}'"),
    ("jsonpath={.a}{.b}", "error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or "
                          "'{name1.name2}' or '{.name1.name2}'"),
])
def test_bad_for_values_get_kubectls_errors(text, message):
    with pytest.raises(KubectlError) as caught:
        parse_for(text)
    assert caught.value.text == message


@pytest.mark.parametrize("a, b, equal", [
    ("Ready", "READY", True), ("true", "True", True), ("\u212a", "k", True), ("\u017f", "S", True),
    ("\u00df", "ss", False), ("\u1e9e", "\u00df", True), ("Ready", "Read", False),
])
def test_condition_values_compare_under_simple_case_folding(a, b, equal):
    assert wait.equal_fold(a, b) is equal


def test_jsonpath_input_splits_on_single_equal_signs_only():
    assert split_jsonpath_input("a.b.c====d.e.f===g.h.i===") == ["a.b.c====d.e.f==", "g.h.i==", ""]
    assert split_jsonpath_input("{.a}") == ["{.a}"]


# ---------------------------------------------------------------------------------------
# --timeout
# ---------------------------------------------------------------------------------------


def test_a_bad_timeout_is_a_flag_error():
    cluster = labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False)
    result = run(cluster, "wait --for=delete pod/x --timeout=10")
    assert (result.stderr, result.exit_code) == (
        'Error: invalid argument "10" for "--timeout" flag: time: missing unit in duration "10"\n'
        "See 'kubectl wait --help' for usage.\n", 1)


@pytest.mark.parametrize("flag, seconds", [("--timeout=-1s", wait.A_WEEK), ("--timeout=1m30s", 90.0)])
def test_the_timeout_is_a_go_duration_and_below_zero_means_a_week(flag, seconds):
    ctx = SimpleNamespace(flags={"timeout": flag.partition("=")[2]})
    assert wait._timeout(ctx) == seconds


# ---------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------


def with_conditions(*conditions, generation=None, observed=None) -> dict:
    obj = {"metadata": {"name": "x"}, "status": {"conditions": list(conditions)}}
    if generation is not None:
        obj["metadata"]["generation"] = generation
    if observed is not None:
        obj["status"]["observedGeneration"] = observed
    return obj


READY = {"type": "Ready", "status": "True"}


@pytest.mark.parametrize("name, obj, met", [
    ("a condition with the status asked for is met", with_conditions(READY), True),
    ("type and status compare case-insensitively", with_conditions({"type": "ready", "status": "TRUE"}), True),
    ("another status is not met", with_conditions({"type": "Ready", "status": "False"}), False),
    ("no conditions at all is not met", {"metadata": {}, "status": {}}, False),
    ("no status at all is not met", {"metadata": {}}, False),
    ("the first entry of the type decides",
     with_conditions({"type": "Ready", "status": "False"}, READY), False),
    ("a status that is not a string is skipped",
     with_conditions({"type": "Ready", "status": True}, READY), True),
    ("an entry that is not a map ends the search", with_conditions("Ready", READY), False),
    ("a status older than the generation is ignored", with_conditions(READY, generation=2, observed=1), False),
    ("a status of the current generation counts", with_conditions(READY, generation=2, observed=2), True),
    ("the condition's own observedGeneration wins over the status'",
     with_conditions({**READY, "observedGeneration": 2}, generation=2, observed=1), True),
    ("an old condition observedGeneration is ignored even if the status is current",
     with_conditions({**READY, "observedGeneration": 1}, generation=2, observed=2), False),
    ("without a generation observedGeneration does not matter", with_conditions(READY, observed=0), True),
])
def test_condition_checks_read_status_conditions_as_kubectl(name, obj, met):
    assert ForCondition("Ready").met(obj) is met


@pytest.mark.parametrize("waiter, obj, met", [
    (ForJSONPath("{.spec.replicas}", "3"), {"spec": {"replicas": 3}}, True),
    (ForJSONPath("{.spec.replicas}", "3"), {"spec": {"replicas": 3.0}}, True),
    (ForJSONPath("{.spec.paused}", "true"), {"spec": {"paused": True}}, True),
    (ForJSONPath("{.spec.paused}", "True"), {"spec": {"paused": True}}, False),
    (ForJSONPath("{.spec.x}", " a "), {"spec": {"x": "a"}}, True),
    (ForJSONPath("{.spec.x}"), {"spec": {"x": ""}}, True),
    (ForJSONPath("{.spec.x}"), {"spec": {}}, False),
    (ForJSONPath("{.spec.x}", "<nil>"), {"spec": {"x": None}}, True),
])
def test_jsonpath_checks_compare_the_printed_value(waiter, obj, met):
    assert waiter.met(obj) is met


@pytest.mark.parametrize("obj, message", [
    ({"spec": {"x": {"a": 1}}}, "jsonpath leads to a nested object or list which is not supported"),
    ({"spec": {"x": [1]}}, "jsonpath leads to a nested object or list which is not supported"),
])
def test_jsonpath_checks_refuse_maps_and_lists(obj, message):
    with pytest.raises(wait.CheckError) as caught:
        ForJSONPath("{.spec.x}", "1").met(obj)
    assert str(caught.value) == message


# ---------------------------------------------------------------------------------------
# Scenarios: the cluster makes the condition true while wait runs the clock
# ---------------------------------------------------------------------------------------

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx
"""

UNSCHEDULABLE = """apiVersion: v1
kind: Pod
metadata: {name: big}
spec:
  containers:
  - name: c
    image: nginx
    resources: {requests: {cpu: "100"}}
"""


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=3, seed=0) as c:
        yield c


def timed(cluster, command: str):
    """Run a command; return its result and the simulated seconds it took."""
    cluster.settle()
    start = cluster.clock.now()
    result = run(cluster, command)
    return result, cluster.clock.now() - start


def pod_names(cluster, selector: str) -> list[str]:
    items = cluster.client.list("pods", "default", label_selector=selector)["items"]
    return sorted(p["metadata"]["name"] for p in items)


def test_waiting_for_a_deployments_pods_to_be_ready_prints_each_pod_in_name_order(cluster):
    cluster.kubectl("apply -f -", stdin=DEPLOYMENT)
    result, took = timed(cluster, "wait --for=condition=Ready pod -l app=web --timeout=60s")
    names = pod_names(cluster, "app=web")
    assert len(names) == 3
    assert result.stdout == "".join(f"pod/{name} condition met\n" for name in names)
    assert (result.stderr, result.exit_code) == ("", 0)
    assert 0 < took < 60  # the pods became Ready while wait ran the clock
    for name in names:
        assert ForCondition("Ready").met(cluster.client.get("pods", name, "default"))


def test_waiting_for_a_deployment_to_be_available(cluster):
    cluster.kubectl("apply -f -", stdin=DEPLOYMENT)
    result, took = timed(cluster, "wait --for=condition=Available deployment/web --timeout=2m")
    assert (str(result), result.exit_code) == ("deployment.apps/web condition met\n", 0)
    assert took > 0
    assert cluster.client.get("deployments", "web", "default")["status"]["availableReplicas"] == 3


def test_waiting_for_delete_returns_when_the_kubelet_has_finished_the_graceful_stop(cluster):
    cluster.kubectl("run x --image=busybox -- sleep 3600")  # sleep as PID 1 ignores SIGTERM
    assert str(run(cluster, "wait --for=condition=Ready pod/x --timeout=1m")) == "pod/x condition met\n"
    cluster.kubectl("delete pod x --wait=false")  # delete itself would wait the 30 s
    assert cluster.client.get("pods", "x", "default")["metadata"]["deletionTimestamp"]
    result, took = timed(cluster, "wait --for=delete pod/x --timeout=60s")
    assert (str(result), result.exit_code) == ("pod/x condition met\n", 0)
    assert took == pytest.approx(30.0, abs=2.0)  # the 30 s grace period, then SIGKILL
    assert pod_names(cluster, "") == []


def test_a_timeout_prints_kubectls_words_after_exactly_the_timeout_of_simulated_time(cluster):
    cluster.kubectl("apply -f -", stdin=UNSCHEDULABLE)
    result, took = timed(cluster, "wait --for=condition=Ready pod/big --timeout=45s")
    assert (result.stdout, result.stderr, result.exit_code) == (
        "", "error: timed out waiting for the condition on pods/big\n", 1)
    assert took == 45.0


def test_the_default_timeout_is_thirty_seconds(cluster):
    cluster.kubectl("apply -f -", stdin=UNSCHEDULABLE)
    result, took = timed(cluster, "wait --for=condition=Ready pod/big")
    assert result.exit_code == 1
    assert took == 30.0


def test_objects_share_one_deadline(cluster):
    cluster.kubectl("apply -f -", stdin=UNSCHEDULABLE)
    cluster.kubectl("run ok --image=nginx")
    result, took = timed(cluster, "wait --for=condition=Ready pod/big pod/ok --timeout=10s")
    assert result.stderr == ("timed out waiting for the condition on pods/big\n"
                             "timed out waiting for the condition on pods/ok\n")
    assert took == 10.0


@pytest.mark.parametrize("command, text, code", [
    ("wait --for=condition=Ready pod/big --timeout=0", "error: condition not met for pods/big\n", 1),
    ("wait --for=jsonpath={.status.phase}=Pending pod/big --timeout=0", "pod/big condition met\n", 0),
    ("wait --for=delete pod/big --timeout=0", "error: condition not met for pods/big\n", 1),
    ("wait --for=create pod/later --timeout=0", "error: timed out waiting for the condition\n", 1),
])
def test_timeout_zero_checks_once_without_advancing_time(cluster, command, text, code):
    cluster.kubectl("apply -f -", stdin=UNSCHEDULABLE)
    result, took = timed(cluster, command)
    assert (str(result), result.exit_code, took) == (text, code, 0.0)


def test_waiting_for_a_jsonpath_value_while_the_pod_starts(cluster):
    cluster.kubectl("run p --image=nginx")
    assert cluster.client.get("pods", "p", "default")["status"].get("phase") != "Running"
    result, took = timed(cluster, "wait --for=jsonpath={.status.phase}=Running pod/p")
    assert (str(result), result.exit_code) == ("pod/p condition met\n", 0)
    assert 0 < took < 30
    assert cluster.client.get("pods", "p", "default")["status"]["phase"] == "Running"


def test_waiting_for_create_polls_every_half_second_of_cluster_time(cluster):
    start = cluster.clock.now()
    cluster.clock.call_at(start + 2.2, lambda: cluster.client.create(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "later", "namespace": "default"}}))
    result = run(cluster, "wait --for=create configmap/later --timeout=10s")
    assert (str(result), result.exit_code) == ("configmap/later condition met\n", 0)
    assert cluster.clock.now() - start == pytest.approx(2.5)  # the first poll after it appeared


def test_the_same_seed_gives_the_same_output_and_the_same_clock():
    def once():
        with labkube.Cluster(nodes=3, seed=7) as c:
            c.kubectl("apply -f -", stdin=DEPLOYMENT)
            c.settle()
            text = str(run(c, "wait --for=condition=Ready pods --all --timeout=60s -o name"))
            return text, c.clock.now()

    first, second = once(), once()
    assert first == second
    assert first[0].count("pod/web-") == 3


# ---------------------------------------------------------------------------------------
# The clock: a real-time clock has no run_until; wait then lets cluster time pass
# ---------------------------------------------------------------------------------------


class StepClock:
    """A clock without ``run_until`` (like RealTimeClock) whose time moves only in ``run``."""

    def __init__(self) -> None:
        self.time = 100.0
        self.steps: list[float] = []

    def now(self) -> float:
        return self.time


def test_without_run_until_wait_lets_cluster_time_pass_a_second_at_a_time():
    clock = StepClock()

    def run_for(seconds):
        clock.steps.append(seconds)
        clock.time += seconds

    ctx = SimpleNamespace(cluster=SimpleNamespace(run=run_for, clock=clock), clock=clock)
    waiting = wait.Wait.__new__(wait.Wait)
    waiting.ctx, waiting.deadline = ctx, clock.time + 2.5
    assert waiting._run_clock_until(lambda: clock.time >= 102.0) is True
    assert clock.steps == [1.0, 1.0]
    assert waiting._run_clock_until(lambda: False) is False
    assert clock.steps == [1.0, 1.0, 0.5] and clock.time == 102.5


# ---------------------------------------------------------------------------------------
# Bad input never escapes as a Python exception
# ---------------------------------------------------------------------------------------


def test_local_objects_crash_kubectl_and_labkube_says_so(tmp_path, monkeypatch):
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n")
    monkeypatch.chdir(tmp_path)
    cluster = labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False)
    result = run(cluster, "wait --for=condition=Ready --local -f a.yaml")
    assert result.exit_code == 2  # Go's exit status after a panic
    assert result.stderr.startswith("panic: runtime error: invalid memory address or nil pointer dereference\n")


def test_go_templates_are_refused_rather_than_printed_wrong():
    cluster = labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False)
    result = run(cluster, "wait --for=delete pod/x -o go-template={{.metadata.name}}")
    assert (result.stderr, result.exit_code) == (
        "error: -o go-template is not available in labkube's kubectl; use -o jsonpath=..., -o yaml or -o json\n", 1)


@pytest.mark.parametrize("command", [
    "wait --for=", "wait --for=jsonpath={", "wait --for=jsonpath='{.a}'=' '", "wait --for=condition= pod/x",
    "wait --for=delete -f -", "wait --for=jsonpath={.spec.nodeName}=node-1 pod/big --timeout=1s",
    "wait --for=jsonpath={..name}=x pod/big --timeout=1s", "wait --for=delete all -l app=web",
    "wait --for=delete pods,deployments -l app=web --timeout=1s", "wait --for=condition=Ready pods -l 'a in (b'",
    "wait --for=create -o yaml pod/big", "wait --for=condition=Ready -o jsonpath={.x[} pod/big --timeout=0",
    "wait --for=create --local -f -", "wait --for=condition=Ready pods,pods big --timeout=0",
    "wait --for=condition=Ready nodes --all --timeout=0",
])
def test_odd_input_gets_kubectl_errors_not_tracebacks(cluster, command):
    cluster.kubectl("apply -f -", stdin=UNSCHEDULABLE)
    result = run(cluster, command, stdin="apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\n")
    assert result.exit_code in (0, 1)
    assert "Traceback" not in str(result)
