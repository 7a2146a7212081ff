"""The generic describer kubectl uses for kinds without their own (Lease, Event, CRDs...).

Mirrors genericDescriber and printUnstructuredContent: name, namespace, labels and annotations,
then every other field of the object in sorted order with "smart" labels (``holderIdentity`` →
``Holder Identity``, ``apiVersion`` → ``API Version``), then the events.
"""

from __future__ import annotations

from labkube.kubectl.describe.writer import PrefixWriter, annotations_multiline, describe_events, labels_multiline
from labkube.kubectl.printers.format import go_sprint

_SKIP = {".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels",
         ".metadata.annotations"}
_ACRONYMS = {"API", "URL", "UID", "OSB", "GUID"}


def _camel_split(text: str) -> list[str]:
    """fatih/camelcase.Split: runs of lower, upper, digit and other characters."""
    def kind(ch: str) -> int:
        if ch.islower():
            return 1
        if ch.isupper():
            return 2
        if ch.isdigit():
            return 3
        return 4

    runs: list[list[str]] = []
    last = 0
    for ch in text:
        k = kind(ch)
        if k == last:
            runs[-1].append(ch)
        else:
            runs.append([ch])
        last = k
    for i in range(len(runs) - 1):
        if runs[i][0].isupper() and runs[i + 1][0].islower():
            runs[i + 1].insert(0, runs[i].pop())
    return ["".join(r) for r in runs if r]


def smart_label(field: str) -> str:
    if any(not (ch.isalpha() or ch == "-") for ch in field):
        return field
    parts = []
    for part in _camel_split(field):
        if part == "_":
            continue
        parts.append(part.upper() if part.upper() in _ACRONYMS else part[:1].upper() + part[1:])
    return " ".join(parts)


def _content(w: PrefixWriter, level: int, content: dict, prefix: str) -> None:
    for field in sorted(content):
        value = content[field]
        path = f"{prefix}.{field}"
        if path in _SKIP:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _content(w, level + 1, value, path)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    _content(w, level + 1, child, path)
                else:
                    w.write(level + 1, f"{go_sprint(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{go_sprint(value)}\n")


def describe_generic(obj: dict, events: list[dict] | None, now: float) -> str:
    meta = obj.get("metadata") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    _content(w, 0, obj, "")
    describe_events(w, events, now)
    return w.text()
