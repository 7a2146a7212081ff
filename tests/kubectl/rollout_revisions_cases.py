"""``kubectl rollout`` on DaemonSets and StatefulSets, compared byte for byte with the real
kubectl 1.32 (``capture_rollout_revisions.py`` captures, ``test_rollout_revisions_oracle.py``
compares).

Each case names a scenario — a labkube cluster built on the simulated clock, whose DaemonSet or
StatefulSet and ControllerRevisions are what the oracle API server serves to the real kubectl —
the command, and scripted answers for the writes kubectl sends (the oracle is read-only).
labkube runs the same command on a fresh build of the same scenario. Rollout output carries no
ages, so no timestamps need moving.
"""

from __future__ import annotations

from pathlib import Path

import labkube

GOLDEN = Path(__file__).resolve().parent / "golden_rollout_revisions"
DS_PATH = "/apis/apps/v1/namespaces/default/daemonsets/agent"
STS_PATH = "/apis/apps/v1/namespaces/default/statefulsets/web"

AGENT = {
    "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
    "spec": {"selector": {"matchLabels": {"app": "agent"}},
             "template": {"metadata": {"labels": {"app": "agent"}},
                          "spec": {"containers": [{"name": "agent", "image": "nginx:1.25"}]}}},
}

WEB = {
    "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
    "spec": {"selector": {"matchLabels": {"app": "web"}}, "serviceName": "web", "replicas": 2,
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}},
}


def _with(obj: dict, **spec) -> dict:
    return {**obj, "spec": {**obj["spec"], **spec}}


def ds_rolled(seconds_after_update: float = 60) -> labkube.Cluster:
    """agent on 3 nodes, then annotated with a change cause and moved to nginx:1.26."""
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply(AGENT)
    cluster.run(30)
    cluster.kubectl('annotate ds agent kubernetes.io/change-cause="image updated to 1.26"')
    cluster.kubectl("set image ds/agent agent=nginx:1.26")
    cluster.run(seconds_after_update)
    return cluster


def ds_mid_rollout() -> labkube.Cluster:
    return ds_rolled(seconds_after_update=0.5)


def ds_single() -> labkube.Cluster:
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply(AGENT)
    cluster.run(30)
    return cluster


def ds_on_delete() -> labkube.Cluster:
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply(_with(AGENT, updateStrategy={"type": "OnDelete"}))
    cluster.run(30)
    return cluster


def sts_rolled(seconds_after_update: float = 90) -> labkube.Cluster:
    """web with 2 replicas, then moved to nginx:1.26."""
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply(WEB)
    cluster.run(60)
    cluster.kubectl("set image sts/web nginx=nginx:1.26")
    cluster.run(seconds_after_update)
    return cluster


def sts_mid_rollout() -> labkube.Cluster:
    return sts_rolled(seconds_after_update=0.5)


def sts_on_delete() -> labkube.Cluster:
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply(_with(WEB, updateStrategy={"type": "OnDelete"}))
    cluster.run(60)
    return cluster


SCENARIOS = {
    "ds_rolled": ds_rolled, "ds_mid_rollout": ds_mid_rollout, "ds_single": ds_single,
    "ds_on_delete": ds_on_delete, "sts_rolled": sts_rolled, "sts_mid_rollout": sts_mid_rollout,
    "sts_on_delete": sts_on_delete,
}

