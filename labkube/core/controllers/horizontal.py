"""The HorizontalPodAutoscaler controller: scale a workload so its pods' usage meets a target.

Mirrors pkg/controller/podautoscaler/horizontal.go (Kubernetes 1.32). Every HPA is reconciled
every 15 s (``--horizontal-pod-autoscaler-sync-period``; a new or changed HPA waits for its
slot too), always through the API server:

1. read the target's ``scale`` subresource (AbleToScale: ``SucceededGetScale`` or
   ``FailedGetScale``);
2. a target scaled to zero disables autoscaling (ScalingActive ``ScalingDisabled``); replicas
   outside ``[minReplicas, maxReplicas]`` are brought back inside;
3. otherwise each metric proposes a replica count: resource metrics come from metrics.k8s.io
   PodMetrics (metrics-server's 15 s averages) and the pods' requests, computed by
   :mod:`.replica_calculator`; the highest proposal wins (ScalingActive ``ValidMetricFound``,
   or ``FailedGetResourceMetric`` and the Warning events ``FailedGetResourceMetric`` and
   ``FailedComputeMetricsReplicas`` when no metric could be read);
4. the proposal is stabilized and rate-limited by :mod:`.horizontal_rules` (AbleToScale
   ``ReadyForNewScale``/``ScaleDownStabilized``, ScalingLimited ``DesiredWithinRange``,
   ``TooFewReplicas``, ``TooManyReplicas``, ``ScaleUpLimit``...);
5. a change is written to the scale subresource with the Normal event ``SuccessfulRescale``
   ("New size: 5; reason: cpu resource utilization (percentage of request) above target");
6. status (``currentReplicas``, ``desiredReplicas``, ``currentMetrics``, ``conditions``,
   ``lastScaleTime``) is written when it changed.

Custom and external metrics need an adapter labkube does not run: such metrics fail with the
controller's messages. With no HPA the controller has no key to process and costs nothing.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Optional

from labkube.core.api import quantity as qty
from labkube.core.api.labels import SelectorError, parse_selector
from labkube.core.controllers import horizontal_rules as rules
from labkube.core.controllers import replica_calculator as calc
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.errors import StatusError
from labkube.core.machinery import NORMAL, WARNING, object_key
from labkube.core.serialization import copy as json_copy

#: --horizontal-pod-autoscaler-sync-period.
SYNC_PERIOD = 15.0
API_VERSION = "autoscaling/v2"
_STATUS_ORDER = ("observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas",
                 "currentMetrics", "conditions")
_CUSTOM_METRIC_REASONS = {"Pods": ("FailedGetPodsMetric", "pods"), "Object": ("FailedGetObjectMetric", "object"),
                          "External": ("FailedGetExternalMetric", "external")}


class ReconcileError(Exception):
    """One metric's failure: the ScalingActive condition it sets, and its message."""

    def __init__(self, message: str, condition: Optional[tuple[str, str, str, str]] = None) -> None:
        super().__init__(message)
        self.condition = condition


def milli_quantity(milli: int) -> str:
    """``resource.NewMilliQuantity(v, DecimalSI).String()``: 500 -> "500m", 1000 -> "1"."""
    return qty.format_quantity(Fraction(milli, 1000))


def set_condition(status: dict, kind: str, state: str, reason: str, message: str, now: str) -> None:
    """``setConditionInList``: replace or append; the transition time moves with the status."""
    conditions = status.setdefault("conditions", [])
    existing = next((c for c in conditions if c.get("type") == kind), None)
    if existing is None:
        existing = {"type": kind}
        conditions.append(existing)
    if existing.get("status") != state:
        existing["lastTransitionTime"] = now
    existing.update(status=state, reason=reason, message=message)
    ordered = {k: existing[k] for k in ("type", "status", "lastTransitionTime", "reason", "message") if k in existing}
    existing.clear()
    existing.update(ordered)


