"""The StatefulSet controller on the simulated clock.

Each scenario applies a StatefulSet, runs the cluster and checks what kube-controller-manager 1.32
does: pods named by ordinal with their identity, started one after another (OrderedReady) or all
at once (Parallel), scaled down from the highest ordinal, rolled from the highest ordinal down to
the partition, claims created before their pods, failed pods recreated, events and status.
"""

import pytest

import labkube
from labkube.core.clock import parse_timestamp
from labkube.core.controllers.statefulset_pods import (
    claim_name, new_pod, ordered_status, parent_and_ordinal, persistent_volume_claims,
)

#: Ready 5 s after it starts: long enough to see who waits for whom.
READY_AFTER_5S = {"exec": {"command": ["true"]}, "initialDelaySeconds": 5, "periodSeconds": 1}


def web(replicas=3, policy=None, probe=READY_AFTER_5S, **spec):
    container = {"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.24",
                 "ports": [{"containerPort": 80, "name": "web"}]}
    if probe:
        container["readinessProbe"] = probe
    body = {"selector": {"matchLabels": {"app": "nginx"}}, "serviceName": "nginx", "replicas": replicas,
            "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {
                "terminationGracePeriodSeconds": 1, "containers": [container]}}}
    if policy:
        body["podManagementPolicy"] = policy
    body.update(spec)
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"}, "spec": body}


HEADLESS = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "nginx", "labels": {"app": "nginx"}},
            "spec": {"clusterIP": "None", "selector": {"app": "nginx"}, "ports": [{"port": 80, "name": "web"}]}}


def pods(cluster):
    items = cluster.client.list("pods", "default", label_selector="app=nginx")["items"]
    return {p["metadata"]["name"]: p for p in items}


def created_at(pod):
    return parse_timestamp(pod["metadata"]["creationTimestamp"])


def ready_at(pod):
    cond = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
    assert cond["status"] == "True"
    return parse_timestamp(cond["lastTransitionTime"])


def sts_events(cluster):
    items = [e for e in cluster.client.list("events", "default")["items"]
             if e["involvedObject"]["kind"] == "StatefulSet"]
    return [(e["reason"], e["message"]) for e in sorted(items, key=lambda e: e["metadata"]["resourceVersion"]
                                                        .zfill(12))]


def deleted_pods(cluster):
    return [m.split()[2] for r, m in sts_events(cluster) if r == "SuccessfulDelete"]


def update_template(cluster, image):
    live = cluster.get("statefulset", "web")
    live["spec"]["template"]["spec"]["containers"][0]["image"] = image
    cluster.client.update(live)


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=3, seed=0) as c:
        c.apply(HEADLESS)
        yield c


# -- identity --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("web-0", ("web", 0)), ("web-12", ("web", 12)), ("my-db-3", ("my-db", 3)),
    ("web", ("", -1)), ("web-x", ("", -1)),
], ids=["ordinal 0", "two digits", "a dash in the set's name", "no ordinal", "not a number"])
def test_a_pods_name_gives_its_set_and_ordinal(name, expected):
    assert parent_and_ordinal({"metadata": {"name": name}}) == expected


def test_a_new_pod_has_the_stable_identity_of_its_ordinal():
    sts = web(volumeClaimTemplates=[{"metadata": {"name": "www"}, "spec": {}}])
    sts["metadata"].update(namespace="default", uid="u-1")
    pod = new_pod(sts, 2, "web-abc")
    assert pod["metadata"]["name"] == "web-2" and pod["metadata"]["generateName"] == "web-"
    assert list(pod["metadata"]["labels"].items()) == [  # in the order Go writes a map: sorted
        ("app", "nginx"), ("apps.kubernetes.io/pod-index", "2"), ("controller-revision-hash", "web-abc"),
        ("statefulset.kubernetes.io/pod-name", "web-2")]
    assert (pod["spec"]["hostname"], pod["spec"]["subdomain"]) == ("web-2", "nginx")
    assert pod["spec"]["volumes"] == [{"name": "www", "persistentVolumeClaim": {"claimName": "www-web-2"}}]
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "StatefulSet"


