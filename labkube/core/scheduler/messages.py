"""The FailedScheduling message, word for word as kube-scheduler writes it.

Mirrors ``FitError.Error()`` in pkg/scheduler/framework/types.go::

    0/<all nodes> nodes are available: [<PreFilter message>.] [<histogram>.] [<PostFilter message>]

The histogram counts each reason over the nodes that were rejected ("2 Insufficient cpu"),
formats each entry as ``"<count> <reason>"`` and sorts the entries as *strings* — so
``"1 node(s) had untolerated taint {…}"`` comes before ``"2 Insufficient cpu"``, and
``"10 …"`` before ``"2 …"``, exactly as Go's ``sort.Strings`` does. When PreFilter rejected
the pod the histogram is left out (every node would repeat the same reason). The PostFilter
message is preemption's, e.g. ``preemption: 0/3 nodes are available: 1 Preemption is not
helpful for scheduling, 2 No preemption victims found for incoming pod.``

Example (1 control-plane node, 2 workers without enough CPU)::

    0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: },
    2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for
    scheduling, 2 No preemption victims found for incoming pod.

(one line in the event). Guarantees: pure functions; the same statuses give the same text.
"""

from __future__ import annotations

NO_NODE_AVAILABLE_MSG = "0/{} nodes are available"
NO_NODES_AVAILABLE = "no nodes available to schedule pods"


def reason_histogram(statuses) -> list[str]:
    """``sortReasonsHistogram``: "<count> <reason>" per distinct reason, string-sorted."""
    counts: dict[str, int] = {}
    for status in statuses.values():
        for reason in status.reasons:
            counts[reason] = counts.get(reason, 0) + 1
    return sorted(f"{count} {reason}" for reason, count in counts.items())


def fit_error_message(num_all_nodes: int, statuses: dict, pre_filter_msg: str = "",
                      post_filter_msg: str = "") -> str:
    """``FitError.Error()`` for a map node name -> rejecting Status."""
    message = NO_NODE_AVAILABLE_MSG.format(num_all_nodes) + ":"
    if pre_filter_msg:
        message += f" {pre_filter_msg}."
    else:
        histogram = reason_histogram(statuses)
        if histogram:
            message += f" {', '.join(histogram)}."
    if post_filter_msg:
        message += f" {post_filter_msg}"
    return message
