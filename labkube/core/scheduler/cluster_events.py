"""Cluster events: which change to a Pod or a Node may help a pod that could not be placed.

Mirrors pkg/scheduler/framework/types.go (``ActionType``) and events.go
(``PodSchedulingPropertiesChange``, ``NodeSchedulingPropertiesChange``) of kube-scheduler 1.32.

An event is a pair ``(resource, action)``: ``("Node", "Add")``, ``("Pod", "Delete")``. An
*update* is split by what changed, because most updates cannot help a pending pod:

=================================  ==========================================================
action                              what changed
=================================  ==========================================================
UpdateNodeAllocatable               ``status.allocatable``
UpdateNodeLabel                     ``metadata.labels``
UpdateNodeTaint                     ``spec.taints``, or ``spec.unschedulable`` became false
UpdateNodeCondition                 a condition's *status* (not its heartbeat times)
UpdateNodeAnnotation                ``metadata.annotations``
UpdatePodLabel                      the pod's labels
UpdatePodScaleDown                  a container's resource request went down or away
UpdatePodToleration                 ``spec.tolerations`` (they can only be added)
UpdatePodSchedulingGatesEliminated  the last scheduling gate was removed
UpdatePodOther                      anything else (kube-scheduler's unexported updatePodOther)
=================================  ==========================================================

A node update that changes none of these (the kubelet's status report every 5 minutes, which
only moves ``lastHeartbeatTime``, or a new image in ``status.images``) is no event at all.

A plugin registers the events that may make a pod it rejected schedulable (its
``events_to_register``). ``"Update"`` there means every kind of update; ``("*", "*")`` means
every event. An event whose action is the plain ``"Update"`` (a caller that could not say what
changed) may help any plugin that registered some update of that resource.
"""

from __future__ import annotations

from labkube.core.scheduler.helpers import pod_requests

ADD, DELETE, UPDATE, ANY = "Add", "Delete", "Update", "*"

UPDATE_NODE_ALLOCATABLE = "UpdateNodeAllocatable"
UPDATE_NODE_LABEL = "UpdateNodeLabel"
UPDATE_NODE_TAINT = "UpdateNodeTaint"
UPDATE_NODE_CONDITION = "UpdateNodeCondition"
UPDATE_NODE_ANNOTATION = "UpdateNodeAnnotation"

UPDATE_POD_LABEL = "UpdatePodLabel"
UPDATE_POD_SCALE_DOWN = "UpdatePodScaleDown"
UPDATE_POD_TOLERATION = "UpdatePodToleration"
UPDATE_POD_SCHEDULING_GATES_ELIMINATED = "UpdatePodSchedulingGatesEliminated"
UPDATE_POD_OTHER = "UpdatePodOther"


def is_update(action: str) -> bool:
    return action.startswith(UPDATE)


def matches(registered: tuple[str, str], resource: str, action: str) -> bool:
    """Whether a registered ``(resource, action)`` covers the event ``(resource, action)``."""
    want_resource, want_action = registered
    if want_resource not in (ANY, resource):
        return False
    if want_action in (ANY, action):
        return True
    if want_action == UPDATE:            # a plugin interested in every update
        return is_update(action)
    return action == UPDATE and is_update(want_action)   # an update of unknown kind


# -- what changed in a pod -------------------------------------------------------------------
def pod_update_actions(old: dict, new: dict) -> list[str]:
    """``PodSchedulingPropertiesChange``: the update actions that ``old`` -> ``new`` shows."""
    actions = [action for action, changed in (
        (UPDATE_POD_LABEL, _labels(old) != _labels(new)),
        (UPDATE_POD_SCALE_DOWN, _scaled_down(old, new)),
        (UPDATE_POD_SCHEDULING_GATES_ELIMINATED, bool(_spec(old).get("schedulingGates"))
         and not _spec(new).get("schedulingGates")),
        (UPDATE_POD_TOLERATION, len(_spec(old).get("tolerations") or [])
         != len(_spec(new).get("tolerations") or [])),
    ) if changed]
    return actions or [UPDATE_POD_OTHER]


def _scaled_down(old: dict, new: dict) -> bool:
    """``extractPodScaleDown``: some resource the old pod requested is now smaller or gone."""
    before, after = pod_requests(old), pod_requests(new)
    return any(name not in after or after[name] < amount for name, amount in before.items())


# -- what changed in a node -------------------------------------------------------------------
def node_update_actions(old: dict, new: dict) -> list[str]:
    """``NodeSchedulingPropertiesChange``: the update actions ``old`` -> ``new`` shows (maybe none)."""
    old_spec, new_spec = old.get("spec") or {}, new.get("spec") or {}
    return [action for action, changed in (
        (UPDATE_NODE_TAINT, bool(old_spec.get("unschedulable")) and not new_spec.get("unschedulable")),
        (UPDATE_NODE_ALLOCATABLE, _status(old).get("allocatable") != _status(new).get("allocatable")),
        (UPDATE_NODE_LABEL, _labels(old) != _labels(new)),
        (UPDATE_NODE_TAINT, (old_spec.get("taints") or []) != (new_spec.get("taints") or [])),
        (UPDATE_NODE_CONDITION, _condition_statuses(old) != _condition_statuses(new)),
        (UPDATE_NODE_ANNOTATION, _annotations(old) != _annotations(new)),
    ) if changed]


def _condition_statuses(node: dict) -> dict[str, str]:
    return {c.get("type"): c.get("status") for c in _status(node).get("conditions") or []}


def _spec(obj: dict) -> dict:
    return obj.get("spec") or {}


def _status(obj: dict) -> dict:
    return obj.get("status") or {}


def _labels(obj: dict) -> dict:
    return (obj.get("metadata") or {}).get("labels") or {}


def _annotations(obj: dict) -> dict:
    return (obj.get("metadata") or {}).get("annotations") or {}
