"""kind's storage add-on: Rancher's local-path-provisioner, the ``rancher.io/local-path`` provisioner.

An *external* provisioner: not part of kube-controller-manager but a Deployment kind installs in
the namespace ``local-path-storage`` (its ServiceAccount ``local-path-provisioner-service-account``,
ClusterRole and binding ``local-path-provisioner-role`` / ``-bind``), built on
sig-storage-lib-external-provisioner. It mirrors what those two do:

* a claim the PV controller handed over (annotation ``volume.kubernetes.io/storage-provisioner:
  rancher.io/local-path``), not bound yet, whose class names this provisioner and -- the class
  binds ``WaitForFirstConsumer`` -- which the scheduler gave a node
  (``volume.kubernetes.io/selected-node``) is provisioned: event ``Provisioning`` ``External
  provisioner is provisioning volume for claim "default/data"``; then, once the helper pod
  made the directory on the node (:data:`PROVISION_SECONDS` here), a PersistentVolume
  ``pvc-<claim uid>`` pre-bound to the claim (``claimRef``), ``hostPath``
  ``/var/local-path-provisioner/pvc-<uid>_<namespace>_<claim>`` (type ``DirectoryOrCreate``),
  node affinity ``kubernetes.io/hostname In [<node>]``, the class's reclaim policy, the claim's
  access modes and requested capacity, annotation ``pv.kubernetes.io/provisioned-by:
  rancher.io/local-path``; event ``ProvisioningSucceeded`` ``Successfully provisioned volume
  pvc-<uid>``. The PV controller then binds the claim to it.
* a volume it provisioned that is ``Released`` with reclaim policy ``Delete`` is deleted (its
  directory removed by a helper pod first).

Its Events come from the source ``rancher.io/local-path_<pod name>_<uuid>`` (the library's
identity: the provisioner's name, its pod's host name and a UUID), fixed here for determinism.
Not modelled: the helper pods themselves (the directory appears on the node when the kubelet
mounts the volume) and the ``local-path-config`` ConfigMap (the default path is used).
"""

from __future__ import annotations

from typing import Any

from labkube.core.api import auth
from labkube.core.errors import StatusError
from labkube.core.machinery import NORMAL, Component, Controller, ErrorLog, EventRecorder
from labkube.core.volume_helpers import (
    ANN_BETA_STORAGE_PROVISIONER, ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE,
    ANN_STORAGE_PROVISIONER, VOLUME_RELEASED, WAIT_FOR_FIRST_CONSUMER, claim_class,
    claim_key, claim_ref_for,
)

PROVISIONER_NAME = "rancher.io/local-path"
NAMESPACE = "local-path-storage"
SERVICE_ACCOUNT = "local-path-provisioner-service-account"
ROLE = "local-path-provisioner-role"
BINDING = "local-path-provisioner-bind"
#: Where volumes live on the node (``local-path-config``'s default ``nodePathMap``).
BASE_PATH = "/var/local-path-provisioner"
#: The helper pod's ``mkdir`` (and ``rm -rf`` on deletion) takes about this long.
PROVISION_SECONDS = 2.0
#: The library's identity: ``<provisioner>_<hostname>_<uuid>`` (the pod's name as kind's
#: Deployment would name it, and a fixed UUID).
IDENTITY = (f"{PROVISIONER_NAME}_local-path-provisioner-7dc846544d-k9d8n_"
            "3bc2a1f5-8c94-4f0e-9d21-6e4b7a0c5d13")


