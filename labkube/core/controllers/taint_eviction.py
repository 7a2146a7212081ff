"""The taint eviction controller: pods leave nodes with NoExecute taints they do not tolerate.

Mirrors pkg/controller/tainteviction/taint_eviction.go (its own controller since 1.29,
``SeparateTaintEvictionController``; it acts with the ``node-controller`` ServiceAccount's
credentials, as kube-controller-manager starts it, and records events as
``taint-eviction-controller``):

* It keeps the NoExecute taints of every node (``taintedNodes``). On a node change it looks at
  every pod on the node; on a pod change (new node, new tolerations) at that pod.
* A pod that does not tolerate every NoExecute taint is deleted **at once**.
* A pod whose matching tolerations all carry ``tolerationSeconds`` is deleted after the
  smallest of them, counted from when the controller first saw the taint (that is when the
  node lifecycle controller added it, ``timeAdded``). Tolerations without
  ``tolerationSeconds`` tolerate forever. The DefaultTolerationSeconds admission plugin gives
  every pod ``not-ready`` and ``unreachable`` tolerations of 300 s.
* Eviction: the pod gets the condition ``DisruptionTarget`` (reason ``DeletionByTaintManager``,
  message ``Taint manager: deleting due to NoExecute taint``) and is deleted through the API
  (gracefully, like ``kubectl delete``), after the event ``TaintManagerEviction``
  ``Marking for deletion Pod default/web``. A scheduled eviction that becomes unnecessary (the
  taint went away) is cancelled with ``Cancelling deletion of Pod default/web``.

Timers run on the cluster clock.
"""

from __future__ import annotations

from labkube.core.api.taints import toleration_tolerates

from dataclasses import dataclass
from typing import Any, Optional

from labkube.core import serialization
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.controllers.node_lifecycle import NODE_NAME_INDEX, update_pod_condition
from labkube.core.controllers.pods import patch_pod_status
from labkube.core.errors import StatusError
from labkube.core.machinery import NORMAL, EventRecorder

CLIENT_IDENTITY = "node-controller"
EVICTION_REASON = "TaintManagerEviction"
DISRUPTION_CONDITION = {
    "type": "DisruptionTarget",
    "status": "True",
    "reason": "DeletionByTaintManager",
    "message": "Taint manager: deleting due to NoExecute taint",
}
DELETE_RETRIES = 5


def matching_tolerations(taints: list[dict], tolerations: list[dict]) -> tuple[bool, list[dict]]:
    """``GetMatchingTolerations``: (every taint tolerated, the tolerations used)."""
    used = []
    for taint in taints:
        found = next((t for t in tolerations if toleration_tolerates(t, taint)), None)
        if found is None:
            return False, []
        used.append(found)
    return True, used


def min_toleration_time(tolerations: list[dict]) -> float:
    """``getMinTolerationTime``: seconds, 0 for none/non-positive, -1 for forever."""
    if not tolerations:
        return 0.0
    smallest: Optional[int] = None
    for toleration in tolerations:
        seconds = toleration.get("tolerationSeconds")
        if seconds is None:
            continue
        if seconds <= 0:
            return 0.0
        smallest = seconds if smallest is None else min(smallest, seconds)
    return -1.0 if smallest is None else float(smallest)


def no_execute_taints(node: Optional[dict]) -> list[dict]:
    if node is None:
        return []
    return [t for t in (node.get("spec") or {}).get("taints") or () if t.get("effect") == "NoExecute"]


@dataclass
class ScheduledEviction:
    """A ``TimedWorker``: delete ``pod_key`` at ``fire_at``."""

    created_at: float
    fire_at: float
    timer: Any


