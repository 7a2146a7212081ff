"""How a PersistentVolumeClaim and a PersistentVolume are matched, shared by the scheduler and
the PV controller.

Mirrors k8s.io/component-helpers/storage/volume (helpers.go, pv_helpers.go) of Kubernetes 1.32:
the annotations the binding protocol writes, ``IsDelayBindingMode``, ``GetBindVolumeToClaim``,
``IsVolumeBoundToClaim``, ``CheckNodeAffinity`` and ``FindMatchingVolume`` (the smallest
Available volume that satisfies a claim: class, access modes, capacity, selector, volumeMode,
and in the scheduler's path the node affinity of the volume).

The two pointers of a binding: ``pv.spec.claimRef`` (written first) and
``pvc.spec.volumeName`` (written second, with the ``pv.kubernetes.io/bind-completed``
annotation). A claim is *fully bound* when it has both.

Everything here is a pure function of plain dicts: no API calls, no clock.
"""

from __future__ import annotations

from typing import Callable, Iterable, Optional

from labkube.core.api.labels import SelectorError, selector_from_label_selector
from labkube.core.api.nodeaffinity import required_terms_match
from labkube.core.api.quantity import parse_quantity
from labkube.core.serialization import copy as json_copy

ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node"
ANN_DYNAMICALLY_PROVISIONED = "pv.kubernetes.io/provisioned-by"
ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"
ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
#: ``v1.BetaStorageClassAnnotation``: read before ``spec.storageClassName``.
ANN_BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class"
NOT_SUPPORTED_PROVISIONER = "kubernetes.io/no-provisioner"
WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer"

#: Claim phases and volume phases.
CLAIM_PENDING, CLAIM_BOUND, CLAIM_LOST = "Pending", "Bound", "Lost"
VOLUME_PENDING, VOLUME_AVAILABLE, VOLUME_BOUND = "Pending", "Available", "Bound"
VOLUME_RELEASED, VOLUME_FAILED = "Released", "Failed"


def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _spec(obj: dict) -> dict:
    return obj.get("spec") or {}


def annotations(obj: dict) -> dict:
    return _meta(obj).get("annotations") or {}


def claim_key(claim: dict) -> str:
    meta = _meta(claim)
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}"


def claim_class(claim: dict) -> str:
    """``GetPersistentVolumeClaimClass``: the beta annotation first, then the spec; "" for none."""
    ann = annotations(claim)
    if ANN_BETA_STORAGE_CLASS in ann:
        return ann[ANN_BETA_STORAGE_CLASS]
    return _spec(claim).get("storageClassName") or ""


def claim_has_class(claim: dict) -> bool:
    """``PersistentVolumeClaimHasClass``: a class was asked for (even the empty one)."""
    return ANN_BETA_STORAGE_CLASS in annotations(claim) or _spec(claim).get("storageClassName") is not None


def volume_class(volume: dict) -> str:
    """``GetPersistentVolumeClass``."""
    ann = annotations(volume)
    if ANN_BETA_STORAGE_CLASS in ann:
        return ann[ANN_BETA_STORAGE_CLASS]
    return _spec(volume).get("storageClassName") or ""


def is_fully_bound(claim: dict) -> bool:
    """``isPVCFullyBound``: ``spec.volumeName`` set and the bind-completed annotation present."""
    return bool(_spec(claim).get("volumeName")) and ANN_BIND_COMPLETED in annotations(claim)


def is_delay_binding_mode(claim: dict, get_class: Callable[[str], Optional[dict]]) -> bool:
    """``IsDelayBindingMode``: the claim's class binds WaitForFirstConsumer. A claim without a
    class, or whose class does not exist, binds Immediate."""
    name = claim_class(claim)
    if not name:
        return False
    storage_class = get_class(name)
    if storage_class is None:
        return False
    return storage_class.get("volumeBindingMode") == WAIT_FOR_FIRST_CONSUMER


def is_delay_binding_provisioning(claim: dict) -> bool:
    """``IsDelayBindingProvisioning``: the scheduler chose a node for the claim."""
    return ANN_SELECTED_NODE in annotations(claim)


def storage_request(claim: dict) -> int:
    """The claim's ``resources.requests.storage`` in bytes (0 when absent)."""
    text = ((_spec(claim).get("resources") or {}).get("requests") or {}).get("storage")
    return _bytes(text)


def volume_capacity(volume: dict) -> int:
    return _bytes((_spec(volume).get("capacity") or {}).get("storage"))


def _bytes(text) -> int:
    if text is None:
        return 0
    try:
        return parse_quantity(str(text)).value()
    except ValueError:
        return 0


def claim_ref_for(claim: dict) -> dict:
    """``reference.GetReference`` of a claim, as ``pv.spec.claimRef`` holds it."""
    meta = _meta(claim)
    return {"kind": "PersistentVolumeClaim", "namespace": meta.get("namespace", ""),
            "name": meta.get("name", ""), "uid": meta.get("uid", ""), "apiVersion": "v1",
            "resourceVersion": meta.get("resourceVersion", "")}


