"""The cluster graph follows scripted watch events: vertices, placements, edges and states."""

import pytest

from labkube.core.api.testing import new_server
from labkube.core.api.testing import pod as api_pod
from labkube.core.nodes import node_manifest
from labkube.widgets.model import UNSCHEDULED, ClusterGraph, pod_state
from tests.widgets.objects import (
    added, deleted, deployment, endpoint_slice, ingress, modified, node, pod, replica_set, service,
)


def pods_view(graph: ClusterGraph) -> dict:
    """{pod vertex: (node or None, kubectl STATUS, state)} — what a test compares."""
    return {vid: (graph.graph.nodes[vid]["node"], graph.graph.nodes[vid]["status"],
                  graph.graph.nodes[vid]["state"]) for vid in graph.vertices("Pod")}


def feed(graph: ClusterGraph, events) -> None:
    for event in events:
        graph.apply_event(event)


# -- pod states ------------------------------------------------------------------------------
@pytest.mark.parametrize("case, obj, status, state, restarts", [
    ("a pod no node has been chosen for is Pending", pod("p"), "Pending", "pending", 0),
    ("a running pod with every container ready is ready", pod("p", "n1"), "Running", "ready", 0),
    ("a running pod with a container not ready is running-not-ready", pod("p", "n1", "not-ready"),
     "Running", "running", 0),
    ("a pod whose containers are being created is ContainerCreating", pod("p", "n1", "creating"),
     "ContainerCreating", "creating", 0),
    ("a container restarting with back-off is CrashLoopBackOff with its restart count",
     pod("p", "n1", "crashloop", restarts=4), "CrashLoopBackOff", "crashloop", 4),
    ("an image that cannot be pulled is ImagePullBackOff", pod("p", "n1", "imagepull"),
     "ImagePullBackOff", "imagepull", 0),
    ("a failed pull is ErrImagePull, drawn like ImagePullBackOff", pod("p", "n1", "errimagepull"),
     "ErrImagePull", "imagepull", 0),
    ("a container killed for memory is OOMKilled", pod("p", "n1", "oom", restarts=1),
     "OOMKilled", "oom", 1),
    ("a container that exited non-zero is Error", pod("p", "n1", "error"), "Error", "error", 0),
    ("a finished pod is Completed", pod("p", "n1", "completed"), "Completed", "succeeded", 0),
    ("a pod being deleted is Terminating", pod("p", "n1", deleting=True), "Terminating", "terminating", 0),
    ("a pod still running its first init container is Init:0/2", pod("p", "n1", init="waiting"),
     "Init:0/2", "init", 0),
    ("an init container in back-off is Init:CrashLoopBackOff", pod("p", "n1", init="crashloop", restarts=2),
     "Init:CrashLoopBackOff", "crashloop", 2),
])
def test_a_pod_shows_kubectls_status_and_a_state_to_colour(case, obj, status, state, restarts):
    graph = ClusterGraph()
    graph.apply_event(added(obj))
    attrs = graph.graph.nodes["pod/default/p"]
    assert (attrs["status"], attrs["state"], attrs["restarts"]) == (status, state, restarts)


@pytest.mark.parametrize("status, ready, total, state", [
    ("Running", 2, 2, "ready"), ("Running", 1, 2, "running"), ("NotReady", 0, 1, "running"),
    ("ExitCode:3", 0, 1, "error"), ("Signal:9", 0, 1, "error"), ("Init:ExitCode:1", 0, 1, "error"),
    ("Init:OOMKilled", 0, 1, "oom"), ("Init:ImagePullBackOff", 0, 1, "imagepull"),
    ("Evicted", 0, 1, "error"), ("Unknown", 0, 1, "unknown"), ("SchedulingGated", 0, 1, "pending"),
])
def test_every_kubectl_status_text_falls_into_one_state(status, ready, total, state):
    assert pod_state(status, ready, total) == state


