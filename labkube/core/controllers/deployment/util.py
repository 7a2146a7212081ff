"""The arithmetic of Deployments: hashes, revisions, surge and unavailability, conditions.

Mirrors pkg/controller/deployment/util/deployment_util.go, pkg/controller/controller_utils.go
(``ComputeHash``, the ReplicaSet sort orders) and k8s.io/apimachinery's
``intstr.GetScaledValueFromIntOrPercent`` and ``rand.SafeEncodeString`` (Kubernetes 1.32).

**pod-template-hash.** Kubernetes hashes the pod template with FNV-32a, appends the
``collisionCount`` (8 bytes, little-endian) when set, prints the 32-bit sum in decimal and maps
each digit onto the alphabet ``bcdfghjklmnpqrstvwxz2456789`` (so hashes look like
``7d4b9c8f5``). What Kubernetes feeds the hash is a dump of the *Go struct* (``spew``/``dump``
output, every field including zero values, with Go type names), which cannot be reproduced
from JSON without the Go types. labkube feeds it the template's canonical JSON (keys sorted,
no spaces) instead: same algorithm, same alphabet and length, deterministic for a template, but
not the same value a real cluster prints for the same manifest.

**maxSurge/maxUnavailable.** Percentages of ``spec.replicas``: surge rounds *up*, unavailable
rounds *down*; if both come to 0, unavailable becomes 1 (``ResolveFenceposts``).
"""

from __future__ import annotations

import json
from functools import cmp_to_key
from typing import Iterable, Optional

from labkube.core.clock import parse_timestamp

# -- annotations and labels -------------------------------------------------------------------
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas"
ROLLBACK_TO_ANNOTATION = "deprecated.deployment.rollback.to"
LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause"
RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt"
POD_TEMPLATE_HASH_LABEL = "pod-template-hash"

#: Annotations never copied from a Deployment to its ReplicaSets (``annotationsToSkip``).
ANNOTATIONS_TO_SKIP = frozenset({
    LAST_APPLIED_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
    DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, ROLLBACK_TO_ANNOTATION,
})
#: ``maxRevHistoryLengthInChars``.
MAX_REVISION_HISTORY_CHARS = 2000

# -- condition reasons (deployment_util.go) ------------------------------------------------------
NEW_RS_REASON = "NewReplicaSetCreated"
FOUND_NEW_RS_REASON = "FoundNewReplicaSet"
RS_UPDATED_REASON = "ReplicaSetUpdated"
NEW_RS_AVAILABLE_REASON = "NewReplicaSetAvailable"
TIMED_OUT_REASON = "ProgressDeadlineExceeded"
PAUSED_REASON = "DeploymentPaused"
RESUMED_REASON = "DeploymentResumed"
FAILED_RS_CREATE_REASON = "ReplicaSetCreateError"
MIN_AVAILABLE_REASON = "MinimumReplicasAvailable"
MIN_UNAVAILABLE_REASON = "MinimumReplicasUnavailable"
ROLLBACK_REVISION_NOT_FOUND = "DeploymentRollbackRevisionNotFound"
ROLLBACK_TEMPLATE_UNCHANGED = "DeploymentRollbackTemplateUnchanged"
ROLLBACK_DONE = "DeploymentRollback"

#: ``math.MaxInt32``: a progressDeadlineSeconds of this value means "no deadline".
MAX_INT32 = 2**31 - 1

ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


# -- hashing ---------------------------------------------------------------------------------------
def fnv32a(data: bytes) -> int:
    value = 0x811C9DC5
    for byte in data:
        value ^= byte
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value


def safe_encode_string(text: str) -> str:
    """``rand.SafeEncodeString``: each character onto the bad-word-free alphabet."""
    return "".join(ALPHANUMS[ord(ch) % len(ALPHANUMS)] for ch in text)


