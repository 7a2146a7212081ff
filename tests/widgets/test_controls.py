"""Controls: each button makes a public API call, and the cluster changes."""

import pytest

import labkube
from labkube.widgets.controls import Controls
from labkube.widgets.view import ClusterView
from tests.widgets.helpers import node_class, web_cluster


def _button(controls, css):
    for row in controls.children:
        for child in getattr(row, "children", ()):
            if f"lk-action-{css}" in child._dom_classes:
                return child
    raise LookupError(css)


def _node_ready(cluster, name):
    conditions = cluster.get("nodes", name)["status"]["conditions"]
    return next(c["status"] for c in conditions if c["type"] == "Ready")


def test_pressing_fail_node_makes_the_node_not_ready_after_time_passes():
    cluster = web_cluster()
    controls = Controls(cluster)
    controls.node.value = "node-2"
    _button(controls, "fail-node").click()
    _button(controls, "step-60").click()
    assert _node_ready(cluster, "node-2") == "Unknown"
    assert controls.actions == ["fail node-2", "run 60s"]


def test_pressing_scale_changes_the_deployments_replicas():
    cluster = web_cluster()
    controls = Controls(cluster)
    assert controls.deployment.value == "web" and controls.replicas.value == 3
    controls.replicas.value = 5
    _button(controls, "scale").click()
    assert cluster.get("deployments", "web")["spec"]["replicas"] == 5
    assert controls.last_output == "deployment.apps/web scaled\n"


@pytest.mark.parametrize("verb, check", [
    ("cordon", lambda c: c.get("nodes", "node-1")["spec"].get("unschedulable") is True),
    ("drain", lambda c: not [p for p in c.list("pods") if p["spec"].get("nodeName") == "node-1"]),
])
def test_cordon_and_drain_go_through_kubectl(verb, check):
    cluster = web_cluster()
    controls = Controls(cluster)
    controls.node_action(verb, "node-1")
    cluster.run(40)
    assert check(cluster)
    assert controls.actions == [f"kubectl {verb} node-1" + (" --ignore-daemonsets --delete-emptydir-data"
                                                            if verb == "drain" else "")]


def test_stopping_the_scheduler_leaves_new_pods_pending_until_it_starts_again():
    cluster = web_cluster(replicas=1)
    controls = Controls(cluster)
    controls.component.value = "scheduler"
    _button(controls, "stop-component").click()
    controls.scale("web", 2)
    cluster.run(10)
    assert sum(1 for p in cluster.list("pods") if not p["spec"].get("nodeName")) == 1
    _button(controls, "start-component").click()
    cluster.run(1)
    assert all(p["spec"].get("nodeName") for p in cluster.list("pods"))


def test_deleting_a_pod_makes_the_replicaset_replace_it():
    cluster = web_cluster()
    controls = Controls(cluster)
    victim = controls.pod.value
    controls.delete_pod()
    cluster.run(40)
    names = [p["metadata"]["name"] for p in cluster.list("pods")]
    assert victim not in names and len(names) == 3
    assert controls.last_output == f'pod "{victim}" deleted\n'


def test_crashing_a_container_restarts_it():
    cluster = web_cluster()
    controls = Controls(cluster)
    pod = controls.pod.value
    controls.crash_container()
    cluster.run(20)
    status = cluster.get("pods", pod)["status"]["containerStatuses"][0]
    assert status["restartCount"] == 1
    assert status["lastState"]["terminated"]["exitCode"] == 137


def test_applying_bad_yaml_shows_the_error_kubectl_prints():
    cluster = labkube.Cluster(nodes=1, seed=0)
    controls = Controls(cluster)
    controls.yaml.value = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replica: 3\n"
    _button(controls, "apply").click()
    assert controls.last_output == (
        'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be '
        'handled as a Deployment: strict decoding error: unknown field "spec.replica"\n')
    assert "strict decoding error" in controls.output.value


def test_the_kubectl_box_prints_what_kubectl_prints():
    cluster = web_cluster()
    controls = Controls(cluster)
    controls.command.value = "kubectl get deployment web"
    _button(controls, "kubectl").click()
    assert controls.last_output == cluster.kubectl("get deployment web")


def test_an_action_redraws_the_view_at_once():
    cluster = web_cluster()
    view = ClusterView(cluster)
    controls = Controls(cluster, view=view)
    controls.node_action("fail", "node-3")
    controls.step(60)
    assert "lk-node-ready" not in node_class(view.value, "node-3")


def test_the_clock_shows_simulated_time_and_steps_it():
    cluster = labkube.Cluster(nodes=1, seed=0)
    controls = Controls(cluster)
    _button(controls, "step-10").click()
    assert "2025-01-01T00:00:10Z" in controls.time.value


def test_a_real_time_clock_gets_play_pause_and_speed():
    with labkube.Cluster(nodes=1, seed=0, clock="realtime") as cluster:
        controls = Controls(cluster)
        controls.play.value = False
        assert cluster.clock.paused and "(paused)" in controls.time.value
        controls.speed.value = 100
        assert cluster.clock.speed == 100
        controls.play.value = True
        assert not cluster.clock.paused


def test_an_unknown_component_is_reported_not_raised():
    cluster = labkube.Cluster(nodes=1, seed=0)
    controls = Controls(cluster)
    controls.component_action("stop", "etcd")
    assert controls.last_output.startswith("error: no component named 'etcd'")
