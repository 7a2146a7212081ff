"""NodeName: a pod that names its node (``spec.nodeName``) fits only that node.

Mirrors pkg/scheduler/framework/plugins/nodename. The filter rejects every other node as
UnschedulableAndUnresolvable with ``node(s) didn't match the requested node name``.
(labkube's PreFilter answers Skip for pods that name no node, so the per-node filter is
not even called for them; the outcome is the same.)
"""

from __future__ import annotations

from labkube.core.scheduler.framework import SKIP, UNSCHEDULABLE_AND_UNRESOLVABLE, Status

NAME = "NodeName"
ERR_REASON = "node(s) didn't match the requested node name"

_SKIP = Status(SKIP, plugin=NAME)
_REJECT = Status(UNSCHEDULABLE_AND_UNRESOLVABLE, ERR_REASON, plugin=NAME)


class NodeName:
    name = NAME

    def pre_filter(self, state, pod):
        return None if pod.node_name else _SKIP

    def filter(self, state, pod, node):
        if not pod.node_name or pod.node_name == node.name:
            return None
        return _REJECT

    def events_to_register(self):
        return [("Node", "Add")]


def new(args=None, handle=None) -> NodeName:
    return NodeName()
