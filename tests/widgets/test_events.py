"""EventLog: newest first, Warnings highlighted, filters by object, reason and type."""

import labkube
from labkube.kubectl.printers.age import parse_time
from labkube.widgets.events import EventLog
from tests.widgets.helpers import web_cluster

BIG_POD = """apiVersion: v1
kind: Pod
metadata:
  name: big
spec:
  containers:
  - name: c
    image: nginx
    resources:
      requests:
        cpu: "50"
"""


def _cluster():
    cluster = web_cluster()
    cluster.kubectl("apply -f -", stdin=BIG_POD)
    cluster.run(5)
    return cluster


def test_rows_are_newest_first():
    log = EventLog(_cluster())
    # Compared as times: the scheduler's Events carry a MicroTime (eventTime, with six
    # fraction digits), the kubelets' a Time (lastTimestamp), so their texts do not sort.
    stamps = [parse_time(r["timestamp"]) for r in log.rows()]
    assert stamps == sorted(stamps, reverse=True) and len(stamps) > 5


def test_warning_rows_are_highlighted():
    log = EventLog(_cluster())
    assert 'class="lk-event lk-event-warning"' in log.table.value
    assert log.table.value.count("lk-event-warning") == sum(r["type"] == "Warning" for r in log.rows())


def test_the_type_filter_keeps_only_warnings():
    log = EventLog(_cluster())
    log.type_filter.value = "Warning"
    assert [(r["reason"], r["object"]) for r in log.rows()] == [("FailedScheduling", "pod/big")]
    assert log.rows()[0]["message"].startswith("0/3 nodes are available: 3 Insufficient cpu.")


def test_the_object_filter_matches_kind_and_name():
    log = EventLog(_cluster())
    log.object_filter.value = "node/node-1"
    assert log.rows() and all(r["object"] == "node/node-1" for r in log.rows())


def test_the_reason_filter_offers_the_reasons_seen():
    log = EventLog(_cluster())
    assert "Scheduled" in log.reason_filter.options
    log.reason_filter.value = "Scheduled"
    assert len(log.rows()) == 3 and {r["reason"] for r in log.rows()} == {"Scheduled"}


def test_refresh_picks_up_new_events():
    cluster = labkube.Cluster(nodes=1, seed=0)
    log = EventLog(cluster)
    before = len(log.rows())
    cluster.kubectl("apply -f -", stdin=BIG_POD)
    cluster.run(1)
    log.refresh()
    assert len(log.rows()) == before + 1 and log.rows()[0]["reason"] == "FailedScheduling"


def test_a_scheduler_series_shows_its_count_and_last_observation():
    from labkube.widgets.events import event_row
    from labkube.core.clock import parse_timestamp

    event = {"involvedObject": {"kind": "Pod", "name": "big", "namespace": "default"},
             "type": "Warning", "reason": "FailedScheduling", "message": "0/3 nodes are available",
             "lastTimestamp": None, "eventTime": "2025-01-01T00:00:00.000000Z",
             "series": {"count": 4, "lastObservedTime": "2025-01-01T00:03:00.000000Z"}}
    row = event_row(event, parse_timestamp("2025-01-01T00:03:10Z"))
    assert (row["last_seen"], row["count"]) == ("10s", 4)
