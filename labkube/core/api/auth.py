"""Who is asking, and may they? Identities, request attributes and the authorizer chain.

Mirrors k8s.io/apiserver/pkg/authentication/user (``user.Info`` and the well-known names),
k8s.io/apiserver/pkg/authorization/authorizer (``Attributes``, ``Decision``),
.../authorization/union (the authorizer chain), .../authorizerfactory (the ``system:masters``
shortcut, AlwaysAllow, AlwaysDeny) and the forbidden response of
.../endpoints/handlers/responsewriters/errors.go.

How a request is authorized in kube-apiserver, and here:

1. Authentication turns credentials into a :class:`UserInfo` and appends the group
   ``system:authenticated`` (``authenticated()`` does that step).
2. The authorizer chain (:class:`UnionAuthorizer`) asks each authorizer in turn. Each answers
   *allow*, *deny* or *no opinion*; the first allow or deny ends the walk; if nobody allows,
   the request is forbidden and the reasons of the authorizers that had no opinion are joined
   with newlines.
3. A forbidden request gets a 403 whose message is built by :func:`forbidden_message`, e.g.
   ``pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the
   namespace "default"`` (see :func:`forbidden_error`).

Who the admin is. kubeadm (and so kind) since Kubernetes 1.29 writes ``admin.conf`` for the user
``kubernetes-admin`` in the group ``kubeadm:cluster-admins``; kubeadm creates a
ClusterRoleBinding ``kubeadm:cluster-admins`` that grants that group ``cluster-admin``. So the
admin is authorized by RBAC, like everyone else, and can be locked out by deleting that binding.
The break-glass identity ``kubernetes-super-admin`` (``super-admin.conf``) is in
``system:masters``, which the :class:`PrivilegedGroupAuthorizer` allows before RBAC is consulted.
labkube follows the modern setup: :data:`ADMIN` is ``kubernetes-admin`` in
``kubeadm:cluster-admins``, and ``bootstrap_policy.kubeadm_objects()`` holds the binding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Protocol, Sequence

from labkube.core.errors import StatusError, forbidden

# ---------------------------------------------------------------------------
# Well-known users and groups (k8s.io/apiserver/pkg/authentication/user/user.go,
# .../authentication/serviceaccount/util.go, kubeadm constants)
# ---------------------------------------------------------------------------

SYSTEM_PRIVILEGED_GROUP = "system:masters"
NODES_GROUP = "system:nodes"
MONITORING_GROUP = "system:monitoring"
ALL_UNAUTHENTICATED = "system:unauthenticated"
ALL_AUTHENTICATED = "system:authenticated"
ANONYMOUS_USER = "system:anonymous"
KUBE_PROXY_USER = "system:kube-proxy"
KUBE_CONTROLLER_MANAGER_USER = "system:kube-controller-manager"
KUBE_SCHEDULER_USER = "system:kube-scheduler"
NODE_USER_PREFIX = "system:node:"

SERVICE_ACCOUNT_USERNAME_PREFIX = "system:serviceaccount:"
ALL_SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts"
SERVICE_ACCOUNT_GROUP_PREFIX = "system:serviceaccounts:"

KUBEADM_CLUSTER_ADMINS_GROUP = "kubeadm:cluster-admins"
ADMIN_USER = "kubernetes-admin"
SUPER_ADMIN_USER = "kubernetes-super-admin"


@dataclass(frozen=True)
class UserInfo:
    """An authenticated (or anonymous) identity, like ``user.DefaultInfo``.

    ``groups`` is stored as a tuple and ``extra`` as a read-only mapping of tuples, so a
    UserInfo can be shared freely between threads and components.
    """

    name: str
    groups: tuple[str, ...] = ()
    uid: str = ""
    extra: Mapping[str, tuple[str, ...]] | None = field(default=None, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"UserInfo.name must be a string, not {type(self.name).__name__}")
        if isinstance(self.groups, str):
            raise TypeError("UserInfo.groups must be a sequence of group names, not one string")
        object.__setattr__(self, "groups", tuple(self.groups))
        if self.extra is not None:
            frozen = {key: tuple(values) for key, values in dict(self.extra).items()}
            object.__setattr__(self, "extra", MappingProxyType(frozen))

    def in_group(self, group: str) -> bool:
        return group in self.groups


def authenticated(user: UserInfo) -> UserInfo:
    """Add ``system:authenticated`` as kube-apiserver's AuthenticatedGroupAdder does.

    Users that already carry ``system:authenticated`` or ``system:unauthenticated`` are
    returned unchanged.
    """
    if ALL_AUTHENTICATED in user.groups or ALL_UNAUTHENTICATED in user.groups:
        return user
    return UserInfo(user.name, user.groups + (ALL_AUTHENTICATED,), user.uid, user.extra)


def user(name: str, groups: Iterable[str] = ()) -> UserInfo:
    """The identity kube-apiserver's impersonation filter builds for ``kubectl --as=NAME
    [--as-group=G]...``, e.g. ``user("alice", ["dev"])`` -> groups dev, system:authenticated.

    As in k8s.io/apiserver/pkg/endpoints/filters/impersonation.go: a service account's username
    without ``--as-group`` gets the account's fixed groups (``system:serviceaccounts``,
    ``system:serviceaccounts:<ns>``); then ``system:authenticated`` is added unless
    ``system:authenticated`` or ``system:unauthenticated`` is already there (for
    ``system:anonymous``: ``system:unauthenticated``, unless present).
    """
    groups = tuple(groups)
    account = split_service_account_username(name)
    if account is not None and not groups:
        groups = (ALL_SERVICE_ACCOUNTS_GROUP, SERVICE_ACCOUNT_GROUP_PREFIX + account[0])
    if name == ANONYMOUS_USER:
        if ALL_UNAUTHENTICATED not in groups:
            groups += (ALL_UNAUTHENTICATED,)
        return UserInfo(name, groups)
    return authenticated(UserInfo(name, groups))


def service_account(namespace: str, name: str) -> UserInfo:
    """The identity of a ServiceAccount token: ``system:serviceaccount:<ns>:<name>``."""
    return UserInfo(
        service_account_username(namespace, name),
        (ALL_SERVICE_ACCOUNTS_GROUP, SERVICE_ACCOUNT_GROUP_PREFIX + namespace, ALL_AUTHENTICATED),
    )


def controller(name: str) -> UserInfo:
    """A kube-controller-manager loop running with ``--use-service-account-credentials``.

    kubeadm starts the controller manager that way, so each controller acts as its own service
    account in kube-system, e.g. ``controller("replicaset-controller")`` is
    ``system:serviceaccount:kube-system:replicaset-controller``, bound to the ClusterRole
    ``system:controller:replicaset-controller``.
    """
    return service_account("kube-system", name)


def node(name: str) -> UserInfo:
    """A kubelet's identity: ``system:node:<name>`` in ``system:nodes``."""
    return UserInfo(NODE_USER_PREFIX + name, (NODES_GROUP, ALL_AUTHENTICATED))




