"""The kinds whose strategies differ from the default only in a few flags.

Mirrors the short strategy.go files under pkg/registry for Nodes (status may be set on
create, ``spec.unschedulable`` is selectable), Secrets (``type`` is selectable), Events (the
``involvedObject.*``, ``reason``, ``source``, ``type`` … selectors), ServiceAccounts (delete
returns the object), Ingress/IngressClass/EndpointSlice (they keep ``metadata.generation``).
"""

from __future__ import annotations

from labkube.core.api.registry.strategy import ServerContext, Strategy, object_meta_fields


class NodeStrategy(Strategy):
    status_subresource = True
    reset_status_on_create = False  # a kubelet registers its Node with status
    field_labels = ("metadata.name", "spec.unschedulable")

    def prepare_for_status_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        if "spec" in old:
            new["spec"] = old["spec"]

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        fields = object_meta_fields(obj, namespaced=False)
        fields["spec.unschedulable"] = "true" if (obj.get("spec") or {}).get("unschedulable") else "false"
        return fields


class SecretStrategy(Strategy):
    field_labels = ("metadata.name", "metadata.namespace", "type")

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        fields = object_meta_fields(obj)
        fields["type"] = obj.get("type", "")
        return fields


EVENT_FIELD_LABELS = (
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
    "metadata.namespace",
    "metadata.name",
)


class EventStrategy(Strategy):
    """v1 Events (events.k8s.io/v1 Events are stored in the same form; see events_conversion)."""

    field_labels = EVENT_FIELD_LABELS
    gc_policy = "Unsupported"

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        involved = obj.get("involvedObject") or {}
        fields = object_meta_fields(obj)
        for key in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"):
            fields[f"involvedObject.{key}"] = str(involved.get(key, ""))
        fields["reason"] = obj.get("reason", "")
        fields["reportingComponent"] = obj.get("reportingComponent", "")
        fields["source"] = (obj.get("source") or {}).get("component", "")
        fields["type"] = obj.get("type", "")
        return fields


class EventsV1Strategy(EventStrategy):
    """events.k8s.io/v1 registers no field label conversion: only metadata.name/namespace."""

    field_labels = None


class ReturnObjectStrategy(Strategy):
    return_deleted_object = True


class GenerationStrategy(Strategy):
    """Kinds whose PrepareForCreate sets generation 1 and bump it on spec change."""

    generation = True


class IngressStrategy(GenerationStrategy):
    status_subresource = True

    def prepare_for_status_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        if "spec" in old:
            new["spec"] = old["spec"]


class EndpointSliceStrategy(GenerationStrategy):
    generation_fields = ("addressType", "endpoints", "ports")
