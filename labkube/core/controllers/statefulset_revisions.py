"""A StatefulSet's ControllerRevisions: which template is current, which is the update.

Mirrors the revision half of pkg/controller/statefulset (``getPatch``, ``newRevision``,
``ApplyRevision``, ``nextRevision`` in stateful_set_utils.go; ``ListRevisions``,
``AdoptOrphanRevisions``, ``getStatefulSetRevisions``, ``truncateHistory`` in
stateful_set_control.go), built on the generic helpers of :mod:`.history`.

Every distinct pod template a StatefulSet has run is a ControllerRevision ``<set>-<hash>`` whose
``data`` is the patch ``{"spec": {"template": {..., "$patch": "replace"}}}``. Each sync:

* the set's template *now* is the **update revision**: the newest revision if it holds the same
  template, an older equal one renumbered to the newest (a rollback reuses its revision), or
  a new revision;
* the **current revision** is the one ``status.currentRevision`` names (the update revision for
  a new set); pods below the partition are made from it;
* revisions no pod uses, beyond ``revisionHistoryLimit``, are deleted, oldest first.
"""

from __future__ import annotations

from typing import Any, Optional

from labkube.core.controllers import history
from labkube.core.serialization import copy as json_copy

API_VERSION = "apps/v1"
KIND = "StatefulSet"


def patch_of(sts: dict) -> dict:
    """``getPatch``: the patch that puts the set's template back."""
    template = json_copy(sts["spec"].get("template") or {})
    template["$patch"] = "replace"
    return {"spec": {"template": template}}


def new_revision(sts: dict, number: int, collision_count: int) -> dict:
    """``newRevision``: a revision of the set's template with the set's annotations."""
    template_labels = ((sts["spec"].get("template") or {}).get("metadata") or {}).get("labels")
    revision = history.new_controller_revision(sts, API_VERSION, KIND, template_labels, patch_of(sts),
                                               number, collision_count)
    annotations = sts["metadata"].get("annotations")
    if annotations:
        revision["metadata"]["annotations"] = dict(annotations)
    return revision


def apply_revision(sts: dict, revision: dict) -> dict:
    """``ApplyRevision``: a copy of the set with the revision's template."""
    template = json_copy(((revision.get("data") or {}).get("spec") or {}).get("template") or {})
    template.pop("$patch", None)
    applied = dict(sts)
    applied["spec"] = {**sts["spec"], "template": template}
    return applied


class RevisionHistory:
    """One StatefulSet controller's view of the revisions, through :class:`.history.History`."""

    def __init__(self, client: Any, informer: Any) -> None:
        self.history = history.History(client, informer)

    def claim(self, sts: dict, selector: Any) -> list[dict]:
        """``adoptOrphanRevisions`` then ``ListRevisions``: the set's revisions, orphans adopted."""
        revisions = self.history.list_controller_revisions(sts, selector)
        owned = []
        for revision in revisions:
            if history.controller_of(revision) is None:
                revision = self.history.adopt_controller_revision(sts, API_VERSION, KIND, revision)
            owned.append(revision)
        return owned

    def current_and_update(self, sts: dict, revisions: list[dict]) -> tuple[dict, dict, int]:
        """``getStatefulSetRevisions``: (current revision, update revision, collision count)."""
        ordered = history.sort_controller_revisions(revisions)
        collision_count = (sts.get("status") or {}).get("collisionCount") or 0
        update = new_revision(sts, history.next_revision(ordered), collision_count)
        equal = history.find_equal_revisions(ordered, update)
        if equal and history.equal_revision(ordered[-1], equal[-1]):
            update = ordered[-1]
        elif equal:
            update = self.history.update_controller_revision(equal[-1], update["revision"])
        else:
            update, collision_count = self.history.create_controller_revision(sts, update, collision_count)
        current = self._named(ordered, (sts.get("status") or {}).get("currentRevision")) or update
        return current, update, collision_count

    @staticmethod
    def _named(revisions: list[dict], name: Optional[str]) -> Optional[dict]:
        for revision in revisions:
            if revision["metadata"]["name"] == name:
                return revision
        return None

    def truncate(self, sts: dict, revisions: list[dict], pods: list[dict], current: dict, update: dict) -> None:
        """``truncateHistory``: keep live revisions and the newest ``revisionHistoryLimit`` others."""
        live = {current["metadata"]["name"], update["metadata"]["name"]}
        live.update((p["metadata"].get("labels") or {}).get(history.POD_REVISION_HASH_LABEL, "") for p in pods)
        old = [r for r in history.sort_controller_revisions(revisions) if r["metadata"]["name"] not in live]
        limit = sts["spec"].get("revisionHistoryLimit", 10)
        for revision in old[:max(len(old) - limit, 0)]:
            self.history.delete_controller_revision(revision)
