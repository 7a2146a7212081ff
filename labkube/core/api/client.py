"""The Client: how every component (and every student) talks to the API server.

Mirrors client-go's typed and dynamic clients (``Create``, ``Get``, ``List``, ``Update``,
``Patch``, ``Delete``, ``DeleteCollection``, ``Watch``) and ``kubectl auth can-i``. A Client is
bound to one user; every call becomes a :class:`~labkube.core.api.request.Request` for
:meth:`APIServer.handle`, so it is authenticated, authorized, admitted and audited exactly as
kubectl's requests are.

Conventions:

* ``resource`` is a :class:`ResourceType` or a kubectl-style name (``"pods"``, ``"po"``,
  ``"deploy"``, ``"deployments.apps"``).
* Namespaces: for namespaced kinds ``create``/``get``/``update``/``patch``/``delete`` use the
  ``namespace`` argument, else the object's ``metadata.namespace``, else ``"default"``;
  ``list``/``watch``/``delete_collection`` with ``namespace=None`` cover all namespaces.
* Every dict returned is a fresh copy the caller may change. Every failure is a
  :class:`~labkube.core.errors.StatusError` carrying the Kubernetes ``Status``.
* Writes (create, update, patch) send the client's ``fieldValidation``: none by default, so the
  server's default ``Warn`` applies (an unknown field is dropped and warned about); kubectl's
  clients send ``Strict`` or what ``--validate`` says (:meth:`Client.with_field_validation`).
  The server's warnings go to the client's warning handler, as client-go's ``WarningHandler``:
  by default a Python warning (:class:`KubernetesWarning`), as client-go logs them by default.
* ``list`` returns the list object (``{"kind": "PodList", "apiVersion": "v1", "metadata":
  {"resourceVersion": ...}, "items": [...]}``); as from a real kube-apiserver, the items carry
  no ``apiVersion``/``kind`` of their own.
* Each request is served holding the cluster clock's lock (:attr:`Clock.lock
  <labkube.core.clock.Clock.lock>`): a notebook's request to a real-time cluster lands between
  two timers of the clock's thread, never in the middle of a scheduler cycle or a kubelet sync.
  Components' requests, made from inside a timer, already hold it.
"""

from __future__ import annotations

import copy
import threading
import warnings as python_warnings
from typing import Any, Callable, Optional, Union

from labkube.core import errors
from labkube.core.api.request import DEFAULT_OPTIONS, Options, Request
from labkube.core.api.resources import ResourceType

Resource = Union[ResourceType, str]

#: The parent resource of subresources whose body is another kind.
_SUBRESOURCE_PARENTS = {"binding": "pods", "eviction": "pods"}

#: The verbs whose responses may carry warnings labkube's server gives (unknown fields).
_WARNING_VERBS = frozenset(("create", "update", "patch"))


class KubernetesWarning(UserWarning):
    """A warning the API server returned with a response (an HTTP ``Warning`` header)."""


def _python_warning(text: str) -> None:
    """client-go's default ``WarningHandler`` logs each warning; a Python program sees one."""
    python_warnings.warn(text, KubernetesWarning, stacklevel=4)


