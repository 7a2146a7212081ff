"""The ResourceQuota admission plugin (labkube.core.api.admission_quota): refuse what would exceed
a quota, in kube-apiserver 1.32's words, and charge the rest to ``status.used`` through the API.

The clusters here run no controller-manager, so each quota's status is set by hand, as the
resource-quota controller would have written it."""

import pytest

import labkube
from labkube import StatusError


def quota(name, hard, used=None, namespace="default", **spec):
    return {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name, "namespace": namespace},
            "spec": {"hard": hard, **spec}}


def pod(name, requests=None, limits=None, namespace="default"):
    resources = {k: v for k, v in (("requests", requests), ("limits", limits)) if v}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace},
            "spec": {"containers": [{"name": name, "image": "nginx", "resources": resources}]}}


def counted(cluster, obj, used):
    """Create the quota and write the status the resource-quota controller would."""
    live = cluster.create(obj)[0]
    live["status"] = {"hard": dict(live["spec"]["hard"]), "used": used}
    return cluster.client.update(live, subresource="status")


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False) as c:
        yield c


MEM_CPU = {"requests.cpu": "1", "requests.memory": "1Gi", "limits.cpu": "2", "limits.memory": "2Gi"}
ZERO = {"requests.cpu": "0", "requests.memory": "0", "limits.cpu": "0", "limits.memory": "0"}
FIRST = dict(requests={"cpu": "400m", "memory": "600Mi"}, limits={"cpu": "800m", "memory": "800Mi"})


def test_a_pod_within_the_quota_is_created_and_charged_by_the_api_server(cluster):
    counted(cluster, quota("mem-cpu-demo", MEM_CPU), ZERO)
    since = cluster.audit()[-1].seq
    cluster.create(pod("first", **FIRST))
    assert cluster.get("quota", "mem-cpu-demo")["status"]["used"] == {
        "limits.cpu": "800m", "limits.memory": "800Mi", "requests.cpu": "400m", "requests.memory": "600Mi"}
    writes = [(e.user, e.verb, e.subresource) for e in cluster.audit(since, verb="update", resource="resourcequotas")]
    assert writes == [("system:apiserver", "update", "status")]


def test_a_pod_that_would_exceed_the_quota_is_refused_with_kube_apiservers_message(cluster):
    counted(cluster, quota("mem-cpu-demo", MEM_CPU), ZERO)
    cluster.create(pod("quota-mem-cpu-demo", **FIRST))
    before = cluster.store.revision
    with pytest.raises(StatusError) as err:
        cluster.create(pod("quota-mem-cpu-demo-2", requests={"cpu": "400m", "memory": "700Mi"},
                           limits={"cpu": "800m", "memory": "1Gi"}))
    assert (err.value.code, err.value.reason) == (403, "Forbidden")
    assert err.value.message == (
        'pods "quota-mem-cpu-demo-2" is forbidden: exceeded quota: mem-cpu-demo, requested: '
        "requests.memory=700Mi, used: requests.memory=600Mi, limited: requests.memory=1Gi")
    assert cluster.store.revision == before  # neither the pod nor a charge was written


def test_every_resource_over_its_limit_is_named_sorted(cluster):
    counted(cluster, quota("small", {"requests.cpu": "1", "limits.cpu": "1", "pods": "5"}),
            {"requests.cpu": "500m", "limits.cpu": "900m", "pods": "1"})
    with pytest.raises(StatusError) as err:
        cluster.create(pod("big", requests={"cpu": "600m"}, limits={"cpu": "600m"}))
    assert err.value.message.endswith(
        "exceeded quota: small, requested: limits.cpu=600m,requests.cpu=600m, "
        "used: limits.cpu=900m,requests.cpu=500m, limited: limits.cpu=1,requests.cpu=1")


def test_a_pod_without_limits_is_refused_by_a_cpu_and_memory_quota(cluster):
    counted(cluster, quota("mem-cpu-demo", MEM_CPU), ZERO)
    with pytest.raises(StatusError) as err:
        cluster.create(pod("nginx"))
    assert err.value.message == (
        'pods "nginx" is forbidden: failed quota: mem-cpu-demo: must specify limits.cpu for: nginx; '
        "limits.memory for: nginx; requests.cpu for: nginx; requests.memory for: nginx")


def test_a_quota_without_usage_yet_refuses_what_it_would_count(cluster):
    live = cluster.create(quota("new", {"pods": "2"}))[0]
    live["status"] = {"hard": {"pods": "2"}}
    cluster.client.update(live, subresource="status")
    with pytest.raises(StatusError) as err:
        cluster.create(pod("p"))
    assert err.value.message == 'pods "p" is forbidden: status unknown for quota: new, resources: pods'


