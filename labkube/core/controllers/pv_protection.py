"""The PV protection controller: a volume bound to a claim is not deleted while it is bound.

Mirrors pkg/controller/volume/pvprotection (Kubernetes 1.32). Every PersistentVolume gets the
finalizer ``kubernetes.io/pv-protection`` at creation (StorageObjectInUseProtection admission);
deleting one only sets its ``deletionTimestamp``. Once the volume is not ``Bound`` (its claim
was deleted and it is ``Released``, or it was never claimed) this controller removes the
finalizer and the API server removes the volume.
"""

from __future__ import annotations

from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.errors import StatusError
from labkube.core.serialization import copy as json_copy

PV_PROTECTION_FINALIZER = "kubernetes.io/pv-protection"


def volume_in_use(volume: dict) -> bool:
    """``isBeingUsed``: a Bound volume is in use."""
    return (volume.get("status") or {}).get("phase") == "Bound"


@register
class PVProtectionController(KubeController):
    name = "pv-protection-controller"

    def setup(self) -> None:
        self.volumes = self.ctx.informers.informer("persistentvolumes")
        self.volumes.add_event_handler(self._volume_changed, lambda old, new: self._volume_changed(new), None)

    def _volume_changed(self, volume: dict) -> None:
        meta = volume["metadata"]
        if meta.get("deletionTimestamp") and PV_PROTECTION_FINALIZER in (meta.get("finalizers") or ()):
            self.enqueue(meta["name"])

    def sync(self, key) -> None:
        volume = self.volumes.get_by_name(None, key)
        if volume is None or not volume["metadata"].get("deletionTimestamp"):
            return
        finalizers = volume["metadata"].get("finalizers") or []
        if PV_PROTECTION_FINALIZER not in finalizers or volume_in_use(volume):
            return
        updated = json_copy(volume)
        updated["metadata"]["finalizers"] = [f for f in finalizers if f != PV_PROTECTION_FINALIZER]
        try:
            self.client.update(updated)
        except StatusError as err:
            if err.code != 404:
                raise
