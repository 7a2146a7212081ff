"""Endpoints and EndpointSlices follow pod readiness and labels."""

from labkube.core.controllers.endpoints import EndpointsController
from labkube.core.controllers.endpointslice import EndpointSliceController
from tests.core.controllers.helpers import add_node, add_pod, new_env, set_pod_ready, start_manager

PORTS = [{"name": "http", "containerPort": 8080}]


def service(env, name="web", selector=None, target="http", **spec):
    body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
            "spec": {"ports": [{"name": "web", "port": 80, "targetPort": target}], **spec}}
    if selector is not False:
        body["spec"]["selector"] = selector or {"app": "web"}
    return env.admin.create(body)


def setup():
    env = new_env()
    add_node(env, "node-1", 1, labels={"topology.kubernetes.io/zone": "zone-a"})
    manager = start_manager(env, [EndpointsController, EndpointSliceController])
    return env, manager


def endpoints(env, name="web"):
    return env.admin.get("endpoints", name, "default")


def slices(env, service_name="web"):
    return env.admin.list("endpointslices", "default",
                          label_selector=f"kubernetes.io/service-name={service_name}")["items"]


def test_ready_and_not_ready_pods_are_listed_apart_with_named_ports_resolved():
    env, _ = setup()
    service(env)
    add_pod(env, "a", node="node-1", labels={"app": "web"}, ip="10.244.1.2", ports=PORTS)
    add_pod(env, "b", node="node-1", labels={"app": "web"}, ip="10.244.1.3", ports=PORTS, ready=False)
    env.clock.run(1)
    [subset] = endpoints(env)["subsets"]
    assert [a["ip"] for a in subset["addresses"]] == ["10.244.1.2"]
    assert [a["ip"] for a in subset["notReadyAddresses"]] == ["10.244.1.3"]
    assert subset["ports"] == [{"name": "web", "port": 8080, "protocol": "TCP"}]
    address = subset["addresses"][0]
    assert address["nodeName"] == "node-1"
    assert address["targetRef"]["kind"] == "Pod" and address["targetRef"]["name"] == "a"


def test_a_pod_becoming_ready_moves_to_addresses():
    env, _ = setup()
    service(env)
    pod = add_pod(env, "a", node="node-1", labels={"app": "web"}, ip="10.244.1.2", ports=PORTS, ready=False)
    env.clock.run(1)
    assert "addresses" not in endpoints(env)["subsets"][0]
    env.clock.run(5)
    set_pod_ready(env, pod, True)
    env.clock.run(1)
    ep = endpoints(env)
    assert [a["ip"] for a in ep["subsets"][0]["addresses"]] == ["10.244.1.2"]
    assert ep["metadata"]["annotations"]["endpoints.kubernetes.io/last-change-trigger-time"] == "2025-01-01T00:00:06Z"


def test_relabelled_pods_leave_the_endpoints():
    env, _ = setup()
    service(env)
    add_pod(env, "a", node="node-1", labels={"app": "web"}, ip="10.244.1.2", ports=PORTS)
    env.clock.run(1)
    pod = env.admin.get("pods", "a", "default")
    pod["metadata"]["labels"] = {"app": "other"}
    env.admin.update(pod)
    env.clock.run(1)
    assert "subsets" not in endpoints(env)
    assert slices(env)[0]["endpoints"] in (None, [])


def test_pods_without_the_named_port_are_left_out():
    env, _ = setup()
    service(env)
    add_pod(env, "a", node="node-1", labels={"app": "web"}, ip="10.244.1.2")
    env.clock.run(1)
    assert "subsets" not in endpoints(env)


def test_publish_not_ready_addresses_lists_unready_pods_as_ready():
    env, _ = setup()
    service(env, publishNotReadyAddresses=True)
    add_pod(env, "a", node="node-1", labels={"app": "web"}, ip="10.244.1.2", ports=PORTS, ready=False)
    env.clock.run(1)
    assert [a["ip"] for a in endpoints(env)["subsets"][0]["addresses"]] == ["10.244.1.2"]
    assert slices(env)[0]["endpoints"][0]["conditions"] == {"ready": True, "serving": False, "terminating": False}


def test_headless_services_are_labelled_headless():
    env, _ = setup()
    service(env, clusterIP="None")
    env.clock.run(1)
    assert endpoints(env)["metadata"]["labels"] == {"service.kubernetes.io/headless": ""}


def test_a_service_without_selector_gets_no_endpoints_from_the_controllers():
    env, _ = setup()
    service(env, selector=False)
    env.clock.run(1)
    assert env.admin.list("endpoints", "default")["items"] == [] or all(
        e["metadata"]["name"] != "web" for e in env.admin.list("endpoints", "default")["items"])
    assert slices(env) == []


def test_deleting_the_service_deletes_its_endpoints():
    env, _ = setup()
    service(env)
    env.clock.run(1)
    env.admin.delete("services", "web", "default")
    env.clock.run(1)
    assert [e["metadata"]["name"] for e in env.admin.list("endpoints", "default")["items"]] == []


def test_endpointslices_carry_labels_owner_conditions_zone_and_ports():
    env, _ = setup()
    svc = service(env)
    add_pod(env, "a", node="node-1", labels={"app": "web"}, ip="10.244.1.2", ports=PORTS)
    env.clock.run(1)
    [es] = slices(env)
    assert es["metadata"]["name"].startswith("web-") and len(es["metadata"]["name"]) == len("web-") + 5
    assert es["metadata"]["labels"] == {"endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                                        "kubernetes.io/service-name": "web"}
    assert es["metadata"]["ownerReferences"] == [{"apiVersion": "v1", "kind": "Service", "name": "web",
                                                   "uid": svc["metadata"]["uid"], "controller": True,
                                                   "blockOwnerDeletion": True}]
    assert es["addressType"] == "IPv4"
    assert es["ports"] == [{"name": "web", "port": 8080, "protocol": "TCP"}]
    [endpoint] = es["endpoints"]
    assert endpoint["addresses"] == ["10.244.1.2"]
    assert endpoint["conditions"] == {"ready": True, "serving": True, "terminating": False}
    assert endpoint["nodeName"] == "node-1" and endpoint["zone"] == "zone-a"
    assert endpoint["targetRef"]["name"] == "a"


def test_endpointslices_hold_at_most_100_endpoints():
    env, _ = setup()
    service(env)
    for i in range(150):
        add_pod(env, f"p{i:03}", node="node-1", labels={"app": "web"}, ip=f"10.244.{i // 200}.{i % 200 + 2}",
                ports=PORTS)
    env.clock.run(2)
    sizes = sorted(len(s["endpoints"]) for s in slices(env))
    assert sizes == [50, 100]


def test_a_terminating_pod_stays_in_the_slice_as_terminating():
    env, _ = setup()
    service(env)
    add_pod(env, "a", node="node-1", labels={"app": "web"}, ip="10.244.1.2", ports=PORTS)
    env.clock.run(1)
    env.admin.delete("pods", "a", "default")
    env.clock.run(1)
    [endpoint] = slices(env)[0]["endpoints"]
    assert endpoint["conditions"] == {"ready": False, "serving": True, "terminating": True}
    assert "subsets" not in endpoints(env)
