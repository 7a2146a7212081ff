"""labkube's control plane: store, clock, API server and (later) the components.

Layers, each importing only the ones before it (checked by tests/test_layers.py):
``errors``/``clock`` ← ``store`` ← ``api`` ← ``cluster``. Nothing here imports ipywidgets or
graphviz: pictures live in :mod:`labkube.widgets`.
"""
