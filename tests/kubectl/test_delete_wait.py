"""``kubectl delete`` waits until the deleted objects are gone, on labkube's simulated clock.

kubectl 1.32's delete prints its ``deleted`` lines and then blocks (``--wait``, default true)
until every object is gone, checked as ``kubectl wait --for=delete`` checks it. These tests
drive a full cluster (``nodes=3, seed=0``): the kubelets carry out the graceful termination
while delete runs the clock. No sleeps; the clock is read before and after each command.

The expected texts (``error: timed out waiting for the condition on pods/a``, no wait after
an error, the first failure ending the wait, a new UID counting as gone) were checked against
the real kubectl 1.32 talking to the oracle API server of ``capture_wait.py``.
"""

from __future__ import annotations

import pytest

import labkube
from labkube.kubectl import Terminal, run
from labkube.kubectl.commands import Context
from labkube.kubectl.commands.delete import (
    Deletion,
    DeletionWait,
    TimedOut,
    patience,
    stopped_waiting,
)
from labkube.kubectl.commands.wait import Found
from labkube.kubectl.parse import parse

#: ``sleep`` as PID 1 ignores SIGTERM: the kubelet kills it when the 30 s grace period ends.
SLEEPER = "--image=busybox -- sleep 3600"
#: nginx stops on SIGTERM: the kubelet is done with it at once.
NGINX = "--image=nginx"


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=3, seed=0) as c:
        yield c


def running(cluster, *pods: str, how: str = SLEEPER) -> None:
    for pod in pods:
        cluster.kubectl(f"run {pod} {how}")
    names = " ".join(f"pod/{pod}" for pod in pods)
    assert run(cluster, f"wait --for=condition=Ready {names} --timeout=1m").exit_code == 0


def timed(cluster, command: str):
    """Run a command; return its result and the simulated seconds it took."""
    cluster.settle()
    start = cluster.clock.now()
    result = run(cluster, command)
    return result, cluster.clock.now() - start


def pod_names(cluster) -> list[str]:
    return sorted(p["metadata"]["name"] for p in cluster.client.list("pods", "default")["items"])


def terminating(cluster, name: str) -> bool:
    return bool(cluster.client.get("pods", name, "default")["metadata"].get("deletionTimestamp"))


# ---------------------------------------------------------------------------------------
# Waiting until gone
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("how, seconds", [
    (SLEEPER, 30.0),  # the whole grace period, then SIGKILL
    (NGINX, 0.0),     # exits on SIGTERM
])
def test_delete_returns_when_the_kubelet_has_finished_the_pods_termination(cluster, how, seconds):
    running(cluster, "x", how=how)
    result, took = timed(cluster, "delete pod x")
    assert (result.stdout, result.stderr, result.exit_code) == ('pod "x" deleted\n', "", 0)
    assert took == pytest.approx(seconds, abs=1.0)
    assert "x" not in pod_names(cluster)
    assert cluster.kubectl("get pods") == "No resources found in default namespace.\n"


def test_a_deployments_pod_deleted_is_replaced_and_get_shows_only_the_replacement(cluster):
    cluster.kubectl("create deployment web --image=nginx --replicas=2")
    assert run(cluster, "wait --for=condition=Available deployment/web --timeout=1m").exit_code == 0
    before = pod_names(cluster)
    result = run(cluster, f"delete pod {before[0]}")
    assert (str(result), result.exit_code) == (f'pod "{before[0]}" deleted\n', 0)
    after = pod_names(cluster)
    assert before[0] not in after and before[1] in after and len(after) == 2
    assert before[0] not in cluster.kubectl("get pods")


def test_every_deleted_line_prints_before_the_wait(cluster):
    running(cluster, "a", "b")
    result, took = timed(cluster, "delete pod a b")
    assert (str(result), result.exit_code) == ('pod "a" deleted\npod "b" deleted\n', 0)
    assert took == pytest.approx(30.0, abs=1.0)  # both terminate together: one grace period
    assert pod_names(cluster) == []


def test_force_with_a_zero_grace_period_still_waits_but_the_pod_is_already_gone(cluster):
    running(cluster, "x")
    result, took = timed(cluster, "delete pod x --force --grace-period=0")
    assert (result.stdout, result.exit_code) == ('pod "x" force deleted\n', 0)
    assert result.stderr.startswith("Warning: Immediate deletion does not wait")
    assert took == 0.0
    assert pod_names(cluster) == []


# ---------------------------------------------------------------------------------------
# Not waiting
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command, printed", [
    ("delete pod x --wait=false", 'pod "x" deleted\n'),
    ("delete pod x --dry-run=server", 'pod "x" deleted (server dry run)\n'),
    ("delete pod x --dry-run=client", 'pod "x" deleted (dry run)\n'),
])
def test_wait_false_and_dry_runs_return_at_once(cluster, command, printed):
    running(cluster, "x")
    result, took = timed(cluster, command)
    assert (str(result), result.exit_code, took) == (printed, 0, 0.0)
    assert terminating(cluster, "x") is ("dry-run" not in command)


def test_wait_false_leaves_the_pod_terminating_for_get_to_show(cluster):
    running(cluster, "x")
    cluster.kubectl("delete pod x --wait=false")
    assert "Terminating" in cluster.kubectl("get pods")


def test_an_error_among_the_names_means_no_wait(cluster):
    running(cluster, "x")
    result, took = timed(cluster, "delete pod x nope")
    assert (result.stdout, result.stderr, result.exit_code) == (
        'pod "x" deleted\n', 'Error from server (NotFound): pods "nope" not found\n', 1)
    assert took == 0.0
    assert terminating(cluster, "x")


