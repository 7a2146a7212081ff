"""NetworkPolicies enforced on a live simulated cluster, as kind's kube-network-policies does.

Pods are pinned to nodes so that their IPs are known (node-N's pods live in 10.244.N.0/24).
A connection a policy drops is never answered: busybox ``wget -T 2`` gives up after two
simulated seconds with ``wget: download timed out``."""

import pytest

import labkube
from labkube.core.network import ConnectionTimedOut

TIMED_OUT = "wget: download timed out\n"


def pod(name, node, namespace="default", image="busybox:1.36", labels=None, ports=None, command=None,
        **spec):
    container = {"name": "c", "image": image}
    if command is None and image.startswith("busybox"):
        command = ["sleep", "36000"]
    if command:
        container["command"] = command
    if ports:
        container["ports"] = ports
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": labels or {"app": name}},
            "spec": {"nodeName": node, "containers": [container], **spec}}


def web(name="web", node="node-1", namespace="default", labels=None):
    return pod(name, node, namespace, image="nginx", labels=labels or {"app": "web"},
               ports=[{"name": "http", "containerPort": 80}])


def policy(name, namespace="default", **spec):
    spec.setdefault("podSelector", {})
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


@pytest.fixture
def cluster():
    """web on node-1, a frontend on node-2, another client on node-3, a client in namespace prod."""
    with labkube.Cluster(nodes=3, seed=0) as c:
        c.kubectl("create namespace prod")
        c.apply(web())
        c.apply(pod("frontend", "node-2", labels={"role": "frontend"}))
        c.apply(pod("client", "node-3"))
        c.apply(pod("client", "node-2", namespace="prod"))
        c.run(30)
        yield c


def web_ip(cluster, name="web"):
    return cluster.get("pod", name)["status"]["podIP"]


def wget(cluster, client, url, namespace="default"):
    return cluster.exec(client, ["wget", "-qO-", "-T", "2", url], namespace=namespace)


def reaches(cluster, client, url, namespace="default"):
    result = wget(cluster, client, url, namespace)
    if result.exit_code == 0:
        return True
    assert result.stderr == TIMED_OUT, result.stderr
    return False


def test_a_deny_all_ingress_policy_makes_wget_time_out(cluster):
    ip = web_ip(cluster)
    assert "Welcome to nginx!" in wget(cluster, "client", ip).stdout
    cluster.apply(policy("default-deny-ingress", policyTypes=["Ingress"]))
    before = cluster.clock.now()
    result = wget(cluster, "client", ip)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", TIMED_OUT)
    assert cluster.clock.now() - before == 2  # the SYN was dropped: wget's -T alarm ends it


def test_without_a_timeout_wget_waits_for_the_kernel_to_give_up(cluster):
    cluster.apply(policy("default-deny-ingress", policyTypes=["Ingress"]))
    ip = web_ip(cluster)
    before = cluster.clock.now()
    result = cluster.exec("client", ["wget", "-qO-", ip])
    assert result.stderr == f"wget: can't connect to remote host ({ip}): Connection timed out\n"
    assert cluster.clock.now() - before == 127


def test_allowing_role_frontend_lets_that_pod_through_but_not_others(cluster):
    cluster.apply(policy("web-from-frontend", podSelector={"matchLabels": {"app": "web"}},
                         ingress=[{"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}]}]))
    ip = web_ip(cluster)
    assert reaches(cluster, "frontend", ip)
    assert not reaches(cluster, "client", ip)
    assert not reaches(cluster, "client", ip, namespace="prod")  # a podSelector means this namespace


def test_a_namespace_selector_admits_the_pods_of_the_labelled_namespace(cluster):
    cluster.apply(policy("web-from-web-team", podSelector={"matchLabels": {"app": "web"}},
                         ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"team": "web"}}}]}]))
    ip = web_ip(cluster)
    assert not reaches(cluster, "client", ip, namespace="prod")
    cluster.kubectl("label namespace prod team=web")
    assert reaches(cluster, "client", ip, namespace="prod")
    assert not reaches(cluster, "frontend", ip)


