"""Service ClusterIP and NodePort allocation.

Mirrors pkg/registry/core/service/ipallocator and portallocator (the bitmap allocators behind
``--service-cluster-ip-range`` and ``--service-node-port-range``):

* ClusterIPs come from ``10.96.0.0/12`` (kubeadm's and kind's default). Offset 0 of the range
  is ``10.96.0.1``, which kube-apiserver gives to the ``kubernetes`` Service in ``default``.
  As in Kubernetes (KEP-3070), the first addresses of the range form a *static band* that
  dynamic allocation avoids, so hand-picked addresses such as ``10.96.0.10`` for DNS stay
  free: dynamic allocation starts at a random offset in the upper band, scans upward (wrapping
  inside the band) and falls back to the static band only when the upper band is full.
* NodePorts come from ``30000-32767`` with the same static-band rule.

Randomness comes from the cluster clock's seeded RNG, so the same seed gives the same IPs and
ports. Allocations are released when a Service is deleted (or stops needing them), and
:meth:`IPAllocator.reserve` rebuilds state from stored Services. Error texts are the
allocators' own (``provided IP is already allocated``, ``the provided IP (…) is not in the
valid range. The range of valid IPs is 10.96.0.0/12``, ``provided port is already
allocated``, ``range is full``).
"""

from __future__ import annotations

import ipaddress
import threading
from typing import Callable

DEFAULT_SERVICE_CIDR = "10.96.0.0/12"
DEFAULT_NODE_PORT_RANGE = (30000, 32767)


class AllocationError(Exception):
    """An allocation failed; ``str(err)`` is the allocator's message."""


class ErrAllocated(AllocationError):
    pass


class ErrNotInRange(AllocationError):
    pass


class ErrFull(AllocationError):
    pass


def _static_band(size: int, lower: int, upper: int, step: int) -> int:
    """``calculateRangeOffset``: how many offsets at the bottom dynamic allocation avoids."""
    return min(max(lower, size // step), upper)


class _Bitmap:
    """Offsets 0..size-1, a static band at the bottom, random-start scanning above it."""

    def __init__(self, size: int, static: int, rng: Callable[[], object]) -> None:
        self.size = size
        self.static = static if size > static else 0
        self._rng = rng
        self._used: set[int] = set()
        self._lock = threading.Lock()

    def take(self, offset: int) -> bool:
        with self._lock:
            if offset in self._used:
                return False
            self._used.add(offset)
            return True

    def take_next(self) -> int | None:
        with self._lock:
            if len(self._used) >= self.size:
                return None
            for lo, hi in ((self.static, self.size), (0, self.static)):
                offset = self._scan(lo, hi)
                if offset is not None:
                    self._used.add(offset)
                    return offset
            return None

    def _scan(self, lo: int, hi: int) -> int | None:
        if hi <= lo:
            return None
        span = hi - lo
        start = self._rng().randrange(span)
        for i in range(span):
            offset = lo + (start + i) % span
            if offset not in self._used:
                return offset
        return None

    def release(self, offset: int) -> None:
        with self._lock:
            self._used.discard(offset)

    def has(self, offset: int) -> bool:
        return offset in self._used

    def used(self) -> int:
        return len(self._used)


class IPAllocator:
    """ClusterIPs from one IPv4 CIDR (``10.96.0.0/12`` by default)."""

    def __init__(self, rng: Callable[[], object], cidr: str = DEFAULT_SERVICE_CIDR) -> None:
        self.cidr = ipaddress.ip_network(cidr)
        self._base = int(self.cidr.network_address) + 1  # offset 0 = x.x.x.1
        size = self.cidr.num_addresses - 2  # no network, no broadcast address
        self._bitmap = _Bitmap(size, _static_band(size, 16, 256, 16), rng)

    def _offset(self, ip: str) -> int:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError as exc:
            raise ErrNotInRange(str(exc)) from None
        offset = int(addr) - self._base
        if addr not in self.cidr or not 0 <= offset < self._bitmap.size:
            raise ErrNotInRange(
                f"the provided IP ({ip}) is not in the valid range. "
                f"The range of valid IPs is {self.cidr}"
            )
        return offset

    def allocate(self, ip: str) -> None:
        """Take a specific IP, or raise ErrAllocated / ErrNotInRange."""
        if not self._bitmap.take(self._offset(ip)):
            raise ErrAllocated("provided IP is already allocated")

    def allocate_next(self) -> str:
        offset = self._bitmap.take_next()
        if offset is None:
            raise ErrFull("range is full")
        return str(ipaddress.ip_address(self._base + offset))

    def release(self, ip: str) -> None:
        try:
            self._bitmap.release(self._offset(ip))
        except AllocationError:
            pass

    def has(self, ip: str) -> bool:
        try:
            return self._bitmap.has(self._offset(ip))
        except AllocationError:
            return False

    def reserve(self, ip: str) -> None:
        """Mark an IP used without complaint (rebuilding state from stored Services)."""
        try:
            self._bitmap.take(self._offset(ip))
        except AllocationError:
            pass

    def used(self) -> int:
        return self._bitmap.used()


class PortAllocator:
    """NodePorts from ``30000-32767`` by default."""

    def __init__(
        self, rng: Callable[[], object], port_range: tuple[int, int] = DEFAULT_NODE_PORT_RANGE
    ) -> None:
        self.low, self.high = port_range
        size = self.high - self.low + 1
        self._bitmap = _Bitmap(size, _static_band(size, 16, 128, 32), rng)

    def _offset(self, port: int) -> int:
        if not self.low <= port <= self.high:
            raise ErrNotInRange(
                "provided port is not in the valid range. "
                f"The range of valid ports is {self.low}-{self.high}"
            )
        return port - self.low

    def allocate(self, port: int) -> None:
        if not self._bitmap.take(self._offset(port)):
            raise ErrAllocated("provided port is already allocated")

    def allocate_next(self) -> int:
        offset = self._bitmap.take_next()
        if offset is None:
            raise ErrFull("range is full")
        return self.low + offset

    def release(self, port: int) -> None:
        try:
            self._bitmap.release(self._offset(port))
        except AllocationError:
            pass

    def has(self, port: int) -> bool:
        try:
            return self._bitmap.has(self._offset(port))
        except AllocationError:
            return False

    def reserve(self, port: int) -> None:
        try:
            self._bitmap.take(self._offset(port))
        except AllocationError:
            pass

    def used(self) -> int:
        return self._bitmap.used()
