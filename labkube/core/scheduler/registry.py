"""The plugin registry: names to plugin factories, and custom plugins from a notebook.

Mirrors pkg/scheduler/framework/plugins/registry.go (``NewInTreeRegistry``) and the
out-of-tree ``app.WithPlugin`` option. A framework for a profile is built by looking up
each of the profile's plugin names here.

A student's plugin can be:

* a class (or instance) with a ``name`` and any of ``pre_filter``, ``filter``,
  ``post_filter``, ``pre_score``, ``score``, ``normalize_score``, ``reserve``/``unreserve``,
  ``permit`` — see :mod:`labkube.core.scheduler.framework` for the signatures::

      class PreferEvenNodes:
          name = "PreferEvenNodes"
          def score(self, state, pod, node):
              return 100 if node.name[-1] in "02468" else 0

      registry.register(PreferEvenNodes)

* or plain functions wrapped by :func:`function_plugin`::

      def only_ssd(pod, node):            # -> Status | bool | str (the reason) | None
          return node.labels.get("disk") == "ssd" or "node(s) have no SSD"
      registry.register(function_plugin("OnlySSD", filter=only_ssd))

Then a profile that uses it: ``default_profile().with_plugin("OnlySSD").renamed("ssd")``
and ``scheduler.set_profile(profile)`` — no restart needed.

The public way in is ``Cluster.add_scheduler_plugin`` (which calls :meth:`Registry.add`):
it checks the plugin first -- a name that is not kube-scheduler's own, at least one extension
point method, and methods and functions that take the arguments the framework passes -- so a
mistake is reported when the cell runs, not as an Error in the middle of a scheduling cycle.

Guarantees: registering a name twice replaces the earlier plugin (the notebook cell was
edited and run again); unknown names in a profile raise KeyError naming the plugin.
"""

from __future__ import annotations

import inspect

from labkube.core.scheduler.framework import EXTENSION_POINTS, Framework, as_status
from labkube.core.scheduler.plugins import (default_binder, default_preemption, image_locality,
                                            inter_pod_affinity, node_affinity, node_name,
                                            node_ports, node_resources_balanced,
                                            node_resources_fit, node_unschedulable,
                                            pod_topology_spread, queue_sort, taint_toleration,
                                            volume_binding, volume_restrictions, volume_zone)
from labkube.core.scheduler.plugins.normalize import default_normalize_score

IN_TREE = (queue_sort, node_unschedulable, node_name, taint_toleration, node_affinity,
           node_ports, node_resources_fit, volume_restrictions, volume_binding, volume_zone,
           pod_topology_spread, inter_pod_affinity,
           default_preemption, node_resources_balanced, image_locality, default_binder)
IN_TREE_NAMES = frozenset(module.NAME for module in IN_TREE)


class FunctionPlugin:
    """A plugin made of plain functions ``filter(pod, node)`` and/or ``score(pod, node)``.

    ``pod`` is the pod dict; ``node`` the NodeInfo (``.node`` dict, ``.labels``, ``.pods``,
    ``.allocatable``, ``.requested``). With ``normalize=True`` raw scores are scaled so the
    best node gets 100 (kube-scheduler's DefaultNormalizeScore).
    """

    def __init__(self, name: str, filter=None, score=None, normalize: bool = False,
                 reason: str | None = None):
        self.name = name
        self._filter, self._score = filter, score
        self.reason = reason or f"node(s) didn't satisfy plugin {name}"
        if filter is not None:
            self.filter = self._run_filter
        if score is not None:
            self.score = self._run_score
            if normalize:
                self.normalize_score = self._normalize

    def _run_filter(self, state, pod, node):
        return as_status(self._filter(pod.pod, node), self.name, self.reason)

    def _run_score(self, state, pod, node) -> int:
        return int(self._score(pod.pod, node))

    def _normalize(self, state, pod, scores):
        default_normalize_score(scores)
        return None

    def __repr__(self) -> str:
        return f"FunctionPlugin({self.name!r})"


