"""Who sent this bearer token? The service-account token authenticator of kube-apiserver.

Mirrors pkg/serviceaccount/jwt.go (``JWTTokenAuthenticator.AuthenticateToken``) and
pkg/serviceaccount/claims.go (``validator.Validate``) for the bound tokens the kubelet mounts
in every pod (``/var/run/secrets/kubernetes.io/serviceaccount/token``, written by
:mod:`labkube.core.kubelet.volumes`) and for the tokens the TokenRequest API issues
(:mod:`labkube.core.api.tokenrequest`, ``kubectl create token``: claims made by
:func:`claims_for`, signed by :func:`issue`). A token is ``header.claims.signature``, each part
base64url without padding; kube-apiserver accepts it when, in this order:

1. the issuer (``iss``) is the cluster's, ``https://kubernetes.default.svc.cluster.local``
   (a token of another issuer is not this authenticator's business: no opinion);
2. the signature verifies with one of the service-account keys (``--service-account-key-file``);
3. one of the token's audiences (``aud``) is one of the API server's (``--api-audiences``,
   which defaults to the issuer): a token minted for ``vault`` cannot call the API;
4. the time claims hold, with go-jose's one-minute leeway: ``exp`` not passed
   ("service account token has expired"), ``nbf`` reached ("... is not valid yet"),
   ``iat`` not in the future;
5. the ServiceAccount still exists with the UID in the claim and was not deleted more than the
   leeway ago; the object the token is bound to -- a Secret, a Pod, or (for a token bound to a
   Node alone) a Node -- still exists, has the UID in the claim ("pod UID (…) does not match
   service account pod ref claim (…)") and was not deleted more than the leeway ago, else
   "service account token has been invalidated": a token copied out of a deleted pod stops
   working even though it has not expired (a pod in its grace period, whose
   ``deletionTimestamp`` is still ahead, keeps it working until then).

A token that passes is the user ``system:serviceaccount:<namespace>:<name>`` in the groups
``system:serviceaccounts`` and ``system:serviceaccounts:<namespace>`` (the API server then adds
``system:authenticated``), with the pod and node in the user's extra fields as 1.32 puts them.
Any failure is :class:`InvalidToken`; the client only ever sees ``401 Unauthorized`` (the reason
is kube-apiserver's log line, kept here for lessons in :attr:`InvalidToken.reason`).

The signature is a model: labkube has no RSA key pair, so "signing" is a fixed digest of the
signed part (:func:`signature_of`), the same the kubelet computes. Editing any claim without
re-signing breaks it, as it would break a real RS256 signature; unlike RSA, anyone who reads
this module could sign a token, so it teaches the check, not the cryptography.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any, Callable, Optional

from labkube.core.api import auth
from labkube.core.clock import parse_timestamp

#: The cluster's service-account issuer (``--service-account-issuer``) and API audience.
ISSUER = "https://kubernetes.default.svc.cluster.local"
API_AUDIENCES = (ISSUER,)
#: go-jose's ``jwt.DefaultLeeway``: clocks may disagree by a minute.
LEEWAY_SECONDS = 60
#: ``serviceaccount.WarnOnlyBoundTokenExpirationSeconds``: the lifetime the kubelet's
#: ``kube-api-access`` volume asks for, which kube-apiserver stretches to
#: ``ExpirationExtensionSeconds`` (a year) when ``--service-account-extend-token-expiration``.
WARN_ONLY_EXPIRATION_SECONDS = 60 * 60 + 7
EXPIRATION_EXTENSION_SECONDS = 24 * 365 * 60 * 60
#: Why a token whose Secret, Pod or Node is gone (or another, or deleted) is refused.
INVALIDATED = "service account token has been invalidated"
#: The id (``kid``) of the one service-account signing key.
KEY_ID = hashlib.sha256(b"labkube-sa-key").hexdigest()[:43]

#: ``ServiceAccountInfo``'s extra keys (pkg/serviceaccount/util.go).
EXTRA_POD_NAME = "authentication.kubernetes.io/pod-name"
EXTRA_POD_UID = "authentication.kubernetes.io/pod-uid"
EXTRA_NODE_NAME = "authentication.kubernetes.io/node-name"
EXTRA_NODE_UID = "authentication.kubernetes.io/node-uid"
EXTRA_CREDENTIAL_ID = "authentication.kubernetes.io/credential-id"

#: ``reader(plural, namespace, name)``: the stored object (read-only) or None.
Reader = Callable[[str, Optional[str], str], Optional[dict]]


class InvalidToken(Exception):
    """A bearer token kube-apiserver refuses (401); ``reason`` is what it logs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- the token's shape --------------------------------------------------------------------
def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signature_of(signing_input: str) -> str:
    """The model signature of ``header.claims`` (what the kubelet's tokens carry)."""
    return b64url(hashlib.sha512(signing_input.encode()).digest() * 4)


