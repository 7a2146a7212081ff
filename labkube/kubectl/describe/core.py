"""describe for Service, Endpoints, EndpointSlice, Node, Namespace, ConfigMap, Secret, ServiceAccount.

Mirrors the matching describers in k8s.io/kubectl/pkg/describe/describe.go as kubectl 1.32
prints them (verified against the real binary): Service endpoints come from the Service's
EndpointSlices (``formatEndpointSlices``), Secret values are never shown (``password:  11
bytes``), a Node lists its non-terminated pods and the sums of their requests and limits.
"""

from __future__ import annotations

import base64

from labkube.kubectl.describe import limitrange
from labkube.kubectl.describe.quantity import Quantity, pod_requests_and_limits, resource_list
from labkube.kubectl.describe.writer import (
    PrefixWriter,
    annotations_multiline,
    describe_events,
    go_bool,
    labels_multiline,
    taints_multiline,
)
from labkube.kubectl.printers.age import age, rfc1123z
from labkube.kubectl.printers.columns import node_roles
from labkube.kubectl.printers.format import format_labels

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _header(w: PrefixWriter, obj: dict, namespaced: bool = True) -> None:
    meta = _meta(obj)
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    if namespaced:
        w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))


# --- Service and its endpoints ----------------------------------------------------------------


def _join_host_port(host: str, port) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def format_endpoint_slices(slices: list[dict], ports: set[str] | None) -> str:
    """``formatEndpointSlices``: up to three ready ``ip:port`` then ``+ N more...``."""
    if not slices:
        return "<none>"
    shown: list[str] = []
    limit, more, count = 3, False, 0
    for eps in slices:
        endpoints = eps.get("endpoints") or []
        if not eps.get("ports"):
            for endpoint in endpoints:
                if len(shown) == limit:
                    more = True
                if (endpoint.get("conditions") or {}).get("ready") is False:
                    continue
                if not more:
                    shown.append((endpoint.get("addresses") or [""])[0])
                count += 1
            continue
        for port in eps["ports"]:
            if ports is not None and (port.get("name") or "") not in ports:
                continue
            for endpoint in endpoints:
                if len(shown) == limit:
                    more = True
                if (endpoint.get("conditions") or {}).get("ready") is False:
                    continue
                if not more:
                    shown.append(_join_host_port((endpoint.get("addresses") or [""])[0], port.get("port", 0)))
                count += 1
    text = ",".join(shown)
    return f"{text} + {count - limit} more..." if more else text


def slices_for_service(slices: list[dict] | None, name: str) -> list[dict]:
    return [s for s in slices or [] if (_meta(s).get("labels") or {}).get(SERVICE_NAME_LABEL) == name]


def _lb_ingress_text(ingress: list[dict]) -> str:
    parts = []
    for entry in ingress:
        if entry.get("ip"):
            parts.append(entry["ip"] + (f" ({entry['ipMode']})" if entry.get("ipMode") else ""))
        else:
            parts.append(entry.get("hostname", ""))
    return ", ".join(parts)


def describe_service(svc: dict, events: list[dict] | None, now: float, endpoint_slices: list[dict]) -> str:
    spec = svc.get("spec") or {}
    slices = slices_for_service(endpoint_slices, _meta(svc).get("name", ""))
    w = PrefixWriter()
    _header(w, svc)
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(0, f"Type:\t{spec.get('type', '')}\n")
    if spec.get("ipFamilyPolicy") is not None:
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or []) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or []) or '<none>'}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        w.write(0, f"LoadBalancer Ingress:\t{_lb_ingress_text(ingress)}\n")
    for port in spec.get("ports") or []:
        name = port.get("name") or "<unset>"
        protocol = port.get("protocol", "")
        w.write(0, f"Port:\t{name}\t{port.get('port', 0)}/{protocol}\n")
        target = port.get("targetPort", 0)
        w.write(0, f"TargetPort:\t{target}/{protocol}\n")
        if port.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{protocol}\n")
        w.write(0, f"Endpoints:\t{format_endpoint_slices(slices, {port.get('name', '')})}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', '')}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy") is not None:
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    if spec.get("loadBalancerSourceRanges"):
        w.write(0, f"LoadBalancer Source Ranges:\t{','.join(spec['loadBalancerSourceRanges'])}\n")
    describe_events(w, events, now)
    return w.text()


