"""kube-apiserver's own Service: ``default/kubernetes``, its Endpoints and its EndpointSlice.

Mirrors pkg/controlplane/controller/kubernetesservice and the lease endpoint reconciler's
``EndpointsAdapter`` (pkg/controlplane/reconcilers): pods reach the API server through the
Service ``kubernetes`` in ``default`` (ClusterIP ``10.96.0.1``, the first address of
``--service-cluster-ip-range``, port 443 named ``https``), whose endpoints are the API servers'
own addresses and secure port (``172.18.0.1:6443`` here; one API server). No controller of
kube-controller-manager looks after it:

* the Service has no selector, so the endpoints and EndpointSlice controllers leave it alone;
* the API server writes the Endpoints (labelled ``endpointslice.kubernetes.io/skip-mirror:
  "true"``, so the mirroring controller leaves it alone too) and an EndpointSlice named
  ``kubernetes`` (label ``kubernetes.io/service-name`` only, no managed-by label, no owner);
* every 10 s (``EndpointInterval``) it creates the Service again if it was deleted, and puts
  the Endpoints and EndpointSlice back if they were deleted or changed (ports only when they
  are missing: the periodic run does not reconcile ports).
"""

from __future__ import annotations

from typing import Any, Optional

from labkube.core.errors import StatusError

SERVICE_NAME = "kubernetes"
SERVICE_NAMESPACE = "default"
#: The first address of the service CIDR 10.96.0.0/12.
SERVICE_IP = "10.96.0.1"
#: Where the API server listens: its advertise address and ``--secure-port``.
ADVERTISE_ADDRESS = "172.18.0.1"
SECURE_PORT = 6443
#: ``EndpointReconcilerConfig.Interval``: how often the Service and endpoints are checked.
ENDPOINT_INTERVAL = 10.0
LABEL_SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror"
LABEL_SERVICE_NAME = "kubernetes.io/service-name"


def service() -> dict:
    """``CreateOrUpdateMasterServiceIfNeeded``'s Service."""
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": SERVICE_NAME, "namespace": SERVICE_NAMESPACE,
                     "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": SERVICE_IP, "ipFamilyPolicy": "SingleStack",
                 "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": SECURE_PORT}],
                 "sessionAffinity": "None", "type": "ClusterIP"},
    }


def endpoint_ports() -> list[dict]:
    """``createEndpointPortSpec``: the secure port, named ``https``."""
    return [{"name": "https", "port": SECURE_PORT, "protocol": "TCP"}]


def desired_endpoints(current: Optional[dict], ips: list[str]) -> dict:
    """``updateEndpoints``: the Endpoints with the API servers' IPs (ports kept if present)."""
    endpoints = dict(current) if current else {
        "apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": SERVICE_NAME, "namespace": SERVICE_NAMESPACE}}
    endpoints["metadata"] = {**endpoints["metadata"], "labels": {LABEL_SKIP_MIRROR: "true"}}
    subsets = (current or {}).get("subsets") or []
    ports = subsets[0].get("ports") if len(subsets) == 1 else None
    endpoints["subsets"] = [{"addresses": [{"ip": ip} for ip in sorted(ips)],
                             "ports": ports or endpoint_ports()}]
    return endpoints


def desired_slice(current: Optional[dict], ips: list[str]) -> dict:
    """``updateEndpointSlice``: the IPv4 slice named after the Service, every endpoint ready."""
    endpoint_slice = dict(current) if current else {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": SERVICE_NAME, "namespace": SERVICE_NAMESPACE}}
    endpoint_slice["metadata"] = {**endpoint_slice["metadata"], "labels": {LABEL_SERVICE_NAME: SERVICE_NAME}}
    endpoint_slice["addressType"] = "IPv4"
    endpoint_slice["endpoints"] = [{"addresses": [ip], "conditions": {"ready": True}} for ip in sorted(ips)]
    if not endpoint_slice.get("ports"):
        endpoint_slice["ports"] = endpoint_ports()
    return endpoint_slice


class KubernetesService:
    """The API server's loop that keeps ``default/kubernetes`` and its endpoints in place."""

    def __init__(self, client: Any, clock: Any, interval: float = ENDPOINT_INTERVAL,
                 ips: tuple[str, ...] = (ADVERTISE_ADDRESS,)) -> None:
        self.client = client
        self.clock = clock
        self.interval = interval
        self.ips = list(ips)
        self._timer = None

    def start(self) -> None:
        """Create what is missing now, then check again every ``interval`` seconds."""
        self.sync()
        self._schedule()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _schedule(self) -> None:
        self._timer = self.clock.call_later(self.interval, self._tick, name="kubernetes service")

    def _tick(self) -> None:
        try:
            self.sync()
        except StatusError:
            pass  # logged by kube-apiserver (HandleError); the next run tries again
        self._schedule()

    def sync(self) -> None:
        """``UpdateKubernetesService(false)``: the Service if missing, then its endpoints."""
        if self._get("services") is None:
            try:
                self.client.create(service())
            except StatusError as err:
                if err.reason != "AlreadyExists":
                    raise
        self._sync_endpoints()
        self._sync_slice()

    def _get(self, resource: str) -> Optional[dict]:
        try:
            return self.client.get(resource, SERVICE_NAME, SERVICE_NAMESPACE)
        except StatusError as err:
            if err.code == 404:
                return None
            raise

    def _sync_endpoints(self) -> None:
        current = self._get("endpoints")
        wanted = desired_endpoints(current, self.ips)
        if current is None:
            self.client.create(wanted)
        elif (current.get("subsets") != wanted["subsets"]
              or current["metadata"].get("labels") != wanted["metadata"]["labels"]):
            self.client.update(wanted)

    def _sync_slice(self) -> None:
        slices = self.client.list("endpointslices", SERVICE_NAMESPACE,
                                  label_selector=f"{LABEL_SERVICE_NAME}={SERVICE_NAME}")["items"]
        current = None
        for endpoint_slice in slices:
            if endpoint_slice["metadata"]["name"] == SERVICE_NAME and endpoint_slice.get("addressType") == "IPv4":
                current = endpoint_slice
            else:  # not this API server's: a leftover of another address family
                self._delete_slice(endpoint_slice["metadata"]["name"])
        wanted = desired_slice(current, self.ips)
        if current is None:
            self.client.create(wanted)
        elif any(current.get(field) != wanted.get(field) for field in ("endpoints", "ports")) or (
                current["metadata"].get("labels") != wanted["metadata"]["labels"]):
            self.client.update(wanted)

    def _delete_slice(self, name: str) -> None:
        try:
            self.client.delete("endpointslices", name, SERVICE_NAMESPACE)
        except StatusError as err:
            if err.code != 404:
                raise
