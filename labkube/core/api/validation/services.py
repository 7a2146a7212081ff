"""Services, Endpoints and EndpointSlices.

Mirrors pkg/apis/core/validation/validation.go (``ValidateService``, ``validateServicePort``,
``ValidateServiceUpdate``/``validateUpgradeDowngradeClusterIPs``, ``ValidateEndpoints``),
pkg/apis/discovery/validation (``ValidateEndpointSlice``) and the node-port range check of
the Service REST storage's allocator (``provided port is not in the valid range``).

On update the server must first copy allocated values (clusterIP, clusterIPs, nodePorts) from
the old object when the new one leaves them empty (the strategy's ``patchAllocatedValues``);
here an empty clusterIP on update counts as unchanged.
"""

from __future__ import annotations

from labkube.core.api.validation import meta, names, pods
from labkube.core.errors import FieldError

SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
SESSION_AFFINITIES = ("ClientIP", "None")
TRAFFIC_POLICIES = ("Cluster", "Local")
NODE_PORT_RANGE = (30000, 32767)
ADDRESS_TYPES = ("FQDN", "IPv4", "IPv6")


def _headless(spec: dict) -> bool:
    return spec.get("clusterIP") == "None"


def validate_service(obj: dict, old: dict | None = None) -> list[FieldError]:
    if old is None:
        errs = meta.validate_object_meta(obj.get("metadata"), True, names.name_is_dns1035_label)
    else:
        errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
        errs.extend(_cluster_ips_unchanged(obj.get("spec") or {}, old.get("spec") or {}))
    spec = obj.get("spec") or {}
    kind = spec.get("type", "")
    ports = spec.get("ports") or []
    if not ports and not _headless(spec) and kind != "ExternalName":
        errs.append(FieldError.required("spec.ports"))
    errs.extend(_type_rules(spec, kind))
    seen_names: set[str] = set()
    for i, port in enumerate(ports):
        errs.extend(_service_port(port, len(ports) > 1, seen_names, f"spec.ports[{i}]"))
    if spec.get("selector") is not None:
        errs.extend(meta.validate_labels(spec["selector"], "spec.selector"))
    errs.extend(_session_affinity(spec))
    for i, ip in enumerate(spec.get("externalIPs") or ()):
        errs.extend(FieldError.invalid(f"spec.externalIPs[{i}]", ip, m) for m in names.is_valid_ip(ip))
    if not kind:
        errs.append(FieldError.required("spec.type"))
    elif kind not in SERVICE_TYPES:
        errs.append(FieldError.not_supported("spec.type", kind, SERVICE_TYPES))
    errs.extend(_node_ports(spec, kind, ports))
    errs.extend(_duplicate_ports(ports))
    errs.extend(_traffic_policies(spec, kind))
    return errs


