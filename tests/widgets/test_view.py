"""ClusterView: fed by watches, redraws coalesced and throttled, nothing printed from threads."""

import asyncio
import contextlib
import io
import time

import labkube
from labkube.widgets.view import ClusterView, Throttle
from tests.widgets.helpers import SYSTEM_PODS, node_class, pod_shapes, system_pods, web_cluster


def test_the_view_draws_the_pods_the_cluster_runs():
    cluster = web_cluster(replicas=3)
    view = cluster.view()
    assert pod_shapes(view.value) == 3 + SYSTEM_PODS
    assert view.svg() == view.value


def test_a_refresh_after_many_events_redraws_once():
    cluster = web_cluster(replicas=1)
    view = ClusterView(cluster)
    before = view.renders
    cluster.kubectl("scale deployment web --replicas=20")
    cluster.run(30)  # hundreds of watch events: creates, bindings, status patches
    view.refresh()
    assert view.renders == before + 1
    assert pod_shapes(view.value) == 20 + SYSTEM_PODS


def test_a_refresh_with_nothing_new_does_not_redraw():
    cluster = web_cluster()
    view = ClusterView(cluster)
    before = view.renders
    view.refresh()
    view.refresh()
    assert view.renders == before


def test_a_failed_node_turns_grey_once_the_node_controller_notices():
    cluster = web_cluster()
    view = ClusterView(cluster)
    cluster.fail_node("node-2")
    cluster.run(60)  # past the 50 s grace period
    view.refresh()
    assert "lk-node-ready" not in node_class(view.value, "node-2")
    assert "lk-node-ready" in node_class(view.value, "node-1")


def test_a_stopped_scheduler_is_drawn_stopped():
    cluster = web_cluster()
    view = ClusterView(cluster)
    cluster.stop_component("scheduler")
    view.refresh()
    assert view.graph.graph.nodes["cp/kube-scheduler"]["state"] == "Stopped"


def test_an_expired_watch_makes_the_view_list_again():
    cluster = web_cluster(replicas=1)
    view = ClusterView(cluster)
    view._close_watches()
    view.graph.resource_versions = {k: "1" for k in view.graph.resource_versions}
    cluster.kubectl("scale deployment web --replicas=2")
    cluster.run(10)
    cluster.store.compact(cluster.store.revision)
    view._open_watches()  # from revision 1, compacted away: the watch answers 410
    view.refresh()
    assert view.relists == 1
    assert pod_shapes(view.value) == 2 + SYSTEM_PODS


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.deferred = []

    def __call__(self):
        return self.now

    def defer(self, delay, fn):
        self.deferred.append((self.now + delay, fn))


def test_the_throttle_draws_at_most_once_per_interval_and_flushes_the_rest_later():
    fake, draws = FakeTime(), []
    throttle = Throttle(lambda: draws.append(fake.now) or True, 0.25, monotonic=fake, defer=fake.defer)
    for _ in range(100):  # a burst of 100 requests within 0.1 s
        throttle.request()
        fake.now += 0.001
    assert draws == [0.0] and len(fake.deferred) == 1
    fake.now, (_, flush) = 0.25, fake.deferred.pop()
    flush()
    assert draws == [0.0, 0.25] and not throttle.dirty


def test_the_view_coalesces_rapid_changes_on_an_event_loop():
    async def scenario():
        cluster = web_cluster(replicas=1)
        view = ClusterView(cluster)  # created on a running loop: redraws are deferred there
        assert view.throttle.defer is not None
        # Freeze the throttle's wall clock and hold its deferred draw, so how fast this machine
        # runs the ten actions cannot change the count.
        held = []
        view.throttle.monotonic = lambda: 100.0
        view.throttle.last = 100.0  # it has just drawn
        view.throttle.defer = lambda wait, draw: held.append(draw)
        start = view.renders
        for replicas in range(2, 12):  # ten actions in quick succession
            cluster.kubectl(f"scale deployment web --replicas={replicas}")
            cluster.run(1)
            view.refresh()
            await asyncio.sleep(0)
        assert len(held) == 1, "one deferred draw, however many requests"
        held.pop()()
        return view, start

    view, start = asyncio.run(scenario())
    assert view.renders - start == 1  # ten changes, one redraw
    assert view.graph.pod_count() == 11 + SYSTEM_PODS and pod_shapes(view.value) == 11 + SYSTEM_PODS


def test_a_real_time_view_redraws_from_its_thread_and_prints_nothing():
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        with labkube.Cluster(nodes=2, seed=0, clock="realtime") as cluster:
            cluster.clock.set_speed(50)
            view = ClusterView(cluster)
            assert view._thread is not None
            cluster.kubectl("create deployment web --image=nginx --replicas=2")
            deadline = time.monotonic() + 2.0
            while pod_shapes(view.value) < 2 + system_pods(2) and time.monotonic() < deadline:
                time.sleep(0.05)  # real time: the writer thread runs meanwhile
            view.close()
    assert pod_shapes(view.value) == 2 + system_pods(2)
    assert view.renders <= 2 / view.throttle.interval + 2
    assert out.getvalue() == "" and err.getvalue() == ""
    assert view.last_error is None


def test_save_writes_the_svg(tmp_path):
    cluster = web_cluster(replicas=2)
    view = cluster.view()
    view.save(tmp_path / "c.svg")
    assert pod_shapes((tmp_path / "c.svg").read_text()) == 2 + SYSTEM_PODS
