"""``kubectl rollout`` for DaemonSets and StatefulSets: ControllerRevisions instead of ReplicaSets.

Mirrors kubectl 1.32's pkg/polymorphichelpers: ``history.go`` (``DaemonSetHistoryViewer``,
``StatefulSetHistoryViewer``, ``printHistory``), ``rollback.go`` (``DaemonSetRollbacker``,
``StatefulSetRollbacker``, ``findHistory``), ``rollout_status.go`` (``DaemonSetStatusViewer``,
``StatefulSetStatusViewer``), ``objectrestarter.go`` and ``objectpauser.go``/``objectresumer.go``.

A DaemonSet or StatefulSet records each template it has run as a ControllerRevision it
controls; the revision's ``data`` is the patch ``{"spec": {"template": {..., "$patch":
"replace"}}}``. So:

* ``history`` lists the revisions the object controls (selected by its selector):
  ``REVISION  CHANGE-CAUSE``, the cause being the revision's ``kubernetes.io/change-cause``
  annotation (a DaemonSet's revisions copy its annotations); ``--revision=N`` shows that
  revision's pod template;
* ``undo`` sends that ``data`` as a strategic merge patch — the template is replaced wholesale
  — unless the current template already is that revision's (``skipped rollback``); without
  ``--to-revision`` it goes back to the second newest revision;
* ``status`` prints the lines of the status viewers (only for ``RollingUpdate``);
* ``restart`` stamps the template with ``kubectl.kubernetes.io/restartedAt``;
* ``pause``/``resume`` are refused: only Deployments can be paused.

Errors are raised as :class:`RolloutError` with the text kubectl prints after ``error: ``.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from labkube.core.errors import StatusError
from labkube.kubectl.printers.format import selector_string

CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause"
RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt"
ROLLBACK_SUCCESS = "rolled back"
ROLLBACK_SKIPPED = "skipped rollback"

#: Kinds whose history is kept in ControllerRevisions, with their resource names.
REVISIONED_KINDS = {"DaemonSet": "daemonsets", "StatefulSet": "statefulsets"}


class RolloutError(Exception):
    """What kubectl prints after ``error: ``."""


# -- the revisions an object controls -------------------------------------------------------------


def controlled_history(client: Any, obj: dict) -> list[dict]:
    """``controlledHistoryV1``: revisions matching the selector whose controller is ``obj``."""
    meta = obj["metadata"]
    listed = client.list("controllerrevisions.apps", meta.get("namespace"),
                         label_selector=selector_string((obj.get("spec") or {}).get("selector")) or None)
    return [revision for revision in listed.get("items") or () if _controlled_by(revision, meta.get("uid"))]


def _controlled_by(revision: dict, uid: Optional[str]) -> bool:
    for ref in (revision.get("metadata") or {}).get("ownerReferences") or ():
        if ref.get("controller"):
            return ref.get("uid") == uid
    return False


def template_patch(obj: dict) -> bytes:
    """``getDaemonSetPatch``/``getStatefulSetPatch``: the revision data of the current template."""
    template = dict((obj.get("spec") or {}).get("template") or {})
    template["$patch"] = "replace"
    return _go_json({"spec": {"template": template}})


def _go_json(value: Any) -> bytes:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.encode()


def applied_template(obj: dict, revision: dict) -> dict:
    """``applyDaemonSetHistory``/``applyStatefulSetHistory``: the template after the patch.

    The revision's template carries ``$patch: replace``, so it replaces the object's."""
    template = ((revision.get("data") or {}).get("spec") or {}).get("template")
    if template is None:
        return (obj.get("spec") or {}).get("template") or {}
    return {key: value for key, value in template.items() if key != "$patch"}


def find_history(to_revision: int, revisions: list[dict]) -> Optional[dict]:
    """``findHistory``: the revision numbered ``to_revision``; 0 means the second newest."""
    if to_revision == 0:
        if len(revisions) <= 1:
            return None
        return sorted(revisions, key=lambda r: r.get("revision", 0))[-2]
    return next((r for r in revisions if r.get("revision") == to_revision), None)


# -- history -------------------------------------------------------------------------------------------


def view_history(client: Any, obj: dict, revision: int) -> tuple[str, Optional[dict]]:
    """``printHistory``: (the table, None), or ("", the pod template) for ``--revision=N``."""
    by_number = {r.get("revision", 0): r for r in controlled_history(client, obj)}
    if not by_number:
        return "No rollout history found.", None
    if revision > 0:
        found = by_number.get(revision)
        if found is None:
            raise RolloutError("unable to find the specified revision")
        return "", applied_template(obj, found)
    rows = [("REVISION", "CHANGE-CAUSE")]
    for number in sorted(by_number):
        cause = ((by_number[number].get("metadata") or {}).get("annotations") or {}).get(CHANGE_CAUSE_ANNOTATION)
        rows.append((str(number), cause or "<none>"))
    width = max(len(row[0]) for row in rows) + 2
    return "".join(f"{row[0].ljust(width)}{row[1]}\n" for row in rows), None


def history_objects(client: Any, obj: dict) -> dict[int, dict]:
    """``GetHistory`` (``rollout history -o ...``): the object as it was at each revision —
    itself with that revision's template — as the Go type kubectl decoded it into, so ``-o
    json`` shows its fields in struct order (``kind`` before ``apiVersion``)."""
    objects = {}
    for revision in controlled_history(client, obj):
        spec = dict(obj.get("spec") or {})
        spec["template"] = applied_template(obj, revision)
        objects[revision.get("revision", 0)] = go_typed({**obj, "spec": spec})
    return objects


#: Go struct order of the apps/v1 specs and statuses (``omitempty`` fields keep their place).
_SPEC_ORDER = {
    "DaemonSet": ("selector", "template", "updateStrategy", "minReadySeconds", "revisionHistoryLimit"),
    "StatefulSet": ("replicas", "selector", "template", "volumeClaimTemplates", "serviceName",
                    "podManagementPolicy", "updateStrategy", "revisionHistoryLimit", "minReadySeconds",
                    "persistentVolumeClaimRetentionPolicy", "ordinals"),
}
_STATUS_ORDER = {
    "DaemonSet": ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady",
                  "observedGeneration", "updatedNumberScheduled", "numberAvailable", "numberUnavailable",
                  "collisionCount", "conditions"),
    "StatefulSet": ("observedGeneration", "replicas", "readyReplicas", "currentReplicas", "updatedReplicas",
                    "currentRevision", "updateRevision", "collisionCount", "conditions", "availableReplicas"),
}
_UPDATE_STRATEGY_ORDER = ("type", "rollingUpdate")
_ROLLING_UPDATE_ORDER = {"DaemonSet": ("maxUnavailable", "maxSurge"), "StatefulSet": ("partition", "maxUnavailable")}


def _ordered(value: dict, order: tuple) -> dict:
    """Known fields in ``order``, unknown ones after them."""
    return {**{key: value[key] for key in order if key in value},
            **{key: item for key, item in value.items() if key not in order}}


def go_typed(obj: dict) -> dict:
    """A DaemonSet or StatefulSet with its keys in Go's encoding order."""
    from labkube.kubectl.commands._set_helpers import go_field_order

    kind = obj.get("kind", "")
    spec = _ordered(dict(obj.get("spec") or {}), _SPEC_ORDER[kind])
    for key, type_name in (("selector", "selector"), ("template", "template")):
        if key in spec:
            spec[key] = go_field_order(spec[key], type_name)
    strategy = spec.get("updateStrategy")
    if isinstance(strategy, dict):
        strategy = _ordered(strategy, _UPDATE_STRATEGY_ORDER)
        if isinstance(strategy.get("rollingUpdate"), dict):
            strategy["rollingUpdate"] = _ordered(strategy["rollingUpdate"], _ROLLING_UPDATE_ORDER[kind])
        spec["updateStrategy"] = strategy
    typed = {"kind": kind, "apiVersion": obj.get("apiVersion", ""),
             "metadata": go_field_order(obj.get("metadata") or {}, "meta"), "spec": spec}
    if "status" in obj:
        typed["status"] = _ordered(dict(obj["status"] or {}), _STATUS_ORDER[kind])
    return typed