def _type_rules(spec: dict, kind: str) -> list[FieldError]:
    if kind in ("LoadBalancer", "NodePort") and _headless(spec):
        return [FieldError.invalid("spec.clusterIPs[0]", "None",
                                   f"may not be set to 'None' for {kind} services")]
    if kind != "ExternalName":
        return []
    errs: list[FieldError] = []
    if spec.get("clusterIPs") or spec.get("clusterIP"):
        errs.append(FieldError.forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
    if spec.get("ipFamilies"):
        errs.append(FieldError.forbidden("spec.ipFamilies", "may not be set for ExternalName services"))
    if spec.get("ipFamilyPolicy") is not None:
        errs.append(FieldError.forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"))
    cname = (spec.get("externalName") or "").removesuffix(".")
    if cname:
        errs.extend(meta.dns1123_subdomain(cname, "spec.externalName"))
    else:
        errs.append(FieldError.required("spec.externalName"))
    return errs


def _service_port(port: dict, require_name: bool, seen: set[str], path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = port.get("name", "")
    if require_name and not name:
        errs.append(FieldError.required(path + ".name"))
    elif name:
        errs.extend(meta.dns1123_label(name, path + ".name"))
        if name in seen:
            errs.append(FieldError.duplicate(path + ".name", name))
        else:
            seen.add(name)
    number = port.get("port", 0)
    errs.extend(FieldError.invalid(path + ".port", number, m) for m in names.is_valid_port_num(number))
    protocol = port.get("protocol")
    if not protocol:
        errs.append(FieldError.required(path + ".protocol"))
    elif protocol not in pods.PROTOCOLS:
        errs.append(FieldError.not_supported(path + ".protocol", protocol, pods.PROTOCOLS))
    errs.extend(pods.port_num_or_name(port.get("targetPort", 0), path + ".targetPort"))
    if port.get("appProtocol") is not None:
        errs.extend(meta.qualified_name(port["appProtocol"], path + ".appProtocol"))
    return errs


def _session_affinity(spec: dict) -> list[FieldError]:
    affinity = spec.get("sessionAffinity")
    if not affinity:
        return [FieldError.required("spec.sessionAffinity")]
    if affinity not in SESSION_AFFINITIES:
        return [FieldError.not_supported("spec.sessionAffinity", affinity, SESSION_AFFINITIES)]
    if affinity == "None" and spec.get("sessionAffinityConfig") is not None:
        return [FieldError.forbidden("spec.sessionAffinityConfig",
                                     "must not be set when session affinity is None")]
    if affinity == "ClientIP":
        timeout = ((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}).get("timeoutSeconds")
        if timeout is not None and not 0 < timeout <= 86400:
            return [FieldError.invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout,
                                       "must be greater than 0 and less than 86400")]
    return []


def _node_ports(spec: dict, kind: str, ports: list) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[tuple] = set()
    lo, hi = NODE_PORT_RANGE
    for i, port in enumerate(ports):
        node_port = port.get("nodePort", 0)
        if not node_port:
            continue
        path = f"spec.ports[{i}].nodePort"
        if kind == "ClusterIP":
            errs.append(FieldError.forbidden(path, "may not be used when `type` is 'ClusterIP'"))
            continue
        key = (port.get("protocol"), node_port)
        if key in seen:
            errs.append(FieldError.duplicate(path, node_port))
        seen.add(key)
        if not lo <= node_port <= hi:
            errs.append(FieldError.invalid(
                path, node_port,
                f"provided port is not in the valid range. The range of valid ports is {lo}-{hi}"))
    return errs


def _duplicate_ports(ports: list) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[tuple] = set()
    for i, port in enumerate(ports):
        key = (port.get("protocol", ""), port.get("port", 0))
        if key in seen:
            shown = (f'core.ServicePort{{Name:"", Protocol:"{key[0]}", AppProtocol:(*string)(nil), '
                     f'Port:{key[1]}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:""}}, '
                     f'NodePort:0}}')
            errs.append(meta.duplicate_go(f"spec.ports[{i}]", key, shown))
        seen.add(key)
    return errs


def _traffic_policies(spec: dict, kind: str) -> list[FieldError]:
    errs: list[FieldError] = []
    external = spec.get("externalTrafficPolicy")
    externally = kind in ("NodePort", "LoadBalancer") or (kind == "ClusterIP" and spec.get("externalIPs"))
    if external and not externally:
        errs.append(FieldError.invalid("spec.externalTrafficPolicy", external,
                                       "may only be set for externally-accessible services"))
    elif externally and not external:
        errs.append(FieldError.required("spec.externalTrafficPolicy"))
    elif external and external not in TRAFFIC_POLICIES:
        errs.append(FieldError.not_supported("spec.externalTrafficPolicy", external, TRAFFIC_POLICIES))
    internal = spec.get("internalTrafficPolicy")
    if internal is None and kind in ("ClusterIP", "NodePort", "LoadBalancer"):
        errs.append(FieldError.required("spec.internalTrafficPolicy", "must be specified"))
    elif internal is not None and internal not in TRAFFIC_POLICIES:
        errs.append(FieldError.not_supported("spec.internalTrafficPolicy", internal, TRAFFIC_POLICIES))
    return errs


def _cluster_ips_unchanged(spec: dict, old_spec: dict) -> list[FieldError]:
    """``validateUpgradeDowngradeClusterIPs`` for a single-stack cluster."""
    if "ExternalName" in (spec.get("type"), old_spec.get("type")):
        return []
    old_ips = old_spec.get("clusterIPs") or ([old_spec["clusterIP"]] if old_spec.get("clusterIP") else [])
    new_ips = list(spec.get("clusterIPs") or [])
    if spec.get("clusterIP") and (not new_ips or new_ips == old_ips):
        new_ips = [spec["clusterIP"]] + new_ips[1:]
    if not new_ips or not old_ips or (old_ips[0] == "None" and new_ips[0] == "None"):
        return []
    if new_ips[0] != old_ips[0]:
        return [meta.invalid_go("spec.clusterIPs[0]", new_ips, meta.go_string_slice(new_ips),
                                "may not change once set")]
    return []


# -- Endpoints and EndpointSlices ------------------------------------------------


def validate_endpoints(obj: dict, old: dict | None = None) -> list[FieldError]:
    if old is None:
        errs = meta.validate_object_meta(obj.get("metadata"), True, names.name_is_dns_subdomain)
    else:
        errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    for i, subset in enumerate(obj.get("subsets") or ()):
        spath = f"subsets[{i}]"
        addresses = (subset.get("addresses") or []) + (subset.get("notReadyAddresses") or [])
        if not addresses:
            errs.append(FieldError.required(spath, "must specify `addresses` or `notReadyAddresses`"))
        for key in ("addresses", "notReadyAddresses"):
            for j, address in enumerate(subset.get(key) or ()):
                ip = address.get("ip", "")
                errs.extend(FieldError.invalid(f"{spath}.{key}[{j}].ip", ip, m)
                            for m in names.is_valid_ip(ip))
        ports = subset.get("ports") or []
        for j, port in enumerate(ports):
            errs.extend(_endpoint_port(port, len(ports) > 1, f"{spath}.ports[{j}]"))
    return errs


def _endpoint_port(port: dict, require_name: bool, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = port.get("name")
    if require_name and not name:
        errs.append(FieldError.required(path + ".name"))
    elif name:
        errs.extend(meta.dns1123_label(name, path + ".name"))
    number = port.get("port", 0)
    errs.extend(FieldError.invalid(path + ".port", number, m) for m in names.is_valid_port_num(number))
    protocol = port.get("protocol")
    if not protocol:
        errs.append(FieldError.required(path + ".protocol"))
    elif protocol not in pods.PROTOCOLS:
        errs.append(FieldError.not_supported(path + ".protocol", protocol, pods.PROTOCOLS))
    return errs


def validate_endpoint_slice(obj: dict, old: dict | None = None) -> list[FieldError]:
    if old is None:
        errs = meta.validate_object_meta(obj.get("metadata"), True, names.name_is_dns_subdomain)
    else:
        errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
        if obj.get("addressType") != old.get("addressType"):
            errs.extend(meta.immutable(obj.get("addressType", ""), old.get("addressType", ""), "addressType"))
    address_type = obj.get("addressType", "")
    if not address_type:
        errs.append(FieldError.required("addressType"))
    elif address_type not in ADDRESS_TYPES:
        errs.append(FieldError.not_supported("addressType", address_type, ADDRESS_TYPES))
    for i, endpoint in enumerate(obj.get("endpoints") or ()):
        epath = f"endpoints[{i}]"
        addresses = endpoint.get("addresses") or []
        if not addresses:
            errs.append(FieldError.required(epath + ".addresses", "must contain at least 1 address"))
        elif len(addresses) > 100:
            errs.append(FieldError.too_many(epath + ".addresses", len(addresses), 100))
        for j, address in enumerate(addresses):
            if address_type in ("IPv4", "IPv6"):
                errs.extend(FieldError.invalid(f"{epath}.addresses[{j}]", address, m)
                            for m in names.is_valid_ip(address))
            elif address_type == "FQDN":
                errs.extend(meta.dns1123_subdomain(address, f"{epath}.addresses[{j}]"))
    seen: set[str] = set()
    for i, port in enumerate(obj.get("ports") or ()):
        ppath = f"ports[{i}]"
        name = port.get("name") or ""
        if name:
            errs.extend(meta.dns1123_label(name, ppath + ".name"))
        if name in seen:
            errs.append(FieldError.duplicate(ppath + ".name", name))
        seen.add(name)
        protocol = port.get("protocol")
        if protocol is None:
            errs.append(FieldError.required(ppath + ".protocol"))
        elif protocol not in pods.PROTOCOLS:
            errs.append(FieldError.not_supported(ppath + ".protocol", protocol, pods.PROTOCOLS))
        if port.get("port") is not None:
            errs.extend(FieldError.invalid(ppath + ".port", port["port"], m)
                        for m in names.is_valid_port_num(port["port"]))
    return errs
