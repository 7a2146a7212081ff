"""The EndpointSlice mirroring controller: hand-written Endpoints copied into EndpointSlices.

Mirrors pkg/controller/endpointslicemirroring (``syncEndpoints`` and its reconciler). A Service
*without* a selector gets no endpoints from the endpoints or EndpointSlice controllers: you
write its v1 Endpoints yourself (to send traffic to a database outside the cluster, say).
kube-proxy and CoreDNS read EndpointSlices, not Endpoints, so this controller mirrors them:

* it mirrors an Endpoints object only when a Service of the same name exists and has no
  selector, and the Endpoints is not labelled ``endpointslice.kubernetes.io/skip-mirror:
  "true"`` (the API server labels its own ``default/kubernetes`` Endpoints so) nor carries a
  leader-election annotation;
* each subset becomes one slice per address type (IPv4/IPv6) and port list, holding at most
  1000 addresses (``--mirroring-max-endpoints-per-subset``): ``addresses`` are ``ready: true``,
  ``notReadyAddresses`` ``ready: false``; ``targetRef``, ``nodeName`` and ``hostname`` are
  copied; an address that is not an IP is skipped (a ``InvalidIPAddress`` warning event on the
  Endpoints), as are addresses past the limit (``TooManyAddressesToMirror``);
* slices are named ``<endpoints>-<random>`` (``generateName``), carry the Endpoints' labels
  plus ``kubernetes.io/service-name`` and ``endpointslice.kubernetes.io/managed-by:
  endpointslicemirroring-controller.k8s.io``, its annotations except
  ``endpoints.kubernetes.io/last-change-trigger-time`` and ``last-applied-configuration``, and
  are owned by the Endpoints (so deleting the Endpoints garbage-collects them);
* when the Endpoints goes, stops qualifying, or the Service gains a selector, the mirrored
  slices are deleted.

A slice that still matches is left alone; one that differs is rewritten in place (its name
kept); unneeded slices are reused for new port lists before any is created (``recycleSlices``).
Addresses keep their order in the Endpoints (Kubernetes pops them from a set in no set order).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Optional

from labkube.core.controllers.base import KubeController
from labkube.core.controllers.endpoints import ANNOTATION_LEADER, ANNOTATION_TRIGGER_TIME
from labkube.core.controllers.endpointslice import LABEL_MANAGED_BY, LABEL_SERVICE_NAME
from labkube.core.controllers.endpointslice import _service_index as service_index
from labkube.core.controllers.manager import register
from labkube.core.errors import StatusError
from labkube.core.machinery import WARNING
from labkube.core.machinery.informer import split_key

CONTROLLER_NAME = "endpointslicemirroring-controller.k8s.io"
LABEL_SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror"
ANNOTATION_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MAX_ENDPOINTS_PER_SUBSET = 1000
ADDRESS_TYPES = ("IPv4", "IPv6")


def should_mirror(endpoints: Optional[dict]) -> bool:
    """``shouldMirror``: not labelled skip-mirror and not a leader-election lock."""
    if endpoints is None:
        return False
    meta = endpoints["metadata"]
    if (meta.get("labels") or {}).get(LABEL_SKIP_MIRROR) == "true":
        return False
    return ANNOTATION_LEADER not in (meta.get("annotations") or {})


def address_type(ip: str) -> Optional[str]:
    """``IPv4``/``IPv6`` for a valid IP, None for anything else."""
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return None
    return "IPv4" if parsed.version == 4 else "IPv6"


def mirrored_endpoint(address: dict, ready: bool) -> dict:
    """``addressToEndpoint``: one Endpoints address as an EndpointSlice endpoint."""
    endpoint: dict[str, Any] = {"addresses": [str(ipaddress.ip_address(address["ip"]))],
                                "conditions": {"ready": ready}}
    if address.get("hostname"):
        endpoint["hostname"] = address["hostname"]
    if address.get("targetRef"):
        endpoint["targetRef"] = address["targetRef"]
    if address.get("nodeName"):
        endpoint["nodeName"] = address["nodeName"]
    return endpoint


def slice_ports(subset_ports: list) -> list[dict]:
    """``epPortsToEpsPorts``: every field copied (protocol as stored, TCP by default)."""
    ports = []
    for port in subset_ports or ():
        converted = {"name": port.get("name", ""), "port": port.get("port"),
                     "protocol": port.get("protocol", "TCP")}
        if port.get("appProtocol"):
            converted["appProtocol"] = port["appProtocol"]
        ports.append(converted)
    return ports


class Desired:
    """``desiredCalc``: wanted endpoints grouped by (address type, port list)."""

    def __init__(self, max_per_subset: int) -> None:
        self.max_per_subset = max_per_subset
        self.groups: dict[tuple, tuple[list, list]] = {}  # key -> (ports, endpoints)
        self.invalid = 0
        self.skipped = 0

    def add_subset(self, subset: dict) -> None:
        ports = slice_ports(subset.get("ports") or [])
        ports_key = _ports_key(ports)
        for kind in ADDRESS_TYPES:
            self.groups.setdefault((kind, ports_key), (ports, []))
        added = 0
        addresses = [(a, True) for a in subset.get("addresses") or ()]
        addresses += [(a, False) for a in subset.get("notReadyAddresses") or ()]
        for address, ready in addresses:
            if added >= self.max_per_subset:
                break
            kind = address_type(address.get("ip", ""))
            if kind is None:
                self.invalid += 1
                continue
            endpoints = self.groups[(kind, ports_key)][1]
            endpoint = mirrored_endpoint(address, ready)
            if endpoint not in endpoints:
                endpoints.append(endpoint)
            added += 1
        self.skipped += len(addresses) - added


@register
class EndpointSliceMirroringController(KubeController):
    """Keeps the EndpointSlices of each selector-less Service equal to its Endpoints."""

    name = "endpointslicemirroring-controller"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.max_per_subset = int(getattr(ctx.config, "mirroring_max_endpoints_per_subset",
                                          MAX_ENDPOINTS_PER_SUBSET))

    def setup(self) -> None:
        informers = self.ctx.informers
        self.services = informers.informer("services")
        self.endpoints = informers.informer("endpoints")
        self.slices = informers.informer("endpointslices")
        self.slices.add_indexer(LABEL_SERVICE_NAME, service_index)
        #: service key -> slice name -> the resourceVersion last written (None: deleted).
        self.written: dict[str, dict[str, Optional[int]]] = {}
        self.services.add_event_handler(self._service_added, self._service_updated, self._service_added)
        self.endpoints.add_event_handler(self._endpoints_added, self._endpoints_updated,
                                         self._endpoints_added)
        self.slices.add_event_handler(self._slice_changed, self._slice_updated, self._slice_changed)

    # -- handlers: only what can matter is queued ------------------------------------------
    def _service_added(self, service: dict) -> None:
        if not (service.get("spec") or {}).get("selector"):
            self._enqueue(service)

    def _service_updated(self, old: dict, new: dict) -> None:
        if bool((old.get("spec") or {}).get("selector")) != bool((new.get("spec") or {}).get("selector")):
            self._enqueue(new)

    def _endpoints_added(self, endpoints: dict) -> None:
        if should_mirror(endpoints):
            self._enqueue(endpoints)

    def _endpoints_updated(self, old: dict, new: dict) -> None:
        if should_mirror(old) or should_mirror(new):
            self._enqueue(new)

    def _slice_changed(self, endpoint_slice: dict) -> None:
        labels = endpoint_slice["metadata"].get("labels") or {}
        if labels.get(LABEL_MANAGED_BY) == CONTROLLER_NAME and labels.get(LABEL_SERVICE_NAME):
            self.enqueue(f"{endpoint_slice['metadata']['namespace']}/{labels[LABEL_SERVICE_NAME]}")

    def _slice_updated(self, old: dict, new: dict) -> None:
        self._slice_changed(old)
        self._slice_changed(new)

    def _enqueue(self, obj: dict) -> None:
        self.enqueue(f"{obj['metadata']['namespace']}/{obj['metadata']['name']}")

    # -- syncEndpoints ---------------------------------------------------------------------
    def sync(self, key: str) -> None:
        namespace, name = split_key(key)
        endpoints = self.endpoints.get(key)
        service = self.services.get(key)
        if (endpoints is None or not should_mirror(endpoints) or service is None
                or (service.get("spec") or {}).get("selector")):
            self._delete_mirrored(key, namespace, name)
            return
        existing = self._mirrored_slices(key, namespace, name)
        desired = Desired(self.max_per_subset)
        for subset in endpoints.get("subsets") or ():
            desired.add_subset(subset)
        self._report_skipped(endpoints, desired)
        self._reconcile(key, endpoints, desired, existing)

    def _mirrored_slices(self, key: str, namespace: Optional[str], name: str) -> list[dict]:
        """The slices this controller made for the Service, once the cache has caught up."""
        slices = [s for s in self.slices.by_index(LABEL_SERVICE_NAME, f"{namespace}/{name}")
                  if (s["metadata"].get("labels") or {}).get(LABEL_MANAGED_BY) == CONTROLLER_NAME]
        cached = {s["metadata"]["name"]: int(s["metadata"].get("resourceVersion") or 0) for s in slices}
        for slice_name, rv in self.written.get(key, {}).items():
            stale = slice_name in cached if rv is None else cached.get(slice_name, 0) < rv
            if stale:
                raise StaleInformerCache(f"EndpointSlice {namespace}/{slice_name} not yet seen as written")
        self.written[key] = {}
        return sorted(slices, key=lambda s: s["metadata"]["name"])

    def _report_skipped(self, endpoints: dict, desired: Desired) -> None:
        if desired.invalid:
            self.recorder.event(endpoints, WARNING, "InvalidIPAddress",
                                f"Skipped {desired.invalid} invalid IP addresses when mirroring to "
                                "EndpointSlices")
        if desired.skipped > desired.invalid:
            self.recorder.event(endpoints, WARNING, "TooManyAddressesToMirror",
                                f"A max of {self.max_per_subset} addresses can be mirrored to "
                                f"EndpointSlices per Endpoints subset. {desired.skipped} addresses "
                                "were skipped")

    def _reconcile(self, key: str, endpoints: dict, desired: Desired, existing: list[dict]) -> None:
        by_key: dict[tuple, list[dict]] = {}
        for endpoint_slice in existing:
            slice_key = (endpoint_slice.get("addressType", "IPv4"),
                         _ports_key(endpoint_slice.get("ports") or []))
            by_key.setdefault(slice_key, []).append(endpoint_slice)
        create, update, delete = [], [], []
        for group_key in sorted(desired.groups):
            ports, wanted = desired.groups[group_key]
            slices = by_key.get(group_key, [])
            if not wanted:
                delete.extend(slices)
                continue
            delete.extend(slices[1:])
            target = _mirrored_slice(endpoints, ports, group_key[0], wanted[:self.max_per_subset])
            if not slices:
                create.append(target)
            elif not _same(slices[0], target):
                target["metadata"]["name"] = slices[0]["metadata"]["name"]
                target["metadata"]["resourceVersion"] = slices[0]["metadata"].get("resourceVersion")
                update.append(target)
        for group_key, slices in sorted(by_key.items()):
            if group_key not in desired.groups:
                delete.extend(slices)
        self._recycle(create, update, delete)
        self._apply(key, endpoints, create, update, delete)

    @staticmethod
    def _recycle(create: list[dict], update: list[dict], delete: list[dict]) -> None:
        """``recycleSlices``: a slice to delete is rewritten instead of creating a new one."""
        for kind in ADDRESS_TYPES:
            creating = [s for s in create if s["addressType"] == kind]
            deleting = [s for s in delete if s.get("addressType", "IPv4") == kind]
            for new, old in zip(creating, deleting):
                create.remove(new)
                delete.remove(old)
                new["metadata"].pop("generateName", None)
                new["metadata"]["name"] = old["metadata"]["name"]
                update.append(new)

    def _apply(self, key: str, endpoints: dict, create: list[dict], update: list[dict],
               delete: list[dict]) -> None:
        written = self.written.setdefault(key, {})
        if not endpoints["metadata"].get("deletionTimestamp"):
            for endpoint_slice in create:
                created = self.client.create(endpoint_slice)
                written[created["metadata"]["name"]] = int(created["metadata"]["resourceVersion"])
        for endpoint_slice in update:
            updated = self.client.update(endpoint_slice)
            written[updated["metadata"]["name"]] = int(updated["metadata"]["resourceVersion"])
        self._delete(key, delete)

    def _delete_mirrored(self, key: str, namespace: Optional[str], name: str) -> None:
        slices = [s for s in self.slices.by_index(LABEL_SERVICE_NAME, f"{namespace}/{name}")
                  if (s["metadata"].get("labels") or {}).get(LABEL_MANAGED_BY) == CONTROLLER_NAME]
        self._delete(key, slices)
        if not slices:
            self.written.pop(key, None)

    def _delete(self, key: str, slices: list[dict]) -> None:
        written = self.written.setdefault(key, {})
        for endpoint_slice in slices:
            meta = endpoint_slice["metadata"]
            try:
                self.client.delete("endpointslices", meta["name"], meta["namespace"])
            except StatusError as err:
                if err.code != 404:
                    raise
            written[meta["name"]] = None


class StaleInformerCache(Exception):
    """The slice cache is older than what this controller last wrote; retry shortly."""


def _mirrored_slice(endpoints: dict, ports: list, kind: str, wanted: list[dict]) -> dict:
    """``newEndpointSlice``: labels, annotations and owner from the Endpoints."""
    meta = endpoints["metadata"]
    labels = dict(meta.get("labels") or {})
    labels[LABEL_SERVICE_NAME] = meta["name"]
    labels[LABEL_MANAGED_BY] = CONTROLLER_NAME
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items()
                   if k not in (ANNOTATION_TRIGGER_TIME, ANNOTATION_LAST_APPLIED)}
    slice_meta: dict[str, Any] = {
        "generateName": f"{meta['name']}-", "namespace": meta["namespace"], "labels": labels,
        "ownerReferences": [{"apiVersion": "v1", "kind": "Endpoints", "name": meta["name"],
                             "uid": meta.get("uid", ""), "controller": True, "blockOwnerDeletion": True}],
    }
    if annotations:
        slice_meta["annotations"] = annotations
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": slice_meta,
            "addressType": kind, "endpoints": [dict(e) for e in wanted],
            "ports": ports}


def _same(current: dict, target: dict) -> bool:
    """Endpoints, labels and annotations already as the Endpoints want them."""
    meta, want = current["metadata"], target["metadata"]
    return ((current.get("endpoints") or []) == target["endpoints"]
            and (meta.get("labels") or {}) == want["labels"]
            and (meta.get("annotations") or {}) == want.get("annotations", {}))


def _ports_key(ports: list) -> tuple:
    return tuple((p.get("name", ""), p.get("port"), p.get("protocol", "TCP"), p.get("appProtocol", ""))
                 for p in ports)

