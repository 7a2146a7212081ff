"""busybox's nslookup in a pod, old applet and new, against labkube's CoreDNS model.

busybox <= 1.28 has the libc applet (networking/nslookup.c without FEATURE_NSLOOKUP_BIG's
code): ``Name:`` is the name as typed, ``Address N: IP REVERSE-NAME`` per address, and
``nslookup: can't resolve 'x'`` on stderr. busybox 1.29+ has the LEDE applet: one query per
search domain (only for a name without a dot) for A, then AAAA; one block per reply, in order,
``** server can't find NAME: NXDOMAIN`` for a miss (exit status 1 from 1.30 on).
"""

import pytest

from labkube.core.network import NodeNetwork, resolv_conf
from labkube.runtime.cri import ContainerConfig, Mount, PodSandboxConfig

SERVER_OLD = "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\n"
SERVER_NEW = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"


def run_in_pod(net, image, script, seconds=10):
    from labkube.runtime.sim.runtime import SimRuntime
    from labkube.runtime.volume import Volume

    runtime = SimRuntime(net.clock, "node-1", network=NodeNetwork(net.dns, net.proxy, "172.18.0.2"))
    sandbox = runtime.run_pod_sandbox(PodSandboxConfig("client", "default", "uid-1", ip="10.244.1.99"))
    runtime.pull_image(image)
    net.clock.run(30)
    etc = Volume("etc", {"resolv.conf": resolv_conf("default")})
    config = ContainerConfig("c", image, command=("sh", "-c", script),
                             mounts=(Mount("/etc/resolv.conf", etc, sub_path="resolv.conf"),))
    container = runtime.create_container(sandbox, config)
    runtime.start_container(container)
    net.clock.run(seconds)
    return runtime.logs(container)


@pytest.fixture
def cluster(net):
    net.backend("web", 2)
    net.service("nginx", cluster_ip="None")
    net.endpoints("nginx", [(f"10.244.1.{i}", f"web-{i}", True, "node-1", f"web-{i}") for i in (5, 6, 7)])
    net.cluster_ip = net.client.get("services", "web", "default")["spec"]["clusterIP"]
    return net


# -- the old applet (busybox 1.28 and before) -------------------------------------------------
def test_old_nslookup_prints_the_name_as_typed_and_the_reverse_name(cluster):
    log = run_in_pod(cluster, "busybox:1.28", "nslookup web; echo rc=$?")
    assert log == (SERVER_OLD + "Name:      web\n"
                   f"Address 1: {cluster.cluster_ip} web.default.svc.cluster.local\nrc=0\n")


def test_old_nslookup_lists_every_address_of_a_headless_service(cluster):
    log = run_in_pod(cluster, "busybox:1.28.4", "nslookup nginx")
    assert log == (SERVER_OLD + "Name:      nginx\n"
                   "Address 1: 10.244.1.5 web-5.nginx.default.svc.cluster.local\n"
                   "Address 2: 10.244.1.6 web-6.nginx.default.svc.cluster.local\n"
                   "Address 3: 10.244.1.7 web-7.nginx.default.svc.cluster.local\n")


def test_old_nslookup_of_an_unknown_name_cannot_resolve_it(cluster):
    log = run_in_pod(cluster, "registry.k8s.io/busybox", "nslookup nope; echo rc=$?")
    assert log == SERVER_OLD + "nslookup: can't resolve 'nope'\nrc=1\n"


# -- the new applet (busybox 1.29 and later) ---------------------------------------------------
def test_new_nslookup_of_a_full_name_prints_the_a_reply_then_an_empty_aaaa_reply(cluster):
    log = run_in_pod(cluster, "busybox:1.36", "nslookup web.default.svc.cluster.local; echo rc=$?")
    assert log == (SERVER_NEW + f"Name:\tweb.default.svc.cluster.local\nAddress: {cluster.cluster_ip}\n\n"
                   "\nrc=0\n")


def test_new_nslookup_prints_one_name_and_address_per_record_of_a_headless_service(cluster):
    log = run_in_pod(cluster, "busybox:1.36", "nslookup nginx.default.svc.cluster.local")
    assert log == (SERVER_NEW + "".join(f"Name:\tnginx.default.svc.cluster.local\nAddress: 10.244.1.{i}\n"
                                        for i in (5, 6, 7)) + "\n\n")


def test_new_nslookup_of_a_short_name_asks_every_search_domain_and_reports_the_misses(cluster):
    log = run_in_pod(cluster, "busybox:1.36", "nslookup web; echo rc=$?")
    assert log == (SERVER_NEW
                   + f"Name:\tweb.default.svc.cluster.local\nAddress: {cluster.cluster_ip}\n\n"
                   "** server can't find web.svc.cluster.local: NXDOMAIN\n\n"
                   "** server can't find web.cluster.local: NXDOMAIN\n\n"
                   "\n"
                   "** server can't find web.svc.cluster.local: NXDOMAIN\n\n"
                   "** server can't find web.cluster.local: NXDOMAIN\n\n"
                   "rc=1\n")


def test_new_nslookup_does_not_search_for_a_name_with_a_dot(cluster):
    log = run_in_pod(cluster, "busybox:1.36", "nslookup web.default; echo rc=$?")
    assert log == (SERVER_NEW + "** server can't find web.default: NXDOMAIN\n\n" * 2 + "rc=1\n")


def test_busybox_1_29_nslookup_does_not_search_at_all(cluster):
    log = run_in_pod(cluster, "registry.k8s.io/e2e-test-images/busybox:1.29-4", "nslookup web; echo rc=$?")
    assert log == SERVER_NEW + "** server can't find web: NXDOMAIN\n\n" * 2 + "rc=0\n"


def test_new_nslookup_of_an_ip_asks_for_its_ptr_record(cluster):
    log = run_in_pod(cluster, "busybox:1.36", f"nslookup {cluster.cluster_ip}")
    reverse = ".".join(reversed(cluster.cluster_ip.split("."))) + ".in-addr.arpa"
    assert log == SERVER_NEW + f"{reverse}\tname = web.default.svc.cluster.local\n\n"
