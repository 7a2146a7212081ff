"""Rolling back a Deployment, the way ``kubectl rollout undo`` and ``rollout history`` do.

There is no "rollback" API in apps/v1. ``kubectl rollout undo`` (kubectl's
``DeploymentRollbacker`` in pkg/polymorphichelpers/rollback.go) finds the ReplicaSet of the
wanted revision — the previous one by default — and **JSON-patches the Deployment's pod
template back to that ReplicaSet's template** (minus the ``pod-template-hash`` label), together
with that ReplicaSet's annotations (e.g. its ``kubernetes.io/change-cause``). The Deployment
controller then sees a template that matches an existing ReplicaSet, makes it the new one and
gives it the next revision number: rolling 1 → 2 → back gives revisions 2 and **3**, and
revision 1 disappears from the history (it lives on in the ReplicaSet's
``deployment.kubernetes.io/revision-history``).

* :func:`undo` — ``kubectl rollout undo [--to-revision=N]``; returns what kubectl prints after
  the object name ("rolled back", or "skipped rollback (current template already matches
  revision N)").
* :func:`history` / :func:`format_history` / :func:`revision_template` — ``kubectl rollout
  history [--revision=N]``.

The controller half (:func:`rollback`) mirrors pkg/controller/deployment/rollback.go: the
deprecated ``deprecated.deployment.rollback.to`` annotation (what ``spec.rollbackTo`` of
extensions/v1beta1 became) still makes the controller copy a revision's template back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from labkube.core.api.labels import selector_from_label_selector
from labkube.core.controllers.deployment import sync, util
from labkube.core.controllers.owner import controller_ref
from labkube.core.machinery import NORMAL, WARNING
from labkube.core.serialization import copy as json_copy  # objects are JSON: far cheaper than deepcopy

ROLLBACK_SUCCESS = "rolled back"
ROLLBACK_SKIPPED = "skipped rollback"


class RolloutError(Exception):
    """What kubectl prints after ``error: `` when a rollout command fails."""


@dataclass(frozen=True)
class RevisionInfo:
    """One line of ``kubectl rollout history``."""

    revision: int
    change_cause: str
    replica_set: str
    template: dict


# -- kubectl: finding ReplicaSets ------------------------------------------------------------------
def replica_sets_of(client: Any, d: dict) -> tuple[list[dict], Optional[dict]]:
    """kubectl's ``GetAllReplicaSets``: (all old ReplicaSets, the new one) controlled by ``d``."""
    selector = str(selector_from_label_selector(d["spec"].get("selector")))
    listed = client.list("replicasets", d["metadata"]["namespace"], label_selector=selector or None)["items"]
    owned = [rs for rs in listed if (controller_ref(rs) or {}).get("uid") == d["metadata"]["uid"]]
    new = util.find_new_rs(d, owned)
    new_uid = new["metadata"]["uid"] if new is not None else None
    return [rs for rs in owned if rs["metadata"]["uid"] != new_uid], new


def _revision_or_none(rs: dict) -> Optional[int]:
    try:
        return util.revision(rs)
    except ValueError:
        return None


def replica_set_for_revision(client: Any, d: dict, to_revision: int) -> dict:
    """kubectl's ``deploymentRevision``: the ReplicaSet of ``to_revision``, or the previous one."""
    old, new = replica_sets_of(client, d)
    all_rss = old + ([new] if new is not None else [])
    latest, latest_rev, previous, previous_rev = None, -1, None, -1
    for rs in all_rss:
        value = _revision_or_none(rs)
        if value is None:
            continue
        if to_revision == 0:
            if latest_rev < value:
                previous, previous_rev, latest, latest_rev = latest, latest_rev, rs, value
            elif previous_rev < value:
                previous, previous_rev = rs, value
        elif to_revision == value:
            return rs
    if to_revision > 0:
        raise RolloutError(f"unable to find specified revision {to_revision} in history")
    if previous is None:
        raise RolloutError(f'no rollout history found for deployment "{d["metadata"]["name"]}"')
    return previous


# -- kubectl rollout undo ----------------------------------------------------------------------------
def undo(client: Any, namespace: str, name: str, to_revision: int = 0, *, dry_run: bool = False) -> str:
    """``kubectl rollout undo deployment/<name> [--to-revision=N]`` (``dry_run``: the patch is
    sent with ``dryRun=All``, as ``--dry-run=server`` asks)."""
    if to_revision < 0:
        raise RolloutError(f"unable to find specified revision {to_revision} in history")
    d = client.get("deployments", name, namespace)
    rs = replica_set_for_revision(client, d, to_revision)
    if d["spec"].get("paused"):
        raise RolloutError("you cannot rollback a paused deployment; resume it first with "
                           "'kubectl rollout resume' and try again")
    if util.equal_ignore_hash(rs["spec"]["template"], d["spec"]["template"]):
        return f"{ROLLBACK_SKIPPED} (current template already matches revision {to_revision})"
    template = json_copy(rs["spec"]["template"])
    labels = (template.get("metadata") or {}).get("labels")
    if labels is not None:
        labels.pop(util.POD_TEMPLATE_HASH_LABEL, None)
    annotations = {k: v for k, v in (d["metadata"].get("annotations") or {}).items() if k in util.ANNOTATIONS_TO_SKIP}
    annotations.update({k: v for k, v in (rs["metadata"].get("annotations") or {}).items()
                        if k not in util.ANNOTATIONS_TO_SKIP})
    patch = [{"op": "replace", "path": "/spec/template", "value": template},
             {"op": "replace", "path": "/metadata/annotations", "value": annotations}]
    try:
        client.patch("deployments", name, patch, namespace=namespace, patch_type="json", dry_run=dry_run)
    except Exception as err:  # kubectl wraps whatever the server said
        raise RolloutError(f"failed restoring revision {to_revision}: {getattr(err, 'message', err)}") from err
    return ROLLBACK_SUCCESS


