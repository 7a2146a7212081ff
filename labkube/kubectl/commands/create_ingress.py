"""``kubectl create ingress NAME --rule=host/path=service:port[,tls[=secret]] [--class=CLASS]
[--default-backend=service:port] [--annotation=key=value]`` (alias ``ing``): the Ingress it builds.

Mirrors staging/src/k8s.io/kubectl/pkg/cmd/create/create_ingress.go (kubectl 1.32):

* a rule is checked against kubectl's pattern ``host/path=service:port`` then an optional
  ``,tls`` or ``,tls=secret``: the host is letters, digits, ``_``, ``*``, ``-`` and ``.``; the
  path starts with ``/`` and may hold anything; service and port are letters, digits, ``_`` and
  ``-``. Only the start of the rule has to match (``svc:80:90`` passes, as it does in kubectl);
* a path ending in ``*`` is ``pathType: Prefix`` (the ``*`` dropped), any other ``Exact``;
* rules with the same host share one ``rules`` entry, their paths in order;
* a rule with exactly one ``,`` adds its host to ``tls``: hosts naming the same secret (or
  none) share an entry, and a host is listed once;
* a port that is a 32-bit decimal number is ``port.number``, anything else ``port.name``.

Text kubectl's pattern lets through but cannot build from (``foo.com/a=b=svc:80``: the service
part has no ``:``) makes kubectl 1.32 panic (exit 2, a Go stack trace); labkube prints the
panic's first line and exits 2 the same way, without the trace.
"""

from __future__ import annotations

import re
from typing import Any

from labkube.kubectl.errors import KubectlError

#: ``regexHostPathSvc + regexTLS`` (Go's ``\w`` is ASCII; ``.`` stops at a newline).
_RULE = re.compile(r"(?P<host>[\w*\-.]*)(?P<path>/.*)=(?P<svcname>[\w\-]+):(?P<svcport>[\w\-]+)"
                   r"(,(?P<istls>tls)=?(?P<secretname>[\w\-]+)?)?", re.ASCII)
_INT32 = re.compile(r"[+-]?[0-9]+", re.ASCII)

_NOT_ENOUGH = ("not enough information provided: every ingress has to either specify a default-backend (which "
               "catches all traffic) or a list of rules (which catch specific paths)")


class GoPanic(Exception):
    """Where kubectl's code indexes past the end of a split (a Go runtime panic)."""


def validate(rules: list[str], annotations: list[str], default_backend: str) -> None:
    """``CreateIngressOptions.Validate``: KubectlError with kubectl's words."""
    if not default_backend and not rules:
        raise KubectlError(f"error: {_NOT_ENOUGH}")
    for rule in rules:
        if not _RULE.match(rule):
            raise KubectlError(f"error: rule {rule} is invalid and should be in format "
                               "host/path=svcname:svcport[,tls[=secret]]")
    for annotation in annotations:
        if "=" not in annotation:
            raise KubectlError(f"error: annotation {annotation} is invalid and should be in format key=[value]")
    if default_backend and len(default_backend.split(":")) != 2:
        raise KubectlError("error: default-backend should be in format servicename:serviceport")


def build_ingress(name: str, rules: list[str], *, ingress_class: str = "", default_backend: str = "",
                  annotations: list[str] = (), namespace: str | None = None) -> dict:
    """The Ingress ``kubectl create ingress`` sends, in Go's field order (GoPanic where kubectl panics)."""
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["creationTimestamp"] = None
    pairs = dict(annotation.split("=", 1) for annotation in annotations)
    if pairs:
        meta["annotations"] = {key: pairs[key] for key in sorted(pairs)}  # Go writes a map's keys sorted
    spec: dict[str, Any] = {}
    if ingress_class:
        spec["ingressClassName"] = ingress_class
    if default_backend:
        spec["defaultBackend"] = _backend(default_backend)
    tls = _tls_entries(rules)
    if tls:
        spec["tls"] = tls
    built = _rules(rules)
    if built:
        spec["rules"] = built
    return {"kind": "Ingress", "apiVersion": "networking.k8s.io/v1", "metadata": meta, "spec": spec,
            "status": {"loadBalancer": {}}}


def _tls_entries(rules: list[str]) -> list[dict]:
    """``buildTLSRules``: one entry per secret (``""`` is the controller's default certificate)."""
    entries: list[dict] = []
    seen_hosts: set[str] = set()
    for rule in rules:
        parts = rule.split(",")
        if len(parts) != 2:
            continue
        host = rule.split("/", 1)[0]
        words = parts[1].split("=")
        secret = words[1] if len(words) > 1 else ""
        if host in seen_hosts:
            continue
        seen_hosts.add(host)
        shared = next((entry for entry in entries if entry.get("secretName", "") == secret), None)
        if shared is not None:
            shared.setdefault("hosts", []).append(host)
            continue
        entry: dict[str, Any] = {}
        if host:
            entry["hosts"] = [host]
        if secret:
            entry["secretName"] = secret
        if entry:
            entries.append(entry)
    return entries


def _rules(rules: list[str]) -> list[dict]:
    """``buildIngressRules``: one entry per host (``""``: every host), its paths in order."""
    built: list[dict] = []
    for rule in rules:
        host, _, rest = rule.split(",")[0].partition("/")
        path = _path(rest)
        same = next((entry for entry in built if entry.get("host", "") == host), None)
        if same is not None:
            same["http"]["paths"].append(path)
            continue
        entry: dict[str, Any] = {"host": host} if host else {}
        entry["http"] = {"paths": [path]}
        built.append(entry)
    return built


def _path(text: str) -> dict:
    """``buildHTTPIngressPath``: ``path*=svc:port`` -> a Prefix path, ``path=svc:port`` -> Exact."""
    parts = text.split("=")
    path = "/" + parts[0]
    service = _index(parts, 1)
    path_type = "Exact"
    if path.endswith("*"):
        path_type, path = "Prefix", path[:-1]
    return {"path": path, "pathType": path_type, "backend": _backend(service)}


def _backend(service: str) -> dict:
    parts = service.split(":")
    return {"service": {"name": parts[0], "port": _port(_index(parts, 1))}}


def _port(text: str) -> dict:
    """``intstr.Parse``: a decimal int32 is a number (0 is left out, as Go's omitempty does)."""
    if _INT32.fullmatch(text) and -2**31 <= int(text) < 2**31:
        return {"number": int(text)} if int(text) else {}
    return {"name": text} if text else {}


def _index(parts: list[str], index: int) -> str:
    if index >= len(parts):
        raise GoPanic(f"panic: runtime error: index out of range [{index}] with length {len(parts)}")
    return parts[index]
