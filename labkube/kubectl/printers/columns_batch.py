"""The columns kube-apiserver prints for Jobs (``kubectl get jobs``).

Mirrors printJob in pkg/printers/internalversion/printers.go (Kubernetes 1.32)::

    NAME   STATUS     COMPLETIONS   DURATION   AGE   (-o wide:) CONTAINERS   IMAGES   SELECTOR
    pi     Complete   1/1           18s        60s

STATUS is the first of: ``Complete``, ``Failed`` (their conditions True), ``Terminating`` (being
deleted), ``Suspended``, ``FailureTarget``, ``SuccessCriteriaMet``, else ``Running``.
COMPLETIONS is ``succeeded/completions``; without completions ``succeeded/1``, or
``succeeded/1 of parallelism`` when more than one pod runs at once. DURATION is empty before the
Job starts, the time since it started while it runs, and the time it took once complete.

:data:`JOB_COLUMNS` is added to ``columns.COLUMN_SETS["Job"]``.
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