@register
class HorizontalPodAutoscalerController(KubeController):
    """Reconciles every HPA each sync period."""

    name = "horizontal-pod-autoscaler"

    def setup(self) -> None:
        informers = self.ctx.informers
        self.hpa_informer = informers.informer("horizontalpodautoscalers.v2.autoscaling")
        self.pod_informer = informers.informer("pods")
        self.hpa_informer.add_event_handler(self._hpa_changed, lambda old, cur: self._hpa_changed(cur),
                                            self._hpa_deleted)
        self.recommendations: dict[str, rules.Recommendations] = {}
        self.scale_events: dict[str, rules.ScaleEvents] = {}

    def _hpa_changed(self, hpa: dict) -> None:
        self.queue.add_after(object_key(hpa), SYNC_PERIOD)

    def _hpa_deleted(self, hpa: dict) -> None:
        self.queue.forget(object_key(hpa))

    def sync(self, key: str) -> None:
        hpa = self.hpa_informer.get(key)
        if hpa is None:
            self.recommendations.pop(key, None)
            self.scale_events.pop(key, None)
            return
        try:
            self._reconcile(key, json_copy(hpa))
        except (StatusError, ReconcileError) as err:
            if self._report is not None:
                self._report(f"{self.name} sync {key}", err)
        self.queue.add_after(key, SYNC_PERIOD)

    # -- reconcileAutoscaler ----------------------------------------------------------------
    def _reconcile(self, key: str, hpa: dict) -> None:
        hpa.setdefault("apiVersion", API_VERSION)
        hpa.setdefault("kind", "HorizontalPodAutoscaler")
        original = json_copy(hpa.get("status") or {})
        hpa["status"] = json_copy(original)
        spec = hpa["spec"]
        target = spec.get("scaleTargetRef") or {}
        scale, rtype = self._get_scale(hpa, target, original)
        self._condition(hpa, "AbleToScale", "True", "SucceededGetScale",
                        "the HPA controller was able to get the target's current scale")
        current = (scale.get("spec") or {}).get("replicas", 0)
        if key not in self.recommendations:
            self.recommendations[key] = rules.Recommendations([(current, self.clock.now())])
        min_replicas = spec.get("minReplicas", 1)
        max_replicas = spec.get("maxReplicas", 0)
        statuses: list = (original.get("currentMetrics") or [])
        reason, rescale = "", True
        if current == 0 and min_replicas != 0:
            desired, rescale = 0, False
            self._condition(hpa, "ScalingActive", "False", "ScalingDisabled",
                            "scaling is disabled since the replica count of the target is zero")
        elif current > max_replicas:
            reason, desired = "Current number of replicas above Spec.MaxReplicas", max_replicas
        elif current < min_replicas:
            reason, desired = "Current number of replicas below Spec.MinReplicas", min_replicas
        else:
            proposal, metric_name, statuses = self._replicas_for_metrics(hpa, scale, original)
            desired = proposal
            if desired > current:
                reason = f"{metric_name} above target"
            if desired < current:
                reason = "All metrics below target"
            desired = self._normalize(hpa, key, current, desired, min_replicas, max_replicas)
            rescale = desired != current
        if rescale:
            self._rescale(hpa, key, scale, rtype, current, desired, reason, statuses, original)
        else:
            desired = current
        self._set_status(hpa, current, desired, statuses, rescale)
        self._update_status_if_needed(original, hpa)

    def _get_scale(self, hpa: dict, target: dict, original: dict) -> tuple[dict, object]:
        try:
            rtype = self.client.server.kind_type(target.get("apiVersion", ""), target.get("kind", ""))
            return self.client.get(rtype, target.get("name", ""), hpa["metadata"]["namespace"],
                                   subresource="scale"), rtype
        except StatusError as err:
            self.recorder.event(hpa, WARNING, "FailedGetScale", err.message)
            self._condition(hpa, "AbleToScale", "False", "FailedGetScale",
                            f"the HPA controller was unable to get the target's current scale: {err.message}")
            self._update_status_if_needed(original, hpa)
            raise

    def _rescale(self, hpa: dict, key: str, scale: dict, rtype, current: int, desired: int,
                 reason: str, statuses: list, original: dict) -> None:
        scale = dict(scale, spec=dict(scale.get("spec") or {}, replicas=desired))
        try:
            self.client.update(scale, subresource="scale", resource=rtype)
        except StatusError as err:
            self.recorder.event(hpa, WARNING, "FailedRescale",
                                f"New size: {desired}; reason: {reason}; error: {err.message}")
            self._condition(hpa, "AbleToScale", "False", "FailedUpdateScale",
                            f"the HPA controller was unable to update the target scale: {err.message}")
            self._set_status(hpa, current, hpa["status"].get("desiredReplicas", 0), statuses, False)
            self._update_status_if_needed(original, hpa)
            raise
        self._condition(hpa, "AbleToScale", "True", "SucceededRescale",
                        f"the HPA controller was able to update the target scale to {desired}")
        self.recorder.event(hpa, NORMAL, "SuccessfulRescale", f"New size: {desired}; reason: {reason}")
        behavior = hpa["spec"].get("behavior")
        if behavior:
            direction = behavior.get("scaleUp" if desired > current else "scaleDown") or {}
            self.scale_events.setdefault(key, rules.ScaleEvents()).store(
                current, desired, self.clock.now(), rules.longest_policy_period(direction))

    def _normalize(self, hpa: dict, key: str, current: int, desired: int, min_replicas: int,
                   max_replicas: int) -> int:
        behavior = hpa["spec"].get("behavior")
        now = self.clock.now()
        if behavior is None:
            replicas, able, limit, limited = rules.normalize(
                self.recommendations[key], current, desired, min_replicas, max_replicas, now)
        else:
            replicas, able, limit, limited = rules.normalize_with_behavior(
                self.recommendations[key], self.scale_events.setdefault(key, rules.ScaleEvents()), behavior,
                current, desired, min_replicas, max_replicas, now)
        self._condition(hpa, "AbleToScale", "True", *able)
        self._condition(hpa, "ScalingLimited", "True" if limited else "False", *limit)
        return replicas

    # -- computeReplicasForMetrics --------------------------------------------------------------
    def _replicas_for_metrics(self, hpa: dict, scale: dict, original: dict) -> tuple[int, str, list]:
        selector_text = (scale.get("status") or {}).get("selector") or ""
        if not selector_text:
            self.recorder.event(hpa, WARNING, "SelectorRequired", "selector is required")
            self._condition(hpa, "ScalingActive", "False", "InvalidSelector",
                            "the HPA target's scale is missing a selector")
            self._fail_metrics(hpa, scale, [], original, "selector is required", event=False)
        try:
            selector = parse_selector(selector_text)
        except SelectorError as err:
            self.recorder.event(hpa, WARNING, "InvalidSelector", str(err))
            self._condition(hpa, "ScalingActive", "False", "InvalidSelector",
                            f"the HPA target's scale has an invalid selector: {err}")
            self._fail_metrics(hpa, scale, [], original, str(err), event=False)
        specs = hpa["spec"].get("metrics") or []
        current = (scale.get("spec") or {}).get("replicas", 0)
        statuses, replicas, metric_name, failures = [], 0, "", []
        for spec in specs:
            try:
                proposal, name, status = self._replicas_for_metric(hpa, spec, current, selector)
            except ReconcileError as err:
                statuses.append({"type": ""})
                failures.append(err)
                continue
            statuses.append(status)
            if replicas == 0 or proposal > replicas:
                replicas, metric_name = proposal, name
        if failures and (len(failures) >= len(specs) or replicas < current):
            first = failures[0]
            self._condition(hpa, "ScalingActive", *first.condition)
            self._fail_metrics(hpa, scale, statuses, original,
                               f"invalid metrics ({len(failures)} invalid out of {len(specs)}), "
                               f"first error is: {first}")
        self._condition(hpa, "ScalingActive", "True", "ValidMetricFound",
                        f"the HPA was able to successfully calculate a replica count from {metric_name}")
        return replicas, metric_name, statuses

    def _fail_metrics(self, hpa: dict, scale: dict, statuses: list, original: dict, message: str, *,
                      event: bool = True) -> None:
        """No usable metric: keep the replicas, record the failure, stop this reconcile."""
        current = (scale.get("spec") or {}).get("replicas", 0)
        self._set_status(hpa, current, hpa["status"].get("desiredReplicas", 0), statuses, False)
        self._update_status_if_needed(original, hpa)
        if event:
            self.recorder.event(hpa, WARNING, "FailedComputeMetricsReplicas", message)
        raise ReconcileError(message)

    def _replicas_for_metric(self, hpa: dict, spec: dict, current: int, selector) -> tuple[int, str, dict]:
        kind = spec.get("type", "")
        if kind in ("Resource", "ContainerResource"):
            source = spec.get("resource" if kind == "Resource" else "containerResource") or {}
            try:
                return self._resource_metric(hpa, kind, source, current, selector)
            except calc.MetricsError as err:
                self.recorder.event(hpa, WARNING, f"FailedGet{kind}Metric", str(err))
                condition = ("False", f"FailedGet{kind}Metric",
                             f"the HPA was unable to compute the replica count: {err}")
                prefix = "container resource" if kind == "ContainerResource" else "resource"
                raise ReconcileError(f"failed to get {source.get('name', '')} {prefix} metric value: {err}",
                                     condition) from None
        reason, word = _CUSTOM_METRIC_REASONS.get(kind, ("FailedGetMetric", kind.lower()))
        source = spec.get(word) or {}
        name = (source.get("metric") or {}).get("name", "")
        api = "external metrics API" if kind == "External" else "custom metrics API"
        err = (f"unable to get {'external ' if kind == 'External' else ''}metric {hpa['metadata']['namespace']}/"
               f"{name}/{selector}: unable to fetch metrics from {api}: the server could not find the "
               f"requested resource")
        self.recorder.event(hpa, WARNING, reason, err)
        raise ReconcileError(f"failed to get {word} metric value: {err}",
                             ("False", reason, f"the HPA was unable to compute the replica count: {err}"))

    def _resource_metric(self, hpa: dict, kind: str, source: dict, current: int, selector) -> tuple[int, str, dict]:
        """``computeStatusForResourceMetricGeneric``."""
        resource, container = source.get("name", ""), source.get("container", "")
        target = source.get("target") or {}
        namespace = hpa["metadata"]["namespace"]
        metrics, timestamp = self._pod_metrics(namespace, selector, resource, container)
        pods = [p for p in self.pod_informer.list(namespace) if selector.matches(p["metadata"].get("labels"))]
        now = self.clock.now()
        field = "resource" if kind == "Resource" else "containerResource"
        identity = {"name": resource, **({"container": container} if container else {})}
        if target.get("averageValue") is not None:
            wanted = qty.parse_quantity(str(target["averageValue"])).milli
            try:
                replicas, usage = calc.raw_resource_replicas(current, wanted, resource, pods, metrics, now)
            except calc.MetricsError as err:
                raise calc.MetricsError(f"failed to get {resource} usage: {err}") from None
            status = {"type": kind, field: {**identity, "current": {"averageValue": milli_quantity(usage)}}}
            return replicas, f"{resource} {'container ' if container else ''}resource", status
        if target.get("averageUtilization") is None:
            raise calc.MetricsError("invalid resource metric source: neither an average utilization target "
                                    "nor an average value (usage) target was set")
        try:
            proposal = calc.resource_replicas(current, target["averageUtilization"], resource, pods, metrics,
                                              timestamp, now, container)
        except calc.MetricsError as err:
            raise calc.MetricsError(f"failed to get {resource} utilization: {err}") from None
        status = {"type": kind, field: {**identity, "current": {
            "averageValue": milli_quantity(proposal.raw_average), "averageUtilization": proposal.utilization}}}
        what = "container resource" if container else "resource"
        return proposal.replicas, f"{resource} {what} utilization (percentage of request)", status

    def _pod_metrics(self, namespace: str, selector, resource: str, container: str) -> tuple[dict, float]:
        """The metrics client's ``GetResourceMetric``."""
        try:
            listed = self.client.pod_metrics(namespace)
        except StatusError as err:
            raise calc.MetricsError(f"unable to get metrics for resource {resource}: unable to fetch metrics "
                                    f"from resource metrics API: {err.message}") from None
        items = [m for m in listed.get("items") or () if selector.matches(m["metadata"].get("labels"))]
        if container:
            items = [dict(m, containers=[c for c in m.get("containers") or () if c.get("name") == container])
                     for m in items]
        if not items:
            raise calc.MetricsError(f"unable to get metrics for resource {resource}: "
                                    "no metrics returned from resource metrics API")
        info = calc.pod_metrics_info(items, resource)
        return info, next(iter(info.values())).timestamp if info else self.clock.now()

    # -- status ----------------------------------------------------------------------------------
    def _condition(self, hpa: dict, kind: str, state: str, reason: str, message: str) -> None:
        set_condition(hpa["status"], kind, state, reason, message, self.clock.timestamp())

    def _set_status(self, hpa: dict, current: int, desired: int, statuses: list, rescale: bool) -> None:
        """``setStatus``: replicas and metrics; ``lastScaleTime`` moves on a rescale."""
        old = hpa["status"]
        values = {"lastScaleTime": old.get("lastScaleTime"), "currentReplicas": current,
                  "desiredReplicas": desired, "currentMetrics": statuses or None,
                  "conditions": old.get("conditions")}
        if rescale:
            values["lastScaleTime"] = self.clock.timestamp()
        if "observedGeneration" in old:
            values["observedGeneration"] = old["observedGeneration"]
        status = {}
        for key in _STATUS_ORDER:
            value = values.get(key)
            if value is None and key != "currentMetrics":
                continue
            if key == "currentReplicas" and not value:
                continue  # omitempty
            status[key] = value
        hpa["status"] = status

    def _update_status_if_needed(self, original: dict, hpa: dict) -> None:
        if hpa["status"] == original:
            return
        try:
            self.client.update(hpa, subresource="status")
        except StatusError as err:
            self.recorder.event(hpa, WARNING, "FailedUpdateStatus", err.message)
            raise ReconcileError(f"failed to update status for {hpa['metadata']['name']}: {err.message}") from None
