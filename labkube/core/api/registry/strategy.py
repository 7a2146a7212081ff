"""The behaviour every kind shares, and the hooks a kind overrides.

Mirrors k8s.io/apiserver/pkg/registry/rest (``RESTCreateStrategy``, ``RESTUpdateStrategy``,
``RESTDeleteStrategy``, ``RESTGracefulDeleteStrategy``, ``GarbageCollectionDeleteStrategy``)
and the per-kind ``strategy.go`` files under pkg/registry. A :class:`Strategy` answers, for
one kind:

* what the server clears or sets on create (``prepare_for_create``: e.g. a Deployment's status
  is reset and its generation set to 1; a Pod starts ``Pending`` with its QoS class);
* what a main-resource update may not change (``prepare_for_update``: status is kept from the
  stored object for kinds with a status subresource) and when ``metadata.generation`` bumps
  (``generation_changed``: spec changes, not status or metadata changes);
* what a ``status`` update may change (``prepare_for_status_update``: only status);
* whether deletion is graceful (``check_graceful_delete``: only Pods wait for a grace
  period), whether delete returns the object or a ``Status`` (``return_deleted_object``),
  and the default garbage-collection policy;
* which fields a field selector may use (``field_labels`` and ``selectable_fields``).

Strategies are registered per (group, kind) in :class:`StrategyRegistry`, so later issues add
kinds by registration. Hooks receive a :class:`ServerContext` (clock and allocators).

We do not model server-side apply field managers, so no strategy writes
``metadata.managedFields`` (a real server would).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from labkube.core import errors

#: ``metav1.FinalizerOrphanDependents`` and ``metav1.FinalizerDeleteDependents``.
FINALIZER_ORPHAN = "orphan"
FINALIZER_FOREGROUND = "foregroundDeletion"

#: ``DefaultMetaV1FieldSelectorConversion``: what every kind supports.
META_FIELD_LABELS = ("metadata.name", "metadata.namespace")

#: The order Go's ``metav1.ObjectMeta`` serializes its fields in.
OBJECT_META_ORDER = (
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
)
_META_RANK = {name: i for i, name in enumerate(OBJECT_META_ORDER)}


@dataclass
class ServerContext:
    """What strategy hooks may use: the cluster clock and the Service allocators."""

    clock: Any
    ip_allocator: Any = None
    port_allocator: Any = None


Undo = Callable[[], None]


def _nothing() -> None:
    return None


class Strategy:
    """Default behaviour: a namespaced or cluster-scoped kind with no status subresource."""

    #: Maintain ``metadata.generation`` (1 on create, +1 on spec change).
    generation: bool = False
    #: Top-level fields whose change bumps the generation.
    generation_fields: tuple[str, ...] = ("spec",)
    #: The kind has a ``status`` subresource: create resets status and main updates keep it.
    status_subresource: bool = False
    #: Create resets ``status`` (``PrepareForCreate`` clears it). Nodes keep theirs.
    reset_status_on_create: bool = True
    #: ``Store.ReturnDeletedObject``: delete answers with the object rather than a Status.
    return_deleted_object: bool = False
    #: ``AllowUnconditionalUpdate``: an update without resourceVersion is accepted.
    allow_unconditional_update: bool = True
    #: ``DefaultGarbageCollectionPolicy``: "DeleteDependents" (Background), "OrphanDependents",
    #: or "Unsupported" (no GC finalizers are ever added).
    gc_policy: str = "DeleteDependents"
    #: Field selector labels beyond metadata; None means DefaultMetaV1FieldSelectorConversion.
    field_labels: Optional[tuple[str, ...]] = None
    #: Old spellings a kind converts (pods accept ``spec.host`` for ``spec.nodeName``).
    field_label_aliases: dict[str, str] = {}

    # -- create -------------------------------------------------------------------
    def prepare_for_create(self, obj: dict, ctx: ServerContext) -> None:
        if self.status_subresource and self.reset_status_on_create:
            status = self.initial_status(obj, ctx)
            if status is None:
                obj.pop("status", None)
            else:
                obj["status"] = status
        if self.generation:
            obj["metadata"]["generation"] = 1

    def initial_status(self, obj: dict, ctx: ServerContext) -> Optional[dict]:
        """The status a new object starts with (``{}`` serializes as Go's zero struct)."""
        return {}

    def canonicalize(self, obj: dict) -> None:
        """``Canonicalize``: normalise the object after validation (both create and update)."""

    # -- update -------------------------------------------------------------------
    def prepare_for_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        if self.status_subresource:
            _copy_field(new, old, "status")
        if self.generation and self.generation_changed(new, old):
            new["metadata"]["generation"] = old["metadata"].get("generation", 0) + 1

    def generation_changed(self, new: dict, old: dict) -> bool:
        return any(new.get(f) != old.get(f) for f in self.generation_fields)

    def prepare_for_status_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        """Only status may change through ``/status``: everything else comes from ``old``."""
        for key in list(new):
            if key not in ("apiVersion", "kind", "metadata", "status"):
                del new[key]
        for key, value in old.items():
            if key not in ("apiVersion", "kind", "metadata", "status"):
                new[key] = value
        self.reset_meta_for_status(new["metadata"], old["metadata"])

    def reset_meta_for_status(self, meta: dict, old_meta: dict) -> None:
        """``metav1.ResetObjectMetaForStatus``."""
        for key in ("deletionTimestamp", "generation", "labels", "annotations", "finalizers",
                    "ownerReferences"):
            _copy_field(meta, old_meta, key)

    # -- delete -------------------------------------------------------------------
    def refuse_delete(self, name: str) -> None:
        """A storage's own ``Delete`` guard: raise to refuse deleting ``name`` (single deletes only)."""

    def prepare_for_first_delete(self, obj: dict, ctx: ServerContext) -> Optional[dict]:
        """A storage's own ``Delete`` step before the generic one, on the first delete of an
        object: a changed copy to write first (a CRD gets its cleanup finalizer), or None."""
        return None

    def check_graceful_delete(self, obj: dict, grace_period_seconds: Optional[int]) -> Optional[int]:
        """``CheckGracefulDelete``: the grace period to wait, or None if deletion is immediate."""
        return None

    # -- side effects around the store write ----------------------------------------
    def before_create(self, obj: dict, ctx: ServerContext) -> Undo:
        """Reserve what the object needs (allocations); returns how to undo it."""
        return _nothing

    def before_update(self, new: dict, old: dict, ctx: ServerContext) -> tuple[Undo, Undo]:
        """Returns (undo, commit): undo if the write fails, commit after it succeeds."""
        return _nothing, _nothing

    def after_delete(self, obj: dict, ctx: ServerContext) -> None:
        """Release what the deleted object held."""

    # -- field selectors ----------------------------------------------------------
    def convert_field_label(self, label: str) -> str:
        """``ConvertFieldLabel``: the label to match on, or the server's error."""
        if self.field_labels is None:
            if label in META_FIELD_LABELS:
                return label
            raise errors.bad_request(
                f'"{label}" is not a known field selector: only "metadata.name", "metadata.namespace"'
            )
        if label in self.field_labels:
            return label
        if label in self.field_label_aliases:
            return self.field_label_aliases[label]
        raise errors.bad_request(f"field label not supported: {label}")

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        """``ToSelectableFields``: the values field selectors are matched against."""
        return object_meta_fields(obj, namespaced=True)


def object_meta_fields(obj: dict, namespaced: bool = True) -> dict[str, str]:
    """``generic.ObjectMetaFieldsSet``."""
    meta = obj.get("metadata", {})
    fields = {"metadata.name": meta.get("name", "")}
    if namespaced:
        fields["metadata.namespace"] = meta.get("namespace", "")
    return fields


def _copy_field(new: dict, old: dict, key: str) -> None:
    if key in old:
        new[key] = old[key]
    else:
        new.pop(key, None)


def order_metadata(meta: dict) -> dict:
    """ObjectMeta with its keys in Go's serialization order (unknown keys keep their place
    at the end), as a new dict."""
    keys = tuple(meta)
    order = _META_ORDERS.get(keys)
    if order is None:  # the order depends on the keys alone: sorted once per key sequence
        order = _meta_order(keys)
        if len(_META_ORDERS) >= _MAX_META_ORDERS:
            _META_ORDERS.clear()
        _META_ORDERS[keys] = order
    if order is keys:
        return meta.copy()
    return {key: meta[key] for key in order}


def _meta_order(keys: tuple) -> tuple:
    """The keys in Go's order (``keys`` itself when they already are)."""
    rank = _META_RANK
    order = tuple(sorted(keys, key=lambda key: rank.get(key, 99)))
    return keys if order == keys else order


#: Key sequence -> its order (writes repeat a few sequences, so each is sorted once).
_META_ORDERS: dict = {}
_MAX_META_ORDERS = 4096


def order_object(obj: dict) -> dict:
    """``apiVersion``, ``kind``, ``metadata`` first (as TypeMeta and ObjectMeta lead every Go
    struct), then the other fields in the order given."""
    out = {}
    for key in ("apiVersion", "kind"):
        if key in obj:
            out[key] = obj[key]
    if "metadata" in obj:
        out["metadata"] = order_metadata(obj["metadata"])
    for key, value in obj.items():
        if key not in out:
            out[key] = value
    return out


class StrategyRegistry:
    """Strategies by (group, kind); unknown kinds get the default :class:`Strategy`."""

    def __init__(self) -> None:
        self._by_kind: dict[tuple[str, str], Strategy] = {}
        self._default = Strategy()

    def register(self, group: str, kind: str, strategy: Strategy) -> Strategy:
        self._by_kind[(group, kind)] = strategy
        return strategy

    def for_type(self, rtype: Any) -> Strategy:
        return self._by_kind.get((rtype.group, rtype.kind), self._default)
