"""autoscaling/v1 <-> v2 (pkg/apis/autoscaling/v1/conversion.go), as pure functions."""

import pytest

from labkube.core.api import autoscaling

REF = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
CPU_STATUS = {"type": "Resource", "resource": {"name": "cpu", "current": {"averageValue": "96m",
                                                                          "averageUtilization": 48}}}
CONDITION = {"type": "AbleToScale", "status": "True", "lastTransitionTime": "2025-01-01T00:00:45Z",
             "reason": "ReadyForNewScale", "message": "recommended size matches current size"}


def v2(metrics=None, status=None, behavior=None):
    spec = {"scaleTargetRef": REF, "minReplicas": 1, "maxReplicas": 10,
            "metrics": metrics or [autoscaling.cpu_utilization_metric(50)]}
    if behavior:
        spec["behavior"] = behavior
    obj = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
           "spec": spec}
    if status is not None:
        obj["status"] = status
    return obj


def test_the_cpu_status_becomes_current_cpu_utilization_and_rides_in_annotations_too():
    status = {"currentReplicas": 6, "desiredReplicas": 6, "currentMetrics": [CPU_STATUS], "conditions": [CONDITION]}
    v1 = autoscaling.to_v1(v2(status=status))
    assert v1["status"] == {"currentReplicas": 6, "desiredReplicas": 6, "currentCPUUtilizationPercentage": 48}
    assert v1["metadata"]["annotations"][autoscaling.CURRENT_METRICS_ANNOTATION] == (
        '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":48,"currentAverageValue":"96m"}}]')
    assert autoscaling.CONDITIONS_ANNOTATION in v1["metadata"]["annotations"]


@pytest.mark.parametrize("obj", [
    v2(),
    v2(status={"currentReplicas": 6, "desiredReplicas": 6, "currentMetrics": [CPU_STATUS], "conditions": [CONDITION]}),
    v2(metrics=[autoscaling.cpu_utilization_metric(50),
                {"type": "Pods", "pods": {"metric": {"name": "qps"},
                                          "target": {"type": "AverageValue", "averageValue": "1k"}}}]),
    v2(behavior={"scaleUp": autoscaling.scale_up_rules(),
                 "scaleDown": {"stabilizationWindowSeconds": 60, **autoscaling.scale_down_rules()}}),
], ids=["a cpu target", "a measured status with conditions", "a custom pods metric beside cpu", "a behavior"])
def test_v2_survives_a_trip_through_v1(obj):
    back = autoscaling.to_v2(autoscaling.to_v1(obj))
    assert back["spec"] == obj["spec"]
    if "status" in obj:
        assert back["status"] == {**obj["status"]}
    assert "annotations" not in back["metadata"]
