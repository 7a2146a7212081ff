"""Time travel: the picture at a past revision, and the diff between two with who did it."""

from labkube.widgets.timetravel import TimeTravel, diff, field_changes
from tests.widgets.helpers import SYSTEM_PODS, pod_shapes, web_cluster


def test_the_slider_shows_the_past_state():
    cluster = web_cluster(replicas=3)
    three = cluster.store.revision
    cluster.kubectl("scale deployment web --replicas=1")
    cluster.run(40)
    travel = TimeTravel(cluster)
    assert travel.slider.max == cluster.store.revision and travel.slider.min == 1
    assert pod_shapes(travel.image.value) == 1 + SYSTEM_PODS
    travel.slider.value = three
    assert pod_shapes(travel.image.value) == 3 + SYSTEM_PODS
    assert travel.graph_at(1).pod_count() == 0


def test_the_diff_lists_deleted_pods_and_changed_fields_with_their_writers():
    cluster = web_cluster(replicas=3)
    start = cluster.store.revision
    cluster.kubectl("scale deployment web --replicas=1")
    cluster.run(40)
    changes = {c.object: c for c in diff(cluster, start, cluster.store.revision)}
    deleted = [c for c in changes.values() if c.action == "deleted"]
    assert len(deleted) == 2 and all(c.resource == "pods" for c in deleted)
    assert "the replicaset controller (delete pods)" in deleted[0].writers
    web = changes["deployments/default/web"]
    assert web.action == "changed" and "spec.replicas: 3 → 1" in web.fields
    assert web.writers[0] == "the admin (patch deployments/scale)"


def test_a_new_pods_history_names_controller_scheduler_and_kubelet():
    cluster = web_cluster(replicas=1, run=0)
    start = cluster.store.revision
    cluster.kubectl("scale deployment web --replicas=2")
    cluster.run(30)
    added = [c for c in diff(cluster, start, cluster.store.revision) if c.action == "added"]
    assert [c.resource for c in added] == ["pods"]
    writers = added[0].writers
    assert writers[0] == "the replicaset controller (create pods)"
    assert "the scheduler (create pods/binding)" in writers
    assert any(w.startswith("the kubelet on node-") and w.endswith("(patch pods/status)") for w in writers)


def test_leases_and_events_are_left_out_unless_asked_for():
    cluster = web_cluster()
    start = cluster.store.revision
    cluster.run(30)  # only heartbeats
    quiet = diff(cluster, start, cluster.store.revision)
    noisy = diff(cluster, start, cluster.store.revision, include_noise=True)
    assert not any(c.resource == "leases" for c in quiet)
    assert any(c.resource == "leases" for c in noisy)


def test_field_changes_walk_nested_dicts():
    assert field_changes({"a": {"b": 1, "c": 2}, "metadata": {"resourceVersion": "1"}},
                         {"a": {"b": 2}, "d": "x", "metadata": {"resourceVersion": "2"}}) == [
        "a.b: 1 → 2", "a.c: removed", "d: added x"]


def test_the_slider_follows_a_compaction_past_its_old_end():
    import labkube
    from labkube.widgets.timetravel import TimeTravel

    cluster = labkube.Cluster(nodes=1, seed=0)
    travel = TimeTravel(cluster)
    cluster.run(700)  # two compactions: the oldest revision moves past the slider's old end
    travel.update_range()
    assert travel.slider.min <= travel.slider.value == travel.slider.max == cluster.store.revision
