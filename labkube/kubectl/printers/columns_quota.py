"""The columns kube-apiserver prints for ResourceQuotas (``kubectl get quota``).

Mirrors printResourceQuota in pkg/printers/internalversion/printers.go (Kubernetes 1.32)::

    NAME           AGE   REQUEST                                          LIMIT
    mem-cpu-demo   30s   requests.cpu: 400m/1, requests.memory: 600Mi/1Gi   limits.cpu: 800m/2, limits.memory: 800Mi/2Gi

Every resource of ``status.hard``, sorted by name, is printed as ``name: used/hard``; the
``limits.*`` ones go to LIMIT, all the others (requests, object counts) to REQUEST. A quota the
resource-quota controller has not counted yet has no ``status.hard``: both columns are empty.
A resource without a used value prints ``0``.

:data:`RESOURCE_QUOTA_COLUMNS` is added to ``columns.COLUMN_SETS["ResourceQuota"]``.
"""

from __future__ import annotations

from labkube.core.api.quantity import parse_quantity
from labkube.kubectl.printers.age import age
from labkube.kubectl.printers.columns import Column, ColumnSet


def _quantity_text(value) -> str:
    """``Quantity.String()`` of a stored value; a missing one is the zero quantity, ``0``."""
    if value is None:
        return "0"
    try:
        return str(parse_quantity(str(value)))
    except ValueError:
        return str(value)


def request_and_limit(resource_quota: dict) -> tuple[str, str]:
    """The REQUEST and LIMIT cells: ``name: used/hard`` joined by ``, ``."""
    status = resource_quota.get("status") or {}
    hard, used = status.get("hard") or {}, status.get("used") or {}
    requests, limits = [], []
    for name in sorted(hard):
        cell = f"{name}: {_quantity_text(used.get(name))}/{_quantity_text(hard[name])}"
        (limits if name.split(".")[0] == "limits" and "." in name else requests).append(cell)
    return ", ".join(requests), ", ".join(limits)


def resource_quota_row(resource_quota: dict, now: float) -> list[str]:
    meta = resource_quota.get("metadata") or {}
    request, limit = request_and_limit(resource_quota)
    return [meta.get("name", ""), age(meta.get("creationTimestamp"), now), request, limit]


RESOURCE_QUOTA_COLUMNS = ColumnSet(
    (Column("Name", is_name=True), Column("Age"), Column("Request"), Column("Limit")),
    resource_quota_row,
)
