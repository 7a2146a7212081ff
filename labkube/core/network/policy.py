"""NetworkPolicy enforcement: which connections the pod network lets through.

Mirrors kube-network-policies (kubernetes-sigs/kube-network-policies, the enforcement kind's
kindnet embeds): it watches NetworkPolicies, namespaces and pods and is asked for a verdict on
the **first packet of every new connection** in the nftables ``postrouting`` hook, that is after
kube-proxy's DNAT: a connection to a ClusterIP is judged against the backend pod that was
chosen, never against the Service. A denied packet is **dropped** (``NF_DROP``), not rejected:
the client hears nothing, its TCP connect times out (busybox ``wget -T 2`` says ``wget:
download timed out``; without ``-T`` the kernel gives up after 127 s: ``Connection timed out``).

The rules, as the NetworkPolicy API defines them:

* A pod is **isolated for ingress** when a policy of its namespace selects it
  (``spec.podSelector``) and lists ``Ingress`` in ``policyTypes``; likewise for egress. A pod no
  policy isolates accepts (or sends) everything.
* An isolated pod's allowed traffic is the **union** of the rules of every policy that isolates
  it in that direction; a policy with no rules in that direction only isolates.
* A rule matches when one of its ports matches (none listed: every port) and one of its peers
  matches (none listed: every peer). A port matches on protocol (TCP unless said) and number,
  a range ``port``-``endPort``, or a **name**, looked up in the destination pod's container
  ports. A peer is a ``podSelector`` (pods of the policy's own namespace), a
  ``namespaceSelector`` (every pod of the selected namespaces), both in one peer (the pods
  matching in the namespaces matching), or an ``ipBlock`` (any address in ``cidr`` outside each
  ``except``, checked against pod IPs too, as kube-network-policies does).
* A connection passes when the source's egress **and** the destination's ingress allow it.
  Selectors only ever match pods: a node, the host or an outside address is matched by
  ``ipBlock`` alone. Host-network pods count as their node's address.
* A pod cannot block its **own node** (the docs: pods cannot "block access from their resident
  node"), so kubelet probes always pass.

Where labkube's traffic comes from (see :mod:`.proxy` and :mod:`.network`): a pod's requests
carry its pod IP; ``cluster.request(...)`` comes from ``172.18.0.1``, the host on kind's Docker
network (not a node, not a pod: only an ``ipBlock`` lets it into an isolated pod); a NodePort
with ``externalTrafficPolicy: Cluster`` whose backend runs on another node than the one
addressed is masqueraded, so the backend sees that node's address.

**DNS.** A query to ``10.96.0.10:53/UDP`` is DNATed to a CoreDNS pod (``kube-system``,
``k8s-app: kube-dns``) and judged as a connection to that pod: an egress deny-all blocks name
lookups (the query times out; ``nslookup`` prints ``;; connection timed out; no servers could
be reached``, ``wget`` ``bad address``) unless a rule allows UDP 53 to it, e.g. ``to:
[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]`` with
``ports: [{protocol: UDP, port: 53}]``. An ``ipBlock`` for ``10.96.0.10/32`` does not help,
exactly as on a real cluster.

Cost: with no NetworkPolicy in the cluster :meth:`NetworkPolicies.enforcing` is false and
nobody asks for verdicts; the component's informers watch only NetworkPolicies and
namespaces (pods are looked up in cluster DNS's pod cache, which exists anyway).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Callable, Optional

from labkube.core.api.labels import selector_from_label_selector
from labkube.core.api.validation.network_policy import parse_cidr
from labkube.core.machinery import Component, ErrorLog

INGRESS, EGRESS = "Ingress", "Egress"
_BY_NAMESPACE = "labkube.network/policy-namespace"

#: kube-network-policies' identity (its install manifest): reads pods, namespaces, policies.
SERVICE_ACCOUNT = ("kube-system", "kube-network-policies")

#: The port of DNS queries (UDP) to the kube-dns Service and its CoreDNS pods.
DNS_PORT = 53


def bootstrap_objects() -> list[dict]:
    """The ServiceAccount and RBAC of kube-network-policies' install manifest."""
    rbac = "rbac.authorization.k8s.io/v1"
    namespace, name = SERVICE_ACCOUNT
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace}},
        {"apiVersion": rbac, "kind": "ClusterRole", "metadata": {"name": name},
         "rules": [{"apiGroups": [""], "resources": ["pods", "namespaces"], "verbs": ["list", "watch"]},
                   {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"],
                    "verbs": ["list", "watch"]}]},
        {"apiVersion": rbac, "kind": "ClusterRoleBinding", "metadata": {"name": name},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
         "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": namespace}]},
    ]