# -- nodes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("case, obj, state, status, cordoned, taints", [
    ("a node whose Ready condition is True is Ready", node("n1"), "Ready", "Ready", False, ()),
    ("a node whose kubelet reports not ready is NotReady", node("n1", "False"), "NotReady", "NotReady", False, ()),
    ("a node nobody has heard from is Unknown (kubectl prints NotReady)",
     node("n1", "Unknown", taints=[{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}]),
     "Unknown", "NotReady", False, ()),
    ("a cordoned node is marked cordoned and its own taint is not repeated",
     node("n1", unschedulable=True, taints=[{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]),
     "Ready", "Ready,SchedulingDisabled", True, ()),
    ("a node with a taint of its own lists it",
     node("n1", taints=[{"key": "gpu", "value": "true", "effect": "NoSchedule"}]),
     "Ready", "Ready", False, ("gpu=true:NoSchedule",)),
])
def test_a_node_shows_its_state_cordon_and_taints(case, obj, state, status, cordoned, taints):
    graph = ClusterGraph()
    graph.apply_event(added(obj))
    attrs = graph.graph.nodes["node/n1"]
    assert (attrs["state"], attrs["status"], attrs["cordoned"], attrs["taints"]) == (state, status, cordoned, taints)


def test_the_control_plane_is_always_drawn_with_the_api_server_in_the_middle():
    graph = ClusterGraph()
    assert graph.vertices("ControlPlane") == [
        "cp/etcd", "cp/kube-apiserver", "cp/kube-controller-manager", "cp/kube-scheduler"]
    assert graph.edges("calls") == [("cp/kube-apiserver", "cp/etcd"),
                                    ("cp/kube-controller-manager", "cp/kube-apiserver"),
                                    ("cp/kube-scheduler", "cp/kube-apiserver")]


def test_a_stopped_component_is_marked_and_an_unknown_one_is_refused():
    graph = ClusterGraph()
    assert graph.set_component_state("kube-scheduler", "Stopped") is True
    assert graph.set_component_state("kube-scheduler", "Stopped") is False
    assert graph.graph.nodes["cp/kube-scheduler"]["state"] == "Stopped"
    with pytest.raises(ValueError, match="no control-plane component named 'kubelet'"):
        graph.set_component_state("kubelet", "Stopped")


# -- scripted scenarios ----------------------------------------------------------------------
EVICTION_STEPS = [
    ("two ready nodes, a pod on each, both behind the service",
     [added(node("n1")), added(node("n2")), added(pod("web-a", "n1")), added(pod("web-b", "n2")),
      added(service("web")), added(endpoint_slice("web", {"web-a": True, "web-b": True}))],
     {"n1": "Ready", "n2": "Ready"},
     {"pod/default/web-a": ("n1", "Running", "ready"), "pod/default/web-b": ("n2", "Running", "ready")},
     ["pod/default/web-a", "pod/default/web-b"]),
    ("n1 stops reporting: the node turns Unknown, its pod still stands there",
     [modified(node("n1", "Unknown", taints=[{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}])),
      modified(endpoint_slice("web", {"web-a": False, "web-b": True}))],
     {"n1": "Unknown", "n2": "Ready"},
     {"pod/default/web-a": ("n1", "Running", "ready"), "pod/default/web-b": ("n2", "Running", "ready")},
     ["pod/default/web-b"]),
    ("the pod on n1 is evicted (Terminating) and its replacement waits to be scheduled",
     [modified(pod("web-a", "n1", deleting=True)), added(pod("web-c"))],
     {"n1": "Unknown", "n2": "Ready"},
     {"pod/default/web-a": ("n1", "Terminating", "terminating"), "pod/default/web-b": ("n2", "Running", "ready"),
      "pod/default/web-c": (None, "Pending", "pending")},
     ["pod/default/web-b"]),
    ("the replacement is bound to n2 and its containers start",
     [modified(pod("web-c", "n2", "creating"))],
     {"n1": "Unknown", "n2": "Ready"},
     {"pod/default/web-a": ("n1", "Terminating", "terminating"), "pod/default/web-b": ("n2", "Running", "ready"),
      "pod/default/web-c": ("n2", "ContainerCreating", "creating")},
     ["pod/default/web-b"]),
    ("the replacement is ready and joins the service; the evicted pod is gone",
     [modified(pod("web-c", "n2")), deleted(pod("web-a", "n1", deleting=True)),
      modified(endpoint_slice("web", {"web-b": True, "web-c": True}))],
     {"n1": "Unknown", "n2": "Ready"},
     {"pod/default/web-b": ("n2", "Running", "ready"), "pod/default/web-c": ("n2", "Running", "ready")},
     ["pod/default/web-b", "pod/default/web-c"]),
]


