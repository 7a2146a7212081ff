"""ResourceQuotas: status owned by the quota system, maps in Go's order.

Mirrors pkg/registry/core/resourcequota/strategy.go (Kubernetes 1.32):

* Create resets ``status`` to ``{}``: a new quota has no usage until the resource-quota
  controller counts its namespace (``kubectl get quota`` then shows ``0`` for every resource
  only once it did).
* Update keeps ``status`` (``resourcequotaStrategy.PrepareForUpdate``); an update of
  ``/status`` (the controller's and the admission plugin's) keeps ``spec``.
* No ``metadata.generation`` is kept for ResourceQuotas.
* ``spec.hard``, ``status.hard`` and ``status.used`` are Go maps, which serialize sorted by key.
"""

from __future__ import annotations

from labkube.core.api.registry.strategy import Strategy


def _sorted_map(parent: dict | None, key: str) -> None:
    if isinstance(parent, dict) and isinstance(parent.get(key), dict):
        parent[key] = dict(sorted(parent[key].items()))


class ResourceQuotaStrategy(Strategy):
    status_subresource = True

    def canonicalize(self, obj: dict) -> None:
        _sorted_map(obj.get("spec"), "hard")
        _sorted_map(obj.get("status"), "hard")
        _sorted_map(obj.get("status"), "used")
