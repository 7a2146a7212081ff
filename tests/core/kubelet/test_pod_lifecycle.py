"""A pod on a kubelet: from Pending to Running and Ready, with the kubelet's events in order."""

from tests.core.kubelet.harness import Node, simple_pod


def test_a_pod_reaches_running_and_ready_with_pull_create_start_events_in_order():
    node = Node()
    node.create(simple_pod("web", "nginx", cname="nginx"))
    node.run(10)
    pod = node.pod("web")
    assert pod["status"]["phase"] == "Running"
    assert node.condition("web", "Ready")["status"] == "True"
    assert [r for r, _ in node.reasons("web")] == ["Pulling", "Pulled", "Created", "Started"]
    messages = [m for _, m in node.reasons("web")]
    assert messages[0] == 'Pulling image "nginx"'
    assert messages[1] == ('Successfully pulled image "nginx" in 4.1s (4.1s including waiting). '
                           "Image size: 75497472 bytes.")
    assert messages[2:] == ["Created container nginx", "Started container nginx"]


def test_kubelet_events_name_the_container_and_the_node():
    node = Node()
    node.create(simple_pod("web", "nginx", cname="nginx"))
    node.run(10)
    event = node.events("web")[-1]
    assert event["involvedObject"]["fieldPath"] == "spec.containers{nginx}"
    assert event["source"] == {"component": "kubelet", "host": "node-1"}


def test_while_the_image_is_pulled_the_pod_is_pending_in_container_creating_without_an_ip_yet():
    # The sync that creates the sandbox wrote the status before it, then waits for the pull:
    # the IP and PodReadyToStartContainers=True come with the next sync's status, once the
    # container started (Kubernetes 1.32; a later release reports the sandbox before pulling).
    node = Node()
    node.create(simple_pod("web", "nginx"))
    node.run(1)
    status = node.pod("web")["status"]
    assert status["phase"] == "Pending"
    assert status["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert "podIP" not in status and status["hostIP"] == "172.18.0.2"
    assert node.condition("web", "PodReadyToStartContainers")["status"] == "False"
    assert node.condition("web", "Ready")["message"] == "containers with unready status: [app]"
    node.run_until(lambda: "running" in node.container("web")["state"], 30)
    assert node.pod("web")["status"]["podIP"] == "10.244.1.2"
    assert node.condition("web", "PodReadyToStartContainers")["status"] == "True"


def test_the_running_container_status_carries_runtime_ids_and_the_full_image_name():
    node = Node()
    node.create(simple_pod("web", "nginx:1.14.2"))
    node.run(10)
    cs = node.container("web")
    assert cs["containerID"].startswith("containerd://")
    assert cs["image"] == "docker.io/library/nginx:1.14.2"
    assert cs["imageID"].startswith("docker.io/library/nginx@sha256:")
    assert (cs["ready"], cs["started"], cs["restartCount"]) == (True, True, 0)
    assert list(cs["state"]) == ["running"]


def test_a_second_pod_with_a_present_image_gets_the_already_present_event():
    node = Node()
    node.create(simple_pod("one", "nginx:1.14.2"))
    node.run(10)
    node.create(simple_pod("two", "nginx:1.14.2"))
    node.run(2)
    assert node.reasons("two")[0] == ("Pulled", 'Container image "nginx:1.14.2" already present on machine')
    assert node.pod("two")["status"]["podIP"] == "10.244.1.3"


def test_conditions_are_listed_kubelet_first_with_pod_scheduled_kept():
    node = Node()
    node.admin.create({**simple_pod("web"), "metadata": {"name": "web", "namespace": "default"}})
    node.admin.create({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "web", "namespace": "default"},
                       "target": {"apiVersion": "v1", "kind": "Node", "name": "node-1"}},
                      subresource="binding")
    node.run(10)
    types = [c["type"] for c in node.pod("web")["status"]["conditions"]]
    assert types == ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]


def test_a_pod_bound_to_another_node_is_not_run_by_this_kubelet():
    node = Node()
    node.create(simple_pod("elsewhere"), node="node-2")
    node.run(10)
    assert "containerStatuses" not in node.pod("elsewhere")["status"]


def test_init_containers_run_one_at_a_time_before_the_app_container():
    node = Node()
    node.create({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "init"},
        "spec": {
            "initContainers": [
                {"name": "first", "image": "busybox:1.28", "command": ["sh", "-c", "sleep 5"]},
                {"name": "second", "image": "busybox:1.28", "command": ["sh", "-c", "sleep 5"]},
            ],
            "containers": [{"name": "app", "image": "busybox:1.28", "command": ["sh", "-c", "sleep 3600"]}],
        },
    })
    node.run(2)
    status = node.pod("init")["status"]
    assert status["phase"] == "Pending"
    assert [list(s["state"]) for s in status["initContainerStatuses"]] == [["running"], ["waiting"]]
    assert status["initContainerStatuses"][1]["state"]["waiting"]["reason"] == "PodInitializing"
    assert status["containerStatuses"][0]["state"]["waiting"]["reason"] == "PodInitializing"
    initialized = node.condition("init", "Initialized")
    assert (initialized["reason"], initialized["message"]) == (
        "ContainersNotInitialized", "containers with incomplete status: [first second]")
    node.run(6)
    status = node.pod("init")["status"]
    first = status["initContainerStatuses"][0]["state"]["terminated"]
    assert (first["exitCode"], first["reason"]) == (0, "Completed")
    assert list(status["initContainerStatuses"][1]["state"]) == ["running"]
    node.run(10)
    assert node.pod("init")["status"]["phase"] == "Running"
    assert node.condition("init", "Initialized")["status"] == "True"
    started = [m for r, m in node.reasons("init") if r == "Started"]
    assert started == ["Started container first", "Started container second", "Started container app"]


def test_commands_yaml_prints_its_environment_and_completes():
    node = Node()
    node.doc("pods/commands.yaml")
    node.run(30)
    status = node.pod("command-demo")["status"]
    assert status["phase"] == "Succeeded"
    terminated = status["containerStatuses"][0]["state"]["terminated"]
    assert (terminated["reason"], terminated["exitCode"]) == ("Completed", 0)
    assert node.kubelet.logs("default", "command-demo") == "command-demo\ntcp://10.96.0.1:443\n"
    ready = node.condition("command-demo", "Ready")
    assert (ready["status"], ready["reason"]) == ("False", "PodCompleted")


def test_a_running_pods_volumes_follow_the_pod_the_kubelet_holds_and_keep_no_old_copy():
    node = Node()
    node.create(simple_pod("web", "nginx"))
    node.run(10)
    [worker] = node.kubelet.workers.values()
    assert node.pod("web")["status"]["phase"] == "Running"
    # Mounted at the first sync; the pod has changed since (status writes, new versions from
    # the informer). An old version kept by the volumes would be a second copy of the pod.
    assert worker.volumes.pod is worker.pod
    assert worker.pod is node.kubelet.pods.get("default/web")
