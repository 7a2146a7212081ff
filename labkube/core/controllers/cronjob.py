"""The CronJob controller: create a Job at every scheduled time, and tidy up after them.

Mirrors pkg/controller/cronjob/cronjob_controllerv2.go and utils.go (Kubernetes 1.32). The
controller never polls: each ``sync`` ends by requeueing the CronJob for its next scheduled
time plus 100 ms (``nextScheduleDelta``), so a ``*/1 * * * *`` CronJob is looked at once a
minute of cluster time and one with no CronJobs costs nothing. One ``sync(key)``:

1. list the Jobs whose controller reference names this CronJob;
2. **clean up**: keep the ``successfulJobsHistoryLimit`` newest Complete Jobs and the
   ``failedJobsHistoryLimit`` newest Failed ones (oldest ``status.startTime`` first), deleting
   the rest in the background (event ``SuccessfulDelete``, "Deleted job <name>");
3. **reconcile status**: a finished Job leaves ``status.active`` (``SawCompletedJob``), a
   Complete one moves ``status.lastSuccessfulTime`` to its ``completionTime``; an unfinished
   Job it did not record is reported (``UnexpectedJob``), an active Job that is gone is dropped
   (``MissingJob``);
4. being deleted, suspended, or with a schedule it cannot use (``UnparseableSchedule``,
   ``InvalidSchedule``, ``UnknownTimeZone``): stop here, without a requeue;
5. find the most recent **unmet scheduled time** since ``status.lastScheduleTime`` (or the
   creation time), no earlier than ``startingDeadlineSeconds`` ago. None: requeue for the next.
   More than 100 missed: warn ``TooManyMissedTimes`` and start the latest anyway. Later than
   the deadline: ``MissSchedule``. Already started: nothing to do;
6. ``concurrencyPolicy``: ``Forbid`` skips while a Job is active (``JobAlreadyActive``),
   ``Replace`` deletes the active Jobs first, ``Allow`` runs them side by side;
7. **create** ``<cronjob>-<scheduled time in Unix minutes>`` from the jobTemplate (its labels
   and annotations, the annotation ``batch.kubernetes.io/cronjob-scheduled-timestamp``, a
   controller reference), add it to ``status.active``, set ``lastScheduleTime``
   (``SuccessfulCreate``, "Created job <name>"); then write status once, and requeue.

Schedules are read by :mod:`labkube.core.cron` in ``spec.timeZone`` (default: the controller's
zone, UTC). Times are Unix seconds from the cluster clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from labkube.core import cron
from labkube.core.clock import format_timestamp, parse_timestamp
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.job import condition, is_finished
from labkube.core.controllers.manager import register
from labkube.core.controllers.owner import controller_ref, new_controller_ref
from labkube.core.controllers.replicaset import NAMESPACE_TERMINATING_CAUSE, has_status_cause
from labkube.core.errors import StatusError
from labkube.core.machinery import NORMAL, WARNING, object_key
from labkube.core.serialization import copy as json_copy

KIND = "CronJob"
API_VERSION = "batch/v1"
#: ``batchv1.CronJobScheduledTimestampAnnotation`` (feature CronJobsScheduledAnnotation, beta in 1.32).
SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"
#: ``nextScheduleDelta``: requeue a little after the scheduled time, for clock skew.
NEXT_SCHEDULE_DELTA = 0.1
#: More missed start times than this and the controller warns (``TooManyMissedTimes``).
MANY_MISSED = 100
#: Jobs by ``<namespace>/<name of their controller>``.
JOBS_BY_CONTROLLER_NAME = "cronjob-controller-name"


class ReplaceFailed(Exception):
    """``Replace`` could not delete a running Job: the sync is retried with backoff."""


class ScheduleError(Exception):
    """A schedule that parses but never fires sensibly (``59 23 31 2 *``)."""


@dataclass(frozen=True)
class ScheduleLookup:
    """``mostRecentScheduleTime``'s answer."""

    earliest: float  # lastScheduleTime, else creationTimestamp (or the starting deadline)
    most_recent: Optional[float]  # the latest scheduled time not after now, if any
    missed: int  # 0: none, else roughly how many scheduled times passed


# -- the schedule arithmetic of utils.go -------------------------------------------------------------


def schedule_for(cron_job: dict) -> "cron.SpecSchedule | cron.ConstantDelaySchedule":
    """``cron.ParseStandard(formatSchedule(cj))``: the schedule read in ``spec.timeZone``."""
    spec = cron_job["spec"]
    schedule, zone = spec.get("schedule") or "", spec.get("timeZone")
    if "TZ" not in schedule and zone is not None:
        try:
            cron.load_location(zone)
        except cron.CronSyntaxError:
            return cron.parse_standard(schedule)
        return cron.parse_standard(f"TZ={zone} {schedule}")
    return cron.parse_standard(schedule)


