"""The write verbs of the API server that change an object: update and patch.

Part of :class:`labkube.core.api.server.APIServer` (a mixin). Mirrors ``Store.Update`` in
k8s.io/apiserver/pkg/registry/generic/registry/store.go, ``rest.BeforeUpdate`` (rest/update.go),
the etcd3 store's ``GuaranteedUpdate`` (read, transform, compare-and-swap, retry) and the patch
handler's retry loop (endpoints/handlers/patch.go). The ``scale`` subresource is here too.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from labkube.core import errors, serialization
from labkube.core.api import patch as patching
from labkube.core.api.admission import UPDATE
from labkube.core.api.customresource import CustomResourceType
from labkube.core.api import conversion, ephemeral
from labkube.core.api.events_conversion import EVENTS_GROUP
from labkube.core.api.registry import Strategy, scale_from
from labkube.core.api.registry.namespaces import NamespaceStrategy
from labkube.core.api.request import Request
from labkube.core.api.resources import ResourceType
from labkube.core.errors import FieldError, StatusError
from labkube.core.store import Compare, Op

#: How often a compare-and-swap that lost a race is retried (kube's patcher retries too).
CONFLICT_RETRIES = 10


class _Conflict(Exception):
    """The compare-and-swap lost a race (retry when the user gave no resourceVersion)."""


def _should_delete_during_update(new: dict, old: dict) -> bool:
    """``ShouldDeleteDuringUpdate``: the last finalizer left an object that is being deleted."""
    meta, old_meta = new["metadata"], old["metadata"]
    if meta.get("finalizers") or not old_meta.get("finalizers"):
        return False
    if not old_meta.get("deletionTimestamp"):
        return False
    return not old_meta.get("deletionGracePeriodSeconds")


def _patch_sets_rv(patch: Any) -> bool:
    """Did the client put a resourceVersion precondition into its patch?"""
    if isinstance(patch, (str, bytes)):
        return b'"resourceVersion"' in (patch if isinstance(patch, bytes) else patch.encode())
    if isinstance(patch, dict):
        return bool((patch.get("metadata") or {}).get("resourceVersion"))
    if isinstance(patch, list):
        return any(isinstance(op, dict) and op.get("path") == "/metadata/resourceVersion" for op in patch)
    return False


class UpdateVerbs:
    """update, patch and the scale subresource (mixed into APIServer)."""

    # =====================================================================
    # update (and the shared GuaranteedUpdate loop)
    # =====================================================================
    def _update(self, request: Request, rtype: ResourceType) -> dict:
        sub = request.subresource or ""
        self._check_subresource(rtype, sub, ("status", "scale", "finalize", ephemeral.SUBRESOURCE))
        if sub == "scale":
            return self._update_scale(request, rtype, request.body)
        body = self._decode_body(rtype, request.body, request)
        return self._update_with_body(request, rtype, body, sub)

    def _check_subresource(self, rtype: ResourceType, sub: str, allowed: tuple) -> None:
        if sub and (sub not in allowed or sub not in rtype.subresources):
            raise errors.StatusError(404, "NotFound", "the server could not find the requested resource")

    def _update_with_body(self, request: Request, rtype: ResourceType, body: dict, sub: str,
                          retry_on_conflict: bool = False) -> dict:
        """PUT a decoded ``body`` (the server's own: it may become the stored object)."""
        body = self._to_storage(rtype, body)
        meta = body["metadata"]
        name = request.name or meta.get("name", "")
        if meta.get("name") and meta["name"] != name:
            raise errors.bad_request(
                f"the name of the object ({meta['name']}) does not match the name on the URL ({name})")
        self._check_namespace(rtype, meta, request.namespace)
        namespace = meta.get("namespace") or None
        precondition = meta.get("resourceVersion") or None

        # ``body`` is the server's own fresh decode. With a precondition and no retries,
        # GuaranteedUpdate calls ``mutate`` at most once, so the body itself can become the
        # new object; otherwise each attempt needs an unspoiled copy.
        single_attempt = bool(precondition) and not retry_on_conflict

        def mutate(current: dict) -> dict:
            new = body if single_attempt else serialization.copy(body)
            new["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
            return new

        result = self._guaranteed_update(
            rtype, namespace, name, mutate, precondition, request, sub, retry_on_conflict=retry_on_conflict,
            reads_current=True,
        )
        return self._from_storage(rtype, result)

    def _guaranteed_update(self, rtype: ResourceType, namespace: Optional[str], name: str,
                           mutate: Callable[[dict], dict], precondition: Optional[str], request: Request,
                           sub: str, *, retry_on_conflict: bool = False, reads_current: bool = False) -> dict:
        """``Store.Update`` + etcd3 ``GuaranteedUpdate``: read, transform, validate, CAS, retry.

        ``reads_current``: ``mutate`` only reads the current object (an update builds the new
        object from its body), so it may be given ``old`` instead of a second decode."""
        strategy = self.strategy(rtype)
        key = rtype.key(namespace, name)
        for _attempt in range(CONFLICT_RETRIES):
            kv = self.store.get(key)
            if kv is None:
                raise errors.not_found(rtype.qualified_resource, name)
            current_rv = str(kv.mod_revision)
            if precondition and precondition != current_rv:
                raise errors.conflict(rtype.qualified_resource, name, errors.OPTIMISTIC_LOCK_MESSAGE)
            old = self._decode(kv)
            new = mutate(old if reads_current else self._decode(kv))
            if not precondition and not strategy.allow_unconditional_update and sub == "":
                raise errors.invalid(rtype.qualified_kind, name, [FieldError.invalid(
                    "metadata.resourceVersion", new["metadata"].get("resourceVersion", ""),
                    "must be specified for an update")])
            self._prepare_update(rtype, strategy, new, old, sub)
            if sub != "binding":  # pods/binding was admitted as a create
                attrs = self._admission(UPDATE, rtype, request, namespace, name, new, old, sub)
                self.admission.admit(attrs)
                new = attrs.obj
                strategy.canonicalize(new)
                self._validate_update(rtype, new, old, sub)
                self.admission.validate(attrs)
            if _should_delete_during_update(new, old):
                return self._delete_now(rtype, strategy, key, name, kv, new, request.options.dry_run)
            new["metadata"]["resourceVersion"] = current_rv
            if new == old:
                return new  # a no-op update writes nothing (GuaranteedUpdate skips it)
            try:
                return self._write_update(rtype, strategy, key, kv, new, old, request.options.dry_run)
            except _Conflict:
                if precondition and not retry_on_conflict:
                    raise errors.conflict(rtype.qualified_resource, name, errors.OPTIMISTIC_LOCK_MESSAGE) from None
        raise errors.conflict(rtype.qualified_resource, name, errors.OPTIMISTIC_LOCK_MESSAGE)

    def _prepare_update(self, rtype: ResourceType, strategy: Strategy, new: dict, old: dict, sub: str) -> None:
        """``rest.BeforeUpdate``: the kind's PrepareForUpdate and the fields no update changes."""
        meta, old_meta = new["metadata"], old["metadata"]
        if not meta.get("uid"):
            meta["uid"] = old_meta.get("uid")
        for key in ("creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"):
            if key in old_meta:
                meta[key] = old_meta[key]
            else:
                meta.pop(key, None)
        meta.pop("managedFields", None)
        meta.pop("selfLink", None)
        if sub == "status":
            strategy.prepare_for_status_update(new, old, self.context)
        elif sub == "finalize" and isinstance(strategy, NamespaceStrategy):
            strategy.prepare_for_finalize(new, old)
        elif sub == "binding":
            pass
        elif sub == ephemeral.SUBRESOURCE:
            ephemeral.prepare_for_update(new, old)
        else:
            strategy.prepare_for_update(new, old, self.context)

    def _validate_update(self, rtype: ResourceType, new: dict, old: dict, sub: str = "") -> None:
        """Update validation (``ValidateObjectMetaUpdate`` makes uid, name, namespace and
        creationTimestamp immutable) on the version the client sees; ``pods/ephemeralcontainers``
        has its own (see :mod:`.ephemeral`)."""
        if sub == ephemeral.SUBRESOURCE:
            problems = ephemeral.validate_update(new, old)
            if problems:
                raise errors.invalid(rtype.qualified_kind, new["metadata"].get("name", ""), problems)
            return
        if rtype.group == EVENTS_GROUP:
            new, old = self._from_storage(rtype, new), self._from_storage(rtype, old)
        self._validate(rtype, new, old)

    def _write_update(self, rtype: ResourceType, strategy: Strategy, key: str, kv: Any, new: dict,
                      old: dict, dry_run: bool) -> dict:
        undo, commit = strategy.before_update(new, old, self.context)
        if dry_run:
            undo()
            new["metadata"]["resourceVersion"] = str(kv.mod_revision)
            return new
        try:
            data = self._encode(new)
            result = self.store.txn([Compare.mod_revision(key, "=", kv.mod_revision)], [self._put_op(rtype, key, data)])
        except BaseException:
            undo()
            raise
        if not result.succeeded:
            undo()
            raise _Conflict()
        commit()
        new["metadata"]["resourceVersion"] = str(result.revision)
        self._rbac_changed(rtype)
        return new

    # -- scale ------------------------------------------------------------------------
    def _update_scale(self, request: Request, rtype: ResourceType, scale: Any, *,
                      retry_on_conflict: bool = False) -> dict:
        if not isinstance(scale, dict):
            raise errors.bad_request("a Scale object is required")
        meta = scale.get("metadata") or {}
        name = request.name or meta.get("name", "")
        replicas = (scale.get("spec") or {}).get("replicas", 0)
        if not isinstance(replicas, int) or isinstance(replicas, bool):
            raise errors.bad_request(
                'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal '
                f"{type(replicas).__name__} into Go struct field ScaleSpec.spec.replicas of type int32")
        if replicas < 0:
            raise errors.invalid("Scale.autoscaling", name, [FieldError.invalid(
                "spec.replicas", replicas, "must be greater than or equal to 0")])
        uid = meta.get("uid")

        def mutate(current: dict) -> dict:
            if uid and uid != current["metadata"].get("uid"):
                raise errors.conflict(
                    f"{rtype.plural}.{rtype.group}/scale" if rtype.group else f"{rtype.plural}/scale", name,
                    f"Precondition failed: UID in precondition: {uid}, UID in object meta: "
                    f"{current['metadata'].get('uid')}")
            if isinstance(rtype, CustomResourceType):  # at the CRD's specReplicasPath
                return rtype.set_replicas(current, replicas)
            current.setdefault("spec", {})["replicas"] = replicas
            return current

        namespace = request.namespace if rtype.namespaced else None
        result = self._guaranteed_update(rtype, namespace, name, mutate, meta.get("resourceVersion") or None,
                                         request, "", retry_on_conflict=retry_on_conflict)
        return rtype.scale_from(result) if isinstance(rtype, CustomResourceType) else scale_from(result)

    # =====================================================================
    # patch
    # =====================================================================
    def _patch(self, request: Request, rtype: ResourceType) -> dict:
        sub = request.subresource or ""
        self._check_subresource(rtype, sub, ("status", "scale", ephemeral.SUBRESOURCE))
        if isinstance(rtype, CustomResourceType):
            rtype.refuse_patch_type(request.options.patch_type)
        namespace = request.namespace if rtype.namespaced else None
        name = request.name or ""
        for _attempt in range(CONFLICT_RETRIES):
            kv = self._current(rtype, namespace, name)
            current = self._from_storage(rtype, self._decode(kv))
            if sub == "scale":
                current = rtype.scale_from(current) if isinstance(rtype, CustomResourceType) else scale_from(current)
                api_version, kind = "autoscaling/v1", "Scale"
            else:
                api_version, kind = rtype.api_version, rtype.kind
            patched = patching.apply_patch(current, request.body, request.options.patch_type,
                                           api_version, kind, owned=True,  # current is ours
                                           patch_owned=request.options.hand_over)
            if not isinstance(patched, dict):
                raise errors.bad_request("the patch produced a value that is not an object")
            meta = patched.get("metadata") if isinstance(patched.get("metadata"), dict) else {}
            asked_rv = meta.get("resourceVersion")
            if asked_rv and asked_rv != str(kv.mod_revision):
                raise errors.conflict(rtype.qualified_resource, name, errors.OPTIMISTIC_LOCK_MESSAGE)
            try:
                if sub == "scale":
                    return self._update_scale(request, rtype, patched)
                # apply_patch made it fresh; the fields it did not touch are the stored object's,
                # decoded already (unless converted from the storage version)
                changed = None if conversion.converted(rtype) else \
                    patching.touched_fields(request.body, request.options.patch_type)
                body = self._decode_body(rtype, patched, request, owned=True, changed=changed)
                body["metadata"]["resourceVersion"] = str(kv.mod_revision)
                return self._update_with_body(request, rtype, body, sub)
            except StatusError as err:
                if err.code == 409 and err.reason == "Conflict" and not _patch_sets_rv(request.body):
                    continue
                raise
        raise errors.conflict(rtype.qualified_resource, name, errors.OPTIMISTIC_LOCK_MESSAGE)

