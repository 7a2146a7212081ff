"""The columns kube-apiserver prints for PersistentVolumes, claims and StorageClasses.

Mirrors printPersistentVolume, printPersistentVolumeClaim and printStorageClass in
pkg/printers/internalversion/printers.go (Kubernetes 1.32)::

    NAME              CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS      CLAIM                    STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE
    mysql-pv-volume   20Gi       RWO            Retain           Bound       default/mysql-pv-claim   manual         <unset>                          5s

    NAME             STATUS   VOLUME            CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE
    mysql-pv-claim   Bound    mysql-pv-volume   20Gi       RWO            manual         <unset>                 5s

    NAME                 PROVISIONER             RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE
    standard (default)   rancher.io/local-path   Delete          WaitForFirstConsumer   false                  5m

Access modes print as ``RWO``, ``ROX``, ``RWX``, ``RWOP`` (in that order, duplicates once). A
claim shows CAPACITY and ACCESS MODES only once it names a volume, and then from its status. The
class is the ``volume.beta.kubernetes.io/storage-class`` annotation when set, else
``spec.storageClassName``. An object being deleted shows STATUS ``Terminating``. ``-o wide`` adds
VOLUMEMODE (``<unset>`` when absent) to volumes and claims.
"""

from __future__ import annotations

from labkube.core.api import quantity as qty
from labkube.kubectl.printers.age import age
from labkube.kubectl.printers.columns import Column, ColumnSet

UNSET = "<unset>"
BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class"
IS_DEFAULT_CLASS = ("storageclass.kubernetes.io/is-default-class",
                    "storageclass.beta.kubernetes.io/is-default-class")
#: ``GetAccessModesAsString``: the short names, in the order they are printed.
ACCESS_MODE_SHORT = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"),
                     ("ReadWriteOncePod", "RWOP"))


def access_modes(modes) -> str:
    """``helper.GetAccessModesAsString``: ``RWO,ROX`` ..."""
    given = set(modes or ())
    return ",".join(short for mode, short in ACCESS_MODE_SHORT if mode in given)


def storage_class_of(obj: dict) -> str:
    """``GetPersistentVolumeClass`` / ``GetPersistentVolumeClaimClass``."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    if BETA_STORAGE_CLASS in annotations:
        return annotations[BETA_STORAGE_CLASS]
    return (obj.get("spec") or {}).get("storageClassName") or ""


def quantity_text(value) -> str:
    """``Quantity.String()`` (a missing quantity is Go's zero value, ``0``)."""
    if value is None:
        return "0"
    try:
        return str(qty.parse_quantity(str(value)))
    except ValueError:
        return str(value)


def _phase(obj: dict) -> str:
    if (obj.get("metadata") or {}).get("deletionTimestamp"):
        return "Terminating"
    return (obj.get("status") or {}).get("phase", "")


def persistent_volume_row(pv: dict, now: float) -> list[str]:
    meta, spec, status = pv.get("metadata") or {}, pv.get("spec") or {}, pv.get("status") or {}
    claim = spec.get("claimRef")
    claim_text = f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim is not None else ""
    return [
        meta.get("name", ""), quantity_text((spec.get("capacity") or {}).get("storage")),
        access_modes(spec.get("accessModes")), spec.get("persistentVolumeReclaimPolicy", ""),
        _phase(pv), claim_text, storage_class_of(pv), spec.get("volumeAttributesClassName", UNSET),
        status.get("reason", ""), age(meta.get("creationTimestamp"), now), spec.get("volumeMode", UNSET),
    ]


def persistent_volume_claim_row(claim: dict, now: float) -> list[str]:
    meta, spec, status = claim.get("metadata") or {}, claim.get("spec") or {}, claim.get("status") or {}
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(status.get("accessModes"))
        capacity = quantity_text((status.get("capacity") or {}).get("storage"))
    return [
        meta.get("name", ""), _phase(claim), spec.get("volumeName", ""), capacity, modes,
        storage_class_of(claim), spec.get("volumeAttributesClassName", UNSET),
        age(meta.get("creationTimestamp"), now), spec.get("volumeMode", UNSET),
    ]


def is_default_class(storage_class: dict) -> bool:
    """``storageutil.IsDefaultAnnotation``."""
    annotations = (storage_class.get("metadata") or {}).get("annotations") or {}
    return any(annotations.get(key) == "true" for key in IS_DEFAULT_CLASS)


def storage_class_row(storage_class: dict, now: float) -> list[str]:
    meta = storage_class.get("metadata") or {}
    name = meta.get("name", "") + (" (default)" if is_default_class(storage_class) else "")
    return [
        name, storage_class.get("provisioner", ""), storage_class.get("reclaimPolicy") or "Delete",
        storage_class.get("volumeBindingMode") or "Immediate",
        "true" if storage_class.get("allowVolumeExpansion") else "false",
        age(meta.get("creationTimestamp"), now),
    ]


PERSISTENT_VOLUME_COLUMNS = ColumnSet(
    (Column("Name", is_name=True), Column("Capacity"), Column("Access Modes"), Column("Reclaim Policy"),
     Column("Status"), Column("Claim"), Column("StorageClass"), Column("VolumeAttributesClass"),
     Column("Reason"), Column("Age"), Column("VolumeMode", 1)),
    persistent_volume_row,
)

PERSISTENT_VOLUME_CLAIM_COLUMNS = ColumnSet(
    (Column("Name", is_name=True), Column("Status"), Column("Volume"), Column("Capacity"),
     Column("Access Modes"), Column("StorageClass"), Column("VolumeAttributesClass"), Column("Age"),
     Column("VolumeMode", 1)),
    persistent_volume_claim_row,
)

STORAGE_CLASS_COLUMNS = ColumnSet(
    (Column("Name", is_name=True), Column("Provisioner"), Column("ReclaimPolicy"),
     Column("VolumeBindingMode"), Column("AllowVolumeExpansion"), Column("Age")),
    storage_class_row,
)