def issue(claims: dict, key_id: str = KEY_ID) -> str:
    """A signed token for ``claims`` (``JWTTokenGenerator.GenerateToken``), as the kubelet
    writes them: compact JSON with sorted keys, header ``{"alg":"RS256","kid":…}``."""
    header = {"alg": "RS256", "kid": key_id}
    signing_input = ".".join(b64url(json.dumps(part, separators=(",", ":"), sort_keys=True).encode())
                             for part in (header, claims))
    return f"{signing_input}.{signature_of(signing_input)}"


def claims_for(account: dict, *, audiences: list, issued_at: int, expiration_seconds: int, jti: str = "",
               pod: Optional[dict] = None, secret: Optional[dict] = None, node: Optional[dict] = None,
               warn_after: int = 0) -> dict:
    """The claims of a token for the ServiceAccount ``account`` (``serviceaccount.Claims`` and
    the generator's ``iss``): bound to a Secret, or to a Pod (with the Node it runs on, when
    known: ServiceAccountTokenPodNodeInfo), or to a Node alone (ServiceAccountTokenNodeBinding);
    ``jti`` when ServiceAccountTokenJTI is on (beta, on, in 1.32); ``warn_after`` seconds for
    an extended kube-api-access token. Refs drop an empty ``uid`` (``omitempty``)."""
    meta = account.get("metadata") or {}
    namespace = meta.get("namespace", "")
    identity: dict[str, Any] = {"namespace": namespace,
                                "serviceaccount": _ref(meta.get("name", ""), meta.get("uid", ""))}
    if secret is not None:
        identity["secret"] = _object_ref(secret)
    elif pod is not None:
        identity["pod"] = _object_ref(pod)
        if node is not None:
            identity["node"] = _object_ref(node)
    elif node is not None:
        identity["node"] = _object_ref(node)
    if warn_after:
        identity["warnafter"] = issued_at + warn_after
    claims: dict[str, Any] = {
        "aud": list(audiences), "exp": issued_at + expiration_seconds, "iat": issued_at, "iss": ISSUER,
        "kubernetes.io": identity, "nbf": issued_at,
        "sub": auth.service_account_username(namespace, meta.get("name", "")),
    }
    if jti:
        claims["jti"] = jti
    return claims


def _ref(name: str, uid: str) -> dict:
    return {"name": name, "uid": uid} if uid else {"name": name}


def _object_ref(obj: dict) -> dict:
    meta = obj.get("metadata") or {}
    return _ref(meta.get("name", ""), meta.get("uid", ""))


def _decode_part(text: str) -> dict:
    try:
        value = json.loads(_unb64url(text))
    except (binascii.Error, ValueError) as err:
        raise InvalidToken("square/go-jose: compact JWS format must have three parts") from err
    if not isinstance(value, dict):
        raise InvalidToken("square/go-jose: error in cryptographic primitive")
    return value


