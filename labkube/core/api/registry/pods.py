"""Pods: a Pending status and QoS class on create, graceful deletion, field selectors, binding.

Mirrors pkg/registry/core/pod/strategy.go (``PrepareForCreate``, ``PrepareForUpdate``,
``podStatusStrategy``, ``CheckGracefulDelete``, ``ToSelectableFields``),
the QoS class (computed by ``defaults.pod_qos_class``) and the ``BindingREST`` of
pkg/registry/core/pod/storage/storage.go.

* Create: status becomes ``{phase: Pending, qosClass: ...}`` (plus the ``PodScheduled=False``
  ``SchedulingGated`` condition when ``spec.schedulingGates`` is set). Pods have no
  ``metadata.generation`` in Kubernetes 1.32.
* Update keeps the stored status; ``/status`` keeps the stored spec and owner references.
* Delete is graceful: a pod bound to a node gets ``deletionTimestamp = now + grace`` (grace from
  the request, else ``spec.terminationGracePeriodSeconds``) and stays for its kubelet; a pod
  not yet bound, or already finished (Succeeded/Failed), gets grace 0 and goes at once.
* Binding (``pods/binding``) sets ``spec.nodeName`` once and the ``PodScheduled=True``
  condition; binding an assigned pod is a Conflict ``pod x is already assigned to node "y"``.
* Every write is stored as the Go round trip leaves it: the ``metav1.Time`` *structs* of the
  status (a condition's ``lastProbeTime``/``lastTransitionTime``, a container state's
  ``startedAt``/``finishedAt``) are never dropped -- ``omitempty`` keeps a struct and a zero
  Time marshals as ``null`` -- so every served pod condition has ``lastProbeTime: null``.
"""

from __future__ import annotations

from typing import Optional

from labkube.core import errors
from labkube.core.api.defaults import pod_qos_class
from labkube.core.api.registry.strategy import ServerContext, Strategy, object_meta_fields

DEFAULT_TERMINATION_GRACE_PERIOD = 30


def update_pod_condition(status: dict, condition: dict, now: str) -> None:
    """``UpdatePodCondition``: replace the condition of the same type; the transition time
    moves only when the status flips."""
    conditions = status.setdefault("conditions", [])
    for i, existing in enumerate(conditions):
        if existing.get("type") == condition["type"]:
            merged = dict(condition)
            if existing.get("status") == condition.get("status"):
                merged["lastTransitionTime"] = existing.get("lastTransitionTime", now)
            else:
                merged["lastTransitionTime"] = now
            merged.setdefault("lastProbeTime", existing.get("lastProbeTime"))
            conditions[i] = _ordered_condition(merged)
            return
    conditions.append(_ordered_condition({"lastProbeTime": None, "lastTransitionTime": now, **condition}))


#: The non-pointer ``metav1.Time`` fields of a container state, per state.
_STATE_TIMES = {"running": ("startedAt",), "terminated": ("startedAt", "finishedAt")}


def with_zero_times(status: dict) -> None:
    """Put back the zero (``null``) Times a Go round trip would write (see the module doc)."""
    conditions = status.get("conditions") or ()
    for i, condition in enumerate(conditions):
        if "lastProbeTime" not in condition or "lastTransitionTime" not in condition:
            conditions[i] = _ordered_condition({"lastProbeTime": None, "lastTransitionTime": None, **condition})
    for key in ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"):
        for container in status.get(key) or ():
            for state_key in ("state", "lastState"):
                for state, detail in (container.get(state_key) or {}).items():
                    for field in _STATE_TIMES.get(state, ()):
                        detail.setdefault(field, None)


def _ordered_condition(condition: dict) -> dict:
    order = ("type", "status", "lastProbeTime", "lastTransitionTime", "reason", "message")
    out = {k: condition[k] for k in order if k in condition}
    out.update((k, v) for k, v in condition.items() if k not in out)
    return out


