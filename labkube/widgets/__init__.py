"""Pictures of a live cluster: a graph model (networkx), SVG rendering (graphviz) and ipywidgets.

Widgets are thin (DESIGN.md rule 9): they watch the cluster through the public API, turn events
into a graph, draw it, and act only through the same calls a student types. The core never
imports this package. The views arrive with issue #4; this package holds them.
"""

# The picture (pure Python + graphviz, no ipywidgets): graph model, stable layout, SVG.
from labkube.widgets.model import ClusterGraph
from labkube.widgets.layout import Layout
from labkube.widgets.render import ClusterPicture, RenderOptions, render_svg
