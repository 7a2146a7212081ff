"""``kubectl expose (TYPE NAME | TYPE/NAME | -f FILE) [--port] [--target-port] [--type] [--name]``.

Mirrors k8s.io/kubectl/pkg/cmd/expose: read the object, then build a Service for it —

* selector: ``--selector``, else the object's own (a Pod's labels, a Deployment's or
  ReplicaSet's ``spec.selector.matchLabels``, a ReplicationController's or Service's
  ``spec.selector``); a selector with ``matchExpressions`` cannot be exposed;
* labels: ``--labels``, else the object's labels; name: ``--name``, else the object's name;
* ports: ``--port``, else every container port of the pod template (named ``port-1``,
  ``port-2``... when there are several), protocol from ``--protocol`` or the container port;
  ``targetPort`` is ``--target-port`` or the port itself;
* ``--type``, ``--cluster-ip``, ``--external-ip``, ``--session-affinity``,
  ``--load-balancer-ip``; then ``--overrides`` patches the Service
  (:mod:`labkube.kubectl.commands.overrides`).

The Service is built in Go's field order so ``--dry-run=client -o yaml`` prints what kubectl
1.32 prints; otherwise it is created and kubectl prints ``service/web exposed``.
"""

from __future__ import annotations

from typing import Any

from labkube.core.errors import StatusError
from labkube.kubectl.commands import (
    Context,
    api_dry_run,
    check_operation_output,
    dry_run_strategy,
    print_operation,
)
from labkube.kubectl.commands._ops import resource_objects
from labkube.kubectl.commands.create import _without_nulls
from labkube.kubectl.commands.overrides import apply_overrides
from labkube.kubectl.errors import KubectlError

EXPOSABLE = ("Pod", "Service", "ReplicationController", "Deployment", "ReplicaSet")
SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")


