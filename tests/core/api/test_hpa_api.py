"""HorizontalPodAutoscaler through the API server: autoscaling/v2 and v1 served from one storage,
defaults, the v1 conversion, the strategy and validation with kube-apiserver 1.32's messages."""

import pytest

import labkube
from labkube import StatusError
from labkube.core.api import autoscaling

REF = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "php-apache"}


def hpa_v2(name="php-apache", **spec):
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
            "spec": {"scaleTargetRef": REF, "maxReplicas": 10, **spec}}


def hpa_v1(name="php-apache", **spec):
    return {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
            "spec": {"scaleTargetRef": REF, "maxReplicas": 10, **spec}}


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=1, seed=0) as c:
        yield c


def test_hpas_are_served_in_v2_first_then_v1_with_short_name_hpa(cluster):
    registry = cluster.server.registry
    rtype = registry.resolve("hpa")
    assert (rtype.api_version, rtype.kind, rtype.namespaced) == ("autoscaling/v2", "HorizontalPodAutoscaler", True)
    assert "all" in rtype.categories and rtype.subresources == ("status",)
    assert registry.resolve("horizontalpodautoscalers.v1.autoscaling").api_version == "autoscaling/v1"


def test_get_all_lists_the_preferred_version_of_each_resource_once(cluster):
    kinds = [(r.group, r.plural) for r in cluster.server.registry.category("all")]
    assert kinds.count(("autoscaling", "horizontalpodautoscalers")) == 1


@pytest.mark.parametrize("make, given, expected", [
    (hpa_v2, {}, {"minReplicas": 1, "metrics": [autoscaling.cpu_utilization_metric(80)]}),
    (hpa_v2, {"minReplicas": 2}, {"minReplicas": 2}),
    (hpa_v1, {}, {"minReplicas": 1, "metrics": [autoscaling.cpu_utilization_metric(80)]}),
    (hpa_v1, {"targetCPUUtilizationPercentage": 50}, {"metrics": [autoscaling.cpu_utilization_metric(50)]}),
], ids=["a v2 hpa without metrics targets 80% cpu and at least one replica",
        "an explicit minReplicas is kept",
        "a v1 hpa without a cpu target is stored with the 80% cpu metric",
        "a v1 cpu target becomes the v2 cpu utilization metric"])
def test_stored_defaults(cluster, make, given, expected):
    cluster.apply(make(**given))
    stored = cluster.client.get("horizontalpodautoscalers.v2.autoscaling", "php-apache", "default")
    for field, value in expected.items():
        assert stored["spec"][field] == value, field
    assert "behavior" not in stored["spec"]


def test_a_behavior_that_is_set_gets_every_unset_rule_filled(cluster):
    live = cluster.apply(hpa_v2(behavior={"scaleDown": {"stabilizationWindowSeconds": 60}}))[0]
    assert live["spec"]["behavior"] == {
        "scaleUp": autoscaling.scale_up_rules(),
        "scaleDown": {"stabilizationWindowSeconds": 60, **autoscaling.scale_down_rules()},
    }


def test_a_new_hpa_starts_with_the_zero_status_in_each_version(cluster):
    cluster.apply(hpa_v2())
    v2 = cluster.client.get("horizontalpodautoscalers.v2.autoscaling", "php-apache", "default")
    v1 = cluster.client.get("horizontalpodautoscalers.v1.autoscaling", "php-apache", "default")
    assert v2["status"] == {"desiredReplicas": 0, "currentMetrics": None}
    assert v1["status"] == {"currentReplicas": 0, "desiredReplicas": 0}
    assert "generation" not in v2["metadata"]


def test_v1_reads_a_v2_hpa_with_its_cpu_target_and_keeps_the_rest_in_annotations(cluster):
    memory = {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue",
                                                                            "averageValue": "100Mi"}}}
    cluster.apply(hpa_v2(metrics=[autoscaling.cpu_utilization_metric(50), memory]))
    v1 = cluster.client.get("horizontalpodautoscalers.v1.autoscaling", "php-apache", "default")
    assert v1["spec"]["targetCPUUtilizationPercentage"] == 50
    assert v1["metadata"]["annotations"][autoscaling.METRICS_ANNOTATION] == (
        '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}}]')


