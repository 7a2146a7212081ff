"""The API server: every request's way from a user to the store and back.

Mirrors kube-apiserver's request pipeline (k8s.io/apiserver/pkg/endpoints/handlers and
pkg/registry/generic/registry/store.go, with rest/create.go, rest/update.go, rest/delete.go):

    resolve the resource → authenticate (the Request carries its user) → authorize (RBAC)
    → decode (fieldValidation: Strict / Warn / Ignore) + default → mutating admission
    → strategy (PrepareForCreate/Update, system fields) → validate → validating admission
    → store transaction (compare-and-swap) → audit record → response

What it guarantees, as kube-apiserver does:

* **create** fills ``uid``, ``creationTimestamp``, ``resourceVersion`` (the store's mod
  revision, as a string), ``generation`` for kinds that keep one, a name for ``generateName``
  (five random characters, retried on collision), and resets status where the kind has a
  status subresource. A name that exists is 409 AlreadyExists; a body namespace that differs
  from the request's is 400 (``the namespace of the provided object does not match the
  namespace sent on the request``).
* **update** is optimistic: a stale ``resourceVersion`` is 409 Conflict (``Operation cannot be
  fulfilled on deployments.apps "web": the object has been modified; please apply your
  changes to the latest version and try again``); an empty one overwrites unconditionally;
  ``uid`` and ``creationTimestamp`` cannot change; status and spec are separated by the
  subresource used; ``generation`` bumps on spec changes only; a no-op update writes nothing
  and keeps the resourceVersion.
* **patch** applies the patch to the current object and then follows the update path,
  retrying on a conflict it did not ask for (as kube's patcher does).
* **delete** is graceful where Kubernetes is: finalizers keep an object (with
  ``deletionTimestamp``) until they are removed; ``propagationPolicy`` Orphan and Foreground
  add the ``orphan``/``foregroundDeletion`` finalizers (the garbage collector that honours them
  is a later issue's controller); a Pod bound to a node waits its grace period for the
  kubelet; a Namespace goes ``Terminating`` for the namespace controller. An immediate delete
  returns the object for Pods, Services, Namespaces and ServiceAccounts (``ReturnDeletedObject``)
  and a ``Status`` of ``Success`` for the rest; an object that stays is returned as it now is.
* **watch** (see :mod:`labkube.core.api.watch`) and **list** (see :mod:`.listing`).
* Subresources: ``status`` (get/update/patch), ``scale`` (Deployments, ReplicaSets:
  ``autoscaling/v1`` Scale), ``binding`` (create on pods), ``finalize`` (namespaces).
* A failed request — invalid, forbidden, conflicting — changes nothing in the store, and a
  dry run changes nothing either. Every request, allowed or not, is audited.

Objects live in the store as JSON bytes with ``metadata.resourceVersion`` stored empty (kube
never stores it either: it comes from the key's mod revision when read). What the server
returns is always a fresh dict.

We do not model server-side apply, so ``metadata.managedFields`` is never written.
"""

from __future__ import annotations

import threading
from urllib.parse import quote_plus
from typing import Any, Callable, Optional

from labkube.core import errors, serialization
from labkube.core.api import auth, decode, defaults, eviction, node_proxy, proxy_rest, tokenrequest, ttl, validation
from labkube.core.api.admission import CREATE, AdmissionAttributes, AdmissionChain, default_chain
from labkube.core.api.allocators import IPAllocator, PortAllocator
from labkube.core.api.customresource import CustomResourceType
from labkube.core.api.deletes import DeleteVerbs, success_status
from labkube.core.api import conversion
from labkube.core.api import rbac
from labkube.core.api.events_conversion import EVENTS_GROUP
from labkube.core.api.labels import SelectorError, parse_field_selector
from labkube.core.api.node_authorizer import GRAPH_RESOURCES, kubeadm_authorizer
from labkube.core.api.node_graph import PodsByNode
from labkube.core.api.objcache import ObjectCache
from labkube.core.api.reads import ReadVerbs
from labkube.core.api.registry import ServerContext, Strategy, StrategyRegistry, default_strategies
from labkube.core.api.registry.pods import bind, validate_binding
from labkube.core.api.registry.strategy import order_metadata
from labkube.core.api.node_proxy import NodeProxy
from labkube.core.api.request import Request
from labkube.core.api.resources import Registry, ResourceType, default_registry
from labkube.core.api.updates import UpdateVerbs
from labkube.core.errors import FieldError, StatusError
from labkube.core.store import Compare, Op

