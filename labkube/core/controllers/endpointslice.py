"""The EndpointSlice controller: Service selectors turned into discovery.k8s.io/v1 EndpointSlices.

Mirrors pkg/controller/endpointslice/endpointslice_controller.go and the reconciler in
k8s.io/endpointslice (``reconcileByAddressType`` / ``reconcileByPortMapping``):

* For a Service with a selector (not ExternalName), every selected pod with an IP that is not
  finished becomes an endpoint — terminating pods included, with conditions
  ``ready`` (serving and not terminating, or always when ``publishNotReadyAddresses``),
  ``serving`` (the pod's Ready condition) and ``terminating`` (``deletionTimestamp`` set),
  ``addresses`` [pod IP], ``nodeName``, ``zone`` (the node's ``topology.kubernetes.io/zone``),
  ``targetRef`` and, for headless Services, ``hostname``.
* Endpoints are grouped by their resolved port list (named targetPorts are looked up per pod,
  so pods can differ); each group is stored in slices of at most 100 endpoints
  (``--max-endpoints-per-slice``). Existing slices are updated in place when their endpoints
  change, emptied ones deleted, new endpoints fill slices with room before new slices are made.
* Slices are named by ``generateName: <service>-``, labelled ``kubernetes.io/service-name``
  and ``endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io`` (plus the
  Service's labels and ``service.kubernetes.io/headless`` for headless Services), and owned by
  the Service (``ownerReferences`` with ``controller`` and ``blockOwnerDeletion``): deleting the
  Service leaves their removal to the garbage collector, as in Kubernetes.
* A Service with no endpoints keeps one empty "placeholder" slice.
* ``endpoints.kubernetes.io/last-change-trigger-time`` as for Endpoints.

Because the controller reads slices from its informer cache, it remembers what it wrote and
retries (``StaleInformerCache``) until the cache has caught up, so it never creates duplicates.
"""

from __future__ import annotations

from typing import Any, Optional

from labkube.core import serialization
from labkube.core.api.labels import selector_from_label_selector
from labkube.core.clock import format_timestamp
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.endpoints import (
    ANNOTATION_TRIGGER_TIME, LABEL_HEADLESS, TriggerTimeTracker, find_port, is_headless, pod_hostname,
    pod_ip, pod_is_ready, pod_target_ref, service_selects, should_pod_be_in_endpoints,
)
from labkube.core.controllers.manager import register
from labkube.core.errors import StatusError
from labkube.core.machinery import WARNING
from labkube.core.machinery.informer import split_key

LABEL_SERVICE_NAME = "kubernetes.io/service-name"
LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
CONTROLLER_NAME = "endpointslice-controller.k8s.io"
LABEL_ZONE = "topology.kubernetes.io/zone"
MAX_ENDPOINTS_PER_SLICE = 100
EVENT_SOURCE = "endpoint-slice-controller"


class StaleInformerCache(Exception):
    """The slice cache is older than what this controller last wrote; retry shortly."""