def bootstrap_objects() -> list[dict]:
    """The objects kind's storage manifest creates (the Deployment's pod is not modelled)."""
    rbac = "rbac.authorization.k8s.io/v1"
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}},
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": {"name": SERVICE_ACCOUNT, "namespace": NAMESPACE}},
        {"apiVersion": rbac, "kind": "ClusterRole", "metadata": {"name": ROLE},
         "rules": [
             {"apiGroups": [""], "resources": ["nodes", "persistentvolumeclaims", "configmaps", "pods", "pods/log"],
              "verbs": ["get", "list", "watch"]},
             {"apiGroups": [""], "resources": ["persistentvolumes"],
              "verbs": ["get", "list", "watch", "create", "patch", "update", "delete"]},
             {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]},
             {"apiGroups": ["storage.k8s.io"], "resources": ["storageclasses"], "verbs": ["get", "list", "watch"]},
         ]},
        {"apiVersion": rbac, "kind": "ClusterRoleBinding", "metadata": {"name": BINDING},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": ROLE},
         "subjects": [{"kind": "ServiceAccount", "name": SERVICE_ACCOUNT, "namespace": NAMESPACE}]},
    ]


def volume_path(claim: dict) -> str:
    """``/var/local-path-provisioner/pvc-<uid>_<namespace>_<name>``."""
    meta = claim["metadata"]
    return f"{BASE_PATH}/pvc-{meta.get('uid', '')}_{meta.get('namespace', '')}_{meta.get('name', '')}"


def volume_for(claim: dict, storage_class: dict, node_name: str) -> dict:
    """The PersistentVolume provisioned for ``claim`` on ``node_name``."""
    spec = claim.get("spec") or {}
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    return {
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": f"pvc-{claim['metadata'].get('uid', '')}",
                     "annotations": {ANN_DYNAMICALLY_PROVISIONED: PROVISIONER_NAME,
                                     "local.path.provisioner/selected-node": node_name}},
        "spec": {
            "accessModes": list(spec.get("accessModes") or []),
            "capacity": {"storage": storage} if storage is not None else {},
            "claimRef": claim_ref_for(claim),
            "hostPath": {"path": volume_path(claim), "type": "DirectoryOrCreate"},
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": [node_name]}]}]}},
            "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy") or "Delete",
            "storageClassName": claim_class(claim),
            "volumeMode": spec.get("volumeMode") or "Filesystem",
        },
    }


class LocalPathProvisioner(Component):
    """The provisioner's process. Stop it and new claims of class ``standard`` stay Pending."""

    name = "local-path-provisioner"

    def __init__(self, client: Any, clock: Any, errors: ErrorLog, namer: Any = None) -> None:
        super().__init__(client.as_user(auth.service_account(NAMESPACE, SERVICE_ACCOUNT)), clock, errors)
        self.namer = namer

    def setup(self) -> None:
        self.add(_ProvisionController(self))