def test_claims_are_named_template_set_ordinal_and_carry_the_selector_labels():
    sts = web(volumeClaimTemplates=[{"metadata": {"name": "www", "labels": {"tier": "db"},
                                                  "creationTimestamp": None},
                                     "spec": {"accessModes": ["ReadWriteOnce"]}}])
    sts["metadata"]["namespace"] = "default"
    [claim] = persistent_volume_claims(sts, 1)
    assert claim_name("www", sts, 1) == "www-web-1" == claim["metadata"]["name"]
    assert claim["metadata"] == {"labels": {"app": "nginx", "tier": "db"}, "name": "www-web-1",
                                 "namespace": "default"}
    assert claim["spec"] == {"accessModes": ["ReadWriteOnce"]}


def test_the_status_is_written_in_go_field_order_with_zero_counts_left_out():
    status = ordered_status({"availableReplicas": 0, "replicas": 1, "updateRevision": "web-1",
                             "readyReplicas": 0, "observedGeneration": 2, "collisionCount": 0})
    assert list(status.items()) == [("observedGeneration", 2), ("replicas", 1), ("updateRevision", "web-1"),
                                    ("collisionCount", 0), ("availableReplicas", 0)]


# -- scaling ---------------------------------------------------------------------------------------


def test_ordered_ready_creates_each_pod_after_the_previous_one_is_ready(cluster):
    cluster.apply(web())
    cluster.run(60)
    live = pods(cluster)
    assert sorted(live) == ["web-0", "web-1", "web-2"]
    for before, after in (("web-0", "web-1"), ("web-1", "web-2")):
        assert created_at(live[after]) >= ready_at(live[before])
    assert [m for r, m in sts_events(cluster)] == [
        f"create Pod web-{i} in StatefulSet web successful" for i in range(3)]


def test_ordered_ready_waits_min_ready_seconds_before_the_next_pod(cluster):
    cluster.apply(web(replicas=2, minReadySeconds=10))
    cluster.run(60)
    live = pods(cluster)
    assert created_at(live["web-1"]) - ready_at(live["web-0"]) >= 10
    assert cluster.get("statefulset", "web")["status"]["availableReplicas"] == 2


def test_parallel_creates_every_pod_at_once(cluster):
    cluster.apply(web(policy="Parallel"))
    cluster.run(1)
    live = pods(cluster)
    assert sorted(live) == ["web-0", "web-1", "web-2"]
    assert len({created_at(p) for p in live.values()}) == 1


def test_scaling_down_removes_the_highest_ordinal_first_one_at_a_time(cluster):
    cluster.apply(web(replicas=4))
    cluster.run(60)
    cluster.kubectl("scale sts web --replicas=1")
    cluster.run(60)
    assert sorted(pods(cluster)) == ["web-0"]
    assert deleted_pods(cluster) == ["web-3", "web-2", "web-1"]


def test_a_deleted_pod_comes_back_with_the_same_name(cluster):
    cluster.apply(web(replicas=2, probe=None))
    cluster.run(30)
    uid = pods(cluster)["web-1"]["metadata"]["uid"]
    cluster.kubectl("delete pod web-1")
    cluster.run(30)
    again = pods(cluster)["web-1"]
    assert again["metadata"]["uid"] != uid and again["spec"]["hostname"] == "web-1"


def test_a_failed_pod_is_deleted_and_recreated(cluster):
    obj = web(replicas=1, probe=None)
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = "busybox:1.36"
    obj["spec"]["template"]["spec"]["containers"][0]["command"] = ["sh", "-c", "sleep 3600"]
    cluster.apply(obj)
    cluster.run(20)
    pod = pods(cluster)["web-0"]
    status = dict(pod["status"], phase="Failed")
    cluster.client.update({**pod, "apiVersion": "v1", "kind": "Pod", "status": status}, subresource="status")
    cluster.run(20)
    assert ("RecreatingFailedPod", "StatefulSet default/web is recreating failed Pod web-0") in sts_events(cluster)
    assert pods(cluster)["web-0"]["metadata"]["uid"] != pod["metadata"]["uid"]


