"""``kubectl describe deployment`` and ``kubectl describe replicaset``.

Mirrors describeDeployment (with deploymentutil's old/new ReplicaSet split: the new ReplicaSet
is the one whose pod template equals the Deployment's, ignoring ``pod-template-hash``) and
describeReplicaSet (``Pods Status`` counts pods whose controller is this ReplicaSet).
"""

from __future__ import annotations

import copy

from labkube.kubectl.describe.pod import describe_pod_template, printed_controller
from labkube.kubectl.describe.writer import (
    PrefixWriter,
    annotations_multiline,
    describe_events,
    labels_multiline,
)
from labkube.kubectl.printers.age import rfc1123z
from labkube.kubectl.printers.format import format_label_selector, selector_string


def _uid(obj: dict) -> str:
    return (obj.get("metadata") or {}).get("uid", "")


def _controlled_by(obj: dict, owner_uid: str) -> bool:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller") and ref.get("uid") == owner_uid:
            return True
    return False


def _template_without_hash(template: dict) -> dict:
    template = copy.deepcopy(template or {})
    labels = (template.get("metadata") or {}).get("labels")
    if labels:
        labels.pop("pod-template-hash", None)
    return template


def split_replica_sets(deployment: dict, replica_sets: list[dict]) -> tuple[list[dict], dict | None]:
    """``deploymentutil.GetAllReplicaSets``: (all old ReplicaSets, the new one or None)."""
    owned = [rs for rs in replica_sets if _controlled_by(rs, _uid(deployment))]
    wanted = _template_without_hash((deployment.get("spec") or {}).get("template"))
    new = None
    for rs in sorted(owned, key=lambda r: (r.get("metadata") or {}).get("creationTimestamp", "")):
        if _template_without_hash((rs.get("spec") or {}).get("template")) == wanted:
            new = rs
            break
    return [rs for rs in owned if rs is not new], new


def _rs_summary(replica_sets: list[dict]) -> str:
    parts = [f"{rs['metadata']['name']} ({(rs.get('status') or {}).get('replicas', 0)}/"
             f"{(rs.get('spec') or {}).get('replicas', 0)} replicas created)" for rs in replica_sets]
    return ", ".join(parts) or "<none>"


def describe_deployment(deploy: dict, events: list[dict] | None, now: float, replica_sets: list[dict]) -> str:
    meta, spec, status = deploy.get("metadata") or {}, deploy.get("spec") or {}, deploy.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(0, f"Replicas:\t{spec.get('replicas', 0)} desired | {status.get('updatedReplicas', 0)} updated | "
               f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
               f"{status.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        w.write(0, f"RollingUpdateStrategy:\t{rolling.get('maxUnavailable', 0)} max unavailable, "
                   f"{rolling.get('maxSurge', 0)} max surge\n")
    describe_pod_template(w, spec.get("template"))
    _conditions(w, status.get("conditions"))
    old, new = split_replica_sets(deploy, replica_sets)
    if old or new:
        w.write(0, f"OldReplicaSets:\t{_rs_summary(old)}\n")
        w.write(0, f"NewReplicaSet:\t{_rs_summary([new] if new else [])}\n")
    describe_events(w, events, now)
    return w.text()


def _conditions(w: PrefixWriter, conditions: list[dict] | None) -> None:
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for cond in conditions:
            w.write(1, f"{cond.get('type', '')} \t{cond.get('status', '')}\t{cond.get('reason', '')}\n")


def pod_phase_counts(pods: list[dict], owner_uid: str) -> tuple[int, int, int, int]:
    """``getPodStatusForController``: running, waiting, succeeded, failed pods it controls."""
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for pod in pods:
        if _controlled_by(pod, owner_uid):
            phase = (pod.get("status") or {}).get("phase", "")
            if phase in counts:
                counts[phase] += 1
    return counts["Running"], counts["Pending"], counts["Succeeded"], counts["Failed"]


def describe_replicaset(rs: dict, events: list[dict] | None, now: float, pods: list[dict]) -> str:
    meta, spec, status = rs.get("metadata") or {}, rs.get("spec") or {}, rs.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    controlled_by = printed_controller(rs)
    if controlled_by:
        w.write(0, f"Controlled By:\t{controlled_by}\n")
    w.write(0, f"Replicas:\t{status.get('replicas', 0)} current / {spec.get('replicas', 0)} desired\n")
    running, waiting, succeeded, failed = pod_phase_counts(pods, meta.get("uid", ""))
    w.write(0, "Pods Status:\t")
    w.write(0, f"{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n")
    describe_pod_template(w, spec.get("template"))
    _conditions(w, status.get("conditions"))
    describe_events(w, events, now)
    return w.text()
