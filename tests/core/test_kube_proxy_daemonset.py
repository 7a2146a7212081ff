"""kube-proxy runs as kubeadm's DaemonSet: one ``kube-proxy-xxxxx`` pod on every node.

What ``kubeadm init``'s proxy phase leaves on a kind cluster: the ``kube-proxy`` ConfigMap (a
KubeProxyConfiguration and a kubeconfig) and DaemonSet in ``kube-system``, whose pods run on the
host network of every node, Running and Ready before the first command returns (the node image
ships the kube-proxy image). ``kubectl drain`` refuses to evict them without
``--ignore-daemonsets``, as the "Safely Drain a Node" page warns.
"""

from __future__ import annotations

import hashlib

import pytest
import yaml

import labkube
from labkube.core import addons, nodepool

PROXY_SELECTOR = "k8s-app=kube-proxy"


def _proxy_pods(cluster: labkube.Cluster) -> list[dict]:
    cluster.settle()  # what every kubectl command does first
    return cluster.client.list("pods", "kube-system", label_selector=PROXY_SELECTOR)["items"]


def _pod_on(cluster: labkube.Cluster, node: str) -> dict:
    return next(p for p in _proxy_pods(cluster) if p["spec"]["nodeName"] == node)


def _ready(pod: dict) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", []))