def test_start_ordinal_moves_the_first_pod(cluster):
    cluster.apply(web(replicas=2, probe=None, ordinals={"start": 5}))
    cluster.run(30)
    assert sorted(pods(cluster)) == ["web-5", "web-6"]


# -- updates ---------------------------------------------------------------------------------------


def test_a_rolling_update_replaces_pods_from_the_highest_ordinal(cluster):
    cluster.apply(web())
    cluster.run(60)
    first = cluster.get("statefulset", "web")["status"]["currentRevision"]
    update_template(cluster, "registry.k8s.io/nginx-slim:0.27")
    cluster.run(120)
    assert deleted_pods(cluster) == ["web-2", "web-1", "web-0"]
    status = cluster.get("statefulset", "web")["status"]
    assert status["currentRevision"] == status["updateRevision"] != first
    assert status["updatedReplicas"] == status["currentReplicas"] == 3
    images = {p["spec"]["containers"][0]["image"] for p in pods(cluster).values()}
    assert images == {"registry.k8s.io/nginx-slim:0.27"}


def test_a_partition_keeps_the_lower_ordinals_at_the_old_revision(cluster):
    cluster.apply(web(updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}))
    cluster.run(60)
    update_template(cluster, "registry.k8s.io/nginx-slim:0.27")
    cluster.run(60)
    images = {n: p["spec"]["containers"][0]["image"] for n, p in pods(cluster).items()}
    assert images == {"web-0": "registry.k8s.io/nginx-slim:0.24", "web-1": "registry.k8s.io/nginx-slim:0.24",
                      "web-2": "registry.k8s.io/nginx-slim:0.27"}
    status = cluster.get("statefulset", "web")["status"]
    assert (status["currentReplicas"], status["updatedReplicas"]) == (2, 1)
    assert status["currentRevision"] != status["updateRevision"]


def test_on_delete_replaces_a_pod_only_when_it_is_deleted(cluster):
    cluster.apply(web(replicas=2, probe=None, updateStrategy={"type": "OnDelete"}))
    cluster.run(30)
    update_template(cluster, "registry.k8s.io/nginx-slim:0.27")
    cluster.run(30)
    assert deleted_pods(cluster) == []
    cluster.kubectl("delete pod web-0")
    cluster.run(30)
    images = {n: p["spec"]["containers"][0]["image"] for n, p in pods(cluster).items()}
    assert images == {"web-0": "registry.k8s.io/nginx-slim:0.27", "web-1": "registry.k8s.io/nginx-slim:0.24"}


def test_each_template_is_a_controller_revision_and_pods_carry_its_name(cluster):
    cluster.apply(web(replicas=1, probe=None))
    cluster.run(20)
    update_template(cluster, "registry.k8s.io/nginx-slim:0.27")
    cluster.run(30)
    revisions = sorted(cluster.client.list("controllerrevisions", "default")["items"], key=lambda r: r["revision"])
    assert [r["revision"] for r in revisions] == [1, 2]
    assert all(r["metadata"]["name"].startswith("web-") for r in revisions)
    assert revisions[0]["metadata"]["ownerReferences"][0]["name"] == "web"
    pod = pods(cluster)["web-0"]
    assert pod["metadata"]["labels"]["controller-revision-hash"] == revisions[1]["metadata"]["name"]


def test_the_status_counts_the_pods_and_names_the_revisions(cluster):
    cluster.apply(web(probe=None))
    cluster.run(30)
    live = cluster.get("statefulset", "web")
    status = live["status"]
    revision = status["currentRevision"]
    assert status == {"observedGeneration": 1, "replicas": 3, "readyReplicas": 3, "currentReplicas": 3,
                      "updatedReplicas": 3, "currentRevision": revision, "updateRevision": revision,
                      "collisionCount": 0, "availableReplicas": 3}
    assert cluster.kubectl("get sts web").splitlines()[1].split()[:2] == ["web", "3/3"]


# -- storage ---------------------------------------------------------------------------------------


