"""``POST serviceaccounts/<name>/token``: a signed, bound token for a ServiceAccount.

Mirrors pkg/registry/core/serviceaccount/storage/token.go (``TokenREST.Create``, Kubernetes
1.32) and the ``authentication.k8s.io/v1`` TokenRequest it answers (``kubectl create token``,
and the kubelet's projected ``serviceAccountToken`` volumes on a real node). RBAC sees the verb
``create`` on ``serviceaccounts/token``, so ``edit``, ``admin`` and ``system:node`` may ask.

1. A name or namespace in the body must be the URL's (``metadata.name: Invalid value: "x":
   must match the service account name if specified``); the ServiceAccount must exist
   (``serviceaccounts "x" not found``).
2. The spec is defaulted: ``audiences`` empty means the API server's (``--api-audiences``, here
   the issuer); ``expirationSeconds`` unset means 3600 (the v1 defaulting).
3. It is validated: at least 600 seconds (``spec.expirationSeconds: Invalid value: 60: may not
   specify a duration less than 10 minutes``), at most 2^32.
4. ``boundObjectRef`` names a Pod (which must run as this ServiceAccount; the token also names
   the pod's Node), a Secret, or a Node (ServiceAccountTokenNodeBinding, beta and on in 1.32);
   any other kind is ``cannot bind token to object of type /v1, Kind=ConfigMap``. A ``uid`` in
   the reference that is not the object's is a 409 Conflict: the object was recreated.
5. ``--service-account-max-token-expiration`` (unset in kubeadm and kind: no cap) shortens a
   longer request with a warning; a Pod-bound request for exactly 3607 seconds with the API
   audiences (the kube-api-access volume's) is extended to a year with ``warnafter``.
6. The token is signed (:mod:`labkube.core.api.token_auth`) and returned in
   ``status.token``; ``status.expirationTimestamp`` is the *requested* expiry, even when the
   token itself was extended.

The TokenRequest is not stored: each request mints a new token (``jti`` a fresh UUID from the
cluster's seeded random numbers, so the same calls give the same tokens). Not modelled: the
``attestations`` of 1.33 and the NodeRestriction admission plugin's limits on kubelets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from labkube.core import errors
from labkube.core.api import token_auth
from labkube.core.api.request import Request
from labkube.core.clock import format_timestamp
from labkube.core.errors import FieldError, StatusError

API_VERSION = "authentication.k8s.io/v1"
KIND = "TokenRequest"
QUALIFIED_KIND = "TokenRequest.authentication.k8s.io"
#: ``SetDefaults_TokenRequestSpec``: an hour.
DEFAULT_EXPIRATION_SECONDS = 60 * 60
#: ``ValidateTokenRequest``'s bounds.
MIN_EXPIRATION_SECONDS = 10 * 60
MAX_EXPIRATION_SECONDS = 1 << 32
#: The kinds a token may be bound to (group "" only, any version, as TokenREST checks).
BINDABLE = {"Pod": "pods", "Secret": "secrets", "Node": "nodes"}


@dataclass
class TokenREST:
    """The token subresource's settings, as kube-apiserver's flags set them.

    ``audiences``: ``--api-audiences``; ``max_expiration_seconds``:
    ``--service-account-max-token-expiration`` (0: none); ``extend_expiration``:
    ``--service-account-extend-token-expiration`` (default true)."""

    audiences: tuple[str, ...] = token_auth.API_AUDIENCES
    max_expiration_seconds: int = 0
    extend_expiration: bool = True

    def create(self, server: Any, request: Request, rtype: Any) -> dict:
        """Answer one TokenRequest for the ServiceAccount of ``request`` (see the module)."""
        if rtype.plural != "serviceaccounts" or rtype.group or "token" not in rtype.subresources:
            raise errors.not_found(f"{rtype.qualified_resource}", request.name or "")
        name, namespace = request.name or "", request.namespace or ""
        meta, spec = _decode(request.body)
        _check_names(meta, name, namespace)
        account = server.read("serviceaccounts", namespace, name)
        if account is None:
            raise errors.not_found("serviceaccounts", name)
        spec = {"audiences": list(spec.get("audiences") or self.audiences),
                "expirationSeconds": spec.get("expirationSeconds", DEFAULT_EXPIRATION_SECONDS),
                "boundObjectRef": spec.get("boundObjectRef")}
        _validate(spec)
        bound = _bound_objects(server, spec["boundObjectRef"], name, namespace)
        requested = self._capped(spec, request)
        now = int(server.clock.now())
        claims = self._claims(server, account, spec, bound, requested, now)
        return {
            "kind": KIND, "apiVersion": API_VERSION,
            "metadata": _response_meta(meta, name, namespace, now),
            "spec": {**spec, "expirationSeconds": requested},
            "status": {"token": token_auth.issue(claims),
                       "expirationTimestamp": format_timestamp(now + requested)},
        }

    # -- the steps ---------------------------------------------------------------------------
    def _capped(self, spec: dict, request: Request) -> int:
        """The lifetime asked for, shortened (with a warning) to the server's maximum."""
        requested = spec["expirationSeconds"]
        if self.max_expiration_seconds > 0 and requested > self.max_expiration_seconds:
            if request.warnings is not None:
                request.warnings.append(f"requested expiration of {requested} seconds shortened to "
                                        f"{self.max_expiration_seconds} seconds")
            requested = self.max_expiration_seconds
        return requested

    def _claims(self, server: Any, account: dict, spec: dict, bound: dict, requested: int, now: int) -> dict:
        """``token.Claims``, with the kube-api-access extension when it applies."""
        lifetime, warn_after = requested, 0
        if self.extend_expiration and bound.get("pod") is not None \
                and requested == token_auth.WARN_ONLY_EXPIRATION_SECONDS \
                and all(a in self.audiences for a in spec["audiences"]):
            lifetime, warn_after = token_auth.EXPIRATION_EXTENSION_SECONDS, requested
        return token_auth.claims_for(account, audiences=spec["audiences"], issued_at=now,
                                     expiration_seconds=lifetime, jti=server.clock.uuid(),
                                     warn_after=warn_after, **bound)


