"""The endpoints controller: one v1 Endpoints object per Service with a selector.

Mirrors pkg/controller/endpoint/endpoints_controller.go (``syncService``):

* For a Service with a ``spec.selector`` (not ExternalName), the Endpoints of the same name
  lists every selected pod that has an IP: Ready pods under ``addresses``, others under
  ``notReadyAddresses`` (all under ``addresses`` when ``publishNotReadyAddresses`` is set).
  Terminating pods are left out (unless not-ready addresses are published); finished pods
  (Succeeded/Failed) are always left out.
* Each address has ``ip``, ``nodeName`` and ``targetRef`` (kind Pod, namespace, name, uid);
  ``hostname`` too for a headless Service when the pod's ``subdomain`` is the Service.
* Ports: every Service port is resolved per pod — a named ``targetPort`` is looked up among
  the pod's container ports (name and protocol must match; a pod without it is left out for
  that port), a number is used as is. A headless Service without ports gets addresses only.
  Subsets are then repacked (``endpoints.RepackSubsets``): addresses that share a port set
  share a subset; addresses are sorted by IP (as strings, like Kubernetes).
* Labels are the Service's, plus ``service.kubernetes.io/headless`` for headless Services
  (none at all, not an empty map, when that leaves nothing);
  ``endpoints.kubernetes.io/last-change-trigger-time`` says when the change that this update
  reflects happened (the earliest pod Ready transition or Service creation not yet reflected).
* A Service without a selector gets no Endpoints from this controller (you write them);
  deleting a Service deletes its Endpoints.

Difference: ports inside a subset are sorted by name/port/protocol (Kubernetes sorts by a hash).
"""

from __future__ import annotations

from typing import Any, Optional

from labkube.core import serialization
from labkube.core.api.labels import selector_from_label_selector
from labkube.core.clock import format_timestamp, parse_timestamp
from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.errors import StatusError
from labkube.core.machinery import WARNING
from labkube.core.machinery.informer import split_key

LABEL_HEADLESS = "service.kubernetes.io/headless"
ANNOTATION_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
ANNOTATION_LEADER = "control-plane.alpha.kubernetes.io/leader"


