"""A network partition runs both ways: the API server cannot reach a cut-off kubelet either.

``kubectl logs``, ``kubectl exec`` and metrics-server go from the control plane to the node's
kubelet (port 10250). A machine that is down refuses the connection; a partitioned one loses
the packets, so the dial times out. When the partition heals, both work again.
"""

import labkube

POD = """
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  nodeName: node-1
  containers:
  - name: nginx
    image: nginx:1.27
"""


def _cluster() -> labkube.Cluster:
    cluster = labkube.Cluster(nodes=2, seed=0)
    cluster.kubectl("apply -f -", stdin=POD)
    cluster.run(20)
    return cluster


TIMEOUT = ("Error from server (InternalError): Internal error occurred: error dialing backend: "
           "dial tcp node-1:10250: i/o timeout\n")


def test_logs_and_exec_of_a_pod_on_a_partitioned_node_time_out_and_work_again_after_healing():
    cluster = _cluster()
    cluster.partition_node("node-1")
    cluster.run(5)
    assert cluster.kubectl("logs web --tail=1") == TIMEOUT
    assert cluster.kubectl("exec web -- nginx -v") == TIMEOUT
    cluster.heal_partition("node-1")
    cluster.run(5)
    assert cluster.kubectl("exec web -- nginx -v") == "nginx version: nginx/1.27.0\n"


def test_a_failed_machine_refuses_the_connection():
    cluster = _cluster()
    cluster.fail_node("node-1")
    cluster.run(5)
    assert cluster.kubectl("exec web -- nginx -v").endswith("dial tcp node-1:10250: connect: connection refused\n")


def test_metrics_server_cannot_scrape_a_partitioned_node():
    cluster = _cluster()
    cluster.run(60)
    assert "node-1" in cluster.kubectl("top nodes")
    cluster.partition_node("node-1")
    cluster.run(5)
    rows = cluster.kubectl("top nodes").splitlines()
    # kubectl lists the nodes without metrics last, with <unknown> usage
    assert rows[1].startswith("node-2 ") and rows[2].split() == ["node-1"] + ["<unknown>"] * 4