def most_recent_schedule_time(cron_job: dict, now: float, schedule,
                              include_starting_deadline: bool) -> ScheduleLookup:
    """``mostRecentScheduleTime``: raises :class:`ScheduleError` for a schedule that never fires."""
    status, spec = cron_job.get("status") or {}, cron_job["spec"]
    earliest = parse_timestamp(cron_job["metadata"]["creationTimestamp"])
    if status.get("lastScheduleTime"):
        earliest = parse_timestamp(status["lastScheduleTime"])
    deadline = spec.get("startingDeadlineSeconds")
    if include_starting_deadline and deadline is not None:
        earliest = max(earliest, now - deadline)
    t1 = schedule.next(earliest)
    t2 = schedule.next(t1) if t1 is not None else None
    if t1 is not None and now < t1:
        return ScheduleLookup(earliest, None, 0)
    if t2 is not None and now < t2:
        return ScheduleLookup(earliest, t1, 0)
    between = round(t2 - t1) if t1 is not None and t2 is not None else 0
    if between < 1:
        raise ScheduleError("time difference between two schedules is less than 1 second")
    missed = int(now - t1) // between + 1
    most_recent = None
    t = schedule.next(t1 + (missed - 2) * between)
    while t is not None and t <= now:
        most_recent, t = t, schedule.next(t)
    return ScheduleLookup(earliest, most_recent, missed)


def next_schedule_delay(cron_job: dict, now: float, schedule) -> Optional[float]:
    """``nextScheduleTimeDuration``: seconds until just after the next scheduled time."""
    try:
        lookup = most_recent_schedule_time(cron_job, now, schedule, False)
        base = lookup.most_recent
        if base is None:
            base = lookup.earliest if lookup.missed == 0 else now
    except ScheduleError:
        base = now
    following = schedule.next(base)
    if following is None:
        return None
    return following + NEXT_SCHEDULE_DELTA - now


def job_name(cron_job: dict, scheduled: float) -> str:
    """``getJobName``: the CronJob's name and the scheduled time in minutes since 1970."""
    return f"{cron_job['metadata']['name']}-{int(scheduled) // 60}"


