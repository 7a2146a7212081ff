"""PriorityClasses: generation 1 on create, and two system classes nobody may delete.

Mirrors pkg/registry/scheduling (Kubernetes 1.32):

* ``priorityclass/strategy.go``: cluster-scoped, no status; ``PrepareForCreate`` sets
  ``metadata.generation: 1`` and ``PrepareForUpdate`` changes nothing (so the generation
  stays 1 — ``value`` and ``preemptionPolicy`` are immutable anyway).
* ``priorityclass/storage/storage.go``: ``Delete`` of ``system-node-critical`` or
  ``system-cluster-critical`` is Forbidden (``this is a system priority class and cannot be
  deleted``). Only the single-object delete checks: ``deletecollection`` goes through the
  generic store and removes them too, as on a real cluster.
* ``rest/storage_scheduling.go``: the post-start hook
  ``scheduling/bootstrap-system-priority-classes`` creates the system classes (from
  pkg/apis/scheduling/v1/helpers.go) when the API server starts:
  :func:`system_priority_classes`.
"""

from __future__ import annotations

from labkube.core import errors
from labkube.core.api.registry.strategy import ServerContext, Strategy, object_meta_fields
from labkube.core.api.validation.scheduling import SYSTEM_PRIORITY_CLASS_VALUES

SYSTEM_PRIORITY_CLASS_DESCRIPTIONS = {
    "system-node-critical": "Used for system critical pods that must not be moved from their current node.",
    "system-cluster-critical": "Used for system critical pods that must run in the cluster, "
                               "but can be moved to another node if necessary.",
}


def system_priority_classes() -> list[dict]:
    """``SystemPriorityClasses()``: what the post-start hook creates, in its order."""
    return [
        {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": name},
            "value": value,
            "description": SYSTEM_PRIORITY_CLASS_DESCRIPTIONS[name],
        }
        for name, value in SYSTEM_PRIORITY_CLASS_VALUES.items()
    ]


#: ``v1.PriorityClass``'s fields in the Go struct's order (how the API server writes them).
PRIORITY_CLASS_FIELD_ORDER = ("apiVersion", "kind", "metadata", "value", "globalDefault",
                              "description", "preemptionPolicy")


class PriorityClassStrategy(Strategy):
    """``priorityClassStrategy`` and the storage's ``Delete`` guard."""

    def canonicalize(self, obj: dict) -> None:
        """The fields in the order the Go struct serializes them, whatever order they came in;
        ``globalDefault: false`` and an empty ``description`` are omitempty, so never stored."""
        for key in ("globalDefault", "description"):
            if key in obj and not obj[key]:
                del obj[key]
        ordered = {key: obj.pop(key) for key in PRIORITY_CLASS_FIELD_ORDER if key in obj}
        ordered.update(obj)
        obj.clear()
        obj.update(ordered)

    def prepare_for_create(self, obj: dict, ctx: ServerContext) -> None:
        obj["metadata"]["generation"] = 1

    def prepare_for_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        """Nothing: the generation is never bumped."""

    def refuse_delete(self, name: str) -> None:
        if name in SYSTEM_PRIORITY_CLASS_VALUES:
            raise errors.forbidden("priorityclasses.scheduling.k8s.io", name,
                                   "this is a system priority class and cannot be deleted")

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        return object_meta_fields(obj, namespaced=False)
