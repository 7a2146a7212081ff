"""The resource-quota controller on the simulated clock: it counts what each namespace uses into
its quotas' status, gives quota back when pods finish or go, and recounts every 5 minutes, as
pkg/controller/resourcequota of kube-controller-manager 1.32 does."""

import pytest

import labkube
from labkube.core.controllers.resourcequota import SYNC_PERIOD


def quota(name, hard, **spec):
    return {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name}, "spec": {"hard": hard, **spec}}


def pod(name, command=None, cpu="250m", restart="Always", **spec):
    container = {"name": "c", "image": "busybox:1.36", "command": command or ["sleep", "3600"],
                 "resources": {"requests": {"cpu": cpu}, "limits": {"cpu": cpu}}}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [container], "restartPolicy": restart, **spec}}


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=1, seed=0) as c:
        yield c


def used(cluster, name="q"):
    return cluster.get("quota", name)["status"]["used"]


def test_a_new_quota_gets_its_hard_limits_and_what_the_namespace_already_uses(cluster):
    cluster.create(pod("before"))
    cluster.run(5)
    cluster.create(quota("q", {"requests.cpu": "2", "pods": "10", "configmaps": "5", "services": "3"}))
    cluster.run(1)
    status = cluster.get("quota", "q")["status"]
    assert status["hard"] == {"configmaps": "5", "pods": "10", "requests.cpu": "2", "services": "3"}
    # kube-root-ca.crt is a ConfigMap and "kubernetes" a Service of the default namespace.
    assert status["used"] == {"configmaps": "1", "pods": "1", "requests.cpu": "250m", "services": "1"}


def test_a_pod_that_succeeds_gives_back_its_compute_resources_but_still_counts_as_an_object(cluster):
    cluster.create(quota("q", {"requests.cpu": "1", "count/pods": "5"}))
    cluster.run(1)
    cluster.create(pod("once", ["sh", "-c", "exit 0"], restart="Never"))
    assert used(cluster) == {"count/pods": "1", "requests.cpu": "250m"}  # charged by admission
    cluster.run(30)
    assert cluster.get("pod", "once")["status"]["phase"] == "Succeeded"
    assert used(cluster) == {"count/pods": "1", "requests.cpu": "0"}


def test_deleting_a_pod_gives_its_quota_back(cluster):
    cluster.create(quota("q", {"requests.cpu": "1", "pods": "2"}))
    cluster.run(1)
    cluster.create(pod("a"))
    cluster.run(10)
    cluster.delete("pod", "a")
    cluster.run(40)
    assert used(cluster) == {"pods": "0", "requests.cpu": "0"}


def test_raising_the_hard_limit_is_reflected_in_the_status_at_once(cluster):
    cluster.create(quota("q", {"pods": "1"}))
    cluster.run(1)
    cluster.patch("quota", "q", {"spec": {"hard": {"pods": "4", "services": "2"}}})
    cluster.run(1)
    assert cluster.get("quota", "q")["status"] == {"hard": {"pods": "4", "services": "2"},
                                                   "used": {"pods": "0", "services": "1"}}


def test_a_drifted_usage_is_corrected_by_the_full_resync_every_five_minutes(cluster):
    cluster.create(quota("q", {"pods": "3"}))
    cluster.run(1)
    live = cluster.get("quota", "q")
    live["status"]["used"] = {"pods": "2"}  # as if two creates were charged and then failed
    cluster.client.update(live, subresource="status")
    start = cluster.clock.now()
    assert cluster.run_until(lambda: used(cluster) == {"pods": "0"}, SYNC_PERIOD + 1)
    assert 0 < cluster.clock.now() - start <= SYNC_PERIOD


def test_pods_outside_a_quotas_scope_are_not_counted(cluster):
    cluster.create(pod("runs-forever"))
    cluster.create(pod("has-deadline", activeDeadlineSeconds=3600))
    cluster.run(5)
    cluster.create(quota("long-running", {"pods": "5"}, scopes=["NotTerminating"]))
    cluster.create(quota("deadlined", {"pods": "5"}, scopes=["Terminating"]))
    cluster.run(1)
    assert used(cluster, "long-running") == {"pods": "1"} and used(cluster, "deadlined") == {"pods": "1"}


def test_without_any_quota_the_controller_writes_nothing(cluster):
    cluster.create(pod("a", ["sh", "-c", "exit 0"], restart="Never"))
    cluster.run(SYNC_PERIOD * 2)
    assert cluster.audit(user="system:serviceaccount:kube-system:resourcequota-controller", verb="update") == []


def test_any_served_resource_is_counted_by_its_count_name(cluster):
    cluster.kubectl("create deployment web --image=nginx")
    cluster.create(quota("q", {"count/deployments.apps": "2", "count/jobs.batch": "1", "count/widgets.example.com": "1"}))
    cluster.run(1)
    assert used(cluster) == {"count/deployments.apps": "1", "count/jobs.batch": "0"}
    cluster.kubectl("create deployment api --image=nginx")
    assert used(cluster)["count/deployments.apps"] == "2"  # charged by admission
    cluster.delete("deployment", "web")
    cluster.run(30)
    assert used(cluster)["count/deployments.apps"] == "1"  # given back by the controller
