"""The node lifecycle controller: notices nodes that stopped heartbeating and taints them.

Mirrors pkg/controller/nodelifecycle/node_lifecycle_controller.go (Kubernetes 1.32, with
``SeparateTaintEvictionController`` on, so evicting pods is the job of
:mod:`labkube.core.controllers.taint_eviction`):

* **Health monitoring** (``monitorNodeHealth``, every ``node_monitor_period``, 5 s): a kubelet
  proves it is alive two ways — the Ready condition's ``lastHeartbeatTime`` and the
  ``renewTime`` of its Lease in ``kube-node-lease``. The controller remembers, per node, the
  *controller's own* time when it last saw either of them change (``probeTimestamp``). When
  ``now > probeTimestamp + node_monitor_grace_period`` (50 s since 1.32) it sets Ready, MemoryPressure,
  DiskPressure and PIDPressure to ``Unknown`` (reason ``NodeStatusUnknown``, message
  ``Kubelet stopped posting node status.``), records the Node event ``NodeNotReady``
  (``Node node-1 status is now: NodeNotReady``) and marks the node's pods not Ready
  (``MarkPodsNotReady``: a Warning ``NodeNotReady`` "Node is not ready" on each pod).
* **NoExecute taints** (``processTaintBaseEviction`` + ``doNoExecuteTaintingPass``): a node
  whose Ready is ``Unknown`` gets ``node.kubernetes.io/unreachable:NoExecute``, one whose Ready
  is ``False`` gets ``node.kubernetes.io/not-ready:NoExecute`` (mutually exclusive), each with
  ``timeAdded``; Ready ``True`` removes them. Tainting is rate limited per zone (0.1 node/s,
  burst 1) and stops when a whole zone — or, in a small cluster, most of it — is down
  ("disruption mode": if every node is unready the controller assumes the control plane is
  the one cut off and removes the taints instead).
* **NoSchedule taints** (``doNoScheduleTaintingPass``, TaintNodesByCondition): on every Node
  change, conditions map to NoSchedule taints — Ready False → ``not-ready``, Ready Unknown →
  ``unreachable``, MemoryPressure/DiskPressure/PIDPressure/NetworkUnavailable True → their
  taints — and ``spec.unschedulable`` → ``node.kubernetes.io/unschedulable``.
* Nodes first seen produce ``RegisteredNode`` ("Node node-1 event: Registered Node node-1 in
  Controller"), vanished ones ``RemovingNode``.

Guarantees: nothing happens before the grace period has fully elapsed (strictly after, and at a
monitor tick); the controller acts only through the API (nodes/status, nodes, pods/status,
events). Cost: every node is visited at every tick, as in kube-controller-manager, but what is
read from a Node (zone, Ready condition, NoExecute taints: ``NodeFacts``) is worked out once per
Node object and a Lease's ``renewTime`` parsed once per Lease object — informer objects never
change in place — while the grace-period check against the clock runs at every tick. A node
the last pass found Ready with nothing left to do (no NoExecute taint, no retry) is, while its
Node object stays the same, only checked for a newer Lease and against the grace period: the
rest of the visit could not change anything.
Difference: the tainting pass runs right after each health pass (and when the rate limiter next
allows one) instead of on its own 100 ms ticker.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

from labkube.core import serialization
from labkube.core.clock import parse_timestamp
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.errors import StatusError
from labkube.core.machinery import NORMAL, WARNING

NODE_LEASE_NAMESPACE = "kube-node-lease"
NODE_NAME_INDEX = "spec.nodeName"

TAINT_NOT_READY = "node.kubernetes.io/not-ready"
TAINT_UNREACHABLE = "node.kubernetes.io/unreachable"
TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
NO_EXECUTE = "NoExecute"
NO_SCHEDULE = "NoSchedule"

#: nodeConditionToTaintKeyStatusMap: which condition status maps to which taint key.
CONDITION_TAINTS: dict[str, dict[str, str]] = {
    "Ready": {"False": TAINT_NOT_READY, "Unknown": TAINT_UNREACHABLE},
    "MemoryPressure": {"True": "node.kubernetes.io/memory-pressure"},
    "DiskPressure": {"True": "node.kubernetes.io/disk-pressure"},
    "NetworkUnavailable": {"True": "node.kubernetes.io/network-unavailable"},
    "PIDPressure": {"True": "node.kubernetes.io/pid-pressure"},
}
CONDITION_TAINT_KEYS = frozenset(k for m in CONDITION_TAINTS.values() for k in m.values())

#: Conditions set to Unknown when the kubelet goes silent (NetworkUnavailable is left alone).
MONITORED_CONDITIONS = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
STATUS_UNKNOWN_REASON = "NodeStatusUnknown"
STATUS_UNKNOWN_MESSAGE = "Kubelet stopped posting node status."
NEVER_UPDATED_REASON = "NodeStatusNeverUpdated"
NEVER_UPDATED_MESSAGE = "Kubelet never posted node status."

LABEL_ZONE = "topology.kubernetes.io/zone"
LABEL_REGION = "topology.kubernetes.io/region"
LABEL_EXCLUDE_DISRUPTION = "node.kubernetes.io/exclude-disruption"

NODE_HEALTH_UPDATE_RETRY = 5
TAINT_RETRY_DELAY = 0.05

STATE_INITIAL = "Initial"
STATE_NORMAL = "Normal"
STATE_FULL_DISRUPTION = "FullDisruption"
STATE_PARTIAL_DISRUPTION = "PartialDisruption"


# -- small helpers shared with the taint eviction controller and tests ---------------------
def get_condition(status: Optional[dict], ctype: str) -> Optional[dict]:
    for condition in (status or {}).get("conditions") or ():
        if condition.get("type") == ctype:
            return condition
    return None


def taint_matches(a: dict, b: dict) -> bool:
    """``Taint.MatchTaint``: same key and effect."""
    return a.get("key") == b.get("key") and a.get("effect") == b.get("effect")


def has_taint(node: dict, key: str, effect: str) -> bool:
    return any(t.get("key") == key and t.get("effect") == effect for t in (node.get("spec") or {}).get("taints") or ())


def zone_key(node: dict) -> str:
    """``nodetopology.GetZoneKey``: region and zone, "" when the node has neither."""
    labels = node["metadata"].get("labels") or {}
    region = labels.get(LABEL_REGION) or labels.get("failure-domain.beta.kubernetes.io/region", "")
    zone = labels.get(LABEL_ZONE) or labels.get("failure-domain.beta.kubernetes.io/zone", "")
    if not region and not zone:
        return ""
    return f"{region}:\x00:{zone}"


def swap_node_taints(client: Any, clock: Any, name: str, add: list[dict], remove: list[dict],
                     node: Optional[dict] = None) -> bool:
    """``SwapNodeControllerTaint``: add taints (stamped ``timeAdded`` now), then remove others.

    As in controller_utils, the two halves are separate requests (``AddOrUpdateTaintOnNode``
    and ``RemoveTaintOffNode``), each a GET of the Node and a strategic merge PATCH of its
    taints, retried on conflicts. ``node`` is the caller's cached copy: removal is skipped
    when it carries none of the taints. False if the node is gone or the conflicts persist.
    """
    stamped = [dict(t, timeAdded=clock.timestamp()) for t in add]
    try:
        return (add_or_update_taints_on_node(client, name, stamped)
                and remove_taints_off_node(client, name, node, remove))
    except StatusError as err:
        if err.code == 404:
            return False
        raise


def add_or_update_taints_on_node(client: Any, name: str, taints: list[dict]) -> bool:
    """``AddOrUpdateTaintOnNode``: one PATCH adding the taints (same key and effect: replaced)."""
    return not taints or _patch_taints_retrying(client, name, lambda current: _with_taints(current, taints))


def remove_taints_off_node(client: Any, name: str, node: Optional[dict], taints: list[dict]) -> bool:
    """``RemoveTaintOffNode``: one PATCH removing the taints; no request when the cached
    ``node`` carries none of them."""
    if not taints or (node is not None and not _has_any(node, taints)):
        return True
    return _patch_taints_retrying(client, name, lambda current: _without_taints(current, taints))


def _has_any(node: dict, taints: list[dict]) -> bool:
    current = (node.get("spec") or {}).get("taints") or ()
    return any(taint_matches(t, r) for t in current for r in taints)


def _with_taints(current: list[dict], taints: list[dict]) -> list[dict]:
    for taint in taints:
        current = _add_or_update_taint(current, taint)
    return current


def _without_taints(current: list[dict], taints: list[dict]) -> list[dict]:
    return [t for t in current if not any(taint_matches(t, r) for r in taints)]


def _patch_taints_retrying(client: Any, name: str, change) -> bool:
    """One half of the swap: read the Node, and if ``change`` alters its taints, PATCH them.

    ``PatchNodeTaints`` diffs the old Node (without its resourceVersion) against a copy with
    the new taints, so the patch carries the resourceVersion read and the whole taint list
    (``spec.taints`` has no merge key): a concurrent writer makes it fail with a conflict,
    and it is tried again (``UpdateTaintBackoff``: five steps).
    """
    for _ in range(NODE_HEALTH_UPDATE_RETRY):
        node = client.get("nodes", name)
        current = (node.get("spec") or {}).get("taints") or []
        taints = change(current)
        if taints == current:
            return True
        patch = {"metadata": {"resourceVersion": node["metadata"]["resourceVersion"]},
                 "spec": {"taints": taints or None}}
        try:
            client.patch("nodes", name, patch)
            return True
        except StatusError as err:
            if err.code != 409:
                raise
    return False


def _add_or_update_taint(taints: list[dict], taint: dict) -> list[dict]:
    """``taintutils.AddOrUpdateTaint``: a taint with the same key and effect is replaced."""
    result, updated = [], False
    for existing in taints:
        if taint_matches(existing, taint):
            result.append(taint)
            updated = True
        else:
            result.append(existing)
    if not updated:
        result.append(taint)
    return result


def update_pod_condition(status: dict, condition: dict, now: str) -> bool:
    """``podutil.UpdatePodCondition``: set a condition; transition time moves only on a status change."""
    condition = dict(condition, lastTransitionTime=now)
    conditions = status.setdefault("conditions", [])
    for i, old in enumerate(conditions):
        if old.get("type") != condition["type"]:
            continue
        if old.get("status") == condition["status"]:
            condition["lastTransitionTime"] = old.get("lastTransitionTime")
        if "lastProbeTime" in old and "lastProbeTime" not in condition:
            condition["lastProbeTime"] = old["lastProbeTime"]
        equal = all(old.get(k) == condition.get(k) for k in
                    ("status", "reason", "message", "lastProbeTime", "lastTransitionTime"))
        conditions[i] = condition
        return not equal
    conditions.append(condition)
    return True


def node_event_target(name: str, uid: str) -> dict:
    """The ObjectReference node events point at (no namespace)."""
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "uid": uid}}


# -- rate-limited tainting queue (scheduler.RateLimitedTimedQueue) ----------------------------
@dataclass
class TokenBucket:
    """flowcontrol's token bucket with burst 1; qps 0 never admits anything."""

    qps: float
    last: float
    tokens: float = 1.0

    def try_accept(self, now: float) -> bool:
        if self.qps <= 0:
            return False
        self.tokens = min(1.0, self.tokens + (now - self.last) * self.qps)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def next_token_at(self, now: float) -> Optional[float]:
        if self.qps <= 0:
            return None
        return now + max(0.0, (1.0 - self.tokens) / self.qps)