class Client:
    """A user's handle on the API server."""

    def __init__(self, server: Any, user: Any = None, *, field_validation: Optional[str] = None,
                 on_warning: Callable[[str], None] = _python_warning) -> None:
        self.server = server
        self._user = user
        self._field_validation = field_validation
        self._on_warning = on_warning
        self._clock_lock = _clock_lock(server)

    @property
    def user(self) -> Any:
        return self._user

    def as_user(self, user: Any) -> "Client":
        """The same server, another identity (``kubectl --as``)."""
        return Client(self.server, user, field_validation=self._field_validation,
                      on_warning=self._on_warning)

    def with_field_validation(self, field_validation: Optional[str],
                              on_warning: Optional[Callable[[str], None]] = None) -> "Client":
        """The same user, whose writes send ``fieldValidation`` (``"Strict"``, ``"Warn"``,
        ``"Ignore"``; ``None``: the server's default) and whose warnings go to ``on_warning``
        (default: this client's handler), as kubectl's ``--validate`` sets them. A copy, so a
        subclass stays what it is."""
        configured = copy.copy(self)
        configured._field_validation = field_validation
        configured._on_warning = on_warning or self._on_warning
        return configured

    # -- helpers ----------------------------------------------------------------------
    def _rtype(self, resource: Resource) -> ResourceType:
        return self.server.resolve(resource)

    def _send(self, verb: str, rtype: ResourceType, namespace: Optional[str] = None,
              name: Optional[str] = None, *, subresource: Optional[str] = None, body: Any = None,
              options: Optional[Options] = None) -> Any:
        if name.__class__ is not str and name is not None or namespace.__class__ is not str and namespace is not None:
            raise TypeError(f"an object's name and namespace are strings, not {_type_names(name, namespace)}")
        warnings = [] if verb in _WARNING_VERBS else None
        # A component's request, made inside a timer, holds the clock's lock already (and
        # ``with`` on a lock costs as much as a small request); a caller outside takes it.
        lock = self._clock_lock
        held = lock._is_owned()
        if not held:
            lock.acquire()
        try:  # a bearer token's user is looked up in the cluster too: under the lock
            request = Request(verb, rtype, namespace if rtype.namespaced else None, name, subresource,
                              body, self._user, options or DEFAULT_OPTIONS, warnings)
            result = self.server.handle(request)
        finally:
            if not held:
                lock.release()
        for text in warnings or ():
            self._on_warning(text)
        return result

    @staticmethod
    def _namespace(rtype: ResourceType, namespace: Optional[str], obj: Optional[dict] = None) -> Optional[str]:
        if not rtype.namespaced:
            return None
        if namespace:
            return namespace
        if obj is not None:
            meta = obj.get("metadata") or {}
            if isinstance(meta, dict) and isinstance(meta.get("namespace"), str) and meta["namespace"]:
                return meta["namespace"]  # one of another type addresses nothing; the server refuses it
        return "default"

    def _kind_of(self, obj: Any) -> ResourceType:
        if not isinstance(obj, dict):
            raise errors.bad_request(f"Object 'Kind' is missing in '{obj!r}'")
        kind, api_version = obj.get("kind"), obj.get("apiVersion")
        if not kind:
            raise errors.bad_request(f"Object 'Kind' is missing in '{_compact(obj)}'")
        if not api_version:
            raise errors.bad_request(f"Object 'apiVersion' is missing in '{_compact(obj)}'")
        return self.server.kind_type(api_version, kind)

    # -- verbs ------------------------------------------------------------------------
    def create(self, obj: dict, namespace: Optional[str] = None, *, subresource: Optional[str] = None,
               dry_run: bool = False, hand_over: bool = False) -> dict:
        """POST: create ``obj`` (or, with ``subresource="binding"``, bind a pod: ``obj`` is a
        ``v1`` Binding named after the pod). Returns the created object (a ``Status`` for
        binding). ``hand_over``: ``obj`` is the server's from now on (see ``Options``); the
        caller must not read or change it again."""
        options = _write_options(dry_run, hand_over, self._field_validation)
        if subresource in _SUBRESOURCE_PARENTS:
            rtype = self._rtype(_SUBRESOURCE_PARENTS[subresource])
            meta = (obj or {}).get("metadata") or {}
            return self._send("create", rtype, self._namespace(rtype, namespace, obj), meta.get("name"),
                              subresource=subresource, body=obj, options=options)
        rtype = self._kind_of(obj)
        return self._send("create", rtype, self._namespace(rtype, namespace, obj), None,
                          subresource=subresource, body=obj, options=options)

    # -- subresources served by kubelets, evictions, metrics -------------------------
    def pod_logs(self, name: str, namespace: Optional[str] = None, *, container: Optional[str] = None,
                 previous: bool = False, tail_lines: Optional[int] = None, timestamps: bool = False,
                 since_seconds: Optional[int] = None, since_time: Optional[str] = None,
                 limit_bytes: Optional[int] = None) -> str:
        """GET pods/log: a container's output (``kubectl logs``); ``since_time`` is RFC 3339."""
        options = {"container": container, "previous": previous, "tailLines": tail_lines,
                   "timestamps": timestamps, "sinceSeconds": since_seconds, "sinceTime": since_time,
                   "limitBytes": limit_bytes}
        return self._send("get", self._rtype("pods"), namespace or "default", name,
                          subresource="log", body=options)

    def pod_log_stream(self, name: str, namespace: Optional[str] = None, *, container: Optional[str] = None,
                       previous: bool = False, tail_lines: Optional[int] = None, timestamps: bool = False,
                       since_seconds: Optional[int] = None, since_time: Optional[str] = None,
                       limit_bytes: Optional[int] = None) -> Any:
        """GET pods/log?follow=true (``kubectl logs -f``): a stream whose ``read()`` returns the
        text written since the last read, and whose ``ended`` turns true when the container
        exits. Time passes only on the cluster clock: run it between reads."""
        options = {"container": container, "previous": previous, "tailLines": tail_lines,
                   "timestamps": timestamps, "sinceSeconds": since_seconds, "sinceTime": since_time,
                   "limitBytes": limit_bytes, "follow": True}
        return self._send("get", self._rtype("pods"), namespace or "default", name,
                          subresource="log", body=options)

    def pod_exec(self, name: str, namespace: Optional[str] = None, command: Optional[list] = None, *,
                 container: Optional[str] = None, timeout: float = 300.0) -> Any:
        """POST pods/exec: run a command in a container and wait for it (``kubectl exec``).

        Returns the runtime's ExecResult (``exit_code``, ``stdout``, ``stderr``). A command that
        takes simulated time (``sleep 5``) lets the simulated clock run until it finishes, as
        the terminal would wait.
        """
        command = [] if command is None else command
        if not isinstance(command, (list, tuple)) or not all(isinstance(word, str) for word in command):
            raise TypeError('the command is a list of strings, e.g. ["sh", "-c", "ls /"] '
                            f"(as in a pod's exec API), not {command!r}")
        operation = self._send("create", self._rtype("pods"), namespace or "default", name,
                               subresource="exec", body={"command": list(command),
                                                         "container": container})
        _wait(self.server.clock, operation, timeout)
        return operation.result()

    def evict(self, name: str, namespace: Optional[str] = None, *,
              grace_period_seconds: Optional[int] = None) -> dict:
        """POST pods/eviction (``kubectl drain``): a delete that disruption budgets may refuse."""
        body = {"apiVersion": "policy/v1", "kind": "Eviction",
                "metadata": {"name": name, "namespace": namespace or "default"}}
        if grace_period_seconds is not None:
            body["deleteOptions"] = {"gracePeriodSeconds": grace_period_seconds}
        return self._send("create", self._rtype("pods"), namespace or "default", name,
                          subresource="eviction", body=body)

    def create_token(self, name: str, namespace: Optional[str] = None, *,
                     audiences: Optional[list] = None, expiration_seconds: Optional[int] = None,
                     bound_object_ref: Optional[dict] = None) -> dict:
        """POST serviceaccounts/token (``kubectl create token``): the TokenRequest answered,
        its signed token in ``status.token``. ``bound_object_ref`` is e.g. ``{"kind": "Pod",
        "apiVersion": "v1", "name": "web"}``: the token dies with that object."""
        spec: dict = {"audiences": list(audiences) if audiences else None}
        if expiration_seconds is not None:
            spec["expirationSeconds"] = expiration_seconds
        if bound_object_ref is not None:
            spec["boundObjectRef"] = bound_object_ref
        body = {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "spec": spec}
        return self._send("create", self._rtype("serviceaccounts"), namespace or "default", name,
                          subresource="token", body=body)

    def node_metrics(self) -> dict:
        """metrics.k8s.io/v1beta1 NodeMetricsList (``kubectl top nodes``)."""
        with self._clock_lock:
            return self.server.metrics(self.user, "nodes")

    def pod_metrics(self, namespace: Optional[str] = None) -> dict:
        """metrics.k8s.io/v1beta1 PodMetricsList (``kubectl top pods``); None = every namespace."""
        with self._clock_lock:
            return self.server.metrics(self.user, "pods", namespace)

    def get(self, resource: Resource, name: str, namespace: Optional[str] = None, *,
            subresource: Optional[str] = None) -> dict:
        """GET one object (``subresource="scale"`` gives an ``autoscaling/v1`` Scale)."""
        rtype = self._rtype(resource)
        return self._send("get", rtype, self._namespace(rtype, namespace), name, subresource=subresource)

    def list(self, resource: Resource, namespace: Optional[str] = None, *,
             label_selector: Optional[str] = None, field_selector: Optional[str] = None,
             limit: Optional[int] = None, continue_: Optional[str] = None,
             resource_version: Optional[str] = None,
             resource_version_match: Optional[str] = None) -> dict:
        """LIST: the list object; ``namespace=None`` lists every namespace."""
        rtype = self._rtype(resource)
        options = Options(label_selector=label_selector, field_selector=field_selector, limit=limit,
                          continue_=continue_, resource_version=resource_version,
                          resource_version_match=resource_version_match)
        return self._send("list", rtype, namespace, options=options)

    def update(self, obj: dict, *, subresource: Optional[str] = None, dry_run: bool = False,
               resource: Optional[Resource] = None) -> dict:
        """PUT ``obj`` (its ``metadata.resourceVersion`` is the optimistic-concurrency
        precondition; leave it out to overwrite). ``subresource="status"`` writes only
        status; ``"scale"`` takes a Scale and needs ``resource`` (e.g. ``"deployments"``)."""
        if subresource == "scale":
            if resource is None:
                raise errors.bad_request("update of the scale subresource needs resource=")
            rtype = self._rtype(resource)
        else:
            rtype = self._kind_of(obj)
        meta = obj.get("metadata") or {}
        return self._send("update", rtype, self._namespace(rtype, None, obj), meta.get("name"),
                          subresource=subresource, body=obj,
                          options=_write_options(dry_run, field_validation=self._field_validation))

    def patch(self, resource: Resource, name: str, patch: Any, *, namespace: Optional[str] = None,
              patch_type: str = "strategic", subresource: Optional[str] = None,
              dry_run: bool = False, hand_over: bool = False) -> dict:
        """PATCH with ``patch_type`` ``"strategic"`` (default, as kubectl), ``"merge"`` or
        ``"json"``; ``patch`` is a dict/list or JSON text. ``hand_over``: the values in
        ``patch`` are the server's from now on (see ``Options``)."""
        rtype = self._rtype(resource)
        return self._send("patch", rtype, self._namespace(rtype, namespace), name, subresource=subresource,
                          body=patch, options=Options(dry_run=dry_run, patch_type=patch_type, hand_over=hand_over,
                                          field_validation=self._field_validation))

    def delete(self, resource: Resource, name: str, namespace: Optional[str] = None, *,
               propagation_policy: Optional[str] = None, grace_period_seconds: Optional[int] = None,
               preconditions: Optional[dict] = None, dry_run: bool = False) -> dict:
        """DELETE: the object (when it stays, or for kinds that return it) or a Success
        ``Status``. ``preconditions`` is ``{"uid": ..., "resourceVersion": ...}``."""
        rtype = self._rtype(resource)
        options = Options(dry_run=dry_run, propagation_policy=propagation_policy,
                          grace_period_seconds=grace_period_seconds, preconditions=preconditions)
        return self._send("delete", rtype, self._namespace(rtype, namespace), name, options=options)

    def delete_collection(self, resource: Resource, namespace: Optional[str] = None, *,
                          label_selector: Optional[str] = None, field_selector: Optional[str] = None,
                          propagation_policy: Optional[str] = None,
                          grace_period_seconds: Optional[int] = None, dry_run: bool = False) -> dict:
        """DELETE on the collection: every matching object; returns the list of them."""
        rtype = self._rtype(resource)
        options = Options(label_selector=label_selector, field_selector=field_selector, dry_run=dry_run,
                          propagation_policy=propagation_policy, grace_period_seconds=grace_period_seconds)
        return self._send("deletecollection", rtype, namespace, options=options)

    def watch(self, resource: Resource, namespace: Optional[str] = None, *,
              resource_version: Optional[str] = None, label_selector: Optional[str] = None,
              field_selector: Optional[str] = None, read_only: bool = False) -> Any:
        """WATCH: a :class:`~labkube.core.api.watch.Watch` of ``{"type", "object"}`` events.

        ``resource_version=None`` or ``"0"`` first sends ADDED for every current object;
        a resourceVersion from a list streams the changes after it. ``read_only=True``
        promises never to modify the objects received (informers do): they may then be
        shared with other read-only watches instead of being copied for each."""
        rtype = self._rtype(resource)
        options = Options(label_selector=label_selector, field_selector=field_selector,
                          resource_version=resource_version, read_only=read_only)
        return self._send("watch", rtype, namespace, options=options)

    def can_i(self, verb: str, resource: Resource, namespace: Optional[str] = None,
              name: Optional[str] = None, subresource: Optional[str] = None) -> bool:
        """``kubectl auth can-i``: would this user be allowed?"""
        from labkube.core.api import auth

        rtype = self._rtype(resource)
        user = self._user if self._user is not None else auth.ANONYMOUS
        attrs = auth.request_attributes(
            user, verb, rtype.plural, namespace=namespace if rtype.namespaced else None, name=name,
            api_group=rtype.group, subresource=subresource,
        )
        with self._clock_lock:
            return self.server.authorize(attrs).allowed

    def who_am_i(self) -> dict:
        """``kubectl auth whoami``: the SelfSubjectReview kube-apiserver answers, the user it
        authenticated this client as (name, UID, groups, extra)."""
        from labkube.core.api import auth

        user = self._user if self._user is not None else auth.ANONYMOUS
        info: dict = {"username": user.name}
        if user.uid:
            info["uid"] = user.uid
        if user.groups:
            info["groups"] = list(user.groups)
        if user.extra:
            info["extra"] = {key: list(values) for key, values in sorted(user.extra.items())}
        return {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
                "metadata": {"creationTimestamp": self.server.clock.timestamp()},
                "status": {"userInfo": info}}

    def __repr__(self) -> str:
        name = getattr(self._user, "name", None)
        return f"<labkube Client user={name!r}>"


