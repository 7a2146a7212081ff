"""``kubectl port-forward``: real listeners on loopback that reach a simulated pod.

* what it prints: the ``Forwarding from`` lines (127.0.0.1 and [::1]), ``Handling connection``
  per connection, and the errors -- each usage and port error as the REAL kubectl 1.32 printed
  it against labkube's HTTP front (checked with ``kubectl --server``; the texts below are its);
* what a connection reaches: a pod's nginx, through a pod, a deployment or a service (its
  named ``targetPort``), answering with the welcome page and logging the client as 127.0.0.1;
* how a forward ends: nothing listening on the pod's port, or the pod gone, ends it with
  ``error: lost connection to pod``; ``stop()`` and ``cluster.close()`` free the ports;
* one simulation at a time: a request is answered holding the clock's lock, which the clock
  holds while timers fire, and it never moves cluster time.

Bounded: loopback only, a handful of requests per test, socket timeouts of 5 s, every listener
closed by the cluster's ``close()``.
"""

from __future__ import annotations

import http.client
import socket
import threading

import pytest

import labkube
from labkube.core.clock import RealTimeClock, SimulatedClock
from labkube.kubectl import run
from labkube.kubectl.commands.port_forward import (
    LOST_CONNECTION,
    parse_addresses,
    parse_ports,
    translate_service_ports,
)

NS = "pf"
TIMEOUT = 5

SETUP = f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {NS}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - name: nginx
        image: nginx
        ports: [{{name: http, containerPort: 80}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: {NS}}}
spec:
  selector: {{app: web}}
  ports: [{{name: web, port: 8080, targetPort: http}}]
---
apiVersion: v1
kind: Pod
metadata: {{name: solo, namespace: {NS}}}
spec:
  containers:
  - name: nginx
    image: nginx
    ports: [{{name: http, containerPort: 80}}, {{name: dns, containerPort: 53, protocol: UDP}}]
---
apiVersion: v1
kind: Pod
metadata: {{name: stuck, namespace: {NS}}}
spec:
  nodeSelector: {{nowhere: "true"}}
  containers: [{{name: nginx, image: nginx}}]
"""


@pytest.fixture
def cluster():
    cluster = labkube.Cluster(nodes=2, seed=0)
    cluster.kubectl(f"create namespace {NS}")
    cluster.run(1)  # its default ServiceAccount
    cluster.apply(SETUP)
    cluster.run(60)
    yield cluster
    cluster.close()


def forward(cluster, args: str):
    """Run ``kubectl port-forward -n pf ARGS``; (the result, the forward it left serving)."""
    result = run(cluster, f"port-forward -n {NS} {args}")
    assert result.exit_code == 0, str(result)
    return result, cluster.forwards()[-1]


def get(port: int, path: str = "/", host: str = "127.0.0.1", method: str = "GET") -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        conn.request(method, path, headers={"User-Agent": "curl/8.5.0"})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Could a listener bind it again (with SO_REUSEADDR, as Go's and Python's listeners do:
    a closed connection's TIME_WAIT does not count)?"""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def local_port(result) -> int:
    return int(result.stdout.split("\n")[0].split(" -> ")[0].rsplit(":", 1)[1])


# -- reaching a pod --------------------------------------------------------------------------
def test_port_forward_to_a_pod_prints_both_loopback_listeners_and_returns_the_nginx_page(cluster):
    result, fwd = forward(cluster, "pod/solo :80")
    port = local_port(result)
    assert result.stdout == f"Forwarding from 127.0.0.1:{port} -> 80\nForwarding from [::1]:{port} -> 80\n"
    status, headers, body = get(port)
    assert status == 200 and b"<title>Welcome to nginx!</title>" in body
    assert headers["Server"] == "nginx/1.27.3" and headers["Content-Length"] == str(len(body))
    assert fwd.output.endswith(f"Handling connection for {port}\n")


def test_the_pod_sees_a_forwarded_connection_come_from_its_own_localhost(cluster):
    result, _ = forward(cluster, "solo :80")
    get(local_port(result), "/index.html")
    log = cluster.logs("solo", namespace=NS)
    assert log.splitlines()[-1].startswith('127.0.0.1 - - [') and '"GET /index.html HTTP/1.1" 200 615' in log


