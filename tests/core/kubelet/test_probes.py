"""Probes: liveness restarts, readiness flips Ready, startup holds the others back."""

from labkube.core.clock import parse_timestamp
from tests.core.kubelet.harness import Node, simple_pod


def restarts(node, name):
    status = node.pod(name)["status"]
    return status["containerStatuses"][0]["restartCount"] if "containerStatuses" in status else 0


def test_exec_liveness_restarts_the_container_after_the_file_disappears():
    node = Node()
    node.doc("pods/probe/exec-liveness.yaml")
    node.run(2)
    started = parse_timestamp(node.container("liveness-exec")["state"]["running"]["startedAt"])
    node.run(31)
    assert restarts(node, "liveness-exec") == 0
    unhealthy = [m for r, m in node.reasons("liveness-exec") if r == "Unhealthy"]
    assert unhealthy == ["Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"]
    killing = ("Killing", "Container liveness failed liveness probe, will be restarted")
    node.run_until(lambda: killing in node.reasons("liveness-exec"), 30)
    assert 35 <= node.clock.now() - started <= 50  # three failures, 5 s apart
    unhealthy_event = [e for e in node.events("liveness-exec") if e["reason"] == "Unhealthy"][0]
    assert unhealthy_event["count"] == 3 and unhealthy_event["type"] == "Warning"
    # sh as PID 1 ignores SIGTERM: the runtime SIGKILLs it when the 30 s grace period ends
    node.run_until(lambda: restarts(node, "liveness-exec") == 1, 60)
    assert 65 <= node.clock.now() - started <= 80
    last = node.container("liveness-exec")["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (137, "Error")


def test_http_liveness_reports_the_status_code():
    node = Node()
    node.doc("pods/probe/http-liveness.yaml")
    node.run(30)
    assert ("Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500") in node.reasons("liveness-http")
    node.run_until(lambda: restarts(node, "liveness-http") >= 1, 60)
    assert restarts(node, "liveness-http") == 1


def readiness_pod(command):
    pod = simple_pod("ready", "busybox:1.28", command=["sh", "-c", command])
    pod["spec"]["containers"][0]["readinessProbe"] = {
        "exec": {"command": ["cat", "/tmp/ready"]}, "initialDelaySeconds": 5, "periodSeconds": 5}
    return pod


def test_a_readiness_probe_keeps_the_pod_unready_until_it_succeeds_then_flips_it_back():
    node = Node()
    node.create(readiness_pod("sleep 20; touch /tmp/ready; sleep 30; rm /tmp/ready; sleep 3600"))
    node.run(10)
    assert node.pod("ready")["status"]["phase"] == "Running"
    assert node.condition("ready", "Ready")["status"] == "False"
    assert node.container("ready")["ready"] is False and node.container("ready")["started"] is True
    node.run(15)
    assert node.condition("ready", "Ready")["status"] == "True"
    node.run(40)
    ready = node.condition("ready", "Ready")
    assert (ready["status"], ready["reason"]) == ("False", "ContainersNotReady")
    assert restarts(node, "ready") == 0  # readiness never restarts a container
    messages = [m for r, m in node.reasons("ready") if r == "Unhealthy"]
    assert messages[0] == "Readiness probe failed: cat: can't open '/tmp/ready': No such file or directory"


def test_tcp_liveness_and_readiness_probes_pass_against_a_listening_server():
    node = Node()
    node.doc("pods/probe/tcp-liveness-readiness.yaml")
    node.run(40)
    pod = node.pod("goproxy")
    assert pod["status"]["phase"] == "Running"
    assert node.condition("goproxy", "Ready")["status"] == "True"
    assert not [r for r, _ in node.reasons("goproxy") if r == "Unhealthy"]


def test_a_startup_probe_holds_started_false_until_it_succeeds():
    node = Node()
    pod = simple_pod("slow", "busybox:1.28", command=["sh", "-c", "sleep 12; touch /tmp/up; sleep 3600"])
    pod["spec"]["containers"][0]["startupProbe"] = {
        "exec": {"command": ["cat", "/tmp/up"]}, "periodSeconds": 5, "failureThreshold": 10}
    node.create(pod)
    node.run(8)
    cs = node.container("slow")
    assert (cs["started"], cs["ready"]) == (False, False)
    node.run(10)
    cs = node.container("slow")
    assert (cs["started"], cs["ready"]) == (True, True)
    assert ("Unhealthy", "Startup probe failed: cat: can't open '/tmp/up': No such file or directory") in node.reasons("slow")