class PodStrategy(Strategy):
    status_subresource = True
    return_deleted_object = True
    field_labels = (
        "metadata.name",
        "metadata.namespace",
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.podIPs",
        "status.nominatedNodeName",
    )
    field_label_aliases = {"spec.host": "spec.nodeName"}

    def initial_status(self, obj: dict, ctx: ServerContext) -> dict:
        status = {"phase": "Pending"}
        if (obj.get("spec") or {}).get("schedulingGates"):
            status["conditions"] = [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "lastProbeTime": None,
                    "lastTransitionTime": ctx.clock.timestamp(),
                    "reason": "SchedulingGated",
                    "message": "Scheduling is blocked due to non-empty scheduling gates",
                }
            ]
        status["qosClass"] = pod_qos_class(obj)
        return status

    def canonicalize(self, obj: dict) -> None:
        status = obj.get("status")
        if status:
            with_zero_times(status)

    def prepare_for_status_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        # podStatusStrategy: spec and ownerReferences come from the stored pod; labels and
        # annotations may change (old kubelets wrote them through /status).
        if "spec" in old:
            new["spec"] = old["spec"]
        for key in ("deletionTimestamp", "ownerReferences"):
            if key in old["metadata"]:
                new["metadata"][key] = old["metadata"][key]
            else:
                new["metadata"].pop(key, None)

    def check_graceful_delete(self, obj: dict, grace_period_seconds: Optional[int]) -> Optional[int]:
        spec = obj.get("spec") or {}
        if grace_period_seconds is not None:
            period = grace_period_seconds
        else:
            period = spec.get("terminationGracePeriodSeconds", DEFAULT_TERMINATION_GRACE_PERIOD)
        if not spec.get("nodeName"):
            period = 0  # never scheduled: nothing to stop, delete now
        if (obj.get("status") or {}).get("phase") in ("Failed", "Succeeded"):
            period = 0  # already terminal
        return period

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        spec = obj.get("spec") or {}
        status = obj.get("status") or {}
        pod_ips = status.get("podIPs") or []
        pod_ip = pod_ips[0].get("ip", "") if pod_ips else status.get("podIP", "")
        fields = {
            "spec.nodeName": spec.get("nodeName", ""),
            "spec.restartPolicy": spec.get("restartPolicy", ""),
            "spec.schedulerName": spec.get("schedulerName", ""),
            "spec.serviceAccountName": spec.get("serviceAccountName", ""),
            "spec.hostNetwork": "true" if spec.get("hostNetwork") else "false",
            "status.phase": status.get("phase", ""),
            "status.podIP": pod_ip,
            "status.nominatedNodeName": status.get("nominatedNodeName", ""),
        }
        fields.update(object_meta_fields(obj))
        return fields


def validate_binding(binding: dict) -> list:
    """``ValidatePodBinding``: the target must be a Node and must be named."""
    from labkube.core.errors import FieldError

    target = binding.get("target") or {}
    errs = []
    kind = target.get("kind", "")
    if kind not in ("", "Node"):
        errs.append(FieldError.not_supported("target.kind", kind, ["Node", "<empty>"]))
    if not target.get("name"):
        errs.append(FieldError.required("target.name", ""))
    return errs


def bind(pod: dict, binding: dict, now: str) -> dict:
    """``setPodHostAndAnnotations``: the pod as it is after the binding, or a Conflict."""
    name = pod["metadata"]["name"]
    if pod["metadata"].get("deletionTimestamp"):
        raise errors.conflict(
            "pods/binding", name, f"pod {name} is being deleted, cannot be assigned to a host"
        )
    node = (pod.get("spec") or {}).get("nodeName", "")
    if node:
        raise errors.conflict(
            "pods/binding", name, f"pod {name} is already assigned to node {errors.go_quote(node)}"
        )
    pod["spec"]["nodeName"] = binding["target"]["name"]
    annotations = (binding.get("metadata") or {}).get("annotations") or {}
    if annotations:
        pod["metadata"].setdefault("annotations", {}).update(annotations)
    update_pod_condition(pod.setdefault("status", {}), {"type": "PodScheduled", "status": "True"}, now)
    return pod
