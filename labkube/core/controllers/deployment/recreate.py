"""The Recreate strategy: all old pods gone before any new pod is created.

Mirrors pkg/controller/deployment/recreate.go (Kubernetes 1.32):

1. scale every old ReplicaSet to 0 (and report status);
2. wait until no old pod is left — not even a terminating one (only Succeeded/Failed pods do not
   count). The pod informer's delete handler requeues the Deployment when its last pod goes;
3. only then create the new ReplicaSet (if it does not exist yet) and scale it to
   ``spec.replicas``;
4. once complete, clean up old ReplicaSets beyond ``revisionHistoryLimit``.

Old and new pods therefore never run at the same time — and the application is down between
steps 2 and 3, which is the price of Recreate.
"""

from __future__ import annotations

from typing import Optional

from labkube.core.controllers.deployment import progress, sync, util


def rollout_recreate(dc, d: dict, rs_list: list[dict], pod_map: dict[str, list[dict]]) -> None:
    """``rolloutRecreate``."""
    new_rs, old_rss = sync.get_all_replica_sets_and_sync_revision(dc, d, rs_list, False)
    all_rss = old_rss + [new_rs]
    if scale_down_old_replica_sets(dc, util.filter_active(old_rss), d):
        progress.sync_rollout_status(dc, all_rss, new_rs, d)
        return
    if old_pods_running(new_rs, old_rss, pod_map):
        progress.sync_rollout_status(dc, all_rss, new_rs, d)
        return
    if new_rs is None:
        new_rs, old_rss = sync.get_all_replica_sets_and_sync_revision(dc, d, rs_list, True)
        all_rss = old_rss + [new_rs]
    sync.scale_rs_and_record_event(dc, new_rs, util.replicas_of(d), d)
    if util.deployment_complete(d, d.get("status") or {}):
        sync.cleanup_deployment(dc, old_rss, d)
    progress.sync_rollout_status(dc, all_rss, new_rs, d)


def scale_down_old_replica_sets(dc, old_rss: list[dict], d: dict) -> bool:
    scaled = False
    for rs in old_rss:
        if util.replicas_of(rs) == 0:
            continue
        changed, _ = sync.scale_rs_and_record_event(dc, rs, 0, d)
        scaled = scaled or changed
    return scaled


def old_pods_running(new_rs: Optional[dict], old_rss: list[dict], pod_map: dict[str, list[dict]]) -> bool:
    """``oldPodsRunning``: any old pod that is not Succeeded or Failed (terminating ones count)."""
    if util.actual_replica_count(old_rss) > 0:
        return True
    new_uid = new_rs["metadata"]["uid"] if new_rs is not None else None
    for rs_uid, pods in pod_map.items():
        if rs_uid == new_uid:
            continue
        for pod in pods:
            if (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
                return True
    return False
