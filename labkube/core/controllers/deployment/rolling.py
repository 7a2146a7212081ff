"""The RollingUpdate strategy: surge the new ReplicaSet up, drain the old ones, never too far.

Mirrors pkg/controller/deployment/rolling.go (Kubernetes 1.32). Each sync does *one* kind of
step and then reports status:

1. **Scale up the new ReplicaSet** (:func:`reconcile_new_replica_set`) as far as the total of all
   ReplicaSets' ``spec.replicas`` may go: ``replicas + maxSurge``.
2. Otherwise **scale down old ReplicaSets** (:func:`reconcile_old_replica_sets`) as far as
   availability allows: the total may shrink to ``replicas - maxUnavailable`` available pods,
   counting the new ReplicaSet's not-yet-available pods as lost. Old ReplicaSets' *unhealthy*
   replicas (``spec.replicas - availableReplicas``) go first — removing them costs no
   availability (:func:`cleanup_unhealthy_replicas`) — then available ones, oldest ReplicaSet
   first (:func:`scale_down_old_replica_sets`).
3. When the rollout is complete, old ReplicaSets beyond ``revisionHistoryLimit`` are deleted.

So at every moment: ``sum(spec.replicas) <= replicas + maxSurge`` and, as far as the controller
is concerned, available pods ``>= replicas - maxUnavailable``.
"""

from __future__ import annotations

from typing import Optional

from labkube.core.controllers.deployment import progress, sync, util


def rollout_rolling(dc, d: dict, rs_list: list[dict]) -> None:
    """``rolloutRolling``."""
    new_rs, old_rss = sync.get_all_replica_sets_and_sync_revision(dc, d, rs_list, True)
    all_rss = old_rss + [new_rs]
    if reconcile_new_replica_set(dc, all_rss, new_rs, d):
        progress.sync_rollout_status(dc, all_rss, new_rs, d)
        return
    if reconcile_old_replica_sets(dc, all_rss, util.filter_active(old_rss), new_rs, d):
        progress.sync_rollout_status(dc, all_rss, new_rs, d)
        return
    if util.deployment_complete(d, d.get("status") or {}):
        sync.cleanup_deployment(dc, old_rss, d)
    progress.sync_rollout_status(dc, all_rss, new_rs, d)


def reconcile_new_replica_set(dc, all_rss: list[Optional[dict]], new_rs: dict, d: dict) -> bool:
    """Scale the new ReplicaSet towards ``spec.replicas`` within the surge; True if it scaled."""
    wanted = util.replicas_of(d)
    current = util.replicas_of(new_rs)
    if current == wanted:
        return False
    if current > wanted:
        scaled, _ = sync.scale_rs_and_record_event(dc, new_rs, wanted, d)
        return scaled
    target = util.new_rs_new_replicas(d, [rs for rs in all_rss if rs is not None], new_rs)
    scaled, _ = sync.scale_rs_and_record_event(dc, new_rs, target, d)
    return scaled


def reconcile_old_replica_sets(dc, all_rss: list[Optional[dict]], old_rss: list[dict],
                               new_rs: dict, d: dict) -> bool:
    """Scale old ReplicaSets down as far as availability allows; True if anything changed."""
    if util.replica_count(old_rss) == 0:
        return False
    all_pods = util.replica_count(all_rss)
    min_available = util.replicas_of(d) - util.max_unavailable(d)
    new_unavailable = util.replicas_of(new_rs) - (new_rs.get("status") or {}).get("availableReplicas", 0)
    max_scaled_down = all_pods - min_available - new_unavailable
    if max_scaled_down <= 0:
        return False
    old_rss, cleaned = cleanup_unhealthy_replicas(dc, old_rss, d, max_scaled_down)
    scaled = scale_down_old_replica_sets(dc, old_rss + [new_rs], old_rss, d)
    return cleaned + scaled > 0


def cleanup_unhealthy_replicas(dc, old_rss: list[dict], d: dict, max_cleanup: int) -> tuple[list[dict], int]:
    """Remove old ReplicaSets' unavailable replicas first, oldest ReplicaSet first."""
    old_rss = util.by_creation_timestamp(old_rss)
    total = 0
    for i, rs in enumerate(old_rss):
        if total >= max_cleanup:
            break
        replicas = util.replicas_of(rs)
        available = (rs.get("status") or {}).get("availableReplicas", 0)
        if replicas == 0 or replicas == available:
            continue
        count = min(max_cleanup - total, replicas - available)
        new_count = replicas - count
        if new_count > replicas:
            raise ValueError(f"when cleaning up unhealthy replicas, got invalid request to scale down "
                             f"{rs['metadata']['namespace']}/{rs['metadata']['name']} {replicas} -> {new_count}")
        _, old_rss[i] = sync.scale_rs_and_record_event(dc, rs, new_count, d)
        total += count
    return old_rss, total


def scale_down_old_replica_sets(dc, all_rss: list[Optional[dict]], old_rss: list[dict], d: dict) -> int:
    """``scaleDownOldReplicaSetsForRollingUpdate``: give up available pods down to the minimum."""
    min_available = util.replicas_of(d) - util.max_unavailable(d)
    available = util.available_replica_count(all_rss)
    if available <= min_available:
        return 0
    total, target = 0, available - min_available
    for rs in util.by_creation_timestamp(old_rss):
        if total >= target:
            break
        replicas = util.replicas_of(rs)
        if replicas == 0:
            continue
        count = min(replicas, target - total)
        new_count = replicas - count
        if new_count > replicas:
            raise ValueError(f"when scaling down old replica sets, got invalid request to scale down "
                             f"{rs['metadata']['namespace']}/{rs['metadata']['name']} {replicas} -> {new_count}")
        sync.scale_rs_and_record_event(dc, rs, new_count, d)
        total += count
    return total
