"""The same seed and the same calls give byte-identical results (DESIGN.md rule 6)."""

import json

import labkube

SCENARIO = [
    "create namespace dev",
    "create deployment web --image=nginx:1.27 --replicas=3",
    "create configmap settings --from-literal=color=blue",
    "create secret generic creds --from-literal=password=s3cret",
    "label deployment web tier=frontend",
    "get all -o wide",
    "get deployments -o yaml",
    "get namespaces --show-labels",
    "get nodes -o wide",
    "describe deployment web",
    "get configmap settings -o json",
]


def _run(seed):
    cluster = labkube.Cluster(nodes=3, seed=seed)
    outputs = []
    for step, command in enumerate(SCENARIO):
        outputs.append(cluster.kubectl(command))
        cluster.run(7 + step)
    cluster.apply(
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "job-"},
         "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    )
    outputs.append(cluster.kubectl("get pods -o yaml"))
    audit = [event.describe() for event in cluster.audit()]
    dump = [
        (kv.key, kv.value, kv.create_revision, kv.mod_revision, kv.version)
        for kv in cluster.store.range_prefix("/").kvs
    ]
    return outputs, audit, dump


def test_the_same_seed_gives_byte_identical_kubectl_text_audit_and_store():
    first, second = _run(seed=42), _run(seed=42)
    assert first[0] == second[0]
    assert first[1] == second[1]
    assert first[2] == second[2]


def test_a_different_seed_changes_generated_names_and_uids():
    first, other = _run(seed=1), _run(seed=2)
    assert first[2] != other[2]


def test_uids_and_generated_names_come_from_the_seed():
    a = labkube.Cluster(nodes=1, seed=5)
    b = labkube.Cluster(nodes=1, seed=5)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "x-"},
           "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    made_a, made_b = a.create(pod)[0], b.create(pod)[0]
    assert made_a["metadata"]["name"] == made_b["metadata"]["name"]
    assert made_a["metadata"]["uid"] == made_b["metadata"]["uid"]
    assert json.dumps(made_a, sort_keys=True) == json.dumps(made_b, sort_keys=True)


def _living(seed):
    cluster = labkube.Cluster(nodes=3, seed=seed)
    cluster.kubectl("create deployment web --image=nginx:1.27 --replicas=4")
    cluster.run(30)
    cluster.fail_node("node-2")
    cluster.run(400)
    events = cluster.kubectl("get events -A -o yaml")
    pods = cluster.kubectl("get pods -o wide")
    decisions = [
        cluster.scheduling_decision(p["metadata"]["name"]).to_dict()
        for p in cluster.list("pods", label_selector="app=web")
        if cluster.scheduling_decision(p["metadata"]["name"]) is not None
    ]
    return events, pods, json.dumps(decisions, sort_keys=True)


def test_a_living_cluster_gives_byte_identical_events_pods_and_decisions_for_a_seed():
    assert _living(7) == _living(7)
