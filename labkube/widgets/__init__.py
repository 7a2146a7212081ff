"""Pictures of a live cluster: a graph model (networkx), SVG rendering (graphviz) and ipywidgets.

Widgets are thin (DESIGN.md rule 9): they watch the cluster through the public API, turn events
into a graph, draw it, and act only through the same calls a student types. The core never
imports this package.

- the picture (pure Python + graphviz, no widgets): ``ClusterGraph``, ``Layout``,
  ``ClusterPicture``, ``RenderOptions``, ``render_svg``;
- the widgets: ``ClusterView`` (live, throttled), ``Controls``, ``EventLog``,
  ``SchedulerExplainer``, ``ObjectInspector``, ``TimeTravel``, ``Architecture``, and
  ``Dashboard`` composing them; ``view(cluster)`` is what ``cluster.view()`` returns.
"""

# The picture (pure Python + graphviz, no ipywidgets): graph model, stable layout, SVG.
from labkube.widgets.model import ClusterGraph
from labkube.widgets.layout import Layout
from labkube.widgets.render import ClusterPicture, RenderOptions, render_svg

# The widgets (ipywidgets).
from labkube.widgets.view import ClusterView, view
from labkube.widgets.controls import Controls
from labkube.widgets.events import EventLog
from labkube.widgets.explain import ObjectInspector, SchedulerExplainer
from labkube.widgets.timetravel import TimeTravel
from labkube.widgets.architecture import Architecture
from labkube.widgets.dashboard import Dashboard

__all__ = [
    "ClusterGraph", "Layout", "ClusterPicture", "RenderOptions", "render_svg",
    "ClusterView", "view", "Controls", "EventLog", "ObjectInspector", "SchedulerExplainer",
    "TimeTravel", "Architecture", "Dashboard",
]
