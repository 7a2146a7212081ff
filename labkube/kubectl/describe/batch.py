"""``kubectl describe job`` and ``kubectl describe cronjob``.

Mirrors describeJob in k8s.io/kubectl/pkg/describe/describe.go (kubectl 1.32): the Job's
selector and labels, its parallelism, completions (``<unset>`` when not set), completion mode,
suspend, backoff limit, TTL, start and completion times and duration, the active deadline, the
pod counts (``1 Active (0 Ready) / 0 Succeeded / 0 Failed``), the pod template and the events;
and describeCronJob / describeJobTemplate / printActiveJobs for CronJobs.
"""

from __future__ import annotations

from labkube.kubectl.describe.pod import describe_pod_template, printed_controller
from labkube.kubectl.describe.writer import (
    PrefixWriter,
    annotations_multiline,
    describe_events,
    go_bool,
    labels_multiline,
)
from labkube.kubectl.printers.age import human_duration, parse_time, rfc1123z
from labkube.kubectl.printers.format import selector_string


def describe_job(job: dict, events: list[dict] | None, now: float) -> str:
    meta, spec, status = job.get("metadata") or {}, job.get("spec") or {}, job.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    controlled_by = printed_controller(job)
    if controlled_by:
        w.write(0, f"Controlled By:\t{controlled_by}\n")
    _spec_lines(w, spec)
    _times(w, status)
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    _pod_counts(w, status)
    if spec.get("completionMode") == "Indexed":
        w.write(0, f"Completed Indexes:\t{cap_indexes(status.get('completedIndexes') or '', 50)}\n")
    describe_pod_template(w, spec.get("template"))
    describe_events(w, events, now)
    return w.text()


def cap_indexes(indexes: str, soft_limit: int) -> str:
    """``capIndexesListOrNone``: a long index list is cut after the first comma past
    ``soft_limit`` characters and ends in ``...``."""
    if not indexes:
        return "<none>"
    cut = indexes.find(",", soft_limit)
    return indexes if cut < 0 else indexes[:cut + 1] + "..."


def _spec_lines(w: PrefixWriter, spec: dict) -> None:
    if spec.get("parallelism") is not None:
        w.write(0, f"Parallelism:\t{spec['parallelism']}\n")
    if spec.get("completions") is not None:
        w.write(0, f"Completions:\t{spec['completions']}\n")
    else:
        w.write(0, "Completions:\t<unset>\n")
    if spec.get("completionMode") is not None:
        w.write(0, f"Completion Mode:\t{spec['completionMode']}\n")
    if spec.get("suspend") is not None:
        w.write(0, f"Suspend:\t{go_bool(spec['suspend'])}\n")
    if spec.get("backoffLimit") is not None:
        w.write(0, f"Backoff Limit:\t{spec['backoffLimit']}\n")
    if spec.get("ttlSecondsAfterFinished") is not None:
        w.write(0, f"TTL Seconds After Finished:\t{spec['ttlSecondsAfterFinished']}\n")


def _times(w: PrefixWriter, status: dict) -> None:
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    if status.get("completionTime"):
        w.write(0, f"Completed At:\t{rfc1123z(status['completionTime'])}\n")
    start, end = parse_time(status.get("startTime")), parse_time(status.get("completionTime"))
    if start is not None and end is not None:
        w.write(0, f"Duration:\t{human_duration(end - start)}\n")


def _pod_counts(w: PrefixWriter, status: dict) -> None:
    active, succeeded, failed = status.get("active", 0), status.get("succeeded", 0), status.get("failed", 0)
    if status.get("ready") is None:
        w.write(0, f"Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n")
    else:
        w.write(0, f"Pods Statuses:\t{active} Active ({status['ready']} Ready) / {succeeded} Succeeded / "
                   f"{failed} Failed\n")


def describe_cron_job(cron_job: dict, events: list[dict] | None, now: float) -> str:
    """describeCronJob: the schedule and policies, the jobTemplate, the last schedule, the active
    Jobs and the events. Unset pointers print ``<unset>``; times are RFC 1123 in UTC."""
    meta, spec, status = cron_job.get("metadata") or {}, cron_job.get("spec") or {}, cron_job.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Schedule:\t{spec.get('schedule', '')}\n")
    w.write(0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', '')}\n")
    w.write(0, f"Suspend:\t{_bool_ptr(spec.get('suspend'))}\n")
    w.write(0, f"Successful Job History Limit:\t{_unset(spec.get('successfulJobsHistoryLimit'))}\n")
    w.write(0, f"Failed Job History Limit:\t{_unset(spec.get('failedJobsHistoryLimit'))}\n")
    deadline = spec.get("startingDeadlineSeconds")
    w.write(0, f"Starting Deadline Seconds:\t{'<unset>' if deadline is None else f'{deadline}s'}\n")
    _job_template(w, spec.get("jobTemplate") or {})
    last = status.get("lastScheduleTime")
    w.write(0, f"Last Schedule Time:\t{rfc1123z(last) if last else '<unset>'}\n")
    active = [ref.get("name", "") for ref in status.get("active") or ()]
    w.write(0, f"Active Jobs:\t{', '.join(active) if active else '<none>'}\n")
    describe_events(w, events, now)
    return w.text()


def _job_template(w: PrefixWriter, template: dict) -> None:
    """describeJobTemplate."""
    spec = template.get("spec") or {}
    selector = spec.get("selector")
    w.write(0, f"Selector:\t{selector_string(selector) if selector is not None else '<unset>'}\n")
    w.write(0, f"Parallelism:\t{_unset(spec.get('parallelism'))}\n")
    w.write(0, f"Completions:\t{_unset(spec.get('completions'))}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    describe_pod_template(w, spec.get("template"))


def _unset(value) -> str:
    return "<unset>" if value is None else str(value)


def _bool_ptr(value) -> str:
    """``printBoolPtr``: ``True``/``False`` (describeJob prints a Go ``%v``, ``false``)."""
    if value is None:
        return "<unset>"
    return "True" if value else "False"
