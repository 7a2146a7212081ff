"""The docs task "Accessing the Kubernetes API from a Pod", on the simulated clock.

A pod dials ``https://kubernetes.default.svc`` (10.96.0.1:443, DNATed to the ``default/kubernetes``
endpoint 172.18.0.1:6443) with its mounted token and CA, and meets what it meets on a real
cluster: the APIVersions document, a 403 for listing pods until a RoleBinding grants it,
``ok`` from /healthz for anyone, curl's exit 60 without the CA, and NetworkPolicy egress rules
that judge the connection after the DNAT (port 6443, not 443)."""

import pytest

import labkube

SA = "/var/run/secrets/kubernetes.io/serviceaccount"

#: The docs page's commands (kubernetes/website tasks/run-application/access-api-from-pod.md).
DOCS_COMMANDS = f"""
APISERVER=https://kubernetes.default.svc
SERVICEACCOUNT={SA}
NAMESPACE=$(cat ${{SERVICEACCOUNT}}/namespace)
TOKEN=$(cat ${{SERVICEACCOUNT}}/token)
CACERT=${{SERVICEACCOUNT}}/ca.crt
curl --cacert ${{CACERT}} --header "Authorization: Bearer ${{TOKEN}}" -X GET ${{APISERVER}}/api
"""

API_VERSIONS = """{
  "kind": "APIVersions",
  "versions": [
    "v1"
  ],
  "serverAddressByClientCIDRs": [
    {
      "clientCIDR": "0.0.0.0/0",
      "serverAddress": "172.18.0.1:6443"
    }
  ]
}"""

CURL_60 = """curl: (60) SSL certificate problem: unable to get local issuer certificate
More details here: https://curl.se/docs/sslcerts.html

curl failed to verify the legitimacy of the server and therefore could not
establish a secure connection to it. To learn more about this situation and
how to fix it, please visit the web page mentioned above.
"""


def curl_as_pod(path: str, extra: str = "") -> str:
    """A curl with the pod's own token and CA (what the docs page builds up)."""
    return (f'curl -s {extra} --cacert {SA}/ca.crt -H "Authorization: Bearer $(cat {SA}/token)" '
            f'https://kubernetes.default.svc{path}')


def pod(name: str, image: str = "nginx", **spec) -> dict:
    container = {"name": "c", "image": image}
    if image.startswith("busybox"):
        container["command"] = ["sleep", "36000"]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": name}},
            "spec": {"containers": [container], **spec}}


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=1, seed=0) as c:
        c.apply(pod("shell"))
        c.run(30)
        yield c


def sh(cluster, command: str, pod_name: str = "shell"):
    return cluster.exec(pod_name, ["sh", "-c", command])


def test_the_docs_pages_commands_print_the_api_versions(cluster):
    result = sh(cluster, DOCS_COMMANDS)
    assert (result.exit_code, result.stdout, result.stderr) == (0, API_VERSIONS, "")


def test_the_default_service_account_may_not_list_pods(cluster):
    result = sh(cluster, curl_as_pod("/api/v1/namespaces/default/pods"))
    assert result.stdout == """{
  "kind": "Status",
  "apiVersion": "v1",
  "metadata": {},
  "status": "Failure",
  "message": "pods is forbidden: User \\"system:serviceaccount:default:default\\" cannot list resource \\"pods\\" in API group \\"\\" in the namespace \\"default\\"",
  "reason": "Forbidden",
  "details": {
    "kind": "pods"
  },
  "code": 403
}"""


def test_a_role_binding_lets_the_service_account_list_pods(cluster):
    cluster.kubectl("create role pod-reader --verb=get,list --resource=pods")
    cluster.kubectl("create rolebinding read-pods --role=pod-reader --serviceaccount=default:default")
    result = sh(cluster, curl_as_pod("/api/v1/namespaces/default/pods"))
    assert '"kind": "PodList"' in result.stdout and '"name": "shell"' in result.stdout


def test_the_request_is_audited_as_the_pods_service_account(cluster):
    sh(cluster, curl_as_pod("/api/v1/namespaces/default/pods"))
    record = cluster.audit(user="system:serviceaccount:default:default", resource="pods")[-1]
    assert (record.verb, record.code, record.decision) == ("list", 403, "forbid")


def test_anyone_may_read_healthz(cluster):
    result = sh(cluster, f"curl --cacert {SA}/ca.crt https://kubernetes.default.svc/healthz")
    assert (result.exit_code, result.stdout) == (0, "ok")


def test_anonymous_root_is_forbidden(cluster):
    result = sh(cluster, f"curl --cacert {SA}/ca.crt https://kubernetes.default.svc/")
    assert '"message": "forbidden: User \\"system:anonymous\\" cannot get path \\"/\\""' in result.stdout


def test_curl_without_the_cluster_ca_fails_with_exit_60(cluster):
    result = sh(cluster, "curl https://kubernetes.default.svc/api")
    assert (result.exit_code, result.stdout, result.stderr) == (60, "", CURL_60)


def test_insecure_curl_skips_the_check(cluster):
    result = sh(cluster, "curl -k https://kubernetes.default.svc/healthz")
    assert (result.exit_code, result.stdout) == (0, "ok")


def test_silent_curl_hides_the_error_but_keeps_the_exit_code(cluster):
    result = sh(cluster, "curl -s https://kubernetes.default.svc/api")
    assert (result.exit_code, result.stderr) == (60, "")


