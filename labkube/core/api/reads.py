"""The read verbs of the API server: get, list and watch.

Part of :class:`labkube.core.api.server.APIServer` (a mixin, to keep each verb family in a
readable file). Mirrors the ``Get``, ``List`` and ``Watch`` of
k8s.io/apiserver/pkg/registry/generic/registry/store.go; the list and watch rules are described
in :mod:`labkube.core.api.listing` and :mod:`labkube.core.api.watch`.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from labkube.core import errors, serialization
from labkube.core.api import listing
from labkube.core.api import conversion
from labkube.core.api.registry import scale_from
from labkube.core.api.customresource import CustomResourceType
from labkube.core.api.request import Options, Request
from labkube.core.api.resources import ResourceType
from labkube.core.api.watch import ADDED, DELETED, ERROR, Watch, transition
from labkube.core.api.watchcache import WatchCache, trigger_field
from labkube.core.errors import StatusError
from labkube.core.store import DELETE as STORE_DELETE
from labkube.core.store import CompactedError


def prefix_end(prefix: str) -> str:
    """The end of the key range that holds every key starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def too_large_resource_version(rv: int, current: int) -> StatusError:
    return StatusError(
        504, "Timeout", f"Too large resource version: {rv}, current: {current}",
        {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
         "retryAfterSeconds": 1},
    )


