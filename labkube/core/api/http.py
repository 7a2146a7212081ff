"""kube-apiserver's HTTP front: a request as bytes in, a response as bytes out.

Mirrors the handler chain of k8s.io/apiserver/pkg/server (``DefaultBuildHandlerChain``) in front
of the REST handlers, for the in-cluster address ``https://kubernetes.default.svc``
(``172.18.0.1:6443``) that pods reach through the service proxy:

1. **Authentication** (pkg/kubeapiserver/authenticator, request/bearertoken): an
   ``Authorization: Bearer <token>`` header is checked by the service-account token
   authenticator (:mod:`.token_auth`); a token nobody accepts is ``401`` with the Status
   ``Unauthorized`` -- never anonymous (``union.NewFailOnError``). No token (or another scheme)
   is ``system:anonymous`` in ``system:unauthenticated``.
   **Impersonation** (filters/impersonation.go) follows: ``Impersonate-User`` (and each
   ``Impersonate-Group``: a header given several times) makes the request the named user's,
   as ``kubectl --as=alice --as-group=dev`` asks, once the authorizer lets the caller
   ``impersonate`` that user (``users``, or ``serviceaccounts`` in the account's namespace)
   and each group (``groups``); otherwise ``403`` ``users "alice" is forbidden: User "bob"
   cannot impersonate resource "users" in API group "" at the cluster scope``.
2. **Non-resource URLs** are authorized here through the authorizer chain (RBAC's
   ``nonResourceURLs``: ``system:public-info-viewer`` lets everyone ``get`` ``/healthz``,
   ``/livez``, ``/readyz``, ``/version``; ``system:discovery`` lets authenticated users read
   ``/api``, ``/apis`` …). A denial is ``403`` ``forbidden: User "system:anonymous" cannot get
   path "/"``. Then: ``/healthz`` ``/livez`` ``/readyz`` answer ``ok`` (text/plain),
   ``/version`` the version.Info of v1.32.0, ``/api`` APIVersions, ``/apis`` the APIGroupList
   (groups in kube-aggregator's priority order), ``/apis/<group>`` an APIGroup, ``/api/v1`` and
   ``/apis/<group>/<version>`` an APIResourceList built from the resource registry (with each
   kind's ``storageVersionHash``), ``/openapi/v3`` the operations kubectl reads to leave field
   validation to the server (:mod:`.http_openapi`).
3. **Resource URLs** (RequestInfoFactory's parsing: ``/api/v1/namespaces/<ns>/pods/<name>/log``)
   become a :class:`~labkube.core.api.request.Request` for :meth:`APIServer.handle` as the
   authenticated user, so RBAC, admission, validation and audit apply as for any client:
   GET (one object, or a list with ``labelSelector``/``fieldSelector``/``limit``/``continue``;
   as a ``meta.k8s.io`` Table when the Accept header asks for one, as ``kubectl get`` does:
   :mod:`.http_table`),
   POST (201), PUT, PATCH (the patch type from ``Content-Type``), DELETE (``200``, or ``202``
   while finalizers or a grace period keep the object). Writes take ``?fieldValidation=``
   (Strict, Warn -- the default --, Ignore); the server's warnings come back as one
   ``Warning: 299 - "<text>"`` header each (filters/warning.go), which kubectl prints. A body
   that gives a key twice (which only the text shows: see :mod:`.duplicates`) is refused or
   warned about as kube-apiserver's strict decoders do (``duplicate field "spec.paused"``;
   go-yaml's ``line 14: key "paused" already set in map`` for YAML). A YAML body is read as
   sigs.k8s.io/yaml reads it (go-yaml v2's scalars, maps' keys in order).

Responses are what kube-apiserver writes: errors are ``Status`` objects with their code; JSON is
compact with a trailing newline (``json.Encoder``), or indented by two spaces without one
(``json.MarshalIndent``) when the request says ``?pretty=true`` or its User-Agent starts with
``curl``, ``Wget`` or ``Mozilla/5.0`` (``isPrettyPrint`` in handlers/negotiation); ``/version``
is always indented (``WriteRawJSON``). Go escapes ``<``, ``>`` and ``&`` in JSON strings, and
so does this module.

:class:`SecurePort` adds the TLS side of ``--secure-port``: the serving certificate a client
verifies (issued by the cluster CA whose PEM every pod has as ``ca.crt``) and Go's answer to
a plain-HTTP request on a TLS port (``400`` ``Client sent an HTTP request to an HTTPS
server.``).

Not modelled: watch over HTTP (``?watch=true`` is answered as a list), the exec/attach/
port-forward upgrades, server-side apply, protobuf and CBOR, the metrics.k8s.io API,
``Impersonate-Uid`` and ``Impersonate-Extra-*``, the APF ``X-Kubernetes-Pf-*``
headers, and audit records for non-resource requests.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple, Optional
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from labkube.core.api import auth, decode, duplicates, http_openapi, http_table, schema
from labkube.core.api.audit import audit_id_for
from labkube.core.api.customresource import CustomResourceType
from labkube.core.api.proxy_rest import ProxiedResponse
from labkube.core.api.request import Options, Request
from labkube.core.api.resources import ResourceType
from labkube.core.api.token_auth import InvalidToken, ServiceAccountTokenAuthenticator
from labkube.core.errors import StatusError, bad_request
from labkube.core.manifests import StreamError

#: version.Info of kube-apiserver v1.32.0 (the release kind's node image runs, and the
#: kubelets here report).
VERSION_INFO = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.0",
    "gitCommit": "70d3cc986aa8221cd1dfb1121852688902d3bf53",
    "gitTreeState": "clean",
    "buildDate": "2024-12-11T17:59:15Z",
    "goVersion": "go1.23.3",
    "compiler": "gc",
    "platform": "linux/amd64",
}

#: kube-aggregator's discovery order (``DefaultGenericAPIServicePriorities`` and the kube
#: API priorities of 1.32): (group priority, version priority); higher first.
API_SERVICE_PRIORITIES: dict[tuple[str, str], tuple[int, int]] = {
    ("", "v1"): (18000, 1),
    ("apps", "v1"): (17800, 15),
    ("events.k8s.io", "v1"): (17750, 15),
    ("authentication.k8s.io", "v1"): (17700, 15),
    ("authorization.k8s.io", "v1"): (17600, 15),
    ("autoscaling", "v2"): (17500, 30),
    ("autoscaling", "v1"): (17500, 15),
    ("batch", "v1"): (17400, 15),
    ("certificates.k8s.io", "v1"): (17300, 15),
    ("networking.k8s.io", "v1"): (17200, 15),
    ("policy", "v1"): (17100, 15),
    ("rbac.authorization.k8s.io", "v1"): (17000, 15),
    ("storage.k8s.io", "v1"): (16800, 15),
    ("admissionregistration.k8s.io", "v1"): (16700, 15),
    ("apiextensions.k8s.io", "v1"): (16700, 15),
    ("scheduling.k8s.io", "v1"): (16600, 15),
    ("coordination.k8s.io", "v1"): (16500, 15),
    ("node.k8s.io", "v1"): (16300, 15),
    ("discovery.k8s.io", "v1"): (16200, 15),
    ("flowcontrol.apiserver.k8s.io", "v1"): (16100, 21),
}

#: Discovery entries of subresources: name -> (group, version, kind or "" for the parent's, verbs).
SUBRESOURCE_DISCOVERY: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "status": ("", "", "", ("get", "patch", "update")),
    "scale": ("autoscaling", "v1", "Scale", ("get", "patch", "update")),
    "binding": ("", "", "Binding", ("create",)),
    "eviction": ("policy", "v1", "Eviction", ("create",)),
    "ephemeralcontainers": ("", "", "Pod", ("get", "patch", "update")),
    "log": ("", "", "Pod", ("get",)),
    "exec": ("", "", "PodExecOptions", ("create", "get")),
    "finalize": ("", "", "Namespace", ("update",)),
    "token": ("authentication.k8s.io", "v1", "TokenRequest", ("create",)),
}

#: Kinds served in one version and stored in another (the hash names the storage version).
STORAGE_VERSIONS = {
    ("events.k8s.io", "v1", "Event"): ("", "v1", "Event"),
    ("autoscaling", "v1", "HorizontalPodAutoscaler"): ("autoscaling", "v2", "HorizontalPodAutoscaler"),
}

HEALTH_PATHS = ("/healthz", "/livez", "/readyz")
#: ``namespaceSubresources`` of RequestInfoFactory: /namespaces/<name>/status is the namespace's.
NAMESPACE_SUBRESOURCES = ("status", "finalize")
#: Subresources that need a connection upgrade (SPDY / WebSocket).
UPGRADE_SUBRESOURCES = ("exec", "attach", "portforward")
CREATE_MEDIA_TYPES = ("application/json", "application/yaml", "application/vnd.kubernetes.protobuf")
PATCH_MEDIA_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
}
PRETTY_USER_AGENTS = ("curl", "Wget", "Mozilla/5.0")
PLAIN_HTTP_TO_TLS = b"Client sent an HTTP request to an HTTPS server.\n"
NOT_FOUND_MESSAGE = "the server could not find the requested resource"


class Reply(NamedTuple):
    """An HTTP response: (status code, headers, body bytes)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class ServingCertificate:
    """What a TLS client is shown: who issued the certificate (the CA's PEM) and the names and
    addresses it is valid for (kubeadm's apiserver.crt SANs)."""

    issuer_pem: str
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()

    def matches(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return host in self.dns_names or host in self.ip_addresses


def kubeadm_serving_certificate(ca_pem: str, advertise_address: str, service_ip: str,
                                node_name: str = "kind-control-plane") -> ServingCertificate:
    """apiserver.crt as kubeadm (in kind) issues it: signed by the cluster CA, valid for the
    control-plane node's name, the ``kubernetes`` Service's names and ClusterIP, the advertise
    address, and localhost."""
    names = (node_name, "kubernetes", "kubernetes.default", "kubernetes.default.svc",
             "kubernetes.default.svc.cluster.local", "localhost")
    return ServingCertificate(ca_pem, names, (service_ip, advertise_address, "127.0.0.1"))


# -- what the wire looks like ---------------------------------------------------------------
def go_json(value: Any, *, pretty: bool) -> bytes:
    """Go's encoding/json output: ``MarshalIndent(v, "", "  ")`` or ``Encoder.Encode(v)``
    (compact, then a newline), HTML characters escaped as Go does."""
    if pretty:
        text = json.dumps(value, indent=2, ensure_ascii=False)
    else:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False) + "\n"
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text.encode()