def test_the_ipv6_loopback_listener_reaches_the_same_pod(cluster):
    result, _ = forward(cluster, "solo :80")
    status, _, body = get(local_port(result), host="::1")
    assert status == 200 and b"Welcome to nginx!" in body


def test_each_connection_prints_handling_connection_once(cluster):
    result, fwd = forward(cluster, "solo :80")
    port = local_port(result)
    get(port)
    get(port, "/missing")
    assert fwd.output.count(f"Handling connection for {port}\n") == 2


def test_a_missing_page_is_nginxs_404(cluster):
    result, _ = forward(cluster, "solo :http")
    status, _, body = get(local_port(result), "/nope")
    assert status == 404 and b"<title>404 Not Found</title>" in body


def test_port_forward_to_a_deployment_reaches_one_of_its_running_pods(cluster):
    result, fwd = forward(cluster, "deployment/web :80")
    assert result.stderr == ""  # unlike kubectl logs, it does not say which pod it chose
    status, _, body = get(local_port(result))
    assert status == 200 and b"Welcome to nginx!" in body
    assert fwd.pod.startswith("web-")
    assert cluster.get("pod", fwd.pod, NS)["status"]["phase"] == "Running"


def test_port_forward_to_a_service_maps_its_port_to_the_named_target_port(cluster):
    result, fwd = forward(cluster, "svc/web :8080")
    port = local_port(result)
    assert result.stdout == f"Forwarding from 127.0.0.1:{port} -> 80\nForwarding from [::1]:{port} -> 80\n"
    assert get(port)[0] == 200


def test_a_service_port_given_by_name_forwards_from_the_same_local_number(cluster):
    svc = cluster.get("service", "web", NS)
    pod = cluster.get("pod", "solo", NS)
    assert translate_service_ports(["web"], svc, pod) == ["8080:80"]
    assert translate_service_ports([":web", "9000:8080"], svc, pod) == [":80", "9000:80"]


def test_a_request_never_moves_cluster_time(cluster):
    result, _ = forward(cluster, "solo :80")
    before = cluster.clock.now()
    get(local_port(result))
    assert cluster.clock.now() == before


# -- errors the real kubectl prints ----------------------------------------------------------
USAGE = (
    ("no arguments", "",
     "error: TYPE/NAME and list of ports are required for port-forward\n"
     "See 'kubectl port-forward -h' for help and examples\n"),
    ("a pod and no port", "pod/solo",
     "error: TYPE/NAME and list of ports are required for port-forward\n"
     "See 'kubectl port-forward -h' for help and examples\n"),
    ("a port name the pod does not have", "solo abc", "error: Pod 'solo' does not have a named port 'abc'\n"),
    ("a local port out of range", "solo 70000",
     "error: error parsing local port '70000': strconv.ParseUint: parsing \"70000\": value out of range\n"),
    ("remote port zero", "solo 0", "error: remote port must be > 0\n"),
    ("an empty remote port is looked up as a port name first", "solo :",
     "error: Pod 'solo' does not have a named port ''\n"),
    ("a UDP-only container port", "solo dns", "error: UDP protocol is not supported for dns\n"),
    ("a service port the service does not have", "svc/web 9999",
     "error: Service web does not have a service port 9999\n"),
    ("a service port name the service does not have", "svc/web nope",
     "error: Service 'web' does not have a named port 'nope'\n"),
    ("two slashes", "a/b/c 80", "error: arguments in resource/name form may not have more than one slash\n"),
    ("a type and no name", "pod/ 80", "error: arguments in resource/name form must have a single resource and name\n"),
    ("a pod that does not exist", "nothere 80", 'Error from server (NotFound): pods "nothere" not found\n'),
    ("a pod that is not running", "stuck 80",
     "error: unable to forward port because pod is not running. Current status=Pending\n"),
    ("a kind whose pods kubectl cannot find", "cm/kube-root-ca.crt 80",
     "error: cannot attach to *v1.ConfigMap: selector for *v1.ConfigMap not implemented\n"),
    ("an address that is no IP", "solo 80 --address foo", "error: foo is not a valid IP\n"),
    ("a pod running timeout of zero", "solo 80 --pod-running-timeout=0s",
     "error: --pod-running-timeout must be higher than zero\nSee 'kubectl port-forward -h' for help and examples\n"),
)


