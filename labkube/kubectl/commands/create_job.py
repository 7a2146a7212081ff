"""``kubectl create job NAME --image=IMAGE [-- COMMAND [args...]]`` and
``kubectl create job NAME --from=cronjob/CRONJOB``: the objects they build.

Mirrors staging/src/k8s.io/kubectl/pkg/cmd/create/create_job.go (kubectl 1.32).
``createJob``: one container named after the Job, the command given after ``--``,
``restartPolicy: Never``, nothing else (the API server adds the defaults and the selector).
``createJobFromCronJob``: the CronJob's jobTemplate spec as it is stored, its labels, its
annotations plus ``cronjob.kubernetes.io/instantiate: manual``, and an ownerReference to the
CronJob with ``controller: true`` but no ``blockOwnerDeletion`` (which would need the
``cronjobs/finalizers`` permission), so the CronJob controller counts the Job as its own and
deleting the CronJob deletes it.
"""

from __future__ import annotations

from labkube.kubectl.commands._set_helpers import go_field_order


def build_job(name: str, image: str, command: list[str], namespace: str | None = None) -> dict:
    """The Job ``kubectl create job`` sends (``creationTimestamp: null`` as Go prints it)."""
    meta: dict = {"name": name}  # Go's field order, which -o json keeps
    if namespace:
        meta["namespace"] = namespace
    meta["creationTimestamp"] = None
    container: dict = {"name": name, "image": image}
    if command:
        container["command"] = list(command)
    container["resources"] = {}
    return {
        "kind": "Job",
        "apiVersion": "batch/v1",
        "metadata": meta,
        "spec": {"template": {"metadata": {"creationTimestamp": None},
                              "spec": {"containers": [container], "restartPolicy": "Never"}}},
        "status": {},
    }


#: The annotation kubectl puts on a Job it made from a CronJob by hand.
INSTANTIATE_ANNOTATION = "cronjob.kubernetes.io/instantiate"


def build_job_from_cron_job(name: str, cron_job: dict, namespace: str | None = None) -> dict:
    """The Job ``kubectl create job NAME --from=cronjob/CRONJOB`` sends."""
    template = (cron_job.get("spec") or {}).get("jobTemplate") or {}
    template_meta = template.get("metadata") or {}
    annotations = {INSTANTIATE_ANNOTATION: "manual", **(template_meta.get("annotations") or {})}
    meta: dict = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["creationTimestamp"] = None
    if template_meta.get("labels"):
        meta["labels"] = dict(template_meta["labels"])
    meta["annotations"] = dict(sorted(annotations.items()))
    cron_meta = cron_job["metadata"]
    meta["ownerReferences"] = [{"apiVersion": "batch/v1", "kind": "CronJob", "name": cron_meta["name"],
                                "uid": cron_meta["uid"], "controller": True}]
    return {"kind": "Job", "apiVersion": "batch/v1", "metadata": meta,  # TypeMeta: kind first
            "spec": _job_spec_in_go_order(template.get("spec") or {}), "status": {}}


#: ``batchv1.JobSpec``'s fields in Go's order (``-o json`` prints the typed Job in it).
_JOB_SPEC_ORDER = ("parallelism", "completions", "activeDeadlineSeconds", "podFailurePolicy", "successPolicy",
                   "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes", "selector", "manualSelector",
                   "template", "ttlSecondsAfterFinished", "completionMode", "suspend", "podReplacementPolicy",
                   "managedBy")


def _job_spec_in_go_order(spec: dict) -> dict:
    ordered = {key: spec[key] for key in _JOB_SPEC_ORDER if key in spec}
    if "template" in ordered:
        ordered["template"] = go_field_order(ordered["template"], "template")
    ordered.update({key: value for key, value in spec.items() if key not in ordered})
    return ordered