def service_account_username(namespace: str, name: str) -> str:
    return f"{SERVICE_ACCOUNT_USERNAME_PREFIX}{namespace}:{name}"


def split_service_account_username(username: str) -> tuple[str, str] | None:
    """``"system:serviceaccount:ns:name"`` -> ``("ns", "name")``; None for other users."""
    if not username.startswith(SERVICE_ACCOUNT_USERNAME_PREFIX):
        return None
    namespace, sep, name = username[len(SERVICE_ACCOUNT_USERNAME_PREFIX):].partition(":")
    if not sep or not namespace or not name or ":" in name:
        return None
    return namespace, name


def node_name(user_info: UserInfo) -> str | None:
    """The node a kubelet identity speaks for, or None when the user is not a node."""
    if NODES_GROUP not in user_info.groups or not user_info.name.startswith(NODE_USER_PREFIX):
        return None
    return user_info.name[len(NODE_USER_PREFIX):]


ADMIN = UserInfo(ADMIN_USER, (KUBEADM_CLUSTER_ADMINS_GROUP, ALL_AUTHENTICATED))
SUPER_ADMIN = UserInfo(SUPER_ADMIN_USER, (SYSTEM_PRIVILEGED_GROUP, ALL_AUTHENTICATED))
KUBE_SCHEDULER = UserInfo(KUBE_SCHEDULER_USER, (ALL_AUTHENTICATED,))
KUBE_CONTROLLER_MANAGER = UserInfo(KUBE_CONTROLLER_MANAGER_USER, (ALL_AUTHENTICATED,))
# kubeadm runs kube-proxy as the kube-system/kube-proxy service account (bound to
# system:node-proxier by kubeadm's "kubeadm:node-proxier" ClusterRoleBinding).
KUBE_PROXY = service_account("kube-system", "kube-proxy")
ANONYMOUS = UserInfo(ANONYMOUS_USER, (ALL_UNAUTHENTICATED,))