def test_each_pod_gets_its_own_claim_created_before_it(cluster):
    claim = {"metadata": {"name": "www"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                   "resources": {"requests": {"storage": "1Gi"}}}}
    cluster.apply(web(replicas=2, probe=None, policy="Parallel", volumeClaimTemplates=[claim]))
    cluster.run(5)
    claims = {c["metadata"]["name"]: c for c in cluster.client.list("persistentvolumeclaims", "default")["items"]}
    assert sorted(claims) == ["www-web-0", "www-web-1"]
    assert claims["www-web-0"]["metadata"]["labels"] == {"app": "nginx"}
    volume = pods(cluster)["web-0"]["spec"]["volumes"][0]
    assert volume == {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}}
    events = sts_events(cluster)
    claim_event = ("SuccessfulCreate", "create Claim www-web-0 Pod web-0 in StatefulSet web success")
    pod_event = ("SuccessfulCreate", "create Pod web-0 in StatefulSet web successful")
    assert events.index(claim_event) < events.index(pod_event)


# -- DNS -------------------------------------------------------------------------------------------


def test_each_pod_has_a_stable_dns_name_under_the_headless_service(cluster):
    cluster.apply(web(probe=None))
    cluster.run(30)
    for name, pod in pods(cluster).items():
        answer = cluster.dns.lookup(f"{name}.nginx.default.svc.cluster.local")
        assert answer.addresses == (pod["status"]["podIP"],)
    cluster.kubectl("delete pod web-1")
    cluster.run(30)
    answer = cluster.dns.lookup("web-1.nginx.default.svc.cluster.local")
    assert answer.addresses == (pods(cluster)["web-1"]["status"]["podIP"],)


def test_nslookup_inside_a_pod_finds_a_stateful_pod_by_its_short_name(cluster):
    cluster.apply(web(replicas=1, probe=None))
    cluster.kubectl("run client --image=busybox:1.28 -- sleep 3600")
    cluster.run(30)
    out = cluster.kubectl("exec client -- nslookup web-0.nginx")
    ip = pods(cluster)["web-0"]["status"]["podIP"]
    assert f"Address 1: {ip} web-0.nginx.default.svc.cluster.local" in out


def test_no_stateful_set_means_no_statefulset_work(cluster, monkeypatch):
    """Pods no StatefulSet owns never reach the controller's queue."""
    controller = cluster.components["controller-manager"].by_name["statefulset-controller"]
    synced = []
    monkeypatch.setattr(controller, "sync", synced.append)
    cluster.kubectl("create deployment other --image=nginx --replicas=3")
    cluster.run(20)
    assert len(pods(cluster)) == 0 and synced == []


# -- more of the same rules ------------------------------------------------------------------------


def test_parallel_scales_down_every_condemned_pod_at_once(cluster):
    cluster.apply(web(replicas=3, policy="Parallel", probe=None))
    cluster.run(20)
    cluster.kubectl("scale sts web --replicas=0")
    cluster.run(1)
    assert sorted(deleted_pods(cluster)) == ["web-0", "web-1", "web-2"]


def test_an_orphan_pod_with_the_right_name_is_adopted_and_given_its_identity_labels(cluster):
    """With OnDelete the adopted pod stays; RollingUpdate would replace it, as it names no revision."""
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-0", "labels": {"app": "nginx"}},
                   "spec": {"containers": [{"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.24"}]}})
    cluster.run(10)
    uid = pods(cluster)["web-0"]["metadata"]["uid"]
    cluster.apply(web(replicas=1, probe=None, updateStrategy={"type": "OnDelete"}))
    cluster.run(10)
    adopted = pods(cluster)["web-0"]
    assert adopted["metadata"]["uid"] == uid
    assert adopted["metadata"]["ownerReferences"][0]["name"] == "web"
    assert adopted["metadata"]["labels"] == {"app": "nginx", "statefulset.kubernetes.io/pod-name": "web-0",
                                             "apps.kubernetes.io/pod-index": "0"}
    assert sts_events(cluster) == [("SuccessfulUpdate", "update Pod web-0 in StatefulSet web successful")]


def test_an_adopted_pod_without_a_revision_is_replaced_by_a_rolling_update(cluster):
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-0", "labels": {"app": "nginx"}},
                   "spec": {"containers": [{"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.24"}]}})
    cluster.run(10)
    cluster.apply(web(replicas=1, probe=None))
    cluster.run(20)
    assert [r for r, _ in sts_events(cluster)] == ["SuccessfulUpdate", "SuccessfulDelete", "SuccessfulCreate"]
    assert pods(cluster)["web-0"]["metadata"]["labels"]["controller-revision-hash"].startswith("web-")


