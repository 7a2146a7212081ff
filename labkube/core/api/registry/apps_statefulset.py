"""StatefulSets: generation, status separation, the disabled ``maxUnavailable`` and ``/scale``.

Mirrors pkg/registry/apps/statefulset/strategy.go and storage/storage.go (Kubernetes 1.32):

* Create resets status to ``{}`` and sets ``metadata.generation: 1``; an update keeps status
  and bumps the generation when the spec changes; ``/status`` keeps the spec and the metadata.
* ``dropStatefulSetDisabledFields``: ``updateStrategy.rollingUpdate.maxUnavailable`` belongs to
  the MaxUnavailableStatefulSet feature, alpha (off) in 1.32, so the server drops it unless the
  stored object already had one.
* ``/scale`` is ``scaleFromStatefulSet``: the shape Deployments and ReplicaSets use
  (:func:`labkube.core.api.registry.apps.scale_from`), so ``kubectl scale sts web --replicas=5``
  works the same way.
* apps/v1 deletes dependents in the background by default (``DeleteDependents``).
"""

from __future__ import annotations

from labkube.core.api.registry.strategy import ServerContext, Strategy


def _max_unavailable_in_use(obj: dict | None) -> bool:
    rolling = (((obj or {}).get("spec") or {}).get("updateStrategy") or {}).get("rollingUpdate") or {}
    return rolling.get("maxUnavailable") is not None


def drop_disabled_fields(new: dict, old: dict | None) -> None:
    """``dropStatefulSetDisabledFields`` with MaxUnavailableStatefulSet off."""
    if _max_unavailable_in_use(old):
        return
    rolling = ((new.get("spec") or {}).get("updateStrategy") or {}).get("rollingUpdate")
    if isinstance(rolling, dict):
        rolling.pop("maxUnavailable", None)


class StatefulSetStrategy(Strategy):
    generation = True
    status_subresource = True

    def prepare_for_create(self, obj: dict, ctx: ServerContext) -> None:
        drop_disabled_fields(obj, None)
        super().prepare_for_create(obj, ctx)

    def initial_status(self, obj: dict, ctx: ServerContext) -> dict:
        """An empty ``StatefulSetStatus``: ``replicas`` and ``availableReplicas`` have no
        ``omitempty``, so Go writes them as 0."""
        return {"replicas": 0, "availableReplicas": 0}

    def prepare_for_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        drop_disabled_fields(new, old)
        super().prepare_for_update(new, old, ctx)

    def prepare_for_status_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        """``statefulSetStatusStrategy.PrepareForUpdate``: the spec and metadata stay."""
        if "spec" in old:
            new["spec"] = old["spec"]
        self.reset_meta_for_status(new["metadata"], old["metadata"])