@pytest.mark.parametrize("args,text", [case[1:] for case in USAGE], ids=[case[0] for case in USAGE])
def test_port_forward_errors_read_as_the_real_kubectls(cluster, args, text):
    result = run(cluster, f"port-forward -n {NS} {args}")
    assert (str(result), result.exit_code) == (text, 1)
    assert cluster.forwards() == []


def test_a_user_who_may_read_pods_but_not_forward_is_refused_at_the_upgrade(cluster):
    cluster.kubectl(f"create role pod-reader -n {NS} --verb=get,list --resource=pods")
    cluster.kubectl(f"create rolebinding alice-reads -n {NS} --role=pod-reader --user=alice")
    result = run(cluster, f"port-forward -n {NS} solo :80 --as=alice")
    assert (str(result), result.exit_code) == (
        'error: error upgrading connection: pods "solo" is forbidden: User "alice" cannot create resource '
        f'"pods/portforward" in API group "" in the namespace "{NS}"\n', 1)
    assert cluster.forwards() == []


@pytest.mark.parametrize("address", ["0.0.0.0", "10.0.0.1", "::"])
def test_addresses_off_loopback_are_refused(cluster, address):
    result = run(cluster, f"port-forward -n {NS} solo 80 --address {address}")
    assert result.exit_code == 1
    assert str(result).startswith(f"error: labkube listens on loopback only: {address} is not a loopback address")


def test_ports_are_parsed_as_client_go_parses_them():
    assert parse_ports(["8080:80", "80", ":443", "0:53"]) == [[8080, 80], [80, 80], [0, 443], [0, 53]]


def test_addresses_are_listened_on_in_client_gos_order():
    assert parse_addresses(["localhost"]) == [("127.0.0.1", "all"), ("::1", "all")]
    assert parse_addresses(["::1", "127.0.0.2", "localhost"]) == [
        ("127.0.0.1", "all"), ("127.0.0.2", "any"), ("::1", "any")]


# -- listening ------------------------------------------------------------------------------------
def _occupy(port: int, hosts: tuple[str, ...]) -> list[socket.socket]:
    taken = []
    for host in hosts:
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        sock.bind((host, port))
        sock.listen(1)
        taken.append(sock)
    return taken


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_port_in_use_on_both_loopbacks_fails_with_client_gos_errors(cluster):
    port = _free_port()
    taken = _occupy(port, ("127.0.0.1", "::1"))
    try:
        result = run(cluster, f"port-forward -n {NS} solo {port}:80")
    finally:
        for sock in taken:
            sock.close()
    assert str(result) == (
        f"Unable to listen on port {port}: Listeners failed to create with the following errors: "
        f"[unable to create listener: Error listen tcp4 127.0.0.1:{port}: bind: address already in use "
        f"unable to create listener: Error listen tcp6 [::1]:{port}: bind: address already in use]\n"
        f"error: unable to listen on any of the requested ports: [{{{port} 80}}]\n")
    assert result.exit_code == 1
    assert cluster.forwards() == []


def test_a_port_in_use_on_one_loopback_still_forwards_on_the_other(cluster):
    port = _free_port()
    taken = _occupy(port, ("127.0.0.1",))
    try:
        result, _ = forward(cluster, f"solo {port}:80")
        assert result.stdout == f"Forwarding from [::1]:{port} -> 80\n"
        assert get(port, host="::1")[0] == 200
    finally:
        taken[0].close()


def test_stopping_a_forward_releases_its_port(cluster):
    result, fwd = forward(cluster, "solo :80")
    port = local_port(result)
    assert not port_is_free(port)
    fwd.stop()
    assert port_is_free(port) and port_is_free(port, "::1")
    assert cluster.forwards() == []


def test_closing_the_cluster_stops_every_forward(cluster):
    ports = [local_port(forward(cluster, args)[0]) for args in ("solo :80", "svc/web :8080")]
    assert len(cluster.forwards()) == 2
    cluster.close()
    assert cluster.forwards() == []
    assert all(port_is_free(port) for port in ports)