@dataclass
class ZoneTainter:
    """Nodes waiting for a NoExecute taint in one zone.

    ``members`` keeps a node after it was tainted so it is not tainted twice (UniqueQueue's
    set); only ``remove`` (the node became reachable, or its taint vanished) forgets it.
    """

    bucket: TokenBucket
    pending: "OrderedDict[str, float]" = field(default_factory=OrderedDict)  # name -> processAt
    members: set = field(default_factory=set)

    def add(self, name: str, now: float) -> bool:
        if name in self.members:
            return False
        self.members.add(name)
        self.pending[name] = now
        return True

    def remove(self, name: str) -> None:
        self.members.discard(name)
        self.pending.pop(name, None)


@dataclass
class NodeHealth:
    """``nodeHealthData``: what the controller last saw, and when (its own clock).

    Only the Ready condition of the saved status is ever consulted, so only it is kept.
    """

    probe_timestamp: float
    ready_transition_timestamp: float
    ready: Optional[dict]
    lease_renew: Optional[float] = None

    @property
    def status(self) -> dict:
        return {"conditions": [self.ready]} if self.ready is not None else {}


@dataclass(frozen=True)
class NodeFacts:
    """What the health monitor reads from one version of a Node object, worked out once.

    The monitor visits every node every ``node_monitor_period`` (as kube-controller-manager
    does), but a healthy node's object changes only when its kubelet posts status (every
    5 minutes when nothing changes). Objects in an informer's cache are never modified in place
    — a new version is a new dict — so these facts hold for as long as the informer hands back
    the very same object (``facts.node is node``); see ``NodeLifecycleController.node_facts``.
    """

    node: dict
    zone: str  # zone_key(node)
    exclude_disruption: bool  # labelled node.kubernetes.io/exclude-disruption
    ready: Optional[dict]  # the Ready condition (the cached object itself: never modify)
    no_execute_taints: frozenset  # which of unreachable / not-ready it has as NoExecute taints

    @classmethod
    def of(cls, node: dict) -> "NodeFacts":
        labels = node["metadata"].get("labels") or {}
        tainted = frozenset(key for key in (TAINT_UNREACHABLE, TAINT_NOT_READY)
                            if has_taint(node, key, NO_EXECUTE))
        return cls(node, zone_key(node), LABEL_EXCLUDE_DISRUPTION in labels,
                   get_condition(node.get("status"), "Ready"), tainted)


