"""``kubectl describe replicationcontroller``.

Mirrors describeReplicationController in k8s.io/kubectl/pkg/describe/describe.go (1.32): the
ReplicaSet page with the selector printed as a label map (``app=web,track=stable``) and no
``Controlled By`` line. ``Pods Status`` counts the pods the RC controls (kubectl lists them by
the RC's selector, then keeps those whose controller is the RC)::

    Name:         nginx
    Namespace:    default
    Selector:     app=nginx
    Labels:       app=nginx
    Annotations:  <none>
    Replicas:     3 current / 3 desired
    Pods Status:  3 Running / 0 Waiting / 0 Succeeded / 0 Failed
    Pod Template: ...

kubectl 1.32 has no PodTemplate describer: ``kubectl describe podtemplate`` prints the generic
page (:mod:`.generic`).
"""

from __future__ import annotations

from labkube.kubectl.describe.pod import describe_pod_template
from labkube.kubectl.describe.workloads import _conditions, pod_phase_counts
from labkube.kubectl.describe.writer import PrefixWriter, annotations_multiline, describe_events, labels_multiline
from labkube.kubectl.printers.format import format_labels


def describe_replication_controller(rc: dict, events: list[dict] | None, now: float, pods: list[dict]) -> str:
    meta, spec, status = rc.get("metadata") or {}, rc.get("spec") or {}, rc.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Replicas:\t{status.get('replicas', 0)} current / {spec.get('replicas', 0)} desired\n")
    running, waiting, succeeded, failed = pod_phase_counts(pods, meta.get("uid", ""))
    w.write(0, f"Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n")
    describe_pod_template(w, spec.get("template"))
    _conditions(w, status.get("conditions"))
    describe_events(w, events, now)
    return w.text()
