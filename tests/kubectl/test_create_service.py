"""``kubectl create service`` and ``kubectl create secret docker-registry`` against a live cluster.

What they print with ``--dry-run=client`` is compared byte for byte with the real kubectl 1.32 in
``test_generators.py`` (goldens ``service_*`` and ``secret_docker*``); these tests check what
the objects do once created, and the API server's refusals as kubectl wraps them.
"""

import base64
import json

import labkube


def _cluster():
    cluster = labkube.Cluster(nodes=2, seed=6)
    cluster.kubectl("create deployment web --image=nginx --replicas=2")
    return cluster


def test_a_generated_service_selects_the_deployment_of_the_same_name():
    cluster = _cluster()
    assert cluster.kubectl("create service clusterip web --tcp=8080:80") == "service/web created\n"
    cluster.run(30)
    pods = {p["metadata"]["name"] for p in cluster.list("pods", "default", label_selector="app=web")}
    assert cluster.request("http://web.default.svc.cluster.local:8080/").pod.split("/")[1] in pods
    ports = cluster.get("endpoints", "web", "default")["subsets"][0]["ports"]
    assert ports == [{"name": "8080-80", "port": 80, "protocol": "TCP"}]


def test_a_nodeport_that_is_taken_is_refused_in_kubectls_words():
    cluster = _cluster()
    assert cluster.kubectl("create service nodeport a --tcp=80 --node-port=30080") == "service/a created\n"
    assert cluster.kubectl("create service nodeport b --tcp=80 --node-port=30080") == (
        'error: failed to create NodePort service: Service "b" is invalid: spec.ports[0].nodePort: '
        "Invalid value: 30080: provided port is already allocated\n")


def test_a_headless_service_gets_no_cluster_ip_and_an_externalname_a_cname():
    cluster = _cluster()
    cluster.kubectl("create service clusterip hl --clusterip=None")
    cluster.kubectl("create service externalname docs --external-name=example.com")
    cluster.kubectl("run dnsutils --image=registry.k8s.io/e2e-test-images/agnhost:2.39")
    cluster.run(60)
    assert cluster.get("service", "hl", "default")["spec"]["clusterIP"] == "None"
    assert "docs.default.svc.cluster.local\tcanonical name = example.com.\n" in cluster.kubectl(
        "exec dnsutils -- nslookup docs")


def test_a_port_zero_passes_kubectl_and_the_api_server_refuses_it():
    """kubectl sends targetPort 0, which defaulting turns into the port: both are refused."""
    cluster = _cluster()
    assert cluster.kubectl("create service clusterip z --tcp=0") == (
        'error: failed to create ClusterIP service: Service "z" is invalid: [spec.ports[0].port: Invalid value: '
        "0: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 0: must be "
        "between 1 and 65535, inclusive]\n")


def test_a_docker_registry_secret_holds_a_docker_config_for_the_server():
    cluster = _cluster()
    assert cluster.kubectl("create secret docker-registry regcred --docker-server=registry.example.com "
                           "--docker-username=student --docker-password=s3cret") == "secret/regcred created\n"
    secret = cluster.get("secret", "regcred", "default")
    assert secret["type"] == "kubernetes.io/dockerconfigjson"
    config = json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))
    assert config == {"auths": {"registry.example.com": {
        "username": "student", "password": "s3cret", "auth": base64.b64encode(b"student:s3cret").decode()}}}
