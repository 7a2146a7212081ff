"""A long crash loop as ``kubectl describe`` shows it on a real cluster: the kubelet's spam filter.

client-go lets one component write 25 events about one object at once, then one every five
minutes; occurrences it skips are still counted. So after a few minutes of CrashLoopBackOff the
pod's Events stop moving, and the next one written jumps in count (``BackOff (x71 over 20m)``).
"""

import labkube


def _crash_loop(minutes):
    cluster = labkube.Cluster(nodes=1)
    cluster.kubectl('run crash --image=busybox:1.28 -- sh -c "exit 1"')
    cluster.run(minutes * 60)
    return cluster


def _kubelet_event_writes(cluster):
    """The kubelet's event requests about the pod (it also writes events about its node)."""
    return [r for r in cluster.audit(resource="events")
            if r.user == "system:node:node-1" and r.name.startswith("crash.")]


def test_a_twenty_minute_crash_loop_writes_25_events_then_one_per_five_minutes():
    cluster = _crash_loop(20)
    writes = _kubelet_event_writes(cluster)
    assert 25 < len(writes) <= 25 + 20 * 60 // 300


def test_the_back_off_count_includes_the_occurrences_the_filter_skipped():
    cluster = _crash_loop(20)
    backoff = [e for e in cluster.list("events") if e["reason"] == "BackOff"]
    writes = [r for r in _kubelet_event_writes(cluster) if r.name == backoff[0]["metadata"]["name"]]
    assert len(backoff) == 1 and backoff[0]["count"] > len(writes) + 20


def test_the_first_events_of_a_pod_are_all_written():
    cluster = _crash_loop(1)
    reasons = {e["reason"] for e in cluster.list("events")
               if e["involvedObject"]["name"] == "crash"}
    assert {"Scheduled", "Pulling", "Pulled", "Created", "Started", "BackOff"} <= reasons
