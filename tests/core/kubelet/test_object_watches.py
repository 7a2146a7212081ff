"""The kubelet's ConfigMaps and Secrets come from one watch per object its pods use (the
``Watch`` change-detection strategy), not from a GET at every pod start."""

import json

import pytest

import labkube
from labkube.core.errors import StatusError
from labkube.core.kubelet.objects import ObjectNotRegistered, configmap_names, secret_names
from labkube.core.kubelet.volumes import current_payload
from tests.core.kubelet.harness import NODE, Node, simple_pod

KUBELET = f"system:node:{NODE}"


def configmap(node, name, data, **extra):
    return node.admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                              "metadata": {"name": name, "namespace": "default"}, "data": data, **extra})


def secret(node, name, data):
    return node.admin.create({"apiVersion": "v1", "kind": "Secret",
                              "metadata": {"name": name, "namespace": "default"}, "data": data})


def env_pod(name, kind="configMapKeyRef", ref="x", key="color", **ref_extra):
    return simple_pod(name, "busybox:1.28", command=["sh", "-c", "sleep 3600"],
                      env=[{"name": "VALUE", "valueFrom": {kind: {"name": ref, "key": key, **ref_extra}}}])


def volume_pod(name, source):
    pod = simple_pod(name, "busybox:1.28", command=["sh", "-c", "sleep 3600"],
                     volumeMounts=[{"name": "config", "mountPath": "/etc/config"}])
    pod["spec"]["volumes"] = [{"name": "config", **source}]
    return pod


def container_env(node, name):
    worker = node.kubelet.worker_for("default", name)
    return dict(node.runtime._containers[worker.records["app"].container_id].config.env)


def kubelet_requests(node, resource, verb=None):
    return [(e.verb, e.name, e.query) for e in node.env.audit.records(user=KUBELET, resource=resource, verb=verb)]


# -- what a pod references -----------------------------------------------------------------------
def test_the_names_a_pod_references_come_from_volumes_projections_env_envfrom_and_pull_secrets():
    pod = {"metadata": {"name": "p"}, "spec": {
        "imagePullSecrets": [{"name": "pull"}],
        "volumes": [{"name": "a", "configMap": {"name": "cm-vol"}},
                    {"name": "b", "secret": {"secretName": "s-vol"}},
                    {"name": "c", "projected": {"sources": [{"configMap": {"name": "cm-proj"}},
                                                            {"secret": {"name": "s-proj"}}]}}],
        "initContainers": [{"name": "i", "envFrom": [{"configMapRef": {"name": "cm-init"}}]}],
        "containers": [{"name": "c", "env": [
            {"name": "A", "valueFrom": {"configMapKeyRef": {"name": "cm-env", "key": "k"}}},
            {"name": "B", "valueFrom": {"secretKeyRef": {"name": "s-env", "key": "k"}}},
            {"name": "C", "value": "literal"}],
            "envFrom": [{"secretRef": {"name": "s-from"}}]}]}}
    assert configmap_names(pod) == {"cm-vol", "cm-proj", "cm-init", "cm-env"}
    assert secret_names(pod) == {"pull", "s-vol", "s-proj", "s-env", "s-from"}


# -- reads come from the watch ---------------------------------------------------------------------
def test_pods_of_a_node_share_one_list_and_watch_of_a_configmap_and_never_get_it():
    node = Node()
    configmap(node, "x", {"color": "blue"})
    for name in ("a", "b", "c"):
        node.create(env_pod(name))
    node.run(10)
    assert [container_env(node, n)["VALUE"] for n in ("a", "b", "c")] == ["blue"] * 3
    assert kubelet_requests(node, "configmaps", "get") == []
    # one list + watch for each object: the service-account volume's CA bundle, and x
    assert [verb for verb, _, _ in kubelet_requests(node, "configmaps")] == ["list", "watch"] * 2
    assert node.kubelet.objects.configmaps.watched() == [("default", "kube-root-ca.crt"), ("default", "x")]


