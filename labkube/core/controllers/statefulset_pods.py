"""A StatefulSet's pods: their identity, their states, and the status counted from them.

Mirrors the pod half of pkg/controller/statefulset/stateful_set_utils.go (Kubernetes 1.32):
``getParentNameAndOrdinal``, ``getPodName``, ``getPersistentVolumeClaimName``,
``getPersistentVolumeClaims``, ``updateIdentity``/``initIdentity``, ``updateStorage``,
``newStatefulSetPod``, ``identityMatches``, ``getPodRevision``, the pod predicates
(``isCreated``, ``isRunningAndReady``, ``isHealthy`` ...) and, from stateful_set_control.go,
``computeReplicaStatus`` and ``inconsistentStatus``.

Pod ``web-2`` of StatefulSet ``web``: hostname ``web-2``, subdomain the set's ``serviceName``,
labels ``statefulset.kubernetes.io/pod-name: web-2``, ``apps.kubernetes.io/pod-index: "2"``,
``controller-revision-hash: <revision name>``, and for claim template ``www`` the volume ``www``
on claim ``www-web-2``. Pure functions: the controller (:mod:`.statefulset`) does the writing.
"""

from __future__ import annotations

import re
from typing import Optional

from labkube.core.controllers.owner import new_controller_ref
from labkube.core.controllers.pods import is_pod_available, is_pod_ready
from labkube.core.controllers.replicaset import pod_from_template
from labkube.core.serialization import copy as json_copy

KIND = "StatefulSet"
API_VERSION = "apps/v1"

#: ``apps.StatefulSetPodNameLabel`` and ``apps.PodIndexLabel`` (PodIndexLabel: beta, on in 1.32).
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
#: ``apps.ControllerRevisionHashLabelKey``.
REVISION_LABEL = "controller-revision-hash"

#: ``statefulPodRegex``: a pod's name is its StatefulSet's name, a dash and an ordinal.
_STATEFUL_POD = re.compile(r"^(.*)-([0-9]+)$")


# -- identity: names, ordinals, labels, storage ----------------------------------------------------


def parent_and_ordinal(pod: dict) -> tuple[str, int]:
    """``getParentNameAndOrdinal``: ("web", 2) for ``web-2``; ("", -1) for other names."""
    match = _STATEFUL_POD.match(pod["metadata"].get("name", ""))
    if match is None:
        return "", -1
    return match.group(1), int(match.group(2))


def ordinal_of(pod: dict) -> int:
    return parent_and_ordinal(pod)[1]


def start_ordinal(sts: dict) -> int:
    """``getStartOrdinal``: ``spec.ordinals.start``, 0 by default."""
    return ((sts["spec"].get("ordinals") or {}).get("start")) or 0


def replicas_of(sts: dict) -> int:
    return sts["spec"].get("replicas", 1)


def pod_name(sts: dict, ordinal: int) -> str:
    return f"{sts['metadata']['name']}-{ordinal}"


def claim_name(template_name: str, sts: dict, ordinal: int) -> str:
    """``getPersistentVolumeClaimName``: ``<template>-<set>-<ordinal>`` (``www-web-0``)."""
    return f"{template_name}-{sts['metadata']['name']}-{ordinal}"


def is_member_of(sts: dict, pod: dict) -> bool:
    """``isMemberOf``: the pod's name says it belongs to ``sts``."""
    return parent_and_ordinal(pod)[0] == sts["metadata"]["name"]


def in_ordinal_range(sts: dict, pod: dict) -> bool:
    ordinal, start = ordinal_of(pod), start_ordinal(sts)
    return start <= ordinal < start + replicas_of(sts)


def persistent_volume_claims(sts: dict, ordinal: int) -> list[dict]:
    """``getPersistentVolumeClaims``: the claims of pod ``ordinal``, labelled with the selector's
    ``matchLabels``."""
    match_labels = (sts["spec"].get("selector") or {}).get("matchLabels") or {}
    claims = []
    for template in sts["spec"].get("volumeClaimTemplates") or ():
        template_meta = template.get("metadata") or {}
        meta = {key: json_copy(value) for key, value in template_meta.items()
                if key not in ("creationTimestamp", "name", "namespace")}
        meta["name"] = claim_name(template_meta.get("name", ""), sts, ordinal)
        meta["namespace"] = sts["metadata"]["namespace"]
        meta["labels"] = dict(sorted({**(template_meta.get("labels") or {}), **match_labels}.items()))
        claims.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta,
                       "spec": json_copy(template.get("spec") or {})})
    return claims


def update_identity(sts: dict, pod: dict) -> None:
    """``updateIdentity``: the name, namespace and the two identity labels."""
    ordinal = ordinal_of(pod)
    meta = pod["metadata"]
    meta["name"] = pod_name(sts, ordinal)
    meta["namespace"] = sts["metadata"]["namespace"]
    labels = dict(meta.get("labels") or {})
    labels[POD_NAME_LABEL] = meta["name"]
    labels[POD_INDEX_LABEL] = str(ordinal)
    meta["labels"] = dict(sorted(labels.items()))  # a Go map is written sorted


