"""busybox ``ping`` in simulated pods: pods and nodes answer, a ClusterIP does not, names go
through the pod's resolver; and the kubernetes.io example "Job with Pod-to-Pod Communication"
(an Indexed Job whose pods ping each other through a headless Service) succeeds."""

import pytest

import labkube

P2P = """
apiVersion: v1
kind: Service
metadata:
  name: headless-svc
spec:
  clusterIP: None # clusterIP must be None to create a headless service
  selector:
    job-name: example-job # must match Job name
---
apiVersion: batch/v1
kind: Job
metadata:
  name: example-job
spec:
  completions: 3
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      subdomain: headless-svc # has to match Service name
      restartPolicy: Never
      containers:
      - name: example-workload
        image: bash:latest
        command:
        - bash
        - -c
        - |
          for i in 0 1 2
          do
            gotStatus="-1"
            wantStatus="0"
            while [ $gotStatus -ne $wantStatus ]
            do
              ping -c 1 example-job-${i}.headless-svc > /dev/null 2>&1
              gotStatus=$?
              if [ $gotStatus -ne $wantStatus ]; then
                echo "Failed to ping pod example-job-${i}.headless-svc, retrying in 1 second..."
                sleep 1
              fi
            done
            echo "Successfully pinged pod: example-job-${i}.headless-svc"
          done
"""


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=2, seed=4) as c:
        c.kubectl("run a --image=busybox:1.36 --overrides="
                  "'{\"spec\":{\"nodeName\":\"node-1\"}}' -- sleep 3600")
        c.kubectl("run b --image=busybox:1.36 --overrides="
                  "'{\"spec\":{\"nodeName\":\"node-1\"}}' -- sleep 3600")
        c.kubectl("run c --image=busybox:1.36 --overrides="
                  "'{\"spec\":{\"nodeName\":\"node-2\"}}' -- sleep 3600")
        c.run(10)
        yield c


def ip_of(cluster, name):
    return cluster.get("pod", name)["status"]["podIP"]


def exec_in(cluster, pod, script):
    return cluster.kubectl(["exec", pod, "--", "sh", "-c", script])


def test_a_pod_on_the_same_node_answers_one_hop_away(cluster):
    ip = ip_of(cluster, "b")
    assert exec_in(cluster, "a", f"ping -c 2 {ip}") == (
        f"PING {ip} ({ip}): 56 data bytes\n"
        f"64 bytes from {ip}: seq=0 ttl=63 time=0.058 ms\n"
        f"64 bytes from {ip}: seq=1 ttl=63 time=0.058 ms\n\n"
        f"--- {ip} ping statistics ---\n"
        "2 packets transmitted, 2 packets received, 0% packet loss\n"
        "round-trip min/avg/max = 0.058/0.058/0.058 ms\n")


def test_a_pod_on_another_node_is_two_hops_away(cluster):
    ip = ip_of(cluster, "c")
    assert f"64 bytes from {ip}: seq=0 ttl=62 time=0.214 ms\n" in exec_in(cluster, "a", f"ping -c 1 {ip}")


def test_a_cluster_ip_never_answers(cluster):
    before = cluster.clock.now()
    out = exec_in(cluster, "a", "ping -c 1 kubernetes.default")
    assert out == ("PING kubernetes.default (10.96.0.1): 56 data bytes\n\n"
                   "--- kubernetes.default ping statistics ---\n"
                   "1 packets transmitted, 0 packets received, 100% packet loss\n"
                   "command terminated with exit code 1\n")
    assert cluster.clock.now() - before >= 10  # the first response is awaited for 10 s


def test_an_unknown_name_is_a_bad_address(cluster):
    assert exec_in(cluster, "a", "ping -c 1 nope") == "ping: bad address 'nope'\ncommand terminated with exit code 1\n"


def test_ping_counts_one_echo_per_second_until_the_deadline(cluster):
    out = exec_in(cluster, "a", "ping -q -w 3 127.0.0.1")
    assert out.endswith("3 packets transmitted, 3 packets received, 0% packet loss\n"
                        "round-trip min/avg/max = 0.031/0.031/0.031 ms\n")


def test_the_documentations_pod_to_pod_job_pings_every_index_and_completes(cluster):
    cluster.kubectl("apply -f -", stdin=P2P)
    cluster.run(60)
    status = cluster.get("job", "example-job")["status"]
    assert status["completedIndexes"] == "0-2" and [c["type"] for c in status["conditions"]][-1] == "Complete"
    for pod in cluster.list("pods", label_selector="job-name=example-job"):
        logs = cluster.kubectl(f"logs {pod['metadata']['name']}")
        assert logs.endswith("Successfully pinged pod: example-job-0.headless-svc\n"
                             "Successfully pinged pod: example-job-1.headless-svc\n"
                             "Successfully pinged pod: example-job-2.headless-svc\n")
