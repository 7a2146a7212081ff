"""The columns kube-apiserver prints for Jobs and CronJobs (``kubectl get jobs,cronjobs``).

Mirrors printJob in pkg/printers/internalversion/printers.go (Kubernetes 1.32)::

    NAME   STATUS     COMPLETIONS   DURATION   AGE   (-o wide:) CONTAINERS   IMAGES   SELECTOR
    pi     Complete   1/1           18s        60s

STATUS is the first of: ``Complete``, ``Failed`` (their conditions True), ``Terminating`` (being
deleted), ``Suspended``, ``FailureTarget``, ``SuccessCriteriaMet``, else ``Running``.
COMPLETIONS is ``succeeded/completions``; without completions ``succeeded/1``, or
``succeeded/1 of parallelism`` when more than one pod runs at once. DURATION is empty before the
Job starts, the time since it started while it runs, and the time it took once complete.

CronJobs follow printCronJob::

    NAME    SCHEDULE    TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE   (-o wide:) CONTAINERS   IMAGES   SELECTOR
    hello   * * * * *   <none>     False     0        42s             5m

TIMEZONE is ``spec.timeZone`` or ``<none>``; SUSPEND ``True``/``False`` (``<unset>`` if absent);
ACTIVE counts ``status.active``; LAST SCHEDULE is the age of ``status.lastScheduleTime``
(``<none>`` before the first Job); the wide columns describe the jobTemplate's pod template, and
its selector, which is always empty (the Job strategy generates one per Job).

:data:`JOB_COLUMNS` and :data:`CRON_JOB_COLUMNS` are added to ``columns.COLUMN_SETS``.
"""

from __future__ import annotations

from labkube.kubectl.printers.age import age, human_duration, parse_time
from labkube.kubectl.printers.columns import Column, ColumnSet, containers_and_images
from labkube.kubectl.printers.format import format_label_selector

#: The STATUS column: the first condition (True) found in this order wins.
_STATUS_CONDITIONS = ("Complete", "Failed", "Terminating", "Suspended", "FailureTarget",
                      "SuccessCriteriaMet")


def job_status(job: dict) -> str:
    true = {c.get("type") for c in (job.get("status") or {}).get("conditions") or ()
            if c.get("status") == "True"}
    if (job.get("metadata") or {}).get("deletionTimestamp"):
        true.add("Terminating")
    for name in _STATUS_CONDITIONS:
        if name in true:
            return name
    return "Running"


def job_completions(job: dict) -> str:
    spec, status = job.get("spec") or {}, job.get("status") or {}
    succeeded = status.get("succeeded", 0)
    if spec.get("completions") is not None:
        return f"{succeeded}/{spec['completions']}"
    parallelism = spec.get("parallelism") or 0
    return f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"


def job_duration(job: dict, now: float) -> str:
    status = job.get("status") or {}
    start = parse_time(status.get("startTime"))
    if start is None:
        return ""
    end = parse_time(status.get("completionTime"))
    return human_duration((now if end is None else end) - start)


def job_row(job: dict, now: float) -> list[str]:
    spec = job.get("spec") or {}
    names, images = containers_and_images(((spec.get("template") or {}).get("spec") or {}).get("containers"))
    return [
        (job.get("metadata") or {}).get("name", ""), job_status(job), job_completions(job),
        job_duration(job, now), age((job.get("metadata") or {}).get("creationTimestamp"), now),
        names, images, format_label_selector(spec.get("selector")),
    ]


JOB_COLUMNS = ColumnSet(
    (Column("Name", is_name=True), Column("Status"), Column("Completions"), Column("Duration"),
     Column("Age"), Column("Containers", 1), Column("Images", 1), Column("Selector", 1)),
    job_row,
)


def _bool_ptr(value) -> str:
    """``printBoolPtr``."""
    if value is None:
        return "<unset>"
    return "True" if value else "False"


def cron_job_row(cron_job: dict, now: float) -> list[str]:
    spec, status = cron_job.get("spec") or {}, cron_job.get("status") or {}
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    names, images = containers_and_images(((job_spec.get("template") or {}).get("spec") or {}).get("containers"))
    last = status.get("lastScheduleTime")
    return [
        (cron_job.get("metadata") or {}).get("name", ""), spec.get("schedule", ""),
        spec.get("timeZone") if spec.get("timeZone") is not None else "<none>",
        _bool_ptr(spec.get("suspend")), str(len(status.get("active") or ())),
        age(last, now) if last else "<none>", age((cron_job.get("metadata") or {}).get("creationTimestamp"), now),
        names, images, format_label_selector(job_spec.get("selector")),
    ]


CRON_JOB_COLUMNS = ColumnSet(
    (Column("Name", is_name=True), Column("Schedule"), Column("Timezone"), Column("Suspend"),
     Column("Active"), Column("Last Schedule"), Column("Age"), Column("Containers", 1),
     Column("Images", 1), Column("Selector", 1)),
    cron_job_row,
)
