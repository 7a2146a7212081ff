"""PersistentVolumes, PersistentVolumeClaims (core/v1) and StorageClasses (storage.k8s.io/v1).

Mirrors pkg/apis/core/validation/validation.go (``ValidatePersistentVolume``,
``ValidatePersistentVolumeSpec``, ``ValidatePersistentVolumeUpdate``,
``ValidatePersistentVolumeClaim``, ``ValidatePersistentVolumeClaimSpec``,
``ValidatePersistentVolumeClaimUpdate``), pkg/volume/validation/pv_validation.go (a hostPath
may not step out with ``..``) and pkg/apis/storage/validation/validation.go
(``ValidateStorageClass``, ``ValidateStorageClassUpdate``), Kubernetes 1.32:

* a volume needs at least one access mode, a ``capacity`` of exactly ``storage`` (positive),
  and exactly one volume source (``must specify a volume type``; a second one: ``may not
  specify more than 1 volume type``); a ``local`` volume needs ``nodeAffinity``;
* a claim needs an access mode (``at least 1 access mode is required``) and a positive
  ``resources.requests.storage`` (reported at ``spec.resources[storage]``);
* once created, a claim's spec is frozen except ``volumeName`` while unset (the binder writes
  it) and, for a bound claim, ``resources.requests.storage`` (which may grow, never shrink:
  whether it may grow at all is the PersistentVolumeClaimResize admission plugin's call);
  a volume's source and ``volumeMode`` are frozen;
* a StorageClass needs a ``provisioner`` (a qualified name); ``parameters``, ``provisioner``,
  ``reclaimPolicy`` and ``volumeBindingMode`` never change.

Update validation repeats the create checks as kube-apiserver's strategies do (the message
shows each error once; the Status causes list them as often as the server found them).
VolumeAttributesClass is off in 1.32 (beta, disabled by default): ``volumeAttributesClassName``
is not checked.
"""

from __future__ import annotations

import json
import posixpath

from labkube.core.api import quantity as qty
from labkube.core.api.validation import meta, names, pods
from labkube.core.errors import FieldError, GoText

ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
RECLAIM_POLICIES = ("Delete", "Recycle", "Retain")
VOLUME_MODES = ("Block", "Filesystem")
STORAGE_CLASS_RECLAIM_POLICIES = ("Delete", "Retain")
VOLUME_BINDING_MODES = ("Immediate", "WaitForFirstConsumer")
HOST_PATH_TYPES = ("", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File",
                   "FileOrCreate", "Socket")
NOT_POSITIVE = "must be greater than zero"
MORE_THAN_ONE_SOURCE = "may not specify more than 1 volume type"
CLAIM_SPEC_IMMUTABLE = ("spec is immutable after creation except resources.requests and "
                        "volumeAttributesClassName for bound claims")
MAX_PARAMETERS = 512
MAX_PARAMETERS_SIZE = 256 * (1 << 10)

#: The PersistentVolumeSource fields in the order ValidatePersistentVolumeSpec checks them,
#: with the path its errors use (two differ from the field name, as upstream's do).
PV_SOURCES = (
    ("hostPath", "hostPath"), ("gcePersistentDisk", "persistentDisk"),
    ("awsElasticBlockStore", "awsElasticBlockStore"), ("glusterfs", "glusterfs"),
    ("flocker", "flocker"), ("nfs", "nfs"), ("rbd", "rbd"), ("quobyte", "quobyte"),
    ("cephfs", "cephfs"), ("iscsi", "iscsi"), ("cinder", "cinder"), ("fc", "fc"),
    ("flexVolume", "flexVolume"), ("azureFile", "azureFile"), ("vsphereVolume", "vsphereVolume"),
    ("photonPersistentDisk", "photonPersistentDisk"), ("portworxVolume", "portworxVolume"),
    ("azureDisk", "azureDisk"), ("scaleIO", "scaleIO"), ("local", "local"),
    ("storageos", "storageos"), ("csi", "csi"),
)
#: Upstream's "more than 1 volume type" path for a source, where it differs from the field.
_SECOND_SOURCE_PATH = {"cephfs": "cephFS"}


# ---------------------------------------------------------------------------
# PersistentVolume
# ---------------------------------------------------------------------------


