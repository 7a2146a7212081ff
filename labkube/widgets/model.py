"""The cluster as a graph: what a picture of Kubernetes shows, kept up to date from watch events.

Mirrors what you would assemble by hand from ``kubectl get nodes,pods,svc,endpointslices,
ingress,deploy,rs -w``: the control plane (etcd, kube-apiserver, kube-scheduler,
kube-controller-manager), Nodes with their state, Pods placed on the node named by
``spec.nodeName`` (unscheduled Pending pods wait in a "not scheduled" lane), Services pointing at
the pods behind their *ready* endpoints (read from EndpointSlices, as kube-proxy does), Ingresses
pointing at their backend Services and, optionally, the owner chain Deployment → ReplicaSet → Pod
(``metadata.ownerReferences``).

A pod's STATUS is computed exactly as ``kubectl get pods`` prints it (the same function the
kubectl printers use), then sorted into a *state* a picture can colour: ``ready``, ``running``
(running but not ready), ``pending``, ``creating``, ``init``, ``crashloop``, ``error``, ``oom``,
``imagepull``, ``terminating``, ``succeeded`` or ``unknown``.

Guarantees:

- Incremental: :meth:`ClusterGraph.apply_event` touches only the vertices and edges the event
  concerns, and tells whether anything visible changed (``revision`` counts the changes), so a
  view can skip redraws when nothing did.
- Deterministic: the same objects give the same graph whatever order they arrived in; every
  query (:meth:`nodes`, :meth:`pods_on`, :meth:`edges`, …) returns a sorted list.
- Pure Python: networkx only, no widgets, no graphviz. It reads the cluster only through
  the public client (:meth:`ClusterGraph.from_cluster`) or the events you hand it.

Vertex ids are ``"cp/<component>"``, ``"node/<name>"``, ``"pod/<ns>/<name>"``,
``"service/<ns>/<name>"``, ``"ingress/<ns>/<name>"``, ``"deployment/<ns>/<name>"`` and
``"replicaset/<ns>/<name>"``. Edge kinds: ``"hosts"`` (node → pod), ``"endpoint"``
(service → ready pod), ``"backend"`` (ingress → service), ``"owns"`` (owner → owned) and
``"calls"`` (between control-plane components).

Example::

    >>> g = ClusterGraph()
    >>> g.apply_event({"type": "ADDED", "object": {"kind": "Node", "metadata": {"name": "n1"},
    ...     "status": {"conditions": [{"type": "Ready", "status": "True"}]}}})
    True
    >>> g.graph.nodes["node/n1"]["state"]
    'Ready'
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable

import networkx as nx

from labkube.core.api.labels import Selector, parse_selector
from labkube.kubectl.printers.columns import node_status, pod_status_cells

#: The control-plane processes every cluster has, in the order a picture lists them.
CONTROL_PLANE = ("etcd", "kube-apiserver", "kube-scheduler", "kube-controller-manager")
#: Who talks to whom in the control plane (everything goes through the API server).
CONTROL_PLANE_CALLS = (
    ("kube-apiserver", "etcd"),
    ("kube-scheduler", "kube-apiserver"),
    ("kube-controller-manager", "kube-apiserver"),
)
#: The key :meth:`ClusterGraph.summary` and the layout use for pods no node has been chosen for.
UNSCHEDULED = "<not scheduled>"

#: Every pod state, in legend order.
POD_STATES = (
    "ready", "running", "pending", "creating", "init", "crashloop", "error", "oom",
    "imagepull", "terminating", "succeeded", "unknown",
)
NODE_STATES = ("Ready", "NotReady", "Unknown")

#: The kinds the graph draws (Deployments and ReplicaSets only with ``owners=True``).
WATCHED_RESOURCES = (
    ("Node", "nodes"), ("Pod", "pods"), ("Service", "services"),
    ("EndpointSlice", "endpointslices"), ("Ingress", "ingresses"),
    ("Deployment", "deployments"), ("ReplicaSet", "replicasets"),
)
_OWNER_KINDS = ("Deployment", "ReplicaSet")
#: Each edge kind starts at vertices of these kinds (lets edges(kind) skip the rest).
_EDGE_SOURCES = {"hosts": ("Node",), "endpoint": ("Service",), "backend": ("Ingress",),
                 "owns": _OWNER_KINDS, "calls": ("ControlPlane",)}
_VERTEX_PREFIX = {"Pod": "pod", "Service": "service", "Ingress": "ingress",
                  "Deployment": "deployment", "ReplicaSet": "replicaset"}

# kubectl STATUS reasons sorted into the picture's states (anything else: see pod_state).
_REASON_STATES = {
    "Pending": "pending", "SchedulingGated": "pending",
    "ContainerCreating": "creating", "PodInitializing": "creating",
    "CrashLoopBackOff": "crashloop",
    "OOMKilled": "oom",
    "ImagePullBackOff": "imagepull", "ErrImagePull": "imagepull",
    "ErrImageNeverPull": "imagepull", "InvalidImageName": "imagepull",
    "Terminating": "terminating",
    "Completed": "succeeded", "Succeeded": "succeeded",
    "Failed": "error", "Error": "error", "Evicted": "error", "ContainerCannotRun": "error",
    "CreateContainerError": "error", "CreateContainerConfigError": "error",
    "RunContainerError": "error", "StartError": "error", "DeadlineExceeded": "error",
    "NotReady": "running",
    "Unknown": "unknown", "NodeLost": "unknown", "ContainerStatusUnknown": "unknown",
}
# Taints the node's state already shows (NotReady, Unknown, cordoned).
_STATE_TAINTS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable",
                 "node.kubernetes.io/unschedulable")


# -- what one object looks like in the picture ------------------------------------------------
def pod_state(status: str, ready: int, total: int) -> str:
    """The picture's state for a kubectl STATUS text (``Running`` splits on readiness)."""
    if status == "Running":
        return "ready" if total and ready == total else "running"
    if status.startswith("Init:"):
        inner = status[len("Init:"):]
        if inner.startswith(("ExitCode:", "Signal:")):
            return "error"
        return _REASON_STATES.get(inner, "init")
    if status.startswith(("ExitCode:", "Signal:")):
        return "error"
    return _REASON_STATES.get(status, "unknown")