def test_the_certificate_names_the_service_and_its_cluster_ip(cluster):
    result = sh(cluster, f"curl --cacert {SA}/ca.crt https://kubernetes.default.svc.cluster.local/healthz"
                         f" && curl --cacert {SA}/ca.crt https://10.96.0.1/healthz")
    assert result.stdout == "okok"


API_ALIAS = """
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  ports: [{name: https, port: 443, targetPort: 6443}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: api-1, labels: {kubernetes.io/service-name: api}}
addressType: IPv4
endpoints: [{addresses: [172.18.0.1]}]
ports: [{name: https, port: 6443, protocol: TCP}]
"""


def test_a_name_the_certificate_does_not_carry_fails_verification(cluster):
    cluster.apply(API_ALIAS)
    cluster.run(2)
    result = sh(cluster, f"curl --cacert {SA}/ca.crt https://api.default.svc/healthz")
    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        60, "curl: (60) SSL: no alternative certificate subject name matches target host name 'api.default.svc'")
    assert sh(cluster, "curl -k https://api.default.svc/healthz").stdout == "ok"


def test_plain_http_to_the_secure_port_gets_gos_400(cluster):
    result = sh(cluster, "curl -s http://kubernetes.default.svc:443/api")
    assert (result.exit_code, result.stdout) == (0, "Client sent an HTTP request to an HTTPS server.\n")


def test_the_endpoint_address_answers_directly(cluster):
    result = sh(cluster, curl_as_pod("/api").replace("kubernetes.default.svc", "172.18.0.1:6443"))
    assert result.stdout == API_VERSIONS


def test_a_token_of_a_deleted_pod_is_unauthorized(cluster):
    cluster.apply(pod("other"))
    cluster.run(30)
    token = sh(cluster, f"cat {SA}/token", "other").stdout
    cluster.delete("pod", "other")
    cluster.run(60)
    result = sh(cluster, f'curl -sk -H "Authorization: Bearer {token}" https://kubernetes.default.svc/api')
    assert '"message": "Unauthorized"' in result.stdout and '"code": 401' in result.stdout


def test_a_forged_token_is_unauthorized(cluster):
    result = sh(cluster, 'curl -sk -H "Authorization: Bearer $(cat %s/token)x" https://kubernetes.default.svc/api'
                % SA)
    assert '"reason": "Unauthorized"' in result.stdout


def test_a_short_lived_projected_token_expires(cluster):
    volume = {"name": "short", "projected": {"sources": [{"serviceAccountToken": {
        "path": "token", "expirationSeconds": 600}}]}}
    spec = pod("short-lived")
    spec["spec"]["volumes"] = [volume]
    spec["spec"]["containers"][0]["volumeMounts"] = [{"name": "short", "mountPath": "/short"}]
    cluster.apply(spec)
    cluster.run(30)
    command = 'curl -sk -H "Authorization: Bearer $(cat /short/token)" https://kubernetes.default.svc/api'
    assert '"APIVersions"' in sh(cluster, command, "short-lived").stdout
    cluster.run(700)  # past exp (600 s) and go-jose's minute of leeway
    assert '"code": 401' in sh(cluster, command, "short-lived").stdout


def test_busybox_wget_notes_it_does_not_validate_and_proceeds(cluster):
    cluster.apply(pod("box", image="busybox:1.36"))
    cluster.run(30)
    result = sh(cluster, "wget -qO- https://kubernetes.default.svc/healthz", "box")
    assert (result.stdout, result.stderr) == ("ok", "wget: note: TLS certificate validation not implemented\n")
    denied = sh(cluster, "wget -qO- https://kubernetes.default.svc/api", "box")
    assert denied.stderr.endswith("wget: server returned error: HTTP/1.1 403 Forbidden\n")


def test_busybox_wget_sends_the_token_header(cluster):
    cluster.apply(pod("box", image="busybox:1.36"))
    cluster.run(30)
    result = sh(cluster, f'wget -qO- --header "Authorization: Bearer $(cat {SA}/token)" '
                         "https://kubernetes.default.svc/api", "box")
    assert result.stdout == API_VERSIONS


EGRESS_DENY_ALL = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
"""


def test_a_network_policy_denying_egress_blocks_the_api_server(cluster):
    cluster.apply(EGRESS_DENY_ALL)
    cluster.run(5)
    result = sh(cluster, curl_as_pod("/api", "-S --connect-timeout 5"))
    assert (result.exit_code, result.stderr) == (
        28, "curl: (28) Failed to connect to kubernetes.default.svc port 443 after 5000 ms: Timeout was reached\n")


@pytest.mark.parametrize("port, reachable", [(443, False), (6443, True)])
def test_egress_to_the_api_server_is_judged_after_the_dnat(cluster, port, reachable):
    """An ipBlock rule must allow the endpoint's port 6443: the Service port 443 never matches."""
    cluster.apply(EGRESS_DENY_ALL + f"""  - to: [{{ipBlock: {{cidr: 172.18.0.1/32}}}}]
    ports: [{{port: {port}, protocol: TCP}}]
""")
    cluster.run(5)
    result = sh(cluster, curl_as_pod("/api", "--connect-timeout 5"))
    assert (result.stdout == API_VERSIONS) is reachable


def test_the_secure_port_accepts_tcp_connections(cluster):
    cluster.apply(pod("box", image="busybox:1.36"))
    cluster.run(30)
    assert sh(cluster, "nc -z -w 2 kubernetes.default.svc 443", "box").exit_code == 0


def test_the_notebook_reaches_the_api_server_through_the_service(cluster):
    response = cluster.request("https://kubernetes.default.svc/healthz")
    assert (response.status, response.body, response.endpoint_ip) == (200, "ok", "172.18.0.1")