RBAC_GROUP = "rbac.authorization.k8s.io"
GENERATE_NAME_ATTEMPTS = 8
MAX_GENERATED_BASE = 63 - 5  # names.MaxGeneratedNameLength

_SUCCESS_CODES = {"create": 201}


#: ObjectMeta's collections, all ``omitempty``: empty, they are not encoded.
_OMITTED_WHEN_EMPTY = ("labels", "annotations", "ownerReferences", "finalizers", "managedFields")


class APIServer(ReadVerbs, UpdateVerbs, DeleteVerbs):
    """kube-apiserver in one object: ``handle(Request)`` runs the whole pipeline.

    The verbs live in three mixins, one file each: :class:`~labkube.core.api.reads.ReadVerbs`
    (get, list, watch), :class:`~labkube.core.api.updates.UpdateVerbs` (update, patch, scale)
    and :class:`~labkube.core.api.deletes.DeleteVerbs` (delete, deletecollection); create and
    the pipeline they share are here.

    ``authorizer`` defaults to the union of the ``system:masters`` shortcut and RBAC over the
    stored Roles and bindings; ``audit`` is an :class:`~labkube.core.api.audit.AuditLog` (or
    None). ``admission`` and ``strategies`` are the pluggable parts: later issues call
    ``server.admission.register(...)`` and ``server.strategies.register(...)``.
    """

    def __init__(
        self,
        store: Any,
        clock: Any,
        registry: Optional[Registry] = None,
        authorizer: Any = None,
        audit: Any = None,
        *,
        admission: Optional[AdmissionChain] = None,
        strategies: Optional[StrategyRegistry] = None,
        service_cidr: str = "10.96.0.0/12",
        node_port_range: tuple[int, int] = (30000, 32767),
        event_ttl: int = ttl.DEFAULT_EVENT_TTL,
    ) -> None:
        self.store = store
        self.clock = clock
        #: ``--event-ttl``: seconds an Event lives after its last write (0: forever).
        self.event_ttl = event_ttl
        self._leases = ttl.LeaseManager(store, clock)
        self.registry = registry or default_registry()
        self.audit = audit
        self.admission = admission or default_chain()
        self.strategies = strategies or default_strategies(defaults.service_ip_family_defaults)
        self.ip_allocator = IPAllocator(lambda: self.clock.rng, service_cidr)
        self.port_allocator = PortAllocator(lambda: self.clock.rng, node_port_range)
        self.context = ServerContext(clock, self.ip_allocator, self.port_allocator)
        self._rbac_generation = 0
        #: kube-apiserver as kubeadm runs it: ``--authorization-mode=Node,RBAC`` behind the
        #: system:masters shortcut.
        self.authorizer = authorizer or kubeadm_authorizer(
            self._rbac_lister, generation=lambda: self._rbac_generation, pods_on_node=self._pods_on_node,
            claim_volume=self._claim_volume,
        )
        self._decision_cache: dict = {}
        #: RBAC's guard: Roles and bindings grant only what their author holds (pkg/registry/rbac).
        rbac.register_escalation_check(self.admission, self.authorizer, self.authorize)
        self._name_sensitivity: dict = {}  # (rbac generation, group, resource, subresource) -> bool
        self._node_graph: Optional[PodsByNode] = None
        self._resolved: dict = {}
        #: Decoded objects by key and mod revision: reads hand out copies (see objcache).
        self._objects = ObjectCache()
        #: One watch cache per resource: each store event decoded once for all client watches.
        self._watch_caches: dict = {}
        self._lock = threading.RLock()
        self._stamp: tuple[float, str, str] = (float("nan"), "", "")
        self._handlers: dict[str, Callable[[Request, ResourceType], Any]] = {
            "create": self._create,
            "get": self._get,
            "list": self._list,
            "watch": self._watch,
            "update": self._update,
            "patch": self._patch,
            "delete": self._delete,
            "deletecollection": self._delete_collection,
        }
        #: Subresources answered by a kubelet (log, exec) or by a policy check (eviction).
        self.node_proxy = NodeProxy()
        self._subresource_handlers: dict[tuple[str, str], Callable[[Request, ResourceType], Any]] = {
            ("get", "log"): self._pod_log,
            ("create", "exec"): self._pod_exec,
            ("create", "eviction"): self._pod_eviction,
            ("create", "token"): self._service_account_token,
            **{(verb, "proxy"): self._proxy for verb in ("get", "create", "update", "patch", "delete")},
        }
        #: ``serviceaccounts/token``'s settings (``--api-audiences``, the token flags).
        self.token_rest = tokenrequest.TokenREST()
        self._reserve_allocations()

    # =====================================================================
    # The pipeline
    # =====================================================================
    def handle(self, request: Request) -> Any:
        """Serve one request: a dict (a Watch for ``watch``), or raise StatusError."""
        user = request.user if request.user is not None else auth.ANONYMOUS
        handler = self._subresource_handlers.get((request.verb, request.subresource or "")) \
            or self._handlers.get(request.verb)
        try:
            rtype = self.resolve(request.resource)
        except StatusError as err:
            self._record(request, user, None, err.code, "allow")
            raise
        if handler is None or request.verb not in rtype.verbs:
            err = errors.method_not_supported(rtype.qualified_resource, request.verb)
            self._record(request, user, rtype, err.code, "allow")
            raise err
        if rtype.namespaced and not request.namespace and request.verb in ("get", "patch", "delete"):
            request = request._replace(namespace="default")  # what a kubectl context defaults to
        decision = self._authorize_request(request, user, rtype)
        if not decision.allowed:
            err = auth.forbidden_error(self._attributes(request, user, rtype), decision.reason)
            self._record(request, user, rtype, err.code, "forbid", decision.reason)
            raise err
        # The audit record names the object as the request did (audit.LogRequestObject runs
        # before the handler): a create by generateName is audited without the name the
        # server then gives it -- read now, since a handed-over body gets that name.
        name = _audited_name(request)
        try:
            result = handler(request, rtype)
        except StatusError as err:
            self._record(request, user, rtype, err.code, "allow", decision.reason, name=name)
            raise
        self._record(request, user, rtype, _SUCCESS_CODES.get(request.verb, 200), "allow", decision.reason,
                     name=name)
        return result

    # -- subresources served through kubelets (see node_proxy.py) -----------------
    def _pod_for_subresource(self, request: Request, rtype: ResourceType) -> dict:
        if rtype.kind != "Pod" or request.subresource not in rtype.subresources:
            raise errors.not_found(rtype.qualified_resource, request.name or "")
        pod = self.read("pods", request.namespace, request.name or "")
        if pod is None:
            raise errors.not_found("pods", request.name or "")
        return pod

    def _pod_log(self, request: Request, rtype: ResourceType) -> str:
        pod = self._pod_for_subresource(request, rtype)
        return node_proxy.pod_logs(self.node_proxy, pod, request.body or {})

    def _pod_exec(self, request: Request, rtype: ResourceType) -> Any:
        pod = self._pod_for_subresource(request, rtype)
        return node_proxy.pod_exec(self.node_proxy, pod, request.body or {})

    def _pod_eviction(self, request: Request, rtype: ResourceType) -> dict:
        """EvictionREST: a delete that PodDisruptionBudgets may refuse (see eviction.py)."""
        self._pod_for_subresource(request, rtype)
        return eviction.evict(self, request, rtype)

    def _proxy(self, request: Request, rtype: ResourceType) -> proxy_rest.ProxiedResponse:
        """ProxyREST: an HTTP request relayed to a pod or a service's pod (see proxy_rest.py)."""
        if rtype.kind not in ("Pod", "Service") or rtype.group:
            raise errors.not_found(rtype.qualified_resource, request.name or "")
        return proxy_rest.serve(self, request, rtype.kind)

    def _service_account_token(self, request: Request, rtype: ResourceType) -> dict:
        """TokenREST: a signed token for a ServiceAccount (see tokenrequest.py)."""
        return self.token_rest.create(self, request, rtype)

    def metrics(self, user: Any, kind: str, namespace: Optional[str] = None) -> dict:
        """metrics.k8s.io/v1beta1 NodeMetricsList or PodMetricsList, as metrics-server serves it."""
        resource = "nodes" if kind == "nodes" else "pods"
        attrs = auth.request_attributes(user, "list", resource, namespace=namespace,
                                        api_group="metrics.k8s.io")
        decision = self._authorize(attrs)
        if not decision.allowed:
            raise auth.forbidden_error(attrs, decision.reason)
        if self.node_proxy.metrics is None:
            raise errors.StatusError(404, "NotFound", "the server could not find the requested resource")
        nodes, pods = self.node_proxy.metrics()
        if resource == "nodes":
            return node_proxy.node_metrics_list(nodes)
        selected = [p for p in pods if namespace is None or p["metadata"]["namespace"] == namespace]
        return node_proxy.pod_metrics_list(selected)

    def resolve(self, resource: Any) -> ResourceType:
        """A ResourceType for a ResourceType or a kubectl-style name (cached)."""
        if resource.__class__ is ResourceType:  # what the components' clients send
            return resource
        if isinstance(resource, CustomResourceType):
            return self._current_custom_type(resource)
        if isinstance(resource, ResourceType):
            return resource
        rtype = self._resolved.get(resource)
        if rtype is None:
            rtype = self.registry.resolve(resource)
            self._resolved[resource] = rtype
        return rtype

    def _current_custom_type(self, rtype: CustomResourceType) -> ResourceType:
        """What a custom resource is now: its CRD may have changed or gone since a client
        (an informer, a notebook controller) took the type."""
        try:
            return self.resolve(f"{rtype.plural}.{rtype.version}.{rtype.group}")
        except StatusError:
            raise StatusError(404, "NotFound", "the server could not find the requested resource") from None

    def resources_changed(self) -> None:
        """The registry gained or lost a resource (a CRD was established or deleted): forget
        the cached name resolutions."""
        self._resolved = {}

    def kind_type(self, api_version: str, kind: str) -> ResourceType:
        """The ResourceType serving ``apiVersion``/``kind`` (cached), or kubectl's no-match error."""
        key = (api_version, kind)
        rtype = self._resolved.get(key)
        if rtype is None:
            rtype = self.registry.for_kind(api_version, kind)
            self._resolved[key] = rtype
        return rtype

    def strategy(self, rtype: ResourceType) -> Strategy:
        return self.strategies.for_type(rtype)

    # -- authorization ----------------------------------------------------------
    def _attributes(self, request: Request, user: Any, rtype: ResourceType) -> auth.Attributes:
        namespace = request.namespace if rtype.namespaced else None
        name = _routed_name(request) or None
        return auth.request_attributes(
            user, request.verb, rtype.plural, namespace=namespace, name=name,
            api_group=rtype.group, subresource=request.subresource,
        )

    def _authorize_request(self, request: Request, user: Any, rtype: ResourceType) -> auth.Decision:
        """:meth:`_authorize` of :meth:`_attributes`, keyed by the attributes' fields: a cached
        decision (every request but the first of its kind) costs no ``Attributes`` object."""
        namespace = (request.namespace or "") if rtype.namespaced else ""
        verb, subresource = request.verb, request.subresource or ""
        name = _routed_name(request)
        resource, group = rtype.plural, rtype.group
        if resource == "namespaces" and not group and name:
            namespace = name  # as auth.request_attributes
        key_name = name if name and self._name_sensitive(group, resource, subresource) else ""
        graph = self._graph_generation_of(resource, user) if resource in GRAPH_RESOURCES else 0
        key = (self._rbac_generation, graph, user, verb, namespace, group, resource, subresource, key_name)
        decision = self._decision_cache.get(key)
        if decision is None:
            decision = self.authorizer.authorize(self._attributes(request, user, rtype))
            if len(self._decision_cache) > 50_000:
                self._decision_cache.clear()
            self._decision_cache[key] = decision
        return decision

    def _name_sensitive(self, group: str, resource: str, subresource: str) -> bool:
        """Whether the authorizer's decisions on such requests can depend on the object's
        name (see ``auth.name_sensitive``); when not, one cached decision serves every name
        -- a pod's binding and status writes are then decided once, not once per pod."""
        key = (self._rbac_generation, group, resource, subresource)
        known = self._name_sensitivity.get(key)
        if known is None:
            if len(self._name_sensitivity) > 10_000:
                self._name_sensitivity.clear()
            known = self._name_sensitivity[key] = auth.name_sensitive(self.authorizer, group, resource, subresource)
        return known

    def authorize(self, attrs: auth.Attributes) -> auth.Decision:
        """The authorizer's decision, cached until an RBAC object changes."""
        return self._authorize(attrs)

    def _authorize(self, attrs: auth.Attributes) -> auth.Decision:
        # Decisions depend only on the RBAC objects, so they are cached per RBAC generation.
        # A kubelet's read of a Secret, ConfigMap, PVC or PV also depends on the pods bound to
        # its node (the Node authorizer's graph): those are cached per that node's generation.
        cache = self._decision_cache
        key = (self._rbac_generation, self._graph_generation(attrs), attrs)
        decision = cache.get(key)
        if decision is None:
            decision = self.authorizer.authorize(attrs)
            if len(cache) > 50_000:
                cache.clear()
            cache[key] = decision
        return decision

    def _graph_generation(self, attrs: auth.Attributes) -> int:
        """The Node authorizer's graph version for a kubelet's graph read, else 0."""
        return self._graph_generation_of(attrs.resource, attrs.user)

    def _graph_generation_of(self, resource: str, user: Any) -> int:
        if resource not in GRAPH_RESOURCES or auth.NODES_GROUP not in user.groups:
            return 0
        node = auth.node_name(user)
        return self._pods_by_node().generation(node) if node else 0

    def _pods_by_node(self) -> PodsByNode:
        """The pod → node index, fed by the pod watch cache (built on first use)."""
        cache = self._watch_cache(self.resolve("pods"))
        if self._node_graph is None:
            self._node_graph = PodsByNode()
            kvs = cache.add_listener(self._node_graph.observe)
            self._node_graph.load(kvs, cache.fields_of, self._readonly)
        else:
            cache.sync()
        return self._node_graph

    def _pods_on_node(self, node: str) -> list:
        """For the Node authorizer: the pods bound to ``node`` (read-only)."""
        get = self.store.get
        kvs = [get(key) for key in self._pods_by_node().keys(node)]
        return [self._readonly(kv) for kv in kvs if kv is not None]

    def _claim_volume(self, namespace: str, claim: str) -> str:
        """For the Node authorizer: the PersistentVolume a claim is bound to ("" if none)."""
        found = self.read("persistentvolumeclaims", namespace, claim)
        return ((found or {}).get("spec") or {}).get("volumeName") or ""

    def invalidate_caches(self) -> None:
        """Forget cached authorization decisions and decoded objects. The server's own writes
        keep its caches right; call this after changing the store behind its back (a restore)."""
        with self._lock:
            self._rbac_generation += 1
            self._decision_cache.clear()
            self._objects.clear()
            if self._node_graph is not None:  # rebuilt from the store on next use
                self._watch_cache(self.resolve("pods")).remove_listener(self._node_graph.observe)
                self._node_graph = None

    def _rbac_changed(self, rtype: ResourceType) -> None:
        if rtype.group == RBAC_GROUP:
            with self._lock:
                self._rbac_generation += 1
                self._decision_cache.clear()

    def _rbac_lister(self, plural: str, namespace: Optional[str]) -> list:
        rtype = self.resolve(f"{plural}.{RBAC_GROUP}")
        return [self._readonly(kv) for kv in self.store.range_prefix(rtype.prefix(namespace)).kvs]

    # -- time ---------------------------------------------------------------------
    def _timestamps(self) -> tuple[str, str]:
        """(``metav1.Time``, ``MicroTime``) strings for now, formatted once per clock tick."""
        now = self.clock.now()
        stamp = self._stamp
        if stamp[0] != now:
            stamp = (now, self.clock.timestamp(), self.clock.micro_timestamp())
            self._stamp = stamp
        return stamp[1], stamp[2]

    # -- audit --------------------------------------------------------------------
    def _record(self, request: Request, user: Any, rtype: Optional[ResourceType], code: int,
                decision: str, reason: str = "", *, name: Optional[str] = None) -> None:
        if self.audit is None:
            return
        if rtype is not None:
            resource, group, version = rtype.plural, rtype.group, rtype.version
            namespace = (request.namespace or "") if rtype.namespaced else ""
        else:
            resource, group, version = str(request.resource), "", ""
            namespace = request.namespace or ""
        if name is None:
            name = _audited_name(request)
        self.audit.record(
            timestamp=self._timestamps()[1], user=user.name, groups=user.groups,
            verb=request.verb, resource=resource, api_group=group, api_version=version,
            subresource=request.subresource or "", namespace=namespace, name=name,
            code=code, decision=decision, reason=reason,
            query=_collection_query(request) if request.verb in _COLLECTION_VERBS else "",
        )

    # =====================================================================
    # Reading the store
    # =====================================================================
    @staticmethod
    def _decode(kv: Any) -> dict:
        """A fresh object from a stored value, its resourceVersion set from the mod revision."""
        obj = serialization.loads(kv.value)
        obj["metadata"]["resourceVersion"] = str(kv.mod_revision)
        return obj

    def _readonly(self, kv: Any) -> dict:
        """A cached decode for the server's own reads (admission, RBAC). Never mutate it."""
        return self._objects.shared(kv)

    def _fresh(self, kv: Any) -> dict:
        """What :meth:`_decode` gives, from the object cache: cheaper when read before."""
        return self._objects.fresh(kv)

    def read(self, plural: str, namespace: Optional[str], name: str) -> Optional[dict]:
        """An admission plugin's lister: the stored object (read-only) or None."""
        try:
            rtype = self.resolve(plural)
        except StatusError:
            return None
        kv = self.store.get(rtype.key(namespace, name))
        return None if kv is None else self._readonly(kv)

    def read_all(self, plural: str) -> list[dict]:
        """An admission plugin's lister: every stored object of a resource (read-only)."""
        try:
            rtype = self.resolve(plural)
        except StatusError:
            return []
        return [self._readonly(kv) for kv in self.store.range_prefix(rtype.prefix(None)).kvs]

    def _current(self, rtype: ResourceType, namespace: Optional[str], name: str) -> Any:
        kv = self.store.get(rtype.key(namespace, name))
        if kv is None:
            raise errors.not_found(rtype.qualified_resource, name)
        return kv

    def _encode(self, obj: dict) -> bytes:
        """Store form: ObjectMeta in Go's order, resourceVersion left empty, and its empty
        lists and maps left out, as Go's ``omitempty`` encodes them (``finalizers: []`` after a
        patch removed the last finalizer is not stored)."""
        meta = obj["metadata"]
        meta["resourceVersion"] = ""
        for key in _OMITTED_WHEN_EMPTY:
            if key in meta and not meta[key] and isinstance(meta[key], (list, dict)):
                del meta[key]
        obj["metadata"] = order_metadata(meta)
        return serialization.dumps(obj)

    # -- version views (events.k8s.io, autoscaling/v1: see conversion) ---------
    @staticmethod
    def _to_storage(rtype: ResourceType, obj: dict) -> dict:
        if isinstance(rtype, CustomResourceType):  # a CRD's "None" conversion
            return rtype.to_storage(obj)
        return conversion.to_storage(rtype, obj)

    @staticmethod
    def _from_storage(rtype: ResourceType, obj: dict) -> dict:
        if isinstance(rtype, CustomResourceType):
            return rtype.from_storage(obj)
        return conversion.from_storage(rtype, obj)

    # =====================================================================
    # Admission and validation helpers
    # =====================================================================
    def _admission(self, operation: str, rtype: ResourceType, request: Request, namespace: str,
                   name: str, obj: Optional[dict], old: Optional[dict], subresource: str = "") -> AdmissionAttributes:
        return AdmissionAttributes(
            operation, rtype, namespace or "", name or "", subresource or "", obj, old,
            request.user if request.user is not None else auth.ANONYMOUS,
            request.options.dry_run, self.read, self.clock, lister=self.read_all,
        )

    @staticmethod
    def _validate(rtype: ResourceType, obj: dict, old: Optional[dict]) -> None:
        if isinstance(rtype, CustomResourceType):  # validated against its CRD's schema
            problems = rtype.validate(obj, old)
        else:
            problems = validation.validate(obj, old)
        if problems:
            raise errors.invalid(rtype.qualified_kind, obj["metadata"].get("name", ""), problems)

    def _decode_body(self, rtype: ResourceType, body: Any, request: Request, *, owned: bool = False,
                     changed: Optional[frozenset] = None) -> dict:
        """A fresh, decoded and defaulted copy of a request body (``owned``: the
        body is already the server's own fresh object, e.g. a patch result: no copy needed;
        ``changed``: only these top-level fields can differ from the stored object, whose
        other fields need no second decode). Unknown fields go as the request's
        ``fieldValidation`` says (see :mod:`.decode`); warnings go to ``request.warnings``."""
        directive = decode.check_field_validation(request.verb, request.options.field_validation)
        warnings = request.warnings
        if not isinstance(body, dict):
            decode.strict_decode(body, rtype)  # raises the decoder's BadRequest
        obj = body if owned else serialization.copy(body)
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if api_version is None and kind is None:
            obj = {"apiVersion": rtype.api_version, "kind": rtype.kind, **obj}
        elif (api_version, kind) != (rtype.api_version, rtype.kind):
            raise errors.bad_request(
                f"the API version in the data ({api_version}) does not match the expected "
                f"API version ({rtype.api_version})"
                if kind == rtype.kind
                else f"{kind} in version \"{api_version}\" cannot be handled as a {rtype.kind}: "
                "the object provided is unrecognized"
            )
        if isinstance(rtype, CustomResourceType):  # decoded, defaulted, pruned by its CRD's schema
            rtype.decode(obj, directive, warnings)
        elif changed is not None and owned:
            decode.strict_decode_changed(obj, rtype, changed, directive, warnings)
            defaults.apply_defaults(obj, changed)
        else:
            decode.strict_decode(obj, rtype, directive, warnings)
            defaults.apply_defaults(obj)
        meta = obj.get("metadata")
        if not isinstance(meta, dict):
            obj["metadata"] = meta = {}
        return obj

    @staticmethod
    def _check_namespace(rtype: ResourceType, meta: dict, namespace: Optional[str]) -> None:
        """``EnsureObjectNamespaceMatchesRequestNamespace``."""
        if not rtype.namespaced:
            meta.pop("namespace", None)
            return
        body_ns = meta.get("namespace")
        if body_ns and namespace and body_ns != namespace:
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        meta["namespace"] = body_ns or namespace or ""
        if not meta["namespace"]:
            raise errors.invalid(rtype.qualified_kind, meta.get("name", ""), [FieldError.required("metadata.namespace")])

    # =====================================================================
    # create
    # =====================================================================
    def _create(self, request: Request, rtype: ResourceType) -> dict:
        if request.subresource:
            if rtype.group == "" and rtype.plural == "pods" and request.subresource == "binding":
                return self._create_binding(request, rtype)
            raise errors.method_not_supported(f"{rtype.qualified_resource}/{request.subresource}", "create")
        obj = self._to_storage(rtype, self._decode_body(rtype, request.body, request,
                                                            owned=request.options.hand_over))
        strategy = self.strategy(rtype)
        meta = obj["metadata"]
        self._check_namespace(rtype, meta, request.namespace)
        namespace = meta.get("namespace") or None
        generate = meta.get("generateName") if not meta.get("name") else None
        if generate:
            meta["name"] = self._generated_name(generate)
        attrs = self._admission(CREATE, rtype, request, namespace, meta.get("name", ""), obj, None)
        self.admission.admit(attrs)
        obj = attrs.obj
        meta = obj["metadata"]
        self._prepare_create(obj, strategy)
        self._validate(rtype, self._from_storage(rtype, obj) if rtype.group == EVENTS_GROUP else obj, None)
        self.admission.validate(attrs)
        if meta.get("resourceVersion"):
            raise errors.bad_request("resourceVersion should not be set on objects to be created")
        undo = strategy.before_create(obj, self.context)
        try:
            created = self._store_create(rtype, obj, namespace, generate, request.options.dry_run)
        except BaseException:
            undo()
            raise
        if request.options.dry_run:
            undo()
        self._rbac_changed(rtype)
        return self._from_storage(rtype, created)

    def _generated_name(self, base: str) -> str:
        """``names.SimpleNameGenerator``: base (cut to 58 characters) + 5 random characters."""
        return base[:MAX_GENERATED_BASE] + self.clock.random_suffix(5)

    def _prepare_create(self, obj: dict, strategy: Strategy) -> None:
        """``rest.BeforeCreate``: system fields, then the kind's PrepareForCreate."""
        meta = obj["metadata"]
        for key in ("deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields", "generation"):
            meta.pop(key, None)
        # FillObjectMetaSystemFields runs before PrepareForCreate: a Job's strategy
        # generates its selector from the uid.
        meta["uid"] = self.clock.uuid()
        meta["creationTimestamp"] = self._timestamps()[0]
        strategy.prepare_for_create(obj, self.context)
        strategy.canonicalize(obj)

    def _put_op(self, rtype: ResourceType, key: str, data: bytes) -> Op:
        """The store write of an object; an Event's key is attached to a lease so that it
        expires ``event_ttl`` seconds after this write (see :mod:`labkube.core.api.ttl`)."""
        if self.event_ttl and ttl.expires(rtype.plural, rtype.group):
            return Op.put(key, data, lease=self._leases.lease_for(self.event_ttl))
        return Op.put(key, data)

    def _store_create(self, rtype: ResourceType, obj: dict,
                      namespace: Optional[str], generate: Optional[str], dry_run: bool) -> dict:
        meta = obj["metadata"]
        for _attempt in range(GENERATE_NAME_ATTEMPTS):
            key = rtype.key(namespace, meta["name"])
            if dry_run:
                if self.store.get(key) is None:
                    self._encode(obj)
                    obj["metadata"].pop("resourceVersion", None)
                    return obj
            else:
                data = self._encode(obj)
                result = self.store.txn([Compare.missing(key)], [self._put_op(rtype, key, data)])
                if result.succeeded:
                    obj["metadata"]["resourceVersion"] = str(result.revision)
                    return obj
            if not generate:
                raise errors.already_exists(rtype.qualified_resource, meta["name"])
            meta = obj["metadata"]
            meta["name"] = self._generated_name(generate)
            self.strategy(rtype).canonicalize(obj)
        raise StatusError(
            500, "ServerTimeout",
            f"The POST operation against {rtype.kind} could not be completed at this time, "
            "please try again.",
            {"name": "POST", "group": rtype.group, "kind": rtype.kind, "retryAfterSeconds": 0}
            if rtype.group else {"name": "POST", "kind": rtype.kind},
        )

    # -- pods/binding ----------------------------------------------------------------
    def _create_binding(self, request: Request, rtype: ResourceType) -> dict:
        binding = serialization.copy(request.body) if isinstance(request.body, dict) else None
        if binding is None:
            raise errors.bad_request("a Binding object is required")
        meta = binding.get("metadata") or {}
        name = request.name or meta.get("name", "")
        if meta.get("name") and meta["name"] != name:
            raise errors.bad_request("name in URL does not match name in Binding object")
        if meta.get("namespace") and request.namespace and meta["namespace"] != request.namespace:
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        namespace = request.namespace or meta.get("namespace") or "default"
        problems = validate_binding(binding)
        if problems:
            raise errors.invalid("Binding", name, problems)
        attrs = self._admission(CREATE, rtype, request, namespace, name, binding, None, "binding")
        self.admission.admit(attrs)
        self.admission.validate(attrs)
        now = self.clock.timestamp()

        def mutate(current: dict) -> dict:
            return bind(current, binding, now)

        self._guaranteed_update(rtype, namespace, name, mutate, None, request, "binding")
        return success_status(201)

    # =====================================================================
    # Start-up
    # =====================================================================
    def _reserve_allocations(self) -> None:
        """Rebuild the allocators from stored Services (a restarted server, a restored store)."""
        try:
            services = self.resolve("services")
        except StatusError:
            return
        for kv in self.store.range_prefix(services.prefix(None)).kvs:
            svc = serialization.loads(kv.value)
            spec = svc.get("spec") or {}
            if spec.get("clusterIP") not in (None, "", "None"):
                self.ip_allocator.reserve(spec["clusterIP"])
            for port in spec.get("ports") or []:
                if port.get("nodePort"):
                    self.port_allocator.reserve(port["nodePort"])
            if spec.get("healthCheckNodePort"):
                self.port_allocator.reserve(spec["healthCheckNodePort"])


