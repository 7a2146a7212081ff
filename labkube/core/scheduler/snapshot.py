"""The scheduler's picture of the cluster: every node with the pods bound or assumed there.

Mirrors pkg/scheduler/backend/cache (the scheduler cache, its ``nodeTree`` and
``UpdateSnapshot``) folded into one object. kube-scheduler keeps a cache fed by informers
and copies it into a ``Snapshot`` at the start of each cycle; labkube schedules one pod at a
time in one thread, so the cache *is* the snapshot and is updated in place:

* ``add_node`` / ``update_node`` / ``remove_node`` and ``add_pod`` / ``update_pod`` /
  ``remove_pod`` are what informer event handlers call;
* ``assume(pod_info, node_name)`` is kube-scheduler's ``AssumePod``: the pod counts on the
  node right away, before the API server has the binding; ``forget`` undoes it when the
  binding fails; a later ``add_pod`` of the bound pod replaces the assumed copy.

Node order follows kube-scheduler's ``nodeTree``: nodes are grouped by zone
(``topology.kubernetes.io/region`` + ``zone``), zones in the order first seen, and listed
round-robin across zones, so that the first nodes a cycle examines span the zones.

Tallies kept for the plugins' shortcuts: how many nodes carry each label key
(``nodes_with_label``), the largest size any node reports per image (``max_image_size``)
and a floor under every node's free pod slots, CPU and memory (``fits_everywhere``).
A new version of a placed pod that changes nothing scheduling counts (the binding
confirmed, a status written) replaces the old PodInfo in place.

Per-node columns (``node_column``, a labkube speed-up): a value computed from each node —
a score that depends only on the node's state, a count kept per node — held in a list
aligned with :meth:`list` and recomputed only for the nodes that changed since it was last
read (the snapshot logs every node a pod is placed on or removed from, and every node
update). A cycle whose feasible nodes are consecutive nodes of :meth:`list` slices it.

Guarantees: sums are incremental (adding and removing a pod never rescans a node); pods in
phase Succeeded or Failed and pods without ``spec.nodeName`` hold nothing; a pod's requests
are parsed once per uid and resourceVersion; nothing reads a clock or a random source.
"""

from __future__ import annotations

from collections import OrderedDict
from operator import attrgetter

from labkube.core.scheduler.affinity_index import AffinityIndex
from labkube.core.scheduler.nodeinfo import NodeInfo, PodInfo, is_terminated
from labkube.core.scheduler.volume_cache import VolumeCache

_FREE = (attrgetter("free_pods"), attrgetter("free_cpu"), attrgetter("free_memory"))
ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
REGION_LABELS = ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region")
_NAME = attrgetter("name")
#: how many per-node columns a snapshot keeps (least recently used dropped first)
MAX_COLUMNS = 32


def zone_key(labels: dict) -> str:
    """``utilnode.GetZoneKey``: "region:\\x00:zone", or "" when the node has neither label."""
    region = next((labels[k] for k in REGION_LABELS if k in labels), "")
    zone = next((labels[k] for k in ZONE_LABELS if k in labels), "")
    if not region and not zone:
        return ""
    return f"{region}:\x00:{zone}"