# ---------------------------------------------------------------------------
# Request attributes and decisions (k8s.io/apiserver/pkg/authorization/authorizer)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Attributes:
    """What a request wants to do, as ``authorizer.AttributesRecord`` describes it.

    For resource requests ``path`` is unused; for non-resource requests (``/healthz``,
    ``/version``) set ``resource_request=False`` and ``path``.
    """

    user: UserInfo
    verb: str
    namespace: str = ""
    api_group: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    resource_request: bool = True
    path: str = ""


def request_attributes(
    user_info: UserInfo,
    verb: str,
    resource: str,
    *,
    namespace: str | None = None,
    name: str | None = None,
    api_group: str = "",
    subresource: str | None = None,
) -> Attributes:
    """Attributes for a resource request, as kube-apiserver's RequestInfoFactory derives them.

    One detail matters for authorization: a request for the namespace object itself
    (``/api/v1/namespaces/foo``) carries ``namespace="foo"``, so a RoleBinding in ``foo``
    that grants ``get namespaces`` lets its subject read that one namespace.
    """
    namespace = namespace or ""
    name = name or ""
    if resource == "namespaces" and not api_group and name:
        namespace = name
    return Attributes(user_info, verb, namespace, api_group, resource, subresource or "", name)


def non_resource_attributes(user_info: UserInfo, verb: str, path: str) -> Attributes:
    """Attributes for a non-resource URL such as ``/healthz`` or ``/api``."""
    return Attributes(user_info, verb, resource_request=False, path=path)


ALLOW = "Allow"
DENY = "Deny"
NO_OPINION = "NoOpinion"


@dataclass(frozen=True)
class Decision:
    """An authorizer's answer: ``allowed`` plus a human reason.

    Kubernetes authorizers have three outcomes; ``outcome`` keeps them apart:
    ``"Allow"``, ``"Deny"`` (stop, even if a later authorizer would allow) and
    ``"NoOpinion"`` (let the next authorizer decide; forbidden if it is the last).
    """

    allowed: bool
    reason: str = ""
    outcome: str = ""

    def __post_init__(self) -> None:
        if not self.outcome:
            object.__setattr__(self, "outcome", ALLOW if self.allowed else NO_OPINION)
        if self.outcome not in (ALLOW, DENY, NO_OPINION):
            raise ValueError(f"unknown authorization outcome {self.outcome!r}")
        if self.allowed != (self.outcome == ALLOW):
            raise ValueError(f"allowed={self.allowed} contradicts outcome {self.outcome}")

    @classmethod
    def allow(cls, reason: str = "") -> "Decision":
        return cls(True, reason, ALLOW)

    @classmethod
    def deny(cls, reason: str = "") -> "Decision":
        return cls(False, reason, DENY)

    @classmethod
    def no_opinion(cls, reason: str = "") -> "Decision":
        return cls(False, reason, NO_OPINION)


class Authorizer(Protocol):
    """Anything that can decide on a request (``authorizer.Authorizer``)."""

    def authorize(self, attrs: Attributes) -> Decision: ...


class UnionAuthorizer:
    """Asks each authorizer in order; the first Allow or Deny wins (authorization/union).

    When all have no opinion the request is not allowed, and the reasons they gave are joined
    with newlines, as union.go does.
    """

    def __init__(self, authorizers: Sequence[Authorizer]) -> None:
        self.authorizers = tuple(authorizers)

    def authorize(self, attrs: Attributes) -> Decision:
        reasons: list[str] = []
        for authorizer in self.authorizers:
            decision = authorizer.authorize(attrs)
            if decision.outcome != NO_OPINION:
                return decision
            if decision.reason:
                reasons.append(decision.reason)
        return Decision.no_opinion("\n".join(reasons))

    def name_sensitive(self, group: str, resource: str, subresource: str) -> bool:
        """Whether any member's decision can depend on the object's name (a member that
        cannot tell is assumed to depend on it)."""
        return any(name_sensitive(authorizer, group, resource, subresource) for authorizer in self.authorizers)