class ReadVerbs:
    """get, list, watch (mixed into APIServer)."""

    # =====================================================================
    # get
    # =====================================================================
    def _get(self, request: Request, rtype: ResourceType) -> dict:
        namespace = request.namespace if rtype.namespaced else None
        sub = request.subresource
        if sub not in (None, "", "status", "scale", "ephemeralcontainers") or (sub and sub not in rtype.subresources):
            raise errors.StatusError(404, "NotFound", "the server could not find the requested resource")
        obj = self._fresh(self._current(rtype, namespace, request.name or ""))
        if sub == "scale":
            return rtype.scale_from(obj) if isinstance(rtype, CustomResourceType) else scale_from(obj)
        return self._from_storage(rtype, obj)

    # =====================================================================
    # list
    # =====================================================================
    def _predicate(self, rtype: ResourceType, options: Options) -> listing.Predicate:
        strategy = self.strategy(rtype)
        return listing.Predicate(
            listing.parse_label_selector(options.label_selector),
            listing.parse_field_selector(options.field_selector, strategy),
            strategy.selectable_fields,
        )

    def _list_namespace(self, rtype: ResourceType, namespace: Optional[str], predicate: listing.Predicate) -> Optional[str]:
        """The namespace to read: the request's, or the one a field selector pins."""
        if not rtype.namespaced:
            return None
        if namespace:
            return namespace
        return predicate.field.requires("metadata.namespace") or None

    def _list(self, request: Request, rtype: ResourceType) -> dict:
        options = request.options
        listing.validate_list_options(options.continue_, options.resource_version, options.resource_version_match)
        predicate = self._predicate(rtype, options)
        namespace = self._list_namespace(rtype, request.namespace, predicate)
        items, revision, token, remaining = self._list_items(rtype, namespace, predicate, options)
        for item in items:
            item.pop("apiVersion", None)
            item.pop("kind", None)
        meta: dict[str, Any] = {"resourceVersion": str(revision)}
        if token:
            meta["continue"] = token
        if remaining is not None:
            meta["remainingItemCount"] = remaining
        return {"kind": rtype.list_kind, "apiVersion": rtype.api_version, "metadata": meta, "items": items}

    def _list_revision(self, options: Options) -> int:
        """0 for "the latest state", else the revision to read exactly."""
        rv = listing.parse_resource_version(options.resource_version)
        if rv == 0:
            return 0
        exact = options.resource_version_match == "Exact" or (
            options.resource_version_match is None and options.limit
        )
        if rv > self.store.revision:
            raise too_large_resource_version(rv, self.store.revision)
        return rv if exact else 0

    def _list_items(self, rtype: ResourceType, namespace: Optional[str], predicate: listing.Predicate,
                    options: Options) -> tuple[list, int, Optional[str], Optional[int]]:
        base = rtype.prefix(None)
        prefix = rtype.prefix(namespace)
        start = prefix
        if options.continue_:
            revision, rel = listing.decode_continue(options.continue_)
            start = base + rel
        else:
            revision = self._list_revision(options)
        name = predicate.field.requires("metadata.name")
        end = prefix_end(prefix)
        try:
            if name is not None and (namespace or not rtype.namespaced):
                kv = self.store.get(rtype.key(namespace, name), revision)
                kvs, store_revision = ([kv] if kv is not None else []), revision or self.store.revision
            else:
                result = self.store.range(start, end, revision=revision)
                kvs, store_revision = result.kvs, result.revision
        except CompactedError:
            if options.continue_:
                raise errors.resource_expired(listing.CONTINUE_TOO_OLD) from None
            # etcd3's interpretListError: an exact read below the compaction point.
            raise errors.resource_expired("The resourceVersion for the provided list is too old.") from None
        read_revision = revision or store_revision
        limit = options.limit or 0
        filtered = not predicate.empty
        with serialization.gc_paused():
            items, last_key = self._objects.select(kvs, predicate.matches if filtered else None, limit)
            if conversion.converted(rtype) or isinstance(rtype, CustomResourceType):
                items = [self._from_storage(rtype, obj) for obj in items]
        token = remaining = None
        if last_key is not None:
            rest = [kv for kv in kvs if kv.key > last_key]
            if rest:
                token = listing.encode_continue(read_revision, last_key[len(base):] + "\x00")
                if not filtered:
                    remaining = len(rest)
        return items, read_revision, token, remaining

    # =====================================================================
    # watch
    # =====================================================================
    def _watch(self, request: Request, rtype: ResourceType) -> Watch:
        options = request.options
        predicate = self._predicate(rtype, options)
        namespace = self._list_namespace(rtype, request.namespace, predicate)
        prefix = rtype.prefix(namespace)
        rv_text = options.resource_version
        rv = listing.parse_resource_version(rv_text)
        initial: list = []
        if not rv:
            result = self.store.range(prefix, prefix_end(prefix))
            start = result.revision + 1
            with serialization.gc_paused():
                objs, _ = self._objects.select(result.kvs, None if predicate.empty else predicate.matches)
                initial = [{"type": ADDED, "object": self._from_storage(rtype, obj)} for obj in objs]
        else:
            start = rv + 1
            if start > self.store.revision + 1:
                raise too_large_resource_version(rv, self.store.revision)
        cache = self._watch_cache(rtype)
        convert = self._watch_converter(rtype, predicate)

        def replay(first: int, upto: int) -> list:
            return self._replay(prefix, first, upto, convert)

        try:
            watcher, backlog = cache.watch(start, prefix, predicate, lambda obj: self._from_storage(rtype, obj), replay,
                                           read_only=options.read_only)
        except CompactedError as exc:
            expired = errors.resource_expired(f"too old resource version: {rv} ({exc.compact_revision})")
            return Watch(None, None, ({"type": ERROR, "object": expired.status},), resource_version=str(rv))
        return Watch(watcher, None, (*initial, *backlog), resource_version=str(start - 1))

    def _watch_cache(self, rtype: ResourceType) -> WatchCache:
        """The resource's watch cache (one store watcher for all its client watches)."""
        cache = self._watch_caches.get((rtype.group, rtype.plural))
        if cache is None:
            cache = WatchCache(self.store, rtype.prefix(None), self.strategy(rtype).selectable_fields,
                               trigger_field(rtype.plural, rtype.group), offer=self._objects.offer)
            self._watch_caches[(rtype.group, rtype.plural)] = cache
        return cache

    def _replay(self, prefix: str, first: int, upto: int, convert: Callable) -> list:
        """Converted events ``first..upto`` of ``prefix`` from the store's history (raises
        CompactedError when ``first`` is compacted away)."""
        watcher = self.store.watch(prefix, prefix_end(prefix), start_revision=first, prev_kv=True)
        try:
            events = watcher.poll()
        finally:
            watcher.cancel()
        out = []
        for event in events:
            if event.kv.mod_revision > upto:
                break
            converted = convert(event)
            if converted is not None:
                out.append(converted)
        return out

    def _watch_converter(self, rtype: ResourceType, predicate: listing.Predicate) -> Callable:
        decode_kv = self._decode
        view = self._from_storage
        selective = not predicate.empty
        matches = predicate.matches

        def convert(event: Any) -> Optional[dict]:
            if event.type == STORE_DELETE:
                if event.prev_kv is None:
                    return None
                obj = decode_kv(event.prev_kv)
                obj["metadata"]["resourceVersion"] = str(event.kv.mod_revision)
                if selective and not matches(obj):
                    return None
                return {"type": DELETED, "object": view(rtype, obj)}
            obj = decode_kv(event.kv)
            created = event.prev_kv is None
            if not selective:
                return {"type": ADDED if created else "MODIFIED", "object": view(rtype, obj)}
            prev = None if created else decode_kv(event.prev_kv)
            kind = transition(prev is not None and matches(prev), matches(obj), created)
            if kind is None:
                return None
            if kind == DELETED:
                prev["metadata"]["resourceVersion"] = str(event.kv.mod_revision)
                obj = prev
            return {"type": kind, "object": view(rtype, obj)}

        return convert

