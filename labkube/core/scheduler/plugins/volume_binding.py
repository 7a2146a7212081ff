"""VolumeBinding: a pod's PersistentVolumeClaims must be bound, or bindable on the node.

Mirrors pkg/scheduler/framework/plugins/volumebinding (volume_binding.go, binder.go) of
kube-scheduler 1.32, reading claims, volumes and classes from the snapshot's
:class:`~labkube.core.scheduler.volume_cache.VolumeCache`:

* **PreFilter** -- Skip for a pod without claims. A missing claim rejects the pod
  (``persistentvolumeclaim "x" not found``; in the default profile VolumeRestrictions says it
  first), as do a ``Lost`` claim and one being deleted. Each claim is then *bound* (fully
  bound: ``volumeName`` and ``pv.kubernetes.io/bind-completed``), *delayed* (its class binds
  ``WaitForFirstConsumer`` and it names no volume) or *immediate*; an unbound immediate claim
  is the PV controller's to bind, so the pod waits: UnschedulableAndUnresolvable, ``pod has
  unbound immediate PersistentVolumeClaims``.
* **Filter** (``FindPodVolumes``) -- a bound claim's volume must exist (``node(s) unavailable
  due to one or more pvc(s) bound to non-existent pv(s)``) and its node affinity must match the
  node (``node(s) had volume node affinity conflict``). A delayed claim already given a node
  (``volume.kubernetes.io/selected-node``) fits only that node; otherwise the smallest
  Available volume that fits it on this node is chosen, and a claim left without one must be
  provisionable: its class exists (else an Error, ``failed to find storage class "x"``), has a
  provisioner other than ``kubernetes.io/no-provisioner`` and allows the node's topology --
  else ``node(s) didn't find available persistent volumes to bind``.
* **Reserve** (``AssumePodVolumes``) -- the chosen volumes are assumed pre-bound to their
  claims, the claims to provision assumed annotated with the node; **Unreserve** reverts.
* **PreBind** (``BindPodVolumes``) -- returns a :class:`VolumeBindingWork`: the API updates
  to make (each chosen volume with its ``claimRef``, each claim to provision with
  ``volume.kubernetes.io/selected-node``) and a check the live scheduler polls every second
  (``checkBindings``), for at most ``bindTimeoutSeconds`` (600), until every claim is fully
  bound by the PV controller. A provisioner that gives up removes the selected-node
  annotation: ``binding volumes: provisioning failed for PVC "x"``.

Not modelled: CSI storage capacity (``node(s) did not have enough free storage``) and
the volume capacity Score (behind a feature gate that is off by default).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labkube.core.scheduler.framework import (ERROR, SKIP, UNSCHEDULABLE_AND_UNRESOLVABLE,
                                              Status)
from labkube.core.serialization import copy as json_copy
from labkube.core.volume_helpers import (
    ANN_SELECTED_NODE, CLAIM_LOST, NOT_SUPPORTED_PROVISIONER, bind_volume_to_claim,
    check_node_affinity, claim_class, claim_names, find_matching_volume, is_delay_binding_mode,
    is_fully_bound, storage_request,
)

NAME = "VolumeBinding"
STATE_KEY = NAME
ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind"
ERR_REASON_NODE_CONFLICT = "node(s) had volume node affinity conflict"
ERR_REASON_PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
ERR_REASON_UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims"
#: ``VolumeBindingArgs.bindTimeoutSeconds`` default.
BIND_TIMEOUT_SECONDS = 600.0
#: ``BindPodVolumes`` polls the claims once a second.
BIND_POLL_INTERVAL = 1.0

_SKIP = Status(SKIP, plugin=NAME)


@dataclass
class PodVolumes:
    """``PodVolumes``: what binding the pod's claims on one node takes."""

    static_bindings: list = field(default_factory=list)      # (claim, volume) pairs
    dynamic_provisions: list = field(default_factory=list)   # claims to provision


@dataclass
class _StateData:
    bound_claims: list = field(default_factory=list)
    claims_to_bind: list = field(default_factory=list)
    by_node: dict = field(default_factory=dict)
    all_bound: bool = True

    def clone(self):
        return self  # shared between clones, as kube-scheduler's stateData is


