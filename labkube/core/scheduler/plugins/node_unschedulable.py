"""NodeUnschedulable: cordoned nodes (``spec.unschedulable: true``) take no new pods.

Mirrors pkg/scheduler/framework/plugins/nodeunschedulable. A pod that tolerates the
``node.kubernetes.io/unschedulable:NoSchedule`` taint (DaemonSet pods do) is let through.
Rejection: UnschedulableAndUnresolvable, ``node(s) were unschedulable``.
"""

from __future__ import annotations

from labkube.core.scheduler.framework import UNSCHEDULABLE_AND_UNRESOLVABLE, Status
from labkube.core.scheduler.helpers import tolerates

NAME = "NodeUnschedulable"
ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable"
TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"

_TAINT = {"key": TAINT_NODE_UNSCHEDULABLE, "effect": "NoSchedule"}
_REJECT = Status(UNSCHEDULABLE_AND_UNRESOLVABLE, ERR_REASON_UNSCHEDULABLE, plugin=NAME)


class NodeUnschedulable:
    name = NAME

    def filter(self, state, pod, node):
        if not node.unschedulable or tolerates(pod.tolerations, _TAINT):
            return None
        return _REJECT

    def filter_nodes(self, state, pod, nodes):
        if state.snapshot is not None and not state.snapshot.unschedulable_nodes:
            return [None] * len(nodes)
        return [None if not n.unschedulable else self.filter(state, pod, n) for n in nodes]

    def events_to_register(self):
        return [("Node", "Add"), ("Node", "UpdateNodeTaint"), ("Pod", "UpdatePodToleration")]


def new(args=None, handle=None) -> NodeUnschedulable:
    return NodeUnschedulable()
