"""``kubectl get -w`` cases whose output is compared byte for byte with the real kubectl 1.32.

Each case: ``stem``, ``command`` (as labkube runs it; ``--request-timeout`` bounds the watch on
the simulated clock) and a ``scenario``:

* ``"pods"`` -- a cluster without controllers, holding :data:`PODS` (and pod ``d`` in namespace
  ``dev``), and a timeline of changes made while the watch runs: pod ``b`` becomes ready at
  2 s, pod ``a`` is deleted at 3 s, pod ``e`` is created at 4 s, pod ``x`` in ``dev`` at 5 s;
* ``"rollout"`` -- a full cluster (``nodes=2, seed=0``) in which ``web``, a Deployment of two
  nginx pods, is created one second after the watch starts: the scheduler, the kubelets and
  the controllers make the changes;
* ``"delete"`` -- the rollout's pods running; one of them is deleted (with its grace period)
  one second after the watch starts.

``realtime`` cases (``kubectl events -w``) are served to the real kubectl in wall time, since it
measures LAST SEEN against the machine's clock (see ``capture_watch.py``); ``files`` are written
to the working directory for ``-f``.

:func:`build` makes the labkube cluster of a scenario, with its changes on the clock.
:func:`record` runs the scenario for the oracle: the objects that exist when the command starts
and every change of the watched kinds after it, stamped with its simulated time, so the real
kubectl is served exactly what labkube's API server holds (``capture_watch.py``).
"""

from __future__ import annotations

from typing import Any

from tests.kubectl import wait_cases
from tests.kubectl.wait_cases import PODS, READY, namespace, pod

#: The kinds the oracle serves (initial objects and watch events).
WATCHED = ("pods", "deployments", "namespaces", "events")

DEV = [namespace("dev"), pod("d", namespace="dev", labels={"app": "db"})]

POD_TIMELINE = [
    (2.0, ("status", "pods", "b", READY)),
    (3.0, ("delete", "pods", "a")),
    (4.0, ("create", pod("e"))),
    (5.0, ("create", pod("x", namespace="dev", labels={"app": "web"}))),
]

DEPLOYMENT = "create deployment web --image=nginx --replicas=2"

TWO_PODS = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: c\n"
POD_AND_NAMESPACE = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n"

