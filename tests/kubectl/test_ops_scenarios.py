"""The operations commands change a labkube cluster as kubectl changes a real one.

Scenario tests on ``labkube.Cluster(nodes=3, seed=0)``: state is set up through the API (the
controllers and kubelets may or may not be running), the command runs, and the test checks
both what was printed and what changed in the API.
"""

from __future__ import annotations

import pytest

import labkube
from labkube.core.api.client import Client
from labkube.kubectl import run


class ExecResult:
    def __init__(self, exit_code, stdout, stderr):
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr


class ToolClient(Client):
    """The Client methods for logs and exec, answering from a table (test side)."""

    calls: list = []
    exec_results: dict = {}

    def pod_logs(self, name, namespace, *, container=None, previous=False, tail_lines=None, timestamps=False):
        self.calls.append(("logs", name, container, previous, tail_lines, timestamps))
        lines = [f"line {i}\n" for i in range(1, 6)]
        return "".join(lines[-tail_lines:] if tail_lines is not None else lines)

    def pod_exec(self, name, namespace, command, *, container=None):
        self.calls.append(("exec", name, container, tuple(command)))
        return self.exec_results[tuple(command)]


@pytest.fixture
def cluster():
    c = labkube.Cluster(nodes=3, seed=0)
    client = ToolClient(c.server, c.client.user)
    client.calls = []
    client.exec_results = {("cat", "/etc/hostname"): ExecResult(0, "web\n", ""),
                           ("ls", "/nope"): ExecResult(2, "", "ls: /nope: No such file or directory\n")}
    c.client = client
    _default_service_account(c)
    yield c
    c.close()


def _default_service_account(cluster):
    """Pods need it; the ServiceAccount controller may not be running in this cluster."""
    from labkube.core.errors import StatusError

    try:
        cluster.client.create({"apiVersion": "v1", "kind": "ServiceAccount",
                               "metadata": {"name": "default", "namespace": "default"}})
    except StatusError as err:
        if err.code != 409:
            raise


def k(cluster, text):
    return run(cluster, text)


def test_scale_writes_the_scale_subresource_and_the_deployment_follows(cluster):
    k(cluster, "create deployment web --image=nginx --replicas=2")
    result = k(cluster, "scale deployment/web --replicas=5")
    assert str(result) == "deployment.apps/web scaled\n"
    assert cluster.client.get("deployments", "web", "default")["spec"]["replicas"] == 5


@pytest.mark.parametrize("command, text", [
    ("scale deployment web", 'error: required flag(s) "replicas" not set\n'),
    ("scale deployment web --replicas=-2",
     "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n"),
    ("scale deployment web --replicas=3 --current-replicas=7", "error: Expected replicas to be 7, was 2\n"),
])
def test_scale_refuses_bad_counts_and_failed_preconditions(cluster, command, text):
    k(cluster, "create deployment web --image=nginx --replicas=2")
    result = k(cluster, command)
    assert (str(result), result.exit_code) == (text, 1)
    assert cluster.client.get("deployments", "web", "default")["spec"]["replicas"] == 2


def test_rollout_status_prints_each_step_while_the_clock_runs(cluster):
    cluster.stop_component("controller-manager")  # this test plays the Deployment controller
    k(cluster, "create deployment web --image=nginx --replicas=3")
    d = cluster.client.get("deployments", "web", "default")
    steps = [(1, {"replicas": 3, "updatedReplicas": 3, "availableReplicas": 1}),
             (2, {"replicas": 3, "updatedReplicas": 3, "availableReplicas": 2}),
             (3, {"replicas": 3, "updatedReplicas": 3, "availableReplicas": 3})]

    def publish(status):
        def write():
            obj = cluster.client.get("deployments", "web", "default")
            obj["status"] = {"observedGeneration": d["metadata"]["generation"], **status}
            cluster.client.update(obj, subresource="status")
        return write

    for delay, status in steps:
        cluster.clock.call_later(delay * 10, publish(status))
    start = cluster.clock.now()
    result = k(cluster, "rollout status deployment/web")
    lines = result.stdout.splitlines()
    assert lines[-3:] == ['Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...',
                          'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
                          'deployment "web" successfully rolled out']
    assert result.exit_code == 0 and cluster.clock.now() - start <= 31


