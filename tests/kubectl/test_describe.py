"""kubectl describe, checked against what the real kubectl 1.32 printed (see golden/README.md)."""

import pytest

from labkube.core.api.resources import default_registry
from labkube.kubectl.describe import Related, describe, describe_many

from . import objects as o
from .golden_cases import golden

REG = default_registry()
OBJECTS = o.cluster_objects()


def find(kind, name, namespace=None):
    return next(x for x in OBJECTS if x["kind"] == kind and x["metadata"]["name"] == name
                and namespace in (None, x["metadata"].get("namespace")))


def of_kind(kind, namespace="default"):
    return [x for x in OBJECTS if x["kind"] == kind and x["metadata"].get("namespace", namespace) == namespace]


def events_about(obj):
    return [e for e in OBJECTS if e["kind"] == "Event" and e["involvedObject"]["uid"] == obj["metadata"]["uid"]]


def run(kind, name, related=Related(), events=True, namespace=None):
    obj = find(kind, name, namespace)
    return describe(obj, REG.for_kind(obj["apiVersion"], kind), events_about(obj) if events else None, o.NOW,
                    related)


POD = f"web-{o.RS_HASH}-x2kq9"
CASES = [
    ("a running pod with its events", "describe_pod_running.txt", "Pod", POD, Related()),
    ("a pending pod with a FailedScheduling event", "describe_pod_pending.txt", "Pod", "big", Related()),
    ("a crash-looping pod with its last state and repeated events", "describe_pod_crashloop.txt", "Pod",
     "crashy", Related()),
    ("a pod running its init container", "describe_pod_init.txt", "Pod", "init-demo", Related()),
    ("a deployment with its new replica set", "describe_deployment.txt", "Deployment", "web",
     Related(replica_sets=of_kind("ReplicaSet"))),
    ("a replica set counting the pods it controls", "describe_replicaset.txt", "ReplicaSet", f"web-{o.RS_HASH}",
     Related(pods=of_kind("Pod"))),
    ("a service with endpoints from its endpoint slices", "describe_service.txt", "Service", "web",
     Related(endpoint_slices=of_kind("EndpointSlice"))),
    ("a service without endpoint slices", "describe_service_kubernetes.txt", "Service", "kubernetes",
     Related(endpoint_slices=of_kind("EndpointSlice"))),
    ("a node with its lease, pods and allocated resources", "describe_node.txt", "Node", "node-1",
     Related(pods=of_kind("Pod"), lease=find("Lease", "node-1"))),
    ("a namespace on a server without quotas or limit ranges", "describe_namespace.txt", "Namespace", "default",
     Related()),
    ("a secret shows sizes, never values", "describe_secret.txt", "Secret", "db-pass", Related()),
    ("a service account with no secrets", "describe_serviceaccount.txt", "ServiceAccount", "default",
     Related(secrets=of_kind("Secret"))),
    ("endpoints list their subsets", "describe_endpoints.txt", "Endpoints", "web", Related()),
    ("an ingress resolves its backends' endpoints", "describe_ingress.txt", "Ingress", "web",
     Related(services=of_kind("Service"), endpoint_slices=of_kind("EndpointSlice"))),
    ("an ingress class", "describe_ingressclass.txt", "IngressClass", "nginx", Related()),
    ("a role's rules are broken down per resource and sorted", "describe_role.txt", "Role", "pod-reader", Related()),
    ("a cluster role with a non-resource URL", "describe_clusterrole.txt", "ClusterRole", "secret-reader", Related()),
    ("a role binding lists its subjects", "describe_rolebinding.txt", "RoleBinding", "read-pods", Related()),
    ("a cluster role binding", "describe_clusterrolebinding.txt", "ClusterRoleBinding", "read-secrets-global",
     Related()),
    ("a lease uses the generic describer", "describe_lease.txt", "Lease", "node-1", Related()),
    ("an endpoint slice lists its endpoints", "describe_endpointslice.txt", "EndpointSlice", "web-abc12", Related()),
]


ZOO = [
    ("a terminating pod says how long termination lasts", "describe_pod_terminating.txt", "Pod", "leaving"),
    ("a pod with a crash-looping second container", "describe_pod_two_containers.txt", "Pod", "two-containers"),
    ("a pod with readiness gates and a nominated node", "describe_pod_readiness_gates.txt", "Pod", "gates"),
    ("a load balancer lists its ingress points and node ports", "describe_service_loadbalancer.txt", "Service", "lb"),
    ("a node port service with two ports", "describe_service_nodeport.txt", "Service", "np"),
    ("an external name service", "describe_service_externalname.txt", "Service", "external"),
]