@dataclass(frozen=True)
class Side:
    """One end of a connection as the enforcer sees it: an address and the pod that owns it
    (``None`` for a node, the host or an address outside the cluster)."""

    ip: str
    pod: Optional[dict] = None

    @property
    def namespace(self) -> str:
        return self.pod["metadata"].get("namespace", "") if self.pod else ""

    @property
    def labels(self) -> dict:
        return (self.pod["metadata"].get("labels") or {}) if self.pod else {}


@dataclass(frozen=True)
class Verdict:
    """Whether a connection passes, and why (``str()`` says it in a sentence)."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed

    def __str__(self) -> str:
        return self.reason


def _namespace_index(policy: dict) -> list[str]:
    return [policy["metadata"].get("namespace", "")]


def _key(obj: dict) -> str:
    return f"{obj['metadata'].get('namespace', '')}/{obj['metadata']['name']}"


class NetworkPolicies:
    """The enforcer's view of the policies, and its verdicts. See the module docstring."""

    def __init__(self, informers: Any) -> None:
        self.policies = informers.informer("networkpolicies")
        self.namespaces = informers.informer("namespaces")
        self.policies.add_indexer(_BY_NAMESPACE, _namespace_index)

    def enforcing(self) -> bool:
        """The fast path: no NetworkPolicy anywhere means nothing to check."""
        return len(self.policies) > 0

    # -- verdicts -------------------------------------------------------------------------------
    def check(self, source: Side, destination: Side, port: int, protocol: str = "TCP", *,
              destination_node_ip: str = "") -> Verdict:
        """May ``source`` open a connection to ``destination:port``? Egress, then ingress."""
        egress = self.egress(source, destination, port, protocol)
        if not egress:
            return egress
        if destination_node_ip and source.ip == destination_node_ip:
            return Verdict(True, "allowed: traffic from a pod's own node is never blocked")
        return self.ingress(source, destination, port, protocol)

    def egress(self, source: Side, destination: Side, port: int, protocol: str = "TCP") -> Verdict:
        return self._direction(EGRESS, source, destination, destination, port, protocol)

    def ingress(self, source: Side, destination: Side, port: int, protocol: str = "TCP") -> Verdict:
        return self._direction(INGRESS, destination, source, destination, port, protocol)

    def _direction(self, policy_type: str, subject: Side, other: Side, destination: Side,
                   port: int, protocol: str) -> Verdict:
        """``subject`` is the pod whose policies apply; ``other`` the far end to match peers to."""
        word = "ingress" if policy_type == INGRESS else "egress"
        isolating = self.isolating(subject.pod, policy_type)
        if not isolating:
            return Verdict(True, f"allowed: no NetworkPolicy isolates {_name(subject)} for {word}")
        peers_key = "from" if policy_type == INGRESS else "to"
        for policy in isolating:
            for rule in (policy.get("spec") or {}).get(word) or ():
                if self._rule_matches(rule, peers_key, policy, other, destination, port, protocol):
                    return Verdict(True, f"allowed: {_key(policy)} allows this {word}")
        names = ", ".join(_key(p) for p in isolating)
        return Verdict(False, f"dropped: {_name(subject)} is isolated for {word} by {names} "
                              f"and no rule allows {_name(other)} on {port}/{protocol}")

    def isolating(self, pod: Optional[dict], policy_type: str) -> list[dict]:
        """The policies of the pod's namespace that select it and name ``policy_type``."""
        if pod is None or not self.enforcing():
            return []
        namespace = pod["metadata"].get("namespace", "")
        labels = pod["metadata"].get("labels") or {}
        return [policy for policy in self.policies.by_index(_BY_NAMESPACE, namespace)
                if policy_type in ((policy.get("spec") or {}).get("policyTypes") or ())
                and _selects((policy.get("spec") or {}).get("podSelector") or {}, labels)]

    # -- rules ----------------------------------------------------------------------------------
    def _rule_matches(self, rule: dict, peers_key: str, policy: dict, other: Side, destination: Side,
                      port: int, protocol: str) -> bool:
        ports = rule.get("ports") or []
        if ports and not any(port_matches(p, port, protocol, destination.pod) for p in ports):
            return False
        peers = rule.get(peers_key) or []
        return not peers or any(self.peer_matches(peer, policy, other) for peer in peers)

    def peer_matches(self, peer: dict, policy: dict, other: Side) -> bool:
        """Does one ``from``/``to`` entry of ``policy`` match the far end ``other``?"""
        block = peer.get("ipBlock")
        if block is not None:
            return ip_in_block(other.ip, block)
        if other.pod is None:  # selectors only ever match pods
            return False
        pod_selector, namespace_selector = peer.get("podSelector"), peer.get("namespaceSelector")
        if pod_selector is not None and not _selects(pod_selector, other.labels):
            return False
        if namespace_selector is None:
            return other.namespace == policy["metadata"].get("namespace", "")
        return self._namespace_selected(namespace_selector, other.namespace)

    def _namespace_selected(self, selector: dict, namespace: str) -> bool:
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            return True
        found = self.namespaces.get_by_name(None, namespace)
        return found is not None and _selects(selector, found["metadata"].get("labels") or {})