def test_a_user_who_may_not_watch_is_not_waited_for(cluster):
    running(cluster, "x")
    cluster.kubectl("create role deleter --verb=get,delete --resource=pods")
    cluster.kubectl("create rolebinding deleter --role=deleter --user=jane")
    result, took = timed(cluster, "delete pod x --as jane")
    assert (str(result), result.exit_code, took) == ('pod "x" deleted\n', 0, 0.0)
    assert terminating(cluster, "x")


# ---------------------------------------------------------------------------------------
# --timeout
# ---------------------------------------------------------------------------------------


def test_a_timeout_shorter_than_the_grace_period_prints_kubectls_error(cluster):
    running(cluster, "x")
    result, took = timed(cluster, "delete pod x --timeout=5s")
    assert (result.stdout, result.stderr, result.exit_code) == (
        'pod "x" deleted\n', "error: timed out waiting for the condition on pods/x\n", 1)
    assert took == 5.0
    assert terminating(cluster, "x")


def test_one_deadline_for_all_and_the_first_object_still_there_is_named(cluster):
    running(cluster, "a", "b")
    result, took = timed(cluster, "delete pod a b --timeout=10s")
    assert (result.stdout, result.stderr, result.exit_code) == (
        'pod "a" deleted\npod "b" deleted\n', "error: timed out waiting for the condition on pods/a\n", 1)
    assert took == 10.0
    first, second = (cluster.client.get("pods", n, "default")["metadata"] for n in ("a", "b"))
    assert first["deletionTimestamp"] == second["deletionTimestamp"]  # both DELETEs came first


def test_a_negative_timeout_times_out_at_once(cluster):
    running(cluster, "x")
    result, took = timed(cluster, "delete pod x --timeout=-1s")
    assert (result.stderr, result.exit_code, took) == (
        "error: timed out waiting for the condition on pods/x\n", 1, 0.0)


# ---------------------------------------------------------------------------------------
# A deletion that never finishes
# ---------------------------------------------------------------------------------------


def on_a_failed_node(cluster, name: str) -> None:
    running(cluster, name)
    cluster.fail_node(cluster.client.get("pods", name, "default")["spec"]["nodeName"])


def test_a_pod_on_a_failed_node_stops_the_wait_with_one_labkube_line(cluster):
    on_a_failed_node(cluster, "x")
    result, took = timed(cluster, "delete pod x")
    assert (result.stdout, result.exit_code) == ('pod "x" deleted\n', 0)
    assert result.stderr == (
        "labkube: stopped waiting after 1m30s of cluster time: pods/x is still being deleted "
        "(kubectl would keep waiting, up to a week); use --wait=false not to wait, or --timeout "
        "to wait longer\n")
    assert took == 90.0  # 30 s grace + 60 s
    assert terminating(cluster, "x")


def test_a_timeout_given_is_kept_even_for_a_pod_that_never_goes(cluster):
    on_a_failed_node(cluster, "x")
    result, took = timed(cluster, "delete pod x --timeout=2m")
    assert (result.stderr, result.exit_code, took) == (
        "error: timed out waiting for the condition on pods/x\n", 1, 120.0)


@pytest.mark.parametrize("graces, seconds", [
    ((0,), 90.0),        # a ConfigMap, or a cascade whose pods have the default grace
    ((30, 5), 90.0),
    ((120,), 180.0),     # a pod that asked for two minutes
])
def test_labkube_waits_the_longest_grace_period_and_a_minute(graces, seconds):
    deletions = [Deletion(Found(None, {}), None, grace) for grace in graces]
    assert patience(deletions) == seconds


def test_the_labkube_line_names_the_object_and_the_cluster_time():
    assert stopped_waiting("deployments/web", 180.0).startswith(
        "labkube: stopped waiting after 3m0s of cluster time: deployments/web is still being deleted")


# ---------------------------------------------------------------------------------------
# What counts as gone (cmdwait.IsDeleted with delete's UIDMap)
# ---------------------------------------------------------------------------------------


def deletion_wait(cluster, uid: str | None, timeout: float) -> DeletionWait:
    ctx = Context.make(cluster, parse("delete pod x"), Terminal(), None)
    deletion = Deletion(Found(cluster.registry.resolve("pods"), {"metadata": {"name": "x", "namespace": "default"}}),
                        uid, 30)
    return DeletionWait(ctx, [deletion], timeout)


def test_a_new_object_under_the_name_counts_as_gone(cluster):
    running(cluster, "x")  # never deleted: it stands for a new pod that took the name
    start = cluster.clock.now()
    assert deletion_wait(cluster, "the-uid-the-delete-answered", 60.0).run() == []
    assert cluster.clock.now() == start


def test_the_same_object_still_there_is_waited_for(cluster):
    running(cluster, "x")
    uid = cluster.client.get("pods", "x", "default")["metadata"]["uid"]
    [error] = deletion_wait(cluster, uid, 5.0).run()
    assert isinstance(error, TimedOut) and str(error) == "timed out waiting for the condition on pods/x"


# ---------------------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------------------


def transcript(seed: int) -> str:
    with labkube.Cluster(nodes=3, seed=seed) as cluster:
        cluster.kubectl("create deployment web --image=nginx --replicas=2")
        cluster.kubectl(f"run x {SLEEPER}")
        cluster.run(20)
        victim = pod_names(cluster)[0]
        out = [cluster.kubectl(command) for command in (
            f"delete pod {victim}", "get pods", "delete pod x --timeout=5s", "get pods -o wide",
            "delete pod x", "get pods -o wide")]
        return "".join(out) + f"{cluster.clock.now()}\n"


def test_the_same_seed_gives_byte_identical_output():
    assert transcript(7) == transcript(7)
