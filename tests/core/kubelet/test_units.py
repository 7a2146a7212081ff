"""The kubelet's small pieces: expansion, service links, durations, backoff, pod IPs, partitions."""

import ipaddress

import pytest

from labkube.core.clock import SimulatedClock
from labkube.core.errors import StatusError
from labkube.core.kubelet import admission
from labkube.core.kubelet.admission import pod_requests
from labkube.core.kubelet.backoff import Backoff
from labkube.core.kubelet.env import expand, service_env
from labkube.core.kubelet.images import go_duration
from labkube.core.kubelet.ipam import AddressesExhausted, PodIPAllocator
from tests.core.kubelet.harness import Node, simple_pod

VARS = {"A": "1", "B": "two"}.get


@pytest.mark.parametrize("text, expected", [
    ("$(A)", "1"),
    ("x$(A)y$(B)z", "x1ytwoz"),
    ("$$(A)", "$(A)"),
    ("$(MISSING)", "$(MISSING)"),
    ("$(A", "$(A"),
    ("cost: $5", "cost: $5"),
    ("trailing $", "trailing $"),
    ("$$$(A)", "$1"),
])
def test_dollar_parenthesis_expansion_follows_the_kubelets_rules(text, expected):
    assert expand(text, VARS) == expected


def test_service_links_give_host_port_and_docker_link_variables():
    svc = {"metadata": {"name": "redis-leader"},
           "spec": {"clusterIP": "10.96.4.7", "ports": [{"name": "db", "port": 6379, "protocol": "TCP"}]}}
    headless = {"metadata": {"name": "db"}, "spec": {"clusterIP": "None", "ports": [{"port": 5432}]}}
    assert service_env([svc, headless]) == {
        "REDIS_LEADER_SERVICE_HOST": "10.96.4.7",
        "REDIS_LEADER_SERVICE_PORT": "6379",
        "REDIS_LEADER_SERVICE_PORT_DB": "6379",
        "REDIS_LEADER_PORT": "tcp://10.96.4.7:6379",
        "REDIS_LEADER_PORT_6379_TCP": "tcp://10.96.4.7:6379",
        "REDIS_LEADER_PORT_6379_TCP_PROTO": "tcp",
        "REDIS_LEADER_PORT_6379_TCP_PORT": "6379",
        "REDIS_LEADER_PORT_6379_TCP_ADDR": "10.96.4.7",
    }


@pytest.mark.parametrize("seconds, text", [
    (4.1, "4.1s"), (0.5, "500ms"), (0.0004, "0s"), (40, "40s"), (300, "5m0s"), (61.25, "1m1.25s"),
    (3725, "1h2m5s"),
])
def test_durations_print_as_go_prints_them(seconds, text):
    assert go_duration(seconds) == text


def test_backoff_doubles_to_the_cap_and_resets_after_ten_quiet_minutes():
    clock = SimulatedClock()
    backoff = Backoff(clock)
    assert [backoff.next("k", clock.now()) for _ in range(7)] == [10, 20, 40, 80, 160, 300, 300]
    clock.run(601)
    assert backoff.next("k", clock.now()) == 10


def test_backoff_reports_in_backoff_until_the_delay_since_the_event_has_passed():
    clock = SimulatedClock()
    backoff = Backoff(clock)
    failed_at = clock.now()
    backoff.next("k", failed_at)
    clock.run(9.5)
    assert backoff.in_backoff_since("k", failed_at)
    clock.run(0.5)
    assert not backoff.in_backoff_since("k", failed_at)


def test_pod_ips_start_at_dot_two_continue_round_robin_and_are_released():
    ipam = PodIPAllocator("10.244.3.0/24")
    assert [ipam.allocate(u) for u in ("a", "b", "c")] == ["10.244.3.2", "10.244.3.3", "10.244.3.4"]
    assert ipam.allocate("a") == "10.244.3.2"  # the same pod keeps its address
    ipam.release("b")
    assert ipam.allocate("d") == "10.244.3.5"


def test_a_full_pod_cidr_refuses_with_the_cni_message():
    ipam = PodIPAllocator("10.244.3.0/30")  # .1 gateway, .2 the only pod address
    ipam.allocate("a")
    with pytest.raises(AddressesExhausted, match="no IP addresses available in range set"):
        ipam.allocate("b")