# -- kubectl rollout history -------------------------------------------------------------------------
def history(client: Any, namespace: str, name: str) -> list[RevisionInfo]:
    """``kubectl rollout history``: one entry per revision, oldest first."""
    d = client.get("deployments", name, namespace)
    old, new = replica_sets_of(client, d)
    by_revision: dict[int, RevisionInfo] = {}
    for rs in old + ([new] if new is not None else []):
        value = _revision_or_none(rs)
        if value is None:
            continue
        cause = (rs["metadata"].get("annotations") or {}).get(util.CHANGE_CAUSE_ANNOTATION, "")
        template = json_copy(rs["spec"]["template"])
        if cause:
            template.setdefault("metadata", {}).setdefault("annotations", {})[util.CHANGE_CAUSE_ANNOTATION] = cause
        by_revision[value] = RevisionInfo(value, cause, rs["metadata"]["name"], template)
    return [by_revision[r] for r in sorted(by_revision)]


def format_history(entries: list[RevisionInfo]) -> str:
    """The table kubectl prints (tabwriter, padding 2), or "No rollout history found."."""
    if not entries:
        return "No rollout history found."
    rows = [("REVISION", "CHANGE-CAUSE")] + [(str(e.revision), e.change_cause or "<none>") for e in entries]
    width = max(len(r[0]) for r in rows) + 2
    return "".join(f"{r[0].ljust(width)}{r[1]}\n" for r in rows)


def revision_template(client: Any, namespace: str, name: str, revision: int) -> dict:
    """``kubectl rollout history --revision=N``: that revision's pod template."""
    for entry in history(client, namespace, name):
        if entry.revision == revision:
            return entry.template
    raise RolloutError("unable to find the specified revision")


# -- the controller's rollback (deprecated annotation) ------------------------------------------------
def rollback_to(d: dict) -> Optional[int]:
    """``getRollbackTo``: the revision asked for by the deprecated annotation, if valid."""
    text = (d["metadata"].get("annotations") or {}).get(util.ROLLBACK_TO_ANNOTATION, "")
    try:
        return int(text) if text else None
    except ValueError:
        return None


def rollback(dc, d: dict, rs_list: list[dict]) -> None:
    """``rollback``: copy the revision's template into the Deployment, clear the annotation."""
    new_rs, old_rss = sync.get_all_replica_sets_and_sync_revision(dc, d, rs_list, True)
    all_rss = [rs for rs in old_rss + [new_rs] if rs is not None]
    target = rollback_to(d)
    if target == 0:
        target = util.last_revision(all_rss)
        if target == 0:
            dc.recorder.event(d, WARNING, util.ROLLBACK_REVISION_NOT_FOUND, "Unable to find last revision.")
            _update_and_clear_rollback_to(dc, d)
            return
    for rs in all_rss:
        if _revision_or_none(rs) == target:
            if _rollback_to_template(dc, d, rs):
                dc.recorder.event(d, NORMAL, util.ROLLBACK_DONE,
                                  f'Rolled back deployment "{d["metadata"]["name"]}" to revision {target}')
            return
    dc.recorder.event(d, WARNING, util.ROLLBACK_REVISION_NOT_FOUND, "Unable to find the revision to rollback to.")
    _update_and_clear_rollback_to(dc, d)


def _rollback_to_template(dc, d: dict, rs: dict) -> bool:
    performed = False
    if not util.equal_ignore_hash(d["spec"]["template"], rs["spec"]["template"]):
        template = json_copy(rs["spec"]["template"])
        labels = (template.get("metadata") or {}).get("labels")
        if labels is not None:
            labels.pop(util.POD_TEMPLATE_HASH_LABEL, None)
        d["spec"]["template"] = template
        kept = {k: v for k, v in (d["metadata"].get("annotations") or {}).items() if k in util.ANNOTATIONS_TO_SKIP}
        kept.update({k: v for k, v in (rs["metadata"].get("annotations") or {}).items()
                     if k not in util.ANNOTATIONS_TO_SKIP})
        d["metadata"]["annotations"] = kept
        performed = True
    else:
        dc.recorder.event(d, WARNING, util.ROLLBACK_TEMPLATE_UNCHANGED,
                          f'The rollback revision contains the same template as current deployment "{d["metadata"]["name"]}"')
    _update_and_clear_rollback_to(dc, d)
    return performed


def _update_and_clear_rollback_to(dc, d: dict) -> None:
    (d["metadata"].get("annotations") or {}).pop(util.ROLLBACK_TO_ANNOTATION, None)
    dc.client.update(d)
