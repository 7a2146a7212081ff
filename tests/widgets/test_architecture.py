"""Architecture: the API traffic per component from the audit stream, drawn on the diagram."""

from labkube.widgets.architecture import Architecture, component_of, traffic
from tests.widgets.helpers import SYSTEM_PODS, web_cluster


def test_traffic_groups_requests_by_component_verb_and_resource():
    cluster = web_cluster(replicas=3, run=0)
    flows = traffic(cluster.audit(), cluster.clock.now(), window=60)
    assert flows["kube-scheduler"]["create pods/binding"] == 3 + SYSTEM_PODS
    assert flows["kube-controller-manager"]["create pods"] == 3 + SYSTEM_PODS
    assert flows["kubectl"]["create deployments"] == 1


def test_the_window_drops_old_requests():
    cluster = web_cluster(replicas=3, run=0)
    cluster.run(120)
    flows = traffic(cluster.audit(), cluster.clock.now(), window=60)
    assert "create pods/binding" not in flows.get("kube-scheduler", {})
    assert flows["kubelet/node-1"]["update leases"] >= 5


def test_components_are_named_from_their_users():
    cluster = web_cluster(run=0)
    names = {component_of(r) for r in cluster.audit()}
    assert {"kube-scheduler", "kube-controller-manager", "kubelet/node-1", "kube-proxy", "coredns",
            "kubectl", "kube-apiserver"} <= names


def test_the_diagram_draws_each_part_with_its_request_count():
    cluster = web_cluster(run=0)
    arch = Architecture(cluster)
    svg = arch.image.value
    for part in ("lk-arch-etcd", "lk-arch-apiserver", "lk-arch-kube-scheduler", "lk-arch-kubelet",
                 "lk-arch-runtime", "lk-arch-kube-proxy", "lk-arch-coredns"):
        assert part in svg
    scheduler = sum(arch.flows["kube-scheduler"].values())
    assert f'class="lk-arch-arrow lk-arch-flow-kube-scheduler" data-count="{scheduler}"' in svg
    assert "kube-scheduler               create pods/binding" in arch.text()


def test_the_add_ons_that_serve_network_policies_and_volumes_have_their_own_boxes():
    cluster = web_cluster(run=0)
    cluster.apply({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
                   "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "user"},
                   "spec": {"containers": [{"name": "c", "image": "busybox:1.36", "command": ["sleep", "3600"]}],
                            "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]}})
    cluster.run(10)
    names = {component_of(r) for r in cluster.audit()}
    assert {"kube-network-policies", "local-path-provisioner"} <= names
    svg = Architecture(cluster).image.value
    assert "lk-arch-kube-network-policies" in svg and "lk-arch-local-path-provisioner" in svg