def test_an_ip_block_with_except_admits_pod_addresses_outside_the_exception(cluster):
    cluster.apply(policy("web-from-pods-not-on-node-2", podSelector={"matchLabels": {"app": "web"}},
                         ingress=[{"from": [{"ipBlock": {"cidr": "10.244.0.0/16",
                                                         "except": ["10.244.2.0/24"]}}]}]))
    ip = web_ip(cluster)
    assert reaches(cluster, "client", ip)  # node-3: 10.244.3.x
    assert not reaches(cluster, "frontend", ip)  # node-2: 10.244.2.x


@pytest.mark.parametrize("port, allowed", [("http", True), ("metrics", False), (80, True), (8080, False)],
                         ids=["the container port named http is 80", "no container port is named metrics",
                              "port 80 by number", "another number"])
def test_named_and_numbered_ports(cluster, port, allowed):
    cluster.apply(policy("web-port", podSelector={"matchLabels": {"app": "web"}},
                         ingress=[{"ports": [{"port": port}]}]))
    assert reaches(cluster, "client", web_ip(cluster)) is allowed


def test_an_egress_deny_all_blocks_connections_and_name_lookups(cluster):
    cluster.apply(policy("default-deny-egress", policyTypes=["Egress"]))
    assert not reaches(cluster, "client", web_ip(cluster))
    before = cluster.clock.now()
    lookup = cluster.exec("client", ["nslookup", "kubernetes.default"])
    assert (lookup.exit_code, lookup.stdout) == (1, ";; connection timed out; no servers could be reached\n\n")
    assert cluster.clock.now() - before == 5
    by_name = cluster.exec("client", ["wget", "-qO-", "-T", "2", "web"])
    assert by_name.stderr == "wget: bad address 'web'\n"


