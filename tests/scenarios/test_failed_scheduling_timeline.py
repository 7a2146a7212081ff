"""When a pod that fits nowhere is tried again, on the simulated clock.

kube-scheduler 1.32 tries it once (FailedScheduling at 0 s), parks it among the unschedulable
pods, and does not bring it back for its own ``PodScheduled=False`` status patch nor for the
kubelets' 5-minute status reports (heartbeat times change nothing a plugin registered). With
no relevant cluster event it is retried by the leftover flush: every 30 s, pods parked for more
than 5 minutes move, so the second attempt comes at 5 min 30 s.
"""

import labkube

BIG = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big"},
       "spec": {"containers": [{"name": "c", "image": "nginx",
                                "resources": {"requests": {"cpu": "3"}}}]}}


def failed_scheduling(cluster):
    """(eventTime, series) of each FailedScheduling Event, oldest first."""
    events = cluster.client.list("events", namespace="default")["items"]
    return sorted((e.get("eventTime"), e.get("series")) for e in events if e.get("reason") == "FailedScheduling")


def test_a_pod_that_fits_nowhere_gets_one_failed_scheduling_event_not_two():
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply(BIG)
    cluster.run(5)
    assert failed_scheduling(cluster) == [("2025-01-01T00:00:00.000000Z", None)]
    assert cluster.kubectl("get events").count("FailedScheduling") == 1


def test_the_pod_waits_quietly_until_the_five_minute_mark():
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply(BIG)
    cluster.run(299)
    assert failed_scheduling(cluster) == [("2025-01-01T00:00:00.000000Z", None)]


def test_kubelet_status_reports_do_not_wake_it_and_the_leftover_flush_retries_it_at_5m30s():
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply(BIG)
    cluster.run(329)
    assert failed_scheduling(cluster) == [("2025-01-01T00:00:00.000000Z", None)]
    cluster.run(2)
    times = [time for time, _series in failed_scheduling(cluster)]
    assert "2025-01-01T00:05:30.000000Z" in times and len(times) == 2
