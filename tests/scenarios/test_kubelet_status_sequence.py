"""The statuses a student watches (``kubectl get pod -w``) while the kubelet starts, restarts
and gives up on containers.

A real kubelet's sync (pkg/kubelet/kubelet.go ``SyncPod``) first generates the pod's status
from what the runtime had when the sync began and from the *reason cache* the previous sync
left (``generateAPIPodStatus``, ``convertToAPIContainerStatuses``), hands it to the status
manager, and only then acts (``kuberuntime_manager.go`` ``SyncPod``: start, back off, kill).
What a sync did is reported by the next one. So each exit of a crash-looping container is
seen as ``Error`` first; the back-off that keeps it from restarting (``CrashLoopBackOff``)
shows at the following sync, 10 to 15 s later (``completeWork`` requeues a failed sync
``wait.Jitter(10s, 0.5)`` later); a pod whose init containers finished shows
``PodInitializing`` before its app containers run; a failed pull shows ``ErrImagePull``
before ``ImagePullBackOff``; a container its liveness probe kills is started again by the
same sync, so no status shows it stopped.
"""

from __future__ import annotations

import labkube
from labkube.kubectl.printers.columns import pod_status_cells
from tests.core.kubelet.harness import Node, simple_pod


def _timed(node: Node, manifest: dict, seconds: float) -> list[tuple[float, dict]]:
    """Every version of the pod the API server held while ``seconds`` of cluster time ran,
    with when it was seen (within a quarter of a second)."""
    node.create(manifest)
    watch = node.admin.watch("pods", "default")
    name = manifest["metadata"]["name"]
    seen = []
    for _ in range(int(seconds * 4)):
        node.run(0.25)
        seen += [(node.clock.now(), e["object"]) for e in watch.poll() if e["object"]["metadata"]["name"] == name]
    return seen


def _watched(node: Node, manifest: dict, seconds: float) -> list[dict]:
    return [pod for _, pod in _timed(node, manifest, seconds)]


def _rows(node: Node, pods: list[dict]) -> list[tuple[str, int]]:
    """kubectl's STATUS and restart count for each version, repeats dropped."""
    rows = []
    for pod in pods:
        _, _, status, restarts = pod_status_cells(pod, node.clock.now())
        row = (status, int(restarts.split()[0]))
        if not rows or rows[-1] != row:
            rows.append(row)
    return rows


def _app(pod: dict) -> dict:
    """The first app container's status (an empty one before the kubelet wrote any)."""
    statuses = (pod.get("status") or {}).get("containerStatuses")
    return statuses[0] if statuses else {"state": {}, "lastState": {}, "restartCount": 0}


def _crashing(name: str, policy: str = "Always") -> dict:
    pod = simple_pod(name, "busybox:1.28", command=["sh", "-c", "sleep 2; exit 1"])
    pod["spec"]["restartPolicy"] = policy
    return pod


def test_a_crash_looping_container_is_seen_as_error_then_crash_loop_back_off_then_running():
    node = Node()
    rows = _rows(node, _watched(node, _crashing("crash"), 70))
    assert rows[:10] == [
        ("Pending", 0), ("ContainerCreating", 0), ("Running", 0),
        ("Error", 0), ("Running", 1),  # the first exit: restarted at once, no back-off yet
        ("Error", 1), ("CrashLoopBackOff", 1), ("Running", 2),
        ("Error", 2), ("CrashLoopBackOff", 2),
    ]


