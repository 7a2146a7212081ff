"""VolumeBinding: a pod whose PersistentVolumeClaim does not exist cannot be scheduled.

Mirrors pkg/scheduler/framework/plugins/volumebinding's PreFilter: for every volume that names
a PersistentVolumeClaim, the claim must exist; if one is missing the pod is
UnschedulableAndUnresolvable with ``persistentvolumeclaim "<name>" not found``, which
kube-scheduler prints as the first part of FailedScheduling:
``0/3 nodes are available: persistentvolumeclaim "mysql-pv-claim" not found. preemption: ...``.

labkube does not serve PersistentVolumeClaims yet (a later issue registers them), so every
claim is missing, exactly as on a cluster where nobody created it. Binding claims to volumes
and volume topology arrive with that issue.
"""

from __future__ import annotations

from labkube.core.scheduler.framework import SKIP, UNSCHEDULABLE_AND_UNRESOLVABLE, Status

NAME = "VolumeBinding"

_SKIP = Status(SKIP, plugin=NAME)


def claim_names(pod: dict) -> list[str]:
    """The PersistentVolumeClaims a pod's volumes name, in order."""
    names = []
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        claim = volume.get("persistentVolumeClaim")
        if claim and claim.get("claimName"):
            names.append(claim["claimName"])
    return names


class VolumeBinding:
    name = NAME

    def __init__(self, existing_claims=frozenset()) -> None:
        #: (namespace, name) of the claims that exist; empty while labkube serves none.
        self.existing_claims = existing_claims

    def pre_filter(self, state, pod):
        claims = claim_names(pod.pod)
        if not claims:
            return _SKIP
        for claim in claims:
            if (pod.namespace, claim) not in self.existing_claims:
                return Status(UNSCHEDULABLE_AND_UNRESOLVABLE,
                              f'persistentvolumeclaim "{claim}" not found', plugin=NAME)
        return None

    def events_to_register(self):
        return [("PersistentVolumeClaim", "Add"), ("PersistentVolume", "Add")]


def new(args=None, handle=None) -> VolumeBinding:
    return VolumeBinding()
