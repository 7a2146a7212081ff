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

Guarantees: registering a name twice replaces the earlier plugin (the notebook cell was
edited and run again); unknown names in a profile raise KeyError naming the plugin.
"""

from __future__ import annotations

import inspect

from labkube.core.scheduler.framework import Framework, as_status
from labkube.core.scheduler.plugins import (default_binder, default_preemption, image_locality,
                                            inter_pod_affinity, node_affinity, node_name,
                                            node_ports, node_resources_balanced,
                                            node_resources_fit, node_unschedulable,
                                            pod_topology_spread, queue_sort, taint_toleration,
                                            volume_binding)
from labkube.core.scheduler.plugins.normalize import default_normalize_score

IN_TREE = (queue_sort, node_unschedulable, node_name, taint_toleration, node_affinity,
           node_ports, node_resources_fit, volume_binding, pod_topology_spread, inter_pod_affinity,
           default_preemption, node_resources_balanced, image_locality, default_binder)


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
    if filter is None and score is None:
        raise ValueError(f"plugin {name!r} needs a filter or a score function")
    return FunctionPlugin(name, filter=filter, score=score, normalize=normalize, reason=reason)


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
