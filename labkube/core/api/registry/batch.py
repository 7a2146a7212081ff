"""Jobs and CronJobs: the generated selector, generation, status separation, GC defaults.

Mirrors pkg/registry/batch/job/strategy.go (Kubernetes 1.32):

* Create resets status to ``{}``, sets ``metadata.generation: 1`` and, unless
  ``spec.manualSelector`` is true, **generates the selector**: the pod template gets the labels
  ``batch.kubernetes.io/controller-uid`` and ``controller-uid`` (the Job's uid) and
  ``batch.kubernetes.io/job-name`` and ``job-name`` (its name), the legacy unprefixed ones kept
  for old clients; ``spec.selector.matchLabels`` gets ``batch.kubernetes.io/controller-uid``.
  A label the user already set is left alone, so a conflicting value fails validation.
* A Job without labels of its own shows the template's (``SetDefaults_Job`` copies them; the
  API server defaults the object again when it reads it back, after the labels were generated).
* Update keeps status; ``/status`` keeps spec. The generation bumps on spec changes.
* ``DefaultGarbageCollectionPolicy`` is ``OrphanDependents`` for batch/v1 "for backwards
  compatibility": deleting a Job through the API without a propagation policy leaves its pods.
  ``kubectl delete`` always sends ``propagationPolicy: Background``, so its pods go.
* Field selectors: ``status.successful`` besides name and namespace.
"""

from __future__ import annotations

from labkube.core.api.registry.strategy import ServerContext, Strategy, object_meta_fields
from labkube.core.api.validation.batch import (
    CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL,
)


def generate_selector(job: dict) -> None:
    """``generateSelector``: template labels naming the Job, a selector on its uid."""
    meta = job["metadata"]
    spec = job.setdefault("spec", {})
    template = spec.setdefault("template", {})
    template_meta = template.get("metadata")
    if template_meta is None:
        template_meta = template["metadata"] = {}
    labels = template_meta.get("labels")
    if labels is None:
        labels = template_meta["labels"] = {}
    for key in (LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL):
        labels.setdefault(key, meta.get("name", ""))
    for key in (LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL):
        labels.setdefault(key, meta.get("uid", ""))
    template_meta["labels"] = dict(sorted(labels.items()))  # a Go map prints sorted
    selector = spec.get("selector")
    if selector is None:
        selector = spec["selector"] = {}
    match_labels = selector.get("matchLabels")
    if match_labels is None:
        match_labels = selector["matchLabels"] = {}
    match_labels.setdefault(CONTROLLER_UID_LABEL, meta.get("uid", ""))


class JobStrategy(Strategy):
    generation = True
    status_subresource = True
    gc_policy = "OrphanDependents"
    field_labels = ("metadata.name", "metadata.namespace", "status.successful")

    def prepare_for_create(self, obj: dict, ctx: ServerContext) -> None:
        if not (obj.get("spec") or {}).get("manualSelector"):
            generate_selector(obj)
        meta = obj["metadata"]
        template_labels = obj["spec"].get("template", {}).get("metadata", {}).get("labels")
        if template_labels and not meta.get("labels"):
            meta["labels"] = dict(template_labels)
        super().prepare_for_create(obj, ctx)

    def prepare_for_status_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        if "spec" in old:  # jobStatusStrategy.PrepareForUpdate: only the spec is kept
            new["spec"] = old["spec"]

    def selectable_fields(self, obj: dict) -> dict[str, str]:
        fields = object_meta_fields(obj)
        fields["status.successful"] = str((obj.get("status") or {}).get("succeeded", 0))
        return fields


class CronJobStrategy(Strategy):
    """pkg/registry/batch/cronjob/strategy.go (1.32): ``status`` reset on create, generation
    1 then +1 per spec change, ``/status`` keeps the spec. Deleting a batch/v1 CronJob deletes
    its Jobs (``DeleteDependents``; only batch/v1beta1 orphaned them)."""

    generation = True
    status_subresource = True
    gc_policy = "DeleteDependents"

    def prepare_for_status_update(self, new: dict, old: dict, ctx: ServerContext) -> None:
        if "spec" in old:  # cronJobStatusStrategy.PrepareForUpdate: only the spec is kept
            new["spec"] = old["spec"]
