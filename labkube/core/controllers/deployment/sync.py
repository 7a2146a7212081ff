"""Deployment sync: find or create the new ReplicaSet, scale proportionally, clean up, report.

Mirrors pkg/controller/deployment/sync.go (Kubernetes 1.32):

* :func:`get_all_replica_sets_and_sync_revision` — the *new* ReplicaSet is the one whose pod
  template equals the Deployment's (ignoring ``pod-template-hash``); every other one is *old*.
  The new one gets revision ``max(old revisions) + 1`` (a rolled-back-to ReplicaSet therefore
  gets a *new*, higher number, and remembers its former ones in ``revision-history``); the
  Deployment's ``deployment.kubernetes.io/revision`` follows it.
* :func:`get_new_replica_set` creates ``<deployment>-<pod-template-hash>`` when asked, with the
  hash as label and selector, ``desired-replicas``/``max-replicas`` annotations, an owner
  reference, the ``ScalingReplicaSet`` event "Scaled up replica set web-7d4b9c8f5 from 0 to 1"
  and the Progressing condition ``NewReplicaSetCreated``.
* :func:`scale` — a *scaling event* (``spec.replicas`` changed mid-rollout) spreads the change
  over the active ReplicaSets in proportion to their size (``GetProportion``), leftovers to the
  largest.
* :func:`cleanup_deployment` deletes the oldest fully scaled-down ReplicaSets beyond
  ``revisionHistoryLimit``.
* :func:`calculate_status` / :func:`sync_deployment_status` write the counts and the Available
  condition ("Deployment has minimum availability.").
"""

from __future__ import annotations

from typing import Optional

from labkube.core.controllers.deployment import util
from labkube.core.controllers.owner import controller_ref, new_controller_ref
from labkube.core.errors import StatusError
from labkube.core.machinery import NORMAL, WARNING
from labkube.core.serialization import copy as json_copy  # objects are JSON: far cheaper than deepcopy

NAMESPACE_TERMINATING_CAUSE = "NamespaceTerminating"


# -- syncing while paused or on scaling events ------------------------------------------------------
def sync(dc, d: dict, rs_list: list[dict]) -> None:
    """``sync``: scale (no rollout progress), clean up when paused, write status."""
    new_rs, old_rss = get_all_replica_sets_and_sync_revision(dc, d, rs_list, False)
    scale(dc, d, new_rs, old_rss)
    if d["spec"].get("paused") and util.ROLLBACK_TO_ANNOTATION not in (d["metadata"].get("annotations") or {}):
        cleanup_deployment(dc, old_rss, d)
    sync_deployment_status(dc, old_rss + [new_rs], new_rs, d)


def sync_status_only(dc, d: dict, rs_list: list[dict]) -> None:
    new_rs, old_rss = get_all_replica_sets_and_sync_revision(dc, d, rs_list, False)
    sync_deployment_status(dc, old_rss + [new_rs], new_rs, d)


def check_paused_conditions(dc, d: dict) -> None:
    """``checkPausedConditions``: Progressing Unknown with DeploymentPaused / DeploymentResumed."""
    if not util.has_progress_deadline(d):
        return
    status = d.setdefault("status", {})
    cond = util.get_condition(status, "Progressing")
    if cond is not None and cond.get("reason") == util.TIMED_OUT_REASON:
        return
    paused_cond_exists = cond is not None and cond.get("reason") == util.PAUSED_REASON
    now = dc.clock.timestamp()
    if d["spec"].get("paused") and not paused_cond_exists:
        util.set_condition(status, util.new_condition("Progressing", "Unknown", util.PAUSED_REASON,
                                                      "Deployment is paused", now))
    elif not d["spec"].get("paused") and paused_cond_exists:
        util.set_condition(status, util.new_condition("Progressing", "Unknown", util.RESUMED_REASON,
                                                      "Deployment is resumed", now))
    else:
        return
    dc.update_status(d)


def is_scaling_event(dc, d: dict, rs_list: list[dict]) -> bool:
    """``isScalingEvent``: an active ReplicaSet was sized for a different ``spec.replicas``."""
    new_rs, old_rss = get_all_replica_sets_and_sync_revision(dc, d, rs_list, False)
    for rs in util.filter_active(old_rss + [new_rs]):
        desired = util.desired_replicas_annotation(rs)
        if desired is not None and desired != util.replicas_of(d):
            return True
    return False


