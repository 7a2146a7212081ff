"""VolumeRestrictions: the claims a pod names must exist; a ReadWriteOncePod claim is one pod's.

Mirrors pkg/scheduler/framework/plugins/volumerestrictions (kube-scheduler 1.32):

* **PreFilter** -- reads every PersistentVolumeClaim the pod names; a missing one rejects the
  pod before any node is tried, with the lister's error: ``persistentvolumeclaim "x" not
  found`` (UnschedulableAndUnresolvable; this plugin runs before VolumeBinding, so this is the
  text of FailedScheduling). Skip when the pod names no claim with the ``ReadWriteOncePod``
  access mode.
* **Filter** -- a ``ReadWriteOncePod`` claim already used by another placed pod rejects every
  node: ``node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod
  access mode`` (Unschedulable: preemption may free it).

Not modelled: the disk conflicts of in-tree GCE PD, AWS EBS, iSCSI and RBD volumes
(``node(s) had no available disk``): labkube's nodes have no such disks.
"""

from __future__ import annotations

from labkube.core.scheduler.framework import SKIP, UNSCHEDULABLE, UNSCHEDULABLE_AND_UNRESOLVABLE, Status
from labkube.core.volume_helpers import claim_names

NAME = "VolumeRestrictions"
STATE_KEY = "PreFilter" + NAME
ERR_REASON_READ_WRITE_ONCE_POD_CONFLICT = (
    "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode")
READ_WRITE_ONCE_POD = "ReadWriteOncePod"

_SKIP = Status(SKIP, plugin=NAME)


class VolumeRestrictions:
    name = NAME

    def pre_filter(self, state, pod):
        names = claim_names(pod.pod)
        if not names:
            return _SKIP
        cache = state.snapshot.volumes
        exclusive = []
        for name in names:
            claim = cache.claim(pod.namespace, name)
            if claim is None:
                return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, f'persistentvolumeclaim "{name}" not found',
                              plugin=NAME)
            if READ_WRITE_ONCE_POD in ((claim.get("spec") or {}).get("accessModes") or ()):
                exclusive.append(name)
        if not exclusive:
            return _SKIP
        in_use = _claims_in_use(state.snapshot, pod.namespace, set(exclusive), pod.uid)
        state.write(STATE_KEY, in_use)
        return None

    def filter(self, state, pod, node):
        if state.get(STATE_KEY):
            return Status(UNSCHEDULABLE, ERR_REASON_READ_WRITE_ONCE_POD_CONFLICT, plugin=NAME)
        return None

    def events_to_register(self):
        return [("Pod", "Delete"), ("PersistentVolumeClaim", "Add"), ("PersistentVolumeClaim", "Update")]


def _claims_in_use(snapshot, namespace: str, names: set, uid: str) -> int:
    """How many placed pods (other than this one) use one of the ``names`` claims."""
    count = 0
    for info, _node in snapshot.pods():
        if info.namespace != namespace or info.uid == uid:
            continue
        if names.intersection(claim_names(info.pod)):
            count += 1
    return count


def new(args=None, handle=None) -> VolumeRestrictions:
    return VolumeRestrictions()