def unstructured(value: Any, kind: str) -> Any:
    """A custom resource (or list of them) as kube-apiserver encodes it: an unstructured map,
    so every object's keys come out sorted, each list item carries its ``apiVersion`` and
    ``kind``, and the list's metadata its (empty) ``continue`` token."""
    if isinstance(value, dict) and isinstance(value.get("items"), list) and value.get("kind") != kind:
        items = [{"apiVersion": value.get("apiVersion", ""), "kind": kind, **item}
                 for item in value["items"]]
        metadata = {"continue": "", **(value.get("metadata") or {})}
        value = {**value, "items": items, "metadata": metadata}
    return _sorted_keys(value)


def _sorted_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value


def warning_headers(warnings: Optional[list]) -> tuple[tuple[str, str], ...]:
    """One ``Warning`` header per warning the server recorded, as apiserver's warning filter
    writes them (``net.NewWarningHeader(299, "-", text)``: code, agent, the quoted text)."""
    return tuple(("Warning", f"299 - {json.dumps(text, ensure_ascii=False)}") for text in warnings or ())


def parse_bool(text: str) -> Optional[bool]:
    """Go's ``strconv.ParseBool``; None for anything else."""
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return None


def is_pretty(query: Mapping[str, list], user_agent: str) -> bool:
    """``isPrettyPrint``: a non-empty ``pretty`` parameter decides (false if it does not parse);
    else browsers and command-line HTTP clients get indented JSON."""
    value = (query.get("pretty") or [""])[0]
    if value:
        return bool(parse_bool(value))
    return user_agent.startswith(PRETTY_USER_AGENTS)


