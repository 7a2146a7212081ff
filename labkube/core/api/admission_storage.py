"""The storage admission plugins kube-apiserver enables by default.

Mirrors, in kube-apiserver's order (after DefaultTolerationSeconds):

* ``DefaultStorageClass`` (plugin/pkg/admission/storage/storageclass/setdefault): a claim
  created without ``spec.storageClassName`` (and without the old
  ``volume.beta.kubernetes.io/storage-class`` annotation) gets the default class's name. The
  default is the StorageClass annotated ``storageclass.kubernetes.io/is-default-class: "true"``
  (or the beta spelling); with several, the newest wins, then the first name. No default: the
  claim keeps no class. A claim that asks for ``storageClassName: ""`` asked for *no* class and
  is left alone.
* ``StorageObjectInUseProtection`` (plugin/pkg/admission/storage/storageobjectinuseprotection):
  every new claim gets the finalizer ``kubernetes.io/pvc-protection`` and every new volume
  ``kubernetes.io/pv-protection``; kube-controller-manager's pvc-protection and pv-protection
  controllers remove them once nothing uses the object, so a claim in use by a pod is not
  deleted under it (it waits, ``Terminating``).
* ``PersistentVolumeClaimResize`` (plugin/pkg/admission/storage/persistentvolume/resize),
  validating: a claim's storage request may grow only when it is Bound and its StorageClass has
  ``allowVolumeExpansion: true``.

The plugins read StorageClasses through ``attrs.lister`` (the API server's own read of the
store, as the real plugins use an informer's lister).
"""

from __future__ import annotations

from typing import Optional

from labkube.core.api import quantity as qty
from labkube.core.api.admission import CREATE, UPDATE, AdmissionAttributes, forbidden

IS_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
BETA_IS_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class"
BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class"
PVC_PROTECTION_FINALIZER = "kubernetes.io/pvc-protection"
PV_PROTECTION_FINALIZER = "kubernetes.io/pv-protection"


def _is_claim(attrs: AdmissionAttributes) -> bool:
    return attrs.rtype.group == "" and attrs.rtype.plural == "persistentvolumeclaims" and not attrs.subresource


def _is_volume(attrs: AdmissionAttributes) -> bool:
    return attrs.rtype.group == "" and attrs.rtype.plural == "persistentvolumes" and not attrs.subresource


def is_default_class(storage_class: dict) -> bool:
    """``storageutil.IsDefaultAnnotation``."""
    annotations = (storage_class.get("metadata") or {}).get("annotations") or {}
    return annotations.get(IS_DEFAULT_CLASS) == "true" or annotations.get(BETA_IS_DEFAULT_CLASS) == "true"


def default_class(storage_classes: list) -> Optional[dict]:
    """``GetDefaultClass``: the newest default class (ties: the first name), or None."""
    defaults = [sc for sc in storage_classes if is_default_class(sc)]
    if not defaults:
        return None
    # RFC 3339 timestamps of one format sort as text: newest first, then the name.
    defaults.sort(key=lambda sc: sc["metadata"].get("name", ""))
    defaults.sort(key=lambda sc: sc["metadata"].get("creationTimestamp", ""), reverse=True)
    return defaults[0]


def claim_class(claim: dict) -> str:
    """``GetPersistentVolumeClaimClass``: the beta annotation wins over the field."""
    annotations = (claim.get("metadata") or {}).get("annotations") or {}
    if BETA_STORAGE_CLASS in annotations:
        return annotations[BETA_STORAGE_CLASS]
    return (claim.get("spec") or {}).get("storageClassName") or ""


def _has_class(claim: dict) -> bool:
    """``PersistentVolumeClaimHasClass``: a class was asked for, even the empty one."""
    if (claim.get("spec") or {}).get("storageClassName") is not None:
        return True
    return BETA_STORAGE_CLASS in ((claim.get("metadata") or {}).get("annotations") or {})


class DefaultStorageClass:
    name = "DefaultStorageClass"

    @staticmethod
    def handles(operation: str, group: str, resource: str, subresource: str) -> bool:
        return operation == CREATE and (group, resource, subresource) == ("", "persistentvolumeclaims", "")

    def admit(self, attrs: AdmissionAttributes) -> None:
        if attrs.operation != CREATE or not _is_claim(attrs) or _has_class(attrs.obj):
            return
        chosen = default_class(_storage_classes(attrs))
        if chosen is not None:
            attrs.obj.setdefault("spec", {})["storageClassName"] = chosen["metadata"]["name"]


def _storage_classes(attrs: AdmissionAttributes) -> list:
    return attrs.lister("storageclasses") if attrs.lister is not None else []


class StorageObjectInUseProtection:
    name = "StorageObjectInUseProtection"

    @staticmethod
    def handles(operation: str, group: str, resource: str, subresource: str) -> bool:
        return operation == CREATE and not group and not subresource and \
            resource in ("persistentvolumeclaims", "persistentvolumes")

    def admit(self, attrs: AdmissionAttributes) -> None:
        if attrs.operation != CREATE:
            return
        if _is_claim(attrs):
            _add_finalizer(attrs.obj, PVC_PROTECTION_FINALIZER)
        elif _is_volume(attrs):
            _add_finalizer(attrs.obj, PV_PROTECTION_FINALIZER)


def _add_finalizer(obj: dict, finalizer: str) -> None:
    meta = obj.setdefault("metadata", {})
    finalizers = list(meta.get("finalizers") or [])
    if finalizer not in finalizers:
        finalizers.append(finalizer)
    meta["finalizers"] = finalizers


class PersistentVolumeClaimResize:
    name = "PersistentVolumeClaimResize"

    @staticmethod
    def handles(operation: str, group: str, resource: str, subresource: str) -> bool:
        return operation == UPDATE and (group, resource, subresource) == ("", "persistentvolumeclaims", "")

    def validate(self, attrs: AdmissionAttributes) -> None:
        if attrs.operation != UPDATE or not _is_claim(attrs):
            return
        if not _grows(attrs.obj, attrs.old):
            return
        if ((attrs.old.get("status") or {}).get("phase")) != "Bound":
            raise forbidden(attrs, "Only bound persistent volume claims can be expanded")
        if not self._allows_resize(attrs):
            raise forbidden(attrs, "only dynamically provisioned pvc can be resized and "
                                   "the storageclass that provisions the pvc must support resize")

    @staticmethod
    def _allows_resize(attrs: AdmissionAttributes) -> bool:
        name, old_name = claim_class(attrs.obj), claim_class(attrs.old)
        if not name or name != old_name:
            return False
        storage_class = attrs.reader("storageclasses", None, name)
        return bool(storage_class is not None and storage_class.get("allowVolumeExpansion"))


def _grows(claim: dict, old: dict) -> bool:
    new_size, old_size = _requested(claim), _requested(old)
    return new_size is not None and old_size is not None and old_size < new_size


def _requested(claim: dict):
    value = (((claim.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage", "0")
    try:
        return qty.parse_quantity(str(value))
    except ValueError:
        return None