@register
class TaintEvictionController(KubeController):
    """Deletes pods from nodes whose NoExecute taints they do not (or no longer) tolerate."""

    name = "taint-eviction-controller"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        # "taint-manager uses existing cluster role from node-controller"
        self.client = ctx.client_for(CLIENT_IDENTITY)
        self.recorder = EventRecorder(self.client, ctx.clock, self.name, namer=ctx.namer)

    def setup(self) -> None:
        informers = self.ctx.informers
        self.nodes = informers.informer("nodes")
        self.pods = informers.informer("pods")
        self.pods.add_indexer(NODE_NAME_INDEX, _pod_node_name)
        self.tainted_nodes: dict[str, list[dict]] = {}
        self.evictions: dict[str, ScheduledEviction] = {}
        self.nodes.add_event_handler(
            lambda node: self._node_updated(None, node),
            self._node_updated,
            lambda node: self._node_updated(node, None),
        )
        self.pods.add_event_handler(
            lambda pod: self._pod_updated(None, pod),
            self._pod_updated,
            lambda pod: self._pod_updated(pod, None),
        )

    # -- handlers: only enqueue -------------------------------------------------------------
    def _node_updated(self, old: Optional[dict], new: Optional[dict]) -> None:
        if old is not None and new is not None and no_execute_taints(old) == no_execute_taints(new):
            return
        self.enqueue(("node", (new or old)["metadata"]["name"]))

    def _pod_updated(self, old: Optional[dict], new: Optional[dict]) -> None:
        if old is not None and new is not None:
            same_tolerations = (old["spec"].get("tolerations") or []) == (new["spec"].get("tolerations") or [])
            if same_tolerations and old["spec"].get("nodeName") == new["spec"].get("nodeName"):
                return
        pod = new or old
        meta = pod["metadata"]
        self.enqueue(("pod", f"{meta['namespace']}/{meta['name']}", pod["spec"].get("nodeName") or ""))

    def sync(self, key: Any) -> None:
        if key[0] == "node":
            self._handle_node_update(key[1])
        else:
            self._handle_pod_update(key[1], key[2])

    # -- handleNodeUpdate / handlePodUpdate --------------------------------------------------
    def _handle_node_update(self, name: str) -> None:
        node = self.nodes.get(name)
        if node is None:
            self.tainted_nodes.pop(name, None)
            return
        taints = no_execute_taints(node)
        if taints:
            self.tainted_nodes[name] = taints
        else:
            self.tainted_nodes.pop(name, None)
        pods = self.pods.by_index(NODE_NAME_INDEX, name)
        if not pods:
            return
        if not taints:
            for pod in pods:
                self._cancel_with_event(_pod_key(pod))
            return
        now = self.clock.now()
        for pod in pods:
            self._process_pod_on_node(_pod_key(pod), pod["spec"].get("tolerations") or [], taints, now)

    def _handle_pod_update(self, pod_key: str, node_name: str) -> None:
        pod = self.pods.get(pod_key)
        if pod is None:
            self._cancel_with_event(pod_key)
            return
        if (pod["spec"].get("nodeName") or "") != node_name or not node_name:
            return
        taints = self.tainted_nodes.get(node_name)
        if taints is None:
            return
        self._process_pod_on_node(pod_key, pod["spec"].get("tolerations") or [], taints, self.clock.now())

    def _process_pod_on_node(self, pod_key: str, tolerations: list[dict], taints: list[dict], now: float) -> None:
        if not taints:
            self._cancel_with_event(pod_key)
        all_tolerated, used = matching_tolerations(taints, tolerations)
        if not all_tolerated:
            self._cancel_with_event(pod_key)
            self._add_work(pod_key, now, now)
            return
        seconds = min_toleration_time(used)
        if seconds < 0:
            self._cancel_with_event(pod_key)
            return
        start, trigger = now, now + seconds
        scheduled = self.evictions.get(pod_key)
        if scheduled is not None:
            start = scheduled.created_at
            if start + seconds < trigger:
                return
            self._cancel_with_event(pod_key)
        self._add_work(pod_key, start, trigger)

    # -- the timed worker queue ----------------------------------------------------------------
    def _add_work(self, pod_key: str, created_at: float, fire_at: float) -> None:
        if pod_key in self.evictions:
            return
        if fire_at <= self.clock.now():
            self._evict(pod_key)
            return
        timer = self.clock.call_at(fire_at, lambda: self._fire(pod_key), name=f"taint eviction {pod_key}")
        self.evictions[pod_key] = ScheduledEviction(created_at, fire_at, timer)

    def _fire(self, pod_key: str) -> None:
        self.evictions.pop(pod_key, None)
        if self.enabled:
            self._evict(pod_key)

    def _cancel_with_event(self, pod_key: str) -> None:
        scheduled = self.evictions.pop(pod_key, None)
        if scheduled is None:
            return
        scheduled.timer.cancel()
        self.recorder.event(_pod_ref(pod_key), NORMAL, EVICTION_REASON, f"Cancelling deletion of Pod {pod_key}")

    def _evict(self, pod_key: str) -> None:
        """``deletePodHandler``: event, DisruptionTarget condition, graceful delete."""
        self.recorder.event(_pod_ref(pod_key), NORMAL, EVICTION_REASON, f"Marking for deletion Pod {pod_key}")
        namespace, name = pod_key.split("/", 1)
        last: Optional[StatusError] = None
        for _ in range(DELETE_RETRIES):
            try:
                self._add_condition_and_delete(namespace, name)
                return
            except StatusError as err:
                if err.code == 404:
                    return
                last = err
        if last is not None and self._report is not None:
            self._report(f"{self.name} delete {pod_key}", last)

    def _add_condition_and_delete(self, namespace: str, name: str) -> None:
        pod = self.client.get("pods", name, namespace)
        status = serialization.copy(pod.get("status") or {})
        if update_pod_condition(status, DISRUPTION_CONDITION, self.clock.timestamp()):
            patch_pod_status(self.client, pod, status)
        self.client.delete("pods", name, namespace)


def _pod_key(pod: dict) -> str:
    return f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"


def _pod_ref(pod_key: str) -> dict:
    """The reference the controller's events point at: kind, namespace and name only."""
    namespace, name = pod_key.split("/", 1)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace}}


def _pod_node_name(pod: dict) -> list[str]:
    name = (pod.get("spec") or {}).get("nodeName")
    return [name] if name else []