def validate_persistent_volume(obj: dict, old: dict | None = None) -> list[FieldError]:
    """``ValidatePersistentVolume`` (+ ``ValidatePersistentVolumeUpdate`` on update)."""
    if old is None:
        errs = meta.validate_object_meta(obj.get("metadata"), False, names.name_is_dns_subdomain)
        return errs + _persistent_volume_spec(obj.get("spec") or {})
    errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    spec_errs = _persistent_volume_spec(obj.get("spec") or {})
    errs.extend(spec_errs)  # the strategy's ValidatePersistentVolume ...
    errs.extend(spec_errs)  # ... and ValidatePersistentVolumeUpdate's own
    return errs + _persistent_volume_update(obj.get("spec") or {}, old.get("spec") or {})


def _persistent_volume_spec(spec: dict, path: str = "spec") -> list[FieldError]:
    errs = _access_modes(spec.get("accessModes"), path + ".accessModes", "")
    errs.extend(_capacity(spec.get("capacity"), path + ".capacity"))
    policy = spec.get("persistentVolumeReclaimPolicy")
    if policy and policy not in RECLAIM_POLICIES:
        errs.append(FieldError.not_supported(path + ".persistentVolumeReclaimPolicy", policy,
                                             RECLAIM_POLICIES))
    affinity = spec.get("nodeAffinity")
    if affinity is not None:
        errs.extend(_volume_node_affinity(affinity, path + ".nodeAffinity"))
    errs.extend(_volume_sources(spec, path))
    host_path = (spec.get("hostPath") or {}).get("path")
    if host_path and posixpath.normpath(host_path) == "/" and policy == "Recycle":
        errs.append(FieldError.forbidden(path + ".persistentVolumeReclaimPolicy",
                                         "may not be 'recycle' for a hostPath mount of '/'"))
    class_name = spec.get("storageClassName")
    if class_name:
        errs.extend(FieldError.invalid(path + ".storageClassName", class_name, m)
                    for m in names.name_is_dns_subdomain(class_name))
    mode = spec.get("volumeMode")
    if mode is not None and mode not in VOLUME_MODES:
        errs.append(FieldError.not_supported(path + ".volumeMode", mode, VOLUME_MODES))
    if spec.get("hostPath") is not None:  # pkg/volume/validation: ValidatePersistentVolume
        errs.extend(_no_backsteps(spec["hostPath"].get("path") or "", path + ".hostPath.path"))
    return errs


def _access_modes(modes, path: str, required_detail: str) -> list[FieldError]:
    return _access_modes_given(modes, path, required_detail) + _access_mode_values(modes, path)


def _access_modes_given(modes, path: str, required_detail: str) -> list[FieldError]:
    return [] if modes else [FieldError.required(path, required_detail)]


