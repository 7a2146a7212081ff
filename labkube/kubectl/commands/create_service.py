"""``kubectl create service clusterip|nodeport|loadbalancer|externalname NAME``: the Service built.

Mirrors staging/src/k8s.io/kubectl/pkg/cmd/create/create_service.go (kubectl 1.32):

* every generated Service has the label and selector ``app: NAME``;
* each ``--tcp`` entry (a comma-separated list; ``port[:targetPort]``) becomes a TCP port named
  after the entry with ``:`` turned into ``-`` (``80:8080`` -> ``80-8080``); without a target
  port the target is the port; a target that is not a number is a named port;
* the port is parsed as an unsigned 16-bit number (0 passes here; the API server refuses it);
  a numeric target must be 1-65535; a named target must be a valid port name (IANA_SVC_NAME);
* ``--clusterip`` (clusterip only; ``None`` makes a headless Service, which needs no port),
  ``--node-port`` (nodeport only; set on every port), ``--external-name`` (externalname only,
  required, a DNS-1123 subdomain).
"""

from __future__ import annotations

import re
from typing import Any, Optional

from labkube.core.api.validation.names import is_dns1123_subdomain, is_valid_port_name, is_valid_port_num
from labkube.kubectl.errors import KubectlError

#: The Service type each subcommand makes.
SERVICE_TYPES = {"clusterip": "ClusterIP", "nodeport": "NodePort", "loadbalancer": "LoadBalancer",
                 "externalname": "ExternalName"}

_DECIMAL = re.compile(r"[+-]?[0-9]+", re.ASCII)


def validate(service_type: str, tcp: list[str], cluster_ip: str, external_name: str) -> None:
    """``ServiceOptions.Validate``: KubectlError with kubectl's words."""
    if cluster_ip == "None" and service_type != "ClusterIP":
        raise KubectlError("error: ClusterIP=None can only be used with ClusterIP service type")
    if cluster_ip != "None" and not tcp and service_type != "ExternalName":
        raise KubectlError("error: at least one tcp port specifier must be provided")
    if service_type == "ExternalName" and is_dns1123_subdomain(external_name):
        raise KubectlError(f"error: invalid service external name {external_name}")


def build_service(name: str, service_type: str, tcp: list[str], *, cluster_ip: str = "",
                  node_port: int = 0, external_name: str = "", namespace: Optional[str] = None) -> dict:
    """The Service ``createService`` makes, in Go's field order."""
    ports = []
    for entry in tcp:
        port, target = parse_ports(entry)
        ports.append({"name": entry.replace(":", "-"), "protocol": "TCP", "port": port, "targetPort": target,
                      **({"nodePort": node_port} if node_port else {})})  # ServicePort's order
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["creationTimestamp"] = None
    meta["labels"] = {"app": name}
    spec: dict[str, Any] = {}  # ServiceSpec's field order
    if ports:
        spec["ports"] = ports
    spec["selector"] = {"app": name}
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    spec["type"] = service_type
    if external_name:
        spec["externalName"] = external_name
    return {"kind": "Service", "apiVersion": "v1", "metadata": meta, "spec": spec,
            "status": {"loadBalancer": {}}}


def parse_ports(entry: str) -> tuple[int, Any]:
    """``parsePorts``: ``port[:target]`` -> (port, targetPort); a third part is ignored."""
    parts = entry.split(":")
    port = _parse_port(parts[0])
    if len(parts) == 1:
        return port, port
    target = parts[1]
    if not _DECIMAL.fullmatch(target):  # strconv.Atoi fails: a named port
        problems = is_valid_port_name(target)
        if problems:
            raise KubectlError(f"error: {','.join(problems)}")
        return port, target
    problems = is_valid_port_num(int(target))
    if problems:
        raise KubectlError(f"error: {','.join(problems)}")
    return port, int(target)


def _parse_port(text: str) -> int:
    """``utilsnet.ParsePort(text, allowZero=true)``: strconv.ParseUint(text, 10, 16)."""
    if not re.fullmatch(r"[0-9]+", text, re.ASCII):
        raise KubectlError(f'error: strconv.ParseUint: parsing "{text}": invalid syntax')
    if int(text) > 65535:
        raise KubectlError(f'error: strconv.ParseUint: parsing "{text}": value out of range')
    return int(text)
