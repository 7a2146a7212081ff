"""What ``kubectl set env`` and ``kubectl set resources`` share: finding each object's pod spec,
choosing containers by a ``*`` wildcard pattern, computing and sending the patches, fetching the
objects (or reading them from ``-f`` with ``--local``).

Mirrors k8s.io/kubectl/pkg/cmd/set/helper.go and the polymorphic helpers it calls
(``UpdatePodSpecForObjectFn``) in kubectl 1.32.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable

from labkube.core.errors import StatusError
from labkube.kubectl.commands import Context, api_dry_run, parse_targets, print_operation
from labkube.kubectl.commands._ops import NO_RESOURCES, typed
from labkube.kubectl.errors import KubectlError, PlainError

# ---------------------------------------------------------------------------------------
# helper.go and polymorphichelpers: pod specs, container selection, patches
# ---------------------------------------------------------------------------------------

#: Where each kind labkube serves keeps its pod spec (``UpdatePodSpecForObjectFn``).
POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "ReplicationController": ("spec", "template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def object_name(rtype: Any, obj: dict) -> str:
    """``resource.Info.ObjectName``: ``deployments/web``."""
    return f"{rtype.plural}/{obj.get('metadata', {}).get('name', '')}"


def pod_spec_of(rtype: Any, obj: dict) -> dict:
    """The object's pod spec (a detached empty one where it has none), or kubectl's error for
    a kind without one: ``the object is not a pod or does not have a pod template: *v1.Service``."""
    path = POD_SPEC_PATHS.get(rtype.kind)
    if path is None:
        raise ValueError("the object is not a pod or does not have a pod template: "
                         f"*{rtype.version}.{rtype.kind}")
    node: Any = obj
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def select_string(name: str, pattern: str) -> bool:
    """``selectString``: ``*`` matches all; without ``*`` names must be equal; otherwise
    kubectl's simple non-greedy wildcard walk (kept with its quirks: ``s*`` also matches a
    name that merely contains an ``s``... after its start)."""
    if pattern == "*":
        return True
    if "*" not in pattern:
        return name == pattern
    position = 0
    parts = pattern.split("*")
    for index, part in enumerate(parts):
        if not part:
            continue
        found = name[position:].find(part)
        if (found < position or (index == 0 and position != 0)
                or (index == len(parts) - 1 and len(name) != len(part) + found)):
            return False
        position = found
    return True


def select_containers(spec: dict, pattern: str) -> list[dict]:
    """The containers then the init containers whose names match ``pattern`` (``-c``)."""
    chosen = [c for c in spec.get("containers") or [] if select_string(c.get("name", ""), pattern)]
    chosen += [c for c in spec.get("initContainers") or [] if select_string(c.get("name", ""), pattern)]
    return chosen


@dataclass
class Change:
    """``Patch`` of helper.go: one object, its new form, the patch, or why it failed."""

    rtype: Any
    before: dict
    after: dict | None = None
    patch: dict | None = None
    error: BaseException | None = None


def calculate_patches(found: list[tuple[Any, dict]], mutate: Callable[[Any, dict], bool]) -> list[Change]:
    """``CalculatePatches``: run ``mutate`` on a copy of each object (it returns False when the
    object is to be left out) and compute the two-way strategic merge patch."""
    from labkube.core.api.patch import create_two_way_merge_patch

    changes = []
    for rtype, obj in found:
        before = typed(obj, rtype) if "kind" not in obj else obj
        change = Change(rtype, before)
        after = copy.deepcopy(before)
        try:
            if not mutate(rtype, after):
                continue
            change.after = after
            change.patch = create_two_way_merge_patch(_canonical(before), _canonical(after),
                                                      before.get("apiVersion", ""), before.get("kind", ""))
        except (ValueError, KubectlError, StatusError) as err:
            change.error = err
        changes.append(change)
    return changes


def _canonical(obj: dict) -> dict:
    """The object as kubectl's typed encoding sends it: quantities in canonical form."""
    from labkube.core.api.quantity import parse_quantity

    obj = copy.deepcopy(obj)
    path = POD_SPEC_PATHS.get(obj.get("kind"))
    if path is None:
        return obj
    spec: Any = obj
    for key in path:
        spec = spec.get(key) if isinstance(spec, dict) else None
    if not isinstance(spec, dict):
        return obj
    for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        resources = container.get("resources") if isinstance(container, dict) else None
        for section in ("limits", "requests"):
            values = (resources or {}).get(section)
            if not isinstance(values, dict):
                continue
            for name, value in list(values.items()):
                try:
                    values[name] = str(parse_quantity(str(value)))
                except (ValueError, StatusError):
                    pass
    return obj


