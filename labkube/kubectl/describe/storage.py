"""``kubectl describe pv | pvc | storageclass``.

Mirrors describePersistentVolume, describePersistentVolumeClaim (with printPersistentVolumeClaim
and printPodsMultiline) and describeStorageClass in k8s.io/kubectl/pkg/describe/describe.go
(kubectl 1.32):

* a volume: its class, phase (``Terminating (lasts 5s)`` while being deleted), claim
  (``namespace/name``), reclaim policy, access modes (``RWO``), volume mode, capacity, node
  affinity terms, the status message and its source (``HostPath``, ``LocalVolume``, ``NFS``,
  ``CSI``);
* a claim: its class, phase, volume, finalizers, capacity and access modes (only once bound to a
  volume, from status), volume mode, data source, the pods that use it (``Used By``), its
  conditions and events;
* a StorageClass: ``IsDefaultClass: Yes|No``, its annotations and parameters as ``k=v,...``
  (the last-applied annotation included, as kubectl prints it), provisioner, expansion,
  mount options, reclaim policy and binding mode.
"""

from __future__ import annotations

from labkube.kubectl.describe.writer import (
    PrefixWriter,
    annotations_multiline,
    describe_events,
    go_bool,
    go_list,
    labels_multiline,
)
from labkube.kubectl.printers.age import age, rfc1123z
from labkube.kubectl.printers.columns_storage import access_modes, is_default_class, quantity_text, storage_class_of

#: ``maxAnnotationLen``: longer CSI volume attributes are cut and end in ``...``.
MAX_ATTRIBUTE_LEN = 140


def describe_persistent_volume(pv: dict, events: list[dict] | None, now: float) -> str:
    meta, spec, status = pv.get("metadata") or {}, pv.get("spec") or {}, pv.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Finalizers:\t{go_list(meta.get('finalizers'))}\n")
    w.write(0, f"StorageClass:\t{storage_class_of(pv)}\n")
    _status_line(w, meta, status, now)
    claim = spec.get("claimRef")
    w.write(0, f"Claim:\t{claim.get('namespace', '')}/{claim.get('name', '')}\n" if claim is not None else "Claim:\t\n")
    w.write(0, f"Reclaim Policy:\t{spec.get('persistentVolumeReclaimPolicy', '')}\n")
    w.write(0, f"Access Modes:\t{access_modes(spec.get('accessModes'))}\n")
    if spec.get("volumeMode") is not None:
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    w.write(0, f"Capacity:\t{quantity_text((spec.get('capacity') or {}).get('storage'))}\n")
    _node_affinity(w, spec.get("nodeAffinity"))
    w.write(0, f"Message:\t{status.get('message', '')}\n")
    w.write(0, "Source:\n")
    _source(w, spec)
    describe_events(w, events, now)
    return w.text()


def _status_line(w: PrefixWriter, meta: dict, status: dict, now: float) -> None:
    if meta.get("deletionTimestamp"):
        w.write(0, f"Status:\tTerminating (lasts {age(meta['deletionTimestamp'], now)})\n")
    else:
        w.write(0, f"Status:\t{status.get('phase', '')}\n")


def _node_affinity(w: PrefixWriter, affinity: dict | None) -> None:
    """``printVolumeNodeAffinity``."""
    w.write(0, "Node Affinity:\t")
    if affinity is None or affinity.get("required") is None:
        w.line("<none>")
        return
    w.line("")
    terms = affinity["required"].get("nodeSelectorTerms") or []
    w.write(1, "Required Terms:\t")
    if not terms:
        w.line("<none>")
        return
    w.line("")
    for i, term in enumerate(terms):
        _selector_term(w, f"Term {i}", term.get("matchExpressions") or [])


