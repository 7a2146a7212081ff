"""Services: ClusterIP and NodePort allocation around the store write.

Mirrors pkg/registry/core/service/strategy.go (status reset, field selectors) and the
allocation half of pkg/registry/core/service/storage/transaction.go + alloc.go
(``txnAllocClusterIPs``, ``txnAllocNodePorts``, ``patchAllocatedValues``):

* create: ``ExternalName`` gets no IP; ``clusterIP: None`` stays headless; a requested
  ``clusterIP`` is taken if free and in range, else one is drawn from ``10.96.0.0/12``;
  ``NodePort`` and ``LoadBalancer`` Services get a node port for every port that lacks one
  (and ``healthCheckNodePort`` for ``LoadBalancer`` with ``externalTrafficPolicy: Local``).
* update: values the client left out (an update built from a manifest without
  ``clusterIP``/``nodePort``) are carried over from the stored Service, as
  ``patchAllocatedValues`` does; type changes allocate or release.
* delete: everything the Service held is released.

Failures are 422 Invalid errors on the field, with the allocator's words, e.g.
``spec.clusterIPs: Invalid value: ["10.96.0.10"]: failed to allocate IP 10.96.0.10: provided
IP is already allocated``. A dry run allocates and releases again, so it reports the same
errors but holds nothing.
"""

from __future__ import annotations

from typing import Callable

from labkube.core import errors
from labkube.core.api.allocators import AllocationError
from labkube.core.api.registry.strategy import ServerContext, Strategy, Undo, object_meta_fields
from labkube.core.errors import FieldError

NEEDS_NODE_PORTS = ("NodePort", "LoadBalancer")


def _service_type(svc: dict) -> str:
    return (svc.get("spec") or {}).get("type", "ClusterIP")


def _needs_cluster_ip(svc: dict) -> bool:
    return _service_type(svc) != "ExternalName"


def _needs_node_ports(svc: dict) -> bool:
    spec = svc.get("spec") or {}
    if _service_type(svc) == "NodePort":
        return True
    return _service_type(svc) == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts", True)


def _needs_health_check_port(svc: dict) -> bool:
    spec = svc.get("spec") or {}
    return _service_type(svc) == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"


def _cluster_ip(svc: dict) -> str:
    spec = svc.get("spec") or {}
    ips = spec.get("clusterIPs") or []
    return spec.get("clusterIP") or (ips[0] if ips else "")


def _invalid(svc: dict, field_errors: list) -> errors.StatusError:
    return errors.invalid("Service", svc["metadata"].get("name", ""), field_errors)


