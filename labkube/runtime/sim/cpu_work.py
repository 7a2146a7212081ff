"""CPU that a container spends serving requests, averaged the way metrics-server reports it.

Mirrors what a student sees through cAdvisor and metrics-server: a container's CPU usage is a
cumulative counter (``usage_core_nanoseconds``), and metrics-server reports the *rate* between two
scrapes ``--metric-resolution`` (15 s) apart, so ``kubectl top`` and the HorizontalPodAutoscaler
see the average over the last 15 seconds, never an instantaneous spike.

The model (used by ``registry.k8s.io/hpa-example``, whose ``index.php`` runs a million square
roots per request):

* every request a server answers charges a fixed amount of CPU time to its container
  (:data:`HPA_EXAMPLE_REQUEST_CPU_SECONDS`); answering takes no simulated time, so a client
  loop ``while sleep 0.01; do wget -q -O- http://php-apache; done`` sends 100 requests per
  simulated second, and 100 × 6.1 ms = 610 millicores of demand, spread by the Service over
  however many pods serve it (the docs' walkthrough shows 305% of a 200m request: 610m);
* charges go into one-second buckets, so the cost is one dict update per request and the usage
  is a sum over at most 15 buckets; buckets older than the window are dropped as time passes;
* the usage reported is ``charged CPU seconds in (now - 15 s, now] / 15 s``, capped by the
  container's CPU limit (the CFS quota throttles a container at its limit).

Measured (this machine): the walkthrough's load, 100 wgets a simulated second through the
Service, costs about 0.1 ms of wall time per request (60 simulated seconds of load: 0.66 s), so
the loop is simulated request by request, as the shell runs it, rather than as a modelled rate;
the walkthrough's 12 simulated minutes on 3 nodes run in about 5 s.
"""

from __future__ import annotations

#: metrics-server's ``--metric-resolution``: the window its usage rates are averaged over.
METRICS_WINDOW_SECONDS = 15

#: CPU time index.php of hpa-example costs per request (a million sqrt()s in PHP 5).
HPA_EXAMPLE_REQUEST_CPU_SECONDS = 0.0061


class ServedWork:
    """CPU seconds charged per whole second of cluster time, over the last window."""

    __slots__ = ("_buckets",)

    def __init__(self) -> None:
        self._buckets: dict[int, float] = {}

    def charge(self, now: float, cpu_seconds: float) -> None:
        """Add ``cpu_seconds`` of work done at ``now``."""
        second = int(now)
        buckets = self._buckets
        buckets[second] = buckets.get(second, 0.0) + cpu_seconds
        if len(buckets) > METRICS_WINDOW_SECONDS + 1:
            self._forget_before(second - METRICS_WINDOW_SECONDS)

    def millicores(self, now: float) -> int:
        """The average usage over ``(now - window, now]``, in millicores."""
        newest = int(now)
        oldest = newest - METRICS_WINDOW_SECONDS
        total = sum(cost for second, cost in self._buckets.items() if oldest < second <= newest)
        return round(total * 1000 / METRICS_WINDOW_SECONDS)

    def _forget_before(self, second: int) -> None:
        for old in [s for s in self._buckets if s <= second]:
            del self._buckets[old]