def update_storage(sts: dict, pod: dict, ordinal: int) -> None:
    """``updateStorage``: a volume per claim template, pointing at the pod's own claim, before the
    template's other volumes (a template volume of the same name is replaced)."""
    templates = [t.get("metadata", {}).get("name", "") for t in sts["spec"].get("volumeClaimTemplates") or ()]
    if not templates:
        return
    volumes = [{"name": name, "persistentVolumeClaim": {"claimName": claim_name(name, sts, ordinal)}}
               for name in templates]
    spec = pod.setdefault("spec", {})
    volumes += [v for v in spec.get("volumes") or () if v.get("name") not in templates]
    spec["volumes"] = volumes


def new_pod(sts: dict, ordinal: int, revision_name: str) -> dict:
    """``newStatefulSetPod`` + ``setPodRevision``: the pod ``<set>-<ordinal>`` from the template.

    ``generateName: <set>-`` stays in the metadata, as it does on a real cluster (the name wins)."""
    pod = pod_from_template(sts["spec"]["template"], sts, new_controller_ref(sts, API_VERSION, KIND))
    pod["metadata"]["name"] = pod_name(sts, ordinal)
    update_identity(sts, pod)
    pod["spec"]["hostname"] = pod["metadata"]["name"]  # initIdentity: set on creation only
    if sts["spec"].get("serviceName"):
        pod["spec"]["subdomain"] = sts["spec"]["serviceName"]
    update_storage(sts, pod, ordinal)
    labels = {**pod["metadata"]["labels"], REVISION_LABEL: revision_name}
    pod["metadata"]["labels"] = dict(sorted(labels.items()))
    return pod


def identity_matches(sts: dict, pod: dict) -> bool:
    parent, ordinal = parent_and_ordinal(pod)
    labels = pod["metadata"].get("labels") or {}
    return (ordinal >= 0 and parent == sts["metadata"]["name"]
            and pod["metadata"].get("namespace") == sts["metadata"]["namespace"]
            and labels.get(POD_NAME_LABEL) == pod["metadata"]["name"]
            and labels.get(POD_INDEX_LABEL) == str(ordinal))


def revision_of(pod: dict) -> str:
    """``getPodRevision``."""
    return (pod["metadata"].get("labels") or {}).get(REVISION_LABEL, "")


# -- pod states ------------------------------------------------------------------------------------


def phase(pod: dict) -> str:
    return (pod.get("status") or {}).get("phase", "")


def is_created(pod: dict) -> bool:
    """``isCreated``: the API server has given it a phase."""
    return phase(pod) != ""


def is_terminating(pod: dict) -> bool:
    return bool(pod["metadata"].get("deletionTimestamp"))


def is_running_and_ready(pod: dict) -> bool:
    return phase(pod) == "Running" and is_pod_ready(pod)


def is_running_and_available(pod: dict, min_ready_seconds: int, now: float) -> bool:
    return phase(pod) == "Running" and is_pod_available(pod, min_ready_seconds, now)


def is_healthy(pod: dict) -> bool:
    return is_running_and_ready(pod) and not is_terminating(pod)


# -- status ----------------------------------------------------------------------------------------

#: ``StatefulSetStatus`` in Go's field order.
STATUS_ORDER = ("observedGeneration", "replicas", "readyReplicas", "currentReplicas", "updatedReplicas",
                "currentRevision", "updateRevision", "collisionCount", "conditions", "availableReplicas")
_OMIT_WHEN_ZERO = ("readyReplicas", "currentReplicas", "updatedReplicas", "currentRevision", "updateRevision")


def ordered_status(status: dict) -> dict:
    """The status as Go writes it: ``replicas`` and ``availableReplicas`` always, other zero
    counts and empty names left out."""
    out = {}
    for key in STATUS_ORDER:
        value = status.get(key)
        if value is None or (key in _OMIT_WHEN_ZERO and not value) or (key == "conditions" and not value):
            continue
        out[key] = value
    out.setdefault("replicas", 0)
    out.setdefault("availableReplicas", 0)
    return ordered_keys(out)


def ordered_keys(status: dict) -> dict:
    return {key: status[key] for key in STATUS_ORDER if key in status}


def count_replicas(pods: list[dict], min_ready_seconds: int, now: float, current: str, update: str) -> dict:
    """``computeReplicaStatus`` over ``pods`` (created ones only)."""
    counts = {"replicas": 0, "readyReplicas": 0, "availableReplicas": 0, "currentReplicas": 0,
              "updatedReplicas": 0}
    for pod in pods:
        if not is_created(pod):
            continue
        counts["replicas"] += 1
        if is_running_and_ready(pod):
            counts["readyReplicas"] += 1
            if is_running_and_available(pod, min_ready_seconds, now):
                counts["availableReplicas"] += 1
        if not is_terminating(pod):
            revision = revision_of(pod)
            counts["currentReplicas"] += revision == current
            counts["updatedReplicas"] += revision == update
    return counts


def merged_status(old: Optional[dict], status: dict) -> dict:
    """The set's status with this pass's counts and revisions (conditions kept), as Go writes it."""
    merged = {**(old or {}), **status}
    return ordered_status(merged)


def status_changed(sts: dict, status: dict) -> bool:
    """``inconsistentStatus``: anything but ``collisionCount`` differs from what the set says."""
    old = sts.get("status") or {}
    if status.get("observedGeneration", 0) > old.get("observedGeneration", 0):
        return True
    return any(status.get(key, 0) != old.get(key, 0) for key in
               ("replicas", "currentReplicas", "readyReplicas", "updatedReplicas", "availableReplicas")) \
        or any(status.get(key, "") != old.get(key, "") for key in ("currentRevision", "updateRevision"))