class _Transaction:
    """Allocations made so far, so a failure can give them back (``txn.Revert``)."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self.ips: list[str] = []
        self.ports: list[int] = []

    def revert(self) -> None:
        for ip in self.ips:
            self.ctx.ip_allocator.release(ip)
        for port in self.ports:
            self.ctx.port_allocator.release(port)
        self.ips, self.ports = [], []

    def cluster_ip(self, svc: dict) -> None:
        spec = svc["spec"]
        wanted = _cluster_ip(svc)
        if wanted == "None":
            spec["clusterIP"], spec["clusterIPs"] = "None", ["None"]
            return
        allocator = self.ctx.ip_allocator
        try:
            if wanted:
                allocator.allocate(wanted)
                ip = wanted
            else:
                ip = allocator.allocate_next()
        except AllocationError as exc:
            self.revert()
            value = [wanted] if wanted else []
            detail = f"failed to allocate IP {wanted}: {exc}" if wanted else f"failed to allocate a serviceIP: {exc}"
            raise _invalid(svc, [FieldError.invalid("spec.clusterIPs", value, detail)]) from None
        self.ips.append(ip)
        spec["clusterIP"], spec["clusterIPs"] = ip, [ip]

    def node_ports(self, svc: dict, keep: set[int] = frozenset()) -> None:
        allocator = self.ctx.port_allocator
        taken: dict[int, bool] = {}
        for i, port in enumerate(svc["spec"].get("ports") or []):
            wanted = port.get("nodePort")
            if wanted in taken or (wanted and wanted in keep):
                continue
            path = f"spec.ports[{i}].nodePort"
            try:
                if wanted:
                    allocator.allocate(wanted)
                    value = wanted
                else:
                    value = allocator.allocate_next()
            except AllocationError as exc:
                self.revert()
                raise _invalid(svc, [FieldError.invalid(path, wanted or 0, str(exc))]) from None
            self.ports.append(value)
            taken[value] = True
            port["nodePort"] = value

    def health_check_port(self, svc: dict, keep: set[int] = frozenset()) -> None:
        spec = svc["spec"]
        wanted = spec.get("healthCheckNodePort")
        if wanted and wanted in keep:
            return
        try:
            if wanted:
                self.ctx.port_allocator.allocate(wanted)
                value = wanted
            else:
                value = self.ctx.port_allocator.allocate_next()
        except AllocationError as exc:
            self.revert()
            raise _invalid(
                svc, [FieldError.invalid("spec.healthCheckNodePort", wanted or 0, str(exc))]
            ) from None
        self.ports.append(value)
        spec["healthCheckNodePort"] = value


def held_node_ports(svc: dict) -> set[int]:
    spec = svc.get("spec") or {}
    ports = {p["nodePort"] for p in spec.get("ports") or [] if p.get("nodePort")}
    if spec.get("healthCheckNodePort"):
        ports.add(spec["healthCheckNodePort"])
    return ports


def held_cluster_ip(svc: dict) -> str:
    ip = _cluster_ip(svc)
    return "" if ip in ("", "None") else ip


def patch_allocated_values(new: dict, old: dict) -> None:
    """``patchAllocatedValues``: keep what the server allocated when the client omitted it."""
    spec, old_spec = new.setdefault("spec", {}), old.get("spec") or {}
    if _needs_cluster_ip(new) and _needs_cluster_ip(old):
        if not spec.get("clusterIP") and old_spec.get("clusterIP"):
            spec["clusterIP"] = old_spec["clusterIP"]
        if not spec.get("clusterIPs") and old_spec.get("clusterIPs"):
            spec["clusterIPs"] = list(old_spec["clusterIPs"])
    if _needs_node_ports(new) and _needs_node_ports(old):
        old_ports = old_spec.get("ports") or []
        for port in spec.get("ports") or []:
            if port.get("nodePort"):
                continue
            for old_port in old_ports:
                same_name = port.get("name") and port.get("name") == old_port.get("name")
                same_port = (port.get("port"), port.get("protocol", "TCP")) == (
                    old_port.get("port"), old_port.get("protocol", "TCP"))
                if (same_name or same_port) and old_port.get("nodePort"):
                    port["nodePort"] = old_port["nodePort"]
                    break
    if _needs_health_check_port(new) and _needs_health_check_port(old):
        if not spec.get("healthCheckNodePort") and old_spec.get("healthCheckNodePort"):
            spec["healthCheckNodePort"] = old_spec["healthCheckNodePort"]


class ServiceStrategy(Strategy):
    status_subresource = True
    return_deleted_object = True
    field_labels = ("metadata.name", "metadata.namespace", "spec.clusterIP", "spec.type")

    def __init__(self, ip_family_defaults: Callable[[dict], None] | None = None) -> None:
        self._ip_family_defaults = ip_family_defaults

    def initial_status(self, obj: dict, ctx: ServerContext) -> dict:
        return {"loadBalancer": {}}

    def before_create(self, obj: dict, ctx: ServerContext) -> Undo:
        txn = _Transaction(ctx)
        obj.setdefault("spec", {})
        if _needs_cluster_ip(obj):
            txn.cluster_ip(obj)
        if self._ip_family_defaults is not None:
            self._ip_family_defaults(obj)
        if _needs_node_ports(obj):
            txn.node_ports(obj)
        if _needs_health_check_port(obj):
            txn.health_check_port(obj)
        return txn.revert

    def prepare_for_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        super().prepare_for_update(new, old, ctx)
        patch_allocated_values(new, old)

    def before_update(self, new: dict, old: dict, ctx: ServerContext) -> tuple[Undo, Undo]:
        txn = _Transaction(ctx)
        old_ip = held_cluster_ip(old)
        if _needs_cluster_ip(new) and not old_ip and _cluster_ip(old) != "None":
            txn.cluster_ip(new)
        if self._ip_family_defaults is not None:
            self._ip_family_defaults(new)
        old_ports = held_node_ports(old)
        if _needs_node_ports(new):
            txn.node_ports(new, keep=old_ports)
        if _needs_health_check_port(new):
            txn.health_check_port(new, keep=old_ports)

        def commit() -> None:
            if old_ip and held_cluster_ip(new) != old_ip:
                ctx.ip_allocator.release(old_ip)
            for port in old_ports - held_node_ports(new):
                ctx.port_allocator.release(port)

        return txn.revert, commit

    def after_delete(self, obj: dict, ctx: ServerContext) -> None:
        ip = held_cluster_ip(obj)
        if ip:
            ctx.ip_allocator.release(ip)
        for port in held_node_ports(obj):
            ctx.port_allocator.release(port)

    def prepare_for_status_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        if "spec" in old:
            new["spec"] = old["spec"]

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        spec = obj.get("spec") or {}
        fields = {"spec.clusterIP": spec.get("clusterIP", ""), "spec.type": spec.get("type", "")}
        fields.update(object_meta_fields(obj))
        return fields
