"""Components read what they watch from their informers instead of asking the API server.

Real kubelets and controllers answer most questions from their caches (the kubelet's node and
service listers, the garbage collector's graph); only changes reach the API server. These
scenarios read the audit log: which requests did a pod's start cost, and who made them?
"""

import labkube

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
}


def _requests_after_start(seed=0):
    cluster = labkube.Cluster(nodes=2, seed=seed)
    cluster.run(30)
    since = cluster.audit()[-1].seq
    cluster.apply(DEPLOYMENT)
    cluster.run(60)
    return cluster, [r for r in cluster.audit(since)]


def test_a_kubelet_admits_a_pod_and_builds_its_environment_from_its_informers():
    cluster, requests = _requests_after_start()
    assert len([p for p in cluster.list("pods") if p["status"].get("phase") == "Running"]) == 3
    kubelet = [r for r in requests if r.user.startswith("system:node:")]
    node_gets = [r for r in kubelet if (r.verb, r.resource) == ("get", "nodes")]
    status_writes = [r for r in kubelet if (r.verb, r.resource, r.subresource) == ("patch", "nodes", "status")]
    # The only reads of the Node are tryUpdateNodeStatus's (a GET, then the PATCH); admission
    # asks the node informer.
    assert len(node_gets) == len(status_writes)
    assert not [r for r in kubelet if (r.verb, r.resource) == ("list", "services")]  # the lister


def test_the_garbage_collector_leaves_dependents_of_live_owners_alone():
    _, requests = _requests_after_start()
    gc = [r for r in requests if r.user == "system:serviceaccount:kube-system:generic-garbage-collector"]
    assert gc == []  # a ReplicaSet and three pods, every owner alive: nothing to check


def test_service_variables_still_name_every_service_of_the_namespace():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db"},
                   "spec": {"selector": {"app": "db"}, "ports": [{"port": 5432}]}})
    cluster.run(1)
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "env"},
                   "spec": {"restartPolicy": "Never",
                            "containers": [{"name": "c", "image": "busybox", "command": ["env"]}]}})
    cluster.run(60)
    logs = cluster.logs("env")
    assert "DB_SERVICE_HOST=" in logs and "KUBERNETES_SERVICE_HOST=10.96.0.1" in logs
