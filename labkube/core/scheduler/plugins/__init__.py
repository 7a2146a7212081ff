"""kube-scheduler's in-tree plugins, one module each, with their names and reason strings.

Mirrors pkg/scheduler/framework/plugins. Each module has the same shape: a ``NAME`` constant,
the reason constants kube-scheduler prints, a plugin class with the extension points it
implements, and a ``new(args=None, handle=None)`` factory the registry calls.
"""
