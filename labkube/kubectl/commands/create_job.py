"""``kubectl create job NAME --image=IMAGE [-- COMMAND [args...]]``: the object it builds.

Mirrors staging/src/k8s.io/kubectl/pkg/cmd/create/create_job.go (kubectl 1.32),
``createJob``: one container named after the Job, the command given after ``--``,
``restartPolicy: Never``, nothing else (the API server adds the defaults and the selector).
``--from=cronjob/NAME`` copies a CronJob's jobTemplate; labkube serves no CronJob yet, so the
command answers as kubectl does when the server lacks the kind.
"""

from __future__ import annotations


def build_job(name: str, image: str, command: list[str], namespace: str | None = None) -> dict:
    """The Job ``kubectl create job`` sends (``creationTimestamp: null`` as Go prints it)."""
    meta: dict = {"creationTimestamp": None, "name": name}
    if namespace:
        meta["namespace"] = namespace
    container: dict = {"name": name, "image": image, "resources": {}}
    if command:
        container = {"command": list(command), **container}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta,
        "spec": {"template": {"metadata": {"creationTimestamp": None},
                              "spec": {"containers": [container], "restartPolicy": "Never"}}},
        "status": {},
    }
