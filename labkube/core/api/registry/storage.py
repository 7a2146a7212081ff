"""PersistentVolumes, PersistentVolumeClaims and StorageClasses: what the server sets and keeps.

Mirrors pkg/registry/core/persistentvolume/strategy.go,
pkg/registry/core/persistentvolumeclaim/strategy.go and
pkg/registry/storage/storageclass/strategy.go (Kubernetes 1.32):

* A new PersistentVolume starts ``{phase: Pending, lastPhaseTransitionTime: <now>}``
  (``PersistentVolumeLastPhaseTransitionTime`` is GA in 1.31): whatever status the user sent
  is dropped. A ``/status`` write that changes the phase stamps a new
  ``lastPhaseTransitionTime`` unless the writer set a different one itself; one that keeps
  the phase keeps the old stamp.
* A new PersistentVolumeClaim starts ``{phase: Pending}`` (the strategy clears status and
  ``SetDefaults_PersistentVolumeClaim`` gives the empty phase ``Pending`` again when the
  object is read back).
* Main-resource updates keep status; ``/status`` keeps spec. Neither kind, nor StorageClass,
  has ``metadata.generation``: their strategies never set it.
* Field selectors: ``metadata.name`` (and ``metadata.namespace`` for claims) plus ``name``,
  which upstream keeps "for backward compatibility" (a bug it cannot remove).
* StorageClass has no status and no strategy hooks of its own: the default strategy.
"""

from __future__ import annotations

from typing import Optional

from labkube.core.api.registry.strategy import ServerContext, Strategy, object_meta_fields

#: ``v1.VolumePending`` / ``v1.ClaimPending``: the phase before any controller looked.
PENDING = "Pending"


class PersistentVolumeStrategy(Strategy):
    status_subresource = True
    field_labels = ("metadata.name", "name")

    def initial_status(self, obj: dict, ctx: ServerContext) -> Optional[dict]:
        return {"phase": PENDING, "lastPhaseTransitionTime": ctx.clock.timestamp()}

    def prepare_for_status_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        super().prepare_for_status_update(new, old, ctx)
        stamp_phase_transition(new, old, ctx.clock.timestamp())

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        fields = object_meta_fields(obj, namespaced=False)
        fields["name"] = fields["metadata.name"]
        return fields


def stamp_phase_transition(new: dict, old: dict, now: str) -> None:
    """``persistentvolumeStatusStrategy.PrepareForUpdate``: keep or renew the phase's time."""
    status = new.get("status")
    if status is None:
        status = new["status"] = {}
    old_status = old.get("status") or {}
    stamp = status.get("lastPhaseTransitionTime")
    old_stamp = old_status.get("lastPhaseTransitionTime")
    if status.get("phase") == old_status.get("phase"):
        if stamp is None and old_stamp is not None:
            status["lastPhaseTransitionTime"] = old_stamp
    elif stamp is None or stamp == old_stamp:
        status["lastPhaseTransitionTime"] = now


class PersistentVolumeClaimStrategy(Strategy):
    status_subresource = True
    field_labels = ("metadata.name", "metadata.namespace", "name")

    def initial_status(self, obj: dict, ctx: ServerContext) -> Optional[dict]:
        return {"phase": PENDING}

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        fields = object_meta_fields(obj)
        fields["name"] = fields["metadata.name"]
        return fields


class StorageClassStrategy(Strategy):
    """``storageClassStrategy``: cluster-scoped, no status, no generation."""

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        return object_meta_fields(obj, namespaced=False)
