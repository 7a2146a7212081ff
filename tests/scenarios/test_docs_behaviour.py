"""Each documented manifest of a served kind reaches the state its documentation page describes.

The manifests are the Kubernetes website's own examples (../shared/conformance/k8s-docs). For
each, the page says what a reader will see: pods Running and Ready, a Job-like pod Completed, a
container OOMKilled, a pod Pending with a reason, a container restarted after a failed probe, a
Service with endpoints, an Ingress routing. These tests apply the manifests to a 3-node
simulated cluster, let simulated time pass, and check exactly that.
"""

import pytest

import labkube
import labkube.core.network
from tests.conftest import CONFORMANCE

pytestmark = pytest.mark.skipif(not CONFORMANCE.is_dir(), reason=f"no corpus at {CONFORMANCE}")


def _cluster(*files, namespaces=(), seconds=60, **options):
    cluster = labkube.Cluster(nodes=3, seed=0, **options)
    for namespace in namespaces:
        cluster.kubectl(f"create namespace {namespace}")
    for file in files:
        cluster.apply(str(CONFORMANCE / file))
    cluster.run(seconds)
    return cluster


def _pod(cluster, name, namespace="default"):
    return cluster.get("pod", name, namespace)


def _ready(pod):
    return any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", []))


def _container(pod, name=None):
    statuses = pod["status"].get("containerStatuses", [])
    return statuses[0] if name is None else next(s for s in statuses if s["name"] == name)


def _pods(cluster, selector, namespace="default"):
    return cluster.list("pods", namespace, label_selector=selector)


def _running_ready(pods, count):
    assert len(pods) == count
    for pod in pods:
        assert pod["status"]["phase"] == "Running" and _ready(pod), pod["metadata"]["name"]


# -- workloads ------------------------------------------------------------------------------

def test_the_nginx_deployment_runs_three_ready_replicas():
    cluster = _cluster("controllers/nginx-deployment.yaml")
    _running_ready(_pods(cluster, "app.kubernetes.io/name=nginx"), 3)
    deployment = cluster.get("deployment", "nginx-deployment")
    assert deployment["status"]["availableReplicas"] == 3
    conditions = {c["type"]: c["reason"] for c in deployment["status"]["conditions"]}
    assert conditions == {"Available": "MinimumReplicasAvailable", "Progressing": "NewReplicaSetAvailable"}


@pytest.mark.parametrize("file, selector", [
    ("controllers/frontend.yaml", "tier=frontend"),
    ("controllers/replicaset.yaml", "pod-is-for=garbage-collection-example"),
])
def test_a_replicaset_keeps_its_pods_running(file, selector):
    cluster = _cluster(file)
    pods = _pods(cluster, selector)
    _running_ready(pods, 3)
    cluster.delete("pod", pods[0]["metadata"]["name"])
    cluster.run(30)
    _running_ready(_pods(cluster, selector), 3)


def test_the_fluentd_daemonset_runs_one_pod_on_each_node():
    """controllers/daemonset.yaml (kube-system; it tolerates only the legacy master taint, which
    no node has): one fluentd-elasticsearch pod Running and Ready on each of the three nodes,
    and one on a node added later."""
    cluster = _cluster("controllers/daemonset.yaml")
    pods = _pods(cluster, "name=fluentd-elasticsearch", "kube-system")
    _running_ready(pods, 3)
    assert sorted(p["spec"]["nodeName"] for p in pods) == ["node-1", "node-2", "node-3"]
    status = cluster.get("daemonset", "fluentd-elasticsearch", "kube-system")["status"]
    assert (status["desiredNumberScheduled"], status["currentNumberScheduled"], status["numberReady"],
            status["numberAvailable"]) == (3, 3, 3, 3)
    cluster.add_node("node-4")
    cluster.run(30)
    pods = _pods(cluster, "name=fluentd-elasticsearch", "kube-system")
    _running_ready(pods, 4)
    assert sorted(p["spec"]["nodeName"] for p in pods)[-1] == "node-4"


