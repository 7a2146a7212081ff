"""``kubectl auth whoami``: the SelfSubjectReview of the acting user, printed as kubectl 1.32
prints it. The expected texts were printed by the real kubectl 1.32 given the same
SelfSubjectReview by a test server."""

import pytest

import labkube
from labkube.kubectl.commands.auth_whoami import table


@pytest.fixture(scope="module")
def cluster():
    return labkube.Cluster(nodes=0, seed=0)


def test_the_admin_is_kubeadms_kubernetes_admin(cluster):
    assert cluster.kubectl("auth whoami") == (
        "ATTRIBUTE   VALUE\n"
        "Username    kubernetes-admin\n"
        "Groups      [kubeadm:cluster-admins system:authenticated]\n")


def test_yaml_and_json_print_the_review(cluster):
    assert cluster.kubectl("auth whoami -o yaml") == (
        "apiVersion: authentication.k8s.io/v1\nkind: SelfSubjectReview\nmetadata:\n"
        '  creationTimestamp: "2025-01-01T00:00:00Z"\nstatus:\n  userInfo:\n    groups:\n'
        "    - kubeadm:cluster-admins\n    - system:authenticated\n    username: kubernetes-admin\n")
    assert cluster.kubectl("auth whoami -o json") == (
        '{\n    "kind": "SelfSubjectReview",\n    "apiVersion": "authentication.k8s.io/v1",\n'
        '    "metadata": {\n        "creationTimestamp": "2025-01-01T00:00:00Z"\n    },\n'
        '    "status": {\n        "userInfo": {\n            "username": "kubernetes-admin",\n'
        '            "groups": [\n                "kubeadm:cluster-admins",\n'
        '                "system:authenticated"\n            ]\n        }\n    }\n}\n')


def test_impersonation_shows_the_impersonated_user(cluster):
    assert cluster.kubectl("auth whoami --as=alice --as-group=dev") == (
        "ATTRIBUTE   VALUE\nUsername    alice\nGroups      [dev system:authenticated]\n")


def test_a_service_accounts_uid_and_extra_keys_get_their_own_rows():
    info = {"username": "system:serviceaccount:default:default",
            "uid": "5f2d8b1c-0000-4000-8000-000000000001",
            "groups": ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
            "extra": {"authentication.kubernetes.io/pod-name": ["client"],
                      "authentication.kubernetes.io/credential-id": ["JTI=abc"],
                      "authentication.kubernetes.io/node-name": ["node-1"]}}
    assert table(info) == (
        "ATTRIBUTE                                           VALUE\n"
        "Username                                            system:serviceaccount:default:default\n"
        "UID                                                 5f2d8b1c-0000-4000-8000-000000000001\n"
        "Groups                                              [system:serviceaccounts system:serviceaccounts:default system:authenticated]\n"
        "Extra: authentication.kubernetes.io/credential-id   [JTI=abc]\n"
        "Extra: authentication.kubernetes.io/node-name       [node-1]\n"
        "Extra: authentication.kubernetes.io/pod-name        [client]\n")


def test_an_unknown_output_format_is_refused(cluster):
    assert cluster.kubectl("auth whoami -o wide") == (
        'error: unable to match a printer suitable for the output format "wide", allowed formats are: '
        "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml\n")


def test_jsonpath_reads_the_review(cluster):
    assert cluster.kubectl("auth whoami -o jsonpath={.status.userInfo.username}") == "kubernetes-admin"


def test_impersonating_a_service_account_adds_its_groups(cluster):
    assert cluster.kubectl("auth whoami --as=system:serviceaccount:default:default") == (
        "ATTRIBUTE   VALUE\nUsername    system:serviceaccount:default:default\n"
        "Groups      [system:serviceaccounts system:serviceaccounts:default system:authenticated]\n")
