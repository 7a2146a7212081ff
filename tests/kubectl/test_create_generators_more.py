"""create generators: --append-hash, empty names, and the role/clusterrole checks in
kubectl's order. The table's expectations and the clusterrole outputs were printed by the
real kubectl 1.32 (``--dry-run=client``: these run before any request); the merged role
rules follow create_role.go (Complete drops repeated verbs and resources), which kubectl
cannot show without a server to map the resources."""

import pytest

import labkube
from labkube.kubectl import run

CASES = [
    ("create configmap web --from-literal=a=b --append-hash -o name", "configmap/web-gmhk54bgc9\n", 0),
    ("create configmap Web --append-hash -o name", "configmap/Web-4f89ct2m86\n", 0),
    ("create secret generic s --append-hash -o name", "secret/s-6cmg28h685\n", 0),
    ("create secret generic web --from-literal=a=b --type=kubernetes.io/basic-auth --append-hash -o name",
     "secret/web-85748t8ch4\n", 0),
    ("create configmap c --from-literal=k=<a&b> --append-hash -o name", "configmap/c-9tmddtmh8h\n", 0),
    ("create role all --dry-run=name svc x -o name",
     "error: exactly one NAME is required, got 3\nSee 'kubectl create role -h' for help and examples\n", 1),
    ("create configmap a b -o bogus",
     "error: exactly one NAME is required, got 2\nSee 'kubectl create configmap -h' for help and examples\n", 1),
    ("create serviceaccount '' -o name", "error: name must be specified\n", 1),
    ("create namespace '' -o name", "error: name must be specified\n", 1),
    ("create rolebinding '' --role=x -o name", "error: name must be specified\n", 1),
    ("create secret generic '' --from-literal=x -o name", "error: name must be specified\n", 1),
    ("create clusterrole x --aggregation-rule=a=b --verb=get -o name",
     "error: aggregation rule must be specified without nonResourceURLs, verbs, resources or resourceNames\n", 1),
    ("create clusterrole x --verb=get -o name", "error: one of resource or nonResourceURL must be specified\n", 1),
    ("create clusterrole x --verb=get --non-resource-url=x -o name", "error: nonResourceURL should start with /\n", 1),
    ("create clusterrole x --verb=get --non-resource-url=/a*b -o name",
     "error: nonResourceURL only supports wildcard matches when '*' is at the end\n", 1),
    ("create clusterrole x --verb=list --non-resource-url=/logs -o name",
     "error: invalid verb: 'list' for nonResourceURL\n", 1),
    ("create role x --verb=use --resource=pods -o name", "error: can not perform 'use' on 'pods' in group ''\n", 1),
    ("create role x --verb=impersonate --resource=pods -o name",
     "error: can not perform 'impersonate' on 'pods' in group ''\n", 1),
    ("create role x --verb=get --resource=.apps -o name",
     "error: resource must be specified if apiGroup/subresource specified\n", 1),
    ("create role x --resource-name=a --verb=1.5 --verb=get -o name",
     "Warning: '1.5' is not a standard resource verb\nerror: at least one resource must be specified\n", 1),
]


@pytest.mark.parametrize("command, printed, code", CASES, ids=[c[0] for c in CASES])
def test_generators_check_and_name_as_kubectl_does(command, printed, code):
    result = run(labkube.Cluster(nodes=1, seed=0), command + " --dry-run=client")
    assert (str(result), result.exit_code) == (printed, code)


def test_an_aggregated_clusterrole_has_its_selector_and_null_rules():
    out = run(labkube.Cluster(nodes=1, seed=0),
              "create clusterrole x --aggregation-rule=a=b,c=d --dry-run=client -o yaml")
    assert str(out) == ("aggregationRule:\n  clusterRoleSelectors:\n  - matchLabels:\n      a: b\n      c: d\n"
                        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n"
                        "  creationTimestamp: null\n  name: x\nrules: null\n")


def test_non_resource_urls_are_one_rule_without_repeats():
    out = run(labkube.Cluster(nodes=1, seed=0),
              "create clusterrole x --verb=get --non-resource-url=/logs,/logs,/x* --dry-run=client -o yaml")
    assert str(out).endswith("rules:\n- nonResourceURLs:\n  - /logs\n  - /x*\n  verbs:\n  - get\n")


def test_verbs_and_resources_repeat_once_per_rule():
    out = run(labkube.Cluster(nodes=1, seed=0),
              "create role x --verb=get,get,list --resource=pods,pods,deploy.apps --dry-run=client -o yaml")
    assert str(out).endswith(
        "rules:\n- apiGroups:\n  - \"\"\n  resources:\n  - pods\n  verbs:\n  - get\n  - list\n"
        "- apiGroups:\n  - apps\n  resources:\n  - deployments\n  verbs:\n  - get\n  - list\n")


def test_an_appended_hash_is_created_under_the_hashed_name():
    cluster = labkube.Cluster(nodes=1, seed=0)
    assert str(run(cluster, "create configmap web --from-literal=a=b --append-hash")) == \
        "configmap/web-gmhk54bgc9 created\n"
    assert cluster.get("configmaps", "web-gmhk54bgc9")["data"] == {"a": "b"}
