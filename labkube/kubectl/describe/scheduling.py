"""``kubectl describe priorityclass``.

Mirrors PriorityClassDescriber in staging/src/k8s.io/kubectl/pkg/describe/describe.go
(kubectl 1.32)::

    Name:              high-priority
    Value:             1000000
    GlobalDefault:     false
    PreemptionPolicy:  PreemptLowerPriority
    Description:       for the important pod
    Annotations:       <none>
    Events:            <none>
"""

from __future__ import annotations

from labkube.kubectl.describe.storage import _format_labels
from labkube.kubectl.describe.writer import PrefixWriter, describe_events


def describe_priority_class(priority_class: dict, events: list[dict] | None, now: float) -> str:
    meta = priority_class.get("metadata") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Value:\t{priority_class.get('value', 0)}\n")
    w.write(0, f"GlobalDefault:\t{'true' if priority_class.get('globalDefault') else 'false'}\n")
    w.write(0, f"PreemptionPolicy:\t{priority_class.get('preemptionPolicy', '')}\n")
    w.write(0, f"Description:\t{priority_class.get('description', '')}\n")
    w.write(0, f"Annotations:\t{_format_labels(meta.get('annotations'))}\n")
    describe_events(w, events, now)
    return w.text()