CASES: list[dict] = [
    # -- tables -----------------------------------------------------------------------------
    {"stem": "pods", "scenario": "pods", "command": "get pods -w --request-timeout=10s"},
    {"stem": "pods_long_flag", "scenario": "pods", "command": "get pods --watch --request-timeout=10s"},
    {"stem": "pods_wide", "scenario": "pods", "command": "get pods -w -o wide --request-timeout=10s"},
    {"stem": "pods_watch_only", "scenario": "pods", "command": "get pods --watch-only --request-timeout=10s"},
    {"stem": "pods_watch_events", "scenario": "pods",
     "command": "get pods -w --output-watch-events --request-timeout=10s"},
    {"stem": "pods_watch_only_events", "scenario": "pods",
     "command": "get pods --watch-only --output-watch-events --request-timeout=10s"},
    {"stem": "pods_selector", "scenario": "pods", "command": "get pods -w -l app=web --request-timeout=10s"},
    {"stem": "pods_namespace", "scenario": "pods", "command": "get pods -w -n dev --request-timeout=10s"},
    {"stem": "pods_all_namespaces", "scenario": "pods", "command": "get pods -w -A --request-timeout=10s"},
    {"stem": "pods_show_labels", "scenario": "pods",
     "command": "get pods -w --show-labels --request-timeout=10s"},
    {"stem": "pods_no_headers", "scenario": "pods", "command": "get pods -w --no-headers --request-timeout=10s"},
    {"stem": "pod_named", "scenario": "pods", "command": "get pod b -w --request-timeout=10s"},
    {"stem": "pod_named_deleted", "scenario": "pods", "command": "get pod/a -w --request-timeout=10s"},
    {"stem": "pod_named_watch_only", "scenario": "pods",
     "command": "get pod b --watch-only --request-timeout=10s"},
    {"stem": "pods_short_timeout", "scenario": "pods", "command": "get pods -w --request-timeout=3"},
    {"stem": "namespaces_all_namespaces", "scenario": "pods", "command": "get ns -w -A --request-timeout=10s"},
    {"stem": "pods_show_kind_labels", "scenario": "pods",
     "command": "get pods -w --show-kind -L app --output-watch-events --request-timeout=10s"},
    {"stem": "pods_empty_namespace", "scenario": "pods",
     "command": "get pods -w -n kube-public --request-timeout=10s"},
    # -- other printers ------------------------------------------------------------------------
    {"stem": "pods_name", "scenario": "pods", "command": "get pods -w -o name --request-timeout=10s"},
    {"stem": "pods_name_events", "scenario": "pods",
     "command": "get pods -w -o name --output-watch-events --request-timeout=10s"},
    {"stem": "pods_yaml", "scenario": "pods", "command": "get pods -w -o yaml --request-timeout=10s"},
    {"stem": "pods_yaml_events", "scenario": "pods",
     "command": "get pods --watch-only -o yaml --output-watch-events --request-timeout=10s"},
    {"stem": "pods_json", "scenario": "pods",
     "command": "get pods -w -o json -l app=db -A --request-timeout=10s"},
    {"stem": "pods_json_events", "scenario": "pods",
     "command": "get pods --watch-only -o json --output-watch-events --request-timeout=10s"},
    {"stem": "pods_jsonpath", "scenario": "pods",
     "command": "get pods -w -o jsonpath='{.metadata.name}{\"\\n\"}' --request-timeout=10s"},
    {"stem": "pods_custom_columns", "scenario": "pods",
     "command": "get pods -w -o custom-columns=NAME:.metadata.name,PHASE:.status.phase,DELETING:.metadata.deletionTimestamp"
                " --request-timeout=10s"},
    {"stem": "pod_from_file", "scenario": "pods", "files": {"b.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n"},
     "command": "get -f b.yaml -w --request-timeout=10s"},
    {"stem": "pod_named_yaml", "scenario": "pods", "command": "get pod b -w -o yaml --request-timeout=10s"},
    # -- a cluster at work ----------------------------------------------------------------------
    {"stem": "rollout_pods", "scenario": "rollout", "command": "get pods -w --request-timeout=30s"},
    {"stem": "rollout_pods_wide", "scenario": "rollout", "command": "get pods -o wide -w --request-timeout=30s"},
    {"stem": "rollout_deployments", "scenario": "rollout",
     "command": "get deployments -w --output-watch-events --request-timeout=30s"},
    {"stem": "delete_pods", "scenario": "delete", "command": "get pods -w --request-timeout=40s"},
    # -- kubectl events -w (served in real time: kubectl measures LAST SEEN on the machine's clock)
    {"stem": "events_rollout", "scenario": "rollout", "realtime": True, "command": "events -w --request-timeout=8s"},
    {"stem": "events_rollout_for", "scenario": "rollout", "realtime": True,
     "command": "events -w --for deployment/web --request-timeout=8s"},
    {"stem": "events_rollout_warning", "scenario": "rollout", "realtime": True,
     "command": "events -w --types=Warning --request-timeout=4s"},
    {"stem": "events_rollout_name", "scenario": "rollout", "realtime": True,
     "command": "events -w -o name --no-headers --request-timeout=8s"},
    {"stem": "events_delete_all_namespaces", "scenario": "delete", "realtime": True,
     "command": "events -A -w --request-timeout=8s"},
    # -- arguments ---------------------------------------------------------------------------
    {"stem": "error_two_types", "scenario": "pods", "command": "get pods,deployments -w --request-timeout=1s"},
    {"stem": "error_two_type_names", "scenario": "pods", "command": "get pod/b deployment/web -w --request-timeout=1s"},
    {"stem": "error_two_names", "scenario": "pods", "command": "get pods b c -w --request-timeout=1s"},
    {"stem": "error_category", "scenario": "pods", "command": "get all -w --request-timeout=1s"},
    {"stem": "error_unknown_type_first", "scenario": "pods", "command": "get pod/b nope/x -w --request-timeout=1s"},
    {"stem": "error_one_missing", "scenario": "pods", "command": "get pods b zzz -w --request-timeout=1s"},
    {"stem": "error_jsonpath", "scenario": "pods", "command": "get pods -w -o jsonpath={.metadata.name --request-timeout=1s"},
    {"stem": "error_custom_columns", "scenario": "pods", "command": "get pods -w -o custom-columns=NAME --request-timeout=1s"},
    {"stem": "error_output", "scenario": "pods", "command": "get pods -w -o foo --request-timeout=1s"},
    {"stem": "error_file_two_pods", "scenario": "pods", "files": {"two.yaml": TWO_PODS},
     "command": "get -f two.yaml -w --request-timeout=1s"},
    {"stem": "error_file_two_kinds", "scenario": "pods", "files": {"mixed.yaml": POD_AND_NAMESPACE},
     "command": "get -f mixed.yaml -w --request-timeout=1s"},
    {"stem": "error_missing", "scenario": "pods", "command": "get pod zzz -w --request-timeout=1s"},
    {"stem": "error_no_type", "scenario": "pods", "command": "get -w --request-timeout=1s"},
    {"stem": "error_events_without_watch", "scenario": "pods",
     "command": "get pods --output-watch-events --request-timeout=1s"},
    {"stem": "error_bad_timeout", "scenario": "pods", "command": "get pods -w --request-timeout=ten"},
]


