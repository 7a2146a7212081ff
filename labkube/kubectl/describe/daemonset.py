"""``kubectl describe daemonset``.

Mirrors describeDaemonSet in k8s.io/kubectl/pkg/describe/describe.go (kubectl 1.32): the name
(and, unlike most describers, no namespace), the selector, the template's node selector, labels and annotations (every DaemonSet shows
``deprecated.daemonset.template.generation``), the five node counts — printed without a tab,
so they are not aligned with the other fields, exactly as kubectl prints them — the pods'
phases (``3 Running / 0 Waiting / 0 Succeeded / 0 Failed``, counting only pods the DaemonSet
controls), the pod template and the events.
"""

from __future__ import annotations

from labkube.kubectl.describe.pod import describe_pod_template
from labkube.kubectl.describe.workloads import pod_phase_counts
from labkube.kubectl.describe.writer import (
    PrefixWriter,
    annotations_multiline,
    describe_events,
    labels_multiline,
)
from labkube.kubectl.printers.format import format_labels, selector_string

#: The count lines of describeDaemonSet (no tab: they are not aligned).
_COUNT_LINES = (
    ("Desired Number of Nodes Scheduled", "desiredNumberScheduled"),
    ("Current Number of Nodes Scheduled", "currentNumberScheduled"),
    ("Number of Nodes Scheduled with Up-to-date Pods", "updatedNumberScheduled"),
    ("Number of Nodes Scheduled with Available Pods", "numberAvailable"),
    ("Number of Nodes Misscheduled", "numberMisscheduled"),
)


def describe_daemon_set(ds: dict, events: list[dict] | None, now: float, pods: list[dict]) -> str:
    meta, spec, status = ds.get("metadata") or {}, ds.get("spec") or {}, ds.get("status") or {}
    template = spec.get("template") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")  # kubectl 1.32 prints no Namespace line here
    w.write(0, f"Selector:\t{selector_string(spec.get('selector'))}\n")
    w.write(0, f"Node-Selector:\t{format_labels((template.get('spec') or {}).get('nodeSelector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    for title, field in _COUNT_LINES:
        w.write(0, f"{title}: {status.get(field, 0)}\n")
    running, waiting, succeeded, failed = pod_phase_counts(pods, meta.get("uid", ""))
    w.write(0, f"Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n")
    describe_pod_template(w, template)
    describe_events(w, events, now)
    return w.text()