def test_a_missing_secret_in_env_is_a_create_container_config_error_until_the_watch_sees_it():
    node = Node()
    node.create(env_pod("sec", "secretKeyRef", "creds", "password"))
    node.run(3)
    assert node.container("sec")["state"]["waiting"] == {
        "reason": "CreateContainerConfigError", "message": 'secret "creds" not found'}
    assert ("Failed", 'Error: secret "creds" not found') in node.reasons("sec")
    secret(node, "creds", {"password": "czNjcmV0"})
    node.run(12)
    assert list(node.container("sec")["state"]) == ["running"]
    assert container_env(node, "sec")["VALUE"] == "s3cret"
    assert kubelet_requests(node, "secrets", "get") == []


def test_a_missing_secret_volume_is_a_failed_mount_until_the_watch_sees_it():
    node = Node()
    node.create(volume_pod("vol", {"secret": {"secretName": "tls"}}))
    node.run(5)
    assert node.container("vol")["state"]["waiting"] == {"reason": "ContainerCreating"}
    failed = [m for r, m in node.reasons("vol") if r == "FailedMount"]
    assert failed == ['MountVolume.SetUp failed for volume "config" : secret "tls" not found']
    secret(node, "tls", {"tls.key": "a2V5"})
    node.run(10)
    assert list(node.container("vol")["state"]) == ["running"]
    worker = node.kubelet.worker_for("default", "vol")
    assert current_payload(worker.volumes.volumes["config"])["tls.key"] == b"key"


@pytest.mark.parametrize("pod", [
    env_pod("opt", optional=True),
    volume_pod("opt", {"configMap": {"name": "x", "optional": True}}),
], ids=["an optional configmap in env is left out", "an optional configmap volume is empty"])
def test_a_missing_optional_configmap_does_not_stop_the_container(pod):
    node = Node()
    node.create(pod)
    node.run(5)
    assert list(node.container("opt")["state"]) == ["running"]
    assert "VALUE" not in container_env(node, "opt")
    assert not [r for r, _ in node.reasons("opt") if r in ("Failed", "FailedMount")]


def test_a_restarted_container_gets_the_configmap_as_changed_since_its_first_start():
    node = Node()
    cm = configmap(node, "x", {"color": "blue"})
    node.create(env_pod("env"))
    node.run(5)
    node.admin.update(dict(cm, data={"color": "red"}))
    node.kubelet.crash_container("default", "env")
    node.run(30)
    assert node.container("env")["restartCount"] == 1
    assert container_env(node, "env")["VALUE"] == "red"


def test_a_mounted_configmap_volume_keeps_its_files_until_the_pods_next_periodic_sync():
    node = Node()
    cm = configmap(node, "x", {"color": "blue"})
    node.create(volume_pod("vol", {"configMap": {"name": "x"}}))
    node.run(5)
    node.admin.update(dict(cm, data={"color": "red"}))
    node.run(30)  # the watch has the new version; the pod's next sync is 60-90 s after its last
    volume = node.kubelet.worker_for("default", "vol").volumes.volumes["config"]
    assert current_payload(volume)["color"] == b"blue"
    node.run(90)
    assert current_payload(volume)["color"] == b"red"


def test_an_immutable_configmap_stops_being_watched_once_read_but_stays_readable():
    node = Node()
    configmap(node, "frozen", {"color": "blue"}, immutable=True)
    node.create(env_pod("imm", ref="frozen"))
    node.run(5)
    manager = node.kubelet.objects.configmaps
    watch = manager._watches[("default", "frozen")]
    assert watch.immutable and not watch.informer.running
    assert manager.get("default", "frozen")["data"] == {"color": "blue"}


def test_reading_an_object_no_pod_references_is_an_error():
    node = Node()
    with pytest.raises(ObjectNotRegistered, match='object "default"/"nope" not registered'):
        node.kubelet.objects.get("configmap", "default", "nope")


# -- watches end with the last pod -------------------------------------------------------------------
def _open_configmap_watches(node):
    cache = node.env.server._watch_caches.get(("", "configmaps"))
    return len(cache) if cache is not None else 0