def send_changes(ctx: Context, changes: list[Change], operation: str, strategy: str, *,
                 local: bool, failure: str, errors: list[BaseException],
                 before_print: Callable[[], None] | None = None) -> None:
    """The loop after ``CalculatePatches``: report failures as ``error: deployments/web ...``,
    skip empty patches, print locally (``--local``, ``--dry-run=client``) or PATCH and print
    the server's answer."""
    for change in changes:
        if change.error is not None:
            errors.append(KubectlError(f"error: {object_name(change.rtype, change.before)} "
                                       f"{error_text(change.error)}\n"))
            continue
        if not change.patch:
            continue
        if local or strategy == "client":
            print_operation(ctx, as_typed(change.after) if local else change.after, operation, strategy)
            continue
        meta = change.before.get("metadata", {})
        try:
            result = ctx.client.patch(change.rtype, meta.get("name", ""), change.patch,
                                      namespace=meta.get("namespace") if change.rtype.namespaced else None,
                                      patch_type="strategic", dry_run=api_dry_run(strategy))
        except StatusError as err:
            errors.append(PlainError(f"{failure}{error_text(err)}"))
            continue
        if before_print is not None:
            before_print()
        print_operation(ctx, typed(result, change.rtype) if "kind" not in result else result,
                        operation, strategy)


def as_typed(obj: dict) -> dict:
    """An object read from a file as kubectl prints it after decoding it into its Go type:
    struct fields that are always encoded appear (``creationTimestamp: null``, a container's
    ``resources: {}``, a Deployment's ``strategy: {}``, ``status: {}``)."""
    obj = copy.deepcopy(obj)
    kind = obj.get("kind")
    path = POD_SPEC_PATHS.get(kind)
    if path is None or not isinstance(obj.get("metadata"), dict):
        return obj
    obj["metadata"].setdefault("creationTimestamp", None)
    spec = obj.setdefault("spec", {})
    if kind == "Deployment":
        spec.setdefault("strategy", {})
    elif kind in ("DaemonSet", "StatefulSet"):
        spec.setdefault("updateStrategy", {})
    node = obj
    for index, key in enumerate(path):
        node = node.setdefault(key, {})
        if key == "template" or (key == "jobTemplate"):
            node.setdefault("metadata", {})
            if isinstance(node["metadata"], dict):
                node["metadata"].setdefault("creationTimestamp", None)
    for container in (node.get("containers") or []) + (node.get("initContainers") or []):
        if isinstance(container, dict):
            container.setdefault("resources", {})
    obj.setdefault("status", _EMPTY_STATUS.get(kind, {}))
    if kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"):
        spec.setdefault("selector", None)
    return go_field_order(obj, "pod" if kind == "Pod" else "object")


#: Go struct field order of the types a file's workload holds (``-o json`` prints in it);
#: each field names the type of its value ("map": Go map, keys sorted). Fields Go does not
#: know are dropped by its decoding; here they are kept, last.
_GO_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "object": (("kind", ""), ("apiVersion", ""), ("metadata", "meta"), ("spec", "spec"), ("status", "")),
    "pod": (("kind", ""), ("apiVersion", ""), ("metadata", "meta"), ("spec", "podspec"), ("status", "")),
    "meta": tuple((k, "map" if k in ("labels", "annotations") else "") for k in (
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
        "annotations", "ownerReferences", "finalizers", "managedFields")),
    "spec": (("replicas", ""), ("minReadySeconds", ""), ("selector", "selector"), ("template", "template"),
             ("strategy", ""), ("revisionHistoryLimit", ""), ("paused", ""), ("progressDeadlineSeconds", "")),
    "selector": (("matchLabels", "map"), ("matchExpressions", "")),
    "template": (("metadata", "meta"), ("spec", "podspec")),
    "podspec": tuple((k, {"initContainers": "container", "containers": "container",
                          "nodeSelector": "map"}.get(k, "")) for k in (
        "volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy",
        "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy", "nodeSelector",
        "serviceAccountName", "serviceAccount", "automountServiceAccountToken", "nodeName",
        "hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace", "securityContext",
        "imagePullSecrets", "hostname", "subdomain", "affinity", "schedulerName", "tolerations",
        "hostAliases", "priorityClassName", "priority", "dnsConfig", "readinessGates",
        "runtimeClassName", "enableServiceLinks", "preemptionPolicy", "overhead",
        "topologySpreadConstraints", "setHostnameAsFQDN", "os", "hostUsers", "schedulingGates",
        "resourceClaims", "resources")),
    "container": tuple((k, {"env": "env", "resources": "resources"}.get(k, "")) for k in (
        "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources",
        "resizePolicy", "restartPolicy", "volumeMounts", "volumeDevices", "livenessProbe",
        "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
        "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty")),
    "env": (("name", ""), ("value", ""), ("valueFrom", "source")),
    "source": (("fieldRef", ""), ("resourceFieldRef", ""), ("configMapKeyRef", "keyref"),
               ("secretKeyRef", "keyref")),
    "keyref": (("name", ""), ("key", ""), ("optional", "")),
    "resources": (("limits", "map"), ("requests", "map"), ("claims", "")),
}