def status_body(err: StatusError, *, empty_details: bool = False) -> dict:
    """The Status of an error; ``empty_details`` keeps ``"details": {}`` where Go's Status has a
    non-nil empty StatusDetails (NewNotFound / NewForbidden without a resource)."""
    status = err.status
    if empty_details and "details" not in status:
        status = {key: status[key] for key in ("kind", "apiVersion", "metadata", "status", "message", "reason")}
        status["details"] = {}
        status["code"] = err.code
    return status


def unauthorized() -> StatusError:
    return StatusError(401, "Unauthorized", "Unauthorized")


def not_found() -> StatusError:
    return StatusError(404, "NotFound", NOT_FOUND_MESSAGE)


def unsupported_media_type(accepted: tuple[str, ...]) -> StatusError:
    return StatusError(415, "UnsupportedMediaType",
                       "the body of the request was in an unknown format - accepted media types include: "
                       + ", ".join(accepted))


@dataclass
class _Call:
    """One request as the handlers see it."""

    method: str
    path: str
    query: dict
    headers: dict
    body: bytes
    user: auth.UserInfo = auth.ANONYMOUS
    pretty: bool = False
    segments: list = field(default_factory=list)
    audited: bool = False
    repeated_keys: bool = False  # the body gives a key twice (see duplicates.py)


