"""An ingress controller for networking.k8s.io/v1 Ingress, modelled on ingress-nginx.

Mirrors the routing rules of the Ingress API (kubernetes.io/docs/concepts/services-networking/ingress)
as ingress-nginx (controller ``k8s.io/ingress-nginx``) applies them:

* **Which Ingresses.** Those whose ``spec.ingressClassName`` names an IngressClass with
  ``spec.controller: k8s.io/ingress-nginx``; those with the legacy annotation
  ``kubernetes.io/ingress.class: nginx``; and those with no class at all when one of our
  IngressClasses is marked ``ingressclass.kubernetes.io/is-default-class: "true"`` (what the
  DefaultIngressClass admission plugin would have written into them) or when the controller runs
  with ``watch_without_class=True`` (``--watch-ingress-without-class``).
* **Host.** The rules whose ``host`` equals the request's Host win; else wildcard rules
  (``*.foo.com`` matches ``bar.foo.com``, not ``baz.bar.foo.com`` nor ``foo.com``: one DNS label);
  else the rules without a host.
* **Path.** ``Exact`` matches the path exactly (``/foo`` is not ``/foo/``); ``Prefix`` matches
  element by element on ``/`` (``/foo`` matches ``/foo``, ``/foo/`` and ``/foo/bar``, not
  ``/foobar``; a trailing slash is ignored on either side); ``ImplementationSpecific`` is treated
  as ``Prefix``. The longest matching path wins; at equal length ``Exact`` beats ``Prefix``; then
  the oldest Ingress.
* **Nothing matches.** The ``defaultBackend`` of an Ingress that has rules for that host (or, for
  a request no host rule claims, of any Ingress), else ingress-nginx's own default server:
  ``404`` with nginx's page. A backend Service with no ready endpoint gives ``503 Service
  Temporarily Unavailable``.
* **Status.** Every Ingress the controller serves gets ``status.loadBalancer.ingress[0].ip`` set
  to the controller's address (``kubectl get ingress`` then shows it under ADDRESS).

* **Balancing.** Like ingress-nginx, the controller resolves a backend Service (name + port
  number or port name) to its ready endpoints itself, from the EndpointSlices, and proxies to
  the pod IP and target port directly: kube-proxy's ClusterIP rules, and with them the
  Service's ``sessionAffinity``, are not on the path. It rotates over the endpoints round
  robin, ingress-nginx's default ``load-balance: round_robin`` (``ewma`` is the other choice;
  cookie stickiness comes from ``nginx.ingress.kubernetes.io/affinity`` annotations, not
  modelled). ingress-nginx keeps a rotation per nginx worker; labkube keeps one per backend,
  starting from the lowest IP, so runs are deterministic.
* **NetworkPolicy.** The controller runs on the host's network (its address is the node's, as
  published in the Ingress status), so a backend pod isolated for ingress only lets it in
  through an ``ipBlock`` holding that address, or when the pod runs on that very node; a
  dropped connection leaves nginx waiting for the upstream: ``504 Gateway Time-out``.
"""

from __future__ import annotations

from typing import Any, Optional

from labkube.core.machinery import Component, Controller, ErrorLog, object_key
from labkube.core.network.proxy import (EXTERNAL_CLIENT_IP, ConnectionRefused, ConnectionTimedOut, NetworkError,
                                        Response, ServiceProxy, Target, port_by_number_or_name, split_url)

CONTROLLER = "k8s.io/ingress-nginx"
CLASS_NAME = "nginx"
DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class"

_REASONS = {404: "Not Found", 502: "Bad Gateway", 503: "Service Temporarily Unavailable",
            504: "Gateway Time-out"}


def nginx_error_page(status: int) -> str:
    """The body nginx serves for an error status (``server_tokens off``, as ingress-nginx runs)."""
    title = f"{status} {_REASONS.get(status, '')}".rstrip()
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


def _error(status: int) -> Response:
    return Response(status, nginx_error_page(status), (("Content-Type", "text/html"),))


# -- matching (pure functions: the Ingress API's rules) ---------------------------------------------
def path_matches(path_type: str, rule_path: str, request_path: str) -> bool:
    """Does an Ingress path of ``path_type`` match ``request_path`` (query string removed)?"""
    request_path = request_path.split("?", 1)[0] or "/"
    if path_type == "Exact":
        return request_path == rule_path
    wanted = [e for e in rule_path.split("/") if e]
    got = [e for e in request_path.split("/") if e]
    return got[: len(wanted)] == wanted


