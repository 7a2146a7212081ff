"""The delete verbs of the API server: delete and deletecollection.

Part of :class:`labkube.core.api.server.APIServer` (a mixin). Mirrors ``Store.Delete`` and
``Store.DeleteCollection`` in k8s.io/apiserver/pkg/registry/generic/registry/store.go with
``rest.BeforeDelete`` (rest/delete.go): graceful deletion (only Pods wait, for their kubelet),
finalizers (the object stays, with ``deletionTimestamp``, until they are gone), the garbage
collector's ``orphan``/``foregroundDeletion`` finalizers for ``propagationPolicy`` Orphan and
Foreground (the garbage collector itself is a later issue's controller), preconditions, and the
Namespace's own two-step deletion (pkg/registry/core/namespace/storage).
"""

from __future__ import annotations

from typing import Any, Optional

from labkube.core import errors, serialization
from labkube.core.api.admission import DELETE
from labkube.core.api.registry import FINALIZER_FOREGROUND, FINALIZER_ORPHAN, Strategy
from labkube.core.api.registry.namespaces import NAMESPACE_CONTENT_MESSAGE, NamespaceStrategy
from labkube.core.api.request import PROPAGATION_POLICIES, Options, Request
from labkube.core.api.resources import ResourceType
from labkube.core.clock import format_timestamp, parse_timestamp
from labkube.core.errors import FieldError, StatusError
from labkube.core.store import Compare, Op


def success_status(code: Optional[int] = None, details: Optional[dict] = None) -> dict:
    """A ``Status`` of ``Success`` (what immediate deletes and bindings answer)."""
    status: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
    if details:
        status["details"] = details
    if code is not None:
        status["code"] = code
    return status


def _gc_finalizers(strategy: Strategy, obj: dict, policy: Optional[str]) -> tuple[bool, list]:
    """``deletionFinalizersForGarbageCollection``: the orphan/foreground finalizers to set."""
    finalizers = list(obj["metadata"].get("finalizers") or [])
    if strategy.gc_policy == "Unsupported":
        return False, finalizers
    orphan = foreground = False
    if policy == "Orphan":
        orphan = True
    elif policy == "Foreground":
        foreground = True
    elif policy is None:
        if FINALIZER_ORPHAN in finalizers:
            orphan = True
        elif FINALIZER_FOREGROUND in finalizers:
            foreground = True
        else:
            orphan = strategy.gc_policy == "OrphanDependents"
    new = [f for f in finalizers if f not in (FINALIZER_ORPHAN, FINALIZER_FOREGROUND)]
    if orphan:
        new.append(FINALIZER_ORPHAN)
    if foreground:
        new.append(FINALIZER_FOREGROUND)
    if set(new) == set(finalizers):
        return False, finalizers
    return True, new


def _validate_delete_options(options: Options) -> None:
    """``ValidateDeleteOptions``."""
    policy = options.propagation_policy
    if policy is not None and policy not in PROPAGATION_POLICIES:
        raise errors.invalid("DeleteOptions.meta.k8s.io", "", [FieldError.not_supported(
            "propagationPolicy", policy, ["Foreground", "Background", "Orphan", "nil"])])


