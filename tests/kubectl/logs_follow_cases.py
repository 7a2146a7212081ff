"""``kubectl logs -f`` cases whose output is compared byte for byte with the real kubectl 1.32.

Every case runs in one scenario, :func:`build`: a cluster (``nodes=2, seed=0``) that has run for
:data:`START` seconds, holding

* ``web``, a Deployment of two nginx pods (their startup lines written, then silent);
* ``counter``, a Job whose busybox pod prints ``line 1`` .. ``line 5``, one every 2 s, and ends
  (it is at ``line 2`` when the command starts); ``done``, a Job whose pod printed two lines and
  has completed;
* ``ticker``, a bare busybox pod (``--restart=Never``) printing ``tick N`` every 4 s for ever;
* ``two``, a pod with two containers, ``left`` (every 3 s) and ``right`` (every 5 s);
* ``late``, a redis pod created one second before the command: still ``ContainerCreating``
  (``late`` and ``ticker`` are labelled ``solo=yes``).

Each case: ``stem`` and ``command`` (as labkube runs it; ``--request-timeout`` bounds the stream
on the simulated clock). :func:`record` runs the command in labkube and writes down, for the
real kubectl's oracle server (``capture_logs_follow.py``), the objects as labkube's API server
held them when the command started and, for each log request labkube made, its options, what
its stream carried and when (seconds after the start), whether the stream ended by itself, or
the API error that refused it.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

#: How long the cluster runs before the command.
START = 5.0

TWO = """apiVersion: v1
kind: Pod
metadata:
  name: two
  labels: {app: two}
spec:
  containers:
  - name: left
    image: busybox
    command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo left $i; sleep 3; done"]
  - name: right
    image: busybox
    command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo right $i; sleep 5; done"]
"""

CASES: list[dict] = [
    # -- one stream that ends by itself: the container stops (the timeout only bounds it) ------
    {"stem": "job", "command": "logs -f job/counter --request-timeout=30s"},
    {"stem": "job_long_flag_timestamps", "command": "logs --follow job/counter --timestamps --request-timeout=1m"},
    {"stem": "job_tail", "command": "logs -f job/counter --tail=1 --request-timeout=30s"},
    {"stem": "job_prefix", "command": "logs -f job/counter --prefix --request-timeout=30s"},
    {"stem": "job_limit_bytes", "command": "logs -f job/counter --limit-bytes=20 --request-timeout=30s"},
    {"stem": "job_since", "command": "logs -f job/counter --since=2s --timestamps --request-timeout=30s"},
    {"stem": "job_since_time",
     "command": "logs -f job/counter --since-time=2025-01-01T00:00:06Z --request-timeout=30s"},
    {"stem": "job_all_containers", "command": "logs -f job/counter --all-containers --request-timeout=30s"},
    {"stem": "completed", "command": "logs -f job/done"},
    {"stem": "completed_timestamps", "command": "logs -f job/done --timestamps --prefix"},
    {"stem": "running_limit_bytes", "command": "logs -f ticker --limit-bytes=12"},
    # -- one stream the timeout ends ----------------------------------------------------------------
    {"stem": "ticker_timeout", "command": "logs -f ticker --request-timeout=10s"},
    {"stem": "ticker_timeout_timestamps", "command": "logs -f ticker --timestamps --request-timeout=9s"},
    {"stem": "deployment_timeout", "command": "logs -f deployment/web --tail=3 --request-timeout=5s"},
    {"stem": "default_container", "command": "logs -f two --request-timeout=7s"},
    {"stem": "container", "command": "logs -f two -c right --request-timeout=7s"},
    {"stem": "container_arg", "command": "logs -f two right --prefix --request-timeout=7s"},
    # -- several streams ------------------------------------------------------------------------
    {"stem": "selector", "command": "logs -f -l app=web --prefix --request-timeout=5s"},
    {"stem": "selector_ignore_errors", "command": "logs -f -l app=web --tail=2 --ignore-errors --request-timeout=5s"},
    {"stem": "all_pods", "command": "logs -f deployment/web --all-pods --tail=1 --request-timeout=5s"},
    {"stem": "selector_one_refused", "command": "logs -f -l solo=yes --request-timeout=5s"},
    {"stem": "selector_one_refused_ignore_errors",
     "command": "logs -f -l solo=yes --ignore-errors --prefix --request-timeout=5s"},
    {"stem": "too_many_streams", "command": "logs -f -l app=web --max-log-requests=1"},
    {"stem": "selector_none", "command": "logs -f -l app=none"},
    # -- errors ---------------------------------------------------------------------------------
    {"stem": "error_container_creating", "command": "logs -f late --request-timeout=5s"},
    {"stem": "error_missing_pod", "command": "logs -f nope"},
    {"stem": "error_missing_deployment", "command": "logs -f deployment/nope"},
    {"stem": "error_bad_container", "command": "logs -f two -c nope"},
    {"stem": "error_since_and_since_time", "command": "logs -f ticker --since=1m --since-time=2025-01-01T00:00:00Z"},
    {"stem": "error_since_time", "command": "logs -f ticker --since-time=yesterday"},
    {"stem": "error_since_time_month", "command": "logs -f ticker --since-time=2025-13-01T00:00:00Z"},
    {"stem": "error_limit_bytes", "command": "logs -f ticker --limit-bytes=-1"},
    {"stem": "error_tail", "command": "logs -f ticker --tail=-2"},
    {"stem": "error_all_containers_and_container", "command": "logs -f two --all-containers -c left"},
    {"stem": "error_missing_pod_before_flags", "command": "logs -f nope --limit-bytes=-1"},
]


def build() -> Any:
    """The scenario's cluster, :data:`START` seconds in."""
    import labkube

    cluster = labkube.Cluster(nodes=2, seed=0)
    cluster.kubectl("create deployment web --image=nginx --replicas=2")
    cluster.kubectl("create job counter --image=busybox -- "
                    "sh -c 'for i in 1 2 3 4 5; do echo line $i; sleep 2; done'")
    cluster.kubectl("create job done --image=busybox -- sh -c 'echo started; echo done'")
    cluster.kubectl("run ticker --image=busybox --restart=Never --labels=solo=yes -- "
                    "sh -c 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 4; done'")
    cluster.apply(TWO)
    cluster.run(START - 1)
    cluster.kubectl("run late --image=redis --labels=solo=yes")
    cluster.run(1)
    return cluster