# -- the new ReplicaSet and revisions ----------------------------------------------------------------
def get_all_replica_sets_and_sync_revision(dc, d: dict, rs_list: list[dict],
                                           create: bool) -> tuple[Optional[dict], list[dict]]:
    _, all_old = util.find_old_rss(d, rs_list)
    new_rs = get_new_replica_set(dc, d, rs_list, all_old, create)
    return new_rs, all_old


def get_new_replica_set(dc, d: dict, rs_list: list[dict], old_rss: list[dict], create: bool) -> Optional[dict]:
    """``getNewReplicaSet``: sync the existing new ReplicaSet's annotations, or create it."""
    existing = util.find_new_rs(d, rs_list)
    new_revision = str(util.max_revision(old_rss) + 1)
    if existing is not None:
        return _sync_existing_new_rs(dc, d, existing, new_revision)
    if not create:
        return None
    return _create_new_rs(dc, d, old_rss, new_revision)


def _sync_existing_new_rs(dc, d: dict, existing: dict, new_revision: str) -> dict:
    rs = json_copy(existing)
    annotations_updated = util.set_new_rs_annotations(d, rs, new_revision, True)
    min_ready = d["spec"].get("minReadySeconds", 0)
    if annotations_updated or rs["spec"].get("minReadySeconds", 0) != min_ready:
        _set_min_ready_seconds(rs, min_ready)
        return dc.update_rs(rs)
    needs_update = util.set_deployment_revision(d, (rs["metadata"].get("annotations") or {}).get(
        util.REVISION_ANNOTATION, ""))
    status = d.setdefault("status", {})
    if util.has_progress_deadline(d) and util.get_condition(status, "Progressing") is None:
        util.set_condition(status, util.new_condition(
            "Progressing", "True", util.FOUND_NEW_RS_REASON,
            f'Found new replica set "{rs["metadata"]["name"]}"', dc.clock.timestamp()))
        needs_update = True
    if needs_update:
        dc.update_status(d)
    return rs


def _set_min_ready_seconds(rs: dict, value: int) -> None:
    if value:
        rs["spec"]["minReadySeconds"] = value
    else:
        rs["spec"].pop("minReadySeconds", None)


def _new_rs_object(d: dict, pod_hash: str) -> dict:
    template = json_copy(d["spec"]["template"])
    labels = dict((template.get("metadata") or {}).get("labels") or {})
    labels[util.POD_TEMPLATE_HASH_LABEL] = pod_hash
    template.setdefault("metadata", {})["labels"] = labels
    selector = json_copy(d["spec"]["selector"])
    selector.setdefault("matchLabels", {})[util.POD_TEMPLATE_HASH_LABEL] = pod_hash
    spec = {"replicas": 0, "selector": selector, "template": template}
    if d["spec"].get("minReadySeconds"):
        spec["minReadySeconds"] = d["spec"]["minReadySeconds"]
    return {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": f"{d['metadata']['name']}-{pod_hash}", "namespace": d["metadata"]["namespace"],
                     "labels": dict(labels),
                     "ownerReferences": [new_controller_ref(d, "apps/v1", "Deployment")]},
        "spec": spec,
    }


def _create_new_rs(dc, d: dict, old_rss: list[dict], new_revision: str) -> Optional[dict]:
    status = d.setdefault("status", {})
    pod_hash = util.compute_hash(d["spec"]["template"], status.get("collisionCount"))
    new_rs = _new_rs_object(d, pod_hash)
    new_rs["spec"]["replicas"] = util.new_rs_new_replicas(d, old_rss + [new_rs], new_rs)
    util.set_new_rs_annotations(d, new_rs, new_revision, False)
    already_exists = False
    try:
        created = dc.client.create(new_rs, d["metadata"]["namespace"])
    except StatusError as err:
        if err.code == 409 and err.reason == "AlreadyExists":
            created = _existing_or_collision(dc, d, new_rs, err)
            already_exists = True
        else:
            _report_create_failure(dc, d, new_rs, err)
            raise
    replicas = util.replicas_of(new_rs)
    if not already_exists and replicas > 0:
        dc.recorder.event(d, NORMAL, "ScalingReplicaSet",
                          f"Scaled up replica set {created['metadata']['name']} from 0 to {replicas}")
    needs_update = util.set_deployment_revision(d, new_revision)
    if not already_exists and util.has_progress_deadline(d):
        util.set_condition(status, util.new_condition(
            "Progressing", "True", util.NEW_RS_REASON,
            f'Created new replica set "{created["metadata"]["name"]}"', dc.clock.timestamp()))
        needs_update = True
    if needs_update:
        dc.update_status(d)
    return created


