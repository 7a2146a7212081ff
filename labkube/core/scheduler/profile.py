"""Scheduling profiles: which plugins run, at which extension points, with which weights.

Mirrors ``KubeSchedulerProfile`` (pkg/scheduler/apis/config) and the defaults in
pkg/scheduler/apis/config/v1/default_plugins.go (1.32). A pod picks its profile with
``spec.schedulerName`` (``default-scheduler`` unless set).

The default profile's plugins, in kube-scheduler's order (the order Filter runs them in):

=================================  =======  =============================================
plugin                             weight   extension points
=================================  =======  =============================================
PrioritySort                                QueueSort (the scheduling queue)
NodeUnschedulable                           Filter
NodeName                                    Filter
TaintToleration                    3        Filter, PreScore, Score
NodeAffinity                       2        PreFilter, Filter, PreScore, Score
NodePorts                                   PreFilter, Filter
NodeResourcesFit                   1        PreFilter, Filter, Score
VolumeRestrictions                          PreFilter, Filter
VolumeBinding                               PreFilter, Filter, Reserve, PreBind
VolumeZone                                  PreFilter, Filter
PodTopologySpread                  2        PreFilter, Filter, PreScore, Score
InterPodAffinity                   2        PreFilter, Filter, PreScore, Score
DefaultPreemption                           PostFilter
NodeResourcesBalancedAllocation    1        Score
ImageLocality                      1        Score
DefaultBinder                               Bind (labkube returns the Binding as data)
=================================  =======  =============================================

Left out because labkube has no CSI drivers, cloud disks, DRA or scheduling gates at these
points: NodeVolumeLimits, EBSLimits, GCEPDLimits, AzureDiskLimits, DynamicResources
(SchedulingGates is honoured by the queue).

Guarantees: a Profile is frozen data; ``with_plugin`` / ``without_plugin`` return new ones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

DEFAULT_SCHEDULER_NAME = "default-scheduler"


@dataclass(frozen=True)
class PluginSpec:
    """One enabled plugin: its registered name, its score weight (if it scores), its args."""

    name: str
    weight: int | None = None
    args: tuple = ()  # ((key, value), ...) — frozen; see args_dict()

    def args_dict(self) -> dict:
        return dict(self.args)


def _spec(item) -> PluginSpec:
    if isinstance(item, PluginSpec):
        return item
    if isinstance(item, str):
        return PluginSpec(item)
    if isinstance(item, tuple):
        return PluginSpec(*item)
    name = getattr(item, "name", None) or getattr(item, "NAME", None)
    if not isinstance(name, str):
        raise TypeError(f"cannot use {item!r} as a plugin: it has no name")
    return PluginSpec(name)


@dataclass(frozen=True)
class Profile:
    """A named set of plugins (``KubeSchedulerProfile``), multi-point like kube-scheduler's
    ``plugins.multiPoint``: each plugin runs at every extension point it implements, except
    the points listed for it in ``disabled`` (point name -> plugin names)."""

    name: str = DEFAULT_SCHEDULER_NAME
    plugins: tuple = ()
    disabled: tuple = ()  # ((point, (names...)), ...)
    percentage_of_nodes_to_score: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "plugins", tuple(_spec(p) for p in self.plugins))
        disabled = self.disabled.items() if isinstance(self.disabled, dict) else self.disabled
        object.__setattr__(self, "disabled", tuple((k, tuple(v)) for k, v in disabled))
        names = [p.name for p in self.plugins]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"profile {self.name!r}: plugin(s) listed twice: {', '.join(duplicates)}")

    @property
    def plugin_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.plugins)

    def weights(self) -> dict[str, int]:
        return {p.name: (1 if p.weight is None else p.weight) for p in self.plugins}

    def disabled_map(self) -> dict[str, tuple[str, ...]]:
        return dict(self.disabled)

    def with_plugin(self, plugin, weight: int | None = None, *, before: str | None = None) -> "Profile":
        """A copy with ``plugin`` (a name, spec or plugin object) added (at the end or before one)."""
        spec = _spec(plugin)
        if weight is not None:
            spec = replace(spec, weight=weight)
        plugins = [p for p in self.plugins if p.name != spec.name]
        index = next((i for i, p in enumerate(plugins) if p.name == before), len(plugins))
        plugins.insert(index, spec)
        return replace(self, plugins=tuple(plugins))

    def without_plugin(self, name: str) -> "Profile":
        return replace(self, plugins=tuple(p for p in self.plugins if p.name != name))

    def renamed(self, name: str) -> "Profile":
        return replace(self, name=name)

    def to_dict(self) -> dict:
        return {
            "schedulerName": self.name,
            "plugins": {"multiPoint": {"enabled": [
                {"name": p.name, **({"weight": p.weight} if p.weight is not None else {})}
                for p in self.plugins]}},
            **({"percentageOfNodesToScore": self.percentage_of_nodes_to_score}
               if self.percentage_of_nodes_to_score is not None else {}),
        }


DEFAULT_PLUGINS = (
    PluginSpec("PrioritySort"),
    PluginSpec("NodeUnschedulable"),
    PluginSpec("NodeName"),
    PluginSpec("TaintToleration", 3),
    PluginSpec("NodeAffinity", 2),
    PluginSpec("NodePorts"),
    PluginSpec("NodeResourcesFit", 1),
    PluginSpec("VolumeRestrictions"),
    PluginSpec("VolumeBinding"),
    PluginSpec("VolumeZone"),
    PluginSpec("PodTopologySpread", 2),
    PluginSpec("InterPodAffinity", 2),
    PluginSpec("DefaultPreemption"),
    PluginSpec("NodeResourcesBalancedAllocation", 1),
    PluginSpec("ImageLocality", 1),
    PluginSpec("DefaultBinder"),
)


def default_profile(name: str = DEFAULT_SCHEDULER_NAME) -> Profile:
    """kube-scheduler 1.32's default profile."""
    return Profile(name=name, plugins=DEFAULT_PLUGINS)


