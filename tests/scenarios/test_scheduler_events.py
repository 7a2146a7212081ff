"""kube-scheduler records through the new Events API (client-go tools/events), as in 1.32.

A pod that fits nowhere is tried at 0 s; its ``PodScheduled=False`` patch gives it a new
resourceVersion, so the next try (at 1 min) regards a different object version and starts a new
Event; the try after (2 min) is isomorphic to it and PATCHes ``series.count: 2``; a fourth try
(3 min) counts 3 in memory only. A node big enough arrives at 4 min; the series, last seen at
3 min, is written a last time by the finish loop at its 12-minute tick (the 6-minute tick came
only 3 minutes after it). Retries are forced by re-installing the default profile, which moves
every unschedulable pod back to the active queue at once.
"""

import labkube
from labkube.core.api import auth

BIG = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big"},
       "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "3"}}}]}}
MESSAGE = ("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
           "3 Preemption is not helpful for scheduling.")
SOURCE = "default-scheduler, default-scheduler-labkube-control-plane"


def _retry_at(cluster, seconds):
    """At ``seconds`` into the run, re-install the default profile (as a student's plugin
    does), which moves every unschedulable pod back to the active queue."""
    cluster.run(seconds - cluster.clock.now() + 1735689600.0)
    scheduler = cluster.components["scheduler"]
    scheduler.use_profile(scheduler.scheduler.profiles["default-scheduler"])
    cluster.settle()


def _failed_scheduling(cluster):
    """(name, eventTime, regarding resourceVersion, series) of each FailedScheduling, by name."""
    events = cluster.client.list("events.events.k8s.io", "default")["items"]
    return [(e["metadata"]["name"], e["eventTime"], e["regarding"]["resourceVersion"], e.get("series"))
            for e in events if e["reason"] == "FailedScheduling"]


def _scenario():
    cluster = labkube.Cluster(nodes=3, seed=0)
    created = cluster.apply(BIG)[0]
    cluster.settle()
    steps = {0: _failed_scheduling(cluster)}
    pending = cluster.client.get("pods", "big")
    for minute in (1, 2, 3):
        _retry_at(cluster, 60 * minute)
        steps[minute] = _failed_scheduling(cluster)
    cluster.run(60)
    cluster.add_node("big-node", cpu="4")
    cluster.settle()
    return cluster, created, pending, steps


def test_the_scheduler_writes_events_k8s_io_events_with_every_new_api_field():
    cluster, created, _, _ = _scenario()
    scheduled = [e for e in cluster.client.list("events.events.k8s.io", "default")["items"]
                 if e["reason"] == "Scheduled"]
    assert len(scheduled) == 1
    event = scheduled[0]
    pod = cluster.client.get("pods", "big")
    assert {k: v for k, v in event.items() if k != "metadata"} == {  # list items carry no kind
        "eventTime": "2025-01-01T00:04:00.000000Z",
        "reportingController": "default-scheduler",
        "reportingInstance": "default-scheduler-labkube-control-plane",
        "action": "Binding",
        "reason": "Scheduled",
        "regarding": {"apiVersion": "v1", "kind": "Pod", "name": "big", "namespace": "default",
                      "resourceVersion": event["regarding"]["resourceVersion"],
                      "uid": pod["metadata"]["uid"]},
        "note": "Successfully assigned default/big to big-node",
        "type": "Normal",
        "deprecatedSource": {},
        "deprecatedFirstTimestamp": None,
        "deprecatedLastTimestamp": None,
    }
    assert event["metadata"]["name"].startswith("big.")
    assert int(event["regarding"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])


def test_repeated_failed_scheduling_becomes_a_series_whose_count_reaches_the_api_on_its_timers():
    cluster, created, pending, steps = _scenario()
    first = ("big.1816687ec057002c", "2025-01-01T00:00:00.000000Z", created["metadata"]["resourceVersion"], None)
    rv = pending["metadata"]["resourceVersion"]  # after the scheduler's PodScheduled=False patch
    second = steps[1][1][0]
    assert steps[0] == [first]
    assert steps[1] == [first, (second, "2025-01-01T00:01:00.000000Z", rv, None)]
    series = {"count": 2, "lastObservedTime": "2025-01-01T00:02:00.000000Z"}
    assert steps[2] == [first, (second, "2025-01-01T00:01:00.000000Z", rv, series)]
    assert steps[3] == steps[2]  # the fourth try is counted in memory only
    cluster.run(719 - 240)
    assert _failed_scheduling(cluster)[1][3] == series
    cluster.run(1)  # the finish loop's 12-minute tick
    final = {"count": 3, "lastObservedTime": "2025-01-01T00:03:00.000000Z"}
    assert _failed_scheduling(cluster)[1][3] == final


