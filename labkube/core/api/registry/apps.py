"""Deployments and ReplicaSets: generation, status separation and the ``scale`` subresource.

Mirrors pkg/registry/apps/deployment/strategy.go, pkg/registry/apps/replicaset/strategy.go
and their ``ScaleREST`` (storage/storage.go):

* Create resets status to ``{}`` and sets ``metadata.generation: 1``.
* Update keeps status and bumps the generation when the spec changes (a Deployment also when
  its annotations change, because they are copied to its ReplicaSets).
* ``/status`` keeps spec and labels.
* ``/scale`` reads and writes an ``autoscaling/v1`` ``Scale``: ``spec.replicas`` from the
  object's spec, ``status.replicas`` from its status and ``status.selector`` as a selector
  string (``app=web``). The default garbage-collection policy is Background
  (``DeleteDependents``).
"""

from __future__ import annotations

from labkube.core.api.labels import selector_from_label_selector
from labkube.core.api.registry.strategy import ServerContext, Strategy, object_meta_fields


class _ReplicatedStrategy(Strategy):
    generation = True
    status_subresource = True

    def prepare_for_status_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        if "spec" in old:
            new["spec"] = old["spec"]
        labels = old["metadata"].get("labels")
        if labels is None:
            new["metadata"].pop("labels", None)
        else:
            new["metadata"]["labels"] = labels


class DeploymentStrategy(_ReplicatedStrategy):
    generation_fields = ("spec",)

    def generation_changed(self, new: dict, old: dict) -> bool:
        return new.get("spec") != old.get("spec") or (
            new["metadata"].get("annotations") or {}
        ) != (old["metadata"].get("annotations") or {})


class ReplicaSetStrategy(_ReplicatedStrategy):
    field_labels = ("metadata.name", "metadata.namespace", "status.replicas")

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        fields = object_meta_fields(obj)
        fields["status.replicas"] = str((obj.get("status") or {}).get("replicas", 0))
        return fields


def scale_from(obj: dict) -> dict:
    """``scaleFromDeployment`` / ``scaleFromReplicaSet`` / ``scaleFromRC``."""
    meta = obj["metadata"]
    scale_meta = {}
    for key in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp"):
        if key in meta:
            scale_meta[key] = meta[key]
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    selector = spec.get("selector")
    if obj.get("kind") == "ReplicationController":  # scaleFromRC: a plain label map
        selector = {"matchLabels": selector or {}}
    selector = str(selector_from_label_selector(selector))
    scale_status = {"replicas": status.get("replicas", 0)}
    if selector:
        scale_status["selector"] = selector
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": scale_meta,
        "spec": {"replicas": spec.get("replicas", 0)} if spec.get("replicas") else {},
        "status": scale_status,
    }