def function_plugin(name: str, *, filter=None, score=None, normalize: bool = False,
                    reason: str | None = None) -> FunctionPlugin:
    """Wrap plain functions as a plugin (see :class:`FunctionPlugin`)."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"a function plugin needs a name (a non-empty string), not {name!r}")
    if filter is None and score is None:
        raise ValueError(f"plugin {name!r} needs a filter or a score function")
    for role, function in (("filter", filter), ("score", score)):
        if function is not None:
            check_function(name, role, function)
    return FunctionPlugin(name, filter=filter, score=score, normalize=normalize, reason=reason)


#: What the framework passes to each method a plugin may have (after ``self``).
METHOD_ARGUMENTS = {
    "pre_filter": ("state", "pod"),
    "filter": ("state", "pod", "node"),
    "post_filter": ("state", "pod", "statuses"),
    "pre_score": ("state", "pod", "nodes"),
    "score": ("state", "pod", "node"),
    "normalize_score": ("state", "pod", "scores"),
    "reserve": ("state", "pod", "node_name"),
    "unreserve": ("state", "pod", "node_name"),
    "permit": ("state", "pod", "node_name"),
    "pre_bind": ("state", "pod", "node_name"),
    "events_to_register": (),
}
#: What a plain function given to :func:`function_plugin` is called with.
FUNCTION_ARGUMENTS = ("pod", "node")


def check_function(plugin_name: str, role: str, function) -> None:
    """A ``filter``/``score`` function must be callable as ``function(pod, node)``."""
    if not callable(function):
        raise TypeError(f"plugin {plugin_name!r}: {role}= must be a function, not {type(function).__name__}")
    _check_call(function, FUNCTION_ARGUMENTS,
                f"plugin {plugin_name!r}: the {role} function {_describe(function)} must take "
                f"({', '.join(FUNCTION_ARGUMENTS)})")


def check_plugin(plugin) -> str:
    """Check a class or instance plugin; return its name.

    Raises ValueError (no name, no extension point) or TypeError (a method that cannot take
    the framework's arguments)."""
    if inspect.isfunction(plugin) or inspect.isbuiltin(plugin):
        raise ValueError(f"{_describe(plugin)} is a function: give it a name and a role, e.g. "
                         f"add_scheduler_plugin('MyPlugin', score={plugin.__name__}) or filter=...")
    name = getattr(plugin, "name", None) or getattr(plugin, "NAME", None)
    if not isinstance(name, str) or not name:
        raise ValueError(f"cannot register {plugin!r}: give it a 'name' (a non-empty string)")
    points = [point for point in EXTENSION_POINTS if callable(getattr(plugin, point, None))]
    if not points:
        raise ValueError(f"plugin {name!r} has none of the extension point methods "
                         f"{', '.join(EXTENSION_POINTS)}")
    for method, arguments in METHOD_ARGUMENTS.items():
        if callable(getattr(plugin, method, None)):
            function, takes_self = _method(plugin, method)
            shown = ", ".join(("self",) + arguments)
            _check_call(function, ("self",) + arguments if takes_self else arguments,
                        f"plugin {name!r}: {method} must take ({shown})")
    return name


def _method(plugin, method: str):
    """The method to check, and whether ``self`` is still to be passed (a class's function)."""
    if inspect.isclass(plugin) and not isinstance(inspect.getattr_static(plugin, method),
                                                  (staticmethod, classmethod)):
        return getattr(plugin, method), True
    return getattr(plugin, method), False


def _check_call(function, arguments: tuple, message: str) -> None:
    """Raise TypeError with ``message`` unless ``function(*arguments)`` would bind."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return  # a builtin without a signature: nothing to check
    try:
        signature.bind(*arguments)
    except TypeError:
        raise TypeError(f"{message}; it is {_describe(function)}{signature}") from None


def _describe(function) -> str:
    """``most_pods``, ``MyPlugin.score``: the name as written in the cell."""
    name = getattr(function, "__qualname__", None) or getattr(function, "__name__", None) or repr(function)
    return name.rsplit("<locals>.", 1)[-1]


def _factory_for(plugin):
    """A ``factory(args, handle) -> plugin`` for a module, class, instance or callable."""
    if inspect.isclass(plugin):
        params = inspect.signature(plugin).parameters
        if "handle" in params:
            return lambda args, handle: plugin(handle=handle)
        return lambda args, handle: plugin()
    return lambda args, handle: plugin


class Registry:
    """Plugin name -> factory."""

    def __init__(self, in_tree: bool = True):
        self._factories: dict = {}
        if in_tree:
            for module in IN_TREE:
                self._factories[module.NAME] = module.new

    def register(self, plugin, name: str | None = None) -> str:
        """Add (or replace) a plugin given as a class, an instance or a FunctionPlugin."""
        name = name or getattr(plugin, "name", None) or getattr(plugin, "NAME", None)
        if not isinstance(name, str) or not name:
            raise ValueError(f"cannot register {plugin!r}: give it a 'name'")
        self._factories[name] = _factory_for(plugin)
        return name

    def add(self, plugin, *, in_tree_names=None) -> str:
        """Check and register a student's plugin (see :func:`check_plugin`).

        kube-scheduler's own plugins cannot be replaced (``a plugin named NodeResourcesFit
        already exists``, as out-of-tree registration says); a student's plugin registered
        again under the same name replaces the earlier one."""
        name = check_plugin(plugin)
        if name in (in_tree_names if in_tree_names is not None else IN_TREE_NAMES):
            raise ValueError(f"a plugin named {name} already exists")
        return self.register(plugin, name)

    def register_factory(self, name: str, factory) -> None:
        """Add a ``factory(args: dict, handle: Framework) -> plugin``."""
        self._factories[name] = factory

    def unregister(self, name: str) -> None:
        self._factories.pop(name, None)

    def names(self) -> list[str]:
        return sorted(self._factories)

    def __contains__(self, name: str) -> bool:
        return name in self._factories

    def build(self, profile, rng=None) -> Framework:
        """``NewFramework``: instantiate the profile's plugins into a runnable Framework."""
        framework = Framework(profile.name, [], profile.weights(), profile.disabled_map(),
                              profile.percentage_of_nodes_to_score, rng)
        plugins = []
        for spec in profile.plugins:
            if spec.name not in self._factories:
                raise KeyError(f"profile {profile.name!r}: plugin {spec.name!r} is not registered")
            plugin = self._factories[spec.name](spec.args_dict(), framework)
            if getattr(plugin, "name", spec.name) != spec.name:
                raise ValueError(f"plugin registered as {spec.name!r} calls itself {plugin.name!r}")
            plugins.append(plugin)
        framework.set_plugins(plugins)
        return framework
