"""Mounted configMap, secret, projected and downwardAPI volumes: the AtomicWriter's layout, and
how a change reaches a running pod (its next periodic sync, syncFrequency 60 s plus up to 50%
jitter; at once on a pod update). Checked against pkg/volume/util/atomic_writer.go and
pkg/kubelet/pod_workers.go (``wait.Jitter(resyncInterval, workerResyncIntervalJitterFactor)``).
"""

from __future__ import annotations

import re

import labkube
from labkube.core.kubelet.volumes import DATA_DIR, current_payload
from labkube.runtime.cri import Symlink
from tests.core.kubelet.harness import NODE, Node, simple_pod

TIMESTAMP_DIR = re.compile(r"\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d{1,10}")
KUBELET = f"system:node:{NODE}"


def _configmap(node, name, data):
    return node.admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                              "metadata": {"name": name, "namespace": "default"}, "data": data})


def _pod(name, volumes, mounts, **container):
    pod = simple_pod(name, "busybox:1.36", command=["sleep", "3600"], volumeMounts=mounts, **container)
    pod["spec"]["volumes"] = volumes
    return pod


def _config_pod(name="vol", source=None, **container):
    return _pod(name, [{"name": "config", **(source or {"configMap": {"name": "x"}})}],
                [{"name": "config", "mountPath": "/etc/config"}], **container)


def _cat(node, name, path):
    worker = node.kubelet.worker_for("default", name)
    return node.runtime.exec_sync(worker.records["app"].container_id, ["cat", path]).stdout


def _volume(node, name, volume="config"):
    return node.kubelet.worker_for("default", name).volumes.volumes[volume]


def _update(node, kind, name, **fields):
    obj = node.admin.get(kind, name, "default")
    return node.admin.update(dict(obj, **fields))


# -- the layout ----------------------------------------------------------------------------------------
def test_each_key_is_a_link_into_data_which_links_to_a_timestamped_directory():
    node = Node()
    _configmap(node, "x", {"color": "blue", "size": "L"})
    node.create(_config_pod())
    node.run(5)
    files = _volume(node, "vol").files
    directory = files[DATA_DIR].target
    assert TIMESTAMP_DIR.fullmatch(directory)
    assert files["color"] == Symlink("..data/color") and files["size"] == Symlink("..data/size")
    assert files[f"{directory}/color"] == b"blue"
    assert sorted(files) == sorted(["..data", "color", "size", f"{directory}/color", f"{directory}/size"])
    assert _cat(node, "vol", "/etc/config/color") == "blue"


def test_the_timestamped_directory_is_named_for_the_utc_time_of_the_write():
    node = Node()
    node.run(3725)  # 01:02:05 on the cluster's first day; the pod is mounted in that second
    _configmap(node, "x", {"color": "blue"})
    node.create(_config_pod())
    node.run(1)
    assert _volume(node, "vol").files[DATA_DIR].target.startswith("..2025_01_01_01_02_05.")


def test_an_item_with_a_nested_path_gets_one_link_for_its_top_directory():
    node = Node()
    _configmap(node, "x", {"color": "blue"})
    node.create(_config_pod(source={"configMap": {"name": "x", "items": [{"key": "color", "path": "a/b.txt"}]}}))
    node.run(5)
    files = _volume(node, "vol").files
    assert files["a"] == Symlink("..data/a")
    assert _cat(node, "vol", "/etc/config/a/b.txt") == "blue"


def test_the_token_volume_has_the_same_layout():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("run client --image=busybox:1.36 --restart=Never -- sleep 3600")
    cluster.run(10)
    pod = cluster.get("pods", "client")
    worker = cluster.nodes.kubelet_for(pod["spec"]["nodeName"]).worker_for("default", "client")
    name = next(v for v in worker.volumes.volumes if v.startswith("kube-api-access-"))
    volume = worker.volumes.volumes[name]
    assert volume.listdir("") == sorted(["..data", "ca.crt", "namespace", "token",
                                         volume.files[DATA_DIR].target])
    assert cluster.kubectl("exec client -- cat /var/run/secrets/kubernetes.io/serviceaccount/namespace") == "default"


def test_the_same_seed_names_the_same_directories():
    def layout():
        cluster = labkube.Cluster(nodes=2, seed=7)
        cluster.kubectl("create configmap x --from-literal=color=blue")
        cluster.apply([_config_pod("one"), _config_pod("two")])
        cluster.run(20)
        out = []
        for name in ("one", "two"):
            pod = cluster.get("pods", name)
            worker = cluster.nodes.kubelet_for(pod["spec"]["nodeName"]).worker_for("default", name)
            out.append(worker.volumes.volumes["config"].files[DATA_DIR].target)
        return out
    first = layout()
    assert first == layout() and first[0] != first[1]


