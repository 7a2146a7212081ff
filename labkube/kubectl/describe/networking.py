"""describe for Ingress and IngressClass (networking.k8s.io/v1).

Mirrors IngressDescriber.describeIngressV1 and describeIngressClassV1 in
k8s.io/kubectl/pkg/describe/describe.go. A backend prints as ``web:80 (10.244.0.5:80,...)``
with the ready endpoints of its Service's EndpointSlices, or ``<error: services "x" not found>``.
"""

from __future__ import annotations

from labkube.kubectl.describe.core import format_endpoint_slices, slices_for_service
from labkube.kubectl.describe.writer import PrefixWriter, annotations_multiline, describe_events, labels_multiline
from labkube.kubectl.printers.columns import load_balancer_ingress


def _service_backend_text(backend: dict) -> str:
    port = backend.get("port") or {}
    return f"{backend.get('name', '')}:{port.get('number') or port.get('name', '')}"


def _describe_backend(backend: dict, services: list[dict], slices: list[dict]) -> str:
    if backend.get("service") is not None:
        svc_backend = backend["service"]
        text = _service_backend_text(svc_backend)
        name = svc_backend.get("name", "")
        service = next((s for s in services if (s.get("metadata") or {}).get("name") == name), None)
        if service is None:
            return f'{text} (<error: services "{name}" not found>)'
        port = svc_backend.get("port") or {}
        port_name = ""
        for sp in (service.get("spec") or {}).get("ports") or []:
            if port.get("number") and port["number"] == sp.get("port"):
                port_name = sp.get("name", "")
            elif port.get("name") and port["name"] == sp.get("name"):
                port_name = sp.get("name", "")
        endpoints = format_endpoint_slices(slices_for_service(slices, name), {port_name})
        return f"{text} ({endpoints})"
    if backend.get("resource") is not None:
        res = backend["resource"]
        group = res.get("apiGroup") if res.get("apiGroup") is not None else "<none>"
        return f"APIGroup: {group}, Kind: {res.get('kind', '')}, Name: {res.get('name', '')}"
    return ""


def describe_ingress(ing: dict, events: list[dict] | None, now: float, services: list[dict],
                     endpoint_slices: list[dict]) -> str:
    meta, spec = ing.get("metadata") or {}, ing.get("spec") or {}
    lb = ((ing.get("status") or {}).get("loadBalancer") or {}).get("ingress")
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Address:\t{load_balancer_ingress(lb, True)}\n")
    w.write(0, f"Ingress Class:\t{spec.get('ingressClassName') or '<none>'}\n")
    default = "<default>"
    if spec.get("defaultBackend") is not None:
        default = _describe_backend(spec["defaultBackend"], services, endpoint_slices)
    w.write(0, f"Default backend:\t{default}\n")
    if spec.get("tls"):
        w.write(0, "TLS:\n")
        for tls in spec["tls"]:
            hosts = ",".join(tls.get("hosts") or [])
            if not tls.get("secretName"):
                w.write(1, f"SNI routes {hosts}\n")
            else:
                w.write(1, f"{tls['secretName']} terminates {hosts}\n")
    w.write(0, "Rules:\n  Host\tPath\tBackends\n")
    w.write(1, "----\t----\t--------\n")
    count = 0
    for rule in spec.get("rules") or []:
        if rule.get("http") is None:
            continue
        count += 1
        w.write(1, f"{rule.get('host') or '*'}\t\n")
        for path in rule["http"].get("paths") or []:
            backend = _describe_backend(path.get("backend") or {}, services, endpoint_slices)
            w.write(2, f"\t{path.get('path', '')} \t{backend}\n")
    if count == 0:
        w.write(1, f"*\t*\t{default}\n")
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    describe_events(w, events, now)
    return w.text()


def describe_ingress_class(ic: dict, events: list[dict] | None, now: float) -> str:
    meta, spec = ic.get("metadata") or {}, ic.get("spec") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Controller:\t{spec.get('controller', '')}\n")
    params = spec.get("parameters")
    if params is not None:
        w.write(0, "Parameters:\n")
        if params.get("apiGroup") is not None:
            w.write(1, f"APIGroup:\t{params['apiGroup']}\n")
        w.write(1, f"Kind:\t{params.get('kind', '')}\n")
        w.write(1, f"Name:\t{params.get('name', '')}\n")
    describe_events(w, events, now)
    return w.text()
