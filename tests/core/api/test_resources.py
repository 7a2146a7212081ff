"""The resource registry resolves names the way kubectl does."""

import pytest

import labkube
from labkube.core.api import resources
from labkube.core.api.resources import ResourceType, default_registry
from labkube.core.errors import StatusError


@pytest.mark.parametrize(
    "name, kind, group",
    [
        ("pods", "Pod", ""), ("pod", "Pod", ""), ("po", "Pod", ""), ("Pod", "Pod", ""),
        ("deploy", "Deployment", "apps"), ("deployments.apps", "Deployment", "apps"),
        ("deployments.v1.apps", "Deployment", "apps"), ("rs", "ReplicaSet", "apps"),
        ("svc", "Service", ""), ("ns", "Namespace", ""), ("no", "Node", ""),
        ("cm", "ConfigMap", ""), ("sa", "ServiceAccount", ""), ("ep", "Endpoints", ""),
        ("ing", "Ingress", "networking.k8s.io"), ("events", "Event", ""),
        ("events.events.k8s.io", "Event", "events.k8s.io"),
        ("clusterrolebindings", "ClusterRoleBinding", "rbac.authorization.k8s.io"),
        ("endpointslices", "EndpointSlice", "discovery.k8s.io"),
        ("leases", "Lease", "coordination.k8s.io"),
    ],
)
def test_kubectl_names_resolve_to_their_resource(name, kind, group):
    rtype = default_registry().resolve(name)
    assert (rtype.kind, rtype.group) == (kind, group)


def test_an_unknown_resource_name_gets_kubectls_message():
    with pytest.raises(StatusError) as err:
        default_registry().resolve("foos")
    assert err.value.message == 'the server doesn\'t have a resource type "foos"'


def test_an_unserved_kind_gets_the_rest_mappers_no_match_error():
    with pytest.raises(StatusError) as err:
        default_registry().for_kind("batch/v1beta1", "CronJob")
    assert err.value.message == 'no matches for kind "CronJob" in version "batch/v1beta1"'


def test_keys_follow_the_registry_layout():
    registry = default_registry()
    assert registry.resolve("pods").key("default", "web") == "/registry/pods/default/web"
    assert registry.resolve("events.events.k8s.io").prefix() == "/registry/events/"


@pytest.mark.parametrize("resource, namespace, name, key", [
    # kube-apiserver's SpecialDefaultResourcePrefixes (pkg/kubeapiserver/default_storage_factory_builder.go)
    ("nodes", None, "node-1", "/registry/minions/node-1"),
    ("services", "default", "kubernetes", "/registry/services/specs/default/kubernetes"),
    ("endpoints", "default", "kubernetes", "/registry/services/endpoints/default/kubernetes"),
    ("replicationcontrollers", "default", "web", "/registry/controllers/default/web"),
    ("ingresses", "default", "web", "/registry/ingress/default/web"),
    # apiextensions-apiserver keeps its group in the prefix
    ("customresourcedefinitions", None, "crontabs.stable.example.com",
     "/registry/apiextensions.k8s.io/customresourcedefinitions/crontabs.stable.example.com"),
])
def test_some_kinds_are_kept_under_the_prefixes_compiled_into_kube_apiserver(resource, namespace, name, key):
    assert default_registry().resolve(resource).key(namespace, name) == key


def test_qualified_names_are_what_errors_print():
    deploy = default_registry().resolve("deploy")
    assert deploy.qualified_resource == "deployments.apps"
    assert deploy.qualified_kind == "Deployment.apps"
    assert deploy.api_version == "apps/v1"


def test_the_all_category_holds_what_kubectl_get_all_shows():
    kinds = [r.kind for r in default_registry().category("all") if r.kind != "HorizontalPodAutoscaler"]
    # batch/v1's discovery lists cronjobs before jobs, so kubectl get all shows them first.
    # core/v1's discovery is alphabetical: pods, replicationcontrollers, services.
    assert kinds == ["Pod", "ReplicationController", "Service", "DaemonSet", "Deployment", "ReplicaSet",
                     "StatefulSet", "CronJob", "Job"]


def test_a_new_kind_is_added_by_registration():
    registry = default_registry()
    registry.register(ResourceType("example.com", "v1", "Widget", "widgets", "widget", True, ("wd",),
                                   categories=("all",)))
    assert registry.resolve("wd").api_version == "example.com/v1"
    with pytest.raises(ValueError):
        registry.register(ResourceType("example.com", "v1", "Widget", "widgets", "widget", True))


def test_a_kubernetes_kind_labkube_does_not_serve_yet_says_so(monkeypatch):
    # CSIDriver stands for any kind 1.32 serves and labkube does not (yet) list.
    monkeypatch.setattr(resources, "NOT_YET_SERVED", frozenset({("storage.k8s.io/v1", "CSIDriver")}))
    with pytest.raises(StatusError) as err:
        default_registry().for_kind("storage.k8s.io/v1", "CSIDriver")
    assert err.value.message == (
        'no matches for kind "CSIDriver" in version "storage.k8s.io/v1": labkube does not support '
        "CSIDriver yet"
    )


def test_a_resource_types_remembered_key_prefix_leaves_equality_and_hashing_alone():
    import dataclasses

    pods = default_registry().resolve("pods")
    fresh = dataclasses.replace(pods)
    assert pods.key("default", "web") == "/registry/pods/default/web"  # remembers the prefix
    assert fresh == pods and hash(fresh) == hash(pods)
    events = dataclasses.replace(pods, storage_resource="events")
    assert events.storage_prefix == "/registry/events/" and events != pods


def test_a_cluster_keeps_its_nodes_and_services_where_kube_apiserver_does():
    cluster = labkube.Cluster(nodes=1, seed=0)
    keys = [kv.key for kv in cluster.store.range_prefix("/registry/").kvs]
    assert "/registry/minions/node-1" in keys
    assert "/registry/services/specs/default/kubernetes" in keys
    assert "/registry/services/endpoints/default/kubernetes" in keys
    assert not [key for key in keys if key.startswith(("/registry/nodes/", "/registry/endpoints/"))]