# -- the front ---------------------------------------------------------------------------------
class APIServerHTTP:
    """``serve(method, target, headers, body) -> Reply``: kube-apiserver over HTTP."""

    def __init__(self, server: Any, authenticator: Optional[ServiceAccountTokenAuthenticator] = None, *,
                 advertise_address: str = "172.18.0.1:6443",
                 columns_for: Optional[http_table.ColumnsFor] = None) -> None:
        self.server = server
        self.authenticator = authenticator or ServiceAccountTokenAuthenticator(
            server.read, server.clock.now)
        self.advertise_address = advertise_address
        #: A kind's server-side printing columns (see :mod:`.http_table`); None: no Tables.
        self.columns_for = columns_for

    # -- the chain -------------------------------------------------------------------------
    def serve(self, method: str, target: str, headers: Optional[Mapping[str, str]] = None,
              body: bytes = b"", *, user: Optional[auth.UserInfo] = None) -> Reply:
        """One HTTP exchange. ``user``: a caller already authenticated another way (kubectl's
        client certificate in a kubeconfig), so no bearer token is looked at. Served holding the
        cluster clock's lock (reentrant: a pod's request from inside a timer already holds it),
        so a request from another thread happens between two timers."""
        with self.server.clock.lock:
            return self._serve(method, target, headers, body, user)

    def _serve(self, method: str, target: str, headers: Optional[Mapping[str, str]], body: bytes,
               user: Optional[auth.UserInfo]) -> Reply:
        call = self._call(method, target, headers or {}, body)
        try:
            call.user = user if user is not None else self.authenticate(call.headers)
        except InvalidToken:
            return self._error(call, unauthorized())
        try:
            call.user = self.impersonate(call.user, call.headers)
            if self._is_resource_path(call.segments):
                return self._resource(call)
            return self._non_resource(call)
        except StatusError as err:
            return self._error(call, err, empty_details=err.code in (403, 404) and not err.details)

    @staticmethod
    def _call(method: str, target: str, headers: Mapping[str, str], body: bytes) -> _Call:
        parts = urlsplit(target)
        lowered = {key.lower(): value for key, value in headers.items()}
        query = parse_qs(parts.query, keep_blank_values=True)
        path = parts.path or "/"
        segments = [unquote(s) for s in path.split("/") if s]
        pretty = is_pretty(query, lowered.get("user-agent", ""))
        return _Call(method.upper(), path, query, lowered, body, pretty=pretty, segments=segments)

    def authenticate(self, headers: Mapping[str, str]) -> auth.UserInfo:
        """The request's user: a bearer token's (or InvalidToken), else anonymous."""
        parts = (headers.get("authorization") or "").strip().split(" ", 2)  # request/bearertoken
        token = parts[1] if len(parts) >= 2 and parts[0].lower() == "bearer" else ""
        if not token:
            return auth.ANONYMOUS
        if not self.authenticator.owns(token):
            raise InvalidToken("invalid bearer token")
        return auth.authenticated(self.authenticator.authenticate(token))

    def impersonate(self, user: auth.UserInfo, headers: Mapping[str, Any]) -> auth.UserInfo:
        """The user an ``Impersonate-User`` header names (with each ``Impersonate-Group``),
        when ``user`` may impersonate them; ``user`` itself without the header."""
        name = headers.get("impersonate-user")
        if not name:
            return user
        groups = _header_values(headers.get("impersonate-group"))
        account = auth.split_service_account_username(name)
        wanted = [auth.request_attributes(user, "impersonate", "serviceaccounts", namespace=account[0],
                                          name=account[1]) if account else
                  auth.request_attributes(user, "impersonate", "users", name=name)]
        wanted += [auth.request_attributes(user, "impersonate", "groups", name=group) for group in groups]
        for attrs in wanted:
            decision = self.server.authorize(attrs)
            if not decision.allowed:
                raise auth.forbidden_error(attrs, decision.reason)
        return auth.user(name, groups)

    # -- replies -----------------------------------------------------------------------------
    def _headers(self, call: _Call, content_type: str) -> tuple[tuple[str, str], ...]:
        """Audit-Id (the audit record of the request, when it has one), then the rest."""
        audit_id = _audit_id(self.server) if call.audited else ""
        common = (("Cache-Control", "no-cache, private"), ("Content-Type", content_type))
        return ((("Audit-Id", audit_id),) if audit_id else ()) + common

    def _json(self, call: _Call, status: int, value: Any, *, pretty: Optional[bool] = None) -> Reply:
        body = go_json(value, pretty=call.pretty if pretty is None else pretty)
        return Reply(status, self._headers(call, "application/json"), body)

    def _error(self, call: _Call, err: StatusError, *, empty_details: bool = False) -> Reply:
        return self._json(call, err.code, status_body(err, empty_details=empty_details))

    # -- non-resource URLs -------------------------------------------------------------------
    def _non_resource(self, call: _Call) -> Reply:
        verb = call.method.lower()
        attrs = auth.non_resource_attributes(call.user, verb, call.path)
        decision = self.server.authorize(attrs)
        if not decision.allowed:
            raise auth.forbidden_error(attrs, decision.reason)
        if call.method not in ("GET", "HEAD"):
            raise StatusError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        if call.path in HEALTH_PATHS:
            return Reply(200, (("Cache-Control", "no-cache, private"),
                               ("Content-Type", "text/plain; charset=utf-8"),
                               ("X-Content-Type-Options", "nosniff")), b"ok")
        if call.path.rstrip("/") == "/version":
            return self._json(call, 200, VERSION_INFO, pretty=True)
        if call.segments[:2] == ["openapi", "v3"]:
            document = http_openapi.serve(self.server.registry.all(), call.segments)
        else:
            document = self._discovery(call.segments)
        if document is None:
            raise not_found()
        return self._json(call, 200, document)

    def _discovery(self, segments: list) -> Optional[dict]:
        if segments == ["api"]:
            return {"kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                    "serverAddress": self.advertise_address}]}
        if segments == ["apis"]:
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": self.api_groups()}
        if segments == ["api", "v1"]:
            return {"kind": "APIResourceList", "groupVersion": "v1", "resources": self.api_resources("", "v1")}
        if len(segments) == 2 and segments[0] == "apis":
            group = next((g for g in self.api_groups() if g["name"] == segments[1]), None)
            return None if group is None else {"kind": "APIGroup", "apiVersion": "v1", **group}
        if len(segments) == 3 and segments[0] == "apis" and self._served(segments[1], segments[2]):
            return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{segments[1]}/{segments[2]}",
                    "resources": self.api_resources(segments[1], segments[2])}
        return None

    def _served(self, group: str, version: str) -> bool:
        return any(r.group == group and r.version == version for r in self.server.registry.all())

    def api_groups(self) -> list[dict]:
        """The APIGroupList's groups: by group priority (then name), versions by priority."""
        versions: dict[str, set] = {}
        for rtype in self.server.registry.all():
            if rtype.group:
                versions.setdefault(rtype.group, set()).add(rtype.version)

        def group_key(group: str) -> tuple:
            best = max(API_SERVICE_PRIORITIES.get((group, v), (0, 0))[0] for v in versions[group])
            return (-best, group)

        groups = []
        for group in sorted(versions, key=group_key):
            ordered = sorted(versions[group], key=lambda v: (-API_SERVICE_PRIORITIES.get((group, v), (0, 0))[1], v))
            entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in ordered]
            groups.append({"name": group, "versions": entries, "preferredVersion": entries[0]})
        return groups

    def api_resources(self, group: str, version: str) -> list[dict]:
        """An APIResourceList's resources, sorted by name, subresources after their resource."""
        entries = []
        for rtype in self.server.registry.all():
            if rtype.group != group or rtype.version != version:
                continue
            entries.append(_resource_entry(rtype))
            entries.extend(_subresource_entry(rtype, sub) for sub in rtype.subresources
                           if sub in SUBRESOURCE_DISCOVERY)
        return sorted(entries, key=lambda e: e["name"])

    # -- resource URLs -------------------------------------------------------------------
    @staticmethod
    def _is_resource_path(segments: list) -> bool:
        if segments[:1] == ["api"]:
            return len(segments) > 2
        return segments[:1] == ["apis"] and len(segments) > 3

    def _resource(self, call: _Call) -> Reply:
        request = self._request(call)
        call.audited = True  # the API server records every request it handles
        result = self._handle(call, request)
        if isinstance(result, str):  # pods/log
            return Reply(200, self._headers(call, "text/plain"), result.encode())
        if isinstance(result, ProxiedResponse):  # pods/proxy, services/proxy: the pod's answer
            return self._proxied(call, result)
        if isinstance(request.resource, CustomResourceType) and request.subresource != "scale":
            result = unstructured(result, request.resource.kind)
        result = self._table_if_asked(call, request, result)
        reply = self._json(call, self._success_code(request, result), result)
        return reply._replace(headers=reply.headers + warning_headers(request.warnings))

    def _proxied(self, call: _Call, result: ProxiedResponse) -> Reply:
        """The pod's status, headers and body as they came; a body without a Content-Type gets
        the one Go's server sniffs for it (``http.DetectContentType``, text only here)."""
        audit_id = _audit_id(self.server) if call.audited else ""
        headers = ((("Audit-Id", audit_id),) if audit_id else ()) + result.headers
        if not any(name.lower() == "content-type" for name, _ in headers):
            html = result.body.lstrip().lower().startswith(("<!doctype html", "<html"))
            headers += (("Content-Type", f"text/{'html' if html else 'plain'}; charset=utf-8"),)
        return Reply(result.status, headers, b"" if call.method == "HEAD" else result.body.encode())

    def _table_if_asked(self, call: _Call, request: Request, result: Any) -> Any:
        """A read's result as the Table the Accept header asks for (:mod:`.http_table`)."""
        version = http_table.wanted_table_version(call.headers.get("accept", ""))
        if (version is None or self.columns_for is None or request.verb not in ("get", "list")
                or request.subresource or not isinstance(result, dict)):
            return result
        include = (call.query.get("includeObject") or ["Metadata"])[0]
        return http_table.as_table(result, request.resource, self.columns_for(request.resource),
                                   self.server.clock.now(), version=version,
                                   include_object=include if include in http_table.INCLUDE_OBJECT else "Metadata")

    @staticmethod
    def _success_code(request: Request, result: Any) -> int:
        if request.verb == "create":
            return 201
        if request.verb == "delete" and isinstance(result, dict) and result.get("kind") != "Status" \
                and (result.get("metadata") or {}).get("deletionTimestamp") and not request.options.dry_run:
            return 202  # the object is still there: finalizers or a grace period
        return 200

    def _request(self, call: _Call) -> Request:
        group, version, rest = self._group_version(call.segments)
        namespace, rest = _namespace_of(rest, group)
        plural, name, subresource = (rest + [None, None])[:3] if rest else (None, None, None)
        if (len(rest) > 3 and subresource != "proxy") or not plural:
            raise not_found()
        rtype = self._resource_type(group, version, plural)
        if subresource in UPGRADE_SUBRESOURCES:
            raise StatusError(400, "BadRequest", "Upgrade request required")
        if rtype.namespaced and name and not namespace and plural != "namespaces":
            raise not_found()
        verb = _verb(call, name)
        if subresource == "proxy":
            body = _proxy_options(call, rest[3:])
        else:
            body = _log_options(call.query) if subresource == "log" and verb == "get" else self._body(call, verb)
        return Request(verb, rtype, namespace, name, subresource, body, call.user, self._options(call, verb),
                       [])  # the warnings the reply carries

    @staticmethod
    def _group_version(segments: list) -> tuple[str, str, list]:
        if segments[0] == "api":
            return "", segments[1], segments[2:]
        return segments[1], segments[2], segments[3:]

    def _resource_type(self, group: str, version: str, plural: str) -> ResourceType:
        for rtype in self.server.registry.all():
            if rtype.group == group and rtype.version == version and rtype.plural == plural:
                return rtype
        raise not_found()

    @staticmethod
    def _body(call: _Call, verb: str) -> Any:
        """The decoded body of a write, by its Content-Type (JSON when none is given); notes on
        ``call`` whether the text gave a key twice."""
        if verb not in ("create", "update", "patch"):
            return None
        content_type = _content_type(call)
        spotter = duplicates.DuplicateSpotter()
        if verb == "patch":
            if content_type not in PATCH_MEDIA_TYPES:
                raise unsupported_media_type(tuple(PATCH_MEDIA_TYPES) + ("application/apply-patch+yaml",))
            body = _decode_json(call.body, spotter)
        elif content_type in ("", "application/json"):
            body = _decode_json(call.body, spotter)
        elif content_type == "application/yaml":
            body, repeated = _decode_yaml(call.body)
            spotter.found = bool(repeated)
        else:
            raise unsupported_media_type(CREATE_MEDIA_TYPES)
        call.repeated_keys = spotter.found
        return body

    # -- repeated keys: what the body's text says that the decoded dict cannot ----------------
    def _handle(self, call: _Call, request: Request) -> Any:
        """``server.handle``; a body that repeats a key is answered as the strict decoders of
        kube-apiserver answer it (:mod:`.duplicates`): under ``Warn`` each repeat is one more
        warning, in its place among the unknown fields', under ``Strict`` the body is refused,
        under ``Ignore`` the last value counts, as it does for every directive here."""
        if not call.repeated_keys or not isinstance(request.body, dict):
            return self.server.handle(request)
        try:
            directive = decode.check_field_validation(request.verb, request.options.field_validation)
        except StatusError:
            return self.server.handle(request)  # refused for its options first, as kube-apiserver does
        if directive == decode.IGNORE:
            return self.server.handle(request)
        reading = _RepeatedKeys.read(call, request)
        if directive == decode.STRICT:
            raise self._strict_refusal(request, reading)
        request.warnings.extend(reading.warnings())
        result = self.server.handle(request)
        request.warnings[:] = reading.ordered(request.warnings)
        return result

    def _strict_refusal(self, request: Request, reading: "_RepeatedKeys") -> StatusError:
        """The 400 a Strict request with repeated keys gets. The server reads a copy of the body
        that carries one field no kind has (and is told not to store anything), so everything
        that comes before decoding -- authorization, the audit record, a patch's NotFound -- and
        a fatal decoding error happen as for any request; its strict decoding error, which then
        lists the body's unknown fields and that one, is said again with the repeats added."""
        probe = request._replace(body={_PROBE_FIELD: True, **request.body},
                                 options=request.options._replace(dry_run=True))
        try:
            self.server.handle(probe)
        except StatusError as err:
            prefix, marker, listed = err.message.partition(_STRICT)
            if not marker or _PROBE_TEXT not in listed:
                return err
            unknown = [text for text in _STRICT_ERROR.findall(listed) if text != _PROBE_TEXT]
            return bad_request(prefix + _STRICT + reading.strict_list(unknown))
        kind, version = request.resource.kind, request.resource.version
        return bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: '
                           + _STRICT + reading.strict_list([]))

    @staticmethod
    def _options(call: _Call, verb: str) -> Options:
        q = {key: values[0] for key, values in call.query.items() if values}
        content_type = (call.headers.get("content-type") or "").split(";")[0].strip().lower()
        delete_body = _decode_json(call.body) if verb in ("delete", "deletecollection") and call.body.strip() else {}
        if not isinstance(delete_body, dict):
            delete_body = {}
        return Options(
            dry_run=q.get("dryRun") == "All" or delete_body.get("dryRun") == ["All"],
            label_selector=q.get("labelSelector") or None,
            field_selector=q.get("fieldSelector") or None,
            limit=_int_option(q, "limit"),
            continue_=q.get("continue") or None,
            resource_version=q.get("resourceVersion") or None,
            resource_version_match=q.get("resourceVersionMatch") or None,
            propagation_policy=q.get("propagationPolicy") or delete_body.get("propagationPolicy"),
            grace_period_seconds=_int_option(q, "gracePeriodSeconds", delete_body.get("gracePeriodSeconds")),
            preconditions=delete_body.get("preconditions"),
            patch_type=PATCH_MEDIA_TYPES.get(content_type, "strategic"),
            field_validation=q.get("fieldValidation"),
        )


