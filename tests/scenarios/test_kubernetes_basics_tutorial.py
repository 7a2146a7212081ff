"""The Kubernetes Basics tutorial (kubernetes.io/docs/tutorials/kubernetes-basics) works here.

It is the first tutorial most students follow. Its six modules deploy
``gcr.io/google-samples/kubernetes-bootcamp:v1``, explore the pod (logs, ``exec env``,
``curl localhost:8080``), expose it with a NodePort Service, scale it to four replicas, roll it
to ``docker.io/jocatalin/kubernetes-bootcamp:v2``, then to the missing tag ``v10`` and back with
``rollout undo``. Each test follows one module and checks what the tutorial shows the reader.
"""

import re

import pytest

import labkube
from labkube.runtime.sim.images import _js_date, _js_number

V1 = "gcr.io/google-samples/kubernetes-bootcamp:v1"
V2 = "docker.io/jocatalin/kubernetes-bootcamp:v2"
SERVICE_URL = "http://kubernetes-bootcamp.default.svc.cluster.local:8080/"


def _bootcamp(replicas=1):
    cluster = labkube.Cluster(nodes=2, seed=3)
    cluster.kubectl(f"create deployment kubernetes-bootcamp --image={V1}")
    if replicas != 1:
        cluster.kubectl(f"scale deployments/kubernetes-bootcamp --replicas={replicas}")
    cluster.run(60)
    return cluster


def _pod_names(cluster):
    return [p["metadata"]["name"] for p in cluster.list("pods", "default", label_selector="app=kubernetes-bootcamp")]


def test_the_app_starts_and_logs_when_and_where_it_started():
    cluster = _bootcamp()
    (pod,) = _pod_names(cluster)
    assert cluster.kubectl("get deployments").splitlines()[1].split()[:2] == ["kubernetes-bootcamp", "1/1"]
    log = cluster.kubectl(f"logs {pod}")
    assert re.fullmatch(r"Kubernetes Bootcamp App Started At: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
                        rf" \| Running On:  {pod} \n\n", log)


def test_exec_shows_the_node_image_environment_and_the_app_answering_on_8080():
    cluster = _bootcamp()
    (pod,) = _pod_names(cluster)
    env = cluster.kubectl(f"exec {pod} -- env").splitlines()
    assert f"HOSTNAME={pod}" in env and "NODE_VERSION=6.3.1" in env and "NPM_CONFIG_LOGLEVEL=info" in env
    assert "KUBERNETES_SERVICE_HOST=10.96.0.1" in env and "HOME=/root" in env
    answer = cluster.kubectl(f"exec {pod} -- curl -s http://localhost:8080")
    assert answer == f"Hello Kubernetes bootcamp! | Running on: {pod} | v=1\n"
    assert "Hello Kubernetes bootcamp! | Running on: " in cluster.kubectl(f"exec {pod} -- cat server.js")


def test_each_request_adds_a_log_line_counting_requests_and_uptime():
    cluster = _bootcamp()
    (pod,) = _pod_names(cluster)
    cluster.kubectl(f"exec {pod} -- curl -s http://localhost:8080")
    cluster.run(7)
    cluster.kubectl(f"exec {pod} -- curl -s http://localhost:8080/anything")
    lines = cluster.kubectl(f"logs {pod}").splitlines()[2:]
    first = re.fullmatch(rf"Running On: {pod} \| Total Requests: 1 \| App Uptime: ([\d.]+) seconds"
                         r" \| Log Time: \S+Z", lines[0])
    second = re.fullmatch(rf"Running On: {pod} \| Total Requests: 2 \| App Uptime: ([\d.]+) seconds"
                          r" \| Log Time: \S+Z", lines[1])
    assert first and second and len(lines) == 2
    assert round(float(second.group(1)) - float(first.group(1)), 3) == 7


def test_a_nodeport_service_balances_over_the_scaled_replicas():
    cluster = _bootcamp(replicas=4)
    assert cluster.kubectl("expose deployment/kubernetes-bootcamp --type=NodePort --port 8080") == \
        "service/kubernetes-bootcamp exposed\n"
    cluster.run(5)
    pods = set(_pod_names(cluster))
    answered = set()
    for _ in range(40):
        body = cluster.request(SERVICE_URL).body
        match = re.fullmatch(r"Hello Kubernetes bootcamp! \| Running on: (\S+) \| v=1\n", body)
        assert match, body
        answered.add(match.group(1))
    assert len(pods) == 4 and answered == pods


