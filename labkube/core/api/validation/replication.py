"""ReplicationControllers and PodTemplates (core/v1).

Mirrors pkg/apis/core/validation/validation.go (Kubernetes 1.32): ``ValidateReplicationController``
(``ValidateReplicationControllerSpec``, ``ValidateNonEmptySelector``,
``ValidatePodTemplateSpecForRC``), ``ValidateReplicationControllerUpdate``,
``ValidateReplicationControllerStatus`` and ``ValidatePodTemplate``.

An RC's selector is a plain label map (equality only), unlike a ReplicaSet's ``LabelSelector``:
an empty one is ``Required`` (the defaults fill it from the template's labels, so a student only
meets that error with a template without labels). It must match the template's labels; it may
change on update (a ReplicaSet's may not).

    >>> rc = {"metadata": {"name": "web", "namespace": "default"},
    ...       "spec": {"replicas": 1, "selector": {"app": "web"}, "template": {
    ...           "metadata": {"labels": {"app": "api"}},
    ...           "spec": {"containers": [{"name": "c", "image": "nginx",
    ...                    "imagePullPolicy": "Always", "terminationMessagePolicy": "File"}],
    ...                    "restartPolicy": "Always", "dnsPolicy": "ClusterFirst"}}}}
    >>> str(validate_replication_controller(rc)[0])
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"api"}: `selector` does not match template `labels`'
"""

from __future__ import annotations

from labkube.core.api import labels
from labkube.core.api.validation import meta, names, pods
from labkube.core.errors import FieldError

#: ``field.Invalid`` detail of a template whose labels the selector does not match.
SELECTOR_MISMATCH = "`selector` does not match template `labels`"
#: ``field.Forbidden`` detail of a template with ``activeDeadlineSeconds``.
ACTIVE_DEADLINE_FORBIDDEN = "activeDeadlineSeconds in ReplicationController is not Supported"


def _object_meta(obj: dict, old: dict | None) -> list[FieldError]:
    if old is None:
        return meta.validate_object_meta(obj.get("metadata"), True, names.name_is_dns_subdomain)
    return meta.validate_object_meta_update(obj.get("metadata"), old.get("metadata"))


def validate_pod_template_spec(template: dict, path: str) -> list[FieldError]:
    """``ValidatePodTemplateSpec``: the template's labels and annotations, and its pod spec."""
    template_meta = template.get("metadata") or {}
    errs = meta.validate_labels(template_meta.get("labels"), path + ".metadata.labels")
    errs.extend(meta.validate_annotations(template_meta.get("annotations"), path + ".metadata.annotations"))
    errs.extend(pods.validate_pod_spec(template.get("spec") or {}, path + ".spec"))
    return errs


def _selector_matches_template(selector: dict, template_labels: dict | None, path: str) -> list[FieldError]:
    try:
        parsed = labels.selector_from_label_selector({"matchLabels": selector})
    except labels.SelectorError:
        return []  # an invalid key or value is reported on the template's labels
    if parsed.empty() or parsed.matches(template_labels or {}):
        return []
    return [meta.invalid_go(path + ".metadata.labels", template_labels, meta.go_string_map(template_labels),
                            SELECTOR_MISMATCH)]


def _template_for_rc(template: dict | None, selector: dict, path: str) -> list[FieldError]:
    """``ValidatePodTemplateSpecForRC``."""
    if template is None:
        return [FieldError.required(path)]
    template_labels = (template.get("metadata") or {}).get("labels")
    errs = _selector_matches_template(selector, template_labels, path)
    errs.extend(validate_pod_template_spec(template, path))
    spec = template.get("spec") or {}
    policy = spec.get("restartPolicy")
    if policy and policy != "Always" and policy in pods.RESTART_POLICIES:
        errs.append(FieldError.not_supported(path + ".spec.restartPolicy", policy, ("Always",)))
    if spec.get("activeDeadlineSeconds") is not None:
        errs.append(FieldError.forbidden(path + ".spec.activeDeadlineSeconds", ACTIVE_DEADLINE_FORBIDDEN))
    return errs


def _spec(spec: dict) -> list[FieldError]:
    """``ValidateReplicationControllerSpec``."""
    errs = meta.nonnegative(spec.get("minReadySeconds", 0), "spec.minReadySeconds")
    selector = spec.get("selector") or {}
    if not selector:
        errs.append(FieldError.required("spec.selector"))
    errs.extend(meta.nonnegative(spec.get("replicas", 0), "spec.replicas"))
    errs.extend(_template_for_rc(spec.get("template"), selector, "spec.template"))
    return errs


_STATUS_COUNTS = ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration")


def _status(status: dict) -> list[FieldError]:
    """``ValidateReplicationControllerStatus``: counts never negative nor above ``replicas``."""
    errs: list[FieldError] = []
    for name in _STATUS_COUNTS:
        errs.extend(meta.nonnegative(status.get(name, 0), f"status.{name}"))
    replicas = status.get("replicas", 0)
    for name in ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"):
        if status.get(name, 0) > replicas:
            errs.append(FieldError.invalid(f"status.{name}", status[name], "cannot be greater than status.replicas"))
    available = status.get("availableReplicas", 0)
    if available > status.get("readyReplicas", 0):
        errs.append(FieldError.invalid("status.availableReplicas", available, "cannot be greater than readyReplicas"))
    return errs


def validate_replication_controller(obj: dict, old: dict | None = None) -> list[FieldError]:
    """``ValidateReplicationController`` (create) / ``ValidateReplicationControllerUpdate``.

    An update also checks the status counts (``ValidateReplicationControllerStatusUpdate``:
    labkube validates main and ``/status`` writes with one function)."""
    errs = _object_meta(obj, old)
    errs.extend(_spec(obj.get("spec") or {}))
    if old is not None:
        errs.extend(_status(obj.get("status") or {}))
    return errs


def validate_pod_template(obj: dict, old: dict | None = None) -> list[FieldError]:
    """``ValidatePodTemplate`` / ``ValidatePodTemplateUpdate``: names are DNS subdomains."""
    errs = _object_meta(obj, old)
    errs.extend(validate_pod_template_spec(obj.get("template") or {}, "template"))
    return errs
