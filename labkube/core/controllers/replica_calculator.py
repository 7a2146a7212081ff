"""How many replicas a resource utilization target asks for: the HPA's replica calculator.

Mirrors pkg/controller/podautoscaler/replica_calculator.go (``GetResourceReplicas``,
``groupPods``, ``calculatePodRequests``) and metrics/utilization.go
(``GetResourceUtilizationRatio``) of Kubernetes 1.32, with the metrics client's
``getPodMetrics`` (metrics/client.go). Pure functions: the controller hands in the pods, the
PodMetrics and the time.

The rule, worked through for the docs' walkthrough (target 50% of a 200m request)::

    one ready pod using 500m: utilization 250%, ratio 250/50 = 5.0
    desired = ceil(5.0 * 1 ready pod) = 5

* A ratio within the tolerance (0.1) of 1.0 changes nothing.
* Pods being deleted or Failed are ignored; Pending pods count as unready.
* CPU samples are distrusted for a pod that started less than 5 minutes ago
  (``--horizontal-pod-autoscaler-cpu-initialization-period``) if it is not Ready or became
  Ready less than one metrics window before the sample; after that, a pod that is not Ready and
  never was within 30 s of starting (``--horizontal-pod-autoscaler-initial-readiness-delay``) is
  unready too.
* Unready pods count as using 0% when scaling up; pods without metrics count as 0% when scaling
  up and 100% of their request (or the target, if higher) when scaling down. If assuming that
  would reverse the direction, or land back within the tolerance, nothing changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from labkube.core.api import quantity as qty
from labkube.core.clock import parse_timestamp

#: --horizontal-pod-autoscaler-tolerance.
TOLERANCE = 0.1
#: --horizontal-pod-autoscaler-cpu-initialization-period.
CPU_INITIALIZATION_PERIOD = 300.0
#: --horizontal-pod-autoscaler-initial-readiness-delay.
INITIAL_READINESS_DELAY = 30.0


class MetricsError(Exception):
    """The replica count could not be computed (the message is the controller's)."""


@dataclass(frozen=True)
class PodMetric:
    """One pod's usage (millicores for cpu, bytes for memory) and the sample's time."""

    value: int
    timestamp: float
    window: float


@dataclass(frozen=True)
class Proposal:
    """``GetResourceReplicas``'s answer."""

    replicas: int
    utilization: int  # percentage of request
    raw_average: int  # average usage per pod (milli-units)
    timestamp: float


def pod_metrics_info(items: list[dict], resource: str) -> dict[str, PodMetric]:
    """``getPodMetrics``: each pod's summed container usage; a pod missing a container's
    value is left out."""
    out = {}
    for item in items:
        containers = item.get("containers") or []
        total, missing = 0, not containers
        for container in containers:
            value = (container.get("usage") or {}).get(resource)
            if value is None:
                missing = True
                break
            total += qty.parse_quantity(str(value)).milli
        if not missing:
            out[item["metadata"]["name"]] = PodMetric(total, parse_timestamp(item["timestamp"]),
                                                      _window_seconds(item.get("window", "0s")))
    return out


def _window_seconds(text: str) -> float:
    return float(text[:-1]) if text.endswith("s") else 0.0


def pod_requests(pods: list[dict], resource: str, container: str = "") -> dict[str, int]:
    """``calculatePodRequests``: each pod's request, in milli-units (sidecars included)."""
    requests = {}
    for pod in pods:
        spec = pod.get("spec") or {}
        total = 0
        sidecars = [c for c in spec.get("initContainers") or () if c.get("restartPolicy") == "Always"]
        for c in [*(spec.get("containers") or ()), *sidecars]:
            if container and c.get("name") != container:
                continue
            value = (((c.get("resources") or {}).get("requests")) or {}).get(resource)
            if value is None:
                raise MetricsError(f"missing request for {resource} in container {c.get('name')} "
                                   f"of Pod {pod['metadata']['name']}")
            total += qty.parse_quantity(str(value)).milli
        requests[pod["metadata"]["name"]] = total
    return requests


def _ready_condition(pod: dict) -> Optional[dict]:
    for cond in (pod.get("status") or {}).get("conditions") or ():
        if cond.get("type") == "Ready":
            return cond
    return None


def _cpu_sample_unready(pod: dict, metric: PodMetric, now: float) -> bool:
    """``groupPods``' CPU rule: is this pod's sample to be treated as unready?"""
    condition = _ready_condition(pod)
    started = (pod.get("status") or {}).get("startTime")
    if condition is None or not started:
        return True
    start = parse_timestamp(started)
    transition = parse_timestamp(condition["lastTransitionTime"]) if condition.get("lastTransitionTime") else start
    if start + CPU_INITIALIZATION_PERIOD > now:
        return condition.get("status") == "False" or metric.timestamp < transition + metric.window
    return condition.get("status") == "False" and start + INITIAL_READINESS_DELAY > transition


def group_pods(pods: list[dict], metrics: dict[str, PodMetric], resource: str,
               now: float) -> tuple[int, set[str], set[str], set[str]]:
    """``groupPods``: (ready count, unready, missing, ignored) pod names."""
    ready, unready, missing, ignored = 0, set(), set(), set()
    for pod in pods:
        name, status = pod["metadata"]["name"], pod.get("status") or {}
        if pod["metadata"].get("deletionTimestamp") or status.get("phase") == "Failed":
            ignored.add(name)
        elif status.get("phase") == "Pending":
            unready.add(name)
        elif name not in metrics:
            missing.add(name)
        elif resource == "cpu" and _cpu_sample_unready(pod, metrics[name], now):
            unready.add(name)
        else:
            ready += 1
    return ready, unready, missing, ignored


def utilization_ratio(metrics: dict[str, int], requests: dict[str, int],
                      target: int) -> tuple[float, int, int]:
    """``GetResourceUtilizationRatio``: (usage/target ratio, utilization %, average raw usage)."""
    metrics_total = requests_total = entities = 0
    for name, value in metrics.items():
        request = requests.get(name)
        if request is None:
            continue
        metrics_total += value
        requests_total += request
        entities += 1
    if requests_total == 0:
        raise MetricsError("no metrics returned matched known pods")
    utilization = int(metrics_total * 100 / requests_total)
    return utilization / target, utilization, metrics_total // entities


def resource_replicas(current: int, target: int, resource: str, pods: list[dict],
                      metrics: dict[str, PodMetric], timestamp: float, now: float,
                      container: str = "") -> Proposal:
    """``GetResourceReplicas`` for a Utilization target (``metrics`` already fetched)."""
    if not pods:
        raise MetricsError("no pods returned by selector while calculating replica count")
    ready, unready, missing, ignored = group_pods(pods, metrics, resource, now)
    usage = {name: m.value for name, m in metrics.items() if name not in ignored and name not in unready}
    if not usage:
        raise MetricsError("did not receive metrics for targeted pods (pods might be unready)")
    requests = pod_requests(pods, resource, container)
    ratio, utilization, raw = utilization_ratio(usage, requests, target)
    scale_up_with_unready = bool(unready) and ratio > 1.0
    if not scale_up_with_unready and not missing:
        if abs(1.0 - ratio) <= TOLERANCE:
            return Proposal(current, utilization, raw, timestamp)
        return Proposal(math.ceil(ratio * ready), utilization, raw, timestamp)
    for name in missing:
        if ratio < 1.0:  # scaling down: a pod without a sample counts as busy
            usage[name] = requests[name] * max(100, target) // 100
        else:
            usage[name] = 0
    if scale_up_with_unready:
        for name in unready:
            usage[name] = 0
    new_ratio, _, _ = utilization_ratio(usage, requests, target)
    if abs(1.0 - new_ratio) <= TOLERANCE or (ratio < 1.0 < new_ratio) or (ratio > 1.0 > new_ratio):
        return Proposal(current, utilization, raw, timestamp)
    replicas = math.ceil(new_ratio * len(usage))
    if (new_ratio < 1.0 and replicas > current) or (new_ratio > 1.0 and replicas < current):
        return Proposal(current, utilization, raw, timestamp)
    return Proposal(replicas, utilization, raw, timestamp)


def raw_resource_replicas(current: int, target: int, resource: str, pods: list[dict],
                          metrics: dict[str, PodMetric], now: float) -> tuple[int, int]:
    """``GetRawResourceReplicas`` (an AverageValue target, in milli-units): (replicas, average
    usage). ``calcPlainMetricReplicas``' rules: as :func:`resource_replicas`, on raw usage."""
    if not pods:
        raise MetricsError("no pods returned by selector while calculating replica count")
    ready, unready, missing, ignored = group_pods(pods, metrics, resource, now)
    usage = {name: m.value for name, m in metrics.items() if name not in ignored and name not in unready}
    if not usage:
        raise MetricsError("did not receive metrics for targeted pods (pods might be unready)")
    average = sum(usage.values()) // len(usage)
    ratio = average / target
    scale_up_with_unready = bool(unready) and ratio > 1.0
    if not scale_up_with_unready and not missing:
        if abs(1.0 - ratio) <= TOLERANCE:
            return current, average
        return math.ceil(ratio * ready), average
    for name in missing:
        usage[name] = target if ratio < 1.0 else 0
    if scale_up_with_unready:
        for name in unready:
            usage[name] = 0
    new_ratio = sum(usage.values()) / len(usage) / target
    if abs(1.0 - new_ratio) <= TOLERANCE or (ratio < 1.0 < new_ratio) or (ratio > 1.0 > new_ratio):
        return current, average
    replicas = math.ceil(new_ratio * len(usage))
    if (new_ratio < 1.0 and replicas > current) or (new_ratio > 1.0 and replicas < current):
        return current, average
    return replicas, average