# -- changes reaching running pods ------------------------------------------------------------------
def test_a_changed_configmap_reaches_the_mounted_file_at_the_pods_next_periodic_sync():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("create configmap x --from-literal=color=blue")
    cluster.apply([_config_pod()])
    cluster.run(20)
    cluster.kubectl("""patch configmap x -p '{"data":{"color":"red"}}'""")
    cluster.run(40)  # no pod syncs for a ConfigMap change: its next periodic sync is 60-90 s away
    assert cluster.kubectl("exec vol -- cat /etc/config/color") == "blue"
    cluster.run(51)  # 91 s after the change: past syncFrequency x 1.5 after any sync before it
    assert cluster.kubectl("exec vol -- cat /etc/config/color") == "red"


def test_a_changed_secret_and_a_projected_configmap_reach_their_files_too():
    node = Node()
    _configmap(node, "x", {"color": "blue"})
    node.admin.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"},
                       "data": {"password": "b25l"}})
    pod = _pod("vol", [{"name": "sec", "secret": {"secretName": "s"}},
                       {"name": "all", "projected": {"sources": [{"configMap": {"name": "x"}}]}}],
               [{"name": "sec", "mountPath": "/etc/sec"}, {"name": "all", "mountPath": "/etc/all"}])
    node.create(pod)
    node.run(5)
    _update(node, "secrets", "s", data={"password": "dHdv"})
    _update(node, "configmaps", "x", data={"color": "red"})
    node.run(91)
    assert (_cat(node, "vol", "/etc/sec/password"), _cat(node, "vol", "/etc/all/color")) == ("two", "red")


def test_a_changed_label_reaches_a_downward_api_file_at_the_pod_update():
    node = Node()
    pod = _config_pod(source={"downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}})
    pod["metadata"]["labels"] = {"tier": "web"}
    node.create(pod)
    node.run(5)
    assert _cat(node, "vol", "/etc/config/labels") == 'tier="web"'
    current = node.pod("vol")
    node.admin.update(dict(current, metadata=dict(current["metadata"], labels={"tier": "db"})))
    node.run(1)
    assert _cat(node, "vol", "/etc/config/labels") == 'tier="db"'


def test_a_change_swaps_data_to_a_new_directory_and_removes_the_old_one():
    node = Node()
    _configmap(node, "x", {"color": "blue"})
    node.create(_config_pod())
    node.run(5)
    volume = _volume(node, "vol")
    before = volume.files[DATA_DIR].target
    _update(node, "configmaps", "x", data={"color": "red"})
    node.run(91)
    after = volume.files[DATA_DIR].target
    assert after != before and TIMESTAMP_DIR.fullmatch(after)
    assert not any(path.startswith(before) for path in volume.files)
    assert current_payload(volume) == {"color": b"red"}


def test_an_unchanged_object_rewrites_nothing():
    node = Node()
    _configmap(node, "x", {"color": "blue"})
    node.create(_config_pod())
    node.run(5)
    volume = _volume(node, "vol")
    before = volume.files[DATA_DIR].target
    _update(node, "configmaps", "x", metadata=dict(node.admin.get("configmaps", "x", "default")["metadata"],
                                                   labels={"new": "label"}))
    node.run(91)
    assert volume.files[DATA_DIR].target == before


def test_a_sub_path_mount_and_an_environment_variable_keep_the_value_they_started_with():
    node = Node()
    _configmap(node, "x", {"color": "blue"})
    pod = _pod("vol", [{"name": "config", "configMap": {"name": "x"}}],
               [{"name": "config", "mountPath": "/etc/config"},
                {"name": "config", "mountPath": "/etc/color", "subPath": "color"}],
               env=[{"name": "COLOR", "valueFrom": {"configMapKeyRef": {"name": "x", "key": "color"}}}])
    node.create(pod)
    node.run(5)
    _update(node, "configmaps", "x", data={"color": "red"})
    node.run(91)
    worker = node.kubelet.worker_for("default", "vol")
    env = node.runtime.exec_sync(worker.records["app"].container_id, ["printenv", "COLOR"]).stdout
    assert (_cat(node, "vol", "/etc/config/color"), _cat(node, "vol", "/etc/color"), env) == ("red", "blue", "blue\n")


def test_a_deleted_configmap_leaves_the_files_and_warns_failed_mount():
    node = Node()
    _configmap(node, "x", {"color": "blue"})
    node.create(_config_pod())
    node.run(5)
    node.admin.delete("configmaps", "x", "default")
    node.run(91)
    assert _cat(node, "vol", "/etc/config/color") == "blue"
    assert ("FailedMount", 'MountVolume.SetUp failed for volume "config" : configmap "x" not found') \
        in node.reasons("vol")


def test_updates_reach_pods_without_a_single_configmap_get_or_list_from_the_kubelet():
    node = Node()
    _configmap(node, "x", {"color": "blue"})
    for name in ("a", "b", "c"):
        node.create(_config_pod(name))
    node.run(5)
    _update(node, "configmaps", "x", data={"color": "red"})
    node.run(91)
    assert [_cat(node, name, "/etc/config/color") for name in ("a", "b", "c")] == ["red"] * 3
    verbs = [e.verb for e in node.env.audit.records(user=KUBELET, resource="configmaps")]
    assert "get" not in verbs and verbs.count("list") == 2  # one watch each: x, kube-root-ca.crt