def test_the_watch_of_an_object_ends_when_the_last_pod_using_it_is_deleted():
    node = Node(partitionable=True)
    configmap(node, "x", {"color": "blue"})
    node.create(env_pod("a"))
    node.create(env_pod("b"))
    node.run(5)
    manager = node.kubelet.objects.configmaps
    assert ("default", "x") in manager.watched() and _open_configmap_watches(node) >= 1
    node.admin.delete("pods", "a", "default", grace_period_seconds=0)
    node.run(5)
    assert ("default", "x") in manager.watched()
    node.admin.delete("pods", "b", "default", grace_period_seconds=0)
    node.run(5)
    assert manager.watched() == [] and node.kubelet.objects.secrets.watched() == []
    assert _open_configmap_watches(node) == 0
    # and nothing is left for a healed partition to wake: pods, the Node, Services
    assert len(node.client._watches) == 3


def test_a_stopped_kubelet_holds_no_watches():
    node = Node()
    configmap(node, "x", {"color": "blue"})
    node.create(env_pod("a"))
    node.run(5)
    node.kubelet.stop()
    assert node.kubelet.objects.configmaps.watched() == []
    assert _open_configmap_watches(node) == 0


# -- a partitioned node -------------------------------------------------------------------------------
def test_a_partitioned_kubelet_restarts_a_container_from_the_configmap_it_already_watches():
    node = Node(partitionable=True)
    configmap(node, "x", {"color": "blue"})
    node.create(env_pod("env"))
    node.run(5)
    node.client.sever()
    node.kubelet.crash_container("default", "env")
    node.run(30)
    worker = node.kubelet.worker_for("default", "env")
    assert worker.records["app"].restart_count == 1
    assert container_env(node, "env")["VALUE"] == "blue"


def test_a_partitioned_kubelet_cannot_start_a_new_watch_and_reads_the_old_one_until_healed():
    node = Node(partitionable=True)
    cm = configmap(node, "x", {"color": "blue"})
    configmap(node, "y", {"color": "green"})
    node.create(env_pod("env"))
    node.run(5)
    manager = node.kubelet.objects.configmaps
    node.client.sever()
    node.admin.update(dict(cm, data={"color": "red"}))
    node.run(5)
    assert manager.get("default", "x")["data"] == {"color": "blue"}  # the watch stalls
    # A pod the kubelet registers while cut off (as it would one it learnt of just before).
    manager.register_pod(node.create(volume_pod("new", {"configMap": {"name": "y"}})))
    with pytest.raises(StatusError) as err:
        manager.get("default", "y")
    assert err.value.code == 503
    assert "dial tcp 172.18.0.1:6443: connect: connection refused" in str(err.value)
    node.client.heal()
    node.run(1)
    assert manager.get("default", "x")["data"] == {"color": "red"}
    assert manager.get("default", "y")["data"] == {"color": "green"}


# -- determinism ---------------------------------------------------------------------------------------
def _run(seed):
    cluster = labkube.Cluster(nodes=2, seed=seed)
    cluster.kubectl("create configmap settings --from-literal=color=blue")
    for i in range(4):
        cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i}"}, "spec": {
            "containers": [{"name": "c", "image": "busybox", "command": ["sh", "-c", "sleep 3600"],
                            "env": [{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "color"}}},
                                    {"name": "B", "valueFrom": {"secretKeyRef": {"name": "later", "key": "k"}}}]}]}})
    cluster.run(20)
    cluster.kubectl("create secret generic later --from-literal=k=v")
    cluster.run(30)
    cluster.kubectl("delete pod p0 p1")
    cluster.run(40)
    events = json.dumps(cluster.client.list("events", "default")["items"], sort_keys=True)
    pods = json.dumps(cluster.client.list("pods", "default")["items"], sort_keys=True)
    audit = [event.describe() for event in cluster.audit()]
    return events, pods, audit


def test_the_same_seed_gives_the_same_events_objects_and_requests():
    first, second = _run(3), _run(3)
    assert first == second
    assert '"reason": "Failed"' in first[0] and '"phase": "Running"' in first[1]
