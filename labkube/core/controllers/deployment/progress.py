"""Rollout progress: the Progressing condition and progressDeadlineSeconds.

Mirrors pkg/controller/deployment/progress.go (Kubernetes 1.32). After each rollout step the
controller compares the new status with the old one:

* complete (all replicas updated and available, generation observed) → Progressing True,
  ``NewReplicaSetAvailable``, "ReplicaSet \"web-7d4b9c8f5\" has successfully progressed.";
* any progress (more updated, ready or available replicas, fewer old ones) → Progressing True,
  ``ReplicaSetUpdated``, "ReplicaSet \"web-7d4b9c8f5\" is progressing." — its
  ``lastUpdateTime`` moves, ``lastTransitionTime`` does not;
* no progress for ``progressDeadlineSeconds`` since that ``lastUpdateTime`` → Progressing False,
  ``ProgressDeadlineExceeded``, "ReplicaSet \"web-…\" has timed out progressing." (the rollout
  is *not* stopped; ``kubectl rollout status`` reports the failure).

A ``ReplicaFailure`` condition of the new (else any) ReplicaSet is copied to the Deployment.
When nothing changed, the Deployment is requeued for the moment its deadline would pass.
"""

from __future__ import annotations

from typing import Optional

from labkube.core.clock import parse_timestamp
from labkube.core.controllers.deployment import sync, util


def sync_rollout_status(dc, all_rss: list[Optional[dict]], new_rs: Optional[dict], d: dict) -> None:
    """``syncRolloutStatus``."""
    now = dc.clock.timestamp()
    status = sync.calculate_status(d, all_rss, new_rs, now)
    if not util.has_progress_deadline(d):
        util.remove_condition(status, "Progressing")
    current = util.get_condition(d.get("status") or {}, "Progressing")
    complete = status.get("replicas", 0) == status.get("updatedReplicas", 0) and current is not None \
        and current.get("reason") == util.NEW_RS_AVAILABLE_REASON
    if util.has_progress_deadline(d) and not complete:
        _update_progressing(dc, d, status, new_rs, current, now)
    failures = replica_failures(all_rss, new_rs)
    if failures:
        util.set_condition(status, failures[0])
    else:
        util.remove_condition(status, "ReplicaFailure")
    if status == (d.get("status") or {}):
        requeue_stuck_deployment(dc, d, status)
        return
    d["status"] = sync.ordered_status(status)
    dc.update_status(d)


def _subject(d: dict, new_rs: Optional[dict]) -> str:
    if new_rs is not None:
        return f'ReplicaSet "{new_rs["metadata"]["name"]}"'
    return f'Deployment "{d["metadata"]["name"]}"'


def _update_progressing(dc, d: dict, status: dict, new_rs: Optional[dict], current: Optional[dict], now: str) -> None:
    subject = _subject(d, new_rs)
    if util.deployment_complete(d, status):
        util.set_condition(status, util.new_condition(
            "Progressing", "True", util.NEW_RS_AVAILABLE_REASON, f"{subject} has successfully progressed.", now))
    elif util.deployment_progressing(d, status):
        condition = util.new_condition("Progressing", "True", util.RS_UPDATED_REASON,
                                       f"{subject} is progressing.", now)
        if current is not None:
            if current.get("status") == "True":
                condition["lastTransitionTime"] = current.get("lastTransitionTime")
            util.remove_condition(status, "Progressing")
        util.set_condition(status, condition)
    elif util.deployment_timed_out(d, status, dc.clock.now()):
        util.set_condition(status, util.new_condition(
            "Progressing", "False", util.TIMED_OUT_REASON, f"{subject} has timed out progressing.", now))


def replica_failures(all_rss: list[Optional[dict]], new_rs: Optional[dict]) -> list[dict]:
    """``getReplicaFailures``: the new ReplicaSet's ReplicaFailure conditions, else any old one's."""
    def failures(rs):
        return [util.rs_to_deployment_condition(c) for c in (rs.get("status") or {}).get("conditions") or ()
                if c.get("type") == "ReplicaFailure"]
    if new_rs is not None:
        found = failures(new_rs)
        if found:
            return found
    return [c for rs in all_rss if rs is not None for c in failures(rs)]


def requeue_stuck_deployment(dc, d: dict, status: dict) -> float:
    """``requeueStuckDeployment``: check again when the progress deadline would pass."""
    current = util.get_condition(d.get("status") or {}, "Progressing")
    if not util.has_progress_deadline(d) or current is None:
        return -1
    if util.deployment_complete(d, status) or current.get("reason") == util.TIMED_OUT_REASON:
        return -1
    after = parse_timestamp(current["lastUpdateTime"]) + d["spec"]["progressDeadlineSeconds"] - dc.clock.now()
    key = dc.key_of(d)
    if after < 1:
        dc.queue.add_rate_limited(key)
        return 0
    dc.queue.add_after(key, after + 1)  # a second more, against skew, as Kubernetes does
    return after
