"""Defaulting fills in what kube-apiserver fills in, and nothing that needs cluster state."""

import copy

import pytest

from labkube.core.api import defaults


def _defaulted(obj):
    obj = copy.deepcopy(obj)
    defaults.apply_defaults(obj)
    return obj


DEFAULTED_CONTAINER = {
    "name": "web", "image": "nginx", "imagePullPolicy": "Always", "resources": {},
    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
}
DEFAULTED_POD_SPEC = {
    "containers": [DEFAULTED_CONTAINER],
    "dnsPolicy": "ClusterFirst", "enableServiceLinks": True, "restartPolicy": "Always",
    "schedulerName": "default-scheduler", "securityContext": {}, "terminationGracePeriodSeconds": 30,
}


def test_a_minimal_pod_gets_the_pod_and_container_defaults():
    pod = _defaulted({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                      "spec": {"containers": [{"name": "web", "image": "nginx"}]}})
    assert pod["spec"] == DEFAULTED_POD_SPEC


@pytest.mark.parametrize(
    "image, policy",
    [("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.27", "IfNotPresent"),
     ("localhost:5000/nginx", "Always"), ("localhost:5000/nginx:1.0", "IfNotPresent"),
     ("nginx@sha256:" + "a" * 64, "IfNotPresent"), ("registry.k8s.io/pause:3.10", "IfNotPresent")],
)
def test_the_image_pull_policy_follows_the_tag(image, policy):
    pod = _defaulted({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                      "spec": {"containers": [{"name": "c", "image": image}]}})
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_probes_ports_env_and_volumes_get_their_defaults():
    pod = _defaulted({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "c", "image": "x:1", "ports": [{"containerPort": 80}],
                        "livenessProbe": {"httpGet": {"port": 80}},
                        "env": [{"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}]}],
        "volumes": [{"name": "a"}, {"name": "b", "configMap": {"name": "cfg"}},
                    {"name": "c", "secret": {"secretName": "s"}}, {"name": "d", "hostPath": {"path": "/x"}}]}})
    container = pod["spec"]["containers"][0]
    assert container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert container["livenessProbe"] == {
        "httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1, "periodSeconds": 10,
        "successThreshold": 1, "failureThreshold": 3}
    assert container["env"][0]["valueFrom"]["fieldRef"]["apiVersion"] == "v1"
    assert pod["spec"]["volumes"] == [
        {"name": "a", "emptyDir": {}}, {"name": "b", "configMap": {"name": "cfg", "defaultMode": 420}},
        {"name": "c", "secret": {"secretName": "s", "defaultMode": 420}},
        {"name": "d", "hostPath": {"path": "/x", "type": ""}}]


def test_pod_limits_become_requests_but_template_limits_do_not():
    resources = {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "250m"}}
    pod = _defaulted({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                      "spec": {"containers": [{"name": "c", "image": "x", "resources": resources}]}})
    assert pod["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "250m", "memory": "128Mi"}
    deploy = _defaulted({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                         "spec": {"template": {"spec": {"containers": [
                             {"name": "c", "image": "x", "resources": {"limits": {"cpu": "1"}}}]}}}})
    assert "requests" not in deploy["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert "enableServiceLinks" not in deploy["spec"]["template"]["spec"]


def test_resource_quantities_are_rounded_up_to_milli_units():
    pod = _defaulted({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                      "spec": {"containers": [{"name": "c", "image": "x", "resources": {"limits": {"cpu": "1n"}}}]}})
    assert pod["spec"]["containers"][0]["resources"]["limits"] == {"cpu": "1m"}


def test_a_deployment_gets_what_kubectl_create_deployment_dry_run_server_shows():
    deploy = _defaulted({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                         "spec": {"selector": {"matchLabels": {"app": "web"}},
                                  "template": {"metadata": {"labels": {"app": "web"}},
                                               "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}})
    spec = deploy["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    assert spec["revisionHistoryLimit"] == 10 and spec["progressDeadlineSeconds"] == 600
    assert spec["template"]["metadata"] == {"labels": {"app": "web"}, "creationTimestamp": None}
    template_spec = spec["template"]["spec"]
    assert template_spec["restartPolicy"] == "Always" and template_spec["schedulerName"] == "default-scheduler"
    assert deploy["status"] == {}


def test_a_recreate_deployment_gets_no_rolling_update():
    deploy = _defaulted({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                         "spec": {"strategy": {"type": "Recreate"}}})
    assert deploy["spec"]["strategy"] == {"type": "Recreate"}


def test_a_replica_set_gets_one_replica_and_a_zero_status():
    rs = _defaulted({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r"}, "spec": {}})
    assert rs["spec"]["replicas"] == 1 and rs["status"] == {"replicas": 0}


@pytest.mark.parametrize(
    "spec, expected",
    [
        ({"ports": [{"port": 80}]},
         {"ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}], "sessionAffinity": "None",
          "type": "ClusterIP", "internalTrafficPolicy": "Cluster"}),
        ({"type": "NodePort", "ports": [{"port": 80, "targetPort": "http"}]},
         {"type": "NodePort", "ports": [{"port": 80, "targetPort": "http", "protocol": "TCP"}],
          "sessionAffinity": "None", "externalTrafficPolicy": "Cluster", "internalTrafficPolicy": "Cluster"}),
        ({"type": "LoadBalancer", "ports": [{"port": 443}]},
         {"type": "LoadBalancer", "ports": [{"port": 443, "protocol": "TCP", "targetPort": 443}],
          "sessionAffinity": "None", "externalTrafficPolicy": "Cluster", "internalTrafficPolicy": "Cluster",
          "allocateLoadBalancerNodePorts": True}),
        ({"type": "ExternalName", "externalName": "example.com"},
         {"type": "ExternalName", "externalName": "example.com", "sessionAffinity": "None"}),
    ],
)
def test_a_service_gets_its_defaults_by_type(spec, expected):
    svc = _defaulted({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": spec})
    assert svc["spec"] == expected
    assert svc["status"] == {"loadBalancer": {}}


def test_ip_family_defaults_come_after_allocation():
    svc = {"spec": {"type": "ClusterIP", "clusterIP": "10.96.0.10", "selector": {"app": "web"}}}
    defaults.service_ip_family_defaults(svc)
    assert svc["spec"]["clusterIPs"] == ["10.96.0.10"]
    assert svc["spec"]["ipFamilyPolicy"] == "SingleStack" and svc["spec"]["ipFamilies"] == ["IPv4"]
    headless = {"spec": {"type": "ClusterIP", "clusterIP": "None"}}
    defaults.service_ip_family_defaults(headless)
    assert headless["spec"]["ipFamilyPolicy"] == "RequireDualStack"


def test_a_namespace_is_labelled_with_its_name_and_active():
    ns = _defaulted({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "dev"}
    assert ns["status"] == {"phase": "Active"}
    defaults.namespace_create_defaults(ns)
    assert ns["spec"] == {"finalizers": ["kubernetes"]}


def test_a_secret_is_opaque_and_its_string_data_is_folded_into_data():
    secret = _defaulted({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                         "data": {"a": "YQ=="}, "stringData": {"b": "bee"}})
    assert secret["type"] == "Opaque"
    assert secret["data"] == {"a": "YQ==", "b": "YmVl"} and "stringData" not in secret


def test_binding_subjects_and_role_refs_get_the_rbac_group():
    binding = _defaulted({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                          "metadata": {"name": "b"}, "roleRef": {"kind": "Role", "name": "r"},
                          "subjects": [{"kind": "User", "name": "alice"}, {"kind": "Group", "name": "devs"},
                                       {"kind": "ServiceAccount", "name": "default"}]})
    assert binding["roleRef"]["apiGroup"] == "rbac.authorization.k8s.io"
    assert [s.get("apiGroup") for s in binding["subjects"]] == [
        "rbac.authorization.k8s.io", "rbac.authorization.k8s.io", None]


def test_endpoint_slice_and_endpoints_ports_default_to_tcp():
    slice_ = _defaulted({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                         "metadata": {"name": "e"}, "addressType": "IPv4", "ports": [{"port": 80}]})
    assert slice_["ports"] == [{"port": 80, "name": "", "protocol": "TCP"}]
    endpoints = _defaulted({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "e"},
                            "subsets": [{"ports": [{"port": 80}]}]})
    assert endpoints["subsets"][0]["ports"] == [{"port": 80, "protocol": "TCP"}]


def test_the_service_account_admission_plugin_mounts_the_api_token():
    pod = _defaulted({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                      "spec": {"containers": [{"name": "c", "image": "x"}]}})
    defaults.service_account_defaults(pod, "abcde")
    spec = pod["spec"]
    assert spec["serviceAccountName"] == "default" and spec["serviceAccount"] == "default"
    assert spec["volumes"] == [{"name": "kube-api-access-abcde", "projected": {
        "defaultMode": 420,
        "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1",
                                                                          "fieldPath": "metadata.namespace"}}]}},
        ]}}]
    assert spec["containers"][0]["volumeMounts"] == [
        {"name": "kube-api-access-abcde", "readOnly": True,
         "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]


def test_no_token_is_mounted_when_automounting_is_off():
    pod = {"spec": {"automountServiceAccountToken": False, "serviceAccountName": "builder",
                    "containers": [{"name": "c", "image": "x"}]}}
    defaults.service_account_defaults(pod, "abcde")
    assert "volumes" not in pod["spec"] and pod["spec"]["serviceAccount"] == "builder"


def test_default_toleration_seconds_adds_not_ready_and_unreachable_once():
    pod = {"spec": {"tolerations": [{"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                     "effect": "NoExecute", "tolerationSeconds": 60}]}}
    defaults.default_toleration_seconds(pod)
    assert pod["spec"]["tolerations"] == [
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 60},
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 300}]


def test_the_priority_plugin_sets_priority_zero_and_preemption():
    pod = {"spec": {}}
    defaults.priority_defaults(pod)
    assert pod["spec"] == {"priority": 0, "preemptionPolicy": "PreemptLowerPriority"}


@pytest.mark.parametrize(
    "resources, qos",
    [([{}], "BestEffort"),
     ([{"requests": {"cpu": "100m"}}], "Burstable"),
     ([{"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}}], "Guaranteed"),
     ([{"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m", "memory": "1Gi"}}], "Burstable"),
     ([{"limits": {"cpu": "1", "memory": "1Gi"}}, {}], "Burstable"),
     ([{"limits": {"cpu": "1", "memory": "1Gi"}}], "Burstable")],
)
def test_the_qos_class_follows_requests_and_limits(resources, qos):
    pod = {"spec": {"containers": [{"name": f"c{i}", "resources": r} for i, r in enumerate(resources)]}}
    assert defaults.pod_qos_class(pod) == qos


def test_defaulting_twice_changes_nothing_more():
    pod = _defaulted({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                      "spec": {"containers": [{"name": "c", "image": "x", "ports": [{"containerPort": 1}]}]}})
    assert _defaulted(pod) == pod


def _minimal_pod():
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}, "status": {"phase": "Pending"}}


def test_a_change_only_to_fields_the_defaulter_ignores_is_not_defaulted_again():
    pod = _minimal_pod()
    defaults.apply_defaults(pod, frozenset({"status"}))
    assert "restartPolicy" not in pod["spec"]  # the Pod defaulter works on spec alone
    defaults.apply_defaults(pod, frozenset({"status", "spec"}))
    assert pod["spec"]["restartPolicy"] == "Always"


def test_skipping_the_defaulter_for_an_untouched_spec_changes_nothing_once_it_was_defaulted():
    defaulted = _minimal_pod()
    defaults.apply_defaults(defaulted)
    patched = copy.deepcopy(defaulted)
    patched["status"] = {"phase": "Running"}
    skipped, full = copy.deepcopy(patched), copy.deepcopy(patched)
    defaults.apply_defaults(skipped, frozenset({"status"}))
    defaults.apply_defaults(full)
    assert skipped == full


def test_a_kind_without_declared_fields_is_always_defaulted():
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}
    defaults.apply_defaults(service, frozenset({"status"}))
    assert service["spec"]["type"] == "ClusterIP"
