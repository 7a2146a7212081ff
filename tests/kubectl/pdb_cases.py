"""PodDisruptionBudget cases whose output the REAL kubectl 1.32 printed (``capture_pdb.py``) and
labkube must print byte for byte (``test_pdb_oracle.py``):

* ``GENERATORS``: ``kubectl create poddisruptionbudget|pdb`` with ``--dry-run=client``;
* a scenario (``build``/``objects``/``COMMANDS``): budgets over a Deployment, a StatefulSet-free
  selector and a Job, served to kubectl for ``get pdb`` and ``describe pdb``;
* ``DRAINS``: ``kubectl drain`` against an oracle that answers the eviction with the status
  kube-apiserver sends (429 with the DisruptionBudget cause, or the 500 for two budgets); the
  same command runs on a labkube cluster (``drain_cluster``) whose budget refuses for real.
"""

from __future__ import annotations

from pathlib import Path

import labkube

GOLDEN = Path(__file__).resolve().parent / "golden_pdb"

GENERATORS = [
    ("create_min_available", "create pdb my-pdb --selector=app=rails --min-available=1 --dry-run=client -o yaml"),
    ("create_max_unavailable_json", "create poddisruptionbudget my-pdb --selector=app=nginx,env=prod "
                                    "--max-unavailable=50% -n team --dry-run=client -o json"),
    ("create_set_selector", "create pdb p --selector='a in (x,y),!b' --min-available=0% --dry-run=client -o yaml"),
    ("create_name_output", "create pdb p --selector=app=a --min-available=1 --dry-run=client -o name"),
    ("create_no_selector", "create pdb p --min-available=1 --dry-run=client -o yaml"),
    ("create_no_number", "create pdb p --selector=app=a --dry-run=client -o yaml"),
    ("create_both_numbers", "create pdb p --selector=app=a --min-available=1 --max-unavailable=1 --dry-run=client"),
    ("create_bad_min", "create pdb p --selector=app=a --min-available=1Gb --dry-run=client"),
    ("create_bad_max", "create pdb p --selector=app=a --max-unavailable=x --dry-run=client"),
    ("create_bad_selector", "create pdb p --min-available=1 --selector='a b' --dry-run=client"),
    ("create_not_equals_selector", "create pdb p --min-available=1 --selector='a!=b' --dry-run=client"),
    ("create_no_name", "create pdb --min-available=1 --dry-run=client"),
]

#: golden stem -> kubectl arguments (the scenario)
COMMANDS = {
    "get_pdb": ["get", "pdb"],
    "get_pdb_wide": ["get", "poddisruptionbudgets", "-o", "wide"],
    "get_pdb_all_namespaces": ["get", "pdb", "-A"],
    "describe_pdb_web": ["describe", "pdb", "web"],
    "describe_pdb_half": ["describe", "pdb", "half"],
    "describe_pdb_nothing": ["describe", "pdb", "nothing"],
    "describe_pdb_everything": ["describe", "pdb", "everything", "-n", "quiet"],
    "describe_pdb_batch": ["describe", "pdb", "batch"],
}


def _pdb(name, selector, **spec):
    obj = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name}, "spec": spec}
    if selector is not None:
        obj["spec"]["selector"] = selector
    return obj


WEB = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
       "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}}
BATCH = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "batch"},
         "spec": {"template": {"metadata": {"labels": {"app": "batch"}}, "spec": {
             "containers": [{"name": "c", "image": "busybox:1.36", "command": ["sleep", "600"]}],
             "restartPolicy": "Never"}}}}