def name_sensitive(authorizer: Any, group: str, resource: str, subresource: str) -> bool:
    """Whether ``authorizer``'s decision on a request for this group, resource and
    subresource can depend on the object's name. Authorizers may answer through a
    ``name_sensitive`` method; one without it is assumed to depend on names. The API server
    caches decisions that do not, once for every name."""
    method = getattr(authorizer, "name_sensitive", None)
    return True if method is None else method(group, resource, subresource)


class PrivilegedGroupAuthorizer:
    """Allows every request from members of the given groups (default ``system:masters``)."""

    def __init__(self, groups: Iterable[str] = (SYSTEM_PRIVILEGED_GROUP,)) -> None:
        self.groups = frozenset(groups)

    def authorize(self, attrs: Attributes) -> Decision:
        for group in attrs.user.groups:
            if group in self.groups:
                return Decision.allow()
        return Decision.no_opinion()

    @staticmethod
    def name_sensitive(group: str, resource: str, subresource: str) -> bool:
        return False


class AlwaysAllowAuthorizer:
    """``--authorization-mode=AlwaysAllow``."""

    def authorize(self, attrs: Attributes) -> Decision:
        return Decision.allow()


class AlwaysDenyAuthorizer:
    """``--authorization-mode=AlwaysDeny``: no opinion, with the reason kube-apiserver gives."""

    def authorize(self, attrs: Attributes) -> Decision:
        return Decision.no_opinion("Everything is forbidden.")


# ---------------------------------------------------------------------------
# The 403 a client sees (endpoints/handlers/responsewriters/errors.go)
# ---------------------------------------------------------------------------

# kube-apiserver escapes these so a message never looks like HTML; quotes are kept.
_SANITIZE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def forbidden_message(attrs: Attributes, reason: str = "") -> str:
    """The text after ``... is forbidden: `` in kube-apiserver's 403.

    ``User "alice" cannot list resource "pods" in API group "" in the namespace "default"``,
    ``... at the cluster scope`` for cluster-wide requests, ``resource "pods/log"`` for a
    subresource, ``User "x" cannot get path "/healthz"`` for a non-resource URL. When the
    authorizers gave a reason (e.g. RBAC could not find a referenced Role) it follows after
    ``": "`` unquoted, exactly as the handler formats it.
    """
    message = _describe_forbidden(attrs).translate(_SANITIZE)
    if reason:
        return f"{message}: {reason}"
    return message


def _describe_forbidden(attrs: Attributes) -> str:
    username = _go_quote(attrs.user.name if attrs.user is not None else "")
    if not attrs.resource_request:
        return f"User {username} cannot {attrs.verb} path {_go_quote(attrs.path)}"
    resource = attrs.resource
    if attrs.subresource:
        resource = f"{resource}/{attrs.subresource}"
    head = (
        f"User {username} cannot {attrs.verb} resource {_go_quote(resource)} "
        f"in API group {_go_quote(attrs.api_group)}"
    )
    if attrs.namespace:
        return f"{head} in the namespace {_go_quote(attrs.namespace)}"
    return f"{head} at the cluster scope"


def forbidden_error(attrs: Attributes, reason: str = "") -> StatusError:
    """The StatusError kube-apiserver returns for a denied request (``apierrors.NewForbidden``).

    The qualified resource is ``resource[.group]`` without the subresource, the name is the
    object's name; a non-resource request has neither and reads ``forbidden: User ...``.
    """
    why = forbidden_message(attrs, reason)
    if not attrs.resource_request or not attrs.resource:
        return StatusError(403, "Forbidden", f"forbidden: {why}", {})
    qualified = f"{attrs.resource}.{attrs.api_group}" if attrs.api_group else attrs.resource
    return forbidden(qualified, attrs.name, why)


def _go_quote(text: str) -> str:
    """Go's ``%q`` for the plain strings that appear in these messages."""
    out = ['"']
    for ch in text:
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
