"""The pod garbage collector: removes pods nobody else will.

Mirrors pkg/controller/podgc/gc_controller.go (Kubernetes 1.32). Every ``pod_gc_period``
(20 s, ``gcCheckPeriod``) it

* **terminated pods**: when more than ``terminated_pod_gc_threshold`` (12500) pods are
  Succeeded/Failed, deletes the excess, evicted ones first, then oldest first;
* **terminating pods on out-of-service nodes**: force-deletes pods being deleted on a node
  that is not Ready *and* carries the ``node.kubernetes.io/out-of-service`` taint (an
  administrator's statement that the node is down for good);
* **orphaned pods**: pods bound to a node that no longer exists — after a 40 s quarantine and
  a live check that the node is really gone — get the condition ``DisruptionTarget``
  (reason ``DeletionByPodGC``, message ``PodGC: node no longer exists``) and are force-deleted;
* **unscheduled terminating pods**: pods being deleted that were never bound are force-deleted.

Before a force delete (grace period 0) a pod that is not finished is marked ``Failed``, since
no kubelet will ever do it. It acts as ``pod-garbage-collector`` and records no events.
"""

from __future__ import annotations

from labkube.core import serialization
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.controllers.node_lifecycle import get_condition, update_pod_condition
from labkube.core.controllers.pods import patch_pod_status
from labkube.core.errors import StatusError

TAINT_OUT_OF_SERVICE = "node.kubernetes.io/out-of-service"
QUARANTINE_SECONDS = 40.0
ORPHAN_CONDITION = {"type": "DisruptionTarget", "status": "True", "reason": "DeletionByPodGC",
                    "message": "PodGC: node no longer exists"}
GC_KEY = "gc"


@register
class PodGCController(KubeController):
    """Deletes terminated pods over the threshold, orphaned and unschedulable terminating pods."""

    name = "pod-garbage-collector"

    def setup(self) -> None:
        config = self.ctx.config
        self.period = float(getattr(config, "pod_gc_period", 20.0))
        self.threshold = int(getattr(config, "terminated_pod_gc_threshold", 12500))
        self.quarantine = float(getattr(config, "pod_gc_quarantine", QUARANTINE_SECONDS))
        self.pods = self.ctx.informers.informer("pods")
        self.nodes = self.ctx.informers.informer("nodes")
        self.missing_nodes: dict[str, float] = {}  # node name -> when its quarantine ends
        self.clock.call_later(self.period, self._tick, name="podgc gc")

    def _tick(self) -> None:
        if not self.enabled:
            return
        self.enqueue(GC_KEY)
        self.clock.call_later(self.period, self._tick, name="podgc gc")

    def sync(self, key: str) -> None:
        pods = self.pods.list()
        nodes = {n["metadata"]["name"]: n for n in self.nodes.list()}
        if self.threshold > 0:
            self._gc_terminated(pods)
        self._gc_terminating(pods, nodes)
        self._gc_orphaned(pods, nodes)
        self._gc_unscheduled_terminating(pods)

    def _gc_terminated(self, pods: list[dict]) -> None:
        terminated = [p for p in pods if (p.get("status") or {}).get("phase") not in ("Pending", "Running", "Unknown", None)]
        excess = len(terminated) - self.threshold
        if excess <= 0:
            return
        terminated.sort(key=_eviction_and_creation_order)
        for pod in terminated[:excess]:
            self._mark_failed_and_delete(pod)

    def _gc_terminating(self, pods: list[dict], nodes: dict[str, dict]) -> None:
        doomed = []
        for pod in pods:
            if not pod["metadata"].get("deletionTimestamp"):
                continue
            node = nodes.get((pod.get("spec") or {}).get("nodeName") or "")
            if node is None:
                continue
            ready = get_condition(node.get("status"), "Ready")
            out_of_service = any(t.get("key") == TAINT_OUT_OF_SERVICE for t in (node.get("spec") or {}).get("taints") or ())
            if (ready is None or ready.get("status") != "True") and out_of_service:
                doomed.append(pod)
        for pod in sorted(doomed, key=_eviction_and_creation_order):
            self._mark_failed_and_delete(pod)

    def _gc_orphaned(self, pods: list[dict], nodes: dict[str, dict]) -> None:
        now = self.clock.now()
        for pod in pods:
            node_name = (pod.get("spec") or {}).get("nodeName")
            if node_name and node_name not in nodes:
                self.missing_nodes.setdefault(node_name, now + self.quarantine)
        deleted_nodes = set()
        for node_name, until in sorted(self.missing_nodes.items()):
            if until > now:
                continue
            del self.missing_nodes[node_name]
            if node_name not in nodes and not self._node_exists(node_name):
                deleted_nodes.add(node_name)
        for pod in pods:
            if (pod.get("spec") or {}).get("nodeName") in deleted_nodes:
                self._mark_failed_and_delete(pod, ORPHAN_CONDITION)
        if self.missing_nodes:
            wake = min(self.missing_nodes.values()) - now
            self.queue.add_after(GC_KEY, max(wake, 0.0) + 0.001)

    def _node_exists(self, name: str) -> bool:
        try:
            self.client.get("nodes", name)
            return True
        except StatusError as err:
            if err.code == 404:
                return False
            raise

    def _gc_unscheduled_terminating(self, pods: list[dict]) -> None:
        for pod in pods:
            if pod["metadata"].get("deletionTimestamp") and not (pod.get("spec") or {}).get("nodeName"):
                self._mark_failed_and_delete(pod)

    def _mark_failed_and_delete(self, pod: dict, condition: dict | None = None) -> None:
        """``markFailedAndDeletePodWithCondition``: phase Failed (+ condition), then delete with grace 0."""
        meta = pod["metadata"]
        try:
            if (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
                patch_pod_status(self.client, pod, self._failed_status(pod, condition))
            self.client.delete("pods", meta["name"], meta["namespace"], grace_period_seconds=0)
        except StatusError as err:
            if err.code != 404 and self._report is not None:
                self._report(f"{self.name} delete {meta['namespace']}/{meta['name']}", err)

    def _failed_status(self, pod: dict, condition: dict | None) -> dict:
        """The pod's status with phase Failed and, if given, the condition set."""
        status = serialization.copy(pod.get("status") or {})
        status["phase"] = "Failed"
        if condition is not None:
            update_pod_condition(status, condition, self.clock.timestamp())
        return status


def _eviction_and_creation_order(pod: dict) -> tuple:
    """``byEvictionAndCreationTimestamp``: evicted pods first, then oldest, then by name."""
    status = pod.get("status") or {}
    evicted = status.get("phase") == "Failed" and status.get("reason") == "Evicted"
    return (not evicted, pod["metadata"].get("creationTimestamp", ""), pod["metadata"]["name"])
