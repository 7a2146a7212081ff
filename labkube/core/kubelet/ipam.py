"""Pod IPs from the node's podCIDR, as the host-local CNI IPAM plugin hands them out.

Mirrors containernetworking/plugins ``host-local`` with one range per node
(``spec.podCIDR``, e.g. ``10.244.1.0/24``): the first address is the bridge gateway, so pods get
``.2``, ``.3``, …; the allocator continues after the last address it reserved (round robin) and
wraps around, skipping addresses in use; a released address is reused only after the others.

Guarantees: deterministic for a given sequence of allocations and releases; no address is
handed out twice while in use; ``AddressesExhausted`` when the range is full.
"""

from __future__ import annotations

import ipaddress
from typing import Optional


class AddressesExhausted(Exception):
    """No free address (CNI: ``no IP addresses available in range set``)."""


class PodIPAllocator:
    def __init__(self, cidr: str) -> None:
        network = ipaddress.ip_network(cidr, strict=False)
        hosts = list(network.hosts())
        self.cidr = str(network)
        self._range = [str(ip) for ip in hosts[1:]]  # hosts[0] is the gateway (.1)
        self._in_use: dict[str, str] = {}  # ip -> owner (pod uid)
        self._last: Optional[int] = None

    def allocate(self, owner: str) -> str:
        for ip, who in self._in_use.items():
            if who == owner:
                return ip
        size = len(self._range)
        start = 0 if self._last is None else self._last + 1
        for step in range(size):
            index = (start + step) % size
            ip = self._range[index]
            if ip not in self._in_use:
                self._in_use[ip] = owner
                self._last = index
                return ip
        raise AddressesExhausted(
            f"failed to allocate for range 0: no IP addresses available in range set: "
            f"{self._range[0]}-{self._range[-1]}")

    def reserve(self, ip: str, owner: str) -> None:
        """Mark ``ip`` in use (a sandbox found running after a kubelet restart)."""
        if ip in self._range:
            self._in_use[ip] = owner

    def release(self, owner: str) -> None:
        for ip in [ip for ip, who in self._in_use.items() if who == owner]:
            del self._in_use[ip]

    def in_use(self) -> dict[str, str]:
        return dict(self._in_use)