@register
class NodeLifecycleController(KubeController):
    """Marks silent nodes Unknown, their pods not Ready, and taints nodes by their conditions."""

    name = "node-controller"

    def setup(self) -> None:
        config = self.ctx.config
        self.monitor_period = float(getattr(config, "node_monitor_period", 5.0))
        self.grace_period = float(getattr(config, "node_monitor_grace_period", 50.0))
        self.startup_grace_period = float(getattr(config, "node_startup_grace_period", 60.0))
        self.eviction_qps = float(getattr(config, "node_eviction_rate", 0.1))
        self.secondary_eviction_qps = float(getattr(config, "secondary_node_eviction_rate", 0.01))
        self.large_cluster_threshold = int(getattr(config, "large_cluster_size_threshold", 50))
        self.unhealthy_zone_threshold = float(getattr(config, "unhealthy_zone_threshold", 0.55))
        informers = self.ctx.informers
        self.nodes = informers.informer("nodes")
        self.leases = informers.informer("leases", namespace=NODE_LEASE_NAMESPACE)
        self.pods = informers.informer("pods")
        self.pods.add_indexer(NODE_NAME_INDEX, _pod_node_name)
        self.nodes.add_event_handler(
            lambda node: self.enqueue(node["metadata"]["name"]),
            lambda old, new: self.enqueue(new["metadata"]["name"]),
            None,
        )
        self.pods.add_event_handler(lambda pod: self._pod_updated(None, pod), self._pod_updated, None)
        self.known: dict[str, dict] = {}
        self.health: dict[str, NodeHealth] = {}
        self.tainters: dict[str, ZoneTainter] = {}
        self.zone_states: dict[str, str] = {}
        self.retry: set[str] = set()
        #: node name -> NodeFacts of the last Node object seen, and -> (Lease, its renewTime).
        self._facts: dict[str, NodeFacts] = {}
        self._lease_renews: dict[str, tuple[Optional[dict], Optional[float]]] = {}
        #: node name -> the Node object a health pass last found Ready with nothing to do.
        self._quiet: dict[str, dict] = {}
        self._tainting_timer = None
        self.clock.call_later(0, self._monitor_tick, name="node-controller monitorNodeHealth")

    # -- keys: a node name (NoSchedule tainting) or ("pod", "ns/name") ---------------------
    def _pod_updated(self, old: Optional[dict], new: dict) -> None:
        node_name = (new.get("spec") or {}).get("nodeName")
        if node_name and (old is None or (old.get("spec") or {}).get("nodeName") != node_name):
            meta = new["metadata"]
            self.enqueue(("pod", f"{meta['namespace']}/{meta['name']}"))

    def sync(self, key: Any) -> None:
        if isinstance(key, tuple):
            self._process_pod(key[1])
        else:
            self._no_schedule_tainting_pass(key)

    def _process_pod(self, pod_key: str) -> None:
        """A pod newly bound to an unready node is marked not Ready at once."""
        pod = self.pods.get(pod_key)
        if pod is None:
            return
        node_name = pod["spec"]["nodeName"]
        health = self.health.get(node_name)
        if health is None or self.nodes.get(node_name) is None:
            return
        ready = get_condition(health.status, "Ready")
        if ready is not None and ready.get("status") != "True":
            self._mark_pods_not_ready([pod], node_name)

    def _no_schedule_tainting_pass(self, name: str) -> None:
        node = self.nodes.get(name)
        if node is None:
            return
        wanted = []
        for condition in (node.get("status") or {}).get("conditions") or ():
            key = CONDITION_TAINTS.get(condition.get("type"), {}).get(condition.get("status"))
            if key:
                wanted.append({"key": key, "effect": NO_SCHEDULE})
        if (node.get("spec") or {}).get("unschedulable"):
            wanted.append({"key": TAINT_UNSCHEDULABLE, "effect": NO_SCHEDULE})
        existing = [t for t in (node.get("spec") or {}).get("taints") or ()
                    if t.get("effect") == NO_SCHEDULE
                    and (t.get("key") == TAINT_UNSCHEDULABLE or t.get("key") in CONDITION_TAINT_KEYS)]
        to_add = [t for t in wanted if not any(taint_matches(t, e) for e in existing)]
        to_remove = [t for t in existing if not any(taint_matches(t, w) for w in wanted)]
        if to_add or to_remove:
            swap_node_taints(self.client, self.clock, name, to_add, to_remove, node)

    # -- monitorNodeHealth -----------------------------------------------------------------
    def _monitor_tick(self) -> None:
        if not self.enabled:
            return
        try:
            self.monitor_node_health()
        except Exception as err:  # like wait.Until: log and try again next period
            if self._report is not None:
                self._report("node-controller monitorNodeHealth", err)
        self.clock.call_later(self.monitor_period, self._monitor_tick, name="node-controller monitorNodeHealth")
        self.no_execute_tainting_pass()

    def monitor_node_health(self) -> None:
        """``monitorNodeHealth``: every node, every period — classify, check health, act."""
        nodes = self.nodes.list()
        self._classify(nodes)
        zone_conditions: dict[str, list[Optional[dict]]] = {}
        for node in nodes:  # cached objects: try_update_node_health copies before it writes
            if self._still_quiet(node):
                facts = self._facts[node["metadata"]["name"]]
                if not facts.exclude_disruption:
                    zone_conditions.setdefault(facts.zone, []).append(facts.ready)
                continue
            result = self._update_health_with_retry(node)
            if result is None:
                continue
            node, observed, current = result
            facts = self.node_facts(node)
            if not facts.exclude_disruption:
                zone_conditions.setdefault(facts.zone, []).append(current)
            if current is not None:
                self._act_on_health(node, observed, current)
                self._note_if_quiet(node, observed, current)
        self._handle_disruption(zone_conditions, nodes)

    # A healthy node between two changes: nothing to do but watch the clock. -------------
    def _note_if_quiet(self, node: dict, observed: dict, current: dict) -> None:
        """Remember a node that the pass just found Ready and left with nothing pending: no
        NoExecute taint to remove, no pods to mark, no retry. Until its Node object changes,
        visiting it again can only move its probe time (a newer Lease) or find it silent."""
        name = node["metadata"]["name"]
        if (current is self.node_facts(node).ready and current.get("status") == "True"
                and observed.get("status") == "True" and not self.node_facts(node).no_execute_taints
                and name not in self.retry):
            self._quiet[name] = node
        else:
            self._quiet.pop(name, None)

    def _still_quiet(self, node: dict) -> bool:
        """``tryUpdateNodeHealth`` + ``processTaintBaseEviction`` for a node remembered quiet
        whose Node object is the same: only the Lease can have moved its probe time, and
        while the grace period has not run out, the pass would change nothing else (its
        Ready condition is the same object, its taints are the same, it stays reachable).
        False: run the whole visit."""
        name = node["metadata"]["name"]
        if self._quiet.get(name) is not node:
            return False
        health = self.health[name]
        renew = self._lease_renew_time_of(name)
        if renew is not None and (health.lease_renew is None or health.lease_renew < renew):
            health.lease_renew = renew
            health.probe_timestamp = self.clock.now()
        if self.clock.now() > health.probe_timestamp + self.grace_period:
            del self._quiet[name]
            return False
        return True

    def node_facts(self, node: dict) -> NodeFacts:
        """The NodeFacts of this Node object: remembered per node, recomputed for a new object."""
        name = node["metadata"]["name"]
        facts = self._facts.get(name)
        if facts is None or facts.node is not node:
            facts = self._facts[name] = NodeFacts.of(node)
        return facts

    def _classify(self, nodes: list[dict]) -> None:
        """``classifyNodes``: new nodes are registered, vanished ones forgotten."""
        for node in nodes:
            name = node["metadata"]["name"]
            zone = self.node_facts(node).zone
            if name in self.known:
                if zone not in self.zone_states:
                    self._add_zone(zone)
                continue
            self._node_event(name, node["metadata"].get("uid", ""), "RegisteredNode",
                             f"Registered Node {name} in Controller")
            self.known[name] = node
            self._add_zone(zone)
            self._mark_node_as_reachable(node)
        if len(self.known) > len(nodes):  # every listed node is known now: the rest are gone
            self._forget_deleted({n["metadata"]["name"] for n in nodes})

    def _forget_deleted(self, names: set[str]) -> None:
        for name in sorted(set(self.known) - names):
            gone = self.known.pop(name)
            self._node_event(name, gone["metadata"].get("uid", ""), "RemovingNode",
                             f"Removing Node {name} from Controller")
            self.health.pop(name, None)
            self._facts.pop(name, None)
            self._lease_renews.pop(name, None)
            self._quiet.pop(name, None)

    def _node_event(self, name: str, uid: str, reason: str, text: str) -> None:
        """``RecordNodeEvent``: ``Node <name> event: <text>``."""
        self.recorder.event(node_event_target(name, uid), NORMAL, reason, f"Node {name} event: {text}")

    def _add_zone(self, zone: str) -> None:
        if zone not in self.zone_states:
            self.zone_states[zone] = STATE_INITIAL
            self.tainters[zone] = ZoneTainter(TokenBucket(self.eviction_qps, self.clock.now()))

    def _update_health_with_retry(self, node: dict):
        for _ in range(NODE_HEALTH_UPDATE_RETRY):
            try:
                observed, current = self.try_update_node_health(node)
                return node, observed, current
            except StatusError as err:
                if err.code != 409:
                    raise
            try:
                node = self.client.get("nodes", node["metadata"]["name"])
            except StatusError:
                return None  # the node was deleted meanwhile
        return None

    def try_update_node_health(self, node: dict) -> tuple[dict, Optional[dict]]:
        """``tryUpdateNodeHealth``: returns (observed Ready condition, current Ready condition)."""
        name = node["metadata"]["name"]
        now = self.clock.now()
        status = node.get("status") or {}
        health = self.health.get(name)
        current = self.node_facts(node).ready
        if current is None:
            created = node["metadata"].get("creationTimestamp", "")
            observed = {"type": "Ready", "status": "Unknown", "lastHeartbeatTime": created,
                        "lastTransitionTime": created}
            grace = self.startup_grace_period
            if health is None:
                created_at = parse_timestamp(created) if created else now
                health = NodeHealth(created_at, created_at, None)
            else:
                health.ready = None
        else:
            observed = dict(current)
            grace = self.grace_period
        health = self._observe_status(health, status, current, now)
        renew = self._lease_renew_time_of(name)
        if renew is not None and (health.lease_renew is None or health.lease_renew < renew):
            health.lease_renew = renew
            health.probe_timestamp = now
        self.health[name] = health
        if now > health.probe_timestamp + grace:
            node = serialization.copy(node)
            status = node.setdefault("status", {})
            self._set_conditions_unknown(node, status)
            current = get_condition(status, "Ready")
            if current != observed:
                self.client.update(node, subresource="status")
                self.health[name] = NodeHealth(health.probe_timestamp, now, dict(current), renew)
        return observed, current

    def _lease_renew_time_of(self, name: str) -> Optional[float]:
        """The node's Lease ``renewTime`` in seconds, parsed once per Lease object."""
        lease = self.leases.get_by_name(NODE_LEASE_NAMESPACE, name)
        seen = self._lease_renews.get(name)
        if seen is not None and seen[0] is lease:
            return seen[1]
        renew = _lease_renew_time(lease)
        self._lease_renews[name] = (lease, renew)
        return renew

    @staticmethod
    def _observe_status(health: Optional[NodeHealth], status: dict, current: Optional[dict],
                        now: float) -> NodeHealth:
        """Move probeTimestamp when the Ready condition's heartbeat changed."""
        saved = health.ready if health is not None else None
        if health is None or (saved is None and current is not None) or (saved is not None and current is None):
            copied = dict(current) if current is not None else None
            return NodeHealth(now, now, copied, health.lease_renew if health else None)
        if saved is not None and current is not None and saved.get("lastHeartbeatTime") != current.get("lastHeartbeatTime"):
            transition = now if saved.get("lastTransitionTime") != current.get("lastTransitionTime") \
                else health.ready_transition_timestamp
            return NodeHealth(now, transition, dict(current), health.lease_renew)
        return health

    def _set_conditions_unknown(self, node: dict, status: dict) -> None:
        now = self.clock.timestamp()
        conditions = status.setdefault("conditions", [])
        for ctype in MONITORED_CONDITIONS:
            condition = get_condition(status, ctype)
            if condition is None:
                conditions.append({
                    "lastHeartbeatTime": node["metadata"].get("creationTimestamp"),
                    "lastTransitionTime": now,
                    "message": NEVER_UPDATED_MESSAGE,
                    "reason": NEVER_UPDATED_REASON,
                    "status": "Unknown",
                    "type": ctype,
                })
            elif condition.get("status") != "Unknown":
                condition.update(status="Unknown", reason=STATUS_UNKNOWN_REASON,
                                 message=STATUS_UNKNOWN_MESSAGE, lastTransitionTime=now)

    def _act_on_health(self, node: dict, observed: dict, current: dict) -> None:
        name = node["metadata"]["name"]
        self._process_taint_based_eviction(node, observed)
        became_unready = current.get("status") != "True" and observed.get("status") == "True"
        if became_unready:
            # RecordNodeStatusChange: reason and message name the new status.
            self.recorder.event(node_event_target(name, node["metadata"].get("uid", "")), NORMAL,
                                "NodeNotReady", f"Node {name} status is now: NodeNotReady")
        if became_unready or (name in self.retry and observed.get("status") != "True"):
            try:  # the node's pods are looked up only when they are needed (every 5 s x every node)
                self._mark_pods_not_ready(self.pods.by_index(NODE_NAME_INDEX, name), name)
            except StatusError as err:
                self.retry.add(name)
                if self._report is not None:
                    self._report(f"node-controller MarkPodsNotReady {name}", err)
                return
        self.retry.discard(name)

    def _mark_pods_not_ready(self, pods: list[dict], node_name: str) -> None:
        """``MarkPodsNotReady``: Ready=False (reason and message kept) and a NodeNotReady event."""
        failure = None
        for cached in pods:
            if (cached.get("spec") or {}).get("nodeName") != node_name:
                continue
            pod = serialization.copy(cached)
            status = pod.setdefault("status", {})
            ready = get_condition(status, "Ready")
            if ready is None:
                continue
            if not update_pod_condition(status, dict(ready, status="False"), self.clock.timestamp()):
                continue
            try:
                self.client.update(pod, subresource="status")
            except StatusError as err:
                if err.code == 404:
                    continue
                failure = err
                continue
            self.recorder.event(pod, WARNING, "NodeNotReady", "Node is not ready")
        if failure is not None:
            raise failure

    # -- NoExecute taints ------------------------------------------------------------------
    def _process_taint_based_eviction(self, node: dict, observed: dict) -> None:
        name = node["metadata"]["name"]
        status = observed.get("status")
        if status == "False":
            if TAINT_UNREACHABLE in self.node_facts(node).no_execute_taints:
                swap_node_taints(self.client, self.clock, name, [_no_execute(TAINT_NOT_READY)],
                                 [_no_execute(TAINT_UNREACHABLE)], node)
            else:
                self._mark_node_for_tainting(node, TAINT_NOT_READY)
        elif status == "Unknown":
            if TAINT_NOT_READY in self.node_facts(node).no_execute_taints:
                swap_node_taints(self.client, self.clock, name, [_no_execute(TAINT_UNREACHABLE)],
                                 [_no_execute(TAINT_NOT_READY)], node)
            else:
                self._mark_node_for_tainting(node, TAINT_UNREACHABLE)
        elif status == "True":
            self._mark_node_as_reachable(node)

    def _mark_node_for_tainting(self, node: dict, taint_key: str) -> bool:
        facts = self.node_facts(node)
        tainter = self.tainters[facts.zone]
        name = node["metadata"]["name"]
        if taint_key not in facts.no_execute_taints:
            tainter.remove(name)
        return tainter.add(name, self.clock.now())

    def _mark_node_as_reachable(self, node: dict) -> None:
        name = node["metadata"]["name"]
        facts = self.node_facts(node)
        tainter = self.tainters.get(facts.zone)
        if tainter is not None:
            tainter.remove(name)
        # as markNodeAsReachable: unreachable first, then not-ready, each its own PATCH
        try:
            remove_taints_off_node(self.client, name, node, [_no_execute(TAINT_UNREACHABLE)])
            remove_taints_off_node(self.client, name, node, [_no_execute(TAINT_NOT_READY)])
        except StatusError as err:
            if err.code != 404:
                raise

    def no_execute_tainting_pass(self) -> None:
        """``doNoExecuteTaintingPass``: taint queued nodes as the zone's rate limiter allows."""
        if not self.enabled:
            return
        now = self.clock.now()
        next_pass: Optional[float] = None
        for zone in sorted(self.tainters):
            tainter = self.tainters[zone]
            while tainter.pending:
                name, process_at = next(iter(tainter.pending.items()))
                if now < process_at:
                    next_pass = _earliest(next_pass, process_at)
                    break
                if not tainter.bucket.try_accept(now):
                    next_pass = _earliest(next_pass, tainter.bucket.next_token_at(now))
                    break
                del tainter.pending[name]
                retry_in = self._taint_one(name)
                if retry_in is not None:
                    tainter.pending[name] = now + retry_in
        self._schedule_tainting_pass(next_pass)

    def _taint_one(self, name: str) -> Optional[float]:
        """Taint one node per its Ready condition; a delay to retry after, or None when done."""
        node = self.nodes.get(name)
        if node is None:
            return None
        ready = get_condition(node.get("status"), "Ready")
        if ready is None:
            return TAINT_RETRY_DELAY
        if ready.get("status") == "False":
            add, opposite = TAINT_NOT_READY, TAINT_UNREACHABLE
        elif ready.get("status") == "Unknown":
            add, opposite = TAINT_UNREACHABLE, TAINT_NOT_READY
        else:
            return None
        if swap_node_taints(self.client, self.clock, name, [_no_execute(add)], [_no_execute(opposite)], node):
            return None
        return TAINT_RETRY_DELAY

    def _schedule_tainting_pass(self, when: Optional[float]) -> None:
        if self._tainting_timer is not None:
            self._tainting_timer.cancel()
            self._tainting_timer = None
        if when is not None:
            self._tainting_timer = self.clock.call_at(when, self.no_execute_tainting_pass,
                                                      name="node-controller doNoExecuteTaintingPass")

    # -- zones and disruption --------------------------------------------------------------
    def compute_zone_state(self, conditions: list[Optional[dict]]) -> tuple[int, str]:
        ready = sum(1 for c in conditions if c is not None and c.get("status") == "True")
        not_ready = len(conditions) - ready
        if ready == 0 and not_ready > 0:
            return not_ready, STATE_FULL_DISRUPTION
        if not_ready > 2 and not_ready / (not_ready + ready) >= self.unhealthy_zone_threshold:
            return not_ready, STATE_PARTIAL_DISRUPTION
        return not_ready, STATE_NORMAL

    def _handle_disruption(self, zone_conditions: dict[str, list], nodes: list[dict]) -> None:
        new_states = {zone: self.compute_zone_state(conds)[1] for zone, conds in zone_conditions.items()}
        all_are_fully_disrupted = all(s == STATE_FULL_DISRUPTION for s in new_states.values())
        for zone in new_states:
            self.zone_states.setdefault(zone, STATE_INITIAL)
        all_were_fully_disrupted = True
        for zone in list(self.zone_states):
            if zone not in zone_conditions:
                del self.zone_states[zone]
                continue
            if self.zone_states[zone] != STATE_FULL_DISRUPTION:
                all_were_fully_disrupted = False
                break
        if all_are_fully_disrupted and all_were_fully_disrupted:
            return
        if all_are_fully_disrupted:
            for node in nodes:  # entering master disruption mode: the control plane may be the one cut off
                self._mark_node_as_reachable(node)
            for zone in self.zone_states:
                self._swap_limiter(zone, 0.0)
                self.zone_states[zone] = STATE_FULL_DISRUPTION
            return
        if all_were_fully_disrupted:
            now = self.clock.now()
            for node in nodes:
                health = self.health.get(node["metadata"]["name"])
                if health is not None:
                    health.probe_timestamp = now
                    health.ready_transition_timestamp = now
            for zone in self.zone_states:
                self._set_limiter_in_zone(zone, len(zone_conditions.get(zone, ())), new_states[zone])
                self.zone_states[zone] = new_states[zone]
            return
        for zone, state in list(self.zone_states.items()):
            new_state = new_states.get(zone, state)
            if new_state != state:
                self._set_limiter_in_zone(zone, len(zone_conditions.get(zone, ())), new_state)
                self.zone_states[zone] = new_state

    def _set_limiter_in_zone(self, zone: str, size: int, state: str) -> None:
        if state == STATE_NORMAL or state == STATE_FULL_DISRUPTION:
            self._swap_limiter(zone, self.eviction_qps)
        elif state == STATE_PARTIAL_DISRUPTION:
            qps = self.secondary_eviction_qps if size > self.large_cluster_threshold else 0.0
            self._swap_limiter(zone, qps)

    def _swap_limiter(self, zone: str, qps: float) -> None:
        tainter = self.tainters.get(zone)
        if tainter is not None and tainter.bucket.qps != qps:
            tainter.bucket = TokenBucket(qps, self.clock.now())


def _no_execute(key: str) -> dict:
    return {"key": key, "effect": NO_EXECUTE}


def _earliest(a: Optional[float], b: Optional[float]) -> Optional[float]:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _pod_node_name(pod: dict) -> list[str]:
    name = (pod.get("spec") or {}).get("nodeName")
    return [name] if name else []


def _lease_renew_time(lease: Optional[dict]) -> Optional[float]:
    renew = ((lease or {}).get("spec") or {}).get("renewTime")
    return _parse_renew_time(renew) if renew else None


@lru_cache(maxsize=1024)
def _parse_renew_time(text: str) -> float:
    """``parse_timestamp``, remembered: kubelets started together renew at the same instants."""
    return parse_timestamp(text)
