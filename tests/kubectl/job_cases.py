"""Job scenarios whose ``kubectl describe``/``get`` output the REAL kubectl 1.32 printed
(``capture_job.py``) and labkube must print byte for byte (``test_job_oracle.py``)."""

from __future__ import annotations

from pathlib import Path

import labkube

GOLDEN = Path(__file__).resolve().parent / "golden_job"

PI = {
    "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
    "spec": {"backoffLimit": 4, "template": {"spec": {
        "containers": [{"name": "pi", "image": "perl",
                        "command": ["perl", "-Mbignum=bpi", "-wle", "print bpi(1000)"]}],
        "restartPolicy": "Never"}}},
}


def _job(name, command, **spec):
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {**spec, "template": {"spec": {
                "containers": [{"name": "c", "image": "busybox:1.36", "command": command}],
                "restartPolicy": "Never"}}}}


#: golden stem -> kubectl arguments
COMMANDS = {
    "describe_job_pi": ["describe", "job", "pi"],
    "describe_job_fails": ["describe", "job", "fails"],
    "describe_job_workers": ["describe", "job", "workers"],
    "get_jobs": ["get", "jobs"],
    "get_jobs_wide": ["get", "jobs", "-o", "wide"],
}


def build() -> labkube.Cluster:
    """pi completed, a Job that failed (backoffLimit 1), a work queue still running."""
    cluster = labkube.Cluster(nodes=2, seed=0)
    cluster.apply(PI)
    cluster.apply(_job("fails", ["sh", "-c", "exit 1"], backoffLimit=1, activeDeadlineSeconds=600,
                       ttlSecondsAfterFinished=3600))
    cluster.apply(_job("workers", ["sleep", "300"], parallelism=2))
    cluster.run(80)
    return cluster


def objects(cluster: labkube.Cluster) -> list[dict]:
    """What the oracle API server serves: Jobs, their pods and the events."""
    out = []
    for resource, api_version, kind in (("jobs", "batch/v1", "Job"), ("pods", "v1", "Pod"),
                                        ("events", "v1", "Event")):
        for item in cluster.client.list(resource, "default")["items"]:
            out.append({"apiVersion": api_version, "kind": kind, **item})
    return out
