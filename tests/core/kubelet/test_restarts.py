"""Restarts: CrashLoopBackOff timing, restart policies, OOMKilled, image pull backoff."""

import pytest

from tests.core.kubelet.harness import Node, simple_pod


def crashing(name="crash", policy="Always", code=1):
    pod = simple_pod(name, "busybox:1.28", command=["sh", "-c", f"exit {code}"])
    pod["spec"]["restartPolicy"] = policy
    return pod


def restarts(node, name="crash"):
    status = node.pod(name)["status"]
    return status["containerStatuses"][0]["restartCount"] if "containerStatuses" in status else 0


def waiting_reason(node, name="crash"):
    statuses = node.pod(name)["status"].get("containerStatuses") or [{}]
    return (statuses[0].get("state") or {}).get("waiting", {}).get("reason")


def test_a_crash_looping_container_waits_with_the_kubelets_message_and_last_state():
    node = Node()
    created = node.create(crashing())
    # the second exit is reported as it was (Error); the sync 10-15 s later, still inside
    # the back-off, reports the reason the one before it could not restart the container
    node.run_until(lambda: waiting_reason(node) == "CrashLoopBackOff", 30)
    cs = node.container("crash")
    uid = created["metadata"]["uid"]
    assert cs["state"]["waiting"] == {
        "reason": "CrashLoopBackOff",
        "message": f"back-off 10s restarting failed container=app pod=crash_default({uid})",
    }
    assert cs["restartCount"] == 1
    terminated = cs["lastState"]["terminated"]
    assert (terminated["exitCode"], terminated["reason"]) == (1, "Error")
    assert node.pod("crash")["status"]["phase"] == "Running"
    assert ("BackOff", f"Back-off restarting failed container app in pod crash_default({uid})") in node.reasons("crash")


def test_back_off_is_capped_at_five_minutes_and_says_5m0s():
    node = Node()
    node.create(crashing())
    node.run_until(lambda: restarts(node) >= 6, 2000)
    node.run_until(lambda: waiting_reason(node) == "CrashLoopBackOff", 30)
    assert "back-off 5m0s restarting failed container=app" in node.container("crash")["state"]["waiting"]["message"]


@pytest.mark.parametrize("policy, code, phase, restarts", [
    ("Never", 1, "Failed", 0),
    ("Never", 0, "Succeeded", 0),
    ("OnFailure", 0, "Succeeded", 0),
    ("OnFailure", 1, "Running", 1),
])
def test_the_restart_policy_decides_whether_an_exited_container_restarts(policy, code, phase, restarts):
    node = Node()
    node.create(crashing(policy=policy, code=code))
    node.run(5)
    assert node.pod("crash")["status"]["phase"] == phase
    assert node.container("crash")["restartCount"] == restarts


def test_a_container_over_its_memory_limit_is_oom_killed_and_restarted():
    node = Node(namespaces=("default", "mem-example"))
    node.doc("pods/resource/memory-request-limit-2.yaml")
    node.run(15)
    cs = node.container("memory-demo-2", namespace="mem-example")
    last = cs["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"]) == ("OOMKilled", 137)
    assert cs["restartCount"] >= 1


def test_an_unknown_image_fails_to_pull_then_backs_off():
    node = Node()
    node.create(simple_pod("bad", "nginx:nope"))
    node.run(0.6)
    waiting = node.container("bad")["state"]["waiting"]
    assert waiting["reason"] == "ErrImagePull"
    assert waiting["message"].startswith('rpc error: code = NotFound desc = failed to pull and unpack image '
                                         '"docker.io/library/nginx:nope"')
    # the sync right after (the PLEG saw the new sandbox) meets the back-off; the status says
    # so at the next sync, 10-15 s later
    node.run(10)
    assert node.container("bad")["state"]["waiting"]["reason"] == "ErrImagePull"
    node.run(6)
    assert node.container("bad")["state"]["waiting"] == {
        "reason": "ImagePullBackOff", "message": 'Back-off pulling image "nginx:nope"'}
    reasons = node.reasons("bad")
    assert reasons[0] == ("Pulling", 'Pulling image "nginx:nope"')
    assert reasons[1][0] == "Failed" and reasons[1][1].startswith('Failed to pull image "nginx:nope": rpc error')
    assert ("Failed", "Error: ErrImagePull") in reasons
    assert ("BackOff", 'Back-off pulling image "nginx:nope"') in reasons
    assert ("Failed", "Error: ImagePullBackOff") in reasons


def test_image_pulls_are_retried_at_the_first_sync_after_10_then_20_40_80_seconds_of_back_off(monkeypatch):
    from labkube.core.machinery import events
    monkeypatch.setattr(events, "SPAM_BURST", 10**6)  # pulls are seen through every Pulling event
    node = Node()
    node.create(simple_pod("bad", "nginx:nope"))
    pulls, count = [], 0
    while len(pulls) < 5:
        node.run(0.25)
        pulling = [e for e in node.events("bad") if e["reason"] == "Pulling"]
        if pulling and pulling[0]["count"] != count:
            count = pulling[0]["count"]
            pulls.append(node.clock.now())
    # each pull fails 0.5 s after it began; the next comes at the first pod sync (every
    # 10-16 s while in back-off) after the back-off since that failure ran out
    late = [b - (a + 0.5) - backoff for a, b, backoff in zip(pulls, pulls[1:], (10, 20, 40, 80))]
    assert all(0 <= delay <= 16.25 for delay in late), late


def test_an_image_pull_policy_of_never_with_a_missing_image_waits_with_err_image_never_pull():
    node = Node()
    node.create(simple_pod("never", "nginx", imagePullPolicy="Never"))
    node.run(2)
    assert node.container("never")["state"]["waiting"] == {
        "reason": "ErrImageNeverPull",
        "message": 'Container image "nginx" is not present with pull policy of Never'}