# -- matching helpers (pure functions) ----------------------------------------------------------
def _selects(selector: dict, labels: dict) -> bool:
    return selector_from_label_selector(selector).matches(labels)


def _name(side: Side) -> str:
    if side.pod is not None:
        return f"pod {side.namespace}/{side.pod['metadata']['name']}"
    return side.ip or "an unknown address"


def port_matches(policy_port: dict, port: int, protocol: str, pod: Optional[dict]) -> bool:
    """One ``ports`` entry against a connection to ``port``/``protocol`` of ``pod``."""
    if (policy_port.get("protocol") or "TCP") != protocol:
        return False
    wanted = policy_port.get("port")
    if wanted is None:
        return True
    if isinstance(wanted, str):
        return named_port(pod, wanted, protocol) == port
    end_port = policy_port.get("endPort")
    return wanted == port or (end_port is not None and wanted <= port <= end_port)


def named_port(pod: Optional[dict], name: str, protocol: str) -> Optional[int]:
    """The number of the container port called ``name`` in ``pod``, if it has one."""
    for container in ((pod or {}).get("spec") or {}).get("containers") or ():
        for entry in container.get("ports") or ():
            if entry.get("name") == name and (entry.get("protocol") or "TCP") == protocol:
                return entry.get("containerPort")
    return None


def ip_in_block(ip: str, block: dict) -> bool:
    """``ip`` inside ``block.cidr`` and outside every ``except`` CIDR (validated already)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if not _contains(block.get("cidr", ""), address):
        return False
    return not any(_contains(cidr, address) for cidr in block.get("except") or ())


def _contains(cidr: str, address) -> bool:
    network = parse_cidr(cidr)
    return network is not None and network.version == address.version and address in network


# -- the component ----------------------------------------------------------------------------
class KubeNetworkPolicies(Component):
    """The enforcer as a process: stop it and its rules go (kube-network-policies removes its
    nftables table when it exits), so every connection passes again."""

    name = "kube-network-policies"

    def __init__(self, client: Any, clock: Any, errors: ErrorLog) -> None:
        super().__init__(client, clock, errors)
        self.policies: Optional[NetworkPolicies] = None

    def setup(self) -> None:
        self.policies = NetworkPolicies(self.informers)

    def current(self) -> Optional[NetworkPolicies]:
        """The enforcer while the component runs, else ``None`` (nothing is enforced)."""
        return self.policies if self.running else None


PolicySource = Callable[[], Optional[NetworkPolicies]]
