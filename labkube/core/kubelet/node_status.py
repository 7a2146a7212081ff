"""Node registration and heartbeats: how the control plane knows a kubelet is alive.

Mirrors pkg/kubelet/kubelet_node_status.go (``registerWithAPIServer``, ``updateNodeStatus``)
and pkg/kubelet/nodelease (the lease controller), with the kubelet's defaults:

* registration: create the Node (labels, capacity, allocatable, podCIDR, conditions); if it
  exists already (a restarted kubelet), keep its spec and refresh its labels and status;
* the Lease ``kube-node-lease/<node>`` (``holderIdentity`` the node, ``leaseDurationSeconds``
  40, ``ownerReferences`` the Node) is renewed every 10 s (``renewTime``, a MicroTime): this is
  the cheap heartbeat the node lifecycle controller watches;
* the status is computed every 10 s (``nodeStatusUpdateFrequency``) and written when it changed
  or when 5 minutes passed since the last write (``nodeStatusReportFrequency``): conditions
  with a fresh ``lastHeartbeatTime`` (``lastTransitionTime`` moves only on a flip), the images
  on the node, capacity and allocatable;
* ``set_conditions(MemoryPressure=True)`` turns pressure conditions on or off (what the
  eviction manager would report), written at once;
* allocatable is capacity minus the hard eviction reservation (pkg/kubelet/cm's
  ``hardEvictionReservation``, :func:`labkube.core.nodes.node_allocatable`, the one place it
  is worked out): of the default thresholds (:data:`EVICTION_HARD`), only
  ``memory.available`` and ``nodefs.available`` reserve anything: 100Mi of memory and 10% of
  the root disk's ephemeral-storage (a percentage is a Go float32, so 10% of 100Gi is
  10737418400 bytes and allocatable ephemeral-storage is 96636764000 bytes, which the API
  server stores as ``96636764k``).

One timer per node, firing every 10 s of cluster time.
"""

from __future__ import annotations

from typing import Optional

from labkube.core.errors import StatusError
from labkube.core.nodes import PRESSURE_CONDITIONS, condition, node_manifest
# Allocatable is worked out with the rest of the registered Node; named here for readers of
# the kubelet (and its tests).
from labkube.core.nodes import EVICTION_HARD, hard_eviction_reservation, node_allocatable  # noqa: F401

LEASE_NAMESPACE = "kube-node-lease"
MAX_NODE_IMAGES = 50
#: condition type -> (event reason when False, when True)
_STATUS_EVENTS = {
    "MemoryPressure": ("NodeHasSufficientMemory", "NodeHasInsufficientMemory"),
    "DiskPressure": ("NodeHasNoDiskPressure", "NodeHasDiskPressure"),
    "PIDPressure": ("NodeHasSufficientPID", "NodeHasInsufficientPID"),
    "Ready": ("NodeNotReady", "NodeReady"),
}


