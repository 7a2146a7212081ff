"""CronJob scenarios whose ``kubectl get``/``describe``/``create job --from`` output the REAL
kubectl 1.32 printed (``capture_cronjob.py``) and labkube must print byte for byte
(``test_cronjob_oracle.py``), and ``kubectl create cronjob`` generator lines, which need no
server (``GENERATORS``, captured offline with ``--dry-run=client``)."""

from __future__ import annotations

from pathlib import Path

import labkube

GOLDEN = Path(__file__).resolve().parent / "golden_cronjob"

#: The docs' hello CronJob in batch/v1 (the corpus copy is still batch/v1beta1).
HELLO = {
    "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "hello"},
    "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {
        "containers": [{"name": "hello", "image": "busybox:1.28", "imagePullPolicy": "IfNotPresent",
                        "command": ["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"]}],
        "restartPolicy": "OnFailure"}}}}},
}

#: Suspended, in a time zone, with a starting deadline, labels and annotations, its own limits.
#: (Its jobTemplate's fields are written in Go's order: labkube keeps a manifest's order, and
#: ``-o json`` of ``create job --from`` prints them as stored.)
NIGHTLY = {
    "apiVersion": "batch/v1", "kind": "CronJob",
    "metadata": {"name": "nightly", "labels": {"app": "report"}, "annotations": {"owner": "ops"}},
    "spec": {"schedule": "30 2 * * *", "timeZone": "Europe/Berlin", "suspend": True,
             "startingDeadlineSeconds": 120, "concurrencyPolicy": "Replace",
             "successfulJobsHistoryLimit": 5, "failedJobsHistoryLimit": 2,
             "jobTemplate": {"metadata": {"labels": {"app": "report"}},
                             "spec": {"activeDeadlineSeconds": 3600, "backoffLimit": 2, "template": {
                                 "metadata": {"labels": {"app": "report"}},
                                 "spec": {"containers": [{"name": "report", "image": "busybox:1.36",
                                                          "command": ["sh", "-c", "echo report"]}],
                                          "restartPolicy": "Never"}}}}},
}

#: Forbid, with a Job that is still running.
SLOW = {
    "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "slow"},
    "spec": {"schedule": "*/2 * * * *", "concurrencyPolicy": "Forbid", "jobTemplate": {"spec": {
        "template": {"spec": {"containers": [{"name": "work", "image": "busybox:1.36", "command": ["sleep", "600"]},
                                             {"name": "side", "image": "nginx"}],
                              "restartPolicy": "Never"}}}}},
}

#: golden stem -> kubectl arguments (served by the oracle API server)
COMMANDS = {
    "get_cronjobs": ["get", "cronjobs"],
    "get_cronjobs_wide": ["get", "cj", "-o", "wide"],
    "describe_cronjob_hello": ["describe", "cronjob", "hello"],
    "describe_cronjob_nightly": ["describe", "cronjob", "nightly"],
    "describe_cronjob_slow": ["describe", "cronjob", "slow"],
    "create_job_from_cronjob": ["create", "job", "manual", "--from=cronjob/hello", "--dry-run=client", "-o", "yaml"],
    "create_job_from_cronjob_labels": ["create", "job", "adhoc", "--from=cronjob/nightly", "--dry-run=client",
                                       "-o", "json"],
}

#: golden stem -> kubectl arguments of ``kubectl create cronjob`` (no server needed)
GENERATORS = {
    "create_cronjob_yaml": ["create", "cronjob", "hello", "--image=busybox:1.28", "--schedule=*/1 * * * *",
                            "--dry-run=client", "-o", "yaml", "--", "/bin/sh", "-c",
                            "date; echo Hello from the Kubernetes cluster"],
    "create_cronjob_json": ["create", "cronjob", "hello", "--image=busybox", "--schedule=@hourly",
                            "--dry-run=client", "-o", "json"],
    "create_cronjob_alias_restart_namespace": ["create", "cj", "report", "--image=busybox", "--schedule=0 3 * * *",
                                               "--restart=Never", "-n", "ops", "--dry-run=client", "-o", "yaml"],
    "create_cronjob_name": ["create", "cronjob", "hello", "--image=busybox", "--schedule=* * * * *",
                            "--dry-run=client", "-o", "name"],
    "create_cronjob_plain": ["create", "cronjob", "hello", "--image=busybox", "--schedule=* * * * *",
                             "--dry-run=client"],
}


def build() -> labkube.Cluster:
    """hello after three and a half minutes, nightly suspended, slow with its Job running."""
    cluster = labkube.Cluster(nodes=2, seed=0)
    for obj in (HELLO, NIGHTLY, SLOW):
        cluster.apply(obj)
    cluster.run(3 * 60 + 30)
    return cluster


def objects(cluster: labkube.Cluster) -> list[dict]:
    """What the oracle API server serves: CronJobs, Jobs and the events."""
    out = []
    for resource, api_version, kind in (("cronjobs", "batch/v1", "CronJob"), ("jobs", "batch/v1", "Job"),
                                        ("events", "v1", "Event")):
        for item in cluster.client.list(resource, "default")["items"]:
            out.append({"apiVersion": api_version, "kind": kind, **item})
    return out
