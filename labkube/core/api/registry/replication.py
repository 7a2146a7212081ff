"""ReplicationControllers and PodTemplates: the two core (v1) kinds built around a pod template.

Mirrors pkg/registry/core/replicationcontroller/strategy.go and
pkg/registry/core/podtemplate/strategy.go (Kubernetes 1.32):

* A ReplicationController is a ReplicaSet's elder: create resets status (``replicas: 0``, a
  field Go always writes) and sets ``metadata.generation: 1``; updates keep status and bump the
  generation when the spec changes; ``/status`` keeps the spec. Its ``/scale`` subresource is
  served like a ReplicaSet's (:func:`labkube.core.api.registry.apps.scale_from`), with the
  selector map as ``status.selector`` (``app=nginx``).
* ``DefaultGarbageCollectionPolicy`` is ``OrphanDependents`` for core/v1 "for backwards
  compatibility": deleting an RC through the API without a propagation policy leaves its pods.
  ``kubectl delete rc`` sends ``propagationPolicy: Background`` (its pods go), and
  ``--cascade=orphan`` sends ``Orphan`` (they stay, without the ownerReference).
* Field selectors on RCs: ``status.replicas`` besides name and namespace.
* A PodTemplate has no status; create sets ``metadata.generation: 1`` and a change of
  ``template`` bumps it.
"""

from __future__ import annotations

from labkube.core.api.registry.strategy import ServerContext, Strategy, object_meta_fields


class ReplicationControllerStrategy(Strategy):
    generation = True
    status_subresource = True
    gc_policy = "OrphanDependents"
    field_labels = ("metadata.name", "metadata.namespace", "status.replicas")

    def initial_status(self, obj: dict, ctx: ServerContext) -> dict:
        return {"replicas": 0}  # ReplicationControllerStatus.replicas has no omitempty

    def prepare_for_status_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        if "spec" in old:  # rcStatusStrategy.PrepareForUpdate: only the spec is kept
            new["spec"] = old["spec"]

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        fields = object_meta_fields(obj)
        fields["status.replicas"] = str((obj.get("status") or {}).get("replicas", 0))
        return fields


class PodTemplateStrategy(Strategy):
    generation = True
    generation_fields = ("template",)