def parse(token: str) -> tuple[dict, dict, str, str]:
    """(header, claims, signing input, signature) of a compact JWS, or InvalidToken."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("square/go-jose: compact JWS format must have three parts")
    return _decode_part(parts[0]), _decode_part(parts[1]), f"{parts[0]}.{parts[1]}", parts[2]


def issuer_of(token: str) -> Optional[str]:
    """The unverified ``iss`` of a JWT-shaped token (``hasCorrectIssuer``), or None."""
    try:
        return parse(token)[1].get("iss")
    except InvalidToken:
        return None


# -- the authenticator ---------------------------------------------------------------------
class ServiceAccountTokenAuthenticator:
    """kube-apiserver's bound service-account token authenticator.

    ``read(plural, namespace, name)`` looks objects up in the API server's store (its
    informers, in kube-apiserver); ``now()`` is the cluster clock in seconds.
    """

    def __init__(self, read: Reader, now: Callable[[], float], *,
                 audiences: tuple[str, ...] = API_AUDIENCES) -> None:
        self.read = read
        self.now = now
        self.audiences = audiences

    def owns(self, token: str) -> bool:
        """Is this a token of our issuer? (Others are left to other authenticators.)"""
        return issuer_of(token) == ISSUER

    def authenticate(self, token: str) -> auth.UserInfo:
        """The token's user (without ``system:authenticated``), or raise InvalidToken."""
        header, claims, signing_input, signature = parse(token)
        if claims.get("iss") != ISSUER:
            raise InvalidToken("token issuer is not the service account issuer")
        self._check_signature(header, signing_input, signature)
        self._check_audience(claims)
        self._check_times(claims)
        return self._validate_objects(claims)

    # -- the steps, in kube-apiserver's order ---------------------------------------------
    @staticmethod
    def _check_signature(header: dict, signing_input: str, signature: str) -> None:
        if header.get("alg") != "RS256" or header.get("kid") != KEY_ID or signature != signature_of(signing_input):
            raise InvalidToken("invalid signature")

    def _check_audience(self, claims: dict) -> None:
        audiences = claims.get("aud")
        audiences = [audiences] if isinstance(audiences, str) else list(audiences or [])
        if not any(a in self.audiences for a in audiences):
            raise InvalidToken(f"token audiences {_go_list(audiences)} is invalid for the target audiences "
                               f"{_go_list(self.audiences)}")

    def _check_times(self, claims: dict) -> None:
        now = self.now()
        nbf, exp, iat = claims.get("nbf"), claims.get("exp"), claims.get("iat")
        if isinstance(nbf, (int, float)) and now + LEEWAY_SECONDS < nbf:
            raise InvalidToken("service account token is not valid yet")
        if isinstance(exp, (int, float)) and now - LEEWAY_SECONDS > exp:
            raise InvalidToken("service account token has expired")
        if isinstance(iat, (int, float)) and now + LEEWAY_SECONDS < iat:
            raise InvalidToken("service account token is issued in the future")

    def _validate_objects(self, claims: dict) -> auth.UserInfo:
        private = claims.get("kubernetes.io")
        if not isinstance(private, dict) or not private.get("namespace"):
            raise InvalidToken("service account token claims are missing namespace")
        namespace = private["namespace"]
        account = (private.get("serviceaccount") or {}).get("name", "")
        if claims.get("sub") != auth.service_account_username(namespace, account):
            raise InvalidToken("sub claim does not match the service account")
        self._check_service_account(namespace, account, private.get("serviceaccount") or {})
        if private.get("secret"):
            self._check_bound("secrets", namespace, private["secret"], "secret")
        if private.get("pod"):
            self._check_bound("pods", namespace, private["pod"], "pod")
        elif private.get("node"):
            self._check_bound("nodes", None, private["node"], "node")
        return self._user(namespace, account, private, claims)

    def _deleted(self, meta: dict) -> bool:
        """``deletedBefore``: deleted more than the leeway ago (a pod in its grace period, whose
        ``deletionTimestamp`` is still ahead, keeps its token working until then)."""
        stamp = meta.get("deletionTimestamp")
        return bool(stamp) and parse_timestamp(stamp) < self.now() - LEEWAY_SECONDS

    def _check_service_account(self, namespace: str, name: str, ref: dict) -> None:
        found = self.read("serviceaccounts", namespace, name)
        if found is None:
            raise InvalidToken(f'serviceaccounts "{name}" not found')
        meta = found.get("metadata") or {}
        if ref.get("uid") and meta.get("uid") != ref["uid"]:
            raise InvalidToken(f"service account UID ({meta.get('uid')}) does not match claim ({ref['uid']})")
        if self._deleted(meta):
            raise InvalidToken(f"service account {namespace}/{name} has been deleted")

    def _check_bound(self, plural: str, namespace: Optional[str], ref: dict, what: str) -> None:
        """The object a token is bound to (its Secret, its Pod, or -- for a token bound to a
        Node alone -- its Node) must exist, have the UID in the claim, and not be deleted."""
        found = self.read(plural, namespace, ref.get("name", ""))
        if found is None:
            raise InvalidToken(INVALIDATED)
        meta = found.get("metadata") or {}
        if meta.get("uid") != ref.get("uid"):
            raise InvalidToken(f"{what} UID ({meta.get('uid')}) does not match service account {what} ref claim "
                               f"({ref.get('uid')})")
        if self._deleted(meta):
            raise InvalidToken(INVALIDATED)

    @staticmethod
    def _user(namespace: str, account: str, private: dict, claims: dict) -> auth.UserInfo:
        """``ServiceAccountInfo.UserInfo()``: the account's name, groups and extra fields."""
        extra: dict[str, tuple[str, ...]] = {}
        pod, node = private.get("pod") or {}, private.get("node") or {}
        if pod:
            extra[EXTRA_POD_NAME], extra[EXTRA_POD_UID] = (pod.get("name", ""),), (pod.get("uid", ""),)
        if node.get("name"):
            extra[EXTRA_NODE_NAME] = (node["name"],)
            if node.get("uid"):
                extra[EXTRA_NODE_UID] = (node["uid"],)
        if claims.get("jti"):
            extra[EXTRA_CREDENTIAL_ID] = (f"JTI={claims['jti']}",)
        return auth.UserInfo(
            auth.service_account_username(namespace, account),
            (auth.ALL_SERVICE_ACCOUNTS_GROUP, auth.SERVICE_ACCOUNT_GROUP_PREFIX + namespace),
            (private.get("serviceaccount") or {}).get("uid", ""),
            extra,
        )


def _go_list(values: Any) -> str:
    """Go's ``%q`` of a string slice: ``["a" "b"]``."""
    return "[" + " ".join(json.dumps(v) for v in values) + "]"
