"""Owner references: who controls an object, and how controllers adopt and release.

Mirrors k8s.io/apimachinery's ``metav1.GetControllerOf`` / ``NewControllerRef`` and
pkg/controller/controller_ref_manager.go (``BaseControllerRefManager.ClaimObject``,
``PodControllerRefManager``, ``ReplicaSetControllerRefManager``, ``RecheckDeletionTimestamp``).

A controller (a ReplicaSet, a Deployment) *claims* the objects its selector matches:

* an object it already controls and that still matches is kept;
* an object it controls that no longer matches is **released** (its ownerReference removed by
  a strategic-merge patch ``{"$patch": "delete", "uid": ...}``) — unless the controller is
  being deleted;
* an **orphan** (no controller at all) that matches, is not being deleted and lives in the same
  namespace is **adopted**: a patch adds ``ownerReferences: [{controller: true,
  blockOwnerDeletion: true, ...}]``. Before the first adoption the controller re-reads itself
  from the API server (an uncached, quorum read) and refuses to adopt if it is being deleted;
* an object controlled by someone else is ignored.

Both patches carry ``metadata.uid`` of the dependent, so a patch never lands on a different
object that happens to have the same name.

:data:`CONTROLLER_UID_INDEX` indexes an informer's objects by their controller's UID (orphans
under ``"<orphan>/<namespace>"``) so a controller looks only at its own objects and orphans —
exactly the objects ``ClaimObject`` can claim.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from labkube.core.api.labels import DOUBLE_EQUALS, EQUALS, IN
from labkube.core.errors import StatusError

#: Name of the informer index of objects by controller UID (client-go: ``controllerUIDIndex``).
CONTROLLER_UID_INDEX = "controller-uid"
ORPHAN_PREFIX = "<orphan>/"


def controller_ref(obj: dict) -> Optional[dict]:
    """``metav1.GetControllerOf``: the ownerReference with ``controller: true``, if any."""
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return ref
    return None


def new_controller_ref(owner: dict, api_version: str, kind: str) -> dict:
    """``metav1.NewControllerRef``: a controlling, deletion-blocking reference to ``owner``."""
    meta = owner["metadata"]
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": meta["name"],
        "uid": meta["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def controller_uid_index(obj: dict) -> list[str]:
    """Index function: the controller's UID, or ``<orphan>/<namespace>`` for orphans."""
    ref = controller_ref(obj)
    if ref is not None:
        return [ref["uid"]]
    return [ORPHAN_PREFIX + obj["metadata"].get("namespace", "")]


def label_matcher(selector: Any) -> Callable[[dict], bool]:
    """``selector.matches`` as a function of a labels dict, made once for many objects.

    The usual controller selector, ``matchLabels`` only (``app=web,pod-template-hash=…``),
    becomes a dict-items subset test; any other selector keeps its own ``matches``.
    """
    reqs = selector.requirements
    exact = not selector.nothing and all(r.operator in (IN, EQUALS, DOUBLE_EQUALS) and len(r.values) == 1
                                         for r in reqs)
    wanted = {r.key: r.values[0] for r in reqs} if exact else {}
    if not exact or len(wanted) != len(reqs):  # a key required twice: let the selector decide
        return selector.matches
    wanted_items = wanted.items()
    return lambda labels: wanted_items <= labels.items()


def namespace_index(obj: dict) -> list[str]:
    return [obj["metadata"].get("namespace", "")]


def add_owner_ref_patch(owner: dict, api_version: str, kind: str, dependent_uid: str) -> dict:
    """``ownerRefControllerPatch``: the strategic-merge patch that adopts an object."""
    return {"metadata": {"ownerReferences": [new_controller_ref(owner, api_version, kind)],
                         "uid": dependent_uid}}


def delete_owner_ref_patch(dependent_uid: str, owner_uids: list[str]) -> dict:
    """``GenerateDeleteOwnerRefStrategicMergeBytes``: the patch that releases an object."""
    return {"metadata": {"ownerReferences": [{"$patch": "delete", "uid": uid} for uid in owner_uids],
                         "uid": dependent_uid}}


