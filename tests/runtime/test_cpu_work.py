"""CPU charged for served requests, averaged over metrics-server's 15-second window."""

import pytest

from labkube.runtime.sim.cpu_work import ServedWork


@pytest.mark.parametrize("charges, now, expected", [
    ([], 100.0, 0),
    ([(t + 0.5, 0.1) for t in range(85, 100)], 99.9, 100),
    ([(t + 0.5, 0.1) for t in range(85, 100)], 107.0, 47),
    ([(t + 0.5, 0.1) for t in range(60, 80)], 100.0, 0),
], ids=["nothing served uses nothing", "a steady 100m is reported as 100m",
        "half a window after the load stopped, half of it remains", "work older than the window is gone"])
def test_served_work_reports_the_average_over_the_window(charges, now, expected):
    work = ServedWork()
    for when, cost in charges:
        work.charge(when, cost)
    assert work.millicores(now) == expected
