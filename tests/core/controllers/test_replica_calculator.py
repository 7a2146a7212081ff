"""The HPA's replica calculator (replica_calculator.go's rules), table-driven, no cluster."""

import pytest

from labkube.core.clock import format_timestamp
from labkube.core.controllers import replica_calculator as calc

NOW = 10_000.0


def pod(name, request="200m", phase="Running", ready="True", started=NOW - 600, ready_since=NOW - 590,
        deleting=False):
    status = {"phase": phase}
    if started is not None:
        status["startTime"] = format_timestamp(started)
    if ready is not None:
        status["conditions"] = [{"type": "Ready", "status": ready,
                                 "lastTransitionTime": format_timestamp(ready_since)}]
    meta = {"name": name}
    if deleting:
        meta["deletionTimestamp"] = format_timestamp(NOW)
    resources = {"requests": {"cpu": request}} if request else {}
    return {"metadata": meta, "spec": {"containers": [{"name": "app", "resources": resources}]}, "status": status}


def usage(**millicores):
    return {name: calc.PodMetric(value, NOW, 15.0) for name, value in millicores.items()}


@pytest.mark.parametrize("pods, metrics, current, expected", [
    ([pod("a")], usage(a=500), 1, (5, 250)),
    ([pod("a"), pod("b")], usage(a=110, b=100), 2, (2, 52)),
    ([pod("a"), pod("b")], usage(a=20, b=20), 2, (1, 10)),
    ([pod("a"), pod("b", phase="Pending")], usage(a=400), 2, (4, 200)),
    ([pod("a"), pod("b")], usage(a=400), 2, (4, 200)),
    ([pod("a"), pod("b")], usage(a=20), 2, (2, 10)),
    ([pod("a"), pod("b", deleting=True)], usage(a=200, b=900), 2, (2, 100)),
    ([pod("a"), pod("b", started=NOW - 60, ready_since=NOW - 5)], usage(a=300, b=300), 2, (3, 150)),
], ids=["one pod at 250% of a 50% target asks for five",
        "a ratio within the 10% tolerance changes nothing",
        "low usage scales down to what the usage needs",
        "a pending pod counts as using nothing when scaling up",
        "a pod without metrics counts as using nothing when scaling up",
        "a pod without metrics counts as fully used when scaling down, which cancels it",
        "a pod being deleted is ignored",
        "a sample taken less than a window after a new pod became ready counts as nothing when scaling up"])
def test_resource_replicas(pods, metrics, current, expected):
    proposal = calc.resource_replicas(current, 50, "cpu", pods, metrics, NOW, NOW)
    assert (proposal.replicas, proposal.utilization) == expected


@pytest.mark.parametrize("pods, metrics, message", [
    ([], usage(a=1), "no pods returned by selector while calculating replica count"),
    ([pod("a", phase="Pending")], usage(a=1), "did not receive metrics for targeted pods (pods might be unready)"),
    ([pod("a", request=None)], usage(a=1), "missing request for cpu in container app of Pod a"),
], ids=["no pods", "only unready pods", "a container without a cpu request"])
def test_resource_replicas_errors(pods, metrics, message):
    with pytest.raises(calc.MetricsError) as err:
        calc.resource_replicas(1, 50, "cpu", pods, metrics, NOW, NOW)
    assert str(err.value) == message


def test_pod_metrics_sum_the_containers_and_leave_out_a_pod_missing_one():
    items = [
        {"metadata": {"name": "a"}, "timestamp": format_timestamp(NOW), "window": "15s",
         "containers": [{"name": "x", "usage": {"cpu": "100000000n"}}, {"name": "y", "usage": {"cpu": "50m"}}]},
        {"metadata": {"name": "b"}, "timestamp": format_timestamp(NOW), "window": "15s",
         "containers": [{"name": "x", "usage": {"memory": "1Ki"}}]},
    ]
    assert calc.pod_metrics_info(items, "cpu") == {"a": calc.PodMetric(150, NOW, 15.0)}


def test_an_average_value_target_compares_raw_usage():
    assert calc.raw_resource_replicas(2, 100, "memory", [pod("a"), pod("b")], usage(a=300, b=100), NOW) == (4, 200)