# ---------------------------------------------------------------------------------------
# The labkube side
# ---------------------------------------------------------------------------------------


def build(case: dict) -> Any:
    """The case's labkube cluster, its changes scheduled on the clock from now."""
    scenario = case["scenario"]
    if scenario == "pods":
        cluster = wait_cases.build({"objects": [*PODS, *DEV]})
        wait_cases.schedule(cluster, {"timeline": POD_TIMELINE})
        return cluster
    import labkube

    cluster = labkube.Cluster(nodes=2, seed=0)
    if scenario == "rollout":
        cluster.clock.call_later(1.0, lambda: cluster.kubectl(DEPLOYMENT))
        return cluster
    cluster.kubectl(DEPLOYMENT)
    cluster.run(30)
    victim = sorted(p["metadata"]["name"] for p in cluster.client.list("pods", "default")["items"])[0]
    cluster.clock.call_later(1.0, lambda: cluster.client.delete("pods", victim, "default"))
    return cluster


def timeout_of(command: str) -> float:
    """The ``--request-timeout`` of a case's command, in seconds."""
    from labkube.kubectl.commands._ops import parse_duration

    for word in command.split():
        if word.startswith("--request-timeout="):
            value = word.split("=", 1)[1]
            return float(value) if value.isdigit() else parse_duration(value, "request-timeout")
    return 0.0


def record(case: dict) -> dict:
    """What the oracle serves for a case: ``start`` (the clock when the command starts),
    ``objects`` (every watched object then, with its kind) and ``events`` (``(seconds after
    start, type, object)`` for every change of a watched kind until the timeout)."""
    cluster = build(case)
    try:
        start = cluster.clock.now()
        objects, watches = [], []
        for resource in WATCHED:
            rtype = cluster.registry.resolve(resource)
            listing = cluster.client.list(rtype)
            for item in listing["items"]:
                objects.append({"apiVersion": rtype.api_version, "kind": rtype.kind, **item})
            watches.append(cluster.client.watch(rtype, resource_version=listing["metadata"]["resourceVersion"]))
        events: list[tuple[float, int, str, dict]] = []

        def drain() -> bool:
            for watch in watches:
                for event in watch.poll():
                    rv = int(event["object"]["metadata"]["resourceVersion"])
                    events.append((cluster.clock.now() - start, rv, event["type"], event["object"]))
            return False

        try:
            timeout = timeout_of(case["command"])
            cluster.run_until(drain, timeout)
            drain()
        except Exception:  # noqa: BLE001 - a timeout the command refuses: nothing to record
            pass
        for watch in watches:
            watch.cancel()
        events.sort(key=lambda e: e[1])
        return {"start": start, "objects": objects,
                "events": [(offset, kind, obj) for offset, _, kind, obj in events]}
    finally:
        cluster.close()