@register
class EndpointSliceController(KubeController):
    """Keeps each Service's EndpointSlices equal to its selected pods."""

    name = "endpointslice-controller"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.recorder = ctx.recorder(EVENT_SOURCE)
        self.recorder.client = self.client
        self.max_endpoints = int(getattr(ctx.config, "max_endpoints_per_slice", MAX_ENDPOINTS_PER_SLICE))

    def setup(self) -> None:
        informers = self.ctx.informers
        self.services = informers.informer("services")
        self.pods = informers.informer("pods")
        self.nodes = informers.informer("nodes")
        self.slices = informers.informer("endpointslices")
        self.slices.add_indexer(LABEL_SERVICE_NAME, _service_index)
        self.tracker = TriggerTimeTracker()
        self.written: dict[str, dict[str, Optional[int]]] = {}  # service key -> slice name -> rv (None: deleted)
        self.services.add_event_handler(self._enqueue_object, lambda old, new: self._enqueue_object(new),
                                        self._enqueue_object)
        self.pods.add_event_handler(self._pod_added, self._pod_updated, self._pod_added)
        self.slices.add_event_handler(self._slice_changed, lambda old, new: self._slice_changed(new),
                                      self._slice_changed)
        self.nodes.add_event_handler(None, self._node_updated, None)

    # -- handlers ----------------------------------------------------------------------
    def _enqueue_object(self, obj: dict) -> None:
        meta = obj["metadata"]
        self.enqueue(f"{meta['namespace']}/{meta['name']}")

    def _slice_changed(self, endpoint_slice: dict) -> None:
        labels = endpoint_slice["metadata"].get("labels") or {}
        if labels.get(LABEL_MANAGED_BY) == CONTROLLER_NAME and labels.get(LABEL_SERVICE_NAME):
            self.enqueue(f"{endpoint_slice['metadata']['namespace']}/{labels[LABEL_SERVICE_NAME]}")

    def _pod_added(self, pod: dict) -> None:
        for service in self._services_for(pod):
            self._enqueue_object(service)

    def _pod_updated(self, old: dict, new: dict) -> None:
        if old["metadata"].get("resourceVersion") == new["metadata"].get("resourceVersion"):
            return
        services = {s["metadata"]["name"]: s for s in self._services_for(new)}
        if (old["metadata"].get("labels") or {}) != (new["metadata"].get("labels") or {}):
            # Services select by labels alone: the same labels are in the same Services.
            services.update({s["metadata"]["name"]: s for s in self._services_for(old)})
        for name in sorted(services):
            self._enqueue_object(services[name])

    def _node_updated(self, old: dict, new: dict) -> None:
        if (old["metadata"].get("labels") or {}).get(LABEL_ZONE) != (new["metadata"].get("labels") or {}).get(LABEL_ZONE):
            for service in self.services.list():
                self._enqueue_object(service)

    def _services_for(self, pod: dict) -> list[dict]:
        return [s for s in self.services.list(pod["metadata"].get("namespace")) if service_selects(s, pod)]

    # -- syncService -------------------------------------------------------------------
    def sync(self, key: str) -> None:
        namespace, name = split_key(key)
        service = self.services.get(key)
        if service is None:
            self.tracker.forget(key)  # the slices are owned by the Service: the GC removes them
            self.written.pop(key, None)
            return
        spec = service.get("spec") or {}
        if spec.get("type") == "ExternalName" or not spec.get("selector"):
            return
        existing = self._managed_slices(key, namespace, name)
        selector = selector_from_label_selector({"matchLabels": spec["selector"]})
        pods = sorted((p for p in self.pods.list(namespace) if selector.matches(p["metadata"].get("labels") or {})),
                      key=lambda p: p["metadata"]["name"])
        trigger = self.tracker.compute(key, service, pods)
        desired = self._desired(service, pods)
        try:
            self._reconcile(key, service, desired, existing, trigger)
        except StatusError as err:
            self.recorder.event(service, WARNING, "FailedToUpdateEndpointSlices",
                                f"Error updating Endpoint Slices for Service {key}: {err.message}")
            raise

    def _managed_slices(self, key: str, namespace: Optional[str], name: str) -> list[dict]:
        slices = [s for s in self.slices.by_index(LABEL_SERVICE_NAME, f"{namespace}/{name}")
                  if (s["metadata"].get("labels") or {}).get(LABEL_MANAGED_BY) == CONTROLLER_NAME]
        written = self.written.get(key, {})
        cached = {s["metadata"]["name"]: int(s["metadata"].get("resourceVersion") or 0) for s in slices}
        for slice_name, rv in list(written.items()):
            if rv is None and slice_name in cached:
                raise StaleInformerCache(f"EndpointSlice {namespace}/{slice_name} deleted but still cached")
            if rv is not None and cached.get(slice_name, 0) < rv:
                raise StaleInformerCache(f"EndpointSlice {namespace}/{slice_name} newer than cached")
        self.written[key] = {}
        return slices

    def _desired(self, service: dict, pods: list[dict]) -> dict[str, tuple[list, dict[str, dict]]]:
        """Port-list key -> (ports, endpoints by pod key), in pod order."""
        spec = service.get("spec") or {}
        publish = bool(spec.get("publishNotReadyAddresses"))
        groups: dict[str, tuple[list, dict[str, dict]]] = {}
        for pod in pods:
            if not should_pod_be_in_endpoints(pod, include_terminating=True):
                continue
            ports = self._ports(service, pod)
            key = serialization.dumps(ports).decode()
            groups.setdefault(key, (ports, {}))[1][_endpoint_key(pod)] = self._endpoint(service, pod, publish)
        return groups

    @staticmethod
    def _ports(service: dict, pod: dict) -> list[dict]:
        ports = []
        for service_port in (service.get("spec") or {}).get("ports") or ():
            number = find_port(pod, service_port)
            if number is None:
                continue
            port: dict[str, Any] = {"name": service_port.get("name", ""), "port": number,
                                    "protocol": service_port.get("protocol", "TCP")}
            if service_port.get("appProtocol"):
                port["appProtocol"] = service_port["appProtocol"]
            ports.append(port)
        return ports

    def _endpoint(self, service: dict, pod: dict, publish: bool) -> dict:
        serving = pod_is_ready(pod)
        terminating = bool(pod["metadata"].get("deletionTimestamp"))
        endpoint: dict[str, Any] = {
            "addresses": [pod_ip(pod)],
            "conditions": {"ready": publish or (serving and not terminating), "serving": serving,
                           "terminating": terminating},
        }
        hostname = pod_hostname(pod, service)
        if hostname:
            endpoint["hostname"] = hostname
        endpoint["targetRef"] = pod_target_ref(pod)
        node_name = (pod.get("spec") or {}).get("nodeName")
        if node_name:
            endpoint["nodeName"] = node_name
            node = self.nodes.get(node_name)
            zone = ((node or {}).get("metadata", {}).get("labels") or {}).get(LABEL_ZONE)
            if zone:
                endpoint["zone"] = zone
        return endpoint

    # -- reconcile ---------------------------------------------------------------------
    def _reconcile(self, key: str, service: dict, desired: dict, existing: list[dict],
                   trigger: Optional[float]) -> None:
        by_ports: dict[str, list[dict]] = {}
        for endpoint_slice in sorted(existing, key=lambda s: s["metadata"]["name"]):
            ports_key = serialization.dumps(endpoint_slice.get("ports") or []).decode()
            by_ports.setdefault(ports_key, []).append(endpoint_slice)
        plan = _Plan()
        for ports_key in sorted(set(desired) | set(by_ports)):
            ports, endpoints = desired.get(ports_key, ([], {}))
            self._reconcile_ports(plan, ports, endpoints, by_ports.get(ports_key, []))
        self._keep_placeholder(plan, service, existing)
        labels = self._labels(service)
        for endpoint_slice in plan.update + plan.create:
            self._finish(endpoint_slice, service, labels, trigger)
        touched = {s["metadata"]["name"] for s in plan.update + plan.delete}
        for endpoint_slice in existing:
            if endpoint_slice["metadata"]["name"] not in touched and endpoint_slice["metadata"].get("labels") != labels:
                updated = serialization.copy(endpoint_slice)
                self._finish(updated, service, labels, trigger)
                plan.update.append(updated)
        self._apply(key, plan)

    def _reconcile_ports(self, plan: "_Plan", ports: list, wanted: dict[str, dict], slices: list[dict]) -> None:
        remaining = dict(wanted)
        with_room: list[dict] = []
        for endpoint_slice in slices:
            kept, changed = [], False
            for endpoint in endpoint_slice.get("endpoints") or ():
                key = _endpoint_key_of(endpoint)
                want = remaining.pop(key, None)
                if want is None:
                    changed = True
                    continue
                changed = changed or want != endpoint
                kept.append(want)
            if not kept:
                plan.delete.append(endpoint_slice)
                continue
            if changed:
                updated = serialization.copy(endpoint_slice)
                updated["endpoints"] = kept
                plan.update.append(updated)
                with_room.append(updated)
            elif len(kept) < self.max_endpoints:
                with_room.append(endpoint_slice)
        new = list(remaining.values())
        for endpoint_slice in sorted(with_room, key=lambda s: -len(s["endpoints"])):
            if not new:
                break
            room = self.max_endpoints - len(endpoint_slice["endpoints"])
            if room <= 0:
                continue
            if endpoint_slice not in plan.update:
                endpoint_slice = serialization.copy(endpoint_slice)
                plan.update.append(endpoint_slice)
            endpoint_slice["endpoints"] = endpoint_slice["endpoints"] + new[:room]
            new = new[room:]
        for start in range(0, len(new), self.max_endpoints):
            plan.create.append({"endpoints": new[start:start + self.max_endpoints], "ports": ports})

    def _keep_placeholder(self, plan: "_Plan", service: dict, existing: list[dict]) -> None:
        """With no endpoints at all, one empty slice remains (the "placeholder")."""
        if plan.create or plan.update or len(plan.delete) < len(existing):
            return
        if plan.delete:
            placeholder = next((s for s in plan.delete if not s.get("endpoints") and not s.get("ports")), None)
            if placeholder is not None:
                plan.delete.remove(placeholder)
                return
        plan.create.append({"endpoints": [], "ports": []})

    def _labels(self, service: dict) -> dict:
        labels = dict(service["metadata"].get("labels") or {})
        labels[LABEL_SERVICE_NAME] = service["metadata"]["name"]
        labels[LABEL_MANAGED_BY] = CONTROLLER_NAME
        if is_headless(service):
            labels[LABEL_HEADLESS] = ""
        else:
            labels.pop(LABEL_HEADLESS, None)
        return labels

    @staticmethod
    def _finish(endpoint_slice: dict, service: dict, labels: dict, trigger: Optional[float]) -> None:
        meta = service["metadata"]
        slice_meta = endpoint_slice.setdefault("metadata", {})
        if not slice_meta.get("name"):
            slice_meta["generateName"] = f"{meta['name']}-"
            slice_meta["namespace"] = meta["namespace"]
            slice_meta["ownerReferences"] = [{
                "apiVersion": "v1", "kind": "Service", "name": meta["name"], "uid": meta.get("uid", ""),
                "controller": True, "blockOwnerDeletion": True,
            }]
        slice_meta["labels"] = dict(labels)
        annotations = dict(slice_meta.get("annotations") or {})
        if trigger is not None:
            annotations[ANNOTATION_TRIGGER_TIME] = format_timestamp(trigger)
        if annotations:
            slice_meta["annotations"] = annotations
        endpoint_slice["apiVersion"] = "discovery.k8s.io/v1"
        endpoint_slice["kind"] = "EndpointSlice"
        endpoint_slice["addressType"] = "IPv4"
        endpoint_slice.setdefault("endpoints", [])
        endpoint_slice.setdefault("ports", [])

    def _apply(self, key: str, plan: "_Plan") -> None:
        written = self.written.setdefault(key, {})
        for endpoint_slice in plan.create:
            created = self.client.create(endpoint_slice)
            written[created["metadata"]["name"]] = int(created["metadata"]["resourceVersion"])
        for endpoint_slice in plan.update:
            updated = self.client.update(endpoint_slice)
            written[updated["metadata"]["name"]] = int(updated["metadata"]["resourceVersion"])
        for endpoint_slice in plan.delete:
            meta = endpoint_slice["metadata"]
            try:
                self.client.delete("endpointslices", meta["name"], meta["namespace"])
            except StatusError as err:
                if err.code != 404:
                    raise
            written[meta["name"]] = None


class _Plan:
    def __init__(self) -> None:
        self.create: list[dict] = []
        self.update: list[dict] = []
        self.delete: list[dict] = []


def _endpoint_key(pod: dict) -> str:
    return pod["metadata"].get("uid") or pod["metadata"]["name"]


def _endpoint_key_of(endpoint: dict) -> str:
    ref = endpoint.get("targetRef") or {}
    return ref.get("uid") or ref.get("name") or ",".join(endpoint.get("addresses") or ())


def _service_index(endpoint_slice: dict) -> list[str]:
    name = (endpoint_slice["metadata"].get("labels") or {}).get(LABEL_SERVICE_NAME)
    return [f"{endpoint_slice['metadata']['namespace']}/{name}"] if name else []