def test_allowing_dns_to_kube_system_brings_names_back_but_not_connections(cluster):
    cluster.apply(policy("default-deny-egress", policyTypes=["Egress"]))
    cluster.apply(policy("allow-dns", policyTypes=["Egress"], egress=[{
        "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]))
    cluster.kubectl("expose pod web --port=80")
    lookup = cluster.exec("client", ["nslookup", "web"])
    assert "Name:\tweb.default.svc.cluster.local\nAddress: " in lookup.stdout
    assert wget(cluster, "client", "web").stderr == TIMED_OUT


def test_an_ip_block_for_the_dns_cluster_ip_does_not_allow_lookups(cluster):
    cluster.apply(policy("dns-by-cluster-ip", policyTypes=["Egress"], egress=[{
        "to": [{"ipBlock": {"cidr": "10.96.0.10/32"}}], "ports": [{"protocol": "UDP", "port": 53}]}]))
    assert cluster.exec("client", ["nslookup", "kubernetes"]).exit_code == 1


def test_deleting_the_policy_restores_traffic(cluster):
    cluster.apply(policy("default-deny-ingress", policyTypes=["Ingress"]))
    ip = web_ip(cluster)
    assert not reaches(cluster, "client", ip)
    cluster.kubectl("delete networkpolicy default-deny-ingress")
    assert reaches(cluster, "client", ip)


def test_service_traffic_follows_the_policy_of_the_backend_it_reaches(cluster):
    cluster.apply(web("web-2", node="node-3", labels={"app": "web", "locked": "true"}))
    cluster.kubectl("expose pod web --port=80 --name=site --selector=app=web")
    cluster.run(5)
    cluster.apply(policy("lock", podSelector={"matchLabels": {"locked": "true"}}, policyTypes=["Ingress"]))
    outcomes = [reaches(cluster, "client", "site") for _ in range(4)]
    assert outcomes == [True, False, True, False]  # round robin over the two backends, by IP


def test_a_request_from_outside_the_cluster_needs_an_ip_block(cluster):
    cluster.apply(policy("default-deny-ingress", policyTypes=["Ingress"]))
    ip = web_ip(cluster)
    with pytest.raises(ConnectionTimedOut) as err:
        cluster.request(f"http://{ip}/")
    assert str(err.value.verdict) == ("dropped: pod default/web is isolated for ingress by "
                                      "default/default-deny-ingress and no rule allows 172.18.0.1 on 80/TCP")
    cluster.apply(policy("from-the-host", ingress=[{"from": [{"ipBlock": {"cidr": "172.18.0.1/32"}}]}]))
    assert cluster.request(f"http://{ip}/").status == 200


def test_a_node_port_masquerades_when_the_backend_runs_on_another_node(cluster):
    cluster.kubectl("expose pod web --port=80 --type=NodePort --name=site")
    cluster.apply(policy("from-the-host-only", podSelector={"matchLabels": {"app": "web"}},
                         ingress=[{"from": [{"ipBlock": {"cidr": "172.18.0.1/32"}}]}]))
    node_port = cluster.get("service", "site")["spec"]["ports"][0]["nodePort"]
    node_ip = {n["metadata"]["name"]: n["status"]["addresses"][0]["address"] for n in cluster.list("nodes")}
    assert cluster.request(f"http://{node_ip['node-1']}:{node_port}/").status == 200  # web's own node
    with pytest.raises(ConnectionTimedOut):  # node-2 forwards it with its own address as source
        cluster.request(f"http://{node_ip['node-2']}:{node_port}/")


def test_kubelet_probes_pass_because_a_pod_cannot_block_its_own_node(cluster):
    probed = web("probed", node="node-2")
    probed["spec"]["containers"][0]["readinessProbe"] = {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 5}
    cluster.apply(policy("default-deny-ingress", policyTypes=["Ingress"]))
    cluster.apply(probed)
    cluster.run(30)
    conditions = {c["type"]: c["status"] for c in cluster.get("pod", "probed")["status"]["conditions"]}
    assert conditions["Ready"] == "True"


def test_stopping_the_enforcer_lifts_every_policy(cluster):
    cluster.apply(policy("default-deny-ingress", policyTypes=["Ingress"]))
    ip = web_ip(cluster)
    cluster.stop_component("kube-network-policies")
    assert reaches(cluster, "client", ip)
    cluster.start_component("kube-network-policies")
    cluster.run(1)
    assert not reaches(cluster, "client", ip)


def test_egress_to_a_site_outside_the_cluster_needs_an_ip_block(cluster):
    cluster.apply(policy("default-deny-egress", policyTypes=["Egress"]))
    cluster.apply(policy("dns", policyTypes=["Egress"], egress=[{"ports": [{"protocol": "UDP", "port": 53}]}]))
    assert not reaches(cluster, "client", "http://info.cern.ch")
    cluster.apply(policy("outside", policyTypes=["Egress"], egress=[{
        "to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}]}]))
    assert reaches(cluster, "client", "http://info.cern.ch")
    assert not reaches(cluster, "client", web_ip(cluster))


def test_the_ingress_controller_gets_a_gateway_timeout_from_an_isolated_backend(cluster):
    cluster.apply(web("web-2", node="node-2", labels={"app": "web2"}))
    cluster.kubectl("expose pod web-2 --port=80 --name=site")
    cluster.apply({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "site"},
                   "spec": {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {
                       "service": {"name": "site", "port": {"number": 80}}}}]}}]}})
    cluster.run(5)
    assert cluster.request("http://anything/", via_ingress=True).status == 200
    cluster.apply(policy("default-deny-ingress", policyTypes=["Ingress"]))
    response = cluster.request("http://anything/", via_ingress=True)
    assert (response.status, "<title>504 Gateway Time-out</title>" in response.body) == (504, True)
    controller = cluster.get("ingress", "site")["status"]["loadBalancer"]["ingress"][0]["ip"]
    cluster.apply(policy("from-ingress", ingress=[{"from": [{"ipBlock": {"cidr": f"{controller}/32"}}]}]))
    assert cluster.request("http://anything/", via_ingress=True).status == 200


@pytest.mark.parametrize("args, seconds", [(["-w", "3"], 3), ([], 127)],
                         ids=["nc -w gives up after its timeout", "without -w the kernel gives up after 127 s"])
def test_nc_waits_for_a_dropped_connection(cluster, args, seconds):
    ip = web_ip(cluster)
    assert cluster.exec("client", ["nc", "-z", *args, ip, "80"]).exit_code == 0
    cluster.apply(policy("default-deny-ingress", policyTypes=["Ingress"]))
    before = cluster.clock.now()
    assert cluster.exec("client", ["nc", "-z", *args, ip, "80"]).exit_code == 1
    assert cluster.clock.now() - before == seconds
