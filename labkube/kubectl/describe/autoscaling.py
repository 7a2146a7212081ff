"""``kubectl describe hpa``.

Mirrors describeHorizontalPodAutoscalerV2 in k8s.io/kubectl/pkg/describe/describe.go
(kubectl 1.32). kubectl reads the HPA through autoscaling/v2 whatever version was asked for, so
an autoscaling/v1 object is converted first. Each metric is printed as ``current / target``::

    Metrics:                                               ( current / target )
      resource cpu on pods  (as a percentage of request):  250% (500m) / 50%
    Min replicas:                                          1
    Max replicas:                                          10
    Deployment pods:                                       1 current / 5 desired

then the behavior when set (stabilization windows, select policy, policies), the conditions
table and the events.
"""

from __future__ import annotations

from labkube.core.api import autoscaling
from labkube.kubectl.describe.writer import PrefixWriter, annotations_multiline, describe_events, labels_multiline
from labkube.kubectl.printers.age import rfc1123z

_FIELDS = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
           "Object": "object", "External": "external"}


def describe_hpa(obj: dict, events: list[dict] | None, now: float) -> str:
    hpa = autoscaling.to_v2(obj) if obj.get("apiVersion") == autoscaling.V1 else obj
    meta, spec, status = hpa.get("metadata") or {}, hpa.get("spec") or {}, hpa.get("status") or {}
    target = spec.get("scaleTargetRef") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    w.write(0, f"Reference:\t{target.get('kind', '')}/{target.get('name', '')}\n")
    w.write(0, "Metrics:\t( current / target )\n")
    statuses = status.get("currentMetrics") or []
    for i, metric in enumerate(spec.get("metrics") or ()):
        _metric(w, metric, statuses[i] if i < len(statuses) else None)
    min_replicas = spec.get("minReplicas")
    w.write(0, f"Min replicas:\t{'<unset>' if min_replicas is None else min_replicas}\n")
    w.write(0, f"Max replicas:\t{spec.get('maxReplicas', 0)}\n")
    if spec.get("behavior") is not None:
        w.write(0, "Behavior:\n")
        _direction(w, "Scale Up", spec["behavior"].get("scaleUp"))
        _direction(w, "Scale Down", spec["behavior"].get("scaleDown"))
    w.write(0, f"{target.get('kind', '')} pods:\t")
    w.write(0, f"{status.get('currentReplicas', 0)} current / {status.get('desiredReplicas', 0)} desired\n")
    _conditions(w, status.get("conditions"))
    describe_events(w, events, now)
    return w.text()


def _current(status: dict | None, kind: str) -> dict | None:
    if status is None:
        return None
    source = status.get(_FIELDS[kind])
    return None if source is None else source.get("current") or {}


def _metric(w: PrefixWriter, metric: dict, status: dict | None) -> None:
    kind = metric.get("type", "")
    if kind not in _FIELDS:
        w.write(1, f'<unknown metric type "{kind}">\n')
        return
    source = metric.get(_FIELDS[kind]) or {}
    target = source.get("target") or {}
    current = _current(status, kind)
    name = (source.get("metric") or {}).get("name", "")
    if kind == "External":
        if target.get("averageValue") is not None:
            now = current.get("averageValue", "<unknown>") if current is not None else "<unknown>"
            w.write(1, f'"{name}" (target average value):\t{now} / {target["averageValue"]}\n')
        else:
            now = current.get("value", "0") if current is not None else "<unknown>"
            w.write(1, f'"{name}" (target value):\t{now} / {target.get("value", "0")}\n')
    elif kind == "Pods":
        now = current.get("averageValue", "0") if current is not None else "<unknown>"
        w.write(1, f'"{name}" on pods:\t{now} / {target.get("averageValue", "0")}\n')
    elif kind == "Object":
        described = source.get("describedObject") or {}
        w.write(1, f'"{name}" on {described.get("kind", "")}/{described.get("name", "")} ')
        if target.get("type") == "AverageValue":
            now = current.get("averageValue", "0") if current is not None else "<unknown>"
            w.write(0, f"(target average value):\t{now} / {target.get('averageValue', '0')}\n")
        else:
            now = current.get("value", "0") if current is not None else "<unknown>"
            w.write(0, f"(target value):\t{now} / {target.get('value', '0')}\n")
    else:
        _resource_metric(w, kind, source, target, current)


def _resource_metric(w: PrefixWriter, kind: str, source: dict, target: dict, current: dict | None) -> None:
    if kind == "Resource":
        w.write(1, f"resource {source.get('name', '')} on pods")
    else:
        w.write(1, f'resource {source.get("name", "")} of container "{source.get("container", "")}" on pods')
    if target.get("averageValue") is not None:
        now = current.get("averageValue", "0") if current is not None else "<unknown>"
        w.write(0, f":\t{now} / {target['averageValue']}\n")
        return
    now = "<unknown>"
    if current is not None and current.get("averageUtilization") is not None:
        now = f"{current['averageUtilization']}% ({current.get('averageValue', '0')})"
    wanted = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
    w.write(1, f"(as a percentage of request):\t{now} / {wanted}\n")


def _direction(w: PrefixWriter, title: str, rules: dict | None) -> None:
    """``printDirectionBehavior``."""
    if rules is None:
        return
    w.write(1, f"{title}:\n")
    if rules.get("stabilizationWindowSeconds") is not None:
        w.write(2, f"Stabilization Window: {rules['stabilizationWindowSeconds']} seconds\n")
    policies = rules.get("policies") or []
    if policies:
        w.write(2, f"Select Policy: {rules.get('selectPolicy') or 'Max'}\n")
        w.write(2, "Policies:\n")
        for policy in policies:
            w.write(3, f"- Type: {policy.get('type', '')}\tValue: {policy.get('value', 0)}\t"
                       f"Period: {policy.get('periodSeconds', 0)} seconds\n")


def _conditions(w: PrefixWriter, conditions: list | None) -> None:
    if not conditions:
        return
    w.write(0, "Conditions:\n")
    w.write(1, "Type\tStatus\tReason\tMessage\n")
    w.write(1, "----\t------\t------\t-------\n")
    for c in conditions:
        w.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t{c.get('reason', '')}\t{c.get('message', '')}\n")
