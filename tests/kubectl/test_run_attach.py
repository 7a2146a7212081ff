"""``kubectl run -i [--rm] [--restart=Never] NAME --image=IMAGE -- COMMAND``: a one-off command.

The docs use it to look from inside the cluster (``kubectl run -i --rm --restart=Never q
--image=busybox -- wget -qO- http://web``): the command's output, the container's exit code as
kubectl's own, and the pod gone afterwards. A terminal session (``-it ... -- sh``) cannot be
held in a notebook: the pod is left running with a note saying how to go on.
"""

import pytest

import labkube
from labkube.kubectl import run


@pytest.fixture(scope="module")
def cluster():
    cluster = labkube.Cluster(nodes=1, seed=7)
    cluster.kubectl("create deployment web --image=nginx")
    cluster.kubectl("expose deployment web --port=80")
    cluster.run(30)
    yield cluster
    cluster.close()


def _pods(cluster):
    return {p["metadata"]["name"] for p in cluster.list("pods", "default")}


def test_the_commands_output_is_printed_and_the_pod_removed(cluster):
    result = run(cluster, "run -i --rm --restart=Never q1 --image=busybox:1.36 -- wget -qO- http://web")
    assert result.stdout.startswith("<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>")
    assert result.stdout.endswith('</html>\npod "q1" deleted\n')
    assert (result.stderr, result.exit_code) == ("", 0)
    cluster.run(40)
    assert "q1" not in _pods(cluster)


def test_a_failing_command_returns_its_exit_code_as_kubectls(cluster):
    result = run(cluster, "run -i --rm --restart=Never q2 --image=busybox:1.36 -- sh -c 'echo hi; exit 3'")
    assert (result.stdout, result.stderr, result.exit_code) == (
        'hi\npod "q2" deleted\n', "error: pod default/q2 terminated (Error)\n", 3)


def test_without_rm_the_pod_stays_and_quiet_hides_the_deletion(cluster):
    assert run(cluster, "run -i q3 --restart=Never --image=busybox:1.36 -- echo hello").stdout == "hello\n"
    assert "q3" in _pods(cluster)
    assert run(cluster, "run -i -q --rm q4 --restart=Never --image=busybox:1.36 -- echo quiet").stdout == "quiet\n"


def test_i_alone_means_restart_on_failure_and_stdin_once(cluster):
    run(cluster, "run -i q5 --image=busybox:1.36 -- true")
    spec = cluster.get("pod", "q5", "default")["spec"]
    assert spec["restartPolicy"] == "OnFailure"
    assert {k: spec["containers"][0].get(k) for k in ("stdin", "stdinOnce", "tty")} == \
        {"stdin": True, "stdinOnce": True, "tty": None}


def test_a_terminal_session_leaves_the_pod_running_and_says_how_to_go_on(cluster):
    result = run(cluster, "run -it --rm --restart=Never shell --image=busybox:1.36 -- sh")
    assert result.stderr == (
        "If you don't see a command prompt, try pressing enter.\n"
        'labkube: there is no terminal to attach here; the pod keeps running. Run commands in it with '
        '"kubectl exec shell -- ps", and delete it with "kubectl delete pod shell" when done.\n')
    assert result.exit_code == 0 and "shell" in _pods(cluster)
    assert cluster.kubectl("exec shell -- echo inside") == "inside\n"


def test_a_pod_that_never_runs_times_out_and_is_still_removed(cluster):
    result = run(cluster, "run -i --rm --restart=Never q6 --image=registry.example/none:1 -- true")
    assert (result.stdout, result.stderr, result.exit_code) == (
        'pod "q6" deleted\n', "error: timed out waiting for the condition\n", 1)


@pytest.mark.parametrize("command, message", [
    ("run x --image=busybox -t", "error: -i/--stdin is required for containers with -t/--tty=true"),
    ("run x --image=busybox --rm", "error: --rm should only be used for attached containers"),
    ("run x --image=busybox -i --dry-run=client -o yaml",
     "error: --dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)"),
])
def test_attach_options_are_checked_as_kubectl_checks_them(cluster, command, message):
    result = run(cluster, command)
    assert (result.stderr, result.exit_code) == (message + "\nSee 'kubectl run -h' for help and examples\n", 1)
