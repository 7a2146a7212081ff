"""The Node authorizer: what a kubelet may do, decided from what is scheduled on its node.

Mirrors plugin/pkg/auth/authorizer/node (``--authorization-mode=Node,RBAC``, as kubeadm and
kind run kube-apiserver). Kubelets (``system:node:<name>`` in ``system:nodes``) get nothing from
RBAC — the ``system:node`` ClusterRoleBinding has had no subjects since Kubernetes 1.7 — and
everything from this authorizer:

* for most resources, the rules of the ``system:node`` role (``bootstrap_policy.node_rules()``):
  register and update Node objects, read pods and services, write pod status, events, leases;
* for Secrets, ConfigMaps, PersistentVolumeClaims and PersistentVolumes only a read of a
  *named* object that a pod bound to this node refers to (the real authorizer keeps a graph of
  pods -> secrets/configmaps/pvcs -> pvs; here ``pods_on_node(node)`` is asked for the pods and
  their references are followed), with kube-apiserver's reasons when it refuses
  (``no relationship found between node 'node-1' and this object``).

Simplifications (say so when a lesson depends on them): the 1.32 field-selector checks for
listing pods and nodes (AuthorizeNodeWithSelectors), service-account tokens, ResourceClaims and
VolumeAttachments are not narrowed beyond the ``system:node`` rules. Non-node users get no
opinion, so the chain moves on to RBAC.
"""

from __future__ import annotations

from typing import Callable, Iterable

from labkube.core.api.auth import (
    Attributes,
    Decision,
    PrivilegedGroupAuthorizer,
    UnionAuthorizer,
    node_name,
)
from labkube.core.api.bootstrap_policy import node_rules
from labkube.core.api.rbac import CompiledRule, Lister, RBACAuthorizer

PodsOnNode = Callable[[str], Iterable[dict]]

# resource -> how a pod refers to objects of that kind
GRAPH_RESOURCES = frozenset(("secrets", "configmaps", "persistentvolumeclaims", "persistentvolumes"))
_NO_OPINION = Decision.no_opinion()


class NodeAuthorizer:
    """Authorizes kubelets; ``pods_on_node(node_name)`` returns the pods bound to that node."""

    def __init__(self, pods_on_node: PodsOnNode | None = None,
                 claim_volume: Callable[[str, str], str] | None = None) -> None:
        self._pods_on_node = pods_on_node or (lambda name: ())
        # (namespace, claim name) -> bound PersistentVolume name, for reads of PVs.
        self._claim_volume = claim_volume or (lambda namespace, claim: "")
        self._rules = tuple(CompiledRule(rule) for rule in node_rules())

    def authorize(self, attrs: Attributes) -> Decision:
        node = node_name(attrs.user)
        if node is None:
            return _NO_OPINION
        if not node:
            return Decision.no_opinion(f"unknown node for user {_quote(attrs.user.name)}")
        if attrs.resource_request and not attrs.api_group and attrs.resource in GRAPH_RESOURCES:
            return self._authorize_graph_read(node, attrs)
        if any(rule.allows(attrs) for rule in self._rules):
            return Decision.allow()
        return _NO_OPINION

    def name_sensitive(self, group: str, resource: str, subresource: str) -> bool:
        """Whether a decision can depend on the object's name: reads of graph resources do
        (the pods on the node must refer to that object), and so would a ``system:node``
        rule with ``resourceNames``."""
        if not group and resource in GRAPH_RESOURCES:
            return True
        return any(rule.restricts_names_of(group, resource, subresource) for rule in self._rules)

    def _authorize_graph_read(self, node: str, attrs: Attributes) -> Decision:
        if attrs.verb not in ("get", "list", "watch"):
            return Decision.no_opinion("can only read resources of this type")
        if attrs.subresource:
            return Decision.no_opinion("cannot read subresource")
        if attrs.resource != "persistentvolumes" and not attrs.namespace:
            return Decision.no_opinion("can only read namespaced object of this type")
        if not attrs.name:
            return Decision.no_opinion("No Object name found")
        if self._related(node, attrs):
            return Decision.allow()
        return Decision.no_opinion(f"no relationship found between node '{node}' and this object")

    def _related(self, node: str, attrs: Attributes) -> bool:
        for pod in self._pods_on_node(node):
            if (pod.get("spec") or {}).get("nodeName") != node:
                continue
            namespace = (pod.get("metadata") or {}).get("namespace", "")
            if attrs.resource == "persistentvolumes":
                claims = _references(pod)["persistentvolumeclaims"]
                if any(self._claim_volume(namespace, c) == attrs.name for c in claims):
                    return True
            elif namespace == attrs.namespace and attrs.name in _references(pod)[attrs.resource]:
                return True
        return False


def _references(pod: dict) -> dict[str, set[str]]:
    """The secrets, configmaps and claims a pod names (volumes, env, envFrom, pull secrets)."""
    refs: dict[str, set[str]] = {"secrets": set(), "configmaps": set(), "persistentvolumeclaims": set()}
    spec = pod.get("spec") or {}
    for secret in spec.get("imagePullSecrets") or ():
        refs["secrets"].add(secret.get("name", ""))
    for volume in spec.get("volumes") or ():
        _volume_refs(volume, refs)
    for group in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(group) or ():
            _container_refs(container, refs)
    return refs


def _volume_refs(volume: dict, refs: dict[str, set[str]]) -> None:
    if "secret" in volume:
        refs["secrets"].add((volume["secret"] or {}).get("secretName", ""))
    if "configMap" in volume:
        refs["configmaps"].add((volume["configMap"] or {}).get("name", ""))
    if "persistentVolumeClaim" in volume:
        refs["persistentvolumeclaims"].add((volume["persistentVolumeClaim"] or {}).get("claimName", ""))
    for source in ((volume.get("projected") or {}).get("sources") or ()):
        if "secret" in source:
            refs["secrets"].add((source["secret"] or {}).get("name", ""))
        if "configMap" in source:
            refs["configmaps"].add((source["configMap"] or {}).get("name", ""))


def _container_refs(container: dict, refs: dict[str, set[str]]) -> None:
    for env in container.get("env") or ():
        source = env.get("valueFrom") or {}
        if "secretKeyRef" in source:
            refs["secrets"].add((source["secretKeyRef"] or {}).get("name", ""))
        if "configMapKeyRef" in source:
            refs["configmaps"].add((source["configMapKeyRef"] or {}).get("name", ""))
    for env_from in container.get("envFrom") or ():
        if "secretRef" in env_from:
            refs["secrets"].add((env_from["secretRef"] or {}).get("name", ""))
        if "configMapRef" in env_from:
            refs["configmaps"].add((env_from["configMapRef"] or {}).get("name", ""))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def kubeadm_authorizer(
    lister: Lister,
    *,
    generation: Callable[[], object] | None = None,
    pods_on_node: PodsOnNode | None = None,
    claim_volume: Callable[[str, str], str] | None = None,
) -> UnionAuthorizer:
    """The chain kube-apiserver runs on a kubeadm/kind cluster: system:masters, Node, RBAC."""
    return UnionAuthorizer([
        PrivilegedGroupAuthorizer(),
        NodeAuthorizer(pods_on_node, claim_volume),
        RBACAuthorizer(lister, generation=generation),
    ])
