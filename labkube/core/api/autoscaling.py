"""HorizontalPodAutoscaler in two versions: defaults, and v1 served from v2 storage.

Mirrors pkg/apis/autoscaling/v2/defaults.go, pkg/apis/autoscaling/v1/defaults.go and
pkg/apis/autoscaling/v1/conversion.go (Kubernetes 1.32). kube-apiserver stores every HPA once, in
autoscaling/v2, and serves it in both versions:

* **v2 defaults**: ``minReplicas: 1``; no metrics means one, CPU at 80% of request
  (``DefaultCPUUtilization``); a ``behavior`` that is set gets every unset rule filled: scale up
  with ``stabilizationWindowSeconds: 0``, ``selectPolicy: Max``, 4 pods or 100% per 15 s; scale
  down with ``selectPolicy: Max``, 100% per 15 s and *no* window (the controller's
  ``--horizontal-pod-autoscaler-downscale-stabilization``, 5 minutes, applies). A missing
  ``behavior`` stays missing.
* **v1 defaults**: only ``minReplicas: 1``.
* **v1 → v2**: ``targetCPUUtilizationPercentage`` becomes the CPU Utilization metric; none (and
  no other metric kept in an annotation) means CPU at 80%, the old implicit default.
* **v2 → v1**: the CPU Utilization metric becomes ``targetCPUUtilizationPercentage``, the CPU
  utilization in status ``currentCPUUtilizationPercentage``. What v1 has no field for rides in
  annotations, in autoscaling/v2beta1's JSON form: other metrics
  (``autoscaling.alpha.kubernetes.io/metrics``), every current metric
  (``autoscaling.alpha.kubernetes.io/current-metrics``), the conditions
  (``autoscaling.alpha.kubernetes.io/conditions``) and the behavior
  (``autoscaling.alpha.kubernetes.io/behavior``). Reading those annotations back gives them to
  v2 again, so a v1 client's round trip loses nothing.

Both conversion functions return new dicts.
"""

from __future__ import annotations

import json

V1 = "autoscaling/v1"
V2 = "autoscaling/v2"
DEFAULT_CPU_UTILIZATION = 80
METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics"
CURRENT_METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/current-metrics"
CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions"
BEHAVIOR_ANNOTATION = "autoscaling.alpha.kubernetes.io/behavior"
_ANNOTATIONS = (METRICS_ANNOTATION, CURRENT_METRICS_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION)

_V2_STATUS_ORDER = ("observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas",
                    "currentMetrics", "conditions")


# -- defaults ---------------------------------------------------------------------------------
def cpu_utilization_metric(percent: int) -> dict:
    return {"type": "Resource",
            "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": percent}}}