def test_updating_the_deployment_rolls_out_the_new_image_and_scaling_adds_pods():
    cluster = _cluster("application/deployment.yaml")
    _running_ready(_pods(cluster, "app=nginx"), 2)
    cluster.apply(str(CONFORMANCE / "application/deployment-update.yaml"))
    cluster.run(120)
    pods = _pods(cluster, "app=nginx")
    _running_ready(pods, 2)
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:1.16.1"}
    assert len(cluster.list("replicasets", label_selector="app=nginx")) == 2
    # The docs' scale manifest has since moved to app.kubernetes.io/name labels, so on a real
    # cluster it is refused: a Deployment's selector is immutable.
    with pytest.raises(labkube.StatusError, match="spec.selector: Invalid value: .*field is immutable"):
        cluster.apply(str(CONFORMANCE / "application/deployment-scale.yaml"))
    assert cluster.kubectl("scale deployment nginx-deployment --replicas=4") == (
        "deployment.apps/nginx-deployment scaled\n")
    cluster.run(60)
    _running_ready(_pods(cluster, "app=nginx"), 4)


def test_the_guestbook_serves_its_frontend_through_the_service():
    cluster = _cluster(*(f"application/guestbook/{f}" for f in (
        "redis-leader-deployment.yaml", "redis-leader-service.yaml",
        "redis-follower-deployment.yaml", "redis-follower-service.yaml",
        "frontend-deployment.yaml", "frontend-service.yaml")), seconds=120)
    _running_ready(_pods(cluster, "app=guestbook,tier=frontend"), 3)
    _running_ready(_pods(cluster, "app=redis,role=follower"), 2)
    # The docs' frontend Service selects app.kubernetes.io/name=guestbook while the Deployment's
    # pods carry app=guestbook (the files were updated at different times): no endpoints, as on
    # a real cluster. Fixing the selector makes the frontend reachable.
    assert "subsets" not in cluster.get("endpoints", "frontend")
    with pytest.raises(labkube.core.network.ConnectionRefused):
        cluster.request("http://frontend/")
    cluster.patch("service", "frontend", {"spec": {"selector": {"app.kubernetes.io/name": None, "app": "guestbook"}}},
                  patch_type="merge")
    cluster.run(1)
    assert len(cluster.get("endpoints", "frontend")["subsets"][0]["addresses"]) == 3
    response = cluster.request("http://frontend/")
    assert response.status == 200 and response.pod.startswith("default/frontend-")


def test_the_nginx_app_service_waits_for_an_external_ip():
    cluster = _cluster("application/nginx-app.yaml")
    out = cluster.kubectl("get service my-nginx-svc")
    assert "LoadBalancer" in out and "<pending>" in out
    assert len(cluster.get("endpoints", "my-nginx-svc")["subsets"][0]["addresses"]) == 3


# -- pods -------------------------------------------------------------------------------------

def test_commands_prints_its_environment_and_completes():
    cluster = _cluster("pods/commands.yaml")
    pod = _pod(cluster, "command-demo")
    assert pod["status"]["phase"] == "Succeeded"
    assert _container(pod)["state"]["terminated"]["reason"] == "Completed"
    # The page shows the pod's hostname and the API server's Service address.
    assert cluster.kubectl("logs command-demo") == "command-demo\ntcp://10.96.0.1:443\n"


