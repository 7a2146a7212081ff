"""``kubectl create cronjob NAME --image=IMAGE --schedule='*/1 * * * *' [--restart=...] [-- COMMAND]``.

Mirrors staging/src/k8s.io/kubectl/pkg/cmd/create/create_cronjob.go (kubectl 1.32),
``createCronJob``: the schedule as given (the API server parses it), one container named after
the CronJob with the command given after ``--``, ``restartPolicy`` from ``--restart``
(``OnFailure`` when not given; the API server refuses anything but OnFailure and Never), and,
as kubectl does, the jobTemplate's own ``metadata.name`` set to the CronJob's name.
``--image`` and ``--schedule`` are required flags.
"""

from __future__ import annotations


def build_cron_job(name: str, image: str, schedule: str, command: list[str], restart: str = "",
                   namespace: str | None = None) -> dict:
    """The CronJob ``kubectl create cronjob`` sends (``creationTimestamp: null`` as Go prints it)."""
    meta: dict = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["creationTimestamp"] = None
    container: dict = {"name": name, "image": image}
    if command:
        container["command"] = list(command)
    container["resources"] = {}
    pod_template = {"metadata": {"creationTimestamp": None},
                    "spec": {"containers": [container], "restartPolicy": restart or "OnFailure"}}
    return {
        "kind": "CronJob",
        "apiVersion": "batch/v1",
        "metadata": meta,
        "spec": {
            "schedule": schedule,
            "jobTemplate": {"metadata": {"name": name, "creationTimestamp": None},
                            "spec": {"template": pod_template}},
        },
        "status": {},
    }