# -- decoding and validation -------------------------------------------------------------------
def _decode(body: Any) -> tuple[dict, dict]:
    """The body's metadata and spec, their types checked as Go's decoder checks them."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise _cannot_unmarshal(body, "", "", "v1.TokenRequest", value_only=True)
    meta = body.get("metadata") or {}
    if not isinstance(meta, dict):
        raise _cannot_unmarshal(meta, "TokenRequest", "metadata", "v1.ObjectMeta")
    spec = body.get("spec") or {}
    if not isinstance(spec, dict):
        raise _cannot_unmarshal(spec, "TokenRequest", "spec", "v1.TokenRequestSpec")
    spec = {key: value for key, value in spec.items() if value is not None}
    audiences = spec.get("audiences", [])
    if not isinstance(audiences, list):
        raise _cannot_unmarshal(audiences, "TokenRequestSpec", "spec.audiences", "[]string")
    for audience in audiences:
        if not isinstance(audience, str):
            raise _cannot_unmarshal(audience, "TokenRequestSpec", "spec.audiences", "string")
    seconds = spec.get("expirationSeconds", 0)
    if isinstance(seconds, float) and seconds.is_integer():
        spec["expirationSeconds"] = seconds = int(seconds)  # 3600.0 from YAML is the JSON 3600
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        raise _cannot_unmarshal(seconds, "TokenRequestSpec", "spec.expirationSeconds", "int64")
    if "boundObjectRef" in spec:
        spec["boundObjectRef"] = _decode_ref(spec["boundObjectRef"])
    return meta, spec


def _decode_ref(ref: Any) -> dict:
    if not isinstance(ref, dict):
        raise _cannot_unmarshal(ref, "TokenRequestSpec", "spec.boundObjectRef", "v1.BoundObjectReference")
    for key, go_type in (("kind", "string"), ("apiVersion", "string"), ("name", "string"), ("uid", "types.UID")):
        if key in ref and ref[key] is not None and not isinstance(ref[key], str):
            raise _cannot_unmarshal(ref[key], "BoundObjectReference", f"spec.boundObjectRef.{key}", go_type)
    return {key: ref[key] for key in ("kind", "apiVersion", "name", "uid") if ref.get(key)}  # omitempty


def _cannot_unmarshal(value: Any, struct: str, path: str, go_type: str, *, value_only: bool = False) -> StatusError:
    prefix = f'{KIND} in version "v1" cannot be handled as a {KIND}: json: cannot unmarshal {_json_kind(value)} '
    where = (f"into Go value of type {go_type}" if value_only
             else f"into Go struct field {struct}.{path} of type {go_type}")
    return errors.bad_request(prefix + where)


def _json_kind(value: Any) -> str:
    """The ``Value`` of Go's UnmarshalTypeError (a fraction for an integer field names itself)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, float):
        return f"number {value!r}"
    if isinstance(value, int):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "value")


