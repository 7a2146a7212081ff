"""``kubectl wait`` cases whose output is compared byte for byte with the real kubectl 1.32.

Each case: ``stem``, ``command``, the ``objects`` that exist when the command starts (manifests
with a ``status``), optional ``files`` for ``-f``, and an optional ``timeline`` of changes made
while kubectl waits, each ``(seconds after the start, change)``:

* ``("status", resource, name, status)`` -- the object's status is replaced (MODIFIED);
* ``("delete", resource, name)`` -- the object is deleted at once (DELETED);
* ``("create", manifest)`` -- the object is created (ADDED).

:func:`build` makes the labkube cluster for a case (no controllers, no scheduler, no nodes:
nothing but the timeline changes the objects). :func:`schedule` puts the timeline on its clock.
:func:`served` gives the real kubectl's oracle server the very objects labkube stored, and
each timeline change as the watch event labkube's API server produced, so ``-o yaml`` compares
the printers and not two different objects.
"""

from __future__ import annotations

import copy
from typing import Any

NOT_READY = "False"


def pod(name: str, *, ready: str | None = "True", phase: str = "Running", namespace: str = "default",
        labels: dict | None = None, conditions: list | None = None) -> dict:
    status: dict[str, Any] = {"phase": phase}
    if conditions is not None:
        status["conditions"] = conditions
    elif ready is not None:
        status["conditions"] = [{"type": "Ready", "status": ready}]
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace,
                         "labels": {"app": "web"} if labels is None else labels},
            "spec": {"nodeName": "node-1", "containers": [{"name": "nginx", "image": "nginx"}]},
            "status": status}


def namespace(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def deployment(name: str = "web", *, available: str = "True", observed: int = 1) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}},
            "status": {"observedGeneration": observed, "replicas": 1, "availableReplicas": 1,
                       "conditions": [{"type": "Available", "status": available,
                                       "reason": "MinimumReplicasAvailable",
                                       "message": "Deployment has minimum availability."}]}}


PODS = [pod("a"), pod("b", ready=NOT_READY), pod("c")]
READY = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
PENDING = {"phase": "Pending"}
RUNNING = {"phase": "Running"}

FILES = {
    "pods.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n---\n"
                 "apiVersion: v1\nkind: Pod\nmetadata:\n  name: zzz\n",
    "unknown.yaml": "apiVersion: v1\nkind: Nope\nmetadata:\n  name: c\n",
    "noname.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  labels: {app: web}\n",
    "a.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n",
    "dev.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: d\n  namespace: dev\n",
}

