"""``labkube.Dashboard(cluster)``: the picture, the controls, the events, the explainers and
the time machine in one set of tabs — an instructor's screen.

Each piece is a widget of its own (:class:`ClusterView`, :class:`Controls`, :class:`EventLog`,
:class:`SchedulerExplainer`, :class:`ObjectInspector`, :class:`TimeTravel`,
:class:`Architecture`) and can be displayed alone; the dashboard only wires them: after every
control action the view redraws and the event log, the explainer's pod list and the traffic
diagram reload. Like every widget here it reads and acts only through the public API.
"""

from __future__ import annotations

import ipywidgets as widgets

from labkube.widgets.architecture import Architecture
from labkube.widgets.controls import Controls
from labkube.widgets.events import EventLog
from labkube.widgets.explain import ObjectInspector, SchedulerExplainer
from labkube.widgets.timetravel import TimeTravel
from labkube.widgets.view import ClusterView

TABS = ("events", "scheduler", "inspector", "time travel", "architecture")


class Dashboard(widgets.VBox):
    """The whole cluster on one screen: picture and controls above, explainers in tabs below."""

    def __init__(self, cluster, namespace: str = "default", **kwargs) -> None:
        self.cluster = cluster
        self.view = ClusterView(cluster)
        self.controls = Controls(cluster, namespace=namespace, view=self.view)
        self.events = EventLog(cluster, namespace=namespace)
        self.scheduler = SchedulerExplainer(cluster, namespace=namespace)
        self.inspector = ObjectInspector(cluster, namespace=namespace)
        self.timetravel = TimeTravel(cluster)
        self.architecture = Architecture(cluster)
        self.tabs = widgets.Tab(children=[self.events, self.scheduler, self.inspector,
                                          self.timetravel, self.architecture], titles=TABS)
        self.controls.on_action(self.refresh_panels)
        super().__init__([widgets.HBox([self.view, self.controls]), self.tabs], **kwargs)
        self.add_class("lk-dashboard")

    def __repr__(self) -> str:
        return f"<labkube Dashboard: {self.view!r}>"

    def refresh_panels(self) -> None:
        """Reload the panels that show lists (the view redraws by itself)."""
        self.events.refresh()
        self.scheduler.refresh()
        self.architecture.refresh()
        self.timetravel.update_range()

    def close(self) -> None:
        self.view.close()
        super().close()