def _selector_term(w: PrefixWriter, title: str, requirements: list[dict]) -> None:
    """``printNodeSelectorTermsMultilineWithIndent`` at LEVEL_2."""
    w.write(2, f"{title}:\t")
    if not requirements:
        w.line("<none>")
        return
    for i, req in enumerate(requirements):
        if i:
            w.write(2, "\t")
        text = f"{req.get('key', '')} {req.get('operator', '').lower()}"
        if req.get("values"):
            text += f" [{', '.join(req['values'])}]"
        w.write(0, text + "\n")


def _source(w: PrefixWriter, spec: dict) -> None:
    """The ``Source:`` block for the sources labkube's volumes use."""
    if spec.get("hostPath") is not None:
        src = spec["hostPath"]
        host_type = src["type"] if src.get("type") is not None else "<none>"
        w.write(2, "Type:\tHostPath (bare host directory volume)\n"
                   f"    Path:\t{src.get('path', '')}\n    HostPathType:\t{host_type}\n")
    elif spec.get("nfs") is not None:
        src = spec["nfs"]
        w.write(2, "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n"
                   f"    Server:\t{src.get('server', '')}\n    Path:\t{src.get('path', '')}\n"
                   f"    ReadOnly:\t{go_bool(bool(src.get('readOnly')))}\n")
    elif spec.get("local") is not None:
        w.write(2, "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n"
                   f"    Path:\t{spec['local'].get('path', '')}\n")
    elif spec.get("csi") is not None:
        _csi_source(w, spec["csi"])
    else:
        w.write(1, "<unknown>\n")


def _csi_source(w: PrefixWriter, csi: dict) -> None:
    w.write(2, "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n"
               f"    Driver:\t{csi.get('driver', '')}\n    FSType:\t{csi.get('fsType', '')}\n"
               f"    VolumeHandle:\t{csi.get('volumeHandle', '')}\n"
               f"    ReadOnly:\t{go_bool(bool(csi.get('readOnly')))}\n")
    attributes = csi.get("volumeAttributes") or {}
    w.write(2, "VolumeAttributes:\t")
    if not attributes:
        w.line("<none>")
        return
    for i, key in enumerate(sorted(attributes)):
        if i:  # Go writes the indent and the tab at LEVEL_2, each with its own prefix
            w.write(2, "")
            w.write(2, "\t")
        line = f"{key}={attributes[key]}"
        w.write(2, f"{line[:MAX_ATTRIBUTE_LEN]}...\n" if len(line) > MAX_ATTRIBUTE_LEN else line + "\n")


def describe_persistent_volume_claim(claim: dict, events: list[dict] | None, now: float,
                                     pods: list[dict] | None = None) -> str:
    meta, spec, status = claim.get("metadata") or {}, claim.get("spec") or {}, claim.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"StorageClass:\t{storage_class_of(claim)}\n")
    _status_line(w, meta, status, now)
    w.write(0, f"Volume:\t{spec.get('volumeName', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Finalizers:\t{go_list(meta.get('finalizers'))}\n")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(status.get("accessModes"))
        capacity = quantity_text((status.get("capacity") or {}).get("storage"))
    w.write(0, f"Capacity:\t{capacity}\n")
    w.write(0, f"Access Modes:\t{modes}\n")
    if spec.get("volumeMode") is not None:
        w.write(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    _data_source(w, spec.get("dataSource"))
    _used_by(w, pods_using(claim, pods or []))
    _conditions(w, status.get("conditions") or [])
    describe_events(w, events, now)
    return w.text()


def _data_source(w: PrefixWriter, source: dict | None) -> None:
    if source is None:
        return
    w.write(0, "DataSource:\n")
    if source.get("apiGroup") is not None:
        w.write(1, f"APIGroup:\t{source['apiGroup']}\n")
    w.write(1, f"Kind:\t{source.get('kind', '')}\n")
    w.write(1, f"Name:\t{source.get('name', '')}\n")


def pods_using(claim: dict, pods: list[dict]) -> list[dict]:
    """``getPodsForPVC``: every pod of the namespace with a volume of this claim (once per such
    volume), then the pods that own the claim (generic ephemeral volumes), once each."""
    name = (claim.get("metadata") or {}).get("name")
    using = [pod for pod in pods for volume in (pod.get("spec") or {}).get("volumes") or ()
             if (volume.get("persistentVolumeClaim") or {}).get("claimName") == name]
    for ref in (claim.get("metadata") or {}).get("ownerReferences") or ():
        if ref.get("kind") != "Pod":
            continue
        owner = next((pod for pod in pods if pod["metadata"].get("uid") == ref.get("uid")), None)
        if owner is not None and all(p["metadata"].get("uid") != ref.get("uid") for p in using):
            using.append(owner)
    return using


def _used_by(w: PrefixWriter, pods: list[dict]) -> None:
    """``printPodsMultiline(w, "Used By", pods)``: names sorted, one a line."""
    w.write(0, "Used By:\t")
    if not pods:
        w.line("<none>")
        return
    for i, name in enumerate(sorted(pod["metadata"].get("name", "") for pod in pods)):
        if i:
            w.write(0, "\t")
        w.write(0, f"{name}\n")


def _conditions(w: PrefixWriter, conditions: list[dict]) -> None:
    if not conditions:
        return
    w.write(0, "Conditions:\n")
    w.write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n")
    w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
    for c in conditions:
        w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t{_rfc1123z_or_zero(c.get('lastProbeTime'))} \t"
                   f"{_rfc1123z_or_zero(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t{c.get('message', '')}\n")


