"""NodePorts: two pods cannot both listen on the same host port of a node.

Mirrors pkg/scheduler/framework/plugins/nodeports. PreFilter collects the pod's
``hostPort``s (Skip when there are none); Filter rejects a node where a pod already uses the
same protocol and port on the same host IP (``0.0.0.0`` or empty clashes with every IP):
Unschedulable, ``node(s) didn't have free ports for the requested pod ports``.
"""

from __future__ import annotations

from labkube.core.scheduler.framework import SKIP, UNSCHEDULABLE, Status

NAME = "NodePorts"
ERR_REASON = "node(s) didn't have free ports for the requested pod ports"
PRE_FILTER_STATE_KEY = "PreFilter" + NAME
DEFAULT_BIND_ALL_HOST_IP = "0.0.0.0"

_SKIP = Status(SKIP, plugin=NAME)
_REJECT = Status(UNSCHEDULABLE, ERR_REASON, plugin=NAME)


def host_ports(pod: dict) -> list[tuple[str, str, int]]:
    """(hostIP, protocol, hostPort) of every container port that asks for a host port."""
    spec = pod.get("spec") or {}
    containers = list(spec.get("containers") or ()) + [
        c for c in spec.get("initContainers") or () if c.get("restartPolicy") == "Always"]
    out = []
    for container in containers:
        for port in container.get("ports") or ():
            if int(port.get("hostPort") or 0) > 0:
                out.append((port.get("hostIP") or DEFAULT_BIND_ALL_HOST_IP,
                            port.get("protocol") or "TCP", int(port["hostPort"])))
    return out


def _conflict(a, b) -> bool:
    if a[1:] != b[1:]:
        return False
    return a[0] == b[0] or DEFAULT_BIND_ALL_HOST_IP in (a[0], b[0])


class NodePorts:
    name = NAME

    def pre_filter(self, state, pod):
        wanted = host_ports(pod.pod)
        if not wanted:
            return _SKIP
        state.write(PRE_FILTER_STATE_KEY, wanted)
        return None

    def filter(self, state, pod, node):
        wanted = state.get(PRE_FILTER_STATE_KEY) or host_ports(pod.pod)
        for other in node.pods.values():
            for used in host_ports(other.pod):
                if any(_conflict(used, w) for w in wanted):
                    return _REJECT
        return None

    def events_to_register(self):
        return [("Pod", "Delete"), ("Node", "Add")]


def new(args=None, handle=None) -> NodePorts:
    return NodePorts()