def test_a_pod_whose_name_is_not_an_ordinal_of_the_set_is_not_adopted(cluster):
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stray", "labels": {"app": "nginx"}},
                   "spec": {"containers": [{"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.24"}]}})
    cluster.apply(web(replicas=1, probe=None))
    cluster.run(10)
    assert "ownerReferences" not in pods(cluster)["stray"]["metadata"]


def test_going_back_to_an_old_template_reuses_its_revision_with_a_new_number(cluster):
    cluster.apply(web(replicas=1, probe=None))
    cluster.run(20)
    update_template(cluster, "registry.k8s.io/nginx-slim:0.27")
    cluster.run(20)
    update_template(cluster, "registry.k8s.io/nginx-slim:0.24")
    cluster.run(20)
    items = cluster.client.list("controllerrevisions", "default")["items"]
    revisions = {r["metadata"]["name"]: r["revision"] for r in items}
    assert sorted(revisions.values()) == [2, 3] and len(revisions) == 2
    status = cluster.get("statefulset", "web")["status"]
    assert revisions[status["updateRevision"]] == 3 == revisions[status["currentRevision"]]


def test_old_revisions_beyond_the_history_limit_are_deleted(cluster):
    cluster.apply(web(replicas=1, probe=None, revisionHistoryLimit=1))
    cluster.run(20)
    for tag in ("0.25", "0.26", "0.27"):
        update_template(cluster, f"registry.k8s.io/nginx-slim:{tag}")
        cluster.run(20)
    numbers = sorted(r["revision"] for r in cluster.client.list("controllerrevisions", "default")["items"])
    assert numbers == [3, 4]  # the live one and one more