def test_a_partitioned_kubelet_keeps_its_pods_running_but_stops_renewing_its_lease():
    node = Node(partitionable=True)
    gate = node.client
    node.create(simple_pod("web", "nginx"))
    node.run(10)
    gate.sever()
    with pytest.raises(StatusError, match="connect: connection refused"):
        gate.get("pods", "web", "default")
    node.run(60)
    lease = node.admin.get("leases", "node-1", "kube-node-lease")
    assert lease["spec"]["renewTime"] == "2025-01-01T00:00:10.000000Z"
    assert [c.state for c in node.runtime.list_containers()] == ["running"]
    node.admin.delete("pods", "web", "default")  # the kubelet cannot see this yet
    node.run(10)
    assert [c.state for c in node.runtime.list_containers()] == ["running"]
    gate.heal()
    node.run(12)
    assert node.admin.get("leases", "node-1", "kube-node-lease")["spec"]["renewTime"] > lease["spec"]["renewTime"]
    assert node.runtime.list_containers() == []


def _story():
    node = Node()
    node.create(simple_pod("web", "nginx"))
    node.create(simple_pod("crash", "busybox:1.28", command=["sh", "-c", "exit 2"]))
    node.create(simple_pod("bad", "nginx:nope"))
    node.run(120)
    return [(e["metadata"]["name"], e["reason"], e["message"], e["count"]) for e in node.events()], \
        [p["status"] for p in node.admin.list("pods", "default")["items"]]


def test_the_same_calls_give_byte_identical_events_and_statuses():
    assert _story() == _story()


@pytest.mark.parametrize("cidr", ["10.244.3.0/24", "10.244.0.0/16", "10.0.0.0/29", "10.0.0.0/31",
                                  "fd00:10:244:1::/120"])
def test_pod_ips_are_the_networks_hosts_after_the_gateway_in_order(cidr):
    hosts = [str(ip) for ip in list(ipaddress.ip_network(cidr).hosts())[1:]]
    ipam = PodIPAllocator(cidr)
    got = [ipam.allocate(f"pod-{i}") for i in range(min(len(hosts), 300))]
    assert got == hosts[:len(got)]
    if len(hosts) <= 300:
        with pytest.raises(AddressesExhausted, match=f"range set: {hosts[0]}-{hosts[-1]}"):
            ipam.allocate("one-too-many")


def test_an_address_outside_the_pod_cidr_is_never_reserved():
    ipam = PodIPAllocator("10.244.3.0/24")
    for ip in ("10.244.3.1", "10.244.3.255", "10.244.4.2", "not-an-ip"):
        ipam.reserve(ip, "x")
    ipam.reserve("10.244.3.2", "adopted")
    assert ipam.in_use() == {"10.244.3.2": "adopted"}
    assert ipam.allocate("new") == "10.244.3.3"


def test_a_partition_cuts_every_request_even_those_made_before_it():
    node = Node(partitionable=True)
    gate = node.client
    assert gate.get("services", "kubernetes", "default")["metadata"]["name"] == "kubernetes"
    gate.sever()
    for call in (lambda: gate.get("services", "kubernetes", "default"),
                 lambda: gate.list("pods", "default")):
        with pytest.raises(StatusError, match="connect: connection refused"):
            call()
    gate.heal()
    assert gate.get("services", "kubernetes", "default")["metadata"]["name"] == "kubernetes"


def _pod(cpu):
    return {"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}]}}


NODE_2CPU = {"metadata": {"name": "node-1"}, "status": {"allocatable": {"cpu": "2", "pods": "110"}}}


@pytest.mark.parametrize("given", [False, True])
def test_admission_counts_what_admitted_pods_request_whether_given_or_worked_out(given):
    others = [_pod("1"), _pod("500m")]
    requests = [pod_requests(p) for p in others] if given else None
    fits, too_big = _pod("500m"), _pod("600m")
    assert admission.admit(fits, NODE_2CPU, others, requests,
                           requests=pod_requests(fits) if given else None).admit
    refused = admission.admit(too_big, NODE_2CPU, others, requests,
                              requests=pod_requests(too_big) if given else None)
    assert (refused.reason, refused.message) == (
        "OutOfcpu", "Node didn't have enough resource: cpu, requested: 600, used: 1500, capacity: 2000")


def test_a_pod_worker_works_out_its_pods_requests_once():
    node = Node()
    node.create(simple_pod("web", "nginx", resources={"requests": {"cpu": "250m", "memory": "64Mi"}}))
    node.run(5)
    worker = node.kubelet.worker_for("default", "web")
    assert worker.requests() == {"cpu": 250, "memory": 64 * 1024 * 1024}
    assert worker.requests() is worker.requests()
