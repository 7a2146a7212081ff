"""``kubectl describe networkpolicy``.

Mirrors NetworkPolicyDescriber in k8s.io/kubectl/pkg/describe/describe.go (kubectl 1.32):
name, namespace, ``Created on:`` (Go's ``time.Time`` text: ``2025-01-01 00:00:00 +0000 UTC``),
labels and annotations, then the spec in words:

* ``PodSelector:`` the selector, or ``<none> (Allowing the specific traffic to all pods in this
  namespace)`` for the empty one;
* for each direction the policy's ``policyTypes`` name, ``Allowing ingress traffic:`` /
  ``Allowing egress traffic:`` and its rules (``<none> (Selected pods are isolated for ...
  connectivity)`` when there is none), else ``Not affecting ingress traffic``;
* a rule is its ports (``To Port: 6379/TCP``, ``To Port Range: 32000-32768/TCP``, ``To Port:
  <any> (traffic allowed to all ports)``; a port entry with only a protocol prints Go's ``<nil>``)
  then one ``From:`` / ``To:`` block per peer (``NamespaceSelector:`` and ``PodSelector:``, or
  ``IPBlock:`` with ``CIDR:`` and ``Except:``, the latter printed even when empty), or ``From:
  <any> (traffic not restricted by source)``; rules are separated by ``----------``;
* ``Policy Types: Ingress, Egress``.

NetworkPolicies have no events of their own: describe shows none.
"""

from __future__ import annotations

from datetime import datetime, timezone

from labkube.kubectl.describe.writer import PrefixWriter, annotations_multiline, labels_multiline
from labkube.kubectl.printers.age import parse_time
from labkube.kubectl.printers.format import format_label_selector

INDENT = "    "

#: direction -> (peers key, heading word, what "no peers" means)
_DIRECTIONS = {
    "ingress": ("from", "From", "<any> (traffic not restricted by source)"),
    "egress": ("to", "To", "<any> (traffic not restricted by destination)"),
}


def describe_network_policy(policy: dict) -> str:
    meta = policy.get("metadata") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Created on:\t{go_time(meta.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    _spec(w, policy.get("spec") or {})
    return w.text()


def go_time(timestamp: str | None) -> str:
    """Go's ``time.Time.String()`` of a UTC timestamp (the zero time when there is none)."""
    when = parse_time(timestamp)
    if when is None:
        return "0001-01-01 00:00:00 +0000 UTC"
    return datetime.fromtimestamp(when, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


def _spec(w: PrefixWriter, spec: dict) -> None:
    w.write(0, "Spec:\n")
    w.write(1, "PodSelector: ")
    selector = spec.get("podSelector") or {}
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        w.write(2, "<none> (Allowing the specific traffic to all pods in this namespace)\n")
    else:
        w.write(2, f"{format_label_selector(selector)}\n")
    types = spec.get("policyTypes") or []
    for direction, policy_type in (("ingress", "Ingress"), ("egress", "Egress")):
        if policy_type in types:
            w.write(1, f"Allowing {direction} traffic:\n")
            _rules(w, spec.get(direction) or [], direction)
        else:
            w.write(1, f"Not affecting {direction} traffic\n")
    w.write(1, f"Policy Types: {', '.join(types)}\n")


def _rules(w: PrefixWriter, rules: list[dict], direction: str) -> None:
    if not rules:
        w.write(0, f"{INDENT}<none> (Selected pods are isolated for {direction} connectivity)\n")
        return
    peers_key, heading, unrestricted = _DIRECTIONS[direction]
    for i, rule in enumerate(rules):
        _ports(w, rule.get("ports") or [])
        peers = rule.get(peers_key) or []
        if not peers:
            w.write(0, f"{INDENT}{heading}: {unrestricted}\n")
        for peer in peers:
            w.write(0, f"{INDENT}{heading}:\n")
            _peer(w, peer)
        if i != len(rules) - 1:
            w.write(0, f"{INDENT}----------\n")


def _ports(w: PrefixWriter, ports: list[dict]) -> None:
    if not ports:
        w.write(0, f"{INDENT}To Port: <any> (traffic allowed to all ports)\n")
    for port in ports:
        protocol = port.get("protocol") or "TCP"
        number = port.get("port")
        shown = "<nil>" if number is None else str(number)
        if port.get("endPort") is not None:
            w.write(0, f"{INDENT}To Port Range: {shown}-{port['endPort']}/{protocol}\n")
        else:
            w.write(0, f"{INDENT}To Port: {shown}/{protocol}\n")


def _peer(w: PrefixWriter, peer: dict) -> None:
    pods, namespaces, block = peer.get("podSelector"), peer.get("namespaceSelector"), peer.get("ipBlock")
    if namespaces is not None:
        w.write(1, f"{INDENT}NamespaceSelector: {format_label_selector(namespaces)}\n")
    if pods is not None:
        w.write(1, f"{INDENT}PodSelector: {format_label_selector(pods)}\n")
    if pods is None and namespaces is None and block is not None:
        w.write(1, f"{INDENT}IPBlock:\n")
        w.write(2, f"{INDENT}CIDR: {block.get('cidr', '')}\n")
        w.write(2, f"{INDENT}Except: {', '.join(block.get('except') or ())}\n")