def _access_mode_values(modes, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for mode in modes or ():
        if mode not in ACCESS_MODES:
            errs.append(FieldError.not_supported(path, mode, ACCESS_MODES))
    valid = [mode for mode in modes or () if mode in ACCESS_MODES]
    if "ReadWriteOncePod" in valid and any(mode != "ReadWriteOncePod" for mode in valid):
        errs.append(FieldError.forbidden(path, "may not use ReadWriteOncePod with other access modes"))
    return errs


def _capacity(capacity, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if not capacity:
        errs.append(FieldError.required(path))
    if "storage" not in (capacity or {}) or len(capacity) > 1:
        errs.append(FieldError.not_supported(path, GoText(_go_resource_list(capacity)), ("storage",)))
    for name in sorted(capacity or {}):
        errs.extend(_positive_quantity(capacity[name], f"{path}[{name}]"))
    return errs


def _go_resource_list(resources) -> str:
    """``%#v`` of a ``core.ResourceList``, the quantities shown as the strings they were."""
    if resources is None:
        return "core.ResourceList(nil)"
    items = ", ".join(f"{json.dumps(k)}:{json.dumps(str(v))}" for k, v in sorted(resources.items()))
    return "core.ResourceList{" + items + "}"


def _positive_quantity(value, path: str) -> list[FieldError]:
    """``ValidatePositiveQuantityValue`` (an unparsable quantity fails decoding first)."""
    try:
        parsed = qty.parse_quantity(str(value))
    except ValueError as err:
        return [FieldError.invalid(path, value, str(err))]
    if parsed.is_negative() or parsed.is_zero():
        return [FieldError.invalid(path, str(parsed), NOT_POSITIVE)]
    return []


def _volume_node_affinity(affinity: dict, path: str) -> list[FieldError]:
    """``validateVolumeNodeAffinity``: ``required`` must be a valid node selector."""
    required = affinity.get("required")
    if required is None:
        return [FieldError.required(path + ".required", "must specify required node constraints")]
    terms = required.get("nodeSelectorTerms") or []
    rpath = path + ".required"
    if not terms:
        return [FieldError.required(rpath + ".nodeSelectorTerms", "must have at least one node selector term")]
    errs: list[FieldError] = []
    for i, term in enumerate(terms):
        errs.extend(pods._node_selector_term(term, f"{rpath}.nodeSelectorTerms[{i}]"))
    return errs


def _volume_sources(spec: dict, path: str) -> list[FieldError]:
    """Exactly one source, each checked as upstream's per-source validators check it."""
    errs: list[FieldError] = []
    count = 0
    for key, error_key in PV_SOURCES:
        source = spec.get(key)
        if source is None:
            continue
        if count and key != "flexVolume":  # upstream forgot the check for flexVolume
            errs.append(FieldError.forbidden(f"{path}.{_SECOND_SOURCE_PATH.get(key, key)}", MORE_THAN_ONE_SOURCE))
            continue
        count += 1
        errs.extend(_source(key, source, f"{path}.{error_key}"))
        if key == "local" and spec.get("nodeAffinity") is None:
            errs.append(FieldError.required(path + ".nodeAffinity", "Local volume requires node affinity"))
    if not count:
        errs.append(FieldError.required(path, "must specify a volume type"))
    return errs


def _source(kind: str, source: dict, path: str) -> list[FieldError]:
    """The per-source checks labkube's volumes need (hostPath, local, nfs, csi)."""
    errs: list[FieldError] = []
    if kind == "hostPath":
        if not source.get("path"):
            return [FieldError.required(path + ".path")]
        errs.extend(_no_backsteps(source["path"], path + ".path"))
        host_type = source.get("type")
        if host_type is not None and host_type not in HOST_PATH_TYPES:
            errs.append(FieldError.not_supported(path + ".type", host_type, HOST_PATH_TYPES))
    elif kind in ("local", "nfs"):
        if kind == "nfs" and not source.get("server"):
            errs.append(FieldError.required(path + ".server"))
        local_path = source.get("path") or ""
        if not local_path:
            errs.append(FieldError.required(path + ".path"))
            return errs
        if not local_path.startswith("/"):
            errs.append(FieldError.invalid(path + ".path", local_path, "must be an absolute path"))
        if kind == "local":
            errs.extend(_no_backsteps(local_path, path + ".path"))
    elif kind == "csi":
        for key in ("driver", "volumeHandle"):
            if not source.get(key):
                errs.append(FieldError.required(f"{path}.{key}"))
    return errs


def _no_backsteps(target: str, path: str) -> list[FieldError]:
    """``validatePathNoBacksteps``."""
    if ".." in target.replace("\\", "/").split("/"):
        return [FieldError.invalid(path, target, "must not contain '..'")]
    return []


#: The keys of PersistentVolumeSpec that are not its PersistentVolumeSource.
_PV_SPEC_OTHER_FIELDS = frozenset({
    "capacity", "accessModes", "claimRef", "persistentVolumeReclaimPolicy", "storageClassName",
    "mountOptions", "volumeMode", "nodeAffinity", "volumeAttributesClassName",
})


def _persistent_volume_update(spec: dict, old_spec: dict) -> list[FieldError]:
    """``ValidatePersistentVolumeUpdate``: the source, volumeMode and a set node affinity stay."""
    errs: list[FieldError] = []
    source = {k: v for k, v in spec.items() if k not in _PV_SPEC_OTHER_FIELDS}
    old_source = {k: v for k, v in old_spec.items() if k not in _PV_SPEC_OTHER_FIELDS}
    csi, old_csi = source.get("csi"), old_source.get("csi")
    if csi and old_csi and old_csi.get("controllerExpandSecretRef") is None:
        source["csi"] = {k: v for k, v in csi.items() if k != "controllerExpandSecretRef"}
    if source != old_source:
        diff = go_struct_diff("core.PersistentVolumeSource", old_source, source)
        errs.append(FieldError.forbidden(
            "spec.persistentvolumesource", f"spec.persistentvolumesource is immutable after creation\n{diff}"))
    errs.extend(meta.immutable(spec.get("volumeMode"), old_spec.get("volumeMode"), "volumeMode"))
    if old_spec.get("nodeAffinity") is not None and spec.get("nodeAffinity") != old_spec["nodeAffinity"]:
        errs.append(meta.invalid_go("nodeAffinity", spec.get("nodeAffinity"), "core.VolumeNodeAffinity{...}",
                                    meta.FIELD_IMMUTABLE))
    return errs


# ---------------------------------------------------------------------------
# PersistentVolumeClaim
# ---------------------------------------------------------------------------


def validate_persistent_volume_claim(obj: dict, old: dict | None = None) -> list[FieldError]:
    """``ValidatePersistentVolumeClaim`` (+ ``ValidatePersistentVolumeClaimUpdate`` on update)."""
    if old is None:
        errs = meta.validate_object_meta(obj.get("metadata"), True, names.name_is_dns_subdomain)
        return errs + validate_claim_spec(obj.get("spec") or {}, "spec")
    meta_errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    spec_errs = validate_claim_spec(obj.get("spec") or {}, "spec")
    # rest.BeforeUpdate's metadata check, the strategy's ValidatePersistentVolumeClaim, then
    # ValidatePersistentVolumeClaimUpdate (metadata and claim again, then what may change).
    errs = meta_errs + spec_errs + meta_errs + spec_errs
    return errs + _claim_update(obj, old)


def validate_claim_spec(spec: dict, path: str) -> list[FieldError]:
    """``ValidatePersistentVolumeClaimSpec`` (also what a StatefulSet's claim templates need)."""
    modes, modes_path = spec.get("accessModes"), path + ".accessModes"
    errs = _access_modes_given(modes, modes_path, "at least 1 access mode is required")
    if spec.get("selector") is not None:
        errs.extend(meta.validate_label_selector(spec["selector"], path + ".selector"))
    errs.extend(_access_mode_values(modes, modes_path))
    requests = (spec.get("resources") or {}).get("requests") or {}
    storage_path = path + ".resources[storage]"
    if "storage" not in requests:
        errs.append(FieldError.required(storage_path))
    else:
        errs.extend(_positive_quantity(requests["storage"], storage_path))
    class_name = spec.get("storageClassName")
    if class_name:
        errs.extend(FieldError.invalid(path + ".storageClassName", class_name, m)
                    for m in names.name_is_dns_subdomain(class_name))
    mode = spec.get("volumeMode")
    if mode is not None and mode not in VOLUME_MODES:
        errs.append(FieldError.not_supported(path + ".volumeMode", mode, VOLUME_MODES))
    for key in ("dataSource", "dataSourceRef"):
        if spec.get(key) is not None:
            errs.extend(_data_source(spec[key], f"{path}.{key}"))
    return errs


def _data_source(source: dict, path: str) -> list[FieldError]:
    """``validateDataSource`` / ``validateDataSourceRef``."""
    errs: list[FieldError] = []
    for key in ("name", "kind"):
        if not source.get(key):
            errs.append(FieldError.required(f"{path}.{key}"))
    group = source.get("apiGroup") or ""
    if not group and source.get("kind") != "PersistentVolumeClaim":
        errs.append(FieldError.invalid(path, source.get("kind", ""),
                                       "must be 'PersistentVolumeClaim' when referencing the default apiGroup"))
    if group:
        errs.extend(meta.dns1123_subdomain(group, path + ".apiGroup"))
    return errs


BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"


def _claim_update(obj: dict, old: dict) -> list[FieldError]:
    """What ``ValidatePersistentVolumeClaimUpdate`` lets change: ``volumeName`` once, the
    class once when it was unset, a bound claim's storage request upward."""
    spec, old_spec = dict(obj.get("spec") or {}), dict(old.get("spec") or {})
    new_clone, old_clone = dict(spec), dict(old_spec)
    if not old_spec.get("volumeName"):
        _copy_key(old_clone, new_clone, "volumeName")
    old_annotation = ((old.get("metadata") or {}).get("annotations") or {}).get(BETA_STORAGE_CLASS_ANNOTATION)
    if old_spec.get("storageClassName") is None and spec.get("storageClassName") is not None and (
            old_annotation is None or old_annotation == spec["storageClassName"]):
        _copy_key(new_clone, old_clone, "storageClassName")
    bound = (obj.get("status") or {}).get("phase") == "Bound"
    if bound and (new_clone.get("resources") or {}).get("requests") is not None:
        new_clone["resources"] = _with_storage(new_clone["resources"], _storage(old_spec))
    _copy_key(new_clone, old_clone, "volumeAttributesClassName")
    errs: list[FieldError] = []
    if new_clone != old_clone:
        diff = go_struct_diff("core.PersistentVolumeClaimSpec", old_clone, new_clone)
        errs.append(FieldError.forbidden("spec", f"{CLAIM_SPEC_IMMUTABLE}\n{diff}"))
    new_size, old_size = _quantity(_storage(spec)), _quantity(_storage(old_spec))
    if new_size is not None and old_size is not None and new_size < old_size:
        errs.append(FieldError.forbidden("spec.resources.requests.storage", "field can not be less than previous value"))
    errs.extend(meta.immutable(spec.get("volumeMode"), old_spec.get("volumeMode"), "volumeMode"))
    return errs


def _copy_key(target: dict, source: dict, key: str) -> None:
    if key in source:
        target[key] = source[key]
    else:
        target.pop(key, None)


def _storage(spec: dict):
    return ((spec.get("resources") or {}).get("requests") or {}).get("storage")


def _with_storage(resources: dict, storage) -> dict:
    requests = dict(resources.get("requests") or {})
    if storage is None:
        requests.pop("storage", None)
    else:
        requests["storage"] = storage
    return {**resources, "requests": requests}


def _quantity(value):
    """A comparable quantity (missing or unparsable: None; Go compares those as zero)."""
    if value is None:
        return qty.parse_quantity("0")
    try:
        return qty.parse_quantity(str(value))
    except ValueError:
        return None


#: Fields that are pointers in the Go structs: cmp.Diff shows a set one as ``&"value"``.
_POINTER_FIELDS = frozenset({"storageClassName", "volumeMode", "selector", "dataSource", "dataSourceRef",
                             "volumeAttributesClassName", "hostPath", "nfs", "local", "csi"})


def go_struct_diff(type_name: str, old: dict, new: dict) -> str:
    """A short ``cmp.Diff`` rendering of a Go struct's fields that differ."""
    lines = [f"  {type_name}{{"]
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            field = key[:1].upper() + key[1:]
            lines.append(f"- \t{field}: {_go_text(key, old.get(key))},")
            lines.append(f"+ \t{field}: {_go_text(key, new.get(key))},")
    lines.append("  }")
    return "\n".join(lines) + "\n"


def _go_text(key: str, value) -> str:
    if value is None:
        return "nil"
    text = json.dumps(value, sort_keys=True, separators=(", ", ": "))
    return "&" + text if key in _POINTER_FIELDS else text


# ---------------------------------------------------------------------------
# StorageClass
# ---------------------------------------------------------------------------


def validate_storage_class(obj: dict, old: dict | None = None) -> list[FieldError]:
    """``ValidateStorageClass`` (+ ``ValidateStorageClassUpdate`` on update)."""
    if old is not None:
        return meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata")) + \
            _storage_class_fields(obj) + _storage_class_update(obj, old)
    errs = meta.validate_object_meta(obj.get("metadata"), False, names.name_is_dns_subdomain)
    return errs + _storage_class_fields(obj)


def _storage_class_fields(obj: dict) -> list[FieldError]:
    provisioner = obj.get("provisioner") or ""
    errs: list[FieldError] = []
    if not provisioner:
        errs.append(FieldError.required("provisioner"))
    else:
        errs.extend(meta.qualified_name(provisioner.lower(), "provisioner"))
    errs.extend(_parameters(obj.get("parameters")))
    policy = obj.get("reclaimPolicy")
    if policy and policy not in STORAGE_CLASS_RECLAIM_POLICIES:
        errs.append(FieldError.not_supported("reclaimPolicy", policy, STORAGE_CLASS_RECLAIM_POLICIES))
    mode = obj.get("volumeBindingMode")
    if mode is None:
        errs.append(FieldError.required("volumeBindingMode"))
    elif mode not in VOLUME_BINDING_MODES:
        errs.append(FieldError.not_supported("volumeBindingMode", mode, VOLUME_BINDING_MODES))
    return errs


def _parameters(params) -> list[FieldError]:
    if not params:
        return []
    if len(params) > MAX_PARAMETERS:
        return [FieldError.too_long("parameters", "", MAX_PARAMETERS)]
    errs = [FieldError.invalid("parameters", key, "field can not be empty.") for key in params if not key]
    if sum(len(k) + len(str(v)) for k, v in params.items()) > MAX_PARAMETERS_SIZE:
        errs.append(FieldError.too_long("parameters", "", MAX_PARAMETERS_SIZE))
    return errs


def _storage_class_update(obj: dict, old: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    if (obj.get("parameters") or {}) != (old.get("parameters") or {}):
        errs.append(FieldError.forbidden("parameters", "updates to parameters are forbidden."))
    if obj.get("provisioner") != old.get("provisioner"):
        errs.append(FieldError.forbidden("provisioner", "updates to provisioner are forbidden."))
    if obj.get("reclaimPolicy") != old.get("reclaimPolicy"):
        errs.append(FieldError.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."))
    errs.extend(meta.immutable(obj.get("volumeBindingMode"), old.get("volumeBindingMode"), "volumeBindingMode"))
    return errs