def pod_attributes(pod: dict) -> dict:
    """What the picture shows of a pod: kubectl's READY/STATUS/RESTARTS, its node and state."""
    ready, total, status, restarts_text = pod_status_cells(pod, 0.0)
    meta = pod.get("metadata") or {}
    return {
        "kind": "Pod",
        "name": meta.get("name", ""),
        "namespace": meta.get("namespace", ""),
        "node": (pod.get("spec") or {}).get("nodeName") or None,
        "status": status,
        "state": pod_state(status, ready, total),
        "ready": f"{ready}/{total}",
        "restarts": int(restarts_text.split(" ", 1)[0]),
    }


def _ready_condition(node: dict) -> str:
    for cond in (node.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return {"True": "Ready", "False": "NotReady"}.get(cond.get("status"), "Unknown")
    return "Unknown"


def node_attributes(node: dict) -> dict:
    """A node's state from its Ready condition (True/False/Unknown), cordon and own taints."""
    taints = tuple(sorted(
        f"{t.get('key', '')}{'=' + t['value'] if t.get('value') else ''}:{t.get('effect', '')}"
        for t in (node.get("spec") or {}).get("taints") or []
        if t.get("key") not in _STATE_TAINTS
    ))
    return {
        "kind": "Node",
        "name": node["metadata"]["name"],
        "state": _ready_condition(node),
        "status": node_status(node),
        "cordoned": bool((node.get("spec") or {}).get("unschedulable")),
        "taints": taints,
        "registered": True,
    }


def _placeholder_node(name: str) -> dict:
    """A node pods name but the API no longer (or not yet) has: drawn as Unknown."""
    return {"kind": "Node", "name": name, "state": "Unknown", "status": "Unknown",
            "cordoned": False, "taints": (), "registered": False}


def _workload_attributes(obj: dict, kind: str) -> dict:
    meta, spec, status = obj["metadata"], obj.get("spec") or {}, obj.get("status") or {}
    attrs = {"kind": kind, "name": meta["name"], "namespace": meta.get("namespace", "")}
    if kind == "Service":
        attrs["type"] = spec.get("type", "ClusterIP")
    elif kind in _OWNER_KINDS:
        attrs["ready"] = f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}"
    return attrs


def ingress_backends(ingress: dict) -> set[str]:
    """The Service names an Ingress routes to (default backend and every rule path)."""
    spec = ingress.get("spec") or {}
    backends = [spec.get("defaultBackend") or {}]
    for rule in spec.get("rules") or []:
        backends.extend(path.get("backend") or {} for path in (rule.get("http") or {}).get("paths") or [])
    return {b["service"]["name"] for b in backends if (b.get("service") or {}).get("name")}


