"""Dashboard: the pieces composed and wired; each also usable alone."""

import labkube
from labkube.widgets import ClusterView, Controls, EventLog
from tests.widgets.helpers import SYSTEM_PODS, pod_shapes, web_cluster


def test_the_dashboard_is_a_top_level_name():
    assert labkube.Dashboard is labkube.widgets.Dashboard


def test_a_control_action_refreshes_the_view_and_the_panels():
    cluster = web_cluster(replicas=2)
    board = labkube.Dashboard(cluster)
    events_before = len(board.events.rows())
    board.controls.scale("web", 4)
    board.controls.step(30)
    assert pod_shapes(board.view.value) == 4 + SYSTEM_PODS
    assert len(board.events.rows()) > events_before
    assert len(board.scheduler.pod.options) == 4
    assert board.timetravel.slider.max == cluster.store.revision
    board.close()


def test_each_piece_works_alone():
    cluster = web_cluster(replicas=1)
    assert pod_shapes(ClusterView(cluster).value) == 1 + SYSTEM_PODS
    assert Controls(cluster).deployment.value == "web"
    assert EventLog(cluster).rows()


def test_cluster_view_returns_a_cluster_view():
    cluster = labkube.Cluster(nodes=1, seed=0)
    assert isinstance(cluster.view(), ClusterView)
