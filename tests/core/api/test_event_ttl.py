"""Events expire an hour after their last write, as kube-apiserver's --event-ttl makes them."""

import pytest

import labkube
from labkube.core.api import ttl


def _event(name, message="hello"):
    return {"apiVersion": "v1", "kind": "Event", "metadata": {"name": name, "namespace": "default"},
            "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web"},
            "reason": "Testing", "message": message, "type": "Normal",
            "source": {"component": "test"}, "count": 1}


def _names(cluster):
    return sorted(e["metadata"]["name"] for e in cluster.client.list("events", "default")["items"]
                  if e["reason"] == "Testing")


@pytest.fixture
def cluster():
    with labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False) as c:
        yield c


def test_an_event_is_kept_for_the_ttl_and_gone_within_the_reuse_window_after_it(cluster):
    cluster.client.create(_event("first"))
    cluster.run(3599)
    assert _names(cluster) == ["first"]
    cluster.run(61 + 1)
    assert _names(cluster) == []


def test_the_ttl_counts_from_the_last_write(cluster):
    cluster.client.create(_event("bumped"))
    cluster.run(3000)
    cluster.client.patch("events", "bumped", {"count": 2}, namespace="default")
    cluster.run(1000)  # 4,000 s after the create, 1,000 after the update
    assert _names(cluster) == ["bumped"]
    cluster.run(2700)
    assert _names(cluster) == []


def test_a_watch_sees_an_expired_event_deleted(cluster):
    cluster.client.create(_event("watched"))
    watch = cluster.client.watch("events", "default", resource_version=str(cluster.store.revision))
    cluster.run(3700)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in watch.poll()
            if e["object"]["reason"] == "Testing"] == [("DELETED", "watched")]


def test_events_written_close_together_share_one_lease_and_later_ones_get_a_new_one(cluster):
    cluster.client.create(_event("a"))
    cluster.run(10)
    cluster.client.create(_event("b"))
    cluster.run(120)  # past the 60 s reuse window
    cluster.client.create(_event("c"))
    lease_of = {name: cluster.store.get(f"/registry/events/default/{name}").lease for name in "abc"}
    assert lease_of["a"] == lease_of["b"] != lease_of["c"] != 0
    granted = {lease.id: lease.ttl for lease in cluster.store.leases()}
    assert granted[lease_of["a"]] == 3600 + 60


def test_other_kinds_never_expire(cluster):
    cluster.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kept"}})
    assert cluster.store.get("/registry/configmaps/default/kept").lease == 0
    cluster.run(7200)
    assert cluster.get("configmap", "kept")["metadata"]["name"] == "kept"


def test_an_event_ttl_of_zero_keeps_events_forever():
    with labkube.Cluster(nodes=0, seed=0, controllers=False, scheduler=False, event_ttl=0) as c:
        c.client.create(_event("forever"))
        c.run(10_000)
        assert _names(c) == ["forever"]


def test_the_reuse_window_is_five_percent_of_a_short_ttl():
    class Store:
        def __init__(self):
            self.granted = []

        def lease_grant(self, seconds):
            self.granted.append(seconds)
            return type("Lease", (), {"id": len(self.granted), "ttl": seconds})()

    class Clock:
        now_value = 0.0

        def now(self):
            return self.now_value

    store, clock = Store(), Clock()
    manager = ttl.LeaseManager(store, clock)
    assert manager.lease_for(100) == 1  # 100 s + 5 s of reuse
    clock.now_value = 4
    assert manager.lease_for(100) == 1
    clock.now_value = 6  # 6 + 100 > 105: the old lease would expire too soon
    assert manager.lease_for(100) == 2
    assert store.granted == [105, 105]


def test_events_written_at_the_same_instant_share_a_lease_up_to_a_thousand_objects(cluster):
    for i in range(1001):
        cluster.client.create(_event(f"burst-{i}"))
    leases = [cluster.store.get(f"/registry/events/default/burst-{i}").lease for i in range(1001)]
    assert len(set(leases[:1000])) == 1 and leases[1000] != leases[0]