def test_a_pod_moves_when_its_node_fails_and_it_is_evicted_and_recreated_elsewhere():
    graph = ClusterGraph()
    for step, events, node_states, pods, endpoints in EVICTION_STEPS:
        feed(graph, events)
        assert {n: graph.graph.nodes[f"node/{n}"]["state"] for n in graph.nodes()} == node_states, step
        assert pods_view(graph) == pods, step
        assert graph.edges("endpoint") == [("service/default/web", p) for p in endpoints], step
        hosts = sorted((f"node/{n}", vid) for vid, (n, _, _) in pods.items() if n)
        assert graph.edges("hosts") == hosts, step
        assert graph.pods_on(UNSCHEDULED) == sorted(v for v, (n, _, _) in pods.items() if n is None), step


def test_a_service_loses_the_edge_to_a_pod_that_stops_being_ready_and_regains_it():
    graph = ClusterGraph()
    feed(graph, [added(node("n1")), added(pod("web-a", "n1")), added(pod("web-b", "n1")),
                 added(service("web")), added(endpoint_slice("web", {"web-a": True, "web-b": True}))])
    assert graph.edges("endpoint") == [("service/default/web", "pod/default/web-a"),
                                       ("service/default/web", "pod/default/web-b")]
    feed(graph, [modified(pod("web-a", "n1", "not-ready")),
                 modified(endpoint_slice("web", {"web-a": False, "web-b": True}))])
    assert graph.edges("endpoint") == [("service/default/web", "pod/default/web-b")]
    assert graph.graph.nodes["pod/default/web-a"]["state"] == "running"
    feed(graph, [modified(endpoint_slice("web", {"web-a": True, "web-b": True}))])
    assert ("service/default/web", "pod/default/web-a") in graph.edges("endpoint")


@pytest.mark.parametrize("case, order", [
    ("the service, then its slice, then the pods", ["service", "slice", "pods"]),
    ("the slice before the service and the pods", ["slice", "service", "pods"]),
    ("the pods first", ["pods", "slice", "service"]),
])
def test_endpoint_edges_appear_whatever_order_the_objects_arrive_in(case, order):
    objects = {"service": [service("web")],
               "slice": [endpoint_slice("web", {"web-a": True, "web-b": False})],
               "pods": [pod("web-a", "n1"), pod("web-b", "n1", "not-ready")]}
    graph = ClusterGraph()
    feed(graph, [added(node("n1"))] + [added(o) for key in order for o in objects[key]])
    assert graph.edges("endpoint") == [("service/default/web", "pod/default/web-a")]


def test_a_service_split_over_two_slices_points_at_the_ready_pods_of_both():
    graph = ClusterGraph()
    feed(graph, [added(node("n1")), added(pod("a", "n1")), added(pod("b", "n1")), added(service("web")),
                 added(endpoint_slice("web", {"a": True}, suffix="one")),
                 added(endpoint_slice("web", {"a": True, "b": True}, suffix="two"))])
    feed(graph, [deleted(endpoint_slice("web", {"a": True, "b": True}, suffix="two"))])
    assert graph.edges("endpoint") == [("service/default/web", "pod/default/a")]


def test_an_ingress_points_at_its_backend_services_and_follows_its_rules():
    graph = ClusterGraph()
    feed(graph, [added(service("web")), added(service("api")), added(ingress("front", ["web"]))])
    assert graph.edges("backend") == [("ingress/default/front", "service/default/web")]
    feed(graph, [modified(ingress("front", ["api", "web"]))])
    assert graph.edges("backend") == [("ingress/default/front", "service/default/api"),
                                      ("ingress/default/front", "service/default/web")]
    feed(graph, [deleted(service("api")), added(service("api"))])
    assert graph.edges("backend") == [("ingress/default/front", "service/default/api"),
                                      ("ingress/default/front", "service/default/web")]


