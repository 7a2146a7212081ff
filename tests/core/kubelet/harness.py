"""A bare API server, one node's kubelet on the simulated runtime, and small readers."""

from __future__ import annotations

from pathlib import Path

import yaml

from labkube.core.api import auth
from labkube.core.api.client import Client
from labkube.core.api.testing import new_server
from labkube.core.kubelet import Kubelet, PartitionableClient
from labkube.core.machinery import ErrorLog, EventNamer
from labkube.runtime.sim import SimRuntime

DOCS = Path(__file__).resolve().parents[4] / "shared" / "conformance" / "k8s-docs"
NODE = "node-1"


class Node:
    """An API server with one kubelet (node-1). Pods are created already bound to it."""

    def __init__(self, namespaces=("default",), cpu="2", memory="8Gi", pods="110", start=True,
                 partitionable=False):
        self.env = new_server(namespaces=tuple(namespaces) + ("kube-node-lease",))
        self.clock = self.env.clock
        self.admin = self.env.admin
        for ns in namespaces:  # what the root-ca-cert-publisher controller would create
            self.admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                               "metadata": {"name": "kube-root-ca.crt", "namespace": ns},
                               "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\n"}})
        self.admin.create({  # what kube-apiserver creates at start-up
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default"},
            "spec": {"clusterIP": "10.96.0.1", "type": "ClusterIP",
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}})
        self.errors = ErrorLog()
        self.runtime = SimRuntime(self.clock, NODE)
        self.client = Client(self.env.server, auth.node(NODE))
        if partitionable:
            self.client = PartitionableClient(self.client)
        self.kubelet = Kubelet(self.client, self.clock, self.runtime, NODE, self.errors,
                               EventNamer(self.clock), index=1, cpu=cpu, memory=memory, pods=pods)
        if start:
            self.kubelet.start()

    def create(self, manifest, namespace="default", node=NODE):
        if isinstance(manifest, str):
            manifest = yaml.safe_load(manifest)
        manifest = dict(manifest)
        manifest.setdefault("metadata", {}).setdefault("namespace", namespace)
        manifest["spec"] = dict(manifest["spec"], nodeName=node)
        return self.admin.create(manifest)

    def doc(self, relative, namespace=None):
        manifest = yaml.safe_load((DOCS / relative).read_text())
        if namespace:
            manifest["metadata"]["namespace"] = namespace
        return self.create(manifest, manifest["metadata"].get("namespace", "default"))

    def run(self, seconds):
        self.clock.run(seconds)

    def pod(self, name, namespace="default"):
        return self.admin.get("pods", name, namespace)

    def container(self, name, index=0, namespace="default", init=False):
        key = "initContainerStatuses" if init else "containerStatuses"
        return self.pod(name, namespace)["status"][key][index]

    def condition(self, name, ctype, namespace="default"):
        for cond in self.pod(name, namespace)["status"].get("conditions") or []:
            if cond["type"] == ctype:
                return cond
        return None

    def events(self, name=None, namespace="default"):
        items = self.admin.list("events", namespace)["items"]
        if name is not None:
            items = [e for e in items if e["involvedObject"].get("name") == name]
        return sorted(items, key=lambda e: e["metadata"]["name"])

    def reasons(self, name=None, namespace="default"):
        return [(e["reason"], e["message"]) for e in self.events(name, namespace)]

    def run_until(self, predicate, timeout):
        return self.clock.run_until(predicate, timeout)


def simple_pod(name="web", image="nginx", **container):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": container.pop("cname", "app"), "image": image, **container}]}}