def test_the_audit_log_shows_the_scheduler_creating_and_patching_events_k8s_io_events():
    cluster, _, _, _ = _scenario()
    cluster.run(480)
    writes = [(r.verb, r.api_group, r.api_version) for r in cluster.audit(user=auth.KUBE_SCHEDULER_USER)
              if r.resource == "events" and (r.name or "").startswith("big.")]  # not CoreDNS's
    assert writes == [("create", "events.k8s.io", "v1"), ("create", "events.k8s.io", "v1"),
                      ("patch", "events.k8s.io", "v1"), ("create", "events.k8s.io", "v1"),
                      ("patch", "events.k8s.io", "v1")]


def test_kubectl_shows_the_series_as_real_kubectl_does():
    cluster, _, _, _ = _scenario()
    cluster.run(480)  # 12 minutes in
    wide = cluster.kubectl("get events --field-selector reason=FailedScheduling -o wide").splitlines()
    assert wide[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE",
                               "FIRST", "SEEN", "COUNT", "NAME"]
    assert [line.split(MESSAGE) for line in wide[1:]] == [
        [f"12m         Warning   FailedScheduling   pod/big               {SOURCE}   ",
         "   12m          1       big.1816687ec057002c"],
        [f"9m          Warning   FailedScheduling   pod/big               {SOURCE}   ",
         f"   11m          3       {_failed_scheduling(cluster)[1][0]}"],
    ]
    events = cluster.kubectl("events --for pod/big").splitlines()
    assert events[1:3] == [f"12m                Warning   FailedScheduling   Pod/big   {MESSAGE}",
                           f"9m (x3 over 11m)   Warning   FailedScheduling   Pod/big   {MESSAGE}"]
    describe = cluster.kubectl("describe pod big").split("Events:\n")[1].splitlines()
    assert describe[2:5] == [
        f"  Warning  FailedScheduling  12m               default-scheduler  {MESSAGE}",
        f"  Warning  FailedScheduling  9m (x3 over 11m)  default-scheduler  {MESSAGE}",
        "  Normal   Scheduled         8m                default-scheduler  Successfully assigned default/big to big-node",
    ]


def test_kubectl_get_events_yaml_shows_the_nulls_kube_apiserver_returns():
    cluster, _, _, _ = _scenario()
    name = _failed_scheduling(cluster)[0][0]
    core = cluster.kubectl(f"get events {name} -o yaml")
    for line in ("action: Scheduling", "firstTimestamp: null", "lastTimestamp: null", "source: {}",
                 'eventTime: "2025-01-01T00:00:00.000000Z"', "reportingComponent: default-scheduler",
                 "reportingInstance: default-scheduler-labkube-control-plane"):
        assert line in core.splitlines()
    assert "count:" not in core
    new_api = cluster.kubectl(f"get events.v1.events.k8s.io {name} -o yaml").splitlines()
    for line in ("deprecatedFirstTimestamp: null", "deprecatedLastTimestamp: null", "deprecatedSource: {}",
                 "reportingController: default-scheduler", "note: '0/3 nodes are available: 3 Insufficient"
                 " cpu. preemption: 0/3 nodes are available:"):
        assert line in new_api


def test_cluster_events_orders_scheduler_events_by_when_they_last_happened():
    cluster, _, _, _ = _scenario()
    cluster.run(480)
    reasons = [e["reason"] for e in cluster.events("default") if e["involvedObject"]["name"] == "big"]
    assert reasons == ["FailedScheduling", "FailedScheduling", "Scheduled", "Pulling", "Pulled", "Created",
                       "Started"]


def test_a_preemption_victim_gets_a_preempted_event_related_to_its_preemptor():
    cluster = labkube.Cluster(nodes=1, seed=0)
    low = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "low"},
           "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "1500m"}}}]}}
    cluster.apply(low)
    cluster.run(10)
    high = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "high"},
            "spec": {"priorityClassName": "system-cluster-critical",
                     "containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "1500m"}}}]}}
    preemptor = cluster.apply(high)[0]
    cluster.run(1)
    preempted = [e for e in cluster.client.list("events.events.k8s.io", "default")["items"]
                 if e["reason"] == "Preempted"]
    assert len(preempted) == 1
    event = preempted[0]
    assert (event["action"], event["type"], event["regarding"]["name"]) == ("Preempting", "Normal", "low")
    assert event["related"]["name"] == "high" and event["related"]["uid"] == preemptor["metadata"]["uid"]
    assert event["note"] == f"Preempted by pod {preemptor['metadata']['uid']} on node node-1"