def build() -> labkube.Cluster:
    """web: minAvailable 2 of 3; half: maxUnavailable 50% of api's 4; nothing: no
    selector; batch: the Job's pods (SyncFailed); in namespace quiet, everything: the empty
    selector ``{}`` over no pods."""
    cluster = labkube.Cluster(nodes=2, seed=0)
    cluster.apply(WEB)
    cluster.apply(BATCH)
    cluster.apply(_pdb("web", {"matchLabels": {"app": "web"}}, minAvailable=2))
    cluster.apply({**WEB, "metadata": {"name": "api"}, "spec": {
        **WEB["spec"], "replicas": 4, "selector": {"matchLabels": {"app": "api"}},
        "template": {**WEB["spec"]["template"], "metadata": {"labels": {"app": "api"}}}}})
    cluster.apply(_pdb("half", {"matchExpressions": [{"key": "app", "operator": "In", "values": ["api"]}]},
                       maxUnavailable="50%"))
    cluster.apply(_pdb("nothing", None, minAvailable=1))
    cluster.kubectl("create namespace quiet")  # an empty selector elsewhere would pick every pod
    cluster.apply(_pdb("everything", {}, maxUnavailable=1), namespace="quiet")
    cluster.apply(_pdb("batch", {"matchLabels": {"app": "batch"}}, maxUnavailable=1))
    cluster.run(30)
    return cluster


def objects(cluster: labkube.Cluster) -> list[dict]:
    """What the oracle API server serves: the budgets and the events."""
    out = []
    for resource, api_version, kind in (("poddisruptionbudgets", "policy/v1", "PodDisruptionBudget"),
                                        ("events", "v1", "Event")):
        for namespace in ("default", "quiet"):
            for item in cluster.client.list(resource, namespace)["items"]:
                out.append({"apiVersion": api_version, "kind": kind, **item})
    return out


# -- drain ------------------------------------------------------------------------------------

NODE_PATH = "/api/v1/nodes/node-1"
EVICTION_PATH = "/api/v1/namespaces/default/pods/web-abc/eviction"
REFUSED = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "message": "Cannot evict pod as it would violate the pod's disruption budget.",
           "reason": "TooManyRequests", "details": {"causes": [
               {"reason": "DisruptionBudget", "message": "The disruption budget web needs 1 healthy pods and has 1 currently"}]},
           "code": 429}
TWO_BUDGETS = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
               "code": 500}


def _node(unschedulable=False):
    spec = {"unschedulable": True} if unschedulable else {}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1", "uid": "node-uid",
                                                             "creationTimestamp": "2025-01-01T00:00:00Z"},
            "spec": spec}


def _pod():
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-abc", "namespace": "default", "uid": "pod-web-abc", "labels": {"app": "web"},
                         "creationTimestamp": "2025-01-01T00:00:00Z",
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web",
                                              "uid": "rs-web", "controller": True}]},
            "spec": {"nodeName": "node-1", "containers": [{"name": "nginx", "image": "nginx"}]},
            "status": {"phase": "Running"}}


DRAINS = [
    {"stem": "drain_budget_refuses_until_timeout", "command": "drain node-1 --timeout=7s", "budgets": 1,
     "objects": [_node(), _pod()],
     "scripted": {("PATCH", NODE_PATH): (200, _node(True)), ("POST", EVICTION_PATH): (429, REFUSED)}},
    {"stem": "drain_two_budgets", "command": "drain node-1", "budgets": 2,
     "objects": [_node(), _pod()],
     "scripted": {("PATCH", NODE_PATH): (200, _node(True)), ("POST", EVICTION_PATH): (500, TWO_BUDGETS)}},
]


def drain_cluster(case: dict) -> labkube.Cluster:
    """node-1 runs web-abc of the ReplicaSet web (one replica) and ``budgets`` budgets
    with ``minAvailable: 1`` select it: the eviction is refused for real."""
    cluster = labkube.Cluster(nodes=1, seed=0)
    # The scripted oracle's node runs web-abc alone: no CoreDNS pods to evict, no kube-proxy pod
    # for drain to refuse (the oracle serves no DaemonSet).
    cluster.kubectl("scale deployment coredns -n kube-system --replicas=0")
    cluster.kubectl("delete daemonset kube-proxy -n kube-system")
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-abc", "labels": {"app": "web"}},
                   "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}})
    cluster.apply({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"},
                   "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                            "template": {"metadata": {"labels": {"app": "web"}},
                                         "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}})
    for i in range(case["budgets"]):
        cluster.apply(_pdb("web" if i == 0 else f"web-{i}", {"matchLabels": {"app": "web"}}, minAvailable=1))
    cluster.run(20)
    return cluster