def test_the_rolling_update_to_v2_answers_v2_and_v10_fails_to_pull_until_undone():
    cluster = _bootcamp(replicas=4)
    cluster.kubectl("expose deployment/kubernetes-bootcamp --type=NodePort --port 8080")
    cluster.kubectl(f"set image deployments/kubernetes-bootcamp kubernetes-bootcamp={V2}")
    assert cluster.kubectl("rollout status deployments/kubernetes-bootcamp").endswith(
        'deployment "kubernetes-bootcamp" successfully rolled out\n')
    assert cluster.request(SERVICE_URL).body.endswith(" | v=2\n")

    bad = "gcr.io/google-samples/kubernetes-bootcamp:v10"
    cluster.kubectl(f"set image deployments/kubernetes-bootcamp kubernetes-bootcamp={bad}")
    cluster.run(30)
    waiting = [p for p in cluster.list("pods", "default", label_selector="app=kubernetes-bootcamp")
               if p["spec"]["containers"][0]["image"] == bad]
    assert waiting and all(
        p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] in ("ErrImagePull", "ImagePullBackOff")
        for p in waiting)
    assert f'Failed to pull image "{bad}"' in cluster.kubectl("get events")
    assert cluster.request(SERVICE_URL).body.endswith(" | v=2\n")  # v2 keeps serving meanwhile

    assert cluster.kubectl("rollout undo deployments/kubernetes-bootcamp") == \
        "deployment.apps/kubernetes-bootcamp rolled back\n"
    cluster.kubectl("rollout status deployments/kubernetes-bootcamp")
    cluster.run(40)
    images = {p["spec"]["containers"][0]["image"]
              for p in cluster.list("pods", "default", label_selector="app=kubernetes-bootcamp")}
    assert images == {V2}


def test_a_deleted_bootcamp_pod_takes_its_whole_grace_period():
    """``sh -c 'node server.js'`` is PID 1 and ignores SIGTERM: the kubelet's SIGKILL ends it."""
    cluster = _bootcamp()
    (pod,) = _pod_names(cluster)
    cluster.kubectl(f"delete pod {pod} --wait=false")
    cluster.run(29)
    assert cluster.client.get("pods", pod, "default")["metadata"].get("deletionTimestamp")
    cluster.run(3)
    assert pod not in _pod_names(cluster)


@pytest.mark.parametrize("image, answer", [
    ("gcr.io/google-samples/kubernetes-bootcamp:v1", "v=1"),
    ("docker.io/jocatalin/kubernetes-bootcamp:v1", "v=1"),
    ("docker.io/jocatalin/kubernetes-bootcamp:v2", "v=2"),
])
def test_each_tag_answers_with_its_own_version(image, answer):
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl(f"run app --image={image}")
    cluster.run(60)
    assert cluster.kubectl("exec app -- curl -s localhost:8080").endswith(f"| {answer}\n")


@pytest.mark.parametrize("image", ["gcr.io/google-samples/kubernetes-bootcamp:v2",
                                   "gcr.io/google-samples/kubernetes-bootcamp:v10"])
def test_tags_the_registry_does_not_have_fail_to_pull(image):
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl(f"run app --image={image}")
    cluster.run(30)
    state = cluster.client.get("pods", "app", "default")["status"]["containerStatuses"][0]["state"]
    assert state["waiting"]["reason"] in ("ErrImagePull", "ImagePullBackOff")


@pytest.mark.parametrize("millis, text", [
    (1735689634488, "2025-01-01T00:00:34.488Z"), (1735689600000, "2025-01-01T00:00:00.000Z"),
    (1735689600007, "2025-01-01T00:00:00.007Z")])
def test_node_prints_a_date_as_an_iso_string_with_milliseconds(millis, text):
    assert _js_date(millis) == text


@pytest.mark.parametrize("value, text", [(7.406, "7.406"), (7.4, "7.4"), (12.0, "12"), (0.001, "0.001")])
def test_node_prints_a_number_as_javascript_does(value, text):
    assert _js_number(value) == text