def test_a_quota_the_controller_never_counted_does_not_apply_yet(cluster):
    cluster.create(quota("uncounted", {"pods": "0"}))
    assert cluster.create(pod("p"))[0]["metadata"]["name"] == "p"


def test_a_dry_run_is_checked_but_never_charged(cluster):
    counted(cluster, quota("pods", {"pods": "1"}), {"pods": "0"})
    cluster.create(pod("p"), dry_run=True)
    assert cluster.get("quota", "pods")["status"]["used"] == {"pods": "0"}
    counted(cluster, quota("full", {"pods": "0"}), {"pods": "0"})
    with pytest.raises(StatusError):
        cluster.create(pod("q"), dry_run=True)


def test_quotas_of_other_namespaces_and_other_scopes_do_not_apply(cluster):
    cluster.kubectl("create namespace other")
    counted(cluster, quota("none-here", {"pods": "0"}, namespace="other"), {"pods": "0"})
    counted(cluster, quota("best-effort", {"pods": "0"}, scopes=["BestEffort"]), {"pods": "0"})
    cluster.create(pod("burstable", requests={"cpu": "100m"}))
    with pytest.raises(StatusError) as err:
        cluster.create(pod("best-effort-pod"))
    assert "exceeded quota: best-effort, requested: pods=1, used: pods=0, limited: pods=0" in err.value.message


def test_object_counts_refuse_the_object_over_the_count(cluster):
    counted(cluster, quota("counts", {"count/configmaps": "1"}), {"count/configmaps": "0"})
    cluster.kubectl("create configmap one --from-literal=a=b")
    with pytest.raises(StatusError) as err:
        cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "two"}})
    assert err.value.message == ('configmaps "two" is forbidden: exceeded quota: counts, requested: '
                                 "count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1")


def test_turning_a_service_into_a_node_port_service_is_charged_its_node_ports(cluster):
    counted(cluster, quota("ports", {"services.nodeports": "1", "services": "5"}),
            {"services.nodeports": "0", "services": "0"})
    cluster.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                    "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80}, {"name": "https", "port": 443}]}})
    assert cluster.get("quota", "ports")["status"]["used"] == {"services": "1", "services.nodeports": "0"}
    with pytest.raises(StatusError) as err:
        cluster.patch("service", "web", {"spec": {"type": "NodePort"}})
    assert err.value.message == ('services "web" is forbidden: exceeded quota: ports, requested: '
                                 "services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1")


def test_without_any_quota_a_create_writes_only_the_object(cluster):
    before = cluster.store.revision
    cluster.create(pod("p", **FIRST))
    assert cluster.store.revision == before + 1


def test_limit_ranger_runs_first_so_its_defaults_satisfy_and_are_charged_to_the_quota(cluster):
    cluster.create({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "mem-limit-range"},
                    "spec": {"limits": [{"type": "Container", "default": {"memory": "512Mi"},
                                         "defaultRequest": {"memory": "256Mi"}}]}})
    counted(cluster, quota("mem", {"requests.memory": "1Gi", "limits.memory": "1Gi"}),
            {"requests.memory": "0", "limits.memory": "0"})
    cluster.create(pod("defaulted"))
    assert cluster.get("quota", "mem")["status"]["used"] == {"limits.memory": "512Mi", "requests.memory": "256Mi"}
    cluster.create(pod("second"))
    with pytest.raises(StatusError) as err:
        cluster.create(pod("third"))
    assert err.value.message.endswith("requested: limits.memory=512Mi, used: limits.memory=1Gi, limited: limits.memory=1Gi")


def test_a_quota_counted_after_every_earlier_quota_was_deleted_is_enforced(cluster):
    counted(cluster, quota("first", {"pods": "5"}), {"pods": "0"})
    cluster.delete("quota", "first")
    cluster.create(pod("a"))  # no quota left anywhere: the plugin stops looking
    counted(cluster, quota("second", {"pods": "1"}), {"pods": "1"})
    with pytest.raises(StatusError) as err:
        cluster.create(pod("b"))
    assert "exceeded quota: second" in err.value.message


def test_events_are_never_charged_to_a_quota(cluster):
    counted(cluster, quota("no-events", {"count/events": "0", "pods": "5"}), {"pods": "0"})
    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, "reason": "Test", "message": "m",
             "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"}, "type": "Normal"}
    assert cluster.create(event)[0]["metadata"]["name"] == "e"