def go_field_order(value: Any, type_name: str) -> Any:
    """``value`` with its keys in Go's encoding order for ``type_name`` (lists item by item)."""
    if isinstance(value, list):
        return [go_field_order(item, type_name) for item in value]
    if not isinstance(value, dict) or not type_name:
        return value
    if type_name == "map":
        return {key: value[key] for key in sorted(value)}
    fields = _GO_FIELDS[type_name]
    ordered = {key: go_field_order(value[key], child) for key, child in fields if key in value}
    ordered.update({key: item for key, item in value.items() if key not in ordered})
    return ordered


#: Status fields Go encodes even when zero (no ``omitempty``).
_EMPTY_STATUS = {
    "ReplicaSet": {"replicas": 0},
    "ReplicationController": {"replicas": 0},
    "DaemonSet": {"currentNumberScheduled": 0, "desiredNumberScheduled": 0,
                  "numberMisscheduled": 0, "numberReady": 0},
    "StatefulSet": {"availableReplicas": 0, "replicas": 0},
}


def aggregate(errors: list[BaseException]) -> list[BaseException]:
    """``utilerrors.NewAggregate`` as ``CheckErr`` prints it: one error alone as itself;
    several as ``MultipleErrors`` does, each message followed by a line break (so a message
    that already ends with one leaves a blank line)."""
    if len(errors) <= 1:
        return errors
    from labkube.kubectl.errors import standard_message

    return [KubectlError("".join(standard_message(err) + "\n" for err in errors))]


def error_text(err: BaseException) -> str:
    if isinstance(err, StatusError):
        return err.message
    if isinstance(err, KubectlError):
        return err.text
    return str(err)


def fetch_objects(ctx: Context, args: list[str], *, local: bool, selector: str,
                  select_all: bool) -> list[tuple[Any, dict]]:
    """The builder: ``-f`` files (read, then fetched from the server unless ``--local``) and
    ``TYPE NAME`` / ``TYPE/NAME`` / ``-l`` / ``--all`` arguments (ignored with ``--local``).
    Any error ends the command before a change is made (``Infos()`` returns it)."""
    errors: list[BaseException] = []
    found: list[tuple[Any, dict]] = []
    if ctx.flags.get("filename"):
        found += _from_files(ctx, local, errors)
    elif local or not args:
        raise KubectlError(NO_RESOURCES)
    if not local and args:
        found += _from_arguments(ctx, args, selector, select_all, errors)
    if errors:
        raise Failed(errors)
    return found


def _from_files(ctx: Context, local: bool, errors: list[BaseException]) -> list[tuple[Any, dict]]:
    """The ``-f`` objects: as read with ``--local`` (no namespace filled in), else the live ones."""
    from labkube.kubectl import files
    from labkube.kubectl.commands.apply import map_item

    items, read_errors = files.read(ctx.flags["filename"], ctx.stdin, ctx.flags.get("recursive", False))
    errors.extend(read_errors)
    found: list[tuple[Any, dict]] = []
    for item in items:
        as_read = copy.deepcopy(item.obj)
        try:
            rtype = map_item(ctx, item)
        except (PlainError, KubectlError) as err:
            errors.append(err)
            continue
        if local:
            found.append((rtype, as_read))
            continue
        meta = item.obj["metadata"]
        namespace = (meta.get("namespace") or ctx.namespace) if rtype.namespaced else None
        _get_into(ctx, rtype, meta.get("name", ""), namespace, found, errors)
    return found


def _from_arguments(ctx: Context, args: list[str], selector: str, select_all: bool,
                    errors: list[BaseException]) -> list[tuple[Any, dict]]:
    found: list[tuple[Any, dict]] = []
    for target in parse_targets(ctx, args, selecting=bool(selector)):
        namespace = ctx.namespace if target.rtype.namespaced else None
        if target.names:
            for name in target.names:
                _get_into(ctx, target.rtype, name, namespace, found, errors)
        elif selector or select_all:
            listing = ctx.client.list(target.rtype, namespace, label_selector=selector or None)
            found += [(target.rtype, typed(item, target.rtype)) for item in listing["items"]]
        else:
            raise KubectlError("error: resource(s) were provided, but no name was specified")
    return found


def _get_into(ctx: Context, rtype: Any, name: str, namespace: str | None,
              found: list, errors: list[BaseException]) -> None:
    try:
        found.append((rtype, typed(ctx.client.get(rtype, name, namespace), rtype)))
    except StatusError as err:
        errors.append(err)


class Failed(Exception):
    """The builder's errors, all of them, to be printed as the command's result."""

    def __init__(self, errors: list[BaseException]) -> None:
        super().__init__("builder errors")
        self.errors = errors
