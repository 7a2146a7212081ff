"""The root CA publisher: a ConfigMap ``kube-root-ca.crt`` in every namespace.

Mirrors pkg/controller/certificates/rootcacertpublisher: every namespace gets a ConfigMap
``kube-root-ca.crt`` holding the cluster's CA certificate under ``ca.crt`` (with the annotation
``kubernetes.io/description``), recreated if deleted and reset if edited. The projected
``kube-api-access-…`` volume every pod mounts reads it, so a pod cannot start its containers
until this ConfigMap exists in its namespace.

labkube has no real certificate authority; the PEM below is a fixed, well-formed placeholder
(it is never used to verify anything). It acts as ``root-ca-cert-publisher``.
"""

from __future__ import annotations

from labkube.core.controllers.base import KubeController
from labkube.core.controllers.manager import register
from labkube.core.errors import StatusError

NAME = "kube-root-ca.crt"
DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
    "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
    "guaranteed across distributions of Kubernetes clusters."
)
#: A placeholder CA certificate: the shape of a PEM block, the content of none.
CA_CRT = (
    "-----BEGIN CERTIFICATE-----\n"
    "TUlJQ2xhYmt1YmUtc2ltdWxhdGVkLWNsdXN0ZXItY2EtY2VydGlmaWNhdGUtbm90LWEtcmVhbC1rZXk=\n"
    "-----END CERTIFICATE-----\n"
)


def desired_config_map(namespace: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": NAME, "namespace": namespace,
                     "annotations": {"kubernetes.io/description": DESCRIPTION}},
        "data": {"ca.crt": CA_CRT},
    }


@register
class RootCACertPublisher(KubeController):
    """Keeps ``kube-root-ca.crt`` present and unmodified in every active namespace."""

    name = "root-ca-cert-publisher"

    def setup(self) -> None:
        informers = self.ctx.informers
        self.namespaces = informers.informer("namespaces")
        self.config_maps = informers.informer("configmaps", field_selector=f"metadata.name={NAME}")
        self.namespaces.add_event_handler(
            lambda ns: self.enqueue(ns["metadata"]["name"]),
            lambda old, new: self.enqueue(new["metadata"]["name"]),
            None,
        )
        self.config_maps.add_event_handler(
            None,
            lambda old, new: self.enqueue(new["metadata"]["namespace"]),
            lambda cm: self.enqueue(cm["metadata"]["namespace"]),
        )

    def sync(self, namespace: str) -> None:
        ns = self.namespaces.get(namespace)
        if ns is None or (ns.get("status") or {}).get("phase") != "Active":
            return
        current = self.config_maps.get_by_name(namespace, NAME)
        desired = desired_config_map(namespace)
        try:
            if current is None:
                self.client.create(desired)
            elif current.get("data") != desired["data"] or (
                current["metadata"].get("annotations", {}).get("kubernetes.io/description") != DESCRIPTION
            ):
                fixed = {**current, "data": desired["data"]}  # copy: never modify the cache
                fixed["metadata"] = {**current["metadata"],
                                     "annotations": {**current["metadata"].get("annotations", {}),
                                                     "kubernetes.io/description": DESCRIPTION}}
                self.client.update(fixed)  # its role may create and update, not patch
        except StatusError as err:
            if err.code not in (403, 409):  # terminating namespace, or the cache is behind
                raise
