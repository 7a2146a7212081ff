"""``pods/proxy`` and ``services/proxy``: the API server relays an HTTP request to a pod.

Mirrors pkg/registry/core/pod/rest (``ProxyREST``, ``pod.ResourceLocation``) and
pkg/registry/core/service/storage (``ResourceLocation``) with the transport of
k8s.io/apimachinery/pkg/util/proxy. ``kubectl proxy`` and the Kubernetes Basics tutorial use
them: ``curl localhost:8001/api/v1/namespaces/default/pods/POD:8080/proxy/``.

* The object's name in the URL may carry a scheme and a port: ``NAME``, ``NAME:PORT`` or
  ``SCHEME:NAME:PORT`` (``utilnet.SplitSchemeNamePort``); anything else is ``invalid pod
  request "…"`` (``invalid service request "…"``), 400.
* A pod: without a port, its first container's first declared port (else port 80); a pod
  without an IP yet is refused with ``address not allowed`` (400).
* A service: the port is a port name, or a number that names the service port with that
  number (``no service port N found for service "S"``, 503); a ready address of its
  Endpoints is picked at random (the cluster's seeded stream) from a subset serving that
  port; none is ``no endpoints available for service "S"`` (503).
* What the pod answers comes back as it is (status, headers, body). A pod that cannot be
  reached is ``error trying to reach service: dial tcp IP:PORT: connect: connection refused``
  (503 ServiceUnavailable), as the proxy transport reports a failed dial.

Simulated servers speak plain HTTP; an ``https:`` request fails its TLS handshake as a real
one to a plain-HTTP server does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from labkube.core import errors
from labkube.runtime.cri import ConnectionFailed

#: ``(namespace, pod, port, path, method) -> (status, body, headers)``: how the API server's
#: requests reach a pod (the cluster wires the node pool in).
PodHttp = Callable[..., tuple]

_TLS_TO_PLAIN_HTTP = "tls: first record does not look like a TLS handshake"


@dataclass(frozen=True)
class ProxiedResponse:
    """What the pod answered, to be written back as it is."""

    status: int
    body: str
    headers: tuple[tuple[str, str], ...]


def split_scheme_name_port(text: str) -> Optional[tuple[str, str, str]]:
    """``utilnet.SplitSchemeNamePort``: (scheme, name, port), or None when invalid."""
    parts = text.split(":")
    if len(parts) == 1:
        scheme, name, port = "", parts[0], ""
    elif len(parts) == 2:
        scheme, name, port = "", parts[0], parts[1]
    elif len(parts) == 3:
        scheme, name, port = parts
    else:
        return None
    if not name or scheme not in ("", "http", "https"):
        return None
    return scheme, name, port


def _target(server: Any, namespace: str, target: str, kind: str) -> tuple[str, str, str, dict]:
    """The URL's ``[SCHEME:]NAME[:PORT]`` split, and the object it names (``kind``: ``pod`` or
    ``service``): (scheme, name, port, object)."""
    split = split_scheme_name_port(target)
    if split is None:
        raise errors.bad_request(f'invalid {kind} request "{target}"')
    scheme, name, port = split
    obj = server.read(f"{kind}s", namespace, name)
    if obj is None:
        raise errors.not_found(f"{kind}s", name)
    return scheme, name, port, obj


def pod_location(server: Any, namespace: str, target: str) -> tuple[str, dict, int]:
    """``pod.ResourceLocation``: (scheme, pod, port)."""
    scheme, _, port, pod = _target(server, namespace, target, "pod")
    if not port:
        declared = [p["containerPort"] for c in pod["spec"].get("containers", []) for p in c.get("ports") or []]
        port = str(declared[0]) if declared else ""
    if not (pod.get("status") or {}).get("podIP"):
        raise errors.bad_request("address not allowed")
    return scheme, pod, int(port) if port.isdigit() else 80


def service_location(server: Any, namespace: str, target: str,
                     pick: Callable[[int], int]) -> tuple[str, str, str, int]:
    """``Service ResourceLocation``: (scheme, pod name, IP, port) of one ready endpoint."""
    scheme, name, port_name, service = _target(server, namespace, target, "service")
    if port_name.isdigit():
        named = [p.get("name", "") for p in service["spec"].get("ports") or [] if p.get("port") == int(port_name)]
        if not named:
            raise errors.service_unavailable(f'no service port {int(port_name)} found for service "{name}"')
        port_name = named[0]
    endpoints = server.read("endpoints", namespace, name)
    subsets = (endpoints or {}).get("subsets") or []
    if not subsets:
        raise errors.service_unavailable(f'no endpoints available for service "{name}"')
    start = pick(len(subsets))
    for offset in range(len(subsets)):
        subset = subsets[(start + offset) % len(subsets)]
        addresses = subset.get("addresses") or []
        if not addresses:
            continue
        for port in subset.get("ports") or []:
            if port.get("name", "") == port_name:
                address = addresses[pick(len(addresses))]
                pod = (address.get("targetRef") or {}).get("name", "")
                return scheme, pod, address.get("ip", ""), port["port"]
    raise errors.service_unavailable(f'no endpoints available for service "{target}"')


def connect(pod_http: Optional[PodHttp], namespace: str, pod: str, ip: str, port: int, scheme: str,
            path: str, method: str) -> ProxiedResponse:
    """Send the request to the pod; a failed dial is the transport's 503."""
    if pod_http is None:
        raise errors.service_unavailable(f"error trying to reach service: dial tcp {ip}:{port}: "
                                         "connect: connection refused")
    if scheme == "https":
        raise errors.service_unavailable(f"error trying to reach service: {_TLS_TO_PLAIN_HTTP}")
    try:
        status, body, headers = pod_http(namespace, pod, port, path or "/", method=method)
    except ConnectionFailed as err:
        raise errors.service_unavailable(f"error trying to reach service: {err}") from None
    return ProxiedResponse(status, body, tuple(dict(headers).items()))


def serve(server: Any, request: Any, kind: str) -> ProxiedResponse:
    """One ``pods/proxy`` or ``services/proxy`` request (any verb): locate, then connect."""
    body = request.body if isinstance(request.body, dict) else {}
    path, method = body.get("path") or "/", body.get("method") or "GET"
    namespace = request.namespace or "default"
    if kind == "Pod":
        scheme, pod, port = pod_location(server, namespace, request.name or "")
        name, ip = pod["metadata"]["name"], pod["status"]["podIP"]
    elif kind == "Service":
        scheme, name, ip, port = service_location(server, namespace, request.name or "", server.clock.rng.randrange)
    else:
        raise errors.not_found(kind.lower() + "s", request.name or "")
    return connect(server.node_proxy.pod_http, namespace, name, ip, port, scheme, path, method)
