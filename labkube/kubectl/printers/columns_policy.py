"""The columns kube-apiserver prints for PodDisruptionBudgets (``kubectl get pdb``).

Mirrors printPodDisruptionBudget in pkg/printers/internalversion/printers.go (Kubernetes 1.32)::

    NAME   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE
    web    2               N/A               1                     30s

MIN AVAILABLE and MAX UNAVAILABLE print the int-or-percent as given (``2``, ``50%``), ``N/A``
when the field is not set; ALLOWED DISRUPTIONS is ``status.disruptionsAllowed``.

:data:`POD_DISRUPTION_BUDGET_COLUMNS` is added to ``columns.COLUMN_SETS``.
"""

from __future__ import annotations

from labkube.kubectl.printers.age import age
from labkube.kubectl.printers.columns import Column, ColumnSet

NOT_APPLICABLE = "N/A"


def int_or_percent(value) -> str:
    """``IntOrString.String()``, or ``N/A`` for a field that is not set."""
    return NOT_APPLICABLE if value is None else str(value)


def pod_disruption_budget_row(pdb: dict, now: float) -> list[str]:
    meta, spec = pdb.get("metadata") or {}, pdb.get("spec") or {}
    return [meta.get("name", ""), int_or_percent(spec.get("minAvailable")),
            int_or_percent(spec.get("maxUnavailable")),
            str((pdb.get("status") or {}).get("disruptionsAllowed", 0)),
            age(meta.get("creationTimestamp"), now)]


POD_DISRUPTION_BUDGET_COLUMNS = ColumnSet(
    (Column("Name", is_name=True), Column("Min Available"), Column("Max Unavailable"),
     Column("Allowed Disruptions"), Column("Age")),
    pod_disruption_budget_row,
)