def _routed_name(request: Request) -> str:
    """The object name kube-apiserver's RequestInfo gives a request, which authorization sees.

    The URL's name; none for a create POSTed to the collection; and for a list or watch, the
    name an exact ``metadata.name`` field selector asks for -- so a kubelet may watch the one
    ConfigMap its pods use, and RBAC ``resourceNames`` can allow watching one object. A
    selector that does not parse, or a name that cannot be a path segment, gives none."""
    verb = request.verb
    if verb == "create" and not request.subresource:
        return ""  # POST to the collection: the URL names no object
    if request.name or verb not in ("list", "watch") or not request.options.field_selector:
        return request.name or ""
    try:
        name = parse_field_selector(request.options.field_selector).requires("metadata.name")
    except SelectorError:
        return ""  # RequestInfo leaves the name empty; the list itself then refuses the selector
    if not name or name in (".", "..") or "/" in name or "%" in name:
        return ""
    return name


_COLLECTION_VERBS = ("list", "watch", "deletecollection")


def _collection_query(request: Request) -> str:
    """The query string of a list, watch or deletecollection, for its audit record's
    ``requestURI``: the options a client sends, keys in order and escaped as Go's
    ``url.Values.Encode`` does (``fieldSelector=metadata.name%3Dcfg&watch=true``)."""
    options = request.options
    params = {
        "continue": options.continue_,
        "fieldSelector": options.field_selector,
        "labelSelector": options.label_selector,
        "limit": options.limit,
        "resourceVersion": options.resource_version,
        "resourceVersionMatch": options.resource_version_match,
        "watch": "true" if request.verb == "watch" else None,
    }
    return "&".join(f"{key}={quote_plus(str(value))}" for key, value in params.items()
                    if value not in (None, "", 0))


def _audited_name(request: Request) -> str:
    """The object name an audit record gives a request (``objectRef.name``): RequestInfo's
    name (:func:`_routed_name`: the URL's, or an exact ``metadata.name`` field selector's for
    a list or watch), or for a create the name in the request's body (none for a
    ``generateName`` create)."""
    name = _routed_name(request)
    if not name and request.verb == "create" and isinstance(request.body, dict):
        meta = request.body.get("metadata")
        name = (meta.get("name") or "") if isinstance(meta, dict) else ""
    return name