def _check_names(meta: dict, name: str, namespace: str) -> None:
    """The body may name its ServiceAccount, but only the URL's."""
    if meta.get("namespace") and meta["namespace"] != namespace:  # EnsureObjectNamespaceMatchesRequestNamespace
        raise errors.bad_request("the namespace of the provided object does not match the namespace sent on "
                                 "the request")
    if meta.get("name") and meta["name"] != name:
        raise errors.invalid(QUALIFIED_KIND, name, [FieldError.invalid(
            "metadata.name", meta["name"], "must match the service account name if specified")])


def _validate(spec: dict) -> None:
    """``ValidateTokenRequest``."""
    seconds = spec["expirationSeconds"]
    problems = []
    if seconds < MIN_EXPIRATION_SECONDS:
        problems.append(FieldError.invalid("spec.expirationSeconds", seconds,
                                           "may not specify a duration less than 10 minutes"))
    if seconds > MAX_EXPIRATION_SECONDS:
        problems.append(FieldError.invalid("spec.expirationSeconds", seconds,
                                           "may not specify a duration larger than 2^32 seconds"))
    if problems:
        raise errors.invalid(QUALIFIED_KIND, "", problems)


# -- the bound object --------------------------------------------------------------------------
def _bound_objects(server: Any, ref: Optional[dict], account: str, namespace: str) -> dict:
    """``pod``/``secret``/``node`` keyword arguments for the claims, from ``boundObjectRef``."""
    if ref is None:
        return {}
    kind, group, version = ref.get("kind", ""), *_group_version(ref.get("apiVersion", ""))
    if group or kind not in BINDABLE:
        raise errors.bad_request(f"cannot bind token to object of type {group}/{version}, Kind={kind}")
    plural, name = BINDABLE[kind], ref.get("name", "")
    found = server.read(plural, None if kind == "Node" else namespace, name)
    if found is None:
        raise errors.not_found(plural, name)
    bound: dict = {kind.lower(): found}
    if kind == "Pod":
        if (found.get("spec") or {}).get("serviceAccountName") != account:
            raise errors.bad_request(f'cannot bind token for serviceaccount "{account}" to pod running with '
                                     "different serviceaccount name.")
        bound["node"] = _pods_node(server, found)
    if ref.get("uid") and ref["uid"] != found["metadata"].get("uid"):
        raise errors.conflict(kind, name, f"the UID in the bound object reference ({ref['uid']}) does not match "
                                          "the UID in record. The object might have been deleted and then recreated")
    return bound


def _group_version(api_version: str) -> tuple[str, str]:
    """``schema.ParseGroupVersion``'s split, as ``FromAPIVersionAndKind`` does it."""
    group, _, version = api_version.rpartition("/")
    return group, version


def _pods_node(server: Any, pod: dict) -> Optional[dict]:
    """The Node a bound pod runs on (ServiceAccountTokenPodNodeInfo): the object, or just its
    name when the Node is gone, or None for a pod not yet scheduled."""
    node_name = (pod.get("spec") or {}).get("nodeName")
    if not node_name:
        return None
    return server.read("nodes", None, node_name) or {"metadata": {"name": node_name}}


def _response_meta(meta: dict, name: str, namespace: str, now: int) -> dict:
    """The request's metadata with its system fields wiped (``WipeObjectMetaSystemFields``),
    its name and namespace filled in and the time of the request, in ObjectMeta's order."""
    out: dict = {"name": name}
    if meta.get("generateName"):
        out["generateName"] = meta["generateName"]
    out["namespace"] = namespace
    out["creationTimestamp"] = format_timestamp(now)
    for key in ("labels", "annotations"):
        if meta.get(key):
            out[key] = meta[key]
    return out
