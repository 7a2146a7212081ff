"""Graceful deletion: Killing events, preStop hooks, the grace period, the kubelet's final delete."""

from labkube.core.errors import StatusError
from tests.core.kubelet.harness import Node, simple_pod


def exists(node, name):
    try:
        node.pod(name)
        return True
    except StatusError as err:
        assert err.code == 404
        return False


def test_deleting_a_pod_stops_its_container_and_the_kubelet_removes_the_object():
    node = Node()
    node.create(simple_pod("web", "nginx", cname="nginx"))
    node.run(10)
    node.admin.delete("pods", "web", "default")
    assert node.pod("web")["metadata"]["deletionGracePeriodSeconds"] == 30
    node.run(0.01)
    assert ("Killing", "Stopping container nginx") in node.reasons("web")
    node.run(1)  # nginx exits at once on SIGQUIT
    assert not exists(node, "web")
    assert node.runtime.list_pod_sandboxes() == []
    assert node.kubelet.ipam.in_use() == {}


def test_a_process_that_ignores_sigterm_is_killed_when_the_grace_period_ends():
    node = Node()
    node.create(simple_pod("sleepy", "busybox:1.28", command=["sh", "-c", "sleep 3600"]))
    node.run(5)
    node.admin.delete("pods", "sleepy", "default", grace_period_seconds=12)
    node.run(11)
    pod = node.pod("sleepy")
    assert pod["metadata"]["deletionTimestamp"]
    assert list(pod["status"]["containerStatuses"][0]["state"]) == ["running"]
    node.run(2)
    assert not exists(node, "sleepy")


def test_the_final_status_before_removal_is_terminal_with_the_exit_code():
    node = Node()
    node.create(simple_pod("sleepy", "busybox:1.28", command=["sh", "-c", "sleep 3600"]))
    node.run(5)
    seen = []
    watch = node.admin.watch("pods", "default")
    node.admin.delete("pods", "sleepy", "default", grace_period_seconds=3)
    node.run(5)
    for event in watch.poll():
        seen.append((event["type"], event["object"]["status"].get("phase")))
    assert ("MODIFIED", "Failed") in seen and seen[-1][0] == "DELETED"
    final = [e for e in watch.poll()]
    assert final == []


def test_a_pre_stop_hook_runs_before_the_container_is_stopped():
    node = Node()
    node.doc("pods/lifecycle-events.yaml")
    node.run(10)
    assert node.pod("lifecycle-demo")["status"]["phase"] == "Running"
    node.admin.delete("pods", "lifecycle-demo", "default")
    node.run(5)
    assert not exists(node, "lifecycle-demo")
    assert ("Killing", "Stopping container lifecycle-demo-container") in node.reasons("lifecycle-demo")


def test_a_failing_post_start_hook_kills_the_container():
    node = Node()
    pod = simple_pod("hooked", "busybox:1.28", command=["sh", "-c", "sleep 3600"])
    pod["spec"]["containers"][0]["lifecycle"] = {"postStart": {"exec": {"command": ["sh", "-c", "exit 3"]}}}
    pod["spec"]["terminationGracePeriodSeconds"] = 1
    created = node.create(pod)
    node.run(5)
    uid = created["metadata"]["uid"]
    failed = [m for r, m in node.reasons("hooked") if r == "FailedPostStartHook"]
    assert failed[0] == (f'Exec lifecycle hook ([sh -c exit 3]) for Container "app" in Pod "hooked_default({uid})" '
                         "failed - error: command 'sh -c exit 3' exited with 3: , message: \"\"")
    assert ("Killing", "FailedPostStartHook") in node.reasons("hooked")
    assert node.container("hooked")["restartCount"] >= 1


def test_a_pod_deleted_before_its_image_arrived_is_removed_without_starting():
    node = Node()
    node.create(simple_pod("early", "nginx"))
    node.run(1)
    node.admin.delete("pods", "early", "default")
    node.run(10)
    assert not exists(node, "early")
    assert "Started" not in [r for r, _ in node.reasons("early")]
