"""PodDisruptionBudgets (policy/v1): generation, and status kept apart from spec.

Mirrors pkg/registry/policy/poddisruptionbudget/strategy.go (Kubernetes 1.32):

* Create resets status to its zero value (``disruptionsAllowed: 0`` and the other counts,
  which Go always serializes) and sets ``metadata.generation: 1``.
* An update keeps the stored status and bumps the generation when the spec changed; a
  ``/status`` update keeps the spec. The disruption controller and the eviction subresource
  compare ``status.observedGeneration`` with the generation to know whether the status
  describes the current spec.
* ``AllowUnconditionalUpdate`` is false: a PUT must carry the resourceVersion it read.
"""

from __future__ import annotations

from typing import Optional

from labkube.core.api.registry.strategy import ServerContext, Strategy

#: The zero ``PodDisruptionBudgetStatus`` as policy/v1 serializes it (the counts have no omitempty).
ZERO_STATUS = {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}


class PodDisruptionBudgetStrategy(Strategy):
    generation = True
    status_subresource = True
    allow_unconditional_update = False

    def initial_status(self, obj: dict, ctx: ServerContext) -> Optional[dict]:
        return dict(ZERO_STATUS)