def ready_endpoint_pods(endpoint_slice: dict) -> set[str]:
    """Names of the pods behind an EndpointSlice's ready endpoints (nil ``ready`` means true)."""
    names = set()
    for endpoint in endpoint_slice.get("endpoints") or []:
        ref = endpoint.get("targetRef") or {}
        if ref.get("kind") != "Pod" or not ref.get("name"):
            continue
        if (endpoint.get("conditions") or {}).get("ready") is False:
            continue
        names.add(ref["name"])
    return names


def _controller_ref(obj: dict) -> dict | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


# -- the graph --------------------------------------------------------------------------------
class ClusterGraph:
    """A networkx DiGraph of the cluster, built and updated from watch-style events.

    Args:
        namespace: only draw namespaced objects from this namespace (None: all).
        label_selector: only draw pods, services, ingresses and workloads whose labels match,
            like ``kubectl get all -l`` (``"app=web,tier!=db"``). Nodes are always drawn.
        owners: also draw Deployments and ReplicaSets with ``owns`` edges down to pods.
    """

    def __init__(self, namespace: str | None = None, label_selector: str | None = None,
                 owners: bool = False) -> None:
        self.namespace = namespace
        self.selector: Selector | None = parse_selector(label_selector) if label_selector else None
        self.owners = owners
        self.graph = nx.DiGraph()
        #: Bumped on every visible change; a view redraws only when it moved.
        self.revision = 0
        #: The resourceVersion each list returned (set by from_cluster), to watch from.
        self.resource_versions: dict[str, str] = {}
        self._by_kind: dict[str, set[str]] = defaultdict(set)
        self._pods_by_node: dict[str, set[str]] = defaultdict(set)
        self._node_generation: Counter = Counter()
        self._counts: dict[str, Counter] = defaultdict(Counter)
        self._slices: dict[tuple[str, str], tuple[str, frozenset]] = {}
        self._service_pods: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self._pod_services: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self._ingress_services: dict[tuple[str, str], set[str]] = {}
        self._owner_of: dict[str, str] = {}
        self._owned: dict[str, set[str]] = defaultdict(set)
        self._add_control_plane()

    # -- feeding ------------------------------------------------------------------------
    @classmethod
    def from_cluster(cls, cluster, namespace: str | None = None, label_selector: str | None = None,
                     owners: bool = False) -> "ClusterGraph":
        """List the current objects through ``cluster.client`` (the public API) into a graph."""
        graph = cls(namespace=namespace, label_selector=label_selector, owners=owners)
        for kind, resource in WATCHED_RESOURCES:
            if kind in _OWNER_KINDS and not owners:
                continue
            listed = cluster.client.list(resource, None if kind == "Node" else namespace)
            graph.resource_versions[resource] = listed["metadata"].get("resourceVersion", "")
            graph.load({**item, "kind": kind} for item in listed["items"])
        return graph

    def load(self, objects: Iterable[dict]) -> bool:
        """Add (or refresh) many objects, as a list would; True if the graph changed."""
        changed = False
        for obj in sorted(objects, key=_load_order):
            changed |= self.apply_event({"type": "ADDED", "object": obj})
        return changed

    def apply_event(self, event: dict) -> bool:
        """Apply one ``{"type": ADDED|MODIFIED|DELETED, "object": {...}}``; True if it changed.

        BOOKMARK and ERROR events and kinds the picture does not draw change nothing.
        """
        kind_handler = self._HANDLERS.get((event.get("object") or {}).get("kind"))
        if kind_handler is None or event.get("type") not in ("ADDED", "MODIFIED", "DELETED"):
            return False
        changed = kind_handler(self, event["object"], event["type"] == "DELETED")
        if changed:
            self.revision += 1
        return changed

    def set_component_state(self, name: str, state: str) -> bool:
        """Mark a control-plane component ``"Running"`` or ``"Stopped"``; True if it changed."""
        vid = f"cp/{name}"
        if vid not in self.graph:
            raise ValueError(f"no control-plane component named {name!r}")
        if self.graph.nodes[vid]["state"] == state:
            return False
        self.graph.nodes[vid]["state"] = state
        self.revision += 1
        return True

    # -- queries (all sorted) -------------------------------------------------------------
    def nodes(self) -> list[str]:
        """Names of the nodes drawn (registered ones and those pods still name)."""
        return sorted(v[5:] for v in self._by_kind.get("Node", ()))

    def pods_on(self, node: str) -> list[str]:
        """Vertex ids of the pods on a node, or in the lane when ``node`` is UNSCHEDULED."""
        return sorted(self._pods_by_node.get(node, ()))

    def pod_ids(self, node: str) -> set[str]:
        """The same as :meth:`pods_on`, unsorted and shared: do not modify."""
        return self._pods_by_node.get(node, _EMPTY)

    def node_generation(self, node: str) -> int:
        """Bumped whenever a pod arrives at or leaves ``node`` (lets a layout skip the others)."""
        return self._node_generation[node]

    def vertices(self, kind: str) -> list[str]:
        """Sorted vertex ids of one kind ("Pod", "Service", "ControlPlane", …)."""
        return sorted(self._by_kind.get(kind, ()))

    def edges(self, kind: str | None = None) -> list[tuple[str, str]]:
        """Sorted (source, target) pairs, optionally only of one edge kind."""
        if kind is None:
            return sorted(self.graph.edges())
        adjacency = self.graph.adj
        return sorted((u, v) for source_kind in _EDGE_SOURCES.get(kind, ())
                      for u in self._by_kind.get(source_kind, ())
                      for v, data in adjacency[u].items() if data["kind"] == kind)

    def pod_count(self) -> int:
        return sum(len(pods) for pods in self._pods_by_node.values())

    def summary(self) -> dict[str, dict[str, int]]:
        """Pod counts per node and state; nodes sorted, then UNSCHEDULED if it has pods."""
        lane = self._counts.get(UNSCHEDULED)
        keys = self.nodes() + ([UNSCHEDULED] if lane and any(lane.values()) else [])
        return {key: self._state_counts(key) for key in keys}

    def _state_counts(self, key: str) -> dict[str, int]:
        counts = self._counts.get(key)
        if not counts:
            return {}
        return {state: counts[state] for state in POD_STATES if counts.get(state)}

    # -- handlers per kind ---------------------------------------------------------------
    def _add_control_plane(self) -> None:
        for name in CONTROL_PLANE:
            self._add_vertex(f"cp/{name}", {"kind": "ControlPlane", "name": name, "state": "Running"})
        for source, target in CONTROL_PLANE_CALLS:
            self.graph.add_edge(f"cp/{source}", f"cp/{target}", kind="calls")

    def _visible(self, obj: dict) -> bool:
        meta = obj.get("metadata") or {}
        if self.namespace is not None and meta.get("namespace") != self.namespace:
            return False
        return self.selector is None or self.selector.matches(meta.get("labels") or {})

    def _on_node(self, obj: dict, deleted: bool) -> bool:
        name = obj["metadata"]["name"]
        vid = f"node/{name}"
        if deleted:
            if vid not in self.graph:
                return False
            if self._pods_by_node.get(name):
                return self._set_attributes(vid, _placeholder_node(name))
            self._drop_vertex(vid)
            return True
        attrs = node_attributes(obj)
        if vid in self.graph:
            return self._set_attributes(vid, attrs)
        self._add_vertex(vid, attrs)
        for pod_vid in self._pods_by_node.get(name, ()):
            self.graph.add_edge(vid, pod_vid, kind="hosts")
        return True

    def _on_pod(self, obj: dict, deleted: bool) -> bool:
        meta = obj["metadata"]
        vid = f"pod/{meta.get('namespace', '')}/{meta['name']}"
        if deleted or not self._visible(obj):
            return self._remove_pod(vid)
        attrs = pod_attributes(obj)
        old = self.graph.nodes[vid] if vid in self.graph else None
        if old is not None and old["node"] == attrs["node"]:
            self._count(old, -1)
            self._count(attrs, +1)
            self._set_owner(vid, obj)
            return self._set_attributes(vid, attrs)
        if old is not None:
            self._remove_pod(vid)
        self._add_vertex(vid, attrs)
        self._place_pod(vid, attrs)
        self._connect_pod(vid, attrs)
        self._set_owner(vid, obj)
        return True

    def _on_service(self, obj: dict, deleted: bool) -> bool:
        return self._on_workload(obj, "Service", deleted, self._connect_service)

    def _on_ingress(self, obj: dict, deleted: bool) -> bool:
        meta = obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        if deleted or not self._visible(obj):
            self._ingress_services.pop(key, None)
            return self._remove_vertex(f"ingress/{key[0]}/{key[1]}")
        backends = ingress_backends(obj)
        rewired = self._ingress_services.get(key) != backends
        self._ingress_services[key] = backends
        return self._on_workload(obj, "Ingress", False, self._connect_ingress, rewired)

    def _on_deployment(self, obj: dict, deleted: bool) -> bool:
        return self.owners and self._on_workload(obj, "Deployment", deleted, self._connect_owner)

    def _on_replica_set(self, obj: dict, deleted: bool) -> bool:
        return self.owners and self._on_workload(obj, "ReplicaSet", deleted, self._connect_owner)

    def _on_endpoint_slice(self, obj: dict, deleted: bool) -> bool:
        meta = obj["metadata"]
        namespace = meta.get("namespace", "")
        if self.namespace is not None and namespace != self.namespace:
            return False
        key = (namespace, meta["name"])
        service = (meta.get("labels") or {}).get("kubernetes.io/service-name", "")
        new = None if deleted or not service else (service, frozenset(ready_endpoint_pods(obj)))
        old = self._slices.pop(key, None)
        if new is not None:
            self._slices[key] = new
        if old == new:
            return False
        if old is not None:
            self._count_endpoints(namespace, *old, -1)
        if new is not None:
            self._count_endpoints(namespace, *new, +1)
        services = sorted({pair[0] for pair in (old, new) if pair is not None})
        return any([self._rewire_service(namespace, s) for s in services])

    _HANDLERS = {}  # filled below the class

    # -- helpers --------------------------------------------------------------------------
    def _on_workload(self, obj: dict, kind: str, deleted: bool, connect, rewired: bool = False) -> bool:
        meta = obj["metadata"]
        vid = f"{_VERTEX_PREFIX[kind]}/{meta.get('namespace', '')}/{meta['name']}"
        if deleted or not self._visible(obj):
            return self._remove_vertex(vid)
        attrs = _workload_attributes(obj, kind)
        if vid in self.graph:
            if kind in _OWNER_KINDS:
                self._set_owner(vid, obj)
            changed = self._set_attributes(vid, attrs)
            return (connect(vid) if rewired else False) or changed
        self._add_vertex(vid, attrs)
        connect(vid)
        if kind in _OWNER_KINDS:
            self._set_owner(vid, obj)
        return True

    def _add_vertex(self, vid: str, attrs: dict) -> None:
        self.graph.add_node(vid, **attrs)
        self._by_kind[attrs["kind"]].add(vid)

    def _drop_vertex(self, vid: str) -> None:
        self._by_kind[self.graph.nodes[vid]["kind"]].discard(vid)
        self.graph.remove_node(vid)

    def _set_attributes(self, vid: str, attrs: dict) -> bool:
        current = self.graph.nodes[vid]
        if all(current.get(k) == v for k, v in attrs.items()):
            return False
        current.update(attrs)
        return True

    def _remove_vertex(self, vid: str) -> bool:
        if vid not in self.graph:
            return False
        self._forget_owner(vid)
        self._drop_vertex(vid)
        return True

    def _count(self, attrs: dict, delta: int) -> None:
        self._counts[attrs["node"] or UNSCHEDULED][attrs["state"]] += delta

    def _place_pod(self, vid: str, attrs: dict) -> None:
        node = attrs["node"]
        key = node or UNSCHEDULED
        self._pods_by_node[key].add(vid)
        self._node_generation[key] += 1
        self._count(attrs, +1)
        if node is None:
            return
        node_vid = f"node/{node}"
        if node_vid not in self.graph:
            self._add_vertex(node_vid, _placeholder_node(node))
        self.graph.add_edge(node_vid, vid, kind="hosts")

    def _remove_pod(self, vid: str) -> bool:
        if vid not in self.graph:
            return False
        attrs = self.graph.nodes[vid]
        key = attrs["node"] or UNSCHEDULED
        self._pods_by_node[key].discard(vid)
        self._node_generation[key] += 1
        self._count(attrs, -1)
        self._forget_owner(vid)
        self._drop_vertex(vid)
        node_vid = f"node/{attrs['node']}"
        if (attrs["node"] and not self._pods_by_node[key]
                and not self.graph.nodes[node_vid]["registered"]):
            self._drop_vertex(node_vid)
        return True

    def _count_endpoints(self, namespace: str, service: str, pods: frozenset, delta: int) -> None:
        """Count how many slices list each (service, ready pod) pair; zero counts are dropped."""
        for pod in pods:
            _bump(self._service_pods, (namespace, service), pod, delta)
            _bump(self._pod_services, (namespace, pod), service, delta)

    def _connect_pod(self, vid: str, attrs: dict) -> None:
        namespace = attrs["namespace"]
        for service in sorted(self._pod_services.get((namespace, attrs["name"]), ())):
            if f"service/{namespace}/{service}" in self.graph:
                self.graph.add_edge(f"service/{namespace}/{service}", vid, kind="endpoint")

    def _connect_service(self, vid: str) -> bool:
        _, namespace, name = vid.split("/")
        changed = self._rewire_service(namespace, name)
        for (ns, ingress), services in self._ingress_services.items():
            if ns == namespace and name in services and f"ingress/{ns}/{ingress}" in self.graph:
                self.graph.add_edge(f"ingress/{ns}/{ingress}", vid, kind="backend")
        return changed

    def _connect_ingress(self, vid: str) -> bool:
        _, namespace, name = vid.split("/")
        wanted = {f"service/{namespace}/{s}" for s in self._ingress_services[(namespace, name)]}
        current = {v for v in self.graph.successors(vid)}
        for target in current - wanted:
            self.graph.remove_edge(vid, target)
        for target in sorted(wanted - current):
            if target in self.graph:
                self.graph.add_edge(vid, target, kind="backend")
        return current != (wanted & set(self.graph))

    def _rewire_service(self, namespace: str, service: str) -> bool:
        """Make the service's endpoint edges match its slices' ready pods; True if they moved."""
        vid = f"service/{namespace}/{service}"
        if vid not in self.graph:
            return False
        pods = self._service_pods.get((namespace, service), ())
        wanted = {f"pod/{namespace}/{p}" for p in pods}
        wanted = {v for v in wanted if v in self.graph}
        current = {v for v in self.graph.successors(vid)}
        for target in current - wanted:
            self.graph.remove_edge(vid, target)
        for target in sorted(wanted - current):
            self.graph.add_edge(vid, target, kind="endpoint")
        return current != wanted

    def _set_owner(self, vid: str, obj: dict) -> None:
        """Record ``vid``'s controller owner and draw the ``owns`` edge when both are drawn."""
        if not self.owners:
            return
        ref = _controller_ref(obj)
        namespace = (obj.get("metadata") or {}).get("namespace", "")
        prefix = _VERTEX_PREFIX.get((ref or {}).get("kind", ""))
        owner = f"{prefix}/{namespace}/{ref['name']}" if ref and prefix else None
        if self._owner_of.get(vid) == owner:
            return
        self._forget_owner(vid)
        if owner is None:
            return
        self._owner_of[vid] = owner
        self._owned[owner].add(vid)
        if owner in self.graph:
            self.graph.add_edge(owner, vid, kind="owns")

    def _forget_owner(self, vid: str) -> None:
        previous = self._owner_of.pop(vid, None)
        if previous is None:
            return
        self._owned[previous].discard(vid)
        if not self._owned[previous]:
            del self._owned[previous]
        if self.graph.has_edge(previous, vid):
            self.graph.remove_edge(previous, vid)

    def _connect_owner(self, vid: str) -> bool:
        for child in sorted(self._owned.get(vid, ())):
            if child in self.graph:
                self.graph.add_edge(vid, child, kind="owns")
        return False


_EMPTY: set = set()


def _bump(index: dict, key: tuple, item: str, delta: int) -> None:
    counts = index[key]
    counts[item] += delta
    if counts[item] <= 0:
        del counts[item]
        if not counts:
            del index[key]
ClusterGraph._HANDLERS = {
    "Node": ClusterGraph._on_node,
    "Pod": ClusterGraph._on_pod,
    "Service": ClusterGraph._on_service,
    "Ingress": ClusterGraph._on_ingress,
    "EndpointSlice": ClusterGraph._on_endpoint_slice,
    "Deployment": ClusterGraph._on_deployment,
    "ReplicaSet": ClusterGraph._on_replica_set,
}

_KIND_ORDER = {kind: i for i, (kind, _) in enumerate(WATCHED_RESOURCES)}


def _load_order(obj: dict) -> tuple:
    meta = obj.get("metadata") or {}
    return (_KIND_ORDER.get(obj.get("kind"), len(_KIND_ORDER)), meta.get("namespace", ""), meta.get("name", ""))