def host_matches(rule_host: str, request_host: str) -> bool:
    """Exact host, or a ``*.`` wildcard covering exactly one DNS label."""
    if not rule_host.startswith("*."):
        return rule_host == request_host
    first, _, rest = request_host.partition(".")
    return bool(first) and rest == rule_host[2:]


def _age_key(ing: dict) -> tuple:
    meta = ing["metadata"]
    return (meta.get("creationTimestamp", ""), meta.get("namespace", ""), meta["name"])


def _rules(ing: dict) -> list[dict]:
    return (ing.get("spec") or {}).get("rules") or []


def _paths(rule: dict) -> list[dict]:
    return (rule.get("http") or {}).get("paths") or []


def host_group(ingresses: list[dict], host: str) -> list[tuple[dict, dict]]:
    """(ingress, rule) pairs that serve ``host``: exact hosts, else wildcards, else host-less rules."""
    pairs = [(ing, rule) for ing in ingresses for rule in _rules(ing)]
    for matches in (lambda h: h == host, lambda h: h.startswith("*.") and host_matches(h, host), lambda h: not h):
        group = [(ing, rule) for ing, rule in pairs if matches((rule.get("host") or "").lower())]
        if group:
            return group
    return []


def best_path(group: list[tuple[dict, dict]], path: str) -> Optional[tuple[dict, dict]]:
    """(ingress, path entry) that wins for ``path``: longest, then Exact over Prefix, then oldest."""
    best, best_score = None, None
    for ing, rule in group:
        for entry in _paths(rule):
            path_type = entry.get("pathType", "ImplementationSpecific")
            rule_path = entry.get("path") or "/"
            if not path_matches(path_type, rule_path, path):
                continue
            score = (len(rule_path.rstrip("/")) if path_type != "Exact" else len(rule_path), path_type == "Exact")
            if best_score is None or score > best_score:
                best, best_score = (ing, entry), score
    return best


# -- the controller ---------------------------------------------------------------------------------
class _StatusController(Controller):
    name = "ingress-status"

    def __init__(self, owner: "IngressController") -> None:
        super().__init__(owner.clock, owner.report)
        self.owner = owner

    def sync(self, key: str) -> None:
        self.owner.sync_status(key)