class BearerTokenClient(Client):
    """A client that sends a bearer token rather than being a known user (``kubectl --token``,
    ``curl -H "Authorization: Bearer $TOKEN"``). Every request is authenticated anew by
    ``authenticate(token)`` (kube-apiserver's token authenticators: a UserInfo, or
    :class:`~labkube.core.api.token_auth.InvalidToken`), so a token that has expired, or whose
    pod or ServiceAccount is gone, is refused from that moment: 401 ``Unauthorized``, never a
    fall back to anonymous."""

    def __init__(self, server: Any, token: str, authenticate: Callable[[str], Any], **kwargs: Any) -> None:
        self._token = token
        self._authenticate = authenticate
        super().__init__(server, None, **kwargs)

    @property
    def _user(self) -> Any:  # read by every request: the token is checked each time
        from labkube.core.api.token_auth import InvalidToken

        try:
            return self._authenticate(self._token)
        except InvalidToken:
            raise errors.StatusError(401, "Unauthorized", "Unauthorized") from None

    @_user.setter
    def _user(self, _value: Any) -> None:
        """The token, not an assignment, says who this client is."""

    def __repr__(self) -> str:
        return "<labkube Client bearer token>"


def _compact(obj: dict) -> str:
    import json

    return json.dumps(obj, separators=(",", ":"), sort_keys=True, default=str)


