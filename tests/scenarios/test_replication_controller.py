"""The docs page "ReplicationController" (content/en/docs/concepts/workloads/controllers/
replicationcontroller.md) on a 3-node simulated cluster, step by step: its replication.yaml
reaches three Running nginx pods (``0 Running / 3 Waiting`` first, while the images pull), a
deleted pod is replaced, ``kubectl scale rc`` scales, ``kubectl delete --cascade=orphan`` leaves
the pods and a new RC with the same selector adopts them, relabelling a pod isolates it, and
``kubectl delete rc`` without a flag takes the pods with it."""

import pytest

import labkube
from tests.kubectl.rc_cases import DOCS_REPLICATION


def _status_lines(cluster):
    text = cluster.kubectl("describe replicationcontrollers/nginx")
    return [line for line in text.splitlines() if line.startswith(("Replicas:", "Pods Status:"))]


def _nginx_pods(cluster):
    return cluster.list("pods", "default", label_selector="app=nginx")


def _running(pods):
    return [p for p in pods if p["status"].get("phase") == "Running"]


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=3, seed=0) as c:
        assert c.kubectl("apply -f -", stdin=DOCS_REPLICATION) == "replicationcontroller/nginx created\n"
        yield c


def test_the_docs_example_shows_three_waiting_pods_then_three_running(cluster):
    cluster.run(1)
    assert _status_lines(cluster) == ["Replicas:     3 current / 3 desired",
                                      "Pods Status:  0 Running / 3 Waiting / 0 Succeeded / 0 Failed"]
    cluster.run(30)
    assert _status_lines(cluster) == ["Replicas:     3 current / 3 desired",
                                      "Pods Status:  3 Running / 0 Waiting / 0 Succeeded / 0 Failed"]
    names = cluster.kubectl("get pods --selector=app=nginx --output=jsonpath={.items..metadata.name}").split()
    assert len(names) == 3 and all(name.startswith("nginx-") for name in names)
    created = [e for e in cluster.list("events", "default") if e["reason"] == "SuccessfulCreate"
               and e["involvedObject"]["kind"] == "ReplicationController"]
    assert sorted(e["message"] for e in created) == sorted(f"Created pod: {n}" for n in names)
    assert {e["source"]["component"] for e in created} == {"replication-controller"}


def test_a_deleted_pod_is_replaced(cluster):
    cluster.run(30)
    victim = _nginx_pods(cluster)[0]["metadata"]["name"]
    cluster.kubectl(f"delete pod {victim}")
    cluster.run(30)
    pods = _running(_nginx_pods(cluster))
    assert len(pods) == 3 and victim not in [p["metadata"]["name"] for p in pods]


def test_kubectl_scale_rc_adds_and_removes_pods(cluster):
    cluster.run(30)
    assert cluster.kubectl("scale rc nginx --replicas=5") == "replicationcontroller/nginx scaled\n"
    cluster.run(30)
    assert len(_running(_nginx_pods(cluster))) == 5
    assert cluster.get("rc", "nginx")["status"]["readyReplicas"] == 5
    cluster.kubectl("scale rc nginx --replicas=1")
    cluster.run(60)
    assert len(_nginx_pods(cluster)) == 1


def test_deleting_with_cascade_orphan_leaves_the_pods_and_a_new_rc_adopts_them(cluster):
    cluster.run(30)
    before = sorted(p["metadata"]["name"] for p in _nginx_pods(cluster))
    assert cluster.kubectl("delete rc nginx --cascade=orphan") == 'replicationcontroller "nginx" deleted\n'
    cluster.run(30)
    orphans = _nginx_pods(cluster)
    assert sorted(p["metadata"]["name"] for p in orphans) == before
    assert all(not p["metadata"].get("ownerReferences") for p in orphans)
    cluster.kubectl("apply -f -", stdin=DOCS_REPLICATION)
    cluster.run(10)
    new_uid = cluster.get("rc", "nginx")["metadata"]["uid"]
    adopted = _nginx_pods(cluster)
    assert sorted(p["metadata"]["name"] for p in adopted) == before  # adopted, none created
    assert {p["metadata"]["ownerReferences"][0]["uid"] for p in adopted} == {new_uid}


def test_a_relabelled_pod_is_isolated_and_replaced(cluster):
    cluster.run(30)
    isolated = _nginx_pods(cluster)[0]["metadata"]["name"]
    cluster.kubectl(f"label pod {isolated} app=debug --overwrite")
    cluster.run(30)
    assert not cluster.get("pod", isolated)["metadata"].get("ownerReferences")
    assert len(_running(_nginx_pods(cluster))) == 3


def test_kubectl_delete_rc_takes_its_pods_with_it(cluster):
    cluster.run(30)
    cluster.kubectl("delete rc nginx")
    cluster.run(60)
    assert _nginx_pods(cluster) == []


def test_get_all_lists_the_rc_between_pods_and_services(cluster):
    cluster.run(30)
    text = cluster.kubectl("get all")
    assert text.index("pod/nginx-") < text.index("replicationcontroller/nginx") < text.index("service/kubernetes")
    assert "NAME                          DESIRED   CURRENT   READY   AGE\n" in text


def test_the_docs_manifest_comes_back_with_the_defaults_the_conformance_check_expects(cluster):
    import yaml

    from tests.scenarios.test_conformance import _check_defaults

    docs = yaml.safe_load(DOCS_REPLICATION)
    docs["metadata"]["name"] = "copy"  # the conformance check looks at the create response
    _check_defaults(docs, cluster.apply(docs)[0])
    template = {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t"},
                "template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}}
    _check_defaults(template, cluster.apply(template)[0])
