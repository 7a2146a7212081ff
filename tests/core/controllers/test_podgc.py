"""Pod GC: orphaned pods after the quarantine, terminated pods over the threshold."""

from labkube.core.controllers.podgc import PodGCController
from tests.core.controllers.helpers import add_node, add_pod, new_env, start_manager


def setup(**config):
    env = new_env()
    add_node(env, "node-1", 1)
    manager = start_manager(env, [PodGCController], **config)
    return env, manager


def names(env):
    return [p["metadata"]["name"] for p in env.admin.list("pods", "default")["items"]]


def finish(env, name, phase="Succeeded"):
    pod = env.admin.get("pods", name, "default")
    pod["status"]["phase"] = phase
    env.admin.update(pod, subresource="status")


def test_pods_on_a_deleted_node_are_force_deleted_after_the_quarantine_and_not_before():
    env, _ = setup()
    add_pod(env, "web", node="node-1", ip="10.244.1.2")
    env.admin.delete("nodes", "node-1")
    env.clock.run(20 + 39)  # first GC pass at 20 s puts the node in quarantine until 60 s
    assert names(env) == ["web"]
    env.clock.run(2)
    assert names(env) == []


def test_pods_on_a_node_that_comes_back_are_kept():
    env, _ = setup()
    add_pod(env, "web", node="node-1", ip="10.244.1.2")
    env.admin.delete("nodes", "node-1")
    env.clock.run(25)
    add_node(env, "node-1", 1)
    env.clock.run(60)
    assert names(env) == ["web"]


def test_terminated_pods_over_the_threshold_are_deleted_oldest_first():
    env, _ = setup(terminated_pod_gc_threshold=2)
    for i in range(4):
        add_pod(env, f"done-{i}", node="node-1")
        finish(env, f"done-{i}")
        env.clock.run(1)
    add_pod(env, "running", node="node-1")
    env.clock.run(20)
    assert names(env) == ["done-2", "done-3", "running"]


def test_unscheduled_terminating_pods_are_force_deleted():
    env, _ = setup()
    pod = add_pod(env, "stuck")
    held = env.admin.get("pods", "stuck", "default")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    env.admin.update(held)
    env.admin.delete("pods", "stuck", "default")
    env.clock.run(21)
    stuck = env.admin.get("pods", "stuck", "default")
    assert stuck["status"]["phase"] == "Failed"
    assert pod["metadata"]["name"] == "stuck"