class DeleteVerbs:
    """delete and deletecollection (mixed into APIServer)."""

    # =====================================================================
    # delete
    # =====================================================================
    def _delete(self, request: Request, rtype: ResourceType) -> dict:
        options = request.options
        _validate_delete_options(options)
        namespace = request.namespace if rtype.namespaced else None
        name = request.name or ""
        kv = self._current(rtype, namespace, name)
        obj = self._decode(kv)
        self._check_preconditions(rtype, name, obj, options.preconditions)
        attrs = self._admission(DELETE, rtype, request, namespace, name, None, obj)
        self.admission.admit(attrs)
        self.admission.validate(attrs)
        strategy = self.strategy(rtype)
        strategy.refuse_delete(name)
        if isinstance(strategy, NamespaceStrategy):
            return self._delete_namespace(rtype, strategy, kv, obj, request)
        result = self._delete_object(rtype, strategy, rtype.key(namespace, name), kv, obj, request)
        return result if result.get("kind") == "Status" else self._from_storage(rtype, result)

    @staticmethod
    def _check_preconditions(rtype: ResourceType, name: str, obj: dict, preconditions: Optional[dict]) -> None:
        if not preconditions:
            return
        meta = obj["metadata"]
        uid = preconditions.get("uid")
        if uid and uid != meta.get("uid"):
            raise errors.conflict(rtype.qualified_resource, name,
                                  f"Precondition failed: UID in precondition: {uid}, UID in object meta: {meta.get('uid')}")
        rv = preconditions.get("resourceVersion")
        if rv and rv != meta.get("resourceVersion"):
            raise errors.conflict(
                rtype.qualified_resource, name,
                f"Precondition failed: ResourceVersion in precondition: {rv}, "
                f"ResourceVersion in object meta: {meta.get('resourceVersion')}")

    def _delete_object(self, rtype: ResourceType, strategy: Strategy, key: str, kv: Any, obj: dict,
                       request: Request) -> dict:
        """``Store.Delete``: graceful deletion and finalizers, or removal now."""
        options = request.options
        dry_run = options.dry_run
        first = None if obj["metadata"].get("deletionTimestamp") else strategy.prepare_for_first_delete(
            obj, self.context)
        if first is not None:
            obj = self._write_delete_update(rtype, key, kv, first, obj, dry_run)
            kv = kv if dry_run else self.store.get(key)
        graceful, pending = self._before_delete(strategy, obj, options)
        if pending:
            return self._finalize_delete(rtype, strategy, obj)
        needs_update, finalizers = _gc_finalizers(strategy, obj, options.propagation_policy)
        pending_finalizers = bool(finalizers)
        if not (graceful or pending_finalizers or needs_update):
            return self._delete_now(rtype, strategy, key, obj["metadata"]["name"], kv, obj, dry_run)
        updated = serialization.copy(obj)
        meta = updated["metadata"]
        if needs_update:
            if finalizers:
                meta["finalizers"] = finalizers
            else:
                meta.pop("finalizers", None)
        if not graceful:
            if not pending_finalizers:
                return self._delete_now(rtype, strategy, key, meta["name"], kv, obj, dry_run)
            self._mark_as_deleting(updated)
        else:
            meta.update(graceful)
        written = self._write_delete_update(rtype, key, kv, updated, obj, dry_run)
        if pending_finalizers or (isinstance(graceful, dict) and graceful["deletionGracePeriodSeconds"] > 0):
            return written
        if dry_run:
            return written
        return self._delete_now(rtype, strategy, key, meta["name"], self.store.get(key) or kv, written, dry_run,
                                ignore_missing=True)

    def _before_delete(self, strategy: Strategy, obj: dict, options: Options) -> tuple[Any, bool]:
        """``rest.BeforeDelete``: (graceful changes to write or False, already pending)."""
        meta = obj["metadata"]
        grace = options.grace_period_seconds
        if grace is not None and grace < 0:
            grace = 1  # negative values are treated as 1s on the delete path
        if strategy.check_graceful_delete(obj, grace) is None:
            return False, False
        if meta.get("deletionTimestamp"):
            current = meta.get("deletionGracePeriodSeconds")
            if not current:
                return False, False  # left half-deleted earlier: finish now
            if grace is None or grace >= current:
                return False, True
            deadline = parse_timestamp(meta["deletionTimestamp"]) - current + grace
            return {"deletionTimestamp": format_timestamp(deadline), "deletionGracePeriodSeconds": grace}, False
        period = strategy.check_graceful_delete(obj, grace)
        changes: dict[str, Any] = {
            "deletionTimestamp": format_timestamp(self.clock.now() + period),
            "deletionGracePeriodSeconds": period,
        }
        if meta.get("generation", 0) > 0:
            changes["generation"] = meta["generation"] + 1
        return changes, False

    def _mark_as_deleting(self, obj: dict) -> None:
        """``markAsDeleting``: deletionTimestamp now (unless earlier), grace 0, generation +1."""
        meta = obj["metadata"]
        if not meta.get("deletionTimestamp") and meta.get("generation", 0) > 0:
            meta["generation"] += 1
        now = self.clock.now()
        if not meta.get("deletionTimestamp") or parse_timestamp(meta["deletionTimestamp"]) > now:
            meta["deletionTimestamp"] = self.clock.timestamp()
        meta["deletionGracePeriodSeconds"] = 0

    def _write_delete_update(self, rtype: ResourceType, key: str, kv: Any, updated: dict, old: dict,
                             dry_run: bool) -> dict:
        if updated == old or dry_run:
            return updated
        data = self._encode(updated)
        result = self.store.txn([Compare.mod_revision(key, "=", kv.mod_revision)], [self._put_op(rtype, key, data)])
        if not result.succeeded:
            raise errors.conflict(rtype.qualified_resource, updated["metadata"]["name"],
                                  errors.OPTIMISTIC_LOCK_MESSAGE)
        updated["metadata"]["resourceVersion"] = str(result.revision)
        self._rbac_changed(rtype)
        return updated

    def _delete_now(self, rtype: ResourceType, strategy: Strategy, key: str, name: str, kv: Any,
                    last: dict, dry_run: bool, *, ignore_missing: bool = False) -> dict:
        if dry_run:
            return self._finalize_delete(rtype, strategy, last)
        result = self.store.txn([Compare.mod_revision(key, "=", kv.mod_revision)], [Op.delete(key)])
        if not result.succeeded:
            current = self.store.get(key)
            if current is None:
                if ignore_missing:
                    return self._finalize_delete(rtype, strategy, last)
                raise errors.not_found(rtype.qualified_resource, name)
            result = self.store.txn([Compare.mod_revision(key, "=", current.mod_revision)], [Op.delete(key)])
            if not result.succeeded:
                raise errors.conflict(rtype.qualified_resource, name, errors.OPTIMISTIC_LOCK_MESSAGE)
            last = self._decode(current)
        self._objects.discard(key)  # frees the cached decode; correctness never needs it
        deleted = result.responses[0].prev_kvs[0] if result.responses and result.responses[0].prev_kvs else None
        final = self._decode(deleted) if deleted is not None else last
        strategy.after_delete(final, self.context)
        self._rbac_changed(rtype)
        return self._finalize_delete(rtype, strategy, final)

    @staticmethod
    def _finalize_delete(rtype: ResourceType, strategy: Strategy, obj: dict) -> dict:
        """``finalizeDelete``: the object, or a Success Status naming it."""
        if strategy.return_deleted_object:
            return obj
        meta = obj["metadata"]
        details: dict[str, Any] = {"name": meta.get("name", "")}
        if rtype.group:
            details["group"] = rtype.group
        details["kind"] = rtype.plural  # yes, kube puts the resource in "kind"
        details["uid"] = meta.get("uid", "")
        return success_status(details=details)

    def _delete_namespace(self, rtype: ResourceType, strategy: Strategy, kv: Any, obj: dict,
                          request: Request) -> dict:
        """Namespace ``REST.Delete``: Terminating first; removal once spec.finalizers is empty."""
        key = rtype.key(None, obj["metadata"]["name"])
        if not obj["metadata"].get("deletionTimestamp"):
            updated = serialization.copy(obj)
            updated["metadata"]["deletionTimestamp"] = self.clock.timestamp()
            updated.setdefault("status", {})["phase"] = "Terminating"
            return self._write_delete_update(rtype, key, kv, updated, obj, request.options.dry_run)
        if (obj.get("spec") or {}).get("finalizers"):
            raise errors.conflict("namespaces", obj["metadata"]["name"], NAMESPACE_CONTENT_MESSAGE)
        return self._delete_object(rtype, strategy, key, kv, obj, request)

    # -- deletecollection ----------------------------------------------------------------
    def _delete_collection(self, request: Request, rtype: ResourceType) -> dict:
        options = request.options
        _validate_delete_options(options)
        predicate = self._predicate(rtype, options)
        namespace = self._list_namespace(rtype, request.namespace, predicate)
        items, revision, _token, _remaining = self._list_items(
            rtype, namespace, predicate, Options(label_selector=options.label_selector,
                                                 field_selector=options.field_selector))
        strategy = self.strategy(rtype)
        for item in items:
            meta = item["metadata"]
            item_ns = meta.get("namespace") if rtype.namespaced else None
            key = rtype.key(item_ns, meta["name"])
            kv = self.store.get(key)
            if kv is None:
                continue
            one = Request("delete", rtype, item_ns, meta["name"], user=request.user, options=options)
            obj = self._decode(kv)
            attrs = self._admission(DELETE, rtype, one, item_ns, meta["name"], None, obj)
            self.admission.admit(attrs)
            self.admission.validate(attrs)
            try:
                if isinstance(strategy, NamespaceStrategy):
                    self._delete_namespace(rtype, strategy, kv, obj, one)
                else:
                    self._delete_object(rtype, strategy, key, kv, obj, one)
            except StatusError as err:
                if err.code != 404:
                    raise
        for item in items:
            item.pop("apiVersion", None)
            item.pop("kind", None)
        return {"kind": rtype.list_kind, "apiVersion": rtype.api_version,
                "metadata": {"resourceVersion": str(revision)}, "items": items}

