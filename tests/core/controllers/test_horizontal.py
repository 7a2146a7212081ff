"""The HorizontalPodAutoscaler controller on the simulated clock: conditions with their reasons,
status, events and the scale writes of kube-controller-manager 1.32."""

import pytest

import labkube

HPA = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
       "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 1, "maxReplicas": 3,
                "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                    "type": "Utilization", "averageUtilization": 50}}}]}}


def deployment(replicas=1, request="100m"):
    resources = {"requests": {"cpu": request}} if request else {}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx",
                                                           "resources": resources}]}}}}


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=1, seed=0) as c:
        yield c


def hpa_status(cluster):
    return cluster.client.get("horizontalpodautoscalers", "web", "default")["status"]


def conditions(cluster):
    return {c["type"]: (c["status"], c["reason"]) for c in hpa_status(cluster).get("conditions") or ()}


def hpa_events(cluster):
    return [(e["type"], e["reason"], e["message"]) for e in cluster.client.list("events", "default")["items"]
            if e["involvedObject"]["kind"] == "HorizontalPodAutoscaler"]


def test_an_hpa_waits_one_sync_period_before_its_first_reconcile(cluster):
    cluster.apply(deployment())
    cluster.run(20)
    cluster.apply(HPA)
    cluster.run(14)
    assert "conditions" not in hpa_status(cluster)
    cluster.run(2)
    assert conditions(cluster)["ScalingActive"] == ("True", "ValidMetricFound")


def test_an_idle_deployment_is_measured_and_left_alone(cluster):
    cluster.apply(deployment())
    cluster.run(30)
    cluster.apply(HPA)
    cluster.run(90)
    status = hpa_status(cluster)
    # The idle pod asks for 0 replicas; the first recommendation (1, when the HPA was first
    # seen) holds it for five minutes, then minReplicas does.
    assert conditions(cluster) == {"AbleToScale": ("True", "ScaleDownStabilized"),
                                   "ScalingActive": ("True", "ValidMetricFound"),
                                   "ScalingLimited": ("False", "DesiredWithinRange")}
    assert (status["currentReplicas"], status["desiredReplicas"]) == (1, 1)
    assert status["currentMetrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "current": {"averageValue": "0", "averageUtilization": 0}}}]
    assert "lastScaleTime" not in status and hpa_events(cluster) == []
    cluster.run(300)
    assert conditions(cluster) == {"AbleToScale": ("True", "ReadyForNewScale"),
                                   "ScalingActive": ("True", "ValidMetricFound"),
                                   "ScalingLimited": ("True", "TooFewReplicas")}


def test_a_missing_target_fails_to_get_its_scale(cluster):
    cluster.apply(HPA)
    cluster.run(20)
    assert conditions(cluster) == {"AbleToScale": ("False", "FailedGetScale")}
    message = 'deployments.apps "web" not found'
    assert hpa_events(cluster) == [("Warning", "FailedGetScale", message)]
    cond = hpa_status(cluster)["conditions"][0]
    assert cond["message"] == f"the HPA controller was unable to get the target's current scale: {message}"


def test_replicas_above_the_maximum_are_brought_down_at_once(cluster):
    cluster.apply(deployment(replicas=5))
    cluster.run(30)
    cluster.apply(HPA)
    cluster.run(20)
    assert cluster.client.get("deployments", "web", "default")["spec"]["replicas"] == 3
    assert ("Normal", "SuccessfulRescale", "New size: 3; reason: Current number of replicas above "
            "Spec.MaxReplicas") in hpa_events(cluster)
    assert hpa_status(cluster)["lastScaleTime"]


def test_a_target_scaled_to_zero_disables_autoscaling(cluster):
    cluster.apply(deployment(replicas=0))
    cluster.run(10)
    cluster.apply(HPA)
    cluster.run(20)
    assert conditions(cluster)["ScalingActive"] == ("False", "ScalingDisabled")
    assert cluster.client.get("deployments", "web", "default")["spec"]["replicas"] == 0


def test_pods_without_a_cpu_request_cannot_be_measured(cluster):
    cluster.apply(deployment(request=None))
    cluster.run(30)
    cluster.apply(HPA)
    cluster.run(20)
    pod = cluster.client.list("pods", "default")["items"][0]["metadata"]["name"]
    cause = f"failed to get cpu utilization: missing request for cpu in container web of Pod {pod}"
    assert conditions(cluster)["ScalingActive"] == ("False", "FailedGetResourceMetric")
    assert hpa_events(cluster) == [
        ("Warning", "FailedGetResourceMetric", cause),
        ("Warning", "FailedComputeMetricsReplicas",
         f"invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: {cause}"),
    ]


def test_the_controller_has_nothing_to_do_without_hpas(cluster):
    cluster.apply(deployment())
    cluster.run(60)
    manager = cluster.components["controller-manager"]
    controller = next(c for c in manager.controllers if c.name == "horizontal-pod-autoscaler")
    assert len(controller.queue) == 0 and not controller.queue.waiting
