"""FitError.Error(): the histogram is sorted as strings, exactly like Go's sort.Strings."""

import pytest

from labkube.core.scheduler import Status, fit_error_message

U = "Unschedulable"


def statuses(*reason_lists):
    return {f"n{i}": Status(U, *r) for i, r in enumerate(reason_lists)}


@pytest.mark.parametrize("name, given, pre, post, expected", [
    ("one reason on every node", statuses(["Insufficient cpu"], ["Insufficient cpu"]), "", "",
     "0/2 nodes are available: 2 Insufficient cpu."),
    ("entries sort by their text, count first, so 10 comes before 2",
     statuses(*([["Insufficient cpu"]] * 2 + [["Too many pods"]] * 10)), "", "",
     "0/12 nodes are available: 10 Too many pods, 2 Insufficient cpu."),
    ("capital letters sort before lower case",
     statuses(["node(s) were unschedulable"], ["Insufficient memory"]), "", "",
     "0/2 nodes are available: 1 Insufficient memory, 1 node(s) were unschedulable."),
    ("a PreFilter message replaces the histogram", statuses(["x"]), "pod affinity terms conflict", "",
     "0/1 nodes are available: pod affinity terms conflict."),
    ("the PostFilter message follows without a period of its own", statuses(["Insufficient cpu"]), "",
     "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
     "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
     "1 No preemption victims found for incoming pod."),
])
def test_fit_error_message(name, given, pre, post, expected):
    assert fit_error_message(len(given), given, pre, post) == expected
