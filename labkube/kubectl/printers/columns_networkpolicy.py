"""The columns kube-apiserver prints for NetworkPolicies (``kubectl get netpol``).

Mirrors printNetworkPolicy in pkg/printers/internalversion/printers.go (Kubernetes 1.32)::

    NAME                  POD-SELECTOR   AGE
    test-network-policy   role=db        5s
    default-deny-ingress  <none>         5s

POD-SELECTOR is ``metav1.FormatLabelSelector`` of ``spec.podSelector``: the empty selector,
which selects every pod of the namespace, prints ``<none>``. There are no ``-o wide`` columns.

:data:`NETWORK_POLICY_COLUMNS` is added to ``columns.COLUMN_SETS["NetworkPolicy"]``.
"""

from __future__ import annotations

from labkube.kubectl.printers.age import age
from labkube.kubectl.printers.columns import Column, ColumnSet
from labkube.kubectl.printers.format import format_label_selector


def network_policy_row(policy: dict, now: float) -> list[str]:
    meta = policy.get("metadata") or {}
    selector = (policy.get("spec") or {}).get("podSelector")
    return [meta.get("name", ""), format_label_selector(selector), age(meta.get("creationTimestamp"), now)]


NETWORK_POLICY_COLUMNS = ColumnSet(
    (Column("Name", is_name=True), Column("Pod-Selector"), Column("Age")),
    network_policy_row,
)
