"""The mirroring controller copies hand-written Endpoints of selector-less Services into slices."""

import pytest

from labkube.core.controllers.endpointslicemirroring import (
    CONTROLLER_NAME, Desired, EndpointSliceMirroringController, address_type, should_mirror,
)
from labkube.core.controllers.endpoints import EndpointsController
from labkube.core.controllers.endpointslice import EndpointSliceController
from tests.core.controllers.helpers import add_node, add_pod, new_env, start_manager

MIRRORED = f"endpointslice.kubernetes.io/managed-by={CONTROLLER_NAME}"


def setup():
    env = new_env()
    add_node(env, "node-1", 1)
    start_manager(env, [EndpointsController, EndpointSliceController, EndpointSliceMirroringController])
    return env


def service(env, name="db", selector=None):
    spec = {"ports": [{"name": "sql", "port": 5432, "targetPort": 5432}]}
    if selector:
        spec["selector"] = selector
    return env.admin.create({"apiVersion": "v1", "kind": "Service",
                             "metadata": {"name": name, "namespace": "default"}, "spec": spec})


def endpoints(env, name="db", ready=("192.0.2.10",), not_ready=(), labels=None, annotations=None):
    subset = {"ports": [{"name": "sql", "port": 5432}]}
    if ready:
        subset["addresses"] = [{"ip": ip} for ip in ready]
    if not_ready:
        subset["notReadyAddresses"] = [{"ip": ip} for ip in not_ready]
    meta = {"name": name, "namespace": "default"}
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Endpoints", "metadata": meta, "subsets": [subset]}


def mirrored(env, name="db"):
    return env.admin.list("endpointslices", "default",
                          label_selector=f"kubernetes.io/service-name={name},{MIRRORED}")["items"]


def test_a_selectorless_services_endpoints_become_one_owned_labelled_slice():
    env = setup()
    service(env)
    created = env.admin.create(endpoints(env, ready=("192.0.2.10",), not_ready=("192.0.2.11",),
                                         labels={"team": "db"},
                                         annotations={"note": "external",
                                                      "endpoints.kubernetes.io/last-change-trigger-time": "x"}))
    env.clock.run(1)
    [endpoint_slice] = mirrored(env)
    meta = endpoint_slice["metadata"]
    assert meta["generateName"] == "db-" and meta["name"].startswith("db-")
    assert meta["labels"] == {"team": "db", "kubernetes.io/service-name": "db",
                              "endpointslice.kubernetes.io/managed-by": CONTROLLER_NAME}
    assert meta["annotations"] == {"note": "external"}
    assert meta["ownerReferences"] == [{"apiVersion": "v1", "kind": "Endpoints", "name": "db",
                                        "uid": created["metadata"]["uid"], "controller": True,
                                        "blockOwnerDeletion": True}]
    assert endpoint_slice["addressType"] == "IPv4"
    assert endpoint_slice["endpoints"] == [
        {"addresses": ["192.0.2.10"], "conditions": {"ready": True}},
        {"addresses": ["192.0.2.11"], "conditions": {"ready": False}},
    ]
    assert endpoint_slice["ports"] == [{"name": "sql", "port": 5432, "protocol": "TCP"}]


def test_a_changed_endpoints_rewrites_the_same_slice_and_a_deleted_one_removes_it():
    env = setup()
    service(env)
    current = env.admin.create(endpoints(env, ready=("192.0.2.10",)))
    env.clock.run(1)
    [before] = mirrored(env)
    current["subsets"][0]["addresses"] = [{"ip": "192.0.2.20"}, {"ip": "192.0.2.21"}]
    env.admin.update(current)
    env.clock.run(1)
    [after] = mirrored(env)
    assert after["metadata"]["name"] == before["metadata"]["name"]
    assert [e["addresses"] for e in after["endpoints"]] == [["192.0.2.20"], ["192.0.2.21"]]
    env.admin.delete("endpoints", "db", "default")
    env.clock.run(1)
    assert mirrored(env) == []


def test_an_unchanged_endpoints_does_not_rewrite_its_slice():
    env = setup()
    service(env)
    current = env.admin.create(endpoints(env))
    env.clock.run(1)
    [before] = mirrored(env)
    current["metadata"].setdefault("annotations", {})["endpoints.kubernetes.io/last-change-trigger-time"] = "t"
    env.admin.update(current)
    env.clock.run(1)
    [after] = mirrored(env)
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