def scale_up_rules() -> dict:
    return {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
            "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                         {"type": "Percent", "value": 100, "periodSeconds": 15}]}


def scale_down_rules() -> dict:
    return {"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}


def _filled(rules: dict | None, defaults: dict) -> dict:
    """``copyHPAScalingRules``: the defaults, overridden by each field the user set."""
    out = dict(defaults)
    for key, value in (rules or {}).items():
        if value is not None:
            out[key] = value
    return {k: out[k] for k in ("stabilizationWindowSeconds", "selectPolicy", "policies") if k in out}


def defaults_v2(obj: dict) -> None:
    """``SetDefaults_HorizontalPodAutoscaler`` of autoscaling/v2."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    if spec.get("minReplicas") is None:
        spec["minReplicas"] = 1
    if not spec.get("metrics"):
        spec["metrics"] = [cpu_utilization_metric(DEFAULT_CPU_UTILIZATION)]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        behavior["scaleUp"] = _filled(behavior.get("scaleUp"), scale_up_rules())
        behavior["scaleDown"] = _filled(behavior.get("scaleDown"), scale_down_rules())


def defaults_v1(obj: dict) -> None:
    """``SetDefaults_HorizontalPodAutoscaler`` of autoscaling/v1."""
    spec = obj.get("spec")
    if isinstance(spec, dict) and spec.get("minReplicas") is None:
        spec["minReplicas"] = 1


# -- v2 -> v1 -----------------------------------------------------------------------------------
def _is_cpu_utilization(metric: dict) -> bool:
    resource = metric.get("resource") or {}
    return (metric.get("type") == "Resource" and resource.get("name") == "cpu"
            and (resource.get("target") or {}).get("averageUtilization") is not None)


def to_v1(hpa: dict) -> dict:
    """The autoscaling/v1 view of a stored (v2) HPA."""
    spec, status = hpa.get("spec") or {}, hpa.get("status")
    meta = dict(hpa.get("metadata") or {})
    annotations = dict(meta.get("annotations") or {})
    metrics = spec.get("metrics") or []
    others = [m for m in metrics if not _is_cpu_utilization(m)]
    if others:
        annotations[METRICS_ANNOTATION] = _json([_spec_v2beta1(m) for m in others])
    out_spec = {"scaleTargetRef": spec.get("scaleTargetRef", {})}
    for key in ("minReplicas", "maxReplicas"):
        if key in spec:
            out_spec[key] = spec[key]
    cpu = next((m for m in metrics if _is_cpu_utilization(m)), None)
    if cpu is not None:
        out_spec["targetCPUUtilizationPercentage"] = cpu["resource"]["target"]["averageUtilization"]
    if spec.get("behavior"):
        annotations[BEHAVIOR_ANNOTATION] = _json(spec["behavior"])
    out = {"apiVersion": V1, "kind": hpa.get("kind", "HorizontalPodAutoscaler"), "metadata": meta,
           "spec": out_spec}
    if "apiVersion" not in hpa:
        out.pop("apiVersion")
    if status is not None:
        out["status"] = _status_v1(status, annotations)
    if annotations:
        meta["annotations"] = annotations
    return out


def _status_v1(status: dict, annotations: dict) -> dict:
    out = {key: status[key] for key in ("observedGeneration", "lastScaleTime") if key in status}
    out["currentReplicas"] = status.get("currentReplicas", 0)
    out["desiredReplicas"] = status.get("desiredReplicas", 0)
    current = status.get("currentMetrics") or []
    for metric in current:
        resource = metric.get("resource") or {}
        utilization = (resource.get("current") or {}).get("averageUtilization")
        if metric.get("type") == "Resource" and resource.get("name") == "cpu" and utilization is not None:
            out["currentCPUUtilizationPercentage"] = utilization
    if current:
        annotations[CURRENT_METRICS_ANNOTATION] = _json([_status_v2beta1(m) for m in current])
    if status.get("conditions"):
        annotations[CONDITIONS_ANNOTATION] = _json(status["conditions"])
    return out


# -- v1 -> v2 -----------------------------------------------------------------------------------
def to_v2(hpa: dict) -> dict:
    """The storage (v2) form of an autoscaling/v1 HPA, defaulted as storage reads it back."""
    spec, status = hpa.get("spec") or {}, hpa.get("status")
    meta = dict(hpa.get("metadata") or {})
    annotations = dict(meta.get("annotations") or {})
    out_spec = {"scaleTargetRef": spec.get("scaleTargetRef", {})}
    for key in ("minReplicas", "maxReplicas"):
        if key in spec:
            out_spec[key] = spec[key]
    metrics = []
    if spec.get("targetCPUUtilizationPercentage") is not None:
        metrics.append(cpu_utilization_metric(spec["targetCPUUtilizationPercentage"]))
    metrics += [_spec_v2(m) for m in _loads(annotations.pop(METRICS_ANNOTATION, None))]
    if metrics:
        out_spec["metrics"] = metrics
    behavior = _loads(annotations.pop(BEHAVIOR_ANNOTATION, None), None)
    if behavior:
        out_spec["behavior"] = behavior
    out = {"apiVersion": V2, "kind": hpa.get("kind", "HorizontalPodAutoscaler"), "metadata": meta,
           "spec": out_spec}
    if status is not None:
        out["status"] = _status_v2(status, annotations)
    for key in _ANNOTATIONS:
        annotations.pop(key, None)
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    defaults_v2(out)
    return out


def _status_v2(status: dict, annotations: dict) -> dict:
    values = {key: status[key] for key in ("observedGeneration", "lastScaleTime") if key in status}
    if status.get("currentReplicas"):
        values["currentReplicas"] = status["currentReplicas"]
    values["desiredReplicas"] = status.get("desiredReplicas", 0)
    current = _loads(annotations.get(CURRENT_METRICS_ANNOTATION))
    values["currentMetrics"] = None  # no omitempty in autoscaling/v2
    if current:
        values["currentMetrics"] = [_status_v2_from_beta(m) for m in current]
    elif status.get("currentCPUUtilizationPercentage") is not None:
        values["currentMetrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "current": {"averageUtilization": status["currentCPUUtilizationPercentage"]}}}]
    conditions = _loads(annotations.get(CONDITIONS_ANNOTATION))
    if conditions:
        values["conditions"] = conditions
    return {key: values[key] for key in _V2_STATUS_ORDER if key in values}


# -- the v2beta1 forms the annotations hold ------------------------------------------------------
def _target_beta(target: dict, utilization: str, value: str, average: str) -> dict:
    out = {}
    if target.get("averageUtilization") is not None and utilization:
        out[utilization] = target["averageUtilization"]
    if target.get("value") is not None and value:
        out[value] = target["value"]
    if target.get("averageValue") is not None and average:
        out[average] = target["averageValue"]
    return out


def _spec_v2beta1(metric: dict) -> dict:
    kind = metric.get("type", "")
    out: dict = {"type": kind}
    if kind in ("Resource", "ContainerResource"):
        source = metric.get("resource" if kind == "Resource" else "containerResource") or {}
        body = {"name": source.get("name", "")}
        body.update(_target_beta(source.get("target") or {}, "targetAverageUtilization", "",
                                 "targetAverageValue"))
        if kind == "ContainerResource":
            body["container"] = source.get("container", "")
        out["resource" if kind == "Resource" else "containerResource"] = body
    elif kind == "Pods":
        source = metric.get("pods") or {}
        body = {"metricName": (source.get("metric") or {}).get("name", "")}
        body.update(_target_beta(source.get("target") or {}, "", "", "targetAverageValue"))
        _selector(body, source, "selector")
        out["pods"] = body
    elif kind == "Object":
        source = metric.get("object") or {}
        body = {"target": source.get("describedObject", {}),
                "metricName": (source.get("metric") or {}).get("name", "")}
        body.update(_target_beta(source.get("target") or {}, "", "targetValue", "averageValue"))
        _selector(body, source, "selector")
        out["object"] = body
    elif kind == "External":
        source = metric.get("external") or {}
        body = {"metricName": (source.get("metric") or {}).get("name", "")}
        _selector(body, source, "metricSelector")
        body.update(_target_beta(source.get("target") or {}, "", "targetValue", "targetAverageValue"))
        out["external"] = body
    return out


def _selector(body: dict, source: dict, key: str) -> None:
    selector = (source.get("metric") or {}).get("selector")
    if selector is not None:
        body[key] = selector


def _spec_v2(beta: dict) -> dict:
    kind = beta.get("type", "")
    if kind in ("Resource", "ContainerResource"):
        field = "resource" if kind == "Resource" else "containerResource"
        body = beta.get(field) or {}
        if body.get("targetAverageUtilization") is not None:
            target = {"type": "Utilization", "averageUtilization": body["targetAverageUtilization"]}
        else:
            target = {"type": "AverageValue", "averageValue": body.get("targetAverageValue")}
        source = {"name": body.get("name", ""), "target": target}
        if kind == "ContainerResource":
            source["container"] = body.get("container", "")
        return {"type": kind, field: source}
    field = kind.lower()
    body = beta.get(field) or {}
    metric = {"name": body.get("metricName", "")}
    selector = body.get("metricSelector" if kind == "External" else "selector")
    if selector is not None:
        metric["selector"] = selector
    if kind == "Object":
        target = ({"type": "AverageValue", "averageValue": body["averageValue"]} if body.get("averageValue")
                  else {"type": "Value", "value": body.get("targetValue")})
        return {"type": kind, "object": {"describedObject": body.get("target", {}), "metric": metric,
                                         "target": target}}
    if kind == "External" and body.get("targetValue") is not None:
        target = {"type": "Value", "value": body["targetValue"]}
    else:
        target = {"type": "AverageValue", "averageValue": body.get("targetAverageValue")}
    return {"type": kind, field: {"metric": metric, "target": target}}


def _status_v2beta1(metric: dict) -> dict:
    kind = metric.get("type", "")
    field = {"Resource": "resource", "ContainerResource": "containerResource"}.get(kind, kind.lower())
    source = metric.get(field) or {}
    current = source.get("current") or {}
    if kind in ("Resource", "ContainerResource"):
        body = {"name": source.get("name", "")}
        if current.get("averageUtilization") is not None:
            body["currentAverageUtilization"] = current["averageUtilization"]
        body["currentAverageValue"] = current.get("averageValue", "0")
        if kind == "ContainerResource":
            body["container"] = source.get("container", "")
    else:
        body = {"metricName": (source.get("metric") or {}).get("name", "")}
        if current.get("value") is not None:
            body["currentValue"] = current["value"]
        if current.get("averageValue") is not None:
            body["currentAverageValue"] = current["averageValue"]
    return {"type": kind, field: body}


def _status_v2_from_beta(beta: dict) -> dict:
    kind = beta.get("type", "")
    field = {"Resource": "resource", "ContainerResource": "containerResource"}.get(kind, kind.lower())
    body = beta.get(field) or {}
    current = {}
    if body.get("currentAverageUtilization") is not None:
        current["averageUtilization"] = body["currentAverageUtilization"]
    if body.get("currentValue") is not None:
        current["value"] = body["currentValue"]
    if body.get("currentAverageValue") is not None:
        current["averageValue"] = body["currentAverageValue"]
    if kind in ("Resource", "ContainerResource"):
        source = {"name": body.get("name", ""), "current": current}
        if kind == "ContainerResource":
            source["container"] = body.get("container", "")
    else:
        source = {"metric": {"name": body.get("metricName", "")}, "current": current}
    return {"type": kind, field: source}


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def _loads(text, empty=()):
    if not text:
        return list(empty) if isinstance(empty, tuple) else empty
    try:
        return json.loads(text)
    except ValueError:
        return list(empty) if isinstance(empty, tuple) else empty