def recheck_deletion_timestamp(get_fresh: Callable[[], dict]) -> Callable[[], None]:
    """``RecheckDeletionTimestamp``: a can-adopt check that raises if the owner is being deleted."""

    def can_adopt() -> None:
        fresh = get_fresh()
        meta = fresh["metadata"]
        if meta.get("deletionTimestamp"):
            raise AdoptionError(f"{meta.get('namespace')}/{meta['name']} has just been deleted at "
                                f"{meta['deletionTimestamp']}")

    return can_adopt


class AdoptionError(Exception):
    """The controller may not adopt (it is gone or being deleted)."""


class ControllerRefManager:
    """Claims objects (pods for a ReplicaSet, ReplicaSets for a Deployment) by selector.

    ``resource`` is what is claimed ("pods", "replicasets"); ``kind_name`` its Kind for error
    messages ("Pod", "ReplicaSet"); ``api_version``/``kind`` describe the controller.
    ``can_adopt`` is called once, before the first adoption (``sync.Once`` in Kubernetes).
    """

    def __init__(self, client: Any, resource: str, kind_name: str, controller: dict, selector: Any,
                 api_version: str, kind: str, can_adopt: Callable[[], None]) -> None:
        self.client = client
        self.resource = resource
        self.kind_name = kind_name
        self.controller = controller
        self.selector = selector
        self.api_version = api_version
        self.kind = kind
        self._can_adopt = can_adopt
        self._can_adopt_result: Optional[BaseException] = None
        self._can_adopt_checked = False
        self._labels_match = label_matcher(selector)

    def claim(self, objects: list[dict]) -> tuple[list[dict], list[BaseException]]:
        """``ClaimPods``/``ClaimReplicaSets``: the claimed objects and the errors met."""
        claimed, errors = [], []
        for obj in objects:
            try:
                if self.claim_object(obj):
                    claimed.append(obj)
            except (StatusError, AdoptionError) as err:
                errors.append(err)
        return claimed, errors

    def claim_object(self, obj: dict) -> bool:
        """``ClaimObject``: True if ``obj`` is (now) ours."""
        ref = controller_ref(obj)
        owner_meta = self.controller["metadata"]
        if ref is not None:
            if ref.get("uid") != owner_meta["uid"]:
                return False  # owned by someone else
            if self._matches(obj):
                return True
            if owner_meta.get("deletionTimestamp"):
                return False
            self._release(obj)
            return False
        if owner_meta.get("deletionTimestamp") or not self._matches(obj):
            return False
        if obj["metadata"].get("deletionTimestamp"):
            return False
        if owner_meta.get("namespace") and owner_meta["namespace"] != obj["metadata"].get("namespace"):
            return False
        return self._adopt(obj)

    def _matches(self, obj: dict) -> bool:
        return self._labels_match(obj["metadata"].get("labels") or {})

    def _check_can_adopt(self) -> None:
        if not self._can_adopt_checked:
            self._can_adopt_checked = True
            try:
                self._can_adopt()
            except (StatusError, AdoptionError) as err:
                self._can_adopt_result = err
        if self._can_adopt_result is not None:
            raise self._can_adopt_result

    def _adopt(self, obj: dict) -> bool:
        meta = obj["metadata"]
        try:
            self._check_can_adopt()
        except (StatusError, AdoptionError) as err:
            raise AdoptionError(f"can't adopt {self.kind_name} {meta.get('namespace')}/{meta['name']} "
                                f"({meta.get('uid')}): {_message(err)}") from err
        patch = add_owner_ref_patch(self.controller, self.api_version, self.kind, meta["uid"])
        try:
            self.client.patch(self.resource, meta["name"], patch, namespace=meta.get("namespace"))
        except StatusError as err:
            if err.code == 404:
                return False
            raise
        return True

    def _release(self, obj: dict) -> None:
        meta = obj["metadata"]
        patch = delete_owner_ref_patch(meta["uid"], [self.controller["metadata"]["uid"]])
        try:
            self.client.patch(self.resource, meta["name"], patch, namespace=meta.get("namespace"))
        except StatusError as err:
            if err.code in (404, 422):  # gone, or recreated with another UID: nothing to release
                return
            raise


def _message(err: BaseException) -> str:
    return err.message if isinstance(err, StatusError) else str(err)
