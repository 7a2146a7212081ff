"""From a metric's recommendation to the replica count the HPA sets: stabilization and limits.

Mirrors the normalization half of pkg/controller/podautoscaler/horizontal.go (Kubernetes 1.32):

* **Without** ``spec.behavior`` (``normalizeDesiredReplicas``): a scale-down takes the highest
  recommendation of the last 5 minutes (``--horizontal-pod-autoscaler-downscale-stabilization``),
  and one step may at most double the replicas (or go to 4): ``max(2 * current, 4)``.
* **With** ``spec.behavior`` (``normalizeDesiredReplicasWithBehaviors``): scale-up takes the
  lowest, scale-down the highest recommendation within each direction's stabilization window
  (scale-down's defaults to 5 minutes); then each direction's policies bound how far the
  replicas may move from where they were one policy period ago (``selectPolicy`` Max: the most
  permissive policy; Min: the strictest; Disabled: no change at all).

Each step also says why, as the AbleToScale and ScalingLimited conditions: reason and message
strings are the controller's. :class:`Recommendations` and :class:`ScaleEvents` are the
controller's per-HPA memory (``a.recommendations``, ``a.scaleUpEvents``, ``a.scaleDownEvents``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

DOWNSCALE_STABILIZATION_WINDOW = 300.0
SCALE_UP_LIMIT_FACTOR = 2.0
SCALE_UP_LIMIT_MINIMUM = 4.0

WITHIN_RANGE = ("DesiredWithinRange", "the desired count is within the acceptable range")
TOO_FEW = ("TooFewReplicas", "the desired replica count is less than the minimum replica count")
TOO_MANY = ("TooManyReplicas", "the desired replica count is more than the maximum replica count")
SCALE_UP_LIMIT = ("ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
SCALE_DOWN_LIMIT = ("ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate")
READY_FOR_NEW_SCALE = ("ReadyForNewScale", "recommended size matches current size")
SCALE_DOWN_STABILIZED = ("ScaleDownStabilized", "recent recommendations were higher than current one, "
                                                 "applying the highest recent recommendation")
SCALE_UP_STABILIZED = ("ScaleUpStabilized", "recent recommendations were lower than current one, "
                                             "applying the lowest recent recommendation")


@dataclass
class Recommendations:
    """``timestampedRecommendation``s of one HPA."""

    entries: list[tuple[int, float]] = field(default_factory=list)

    def record(self, replicas: int, now: float, cutoff: float) -> None:
        """Store ``replicas``; entries from before ``cutoff`` are dropped."""
        self.entries = [(r, t) for r, t in self.entries if t >= cutoff]
        self.entries.append((replicas, now))


@dataclass
class ScaleEvents:
    """``timestampedScaleEvent``s of one HPA, per direction."""

    up: list[tuple[int, float]] = field(default_factory=list)
    down: list[tuple[int, float]] = field(default_factory=list)

    def store(self, previous: int, new: int, now: float, longest_period: float) -> None:
        events = self.up if new > previous else self.down
        events[:] = [(change, t) for change, t in events if t > now - longest_period]
        events.append((abs(new - previous), now))


def _changed_within(events: list[tuple[int, float]], period: float, now: float) -> int:
    """``getReplicasChangePerPeriod``."""
    return sum(change for change, when in events if when > now - period)


# -- without behavior -------------------------------------------------------------------------
def normalize(recommendations: Recommendations, current: int, desired: int, min_replicas: int,
              max_replicas: int, now: float) -> tuple[int, tuple[str, str], tuple[str, str], bool]:
    """``normalizeDesiredReplicas``: (replicas, AbleToScale reason+message, ScalingLimited
    reason+message, whether ScalingLimited is True)."""
    stabilized = max([desired] + [r for r, t in recommendations.entries
                                  if t >= now - DOWNSCALE_STABILIZATION_WINDOW])
    recommendations.record(desired, now, now - DOWNSCALE_STABILIZATION_WINDOW)
    able = SCALE_DOWN_STABILIZED if stabilized != desired else READY_FOR_NEW_SCALE
    replicas, limit = _within_rules(current, stabilized, min_replicas, max_replicas)
    return replicas, able, limit, replicas != stabilized


def _within_rules(current: int, desired: int, min_replicas: int, max_replicas: int) -> tuple[int, tuple]:
    """``convertDesiredReplicasWithRules``."""
    scale_up_limit = int(max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM))
    if max_replicas > scale_up_limit:
        maximum, limiting = scale_up_limit, SCALE_UP_LIMIT
    else:
        maximum, limiting = max_replicas, TOO_MANY
    if desired < min_replicas:
        return min_replicas, TOO_FEW
    if desired > maximum:
        return maximum, limiting
    return desired, WITHIN_RANGE


# -- with behavior ----------------------------------------------------------------------------
def normalize_with_behavior(recommendations: Recommendations, events: ScaleEvents, behavior: dict,
                            current: int, desired: int, min_replicas: int, max_replicas: int,
                            now: float) -> tuple[int, tuple[str, str], tuple[str, str], bool]:
    """``normalizeDesiredReplicasWithBehaviors``, same answer shape as :func:`normalize`."""
    up, down = behavior.get("scaleUp") or {}, behavior.get("scaleDown") or {}
    up_window = up.get("stabilizationWindowSeconds") or 0
    down_window = down.get("stabilizationWindowSeconds")
    if down_window is None:
        down_window = DOWNSCALE_STABILIZATION_WINDOW
    stabilized, reason = _stabilize(recommendations, current, desired, up_window, down_window, now)
    able = reason if stabilized != desired else READY_FOR_NEW_SCALE
    replicas, limit = _within_rates(events, up, down, current, stabilized, min_replicas, max_replicas, now)
    return replicas, able, limit, replicas != stabilized


def _stabilize(recommendations: Recommendations, current: int, desired: int, up_window: float,
               down_window: float, now: float) -> tuple[int, tuple[str, str]]:
    """``stabilizeRecommendationWithBehaviors``."""
    up_floor = down_ceiling = desired
    for replicas, when in recommendations.entries:
        if when > now - up_window:
            up_floor = min(up_floor, replicas)
        if when > now - down_window:
            down_ceiling = max(down_ceiling, replicas)
    recommendation = min(max(current, up_floor), down_ceiling)
    recommendations.record(desired, now, now - max(up_window, down_window))
    return recommendation, (SCALE_UP_STABILIZED if desired >= current else SCALE_DOWN_STABILIZED)


def _within_rates(events: ScaleEvents, up: dict, down: dict, current: int, desired: int,
                  min_replicas: int, max_replicas: int, now: float) -> tuple[int, tuple]:
    """``convertDesiredReplicasWithBehaviorRate``."""
    if desired > current:
        limit = max(scale_up_limit(current, events, up, now), current)
        maximum, limiting = (limit, SCALE_UP_LIMIT) if max_replicas > limit else (max_replicas, TOO_MANY)
        if desired > maximum:
            return maximum, limiting
    elif desired < current:
        limit = min(scale_down_limit(current, events, down, now), current)
        minimum, limiting = (limit, SCALE_DOWN_LIMIT) if min_replicas < limit else (min_replicas, TOO_FEW)
        if desired < minimum:
            return minimum, limiting
    return desired, WITHIN_RANGE


def scale_up_limit(current: int, events: ScaleEvents, rules: dict, now: float) -> int:
    """``calculateScaleUpLimitWithScalingRules``."""
    select = rules.get("selectPolicy") or "Max"
    if select == "Disabled":
        return current
    proposals = []
    for policy, start in _period_starts(current, events, rules, now):
        if policy.get("type") == "Pods":
            proposals.append(start + policy.get("value", 0))
        else:
            proposals.append(math.ceil(start * (1 + policy.get("value", 0) / 100)))
    if not proposals:
        return current
    return min(proposals) if select == "Min" else max(proposals)


def scale_down_limit(current: int, events: ScaleEvents, rules: dict, now: float) -> int:
    """``calculateScaleDownLimitWithBehaviors``."""
    select = rules.get("selectPolicy") or "Max"
    if select == "Disabled":
        return current
    proposals = []
    for policy, start in _period_starts(current, events, rules, now):
        if policy.get("type") == "Pods":
            proposals.append(start - policy.get("value", 0))
        else:
            proposals.append(int(start * (1 - policy.get("value", 0) / 100)))
    if not proposals:
        return current
    return max(proposals) if select == "Min" else min(proposals)


def _period_starts(current: int, events: ScaleEvents, rules: dict, now: float):
    """Each policy with ``periodStartReplicas``: the replicas before the changes of its period."""
    for policy in rules.get("policies") or ():
        period = policy.get("periodSeconds", 0)
        yield policy, current - _changed_within(events.up, period, now) + _changed_within(events.down, period, now)


def longest_policy_period(rules: dict) -> float:
    return max([p.get("periodSeconds", 0) for p in rules.get("policies") or ()] or [0])
