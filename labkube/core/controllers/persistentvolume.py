"""The PersistentVolume controller ("PV binder"): binds claims to volumes, releases and reclaims.

Mirrors pkg/controller/volume/persistentvolume (pv_controller.go, pv_controller_base.go,
index.go) of Kubernetes 1.32. It acts as ``system:serviceaccount:kube-system:
persistent-volume-binder`` and writes its Events as ``persistentvolume-controller``.

A binding is two pointers written in order: ``pv.spec.claimRef`` first (with
``pv.kubernetes.io/bound-by-controller`` when the controller chose the volume), then
``pvc.spec.volumeName`` with ``pv.kubernetes.io/bind-completed``; then both statuses say
``Bound`` (the claim's also copies the volume's ``accessModes`` and ``capacity``).

**Claims** (``syncClaim``):

* an unbound claim gets the smallest Available volume that satisfies it (same class, access
  modes, capacity, label selector, volumeMode: :func:`~labkube.core.volume_helpers.find_matching_volume`)
  or one pre-bound to it. Without one:

  - its class binds ``WaitForFirstConsumer`` and the scheduler has not chosen a node: event
    ``WaitForFirstConsumer`` ``waiting for first consumer to be created before binding`` (or
    ``WaitForPodScheduled`` ``waiting for pod web-0 to be scheduled`` when an unscheduled pod
    uses it);
  - it names a class: provisioning. A missing class: ``ProvisioningFailed``
    ``storageclass.storage.k8s.io "x" not found``; ``kubernetes.io/no-provisioner``:
    ``ProvisioningFailed`` ``no volume plugin matched name: kubernetes.io/no-provisioner``;
    any other provisioner is external: the claim gets ``volume.kubernetes.io/storage-provisioner``
    (and the beta annotation) and the event ``ExternalProvisioning`` -- the provisioner
    (:class:`labkube.core.addons.LocalPathProvisioner`) then creates a volume pre-bound to
    the claim, which the next sync binds;
  - no class at all: ``FailedBinding`` ``no persistent volumes available for this claim and no
    storage class is set``.

* a claim naming a volume (``spec.volumeName``) is bound to it when the volume is free and fits
  (else ``VolumeMismatch`` / ``FailedBinding``);
* a bound claim whose volume is gone or taken becomes ``Lost`` (``ClaimLost`` /
  ``ClaimMisbound``).

**Volumes** (``syncVolume``): a volume without a claim is ``Available``; bound to a claim that
is bound to it, ``Bound``; when its claim is deleted it becomes ``Released`` and its
``persistentVolumeReclaimPolicy`` is applied: ``Retain`` keeps it (an administrator reclaims it
by hand), ``Delete`` deletes it -- an externally provisioned volume is deleted by its
provisioner; of labkube's in-tree plugins only hostPath under ``/tmp/`` can be deleted here,
any other volume fails (``VolumeFailedDelete``, phase ``Failed``).

Every claim and volume is synced again every 15 s (``--pvclaimbinder-sync-period``), which is
how a waiting claim's event repeats; the timer runs only while some claim or volume exists.
Not modelled: Recycle (``VolumeFailedRecycle``), in-tree dynamic provisioners, CSI migration.
"""

from __future__ import annotations

from typing import Optional

from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.errors import StatusError
from labkube.core.machinery import NORMAL, WARNING, EventRecorder
from labkube.core.serialization import copy as json_copy
from labkube.core.volume_helpers import (
    ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER,
    ANN_DYNAMICALLY_PROVISIONED, ANN_STORAGE_PROVISIONER, CLAIM_BOUND, CLAIM_LOST,
    CLAIM_PENDING, VOLUME_AVAILABLE, VOLUME_BOUND, VOLUME_FAILED,
    VOLUME_RELEASED, access_modes_satisfied, bind_volume_to_claim, claim_class, claim_has_class,
    claim_key, claim_names, find_matching_volume, is_delay_binding_mode,
    is_delay_binding_provisioning, is_volume_bound_to_claim, storage_request, volume_capacity,
    volume_class, volume_mode_mismatch,
)

#: ``--pvclaimbinder-sync-period``.
SYNC_PERIOD = 15.0
EVENT_SOURCE = "persistentvolume-controller"
DEFAULT_CLASS_ANNOTATIONS = ("storageclass.kubernetes.io/is-default-class",
                             "storageclass.beta.kubernetes.io/is-default-class")