@dataclass
class VolumeBindingWork:
    """What PreBind asks of the live scheduler: API updates, then a wait for the PV controller.

    ``volumes`` and ``claims`` are the objects to PUT (in that order); :meth:`check` answers
    from the API objects the scheduler's informers hold: ``(True, "")`` all bound,
    ``(None, "")`` still waiting, ``(False, message)`` binding failed."""

    pod: dict
    node_name: str
    volumes: list
    claims: list
    plugin: str = NAME
    timeout: float = BIND_TIMEOUT_SECONDS
    poll_interval: float = BIND_POLL_INTERVAL

    def check(self, cache, node_labels: dict) -> tuple[bool, str]:
        """``checkBindings``: every claim fully bound, still waiting, or failed (see above)."""
        for volume in self.volumes:
            name = volume["metadata"]["name"]
            api_volume = cache.get_api_volume(name)
            claim_ref = (volume.get("spec") or {}).get("claimRef") or {}
            api_claim = cache.get_api_claim(claim_ref.get("namespace", ""), claim_ref.get("name", ""))
            if api_volume is None:
                return False, f"failed to check binding: cannot find volume {name!r}"
            if api_claim is None:
                return False, f"failed to check binding: cannot find claim {claim_ref.get('namespace')}/{claim_ref.get('name')}"
            if _older(api_volume, volume):
                return None, ""  # our update has not reached the informer yet
            if not check_node_affinity(api_volume, node_labels):
                return False, (f'pv "{name}" node affinity doesn\'t match node "{self.node_name}": '
                               "no matching NodeSelectorTerms")
            if not ((api_volume.get("spec") or {}).get("claimRef") or {}).get("uid"):
                return False, f'ClaimRef got reset for pv "{name}"'
            if not is_fully_bound(api_claim):
                return None, ""
        for claim in self.claims:
            meta = claim["metadata"]
            api_claim = cache.get_api_claim(meta.get("namespace", ""), meta.get("name", ""))
            if api_claim is None:
                return False, f"failed to check provisioning pvc: cannot find claim {meta.get('namespace')}/{meta.get('name')}"
            if _older(api_claim, claim):
                return None, ""
            annotations = (api_claim.get("metadata") or {}).get("annotations") or {}
            if annotations.get(ANN_SELECTED_NODE) != self.node_name:
                return False, f'provisioning failed for PVC "{meta.get("name")}"'
            volume_name = (api_claim.get("spec") or {}).get("volumeName")
            if volume_name:
                api_volume = cache.get_api_volume(volume_name)
                if api_volume is None:
                    return None, ""
                if not check_node_affinity(api_volume, node_labels):
                    return False, (f'pv "{volume_name}" node affinity doesn\'t match node '
                                   f'"{self.node_name}": no matching NodeSelectorTerms')
            if not is_fully_bound(api_claim):
                return None, ""
        return True, ""


class VolumeBinding:
    name = NAME

    # -- PreFilter -------------------------------------------------------------------------------
    def pre_filter(self, state, pod):
        names = claim_names(pod.pod)
        if not names:
            return _SKIP
        cache = state.snapshot.volumes
        data = _StateData()
        for name in names:
            claim = cache.claim(pod.namespace, name)
            status = _claim_problem(claim, name)
            if status is not None:
                return status
            if is_fully_bound(claim):
                data.bound_claims.append(claim)
            elif is_delay_binding_mode(claim, cache.storage_class) and not claim["spec"].get("volumeName"):
                data.claims_to_bind.append(claim)
            else:
                return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, ERR_REASON_UNBOUND_IMMEDIATE, plugin=NAME)
        data.all_bound = not data.claims_to_bind
        state.write(STATE_KEY, data)
        return None

    # -- Filter ----------------------------------------------------------------------------------
    def filter(self, state, pod, node):
        data = state.get(STATE_KEY)
        if data is None:
            return None
        cache = state.snapshot.volumes
        labels = node.labels
        reasons = []
        bound_ok, volumes_exist = _check_bound_claims(data.bound_claims, cache, labels)
        unbound_ok, pod_volumes, error = True, PodVolumes(), ""
        if data.claims_to_bind:
            unbound_ok, pod_volumes, error = _find_for_unbound(data.claims_to_bind, cache, node)
        if error:
            return Status(ERROR, error, plugin=NAME)
        if not bound_ok:
            reasons.append(ERR_REASON_NODE_CONFLICT)
        if not unbound_ok:
            reasons.append(ERR_REASON_BIND_CONFLICT)
        if not volumes_exist:
            reasons.append(ERR_REASON_PV_NOT_EXIST)
        if reasons:
            return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, *reasons, plugin=NAME)
        data.by_node[node.name] = pod_volumes
        return None

    # -- Reserve / Unreserve ---------------------------------------------------------------------
    def reserve(self, state, pod, node_name):
        data = state.get(STATE_KEY)
        if data is None or data.all_bound:
            return None
        pod_volumes = data.by_node.get(node_name)
        if pod_volumes is None:
            return None
        cache = state.snapshot.volumes
        assumed = PodVolumes()
        for claim, volume in pod_volumes.static_bindings:
            new_volume, dirty = bind_volume_to_claim(volume, claim)
            if dirty:
                cache.assume_volume(new_volume)
            assumed.static_bindings.append((claim, new_volume))
        for claim in pod_volumes.dynamic_provisions:
            clone = json_copy(claim)
            clone["metadata"].setdefault("annotations", {})[ANN_SELECTED_NODE] = node_name
            cache.assume_claim(clone)
            assumed.dynamic_provisions.append(clone)
        data.by_node[node_name] = assumed
        return None

    def unreserve(self, state, pod, node_name):
        data = state.get(STATE_KEY)
        if data is None:
            return
        pod_volumes = data.by_node.get(node_name)
        if pod_volumes is None:
            return
        revert(state.snapshot.volumes, pod_volumes)

    # -- PreBind ---------------------------------------------------------------------------------
    def pre_bind(self, state, pod, node_name):
        """Nothing to do when every claim is bound; else the :class:`VolumeBindingWork`."""
        data = state.get(STATE_KEY)
        if data is None or data.all_bound:
            return None
        pod_volumes = data.by_node.get(node_name)
        if pod_volumes is None:
            return Status(ERROR, f'no pod volumes found for node "{node_name}"', plugin=NAME)
        return VolumeBindingWork(pod.pod, node_name,
                                 [volume for _, volume in pod_volumes.static_bindings],
                                 list(pod_volumes.dynamic_provisions))

    def events_to_register(self):
        return [("StorageClass", "Add"), ("StorageClass", "Update"),
                ("PersistentVolumeClaim", "Add"), ("PersistentVolumeClaim", "Update"),
                ("PersistentVolume", "Add"), ("PersistentVolume", "Update"),
                ("Node", "Add"), ("Node", "UpdateNodeLabel"), ("Node", "UpdateNodeTaint")]


