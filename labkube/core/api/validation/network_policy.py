"""NetworkPolicies (networking.k8s.io/v1): what kube-apiserver refuses, in its words.

Mirrors pkg/apis/networking/validation/validation.go of Kubernetes 1.32:
``ValidateNetworkPolicy`` / ``ValidateNetworkPolicyUpdate`` -> ``ValidateNetworkPolicySpec``,
``ValidateNetworkPolicyPort``, ``ValidateNetworkPolicyPeer`` and ``ValidateIPBlock``:

* ``spec.podSelector`` and every peer's selectors are label selectors;
* a port's ``protocol`` is TCP, UDP or SCTP; a numeric ``port`` is 1-65535 and a named one an
  IANA service name; ``endPort`` needs a numeric ``port`` no greater than it;
* a peer names at least one of ``podSelector``, ``namespaceSelector``, ``ipBlock``, and an
  ``ipBlock`` stands alone;
* ``ipBlock.cidr`` is required and a CIDR (``not a valid CIDR``: 1.32 parses it with
  ``ParseCIDRSloppy``, so host bits may be set and IPv4 octets may have leading zeros); each
  ``except`` entry is a CIDR strictly inside it;
* ``policyTypes`` holds at most two entries, each ``Ingress`` or ``Egress``.

There is nothing immutable in a NetworkPolicy's spec: an update is validated like a create.
"""

from __future__ import annotations

import ipaddress
from typing import Optional, Union

from labkube.core.api.validation import meta, names
from labkube.core.errors import FieldError

PROTOCOLS = ("TCP", "UDP", "SCTP")
POLICY_TYPES = ("Ingress", "Egress")
Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


def parse_cidr(text: str) -> Optional[Network]:
    """``netutils.ParseCIDRSloppy``: the network of ``text``, or None when it is no CIDR.

    Host bits may be set (``10.0.0.1/8`` is ``10.0.0.0/8``); IPv4 octets may carry leading
    zeros, read as decimal (``010.0.0.0/8`` is ``10.0.0.0/8``)."""
    address, slash, prefix = text.partition("/")
    if not slash or not prefix.isdigit():
        return None
    if "." in address and ":" not in address:
        octets = address.split(".")
        if len(octets) != 4 or not all(o.isdigit() and int(o) <= 255 for o in octets):
            return None
        address = ".".join(str(int(o)) for o in octets)
    try:
        return ipaddress.ip_network(f"{address}/{int(prefix)}", strict=False)
    except ValueError:
        return None


def validate_network_policy(obj: dict, old: dict | None = None) -> list[FieldError]:
    if old is None:
        errs = meta.validate_object_meta(obj.get("metadata"), True, names.name_is_dns_subdomain)
    else:
        errs = meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    errs.extend(validate_spec(obj.get("spec") or {}, "spec"))
    return errs


def validate_spec(spec: dict, path: str) -> list[FieldError]:
    """``ValidateNetworkPolicySpec``."""
    errs = meta.validate_label_selector(spec.get("podSelector"), path + ".podSelector")
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(spec.get(direction) or ()):
            rule_path = f"{path}.{direction}[{i}]"
            for j, port in enumerate(rule.get("ports") or ()):
                errs.extend(validate_port(port, f"{rule_path}.ports[{j}]"))
            for j, peer in enumerate(rule.get(peers_key) or ()):
                errs.extend(validate_peer(peer, f"{rule_path}.{peers_key}[{j}]"))
    errs.extend(_policy_types(spec.get("policyTypes") or [], path + ".policyTypes"))
    return errs


def _policy_types(types: list, path: str) -> list[FieldError]:
    if len(types) > len(POLICY_TYPES):
        shown = "[]networking.PolicyType{" + ", ".join(meta.go_quote(str(t)) for t in types) + "}"
        return [meta.invalid_go(path, types, shown, "may not specify more than two policyTypes")]
    return [FieldError.not_supported(f"{path}[{i}]", kind, POLICY_TYPES)
            for i, kind in enumerate(types) if kind not in POLICY_TYPES]


def validate_port(port: dict, path: str) -> list[FieldError]:
    """``ValidateNetworkPolicyPort``."""
    errs: list[FieldError] = []
    protocol = port.get("protocol")
    if protocol is not None and protocol not in PROTOCOLS:
        errs.append(FieldError.not_supported(path + ".protocol", protocol, PROTOCOLS))
    number, end_port = port.get("port"), port.get("endPort")
    if number is None:
        if end_port is not None:
            errs.append(FieldError.invalid(path + ".endPort", end_port,
                                           "may not be specified when `port` is not specified"))
    elif isinstance(number, int):
        errs.extend(FieldError.invalid(path + ".port", number, m) for m in names.is_valid_port_num(number))
        if end_port is not None:
            if end_port < number:
                errs.append(FieldError.invalid(path + ".endPort", end_port, "must be greater than or equal to `port`"))
            errs.extend(FieldError.invalid(path + ".endPort", end_port, m)
                        for m in names.is_valid_port_num(end_port))
    else:
        if end_port is not None:
            errs.append(FieldError.invalid(path + ".endPort", end_port,
                                           "may not be specified when `port` is non-numeric"))
        errs.extend(FieldError.invalid(path + ".port", number, m) for m in names.is_valid_port_name(number))
    return errs


def validate_peer(peer: dict, path: str) -> list[FieldError]:
    """``ValidateNetworkPolicyPeer``: one kind of peer, or selectors together; ipBlock alone."""
    errs: list[FieldError] = []
    given = 0
    for key in ("podSelector", "namespaceSelector"):
        if peer.get(key) is not None:
            given += 1
            errs.extend(meta.validate_label_selector(peer[key], f"{path}.{key}"))
    if peer.get("ipBlock") is not None:
        given += 1
        errs.extend(validate_ip_block(peer["ipBlock"], path + ".ipBlock"))
    if given == 0:
        errs.append(FieldError.required(path, "must specify a peer"))
    elif given > 1 and peer.get("ipBlock") is not None:
        errs.append(FieldError.forbidden(path, "may not specify both ipBlock and another peer"))
    return errs


def validate_ip_block(block: dict, path: str) -> list[FieldError]:
    """``ValidateIPBlock`` (1.32): the first unparsable ``except`` entry ends the checks."""
    cidr_text = block.get("cidr") or ""
    if not cidr_text:
        return [FieldError.required(path + ".cidr", "")]
    cidr = parse_cidr(cidr_text)
    if cidr is None:
        return [FieldError.invalid(path + ".cidr", cidr_text, "not a valid CIDR")]
    errs: list[FieldError] = []
    for i, except_text in enumerate(block.get("except") or ()):
        except_path = f"{path}.except[{i}]"
        excepted = parse_cidr(except_text)
        if excepted is None:
            errs.append(FieldError.invalid(except_path, except_text, "not a valid CIDR"))
            return errs
        inside = excepted.version == cidr.version and excepted.network_address in cidr
        if not inside or cidr.prefixlen >= excepted.prefixlen:
            errs.append(FieldError.invalid(except_path, except_text, "must be a strict subset of `cidr`"))
    return errs