def test_the_init_container_fetches_the_page_that_nginx_then_serves():
    cluster = _cluster("pods/init-containers.yaml")
    pod = _pod(cluster, "init-demo")
    assert pod["status"]["phase"] == "Running" and _ready(pod)
    assert pod["status"]["initContainerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"
    page = cluster.kubectl("exec init-demo -c nginx -- cat /usr/share/nginx/html/index.html")
    assert "home of the first website" in page


def test_a_node_selector_nobody_matches_leaves_the_pod_pending_with_the_schedulers_reason():
    cluster = _cluster("pods/pod-nginx.yaml")
    pod = _pod(cluster, "nginx")
    assert pod["status"]["phase"] == "Pending"
    condition = next(c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled")
    assert condition["reason"] == "Unschedulable"
    assert condition["message"] == (
        "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )
    cluster.kubectl("label node node-2 disktype=ssd")
    cluster.run(15)
    pod = _pod(cluster, "nginx")
    assert pod["spec"]["nodeName"] == "node-2" and pod["status"]["phase"] == "Running"


def test_a_pod_bound_to_a_node_that_does_not_exist_is_garbage_collected():
    cluster = _cluster("pods/pod-nginx-specific-node.yaml", seconds=5)
    assert _pod(cluster, "nginx")["spec"]["nodeName"] == "foo-node"
    cluster.run(60)
    assert cluster.list("pods", field_selector="metadata.name=nginx") == []


def test_a_tolerating_pod_and_an_affinity_pod_schedule():
    cluster = _cluster("pods/pod-with-toleration.yaml", "pods/pod-with-affinity-anti-affinity.yaml")
    assert _ready(_pod(cluster, "nginx"))
    assert _ready(_pod(cluster, "with-affinity-anti-affinity"))


def test_required_pod_affinity_without_a_matching_pod_stays_pending():
    cluster = _cluster("pods/pod-with-pod-affinity.yaml")
    pod = _pod(cluster, "with-pod-affinity")
    assert pod["status"]["phase"] == "Pending"
    condition = next(c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled")
    assert "didn't match pod affinity rules" in condition["message"]


@pytest.mark.parametrize("file", ["pods/pod-configmap-envFrom.yaml",
                                  "pods/pod-single-configmap-env-variable.yaml"])
def test_configmap_examples_wait_for_their_configmap_then_run(file):
    cluster = _cluster(file, seconds=30)
    waiting = _container(_pod(cluster, "dapi-test-pod"))["state"]["waiting"]
    assert waiting["reason"] == "CreateContainerConfigError"
    assert waiting["message"] == 'configmap "special-config" not found'
    cluster.kubectl("create configmap special-config --from-literal=special.how=very "
                    "--from-literal=SPECIAL_LEVEL=very --from-literal=SPECIAL_TYPE=charm")
    cluster.run(30)
    pod = _pod(cluster, "dapi-test-pod")
    assert pod["status"]["phase"] == "Succeeded"
    assert "very" in cluster.kubectl("logs dapi-test-pod")


def test_the_redis_pod_reads_its_configuration_from_a_configmap():
    cluster = _cluster("pods/config/example-redis-config.yaml", "pods/config/redis-pod.yaml")
    assert _ready(_pod(cluster, "redis"))
    out = cluster.kubectl("exec redis -- redis-cli CONFIG GET maxmemory")
    assert out.splitlines()[0] == "maxmemory"


def test_two_containers_share_a_volume_and_nginx_serves_what_debian_wrote():
    cluster = _cluster("pods/two-container-pod.yaml")
    pod = _pod(cluster, "two-containers")
    assert _container(pod, "debian-container")["state"]["terminated"]["reason"] == "Completed"
    assert "running" in _container(pod, "nginx-container")["state"]
    out = cluster.kubectl("exec two-containers -c nginx-container -- cat /usr/share/nginx/html/index.html")
    assert out == "Hello from the debian container\n"


def test_environment_examples_print_their_values():
    cluster = _cluster("pods/inject/envars.yaml", "pods/inject/secret.yaml",
                       "pods/inject/secret-envars-pod.yaml", "pods/inject/dapi-envars-pod.yaml")
    assert cluster.kubectl("exec envar-demo -- printenv DEMO_GREETING") == "Hello from the environment\n"
    assert cluster.kubectl("exec secret-envars-test-pod -- printenv SECRET_USERNAME") == "my-app\n"
    logs = cluster.kubectl("logs dapi-envars-fieldref")
    assert "dapi-envars-fieldref" in logs and "default" in logs


# -- probes and resources ----------------------------------------------------------------------

def test_exec_liveness_restarts_the_container_after_the_file_disappears():
    cluster = _cluster("pods/probe/exec-liveness.yaml", seconds=30)
    assert _container(_pod(cluster, "liveness-exec"))["restartCount"] == 0
    cluster.run(60)
    status = _container(_pod(cluster, "liveness-exec"))
    assert status["restartCount"] == 1
    events = cluster.kubectl("get events --field-selector involvedObject.name=liveness-exec")
    assert "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory" in events


def test_http_liveness_restarts_the_container_once_healthz_fails():
    cluster = _cluster("pods/probe/http-liveness.yaml", seconds=60)
    assert _container(_pod(cluster, "liveness-http"))["restartCount"] >= 1
    events = cluster.kubectl("get events --field-selector involvedObject.name=liveness-http")
    assert "Liveness probe failed: HTTP probe failed with statuscode: 500" in events


def test_tcp_probes_make_the_goproxy_pod_ready():
    cluster = _cluster("pods/probe/tcp-liveness-readiness.yaml", seconds=40)
    pod = _pod(cluster, "goproxy")
    assert _ready(pod) and _container(pod)["restartCount"] == 0


def test_memory_limits_behave_as_the_memory_page_describes():
    cluster = _cluster("pods/resource/memory-request-limit.yaml",
                       "pods/resource/memory-request-limit-2.yaml",
                       "pods/resource/memory-request-limit-3.yaml", namespaces=["mem-example"])
    assert _ready(_pod(cluster, "memory-demo", "mem-example"))
    oom = _container(_pod(cluster, "memory-demo-2", "mem-example"))
    assert oom["lastState"]["terminated"]["reason"] == "OOMKilled" or \
        oom["state"].get("terminated", {}).get("reason") == "OOMKilled"
    pending = _pod(cluster, "memory-demo-3", "mem-example")
    assert pending["status"]["phase"] == "Pending"
    events = cluster.kubectl("get events -n mem-example --field-selector involvedObject.name=memory-demo-3")
    assert "Insufficient memory" in events


def test_qos_classes_follow_requests_and_limits():
    cluster = _cluster("pods/qos/qos-pod.yaml", "pods/qos/qos-pod-2.yaml", namespaces=["qos-example"])
    assert _pod(cluster, "qos-demo", "qos-example")["status"]["qosClass"] == "Guaranteed"
    assert _pod(cluster, "qos-demo-2", "qos-example")["status"]["qosClass"] == "Burstable"


def test_the_cpu_limited_pod_runs():
    cluster = _cluster("pods/resource/cpu-request-limit.yaml", namespaces=["cpu-example"])
    assert _ready(_pod(cluster, "cpu-demo", "cpu-example"))


# -- services and ingress -------------------------------------------------------------------------

def test_the_backend_service_balances_over_its_ready_pods():
    cluster = _cluster("service/access/backend-deployment.yaml", "service/access/backend-service.yaml")
    answered = {cluster.request("http://hello/").pod for _ in range(6)}
    assert len(answered) == 3


def test_ingress_examples_route_hosts_and_paths_to_their_services():
    cluster = labkube.Cluster(nodes=3, seed=0)
    for name in ("service1", "service2"):
        cluster.kubectl(f"create deployment {name} --image=registry.k8s.io/e2e-test-images/agnhost:2.39 "
                        "-- /agnhost netexec --http-port=8080")
        port = 4200 if name == "service1" else 8080  # the ports the Ingress names
        cluster.kubectl(f"expose deployment {name} --port={port} --target-port=8080")
    cluster.apply(str(CONFORMANCE / "service/networking/simple-fanout-example.yaml"))
    cluster.run(60)
    assert cluster.request("http://foo.bar.com/foo", via_ingress=True).pod.startswith("default/service1-")
    assert cluster.request("http://foo.bar.com/bar", via_ingress=True).pod.startswith("default/service2-")
    assert cluster.request("http://foo.bar.com/other", via_ingress=True).status == 404


def test_a_namespace_from_the_docs_is_active():
    cluster = _cluster("admin/namespace-dev.yaml", seconds=1)
    assert cluster.get("namespace", "development")["status"]["phase"] == "Active"


# -- the rest of the corpus -----------------------------------------------------------------------

def test_lifecycle_hooks_write_the_poststart_message():
    cluster = _cluster("pods/lifecycle-events.yaml", seconds=30)
    assert _ready(_pod(cluster, "lifecycle-demo"))
    assert cluster.kubectl("exec lifecycle-demo -- cat /usr/share/message") == "Hello from the postStart handler\n"


def test_the_shell_demo_pod_runs_and_its_shared_volume_starts_empty():
    cluster = _cluster("application/shell-demo.yaml", seconds=30)
    assert _ready(_pod(cluster, "shell-demo"))
    assert cluster.kubectl("exec shell-demo -- ls /usr/share/nginx/html") == ""


def test_a_configmap_volume_that_does_not_exist_keeps_the_pod_creating():
    cluster = _cluster("pods/pod-configmap-volume.yaml", seconds=30)
    pod = _pod(cluster, "dapi-test-pod")
    assert _container(pod)["state"]["waiting"]["reason"] == "ContainerCreating"
    events = cluster.kubectl("get events --field-selector reason=FailedMount")
    assert 'configmap "special-config" not found' in events


@pytest.mark.parametrize("file, name, replicas", [
    ("application/nginx-with-request.yaml", "nginx-deployment", 2),
    ("application/simple_deployment.yaml", "nginx-deployment", 1),
    ("service/access/hello-application.yaml", "hello-world", 2),
    ("service/networking/run-my-nginx.yaml", "my-nginx", 2),
])
def test_the_documented_deployments_become_available(file, name, replicas):
    cluster = _cluster(file, seconds=30)
    status = cluster.get("deployment", name)["status"]
    assert status["availableReplicas"] == status["readyReplicas"] == replicas


def test_a_missing_persistent_volume_claim_keeps_mysql_pending_with_the_schedulers_reason():
    cluster = _cluster("application/mysql/mysql-deployment.yaml", seconds=30)
    pod = _pods(cluster, "app=mysql")[0]
    assert pod["status"]["phase"] == "Pending"
    condition = next(c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled")
    assert condition["message"] == (
        '0/3 nodes are available: persistentvolumeclaim "mysql-pv-claim" not found. '
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )


def test_the_wordpress_manifest_applies_and_its_claim_gets_kinds_default_storage_class():
    """application/wordpress/mysql-deployment.yaml names no class: DefaultStorageClass gives the
    claim ``standard`` (and StorageObjectInUseProtection its finalizer), as on a kind cluster."""
    cluster = labkube.Cluster(nodes=3, seed=0)
    applied = cluster.apply(str(CONFORMANCE / "application/wordpress/mysql-deployment.yaml"))
    assert [obj["kind"] for obj in applied] == ["Service", "PersistentVolumeClaim", "Deployment"]
    claim = cluster.get("pvc", "mysql-pv-claim")
    assert claim["spec"]["storageClassName"] == "standard"
    assert claim["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]


def test_the_json_mysql_volume_manifest_applies_unchanged_with_the_servers_defaults():
    """application/mysql/mysql-pv.yaml is JSON inside YAML: a manual-class hostPath volume of
    20Gi and a claim for it, both Pending when created."""
    cluster = labkube.Cluster(nodes=3, seed=0)
    volume, claim = cluster.apply(str(CONFORMANCE / "application/mysql/mysql-pv.yaml"))
    assert volume["spec"]["hostPath"] == {"path": "/mnt/data", "type": ""}
    assert volume["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert (volume["status"]["phase"], claim["status"]["phase"]) == ("Pending", "Pending")
    assert claim["spec"]["storageClassName"] == "manual"  # named classes are kept


def _claim_events(cluster, claim, namespace="default"):
    """(reason, message, source) of the claim's events, oldest first."""
    events = cluster.list("events", namespace, field_selector=f"involvedObject.name={claim}")
    return [(e["reason"], e["message"], e["source"].get("component", "")) for e in events]


def test_the_mysql_claim_binds_to_the_manual_20gi_volume_of_mysql_pv():
    cluster = _cluster("application/mysql/mysql-pv.yaml", seconds=5)
    claim = cluster.get("persistentvolumeclaim", "mysql-pv-claim")
    volume = cluster.get("persistentvolume", "mysql-pv-volume")
    assert claim["status"] == {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "20Gi"}}
    assert claim["spec"]["volumeName"] == "mysql-pv-volume"
    binding = ("pv.kubernetes.io/bind-completed", "pv.kubernetes.io/bound-by-controller")
    assert {k: claim["metadata"]["annotations"].get(k) for k in binding} == dict.fromkeys(binding, "yes")
    assert volume["status"]["phase"] == "Bound"
    assert volume["spec"]["claimRef"]["name"] == "mysql-pv-claim"
    assert volume["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]
    assert volume["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] == "yes"


def test_mysql_runs_with_its_volume_and_a_replacement_pod_on_the_node_finds_its_files():
    cluster = _cluster("application/mysql/mysql-pv.yaml", "application/mysql/mysql-deployment.yaml")
    pod = _pods(cluster, "app=mysql")[0]
    _running_ready([pod], 1)
    name = pod["metadata"]["name"]
    cluster.kubectl(f"exec {name} -- sh -c 'echo kept > /var/lib/mysql/marker'")
    cluster.delete("pod", name)
    cluster.run(60)
    replacement = _pods(cluster, "app=mysql")[0]
    _running_ready([replacement], 1)
    listing = cluster.kubectl(f"exec {replacement['metadata']['name']} -- ls /var/lib/mysql")
    # a hostPath volume is a directory of one node: the file is there only on the same node
    assert ("marker" in listing) == (replacement["spec"]["nodeName"] == pod["spec"]["nodeName"])


def test_the_wordpress_claim_waits_for_its_pod_is_provisioned_on_its_node_and_the_pod_waits_for_its_secret():
    cluster = _cluster("application/wordpress/mysql-deployment.yaml", seconds=30)
    claim = cluster.get("persistentvolumeclaim", "mysql-pv-claim")
    pod = _pods(cluster, "app=wordpress")[0]
    node = pod["spec"]["nodeName"]
    assert claim["status"]["phase"] == "Bound"
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == node
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/storage-provisioner"] == "rancher.io/local-path"
    volume = cluster.get("persistentvolume", claim["spec"]["volumeName"])
    uid = claim["metadata"]["uid"]
    assert volume["metadata"]["name"] == f"pvc-{uid}"
    assert volume["spec"]["hostPath"] == {
        "path": f"/var/local-path-provisioner/pvc-{uid}_default_mysql-pv-claim", "type": "DirectoryOrCreate"}
    assert volume["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"] == [
        {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]
    assert volume["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    reasons = [reason for reason, _, _ in _claim_events(cluster, "mysql-pv-claim")]
    assert reasons == ["WaitForFirstConsumer", "ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"]
    # the pod stops where a real cluster stops it until the kustomization's Secret exists
    state = _container(cluster.get("pod", pod["metadata"]["name"]))["state"]
    assert state["waiting"]["reason"] == "CreateContainerConfigError"
    assert state["waiting"]["message"] == 'secret "mysql-pass" not found'
    cluster.kubectl("create secret generic mysql-pass --from-literal=password=s3cret")
    cluster.run(60)
    _running_ready(_pods(cluster, "app=wordpress"), 1)


def test_the_statefulset_claim_of_a_missing_class_stays_pending_and_so_does_its_pod():
    cluster = _cluster("controllers/statefulset.yaml", seconds=40)
    claim = cluster.get("persistentvolumeclaim", "www-web-0")
    assert claim["status"]["phase"] == "Pending"
    assert _claim_events(cluster, "www-web-0") == [
        ("ProvisioningFailed", 'storageclass.storage.k8s.io "my-storage-class" not found', "persistentvolume-controller")]
    pod = cluster.get("pod", "web-0")
    condition = next(c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled")
    assert (condition["reason"], condition["message"]) == ("Unschedulable", (
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."))


def test_the_documented_statefulset_makes_one_pod_and_one_claim_and_waits_for_it():
    """OrderedReady: web-1 is created only once web-0 is Running and Ready, which it never is
    while its claim (class my-storage-class, which does not exist) stays unbound."""
    cluster = _cluster("controllers/statefulset.yaml", seconds=120)
    assert [p["metadata"]["name"] for p in _pods(cluster, "app=nginx")] == ["web-0"]
    assert [c["metadata"]["name"] for c in cluster.list("persistentvolumeclaims", "default")] == ["www-web-0"]
    pod = cluster.get("pod", "web-0")
    assert pod["spec"]["volumes"][0] == {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}}
    assert (pod["spec"]["hostname"], pod["spec"]["subdomain"]) == ("web-0", "nginx")
    status = cluster.get("statefulset", "web")["status"]
    assert (status["replicas"], status.get("readyReplicas", 0), status["availableReplicas"]) == (1, 0, 0)
    assert cluster.kubectl("get sts web").splitlines()[1].split()[:2] == ["web", "0/3"]
    events = [e["message"] for e in cluster.list("events", "default", field_selector="involvedObject.name=web")]
    assert events == ["create Claim www-web-0 Pod web-0 in StatefulSet web success",
                      "create Pod web-0 in StatefulSet web successful"]


def _docs_statefulset_without_claims():
    """The docs' web StatefulSet with its claim template (and the mount of it) taken out."""
    from labkube.core.manifests import load

    service, sts = (m.obj for m in load(CONFORMANCE / "controllers" / "statefulset.yaml"))
    del sts["spec"]["volumeClaimTemplates"]
    del sts["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    return service, sts


def test_the_statefulset_without_storage_starts_its_pods_in_order_with_stable_dns_names():
    from labkube.core.clock import parse_timestamp

    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply(list(_docs_statefulset_without_claims()))
    cluster.run(120)
    pods = {p["metadata"]["name"]: p for p in _pods(cluster, "app=nginx")}
    assert sorted(pods) == ["web-0", "web-1", "web-2"]
    ready = {name: next(c["lastTransitionTime"] for c in p["status"]["conditions"] if c["type"] == "Ready")
             for name, p in pods.items()}
    for before, after in (("web-0", "web-1"), ("web-1", "web-2")):  # minReadySeconds: 10
        assert parse_timestamp(pods[after]["metadata"]["creationTimestamp"]) >= parse_timestamp(ready[before]) + 10
    cluster.kubectl("run client --image=busybox:1.28 -- sleep 3600")
    cluster.run(20)
    for name, pod in pods.items():
        out = cluster.kubectl(f"exec client -- nslookup {name}.nginx")
        assert f"{pod['status']['podIP']} {name}.nginx.default.svc.cluster.local" in out
    cluster.kubectl("scale sts web --replicas=2")
    cluster.run(30)
    assert [p["metadata"]["name"] for p in _pods(cluster, "app=nginx")] == ["web-0", "web-1"]


def test_the_nginx_service_of_the_networking_page_finds_its_pods():
    cluster = _cluster("service/networking/run-my-nginx.yaml", "service/networking/nginx-svc.yaml", seconds=30)
    assert len(cluster.get("endpoints", "my-nginx")["subsets"][0]["addresses"]) == 2
    assert cluster.request("http://my-nginx/").status == 200


@pytest.mark.parametrize("file, name, port", [
    ("service/nginx-service.yaml", "nginx-service", 8000),
    ("service/simple-service.yaml", "my-service", 80),
])
def test_services_without_matching_pods_have_an_ip_but_no_endpoints(file, name, port):
    cluster = _cluster(file, seconds=5)
    service = cluster.get("service", name)
    assert service["spec"]["clusterIP"].startswith("10.") and service["spec"]["ports"][0]["port"] == port
    assert "subsets" not in cluster.get("endpoints", name)


def test_an_ingress_for_a_class_no_controller_serves_gets_no_address():
    cluster = _cluster("service/networking/minimal-ingress.yaml", "service/networking/name-virtual-host-ingress.yaml",
                       seconds=5)
    assert "loadBalancer" not in cluster.get("ingress", "minimal-ingress")["status"] or \
        not cluster.get("ingress", "minimal-ingress")["status"]["loadBalancer"]
    served = cluster.get("ingress", "name-virtual-host-ingress")["status"]["loadBalancer"]["ingress"]
    assert served == [{"ip": "172.18.0.2"}]


def test_the_rbac_examples_let_jane_read_pods():
    cluster = _cluster("access/simple-role.yaml", "access/simple-rolebinding-with-role.yaml", seconds=1)
    assert cluster.kubectl("auth can-i list pods --as jane") == "yes\n"
    assert cluster.kubectl("auth can-i delete pods --as jane") == "no\n"


def test_a_secret_volume_shows_the_decoded_values_as_files():
    cluster = _cluster("pods/inject/secret.yaml", "pods/inject/secret-pod.yaml", seconds=30)
    assert _ready(_pod(cluster, "secret-test-pod"))
    assert cluster.kubectl("exec secret-test-pod -- cat /etc/secret-volume/username") == "my-app"


def test_the_documented_network_policy_isolates_the_db_pods_as_its_page_describes():
    """service/networking/networkpolicy.yaml: role=db pods in default accept TCP 6379 only from
    role=frontend pods of default, pods of namespaces labelled project=myproject and
    172.17.0.0/16 except 172.17.1.0/24; they may only connect to 10.0.0.0/24 on TCP 5978."""
    cluster = _cluster("service/networking/networkpolicy.yaml", namespaces=("myproject", "elsewhere"), seconds=1)
    cluster.kubectl("label namespace myproject project=myproject")
    cluster.kubectl("run db --image=redis --labels=role=db")
    cluster.kubectl("run db-shell --image=busybox:1.36 --labels=role=db -- sleep 3600")
    cluster.kubectl("run web --image=nginx")
    for name, namespace, labels in (("frontend", "default", "role=frontend"), ("other", "default", "role=other"),
                                    ("friend", "myproject", "role=other"), ("stranger", "elsewhere", "role=frontend")):
        cluster.kubectl(f"run {name} -n {namespace} --image=busybox:1.36 --labels={labels} -- sleep 3600")
    cluster.run(40)
    db = _pod(cluster, "db")["status"]["podIP"]

    def redis_open(client, namespace="default"):
        return cluster.exec(client, ["nc", "-z", "-w", "2", db, "6379"], namespace=namespace).exit_code == 0

    assert redis_open("frontend") and redis_open("friend", "myproject")
    assert not redis_open("other") and not redis_open("stranger", "elsewhere")
    assert cluster.exec("frontend", ["nc", "-z", "-w", "2", db, "80"]).exit_code == 1  # only 6379 is open
    web = _pod(cluster, "web")["status"]["podIP"]
    denied = cluster.exec("db-shell", ["wget", "-qO-", "-T", "2", web])  # egress: 10.0.0.0/24:5978 only
    assert denied.stderr == "wget: download timed out\n"
    assert cluster.exec("other", ["wget", "-qO-", "-T", "2", web]).exit_code == 0  # not selected: open


def test_memory_defaults_give_a_pod_without_resources_256mi_requested_and_512mi_limit():
    """Docs task "Configure Default Memory Requests and Limits for a Namespace"."""
    cluster = _cluster(namespaces=("default-mem-example",), seconds=0)
    cluster.apply(str(CONFORMANCE / "admin/resource/memory-defaults.yaml"), namespace="default-mem-example")
    cluster.kubectl("run default-mem-demo --image=nginx -n default-mem-example")
    cluster.run(30)
    pod = _pod(cluster, "default-mem-demo", "default-mem-example")
    assert pod["spec"]["containers"][0]["resources"] == {"limits": {"memory": "512Mi"}, "requests": {"memory": "256Mi"}}
    assert pod["status"]["phase"] == "Running"


QUOTA_POD = """
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
  - name: {name}-ctr
    image: {image}
    resources:
      limits:
        memory: "{memory_limit}"
        cpu: "800m"
      requests:
        memory: "{memory_request}"
        cpu: "400m"
"""


def test_the_memory_and_cpu_quota_admits_the_first_pod_and_refuses_the_second_as_its_page_describes():
    """Docs task "Configure Memory and CPU Quotas for a Namespace" (admin/resource/quota-mem-cpu.yaml);
    the two pods are the page's quota-mem-cpu-pod.yaml and quota-mem-cpu-pod-2.yaml."""
    cluster = _cluster(namespaces=("quota-mem-cpu-example",), seconds=0)
    ns = "--namespace=quota-mem-cpu-example"
    path = CONFORMANCE / "admin/resource/quota-mem-cpu.yaml"
    assert cluster.kubectl(f"apply -f {path} {ns}") == "resourcequota/mem-cpu-demo created\n"
    cluster.run(5)
    first = QUOTA_POD.format(name="quota-mem-cpu-demo", image="nginx", memory_limit="800Mi", memory_request="600Mi")
    assert cluster.kubectl(f"apply -f - {ns}", stdin=first) == "pod/quota-mem-cpu-demo created\n"
    cluster.run(30)
    assert _pod(cluster, "quota-mem-cpu-demo", "quota-mem-cpu-example")["status"]["phase"] == "Running"
    shown = cluster.kubectl(f"get resourcequota mem-cpu-demo {ns} --output=yaml")
    assert shown.endswith(
        "status:\n  hard:\n    limits.cpu: \"2\"\n    limits.memory: 2Gi\n    requests.cpu: \"1\"\n"
        "    requests.memory: 1Gi\n  used:\n    limits.cpu: 800m\n    limits.memory: 800Mi\n"
        "    requests.cpu: 400m\n    requests.memory: 600Mi\n")
    second = QUOTA_POD.format(name="quota-mem-cpu-demo-2", image="redis", memory_limit="1Gi", memory_request="700Mi")
    assert cluster.kubectl(f"apply -f - {ns}", stdin=second) == (
        'Error from server (Forbidden): error when creating "STDIN": pods "quota-mem-cpu-demo-2" is forbidden: '
        "exceeded quota: mem-cpu-demo, requested: requests.memory=700Mi, used: requests.memory=600Mi, "
        "limited: requests.memory=1Gi\n")
    # "Every Container must have a memory request, memory limit, cpu request, and cpu limit."
    assert cluster.kubectl(f"run no-limits --image=nginx {ns}") == (
        'Error from server (Forbidden): pods "no-limits" is forbidden: failed quota: mem-cpu-demo: must specify '
        "limits.cpu for: no-limits; limits.memory for: no-limits; requests.cpu for: no-limits; "
        "requests.memory for: no-limits\n")
    assert [p["metadata"]["name"] for p in cluster.list("pods", "quota-mem-cpu-example")] == ["quota-mem-cpu-demo"]


def test_the_hello_cronjob_as_batch_v1_runs_a_job_each_minute_that_prints_its_greeting():
    """application/job/cronjob.yaml (the corpus keeps batch/v1beta1, which 1.32 refuses; the page
    now shows batch/v1): a Job each minute, ``kubectl get cronjob hello`` shows the last
    schedule, and the Job's pod prints the date and "Hello from the Kubernetes cluster"."""
    from labkube.core.manifests import load

    obj = load(CONFORMANCE / "application/job/cronjob.yaml")[0].obj
    obj["apiVersion"] = "batch/v1"
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply(obj)
    cluster.run(3 * 60 + 30)
    jobs = sorted(job["metadata"]["name"] for job in cluster.list("jobs", "default"))
    assert jobs == ["hello-28928161", "hello-28928162", "hello-28928163"]
    assert cluster.kubectl("get cronjob hello").splitlines()[1].split() == [
        "hello", "*", "*", "*", "*", "*", "<none>", "False", "0", "30s", "3m30s"]
    assert cluster.kubectl("logs job/hello-28928163") == (
        "Wed Jan  1 00:03:00 UTC 2025\nHello from the Kubernetes cluster\n")