# -- how a forward ends -----------------------------------------------------------------------
def _fails(port: int) -> None:
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        get(port)


def test_a_port_nobody_listens_on_ends_the_forward_with_containerds_error(cluster):
    result, fwd = forward(cluster, "solo :81")
    port = local_port(result)
    _fails(port)
    assert fwd.wait_closed(TIMEOUT)
    lines = fwd.output.splitlines()
    assert lines[-3] == f"Handling connection for {port}"
    sandbox = cluster.nodes.kubelet_for(fwd.node).worker_for(NS, "solo").sandbox_id
    assert lines[-2].startswith("E0101 00:01:01.000000       1 portforward.go:424] \"Unhandled Error\" err=")
    assert (f'an error occurred forwarding {port} -> 81: error forwarding port 81 to pod {sandbox}, uid : '
            'failed to execute portforward in network namespace \\"/var/run/netns/cni-') in lines[-2]
    assert (f'failed to connect to localhost:81 inside namespace \\"{sandbox}\\", IPv4: dial tcp4 127.0.0.1:81: '
            'connect: connection refused IPv6 dial tcp6 [::1]:81: connect: connection refused "') in lines[-2]
    assert lines[-1] == LOST_CONNECTION
    assert (fwd.running, fwd.exit_code) == (False, 1)
    assert port_is_free(port)


def test_a_deleted_pod_ends_the_forward_at_the_next_connection(cluster):
    result, fwd = forward(cluster, "solo :80")
    port = local_port(result)
    assert get(port)[0] == 200
    cluster.delete("pod", "solo", NS)
    cluster.run(60)
    _fails(port)
    assert fwd.wait_closed(TIMEOUT)
    assert fwd.output.endswith(f"Handling connection for {port}\n{LOST_CONNECTION}\n")
    assert cluster.forwards() == []


def test_a_replaced_pod_of_the_same_name_is_not_the_forwarded_one(cluster):
    result, fwd = forward(cluster, "solo :80")
    port = local_port(result)
    cluster.delete("pod", "solo", NS, grace_period_seconds=0)
    cluster.apply(SETUP.split("---")[2])  # the same pod again: another uid
    cluster.run(60)
    assert cluster.get("pod", "solo", NS)["status"]["phase"] == "Running"
    _fails(port)
    assert fwd.output.endswith(f"{LOST_CONNECTION}\n")


# -- one simulation at a time ---------------------------------------------------------------------
def test_a_forwarded_request_is_answered_holding_the_clocks_lock(cluster, monkeypatch):
    result, fwd = forward(cluster, "solo :80")
    runtime = cluster.nodes.kubelet_for(fwd.node).runtime
    held = []
    answer = runtime.http_get

    def watched(*args, **kwargs):
        held.append(cluster.clock.lock._is_owned())
        return answer(*args, **kwargs)

    monkeypatch.setattr(runtime, "http_get", watched)
    assert get(local_port(result))[0] == 200
    assert held == [True]


def _timer_sees_lock(clock, drive) -> bool:
    seen = []
    clock.call_later(1, lambda: seen.append(clock.lock._is_owned()))
    drive(clock)
    return seen == [True]


@pytest.mark.parametrize("drive", [
    lambda clock: clock.run(5),
    lambda clock: clock.step(),
    lambda clock: clock.run_until(lambda: False, 5),
], ids=["run", "step", "run_until"])
def test_the_simulated_clock_fires_timers_holding_its_lock(drive):
    assert _timer_sees_lock(SimulatedClock(seed=0), drive)


def test_a_stopped_real_time_clock_stepped_by_hand_fires_timers_holding_its_lock():
    assert _timer_sees_lock(RealTimeClock(seed=0), lambda clock: clock.run(2))


def test_the_real_time_clocks_thread_fires_timers_holding_its_lock():
    clock = RealTimeClock(seed=0, speed=100)
    fired, owned = threading.Event(), []
    clock.call_later(1, lambda: (owned.append(clock.lock._is_owned()), fired.set()))
    clock.start()
    try:
        assert fired.wait(TIMEOUT)
    finally:
        clock.stop()
    assert owned == [True]

