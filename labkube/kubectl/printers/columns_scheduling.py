"""The columns kube-apiserver prints for PriorityClasses (``kubectl get priorityclasses``).

Mirrors printPriorityClass in pkg/printers/internalversion/printers.go (Kubernetes 1.32, which
added PREEMPTIONPOLICY after AGE)::

    NAME                      VALUE        GLOBAL-DEFAULT   AGE   PREEMPTIONPOLICY
    high-priority             1000000      false            5s    PreemptLowerPriority
    system-cluster-critical   2000000000   false            10m   PreemptLowerPriority

:data:`PRIORITY_CLASS_COLUMNS` is added to ``columns.COLUMN_SETS``.
"""

from __future__ import annotations

from labkube.kubectl.printers.age import age
from labkube.kubectl.printers.columns import Column, ColumnSet


def priority_class_row(priority_class: dict, now: float) -> list[str]:
    meta = priority_class.get("metadata") or {}
    return [
        meta.get("name", ""),
        str(priority_class.get("value", 0)),
        "true" if priority_class.get("globalDefault") else "false",
        age(meta.get("creationTimestamp"), now),
        priority_class.get("preemptionPolicy") or "",
    ]


PRIORITY_CLASS_COLUMNS = ColumnSet(
    (Column("Name", is_name=True), Column("Value"), Column("Global-Default"), Column("Age"),
     Column("PreemptionPolicy")),
    priority_class_row,
)
