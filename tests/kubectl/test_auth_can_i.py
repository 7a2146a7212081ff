"""``kubectl auth can-i``: one question, a non-resource URL, kubectl's warnings, and ``--list``.

The ``--list`` tables were printed by the real kubectl 1.32 given labkube's
SelfSubjectRulesReview status by a test server on 127.0.0.1 (same rules, same text)."""

import pytest

import labkube

ALICE_LIST = (
    "Resources                                       Non-Resource URLs   Resource Names   Verbs\n"
    "selfsubjectreviews.authentication.k8s.io        []                  []               [create]\n"
    "selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]\n"
    "selfsubjectrulesreviews.authorization.k8s.io    []                  []               [create]\n"
    + "".join(f"                                                {url:<20}[]               [get]\n" for url in (
        "[/api/*]", "[/api]", "[/apis/*]", "[/apis]", "[/healthz]", "[/healthz]", "[/livez]", "[/livez]",
        "[/openapi/*]", "[/openapi]", "[/readyz]", "[/readyz]", "[/version/]", "[/version/]", "[/version]",
        "[/version]"))
)


@pytest.fixture(scope="module")
def cluster():
    c = labkube.Cluster(nodes=0, seed=0)
    c.kubectl("create namespace dev")
    c.kubectl("create role pods-x --verb=get,list,create --resource=pods,pods/log -n dev")
    c.kubectl("create rolebinding carol-px --role=pods-x --user=carol -n dev")
    c.kubectl("create rolebinding carol-view --clusterrole=view --user=carol -n dev")
    c.kubectl("create role one-cm --verb=get --resource=configmaps --resource-name=settings -n dev")
    c.kubectl("create rolebinding carol-cm --role=one-cm --user=carol -n dev")
    return c


def test_a_user_with_no_bindings_may_only_discover_and_ask(cluster):
    assert cluster.kubectl("auth can-i --list --as=alice") == ALICE_LIST


def test_the_list_merges_verbs_per_resource_without_repeating_them(cluster):
    out = cluster.kubectl("auth can-i --list --as=carol -n dev").splitlines()
    assert out[4:6] == [
        "pods/log                                        []                  []               [get list create watch]",
        "pods                                            []                  []               [get list create watch]",
    ]
    assert "configmaps                                      []                  [settings]       [get]" in out


def test_no_headers_drops_the_header_line(cluster):
    out = cluster.kubectl("auth can-i --list --as=alice --no-headers")
    assert out.startswith("selfsubjectreviews.authentication.k8s.io        []             []    [create]\n")


ERRORS = [
    ("--list takes no arguments", "auth can-i --list get pods",
     "error: list option must be specified with no arguments\n"),
    ("--list refuses -A", "auth can-i --list -A",
     "error: list option can't be specified with neither quiet, all-namespaces nor subresource options\n"),
    ("--no-headers needs --list", "auth can-i get pods --no-headers",
     "error: --no-headers cannot be set without --list specified\n"),
    ("a URL has no subresource", "auth can-i get /healthz --subresource=log",
     "error: --subresource can not be used with NonResourceURL\n"),
]


@pytest.mark.parametrize("case, command, expected", ERRORS, ids=[c[0] for c in ERRORS])
def test_argument_errors_are_kubectls(cluster, case, command, expected):
    assert cluster.kubectl(command) == expected


ANSWERS = [
    ("every user may read /healthz", "auth can-i get /healthz --as=alice", "yes\n"),
    ("but not /metrics", "auth can-i get /metrics --as=alice", "no\n"),
    ("a cluster-scoped resource asked about in a namespace gets a warning",
     "auth can-i list nodes --as=alice", "Warning: resource 'nodes' is not namespace scoped\nno\n"),
    ("-A asks at the cluster scope, without the warning", "auth can-i list nodes -A", "yes\n"),
    ("an unknown verb gets a warning", "auth can-i run pods", "Warning: verb 'run' is not a known verb\nyes\n"),
    ("an unknown resource in a group names the group", "auth can-i list foo.bar --as=alice",
     "Warning: the server doesn't have a resource type 'foo' in group 'bar'\nno\n"),
    ("users are not served but may be impersonated", "auth can-i impersonate users", "yes\n"),
    ("TYPE/NAME names an object: pods/exec is the pod named exec",
     "auth can-i get pods/exec -n dev --as=carol", "yes\n"),
    ("the exec subresource is asked with --subresource",
     "auth can-i create pods --subresource=exec -n dev --as=carol", "no\n"),
]


@pytest.mark.parametrize("case, command, expected", ANSWERS, ids=[c[0] for c in ANSWERS])
def test_answers_and_warnings(cluster, case, command, expected):
    assert cluster.kubectl(command) == expected
