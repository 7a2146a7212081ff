"""VolumeZone: a pod must run in the zone (and region) of the volumes its claims are bound to.

Mirrors pkg/scheduler/framework/plugins/volumezone (kube-scheduler 1.32): PreFilter collects
the topology labels (``topology.kubernetes.io/zone`` and ``region``, and their deprecated
``failure-domain.beta.kubernetes.io`` forms) of the PersistentVolumes the pod's *bound* claims
name, skipping claims not bound yet (VolumeBinding handles those) -- Skip when there are none.
Filter: a node whose label for such a key is not among the volume's values (a value may list
several zones joined by ``__``) is UnschedulableAndUnresolvable, ``node(s) had no available
volume zone``; a node missing such a label (a beta key also accepts its GA form) does not
fit either. A node with none of the topology labels fits.
"""

from __future__ import annotations

from labkube.core.scheduler.framework import SKIP, UNSCHEDULABLE_AND_UNRESOLVABLE, Status
from labkube.core.volume_helpers import claim_names

NAME = "VolumeZone"
STATE_KEY = "PreFilter" + NAME
ERR_REASON_CONFLICT = "node(s) had no available volume zone"
TOPOLOGY_LABELS = ("failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
                   "topology.kubernetes.io/zone", "topology.kubernetes.io/region")

_SKIP = Status(SKIP, plugin=NAME)


class VolumeZone:
    name = NAME

    def pre_filter(self, state, pod):
        names = claim_names(pod.pod)
        if not names:
            return _SKIP
        cache = state.snapshot.volumes
        topology = []
        for name in names:
            claim = cache.claim(pod.namespace, name)
            volume_name = ((claim or {}).get("spec") or {}).get("volumeName")
            volume = cache.volume(volume_name) if volume_name else None
            if volume is None:
                continue
            labels = (volume.get("metadata") or {}).get("labels") or {}
            for key in TOPOLOGY_LABELS:
                if key in labels:
                    topology.append((key, frozenset(labels[key].split("__"))))
        if not topology:
            return _SKIP
        state.write(STATE_KEY, topology)
        return None

    def filter(self, state, pod, node):
        topology = state.get(STATE_KEY)
        if not topology:
            return None
        labels = node.labels
        if not any(key in labels for key in TOPOLOGY_LABELS):
            return None
        for key, values in topology:
            value = labels.get(key, labels.get(key.replace("failure-domain.beta.kubernetes.io/",
                                                            "topology.kubernetes.io/")))
            if value is None or value not in values:
                return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, ERR_REASON_CONFLICT, plugin=NAME)
        return None

    def events_to_register(self):
        return [("StorageClass", "Add"), ("PersistentVolumeClaim", "Add"), ("PersistentVolumeClaim", "Update"),
                ("PersistentVolume", "Add"), ("PersistentVolume", "Update"),
                ("Node", "Add"), ("Node", "UpdateNodeLabel")]


def new(args=None, handle=None) -> VolumeZone:
    return VolumeZone()
