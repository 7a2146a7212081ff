"""The LimitRanger admission plugin: a namespace's LimitRanges default and bound resources.

Mirrors plugin/pkg/admission/limitranger (Kubernetes 1.32), which kube-apiserver enables by
default, right after NamespaceLifecycle:

* **Mutating** (pod creation only: a pod's containers cannot change afterwards): every
  container and init container gets the ``default`` (limits) and ``defaultRequest`` (requests)
  of the namespace's ``Container`` items for each resource it does not set, and the pod is
  annotated ``kubernetes.io/limit-ranger: "LimitRanger plugin set: memory request for container
  app; memory limit for container app"``. The API server's own defaulting ran before: a
  container that set only a limit already requests the same amount, so the LimitRange's default
  request does not apply to it.
* **Validating** (pod creation; claim creation and update): ``min``, ``max`` and
  ``maxLimitRequestRatio`` of ``Container`` items per container, of ``Pod`` items on the pod's
  total (containers summed, init containers at their peak), and ``min``/``max`` of
  ``PersistentVolumeClaim`` items on a claim's storage request. A violation is 403 Forbidden:
  ``pods "web" is forbidden: maximum memory usage per Container is 1Gi, but limit is 1536Mi``;
  several are joined in brackets, as Go's ``utilerrors.NewAggregate`` prints them.

Objects being deleted are left alone. Each LimitRange of the namespace is applied in name order
(the informer's order); Go walks one item's resources in random map order, labkube sorted.
"""

from __future__ import annotations

from labkube.core.api import quota
from labkube.core.api.admission import CREATE, UPDATE, AdmissionAttributes, forbidden

ANNOTATION = "kubernetes.io/limit-ranger"
_MAX_MILLI_VALUE = (2**63 - 1) // 1000


class LimitRanger:
    name = "LimitRanger"

    @staticmethod
    def handles(operation: str, group: str, resource: str, subresource: str) -> bool:
        """Pods on create, claims on create and update (``_handles`` checks the rest)."""
        if subresource or group:
            return False
        return (resource == "pods" and operation == CREATE) or \
            (resource == "persistentvolumeclaims" and operation in (CREATE, UPDATE))

    def admit(self, attrs: AdmissionAttributes) -> None:
        if not self._handles(attrs) or attrs.rtype.plural != "pods":
            return
        for limit_range in _limit_ranges(attrs):
            _default_pod_resources(limit_range, attrs.obj)

    def validate(self, attrs: AdmissionAttributes) -> None:
        if not self._handles(attrs):
            return
        check = _pod_violations if attrs.rtype.plural == "pods" else _claim_violations
        for limit_range in _limit_ranges(attrs):
            problems = check(limit_range, attrs.obj)
            if problems:
                raise forbidden(attrs, aggregate(problems))

    @staticmethod
    def _handles(attrs: AdmissionAttributes) -> bool:
        """``SupportsAttributes``: pods on create, claims on create and update, no subresource."""
        if attrs.subresource or attrs.rtype.group != "" or attrs.obj is None:
            return False
        if attrs.rtype.plural == "pods":
            return attrs.operation == CREATE
        if attrs.rtype.plural != "persistentvolumeclaims" or attrs.operation not in (CREATE, UPDATE):
            return False
        return not ((attrs.old or {}).get("metadata") or {}).get("deletionTimestamp")


def _limit_ranges(attrs: AdmissionAttributes) -> list[dict]:
    """The namespace's LimitRanges in name order, read once per request (admit and validate
    share them through ``attrs.extra``)."""
    found = attrs.extra.get("limitranges")
    if found is None:
        listed = attrs.lister("limitranges") if attrs.lister is not None else []
        found = sorted((lr for lr in listed if lr["metadata"].get("namespace") == attrs.namespace),
                       key=lambda lr: lr["metadata"]["name"])
        attrs.extra["limitranges"] = found
    return found