def _existing_or_collision(dc, d: dict, new_rs: dict, err: StatusError) -> dict:
    """An RS of that name exists: ours with our template (a slow cache), or a hash collision."""
    rs = dc.rs_informer.get_by_name(new_rs["metadata"]["namespace"], new_rs["metadata"]["name"])
    if rs is None:
        raise err
    ref = controller_ref(rs)
    if ref is not None and ref.get("uid") == d["metadata"]["uid"] and \
            util.equal_ignore_hash(d["spec"]["template"], rs["spec"]["template"]):
        return json_copy(rs)
    status = d.setdefault("status", {})
    status["collisionCount"] = status.get("collisionCount", 0) + 1
    try:
        dc.update_status(d)
    except StatusError:
        pass
    raise err


def _report_create_failure(dc, d: dict, new_rs: dict, err: StatusError) -> None:
    if any(c.get("type") == NAMESPACE_TERMINATING_CAUSE for c in err.causes):
        return
    msg = f'Failed to create new replica set "{new_rs["metadata"]["name"]}": {err.message}'
    if util.has_progress_deadline(d):
        util.set_condition(d.setdefault("status", {}), util.new_condition(
            "Progressing", "False", util.FAILED_RS_CREATE_REASON, msg, dc.clock.timestamp()))
        try:
            dc.update_status(d)
        except StatusError:
            pass
    dc.recorder.event(d, WARNING, util.FAILED_RS_CREATE_REASON, msg)


# -- scaling ------------------------------------------------------------------------------------------
def scale(dc, d: dict, new_rs: Optional[dict], old_rss: list[dict]) -> None:
    """``scale``: bring the total to ``spec.replicas`` (+ surge), proportionally across ReplicaSets."""
    active_or_latest = util.find_active_or_latest(new_rs, old_rss)
    if active_or_latest is not None:
        if util.replicas_of(active_or_latest) != util.replicas_of(d):
            scale_rs_and_record_event(dc, active_or_latest, util.replicas_of(d), d)
        return
    if util.is_saturated(d, new_rs):
        for old in util.filter_active(old_rss):
            scale_rs_and_record_event(dc, old, 0, d)
        return
    if util.is_rolling_update(d):
        _scale_proportionally(dc, d, util.filter_active(old_rss + [new_rs]))


def _scale_proportionally(dc, d: dict, all_rss: list[dict]) -> None:
    allowed = util.replicas_of(d) + util.max_surge(d) if util.replicas_of(d) > 0 else 0
    to_add = allowed - util.replica_count(all_rss)
    operation = ""
    if to_add > 0:
        all_rss, operation = util.by_size_newer(all_rss), "up"
    elif to_add < 0:
        all_rss, operation = util.by_size_older(all_rss), "down"
    added = 0
    sizes: dict[str, int] = {}
    for rs in all_rss:
        if to_add != 0:
            proportion = util.get_proportion(rs, d, to_add, added)
            sizes[rs["metadata"]["name"]] = util.replicas_of(rs) + proportion
            added += proportion
        else:
            sizes[rs["metadata"]["name"]] = util.replicas_of(rs)
    for i, rs in enumerate(all_rss):
        name = rs["metadata"]["name"]
        if i == 0 and to_add != 0:
            sizes[name] = max(0, sizes[name] + to_add - added)
        scale_rs(dc, rs, sizes[name], d, operation)


def scale_rs_and_record_event(dc, rs: dict, new_scale: int, d: dict) -> tuple[bool, dict]:
    """``scaleReplicaSetAndRecordEvent``."""
    if util.replicas_of(rs) == new_scale:
        return False, rs
    operation = "up" if util.replicas_of(rs) < new_scale else "down"
    return scale_rs(dc, rs, new_scale, d, operation)