class IngressController(Component):
    """ingress-nginx: serves the Ingresses of its IngressClasses and publishes its address."""

    name = "ingress-nginx"

    def __init__(self, client: Any, clock: Any, errors: ErrorLog, proxy: ServiceProxy, *,
                 address: Optional[str] = None, controller: str = CONTROLLER, class_name: str = CLASS_NAME,
                 watch_without_class: bool = False) -> None:
        super().__init__(client, clock, errors)
        self.proxy = proxy
        self.fixed_address = address
        self.controller = controller
        self.class_name = class_name
        self.watch_without_class = watch_without_class
        self.ingresses: Any = None
        self.classes: Any = None
        self.nodes: Any = None
        self.status: Optional[_StatusController] = None
        self._rotation: dict[tuple, int] = {}

    def setup(self) -> None:
        self.ingresses = self.informers.informer("ingresses")
        self.classes = self.informers.informer("ingressclasses")
        self.nodes = self.informers.informer("nodes")
        self.status = self.add(_StatusController(self))
        self.ingresses.add_event_handler(self._enqueue, lambda old, new: self._enqueue(new), None)
        self.classes.add_event_handler(self._enqueue_all, lambda old, new: self._enqueue_all(), self._enqueue_all)
        self.nodes.add_event_handler(self._enqueue_all, None, None)

    def _enqueue(self, ing: dict) -> None:
        self.status.enqueue(object_key(ing))

    def _enqueue_all(self, *_: Any) -> None:
        for key in self.ingresses.keys():
            self.status.enqueue(key)

    # -- which Ingresses are ours ------------------------------------------------------------------
    def handles(self, ing: dict) -> bool:
        class_name = (ing.get("spec") or {}).get("ingressClassName")
        if class_name:
            cls = self.classes.get(class_name)
            return cls is not None and (cls.get("spec") or {}).get("controller") == self.controller
        legacy = (ing["metadata"].get("annotations") or {}).get(LEGACY_CLASS_ANNOTATION)
        if legacy is not None:
            return legacy == self.class_name
        return self.watch_without_class or any(
            (c.get("spec") or {}).get("controller") == self.controller
            and (c["metadata"].get("annotations") or {}).get(DEFAULT_CLASS_ANNOTATION) == "true"
            for c in self.classes.list())

    def served(self) -> list[dict]:
        """The Ingresses this controller serves, oldest first."""
        if self.ingresses is None:
            return []
        return sorted((ing for ing in self.ingresses.list() if self.handles(ing)), key=_age_key)

    def address(self) -> Optional[str]:
        """The IP published in Ingress status: the configured one, else the first node's InternalIP."""
        if self.fixed_address:
            return self.fixed_address
        for node in self.nodes.list() if self.nodes is not None else ():
            for entry in (node.get("status") or {}).get("addresses") or ():
                if entry.get("type") == "InternalIP":
                    return entry["address"]
        return None

    # -- status --------------------------------------------------------------------------------
    def sync_status(self, key: str) -> None:
        ing = self.ingresses.get(key)
        address = self.address()
        if ing is None or address is None or not self.handles(ing):
            return
        current = ((ing.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        if [entry.get("ip") for entry in current] == [address]:
            return
        updated = dict(ing, status={"loadBalancer": {"ingress": [{"ip": address}]}})
        self.client.update(updated, subresource="status")

    # -- serving requests ----------------------------------------------------------------------
    def ingress_request(self, host: str, path: str = "/", *, method: str = "GET",
                        client_ip: str = EXTERNAL_CLIENT_IP) -> Response:
        """An HTTP request arriving at the controller with ``Host: host`` for ``path``."""
        if not self.running:
            raise ConnectionRefused(self.address() or host)
        host = host.lower().rsplit(":", 1)[0] if host.count(":") == 1 else host.lower()
        ingresses = self.served()
        group = host_group(ingresses, host)
        match = best_path(group, path)
        if match is not None:
            ing, entry = match
            return self._forward(ing, entry.get("backend") or {}, path, method, client_ip)
        fallback = self._default_backend(group, ingresses)
        if fallback is not None:
            return self._forward(fallback, fallback["spec"]["defaultBackend"], path, method, client_ip)
        return _error(404)

    def request(self, url: str, **kwargs: Any) -> Response:
        """``ingress_request`` for a URL: its host is the Host header."""
        host, _, path = split_url(url)
        return self.ingress_request(host, path, **kwargs)

    def _default_backend(self, group: list[tuple[dict, dict]], ingresses: list[dict]) -> Optional[dict]:
        with_default = [ing for ing in ingresses if (ing.get("spec") or {}).get("defaultBackend")]
        claimed = {object_key(ing) for ing, rule in group if rule.get("host")}
        if claimed:
            with_default = [ing for ing in with_default if object_key(ing) in claimed]
        return with_default[0] if with_default else None

    def _forward(self, ing: dict, backend: dict, path: str, method: str, client_ip: str) -> Response:
        """Proxy to one ready endpoint of the backend Service; 503 when it has none."""
        service = backend.get("service") or {}
        port = service.get("port") or {}
        port_ref = port.get("number") if port.get("number") is not None else port.get("name")
        namespace = ing["metadata"]["namespace"]
        svc = self.proxy.dns.service(namespace, service.get("name") or "") if service.get("name") else None
        service_port = port_by_number_or_name(svc, port_ref) if svc is not None and port_ref is not None else None
        targets = self.proxy.ready_targets(svc, service_port) if service_port is not None else []
        if not targets:
            return _error(503)
        target = self._next_endpoint((namespace, service["name"], port_ref), targets)
        try:
            self.proxy.admit(self.address() or EXTERNAL_CLIENT_IP, target, target.ip)
        except ConnectionTimedOut:  # a NetworkPolicy dropped it: the upstream never answers
            return _error(504)
        try:
            return self.proxy.deliver(target, target.ip, path, method, f"{namespace}/{service['name']}")
        except NetworkError:
            return _error(503)

    def _next_endpoint(self, upstream: tuple, targets: list[Target]) -> Target:
        """Round robin over the upstream's endpoints (ingress-nginx's default balancer)."""
        index = self._rotation.get(upstream, 0)
        self._rotation[upstream] = index + 1
        return targets[index % len(targets)]