def test_every_exit_is_reported_terminated_before_the_back_off_is():
    node = Node()
    pods = _watched(node, _crashing("crash"), 120)
    states = [(next(iter(_app(p)["state"]), "-"), _app(p)["restartCount"]) for p in pods]
    for i, (state, count) in enumerate(states):
        if state == "waiting" and count:
            # a back-off is only ever reported after the exit it follows was
            previous = [s for s in states[:i] if s[1] == count]
            assert ("terminated", count) in previous, states
    crash_loop = [p for p in pods if (_app(p)["state"].get("waiting") or {}).get("reason") == "CrashLoopBackOff"]
    assert crash_loop, states
    last = _app(crash_loop[0])["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (1, "Error")


def test_the_back_off_is_reported_by_the_requeued_sync_10_to_16_seconds_after_the_exit():
    node = Node()
    node.create(_crashing("crash"))
    watch = node.admin.watch("pods", "default")
    seen = []  # (when, container status) of each status the kubelet wrote
    for _ in range(40 * 4):
        node.run(0.25)
        seen += [(node.clock.now(), _app(e["object"])) for e in watch.poll()]
    exit_at = next(t for t, cs in seen if "terminated" in cs.get("state", {}) and cs["restartCount"] == 1)
    back_off_at = next(t for t, cs in seen
                       if (cs.get("state", {}).get("waiting") or {}).get("reason") == "CrashLoopBackOff")
    # the sync at the exit failed (inside the back-off); pod workers requeue it
    # wait.Jitter(10s, 0.5) later, at the next tick of the one-second sync ticker
    assert 10 <= back_off_at - exit_at <= 16.25


def test_a_restart_policy_on_failure_job_pod_shows_the_same_sequence():
    node = Node()
    rows = _rows(node, _watched(node, _crashing("job-pod", "OnFailure"), 40))
    assert rows[2:8] == [("Running", 0), ("Error", 0), ("Running", 1), ("Error", 1),
                         ("CrashLoopBackOff", 1), ("Running", 2)]


def test_a_restart_policy_never_pod_ends_in_error_and_shows_no_back_off():
    node = Node()
    rows = _rows(node, _watched(node, _crashing("once", "Never"), 30))
    assert rows[-2:] == [("Running", 0), ("Error", 0)]


def test_an_init_container_pod_is_init_0_1_then_pod_initializing_then_running():
    node = Node()
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "init-demo"},
           "spec": {"initContainers": [{"name": "wait", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 3"]}],
                    "containers": [{"name": "web", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 3600"]}]}}
    pods = _watched(node, pod, 15)
    assert [status for status, _ in _rows(node, pods)] == ["Pending", "Init:0/1", "PodInitializing", "Running"]
    initializing = next(p for p in pods if pod_status_cells(p, 0)[2] == "PodInitializing")
    assert initializing["status"]["initContainerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"
    assert _app(initializing)["state"] == {"waiting": {"reason": "PodInitializing"}}
    initialized = [c for c in initializing["status"]["conditions"] if c["type"] == "Initialized"][0]
    assert initialized["status"] == "True"


def test_an_image_that_cannot_be_pulled_is_err_image_pull_first_then_image_pull_back_off():
    node = Node()
    timed = _timed(node, simple_pod("bad", "nginx:nope"), 70)
    pods = [pod for _, pod in timed]
    rows = [status for status, _ in _rows(node, pods)]
    assert rows[:6] == ["Pending", "ContainerCreating", "ErrImagePull", "ImagePullBackOff",
                        "ErrImagePull", "ImagePullBackOff"]
    pull_error_at, pull_error = next((t, p) for t, p in timed if pod_status_cells(p, 0)[2] == "ErrImagePull")
    backoff_at, backoff = next((t, p) for t, p in timed if pod_status_cells(p, 0)[2] == "ImagePullBackOff")
    assert pull_error["status"]["podIP"]  # the sync the new sandbox started reports both
    assert _app(backoff)["state"]["waiting"]["message"] == 'Back-off pulling image "nginx:nope"'
    # that sync met the back-off; the sync requeued after it reports so
    assert 10 <= backoff_at - pull_error_at <= 16.25


def test_a_container_its_liveness_probe_kills_is_running_again_in_every_status():
    node = Node()
    pod = simple_pod("live", "busybox:1.28", command=["sh", "-c", "sleep 3600"],
                     livenessProbe={"exec": {"command": ["cat", "/tmp/healthy"]}, "periodSeconds": 5})
    pods = _watched(node, pod, 100)
    rows = _rows(node, pods)
    assert rows == [("Pending", 0), ("ContainerCreating", 0), ("Running", 0), ("Running", 1), ("Running", 2)]
    last = _app(pods[-1])["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (137, "Error")  # sh ignores SIGTERM: killed after 30 s
    killing = [e["message"] for e in node.events("live") if e["reason"] == "Killing"]
    assert killing == ["Container app failed liveness probe, will be restarted"]


def test_a_container_its_liveness_probe_kills_under_restart_policy_never_is_not_restarted():
    node = Node()
    pod = simple_pod("live", "busybox:1.28", command=["sh", "-c", "sleep 3600"],
                     livenessProbe={"exec": {"command": ["cat", "/tmp/healthy"]}, "periodSeconds": 5})
    pod["spec"]["restartPolicy"] = "Never"
    rows = _rows(node, _watched(node, pod, 60))
    assert rows[-1] == ("Error", 0)
    assert [e["message"] for e in node.events("live") if e["reason"] == "Killing"] == [
        "Container app failed liveness probe"]


def test_a_container_that_cannot_start_is_run_container_error_then_crash_loop_back_off():
    node = Node()
    pods = _watched(node, simple_pod("noexec", "busybox:1.28", command=["nosuch"]), 30)
    rows = _rows(node, pods)
    assert rows[:5] == [("Pending", 0), ("ContainerCreating", 0), ("RunContainerError", 0),
                        ("RunContainerError", 1), ("CrashLoopBackOff", 1)]
    failed = next(p for p in pods if pod_status_cells(p, 0)[2] == "RunContainerError")
    assert _app(failed)["lastState"]["terminated"]["reason"] == "StartError"
    assert 'exec: "nosuch": executable file not found in $PATH' in _app(failed)["state"]["waiting"]["message"]


def test_kubectl_get_watch_shows_each_crash_as_error_before_crash_loop_back_off():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl('run crash --image=busybox -- sh -c "sleep 2; exit 1"')
    out = cluster.kubectl("get pod crash -w --request-timeout=60s")
    statuses = [line.split()[2] for line in out.splitlines()[1:] if line.strip()]
    assert "Error" in statuses
    first_back_off = statuses.index("CrashLoopBackOff")
    assert statuses[first_back_off - 1] == "Error"
    assert statuses[first_back_off + 1] == "Running"
