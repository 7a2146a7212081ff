"""Namespaces: born Active with the ``kubernetes`` finalizer, deleted in two steps.

Mirrors pkg/registry/core/namespace/strategy.go and storage/storage.go:

* Create: ``status.phase: Active``, ``spec.finalizers: [kubernetes]``, and the label
  ``kubernetes.io/metadata.name=<name>`` (kept in step with the name on every write).
* Update keeps status and ``spec.finalizers``; ``/status`` changes only status;
  ``/finalize`` changes only ``spec.finalizers``.
* Delete (handled by the server's ``_delete_namespace``): the first delete sets
  ``deletionTimestamp`` and ``status.phase: Terminating`` and returns the Namespace. The
  namespace controller (a later issue) empties it, removes ``kubernetes`` through
  ``/finalize`` and deletes again; a delete while ``spec.finalizers`` is not empty is a
  Conflict (``The system is ensuring all content is removed from this namespace. ...``).
"""

from __future__ import annotations

from labkube.core.api.registry.strategy import ServerContext, Strategy, object_meta_fields

FINALIZER_KUBERNETES = "kubernetes"
LABEL_METADATA_NAME = "kubernetes.io/metadata.name"
NAMESPACE_CONTENT_MESSAGE = (
    "The system is ensuring all content is removed from this namespace.  Upon completion, "
    "this namespace will automatically be purged by the system."
)


class NamespaceStrategy(Strategy):
    status_subresource = True
    return_deleted_object = True
    field_labels = ("metadata.name", "status.phase")

    def initial_status(self, obj: dict, ctx: ServerContext) -> dict:
        return {"phase": "Active"}

    def prepare_for_create(self, obj: dict, ctx: ServerContext) -> None:
        super().prepare_for_create(obj, ctx)
        spec = obj.get("spec") or {}
        finalizers = list(spec.get("finalizers") or [])
        if FINALIZER_KUBERNETES not in finalizers:
            finalizers.append(FINALIZER_KUBERNETES)
        spec["finalizers"] = finalizers
        status = obj.pop("status")
        obj["spec"] = spec
        obj["status"] = status

    def prepare_for_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        super().prepare_for_update(new, old, ctx)
        old_finalizers = (old.get("spec") or {}).get("finalizers")
        spec = new.setdefault("spec", {})
        if old_finalizers is None:
            spec.pop("finalizers", None)
        else:
            spec["finalizers"] = list(old_finalizers)

    def prepare_for_finalize(self, new: dict, old: dict) -> None:
        """``namespaceFinalizeStrategy``: only ``spec.finalizers`` comes from the request."""
        finalizers = (new.get("spec") or {}).get("finalizers")
        for key in list(new):
            if key not in ("apiVersion", "kind", "metadata"):
                del new[key]
        for key, value in old.items():
            if key not in ("apiVersion", "kind", "metadata"):
                new[key] = value
        spec = dict(old.get("spec") or {})
        if finalizers:
            spec["finalizers"] = list(finalizers)
        else:
            spec.pop("finalizers", None)
        new["spec"] = spec
        meta = new["metadata"]
        for key in ("labels", "annotations", "finalizers", "ownerReferences"):
            if key in old["metadata"]:
                meta[key] = old["metadata"][key]
            else:
                meta.pop(key, None)

    def canonicalize(self, obj: dict) -> None:
        meta = obj["metadata"]
        name = meta.get("name")
        if name:
            labels = meta.get("labels") or {}
            labels[LABEL_METADATA_NAME] = name
            meta["labels"] = labels

    def prepare_for_status_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        if "spec" in old:
            new["spec"] = old["spec"]
        else:
            new.pop("spec", None)

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        fields = object_meta_fields(obj, namespaced=False)
        fields["status.phase"] = (obj.get("status") or {}).get("phase", "")
        return fields
