"""HorizontalPodAutoscalers: status kept apart from spec, no generation.

Mirrors pkg/registry/autoscaling/horizontalpodautoscaler/strategy.go (Kubernetes 1.32):
create resets status to the zero ``HorizontalPodAutoscalerStatus`` (which autoscaling/v2 writes
as ``currentMetrics: null`` and ``desiredReplicas: 0``); an update keeps the stored status and
``/status`` keeps the stored spec. The strategy sets no ``metadata.generation`` (kube-apiserver's
HPA strategy does not maintain it). The strategy works on the storage form (autoscaling/v2) whatever
version a client used.
"""

from __future__ import annotations

from typing import Optional

from labkube.core.api.registry.strategy import ServerContext, Strategy


def empty_status() -> dict:
    """The zero HorizontalPodAutoscalerStatus as autoscaling/v2 encodes it."""
    return {"desiredReplicas": 0, "currentMetrics": None}


class HorizontalPodAutoscalerStrategy(Strategy):
    status_subresource = True

    def initial_status(self, obj: dict, ctx: ServerContext) -> Optional[dict]:
        return empty_status()
