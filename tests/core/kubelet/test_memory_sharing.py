"""What the kubelet keeps small per pod still behaves the same.

The status manager remembers a digest of the status it wrote, not the status; ConfigMap files
and service variables are shared between pods; the service-account token is made when read;
and still every pod writes its status only when it changed, and a student can ``cat`` its
files and ``printenv``.
"""

import labkube
from labkube.core.kubelet.volumes import current_payload
from labkube.runtime.volume import Generated
from tests.core.kubelet.harness import Node, simple_pod

TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


def _pod(name):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.28",
                                     "command": ["sh", "-c", "sleep 3600"]}]}}


def _status_patches(cluster, name):
    return [r for r in cluster.audit(resource="pods/status")
            if r.verb == "patch" and r.name == name and r.user.startswith("system:node:")]


def _worker(cluster, name):
    pod = cluster.get("pods", name)
    return cluster.nodes.kubelet_for(pod["spec"]["nodeName"]).worker_for("default", name)


def test_a_running_pod_is_not_written_again_while_its_status_stays_the_same():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.apply(_pod("quiet"))
    cluster.run(60)
    assert cluster.get("pods", "quiet")["status"]["phase"] == "Running"
    written = len(_status_patches(cluster, "quiet"))
    assert written >= 1
    cluster.run(600)
    assert len(_status_patches(cluster, "quiet")) == written


def test_a_status_already_written_is_not_written_again_when_the_informer_is_behind():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.apply(_pod("behind"))
    cluster.run(60)
    worker = _worker(cluster, "behind")
    written = len(_status_patches(cluster, "behind"))
    # The informer hands back the pod as it was before the kubelet's last write.
    stale = dict(worker.pod, status=dict(worker.pod["status"], phase="Pending"))
    worker.pod = stale
    worker.write_status()
    assert len(_status_patches(cluster, "behind")) == written


def test_the_status_is_written_again_when_it_changes_back_and_forth():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.apply(_pod("flip"))
    cluster.run(60)
    written = len(_status_patches(cluster, "flip"))
    cluster.nodes.kubelet_for(cluster.get("pods", "flip")["spec"]["nodeName"]).crash_container(
        "default", "flip")
    cluster.run(60)
    assert cluster.get("pods", "flip")["status"]["containerStatuses"][0]["restartCount"] == 1
    assert len(_status_patches(cluster, "flip")) > written


def test_two_pods_share_the_bytes_of_their_ca_crt_and_a_student_can_still_cat_it():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.apply([_pod("one"), _pod("two")])
    cluster.run(60)
    files = []
    for name in ("one", "two"):
        volumes = _worker(cluster, name).volumes.volumes
        token_volume = next(v for key, v in volumes.items() if key.startswith("kube-api-access-"))
        files.append(current_payload(token_volume))
    assert files[0]["ca.crt"] is files[1]["ca.crt"]
    assert files[0]["ca.crt"] == cluster.get("configmaps", "kube-root-ca.crt")["data"]["ca.crt"].encode()
    ca = cluster.get("configmaps", "kube-root-ca.crt")["data"]["ca.crt"]
    for name in ("one", "two"):
        result = cluster.exec(name, ["cat", f"{TOKEN_DIR}/ca.crt"])
        assert (result.exit_code, result.stdout) == (0, ca)
        assert cluster.exec(name, ["cat", f"{TOKEN_DIR}/namespace"]).stdout == "default"


def _cat(node, name, path):
    container_id = node.kubelet.worker_for("default", name).records["app"].container_id
    return node.runtime.exec_sync(container_id, ["cat", path]).stdout


def test_the_token_is_made_when_read_and_reads_the_same_every_time():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.apply([_pod("one"), _pod("two")])
    cluster.run(60)
    first = {name: cluster.exec(name, ["cat", f"{TOKEN_DIR}/token"]).stdout for name in ("one", "two")}
    cluster.run(600)
    again = {name: cluster.exec(name, ["cat", f"{TOKEN_DIR}/token"]).stdout for name in ("one", "two")}
    assert first == again and first["one"] != first["two"]
    header, claims, signature = first["one"].split(".")
    assert header.startswith("eyJhbGciOiJSUzI1NiIs") and len(signature) == 342
    volumes = _worker(cluster, "one").volumes.volumes
    token_volume = next(v for key, v in volumes.items() if key.startswith("kube-api-access-"))
    token = current_payload(token_volume)["token"]
    assert isinstance(token, Generated)
    assert token.make().decode() == first["one"]


def test_a_changed_configmap_gives_pods_mounting_it_afterwards_its_new_bytes():
    node = Node()
    node.admin.create({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": "cfg", "namespace": "default"}, "data": {"color": "blue"}})
    read = {}
    for name in ("before", "after"):
        pod = simple_pod(name, "busybox:1.28", command=["sh", "-c", "sleep 3600"],
                         volumeMounts=[{"name": "config", "mountPath": "/etc/config"}])
        pod["spec"]["volumes"] = [{"name": "config", "configMap": {"name": "cfg"}}]
        node.create(pod)
        node.run(5)
        read[name] = _cat(node, name, "/etc/config/color")
        cm = node.admin.get("configmaps", "cfg", "default")
        node.admin.update(dict(cm, data={"color": "red"}))
    assert read == {"before": "blue", "after": "red"}


def test_containers_of_a_namespace_share_their_service_variables_and_still_print_them():
    node = Node()
    for name in ("a", "b"):
        pod = simple_pod(name, "busybox:1.28", command=["sh", "-c", "env"])
        pod["spec"]["restartPolicy"] = "Never"
        node.create(pod)
    node.run(5)
    configs = [node.runtime._containers[node.kubelet.worker_for("default", name).records["app"].container_id].config
               for name in ("a", "b")]
    host = [pair for pair in configs[0].env if pair[0] == "KUBERNETES_SERVICE_HOST"]
    assert host == [("KUBERNETES_SERVICE_HOST", "10.96.0.1")]
    assert host[0] in configs[1].env and [p for p in configs[1].env if p == host[0]][0] is host[0]
    for name in ("a", "b"):
        logs = node.kubelet.logs("default", name)
        assert "KUBERNETES_SERVICE_HOST=10.96.0.1\n" in logs
        assert "KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1\n" in logs