@pytest.mark.parametrize("case, make", [
    ("endpoints labelled skip-mirror", lambda env: (service(env), env.admin.create(
        endpoints(env, labels={"endpointslice.kubernetes.io/skip-mirror": "true"})))),
    ("endpoints of a leader-election lock", lambda env: (service(env), env.admin.create(
        endpoints(env, annotations={"control-plane.alpha.kubernetes.io/leader": "{}"})))),
    ("endpoints without a Service", lambda env: env.admin.create(endpoints(env))),
    ("endpoints of a Service with a selector", lambda env: (service(env, selector={"app": "db"}),
                                                             env.admin.create(endpoints(env)))),
])
def test_endpoints_that_are_not_mirrored(case, make):
    env = setup()
    make(env)
    env.clock.run(1)
    assert mirrored(env) == []


def test_a_service_that_gains_a_selector_loses_its_mirrored_slices():
    env = setup()
    svc = service(env)
    env.admin.create(endpoints(env))
    env.clock.run(1)
    assert len(mirrored(env)) == 1
    svc["spec"]["selector"] = {"app": "db"}
    env.admin.update(svc)
    env.clock.run(1)
    assert mirrored(env) == []


def test_a_mirrored_slice_deleted_by_hand_comes_back():
    env = setup()
    service(env)
    env.admin.create(endpoints(env))
    env.clock.run(1)
    [first] = mirrored(env)
    env.admin.delete("endpointslices", first["metadata"]["name"], "default")
    env.clock.run(1)
    [again] = mirrored(env)
    assert again["metadata"]["name"] != first["metadata"]["name"]
    assert again["endpoints"] == first["endpoints"]


def test_addresses_past_the_limit_are_skipped_with_a_warning_event():
    env = setup()
    service(env)
    many = [f"10.1.{i // 250}.{i % 250 + 1}" for i in range(1002)]
    env.admin.create(endpoints(env, ready=many))
    env.clock.run(1)
    [endpoint_slice] = mirrored(env)
    assert len(endpoint_slice["endpoints"]) == 1000
    [event] = [e for e in env.admin.list("events", "default")["items"]
               if e["reason"] == "TooManyAddressesToMirror"]
    assert event["type"] == "Warning"
    assert event["message"] == ("A max of 1000 addresses can be mirrored to EndpointSlices per "
                                "Endpoints subset. 2 addresses were skipped")
    assert event["involvedObject"]["kind"] == "Endpoints"


def test_the_desired_calculation_counts_invalid_and_skipped_addresses_per_subset():
    desired = Desired(max_per_subset=2)
    desired.add_subset({"ports": [{"name": "a", "port": 1}],
                        "addresses": [{"ip": "10.0.0.1"}, {"ip": "bogus"}, {"ip": "fd00::1"}, {"ip": "10.0.0.2"}]})
    groups = {key[0]: [e["addresses"][0] for e in group[1]] for key, group in desired.groups.items()}
    assert groups == {"IPv4": ["10.0.0.1"], "IPv6": ["fd00::1"]}
    assert (desired.invalid, desired.skipped) == (1, 2)


@pytest.mark.parametrize("ip, kind", [("10.0.0.1", "IPv4"), ("2001:db8::1", "IPv6"), ("10.0.0", None), ("", None)])
def test_address_types(ip, kind):
    assert address_type(ip) == kind


def test_should_mirror_refuses_nothing_but_the_two_marks():
    assert should_mirror({"metadata": {"labels": {"endpointslice.kubernetes.io/skip-mirror": "false"}}})
    assert not should_mirror(None)


def test_traffic_to_a_mirrored_pod_ip_reaches_that_pod():
    import labkube

    cluster = labkube.Cluster(nodes=1, seed=0)
    cluster.kubectl("run web --image=nginx --port=80")
    cluster.run(10)
    pod_ip = cluster.client.get("pods", "web", "default")["status"]["podIP"]
    cluster.client.create({"apiVersion": "v1", "kind": "Service",
                           "metadata": {"name": "manual", "namespace": "default"},
                           "spec": {"ports": [{"port": 80}]}})
    cluster.client.create({"apiVersion": "v1", "kind": "Endpoints",
                           "metadata": {"name": "manual", "namespace": "default"},
                           "subsets": [{"addresses": [{"ip": pod_ip}], "ports": [{"port": 80}]}]})
    cluster.run(1)
    response = cluster.request("http://manual.default.svc.cluster.local/")
    assert response.status == 200 and response.pod == "default/web"
