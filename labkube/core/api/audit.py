"""The audit stream: one record per API request, who did what and how it ended.

Mirrors kube-apiserver's audit log (k8s.io/apiserver/pkg/audit, the ``audit.k8s.io/v1``
``Event`` at level ``Metadata``, stage ``ResponseComplete``) and its authorization
annotations ``authorization.k8s.io/decision`` (``allow`` / ``forbid``) and
``authorization.k8s.io/reason``.

:class:`AuditLog` keeps the latest ``capacity`` events in a ring buffer (oldest evicted
first), numbers them with a sequence that never restarts, lets readers ask for "everything
after seq N" with simple filters, and calls subscribers synchronously after each record (a
subscriber that raises is counted and skipped, never breaking the request or other
subscribers). Timestamps come from the caller (the cluster clock), so the stream is
deterministic.

Each :class:`AuditEvent` can explain itself in a sentence for lessons,
``the scheduler (system:kube-scheduler) created pods/binding web-1 in default → 201``, and can
render the real audit Event, with the request URI kube-apiserver would have logged.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from typing import Callable, NamedTuple

from labkube.core.api.auth import (
    ADMIN_USER,
    ANONYMOUS_USER,
    KUBE_CONTROLLER_MANAGER_USER,
    KUBE_PROXY_USER,
    KUBE_SCHEDULER_USER,
    NODE_USER_PREFIX,
    SUPER_ADMIN_USER,
    split_service_account_username,
)
from labkube.core.clock import format_uuid4

STAGE_RESPONSE_COMPLETE = "ResponseComplete"
_MASK_128 = (1 << 128) - 1
_MIX = 0x9E3779B97F4A7C15F39CC0605CEDC835  # odd, so seq -> id is one-to-one


def audit_id_for(seq: int) -> str:
    """A deterministic, UUID-shaped audit ID for a sequence number (version-4 layout)."""
    return format_uuid4((seq * _MIX) & _MASK_128)


def component_for(username: str) -> str:
    """The program behind a username, as its user agent would name it.

    ``system:kube-scheduler`` -> ``kube-scheduler``; a controller service account
    ``system:serviceaccount:kube-system:replicaset-controller`` -> ``replicaset-controller``;
    ``system:node:n1`` -> ``kubelet``; people -> ``kubectl``.
    """
    if username == KUBE_SCHEDULER_USER:
        return "kube-scheduler"
    if username == KUBE_CONTROLLER_MANAGER_USER:
        return "kube-controller-manager"
    if username == KUBE_PROXY_USER:
        return "kube-proxy"
    if username.startswith(NODE_USER_PREFIX):
        return "kubelet"
    account = split_service_account_username(username)
    if account is not None:
        namespace, name = account
        if namespace == "kube-system":
            return name
        return f"serviceaccount:{namespace}:{name}"
    return "kubectl"


#: kube-controller-manager's service accounts (kube-system) not named ``<name>-controller``.
CONTROLLER_ACCOUNT_NAMES = {
    "generic-garbage-collector": "the garbage collector",
    "pod-garbage-collector": "the pod garbage collector",
    "root-ca-cert-publisher": "the root CA certificate publisher",
    "horizontal-pod-autoscaler": "the horizontal pod autoscaler",
    "persistent-volume-binder": "the persistent volume binder",
    "legacy-service-account-token-cleaner": "the legacy service account token cleaner",
    "bootstrap-signer": "the bootstrap signer",
    "token-cleaner": "the token cleaner",
}


def describe_user(username: str) -> str:
    """A plain name for a user: "the scheduler", "the replicaset controller", "alice"."""
    if username == KUBE_SCHEDULER_USER:
        return "the scheduler"
    if username == KUBE_CONTROLLER_MANAGER_USER:
        return "the controller manager"
    if username == KUBE_PROXY_USER:
        return "kube-proxy"
    if username in (ADMIN_USER, SUPER_ADMIN_USER):
        return "the admin"
    if username == ANONYMOUS_USER:
        return "an anonymous user"
    if username.startswith(NODE_USER_PREFIX):
        return f"the kubelet on {username[len(NODE_USER_PREFIX):]}"
    account = split_service_account_username(username)
    if account is not None:
        namespace, name = account
        if namespace == "kube-system" and name in CONTROLLER_ACCOUNT_NAMES:
            return CONTROLLER_ACCOUNT_NAMES[name]
        if namespace == "kube-system" and name.endswith("-controller"):
            return "the " + name[: -len("-controller")].replace("-", " ") + " controller"
        if namespace == "kube-system" and name == "kube-proxy":
            return "kube-proxy"
        return f"service account {namespace}/{name}"
    return username


#: Verbs whose URL is the collection's, never one object's.
_COLLECTION_VERBS = frozenset({"list", "watch", "deletecollection"})

_PAST_TENSE = {
    "create": "created",
    "get": "read",
    "list": "listed",
    "watch": "watched",
    "update": "updated",
    "patch": "patched",
    "delete": "deleted",
    "deletecollection": "deleted a collection of",
}


class AuditEvent(NamedTuple):
    """One API request at stage ResponseComplete (immutable: a named tuple, which costs a
    fifth of a frozen dataclass with as many fields to build, once per request)."""

    seq: int
    timestamp: str
    user: str
    groups: tuple[str, ...]
    verb: str
    api_group: str
    api_version: str
    resource: str
    subresource: str
    namespace: str
    name: str
    code: int
    decision: str  # "allow" | "forbid"
    reason: str = ""
    stage: str = STAGE_RESPONSE_COMPLETE
    component: str = ""
    user_agent: str = ""
    #: The request's query string (``labelSelector=app%3Dweb``), "" for none.
    query: str = ""
    #: An audit ID the caller chose; "" for the one derived from ``seq``.
    given_audit_id: str = ""
    received_timestamp: str = ""

    # The audit ID and the URI are derived when read: a busy cluster records ~12 requests per
    # pod, and few are ever looked at.
    @property
    def audit_id(self) -> str:
        return self.given_audit_id or audit_id_for(self.seq)

    @property
    def request_uri(self) -> str:
        """The URL the request went to: a create of a new object is POSTed to the collection,
        and a list or watch reads the collection, even when ``objectRef.name`` names one
        object (the created object's name, or a ``metadata.name`` field selector's)."""
        to_collection = self.verb in _COLLECTION_VERBS or (self.verb == "create" and not self.subresource)
        return request_uri(self.api_group, self.api_version, self.resource, self.namespace,
                           "" if to_collection else self.name, self.subresource, self.query)

    @property
    def qualified_resource(self) -> str:
        """``pods``, ``pods/binding``, ``deployments.apps/scale``."""
        text = f"{self.resource}.{self.api_group}" if self.api_group else self.resource
        return f"{text}/{self.subresource}" if self.subresource else text

    def describe(self) -> str:
        """One plain sentence, e.g. ``the scheduler (system:kube-scheduler) created
        pods/binding web-1 in default → 201``; a request authorization allowed that failed later
        (an admission refusal, a conflict, a missing object) says it ``tried to``."""
        who = describe_user(self.user)
        if who != self.user:
            who = f"{who} ({self.user})"
        what = self.resource + (f"/{self.subresource}" if self.subresource else "")
        if self.name:
            what += f" {self.name}"
        # A namespace object's own request carries namespace == name; "in foo" would repeat it.
        where = f" in {self.namespace}" if self.namespace and self.resource != "namespaces" else ""
        if self.decision == "forbid":
            action = f"was forbidden to {self.verb}"
        elif self.code >= 400:  # allowed, then refused by admission, validation or the store
            action = f"tried to {self.verb}"
        else:
            action = _PAST_TENSE.get(self.verb, self.verb)
        return f"{who} {action} {what}{where} → {self.code}"

    def to_k8s(self) -> dict:
        """The ``audit.k8s.io/v1`` Event kube-apiserver would log at level Metadata."""
        event: dict = {
            "kind": "Event",
            "apiVersion": "audit.k8s.io/v1",
            "level": "Metadata",
            "auditID": self.audit_id,
            "stage": self.stage,
            "requestURI": self.request_uri,
            "verb": self.verb,
            "user": {"username": self.user, "groups": list(self.groups)},
        }
        if self.user_agent:
            event["userAgent"] = self.user_agent
        if self.resource:
            event["objectRef"] = self._object_ref()
        event["responseStatus"] = self._response_status()
        event["requestReceivedTimestamp"] = self.received_timestamp or self.timestamp
        event["stageTimestamp"] = self.timestamp
        event["annotations"] = {"authorization.k8s.io/decision": self.decision}
        if self.reason:
            event["annotations"]["authorization.k8s.io/reason"] = self.reason
        return event

    def _object_ref(self) -> dict:
        ref: dict = {"resource": self.resource}
        for key, value in (("namespace", self.namespace), ("name", self.name),
                           ("apiGroup", self.api_group), ("apiVersion", self.api_version),
                           ("subresource", self.subresource)):
            if value:
                ref[key] = value
        return ref

    def _response_status(self) -> dict:
        status: dict = {"metadata": {}}
        if self.code >= 300:
            status["status"] = "Failure"
        status["code"] = self.code
        return status


def request_uri(
    api_group: str,
    api_version: str,
    resource: str,
    namespace: str = "",
    name: str = "",
    subresource: str = "",
    query: str = "",
) -> str:
    """The path kube-apiserver serves a request on, e.g.
    ``/api/v1/namespaces/default/pods/web-1/binding`` or
    ``/apis/apps/v1/namespaces/default/deployments?labelSelector=app%3Dweb``."""
    version = api_version or "v1"
    parts = ["/api/" + version if not api_group else f"/apis/{api_group}/{version}"]
    if resource == "namespaces" and not api_group:
        parts.append("/namespaces")
    else:
        if namespace:
            parts.append(f"/namespaces/{namespace}")
        parts.append(f"/{resource}")
    if name:
        parts.append(f"/{name}")
    if subresource:
        parts.append(f"/{subresource}")
    uri = "".join(parts)
    return f"{uri}?{query}" if query else uri


Subscriber = Callable[[AuditEvent], None]


#: ``AuditEvent(...)`` with every field given, without NamedTuple's Python-level ``__new__``
#: (one per request).
_new_event = tuple.__new__


class AuditLog:
    """A thread-safe ring buffer of AuditEvents with filters and synchronous subscribers."""

    def __init__(self, capacity: int = 100_000) -> None:
        if not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"capacity must be a positive integer, got {capacity!r}")
        self.capacity = capacity
        self._events: deque[AuditEvent] = deque(maxlen=capacity)
        self._seq = 0
        self._lock = threading.Lock()
        self._subscribers: tuple[Subscriber, ...] = ()
        self._components: dict[str, str] = {}
        self.subscriber_errors = 0
        self.last_subscriber_error: BaseException | None = None

    def record(
        self,
        *,
        timestamp: str,
        user: str,
        groups=(),
        verb: str,
        resource: str = "",
        api_group: str = "",
        api_version: str = "",
        subresource: str = "",
        namespace: str = "",
        name: str = "",
        code: int = 200,
        decision: str = "allow",
        reason: str = "",
        user_agent: str = "",
        audit_id: str = "",
        query: str = "",
        received_timestamp: str = "",
    ) -> AuditEvent:
        """Append one event (the next seq) and tell the subscribers; returns the event."""
        if decision not in ("allow", "forbid"):
            raise ValueError(f'decision must be "allow" or "forbid", got {decision!r}')
        component = self._components.get(user)
        if component is None:
            component = self._components.setdefault(user, component_for(user))
        with self._lock:
            self._seq += 1
            seq = self._seq
            event = _new_event(AuditEvent, (  # every field given: NamedTuple's __new__ not needed
                seq, timestamp, user, tuple(groups), verb, api_group, api_version, resource,
                subresource, namespace, name, code, decision, reason, STAGE_RESPONSE_COMPLETE,
                component, user_agent, query, audit_id, received_timestamp,
            ))
            self._events.append(event)
            subscribers = self._subscribers
        for subscriber in subscribers:
            try:
                subscriber(event)
            except Exception as error:  # a broken widget must not break the API server
                self.subscriber_errors += 1
                self.last_subscriber_error = error
        return event

    def records(
        self,
        since: int = 0,
        *,
        user: str | None = None,
        verb: str | None = None,
        resource: str | None = None,
    ) -> list[AuditEvent]:
        """Events with ``seq > since`` still in the buffer, oldest first, optionally filtered.

        ``resource`` matches the plain resource (``"pods"``, also matching its subresources)
        or one subresource (``"pods/binding"``).
        """
        with self._lock:
            newer = min(max(self._seq - since, 0), len(self._events))
            events = list(itertools.islice(reversed(self._events), newer))
        events.reverse()
        if user is None and verb is None and resource is None:
            return events
        return [e for e in events if _matches(e, user, verb, resource)]

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Call ``fn(event)`` after every record; returns a function that unsubscribes."""
        with self._lock:
            self._subscribers = self._subscribers + (fn,)

        def unsubscribe() -> None:
            with self._lock:
                remaining = list(self._subscribers)
                if fn in remaining:
                    remaining.remove(fn)
                self._subscribers = tuple(remaining)

        return unsubscribe

    def clear(self) -> None:
        """Drop every buffered event; sequence numbers keep counting up."""
        with self._lock:
            self._events.clear()

    @property
    def last_seq(self) -> int:
        return self._seq

    def __len__(self) -> int:
        return len(self._events)


def _matches(event: AuditEvent, user: str | None, verb: str | None, resource: str | None) -> bool:
    if user is not None and event.user != user:
        return False
    if verb is not None and event.verb != verb:
        return False
    if resource is not None:
        base, _, sub = resource.partition("/")
        if event.resource != base or (sub and event.subresource != sub):
            return False
    return True
