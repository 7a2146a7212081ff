"""Configuration reaching containers: env, envFrom, the downward API, volumes, missing objects."""

from tests.core.kubelet.harness import Node, simple_pod


def configmap(node, name, data, namespace="default"):
    node.admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": name, "namespace": namespace}, "data": data})


def test_a_missing_configmap_in_env_leaves_the_container_in_create_container_config_error():
    node = Node()
    pod = simple_pod("cfg", "busybox:1.28", command=["sh", "-c", "sleep 3600"],
                     env=[{"name": "COLOR", "valueFrom": {"configMapKeyRef": {"name": "x", "key": "color"}}}])
    node.create(pod)
    node.run(3)
    assert node.container("cfg")["state"]["waiting"] == {
        "reason": "CreateContainerConfigError", "message": 'configmap "x" not found'}
    assert ("Failed", 'Error: configmap "x" not found') in node.reasons("cfg")
    assert node.pod("cfg")["status"]["phase"] == "Pending"
    configmap(node, "x", {"color": "blue"})
    node.run(12)
    assert list(node.container("cfg")["state"]) == ["running"]


def test_a_missing_configmap_volume_keeps_the_pod_in_container_creating_with_failed_mount():
    node = Node()
    pod = simple_pod("vol", "busybox:1.28", command=["sh", "-c", "sleep 3600"],
                     volumeMounts=[{"name": "config", "mountPath": "/etc/config"}])
    pod["spec"]["volumes"] = [{"name": "config", "configMap": {"name": "x"}}]
    node.create(pod)
    node.run(5)
    assert node.container("vol")["state"]["waiting"] == {"reason": "ContainerCreating"}
    failed = [e for e in node.events("vol") if e["reason"] == "FailedMount"]
    assert failed[0]["message"] == 'MountVolume.SetUp failed for volume "config" : configmap "x" not found'
    assert failed[0]["type"] == "Warning" and failed[0]["count"] > 1
    configmap(node, "x", {"game.properties": "lives=3\n"})
    node.run(10)
    assert list(node.container("vol")["state"]) == ["running"]


def test_env_from_a_configmap_and_literal_values_with_dependent_expansion_reach_the_process():
    node = Node()
    configmap(node, "special-config", {"SPECIAL_LEVEL": "very", "SPECIAL_TYPE": "charm"})
    pod = simple_pod("envs", "busybox:1.28", command=["sh", "-c", "env"],
                     envFrom=[{"configMapRef": {"name": "special-config"}, "prefix": "CFG_"}],
                     env=[{"name": "GREETING", "value": "hello"},
                          {"name": "MESSAGE", "value": "$(GREETING) world, $$(GREETING) stays, $(NOPE) too"}])
    pod["spec"]["restartPolicy"] = "Never"
    node.create(pod)
    node.run(5)
    logs = node.kubelet.logs("default", "envs")
    assert "CFG_SPECIAL_LEVEL=very\n" in logs and "CFG_SPECIAL_TYPE=charm\n" in logs
    assert "MESSAGE=hello world, $(GREETING) stays, $(NOPE) too\n" in logs
    assert "KUBERNETES_SERVICE_HOST=10.96.0.1\n" in logs
    assert "KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443\n" in logs


def test_the_downward_api_env_example_prints_node_pod_namespace_ip_and_service_account():
    node = Node()
    node.doc("pods/inject/dapi-envars-pod.yaml")
    node.run(5)
    logs = node.kubelet.logs("default", "dapi-envars-fieldref")
    assert logs == "\nnode-1\ndapi-envars-fieldref\ndefault\n10.244.1.2\ndefault\n"


def test_secret_env_values_are_decoded():
    node = Node()
    node.admin.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "backend-user", "namespace": "default"},
                       "data": {"backend-username": "YmFja2VuZC1hZG1pbg=="}})
    pod = simple_pod("sec", "busybox:1.28", command=["sh", "-c", "echo $SECRET_USERNAME"],
                     env=[{"name": "SECRET_USERNAME",
                           "valueFrom": {"secretKeyRef": {"name": "backend-user", "key": "backend-username"}}}])
    pod["spec"]["restartPolicy"] = "Never"
    node.create(pod)
    node.run(5)
    assert node.kubelet.logs("default", "sec") == "backend-admin\n"


def test_a_configmap_volume_shows_one_file_per_key_and_the_token_volume_its_three_files():
    node = Node()
    configmap(node, "game", {"lives": "3"})
    pod = simple_pod("files", "busybox:1.28",
                     command=["sh", "-c", "cat /etc/game/lives; echo; cat /var/run/secrets/kubernetes.io/serviceaccount/namespace"],
                     volumeMounts=[{"name": "game", "mountPath": "/etc/game"}])
    pod["spec"]["volumes"] = [{"name": "game", "configMap": {"name": "game"}}]
    pod["spec"]["restartPolicy"] = "Never"
    node.create(pod)
    node.run(5)
    assert node.kubelet.logs("default", "files") == "3\ndefault"


def test_an_empty_dir_is_shared_by_the_containers_of_a_pod():
    node = Node()
    node.doc("pods/two-container-pod.yaml")
    node.run(10)
    logs = node.kubelet.logs("default", "two-containers", "nginx-container")
    pod = node.pod("two-containers")
    debian = {s["name"]: s for s in pod["status"]["containerStatuses"]}["debian-container"]
    assert debian["state"]["terminated"]["reason"] == "Completed"
    worker = node.kubelet.worker_for("default", "two-containers")
    assert worker.volumes.volumes["shared-data"].read("index.html") == b"Hello from the debian container\n"


def test_resource_field_refs_divide_and_round_up():
    node = Node()
    pod = simple_pod("res", "busybox:1.28", command=["sh", "-c", "echo $CPU $MEM $LIMITLESS"],
                     resources={"limits": {"cpu": "500m", "memory": "64Mi"}},
                     env=[{"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1"}}},
                          {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
                          {"name": "LIMITLESS", "valueFrom": {"resourceFieldRef": {"resource": "requests.cpu", "divisor": "1m"}}}])
    pod["spec"]["restartPolicy"] = "Never"
    node.create(pod)
    node.run(5)
    assert node.kubelet.logs("default", "res") == "1 64 500\n"
