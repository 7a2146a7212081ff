"""ClusterIP and NodePort allocation, alone and through Services."""

import random

import pytest

from labkube.core.api.allocators import ErrAllocated, ErrFull, ErrNotInRange, IPAllocator, PortAllocator
from labkube.core.api.testing import new_server
from labkube.core.errors import StatusError


def rng(seed=0):
    r = random.Random(seed)
    return lambda: r


def test_dynamic_ips_avoid_the_static_band_where_10_96_0_1_and_dns_live():
    allocator = IPAllocator(rng())
    ips = [allocator.allocate_next() for _ in range(200)]
    assert "10.96.0.1" not in ips and "10.96.0.10" not in ips
    assert all(ip.startswith("10.9") or ip.startswith("10.10") or ip.startswith("10.11") for ip in ips)
    assert len(set(ips)) == 200


def test_the_same_seed_gives_the_same_ips():
    assert [IPAllocator(rng(4)).allocate_next() for _ in range(1)] == [IPAllocator(rng(4)).allocate_next()]


@pytest.mark.parametrize("ip, error, message", [
    ("10.0.0.1", ErrNotInRange,
     "the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12"),
    ("10.96.0.0", ErrNotInRange,
     "the provided IP (10.96.0.0) is not in the valid range. The range of valid IPs is 10.96.0.0/12"),
])
def test_out_of_range_ips_are_refused(ip, error, message):
    with pytest.raises(error) as err:
        IPAllocator(rng()).allocate(ip)
    assert str(err.value) == message


def test_an_ip_can_be_taken_once_until_released():
    allocator = IPAllocator(rng())
    allocator.allocate("10.96.0.10")
    with pytest.raises(ErrAllocated) as err:
        allocator.allocate("10.96.0.10")
    assert str(err.value) == "provided IP is already allocated"
    allocator.release("10.96.0.10")
    allocator.allocate("10.96.0.10")


def test_node_ports_come_from_30000_32767():
    allocator = PortAllocator(rng())
    ports = [allocator.allocate_next() for _ in range(100)]
    assert all(30000 <= p <= 32767 for p in ports) and len(set(ports)) == 100
    with pytest.raises(ErrNotInRange) as err:
        allocator.allocate(80)
    assert str(err.value) == ("provided port is not in the valid range. "
                              "The range of valid ports is 30000-32767")


def test_a_full_range_says_so():
    allocator = PortAllocator(rng(), (30000, 30003))
    for _ in range(4):
        allocator.allocate_next()
    with pytest.raises(ErrFull):
        allocator.allocate_next()


def service(name="web", **spec):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80}], **spec}}


@pytest.fixture
def env():
    return new_server()


def test_a_service_gets_a_cluster_ip_and_ip_families(env):
    spec = env.admin.create(service())["spec"]
    assert spec["clusterIP"] == spec["clusterIPs"][0]
    assert env.server.ip_allocator.has(spec["clusterIP"])
    assert (spec["ipFamilies"], spec["ipFamilyPolicy"]) == (["IPv4"], "SingleStack")


def test_a_requested_cluster_ip_is_honoured_and_then_taken(env):
    assert env.admin.create(service(clusterIP="10.96.0.10"))["spec"]["clusterIP"] == "10.96.0.10"
    revision = env.store.revision
    with pytest.raises(StatusError) as err:
        env.admin.create(service("dns2", clusterIP="10.96.0.10"))
    assert err.value.code == 422
    assert ("spec.clusterIPs: Invalid value: " in err.value.message
            and "failed to allocate IP 10.96.0.10: provided IP is already allocated" in err.value.message)
    assert env.store.revision == revision


def test_headless_and_external_name_services_get_no_ip(env):
    assert env.admin.create(service("h", clusterIP="None"))["spec"]["clusterIPs"] == ["None"]
    external = env.admin.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext"},
                                 "spec": {"type": "ExternalName", "externalName": "example.com"}})
    assert "clusterIP" not in external["spec"]


def test_node_port_services_get_a_port_and_release_it_on_delete(env):
    port = env.admin.create(service(type="NodePort"))["spec"]["ports"][0]["nodePort"]
    assert env.server.port_allocator.has(port)
    ip = env.admin.get("services", "web")["spec"]["clusterIP"]
    env.admin.delete("services", "web")
    assert not env.server.port_allocator.has(port) and not env.server.ip_allocator.has(ip)


def test_an_update_without_cluster_ip_keeps_the_allocated_one(env):
    created = env.admin.create(service(type="NodePort"))
    body = service(type="NodePort")
    body["spec"]["ports"][0]["name"] = ""
    del body["spec"]["ports"][0]["name"]
    body["metadata"]["labels"] = {"changed": "yes"}
    updated = env.admin.update(body)
    assert updated["spec"]["clusterIP"] == created["spec"]["clusterIP"]
    assert updated["spec"]["ports"][0]["nodePort"] == created["spec"]["ports"][0]["nodePort"]


def test_changing_type_to_cluster_ip_releases_the_node_port(env):
    created = env.admin.create(service(type="NodePort"))
    port = created["spec"]["ports"][0]["nodePort"]
    created["spec"]["type"] = "ClusterIP"
    del created["spec"]["ports"][0]["nodePort"]
    del created["spec"]["externalTrafficPolicy"]
    env.admin.update(created)
    assert not env.server.port_allocator.has(port)


def test_a_dry_run_service_holds_nothing(env):
    spec = env.admin.create(service(type="NodePort"), dry_run=True)["spec"]
    assert not env.server.ip_allocator.has(spec["clusterIP"])
    assert not env.server.port_allocator.has(spec["ports"][0]["nodePort"])


def test_a_restarted_server_remembers_allocations(env):
    from labkube.core.api.server import APIServer

    spec = env.admin.create(service(type="NodePort"))["spec"]
    again = APIServer(env.store, env.clock)
    assert again.ip_allocator.has(spec["clusterIP"]) and again.port_allocator.has(spec["ports"][0]["nodePort"])
