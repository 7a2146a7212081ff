"""The TARGETS column of ``kubectl get hpa`` (formatHPAMetrics in printers.go 1.32)."""

import pytest

from labkube.kubectl.printers.columns_autoscaling import format_hpa_metrics, hpa_row


def resource(name, **target):
    kind = "Utilization" if "averageUtilization" in target else "AverageValue"
    return {"type": "Resource", "resource": {"name": name, "target": {"type": kind, **target}}}


def resource_status(name, **current):
    return {"type": "Resource", "resource": {"name": name, "current": current}}


@pytest.mark.parametrize("specs, statuses, expected", [
    ([], None, "<none>"),
    ([resource("cpu", averageUtilization=50)], None, "cpu: <unknown>/50%"),
    ([resource("cpu", averageUtilization=50)], [resource_status("cpu", averageUtilization=305, averageValue="610m")],
     "cpu: 305%/50%"),
    ([resource("memory", averageValue="100Mi")], [resource_status("memory", averageValue="40Mi")],
     "memory: 40Mi/100Mi"),
    ([{"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "1k"}}}],
     [{"type": ""}], "<unknown>/1k"),
    ([{"type": "Object", "object": {"metric": {"name": "rps"}, "describedObject": {"kind": "Ingress", "name": "i"},
                                    "target": {"type": "AverageValue", "averageValue": "10"}}}], [],
     "<unknown>/10 (avg)"),
    ([resource("cpu", averageUtilization=50), resource("memory", averageValue="1Gi"),
      resource("cpu", averageUtilization=70)], [], "cpu: <unknown>/50%, memory: <unknown>/1Gi + 1 more..."),
], ids=["no metrics", "not measured yet", "a measured utilization", "an average value",
        "a failed pods metric", "an object metric with an average target", "more than two metrics"])
def test_format_hpa_metrics(specs, statuses, expected):
    assert format_hpa_metrics(specs, statuses) == expected


def test_a_v1_hpa_prints_the_same_row_as_its_v2_form():
    v1 = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
          "metadata": {"name": "php-apache", "creationTimestamp": "2025-01-01T00:00:00Z"},
          "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "php-apache"}, "minReplicas": 1,
                   "maxReplicas": 10, "targetCPUUtilizationPercentage": 50},
          "status": {"currentReplicas": 1, "desiredReplicas": 1, "currentCPUUtilizationPercentage": 0}}
    assert hpa_row(v1, 1735689660.0) == ["php-apache", "Deployment/php-apache", "cpu: 0%/50%", "1", "10", "1",
                                         "60s"]
