"""labkube: a Kubernetes you can hold in your hand.

An in-process, deterministic Kubernetes for learning: an etcd-like MVCC store, an API server
with RBAC and admission, and (as the project grows) a scheduler, controllers and kubelets, all
inside one Python process and drawn live in Jupyter.

The public surface is small::

    import labkube
    cluster = labkube.Cluster(nodes=3, seed=0)
    cluster.apply("deployment.yaml")
    print(cluster.kubectl("get deployments"))

``StatusError`` is the one exception type API calls raise; ``ManifestError`` is raised for
manifests that cannot be read at all (YAML syntax, missing kind).
"""

__version__ = "0.1.0"

from labkube.core.errors import StatusError  # noqa: E402
from labkube.core.manifests import ManifestError  # noqa: E402


def __getattr__(name):
    # Cluster pulls in the whole control plane; import it on first use so that
    # `import labkube` stays cheap for the CLI's --help.
    if name == "Cluster":
        from labkube.core.cluster import Cluster

        return Cluster
    if name == "Dashboard":
        # The widgets need ipywidgets and graphviz; only load them when asked for.
        from labkube.widgets.dashboard import Dashboard

        return Dashboard
    raise AttributeError(f"module 'labkube' has no attribute {name!r}")


__all__ = ["Cluster", "Dashboard", "StatusError", "ManifestError", "__version__"]
