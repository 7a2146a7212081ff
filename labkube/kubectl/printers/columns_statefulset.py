"""The columns kube-apiserver prints for StatefulSets (``kubectl get statefulsets``).

Mirrors printStatefulSet in pkg/printers/internalversion/printers.go (Kubernetes 1.32)::

    NAME   READY   AGE   (-o wide:) CONTAINERS   IMAGES
    web    2/3     45s              nginx        registry.k8s.io/nginx-slim:0.24

READY is ``status.readyReplicas/spec.replicas``: pods that are Running and Ready, out of the
pods wanted (not the pods that exist).

:data:`STATEFUL_SET_COLUMNS` is added to ``columns.COLUMN_SETS["StatefulSet"]``.
"""

from __future__ import annotations

from labkube.kubectl.printers.age import age
from labkube.kubectl.printers.columns import Column, ColumnSet, containers_and_images


def stateful_set_row(sts: dict, now: float) -> list[str]:
    spec, status, meta = sts.get("spec") or {}, sts.get("status") or {}, sts.get("metadata") or {}
    names, images = containers_and_images(((spec.get("template") or {}).get("spec") or {}).get("containers"))
    return [meta.get("name", ""), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
            age(meta.get("creationTimestamp"), now), names, images]


STATEFUL_SET_COLUMNS = ColumnSet(
    (Column("Name", is_name=True), Column("Ready"), Column("Age"), Column("Containers", 1),
     Column("Images", 1)),
    stateful_set_row,
)