def test_the_kube_proxy_daemonset_is_kubeadms_with_the_api_servers_defaults():
    cluster = labkube.Cluster(nodes=1, seed=0)
    ds = cluster.client.get("daemonsets", "kube-proxy", "kube-system")
    assert ds["metadata"]["labels"] == {"k8s-app": "kube-proxy"}
    assert ds["spec"]["selector"] == {"matchLabels": {"k8s-app": "kube-proxy"}}
    assert ds["spec"]["updateStrategy"] == {"type": "RollingUpdate",
                                            "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    spec = ds["spec"]["template"]["spec"]
    assert spec["hostNetwork"] is True
    assert spec["priorityClassName"] == "system-node-critical"
    assert spec["serviceAccountName"] == "kube-proxy"
    assert spec["tolerations"] == [{"operator": "Exists"}]
    assert spec["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert spec["dnsPolicy"] == "ClusterFirst"
    container = spec["containers"][0]
    assert container["image"] == "registry.k8s.io/kube-proxy:v1.32.0"
    assert container["command"] == ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf",
                                    "--hostname-override=$(NODE_NAME)"]
    assert container["env"] == [{"name": "NODE_NAME", "valueFrom": {
        "fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}]
    assert container["securityContext"] == {"privileged": True}
    assert container["volumeMounts"] == [
        {"mountPath": "/var/lib/kube-proxy", "name": "kube-proxy"},
        {"mountPath": "/run/xtables.lock", "name": "xtables-lock"},
        {"mountPath": "/lib/modules", "name": "lib-modules", "readOnly": True}]
    assert spec["volumes"] == [
        {"name": "kube-proxy", "configMap": {"name": "kube-proxy", "defaultMode": 420}},
        {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"}},
        {"name": "lib-modules", "hostPath": {"path": "/lib/modules", "type": ""}}]


def test_the_kube_proxy_configmap_holds_the_kube_proxy_configuration_and_a_kubeconfig():
    cluster = labkube.Cluster(nodes=0, seed=0)
    cm = cluster.client.get("configmaps", "kube-proxy", "kube-system")
    assert cm["metadata"]["labels"] == {"app": "kube-proxy"}
    assert sorted(cm["data"]) == ["config.conf", "kubeconfig.conf"]
    config = yaml.safe_load(cm["data"]["config.conf"])
    assert (config["apiVersion"], config["kind"]) == ("kubeproxy.config.k8s.io/v1alpha1", "KubeProxyConfiguration")
    assert config["mode"] == "iptables"
    assert config["clientConnection"]["kubeconfig"] == "/var/lib/kube-proxy/kubeconfig.conf"
    assert config["clusterCIDR"] == "10.244.0.0/14"
    kubeconfig = yaml.safe_load(cm["data"]["kubeconfig.conf"])
    assert kubeconfig["clusters"][0]["cluster"]["server"] == "https://172.18.0.1:6443"
    assert kubeconfig["users"][0]["user"] == {"tokenFile": "/var/run/secrets/kubernetes.io/serviceaccount/token"}


def test_the_configmap_is_signed_as_kubeadm_signs_component_configs():
    cluster = labkube.Cluster(nodes=0, seed=0)
    cm = cluster.client.get("configmaps", "kube-proxy", "kube-system")
    digest = hashlib.sha256(cm["data"]["config.conf"].encode() + cm["data"]["kubeconfig.conf"].encode())
    assert cm["metadata"]["annotations"] == {"kubeadm.kubernetes.io/component-config.hash": f"sha256:{digest.hexdigest()}"}


def test_joining_nodes_may_read_the_kube_proxy_configmap_with_a_bootstrap_token():
    cluster = labkube.Cluster(nodes=0, seed=0)
    joining = cluster.as_user("system:bootstrap:abcdef", ["system:bootstrappers:kubeadm:default-node-token"])
    assert joining.can_i("get", "configmaps", "kube-system", name="kube-proxy")
    assert not joining.can_i("get", "configmaps", "kube-system", name="coredns")


def test_every_node_runs_one_ready_kube_proxy_pod_before_any_time_passes():
    cluster = labkube.Cluster(nodes=3, seed=0)
    started = cluster.clock.now()
    cluster.settle()
    pods = _proxy_pods(cluster)
    assert sorted(p["spec"]["nodeName"] for p in pods) == ["node-1", "node-2", "node-3"]
    assert all(p["status"]["phase"] == "Running" and _ready(p) for p in pods)
    assert all(p["metadata"]["name"].startswith("kube-proxy-") and len(p["metadata"]["name"]) == 16 for p in pods)
    assert cluster.clock.now() == started, "the node image ships kube-proxy: no pull, no wait"
    ds = cluster.client.get("daemonsets", "kube-proxy", "kube-system")
    assert {k: ds["status"][k] for k in ("desiredNumberScheduled", "numberReady", "numberAvailable")} == {
        "desiredNumberScheduled": 3, "numberReady": 3, "numberAvailable": 3}


def test_a_kube_proxy_pod_is_on_the_host_network_with_the_nodes_internal_ip():
    cluster = labkube.Cluster(nodes=2, seed=0)
    cluster.settle()
    for node in ("node-1", "node-2"):
        internal_ip = next(a["address"] for a in cluster.client.get("nodes", node)["status"]["addresses"]
                           if a["type"] == "InternalIP")
        status = _pod_on(cluster, node)["status"]
        assert (status["podIP"], status["hostIP"]) == (internal_ip, internal_ip)
        assert status["podIPs"] == [{"ip": internal_ip}] == status["hostIPs"]


def test_a_host_network_pod_takes_no_address_from_the_nodes_pod_cidr():
    cluster = labkube.Cluster(nodes=1, seed=0)
    pod = _pod_on(cluster, "node-1")
    ipam = cluster.nodes.get("node-1").kubelet.ipam
    assert pod["metadata"]["uid"] not in ipam.in_use().values()
    assert not pod["status"]["podIP"].startswith("10.244.")


def test_a_node_added_later_gets_its_kube_proxy_pod_from_the_daemonset_controller():
    cluster = labkube.Cluster(nodes=2, seed=0)
    cluster.settle()
    cluster.add_node("node-3")
    cluster.settle()
    pod = _pod_on(cluster, "node-3")
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "DaemonSet"
    assert pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] == {
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-3"]}]}]}
    assert pod["status"]["phase"] == "Running" and _ready(pod)


def test_a_tainted_node_still_gets_a_kube_proxy_pod():
    cluster = labkube.Cluster(nodes=0, seed=0)
    cluster.add_node("gpu-1", taints=[{"key": "gpu", "value": "true", "effect": "NoSchedule"}])
    cluster.settle()
    assert _pod_on(cluster, "gpu-1")["status"]["phase"] == "Running"


def _node_without_coredns(cluster: labkube.Cluster) -> str:
    busy = {p["spec"]["nodeName"] for p in cluster.list("pods", "kube-system", label_selector="k8s-app=kube-dns")}
    return next(n for n in sorted(cluster.nodes.machines) if n not in busy)


def test_drain_without_ignore_daemonsets_refuses_naming_the_kube_proxy_pod():
    cluster = labkube.Cluster(nodes=3, seed=0)
    node = _node_without_coredns(cluster)
    name = _pod_on(cluster, node)["metadata"]["name"]
    out = cluster.kubectl(f"drain {node}")
    message = f"cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/{name}"
    assert out.splitlines() == [
        f"node/{node} cordoned",
        f'error: unable to drain node "{node}" due to error: {message}, continuing command...',
        "There are pending nodes to be drained:",
        f" {node}",
        message,
    ]
    assert cluster.client.get("pods", name, "kube-system")["status"]["phase"] == "Running"


def test_drain_with_ignore_daemonsets_warns_and_leaves_the_kube_proxy_pod_running():
    cluster = labkube.Cluster(nodes=3, seed=0)
    node = _node_without_coredns(cluster)
    name = _pod_on(cluster, node)["metadata"]["name"]
    out = cluster.kubectl(f"drain {node} --ignore-daemonsets")
    assert out.splitlines() == [
        f"node/{node} cordoned",
        f"Warning: ignoring DaemonSet-managed Pods: kube-system/{name}",
        f"node/{node} drained",
    ]
    cluster.run(5)
    assert cluster.client.get("pods", name, "kube-system")["status"]["phase"] == "Running"


def test_kubectl_logs_shows_kube_proxys_startup_lines_with_the_nodes_ip():
    cluster = labkube.Cluster(nodes=1, seed=0)
    name = _pod_on(cluster, "node-1")["metadata"]["name"]
    lines = cluster.kubectl(f"logs -n kube-system {name}").splitlines()
    assert lines[0] == 'I0101 00:00:00.000000       1 server_linux.go:66] "Using iptables proxy"'
    assert lines[1] == ('I0101 00:00:00.000000       1 server.go:698] "Successfully retrieved node IP(s)" '
                        'IPs=["172.18.0.2"]')
    assert 'server.go:497] "Version info" version="v1.32.0"' in lines[6]
    assert lines[-1].endswith("shared_informer.go:320] Caches are synced for endpoint slice config")


def test_kube_proxy_logs_take_their_time_from_the_cluster_clock():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.run(90)
    cluster.add_node("node-2")
    cluster.settle()
    name = _pod_on(cluster, "node-2")["metadata"]["name"]
    first = cluster.kubectl(f"logs -n kube-system {name}").splitlines()[0]
    assert first.startswith("I0101 00:01:30.")


def test_a_deleted_kube_proxy_pod_is_replaced_on_the_same_node():
    cluster = labkube.Cluster(nodes=2, seed=0)
    victim = _pod_on(cluster, "node-2")["metadata"]["name"]
    cluster.kubectl(f"delete pod -n kube-system {victim} --wait=false")
    cluster.run(35)
    replacement = _pod_on(cluster, "node-2")
    assert replacement["metadata"]["name"] != victim
    assert replacement["status"]["phase"] == "Running"


def test_stopping_the_kube_proxy_component_still_stops_clusterip_routing():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.stop_component("kube-proxy")
    with pytest.raises(ConnectionError):
        cluster.proxy.request("http://10.96.0.1/")
    assert _pod_on(cluster, "node-1")["status"]["phase"] == "Running", "the pod is not the component"
    cluster.start_component("kube-proxy")


@pytest.mark.parametrize("seed", [0, 7])
def test_the_kube_proxy_pods_are_the_same_for_the_same_seed(seed):
    def snapshot() -> list[tuple]:
        cluster = labkube.Cluster(nodes=3, seed=seed)
        cluster.settle()
        return sorted((p["metadata"]["name"], p["metadata"]["uid"], p["spec"]["nodeName"], p["status"]["podIP"])
                      for p in _proxy_pods(cluster))

    assert snapshot() == snapshot()


def test_the_daemonset_and_configmap_are_the_objects_addons_declares():
    assert addons.KUBE_PROXY_DAEMONSET["spec"]["template"]["spec"]["containers"][0]["image"] == addons.KUBE_PROXY_IMAGE
    assert addons.KUBE_PROXY_IMAGE in nodepool.NODE_IMAGE_PRELOADS


def test_a_daemonset_pointing_kube_proxy_at_a_missing_config_file_crash_loops_with_its_error():
    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("patch ds kube-proxy -n kube-system --type=json -p "
                    "'[{\"op\": \"replace\", \"path\": \"/spec/template/spec/containers/0/command/1\", "
                    "\"value\": \"--config=/var/lib/kube-proxy/configuration.conf\"}]'")
    cluster.run(60)
    pod = _pod_on(cluster, "node-1")
    status = pod["status"]["containerStatuses"][0]
    assert status["restartCount"] >= 1 and status["lastState"]["terminated"]["exitCode"] == 1
    log = cluster.kubectl(f"logs -n kube-system {pod['metadata']['name']}")
    assert log.endswith('1 run.go:72] "command failed" err="failed complete: open '
                        '/var/lib/kube-proxy/configuration.conf: no such file or directory"\n')