def run(ctx: Context) -> list[BaseException]:
    strategy = dry_run_strategy(ctx)
    check_operation_output(ctx)
    if not ctx.parsed.all_args and not ctx.flags["filename"]:
        # the builder's own error, returned as it is (no usage hint, unlike most commands)
        raise KubectlError("error: You must provide one or more resources by argument or filename.\n"
                           "Example resource specifications include:\n   '-f rsrc.yaml'\n"
                           "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
    errors: list[BaseException] = []
    for rtype, obj in list(resource_objects(ctx, ctx.parsed.all_args, errors, allow_selector=False)):
        try:
            _expose_one(ctx, rtype, obj, strategy)
        except (StatusError, KubectlError) as err:
            errors.append(err)
    return errors


def _expose_one(ctx: Context, rtype: Any, obj: dict, strategy: str) -> None:
    if rtype.kind not in EXPOSABLE:
        raise KubectlError(f"error: cannot expose a {rtype.kind}")
    service = build_service(
        obj, rtype.kind, name=ctx.flags["name"], port=ctx.flags["port"],
        target_port=ctx.flags["target-port"],
        protocol=ctx.flags["protocol"], service_type=ctx.flags["type"],
        selector=ctx.flags["selector"], labels=ctx.flags["labels"],
        cluster_ip=ctx.flags["cluster-ip"], external_ip=ctx.flags["external-ip"],
        session_affinity=ctx.flags["session-affinity"], load_balancer_ip=ctx.flags["load-balancer-ip"],
        namespace=ctx.namespace if ctx.namespace_explicit else None,
    )
    service = apply_overrides(ctx, service)
    if ctx.flags.get("save-config"):
        from labkube.kubectl.commands.create import save_config

        save_config(service)
    if strategy == "client":
        print_operation(ctx, service, "exposed", strategy)
        return
    namespace = obj["metadata"].get("namespace") or ctx.namespace
    created = ctx.client.create(_without_nulls(service), namespace, dry_run=api_dry_run(strategy))
    print_operation(ctx, {"apiVersion": "v1", "kind": "Service", **created}, "exposed", strategy)


# ---------------------------------------------------------------------------------------
# The generator (pure)
# ---------------------------------------------------------------------------------------


def selector_for(obj: dict, kind: str) -> dict[str, str]:
    """``MapBasedSelectorForObject``."""
    spec = obj.get("spec") or {}
    if kind == "Pod":
        labels = (obj.get("metadata") or {}).get("labels") or {}
        if not labels:
            raise KubectlError(f"error: the pod has no labels and cannot be exposed")
        return dict(labels)
    if kind in ("ReplicationController", "Service"):
        selector = spec.get("selector") or {}
        if kind == "Service" and not selector:
            raise KubectlError("error: the service has no pod selector set")
        return dict(selector)
    selector = spec.get("selector") or {}
    if selector.get("matchExpressions"):
        raise KubectlError(f"error: couldn't convert expressions - \"{_go_expressions(selector)}\" "
                           "to map-based selector format")
    return dict(selector.get("matchLabels") or {})


def _go_expressions(selector: dict) -> str:
    parts = [f"&LabelSelectorRequirement{{Key:{e.get('key', '')},Operator:{e.get('operator', '')},"
             f"Values:[{' '.join(e.get('values') or [])}],}}" for e in selector.get("matchExpressions") or []]
    return f"[{' '.join(parts)}]"


def ports_for(obj: dict, kind: str) -> list[tuple[int, str]]:
    """``PortsForObject`` with ``ProtocolsForObject``: (port, protocol) of the pod template."""
    spec = obj.get("spec") or {}
    if kind == "Service":
        return [(p.get("port"), p.get("protocol", "TCP")) for p in spec.get("ports") or []]
    pod_spec = spec if kind == "Pod" else ((spec.get("template") or {}).get("spec") or {})
    found = []
    for container in pod_spec.get("containers") or []:
        for port in container.get("ports") or []:
            found.append((port.get("containerPort"), port.get("protocol", "TCP")))
    return found


def _parse_labels(text: str) -> dict[str, str]:
    labels = {}
    for part in filter(None, text.split(",")):
        key, sep, value = part.partition("=")
        if not sep:
            raise KubectlError(f"error: invalid label spec: {part}")
        labels[key] = value
    return labels


def build_service(obj: dict, kind: str, *, name: str = "", port: str = "", target_port: str = "",
                  protocol: str = "", service_type: str = "", selector: str = "", labels: str = "",
                  cluster_ip: str = "", external_ip: str = "", session_affinity: str = "",
                  load_balancer_ip: str = "", namespace: str | None = None) -> dict:
    """The Service ``kubectl expose`` generates for ``obj``, fields in Go struct order."""
    meta_in = obj.get("metadata") or {}
    chosen_selector = _parse_labels(selector) if selector else selector_for(obj, kind)
    chosen_labels = _parse_labels(labels) if labels else dict(meta_in.get("labels") or {})
    if port:
        if not port.isdigit():
            raise KubectlError(f'error: strconv.Atoi: parsing "{port}": invalid syntax')
        ports = [(int(port), protocol or _only_protocol(obj, kind, int(port)))]
    else:
        ports = [(p, protocol or proto) for p, proto in ports_for(obj, kind)]
        if not ports:
            raise KubectlError("error: couldn't find port via --port flag or introspection")
    if service_type and service_type not in SERVICE_TYPES:
        raise KubectlError(f"error: invalid service type: {service_type}")
    meta: dict[str, Any] = {"name": name or meta_in.get("name", "")}
    if namespace:
        meta["namespace"] = namespace
    meta["creationTimestamp"] = None
    if chosen_labels:
        meta["labels"] = chosen_labels
    spec: dict[str, Any] = {"ports": _service_ports(ports, target_port), "selector": chosen_selector}
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    if service_type:
        spec["type"] = service_type
    if external_ip:
        spec["externalIPs"] = [external_ip]
    if session_affinity:
        spec["sessionAffinity"] = session_affinity
    if load_balancer_ip:
        spec["loadBalancerIP"] = load_balancer_ip
    return {"kind": "Service", "apiVersion": "v1", "metadata": meta, "spec": spec,
            "status": {"loadBalancer": {}}}


def _only_protocol(obj: dict, kind: str, port: int) -> str:
    for found, proto in ports_for(obj, kind):
        if found == port:
            return proto
    return "TCP"


def _service_ports(ports: list[tuple[int, str]], target_port: str) -> list[dict]:
    result = []
    for index, (number, proto) in enumerate(ports, 1):
        entry: dict[str, Any] = {}
        if len(ports) > 1:
            entry["name"] = f"port-{index}"
        entry["protocol"] = proto
        entry["port"] = number
        if target_port:
            entry["targetPort"] = int(target_port) if target_port.isdigit() else target_port
        else:
            entry["targetPort"] = number
        result.append(entry)
    return result
