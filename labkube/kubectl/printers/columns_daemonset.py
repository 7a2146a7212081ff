"""The columns kube-apiserver prints for DaemonSets and ControllerRevisions.

Mirrors printDaemonSet and printControllerRevision in
pkg/printers/internalversion/printers.go (Kubernetes 1.32)::

    NAME      DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE
    fluentd   3         3         3       3            3           <none>          60s
    (-o wide:) CONTAINERS   IMAGES   SELECTOR

    NAME                 CONTROLLER                  REVISION   AGE
    fluentd-5d6576c9     daemonset.apps/fluentd      1          60s

The DaemonSet counts come straight from its status (``desiredNumberScheduled``,
``currentNumberScheduled``, ``numberReady``, ``updatedNumberScheduled``, ``numberAvailable``);
NODE SELECTOR is the template's ``nodeSelector`` (``labels.FormatLabels``, ``<none>`` when
empty). A revision's CONTROLLER is its controller reference as ``<kind>.<group>/<name>``
in lower case, ``<none>`` for an orphan.

:data:`DAEMON_SET_COLUMNS` and :data:`CONTROLLER_REVISION_COLUMNS` are added to
``columns.COLUMN_SETS``.
"""

from __future__ import annotations

from labkube.kubectl.printers.age import age
from labkube.kubectl.printers.columns import Column, ColumnSet, containers_and_images
from labkube.kubectl.printers.format import NONE, format_label_selector, format_labels


def daemon_set_row(ds: dict, now: float) -> list[str]:
    spec, status, meta = ds.get("spec") or {}, ds.get("status") or {}, ds.get("metadata") or {}
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    names, images = containers_and_images(pod_spec.get("containers"))
    counts = [str(status.get(name, 0)) for name in ("desiredNumberScheduled", "currentNumberScheduled",
                                                    "numberReady", "updatedNumberScheduled", "numberAvailable")]
    return [meta.get("name", ""), *counts, format_labels(pod_spec.get("nodeSelector")),
            age(meta.get("creationTimestamp"), now), names, images, format_label_selector(spec.get("selector"))]


DAEMON_SET_COLUMNS = ColumnSet(
    (Column("Name", is_name=True), Column("Desired"), Column("Current"), Column("Ready"),
     Column("Up-to-date"), Column("Available"), Column("Node Selector"), Column("Age"),
     Column("Containers", 1), Column("Images", 1), Column("Selector", 1)),
    daemon_set_row,
)


def controller_name(obj: dict) -> str:
    """``formatResourceName`` of the controller reference: ``daemonset.apps/fluentd``."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or ():
        if ref.get("controller"):
            api_version = ref.get("apiVersion", "")
            group = api_version.split("/")[0] if "/" in api_version else ""
            kind = ref.get("kind", "")
            group_kind = f"{kind}.{group}" if group else kind
            return f"{group_kind.lower()}/{ref.get('name', '')}" if group_kind else ref.get("name", "")
    return NONE


def controller_revision_row(revision: dict, now: float) -> list[str]:
    meta = revision.get("metadata") or {}
    return [meta.get("name", ""), controller_name(revision), str(revision.get("revision", 0)),
            age(meta.get("creationTimestamp"), now)]


CONTROLLER_REVISION_COLUMNS = ColumnSet(
    (Column("Name", is_name=True), Column("Controller"), Column("Revision"), Column("Age")),
    controller_revision_row,
)