def describe_endpoints(ep: dict, events: list[dict] | None, now: float) -> str:
    w = PrefixWriter()
    _header(w, ep)
    w.write(0, "Subsets:\n")
    for subset in ep.get("subsets") or []:
        ready = ",".join(a.get("ip", "") for a in subset.get("addresses") or [])
        not_ready = ",".join(a.get("ip", "") for a in subset.get("notReadyAddresses") or [])
        w.write(1, f"Addresses:\t{ready or '<none>'}\n")
        w.write(1, f"NotReadyAddresses:\t{not_ready or '<none>'}\n")
        if subset.get("ports"):
            w.write(1, "Ports:\n")
            w.write(2, "Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for port in subset["ports"]:
                w.write(2, f"{port.get('name') or '<unset>'}\t{port.get('port', 0)}\t{port.get('protocol', '')}\n")
        w.write(0, "\n")
    describe_events(w, events, now)
    return w.text()


def describe_endpoint_slice(eps: dict, events: list[dict] | None, now: float) -> str:
    w = PrefixWriter()
    _header(w, eps)
    w.write(0, f"AddressType:\t{eps.get('addressType', '')}\n")
    ports = eps.get("ports") or []
    if not ports:
        w.write(0, "Ports: <unset>\n")
    else:
        w.write(0, "Ports:\n")
        w.write(1, "Name\tPort\tProtocol\n")
        w.write(1, "----\t----\t--------\n")
        for port in ports:
            number = port.get("port")
            w.write(1, f"{port.get('name') or '<unset>'}\t{'<unset>' if number is None else number}\t"
                       f"{port.get('protocol', '')}\n")
    endpoints = eps.get("endpoints") or []
    if not endpoints:
        w.write(0, "Endpoints: <none>\n")
    else:
        w.write(0, "Endpoints:\n")
        for endpoint in endpoints:
            w.write(1, f"- Addresses:\t{', '.join(endpoint.get('addresses') or []) or '<none>'}\n")
            w.write(2, "Conditions:\n")
            ready = (endpoint.get("conditions") or {}).get("ready")
            w.write(3, f"Ready:\t{'<unset>' if ready is None else go_bool(ready)}\n")
            w.write(2, f"Hostname:\t{endpoint.get('hostname', '<unset>')}\n")
            if endpoint.get("targetRef") is not None:
                ref = endpoint["targetRef"]
                w.write(2, f"TargetRef:\t{ref.get('kind', '')}/{ref.get('name', '')}\n")
            w.write(2, f"NodeName:\t{endpoint.get('nodeName', '<unset>')}\n")
            w.write(2, f"Zone:\t{endpoint.get('zone', '<unset>')}\n")
    describe_events(w, events, now)
    return w.text()


# --- Node -------------------------------------------------------------------------------------

_STANDARD_CONTAINER_RESOURCES = {"cpu", "memory", "ephemeral-storage"}


def _percent(part: int, whole: int) -> int:
    return int(part / whole * 100) if whole else 0


def describe_node(node: dict, events: list[dict] | None, now: float, pods: list[dict] | None,
                  lease: dict | None, can_view_pods: bool = True) -> str:
    meta, spec, status = _meta(node), node.get("spec") or {}, node.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Roles:\t{','.join(node_roles(node)) or '<none>'}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    taints_multiline(w, "Taints", spec.get("taints"))
    w.write(0, f"Unschedulable:\t{go_bool(bool(spec.get('unschedulable')))}\n")
    _node_lease(w, lease, meta.get("name", ""))
    conditions = status.get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t{rfc1123z(c.get('lastHeartbeatTime'))} \t"
                       f"{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t{c.get('message', '')}\n")
    w.write(0, "Addresses:\n")
    for address in status.get("addresses") or []:
        w.write(1, f"{address.get('type', '')}:\t{address.get('address', '')}\n")
    for field, title in (("capacity", "Capacity"), ("allocatable", "Allocatable")):
        if status.get(field):
            w.write(0, f"{title}:\n")
            for name in sorted(status[field]):
                w.write(0, f"  {name}:\t{Quantity.parse(status[field][name])}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for title, key in (("Machine ID", "machineID"), ("System UUID", "systemUUID"), ("Boot ID", "bootID"),
                       ("Kernel Version", "kernelVersion"), ("OS Image", "osImage"),
                       ("Operating System", "operatingSystem"), ("Architecture", "architecture"),
                       ("Container Runtime Version", "containerRuntimeVersion"),
                       ("Kubelet Version", "kubeletVersion"), ("Kube-Proxy Version", "kubeProxyVersion")):
        w.write(0, f"  {title}:\t{info.get(key, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    if can_view_pods and pods is not None:
        _node_resources(w, node, _non_terminated(pods, meta.get("name", "")), now)
    else:
        w.write(0, "Pods:\tnot authorized\n")
    describe_events(w, events, now)
    return w.text()


def _non_terminated(pods: list[dict], node_name: str) -> list[dict]:
    return [p for p in pods if (p.get("spec") or {}).get("nodeName") == node_name
            and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]


def _node_lease(w: PrefixWriter, lease: dict | None, node_name: str) -> None:
    if lease is None:
        w.write(0, f'Lease:\tFailed to get lease: leases.coordination.k8s.io "{node_name}" not found\n')
        return
    spec = lease.get("spec") or {}
    w.write(0, "Lease:\n")
    w.write(1, f"HolderIdentity:\t{spec.get('holderIdentity') or '<unset>'}\n")
    w.write(1, f"AcquireTime:\t{rfc1123z(spec['acquireTime']) if spec.get('acquireTime') else '<unset>'}\n")
    w.write(1, f"RenewTime:\t{rfc1123z(spec['renewTime']) if spec.get('renewTime') else '<unset>'}\n")


def _node_resources(w: PrefixWriter, node: dict, pods: list[dict], now: float) -> None:
    status = node.get("status") or {}
    allocatable = resource_list(status.get("allocatable") or status.get("capacity"))
    zero = Quantity()
    alloc_cpu = allocatable.get("cpu", zero).milli()
    alloc_mem = allocatable.get("memory", zero).whole()
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    total_req: dict[str, Quantity] = {}
    total_lim: dict[str, Quantity] = {}
    for pod in pods:
        req, lim = pod_requests_and_limits(pod)
        for totals, amounts in ((total_req, req), (total_lim, lim)):
            for name, qty in amounts.items():
                totals[name] = totals[name] + qty if name in totals else qty
        cpu_r, cpu_l = req.get("cpu", zero), lim.get("cpu", zero)
        mem_r, mem_l = req.get("memory", zero), lim.get("memory", zero)
        meta = _meta(pod)
        w.write(1, f"{meta.get('namespace', '')}\t{meta.get('name', '')}\t\t"
                   f"{cpu_r} ({_percent(cpu_r.milli(), alloc_cpu)}%)\t{cpu_l} ({_percent(cpu_l.milli(), alloc_cpu)}%)\t"
                   f"{mem_r} ({_percent(mem_r.whole(), alloc_mem)}%)\t{mem_l} ({_percent(mem_l.whole(), alloc_mem)}%)\t"
                   f"{age(meta.get('creationTimestamp'), now)}\n")
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    rows = [("cpu", lambda q: q.milli()), ("memory", lambda q: q.whole()), ("ephemeral-storage", lambda q: q.whole())]
    for name, unit in rows:
        whole = unit(allocatable.get(name, zero))
        r, l = total_req.get(name, zero), total_lim.get(name, zero)
        w.write(1, f"{name}\t{r} ({_percent(unit(r), whole)}%)\t{l} ({_percent(unit(l), whole)}%)\n")
    for name in sorted(n for n in allocatable if n.startswith("hugepages-")):
        whole = allocatable[name].whole()
        r, l = total_req.get(name, zero), total_lim.get(name, zero)
        w.write(1, f"{name}\t{r} ({_percent(r.whole(), whole)}%)\t{l} ({_percent(l.whole(), whole)}%)\n")
    for name in sorted(n for n in allocatable if not n.startswith("hugepages-")
                       and n not in _STANDARD_CONTAINER_RESOURCES and n != "pods"):
        w.write(1, f"{name}\t{total_req.get(name, zero)}\t{total_lim.get(name, zero)}\n")


# --- Namespace, ConfigMap, Secret, ServiceAccount ---------------------------------------------


def describe_namespace(ns: dict, now: float, resource_quotas: list[dict] | None = None,
                       limit_ranges: list[dict] | None = None) -> str:
    status = ns.get("status") or {}
    w = PrefixWriter()
    _header(w, ns, namespaced=False)
    w.write(0, f"Status:\t{status.get('phase', '')}\n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t{rfc1123z(c.get('lastTransitionTime'))}\t"
                       f"{c.get('reason', '')}\t{c.get('message', '')}\n")
    if resource_quotas is not None:
        w.write(0, "\n")
        _resource_quotas(w, resource_quotas)
    if limit_ranges is not None:
        w.write(0, "\n")
        if not limit_ranges:
            w.write(0, "No LimitRange resource.\n")
        else:
            w.write(0, "Resource Limits\n " + limitrange.HEADER)
            w.write(0, " " + limitrange.RULE)
            for lr in limit_ranges:
                for row in limitrange.limit_range_rows(lr):
                    w.write(0, " " + row)
    return w.text()


def _resource_quotas(w: PrefixWriter, quotas: list[dict]) -> None:
    if not quotas:
        w.write(0, "No resource quota.\n")
        return
    w.write(0, "Resource Quotas\n")
    for quota in sorted(quotas, key=lambda q: _meta(q).get("name", "")):
        status = quota.get("status") or {}
        w.write(1, f"Name:\t{_meta(quota).get('name', '')}\n")
        w.write(1, "Resource\tUsed\tHard\n")
        w.write(1, "--------\t---\t---\n")
        for name in sorted(status.get("hard") or {}):
            used = (status.get("used") or {}).get(name, "0")
            w.write(1, f"{name}\t{Quantity.parse(used)}\t{Quantity.parse(status['hard'][name])}\n")


def describe_configmap(cm: dict, events: list[dict] | None, now: float) -> str:
    w = PrefixWriter()
    _header(w, cm)
    w.write(0, "\nData\n====\n")
    data = cm.get("data") or {}
    for key in sorted(data):
        w.write(0, f"{key}:\n----\n")
        w.write(0, f"{data[key]}\n")
        w.write(0, "\n")
    w.write(0, "\nBinaryData\n====\n")
    binary = cm.get("binaryData") or {}
    for key in sorted(binary):
        w.write(0, f"{key}: {len(_decoded(binary[key]))} bytes\n")
    w.write(0, "\n")
    describe_events(w, events, now)
    return w.text()


def _decoded(value: str) -> bytes:
    try:
        return base64.b64decode(value or "", validate=False)
    except ValueError:
        return (value or "").encode()


def describe_secret(secret: dict) -> str:
    w = PrefixWriter()
    _header(w, secret)
    w.write(0, f"\nType:\t{secret.get('type', '')}\n")
    w.write(0, "\nData\n====\n")
    data = secret.get("data") or {}
    for key in sorted(data):
        raw = _decoded(data[key])
        if key == "token" and secret.get("type") == "kubernetes.io/service-account-token":
            w.write(0, f"{key}:\t{raw.decode(errors='replace')}\n")
        else:
            w.write(0, f"{key}:\t{len(raw)} bytes\n")
    return w.text()


def describe_service_account(sa: dict, events: list[dict] | None, now: float, secrets: list[dict] | None) -> str:
    meta = _meta(sa)
    tokens: list[str] = []
    missing: set[str] = set()
    if secrets is not None:
        existing = set()
        for secret in secrets:
            annotations = _meta(secret).get("annotations") or {}
            if (secret.get("type") == "kubernetes.io/service-account-token"
                    and annotations.get("kubernetes.io/service-account.name") == meta.get("name")
                    and annotations.get("kubernetes.io/service-account.uid") == meta.get("uid")):
                tokens.append(_meta(secret).get("name", ""))
            existing.add(_meta(secret).get("name", ""))
        for ref in (sa.get("secrets") or []) + (sa.get("imagePullSecrets") or []):
            if ref.get("name") not in existing:
                missing.add(ref.get("name"))
    w = PrefixWriter()
    _header(w, sa)
    groups = {
        "Image pull secrets:": [s.get("name", "") for s in sa.get("imagePullSecrets") or []],
        "Mountable secrets: ": [s.get("name", "") for s in sa.get("secrets") or []],
        "Tokens:            ": tokens,
    }
    for header in sorted(groups):
        names = groups[header]
        if not names:
            w.write(0, f"{header}\t<none>\n")
            continue
        prefix = header
        for name in names:
            suffix = " (not found)" if name in missing else ""
            w.write(0, f"{prefix}\t{name}{suffix}\n")
            prefix = " " * 19
    describe_events(w, events, now)
    return w.text()