CASES: list[dict] = [
    # -- --for=condition ---------------------------------------------------------------------
    {"stem": "condition_met", "objects": PODS, "command": "wait --for=condition=Ready pod/a"},
    {"stem": "condition_value_case_folded", "objects": PODS,
     "command": "wait --for=condition=ready=TRUE pod/a pods/c"},
    {"stem": "condition_false", "objects": PODS, "command": "wait --for=condition=Ready=false pod/b"},
    {"stem": "condition_not_found", "objects": PODS, "command": "wait --for=condition=Ready pod/zzz"},
    {"stem": "condition_timeout", "objects": PODS,
     "command": "wait --for=condition=Ready pod/b --timeout=1s"},
    {"stem": "condition_once_not_met", "objects": PODS,
     "command": "wait --for=condition=Ready pod/b --timeout=0"},
    {"stem": "condition_once_mixed", "objects": PODS,
     "command": "wait --for=condition=Ready pod/a pod/b --timeout=0"},
    {"stem": "condition_deadline_is_shared", "objects": PODS,
     "command": "wait --for=condition=Ready pod/b pod/zzz pod/a --timeout=1s"},
    {"stem": "condition_selector", "objects": PODS,
     "command": "wait --for=condition=Ready pods -l app=web --timeout=1s"},
    {"stem": "condition_all_name_output", "objects": PODS,
     "command": "wait --for=condition=Ready pods --all -o name --timeout=0"},
    {"stem": "condition_selector_no_match", "objects": PODS,
     "command": "wait --for=condition=Ready pods -l app=none"},
    {"stem": "condition_field_selector", "objects": PODS,
     "command": "wait --for=condition=Ready pods --field-selector=metadata.name=a"},
    {"stem": "condition_all_namespaces", "objects": [namespace("dev"), *PODS, pod("d", namespace="dev")],
     "command": "wait --for=condition=Ready pods -A -l app=web --timeout=0"},
    {"stem": "condition_other_namespace", "objects": [namespace("dev"), pod("d", namespace="dev")],
     "command": "wait --for=condition=Ready pod/d -n dev"},
    {"stem": "condition_missing_namespace", "objects": PODS,
     "command": "wait --for=condition=Ready pod/a -n nsx"},
    {"stem": "condition_two_kinds", "objects": PODS, "command": "wait --for=condition=Ready pods,svc a"},
    {"stem": "condition_deployment_available", "objects": [deployment()],
     "command": "wait --for=condition=Available deployment/web"},
    {"stem": "condition_old_generation_is_ignored", "objects": [deployment(observed=0)],
     "command": "wait --for=condition=Available deploy/web --timeout=0"},
    # -- --for=jsonpath ----------------------------------------------------------------------
    {"stem": "jsonpath_value", "objects": PODS, "command": "wait --for=jsonpath={.status.phase}=Running pod/a"},
    {"stem": "jsonpath_quoted", "objects": PODS,
     "command": "wait --for=jsonpath='{.status.phase}'='\"Running\"' pod/a"},
    {"stem": "jsonpath_relaxed", "objects": PODS, "command": "wait --for=jsonpath=.status.phase=Running pod/a"},
    {"stem": "jsonpath_any_value", "objects": PODS, "command": "wait --for=jsonpath={.status.phase} pod/a"},
    {"stem": "jsonpath_filter", "objects": PODS,
     "command": "wait --for='jsonpath={.status.conditions[?(@.type==\"Ready\")].status}=True' pod/a"},
    {"stem": "jsonpath_once_not_met", "objects": PODS,
     "command": "wait --for=jsonpath={.status.phase}=running pod/a --timeout=0"},
    {"stem": "jsonpath_missing_key_times_out", "objects": PODS,
     "command": "wait --for=jsonpath={.x.y}=1 pod/a --timeout=1s"},
    {"stem": "jsonpath_nested", "objects": PODS, "command": "wait --for=jsonpath={.status}=x pod/a"},
    {"stem": "jsonpath_many_values",
     "objects": [pod("m", conditions=[{"type": "Ready", "status": "True"},
                                      {"type": "Initialized", "status": "True"}])],
     "command": "wait --for=jsonpath={.status.conditions[*].type}=Ready pod/m"},
    {"stem": "jsonpath_empty_value", "objects": PODS, "command": "wait --for=jsonpath={.status.phase}= pod/a"},
    {"stem": "jsonpath_empty", "objects": PODS, "command": "wait --for=jsonpath= pod/a"},
    {"stem": "jsonpath_two_values", "objects": PODS,
     "command": "wait --for=jsonpath={.status.phase}=Running=x pod/a"},
    {"stem": "jsonpath_not_relaxed", "objects": PODS, "command": "wait --for=jsonpath={.status.phase pod/a"},
    {"stem": "jsonpath_unparsable", "objects": PODS, "command": "wait --for=jsonpath={.status[} pod/a"},
    # -- --for=delete / --for=create ---------------------------------------------------------
    {"stem": "delete_already_gone", "objects": PODS, "command": "wait --for=delete pod/zzz"},
    {"stem": "delete_case_insensitive", "objects": PODS, "command": "wait --for=Delete pods zzz"},
    {"stem": "delete_once_not_met", "objects": PODS, "command": "wait --for=delete pod/b --timeout=0"},
    {"stem": "delete_selector_after_deadline", "objects": PODS,
     "command": "wait --for=delete pods -l app=web --timeout=1s"},
    {"stem": "delete_selector_no_match", "objects": PODS, "command": "wait --for=delete pods -l app=none"},
    {"stem": "create_exists", "objects": PODS, "command": "wait --for=create pod/a -o name"},
    {"stem": "create_times_out", "objects": PODS, "command": "wait --for=create pod/d --timeout=1s"},
    {"stem": "create_once", "objects": PODS, "command": "wait --for=create pod/d --timeout=0"},
    {"stem": "create_two_missing", "objects": PODS, "command": "wait --for=create pod/d pod/e --timeout=1s"},
    {"stem": "create_selector_no_match", "objects": PODS,
     "command": "wait --for=create pods -l app=zzz --timeout=1s"},
    {"stem": "create_selector", "objects": PODS, "command": "wait --for=create pods -l app=web"},
    # -- output --------------------------------------------------------------------------------
    {"stem": "output_yaml_two", "objects": PODS, "command": "wait --for=condition=Ready pod/a pod/c -o yaml"},
    {"stem": "output_json", "objects": PODS, "command": "wait --for=condition=Ready pod/a -o json"},
    {"stem": "output_jsonpath", "objects": PODS,
     "command": "wait --for=condition=Ready pods a c -o jsonpath={.metadata.name}"},
    {"stem": "output_wide_refused", "objects": PODS, "command": "wait --for=condition=Ready pod/a -o wide"},
    {"stem": "output_custom_columns_refused", "objects": PODS,
     "command": "wait --for=condition=Ready pod/a -o custom-columns=A:.a"},
    {"stem": "output_jsonpath_unparsable_first", "objects": PODS,
     "command": "wait --for=bogus -o jsonpath={.x[} pod/a"},
    {"stem": "output_jsonpath_empty", "objects": PODS, "command": "wait --for=condition=Ready -o jsonpath= pod/a"},
    {"stem": "output_jsonpath_error_prints_nothing", "objects": PODS,
     "command": "wait --for=condition=Ready -o jsonpath={.x} pod/a --allow-missing-template-keys=false"},
    # -- arguments -----------------------------------------------------------------------------
    {"stem": "error_no_for", "objects": PODS, "command": "wait pod/a"},
    {"stem": "error_unknown_for", "objects": PODS, "command": "wait --for=bogus pod/a"},
    {"stem": "error_condition_prefix_case", "objects": PODS, "command": "wait --for=Condition=Ready pod/a"},
    {"stem": "error_no_resources", "objects": PODS, "command": "wait --for=condition=Ready"},
    {"stem": "error_type_without_name", "objects": PODS, "command": "wait --for=condition=Ready pods"},
    {"stem": "error_selector_without_type", "objects": PODS, "command": "wait --for=delete -l app=web"},
    {"stem": "error_name_and_selector", "objects": PODS,
     "command": "wait --for=condition=Ready pods a -l app=web"},
    {"stem": "error_slash_and_selector", "objects": PODS,
     "command": "wait --for=condition=Ready pod/a -l app=web"},
    {"stem": "error_name_across_namespaces", "objects": PODS, "command": "wait --for=condition=Ready pods a -A"},
    {"stem": "error_mixed_forms", "objects": PODS, "command": "wait --for=condition=Ready pod/a svc"},
    {"stem": "error_two_slashes", "objects": PODS, "command": "wait --for=condition=Ready pod/a/b"},
    {"stem": "error_empty_name", "objects": PODS, "command": "wait --for=condition=Ready pod/"},
    {"stem": "error_unknown_type", "objects": PODS, "command": "wait --for=condition=Ready nope/a"},
    {"stem": "error_local_with_args", "objects": PODS, "command": "wait --for=delete --local pod/a"},
    {"stem": "error_timeout_without_unit", "objects": PODS, "command": "wait --for=delete pod/a --timeout=10"},
    {"stem": "error_timeout_not_a_duration", "objects": PODS, "command": "wait --for=delete pod/a --timeout=abc"},
    # -- -f ------------------------------------------------------------------------------------
    {"stem": "file_objects", "objects": PODS, "files": FILES, "command": "wait --for=condition=Ready -f pods.yaml"},
    {"stem": "file_delete_once", "objects": PODS, "files": FILES,
     "command": "wait --for=delete -f pods.yaml --timeout=0"},
    {"stem": "file_and_type", "objects": PODS, "files": FILES,
     "command": "wait --for=condition=Ready -f pods.yaml pods"},
    {"stem": "file_and_slash_name", "objects": PODS, "files": FILES,
     "command": "wait --for=condition=Ready -f pods.yaml pod/a"},
    {"stem": "file_unknown_kind", "objects": PODS, "files": FILES,
     "command": "wait --for=condition=Ready -f unknown.yaml"},
    {"stem": "file_missing", "objects": PODS, "command": "wait --for=condition=Ready -f nofile.yaml"},
    {"stem": "file_without_name", "objects": PODS, "files": FILES,
     "command": "wait --for=condition=Ready -f noname.yaml"},
    {"stem": "local_without_name", "objects": PODS, "files": FILES,
     "command": "wait --for=delete --local -f noname.yaml"},
    {"stem": "local_create", "objects": PODS, "files": FILES, "command": "wait --for=create --local -f a.yaml"},
    {"stem": "file_namespace", "objects": [namespace("dev"), pod("d", namespace="dev")], "files": FILES,
     "command": "wait --for=condition=Ready -f dev.yaml"},
    {"stem": "file_namespace_mismatch", "objects": [namespace("dev"), pod("d", namespace="dev")], "files": FILES,
     "command": "wait --for=condition=Ready -f dev.yaml -n default"},
    {"stem": "file_namespace_missing_first", "objects": PODS, "files": FILES,
     "command": "wait --for=condition=Ready -f dev.yaml -n default"},
    # -- while kubectl waits, the objects change -----------------------------------------------
    {"stem": "timeline_becomes_ready", "objects": PODS,
     "timeline": [(1.0, ("status", "pods", "b", READY))],
     "command": "wait --for=condition=Ready pod/b --timeout=5s"},
    {"stem": "timeline_becomes_ready_yaml", "objects": PODS,
     "timeline": [(1.0, ("status", "pods", "b", READY))],
     "command": "wait --for=condition=Ready pod/b --timeout=5s -o yaml"},
    {"stem": "timeline_jsonpath_running", "objects": [pod("p", ready=None, phase="Pending")],
     "timeline": [(1.0, ("status", "pods", "p", RUNNING))],
     "command": "wait --for=jsonpath={.status.phase}=Running pod/p --timeout=5s"},
    {"stem": "timeline_deleted", "objects": PODS, "timeline": [(1.0, ("delete", "pods", "b"))],
     "command": "wait --for=delete pod/b --timeout=5s"},
    {"stem": "timeline_deleted_then_timeout", "objects": PODS, "timeline": [(1.0, ("delete", "pods", "b"))],
     "command": "wait --for=delete pod/b pod/a --timeout=3s"},
    {"stem": "timeline_named_are_read_in_turn", "objects": PODS,
     "timeline": [(1.0, ("delete", "pods", "b")), (2.0, ("delete", "pods", "a"))],
     "command": "wait --for=delete pod/a pod/b --timeout=5s"},
    {"stem": "timeline_selector_listed_first", "objects": PODS,
     "timeline": [(1.0, ("delete", "pods", "b")), (2.0, ("delete", "pods", "a")), (2.5, ("delete", "pods", "c"))],
     "command": "wait --for=delete pods -l app=web --timeout=5s"},
    {"stem": "timeline_deleted_while_waiting", "objects": PODS, "timeline": [(1.0, ("delete", "pods", "b"))],
     "command": "wait --for=condition=Ready pod/b --timeout=2s"},
    {"stem": "timeline_recreated_ready", "objects": PODS,
     "timeline": [(1.0, ("delete", "pods", "b")), (1.5, ("create", pod("b")))],
     "command": "wait --for=condition=Ready pod/b --timeout=4s"},
    {"stem": "timeline_created", "objects": PODS, "timeline": [(1.0, ("create", pod("d")))],
     "command": "wait --for=create pod/d --timeout=5s"},
]