CLAIM, VOLUME = "claim", "volume"


def _rv(obj: dict) -> int:
    try:
        return int(obj["metadata"].get("resourceVersion") or 0)
    except (KeyError, ValueError):
        return 0


@register
class PersistentVolumeController(KubeController):
    name = "persistent-volume-binder"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.recorder = EventRecorder(self.client, ctx.clock, EVENT_SOURCE, namer=ctx.namer)
        #: the newest version seen of each claim and volume (informer or our own writes):
        #: ``ctrl.claims`` and ``ctrl.volumes``, so a sync never acts on what it just replaced
        self._claims: dict[str, dict] = {}
        self._volumes: dict[str, dict] = {}
        self._resync_timer = None

    # -- wiring ------------------------------------------------------------------------------
    def setup(self) -> None:
        inf = self.ctx.informers
        self.claim_informer = inf.informer("persistentvolumeclaims")
        self.volume_informer = inf.informer("persistentvolumes")
        self.classes = inf.informer("storageclasses")
        self.pods = inf.informer("pods")
        self.claim_informer.add_event_handler(self._claim_changed, lambda old, new: self._claim_changed(new),
                                              self._claim_deleted)
        self.volume_informer.add_event_handler(self._volume_changed, lambda old, new: self._volume_changed(new),
                                               self._volume_deleted)

    def _claim_changed(self, claim: dict) -> None:
        self._remember(self._claims, claim_key(claim), claim)
        self.enqueue((CLAIM, claim_key(claim)))
        self._arm_resync()

    def _claim_deleted(self, claim: dict) -> None:
        self._claims.pop(claim_key(claim), None)
        volume_name = (claim.get("spec") or {}).get("volumeName")
        if volume_name:  # ``deleteClaim``: the volume is released at once
            self.enqueue((VOLUME, volume_name))

    def _volume_changed(self, volume: dict) -> None:
        name = volume["metadata"]["name"]
        self._remember(self._volumes, name, volume)
        self.enqueue((VOLUME, name))
        self._arm_resync()

    def _volume_deleted(self, volume: dict) -> None:
        self._volumes.pop(volume["metadata"]["name"], None)
        ref = (volume.get("spec") or {}).get("claimRef")
        if ref:  # ``deleteVolume``: its claim may be Lost now
            self.enqueue((CLAIM, f"{ref.get('namespace', '')}/{ref.get('name', '')}"))

    @staticmethod
    def _remember(store: dict, key: str, obj: dict) -> None:
        kept = store.get(key)
        if kept is None or _rv(obj) >= _rv(kept) or kept["metadata"].get("uid") != obj["metadata"].get("uid"):
            store[key] = obj

    def _arm_resync(self) -> None:
        if self._resync_timer is None:
            self._resync_timer = self.clock.call_later(SYNC_PERIOD, self._resync, name="pv controller resync")

    def _resync(self) -> None:
        """``resync``: every claim and volume again (the only timer; none when there are none)."""
        self._resync_timer = None
        if not self.enabled:
            return
        for key in sorted(self._claims):
            self.enqueue((CLAIM, key))
        for name in sorted(self._volumes):
            self.enqueue((VOLUME, name))
        if self._claims or self._volumes:
            self._arm_resync()

    # -- the loop --------------------------------------------------------------------------
    def sync(self, key) -> None:
        what, name = key
        if what == CLAIM:
            claim = self._claims.get(name)
            if claim is not None:
                self.sync_claim(claim)
        else:
            volume = self._volumes.get(name)
            if volume is not None:
                self.sync_volume(volume)

    def sync_claim(self, claim: dict) -> None:
        if ANN_BIND_COMPLETED not in _annotations(claim):
            self._sync_unbound_claim(claim)
        else:
            self._sync_bound_claim(claim)

    # -- unbound claims -------------------------------------------------------------------------
    def _sync_unbound_claim(self, claim: dict) -> None:
        volume_name = (claim.get("spec") or {}).get("volumeName")
        if volume_name:
            self._sync_claim_asking_for(claim, volume_name)
            return
        delay = is_delay_binding_mode(claim, self._class)
        volume = self.find_best_match(claim, delay)
        if volume is not None:
            self.bind(volume, claim)
            return
        if self._assign_default_class(claim):
            return
        if delay and not is_delay_binding_provisioning(claim):
            self._event_for_unbound_delay_binding_claim(claim)
        elif claim_class(claim):
            self._provision_claim(claim)
            return
        else:
            self.recorder.event(claim, NORMAL, "FailedBinding",
                                "no persistent volumes available for this claim and no storage class is set")
        self._update_claim_status(claim, CLAIM_PENDING, None)

    def find_best_match(self, claim: dict, delay_binding: bool) -> Optional[dict]:
        """``persistentVolumeOrderedIndex.findBestMatchForClaim``: volumes are grouped by their
        access modes; the groups offering the fewest modes that include the claim's are
        searched first, each for its smallest fitting volume."""
        wanted = set((claim.get("spec") or {}).get("accessModes") or ())
        groups: dict[tuple, list] = {}
        for name in sorted(self._volumes):
            volume = self._volumes[name]
            modes = tuple(sorted(set((volume.get("spec") or {}).get("accessModes") or ())))
            if wanted.issubset(modes):
                groups.setdefault(modes, []).append(volume)
        for modes in sorted(groups, key=lambda m: (len(m), m)):
            match = find_matching_volume(claim, groups[modes], delay_binding=delay_binding)
            if match is not None:
                return match
        return None

    def _sync_claim_asking_for(self, claim: dict, volume_name: str) -> None:
        """A claim that names its volume (``spec.volumeName``): bind it if the volume allows."""
        volume = self._volumes.get(volume_name)
        if volume is None:
            self._update_claim_status(claim, CLAIM_PENDING, None)
            return
        ref = (volume.get("spec") or {}).get("claimRef")
        if not ref:
            problem = volume_misfit(volume, claim)
            if problem:
                self.recorder.event(claim, WARNING, "VolumeMismatch",
                                    f'Cannot bind to requested volume "{volume_name}": {problem}')
                self._update_claim_status(claim, CLAIM_PENDING, None)
                return
            self.bind(volume, claim)
        elif is_volume_bound_to_claim(volume, claim):
            self.bind(volume, claim)
        else:
            self.recorder.event(claim, WARNING, "FailedBinding",
                                f'volume "{volume_name}" already bound to a different claim.')
            if ANN_BOUND_BY_CONTROLLER not in _annotations(claim):
                self._update_claim_status(claim, CLAIM_PENDING, None)
                return
            raise RuntimeError(f'invalid binding of claim "{claim_key(claim)}" to volume "{volume_name}": '
                               f'volume already claimed by "{ref.get("namespace")}/{ref.get("name")}"')

    def _assign_default_class(self, claim: dict) -> bool:
        """``assignDefaultStorageClass``: a claim with no class at all gets the default one
        (the newest, as DefaultStorageClass admission picks) -- retroactively, once one exists."""
        if claim_has_class(claim):
            return False
        default = _default_class(self.classes.list())
        if default is None:
            return False
        updated = json_copy(claim)
        updated["spec"]["storageClassName"] = default["metadata"]["name"]
        self._store_claim(self.client.update(updated))
        return True

    def _event_for_unbound_delay_binding_claim(self, claim: dict) -> None:
        """``emitEventForUnboundDelayBindingClaim``."""
        pods = self._unscheduled_pods_using(claim)
        if not pods:
            self.recorder.event(claim, NORMAL, "WaitForFirstConsumer",
                                "waiting for first consumer to be created before binding")
        elif len(pods) == 1:
            self.recorder.event(claim, NORMAL, "WaitForPodScheduled", f"waiting for pod {pods[0]} to be scheduled")
        else:
            self.recorder.event(claim, NORMAL, "WaitForPodScheduled",
                                f"waiting for pods {','.join(pods)} to be scheduled")

    def _unscheduled_pods_using(self, claim: dict) -> list[str]:
        """``findNonScheduledPodsByPVC``: active pods naming the claim with no node yet."""
        meta = claim["metadata"]
        names = []
        for pod in self.pods.list(meta.get("namespace")):
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                continue
            if not (pod.get("spec") or {}).get("nodeName") and meta.get("name") in claim_names(pod):
                names.append(pod["metadata"]["name"])
        return names

    # -- provisioning --------------------------------------------------------------------------
    def _provision_claim(self, claim: dict) -> None:
        """``provisionClaim``: only external provisioners exist in labkube (no in-tree plugin
        provisions), so this asks the one named by the class, with an annotation."""
        class_name = claim_class(claim)
        storage_class = self._class(class_name)
        if storage_class is None:
            self.recorder.event(claim, WARNING, "ProvisioningFailed",
                                f'storageclass.storage.k8s.io "{class_name}" not found')
            return
        provisioner = storage_class.get("provisioner") or ""
        if provisioner.startswith("kubernetes.io/"):
            self.recorder.event(claim, WARNING, "ProvisioningFailed", f"no volume plugin matched name: {provisioner}")
            return
        claim = self._set_claim_provisioner(claim, provisioner)
        self.recorder.event(claim, NORMAL, "ExternalProvisioning",
                            f"Waiting for a volume to be created either by the external provisioner "
                            f"'{provisioner}' or manually by the system administrator. If volume creation "
                            "is delayed, please verify that the provisioner is running and correctly registered.")

    def _set_claim_provisioner(self, claim: dict, provisioner: str) -> dict:
        if _annotations(claim).get(ANN_STORAGE_PROVISIONER) == provisioner:
            return claim
        updated = json_copy(claim)
        annotations = updated["metadata"].setdefault("annotations", {})
        annotations[ANN_BETA_STORAGE_PROVISIONER] = provisioner
        annotations[ANN_STORAGE_PROVISIONER] = provisioner
        return self._store_claim(self.client.update(updated))

    # -- bound claims ---------------------------------------------------------------------------
    def _sync_bound_claim(self, claim: dict) -> None:
        volume_name = (claim.get("spec") or {}).get("volumeName")
        if not volume_name:
            self._claim_lost(claim, "ClaimLost",
                             "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!")
            return
        volume = self._volumes.get(volume_name)
        if volume is None:
            self._claim_lost(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!")
            return
        ref = (volume.get("spec") or {}).get("claimRef")
        if not ref or ref.get("uid") == claim["metadata"].get("uid"):
            self.bind(volume, claim)
        else:
            self._claim_lost(claim, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly")

    def _claim_lost(self, claim: dict, reason: str, message: str) -> None:
        """``updateClaimStatusWithEvent``: the event only when the phase changes."""
        if (claim.get("status") or {}).get("phase") == CLAIM_LOST:
            return
        claim = self._update_claim_status(claim, CLAIM_LOST, None)
        self.recorder.event(claim, WARNING, reason, message)

    # -- binding -------------------------------------------------------------------------------------
    def bind(self, volume: dict, claim: dict) -> None:
        """``bind``: volume first (spec, then status), then the claim (spec, then status)."""
        volume = self._bind_volume_to_claim(volume, claim)
        volume = self._update_volume_phase(volume, VOLUME_BOUND)
        claim = self._bind_claim_to_volume(claim, volume)
        self._update_claim_status(claim, CLAIM_BOUND, volume)

    def _bind_volume_to_claim(self, volume: dict, claim: dict) -> dict:
        updated, dirty = bind_volume_to_claim(volume, claim)
        if not dirty:
            return volume
        return self._store_volume(self.client.update(updated))

    def _bind_claim_to_volume(self, claim: dict, volume: dict) -> dict:
        updated = json_copy(claim)
        annotations = updated["metadata"].setdefault("annotations", {})
        dirty = False
        if updated["spec"].get("volumeName") != volume["metadata"]["name"]:
            updated["spec"]["volumeName"] = volume["metadata"]["name"]
            annotations.setdefault(ANN_BOUND_BY_CONTROLLER, "yes")
            dirty = True
        if ANN_BIND_COMPLETED not in annotations:
            annotations[ANN_BIND_COMPLETED] = "yes"
            dirty = True
        if not dirty:
            return claim
        return self._store_claim(self.client.update(updated))

    def _update_claim_status(self, claim: dict, phase: str, volume: Optional[dict]) -> dict:
        """``updateClaimStatus``: phase; with a volume its access modes and (when becoming
        bound) its capacity; without one, neither."""
        status = claim.get("status") or {}
        new_status = dict(status, phase=phase)
        if volume is None:
            new_status.pop("accessModes", None)
            new_status.pop("capacity", None)
        else:
            new_status["accessModes"] = list((volume.get("spec") or {}).get("accessModes") or [])
            if status.get("phase") != phase:
                new_status["capacity"] = dict((volume.get("spec") or {}).get("capacity") or {})
        if new_status == status:
            return claim
        updated = json_copy(claim)
        updated["status"] = new_status
        return self._store_claim(self.client.update(updated, subresource="status"))

    def _update_volume_phase(self, volume: dict, phase: str, message: str = "") -> dict:
        """``updateVolumePhase``."""
        if (volume.get("status") or {}).get("phase") == phase:
            return volume
        updated = json_copy(volume)
        status = updated.setdefault("status", {})
        status["phase"] = phase
        if message:
            status["message"] = message
        else:
            status.pop("message", None)
        return self._store_volume(self.client.update(updated, subresource="status"))

    def _store_claim(self, claim: dict) -> dict:
        self._remember(self._claims, claim_key(claim), claim)
        return claim

    def _store_volume(self, volume: dict) -> dict:
        self._remember(self._volumes, volume["metadata"]["name"], volume)
        return volume

    # -- volumes ------------------------------------------------------------------------------------
    def sync_volume(self, volume: dict) -> None:
        ref = (volume.get("spec") or {}).get("claimRef")
        if not ref or not ref.get("uid"):
            self._update_volume_phase(volume, VOLUME_AVAILABLE)
            return
        claim = self._claim_of(volume, ref)
        if claim is None:
            self._released(volume)
        elif not (claim.get("spec") or {}).get("volumeName"):
            self._volume_waits_for_claim(volume, claim)
        elif claim["spec"]["volumeName"] == volume["metadata"]["name"]:
            self._update_volume_phase(volume, VOLUME_BOUND)
        elif (ANN_DYNAMICALLY_PROVISIONED in _annotations(volume)
              and volume["spec"].get("persistentVolumeReclaimPolicy") == "Delete"):
            self._released(volume)
        else:
            self._unbind_volume(volume)

    def _claim_of(self, volume: dict, ref: dict) -> Optional[dict]:
        """The claim the volume points at, if it still exists with that UID."""
        key = f"{ref.get('namespace', '')}/{ref.get('name', '')}"
        claim = self._claims.get(key)
        if claim is None and (volume.get("status") or {}).get("phase") not in (VOLUME_RELEASED, VOLUME_FAILED):
            claim = self._get_claim(ref)  # a claim created a moment ago may not be cached yet
        if claim is not None and claim["metadata"].get("uid") != ref.get("uid"):
            claim = self._get_claim(ref)
            if claim is not None and claim["metadata"].get("uid") != ref.get("uid"):
                claim = None
        return claim

    def _get_claim(self, ref: dict) -> Optional[dict]:
        try:
            return self.client.get("persistentvolumeclaims", ref.get("name", ""), ref.get("namespace", ""))
        except StatusError as err:
            if err.code == 404:
                return None
            raise

    def _volume_waits_for_claim(self, volume: dict, claim: dict) -> None:
        """The volume points at a claim that does not point back yet: the claim's sync binds it."""
        if volume_mode_mismatch(claim, volume):
            self.recorder.event(volume, WARNING, "VolumeMismatch",
                                f'Cannot bind PersistentVolume to requested PersistentVolumeClaim "{claim["metadata"]["name"]}" '
                                "due to incompatible volumeMode.")
            self.recorder.event(claim, WARNING, "VolumeMismatch",
                                f'Cannot bind PersistentVolume "{volume["metadata"]["name"]}" to requested '
                                "PersistentVolumeClaim due to incompatible volumeMode.")
            return
        self.enqueue((CLAIM, claim_key(claim)))

    def _released(self, volume: dict) -> None:
        if (volume.get("status") or {}).get("phase") not in (VOLUME_RELEASED, VOLUME_FAILED):
            volume = self._update_volume_phase(volume, VOLUME_RELEASED)
        self._reclaim_volume(volume)

    def _unbind_volume(self, volume: dict) -> None:
        """``unbindVolume``: a volume the controller bound loses its claimRef; one pre-bound by
        its creator keeps it, without the UID. Then it is Available again."""
        updated = json_copy(volume)
        annotations = updated["metadata"].get("annotations") or {}
        if ANN_BOUND_BY_CONTROLLER in annotations:
            updated["spec"].pop("claimRef", None)
            del annotations[ANN_BOUND_BY_CONTROLLER]
            if not annotations:
                updated["metadata"].pop("annotations", None)
        else:
            updated["spec"]["claimRef"].pop("uid", None)
        volume = self._store_volume(self.client.update(updated))
        self._update_volume_phase(volume, VOLUME_AVAILABLE)

    # -- reclaiming ----------------------------------------------------------------------------------
    def _reclaim_volume(self, volume: dict) -> None:
        """``reclaimVolume``."""
        policy = (volume.get("spec") or {}).get("persistentVolumeReclaimPolicy")
        if policy == "Retain":
            return
        if policy == "Delete":
            self._delete_volume(volume)
        elif policy == "Recycle":
            self._volume_failed(volume, "VolumeFailedRecycle", "No recycler plugin found for the volume!")
        else:
            self._volume_failed(volume, "VolumeUnknownReclaimPolicy", "Volume has unrecognized PersistentVolumeReclaimPolicy")

    def _delete_volume(self, volume: dict) -> None:
        """``deleteVolumeOperation``: an external provisioner's volume is left to it; else the
        in-tree plugin of the volume's source must delete it (hostPath: only under /tmp/)."""
        provisioned_by = _annotations(volume).get(ANN_DYNAMICALLY_PROVISIONED, "")
        if provisioned_by and not provisioned_by.startswith("kubernetes.io/"):
            return
        if volume["metadata"].get("deletionTimestamp"):
            return
        problem = _in_tree_delete_problem(volume)
        if problem:
            self._volume_failed(volume, "VolumeFailedDelete", problem)
            return
        try:
            self.client.delete("persistentvolumes", volume["metadata"]["name"])
        except StatusError as err:
            if err.code != 404:
                raise

    def _volume_failed(self, volume: dict, reason: str, message: str) -> None:
        """``updateVolumePhaseWithEvent``: Failed, and the event only when the phase changes."""
        if (volume.get("status") or {}).get("phase") == VOLUME_FAILED:
            return
        volume = self._update_volume_phase(volume, VOLUME_FAILED, message)
        self.recorder.event(volume, WARNING, reason, message)

    # -- reads ----------------------------------------------------------------------------------------
    def _class(self, name: str) -> Optional[dict]:
        return self.classes.get_by_name(None, name) if name else None


def volume_misfit(volume: dict, claim: dict) -> str:
    """``checkVolumeSatisfyClaim``: why the volume cannot serve the claim ("" when it can)."""
    if volume["metadata"].get("deletionTimestamp"):
        return f'the volume is marked for deletion "{volume["metadata"]["name"]}"'
    if volume_capacity(volume) < storage_request(claim):
        return "requested PV is too small"
    if volume_class(volume) != claim_class(claim):
        return "storageClassName does not match"
    if volume_mode_mismatch(claim, volume):
        return "incompatible volumeMode"
    if not access_modes_satisfied(claim, volume):
        return "incompatible accessMode"
    return ""


def _in_tree_delete_problem(volume: dict) -> str:
    """Why no in-tree plugin can delete the volume ("" when the hostPath deleter can)."""
    spec = volume.get("spec") or {}
    host_path = (spec.get("hostPath") or {}).get("path")
    if host_path is not None:
        if host_path.startswith("/tmp/") and len(host_path) > len("/tmp/"):
            return ""
        return f"host_path deleter only supports /tmp/.+ but received provided {host_path}"
    return (f'error getting deleter volume plugin for volume "{volume["metadata"]["name"]}": '
            "no deletable volume plugin matched")


def _default_class(classes: list) -> Optional[dict]:
    """``util.GetDefaultClass``: of the classes marked default, the newest (then by name)."""
    defaults = [c for c in classes if any(_annotations(c).get(key) == "true" for key in DEFAULT_CLASS_ANNOTATIONS)]
    if not defaults:
        return None
    return max(defaults, key=lambda c: (c["metadata"].get("creationTimestamp", ""), c["metadata"]["name"]))


def _annotations(obj: dict) -> dict:
    return (obj.get("metadata") or {}).get("annotations") or {}
