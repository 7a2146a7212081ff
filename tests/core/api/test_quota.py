"""What objects cost a quota: pkg/quota/v1/evaluator/core's pods, services and claims, and the
resource-list arithmetic of k8s.io/apiserver/pkg/quota/v1 (labkube.core.api.quota)."""

import pytest

from labkube.core.api import quota
from labkube.core.api.quantity import parse_quantity


def pod(*containers, init=(), phase="Running", **meta):
    return {"metadata": {"name": "p", **meta}, "spec": {"containers": list(containers), "initContainers": list(init)},
            "status": {"phase": phase}}


def ctr(name="c", requests=None, limits=None):
    resources = {k: v for k, v in (("requests", requests), ("limits", limits)) if v}
    return {"name": name, "resources": resources}


def text(resources):
    return quota.as_text(resources)


def test_a_running_pod_costs_its_requests_and_limits_under_every_quota_name():
    usage = quota.pod_usage(pod(ctr(requests={"cpu": "400m", "memory": "600Mi"},
                                    limits={"cpu": "800m", "memory": "800Mi"})), now=0)
    assert text(usage) == {"count/pods": "1", "cpu": "400m", "limits.cpu": "800m", "limits.memory": "800Mi",
                           "memory": "600Mi", "pods": "1", "requests.cpu": "400m", "requests.memory": "600Mi"}


@pytest.mark.parametrize("phase", ["Succeeded", "Failed"])
def test_a_terminal_pod_only_counts_as_an_object(phase):
    usage = quota.pod_usage(pod(ctr(requests={"cpu": "1"}), phase=phase), now=0)
    assert text(usage) == {"count/pods": "1"}


def test_a_pod_stuck_terminating_past_its_grace_period_is_no_longer_charged():
    stuck = pod(ctr(requests={"cpu": "1"}), deletionTimestamp="1970-01-01T00:01:00Z", deletionGracePeriodSeconds=30)
    assert "cpu" in quota.pod_usage(stuck, now=60 + 30)
    assert "cpu" not in quota.pod_usage(stuck, now=60 + 31)


def test_an_init_container_bigger_than_the_app_containers_sets_the_pod_request():
    usage = quota.pod_usage(pod(ctr("a", requests={"cpu": "100m"}), ctr("b", requests={"cpu": "200m"}),
                                init=[ctr("i", requests={"cpu": "500m"})]), now=0)
    assert str(usage["requests.cpu"]) == "500m"


def test_extended_resources_are_charged_as_requests_only():
    usage = quota.pod_usage(pod(ctr(requests={"nvidia.com/gpu": "2"}, limits={"nvidia.com/gpu": "2"})), now=0)
    assert str(usage["requests.nvidia.com/gpu"]) == "2" and "limits.nvidia.com/gpu" not in usage


def test_adding_to_zero_takes_the_other_quantitys_format():
    assert str(quota.plus(quota.zero(), parse_quantity("500Mi"))) == "500Mi"
    assert str(quota.plus(parse_quantity("100m"), parse_quantity("1Gi"))) == "1073741824100m"


@pytest.mark.parametrize("containers, required, message", [
    ([ctr("nginx")], ["limits.cpu", "requests.memory", "pods"],
     "must specify limits.cpu for: nginx; requests.memory for: nginx"),
    ([ctr("a", requests={"cpu": "1"}, limits={"cpu": "1"}), ctr("b")], ["limits.cpu", "requests.cpu"],
     "must specify limits.cpu for: b; requests.cpu for: b"),
    ([ctr("a"), ctr("b")], ["memory"], "must specify memory for: a,b"),
    ([ctr("a", requests={"cpu": "1"})], ["requests.cpu", "count/pods"], None),
], ids=["every missing cpu/memory resource is named, sorted", "a container that sets them all is not named",
        "the containers missing one resource are listed together", "other resources are never required"])
def test_a_cpu_or_memory_quota_makes_every_container_say_what_it_wants(containers, required, message):
    assert quota.pod_constraints(required, pod(*containers)) == message


@pytest.mark.parametrize("spec, expected", [
    ({"type": "ClusterIP", "ports": [{"port": 80}]}, {"services.nodeports": "0", "services.loadbalancers": "0"}),
    ({"type": "NodePort", "ports": [{"port": 80}, {"port": 443}]},
     {"services.nodeports": "2", "services.loadbalancers": "0"}),
    ({"type": "LoadBalancer", "ports": [{"port": 80}]}, {"services.nodeports": "1", "services.loadbalancers": "1"}),
], ids=["a ClusterIP service uses no node port", "a NodePort service uses one per port",
        "a LoadBalancer service uses a load balancer and node ports"])
def test_what_a_service_costs(spec, expected):
    usage = text(quota.service_usage({"spec": spec}, 0))
    assert usage == {"count/services": "1", "services": "1", **expected}


def test_a_claim_costs_its_storage_also_under_its_storage_class():
    claim = {"spec": {"storageClassName": "fast", "resources": {"requests": {"storage": "3Gi"}}}}
    assert text(quota.claim_usage(claim, 0)) == {
        "count/persistentvolumeclaims": "1", "fast.storageclass.storage.k8s.io/persistentvolumeclaims": "1",
        "fast.storageclass.storage.k8s.io/requests.storage": "3Gi", "persistentvolumeclaims": "1",
        "requests.storage": "3Gi"}


def test_any_other_resource_is_counted_as_objects():
    evaluator = quota.evaluator_for("apps", "deployments")
    assert text(evaluator.usage({}, 0)) == {"count/deployments.apps": "1"}
    assert evaluator.matching_resources(["count/deployments.apps", "pods"]) == ["count/deployments.apps"]
    assert text(quota.evaluator_for("", "configmaps").usage({}, 0)) == {"configmaps": "1", "count/configmaps": "1"}


def test_a_scoped_quota_matches_only_pods_in_its_scope():
    best_effort = {"spec": {"scopes": ["BestEffort"]}, "status": {"hard": {"pods": "3"}}}
    assert quota.POD_EVALUATOR.matches(best_effort, pod(ctr()))
    assert not quota.POD_EVALUATOR.matches(best_effort, pod(ctr(requests={"cpu": "1"})))
    assert not quota.SERVICE_EVALUATOR.matches({**best_effort, "status": {"hard": {"services": "1"}}}, {"spec": {}})


def test_a_quota_the_controller_has_not_counted_yet_matches_nothing():
    assert not quota.POD_EVALUATOR.matches({"spec": {"hard": {"pods": "1"}}, "status": {}}, pod(ctr()))