class Snapshot:
    """Nodes, the pods on them, and the indexes plugins read during a scheduling cycle."""

    def __init__(self, nodes=(), pods=(), *, namespaces: dict | None = None, services=(),
                 replica_sets=(), stateful_sets=(), replication_controllers=()):
        self.node_infos: dict[str, NodeInfo] = {}
        self._zones: dict[str, list[str]] = {}
        self._list: list[NodeInfo] | None = None
        self._names: tuple[str, ...] = ()       # names aligned with _list
        self._positions: dict[str, int] = {}    # name -> index in _list
        self._layout = 0                        # bumped whenever _list is rebuilt
        #: names of nodes changed since ``_log_epoch`` began (read by the columns)
        self._changed: list[str] = []
        self._log_epoch = 0
        self._columns: OrderedDict = OrderedDict()  # key -> _Column
        self._pod_cache: dict[str, PodInfo] = {}
        #: the PodInfo parsed last: a sibling replica with the same spec shares its parsed parts
        self._last_parsed: PodInfo | None = None
        self._pod_node: dict[str, str] = {}
        self.assumed: set[str] = set()
        self.image_num_nodes: dict[str, int] = {}
        self._image_sizes: dict[str, dict[int, int]] = {}  # image -> {size: nodes reporting it}
        self._label_keys: dict[str, int] = {}  # label key -> nodes that have it
        #: (pods, milli-CPU, memory) no node has less of free (a lower bound; None: unknown),
        #: and whether some node gained room since it was computed (see fits_everywhere)
        self._free_floor: tuple[int, int, int] | None = None
        self._free_may_rise = False
        self.nodes_with_affinity_pods: dict[str, NodeInfo] = {}
        self.nodes_with_required_anti_affinity_pods: dict[str, NodeInfo] = {}
        self.pods_by_label: dict[tuple[str, str], dict[str, PodInfo]] = {}
        #: names of nodes with taints / with spec.unschedulable (lets filters skip clean clusters)
        self.affinity_index = AffinityIndex(self)
        #: placed pods whose terms can change another pod's InterPodAffinity score
        self.num_scoring_affinity_pods = 0
        self.tainted_nodes: set[str] = set()
        self.unschedulable_nodes: set[str] = set()
        #: namespace name -> labels (for namespaceSelector in pod affinity terms)
        self.namespaces: dict[str, dict] = dict(namespaces or {})
        #: owners used by PodTopologySpread's system default constraints
        self.services = list(services)
        self.replica_sets = list(replica_sets)
        self.stateful_sets = list(stateful_sets)
        self.replication_controllers = list(replication_controllers)
        #: claims, volumes and storage classes (the volume plugins' listers and assume cache)
        self.volumes = VolumeCache()
        for node in nodes:
            self.add_node(node)
        for pod in pods:
            self.add_pod(pod)

    # -- reading ---------------------------------------------------------------
    def list(self) -> list[NodeInfo]:
        """All NodeInfos in nodeTree order (zones interleaved)."""
        if self._list is None:
            self._list = self._tree_order()
            self._names = tuple(map(_NAME, self._list))
            self._positions = {name: i for i, name in enumerate(self._names)}
            self._layout += 1
        return self._list

    def node_names(self) -> tuple[str, ...]:
        """The names of :meth:`list`, in the same order."""
        self.list()
        return self._names

    def node_column(self, key, compute, source=None) -> list:
        """``[compute(node) for node in self.list()]``, kept between calls under ``key``.

        ``compute(node)`` must depend only on what changes with the node (its pods, its
        spec and status) and on ``source`` (any object, compared by identity: a different
        one starts the column afresh). Between calls only the nodes that changed are
        computed again. The list is the snapshot's: read it or slice it, never modify it."""
        nodes = self.list()
        log = self._changed
        column = self._columns.get(key)
        if (column is None or column.source is not source or column.layout != self._layout
                or column.epoch != self._log_epoch):
            column = _Column(source, self._layout, self._log_epoch, len(log),
                             list(map(compute, nodes)))
            self._columns[key] = column
            if len(self._columns) > MAX_COLUMNS:
                self._columns.popitem(last=False)
            return column.values
        self._columns.move_to_end(key)
        if column.cursor < len(log):
            values, positions = column.values, self._positions
            for name in set(log[column.cursor:]):
                i = positions.get(name)
                if i is not None:
                    values[i] = compute(nodes[i])
            column.cursor = len(log)
        return column.values

    def _node_changed(self, name: str) -> None:
        """Log that a node's state changed (its columns' values must be computed again);
        a long log is dropped and every column starts afresh on its next read."""
        log = self._changed
        log.append(name)
        if len(log) > 4096 + 4 * len(self.node_infos):
            log.clear()
            self._log_epoch += 1

    def get(self, name: str) -> NodeInfo | None:
        return self.node_infos.get(name)

    def __len__(self) -> int:
        return len(self.node_infos)

    def nodes_with_label(self, key: str) -> int:
        """How many nodes carry the label ``key`` (with any value)."""
        return self._label_keys.get(key, 0)

    def fits_everywhere(self, milli_cpu: int, memory: int) -> bool:
        """True only if every node of this snapshot has a free pod slot and at least
        ``milli_cpu`` and ``memory`` free (lets NodeResourcesFit pass a whole window of nodes
        at once); False means "look at each node".

        The floor only falls as pods are placed; when the answer is no and some node gained
        room since the floor was taken (a pod removed, a node changed or removed), it is
        taken again from every node, so it never stays lower than it has to. With no nodes at
        all, every node (none) has room."""
        if not self.node_infos:
            return True
        for _ in range(2):
            floor = self._free_floor
            if floor is None:
                infos = self.node_infos.values()
                floor = self._free_floor = tuple(min(map(get, infos), default=0) for get in _FREE)
                self._free_may_rise = False
            if floor[0] > 0 and milli_cpu <= floor[1] and memory <= floor[2]:
                return True
            if not self._free_may_rise:
                return False
            self._free_floor = None
        return False

    def _lower_free_floor(self, info: NodeInfo) -> None:
        """A node lost room (a pod placed on it, its allocatable changed): lower the floor."""
        floor = self._free_floor
        if floor is not None and (info.free_pods < floor[0] or info.free_cpu < floor[1]
                                  or info.free_memory < floor[2]):
            self._free_floor = (min(floor[0], info.free_pods), min(floor[1], info.free_cpu),
                                min(floor[2], info.free_memory))

    def _tree_order(self) -> list[NodeInfo]:
        zones = [names for names in self._zones.values() if names]
        order: list[NodeInfo] = []
        for i in range(max((len(z) for z in zones), default=0)):
            for names in zones:
                if i < len(names):
                    order.append(self.node_infos[names[i]])
        return order

    def pod_info(self, pod: dict) -> PodInfo:
        """The (cached) PodInfo for a pod dict; re-parsed only when its resourceVersion changes.

        A pod seen for the first time whose parsed spec fields equal those of the pod parsed
        just before (the next replica of the same template, the usual case) shares that
        pod's parsed parts instead of parsing its quantities and terms again."""
        meta = pod.get("metadata") or {}
        uid = meta.get("uid") or f"{meta.get('namespace', 'default')}/{meta.get('name', '')}"
        cached = self._pod_cache.get(uid)
        if cached is not None and (cached.pod is pod or self._same_version(cached, pod, meta)):
            return cached
        info = PodInfo(pod, previous=cached if cached is not None else self._last_parsed)
        self._pod_cache[uid] = info
        self._last_parsed = info
        return info

    @staticmethod
    def _same_version(cached: PodInfo, pod: dict, meta: dict) -> bool:
        version = meta.get("resourceVersion", "")
        node_name = (pod.get("spec") or {}).get("nodeName") or ""
        return bool(version) and cached.resource_version == version and cached.node_name == node_name

    def pods(self):
        """Every (PodInfo, NodeInfo) pair in node order."""
        for node_info in self.list():
            for info in node_info.pods.values():
                yield info, node_info

    # -- nodes -----------------------------------------------------------------
    def add_node(self, node: dict) -> NodeInfo:
        name = (node.get("metadata") or {}).get("name", "")
        if name in self.node_infos:
            return self.update_node(node)
        info = NodeInfo(node)
        self.node_infos[name] = info
        self._zones.setdefault(zone_key(info.labels), []).append(name)
        self._count_images(info, 1)
        self._count_label_keys(info.labels, 1)
        self._track_flags(info)
        self._lower_free_floor(info)
        self._list = None
        return info

    def _track_flags(self, info: NodeInfo) -> None:
        for names, flag in ((self.tainted_nodes, bool(info.taints)),
                            (self.unschedulable_nodes, info.unschedulable)):
            if flag:
                names.add(info.name)
            else:
                names.discard(info.name)

    def update_node(self, node: dict) -> NodeInfo:
        name = (node.get("metadata") or {}).get("name", "")
        info = self.node_infos.get(name)
        if info is None:
            return self.add_node(node)
        old_zone, old_labels = zone_key(info.labels), info.labels
        self._count_images(info, -1)
        self._count_label_keys(info.labels, -1)
        info.set_node(node)
        self._node_changed(name)
        self._lower_free_floor(info)
        self._free_may_rise = True
        self._count_images(info, 1)
        self._count_label_keys(info.labels, 1)
        self._track_flags(info)
        new_zone = zone_key(info.labels)
        if info.labels != old_labels and info.pods:
            self.affinity_index.invalidate()
        if new_zone != old_zone:
            self._zones[old_zone].remove(name)
            self._zones.setdefault(new_zone, []).append(name)
            self._list = None
        return info

    def remove_node(self, name: str) -> None:
        """Forget a node; pods still bound to it are dropped with it (they hold nothing now)."""
        info = self.node_infos.pop(name, None)
        if info is None:
            return
        for uid in list(info.pods):
            self._unindex(info.pods[uid], info)
            self._pod_node.pop(uid, None)
            self.assumed.discard(uid)
        self._zones[zone_key(info.labels)].remove(name)
        self._count_images(info, -1)
        self._count_label_keys(info.labels, -1)
        self.tainted_nodes.discard(name)
        self.unschedulable_nodes.discard(name)
        self.nodes_with_affinity_pods.pop(name, None)
        self.nodes_with_required_anti_affinity_pods.pop(name, None)
        self._free_may_rise = True
        self._list = None

    def _count_images(self, info: NodeInfo, sign: int) -> None:
        for image, size in info.image_sizes.items():
            self.image_num_nodes[image] = self.image_num_nodes.get(image, 0) + sign
            sizes = self._image_sizes.setdefault(image, {})
            sizes[size] = sizes.get(size, 0) + sign
            if not sizes[size]:
                del sizes[size]
                if not sizes:
                    del self._image_sizes[image]

    def _count_label_keys(self, labels: dict, sign: int) -> None:
        for key in labels:
            count = self._label_keys.get(key, 0) + sign
            if count:
                self._label_keys[key] = count
            else:
                del self._label_keys[key]

    def max_image_size(self, image: str) -> int:
        """The largest size any node reports for ``image`` (0 when none has it)."""
        return max(self._image_sizes.get(image, ()), default=0)

    # -- pods ------------------------------------------------------------------
    def add_pod(self, pod: dict) -> None:
        """A pod the API server reports (bound, or not yet): counted only once bound and running."""
        info = self.pod_info(pod)
        self.assumed.discard(info.uid)
        if self._swap_in_place(info, pod):
            return
        self._remove_uid(info.uid)
        if not info.node_name or is_terminated(pod) or info.node_name not in self.node_infos:
            return
        self._place(info, info.node_name)

    update_pod = add_pod

    def _swap_in_place(self, info: PodInfo, pod: dict) -> bool:
        """A new version of a placed pod that changes nothing scheduling counts (a binding
        confirmed, a status written): replace the PodInfo where it is kept, nothing else."""
        node_name = self._pod_node.get(info.uid)
        node_info = self.node_infos.get(node_name) if node_name else None
        old = node_info.pods.get(info.uid) if node_info is not None else None
        if old is None or is_terminated(pod) or not info.same_for_node(old):
            return False
        for kept in (node_info.pods, node_info.pods_with_affinity,
                     node_info.pods_with_required_anti_affinity):
            if info.uid in kept:
                kept[info.uid] = info
        for pair in info.labels.items():
            self.pods_by_label[pair][info.uid] = info
        return True

    def remove_pod(self, pod: dict | str) -> None:
        uid = pod if isinstance(pod, str) else self.pod_info(pod).uid
        self._remove_uid(uid)
        self.assumed.discard(uid)
        self._pod_cache.pop(uid, None)

    def assume(self, info: PodInfo, node_name: str) -> PodInfo:
        """``AssumePod``: count the pod on ``node_name`` now; returns the bound PodInfo."""
        spec = dict(info.pod.get("spec") or {}, nodeName=node_name)
        bound = PodInfo.__new__(PodInfo)
        for slot in PodInfo.__slots__:
            setattr(bound, slot, getattr(info, slot))
        bound.pod = dict(info.pod, spec=spec)
        bound.node_name = node_name
        self._remove_uid(info.uid)
        self._place(bound, node_name)
        self._pod_cache[info.uid] = bound
        self.assumed.add(info.uid)
        return bound

    def forget(self, info: PodInfo) -> None:
        """``ForgetPod``: undo :meth:`assume` (the binding failed)."""
        if info.uid in self.assumed:
            self._remove_uid(info.uid)
            self.assumed.discard(info.uid)

    def is_assumed(self, uid: str) -> bool:
        return uid in self.assumed

    def _place(self, info: PodInfo, node_name: str) -> None:
        node_info = self.node_infos[node_name]
        node_info.add_pod(info)
        self._node_changed(node_name)
        self._lower_free_floor(node_info)
        self._pod_node[info.uid] = node_name
        if info.has_affinity:
            self.nodes_with_affinity_pods[node_name] = node_info
        if info.required_anti_affinity:
            self.nodes_with_required_anti_affinity_pods[node_name] = node_info
        for pair in info.labels.items():
            self.pods_by_label.setdefault(pair, {})[info.uid] = info
        self.num_scoring_affinity_pods += info.has_scoring_terms
        self.affinity_index.placed(info, node_info)

    def _remove_uid(self, uid: str) -> None:
        node_name = self._pod_node.pop(uid, None)
        if node_name is None:
            return
        node_info = self.node_infos.get(node_name)
        if node_info is None:
            return
        info = node_info.remove_pod(uid)
        if info is None:
            return
        self._node_changed(node_name)
        self._free_may_rise = True
        self._unindex(info, node_info)
        if not node_info.pods_with_affinity:
            self.nodes_with_affinity_pods.pop(node_name, None)
        if not node_info.pods_with_required_anti_affinity:
            self.nodes_with_required_anti_affinity_pods.pop(node_name, None)

    def _unindex(self, info: PodInfo, node_info: NodeInfo) -> None:
        self.num_scoring_affinity_pods -= info.has_scoring_terms
        self.affinity_index.placed(info, node_info, -1)
        for pair in info.labels.items():
            bucket = self.pods_by_label.get(pair)
            if bucket is not None:
                bucket.pop(info.uid, None)
                if not bucket:
                    del self.pods_by_label[pair]

    def set_namespace(self, name: str, labels: dict | None) -> None:
        """Record a namespace's labels (None: deleted) for namespaceSelector terms."""
        if labels is None:
            self.namespaces.pop(name, None)
        else:
            self.namespaces[name] = dict(labels)
        self.affinity_index.invalidate()

    def node_of(self, uid: str) -> str | None:
        """The node a pod is bound or assumed on, if any."""
        return self._pod_node.get(uid)


class _Column:
    """One :meth:`Snapshot.node_column`: its values and how far into the log they are."""

    __slots__ = ("source", "layout", "epoch", "cursor", "values")

    def __init__(self, source, layout: int, epoch: int, cursor: int, values: list):
        self.source, self.layout, self.epoch, self.cursor, self.values = (
            source, layout, epoch, cursor, values)