class _ProvisionController(Controller):
    """``ProvisionController``: claims to provision and volumes to delete, one key each."""

    name = "local-path-provisioner"

    def __init__(self, component: LocalPathProvisioner) -> None:
        super().__init__(component.clock, component.report)
        self.client = component.client
        self.recorder = EventRecorder(self.client, component.clock, IDENTITY, namer=component.namer)
        informers = component.informers
        self.claims = informers.informer("persistentvolumeclaims")
        self.volumes = informers.informer("persistentvolumes")
        self.classes = informers.informer("storageclasses")
        self._in_progress: set = set()
        self.claims.add_event_handler(self._claim_changed, lambda old, new: self._claim_changed(new), None)
        self.volumes.add_event_handler(self._volume_changed, lambda old, new: self._volume_changed(new), None)

    def _claim_changed(self, claim: dict) -> None:
        if _names_us(claim):
            self.enqueue(("claim", claim_key(claim)))

    def _volume_changed(self, volume: dict) -> None:
        if (volume["metadata"].get("annotations") or {}).get(ANN_DYNAMICALLY_PROVISIONED) == PROVISIONER_NAME:
            self.enqueue(("volume", volume["metadata"]["name"]))

    def sync(self, key) -> None:
        what, name = key
        if what == "claim":
            namespace, claim_name = name.split("/", 1)
            claim = self.claims.get_by_name(namespace, claim_name)
            if claim is not None and self._should_provision(claim):
                self._start_provisioning(claim)
        else:
            volume = self.volumes.get_by_name(None, name)
            if volume is not None and _should_delete(volume):
                self._start_deleting(volume)

    # -- provisioning -------------------------------------------------------------------------
    def _should_provision(self, claim: dict) -> bool:
        """``shouldProvision``: handed to us, unbound, our class, a node chosen, no volume yet."""
        if (claim.get("spec") or {}).get("volumeName") or not _names_us(claim):
            return False
        storage_class = self.classes.get_by_name(None, claim_class(claim))
        if storage_class is None or storage_class.get("provisioner") != PROVISIONER_NAME:
            return False
        if storage_class.get("volumeBindingMode") == WAIT_FOR_FIRST_CONSUMER and not _selected_node(claim):
            return False
        if claim["metadata"].get("deletionTimestamp"):
            return False
        return self.volumes.get_by_name(None, f"pvc-{claim['metadata'].get('uid', '')}") is None

    def _start_provisioning(self, claim: dict) -> None:
        uid = claim["metadata"].get("uid", "")
        if ("claim", uid) in self._in_progress:
            return
        self._in_progress.add(("claim", uid))
        self.recorder.event(claim, NORMAL, "Provisioning",
                            f'External provisioner is provisioning volume for claim "{claim_key(claim)}"')
        self.clock.call_later(PROVISION_SECONDS, lambda: self._finish_provisioning(claim),
                              name="local-path provisioning")

    def _finish_provisioning(self, claim: dict) -> None:
        """The helper pod made the directory: create the volume, pre-bound to the claim."""
        self._in_progress.discard(("claim", claim["metadata"].get("uid", "")))
        if not self.enabled:
            return
        current = self.claims.get_by_name(claim["metadata"].get("namespace"), claim["metadata"]["name"])
        if current is None or current["metadata"].get("uid") != claim["metadata"].get("uid"):
            return
        if not self._should_provision(current):
            return
        storage_class = self.classes.get_by_name(None, claim_class(current))
        volume = volume_for(current, storage_class, _selected_node(current))
        try:
            self.client.create(volume)
        except StatusError as err:
            if err.code != 409:
                self._report(f"provisioning {claim_key(current)}", err)
                return
        self.recorder.event(current, NORMAL, "ProvisioningSucceeded",
                            f"Successfully provisioned volume {volume['metadata']['name']}")

    # -- deleting ------------------------------------------------------------------------------
    def _start_deleting(self, volume: dict) -> None:
        name = volume["metadata"]["name"]
        if ("volume", name) in self._in_progress:
            return
        self._in_progress.add(("volume", name))
        self.clock.call_later(PROVISION_SECONDS, lambda: self._finish_deleting(name), name="local-path deletion")

    def _finish_deleting(self, name: str) -> None:
        """The helper pod removed the directory: delete the volume object."""
        self._in_progress.discard(("volume", name))
        if not self.enabled:
            return
        volume = self.volumes.get_by_name(None, name)
        if volume is None or not _should_delete(volume):
            return
        try:
            self.client.delete("persistentvolumes", name)
        except StatusError as err:
            if err.code != 404:
                self._report(f"deleting {name}", err)


def _names_us(claim: dict) -> bool:
    annotations = (claim.get("metadata") or {}).get("annotations") or {}
    return PROVISIONER_NAME in (annotations.get(ANN_STORAGE_PROVISIONER), annotations.get(ANN_BETA_STORAGE_PROVISIONER))


def _selected_node(claim: dict) -> str:
    return ((claim.get("metadata") or {}).get("annotations") or {}).get(ANN_SELECTED_NODE, "")


def _should_delete(volume: dict) -> bool:
    """``shouldDelete``: Released, reclaim policy Delete, not already being deleted."""
    return ((volume.get("status") or {}).get("phase") == VOLUME_RELEASED
            and (volume.get("spec") or {}).get("persistentVolumeReclaimPolicy") == "Delete"
            and not volume["metadata"].get("deletionTimestamp"))