# ---------------------------------------------------------------------------------------
# The labkube side
# ---------------------------------------------------------------------------------------


def build(case: dict) -> Any:
    """A labkube cluster holding the case's objects (status written through /status)."""
    import labkube

    cluster = labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False)
    for manifest in case.get("objects", []):
        create(cluster, manifest)
    return cluster


def create(cluster: Any, manifest: dict) -> dict:
    manifest = copy.deepcopy(manifest)
    status = manifest.pop("status", None)
    created = cluster.client.create(manifest)
    if status is None:
        return created
    created["status"] = status
    return cluster.client.update(created, subresource="status")


def apply_change(cluster: Any, change: tuple) -> tuple[str, dict]:
    """Make one timeline change; return the watch event type and the object it carries."""
    if change[0] == "create":
        return "ADDED", create(cluster, change[1])
    _, resource, name, *rest = change
    live = cluster.client.get(resource, name, "default")
    if change[0] == "delete":
        cluster.client.delete(resource, name, "default", grace_period_seconds=0)
        return "DELETED", live
    live["status"] = copy.deepcopy(rest[0])
    return "MODIFIED", cluster.client.update(live, subresource="status")


def schedule(cluster: Any, case: dict) -> None:
    """Put the case's timeline on the cluster clock, from now."""
    start = cluster.clock.now()
    for seconds, change in case.get("timeline", []):
        cluster.clock.call_at(start + seconds, lambda change=change: apply_change(cluster, change))


# ---------------------------------------------------------------------------------------
# The oracle side
# ---------------------------------------------------------------------------------------


def served(case: dict) -> tuple[list[dict], list[tuple[float, str, dict]]]:
    """The objects and timeline events for the oracle server: labkube's own."""
    cluster = build(case)
    objects = []
    for manifest in case.get("objects", []):
        meta = manifest["metadata"]
        resource = cluster.registry.for_kind(manifest["apiVersion"], manifest["kind"])
        objects.append(cluster.client.get(resource, meta["name"], meta.get("namespace")))
    objects.sort(key=lambda o: (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]))
    start = cluster.clock.now()
    events = []
    for seconds, change in case.get("timeline", []):
        cluster.clock.run_to(start + seconds)
        kind, obj = apply_change(cluster, change)
        events.append((seconds, kind, obj))
    cluster.close()
    return objects, events