def test_rollout_status_gives_up_after_the_timeout_on_the_cluster_clock(cluster):
    k(cluster, "create deployment web --image=nginx:no-such-tag")  # stuck in ImagePullBackOff
    start = cluster.clock.now()
    result = k(cluster, "rollout status deployment/web --timeout=45s")
    assert result.stderr == "error: timed out waiting for the condition\n" and result.exit_code == 1
    assert 45 <= cluster.clock.now() - start <= 46


def test_rollout_restart_stamps_the_template_with_the_cluster_time(cluster):
    k(cluster, "create deployment web --image=nginx")
    cluster.run(90)
    assert str(k(cluster, "rollout restart deployment/web")) == "deployment.apps/web restarted\n"
    template = cluster.client.get("deployments", "web", "default")["spec"]["template"]
    assert template["metadata"]["annotations"] == {"kubectl.kubernetes.io/restartedAt": cluster.clock.timestamp()}


def test_rollout_pause_and_resume_toggle_spec_paused(cluster):
    k(cluster, "create deployment web --image=nginx")
    assert str(k(cluster, "rollout pause deployment/web")) == "deployment.apps/web paused\n"
    assert cluster.client.get("deployments", "web", "default")["spec"]["paused"] is True
    assert str(k(cluster, "rollout resume deployment/web")) == "deployment.apps/web resumed\n"
    assert not cluster.client.get("deployments", "web", "default")["spec"].get("paused")