def test_owner_edges_run_from_deployment_to_replicaset_to_pod_when_asked_for():
    events = [added(pod("web-1-x", "n1", owner=("ReplicaSet", "web-1"))), added(node("n1")),
              added(replica_set("web-1", "web")), added(deployment("web"))]
    with_owners, without = ClusterGraph(owners=True), ClusterGraph()
    feed(with_owners, events)
    feed(without, events)
    assert with_owners.edges("owns") == [("deployment/default/web", "replicaset/default/web-1"),
                                         ("replicaset/default/web-1", "pod/default/web-1-x")]
    assert with_owners.graph.nodes["deployment/default/web"]["ready"] == "2/2"
    assert without.edges("owns") == [] and without.vertices("Deployment") == []


def test_a_pod_on_a_node_the_api_does_not_know_is_drawn_on_an_unknown_placeholder():
    graph = ClusterGraph()
    feed(graph, [added(node("n1")), added(pod("a", "n1")), deleted(node("n1"))])
    assert graph.graph.nodes["node/n1"]["state"] == "Unknown"
    assert graph.graph.nodes["node/n1"]["registered"] is False
    feed(graph, [deleted(pod("a", "n1"))])
    assert graph.nodes() == []


def test_an_event_that_changes_nothing_visible_leaves_the_revision_alone():
    graph = ClusterGraph()
    assert graph.apply_event(added(pod("a", "n1"))) is True
    revision = graph.revision
    assert graph.apply_event(modified(pod("a", "n1"))) is False
    assert graph.apply_event({"type": "BOOKMARK", "object": {"kind": "Pod", "metadata": {}}}) is False
    assert graph.apply_event(added({"kind": "ConfigMap", "metadata": {"name": "x"}})) is False
    assert graph.revision == revision


def test_the_same_objects_give_the_same_graph_in_any_order():
    objects = [node("n2"), node("n1"), pod("b", "n2"), pod("a", "n1"), pod("c"), service("web"),
               endpoint_slice("web", {"a": True, "b": True}), ingress("front", ["web"])]
    forward, backward = ClusterGraph(), ClusterGraph()
    feed(forward, [added(o) for o in objects])
    feed(backward, [added(o) for o in reversed(objects)])
    assert sorted(forward.graph.nodes(data=True)) == sorted(backward.graph.nodes(data=True))
    assert forward.edges() == backward.edges()
    assert forward.summary() == backward.summary() == {
        "n1": {"ready": 1}, "n2": {"ready": 1}, UNSCHEDULED: {"pending": 1}}


def test_summary_counts_pods_per_node_and_state_and_follows_changes():
    graph = ClusterGraph()
    feed(graph, [added(node("n1")), added(node("n2")), added(pod("a", "n1")),
                 added(pod("b", "n1", "crashloop")), added(pod("c", "n1", "crashloop")), added(pod("d"))])
    assert graph.summary() == {"n1": {"ready": 1, "crashloop": 2}, "n2": {}, UNSCHEDULED: {"pending": 1}}
    feed(graph, [modified(pod("d", "n2", "creating")), modified(pod("b", "n1"))])
    assert graph.summary() == {"n1": {"ready": 2, "crashloop": 1}, "n2": {"creating": 1}}
    assert graph.pod_count() == 4


# -- filters ---------------------------------------------------------------------------------
FILTER_OBJECTS = [
    node("n1"),
    pod("web-a", "n1", labels={"app": "web"}), pod("db-a", "n1", labels={"app": "db"}),
    pod("web-k", "n1", namespace="kube-system", labels={"app": "web"}),
    service("web"), service("db"), endpoint_slice("web", {"web-a": True}),
    service("web", namespace="kube-system"), endpoint_slice("web", {"web-k": True}, namespace="kube-system"),
]