def _older(seen: dict, written: dict) -> bool:
    """``versioner.CompareResourceVersion(written, seen) > 0``: the cache lags our write."""
    def version(obj: dict) -> int:
        try:
            return int((obj.get("metadata") or {}).get("resourceVersion") or 0)
        except ValueError:
            return 0
    return version(written) > version(seen)


def revert(cache, pod_volumes: PodVolumes) -> None:
    """``RevertAssumedPodVolumes``."""
    for _, volume in pod_volumes.static_bindings:
        cache.restore_volume(volume["metadata"]["name"])
    for claim in pod_volumes.dynamic_provisions:
        meta = claim["metadata"]
        cache.restore_claim(f"{meta.get('namespace', '')}/{meta.get('name', '')}")


def _claim_problem(claim, name: str):
    """``podHasPVCs``: a claim that is missing, lost or being deleted rejects the pod."""
    if claim is None:
        return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, f'persistentvolumeclaim "{name}" not found', plugin=NAME)
    if (claim.get("status") or {}).get("phase") == CLAIM_LOST:
        return Status(UNSCHEDULABLE_AND_UNRESOLVABLE,
                      f'persistentvolumeclaim "{name}" bound to non-existent persistentvolume '
                      f'"{(claim.get("spec") or {}).get("volumeName", "")}"', plugin=NAME)
    if claim["metadata"].get("deletionTimestamp"):
        return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, f'persistentvolumeclaim "{name}" is being deleted',
                      plugin=NAME)
    return None


def _check_bound_claims(claims: list, cache, labels: dict) -> tuple[bool, bool]:
    """``checkBoundClaims``: (node affinity satisfied, every volume exists)."""
    for claim in claims:
        volume = cache.volume(claim["spec"]["volumeName"])
        if volume is None:
            return True, False
        if not check_node_affinity(volume, labels):
            return False, True
    return True, True


def _find_for_unbound(claims: list, cache, node) -> tuple[bool, PodVolumes, str]:
    """The unbound (delayed) claims on one node: (satisfied, what binding takes, error)."""
    pod_volumes = PodVolumes()
    to_match, to_provision = [], []
    for claim in claims:
        selected = ((claim["metadata"].get("annotations") or {}).get(ANN_SELECTED_NODE))
        if selected is not None:
            if selected != node.name:
                return False, pod_volumes, ""
            to_provision.append(claim)
        else:
            to_match.append(claim)
    satisfied = True
    chosen: set = set()
    for claim in sorted(to_match, key=storage_request):
        volume = find_matching_volume(claim, cache.volumes_of_class(claim_class(claim)), node.labels, chosen)
        if volume is None:
            to_provision.append(claim)
            satisfied = False
            continue
        chosen.add(volume["metadata"]["name"])
        pod_volumes.static_bindings.append((claim, volume))
    if to_provision:
        satisfied, error = _check_provisions(to_provision, cache, node.labels)
        if error or not satisfied:
            return False, pod_volumes, error
        pod_volumes.dynamic_provisions = to_provision
    return satisfied, pod_volumes, ""


def _check_provisions(claims: list, cache, labels: dict) -> tuple[bool, str]:
    """``checkVolumeProvisions``: every claim's class can provision a volume for this node."""
    for claim in claims:
        class_name = claim_class(claim)
        if not class_name:
            meta = claim["metadata"]
            return False, f'no class for claim "{meta.get("namespace")}/{meta.get("name")}"'
        storage_class = cache.storage_class(class_name)
        if storage_class is None:
            return False, f'failed to find storage class "{class_name}"'
        provisioner = storage_class.get("provisioner") or ""
        if not provisioner or provisioner == NOT_SUPPORTED_PROVISIONER:
            return False, ""
        if not _topology_allows(storage_class.get("allowedTopologies"), labels):
            return False, ""
    return True, ""


def _topology_allows(terms, labels: dict) -> bool:
    """``MatchTopologySelectorTerms``: no terms match everything; else one term's every
    expression has the node's label among its values."""
    if not terms:
        return True
    for term in terms:
        expressions = term.get("matchLabelExpressions") or ()
        if all(labels.get(e.get("key", "")) in (e.get("values") or ()) for e in expressions):
            return True
    return False


def new(args=None, handle=None) -> VolumeBinding:
    return VolumeBinding()
