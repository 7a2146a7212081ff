"""The columns kube-apiserver prints for ReplicationControllers and PodTemplates.

Mirrors printReplicationController and printPodTemplate in
pkg/printers/internalversion/printers.go (Kubernetes 1.32)::

    NAME    DESIRED   CURRENT   READY   AGE   (-o wide:) CONTAINERS   IMAGES   SELECTOR
    nginx   3         3         3       60s              nginx        nginx    app=nginx

DESIRED is ``spec.replicas``, CURRENT ``status.replicas``, READY ``status.readyReplicas``; the
SELECTOR of an RC is its label map (``labels.FormatLabels``: sorted ``k=v`` pairs, ``<none>``).
A PodTemplate has no AGE column::

    NAME    CONTAINERS   IMAGES   POD LABELS
    nginx   nginx        nginx    app=nginx

:data:`REPLICATION_CONTROLLER_COLUMNS` and :data:`POD_TEMPLATE_COLUMNS` are added to
``columns.COLUMN_SETS``.
"""

from __future__ import annotations

from labkube.kubectl.printers.age import age
from labkube.kubectl.printers.columns import Column, ColumnSet, containers_and_images
from labkube.kubectl.printers.format import format_labels


def _template_containers(template: dict | None) -> tuple[str, str]:
    return containers_and_images(((template or {}).get("spec") or {}).get("containers"))


def replication_controller_row(rc: dict, now: float) -> list[str]:
    meta, spec, status = rc.get("metadata") or {}, rc.get("spec") or {}, rc.get("status") or {}
    names, images = _template_containers(spec.get("template"))
    return [
        meta.get("name", ""), str(spec.get("replicas", 0)), str(status.get("replicas", 0)),
        str(status.get("readyReplicas", 0)), age(meta.get("creationTimestamp"), now),
        names, images, format_labels(spec.get("selector")),
    ]


def pod_template_row(template: dict, now: float) -> list[str]:
    pod_template = template.get("template") or {}
    names, images = _template_containers(pod_template)
    return [(template.get("metadata") or {}).get("name", ""), names, images,
            format_labels((pod_template.get("metadata") or {}).get("labels"))]


REPLICATION_CONTROLLER_COLUMNS = ColumnSet(
    (Column("Name", is_name=True), Column("Desired"), Column("Current"), Column("Ready"), Column("Age"),
     Column("Containers", 1), Column("Images", 1), Column("Selector", 1)),
    replication_controller_row,
)

POD_TEMPLATE_COLUMNS = ColumnSet(
    (Column("Name", is_name=True), Column("Containers"), Column("Images"), Column("Pod Labels")),
    pod_template_row,
)
