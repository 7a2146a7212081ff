"""``kubectl describe quota``: the Resource / Used / Hard table.

Mirrors ``describeQuota`` in k8s.io/kubectl/pkg/describe/describe.go (1.32): the name, the
namespace, the scopes (sorted, each with its help text when it has one), then one row per
resource of ``status.hard``, sorted by name. A used quantity whose format differs from its hard
one is shown as ``NewQuantity(used.Value(), hard.Format)``: rounded up to a whole number in the
hard value's format (so ``0`` for an unused ``1Gi``). No labels, annotations or events.
"""

from __future__ import annotations

from labkube.core.api.quantity import Quantity, parse_quantity
from labkube.kubectl.describe.writer import PrefixWriter

SCOPE_HELP = {
    "Terminating": "Matches all pods that have an active deadline. These pods have a limited lifespan "
                   "on a node before being actively terminated by the system.",
    "NotTerminating": "Matches all pods that do not have an active deadline. These pods usually include "
                      "long running pods whose container command is not expected to terminate.",
    "BestEffort": "Matches all pods that do not have resource requirements set. These pods have a best "
                  "effort quality of service.",
    "NotBestEffort": "Matches all pods that have at least one resource requirement set. These pods have "
                     "a burstable or guaranteed quality of service.",
}


def _parse(value) -> Quantity:
    try:
        return parse_quantity(str(value))
    except ValueError:
        return Quantity(0)


def used_text(used, hard) -> str:
    """The Used cell: the used quantity, in the hard quantity's format when they differ."""
    hard_q = _parse(hard)
    used_q = _parse(used) if used is not None else Quantity(0)
    if used_q.format != hard_q.format:
        used_q = Quantity(used_q.value(), hard_q.format)
    return str(used_q)


def describe_quota(resource_quota: dict) -> str:
    meta = resource_quota.get("metadata") or {}
    status = resource_quota.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    scopes = sorted((resource_quota.get("spec") or {}).get("scopes") or ())
    if scopes:
        w.write(0, f"Scopes:\t{', '.join(scopes)}\n")
        for scope in scopes:
            if scope in SCOPE_HELP:
                w.write(0, f" * {SCOPE_HELP[scope]}\n")
    w.write(0, "Resource\tUsed\tHard\n")
    w.write(0, "--------\t----\t----\n")
    hard, used = status.get("hard") or {}, status.get("used") or {}
    for name in sorted(hard):
        w.write(0, f"{name}\t{used_text(used.get(name), hard[name])}\t{_parse(hard[name])}\n")
    return w.text()