def test_set_image_changes_only_the_named_container(cluster):
    k(cluster, "create deployment web --image=nginx --image=busybox")
    assert str(k(cluster, "set image deployment/web nginx=nginx:1.27")) == "deployment.apps/web image updated\n"
    containers = cluster.client.get("deployments", "web", "default")["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("nginx", "nginx:1.27"), ("busybox", "busybox")]


def test_run_then_expose_makes_a_service_selecting_the_pod(cluster):
    assert str(k(cluster, "run web --image=nginx --port=80")) == "pod/web created\n"
    assert str(k(cluster, "expose pod web --port=8080 --target-port=80")) == "service/web exposed\n"
    svc = cluster.client.get("services", "web", "default")
    assert svc["spec"]["selector"] == {"run": "web"}
    assert [(p["port"], p["targetPort"]) for p in svc["spec"]["ports"]] == [(8080, 80)]


def test_cordon_taint_and_untaint_change_the_node_spec(cluster):
    assert str(k(cluster, "cordon node-1")) == "node/node-1 cordoned\n"
    assert str(k(cluster, "taint nodes node-1 dedicated=gpu:NoSchedule")) == "node/node-1 tainted\n"
    spec = cluster.client.get("nodes", "node-1")["spec"]
    assert spec["unschedulable"] is True
    assert {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"} in spec["taints"]
    assert str(k(cluster, "taint nodes node-1 dedicated-")) == "node/node-1 untainted\n"
    assert str(k(cluster, "uncordon node-1")) == "node/node-1 uncordoned\n"
    spec = cluster.client.get("nodes", "node-1")["spec"]
    assert not spec.get("unschedulable")
    assert all(t["key"] != "dedicated" for t in spec.get("taints") or [])


def _bound_pod(cluster, name, owned):
    meta = {"name": name, "namespace": "default"}
    if owned:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1",
                                    "uid": "0d6a5d6e-0000-4000-8000-000000000000", "controller": True}]
    cluster.client.create({"apiVersion": "v1", "kind": "Pod", "metadata": meta,
                           "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "nginx"}]}})


def test_drain_cordons_and_evicts_the_pods_of_the_node(cluster):
    _bound_pod(cluster, "web-abc", owned=True)
    result = k(cluster, "drain node-1 --grace-period=0")
    assert result.stdout == ("node/node-1 cordoned\nevicting pod default/web-abc\npod/web-abc evicted\n"
                             "node/node-1 drained\n")
    assert cluster.client.list("pods", "default", field_selector="spec.nodeName=node-1")["items"] == []


def test_drain_refuses_pods_without_a_controller_unless_forced(cluster):
    _bound_pod(cluster, "solo", owned=False)
    result = k(cluster, "drain node-1")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "cannot delete cannot delete Pods that declare no controller (use --force to override): default/solo\n")
    assert len(cluster.client.list("pods", "default")["items"]) == 1


def test_logs_passes_tail_and_container_to_the_log_subresource(cluster):
    k(cluster, "run web --image=nginx")
    assert str(k(cluster, "logs web --tail=2")) == "line 4\nline 5\n"
    assert cluster.client.calls[-1] == ("logs", "web", "web", False, 2, False)


@pytest.mark.parametrize("name, command, stdout, stderr, code, tails", [
    ("a selector prints every matching pod's last 10 lines, pod after pod",
     "logs -l app=web", "line 1\nline 2\nline 3\nline 4\nline 5\n" * 2, "", 0, [10, 10]),
    ("--tail still wins over the selector's default", "logs -l app=web --tail=1 --prefix",
     "[pod/web-a/web-a] line 5\n[pod/web-b/web-b] line 5\n", "", 0, [1, 1]),
    ("an explicit --tail=-1 asks for everything", "logs -l app=web --tail=-1",
     "line 1\nline 2\nline 3\nline 4\nline 5\n" * 2, "", 0, [None, None]),
    ("no matching pod is said on stderr and is no failure", "logs -l app=none", "",
     "No resources found in default namespace.\n", 0, []),
    ("a pod name and a selector together are refused", "logs web-a -l app=web", "",
     "error: only a selector (-l) or a POD name is allowed\nSee 'kubectl logs -h' for help and examples\n", 1, []),
])
def test_logs_by_selector_reads_each_matching_pod(cluster, name, command, stdout, stderr, code, tails):
    for pod in ("web-a", "web-b"):
        k(cluster, f"run {pod} --image=nginx --labels=app=web")
    cluster.client.calls = []
    result = k(cluster, command)
    assert (result.stdout, result.stderr, result.exit_code) == (stdout, stderr, code)
    assert [call[4] for call in cluster.client.calls] == tails


@pytest.mark.parametrize("command, stdout, stderr, code", [
    ("exec web -- cat /etc/hostname", "web\n", "", 0),
    ("exec web -- ls /nope", "", "ls: /nope: No such file or directory\ncommand terminated with exit code 2\n", 2),
    ("exec web cat /etc/hostname", "",
     "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples\n", 1),
])
def test_exec_prints_the_command_output_and_exits_with_its_code(cluster, command, stdout, stderr, code):
    k(cluster, "run web --image=nginx")
    result = k(cluster, command)
    assert (result.stdout, result.stderr, result.exit_code) == (stdout, stderr, code)


def test_get_events_sorted_by_last_timestamp_lists_oldest_first(cluster):
    for index, (name, stamp) in enumerate([("b", "2025-01-01T00:00:30Z"), ("a", "2025-01-01T00:00:10Z"),
                                           ("c", "2025-01-01T00:00:20Z")]):
        cluster.client.create({"apiVersion": "v1", "kind": "Event",
                               "metadata": {"name": f"ev-{name}", "namespace": "default"},
                               "involvedObject": {"kind": "Pod", "name": name, "namespace": "default"},
                               "reason": "Test", "message": name, "type": "Normal", "count": 1,
                               "firstTimestamp": stamp, "lastTimestamp": stamp})
    text = k(cluster, "get events --sort-by=.lastTimestamp --field-selector=reason=Test").stdout
    order = [line.split()[-1] for line in text.splitlines()[1:]]
    assert order == ["a", "c", "b"]