@pytest.mark.parametrize("case, kwargs, pods, services", [
    ("no filter draws everything", {},
     ["pod/default/db-a", "pod/default/web-a", "pod/kube-system/web-k"],
     ["service/default/db", "service/default/web", "service/kube-system/web"]),
    ("a namespace keeps only that namespace's objects", {"namespace": "default"},
     ["pod/default/db-a", "pod/default/web-a"], ["service/default/db", "service/default/web"]),
    ("a label selector keeps only matching objects", {"label_selector": "app=web"},
     ["pod/default/web-a", "pod/kube-system/web-k"], ["service/default/web", "service/kube-system/web"]),
    ("both filters combine", {"namespace": "kube-system", "label_selector": "app in (web)"},
     ["pod/kube-system/web-k"], ["service/kube-system/web"]),
    ("a set-based selector excludes", {"label_selector": "app!=web"},
     ["pod/default/db-a"], ["service/default/db"]),
])
def test_filters_keep_only_matching_objects_but_every_node(case, kwargs, pods, services):
    graph = ClusterGraph(**kwargs)
    graph.load(FILTER_OBJECTS)
    assert graph.vertices("Pod") == pods
    assert graph.vertices("Service") == services
    assert graph.nodes() == ["n1"]
    assert all(source in services and target in pods for source, target in graph.edges("endpoint"))


def test_a_pod_whose_labels_stop_matching_leaves_the_picture():
    graph = ClusterGraph(label_selector="app=web")
    feed(graph, [added(pod("a", "n1"))])
    feed(graph, [modified(pod("a", "n1", labels={"app": "other"}))])
    assert graph.vertices("Pod") == [] and graph.summary() == {}


def test_a_bad_label_selector_is_refused_with_the_selector_error():
    with pytest.raises(ValueError):
        ClusterGraph(label_selector="app in (")


# -- real events -----------------------------------------------------------------------------
def test_events_from_a_real_api_server_watch_build_the_graph():
    env = new_server()
    watches = [env.admin.watch("nodes"), env.admin.watch("pods")]
    env.admin.create(node_manifest("node-1", 1, env.clock, cpu="2", memory="8Gi", pods="110"))
    created = api_pod("web")
    created["spec"]["nodeName"] = "node-1"
    live = env.admin.create(created, "default")
    live["status"] = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                      "containerStatuses": [{"name": "c", "image": "nginx", "imageID": "", "ready": True,
                                             "restartCount": 0, "state": {"running": {"startedAt": "2025-01-01T00:00:00Z"}}}]}
    env.admin.update(live, subresource="status")
    graph = ClusterGraph()
    for watch in watches:
        feed(graph, watch.poll())
    assert pods_view(graph) == {"pod/default/web": ("node-1", "Running", "ready")}
    assert graph.graph.nodes["node/node-1"]["state"] == "Ready"
    env.admin.delete("pods", "web", "default", grace_period_seconds=0)
    feed(graph, watches[1].poll())
    assert graph.vertices("Pod") == []


def test_from_cluster_lists_what_the_cluster_has_and_records_resource_versions():
    import labkube

    with labkube.Cluster(nodes=2, seed=0) as cluster:
        cluster.kubectl("create deployment web --image=nginx --replicas=2")
        cluster.kubectl("expose deployment web --port=80")
        cluster.run(5)
        graph = ClusterGraph.from_cluster(cluster, namespace="default", owners=True)
        pods = cluster.client.list("pods", "default")["items"]
    assert graph.nodes() == ["node-1", "node-2"]
    assert graph.vertices("Pod") == sorted(f"pod/default/{p['metadata']['name']}" for p in pods)
    assert "service/default/web" in graph.vertices("Service")
    assert graph.vertices("Deployment") == ["deployment/default/web"]
    assert [u for u, _ in graph.edges("owns")].count("deployment/default/web") == 1
    assert set(graph.resource_versions) == {"nodes", "pods", "services", "endpointslices", "ingresses",
                                            "deployments", "replicasets"}