class NodeStatusManager:
    def __init__(self, kubelet) -> None:
        self.kubelet = kubelet
        self.clock = kubelet.clock
        self.name = kubelet.node_name
        #: (Node object, pressure wishes, answer) of the last _api_disagrees check.
        self._disagreement = None
        self.pressure: dict[str, bool] = {}
        self.node: Optional[dict] = None
        self.lease: Optional[dict] = None
        self._timer = None
        self._last_report = -1e18
        self._last_digest: Optional[tuple] = None
        #: The runtime's last image list, and (the status's images, their digest) from it.
        self._listed_images: Optional[list] = None
        self._images: tuple = ([], ((), ()))
        self._announced: dict[str, str] = {}
        self._timer_name = f"kubelet heartbeat {self.name}"

    @property
    def client(self):
        return self.kubelet.client

    # -- registration ------------------------------------------------------------------------------
    def register(self) -> dict:
        k = self.kubelet
        manifest = node_manifest(self.name, k.index, self.clock, cpu=k.capacity["cpu"],
                                 memory=k.capacity["memory"], pods=k.capacity["pods"],
                                 runtime_version=k.runtime_version, labels=k.labels, taints=k.taints)
        self._manifest_status = manifest.pop("status")
        try:
            node = self.client.create(manifest)
        except StatusError as err:
            if err.code != 409:
                raise
            existing = self.client.get("nodes", self.name)
            labels = dict(existing["metadata"].get("labels") or {})
            labels.update(manifest["metadata"]["labels"])
            node = self.client.patch("nodes", self.name, {"metadata": {"labels": labels}}, patch_type="merge")
        self.node = node
        self._event("Starting", "Starting kubelet.")
        self.report(force=True)
        return self.node

    def _event(self, reason: str, message: str) -> None:
        """Events about the Node (``nodeRef``: kind Node, UID = the node's name, as the kubelet's)."""
        ref = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": self.name, "uid": self.name}}
        self.kubelet.recorder.event(ref, "Normal", reason, message)

    def _announce(self, conditions: list[dict]) -> None:
        """``Node node-1 status is now: NodeReady`` for each condition that changed."""
        first = not self._announced
        for cond in conditions:
            reason = _STATUS_EVENTS[cond["type"]][cond["status"] == "True"]
            if self._announced.get(cond["type"]) == reason:
                continue
            self._announced[cond["type"]] = reason
            if first and cond["type"] == "Ready":
                self._event("NodeAllocatableEnforced", "Updated Node Allocatable limit across pods")
            self._event(reason, f"Node {self.name} status is now: {reason}")

    @property
    def pod_cidr(self) -> str:
        return ((self.node or {}).get("spec") or {}).get("podCIDR", "")

    @property
    def internal_ip(self) -> str:
        for address in self._manifest_status.get("addresses", []):
            if address.get("type") == "InternalIP":
                return address["address"]
        return ""

    # -- heartbeats ------------------------------------------------------------------------------------
    def start(self) -> None:
        self._ensure_lease()
        self._schedule()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _schedule(self) -> None:
        interval = self.kubelet.config.node_status_update_frequency
        self._timer = self.clock.call_later(interval, self._tick, name=self._timer_name)

    def _tick(self) -> None:
        self._timer = None
        if not self.kubelet.running:
            return
        self._schedule()
        try:
            self._renew_lease()
        except StatusError as err:
            self.kubelet.report("renew lease", err)
        try:
            self.report()
        except StatusError as err:
            self.kubelet.report("update node status", err)

    def _lease_body(self) -> dict:
        owner = {"apiVersion": "v1", "kind": "Node", "name": self.name,
                 "uid": (self.node or {}).get("metadata", {}).get("uid", "")}
        return {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": self.name, "namespace": LEASE_NAMESPACE, "ownerReferences": [owner]},
            "spec": {"holderIdentity": self.name,
                     "leaseDurationSeconds": self.kubelet.config.node_lease_duration_seconds,
                     "renewTime": self.clock.micro_timestamp()},
        }

    def _ensure_lease(self) -> None:
        try:
            self.lease = self.client.create(self._lease_body())
        except StatusError as err:
            if err.code != 409:
                self.kubelet.report("create lease", err)
                return
            self.lease = self.client.get("leases", self.name, LEASE_NAMESPACE)
            self._renew_lease()

    def _renew_lease(self) -> None:
        if self.lease is None:
            self._ensure_lease()
            return
        lease = dict(self.lease)
        lease["spec"] = dict(lease.get("spec") or {}, holderIdentity=self.name,
                             leaseDurationSeconds=self.kubelet.config.node_lease_duration_seconds,
                             renewTime=self.clock.micro_timestamp())
        try:
            self.lease = self.client.update(lease)
        except StatusError as err:
            if err.code not in (404, 409):
                raise
            self.lease = None
            self._ensure_lease()

    # -- status -------------------------------------------------------------------------------------------
    def set_conditions(self, **pressure: bool) -> None:
        """Turn MemoryPressure / DiskPressure / PIDPressure on or off; reported at once when
        the kubelet can. A stopped kubelet (a failed machine) reports it when it starts again;
        one cut off from the API server, at its first heartbeat that gets through."""
        unknown = sorted(set(pressure) - set(PRESSURE_CONDITIONS))
        if unknown:
            raise ValueError(f"unknown node condition {unknown[0]!r}; expected one of {sorted(PRESSURE_CONDITIONS)}")
        for ctype, on in pressure.items():
            self.pressure[ctype] = bool(on)
        if not self.kubelet.running:
            return
        try:
            self.report(force=True)
        except StatusError as err:
            self.kubelet.report("update node status", err)

    def _node_images(self) -> list:
        """The runtime's images the status lists: largest first (ties by ID), at most 50.

        Sorted (and digested) again only when the runtime lists other images: an Image is
        frozen, so an equal list gives the same answer (every 10 s, the same one when idle)."""
        listed = self.kubelet.runtime.list_images()
        if listed != self._listed_images:
            images = sorted(listed, key=_largest_first)[:MAX_NODE_IMAGES]
            self._listed_images = listed
            self._images = (images, (tuple(i.size for i in images),
                                     tuple(n for i in images for n in (*i.repo_digests, *i.repo_tags))))
        return self._images[0]

    def _digest(self, images: list) -> tuple:
        """What the status is computed from; an unchanged digest means an unchanged status.
        ``images`` is what :meth:`_node_images` just returned."""
        return (tuple(sorted(self.pressure.items())), *self._images[1])

    def report(self, force: bool = False) -> None:
        """Write the status if it changed, if 5 minutes passed, or when forced.

        Every 10 s when idle: the check is cheap (a digest of the images and pressure wishes);
        the status itself is built only when it is written.
        """
        now = self.clock.now()
        images = self._node_images()
        digest = self._digest(images)
        due = now - self._last_report >= self.kubelet.config.node_status_report_frequency
        if not (force or due or digest != self._last_digest or self._api_disagrees()):
            return
        current = self.client.get("nodes", self.name)
        status = dict(self._manifest_status)
        status["conditions"] = self._conditions((current.get("status") or {}).get("conditions") or [])
        status["images"] = [_image_entry(i) for i in images]
        self.node = self.client.patch("nodes", self.name, {"status": status}, patch_type="merge",
                                      subresource="status")
        self._last_report, self._last_digest = now, digest
        self._announce(status["conditions"])

    def _api_disagrees(self) -> bool:
        """``nodeStatusChanged``: do the conditions in the API differ from what we report?"""
        informer = getattr(self.kubelet, "node_informer", None)
        cached = informer.get(self.name) if informer is not None else None
        if cached is None:
            return False
        pressure = tuple(self.pressure.get(ctype, False) for ctype in PRESSURE_CONDITIONS)
        last = self._disagreement
        if last is not None and last[0] is cached and last[1] == pressure:
            return last[2]  # same Node object, same wishes: same answer (every 10 s when idle)
        seen = {c.get("type"): c.get("status") for c in (cached.get("status") or {}).get("conditions") or []}
        wanted = {ctype: "True" if on else "False" for ctype, on in zip(PRESSURE_CONDITIONS, pressure)}
        wanted["Ready"] = "True"
        answer = any(seen.get(ctype) != status for ctype, status in wanted.items())
        self._disagreement = (cached, pressure, answer)
        return answer

    def _conditions(self, old: list[dict]) -> list[dict]:
        now = self.clock.timestamp()
        before = {c.get("type"): c for c in old}
        wanted = []
        for ctype, (ok, bad) in PRESSURE_CONDITIONS.items():
            on = bool(self.pressure.get(ctype))
            wanted.append((ctype, "True" if on else "False", *(bad if on else ok)))
        wanted.append(("Ready", "True", "KubeletReady", "kubelet is posting ready status"))
        out = []
        for ctype, status, reason, message in wanted:
            prev = before.get(ctype)
            transition = prev.get("lastTransitionTime", now) if prev and prev.get("status") == status else now
            out.append(condition(ctype, status, reason, message, now, transition))
        return out


def _largest_first(image) -> tuple:
    return (-image.size, image.id)


def _image_entry(image) -> dict:
    """A ``ContainerImage`` of NodeStatus.images: every digest and tag, and the size."""
    return {"names": list(image.repo_digests) + list(image.repo_tags), "sizeBytes": image.size}