def aggregate(messages: list[str]) -> str:
    """``utilerrors.NewAggregate(errs).Error()``: one message as is, several deduplicated in brackets."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


# -- defaults (mutating) ----------------------------------------------------------------


def _default_pod_resources(limit_range: dict, pod: dict) -> None:
    """``PodMutateLimitFunc``: merge the defaults, then note what was set."""
    limits, requests = {}, {}
    for item in (limit_range.get("spec") or {}).get("limits") or ():
        if item.get("type") == "Container":
            requests.update(item.get("defaultRequest") or {})
            limits.update(item.get("default") or {})
    spec = pod.get("spec") or {}
    notes: list[str] = []
    for container in spec.get("containers") or ():
        notes.extend(_merge(container, limits, requests, "container"))
    for container in spec.get("initContainers") or ():
        notes.extend(_merge(container, limits, requests, "init container"))
    if notes:
        meta = pod["metadata"]
        annotations = dict(meta.get("annotations") or {})
        annotations[ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)
        meta["annotations"] = dict(sorted(annotations.items()))  # a Go map prints sorted


def _merge(container: dict, limits: dict, requests: dict, kind: str) -> list[str]:
    """``mergeContainerResources``: what the container lacks, taken from the defaults."""
    resources = container.get("resources")
    if resources is None:
        resources = container["resources"] = {}
    notes = []
    set_requests = _fill(resources, "requests", requests)
    set_limits = _fill(resources, "limits", limits)
    if set_requests:
        notes.append(f"{', '.join(set_requests)} request for {kind} {container.get('name', '')}")
    if set_limits:
        notes.append(f"{', '.join(set_limits)} limit for {kind} {container.get('name', '')}")
    return notes


def _fill(resources: dict, field: str, defaults: dict) -> list[str]:
    current = resources.get(field) or {}
    missing = sorted(name for name in defaults if name not in current)
    if missing:
        merged = dict(current)
        for name in missing:
            merged[name] = defaults[name]
        resources[field] = dict(sorted(merged.items()))
    return missing


# -- constraints (validating) -----------------------------------------------------------


def _pod_violations(limit_range: dict, pod: dict) -> list[str]:
    """``PodValidateLimitFunc``."""
    problems: list[str] = []
    spec = pod.get("spec") or {}
    for item in (limit_range.get("spec") or {}).get("limits") or ():
        kind = item.get("type")
        if kind == "Container":
            for container in list(spec.get("containers") or ()) + list(spec.get("initContainers") or ()):
                resources = container.get("resources") or {}
                problems.extend(_bounds(item, kind, quota.parse_list(resources.get("requests")),
                                        quota.parse_list(resources.get("limits"))))
        elif kind == "Pod":
            requests = quota.pod_totals(pod, "requests", overhead=False)
            limits = quota.pod_totals(pod, "limits", overhead=False)
            problems.extend(_bounds(item, kind, requests, limits))
    return problems


def _claim_violations(limit_range: dict, claim: dict) -> list[str]:
    """``PersistentVolumeClaimValidateLimitFunc``: min and max of the storage request."""
    problems: list[str] = []
    requests = quota.parse_list(((claim.get("spec") or {}).get("resources") or {}).get("requests"))
    for item in (limit_range.get("spec") or {}).get("limits") or ():
        if item.get("type") != "PersistentVolumeClaim":
            continue
        kind = item["type"]
        for name, bound in _sorted_quantities(item.get("min")):
            problems.extend(_minimum(kind, name, bound, requests, {}))
        for name, bound in _sorted_quantities(item.get("max")):
            request = requests.get(name)
            if request is None:
                problems.append(f"maximum {name} usage per {kind} is {bound}.  No request is specified")
            elif _compared(request, None, bound)[0] > _compared(request, None, bound)[2]:
                problems.append(f"maximum {name} usage per {kind} is {bound}, but request is {request}")
    return problems


def _bounds(item: dict, kind: str, requests: dict, limits: dict) -> list[str]:
    problems = []
    for name, bound in _sorted_quantities(item.get("min")):
        problems.extend(_minimum(kind, name, bound, requests, limits))
    for name, bound in _sorted_quantities(item.get("max")):
        problems.extend(_maximum(kind, name, bound, requests, limits))
    for name, ratio in _sorted_quantities(item.get("maxLimitRequestRatio")):
        problems.extend(_ratio(kind, name, ratio, requests, limits))
    return problems


def _minimum(kind: str, name: str, bound, requests: dict, limits: dict) -> list[str]:
    request, limit = requests.get(name), limits.get(name)
    req, lim, enforced = _compared(request, limit, bound)
    if request is None:
        return [f"minimum {name} usage per {kind} is {bound}.  No request is specified"]
    if req < enforced:
        return [f"minimum {name} usage per {kind} is {bound}, but request is {request}"]
    if limit is not None and lim < enforced:
        return [f"minimum {name} usage per {kind} is {bound}, but limit is {limit}"]
    return []


def _maximum(kind: str, name: str, bound, requests: dict, limits: dict) -> list[str]:
    request, limit = requests.get(name), limits.get(name)
    req, lim, enforced = _compared(request, limit, bound)
    if limit is None:
        return [f"maximum {name} usage per {kind} is {bound}.  No limit is specified"]
    if lim > enforced:
        return [f"maximum {name} usage per {kind} is {bound}, but limit is {limit}"]
    if request is not None and req > enforced:
        return [f"maximum {name} usage per {kind} is {bound}, but request is {request}"]
    return []


def _ratio(kind: str, name: str, ratio, requests: dict, limits: dict) -> list[str]:
    request, limit = requests.get(name), limits.get(name)
    req, lim, _ = _compared(request, limit, ratio)
    if request is None or req == 0:
        return [f"{name} max limit to request ratio per {kind} is {ratio}, but no request is specified or request is 0"]
    if limit is None or lim == 0:
        return [f"{name} max limit to request ratio per {kind} is {ratio}, but no limit is specified or limit is 0"]
    observed = lim / req
    shown, allowed = observed, float(ratio.value())
    if ratio.value() <= _MAX_MILLI_VALUE:
        observed, allowed = observed * 1000, float(ratio.milli)
    if observed > allowed:
        return [f"{name} max limit to request ratio per {kind} is {ratio}, but provided ratio is {shown:f}"]
    return []


def _compared(request, limit, enforced) -> tuple[int, int, int]:
    """``requestLimitEnforcedValues``: whole units, or thousandths when none would overflow."""
    values = [q.value() if q is not None else 0 for q in (request, limit, enforced)]
    if all(v <= _MAX_MILLI_VALUE for v in values):
        return tuple(q.milli if q is not None else 0 for q in (request, limit, enforced))
    return tuple(values)


def _sorted_quantities(resources: dict | None) -> list:
    return sorted(quota.parse_list(resources).items())