def _rfc1123z_or_zero(stamp) -> str:
    """``Time.Format(time.RFC1123Z)`` of a possibly unset time (Go's zero time)."""
    return rfc1123z(stamp) if stamp else "Mon, 01 Jan 0001 00:00:00 +0000"


def describe_storage_class(storage_class: dict, events: list[dict] | None, now: float) -> str:
    meta = storage_class.get("metadata") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"IsDefaultClass:\t{'Yes' if is_default_class(storage_class) else 'No'}\n")
    w.write(0, f"Annotations:\t{_format_labels(meta.get('annotations'))}\n")
    w.write(0, f"Provisioner:\t{storage_class.get('provisioner', '')}\n")
    w.write(0, f"Parameters:\t{_format_labels(storage_class.get('parameters'))}\n")
    expansion = storage_class.get("allowVolumeExpansion")
    w.write(0, f"AllowVolumeExpansion:\t{'<unset>' if expansion is None else ('True' if expansion else 'False')}\n")
    options = storage_class.get("mountOptions") or []
    if not options:
        w.write(0, "MountOptions:\t<none>\n")
    else:
        w.write(0, "MountOptions:\n")
        for option in options:
            w.write(1, f"{option}\n")
    if storage_class.get("reclaimPolicy") is not None:
        w.write(0, f"ReclaimPolicy:\t{storage_class['reclaimPolicy']}\n")
    if storage_class.get("volumeBindingMode") is not None:
        w.write(0, f"VolumeBindingMode:\t{storage_class['volumeBindingMode']}\n")
    if storage_class.get("allowedTopologies") is not None:
        _allowed_topologies(w, storage_class["allowedTopologies"])
    describe_events(w, events, now)
    return w.text()


def _format_labels(values: dict | None) -> str:
    """``labels.FormatLabels``: ``k=v,k2=v2`` sorted by key, ``<none>`` when empty."""
    if not values:
        return "<none>"
    return ",".join(f"{key}={values[key]}" for key in sorted(values))


def _allowed_topologies(w: PrefixWriter, topologies: list[dict]) -> None:
    """``printAllowedTopologies``."""
    w.write(0, "AllowedTopologies:\t")
    if not topologies:
        w.line("<none>")
        return
    w.line("")
    for i, term in enumerate(topologies):
        expressions = term.get("matchLabelExpressions") or []
        w.write(1, f"Term {i}:\t")
        if not expressions:
            w.line("<none>")
            continue
        for j, expr in enumerate(expressions):
            if j:
                w.write(1, "\t")
            w.write(0, f"{expr.get('key', '')} in [{', '.join(expr.get('values') or [])}]\n")