class SecurePort:
    """``--secure-port``: the front behind TLS, as the network sees the API server's address.

    ``serve(method, target, headers, body, tls=True)``; a plain-HTTP request gets Go's
    ``crypto/tls`` answer (an HTTP/1.0 400 with a bare text body), as kube-apiserver does."""

    def __init__(self, front: APIServerHTTP, certificate: ServingCertificate) -> None:
        self.front = front
        self.certificate = certificate

    def serve(self, method: str, target: str, headers: Optional[Mapping[str, str]] = None,
              body: bytes = b"", *, tls: bool = True) -> Reply:
        if not tls:
            return Reply(400, (), PLAIN_HTTP_TO_TLS)
        return self.front.serve(method, target, headers, body)


# -- helpers -----------------------------------------------------------------------------------
def _audit_id(server: Any) -> str:
    """The response's Audit-Id: the ID of the latest audit record (a resource request's own
    record is written last, after any request made on its behalf); "" without an audit log."""
    audit = getattr(server, "audit", None)
    return audit_id_for(audit.last_seq) if audit is not None and audit.last_seq else ""


def _resource_entry(rtype: ResourceType) -> dict:
    entry: dict = {"name": rtype.plural, "singularName": rtype.singular, "namespaced": rtype.namespaced,
                   "kind": rtype.kind, "verbs": sorted(rtype.verbs)}
    if rtype.short_names:
        entry["shortNames"] = list(rtype.short_names)
    if rtype.categories:
        entry["categories"] = list(rtype.categories)
    entry["storageVersionHash"] = storage_version_hash(*STORAGE_VERSIONS.get(
        (rtype.group, rtype.version, rtype.kind), (rtype.group, rtype.version, rtype.kind)))
    return entry


