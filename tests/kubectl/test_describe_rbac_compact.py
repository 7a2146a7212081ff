"""``kubectl describe role``: rules for the same resource merge their verbs once each, as
kubectl 1.32 prints them (the text below is the real kubectl's, from a test server serving the
same Role)."""

import labkube

ROLE = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "dup", "namespace": "default"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]},
                  {"apiGroups": [""], "resources": ["pods", "services"], "verbs": ["get", "watch"]},
                  {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"], "resourceNames": ["a"]},
                  {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "update"],
                   "resourceNames": ["a"]}]}


def test_a_verb_granted_twice_for_a_resource_is_listed_once():
    with labkube.Cluster(nodes=0, seed=0) as cluster:
        cluster.apply(ROLE)
        assert cluster.kubectl("describe role dup") == (
            "Name:         dup\n"
            "Labels:       <none>\n"
            "Annotations:  <none>\n"
            "PolicyRule:\n"
            "  Resources   Non-Resource URLs  Resource Names  Verbs\n"
            "  ---------   -----------------  --------------  -----\n"
            "  pods        []                 []              [get list watch]\n"
            "  configmaps  []                 [a]             [get update]\n"
            "  services    []                 []              [get watch]\n")