# -- undo ---------------------------------------------------------------------------------------------


def rollback_target(client: Any, obj: dict, to_revision: int) -> dict:
    """The revision ``rollout undo`` would restore, or kubectl's error."""
    if to_revision < 0:
        raise RolloutError(f"unable to find specified revision {to_revision} in history")
    revisions = controlled_history(client, obj)
    if to_revision == 0 and len(revisions) <= 1:
        raise RolloutError("no last revision to roll back to")
    target = find_history(to_revision, revisions)
    if target is None:
        raise RolloutError(f"unable to find specified revision {to_revision} in history")
    return target


def rollback(client: Any, resource: str, obj: dict, to_revision: int, dry_run: bool = False) -> str:
    """``Rollback``: patch the object with the revision's data; "rolled back" or "skipped …"."""
    target = rollback_target(client, obj, to_revision)
    if template_patch(obj) == _go_json(target.get("data")):
        return f"{ROLLBACK_SKIPPED} (current template already matches revision {to_revision})"
    meta = obj["metadata"]
    try:
        client.patch(resource, meta["name"], target.get("data"), namespace=meta.get("namespace"),
                     dry_run=dry_run)
    except StatusError as err:  # the API error's text, as kubectl wraps it
        raise RolloutError(f"failed restoring revision {to_revision}: {err.message}") from None
    return ROLLBACK_SUCCESS