def storage_version_hash(group: str, version: str, kind: str) -> str:
    """``discovery.StorageVersionHash``: the first 8 bytes of sha256("group/version/kind"), base64."""
    return base64.b64encode(hashlib.sha256(f"{group}/{version}/{kind}".encode()).digest()[:8]).decode()


def _subresource_entry(rtype: ResourceType, sub: str) -> dict:
    group, version, kind, verbs = SUBRESOURCE_DISCOVERY[sub]
    entry: dict = {"name": f"{rtype.plural}/{sub}", "singularName": "", "namespaced": rtype.namespaced}
    if group:
        entry["group"], entry["version"] = group, version
    entry["kind"] = kind or rtype.kind
    entry["verbs"] = list(verbs)
    return entry


def _namespace_of(rest: list, group: str) -> tuple[Optional[str], list]:
    """RequestInfoFactory: ``namespaces/<ns>/<resource>…`` names a namespace; a bare
    ``namespaces/<name>`` (or its status/finalize) is the Namespace object itself."""
    if len(rest) >= 2 and rest[0] == "namespaces":
        if len(rest) > 2 and not (not group and rest[2] in NAMESPACE_SUBRESOURCES):
            return rest[1], rest[2:]
        return None, rest  # the namespace itself: resource "namespaces", name rest[1]
    return None, rest


