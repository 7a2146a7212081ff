"""Who owns a StatefulSet's claims: ``persistentVolumeClaimRetentionPolicy``.

Mirrors ``isClaimOwnerUpToDate`` and ``updateClaimOwnerRefForSetAndPod`` of
pkg/controller/statefulset/stateful_set_utils.go (StatefulSetAutoDeletePVC, on in 1.32). A claim
is deleted by the garbage collector when its owner goes, so the policy is written as owner
references (controller references) on each claim ``<template>-<set>-<ordinal>``:

==============  ==============  =====================================================
whenScaled      whenDeleted     owner of the claim
==============  ==============  =====================================================
Retain          Retain          nobody: claims stay until someone deletes them
Retain          Delete          the StatefulSet: deleting the set deletes every claim
Delete          Retain          the pod, once its ordinal is scaled away
Delete          Delete          the pod once scaled away, the StatefulSet before that
==============  ==============  =====================================================

A claim that another controller owns, or that still names an earlier set or pod of the same
name (a stale reference), is left alone.
"""

from __future__ import annotations

from labkube.core.controllers.owner import new_controller_ref
from labkube.core.controllers.statefulset_pods import replicas_of, start_ordinal

DELETE = "Delete"


def _policy(sts: dict) -> dict:
    return sts["spec"].get("persistentVolumeClaimRetentionPolicy") or {}


def _in_ordinal_range(sts: dict, ordinal: int) -> bool:
    return start_ordinal(sts) <= ordinal < start_ordinal(sts) + replicas_of(sts)


def wanted_owners(sts: dict, pod: dict, ordinal: int) -> list[tuple[dict, str, str]]:
    """The (object, apiVersion, kind) the policy wants as the claim's controllers."""
    policy = _policy(sts)
    scaled_down = not _in_ordinal_range(sts, ordinal)
    owners = []
    if policy.get("whenScaled") == DELETE and scaled_down:
        owners.append((pod, "v1", "Pod"))
    elif policy.get("whenDeleted") == DELETE:
        owners.append((sts, "apps/v1", "StatefulSet"))
    return owners


def _names(ref: dict, obj: dict, kind: str) -> bool:
    """``matchesRef``: the reference names this kind and name (whatever its uid)."""
    return ref.get("kind") == kind and ref.get("name") == obj["metadata"].get("name")


def _ours(ref: dict, sts: dict, pod: dict) -> bool:
    return _names(ref, sts, "StatefulSet") or _names(ref, pod, "Pod")


def _has_stale_ref(claim: dict, sts: dict, pod: dict) -> bool:
    for ref in claim["metadata"].get("ownerReferences") or ():
        for obj, kind in ((sts, "StatefulSet"), (pod, "Pod")):
            uid = obj["metadata"].get("uid")
            if _names(ref, obj, kind) and uid and ref.get("uid") != uid:
                return True
    return False


def _has_unexpected_controller(claim: dict, sts: dict, pod: dict) -> bool:
    return any(ref.get("controller") and not _ours(ref, sts, pod)
               for ref in claim["metadata"].get("ownerReferences") or ())


def owners_up_to_date(claim: dict, sts: dict, pod: dict, ordinal: int) -> bool:
    """``isClaimOwnerUpToDate``."""
    if _has_stale_ref(claim, sts, pod):
        return True  # a previous set or pod of this name manages it: do not touch
    refs = claim["metadata"].get("ownerReferences") or []
    ours = [ref for ref in refs if _ours(ref, sts, pod)]
    if _has_unexpected_controller(claim, sts, pod):
        return not ours
    if any(not ref.get("controller") for ref in ours):
        return False
    wanted = {obj["metadata"].get("name") + "/" + kind for obj, _, kind in wanted_owners(sts, pod, ordinal)}
    return {ref.get("name", "") + "/" + ref.get("kind", "") for ref in ours} == wanted


def with_policy_owners(claim: dict, sts: dict, pod: dict, ordinal: int) -> list[dict]:
    """``updateClaimOwnerRefForSetAndPod``: the claim's owner references the policy asks for."""
    unexpected = _has_unexpected_controller(claim, sts, pod)
    refs = [ref for ref in claim["metadata"].get("ownerReferences") or () if not _ours(ref, sts, pod)]
    if unexpected:
        return refs
    for obj, api_version, kind in wanted_owners(sts, pod, ordinal):
        refs.append(new_controller_ref(obj, api_version, kind))
    return refs