def rfc3339_in_zone(seconds: float, zone_name: Optional[str]) -> str:
    """``t.In(loc).Format(time.RFC3339)``: local wall time with its offset, ``Z`` for +00:00."""
    local = datetime.fromtimestamp(int(seconds), cron.load_location(zone_name or ""))
    text = local.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def rfc1123z(seconds: float) -> str:
    """``t.UTC().Format(time.RFC1123Z)``: ``Wed, 01 Jan 2025 00:01:00 +0000``."""
    return datetime.fromtimestamp(int(seconds), cron.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


def job_from_template(cron_job: dict, scheduled: float) -> dict:
    """``getJobFromTemplate2``: the Job to create for ``scheduled``."""
    template = cron_job["spec"].get("jobTemplate") or {}
    template_meta = template.get("metadata") or {}
    annotations = dict(template_meta.get("annotations") or {})
    annotations[SCHEDULED_TIMESTAMP_ANNOTATION] = rfc3339_in_zone(scheduled, cron_job["spec"].get("timeZone"))
    meta: dict = {"name": job_name(cron_job, scheduled), "namespace": cron_job["metadata"]["namespace"]}
    if template_meta.get("labels"):
        meta["labels"] = dict(template_meta["labels"])
    meta["annotations"] = dict(sorted(annotations.items()))
    meta["ownerReferences"] = [new_controller_ref(cron_job, API_VERSION, KIND)]
    return {"apiVersion": API_VERSION, "kind": "Job", "metadata": meta,
            "spec": json_copy(template.get("spec") or {})}


def job_reference(job: dict) -> dict:
    """``ref.GetReference``: how ``status.active`` names a Job."""
    meta = job["metadata"]
    return {"kind": "Job", "namespace": meta["namespace"], "name": meta["name"], "uid": meta["uid"],
            "apiVersion": API_VERSION, "resourceVersion": meta["resourceVersion"]}


def start_time_order(job: dict) -> tuple:
    """``byJobStartTime``: started Jobs oldest first, then those never started; ties by name."""
    started = (job.get("status") or {}).get("startTime")
    return (started is None, parse_timestamp(started) if started else 0.0, job["metadata"]["name"])


def _controller_name_index(job: dict) -> list[str]:
    ref = controller_ref(job)
    return [f"{job['metadata'].get('namespace', '')}/{ref['name']}"] if ref is not None else []


# -- the controller ----------------------------------------------------------------------------------


@register
class CronJobController(KubeController):
    """Runs Jobs on a cron schedule."""

    name = "cronjob-controller"

    def setup(self) -> None:
        self.cron_job_informer = self.ctx.informers.informer("cronjobs")
        self.job_informer = self.ctx.informers.informer("jobs")
        self.job_informer.add_indexer(JOBS_BY_CONTROLLER_NAME, _controller_name_index)
        self.cron_job_informer.add_event_handler(self._enqueue, self._update_cron_job, self._enqueue)
        self.job_informer.add_event_handler(self._add_job, self._update_job, self._job_changed)

    # -- event handlers: compute keys, enqueue ---------------------------------------------------
    def _enqueue(self, cron_job: dict) -> None:
        self.enqueue(object_key(cron_job))

    def _update_cron_job(self, old: dict, cur: dict) -> None:
        """A new schedule or zone: requeue for its next time; any other change: now."""
        old_spec, cur_spec = old.get("spec") or {}, cur.get("spec") or {}
        if (old_spec.get("schedule"), old_spec.get("timeZone")) == (cur_spec.get("schedule"), cur_spec.get("timeZone")):
            self._enqueue(cur)
            return
        try:
            schedule = schedule_for(cur)
        except cron.CronSyntaxError:
            self.recorder.event(cur, WARNING, "UnParseableCronJobSchedule",
                                f"unparseable schedule for cronjob: {cur_spec.get('schedule')}")
            return
        delay = next_schedule_delay(cur, self.clock.now(), schedule)
        if delay is not None:
            self.queue.add_after(object_key(cur), delay)

    def _add_job(self, job: dict) -> None:
        self._job_changed(job)

    def _update_job(self, old: dict, cur: dict) -> None:
        if old["metadata"].get("resourceVersion") == cur["metadata"].get("resourceVersion"):
            return
        if controller_ref(old) != controller_ref(cur):
            self._job_changed(old)
        self._job_changed(cur)

    def _job_changed(self, job: dict) -> None:
        ref = controller_ref(job)
        if ref is None or ref.get("kind") != KIND:
            return
        owner = self.cron_job_informer.get_by_name(job["metadata"].get("namespace"), ref["name"])
        if owner is not None and owner["metadata"].get("uid") == ref.get("uid"):
            self._enqueue(owner)

    # -- sync -------------------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """One reconcile: clean up, reconcile status, maybe create a Job, write status, requeue."""
        cached = self.cron_job_informer.get(key)
        if cached is None:
            return
        jobs = self.job_informer.by_index(JOBS_BY_CONTROLLER_NAME, key)
        cron_job = json_copy(cached)
        cleaned = self._cleanup_finished_jobs(cron_job, jobs)
        requeue_after, changed, error = self._sync_cron_job(cron_job, jobs)
        if cleaned or changed:
            self.client.update(cron_job, subresource="status")
        if requeue_after is not None:
            self.queue.add_after(key, requeue_after)
            return
        if error is not None:
            raise error

    def _sync_cron_job(self, cron_job: dict, jobs: list[dict]) -> tuple[Optional[float], bool, Optional[Exception]]:
        """``syncCronJob``: returns (requeue after, status changed, error to retry)."""
        try:
            changed = self._reconcile_active(cron_job, jobs)
        except StatusError as err:
            return None, False, err
        if cron_job["metadata"].get("deletionTimestamp"):
            return None, changed, None
        schedule = self._usable_schedule(cron_job)
        if schedule is None:
            return None, changed, None
        now = self.clock.now()
        try:
            scheduled = self._next_schedule_time(cron_job, now, schedule)
        except ScheduleError as err:
            self.recorder.event(cron_job, WARNING, "InvalidSchedule",
                                f"invalid schedule: {cron_job['spec']['schedule']} : {err}")
            return None, changed, None
        if scheduled is None or not self._should_start(cron_job, scheduled, now):
            return next_schedule_delay(cron_job, now, schedule), changed, None
        if cron_job["spec"].get("concurrencyPolicy") == "Replace":
            try:
                changed |= self._replace_active(cron_job)
            except (StatusError, ReplaceFailed) as err:
                return None, changed, err
        try:
            changed |= self._start_job(cron_job, scheduled)
        except StatusError as err:
            return None, changed, err
        return next_schedule_delay(cron_job, now, schedule), changed, None

    # -- step 3: status.active and lastSuccessfulTime --------------------------------------------
    def _reconcile_active(self, cron_job: dict, jobs: list[dict]) -> bool:
        changed = False
        status = cron_job.setdefault("status", {})
        for job in jobs:
            uid, name = job["metadata"]["uid"], job["metadata"]["name"]
            found = _in_active(cron_job, uid)
            if not found and not is_finished(job):
                fresh = self.client.get("cronjobs", cron_job["metadata"]["name"], cron_job["metadata"]["namespace"])
                if _in_active(fresh, uid):
                    cron_job.clear()
                    cron_job.update(fresh)
                    status = cron_job.setdefault("status", {})
                    continue
                self.recorder.event(cron_job, WARNING, "UnexpectedJob",
                                    f"Saw a job that the controller did not create or forgot: {name}")
            elif is_finished(job):
                if found:
                    finished_as = "Complete" if condition(job, "Complete") else "Failed"
                    _remove_from_active(cron_job, uid)
                    self.recorder.event(cron_job, NORMAL, "SawCompletedJob",
                                        f"Saw completed job: {name}, condition: {finished_as}")
                    changed = True
                changed |= _note_success(status, job)
        changed |= self._drop_missing(cron_job, {job["metadata"]["uid"] for job in jobs})
        return changed

    def _drop_missing(self, cron_job: dict, children: set[str]) -> bool:
        """Active Jobs that are neither cached nor in the API server are forgotten (``MissingJob``)."""
        changed = False
        for ref in list((cron_job.get("status") or {}).get("active") or ()):
            if ref.get("uid") in children:
                continue
            try:
                self.client.get("jobs", ref["name"], ref["namespace"])
            except StatusError as err:
                if err.code != 404:
                    raise
                self.recorder.event(cron_job, NORMAL, "MissingJob", f"Active job went missing: {ref['name']}")
                _remove_from_active(cron_job, ref.get("uid"))
                changed = True
        return changed

    # -- step 4: what stops the controller from scheduling ----------------------------------------
    def _usable_schedule(self, cron_job: dict):
        spec = cron_job["spec"]
        zone = spec.get("timeZone")
        if zone is not None:
            try:
                cron.load_location(zone)
            except cron.CronSyntaxError as err:
                self.recorder.event(cron_job, WARNING, "UnknownTimeZone", f'invalid timeZone: "{zone}": {err}')
                return None
        if spec.get("suspend"):
            return None
        if "TZ" in (spec.get("schedule") or ""):
            self.recorder.event(
                cron_job, WARNING, "UnsupportedSchedule",
                f'CRON_TZ or TZ used in schedule "{spec["schedule"]}" is not officially supported, '
                "see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details")
        try:
            return schedule_for(cron_job)
        except cron.CronSyntaxError as err:
            self.recorder.event(cron_job, WARNING, "UnparseableSchedule",
                                f'unparseable schedule: "{spec.get("schedule")}" : {err}')
            return None

    # -- step 5: the scheduled time to start, if any ------------------------------------------------
    def _next_schedule_time(self, cron_job: dict, now: float, schedule) -> Optional[float]:
        """``nextScheduleTime``: the most recent unmet time; warns when too many were missed."""
        lookup = most_recent_schedule_time(cron_job, now, schedule, True)
        if lookup.most_recent is None or lookup.most_recent > now:
            return None
        if lookup.missed > MANY_MISSED:
            self.recorder.event(cron_job, WARNING, "TooManyMissedTimes",
                                "too many missed start times. Set or decrease .spec.startingDeadlineSeconds "
                                "or check clock skew")
        return lookup.most_recent

    def _should_start(self, cron_job: dict, scheduled: float, now: float) -> bool:
        """Not too late, not started already, and not forbidden by a running Job."""
        spec, status = cron_job["spec"], cron_job.get("status") or {}
        deadline = spec.get("startingDeadlineSeconds")
        if deadline is not None and scheduled + deadline < now:
            self.recorder.event(cron_job, WARNING, "MissSchedule",
                                f"Missed scheduled time to start a job: {rfc1123z(scheduled)}")
            return False
        name = job_name(cron_job, scheduled)
        already = any(ref.get("name") == name for ref in status.get("active") or ())
        last = status.get("lastScheduleTime")
        if already or (last and parse_timestamp(last) == scheduled):
            return False
        if spec.get("concurrencyPolicy") == "Forbid" and status.get("active"):
            self.recorder.event(cron_job, NORMAL, "JobAlreadyActive",
                                "Not starting job because prior execution is running and concurrency policy is Forbid")
            return False
        return True

    # -- steps 6 and 7: replace, then create ---------------------------------------------------------
    def _start_job(self, cron_job: dict, scheduled: float) -> bool:
        """Create the Job and record it in status; True if status changed. Raises to be retried."""
        request = job_from_template(cron_job, scheduled)
        namespace = cron_job["metadata"]["namespace"]
        try:
            created = self.client.create(request, namespace)
        except StatusError as err:
            if err.code == 409 and err.reason == "AlreadyExists":
                return self._adopt_existing(cron_job, request, scheduled)
            if has_status_cause(err, NAMESPACE_TERMINATING_CAUSE):
                raise
            self.recorder.event(cron_job, WARNING, "FailedCreate", f"Error creating job: {err.message}")
            raise
        self.recorder.event(cron_job, NORMAL, "SuccessfulCreate", f"Created job {created['metadata']['name']}")
        self._record_started(cron_job, created, scheduled)
        return True

    def _replace_active(self, cron_job: dict) -> bool:
        """``Replace``: delete every active Job before the new one starts."""
        changed = False
        for ref in list((cron_job.get("status") or {}).get("active") or ()):
            try:
                job = self.client.get("jobs", ref["name"], ref["namespace"])
            except StatusError as err:
                self.recorder.event(cron_job, WARNING, "FailedGet", f"Get job: {err.message}")
                raise
            if not self._delete_job(cron_job, job):
                raise ReplaceFailed(f"could not replace job {ref['namespace']}/{ref['name']}")
            changed = True
        return changed

    def _adopt_existing(self, cron_job: dict, request: dict, scheduled: float) -> bool:
        """The Job exists: ours but unrecorded (a crash after create) is added to ``active``."""
        meta = request["metadata"]
        job = self.client.get("jobs", meta["name"], meta["namespace"])
        ref = controller_ref(job)
        if ref is None or ref.get("uid") != cron_job["metadata"]["uid"]:
            return False
        if _in_active(cron_job, job["metadata"]["uid"]):
            return False
        self._record_started(cron_job, job, scheduled)
        return True

    @staticmethod
    def _record_started(cron_job: dict, job: dict, scheduled: float) -> None:
        status = cron_job.setdefault("status", {})
        status["active"] = list(status.get("active") or ()) + [job_reference(job)]
        status["lastScheduleTime"] = format_timestamp(scheduled)

    # -- step 2: history limits --------------------------------------------------------------------
    def _cleanup_finished_jobs(self, cron_job: dict, jobs: list[dict]) -> bool:
        """``cleanupFinishedJobs``: the oldest finished Jobs beyond the history limits go."""
        spec = cron_job["spec"]
        succeeded = [job for job in jobs if condition(job, "Complete")]
        failed = [job for job in jobs if condition(job, "Failed") and not condition(job, "Complete")]
        changed = False
        for finished, limit in ((succeeded, spec.get("successfulJobsHistoryLimit")),
                                (failed, spec.get("failedJobsHistoryLimit"))):
            if limit is not None and len(finished) > limit:
                for job in sorted(finished, key=start_time_order)[:len(finished) - limit]:
                    changed |= self._delete_job(cron_job, job)
        return changed

    def _delete_job(self, cron_job: dict, job: dict) -> bool:
        """``deleteJob``: delete in the background (its pods follow), forget it in ``active``."""
        meta = job["metadata"]
        try:
            self.client.delete("jobs", meta["name"], meta["namespace"], propagation_policy="Background")
        except StatusError as err:
            self.recorder.event(cron_job, WARNING, "FailedDelete", f"Deleted job: {err.message}")
            return False
        _remove_from_active(cron_job, meta["uid"])
        self.recorder.event(cron_job, NORMAL, "SuccessfulDelete", f"Deleted job {meta['name']}")
        return True


# -- status helpers -------------------------------------------------------------------------------


def _in_active(cron_job: dict, uid: str) -> bool:
    return any(ref.get("uid") == uid for ref in (cron_job.get("status") or {}).get("active") or ())


def _remove_from_active(cron_job: dict, uid: Optional[str]) -> None:
    """``deleteFromActiveList``: an emptied list disappears from the JSON (omitempty)."""
    status = cron_job.setdefault("status", {})
    remaining = [ref for ref in status.get("active") or () if ref.get("uid") != uid]
    if remaining:
        status["active"] = remaining
    else:
        status.pop("active", None)


def _note_success(status: dict, job: dict) -> bool:
    """A Complete Job's ``completionTime`` becomes ``lastSuccessfulTime`` if it is later."""
    completed = (job.get("status") or {}).get("completionTime")
    if not condition(job, "Complete") or not completed:
        return False
    last = status.get("lastSuccessfulTime")
    if last is None or parse_timestamp(completed) > parse_timestamp(last):
        status["lastSuccessfulTime"] = completed
        return True
    return False