def test_a_v1_round_trip_loses_no_v2_metric(cluster):
    memory = {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue",
                                                                            "averageValue": "100Mi"}}}
    cluster.apply(hpa_v2(metrics=[autoscaling.cpu_utilization_metric(50), memory]))
    v1 = cluster.client.get("horizontalpodautoscalers.v1.autoscaling", "php-apache", "default")
    v1["spec"]["maxReplicas"] = 5
    cluster.client.update({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", **v1})
    v2 = cluster.client.get("horizontalpodautoscalers.v2.autoscaling", "php-apache", "default")
    assert v2["spec"]["metrics"] == [autoscaling.cpu_utilization_metric(50), memory]
    assert v2["spec"]["maxReplicas"] == 5
    assert not any(key.startswith("autoscaling.alpha") for key in v2["metadata"].get("annotations", {}))


def test_an_update_keeps_the_status_and_a_status_update_keeps_the_spec(cluster):
    cluster.apply(hpa_v2())
    live = cluster.client.get("horizontalpodautoscalers", "php-apache", "default")
    live = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", **live}
    live["status"] = {"currentReplicas": 3, "desiredReplicas": 4, "currentMetrics": None}
    live["spec"]["maxReplicas"] = 7
    after = cluster.client.update(live, subresource="status")
    assert after["status"]["desiredReplicas"] == 4 and after["spec"]["maxReplicas"] == 10
    after["spec"]["maxReplicas"] = 7
    after["status"] = {"desiredReplicas": 0}
    again = cluster.client.update({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", **after})
    assert again["spec"]["maxReplicas"] == 7 and again["status"]["desiredReplicas"] == 4


@pytest.mark.parametrize("make, spec, causes", [
    (hpa_v2, {"minReplicas": 0, "maxReplicas": 0},
     ["spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
      "spec.maxReplicas: Invalid value: 0: must be greater than 0"]),
    (hpa_v2, {"minReplicas": 5, "maxReplicas": 3},
     ["spec.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`"]),
    (hpa_v2, {"scaleTargetRef": {"kind": "", "name": "a/b"}},
     ["spec.scaleTargetRef.kind: Required value",
      "spec.scaleTargetRef.name: Invalid value: \"a/b\": may not contain '/'"]),
    (hpa_v1, {"targetCPUUtilizationPercentage": 0},
     ["spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0"]),
    (hpa_v2, {"metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization"}}}]},
     ["spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value "
      "or a target utilization"]),
    (hpa_v2, {"metrics": [{"type": "Bogus"}]},
     ['spec.metrics[0].type: Unsupported value: "Bogus": supported values: "ContainerResource", "External", '
      '"Object", "Pods", "Resource"',
      "spec.metrics[0].bogus: Required value: must populate information for the given metric source"]),
    (hpa_v2, {"behavior": {"scaleUp": {"stabilizationWindowSeconds": 3601,
                                        "policies": [{"type": "Pods", "value": 0, "periodSeconds": 1801}]}}},
     ["spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600",
      "spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero",
      "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800"]),
], ids=["zero replicas are refused", "max below min is refused", "the target must be named by a path segment",
        "a v1 cpu target of 0 is reported at its v2 field",
        "a utilization target needs a value", "an unknown metric type is refused",
        "behavior windows, policy values and periods are bounded"])
def test_validation_messages(cluster, make, spec, causes):
    with pytest.raises(StatusError) as err:
        cluster.apply(make(**spec))
    assert err.value.code == 422
    assert [f"{c['field']}: {c['message']}" for c in err.value.status["details"]["causes"]] == causes
    assert cluster.client.list("horizontalpodautoscalers", "default")["items"] == []


def test_the_hpa_controller_role_is_1_32s():
    from labkube.core.api import bootstrap_policy

    rules = [(r["apiGroups"], r["resources"], r["verbs"])
             for r in bootstrap_policy._controller_rules()["horizontal-pod-autoscaler"]]
    assert rules[:7] == [
        (["autoscaling"], ["horizontalpodautoscalers"], ["get", "list", "watch"]),
        (["autoscaling"], ["horizontalpodautoscalers/status"], ["update"]),
        (["*"], ["*/scale"], ["get", "update"]),
        ([""], ["pods"], ["list"]),
        (["metrics.k8s.io"], ["pods"], ["list"]),
        (["custom.metrics.k8s.io"], ["*"], ["get", "list"]),
        (["external.metrics.k8s.io"], ["*"], ["get", "list"]),
    ]