CASES = [
    # -- DaemonSet -----------------------------------------------------------------------------
    {"stem": "history_ds", "scenario": "ds_rolled", "command": "rollout history ds/agent"},
    {"stem": "history_ds_revision", "scenario": "ds_rolled", "command": "rollout history daemonset/agent --revision=1"},
    {"stem": "history_ds_missing_revision", "scenario": "ds_rolled",
     "command": "rollout history ds/agent --revision=7"},
    {"stem": "history_ds_yaml", "scenario": "ds_rolled", "command": "rollout history ds/agent -o yaml"},
    {"stem": "history_ds_revision_json", "scenario": "ds_rolled",
     "command": "rollout history ds/agent -o json --revision=1"},
    {"stem": "history_ds_name", "scenario": "ds_rolled", "command": "rollout history ds/agent -o name"},
    {"stem": "history_ds_jsonpath", "scenario": "ds_rolled",
     "command": "rollout history ds/agent -o jsonpath={.spec.template.spec.containers[0].image}"},
    {"stem": "undo_ds", "scenario": "ds_rolled", "scripted": {("PATCH", DS_PATH): "object"},
     "command": "rollout undo ds/agent"},
    {"stem": "undo_ds_to_current", "scenario": "ds_rolled", "command": "rollout undo ds/agent --to-revision=2"},
    {"stem": "undo_ds_missing_revision", "scenario": "ds_rolled", "command": "rollout undo ds/agent --to-revision=9"},
    {"stem": "undo_ds_dry_run", "scenario": "ds_rolled", "command": "rollout undo ds/agent --dry-run=client"},
    {"stem": "undo_ds_single_revision", "scenario": "ds_single", "command": "rollout undo ds/agent"},
    {"stem": "status_ds_done", "scenario": "ds_rolled", "command": "rollout status ds/agent"},
    {"stem": "status_ds_progress", "scenario": "ds_mid_rollout", "command": "rollout status ds/agent --watch=false"},
    {"stem": "status_ds_on_delete", "scenario": "ds_on_delete", "command": "rollout status ds/agent"},
    {"stem": "restart_ds", "scenario": "ds_rolled", "scripted": {("PATCH", DS_PATH): "object"},
     "command": "rollout restart ds/agent"},
    {"stem": "pause_ds", "scenario": "ds_rolled", "command": "rollout pause ds/agent"},
    {"stem": "resume_ds", "scenario": "ds_rolled", "command": "rollout resume ds/agent"},
    # -- StatefulSet ---------------------------------------------------------------------------
    {"stem": "history_sts", "scenario": "sts_rolled", "command": "rollout history sts/web"},
    {"stem": "history_sts_revision", "scenario": "sts_rolled", "command": "rollout history statefulset/web --revision=2"},
    {"stem": "history_sts_yaml_revision", "scenario": "sts_rolled",
     "command": "rollout history sts/web -o yaml --revision=1"},
    {"stem": "undo_sts", "scenario": "sts_rolled", "scripted": {("PATCH", STS_PATH): "object"},
     "command": "rollout undo sts/web"},
    {"stem": "undo_sts_to_current", "scenario": "sts_rolled", "command": "rollout undo sts/web --to-revision=2"},
    {"stem": "status_sts_done", "scenario": "sts_rolled", "command": "rollout status sts/web"},
    {"stem": "status_sts_progress", "scenario": "sts_mid_rollout", "command": "rollout status sts/web --watch=false"},
    {"stem": "status_sts_on_delete", "scenario": "sts_on_delete", "command": "rollout status sts/web"},
    {"stem": "restart_sts", "scenario": "sts_rolled", "scripted": {("PATCH", STS_PATH): "object"},
     "command": "rollout restart sts/web"},
    {"stem": "pause_sts", "scenario": "sts_rolled", "command": "rollout pause sts/web"},
]


def objects(cluster: labkube.Cluster) -> list[dict]:
    """What the oracle serves: the workloads, their revisions and pods."""
    out = []
    for resource, api_version, kind in (("daemonsets", "apps/v1", "DaemonSet"),
                                        ("statefulsets", "apps/v1", "StatefulSet"),
                                        ("controllerrevisions", "apps/v1", "ControllerRevision"),
                                        ("pods", "v1", "Pod")):
        for item in cluster.client.list(resource, "default")["items"]:
            out.append({"apiVersion": api_version, "kind": kind, **item})
    return out


def scripted_answers(case: dict, served: list[dict]) -> dict:
    """The case's scripted answers, ``"object"`` standing for the served workload itself."""
    answers = {}
    for key, body in case.get("scripted", {}).items():
        if body == "object":
            name = key[1].rsplit("/", 1)[1]
            body = next(o for o in served if o["metadata"]["name"] == name and o["kind"] in ("DaemonSet", "StatefulSet"))
        answers[key] = (200, body)
    return answers
