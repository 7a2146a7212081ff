"""The PVC protection controller: a claim in use by a pod is not deleted until no pod uses it.

Mirrors pkg/controller/volume/pvcprotection (Kubernetes 1.32). The StorageObjectInUseProtection
admission plugin gives every claim the finalizer ``kubernetes.io/pvc-protection``; deleting a
claim then only sets its ``deletionTimestamp`` (``kubectl get pvc`` shows ``Terminating``).
This controller removes the finalizer -- and the API server then removes the claim -- once no
scheduled pod that is not finished (``Succeeded``/``Failed``) names the claim in its volumes.
It looks in its pod cache and, before letting go, asks the API server too (a pod created a
moment ago may not be cached yet).

Pods matter only while some claim is being deleted: the pod handlers return at once
otherwise, so a cluster without claims pays nothing per pod.
"""

from __future__ import annotations

from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.errors import StatusError
from labkube.core.serialization import copy as json_copy
from labkube.core.volume_helpers import claim_key, claim_names

PVC_PROTECTION_FINALIZER = "kubernetes.io/pvc-protection"


def pod_uses_claim(pod: dict, claim_name: str) -> bool:
    """``podUsesPVC``: a scheduled, unfinished pod whose volumes name the claim."""
    if not (pod.get("spec") or {}).get("nodeName"):
        return False
    if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        return False
    return claim_name in claim_names(pod)


@register
class PVCProtectionController(KubeController):
    name = "pvc-protection-controller"

    def setup(self) -> None:
        inf = self.ctx.informers
        self.claims = inf.informer("persistentvolumeclaims")
        self.pods = inf.informer("pods")
        #: keys of the claims being deleted that still carry the finalizer
        self._deleting: set[str] = set()
        self.claims.add_event_handler(self._claim_changed, lambda old, new: self._claim_changed(new),
                                      lambda claim: self._deleting.discard(claim_key(claim)))
        self.pods.add_event_handler(None, self._pod_updated, self._pod_changed)

    def _claim_changed(self, claim: dict) -> None:
        key = claim_key(claim)
        if claim["metadata"].get("deletionTimestamp") and PVC_PROTECTION_FINALIZER in (
                claim["metadata"].get("finalizers") or ()):
            self._deleting.add(key)
            self.enqueue(key)
        else:
            self._deleting.discard(key)

    def _pod_updated(self, old: dict, pod: dict) -> None:
        if self._deleting:
            self._pod_changed(pod)

    def _pod_changed(self, pod: dict) -> None:
        """A pod that finished or went away may free the claims it used."""
        if not self._deleting:
            return
        namespace = pod["metadata"].get("namespace", "")
        for name in claim_names(pod):
            key = f"{namespace}/{name}"
            if key in self._deleting:
                self.enqueue(key)

    def sync(self, key) -> None:
        namespace, name = key.split("/", 1)
        claim = self.claims.get_by_name(namespace, name)
        if claim is None or not claim["metadata"].get("deletionTimestamp"):
            return
        finalizers = claim["metadata"].get("finalizers") or []
        if PVC_PROTECTION_FINALIZER not in finalizers or self._in_use(namespace, name):
            return
        updated = json_copy(claim)
        updated["metadata"]["finalizers"] = [f for f in finalizers if f != PVC_PROTECTION_FINALIZER]
        try:
            self.client.update(updated)
        except StatusError as err:
            if err.code != 404:
                raise

    def _in_use(self, namespace: str, name: str) -> bool:
        """``isBeingUsed``: the pod cache first, then a live list of the namespace's pods."""
        if any(pod_uses_claim(pod, name) for pod in self.pods.list(namespace)):
            return True
        live = self.client.list("pods", namespace).get("items") or []
        return any(pod_uses_claim(pod, name) for pod in live)
