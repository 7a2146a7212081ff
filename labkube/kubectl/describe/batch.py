"""``kubectl describe job``.

Mirrors describeJob in k8s.io/kubectl/pkg/describe/describe.go (kubectl 1.32): the Job's
selector and labels, its parallelism, completions (``<unset>`` when not set), completion mode,
suspend, backoff limit, TTL, start and completion times and duration, the active deadline, the
pod counts (``1 Active (0 Ready) / 0 Succeeded / 0 Failed``), the pod template and the events.
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
        w.write(0, f"Completed Indexes:\t{status.get('completedIndexes') or '<none>'}\n")
    describe_pod_template(w, spec.get("template"))
    describe_events(w, events, now)
    return w.text()


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