def is_volume_bound_to_claim(volume: dict, claim: dict) -> bool:
    """``IsVolumeBoundToClaim``: the volume's claimRef names the claim (and its UID, if set)."""
    ref = _spec(volume).get("claimRef")
    if not ref:
        return False
    meta = _meta(claim)
    if ref.get("name") != meta.get("name") or ref.get("namespace") != meta.get("namespace"):
        return False
    return not ref.get("uid") or ref.get("uid") == meta.get("uid")


def bind_volume_to_claim(volume: dict, claim: dict) -> tuple[dict, bool]:
    """``GetBindVolumeToClaim``: a copy of the volume bound to the claim, and whether it changed.
    A volume bound by the controller (not pre-bound by its creator) is annotated so."""
    clone = json_copy(volume)
    dirty = False
    should_mark = not is_volume_bound_to_claim(volume, claim)
    ref = _spec(volume).get("claimRef") or {}
    meta = _meta(claim)
    if (not ref or ref.get("name") != meta.get("name") or ref.get("namespace") != meta.get("namespace")
            or ref.get("uid") != meta.get("uid")):
        clone.setdefault("spec", {})["claimRef"] = claim_ref_for(claim)
        dirty = True
    clone_ann = clone.setdefault("metadata", {}).setdefault("annotations", {})
    if should_mark and ANN_BOUND_BY_CONTROLLER not in clone_ann:
        clone_ann[ANN_BOUND_BY_CONTROLLER] = "yes"
        dirty = True
    if not clone_ann:
        del clone["metadata"]["annotations"]
    return clone, dirty


def check_node_affinity(volume: dict, node_labels: dict) -> bool:
    """``CheckNodeAffinity``: the node's labels satisfy the volume's required node affinity
    (a volume without one fits every node; ``matchFields`` see no field)."""
    return required_terms_match((_spec(volume).get("nodeAffinity") or {}).get("required"), node_labels)


def volume_mode_mismatch(claim: dict, volume: dict) -> bool:
    """``CheckVolumeModeMismatches`` (an unset mode is Filesystem)."""
    return (_spec(claim).get("volumeMode") or "Filesystem") != (_spec(volume).get("volumeMode") or "Filesystem")


def access_modes_satisfied(claim: dict, volume: dict) -> bool:
    """``CheckAccessModes``: the volume offers every access mode the claim asks for."""
    offered = set(_spec(volume).get("accessModes") or ())
    return all(mode in offered for mode in _spec(claim).get("accessModes") or ())


def _selector_matches(claim: dict, volume: dict) -> bool:
    selector = _spec(claim).get("selector")
    if selector is None:
        return True
    try:
        return selector_from_label_selector(selector).matches(_meta(volume).get("labels") or {})
    except SelectorError:
        return False


def find_matching_volume(claim: dict, volumes: Iterable[dict], node_labels: Optional[dict] = None,
                         excluded: frozenset | set = frozenset(),
                         delay_binding: bool = False) -> Optional[dict]:
    """``FindMatchingVolume``: the volume pre-bound to the claim, else the smallest Available
    volume that satisfies it.

    ``node_labels`` is given only in the scheduler's path (the volume's node affinity must
    match the node, and access modes are checked here); ``delay_binding`` only in the PV
    controller's path (it then returns only volumes pre-bound to the claim: the scheduler
    binds the others). ``excluded``: names of volumes already chosen for other claims."""
    requested = storage_request(claim)
    requested_class = claim_class(claim)
    smallest, smallest_size = None, 0
    for volume in volumes:
        name = _meta(volume).get("name", "")
        if name in excluded:
            continue
        if _spec(volume).get("claimRef") and not is_volume_bound_to_claim(volume, claim):
            continue
        size = volume_capacity(volume)
        if size < requested or volume_mode_mismatch(claim, volume):
            continue
        if _meta(volume).get("deletionTimestamp"):
            continue
        affinity_ok = node_labels is None or check_node_affinity(volume, node_labels)
        if is_volume_bound_to_claim(volume, claim):
            return volume if affinity_ok else None
        if node_labels is None and delay_binding:
            continue
        if (volume.get("status") or {}).get("phase") != VOLUME_AVAILABLE:
            continue
        if not _selector_matches(claim, volume) or volume_class(volume) != requested_class:
            continue
        if not affinity_ok:
            continue
        if node_labels is not None and not access_modes_satisfied(claim, volume):
            continue
        if smallest is None or size < smallest_size:
            smallest, smallest_size = volume, size
    return smallest


def claim_names(pod: dict) -> list[str]:
    """The PersistentVolumeClaims a pod's volumes name, in order."""
    names = []
    for volume in _spec(pod).get("volumes") or ():
        claim = volume.get("persistentVolumeClaim")
        if claim and claim.get("claimName"):
            names.append(claim["claimName"])
    return names
