"""Ephemeral containers: the ``pods/ephemeralcontainers`` subresource and its rules.

Mirrors ``EphemeralContainersREST`` (pkg/registry/core/pod/storage/storage.go), the
``podEphemeralContainersStrategy`` of pkg/registry/core/pod/strategy.go and, in
pkg/apis/core/validation/validation.go, ``ValidatePodEphemeralContainersUpdate`` and
``validateEphemeralContainers``.

The subresource reads and writes a whole Pod (``kind: Pod``): GET returns the pod, and PUT or
PATCH change it -- but only ``spec.ephemeralContainers`` survives the write
(``dropNonEphemeralContainerUpdates``): the rest of the spec, the status and the labels,
annotations and other metadata a status write may not change are taken from the stored pod.
Then the update is validated:

* existing ephemeral containers may be neither removed nor changed
  (``spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger" may not be
  removed``), so the list only grows;
* each one is a container like the others (name, image, env, mounts, pull policy), with a
  name unique among all the pod's containers (``Duplicate value``), a
  ``targetContainerName`` that names one of them (``Not found``), and none of the fields that
  would make it part of the workload: ports, resources, probes, lifecycle, a restart policy
  (``Forbidden: cannot be set for an Ephemeral Container``) or a volume ``subPath``.

A pod cannot be created with ephemeral containers (``spec.ephemeralContainers: Forbidden:
cannot be set on create``) and a plain pod update that changes them is refused as any other
spec change is: this subresource is the only way in. RBAC names it
``pods/ephemeralcontainers``; Kubernetes' built-in ``admin`` and ``edit`` roles do not grant
it (only ``cluster-admin`` does), because adding a container to a running pod bypasses
admission rules written for pod creation.
"""

from __future__ import annotations

import json

from labkube.core.api.validation import meta
from labkube.core.api.validation import pods as podvalidation
from labkube.core.errors import FieldError

#: The subresource's name (``/api/v1/namespaces/{ns}/pods/{name}/ephemeralcontainers``).
SUBRESOURCE = "ephemeralcontainers"

#: ``allowedEphemeralContainerFields``' forbidden fields, in ``EphemeralContainerCommon``'s
#: field order (the order ``validateFieldAllowList`` reports them in).
FORBIDDEN_FIELDS = ("ports", "resources", "resizePolicy", "restartPolicy", "livenessProbe",
                    "readinessProbe", "startupProbe", "lifecycle")
FORBIDDEN_MESSAGE = "cannot be set for an Ephemeral Container"


def prepare_for_update(new: dict, old: dict) -> None:
    """``dropNonEphemeralContainerUpdates``: keep only the new ``spec.ephemeralContainers``;
    spec, status and the status-protected metadata come from the stored pod."""
    wanted = (new.get("spec") or {}).get("ephemeralContainers")
    spec = dict(old.get("spec") or {})
    if wanted is None:
        spec.pop("ephemeralContainers", None)
    else:
        spec["ephemeralContainers"] = wanted
    new["spec"] = spec
    if "status" in old:
        new["status"] = old["status"]
    else:
        new.pop("status", None)
    meta, old_meta = new["metadata"], old["metadata"]
    for key in ("deletionTimestamp", "generation", "labels", "annotations", "finalizers",
                "ownerReferences"):  # metav1.ResetObjectMetaForStatus
        if key in old_meta:
            meta[key] = old_meta[key]
        else:
            meta.pop(key, None)


def validate_update(new: dict, old: dict) -> list[FieldError]:
    """``ValidatePodEphemeralContainersUpdate``: the pod as a whole (its spec, ephemeral
    containers included), then only additions."""
    errs = meta.validate_object_meta_update(new.get("metadata"), old.get("metadata"))
    spec = new.get("spec") or {}
    errs.extend(podvalidation.validate_pod_spec(spec, "spec"))
    errs.extend(validate_ephemeral_containers(spec, "spec.ephemeralContainers"))
    if "kubernetes.io/config.mirror" in ((old.get("metadata") or {}).get("annotations") or {}):
        return [FieldError.forbidden("", "static pods do not support ephemeral containers")]
    errs.extend(_only_additions(spec.get("ephemeralContainers") or [],
                                (old.get("spec") or {}).get("ephemeralContainers") or []))
    return errs


def _only_additions(new_list: list, old_list: list) -> list[FieldError]:
    by_name = {c.get("name"): c for c in new_list}
    errs = []
    for old in old_list:
        name = old.get("name", "")
        new = by_name.get(name)
        if new is None:
            errs.append(FieldError.forbidden(
                "spec.ephemeralContainers", f"existing ephemeral containers {_go_quote(name)} may not be removed\n"))
        elif new != old:
            errs.append(FieldError.forbidden(
                "spec.ephemeralContainers",
                f"existing ephemeral containers {_go_quote(name)} may not be changed\n"
                f"{podvalidation._spec_diff(old, new, 'core.EphemeralContainer')}"))
    return errs


def validate_ephemeral_containers(spec: dict, path: str) -> list[FieldError]:
    """``validateEphemeralContainers``: each one as a container (``validateContainerCommon``),
    its name unique among all containers, its target a container of the pod, and none of the
    fields an ephemeral container may not have."""
    containers = spec.get("ephemeralContainers") or []
    if not containers:
        return []
    volumes, _ = podvalidation._volumes(spec.get("volumes"), "spec.volumes")
    others = {c.get("name", "") for key in ("containers", "initContainers") for c in spec.get(key) or ()}
    every = others | {c.get("name", "") for c in containers}
    errs: list[FieldError] = []
    for i, container in enumerate(containers):
        cpath = f"{path}[{i}]"
        errs.extend(podvalidation._container_common(container, volumes, cpath))
        image = container.get("image") or ""
        if image and image != image.strip():
            errs.append(FieldError.invalid(cpath + ".image", image, "must not have leading or trailing whitespace"))
        name = container.get("name", "")
        if name in others:
            errs.append(FieldError.duplicate(cpath + ".name", name))
        else:
            others.add(name)
        target = container.get("targetContainerName")
        if target and target not in every:
            errs.append(FieldError.not_found(cpath + ".targetContainerName", target))
        errs.extend(FieldError.forbidden(f"{cpath}.{key}", FORBIDDEN_MESSAGE)
                    for key in FORBIDDEN_FIELDS if container.get(key))
        for j, mount in enumerate(container.get("volumeMounts") or ()):
            for key in ("subPath", "subPathExpr"):
                if mount.get(key):
                    errs.append(FieldError.forbidden(f"{cpath}.volumeMounts[{j}].{key}", FORBIDDEN_MESSAGE))
    return errs


def _go_quote(text: str) -> str:
    return json.dumps(text)