@pytest.mark.parametrize("golden_file, kind, name, related", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_describe_matches_real_kubectl(golden_file, kind, name, related):
    assert run(kind, name, related) == golden(golden_file)


@pytest.mark.parametrize("golden_file, kind, name", [c[1:] for c in ZOO], ids=[c[0] for c in ZOO])
def test_describe_of_unusual_objects_matches_real_kubectl(golden_file, kind, name):
    assert run(kind, name, Related(endpoint_slices=of_kind("EndpointSlice", "zoo")), namespace="zoo") == \
        golden(golden_file)


def test_an_event_uses_the_generic_describer_like_kubectl():
    assert run("Event", f"web-{o.RS_HASH}-x2kq9.181a0b1c2d3e4f02") == golden("describe_event.txt")


def test_two_pods_describe_as_two_pages_like_kubectl():
    pages = [run("Pod", name, namespace="zoo") for name in ("done", "failed")]
    assert describe_many(pages) == golden("describe_pods_two_pages.txt")


def _data_blocks(text):
    head, _, rest = text.partition("\nData\n====\n")
    data, _, tail = rest.partition("\nBinaryData\n====\n")
    return head, sorted(data.split("\n\n")), tail


def test_configmap_describe_matches_real_kubectl_up_to_go_map_order():
    # Real kubectl ranges over the data map, whose order Go randomises; labkube sorts the keys.
    got, want = run("ConfigMap", "app-config"), golden("describe_configmap.txt")
    assert _data_blocks(got) == _data_blocks(want)
    assert got.index("game.properties:") < got.index("mode:") < got.index("port:")


def test_without_show_events_there_is_no_events_section():
    assert "Events:" not in run("Pod", POD, events=False)


def test_a_pod_without_events_says_none_aligned_with_the_block_above():
    assert run("Pod", "init-demo").endswith("Events:                      <none>\n")


def test_a_node_without_a_lease_says_it_failed_to_get_one():
    text = run("Node", "node-1", Related(pods=of_kind("Pod")))
    assert 'Lease:              Failed to get lease: leases.coordination.k8s.io "node-1" not found\n' in text


def test_a_node_whose_pods_cannot_be_listed_says_not_authorized():
    text = run("Node", "node-1", Related(can_view_pods=False, lease=find("Lease", "node-1")))
    assert "Pods:                         not authorized\n" in text


def test_node_resources_sum_requests_as_percentages_of_allocatable():
    crashy = dict(find("Pod", "crashy"), spec=dict(find("Pod", "crashy")["spec"], nodeName="node-1"))
    text = run("Node", "node-1", Related(pods=[crashy], lease=find("Lease", "node-1")))
    assert "  cpu                100m (2%)  0 (0%)\n" in text
    assert "  memory             64Mi (0%)  0 (0%)\n" in text


def test_terminated_pods_are_not_listed_on_their_node():
    done = next(p for p in OBJECTS if p["metadata"]["name"] == "done")
    text = run("Node", "node-2", Related(pods=[done], lease=None))
    assert "Non-terminated Pods:          (0 in total)" in text


def test_a_deployment_mid_rollout_lists_old_and_new_replica_sets():
    new = o.replicaset()
    old = o.replicaset(name="web-5d4c8b9f7")
    old["metadata"]["uid"] = "old-rs"
    old["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26"
    old["spec"]["replicas"], old["status"]["replicas"] = 1, 1
    text = run("Deployment", "web", Related(replica_sets=[old, new]))
    assert "OldReplicaSets:  web-5d4c8b9f7 (1/1 replicas created)\n" in text
    assert f"NewReplicaSet:   web-{o.RS_HASH} (3/3 replicas created)\n" in text


def test_a_service_account_token_secret_is_listed_and_missing_secrets_flagged():
    sa = dict(find("ServiceAccount", "default"), secrets=[{"name": "gone"}])
    token = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
             "metadata": {"name": "default-token", "namespace": "default", "annotations": {
                 "kubernetes.io/service-account.name": "default",
                 "kubernetes.io/service-account.uid": sa["metadata"]["uid"]}}, "data": {}}
    text = describe(sa, REG.resolve("sa"), [], o.NOW, Related(secrets=[token]))
    assert "Mountable secrets:   gone (not found)\n" in text
    assert "Tokens:              default-token\n" in text


def test_an_events_k8s_io_event_is_described_like_a_core_one():
    pod = find("Pod", POD)
    core = describe(pod, REG.resolve("pods"), [o.events_k8s_io_event()], o.NOW)
    assert "  Normal  Scheduled  14m   default-scheduler  Successfully assigned default/web-1 to node-1\n" in core


def test_several_pages_are_separated_like_kubectl_describe_prints_them():
    assert describe_many(["a\n", "b\n", "c\n"]) == "a\n\n\nb\n\n\nc\n"


def test_a_namespace_on_a_server_with_quotas_and_limit_ranges_says_it_has_none():
    text = run("Namespace", "default", Related(resource_quotas=[], limit_ranges=[]))
    assert text.endswith("Status:       Active\n\nNo resource quota.\n\nNo LimitRange resource.\n")


def test_a_namespace_quota_lists_used_and_hard_amounts():
    quota = {"metadata": {"name": "compute"}, "status": {"hard": {"pods": "10", "requests.cpu": "2"},
                                                         "used": {"pods": "3", "requests.cpu": "500m"}}}
    text = run("Namespace", "default", Related(resource_quotas=[quota]))
    assert ("Resource Quotas\n  Name:         compute\n  Resource      Used  Hard\n  --------      ---   ---\n"
            "  pods          3     10\n  requests.cpu  500m  2\n") in text