# -- restart, pause, resume ------------------------------------------------------------------------------


def restart(client: Any, resource: str, obj: dict, stamp: str) -> str:
    """``objectRestarter``: stamp the template; "restarted"."""
    meta = obj["metadata"]
    annotations = (((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("annotations") or {}
    if annotations.get(RESTARTED_AT_ANNOTATION) == stamp:
        raise RolloutError(f"failed to create patch for {meta['name']}: if restart has already been triggered "
                           "within the past second, please wait before attempting to trigger another")
    patch = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT_ANNOTATION: stamp}}}}}
    client.patch(resource, meta["name"], patch, namespace=meta.get("namespace"))
    return "restarted"


def not_pausable(resource: str, obj: dict, verb: str) -> RolloutError:
    """``objectPauser``/``objectResumer`` refuse every kind but Deployment."""
    return RolloutError(f'{resource}.apps "{obj["metadata"]["name"]}" {verb} is not supported')


# -- status -------------------------------------------------------------------------------------------


def daemon_set_status(ds: dict) -> tuple[str, bool]:
    """``DaemonSetStatusViewer.Status``: (the line, done). The revision is ignored."""
    spec, status, name = ds.get("spec") or {}, ds.get("status") or {}, ds["metadata"]["name"]
    if (spec.get("updateStrategy") or {}).get("type") != "RollingUpdate":
        raise RolloutError("rollout status is only available for RollingUpdate strategy type")
    if ds["metadata"].get("generation", 0) > status.get("observedGeneration", 0):
        return "Waiting for daemon set spec update to be observed...\n", False
    desired, updated = status.get("desiredNumberScheduled", 0), status.get("updatedNumberScheduled", 0)
    available = status.get("numberAvailable", 0)
    if updated < desired:
        return (f'Waiting for daemon set "{name}" rollout to finish: {updated} out of {desired} '
                "new pods have been updated...\n"), False
    if available < desired:
        return (f'Waiting for daemon set "{name}" rollout to finish: {available} of {desired} '
                "updated pods are available...\n"), False
    return f'daemon set "{name}" successfully rolled out\n', True


def stateful_set_status(sts: dict) -> tuple[str, bool]:
    """``StatefulSetStatusViewer.Status``: (the line, done). The revision is ignored."""
    spec, status = sts.get("spec") or {}, sts.get("status") or {}
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type") != "RollingUpdate":
        raise RolloutError("rollout status is only available for RollingUpdate strategy type")
    observed = status.get("observedGeneration", 0)
    if observed == 0 or sts["metadata"].get("generation", 0) > observed:
        return "Waiting for statefulset spec update to be observed...\n", False
    replicas = spec.get("replicas")
    if replicas is not None and status.get("readyReplicas", 0) < replicas:
        return f"Waiting for {replicas - status.get('readyReplicas', 0)} pods to be ready...\n", False
    updated = status.get("updatedReplicas", 0)
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        partition = rolling.get("partition")
        if replicas is not None and partition is not None and updated < replicas - partition:
            return (f"Waiting for partitioned roll out to finish: {updated} out of {replicas - partition} "
                    "new pods have been updated...\n"), False
        return f"partitioned roll out complete: {updated} new pods have been updated...\n", True
    if status.get("updateRevision") != status.get("currentRevision"):
        return (f"waiting for statefulset rolling update to complete {updated} pods at revision "
                f"{status.get('updateRevision', '')}...\n"), False
    return (f"statefulset rolling update complete {status.get('currentReplicas', 0)} pods at revision "
            f"{status.get('currentRevision', '')}...\n"), True


STATUS_VIEWERS = {"DaemonSet": daemon_set_status, "StatefulSet": stateful_set_status}