def test_claims_outlive_a_scale_down_and_are_mounted_again_on_the_way_up(cluster):
    claim = {"metadata": {"name": "www"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                   "resources": {"requests": {"storage": "1Gi"}}}}
    cluster.apply(web(replicas=2, probe=None, volumeClaimTemplates=[claim]))
    cluster.run(60)
    uid = cluster.get("persistentvolumeclaim", "www-web-1")["metadata"]["uid"]
    cluster.kubectl("scale sts web --replicas=1")
    cluster.run(30)
    assert cluster.get("persistentvolumeclaim", "www-web-1")["metadata"]["uid"] == uid
    cluster.kubectl("scale sts web --replicas=2")
    cluster.run(60)
    assert pods(cluster)["web-1"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == "www-web-1"
    assert cluster.get("persistentvolumeclaim", "www-web-1")["metadata"]["uid"] == uid


def test_deleting_the_set_deletes_its_pods_but_keeps_its_claims(cluster):
    claim = {"metadata": {"name": "www"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                   "resources": {"requests": {"storage": "1Gi"}}}}
    cluster.apply(web(replicas=1, probe=None, volumeClaimTemplates=[claim]))
    cluster.run(60)
    cluster.kubectl("delete sts web")
    cluster.run(30)
    assert pods(cluster) == {}
    assert cluster.get("persistentvolumeclaim", "www-web-0")["metadata"]["name"] == "www-web-0"


def test_a_template_the_api_server_accepted_but_no_pod_can_have_fails_at_pod_creation(cluster):
    obj = web(replicas=1, probe=None)
    obj["spec"]["template"]["spec"]["containers"][0].pop("image")
    cluster.apply(obj)
    cluster.run(5)
    reasons = {(r, m) for r, m in sts_events(cluster)}
    assert ("FailedCreate", 'create Pod web-0 in StatefulSet web failed error: Pod "web-0" is invalid: '
            "spec.containers[0].image: Required value") in reasons


# -- persistentVolumeClaimRetentionPolicy ------------------------------------------------------------

CLAIM_1GI = {"metadata": {"name": "www"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                   "resources": {"requests": {"storage": "1Gi"}}}}


def claim_names(cluster):
    return sorted(c["metadata"]["name"] for c in cluster.client.list("persistentvolumeclaims", "default")["items"])


def owner_kinds(cluster, name):
    refs = cluster.get("persistentvolumeclaim", name)["metadata"].get("ownerReferences") or []
    return [(r["kind"], r["name"], r.get("controller")) for r in refs]


def test_when_deleted_delete_makes_the_set_own_its_claims_and_deleting_it_deletes_them(cluster):
    policy = {"whenDeleted": "Delete", "whenScaled": "Retain"}
    cluster.apply(web(replicas=2, probe=None, volumeClaimTemplates=[CLAIM_1GI],
                      persistentVolumeClaimRetentionPolicy=policy))
    cluster.run(60)
    assert owner_kinds(cluster, "www-web-0") == [("StatefulSet", "web", True)]
    cluster.kubectl("delete sts web")
    cluster.run(60)
    assert claim_names(cluster) == []


def test_when_scaled_delete_deletes_the_claim_of_a_scaled_away_pod_only(cluster):
    policy = {"whenDeleted": "Retain", "whenScaled": "Delete"}
    cluster.apply(web(replicas=2, probe=None, volumeClaimTemplates=[CLAIM_1GI],
                      persistentVolumeClaimRetentionPolicy=policy))
    cluster.run(60)
    assert owner_kinds(cluster, "www-web-1") == []
    cluster.kubectl("scale sts web --replicas=1")
    cluster.run(60)
    assert claim_names(cluster) == ["www-web-0"]


def test_retain_leaves_claims_without_owners(cluster):
    cluster.apply(web(replicas=1, probe=None, volumeClaimTemplates=[CLAIM_1GI]))
    cluster.run(30)
    assert owner_kinds(cluster, "www-web-0") == []


@pytest.mark.parametrize("when_scaled, when_deleted, ordinal, owners", [
    ("Retain", "Retain", 0, []), ("Retain", "Retain", 5, []),
    ("Retain", "Delete", 0, ["StatefulSet"]), ("Retain", "Delete", 5, ["StatefulSet"]),
    ("Delete", "Retain", 0, []), ("Delete", "Retain", 5, ["Pod"]),
    ("Delete", "Delete", 0, ["StatefulSet"]), ("Delete", "Delete", 5, ["Pod"]),
], ids=["retain: no owner", "retain: no owner when scaled away",
        "whenDeleted Delete: the set", "whenDeleted Delete: the set even when scaled away",
        "whenScaled Delete: no owner in range", "whenScaled Delete: the pod once scaled away",
        "both Delete: the set in range", "both Delete: the pod once scaled away"])
def test_the_retention_policy_table(when_scaled, when_deleted, ordinal, owners):
    from labkube.core.controllers import statefulset_claims

    sts = web(replicas=2, persistentVolumeClaimRetentionPolicy={"whenScaled": when_scaled,
                                                                 "whenDeleted": when_deleted})
    sts["metadata"].update(uid="set-uid", namespace="default")
    pod = {"metadata": {"name": f"web-{ordinal}", "uid": "pod-uid"}}
    assert [kind for _, _, kind in statefulset_claims.wanted_owners(sts, pod, ordinal)] == owners
    claim = {"metadata": {"name": f"www-web-{ordinal}"}}
    refs = statefulset_claims.with_policy_owners(claim, sts, pod, ordinal)
    assert statefulset_claims.owners_up_to_date({"metadata": {"ownerReferences": refs}}, sts, pod, ordinal)
    assert statefulset_claims.owners_up_to_date(claim, sts, pod, ordinal) == (owners == [])


def test_a_claim_another_controller_owns_is_left_alone():
    from labkube.core.controllers import statefulset_claims

    sts = web(persistentVolumeClaimRetentionPolicy={"whenScaled": "Retain", "whenDeleted": "Delete"})
    sts["metadata"].update(uid="set-uid", namespace="default")
    pod = {"metadata": {"name": "web-0", "uid": "pod-uid"}}
    claim = {"metadata": {"name": "www-web-0", "ownerReferences": [
        {"apiVersion": "v1", "kind": "Other", "name": "x", "uid": "x", "controller": True}]}}
    assert statefulset_claims.owners_up_to_date(claim, sts, pod, 0)
