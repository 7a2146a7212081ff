"""``kubectl describe statefulset``.

Mirrors ``StatefulSetDescriber`` / ``describeStatefulSet`` and ``describeVolumeClaimTemplates`` in
staging/src/k8s.io/kubectl/pkg/describe/describe.go (kubectl 1.32)::

    Name:               web
    Namespace:          default
    CreationTimestamp:  Wed, 01 Jan 2025 00:00:00 +0000
    Selector:           app=nginx
    Labels:             <none>
    Annotations:        <none>
    Replicas:           3 desired | 1 total
    Update Strategy:    RollingUpdate
      Partition:        0
    Pods Status:        0 Running / 1 Waiting / 0 Succeeded / 0 Failed
    Pod Template: ...
    Volume Claims:
      Name:          www
      StorageClass:  my-storage-class
      Labels:        <none>
      Annotations:   <none>
      Capacity:      1Gi
      Access Modes:  [ReadWriteOnce]
    Events: ...

"total" is ``status.replicas`` (pods that exist); the Pods Status line counts the pods the set
controls, by phase.
"""

from __future__ import annotations

from labkube.core.api import quantity as qty
from labkube.kubectl.describe.pod import describe_pod_template
from labkube.kubectl.describe.workloads import pod_phase_counts
from labkube.kubectl.describe.writer import (
    PrefixWriter, annotations_multiline, describe_events, labels_multiline,
)
from labkube.kubectl.printers.age import rfc1123z
from labkube.kubectl.printers.format import format_label_selector

#: ``storageutil.GetPersistentVolumeClaimClass`` reads this beta annotation before the field.
BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"


def describe_stateful_set(sts: dict, events: list[dict] | None, now: float, pods: list[dict]) -> str:
    meta, spec, status = sts.get("metadata") or {}, sts.get("spec") or {}, sts.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Replicas:\t{spec.get('replicas', 0)} desired | {status.get('replicas', 0)} total\n")
    strategy = spec.get("updateStrategy") or {}
    w.write(0, f"Update Strategy:\t{strategy.get('type', '')}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None and rolling.get("partition") is not None:
        w.write(1, f"Partition:\t{rolling['partition']}\n")
        if rolling.get("maxUnavailable") is not None:
            w.write(1, f"MaxUnavailable:\t{rolling['maxUnavailable']}\n")
    running, waiting, succeeded, failed = pod_phase_counts(pods, meta.get("uid", ""))
    w.write(0, f"Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n")
    describe_pod_template(w, spec.get("template"))
    _volume_claim_templates(w, spec.get("volumeClaimTemplates"))
    if events is not None:
        describe_events(w, events, now)
    return w.text()


def claim_class(claim: dict) -> str:
    """``GetPersistentVolumeClaimClass``: the beta annotation, else ``storageClassName``."""
    annotations = (claim.get("metadata") or {}).get("annotations") or {}
    if BETA_STORAGE_CLASS_ANNOTATION in annotations:
        return annotations[BETA_STORAGE_CLASS_ANNOTATION]
    return (claim.get("spec") or {}).get("storageClassName") or ""


def _capacity(claim: dict) -> str:
    storage = (((claim.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage")
    if storage is None:
        return "<default>"
    try:
        return str(qty.parse_quantity(str(storage)))
    except ValueError:
        return str(storage)


def _volume_claim_templates(w: PrefixWriter, templates: list[dict] | None) -> None:
    if not templates:
        w.write(0, "Volume Claims:\t<none>\n")
        return
    w.write(0, "Volume Claims:\n")
    for claim in templates:
        claim_meta = claim.get("metadata") or {}
        w.write(1, f"Name:\t{claim_meta.get('name', '')}\n")
        w.write(1, f"StorageClass:\t{claim_class(claim)}\n")
        labels_multiline(w, "Labels", claim_meta.get("labels"), initial_indent="  ")
        labels_multiline(w, "Annotations", claim_meta.get("annotations"), initial_indent="  ")
        w.write(1, f"Capacity:\t{_capacity(claim)}\n")
        modes = (claim.get("spec") or {}).get("accessModes") or []
        w.write(1, f"Access Modes:\t[{' '.join(modes)}]\n")