# -- helpers shared with the EndpointSlice controller ------------------------------------------
def pod_is_ready(pod: dict) -> bool:
    for condition in (pod.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return False


def pod_ready_transition(pod: dict) -> Optional[float]:
    """``getPodTriggerTime``: the Ready condition's lastTransitionTime."""
    for condition in (pod.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "Ready" and condition.get("lastTransitionTime"):
            return parse_timestamp(condition["lastTransitionTime"])
    return None


def pod_ip(pod: dict) -> str:
    status = pod.get("status") or {}
    if status.get("podIP"):
        return status["podIP"]
    ips = status.get("podIPs") or []
    return ips[0].get("ip", "") if ips else ""


def should_pod_be_in_endpoints(pod: dict, include_terminating: bool) -> bool:
    """``endpointsliceutil.ShouldPodBeInEndpoints`` (terminal pods never are)."""
    if not pod_ip(pod):
        return False
    if not include_terminating and pod["metadata"].get("deletionTimestamp"):
        return False
    return (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")


def is_headless(service: dict) -> bool:
    return (service.get("spec") or {}).get("clusterIP") == "None"


def service_selects(service: dict, pod: dict) -> bool:
    selector = (service.get("spec") or {}).get("selector")
    if not selector:
        return False
    labels = pod["metadata"].get("labels") or {}
    return all(labels.get(k) == v for k, v in selector.items())


def find_port(pod: dict, service_port: dict) -> Optional[int]:
    """``podutil.FindPort``: a named targetPort by container port name and protocol; a number as is."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = service_port.get("protocol", "TCP")
    spec = pod.get("spec") or {}
    sidecars = [c for c in spec.get("initContainers") or () if c.get("restartPolicy") == "Always"]
    for container in list(spec.get("containers") or ()) + sidecars:
        for port in container.get("ports") or ():
            if port.get("name") == target and port.get("protocol", "TCP") == protocol:
                return port.get("containerPort")
    return None


def pod_target_ref(pod: dict) -> dict:
    meta = pod["metadata"]
    return {"kind": "Pod", "namespace": meta["namespace"], "name": meta["name"], "uid": meta.get("uid", "")}


def pod_hostname(pod: dict, service: dict) -> str:
    spec = pod.get("spec") or {}
    if is_headless(service) and spec.get("hostname") and spec.get("subdomain") == service["metadata"]["name"]:
        return spec["hostname"]
    return ""


class TriggerTimeTracker:
    """``endpointutil.TriggerTimeTracker``: the earliest change not yet reflected in Endpoints."""

    def __init__(self) -> None:
        self._services: dict[str, tuple[float, dict[str, float]]] = {}

    def compute(self, key: str, service: dict, pods: list[dict]) -> Optional[float]:
        created = service["metadata"].get("creationTimestamp")
        service_time = parse_timestamp(created) if created else 0.0
        known = self._services.get(key)
        times: list[float] = []
        if known is None or service_time > known[0]:
            times.append(service_time)
        previous = known[1] if known is not None else {}
        current: dict[str, float] = {}
        for pod in pods:
            name = pod["metadata"]["name"]
            changed = pod_ready_transition(pod)
            if changed is None:
                continue
            current[name] = changed
            if name not in previous or changed > previous[name]:
                times.append(changed)
        self._services[key] = (service_time, current)
        times = [t for t in times if t]
        return min(times) if times else None

    def forget(self, key: str) -> None:
        self._services.pop(key, None)


@register
class EndpointsController(KubeController):
    """Keeps ``Endpoints/<service>`` equal to the Service's selected pods."""

    name = "endpoint-controller"

    def setup(self) -> None:
        informers = self.ctx.informers
        self.services = informers.informer("services")
        self.pods = informers.informer("pods")
        self.endpoints = informers.informer("endpoints")
        self.tracker = TriggerTimeTracker()
        self.services.add_event_handler(self._enqueue_object, lambda old, new: self._enqueue_object(new),
                                        self._enqueue_object)
        self.pods.add_event_handler(self._pod_added, self._pod_updated, self._pod_added)
        self.endpoints.add_event_handler(self._leftover_endpoints, None, self._enqueue_object)

    # -- handlers ------------------------------------------------------------------------
    def _enqueue_object(self, obj: dict) -> None:
        meta = obj["metadata"]
        self.enqueue(f"{meta['namespace']}/{meta['name']}")

    def _leftover_endpoints(self, endpoints: dict) -> None:
        """``checkLeftoverEndpoints``: at start, Endpoints whose Service is gone are cleaned up."""
        if self.endpoints.has_synced:
            return
        if ANNOTATION_LEADER in (endpoints["metadata"].get("annotations") or {}):
            return
        self._enqueue_object(endpoints)

    def _pod_added(self, pod: dict) -> None:
        for service in self._services_for(pod):
            self._enqueue_object(service)

    def _pod_updated(self, old: dict, new: dict) -> None:
        if old["metadata"].get("resourceVersion") == new["metadata"].get("resourceVersion"):
            return
        services = {s["metadata"]["name"]: s for s in self._services_for(new)}
        if (old["metadata"].get("labels") or {}) != (new["metadata"].get("labels") or {}):
            services.update({s["metadata"]["name"]: s for s in self._services_for(old)})
        for name in sorted(services):
            self._enqueue_object(services[name])

    def _services_for(self, pod: dict) -> list[dict]:
        namespace = pod["metadata"].get("namespace")
        return [s for s in self.services.list(namespace) if service_selects(s, pod)]

    # -- syncService ---------------------------------------------------------------------
    def sync(self, key: str) -> None:
        namespace, name = split_key(key)
        service = self.services.get(key)
        if service is None:
            self._delete_endpoints(namespace, name)
            self.tracker.forget(key)
            return
        spec = service.get("spec") or {}
        if spec.get("type") == "ExternalName" or not spec.get("selector"):
            return
        selector = selector_from_label_selector({"matchLabels": spec["selector"]})
        pods = [p for p in self.pods.list(namespace) if selector.matches(p["metadata"].get("labels") or {})]
        pods.sort(key=lambda p: p["metadata"]["name"])
        trigger = self.tracker.compute(key, service, pods)
        subsets = repack_subsets(self._subsets(service, pods))
        current = self.endpoints.get(key)
        labels = self._labels(service)
        if current is not None and (current.get("subsets") or []) == subsets \
                and (current["metadata"].get("labels") or {}) == labels:
            return
        self._write(service, current, subsets, labels, trigger)

    def _subsets(self, service: dict, pods: list[dict]) -> list[dict]:
        spec = service.get("spec") or {}
        tolerate_unready = bool(spec.get("publishNotReadyAddresses"))
        subsets: list[dict] = []
        for pod in pods:
            if not pod_ip(pod):
                continue
            if not tolerate_unready and pod["metadata"].get("deletionTimestamp"):
                continue
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                continue
            address = self._address(pod, service)
            ready = tolerate_unready or pod_is_ready(pod)
            ports = spec.get("ports") or []
            if not ports and is_headless(service):
                subsets.append(_subset(address, None, ready))
                continue
            for service_port in ports:
                number = find_port(pod, service_port)
                if number is None:
                    continue  # "Failed to find port for service"
                subsets.append(_subset(address, _endpoint_port(service_port, number), ready))
        return subsets

    @staticmethod
    def _address(pod: dict, service: dict) -> dict:
        address: dict[str, Any] = {"ip": pod_ip(pod)}
        hostname = pod_hostname(pod, service)
        if hostname:
            address["hostname"] = hostname
        node_name = (pod.get("spec") or {}).get("nodeName")
        if node_name:
            address["nodeName"] = node_name
        address["targetRef"] = pod_target_ref(pod)
        return address

    @staticmethod
    def _labels(service: dict) -> dict:
        labels = dict(service["metadata"].get("labels") or {})
        if is_headless(service):
            labels[LABEL_HEADLESS] = ""
        else:
            labels.pop(LABEL_HEADLESS, None)
        return labels

    def _write(self, service: dict, current: Optional[dict], subsets: list[dict], labels: dict,
               trigger: Optional[float]) -> None:
        meta = service["metadata"]
        if current is None:
            endpoints: dict[str, Any] = {"apiVersion": "v1", "kind": "Endpoints",
                                         "metadata": {"name": meta["name"], "namespace": meta["namespace"]}}
        else:
            endpoints = serialization.copy(current)
        if labels:
            endpoints["metadata"]["labels"] = labels
        else:  # an empty map: Go's omitempty leaves it out
            endpoints["metadata"].pop("labels", None)
        annotations = dict(endpoints["metadata"].get("annotations") or {})
        if trigger is not None:
            annotations[ANNOTATION_TRIGGER_TIME] = format_timestamp(trigger)
        else:
            annotations.pop(ANNOTATION_TRIGGER_TIME, None)
        if annotations:
            endpoints["metadata"]["annotations"] = annotations
        else:
            endpoints["metadata"].pop("annotations", None)
        if subsets:
            endpoints["subsets"] = subsets
        else:
            endpoints.pop("subsets", None)
        try:
            if current is None:
                self.client.create(endpoints)
            else:
                self.client.update(endpoints)
        except StatusError as err:
            if current is None and err.code == 403 and "is being terminated" in err.message:
                return  # the namespace is going away: nothing to write
            reason = "FailedToCreateEndpoint" if current is None else "FailedToUpdateEndpoint"
            verb = "create" if current is None else "update"
            self.recorder.event(service, WARNING, reason,
                                f"Failed to {verb} endpoint {meta['namespace']}/{meta['name']}: {err.message}")
            raise

    def _delete_endpoints(self, namespace: Optional[str], name: str) -> None:
        try:
            self.client.delete("endpoints", name, namespace)
        except StatusError as err:
            if err.code != 404:
                raise


def _subset(address: dict, port: Optional[dict], ready: bool) -> dict:
    subset: dict[str, Any] = {"addresses" if ready else "notReadyAddresses": [address]}
    subset["ports"] = [port] if port is not None else []
    return subset


def _endpoint_port(service_port: dict, number: int) -> dict:
    port: dict[str, Any] = {}
    if service_port.get("name"):
        port["name"] = service_port["name"]
    port["port"] = number
    port["protocol"] = service_port.get("protocol", "TCP")
    if service_port.get("appProtocol"):
        port["appProtocol"] = service_port["appProtocol"]
    return port


def repack_subsets(subsets: list[dict]) -> list[dict]:
    """``endpoints.RepackSubsets``: group addresses by identical port sets, sorted and de-duplicated."""
    groups: dict[str, dict] = {}
    for subset in subsets:
        ports = sorted(subset.get("ports") or [], key=_port_sort_key)
        key = serialization.dumps(ports).decode()
        group = groups.setdefault(key, {"ports": ports, "ready": {}, "not_ready": {}})
        for address in subset.get("addresses") or ():
            group["ready"][_address_key(address)] = address
        for address in subset.get("notReadyAddresses") or ():
            group["not_ready"][_address_key(address)] = address
    result = []
    for key in sorted(groups):
        group = groups[key]
        ready = [group["ready"][k] for k in sorted(group["ready"])]
        not_ready = [group["not_ready"][k] for k in sorted(group["not_ready"]) if k not in group["ready"]]
        subset: dict[str, Any] = {}
        if ready:
            subset["addresses"] = ready
        if not_ready:
            subset["notReadyAddresses"] = not_ready
        if group["ports"]:
            subset["ports"] = group["ports"]
        result.append(subset)
    return result


def _address_key(address: dict) -> tuple:
    """``LessEndpointAddress``: IPs compared as strings (so 10.0.0.10 sorts before 10.0.0.9), then UIDs."""
    return address.get("ip", ""), (address.get("targetRef") or {}).get("uid", "")


def _port_sort_key(port: dict) -> tuple:
    return port.get("name", ""), port.get("port", 0), port.get("protocol", "")