def compute_hash(template: dict, collision_count: Optional[int] = None) -> str:
    """``controller.ComputeHash`` over the template's canonical JSON (see the module docstring)."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    if collision_count is not None:
        data += (collision_count & 0xFFFFFFFF).to_bytes(4, "little") + bytes(4)
    return safe_encode_string(str(fnv32a(data)))


def _semantic(value):
    """Drop nil/empty values, which Go's semantic equality treats as absent."""
    if isinstance(value, dict):
        cleaned = {k: _semantic(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_semantic(v) for v in value]
    return value


def equal_ignore_hash(a: dict, b: dict) -> bool:
    """``EqualIgnoreHash``: templates equal once the pod-template-hash label is removed."""
    return _without_hash(a) == _without_hash(b)


def _without_hash(template: dict) -> dict:
    template = _semantic(template)
    labels = (template.get("metadata") or {}).get("labels")
    if labels and POD_TEMPLATE_HASH_LABEL in labels:
        labels = {k: v for k, v in labels.items() if k != POD_TEMPLATE_HASH_LABEL}
        template = {**template, "metadata": {**template["metadata"], "labels": labels}}
        template = _semantic(template)
    return template


# -- int-or-percent ------------------------------------------------------------------------------
def scaled_value(value, total: int, round_up: bool) -> int:
    """``intstr.GetScaledValueFromIntOrPercent``."""
    if isinstance(value, bool) or value is None:
        raise ValueError("invalid value for IntOrString: invalid type: neither int nor percentage")
    if isinstance(value, int):
        return value
    if not isinstance(value, str) or not value.endswith("%"):
        raise ValueError("invalid value for IntOrString: invalid type: string is not a percentage")
    try:
        percent = int(value[:-1])
    except ValueError:
        raise ValueError(f'invalid value for IntOrString: invalid value "{value}": '
                         f'strconv.Atoi: parsing "{value[:-1]}": invalid syntax') from None
    product = percent * total
    return -(-product // 100) if round_up else product // 100


def is_rolling_update(d: dict) -> bool:
    return (d["spec"].get("strategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"


def replicas_of(obj: dict) -> int:
    return obj.get("spec", {}).get("replicas", 1)


def resolve_fenceposts(max_surge, max_unavailable, desired: int) -> tuple[int, int]:
    """``ResolveFenceposts``: (surge rounded up, unavailable rounded down; never both 0)."""
    surge = scaled_value(0 if max_surge is None else max_surge, desired, True)
    unavailable = scaled_value(0 if max_unavailable is None else max_unavailable, desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def _rolling(d: dict) -> dict:
    return (d["spec"].get("strategy") or {}).get("rollingUpdate") or {}


def max_unavailable(d: dict) -> int:
    """``MaxUnavailable``: 0 for Recreate or 0 replicas, never more than the replicas."""
    replicas = replicas_of(d)
    if not is_rolling_update(d) or replicas == 0:
        return 0
    rolling = _rolling(d)
    _, unavailable = resolve_fenceposts(rolling.get("maxSurge"), rolling.get("maxUnavailable"), replicas)
    return min(unavailable, replicas)


def max_surge(d: dict) -> int:
    if not is_rolling_update(d):
        return 0
    rolling = _rolling(d)
    surge, _ = resolve_fenceposts(rolling.get("maxSurge"), rolling.get("maxUnavailable"), replicas_of(d))
    return surge


# -- revisions and annotations -----------------------------------------------------------------
def revision(obj: dict) -> int:
    """``Revision``: the revision annotation as an int; raises ValueError if unparsable."""
    text = (obj["metadata"].get("annotations") or {}).get(REVISION_ANNOTATION, "")
    return int(text) if text != "" else 0


def max_revision(rss: Iterable[dict]) -> int:
    best = 0
    for rs in rss:
        try:
            best = max(best, revision(rs))
        except ValueError:
            continue
    return best


def last_revision(rss: Iterable[dict]) -> int:
    """``LastRevision``: the second-highest revision."""
    top = second = 0
    for rs in rss:
        try:
            value = revision(rs)
        except ValueError:
            continue
        if value >= top:
            top, second = value, top
        elif value > second:
            second = value
    return second


def _annotations(obj: dict) -> dict:
    meta = obj["metadata"]
    if meta.get("annotations") is None:
        meta["annotations"] = {}
    return meta["annotations"]


def copy_deployment_annotations_to_rs(d: dict, rs: dict) -> bool:
    """``copyDeploymentAnnotationsToReplicaSet``: all but the skipped ones; True if changed."""
    changed = False
    annotations = _annotations(rs)
    for key, value in (d["metadata"].get("annotations") or {}).items():
        if key in ANNOTATIONS_TO_SKIP or annotations.get(key) == value:
            continue
        annotations[key] = value
        changed = True
    return changed


def set_replicas_annotations(rs: dict, desired: int, maximum: int) -> bool:
    annotations = _annotations(rs)
    changed = False
    for key, value in ((DESIRED_REPLICAS_ANNOTATION, str(desired)), (MAX_REPLICAS_ANNOTATION, str(maximum))):
        if annotations.get(key) != value:
            annotations[key] = value
            changed = True
    return changed


def replicas_annotations_need_update(rs: dict, desired: int, maximum: int) -> bool:
    annotations = rs["metadata"].get("annotations") or {}
    return annotations.get(DESIRED_REPLICAS_ANNOTATION) != str(desired) or \
        annotations.get(MAX_REPLICAS_ANNOTATION) != str(maximum)


def set_new_rs_annotations(d: dict, rs: dict, new_revision: str, exists: bool) -> bool:
    """``SetNewReplicaSetAnnotations``: copy annotations, raise the revision, keep revision-history."""
    changed = copy_deployment_annotations_to_rs(d, rs)
    annotations = _annotations(rs)
    had_revision = REVISION_ANNOTATION in annotations
    old_revision = annotations.get(REVISION_ANNOTATION, "")
    try:
        old_int = int(old_revision) if old_revision != "" else 0
    except ValueError:
        return False
    new_int = int(new_revision)
    if old_int < new_int:
        annotations[REVISION_ANNOTATION] = new_revision
        changed = True
        if had_revision:
            _append_revision_history(annotations, old_revision)
    if not exists and set_replicas_annotations(rs, replicas_of(d), replicas_of(d) + max_surge(d)):
        changed = True
    return changed


def _append_revision_history(annotations: dict, old_revision: str) -> None:
    """Remember the revisions a rolled-back-to ReplicaSet had before (bounded in length)."""
    history = annotations.get(REVISION_HISTORY_ANNOTATION, "")
    if not history:
        annotations[REVISION_HISTORY_ANNOTATION] = old_revision
        return
    old = history.split(",")
    total = len(history) + len(old_revision) + 1
    start = 0
    while total > MAX_REVISION_HISTORY_CHARS and start < len(old):
        total -= len(old[start]) + 1
        start += 1
    if total <= MAX_REVISION_HISTORY_CHARS:
        annotations[REVISION_HISTORY_ANNOTATION] = ",".join(old[start:] + [old_revision])


def set_deployment_revision(d: dict, value: str) -> bool:
    annotations = _annotations(d)
    if annotations.get(REVISION_ANNOTATION) != value:
        annotations[REVISION_ANNOTATION] = value
        return True
    return False


def desired_replicas_annotation(rs: dict) -> Optional[int]:
    text = (rs["metadata"].get("annotations") or {}).get(DESIRED_REPLICAS_ANNOTATION)
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def max_replicas_annotation(rs: dict) -> Optional[int]:
    text = (rs["metadata"].get("annotations") or {}).get(MAX_REPLICAS_ANNOTATION)
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


# -- conditions ------------------------------------------------------------------------------------
def new_condition(cond_type: str, status: str, reason: str, message: str, now: str) -> dict:
    """``NewDeploymentCondition`` (both times are now)."""
    return {"type": cond_type, "status": status, "lastUpdateTime": now, "lastTransitionTime": now,
            "reason": reason, "message": message}


def get_condition(status: dict, cond_type: str) -> Optional[dict]:
    for cond in status.get("conditions") or ():
        if cond.get("type") == cond_type:
            return cond
    return None


def set_condition(status: dict, condition: dict) -> None:
    """``SetDeploymentCondition``: no-op for the same status and reason; the changed one moves last."""
    current = get_condition(status, condition["type"])
    if current is not None and current.get("status") == condition["status"] \
            and current.get("reason") == condition["reason"]:
        return
    if current is not None and current.get("status") == condition["status"]:
        condition = {**condition, "lastTransitionTime": current.get("lastTransitionTime")}
    others = [c for c in status.get("conditions") or () if c.get("type") != condition["type"]]
    status["conditions"] = others + [condition]


def remove_condition(status: dict, cond_type: str) -> None:
    conditions = [c for c in status.get("conditions") or () if c.get("type") != cond_type]
    if conditions:
        status["conditions"] = conditions
    else:
        status.pop("conditions", None)


def rs_to_deployment_condition(cond: dict) -> dict:
    """``ReplicaSetToDeploymentCondition``."""
    return {"type": cond.get("type"), "status": cond.get("status"),
            "lastUpdateTime": cond.get("lastTransitionTime"),
            "lastTransitionTime": cond.get("lastTransitionTime"),
            "reason": cond.get("reason", ""), "message": cond.get("message", "")}


def has_progress_deadline(d: dict) -> bool:
    deadline = d["spec"].get("progressDeadlineSeconds")
    return deadline is not None and deadline != MAX_INT32


def has_revision_history_limit(d: dict) -> bool:
    limit = d["spec"].get("revisionHistoryLimit")
    return limit is not None and limit != MAX_INT32


# -- ReplicaSet sets --------------------------------------------------------------------------------
def _created(obj: dict) -> float:
    stamp = obj["metadata"].get("creationTimestamp")
    return parse_timestamp(stamp) if stamp else 0.0


def by_creation_timestamp(rss: list[dict]) -> list[dict]:
    """``ReplicaSetsByCreationTimestamp``: oldest first, then by name."""
    return sorted(rss, key=lambda rs: (_created(rs), rs["metadata"]["name"]))


def _cmp_creation(a: dict, b: dict) -> int:
    ka, kb = (_created(a), a["metadata"]["name"]), (_created(b), b["metadata"]["name"])
    return -1 if ka < kb else 1 if ka > kb else 0


def by_size_older(rss: list[dict]) -> list[dict]:
    """``ReplicaSetsBySizeOlder``: largest first, then oldest."""
    def cmp(a, b):
        if replicas_of(a) == replicas_of(b):
            return _cmp_creation(a, b)
        return replicas_of(b) - replicas_of(a)
    return sorted(rss, key=cmp_to_key(cmp))


def by_size_newer(rss: list[dict]) -> list[dict]:
    """``ReplicaSetsBySizeNewer``: largest first, then newest."""
    def cmp(a, b):
        if replicas_of(a) == replicas_of(b):
            return _cmp_creation(b, a)
        return replicas_of(b) - replicas_of(a)
    return sorted(rss, key=cmp_to_key(cmp))


def by_revision(rss: list[dict]) -> list[dict]:
    """``ReplicaSetsByRevision``: lowest revision first, then by creation."""
    def key(rs):
        try:
            rev = revision(rs)
        except ValueError:
            rev = 0
        return (rev, _created(rs), rs["metadata"]["name"])
    return sorted(rss, key=key)


def filter_active(rss: Iterable[Optional[dict]]) -> list[dict]:
    """``FilterActiveReplicaSets``: those with ``spec.replicas > 0``."""
    return [rs for rs in rss if rs is not None and replicas_of(rs) > 0]


def find_new_rs(d: dict, rss: list[dict]) -> Optional[dict]:
    """``FindNewReplicaSet``: the oldest ReplicaSet whose template equals the Deployment's
    (:func:`equal_ignore_hash`, with the Deployment's side worked out once)."""
    template = _without_hash(d["spec"]["template"])
    for rs in by_creation_timestamp(rss):
        if _without_hash(rs["spec"]["template"]) == template:
            return rs
    return None


def find_old_rss(d: dict, rss: list[dict]) -> tuple[list[dict], list[dict]]:
    """``FindOldReplicaSets``: (old ones with pods, all old ones)."""
    new = find_new_rs(d, rss)
    new_uid = new["metadata"]["uid"] if new is not None else None
    all_old = [rs for rs in rss if rs["metadata"]["uid"] != new_uid]
    return [rs for rs in all_old if replicas_of(rs) != 0], all_old


def find_active_or_latest(new_rs: Optional[dict], old_rss: list[dict]) -> Optional[dict]:
    """``FindActiveOrLatest``: the one active ReplicaSet, or the newest if none is active."""
    if new_rs is None and not old_rss:
        return None
    old_sorted = list(reversed(by_creation_timestamp(old_rss)))
    active = filter_active(old_sorted + [new_rs])
    if len(active) == 0:
        return new_rs if new_rs is not None else old_sorted[0]
    if len(active) == 1:
        return active[0]
    return None


def _status(rs: Optional[dict], name: str) -> int:
    return 0 if rs is None else (rs.get("status") or {}).get(name, 0)


def replica_count(rss: Iterable[Optional[dict]]) -> int:
    """``GetReplicaCountForReplicaSets``: sum of ``spec.replicas``."""
    return sum(replicas_of(rs) for rs in rss if rs is not None)


def actual_replica_count(rss: Iterable[Optional[dict]]) -> int:
    return sum(_status(rs, "replicas") for rs in rss)


def ready_replica_count(rss: Iterable[Optional[dict]]) -> int:
    return sum(_status(rs, "readyReplicas") for rs in rss)


def available_replica_count(rss: Iterable[Optional[dict]]) -> int:
    return sum(_status(rs, "availableReplicas") for rs in rss)


def is_saturated(d: dict, rs: Optional[dict]) -> bool:
    """``IsSaturated``: the ReplicaSet has all the Deployment's replicas, all available."""
    if rs is None:
        return False
    desired = desired_replicas_annotation(rs)
    wanted = replicas_of(d)
    return desired is not None and replicas_of(rs) == wanted and desired == wanted \
        and _status(rs, "availableReplicas") == wanted


def new_rs_new_replicas(d: dict, all_rss: list[dict], new_rs: dict) -> int:
    """``NewRSNewReplicas``: how big the new ReplicaSet may be now."""
    replicas = replicas_of(d)
    if not is_rolling_update(d):
        return replicas
    surge = scaled_value(_rolling(d).get("maxSurge", 0) or 0, replicas, True)
    current = replica_count(all_rss)
    max_total = replicas + surge
    if current >= max_total:
        return replicas_of(new_rs)
    scale_up = min(max_total - current, replicas - replicas_of(new_rs))
    return replicas_of(new_rs) + scale_up


def deployment_complete(d: dict, status: dict) -> bool:
    replicas = replicas_of(d)
    return status.get("updatedReplicas", 0) == replicas and status.get("replicas", 0) == replicas \
        and status.get("availableReplicas", 0) == replicas \
        and status.get("observedGeneration", 0) >= d["metadata"].get("generation", 0)


def deployment_progressing(d: dict, new_status: dict) -> bool:
    old = d.get("status") or {}
    old_old = old.get("replicas", 0) - old.get("updatedReplicas", 0)
    new_old = new_status.get("replicas", 0) - new_status.get("updatedReplicas", 0)
    return new_status.get("updatedReplicas", 0) > old.get("updatedReplicas", 0) or new_old < old_old \
        or new_status.get("readyReplicas", 0) > old.get("readyReplicas", 0) \
        or new_status.get("availableReplicas", 0) > old.get("availableReplicas", 0)


def deployment_timed_out(d: dict, new_status: dict, now: float) -> bool:
    if not has_progress_deadline(d):
        return False
    cond = get_condition(new_status, "Progressing")
    if cond is None or cond.get("reason") == NEW_RS_AVAILABLE_REASON:
        return False
    if cond.get("reason") == TIMED_OUT_REASON:
        return True
    since = parse_timestamp(cond["lastUpdateTime"])
    return since + d["spec"]["progressDeadlineSeconds"] < now


def round_to_int32(value: float) -> int:
    """``integer.RoundToInt32``: half away from zero."""
    return int(value - 0.5) if value < 0 else int(value + 0.5)


def replica_set_fraction(rs: dict, d: dict) -> int:
    """``getReplicaSetFraction``: this ReplicaSet's share of a proportional scale."""
    if replicas_of(d) == 0:
        return -replicas_of(rs)
    deployment_replicas = replicas_of(d) + max_surge(d)
    annotated = max_replicas_annotation(rs)
    if annotated is None:
        annotated = (d.get("status") or {}).get("replicas", 0)
    if annotated == 0:
        return 0 if replicas_of(rs) * deployment_replicas == 0 else deployment_replicas
    return round_to_int32(replicas_of(rs) * deployment_replicas / annotated) - replicas_of(rs)


def get_proportion(rs: Optional[dict], d: dict, to_add: int, added: int) -> int:
    """``GetProportion``: how many replicas this ReplicaSet gains (or loses) now."""
    if rs is None or replicas_of(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = replica_set_fraction(rs, d)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)
