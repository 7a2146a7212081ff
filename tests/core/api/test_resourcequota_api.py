"""v1 ResourceQuota through the API server: discovery, the strategy (status owned by the quota
system), defaults and validation with kube-apiserver 1.32's messages."""

import pytest

import labkube
from labkube import StatusError


def quota(name="q", hard=None, **spec):
    return {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name},
            "spec": {"hard": hard if hard is not None else {"pods": "2"}, **spec}}


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False) as c:
        yield c


def test_resourcequotas_are_served_in_v1_with_the_short_name_quota_and_a_status_subresource(cluster):
    rtype = cluster.server.registry.resolve("quota")
    assert (rtype.api_version, rtype.kind, rtype.plural, rtype.namespaced) == ("v1", "ResourceQuota", "resourcequotas", True)
    assert rtype.subresources == ("status",) and rtype.categories == ()


def test_a_new_quota_starts_with_an_empty_status_whatever_it_was_sent_with(cluster):
    sent = quota(hard={"pods": "2"})
    sent["status"] = {"hard": {"pods": "2"}, "used": {"pods": "0"}}
    live = cluster.create(sent)[0]
    assert live["status"] == {} and "generation" not in live["metadata"]


def test_hard_limits_are_stored_sorted_and_rounded_up_to_milli_precision(cluster):
    live = cluster.create(quota(hard={"requests.memory": "1Gi", "cpu": "0.0001", "limits.cpu": "1.5"}))[0]
    assert list(live["spec"]["hard"].items()) == [("cpu", "1m"), ("limits.cpu", "1500m"), ("requests.memory", "1Gi")]


def test_an_update_keeps_the_status_and_a_status_update_keeps_the_spec(cluster):
    cluster.create(quota(hard={"pods": "2"}))
    live = cluster.get("quota", "q")
    live["status"] = {"hard": {"pods": "2"}, "used": {"pods": "1"}}
    cluster.client.update(live, subresource="status")
    changed = cluster.get("quota", "q")
    changed["spec"]["hard"]["pods"] = "5"
    changed["status"] = {"hard": {"pods": "9"}, "used": {"pods": "9"}}
    after = cluster.client.update(changed)
    assert after["spec"]["hard"] == {"pods": "5"} and after["status"]["used"] == {"pods": "1"}
    after["spec"]["hard"]["pods"] = "7"
    after["status"]["used"] = {"pods": "3"}
    written = cluster.client.update(after, subresource="status")
    assert written["spec"]["hard"] == {"pods": "5"} and written["status"]["used"] == {"pods": "3"}


@pytest.mark.parametrize("obj, message", [
    (quota("a", {"foo": "1"}),
     'spec.hard[foo]: Invalid value: "foo": must be a standard resource type or fully qualified'),
    (quota("b", {"storage": "1"}), 'spec.hard[storage]: Invalid value: "storage": must be a standard resource for quota'),
    (quota("c", {"pods": "1500m"}), 'spec.hard[pods]: Invalid value: "1500m": must be an integer'),
    (quota("d", {"cpu": "-1"}), 'spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0'),
    (quota("e", {"memory": "1Gi"}, scopes=["BestEffort"]),
     'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource'),
    (quota("f", {"pods": "1"}, scopes=["BestEffort", "NotBestEffort"]),
     'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort"}: conflicting scopes'),
    (quota("g", {"pods": "1"}, scopes=["Bogus"]),
     'spec.scopes: Invalid value: []core.ResourceQuotaScope{"Bogus"}: unsupported scope'),
    (quota("h", {"pods": "1"}, scopeSelector={"matchExpressions": [{"scopeName": "PriorityClass", "operator": "In"}]}),
     "spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` "
     "is 'In' or 'NotIn' for scope selector"),
    (quota("i", {"pods": "1"}, scopeSelector={"matchExpressions": [
        {"scopeName": "BestEffort", "operator": "In", "values": ["x"]}]}),
     'spec.scopeSelector.matchExpressions.operator: Invalid value: "In": must be \'Exist\' when scope is any of '
     "ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, "
     "ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"),
], ids=["an unknown resource name is refused", "storage is a resource but not a quota resource",
        "an object count must be whole", "a negative quantity is refused",
        "BestEffort only limits pods", "BestEffort and NotBestEffort conflict", "an unknown scope is refused",
        "In needs values", "Terminating-like scopes take only Exists"])
def test_invalid_quotas_are_refused_naming_the_field(cluster, obj, message):
    with pytest.raises(StatusError) as err:
        cluster.create(obj)
    assert err.value.message == f'ResourceQuota "{obj["metadata"]["name"]}" is invalid: {message}'


def test_object_counts_extended_resources_and_hugepages_are_valid_quota_names(cluster):
    hard = {"count/deployments.apps": "2", "requests.nvidia.com/gpu": "4", "hugepages-2Mi": "1Gi",
            "services.loadbalancers": "1", "requests.storage": "10Gi"}
    assert cluster.create(quota(hard=hard))[0]["spec"]["hard"] == dict(sorted(hard.items()))


def test_the_scopes_of_a_quota_are_immutable(cluster):
    cluster.create(quota(scopes=["NotTerminating"]))
    live = cluster.get("quota", "q")
    live["spec"]["scopes"] = ["Terminating"]
    with pytest.raises(StatusError) as err:
        cluster.client.update(live)
    assert err.value.message == ('ResourceQuota "q" is invalid: spec.scopes: Invalid value: '
                                 '[]core.ResourceQuotaScope{"Terminating"}: field is immutable')
