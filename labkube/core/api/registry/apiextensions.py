"""The strategies of CustomResourceDefinitions and of the custom resources they define.

Mirrors two strategy.go files of k8s.io/apiextensions-apiserver (Kubernetes 1.32):

* pkg/registry/customresourcedefinition/strategy.go: a new CRD starts with a status holding only
  empty ``acceptedNames`` and ``storedVersions`` (its storage version), ``generation`` 1; an
  update keeps the status, bumps the generation when the spec changed and adds a new storage
  version to ``storedVersions``; a status update keeps the spec, labels, annotations, owner
  references and generation but -- unlike most kinds -- may change finalizers (the finalizer
  controller removes ``customresourcecleanup.apiextensions.k8s.io`` that way).
* pkg/registry/customresource/strategy.go and status_strategy.go: a custom resource always
  keeps ``metadata.generation`` (1 on create, +1 whenever anything but metadata -- and status,
  with the status subresource -- changes); with the status subresource, create drops
  ``status``, an update keeps the stored status, and a ``/status`` update changes only status
  (everything else, all of metadata included, is the stored object's).

Deleting a CRD is not immediate: :func:`crd_delete_finalizer` is what the CRD storage's
``Delete`` does first (add the cleanup finalizer and the ``Terminating`` condition); see
:mod:`labkube.core.apiextensions` for the finalizer controller that then removes every
custom resource.
"""

from __future__ import annotations

from typing import Optional

from labkube.core import errors, serialization
from labkube.core.api.registry.strategy import ServerContext, Strategy, object_meta_fields

#: ``apiextensions.CustomResourceCleanupFinalizer``.
CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"


def set_condition(crd: dict, kind: str, status: str, reason: str, message: str, now: str) -> None:
    """``apihelpers.SetCRDCondition``: add or replace the condition of that type; its
    ``lastTransitionTime`` moves only when its status changes."""
    conditions = crd.setdefault("status", {}).setdefault("conditions", [])
    new = {"type": kind, "status": status, "lastTransitionTime": now, "reason": reason, "message": message}
    for i, existing in enumerate(conditions):
        if existing.get("type") == kind:
            if existing.get("status") == status and existing.get("lastTransitionTime"):
                new["lastTransitionTime"] = existing["lastTransitionTime"]
            conditions[i] = new
            return
    conditions.append(new)


def find_condition(crd: dict, kind: str) -> Optional[dict]:
    for cond in (crd.get("status") or {}).get("conditions") or ():
        if cond.get("type") == kind:
            return cond
    return None


def storage_version(crd: dict) -> Optional[str]:
    for version in (crd.get("spec") or {}).get("versions") or ():
        if isinstance(version, dict) and version.get("storage"):
            return version.get("name", "")
    return None


def _add_stored_version(crd: dict) -> None:
    """The storage version joins ``status.storedVersions`` (``IsStoredVersion`` / append)."""
    name = storage_version(crd)
    if name is None:
        return
    status = crd.setdefault("status", {})
    stored = status.setdefault("storedVersions", [])
    if name not in stored:
        stored.append(name)


class CustomResourceDefinitionStrategy(Strategy):
    """``strategy`` and ``statusStrategy`` of customresourcedefinition (cluster-scoped)."""

    generation = True
    status_subresource = True

    def initial_status(self, obj: dict, ctx: ServerContext) -> Optional[dict]:
        # CustomResourceDefinitionStatus{}: acceptedNames is not omitempty, nor are its
        # plural and kind.
        return {"acceptedNames": {"plural": "", "kind": ""}}

    def prepare_for_create(self, obj: dict, ctx: ServerContext) -> None:
        super().prepare_for_create(obj, ctx)
        _add_stored_version(obj)

    def prepare_for_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        super().prepare_for_update(new, old, ctx)
        _add_stored_version(new)

    def prepare_for_first_delete(self, obj: dict, ctx: ServerContext) -> Optional[dict]:
        """customresourcedefinition ``REST.Delete``: before the object is marked for deletion,
        the cleanup finalizer and the ``Terminating`` condition (InstanceDeletionPending)."""
        crd = serialization.copy(obj)
        finalizers = crd["metadata"].setdefault("finalizers", [])
        if CLEANUP_FINALIZER not in finalizers:
            finalizers.append(CLEANUP_FINALIZER)
        set_condition(crd, "Terminating", "True", "InstanceDeletionPending",
                      "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon",
                      ctx.clock.timestamp())
        return crd

    def reset_meta_for_status(self, meta: dict, old_meta: dict) -> None:
        """Only labels, annotations, owner references and generation are kept: finalizers and
        the deletion timestamp may change through ``/status``."""
        for key in ("labels", "annotations", "ownerReferences", "generation"):
            if key in old_meta:
                meta[key] = old_meta[key]
            else:
                meta.pop(key, None)

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        return object_meta_fields(obj, namespaced=False)


class CustomResourceStrategy(Strategy):
    """``customResourceStrategy`` for one served version of one CRD."""

    generation = True

    def __init__(self, namespaced: bool, status: bool, terminating: bool = False) -> None:
        self.namespaced = namespaced
        self.status_subresource = status
        self.terminating = terminating

    def prepare_for_create(self, obj: dict, ctx: ServerContext) -> None:
        if self.terminating:  # crdHandler refuses creates while the CRD is being deleted
            raise errors.StatusError(405, "MethodNotAllowed",
                                     "create not allowed while custom resource definition is terminating")
        super().prepare_for_create(obj, ctx)

    def initial_status(self, obj: dict, ctx: ServerContext) -> Optional[dict]:
        return None  # PrepareForCreate deletes "status"

    def generation_changed(self, new: dict, old: dict) -> bool:
        ignored = ("metadata", "status") if self.status_subresource else ("metadata",)
        keys = (set(new) | set(old)) - set(ignored)
        return any(new.get(key) != old.get(key) for key in keys)

    def prepare_for_status_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        """``statusStrategy.PrepareForUpdate``: the stored object with the new status."""
        status = new.get("status")
        has_status = "status" in new
        resource_version = new["metadata"].get("resourceVersion")
        new.clear()
        new.update(serialization.copy({key: value for key, value in old.items() if key != "metadata"}))
        new["metadata"] = dict(old["metadata"])
        if resource_version is not None:
            new["metadata"]["resourceVersion"] = resource_version
        if has_status:
            new["status"] = status
        else:
            new.pop("status", None)

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        return object_meta_fields(obj, namespaced=self.namespaced)
