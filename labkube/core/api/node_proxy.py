"""Subresources the API server answers by asking a kubelet: ``pods/log`` and ``pods/exec``;
plus ``pods/eviction`` and the resource metrics API that ``kubectl top`` reads.

Mirrors pkg/registry/core/pod/rest (LogREST, ExecREST, EvictionREST) and metrics-server:

* ``GET pods/log`` and ``POST pods/exec`` are authorized like any request (``get pods/log``,
  ``create pods/exec``), then the API server looks up the pod's node and connects to that
  node's kubelet, which asks the container runtime. A pod with no node yet gets kube-apiserver's
  ``pod x does not have a host assigned``; a pod with several containers and none named gets
  ``a container name must be specified for pod x, choose one of: [a b]``; a node whose kubelet
  is down gets a 500 like the failed dial (``connect: connection refused``), and one cut off
  by a network partition the dial's timeout (``i/o timeout``): the partition runs both ways.
* a log request with ``follow`` is answered with a stream
  (:class:`~labkube.runtime.log_reader.LogReader`, the kubelet's ``ReadLogs``) that stays open
  until its container stops; one with ``sinceSeconds``, ``sinceTime`` or ``limitBytes`` is read
  by the same reader, once.
* ``POST pods/eviction`` is a graceful delete that PodDisruptionBudgets may refuse; it is
  served by :mod:`labkube.core.api.eviction` (EvictionREST).
* ``metrics.k8s.io/v1beta1`` NodeMetrics and PodMetrics come from the kubelets' resource usage
  (metrics-server scrapes the same numbers).

The cluster wires the kubelets in with :meth:`NodeProxy.connect`; the API server itself never
imports a kubelet.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from labkube.core import errors
from labkube.core.clock import parse_timestamp
from labkube.runtime.log_reader import LogOptions, LogReader

#: node name -> its kubelet, or, when the API server cannot reach it, how the dial fails
#: (a string such as ``"i/o timeout"``; None for ``"connect: connection refused"``).
KubeletLookup = Callable[[str], Any]

#: The dial error of a kubelet that is not listening (its machine is down).
REFUSED = "connect: connection refused"


class NodeProxy:
    """How the API server reaches kubelets, and the metrics they report."""

    def __init__(self) -> None:
        self._lookup: KubeletLookup = lambda node: None
        self.metrics: Optional[Callable[[], tuple[list[dict], list[dict]]]] = None
        #: ``pods/proxy`` and ``services/proxy`` reach pods directly (see proxy_rest.py).
        self.pod_http: Optional[Callable[..., tuple]] = None

    def connect(self, lookup: KubeletLookup,
                metrics: Optional[Callable[[], tuple[list[dict], list[dict]]]] = None,
                pod_http: Optional[Callable[..., tuple]] = None) -> None:
        self._lookup = lookup
        self.metrics = metrics
        self.pod_http = pod_http

    def kubelet(self, pod: dict) -> Any:
        node = pod["spec"].get("nodeName")
        if not node:
            raise errors.bad_request(f"pod {pod['metadata']['name']} does not have a host assigned")
        kubelet = self._lookup(node)
        if kubelet is None or isinstance(kubelet, str):
            raise errors.internal_error(f"error dialing backend: dial tcp {node}:10250: {kubelet or REFUSED}")
        return kubelet


def choose_container(pod: dict, container: Optional[str]) -> str:
    """``podutil.GetContainer``'s rules for log and exec requests."""
    name = pod["metadata"]["name"]
    containers = [c["name"] for c in pod["spec"].get("containers", [])]
    init = [c["name"] for c in pod["spec"].get("initContainers", [])]
    if not container:
        if len(containers) == 1:
            return containers[0]
        choices = " ".join(containers)
        message = f"a container name must be specified for pod {name}, choose one of: [{choices}]"
        if init:
            message += f" or one of the init containers: [{' '.join(init)}]"
        raise errors.bad_request(message)
    ephemeral = [c["name"] for c in pod["spec"].get("ephemeralContainers", [])]
    if container not in containers and container not in init and container not in ephemeral:
        raise errors.bad_request(f"container {container} is not valid for pod {name}")
    return container


def pod_logs(proxy: NodeProxy, pod: dict, options: dict) -> Any:
    """The log text; with ``follow`` a :class:`~labkube.runtime.log_reader.LogReader` that the
    caller reads on the cluster clock (the stream kube-apiserver proxies from the kubelet)."""
    container = choose_container(pod, options.get("container"))
    kubelet = proxy.kubelet(pod)
    namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    if not any(options.get(key) for key in ("follow", "sinceSeconds", "sinceTime", "limitBytes")):
        return kubelet.logs(namespace, name, container, previous=bool(options.get("previous")),
                            tail=options.get("tailLines"), timestamps=bool(options.get("timestamps")))
    return _log_reader(kubelet, namespace, name, container, options)


def _log_reader(kubelet: Any, namespace: str, name: str, container: str, options: dict) -> Any:
    """The kubelet's ``GetContainerLogs``: the container instance the request names (the
    kubelet's own check, with its errors), read by ``ReadLogs`` with the request's options."""
    container_id = kubelet.container_for_logs(namespace, name, container, bool(options.get("previous")))
    since = None
    if options.get("sinceSeconds"):
        since = kubelet.clock.now() - int(options["sinceSeconds"])
    if options.get("sinceTime"):
        moment = parse_timestamp(options["sinceTime"])
        since = moment if since is None else max(since, moment)
    reader = LogReader(kubelet.runtime, container_id, LogOptions(
        tail=options.get("tailLines"), since=since, limit_bytes=options.get("limitBytes") or None,
        timestamps=bool(options.get("timestamps")), follow=bool(options.get("follow"))))
    return reader if options.get("follow") else reader.read()


def pod_exec(proxy: NodeProxy, pod: dict, options: dict) -> Any:
    """Start the command; returns the runtime's Operation (completes on the cluster clock)."""
    command = list(options.get("command") or [])
    if not command:
        raise errors.bad_request("you must specify at least 1 command")
    container = choose_container(pod, options.get("container"))
    if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        raise errors.bad_request("cannot exec into a container in a completed pod; current phase is "
                                 f"{pod['status']['phase']}")
    kubelet = proxy.kubelet(pod)
    return kubelet.exec(pod["metadata"]["namespace"], pod["metadata"]["name"], command, container)


def node_metrics_list(items: list[dict]) -> dict:
    return {"kind": "NodeMetricsList", "apiVersion": "metrics.k8s.io/v1beta1",
            "metadata": {}, "items": items}


def pod_metrics_list(items: list[dict]) -> dict:
    return {"kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1",
            "metadata": {}, "items": items}