def scale_rs(dc, rs: dict, new_scale: int, d: dict, operation: str) -> tuple[bool, dict]:
    """``scaleReplicaSet``: set replicas and the replicas annotations; the ScalingReplicaSet event."""
    desired, maximum = util.replicas_of(d), util.replicas_of(d) + util.max_surge(d)
    size_changed = util.replicas_of(rs) != new_scale
    if not size_changed and not util.replicas_annotations_need_update(rs, desired, maximum):
        return False, rs
    old_scale = util.replicas_of(rs)
    rs_copy = json_copy(rs)
    rs_copy["spec"]["replicas"] = new_scale
    util.set_replicas_annotations(rs_copy, desired, maximum)
    updated = dc.update_rs(rs_copy)
    if size_changed:
        dc.recorder.event(d, NORMAL, "ScalingReplicaSet",
                          f"Scaled {operation} replica set {updated['metadata']['name']} from {old_scale} to {new_scale}")
    return size_changed, updated


# -- cleanup --------------------------------------------------------------------------------------------
def cleanup_deployment(dc, old_rss: list[dict], d: dict) -> None:
    """``cleanupDeployment``: delete the oldest scaled-down ReplicaSets beyond revisionHistoryLimit."""
    if not util.has_revision_history_limit(d):
        return
    alive = [rs for rs in old_rss if rs is not None and not rs["metadata"].get("deletionTimestamp")]
    diff = len(alive) - d["spec"]["revisionHistoryLimit"]
    if diff <= 0:
        return
    for rs in util.by_revision(alive)[:diff]:
        status = rs.get("status") or {}
        if status.get("replicas", 0) != 0 or util.replicas_of(rs) != 0 \
                or rs["metadata"].get("generation", 0) > status.get("observedGeneration", 0):
            continue
        try:
            dc.client.delete("replicasets", rs["metadata"]["name"], rs["metadata"]["namespace"])
        except StatusError as err:
            if err.code != 404:
                raise


# -- status ----------------------------------------------------------------------------------------------
def calculate_status(d: dict, all_rss: list[Optional[dict]], new_rs: Optional[dict], now: str) -> dict:
    """``calculateStatus``: counts from the ReplicaSets, and the Available condition."""
    available = util.available_replica_count(all_rss)
    unavailable = max(0, util.replica_count(all_rss) - available)
    old = d.get("status") or {}
    status: dict = {
        "observedGeneration": d["metadata"].get("generation", 0),
        "replicas": util.actual_replica_count(all_rss),
        "updatedReplicas": util.actual_replica_count([new_rs]),
        "readyReplicas": util.ready_replica_count(all_rss),
        "availableReplicas": available,
        "unavailableReplicas": unavailable,
    }
    status = {k: v for k, v in status.items() if v}
    if old.get("conditions"):
        status["conditions"] = [dict(c) for c in old["conditions"]]
    if available >= util.replicas_of(d) - util.max_unavailable(d):
        util.set_condition(status, util.new_condition("Available", "True", util.MIN_AVAILABLE_REASON,
                                                      "Deployment has minimum availability.", now))
    else:
        util.set_condition(status, util.new_condition("Available", "False", util.MIN_UNAVAILABLE_REASON,
                                                      "Deployment does not have minimum availability.", now))
    if old.get("collisionCount") is not None:
        status["collisionCount"] = old["collisionCount"]
    return status


def ordered_status(status: dict) -> dict:
    """``DeploymentStatus`` field order, as the API returns it."""
    order = ("observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas",
             "unavailableReplicas", "conditions", "collisionCount")
    return {k: status[k] for k in order if k in status}


def sync_deployment_status(dc, all_rss: list[Optional[dict]], new_rs: Optional[dict], d: dict) -> None:
    """``syncDeploymentStatus``: write the calculated status if it changed."""
    status = calculate_status(d, all_rss, new_rs, dc.clock.timestamp())
    if status == (d.get("status") or {}):
        return
    d["status"] = ordered_status(status)
    dc.update_status(d)