_WRITE_OPTIONS = {(dry_run, hand_over, directive): Options(dry_run=dry_run, hand_over=hand_over,
                                                            field_validation=directive)
                  for dry_run in (False, True) for hand_over in (False, True)
                  for directive in (None, "Strict", "Warn", "Ignore")}
_WRITE_OPTIONS[False, False, None] = DEFAULT_OPTIONS


def _write_options(dry_run: bool, hand_over: bool = False, field_validation: Optional[str] = None) -> Options:
    """The options of a create or update: Options is immutable, so all requests share these
    (a field validation the server does not know gets options of its own, for it to refuse)."""
    options = _WRITE_OPTIONS.get((bool(dry_run), bool(hand_over), field_validation))
    if options is None:
        options = Options(dry_run=bool(dry_run), hand_over=bool(hand_over), field_validation=field_validation)
    return options


def _wait(clock: Any, operation: Any, timeout: float) -> None:
    """Wait for a runtime Operation: run a simulated clock, or wait for a real-time one (whose
    ``run_until`` lets go of the clock's lock meanwhile: its thread finishes the operation)."""
    if getattr(operation, "done", True):
        return
    clock.run_until(lambda: operation.done, timeout)


def _clock_lock(server: Any) -> Any:
    """The lock of the server's clock, which a request holds (a test's stand-in server without
    a clock: a lock of the client's own)."""
    clock = getattr(server, "clock", None)
    return threading.RLock() if clock is None else clock.lock


def _type_names(*values: Any) -> str:
    return " and ".join(type(v).__name__ for v in values if v is not None and v.__class__ is not str)
