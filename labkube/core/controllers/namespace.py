"""The namespace controller: a deleted namespace is emptied, then finalized, then gone.

Mirrors pkg/controller/namespace (namespace_controller.go and
deletion/namespaced_resources_deleter.go):

1. ``kubectl delete namespace dev`` only marks it: ``deletionTimestamp`` and
   ``status.phase: Terminating`` (the API server does that), with the ``kubernetes`` finalizer
   still in ``spec.finalizers``.
2. This controller deletes every namespaced object in it, resource by resource
   (``deletecollection`` where the resource supports it), then counts what is left.
3. It writes the namespace's deletion conditions (``NamespaceDeletionDiscoveryFailure``,
   ``NamespaceDeletionGroupVersionParsingFailure``, ``NamespaceDeletionContentFailure``,
   ``NamespaceContentRemaining``, ``NamespaceFinalizersRemaining``) with Kubernetes' reasons
   and messages, e.g. ``Some resources are remaining: pods. has 2 resource instances``.
4. While content remains (pods shutting down gracefully, objects held by finalizers) it
   checks again after about half the estimated time (``estimate/2 + 1`` seconds).
5. When nothing is left it removes ``kubernetes`` from ``spec.finalizers`` through the
   ``finalize`` subresource and deletes the namespace, which then disappears.

It acts as ``namespace-controller``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from labkube.core import serialization
from labkube.core.clock import parse_timestamp
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.errors import StatusError

FINALIZER_KUBERNETES = "kubernetes"
#: finalizerEstimateSeconds: how long objects held by finalizers are expected to take.
FINALIZER_ESTIMATE_SECONDS = 15
DEFAULT_POD_GRACE = 30

CONDITION_TYPES = (
    "NamespaceDeletionDiscoveryFailure",
    "NamespaceDeletionGroupVersionParsingFailure",
    "NamespaceDeletionContentFailure",
    "NamespaceContentRemaining",
    "NamespaceFinalizersRemaining",
)
OK_REASONS = {
    "NamespaceDeletionDiscoveryFailure": ("ResourcesDiscovered", "All resources successfully discovered"),
    "NamespaceDeletionGroupVersionParsingFailure": ("ParsedGroupVersions", "All legacy kube types successfully parsed"),
    "NamespaceDeletionContentFailure": ("ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
    "NamespaceContentRemaining": ("ContentRemoved", "All content successfully removed"),
    "NamespaceFinalizersRemaining": ("ContentHasNoFinalizers", "All content-preserving finalizers finished"),
}


class ResourcesRemaining(Exception):
    """``ResourcesRemainingError``: content is still going away; look again after ``estimate`` s."""

    def __init__(self, estimate: int) -> None:
        super().__init__(f"some content remains in the namespace, estimate {estimate} seconds before it is removed")
        self.estimate = estimate


@dataclass
class ContentTotals:
    """``allGVRDeletionMetadata``."""

    remaining: dict[str, int] = field(default_factory=dict)  # "pods." -> count
    finalizers: dict[str, int] = field(default_factory=dict)  # finalizer -> count
    errors: list[str] = field(default_factory=list)
    estimate: int = 0


@register
class NamespaceController(KubeController):
    """Empties namespaces being deleted, then lets them go."""

    name = "namespace-controller"

    def setup(self) -> None:
        self.namespaces = self.ctx.informers.informer("namespaces")
        self.namespaces.add_event_handler(self._changed, lambda old, new: self._changed(new), None)

    def _changed(self, namespace: dict) -> None:
        if namespace["metadata"].get("deletionTimestamp"):
            self.enqueue(namespace["metadata"]["name"])

    def sync(self, name: str) -> None:
        """Content remaining is not an error: look again after about half the estimate."""
        try:
            self.delete_namespace(name)
        except ResourcesRemaining as remaining:
            self.queue.add_after(name, remaining.estimate // 2 + 1)

    # -- NamespacedResourcesDeleter.Delete ---------------------------------------------
    def delete_namespace(self, name: str) -> None:
        try:
            namespace = self.client.get("namespaces", name)
        except StatusError as err:
            if err.code == 404:
                return
            raise
        if not namespace["metadata"].get("deletionTimestamp"):
            return
        if FINALIZER_KUBERNETES not in ((namespace.get("spec") or {}).get("finalizers") or []):
            return
        namespace = self._ensure_terminating(namespace)
        totals = self._delete_all_content(name, parse_timestamp(namespace["metadata"]["deletionTimestamp"]))
        self._update_conditions(namespace, totals)
        if totals.errors:
            raise StatusError(500, "InternalError", "; ".join(totals.errors))
        if totals.remaining or totals.finalizers:
            raise ResourcesRemaining(max(totals.estimate, 1))
        self._finalize(name)

    def _ensure_terminating(self, namespace: dict) -> dict:
        if (namespace.get("status") or {}).get("phase") == "Terminating":
            return namespace
        updated = serialization.copy(namespace)
        updated.setdefault("status", {})["phase"] = "Terminating"
        return self.client.update(updated, subresource="status")

    def _delete_all_content(self, namespace: str, deleted_at: float) -> ContentTotals:
        totals = ContentTotals()
        for rtype in self.client.server.registry.all():
            if not rtype.namespaced or "list" not in rtype.verbs or "delete" not in rtype.verbs:
                continue
            try:
                estimate = self._estimate(rtype, namespace, deleted_at)
                self._delete_collection(rtype, namespace)
                self._count_remaining(rtype, namespace, totals, estimate)
            except StatusError as err:
                totals.errors.append(err.message)
        return totals

    def _delete_collection(self, rtype: Any, namespace: str) -> None:
        if "deletecollection" in rtype.verbs:
            if self.client.list(rtype, namespace, limit=1)["items"]:
                self.client.delete_collection(rtype, namespace)
            return
        for item in self.client.list(rtype, namespace)["items"]:
            try:
                self.client.delete(rtype, item["metadata"]["name"], namespace, propagation_policy="Background")
            except StatusError as err:
                if err.code != 404:
                    raise

    def _count_remaining(self, rtype: Any, namespace: str, totals: ContentTotals, estimate: int) -> None:
        """What is left of one resource after the delete: counted, and judged.

        Within the grace estimate, remaining objects are expected; after it, only objects held
        by finalizers are (``finalizerEstimateSeconds``); anything else is an error that fails
        the sync: ``unexpected items still remain in namespace: dev for gvr: /v1, Resource=pods``.
        """
        items = self.client.list(rtype, namespace)["items"]
        if not items:
            return
        totals.remaining[f"{rtype.plural}.{rtype.group}"] = len(items)
        held = 0
        for item in items:
            for finalizer in item["metadata"].get("finalizers") or ():
                totals.finalizers[finalizer] = totals.finalizers.get(finalizer, 0) + 1
                held += 1
        if estimate:
            totals.estimate = max(totals.estimate, estimate)
        elif held:
            totals.estimate = max(totals.estimate, FINALIZER_ESTIMATE_SECONDS)
        else:
            totals.errors.append(f"unexpected items still remain in namespace: {namespace} for gvr: "
                                 f"{rtype.group}/{rtype.version}, Resource={rtype.plural}")

    def _estimate(self, rtype: Any, namespace: str, deleted_at: float) -> int:
        """``estimateGracefulTermination``: pods may take their longest grace period, counted
        from when the namespace was deleted; other resources are expected to go at once."""
        if rtype.plural != "pods" or rtype.group != "":
            return 0
        estimate = self._estimate_pods(self.client.list(rtype, namespace)["items"])
        return 0 if self.clock.now() - deleted_at >= estimate else estimate

    @staticmethod
    def _estimate_pods(pods: list[dict]) -> int:
        """``estimateGracefulTerminationForPods``: the longest ``terminationGracePeriodSeconds``
        of the pods not yet finished."""
        estimate = 0
        for pod in pods:
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                continue
            grace = (pod.get("spec") or {}).get("terminationGracePeriodSeconds", DEFAULT_POD_GRACE)
            estimate = max(estimate, int(grace))
        return estimate

    # -- conditions ----------------------------------------------------------------------
    def _update_conditions(self, namespace: dict, totals: ContentTotals) -> None:
        now = self.clock.timestamp()
        wanted = {ctype: _ok(ctype, now) for ctype in CONDITION_TYPES}
        if totals.errors:
            messages = sorted(totals.errors)
            wanted["NamespaceDeletionContentFailure"] = _failing(
                "NamespaceDeletionContentFailure", "ContentDeletionFailed",
                f"Failed to delete all resource types, {len(messages)} remaining: {', '.join(messages)}", now)
        if totals.remaining:
            parts = sorted(f"{r} has {n} resource instances" for r, n in totals.remaining.items())
            wanted["NamespaceContentRemaining"] = _failing(
                "NamespaceContentRemaining", "SomeResourcesRemain",
                f"Some resources are remaining: {', '.join(parts)}", now)
        if totals.finalizers:
            parts = sorted(f"{f} in {n} resource instances" for f, n in totals.finalizers.items())
            wanted["NamespaceFinalizersRemaining"] = _failing(
                "NamespaceFinalizersRemaining", "SomeFinalizersRemain",
                f"Some content in the namespace has finalizers remaining: {', '.join(parts)}", now)
        updated = serialization.copy(namespace)
        status = updated.setdefault("status", {})
        if _merge_conditions(status, wanted, now):
            self.client.update(updated, subresource="status")

    # -- finalize --------------------------------------------------------------------------
    def _finalize(self, name: str) -> None:
        namespace = self.client.get("namespaces", name)
        spec = namespace.setdefault("spec", {})
        spec["finalizers"] = [f for f in spec.get("finalizers") or [] if f != FINALIZER_KUBERNETES]
        finalized = self.client.update(namespace, subresource="finalize")
        if (finalized.get("spec") or {}).get("finalizers"):
            return  # other finalizers (from other controllers) still hold it
        try:
            self.client.delete("namespaces", name,
                               preconditions={"uid": namespace["metadata"].get("uid")})
        except StatusError as err:
            if err.code not in (404, 409):
                raise


def _ok(ctype: str, now: str) -> dict:
    reason, message = OK_REASONS[ctype]
    return {"type": ctype, "status": "False", "lastTransitionTime": now, "reason": reason, "message": message}


def _failing(ctype: str, reason: str, message: str, now: str) -> dict:
    return {"type": ctype, "status": "True", "lastTransitionTime": now, "reason": reason, "message": message}


def _merge_conditions(status: dict, wanted: dict[str, dict], now: str) -> bool:
    """``updateConditions``: add missing conditions, update changed ones (transition time on status change)."""
    conditions = status.setdefault("conditions", [])
    changed = False
    for ctype in CONDITION_TYPES:
        new = wanted[ctype]
        old = next((c for c in conditions if c.get("type") == ctype), None)
        if old is None:
            conditions.append(new)
            changed = True
        elif any(old.get(k) != new[k] for k in ("status", "reason", "message")):
            if old.get("status") != new["status"]:
                old["lastTransitionTime"] = now
            old.update(status=new["status"], reason=new["reason"], message=new["message"])
            changed = True
    return changed
