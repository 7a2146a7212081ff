"""``labkube.Cluster``: a whole Kubernetes control plane in one Python object.

Mirrors what ``kind create cluster`` or ``kubeadm init`` leaves you with: an etcd-like store,
an API server with its bootstrap objects (the ``default``, ``kube-system``, ``kube-public``
and ``kube-node-lease`` namespaces, the ``kubernetes`` Service, the default RBAC roles), and
registered Nodes. Later issues start a scheduler, controllers and a kubelet per node here.

The cluster is the student's handle: ``apply``, ``create``, ``get``, ``list``, ``delete``,
``patch`` and ``kubectl`` are thin wrappers over :class:`labkube.core.api.client.Client`, the
same API every component uses. Time only moves when you ask (``run(seconds)``) unless the
cluster was made with ``clock="realtime"``. Then a background thread fires the timers, and each
verb here holds the clock's lock (:attr:`labkube.core.clock.Clock.lock`) while it runs, so what
you do happens between two timers, never in the middle of a scheduler cycle or a kubelet sync.

Example::

    >>> import labkube
    >>> cluster = labkube.Cluster(nodes=3, seed=0)
    >>> _ = cluster.apply('''
    ... apiVersion: v1
    ... kind: ConfigMap
    ... metadata: {name: settings}
    ... data: {color: blue}
    ... ''')
    >>> cluster.get("configmap", "settings")["data"]
    {'color': 'blue'}
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, Optional, TypeVar

import yaml

from labkube.core import errors
from labkube.core.api import auth, bootstrap_policy, decode
from labkube.core.api import admission_limitrange
from labkube.core.api import admission_quota
from labkube.core.api import admission_storage
from labkube.core.api.admission import (
    AdmissionChain,
    DefaultTolerationSeconds,
    NamespaceLifecycle,
    PriorityAdmission,
    ServiceAccountAdmission,
)
from labkube.core.apiextensions import APIExtensions
from labkube.core.api.audit import AuditLog
from labkube.core.api.client import BearerTokenClient, Client
from labkube.core.api.registry.scheduling import system_priority_classes
from labkube.core.api.compactor import Compactor
from labkube.core.api import kubernetes_service
from labkube.core.api.http import APIServerHTTP, SecurePort, kubeadm_serving_certificate
from labkube.core.api.kubernetes_service import KubernetesService
from labkube.core.api.resources import Registry, default_registry
from labkube.core.api.server import APIServer
from labkube.core.apply import apply_object
from labkube.core.clock import Clock, RealTimeClock, SimulatedClock
from labkube.core import addons
from labkube.core.controllers import root_ca_publisher
from labkube.core.controllers.base import ControllerConfig
from labkube.core.controllers.manager import ControllerManager
from labkube.core.kube_scheduler import KubeScheduler
from labkube.core.local_path import LocalPathProvisioner
from labkube.core.machinery import Component, ErrorLog, EventNamer
from labkube.core.machinery.events_v1 import last_seen
from labkube.core.network import IngressController
from labkube.core.network import policy as network_policy
from labkube.core.network.policy import KubeNetworkPolicies
from labkube.core.nodepool import NodePool
from labkube.core.scheduler import function_plugin
from labkube.core.scheduler.config import profile_from_config
from labkube.core.manifests import Manifest, load
from labkube.core.store import MVCCStore

#: The identity the API server uses for its own bootstrap writes (its loopback client).
APISERVER_USER = auth.UserInfo("system:apiserver", ("system:masters", "system:authenticated"))

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")

_Verb = TypeVar("_Verb", bound=Callable[..., Any])


def _between_timers(verb: _Verb) -> _Verb:
    """Run a facade verb holding the clock's lock: with a real-time clock, whose thread fires
    timers meanwhile, the verb happens between two of them. A wait inside it for cluster time
    (``kubectl wait``, ``rollout status``) lets go of the lock while it waits."""

    @functools.wraps(verb)
    def locked(self: "Cluster", *args: Any, **kwargs: Any) -> Any:
        with self.clock.lock:
            return verb(self, *args, **kwargs)

    return locked  # type: ignore[return-value]


class Cluster:
    """A deterministic, in-process Kubernetes cluster.

    Args:
        nodes: how many worker Nodes to register (``node-1`` … ``node-N``).
        seed: seeds every generated name, UID and IP; the same seed and the same calls give
            byte-identical results.
        clock: ``"simulated"`` (default: time moves only in ``run``) or ``"realtime"``.
        node_cpu, node_memory, node_pods: each node's capacity.
        event_ttl: kube-apiserver's ``--event-ttl``: Events are deleted this many seconds after
            their last write (plus up to a minute, as etcd leases are shared); 0 keeps them.
    """

    def __init__(
        self,
        nodes: int = 3,
        seed: int = 0,
        *,
        clock: str = "simulated",
        node_cpu: str = "2",
        node_memory: str = "8Gi",
        node_pods: str = "110",
        controllers: bool = True,
        scheduler: bool = True,
        node_monitor_grace_period: float = 50.0,
        default_toleration_seconds: int = 300,
        compaction_interval: float = 300.0,
        event_ttl: int = 3600,
        registry: Optional[Registry] = None,
    ) -> None:
        if nodes < 0:
            raise ValueError("nodes must be >= 0")
        self.seed = seed
        self.clock: Clock = self._make_clock(clock, seed)
        self.store = MVCCStore(clock=self.clock)
        self.audit_log = AuditLog()
        self.server = APIServer(
            self.store,
            self.clock,
            registry=registry or default_registry(),
            audit=self.audit_log,
            admission=self._admission(default_toleration_seconds, require_service_account=controllers),
            event_ttl=event_ttl,
        )
        self.registry = self.server.registry
        #: The admin's client (``kubernetes-admin``), what ``cluster.get`` and friends use.
        self.client = Client(self.server, auth.ADMIN)
        self.server.admission.get("ResourceQuota").connect(self.client)  # its loopback client
        self._node_defaults = {"cpu": node_cpu, "memory": node_memory, "pods": node_pods}
        #: Compacts store history older than one interval, as kube-apiserver asks etcd to.
        self.compactor = Compactor(self.store, self.clock, compaction_interval)
        self.errors = ErrorLog()
        self.event_namer = EventNamer(self.clock)
        self.config = ControllerConfig(
            node_monitor_grace_period=node_monitor_grace_period,
            default_toleration_seconds=default_toleration_seconds,
        )
        #: The control plane's processes by name; see stop_component / start_component.
        self.components: dict[str, Component] = {}
        self._bootstrap()
        if controllers:
            self.components["controller-manager"] = ControllerManager(
                self.client, self.clock, self.errors, self.event_namer, self.config
            )
        if scheduler:
            self.components["scheduler"] = KubeScheduler(self.client, self.clock, self.errors, self.event_namer)
        coredns = addons.CoreDNS(self.client, self.clock, self.errors)
        #: Cluster DNS and the service proxy, valid across restarts of their components.
        self.dns = addons.Current(lambda: coredns.dns if coredns.running else None, "coredns")
        # kube-network-policies (kindnet's NetworkPolicy enforcement) judges kube-proxy's traffic.
        network_policies = KubeNetworkPolicies(
            self.client.as_user(auth.service_account(*network_policy.SERVICE_ACCOUNT)), self.clock, self.errors)
        kube_proxy = addons.KubeProxy(self.client, self.clock, self.errors, self.dns,
                                      self._pod_http, self._pod_tcp, policies=network_policies.current,
                                      hosts=self._apiserver_hosts())
        self.proxy = addons.Current(lambda: kube_proxy.proxy if kube_proxy.running else None, "kube-proxy")
        self.components["coredns"] = coredns
        self.components["kube-proxy"] = kube_proxy
        self.components["kube-network-policies"] = network_policies
        self.components["ingress-nginx"] = IngressController(
            self.client.as_user(auth.service_account(*addons.INGRESS_SA)), self.clock, self.errors, self.proxy
        )
        self.components["local-path-provisioner"] = LocalPathProvisioner(
            self.client, self.clock, self.errors, self.event_namer)
        for component in self.components.values():
            component.start()
        self.nodes = NodePool(self.server, self.clock, self.errors, self.event_namer,
                              self.dns, self.proxy, self.client)
        # The API server reaches kubelets for logs and exec, and metrics-server's numbers.
        self.server.node_proxy.connect(self.nodes.kubelet_for, self.nodes.metrics, pod_http=self.nodes.pod_http)
        self.compactor.start()
        for _ in range(nodes):
            self.add_node()
        if isinstance(self.clock, RealTimeClock):
            self.clock.start()

    # -- construction -------------------------------------------------------------
    @staticmethod
    def _make_clock(kind: str, seed: int) -> Clock:
        if kind == "simulated":
            return SimulatedClock(seed=seed)
        if kind == "realtime":
            return RealTimeClock(seed=seed)
        raise ValueError(f'clock must be "simulated" or "realtime", not {kind!r}')

    @staticmethod
    def _admission(toleration_seconds: int, *, require_service_account: bool) -> AdmissionChain:
        """kube-apiserver's default admission plugins, in its order."""
        # kube-apiserver refuses pods whose ServiceAccount does not exist yet; without a
        # controller-manager nothing would ever create "default", so then the check is off.
        return AdmissionChain(
            (
                NamespaceLifecycle(),
                admission_limitrange.LimitRanger(),
                ServiceAccountAdmission(require_existing=require_service_account),
                PriorityAdmission(),
                DefaultTolerationSeconds(toleration_seconds),
                admission_storage.DefaultStorageClass(),
                admission_storage.StorageObjectInUseProtection(),
                admission_storage.PersistentVolumeClaimResize(),
                admission_quota.ResourceQuotaAdmission(),  # last, as in kube-apiserver
            )
        )

    def _bootstrap(self) -> None:
        """What kube-apiserver's post-start hooks create: namespaces, RBAC, the kubernetes Service."""
        system = Client(self.server, APISERVER_USER)
        for name in SYSTEM_NAMESPACES:
            system.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        for obj in bootstrap_policy.objects() + bootstrap_policy.kubeadm_objects():
            system.create(obj)
        for obj in addons.bootstrap_objects():
            system.create(obj)
        for obj in network_policy.bootstrap_objects():
            system.create(obj)
        #: default/kubernetes, its Endpoints and EndpointSlice, kept in place every 10 s.
        self.kubernetes_service = KubernetesService(system, self.clock)
        self.kubernetes_service.start()
        for obj in system_priority_classes():  # scheduling/bootstrap-system-priority-classes
            system.create(obj)
        #: The CRD controllers kube-apiserver itself runs (naming, establishing, cleanup) and
        #: the custom resources this cluster serves (see labkube.core.apiextensions).
        self.apiextensions = APIExtensions(self.server, system, self.clock, self.errors)
        self.apiextensions.start()

    # -- machines and their failures (see labkube.core.nodepool) ----------------------
    @_between_timers
    def add_node(self, name: Optional[str] = None, *, labels: Optional[dict] = None,
                 taints: Optional[list] = None, **capacity: str) -> dict:
        """Boot a machine: its kubelet registers the Node and starts heartbeating."""
        resources = {**self._node_defaults, **capacity}
        machine = self.nodes.add(name, labels=labels, taints=taints, **resources)
        self.components[machine.kubelet.name] = machine.kubelet
        return self.client.get("nodes", machine.name)

    @_between_timers
    def remove_node(self, name: str) -> None:
        """The machine is gone and its Node object deleted; pod GC cleans up its pods."""
        self.nodes.remove(name)
        self.components.pop(f"kubelet/{name}", None)

    @_between_timers
    def fail_node(self, name: str) -> None:
        """The machine dies: kubelet and containers stop. The API notices only via heartbeats."""
        self.nodes.fail(name)

    @_between_timers
    def recover_node(self, name: str) -> None:
        self.nodes.recover(name)

    @_between_timers
    def partition_node(self, name: str) -> None:
        """The kubelet keeps running its pods but cannot reach the API server."""
        self.nodes.partition(name)

    @_between_timers
    def heal_partition(self, name: str) -> None:
        self.nodes.heal(name)

    @_between_timers
    def crash_container(self, pod: str, container: Optional[str] = None, namespace: str = "default") -> None:
        """Kill one container's process (exit 137); its restart policy decides what happens."""
        self.settle()
        self.nodes.crash_container(namespace, pod, container)

    @_between_timers
    def set_node_conditions(self, name: str, **pressure: bool) -> None:
        """E.g. ``set_node_conditions("node-1", MemoryPressure=True)``."""
        self.nodes.set_conditions(name, **pressure)

    def _apiserver_hosts(self) -> dict:
        """kube-apiserver's secure port (the ``default/kubernetes`` endpoint) as pods dial it:
        its HTTP front behind TLS, with a serving certificate signed by the cluster CA."""
        #: kube-apiserver over HTTP(S): ``cluster.apiserver_http.serve("GET", "/api", headers)``.
        self.apiserver_http = APIServerHTTP(self.server, columns_for=_printer_columns)
        certificate = kubeadm_serving_certificate(root_ca_publisher.CA_CRT, kubernetes_service.ADVERTISE_ADDRESS,
                                                  kubernetes_service.SERVICE_IP)
        address = (kubernetes_service.ADVERTISE_ADDRESS, kubernetes_service.SECURE_PORT)
        return {address: SecurePort(self.apiserver_http, certificate)}

    def _pod_http(self, namespace: str, pod: str, port: int, path: str):
        return self.nodes.pod_http(namespace, pod, port, path)

    def _pod_tcp(self, namespace: str, pod: str, port: int) -> bool:
        return self.nodes.pod_tcp(namespace, pod, port)

    # -- traffic -----------------------------------------------------------------------
    @_between_timers
    def request(self, url: str, *, via_ingress: bool = False, namespace: str = "default"):
        """GET a URL as a pod in ``namespace`` would (Service names, ClusterIPs, NodePorts), or
        through the ingress controller; the response says which pod answered. NetworkPolicies
        see the request come from the host (172.18.0.1), not from a pod."""
        self.settle()
        if via_ingress:
            return self.components["ingress-nginx"].request(url)
        return self.proxy.request(url, namespace=namespace)

    @_between_timers
    def resolve(self, name: str, namespace: str = "default"):
        """Cluster DNS as a pod in ``namespace`` sees it (search paths included)."""
        self.settle()
        return self.dns.search(name, namespace)

    @_between_timers
    def logs(self, pod: str, container: Optional[str] = None, namespace: str = "default", *,
             previous: bool = False, tail: Optional[int] = None) -> str:
        """A container's output, as ``kubectl logs`` shows it."""
        self.settle()
        return self.client.pod_logs(pod, namespace, container=container, previous=previous, tail_lines=tail)

    @_between_timers
    def exec(self, pod: str, command: list, container: Optional[str] = None, namespace: str = "default"):
        """Run a command in a container (the simulated shell); returns exit_code, stdout, stderr."""
        self.settle()
        return self.client.pod_exec(pod, namespace, command, container=container)

    @_between_timers
    def scheduling_decision(self, pod: str, namespace: str = "default"):
        """Why the scheduler put a pod where it did (or could not): the decision record."""
        self.settle()
        scheduler = self.components.get("scheduler")
        return scheduler.decision(namespace, pod) if scheduler is not None else None

    # -- custom scheduling: KubeSchedulerConfiguration, without a restart ---------------
    @_between_timers
    def add_scheduler_plugin(self, plugin: Any, *, filter: Any = None, score: Any = None,
                             normalize: bool = False, reason: Optional[str] = None) -> str:
        """Register a scheduler plugin written in Python; returns its name.

        Either a class (or instance) with a ``name`` and extension point methods
        (``filter(self, state, pod, node)``, ``score(self, state, pod, node)``, ... see
        :mod:`labkube.core.scheduler.framework`)::

            cluster.add_scheduler_plugin(PreferEvenNodes)

        or a name and plain functions of ``(pod, node)`` (a filter returns True, False or the
        reason text; a score returns a number, scaled so the best node gets 100 when
        ``normalize`` is set)::

            cluster.add_scheduler_plugin("MostPods", score=most_pods, normalize=True)

        Use it in a profile with :meth:`add_scheduler_profile`. Registering a name again (the
        cell was edited and run again) replaces the plugin in the profiles that use it.
        Raises ValueError or TypeError for a plugin the scheduler could not run: one without
        a name or extension point, one named like a kube-scheduler plugin, a function that
        does not take ``(pod, node)``.
        """
        kube_scheduler = self._scheduler()
        if isinstance(plugin, str):
            plugin = function_plugin(plugin, filter=filter, score=score, normalize=normalize, reason=reason)
        elif filter is not None or score is not None:
            raise ValueError("filter= and score= go with a plugin name: "
                             "add_scheduler_plugin('MyPlugin', score=my_function)")
        name = kube_scheduler.scheduler.registry.add(plugin)
        for profile in list(kube_scheduler.scheduler.profiles.values()):
            if name in profile.plugin_names:
                kube_scheduler.use_profile(profile)
        return name

    @_between_timers
    def add_scheduler_profile(self, profile: Any) -> Any:
        """Add (or replace) a scheduling profile, given as one ``profiles`` entry of a
        ``KubeSchedulerConfiguration`` (a dict or YAML text); returns the Profile.

        Pods choose it with ``spec.schedulerName``. The default plugins stay unless disabled::

            cluster.add_scheduler_profile('''
            schedulerName: packer
            plugins:
              multiPoint:
                enabled:
                - name: MostPods
                  weight: 5
            ''')

        ``plugins`` maps extension points (``multiPoint``, ``preFilter``, ``filter``,
        ``postFilter``, ``preScore``, ``score``, ``reserve``, ``permit``) to ``enabled`` and
        ``disabled`` lists of ``{name, weight}``; ``pluginConfig`` gives plugins their
        ``args``; ``percentageOfNodesToScore`` is 0-100. Giving ``default-scheduler``
        reconfigures the default profile. Takes effect at once: pods waiting as
        unschedulable are tried again. Raises ValueError naming the field that is wrong.
        """
        kube_scheduler = self._scheduler()
        if isinstance(profile, str):
            try:
                profile = yaml.safe_load(profile)
            except yaml.YAMLError as err:
                raise ValueError(f"the profile is not valid YAML: {err}") from None
        built = profile_from_config(profile, kube_scheduler.scheduler.registry)
        kube_scheduler.use_profile(built)
        return built

    def _scheduler(self) -> KubeScheduler:
        scheduler = self.components.get("scheduler")
        if scheduler is None:
            raise ValueError("this cluster runs no scheduler (it was made with scheduler=False)")
        return scheduler

    # -- the student's verbs ---------------------------------------------------------
    @_between_timers
    def apply(self, source: Any, *, namespace: Optional[str] = None, dry_run: bool = False) -> list[dict]:
        """``kubectl apply -f``: create or update each object (YAML text, path, dict or list).

        Every document is read and its kind checked before anything is written, so a typo in
        the third document leaves the cluster untouched. Returns the live objects.
        """
        self.settle()
        manifests = self._read(source, namespace)
        client = self.client.with_field_validation(decode.STRICT)  # kubectl's --validate default
        results = []
        for manifest in manifests:
            live, _action = apply_object(client, manifest.obj, dry_run=dry_run)
            results.append(live)
        return results

    @_between_timers
    def create(self, source: Any, *, namespace: Optional[str] = None, dry_run: bool = False) -> list[dict]:
        """``kubectl create -f``: create each object; fails if one exists."""
        self.settle()
        client = self.client.with_field_validation(decode.STRICT)  # kubectl's --validate default
        return [client.create(m.obj, dry_run=dry_run) for m in self._read(source, namespace)]

    @_between_timers
    def get(self, resource: str, name: str, namespace: Optional[str] = None) -> dict:
        self.settle()
        return self.client.get(resource, name, self._namespace_for(resource, namespace))

    @_between_timers
    def list(
        self,
        resource: str,
        namespace: Optional[str] = None,
        *,
        all_namespaces: bool = False,
        label_selector: Optional[str] = None,
        field_selector: Optional[str] = None,
    ) -> list[dict]:
        """The items of ``kubectl get <resource>`` (``all_namespaces`` for ``-A``)."""
        self.settle()
        ns = None if all_namespaces else self._namespace_for(resource, namespace)
        result = self.client.list(
            resource, ns, label_selector=label_selector, field_selector=field_selector
        )
        return result["items"]

    @_between_timers
    def delete(
        self,
        resource: str,
        name: str,
        namespace: Optional[str] = None,
        *,
        propagation_policy: Optional[str] = None,
        grace_period_seconds: Optional[int] = None,
    ) -> dict:
        self.settle()
        return self.client.delete(
            resource,
            name,
            self._namespace_for(resource, namespace),
            propagation_policy=propagation_policy,
            grace_period_seconds=grace_period_seconds,
        )

    @_between_timers
    def patch(
        self,
        resource: str,
        name: str,
        patch: Any,
        namespace: Optional[str] = None,
        *,
        patch_type: str = "strategic",
    ) -> dict:
        self.settle()
        return self.client.patch(
            resource, name, patch, namespace=self._namespace_for(resource, namespace),
            patch_type=patch_type,
        )

    @_between_timers
    def kubectl(self, command: str, stdin: Optional[str] = None) -> str:
        """Run a kubectl-style command and return what kubectl would print."""
        from labkube.kubectl import run  # kubectl sits above the core; import late

        self.settle()
        return str(run(self, command, stdin=stdin))

    def view(self, namespace: Optional[str] = None, label_selector: Optional[str] = None,
             owners: bool = False):
        """The cluster drawn live in Jupyter: a :class:`labkube.widgets.ClusterView`."""
        from labkube.widgets.view import view  # widgets sit above the core; import late

        return view(self, namespace=namespace, label_selector=label_selector, owners=owners)

    # -- identities -------------------------------------------------------------------
    def as_user(self, name: str, groups: Iterable[str] = ()) -> Client:
        """A client acting as another user, e.g. ``cluster.as_user("alice")``."""
        return self.client.as_user(auth.user(name, groups))

    def as_token(self, token: str) -> Client:
        """A client that sends a bearer token (``kubectl --token``), e.g. one from
        ``kubectl create token``: each request is authenticated as kube-apiserver does it."""
        front = self.apiserver_http
        return BearerTokenClient(self.server, token, lambda t: front.authenticate({"authorization": f"Bearer {t}"}))

    @property
    def kubeconfig(self) -> Any:
        """kubectl's kubeconfig for this cluster, held in memory (no file is written): kubeadm's
        admin.conf -- cluster ``kubernetes``, user ``kubernetes-admin``, context
        ``kubernetes-admin@kubernetes`` -- which ``kubectl config`` reads and changes
        (see labkube.kubectl.commands.kubeconfig)."""
        if getattr(self, "_kubeconfig", None) is None:
            from labkube.kubectl.commands.kubeconfig import Kubeconfig  # kubectl sits above the core

            self._kubeconfig = Kubeconfig.admin()
        return self._kubeconfig

    @_between_timers
    def can_i(
        self, verb: str, resource: str, namespace: Optional[str] = None, *, user: Optional[str] = None,
        groups: Iterable[str] = (), name: Optional[str] = None,
    ) -> bool:
        """``kubectl auth can-i``: may the admin (or ``user``) do ``verb`` on ``resource``?"""
        client = self.as_user(user, groups) if user else self.client
        return client.can_i(verb, resource, self._namespace_for(resource, namespace), name=name)

    # -- the control plane's processes ------------------------------------------------
    @_between_timers
    def stop_component(self, name: str) -> None:
        """Stop a control-plane process, e.g. ``"controller-manager"`` or ``"scheduler"``."""
        self._component(name).stop()

    @_between_timers
    def start_component(self, name: str) -> None:
        """Start it again; like a restarted process it lists everything afresh."""
        self._component(name).start()

    def _component(self, name: str) -> Component:
        if name not in self.components:
            known = ", ".join(sorted(self.components)) or "none"
            raise ValueError(f"no component named {name!r} (known: {known})")
        return self.components[name]

    @_between_timers
    def events(self, namespace: Optional[str] = None) -> list[dict]:
        """Events in the order they last happened: lastTimestamp, or for Events written through
        events.k8s.io (the scheduler's) their series' lastObservedTime or their eventTime; in
        the same instant, in the order they were written."""
        items = self.client.list("events", namespace)["items"]
        return sorted(items, key=lambda e: (last_seen(e), int(e["metadata"]["resourceVersion"])))

    # -- time and history -----------------------------------------------------------
    def settle(self) -> None:
        """Let the control plane react to what just happened, without letting time pass.

        Every timer due *now* fires (informers deliver, controllers reconcile, the scheduler
        binds), the way a real control plane reacts within milliseconds between two kubectl
        commands. Simulated time does not move: image pulls, probes and grace periods still
        wait for ``run(seconds)``. The facade's verbs and ``kubectl`` settle first.
        """
        if isinstance(self.clock, SimulatedClock):
            self.clock.run(0)

    def run(self, seconds: float) -> None:
        """Let ``seconds`` of cluster time pass (every due timer fires, in order)."""
        self.clock.run(seconds)

    def run_until(self, predicate, timeout: float) -> bool:
        return self.clock.run_until(predicate, timeout)

    @_between_timers
    def audit(self, since: int = 0, **filters: Any) -> list:
        """API requests so far: who did what to which resource, and the result."""
        return self.audit_log.records(since, **filters)

    def forwards(self) -> list:
        """What ``kubectl port-forward`` and ``kubectl proxy`` left serving on loopback, oldest
        first; each has ``stop()`` and its ``output`` so far. ``close()`` stops them all."""
        from labkube.kubectl.commands.loopback import serving  # kubectl sits above the core

        return serving(self)

    def close(self) -> None:
        """Stop every component and background thread (the real-time clock, the loopback
        listeners of ``kubectl port-forward`` and ``kubectl proxy``)."""
        for forward in self.forwards():
            forward.stop()
        with self.clock.lock:
            for component in self.components.values():
                component.stop()
            self.compactor.stop()
            self.kubernetes_service.stop()
            self.apiextensions.stop()
        if isinstance(self.clock, RealTimeClock):  # outside the lock: its thread may want it
            self.clock.stop()

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<labkube.Cluster nodes={len(self.nodes.machines)} seed={self.seed} time={self.clock.timestamp()}>"

    # -- helpers ---------------------------------------------------------------------
    def _namespace_for(self, resource: str, namespace: Optional[str]) -> Optional[str]:
        rtype = self.registry.resolve(resource)
        if not rtype.namespaced:
            return None
        return namespace or "default"

    def _read(self, source: Any, namespace: Optional[str]) -> list[Manifest]:
        """Read every document and resolve its kind before anything is written."""
        manifests = load(source)
        prepared = []
        for manifest in manifests:
            obj = manifest.obj
            rtype = self.registry.for_kind(obj["apiVersion"], obj["kind"])
            if obj.get("metadata") is None:
                obj["metadata"] = {}
            elif not _plain_metadata(obj["metadata"]):
                decode.strict_decode(obj, rtype)  # refuses it with the API server's own words
            if rtype.namespaced:
                meta = obj["metadata"]
                if namespace and meta.get("namespace") not in (None, namespace):
                    raise errors.bad_request(
                        "the namespace from the provided object "
                        f'"{meta.get("namespace")}" does not match the namespace "{namespace}". '
                        "You must pass '--namespace="
                        f"{meta.get('namespace')}' to perform this operation."
                    )
                meta.setdefault("namespace", namespace or "default")
            prepared.append(Manifest(obj, manifest.source))
        return prepared


def _plain_metadata(meta: Any) -> bool:
    """A metadata map whose name and namespace, when given, are strings: what apply needs to
    address the object (anything else only the API server's decoder can refuse properly)."""
    return isinstance(meta, dict) and all(isinstance(meta.get(key, ""), str) for key in ("name", "namespace"))


def _printer_columns(rtype: Any):
    """The server-side printing columns of ``rtype`` for the HTTP front's Tables (kube-apiserver
    prints with pkg/printers; labkube's printers live in the kubectl layer: import late)."""
    from labkube.kubectl import printer_columns

    return printer_columns(rtype)
