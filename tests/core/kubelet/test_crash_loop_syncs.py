"""CrashLoopBackOff and ImagePullBackOff as the kubelet's pod syncs live them.

A container that died restarts at once the first time; after that its back-off (10 s doubling
to 5 minutes, measured from when it finished) says when it may restart *at the earliest*. The
restart itself happens at a pod sync: every sync inside the back-off records ``BackOff`` and
fails with ``ErrCrashLoopBackOff``, and the pod worker queues the pod again
``wait.Jitter(10s, 0.5)`` later, picked up by the kubelet's one-second sync ticker
(pkg/kubelet/pod_workers.go ``completeWork``, kuberuntime_manager.go ``doBackOff``). So real
restarts come 0 to 16 s after the back-off ran out, and the BackOff event's count keeps growing.
"""

import re

import pytest

from labkube.core.clock import parse_timestamp
from labkube.core.machinery import events
from labkube.core.kubelet.images import go_duration
from tests.core.kubelet.harness import Node, simple_pod

NOMINAL = [10, 20, 40, 80, 160, 300, 300]
#: the requeue (up to 15 s) and the sync ticker (up to 1 s), plus the 1 s timestamps' rounding
SYNC_DELAY_MAX = 17


@pytest.fixture
def no_spam_filter(monkeypatch):
    """Every occurrence written: these tests count the kubelet's syncs through its events, which
    the spam filter would stop writing after 25 (tested in test_event_spam_filter.py)."""
    monkeypatch.setattr(events, "SPAM_BURST", 10**6)


def _crash_loop(restarts):
    """Run a container that crashes after 1 s until it has restarted ``restarts`` times; for
    each restart after the first: (its back-off as the waiting message said it, the seconds
    from the crash to the restart)."""
    node = Node()
    node.create(simple_pod("crash", "busybox:1.28", command=["sh", "-c", "sleep 1; exit 1"]))
    said, waited = {}, {}
    watch = node.admin.watch("pods", "default")  # every status the kubelet wrote
    while len(waited) < restarts:
        node.run(0.25)
        for event in watch.poll():
            for cs in (event["object"].get("status") or {}).get("containerStatuses") or []:
                _look(cs, said, waited)
    return node, said, waited


def _look(cs, said, waited):
    """Note the back-off a CrashLoopBackOff status said and the wait a restart took."""
    waiting = cs["state"].get("waiting") or {}
    if waiting.get("reason") == "CrashLoopBackOff":
        said[cs["restartCount"] + 1] = re.match(r"back-off (\S+) ", waiting["message"]).group(1)
    running, last = cs["state"].get("running"), (cs["lastState"] or {}).get("terminated")
    if running and last and cs["restartCount"] not in waited:
        waited[cs["restartCount"]] = parse_timestamp(running["startedAt"]) - parse_timestamp(last["finishedAt"])


def test_the_back_off_before_each_restart_is_10_20_40_80_160_300_300_seconds():
    _, said, waited = _crash_loop(8)
    assert waited[1] <= 1  # the first crash: no back-off yet, restarted at the next sync
    assert [said[n] for n in range(2, 9)] == [go_duration(s) for s in NOMINAL]
    assert [said[n] for n in range(2, 9)] == ["10s", "20s", "40s", "1m20s", "2m40s", "5m0s", "5m0s"]


def test_a_container_restarts_at_the_first_pod_sync_after_its_back_off_ran_out():
    _, _, waited = _crash_loop(8)
    late = [waited[n] - nominal for n, nominal in zip(range(2, 9), NOMINAL)]
    assert all(0 <= delay <= SYNC_DELAY_MAX for delay in late), late
    assert sum(late) > len(late)  # not at the moment the back-off ran out


def test_every_pod_sync_inside_the_back_off_records_another_back_off_event(no_spam_filter):
    node = Node()
    node.create(simple_pod("crash", "busybox:1.28", command=["sh", "-c", "exit 1"]))
    node.run(300)
    backoff = [e for e in node.events("crash") if e["reason"] == "BackOff"]
    assert len(backoff) == 1  # one Event object, its count growing
    restarts = node.container("crash")["restartCount"]
    # a sync every 10-16 s for 5 minutes, as ``x20 over 5m`` in kubectl describe
    assert restarts <= 6 and backoff[0]["count"] >= 15


def test_every_pod_sync_inside_the_image_back_off_records_back_off_and_image_pull_back_off_again(
        no_spam_filter):
    node = Node()
    node.create(simple_pod("bad", "nginx:nope"))
    node.run(300)
    counts = {(e["reason"], e["message"]): e["count"] for e in node.events("bad")}
    pulls = counts[("Pulling", 'Pulling image "nginx:nope"')]
    backoffs = counts[("BackOff", 'Back-off pulling image "nginx:nope"')]
    assert counts[("Failed", "Error: ImagePullBackOff")] == backoffs
    assert counts[("Failed", "Error: ErrImagePull")] == pulls
    assert backoffs >= 15 and pulls <= 6


def test_a_pod_that_is_not_failing_is_not_requeued():
    node = Node()
    node.create(simple_pod("web", "nginx"))
    node.run(30)
    worker = node.kubelet.worker_for("default", "web")
    assert node.container("web")["state"].get("running")
    assert worker._timer is None  # no requeue timer: nothing beyond what a healthy pod needs
