"""The columns kube-apiserver prints for HorizontalPodAutoscalers (``kubectl get hpa``).

Mirrors printHorizontalPodAutoscaler and formatHPAMetrics in
pkg/printers/internalversion/printers.go (Kubernetes 1.32)::

    NAME         REFERENCE               TARGETS       MINPODS   MAXPODS   REPLICAS   AGE
    php-apache   Deployment/php-apache   cpu: 0%/50%   1         10        1          18s

TARGETS lists each metric as ``current/target``: a resource utilization as
``cpu: 250%/50%`` (``<unknown>`` until the controller has read the metric), a resource value as
``memory: 40Mi/100Mi``, pods and object metrics as ``1/10`` (``(avg)`` after an average
target); after two metrics, ``+ N more...``. MINPODS is ``<unset>`` without minReplicas. The
server prints the internal form, so an autoscaling/v1 object shows the same row: it is
converted first.

:data:`HPA_COLUMNS` is added to ``columns.COLUMN_SETS``.
"""

from __future__ import annotations

from labkube.core.api import autoscaling
from labkube.kubectl.printers.age import age
from labkube.kubectl.printers.columns import Column, ColumnSet

_MAX_LISTED = 2
_SOURCE_FIELDS = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
                  "Object": "object", "External": "external"}


def _current(statuses: list, i: int, kind: str) -> dict | None:
    if i >= len(statuses):
        return None
    source = (statuses[i] or {}).get(_SOURCE_FIELDS[kind])
    return None if source is None else (source.get("current") or {})


def _metric_text(spec: dict, statuses: list, i: int) -> str:
    kind = spec.get("type", "")
    if kind not in _SOURCE_FIELDS:
        return "<unknown type>"
    source = spec.get(_SOURCE_FIELDS[kind]) or {}
    target = source.get("target") or {}
    current = _current(statuses, i, kind)
    if kind in ("Resource", "ContainerResource"):
        name = source.get("name", "")
        if target.get("averageValue") is not None:
            now = current.get("averageValue", "0") if current is not None else "<unknown>"
            return f"{name}: {now}/{target['averageValue']}"
        now = "<unknown>"
        if current is not None and current.get("averageUtilization") is not None:
            now = f"{current['averageUtilization']}%"
        wanted = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
        return f"{name}: {now}/{wanted}"
    if kind == "Pods":
        now = current.get("averageValue", "0") if current is not None else "<unknown>"
        return f"{now}/{target.get('averageValue', '0')}"
    if target.get("averageValue") is not None:
        now = "<unknown>"
        if current is not None and current.get("averageValue") is not None:
            now = current["averageValue"]
        return f"{now}/{target['averageValue']} (avg)"
    now = current.get("value", "0") if current is not None else "<unknown>"
    return f"{now}/{target.get('value', '0')}"


def format_hpa_metrics(specs: list | None, statuses: list | None) -> str:
    """``formatHPAMetrics``."""
    if not specs:
        return "<none>"
    listed = [_metric_text(spec or {}, statuses or [], i) for i, spec in enumerate(specs)]
    text = ", ".join(listed[:_MAX_LISTED])
    if len(listed) > _MAX_LISTED:
        return f"{text} + {len(listed) - _MAX_LISTED} more..."
    return text


def hpa_row(obj: dict, now: float) -> list[str]:
    hpa = autoscaling.to_v2(obj) if obj.get("apiVersion") == autoscaling.V1 else obj
    spec, status = hpa.get("spec") or {}, hpa.get("status") or {}
    target = spec.get("scaleTargetRef") or {}
    min_pods = spec.get("minReplicas")
    return [
        (hpa.get("metadata") or {}).get("name", ""), f"{target.get('kind', '')}/{target.get('name', '')}",
        format_hpa_metrics(spec.get("metrics"), status.get("currentMetrics")),
        "<unset>" if min_pods is None else str(min_pods), str(spec.get("maxReplicas", 0)),
        str(status.get("currentReplicas", 0)), age((hpa.get("metadata") or {}).get("creationTimestamp"), now),
    ]


HPA_COLUMNS = ColumnSet(
    (Column("Name", is_name=True), Column("Reference"), Column("Targets"), Column("MinPods"),
     Column("MaxPods"), Column("Replicas"), Column("Age")),
    hpa_row,
)
