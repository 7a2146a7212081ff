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


class HostRange:
    """The addresses pods may get: the podCIDR's hosts after the gateway, as strings.

    Made on demand from the range's first address (a node's kubelet hands out a few dozen of
    the 253 addresses of a /24): index ``i`` is ``first + i``. Behaves as the list of the
    network's hosts from the second on (``len``, indexing, ``in``)."""

    __slots__ = ("_first", "_size", "_hosts")

    def __init__(self, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> None:
        self._hosts: Optional[list[str]] = None
        if network.version == 4 and network.prefixlen <= 30:
            # hosts() of such a network: every address but the network and broadcast ones.
            self._first = int(network.network_address) + 2
            self._size = network.num_addresses - 3
        else:  # /31, /32 and IPv6 ranges: as ``hosts()`` lists them
            self._hosts = [str(ip) for ip in list(network.hosts())[1:]]
            self._first, self._size = 0, len(self._hosts)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, index: int) -> str:
        if self._hosts is not None:
            return self._hosts[index]
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError("address index out of range")
        return _ipv4_text(self._first + index)

    def __contains__(self, ip: object) -> bool:
        if self._hosts is not None:
            return ip in self._hosts
        try:
            value = int(ipaddress.IPv4Address(ip))
        except (ipaddress.AddressValueError, TypeError, ValueError):
            return False
        return self._first <= value < self._first + self._size and str(ip) == _ipv4_text(value)


def _ipv4_text(value: int) -> str:
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


class PodIPAllocator:
    def __init__(self, cidr: str) -> None:
        network = ipaddress.ip_network(cidr, strict=False)
        self.cidr = str(network)
        self._range = HostRange(network)  # the network's hosts but the gateway (.1)
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