#: The kinds the oracle serves (what ``kubectl logs`` reads besides the logs).
SERVED = ("pods", "deployments", "replicasets", "jobs")


def record(case: dict) -> dict:
    """The scenario as the oracle serves it for ``case`` (see the module docstring)."""
    from labkube.kubectl import run

    cluster = build()
    try:
        start = cluster.clock.now()
        objects = [dict(obj, apiVersion=_api_version(resource), kind=_kind(resource))
                   for resource in SERVED for obj in cluster.client.list(resource, "default")["items"]]
        streams: list[dict] = []
        with _recording(cluster, streams, start):
            result = run(cluster, case["command"])
        return {"objects": objects, "streams": streams, "labkube": result.stdout + result.stderr}
    finally:
        cluster.close()


def _api_version(resource: str) -> str:
    return {"pods": "v1", "deployments": "apps/v1", "replicasets": "apps/v1", "jobs": "batch/v1"}[resource]


def _kind(resource: str) -> str:
    return {"pods": "Pod", "deployments": "Deployment", "replicasets": "ReplicaSet", "jobs": "Job"}[resource]


class _RecordedReader:
    """A log stream that writes down what each read carried, and when."""

    def __init__(self, reader: Any, entry: dict, clock: Any, start: float) -> None:
        self.reader, self.entry, self.clock, self.start = reader, entry, clock, start

    @property
    def ended(self) -> bool:
        return self.reader.ended

    def read(self) -> str:
        text = self.reader.read()
        if text:
            self.entry["chunks"].append((self.clock.now() - self.start, text))
        self.entry["ended"] = self.reader.ended
        return text


@contextlib.contextmanager
def _recording(cluster: Any, streams: list[dict], start: float) -> Iterator[None]:
    from labkube.core.api.client import Client
    from labkube.core.errors import StatusError

    follow, once = Client.pod_log_stream, Client.pod_logs

    def entry(name: str, kwargs: dict) -> dict:
        item = {"pod": name, "container": kwargs.get("container"), "query": dict(kwargs), "chunks": [],
                "ended": False, "error": None}
        streams.append(item)
        return item

    def stream(self, name, namespace=None, **kwargs):
        item = entry(name, dict(kwargs, follow=True))
        try:
            return _RecordedReader(follow(self, name, namespace, **kwargs), item, cluster.clock, start)
        except StatusError as err:
            item["error"] = (err.code, err.reason, err.message)
            raise

    def logs(self, name, namespace=None, **kwargs):
        item = entry(name, kwargs)
        try:
            text = once(self, name, namespace, **kwargs)
        except StatusError as err:
            item["error"] = (err.code, err.reason, err.message)
            raise
        item["chunks"].append((0.0, text))
        item["ended"] = True
        return text

    Client.pod_log_stream, Client.pod_logs = stream, logs
    try:
        yield
    finally:
        Client.pod_log_stream, Client.pod_logs = follow, once