def _verb(call: _Call, name: Optional[str]) -> str:
    method = call.method
    if method in ("GET", "HEAD"):
        return "get" if name else "list"
    if method == "POST":
        return "create"
    if method == "PUT":
        return "update"
    if method == "PATCH":
        return "patch"
    if method == "DELETE":
        return "delete" if name else "deletecollection"
    raise StatusError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")


def _proxy_options(call: _Call, after: list) -> dict:
    """``PodProxyOptions``/``ServiceProxyOptions``: the path after ``/proxy`` (its trailing
    slash kept), the query passed on, and the HTTP method."""
    path = "/" + "/".join(after)
    if after and call.path.endswith("/"):
        path += "/"
    if call.query:
        path += "?" + urlencode(call.query, doseq=True)
    return {"path": path, "method": call.method}


def _log_options(query: dict) -> dict:
    """``PodLogOptions`` from a pods/log query (``?container=app&tailLines=5&timestamps=true``);
    ``follow`` is not: the front answers with the log as it is now."""
    q = {key: values[0] for key, values in query.items() if values}
    return {"container": q.get("container") or None, "previous": bool(parse_bool(q.get("previous", ""))),
            "tailLines": _int_option(q, "tailLines"), "timestamps": bool(parse_bool(q.get("timestamps", ""))),
            "sinceSeconds": _int_option(q, "sinceSeconds"), "sinceTime": q.get("sinceTime") or None,
            "limitBytes": _int_option(q, "limitBytes")}


