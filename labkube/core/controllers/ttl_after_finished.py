"""The TTL-after-finished controller: delete finished Jobs once their time is up.

Mirrors pkg/controller/ttlafterfinished/ttlafterfinished_controller.go (Kubernetes 1.32). A Job
with ``spec.ttlSecondsAfterFinished`` is deleted that many seconds after it finished (the
``lastTransitionTime`` of its ``Complete`` or ``Failed`` condition), with
``propagationPolicy: Foreground`` (the Job stays, with the ``foregroundDeletion`` finalizer,
until the garbage collector has deleted its pods), and with a uid precondition so a new Job of
the same name is never hit. Just before deleting, the controller reads the Job again from the
API server: a TTL changed in the meantime is honoured. It records no events.
"""

from __future__ import annotations

from typing import Optional

from labkube.core.clock import parse_timestamp
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.errors import StatusError
from labkube.core.machinery import object_key


def finish_time(job: dict) -> Optional[float]:
    """``jobFinishTime``: when the Complete or Failed condition became True."""
    for cond in (job.get("status") or {}).get("conditions") or ():
        if cond.get("type") in ("Complete", "Failed") and cond.get("status") == "True":
            when = cond.get("lastTransitionTime")
            return parse_timestamp(when) if when else None
    return None


def expires_in(job: dict, now: float) -> Optional[float]:
    """Seconds until the Job may be deleted (<= 0: now), or None if it never expires (yet)."""
    ttl = (job.get("spec") or {}).get("ttlSecondsAfterFinished")
    if ttl is None or job["metadata"].get("deletionTimestamp"):
        return None
    finished = finish_time(job)
    if finished is None:
        return None
    return finished + ttl - now


@register
class TTLAfterFinishedController(KubeController):
    """Deletes Jobs ``ttlSecondsAfterFinished`` after they finish."""

    name = "ttl-after-finished-controller"

    def setup(self) -> None:
        self.job_informer = self.ctx.informers.informer("jobs")
        self.job_informer.add_event_handler(self._job_changed, lambda old, cur: self._job_changed(cur))

    def _job_changed(self, job: dict) -> None:
        if expires_in(job, self.clock.now()) is not None:
            self.enqueue(object_key(job))

    def sync(self, key: str) -> None:
        """``processJob``: requeue until the TTL ran out, then delete (after a fresh read)."""
        job = self.job_informer.get(key)
        if job is None or self._requeued(key, job):
            return
        meta = job["metadata"]
        try:
            fresh = self.client.get("jobs", meta["name"], meta["namespace"])
        except StatusError as err:
            if err.code == 404:
                return
            raise
        if self._requeued(key, fresh):
            return
        try:
            self.client.delete("jobs", meta["name"], meta["namespace"], propagation_policy="Foreground",
                               preconditions={"uid": fresh["metadata"]["uid"]})
        except StatusError as err:
            if err.code not in (404, 409):
                raise

    def _requeued(self, key: str, job: dict) -> bool:
        """True when the Job does not expire now (requeued for when it does, if ever)."""
        remaining = expires_in(job, self.clock.now())
        if remaining is None:
            return True
        if remaining > 0:
            self.queue.add_after(key, remaining)
            return True
        return False