def _header_values(value: Any) -> list[str]:
    """A header's values: a header sent several times comes as a list of its values."""
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def _int_option(query: dict, key: str, fallback: Any = None) -> Optional[int]:
    value = query.get(key)
    if value is None or value == "":
        return fallback if isinstance(fallback, int) else None
    try:
        return int(value)
    except ValueError:
        raise StatusError(400, "BadRequest", f'strconv.ParseInt: parsing "{value}": invalid syntax') from None


def _decode_json(body: bytes, spotter: Optional[duplicates.DuplicateSpotter] = None) -> Any:
    text = body.decode("utf-8", "replace").strip()
    if not text:
        raise StatusError(400, "BadRequest", "couldn't get version/kind; json parse error: unexpected end of JSON input")
    try:
        return json.loads(text, object_pairs_hook=spotter)
    except json.JSONDecodeError as err:
        char = text[err.pos] if err.pos < len(text) else ""
        where = _GO_JSON_SYNTAX.get(err.msg)
        detail = ("unexpected end of JSON input" if not char
                  else f"invalid character '{char}' {where}" if where else f"invalid character '{char}'")
        raise StatusError(400, "BadRequest", f"couldn't get version/kind; json parse error: {detail}") from None


#: Python's JSON syntax errors in Go's words (encoding/json's SyntaxError).
_GO_JSON_SYNTAX = {
    "Expecting value": "looking for beginning of value",
    "Expecting property name enclosed in double quotes": "looking for beginning of object key string",
    "Expecting ':' delimiter": "after object key",
    "Extra data": "after top-level value",
}


def _decode_yaml(body: bytes) -> tuple[Any, list[str]]:
    """A YAML body as sigs.k8s.io/yaml's YAMLToJSON makes it JSON (go-yaml v2's types, the
    last value of a repeated key, every map's keys sorted, as Go encodes a map), and go-yaml's
    strict errors for its repeated keys."""
    try:
        value, repeated = duplicates.load_yaml(body.decode("utf-8", "replace"))
    except StreamError as err:
        raise StatusError(400, "BadRequest", str(err)) from None
    return _sorted_keys(value), repeated


def _content_type(call: _Call) -> str:
    return (call.headers.get("content-type") or "").split(";")[0].strip().lower()


_STRICT = "strict decoding error: "
#: One strict decoding error in a list of them.
_STRICT_ERROR = re.compile(r'(?:unknown|duplicate) field "(?:[^"\\]|\\.)*"')
#: The field :meth:`APIServerHTTP._strict_refusal` adds to its probe: no kind has it.
_PROBE_FIELD = "\x00repeated-keys-probe"
_PROBE_TEXT = f'unknown field "{_PROBE_FIELD}"'


@dataclass(frozen=True)
class _RepeatedKeys:
    """What kube-apiserver's strict decoders find in a body that repeats a key: ``findings``
    (JSON: :func:`duplicates.json_findings`, typed for a kind's own body, whose unknown fields
    the repeats are then interleaved with) or go-yaml's ``yaml_lines``."""

    findings: tuple = ()
    typed: bool = False
    yaml_lines: tuple = ()

    @classmethod
    def read(cls, call: _Call, request: Request) -> "_RepeatedKeys":
        text = call.body.decode("utf-8", "replace")
        if _content_type(call) == "application/yaml":
            return cls(yaml_lines=tuple(duplicates.load_yaml(text)[1]))
        rtype = request.resource
        typed = (request.verb in ("create", "update") and (request.subresource or "status") == "status"
                 and not isinstance(rtype, CustomResourceType)
                 and f"{rtype.api_version}/{rtype.kind}" in schema.kinds())
        type_name = schema.kind_type(rtype.api_version, rtype.kind) if typed else None
        return cls(tuple(duplicates.json_findings(text, type_name)), typed)

    def warnings(self) -> list[str]:
        """The repeats, one warning each (go-yaml's lines one by one, as apiserver splits them)."""
        if self.yaml_lines:
            return list(self.yaml_lines)
        return [text for kind, _, text in self.findings if kind == duplicates.DUPLICATE]

    def ordered(self, texts: list[str]) -> list[str]:
        """The strict errors ``texts`` in the order kube-apiserver reports them: a kind's own
        body decodes in one walk; otherwise (a map: a custom resource, a patch; or go-yaml's
        pass) the repeats come before the unknown fields."""
        return duplicates.in_document_order(texts, list(self.findings)) if self.typed else texts

    def strict_list(self, unknown: list[str]) -> str:
        """What follows ``strict decoding error: `` (errors joined by ``, ``)."""
        if self.yaml_lines:
            return ", ".join([duplicates.yaml_strict_error(list(self.yaml_lines))] + unknown)
        return ", ".join(self.ordered(self.warnings() + unknown))
