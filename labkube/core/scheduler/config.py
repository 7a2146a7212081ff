"""A scheduling profile from its KubeSchedulerConfiguration text.

Mirrors one entry of ``profiles`` in ``kubescheduler.config.k8s.io/v1``
``KubeSchedulerConfiguration`` and how kube-scheduler merges it with the default plugins
(pkg/scheduler/apis/config/v1/default_plugins.go, ``mergePlugins``)::

    schedulerName: packer                 # pods choose it with spec.schedulerName
    plugins:
      multiPoint:                         # every extension point the plugin implements
        enabled:  [{name: MostPods, weight: 5}]
        disabled: [{name: ImageLocality}] # "*" disables every default plugin
      score:                              # one extension point only
        disabled: [{name: NodeResourcesBalancedAllocation}]
    pluginConfig:
    - name: NodeResourcesFit
      args: {...}
    percentageOfNodesToScore: 50

The default plugins stay unless disabled; an enabled plugin that is already there keeps its
place and takes the new weight; a new one is appended. A plugin enabled at one extension
point only runs there. labkube runs the extension points preFilter, filter, postFilter,
preScore, score, reserve and permit (and multiPoint); queueSort, preEnqueue, preBind, bind
and postBind keep kube-scheduler's defaults (PrioritySort, the SchedulingGates queue rule,
DefaultBinder) and take no custom plugins.

Every mistake raises ValueError naming the field, as kube-scheduler refuses a bad
configuration at start-up: an unknown field or extension point, a plugin that is not
registered or does not implement the point it is enabled at, a plugin listed twice, a bad
weight or percentage.
"""

from __future__ import annotations

from dataclasses import replace

from labkube.core.scheduler.profile import DEFAULT_PLUGINS, DEFAULT_SCHEDULER_NAME, PluginSpec, Profile

#: KubeSchedulerConfiguration's extension point -> labkube's framework method.
EXTENSION_POINTS = {
    "preFilter": "pre_filter",
    "filter": "filter",
    "postFilter": "post_filter",
    "preScore": "pre_score",
    "score": "score",
    "reserve": "reserve",
    "permit": "permit",
}
MULTI_POINT = "multiPoint"
#: Points that exist in KubeSchedulerConfiguration but take no custom plugin in labkube.
FIXED_POINTS = ("queueSort", "preEnqueue", "preBind", "bind", "postBind")
PROFILE_FIELDS = ("schedulerName", "plugins", "pluginConfig", "percentageOfNodesToScore")
REQUIRED_PLUGINS = ("PrioritySort", "DefaultBinder")


def profile_from_config(config: dict, registry) -> Profile:
    """Build (and check) the Profile one ``profiles[]`` entry describes."""
    if not isinstance(config, dict):
        raise ValueError(f"a scheduler profile is a mapping (schedulerName, plugins, ...), not {config!r}")
    unknown = sorted(set(config) - set(PROFILE_FIELDS))
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r} in the profile (known: {', '.join(PROFILE_FIELDS)})")
    name = config.get("schedulerName", DEFAULT_SCHEDULER_NAME)
    if not isinstance(name, str) or not name:
        raise ValueError(f"schedulerName: Required value (a non-empty string), got {name!r}")
    plugins = _plugin_sets(config.get("plugins") or {})
    specs, disabled, only_at = _merge(plugins)
    specs = _with_args(specs, config.get("pluginConfig") or [], registry)
    _check_required(specs)
    profile = Profile(name=name, plugins=tuple(specs), disabled=_disabled(disabled, only_at, specs),
                      percentage_of_nodes_to_score=_percentage(config.get("percentageOfNodesToScore")))
    _check_points(profile, plugins, registry)
    return profile


def _plugin_sets(plugins: dict) -> dict[str, dict]:
    """``plugins``: extension point -> {enabled: [...], disabled: [...]}, checked."""
    if not isinstance(plugins, dict):
        raise ValueError(f"plugins: must map extension points to enabled/disabled lists, not {plugins!r}")
    known = (MULTI_POINT, *EXTENSION_POINTS)
    for point, plugin_set in plugins.items():
        if point in FIXED_POINTS:
            raise ValueError(f"plugins.{point}: labkube keeps kube-scheduler's default {point} plugins; "
                             f"custom plugins may use {', '.join(known)}")
        if point not in known:
            raise ValueError(f"plugins.{point}: unknown extension point (expected one of {', '.join(known)})")
        if not isinstance(plugin_set, dict) or set(plugin_set) - {"enabled", "disabled"}:
            raise ValueError(f"plugins.{point}: must have only 'enabled' and 'disabled' lists")
        for field in ("enabled", "disabled"):
            seen = set()
            for index, entry in enumerate(plugin_set.get(field) or []):
                path = f"plugins.{point}.{field}[{index}]"
                _check_entry(path, entry, weighted=field == "enabled")
                if entry["name"] in seen:
                    raise ValueError(f"{path}.name: Duplicate value: {entry['name']!r}")
                seen.add(entry["name"])
    return plugins


def _check_entry(path: str, entry, *, weighted: bool) -> None:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
        raise ValueError(f"{path}.name: Required value (entries look like {{name: MyPlugin}})")
    extra = set(entry) - ({"name", "weight"} if weighted else {"name"})
    if extra:
        raise ValueError(f"{path}: unknown field {sorted(extra)[0]!r}")
    weight = entry.get("weight")
    if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int) or weight < 1):
        raise ValueError(f"{path}.weight: Invalid value: {weight!r}: must be a positive integer")


def _names(plugin_set: dict, field: str) -> list[str]:
    return [entry["name"] for entry in plugin_set.get(field) or []]


def _merge(plugins: dict) -> tuple[list[PluginSpec], dict[str, set], dict[str, set]]:
    """The default plugins with multiPoint and per-point changes applied.

    Returns the plugin specs in order, the names disabled per framework point, and for
    plugins enabled only at single points, those points."""
    specs = list(DEFAULT_PLUGINS)
    multi = plugins.get(MULTI_POINT) or {}
    off = set(_names(multi, "disabled"))
    specs = [s for s in specs if "*" not in off and s.name not in off]
    for entry in multi.get("enabled") or []:
        specs = _enable(specs, entry)
    disabled: dict[str, set] = {}
    only_at: dict[str, set] = {}
    multi_names = {s.name for s in specs}
    for point, method in EXTENSION_POINTS.items():
        plugin_set = plugins.get(point) or {}
        off = set(_names(plugin_set, "disabled"))
        disabled[method] = {s.name for s in DEFAULT_PLUGINS} if "*" in off else off
        for entry in plugin_set.get("enabled") or []:
            disabled[method].discard(entry["name"])
            if entry["name"] not in multi_names:
                only_at.setdefault(entry["name"], set()).add(method)
            specs = _enable(specs, entry)
    return specs, disabled, only_at


def _enable(specs: list[PluginSpec], entry: dict) -> list[PluginSpec]:
    """A plugin already there keeps its place (and takes the weight given); a new one is appended."""
    name, weight = entry["name"], entry.get("weight")
    for index, spec in enumerate(specs):
        if spec.name == name:
            return [*specs[:index], spec if weight is None else replace(spec, weight=weight), *specs[index + 1:]]
    return [*specs, PluginSpec(name, weight)]


def _with_args(specs: list[PluginSpec], plugin_config: list, registry) -> list[PluginSpec]:
    """``pluginConfig``: each entry's ``args`` go to the plugin of that name."""
    if not isinstance(plugin_config, list):
        raise ValueError("pluginConfig: must be a list of {name, args}")
    seen = set()
    for index, entry in enumerate(plugin_config):
        path = f"pluginConfig[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ValueError(f"{path}.name: Required value")
        name, args = entry["name"], entry.get("args") or {}
        if name in seen:
            raise ValueError(f"{path}: Duplicate value: {name!r}")
        seen.add(name)
        if name not in registry:
            raise ValueError(f"{path}.name: plugin {name!r} is not registered")
        if not isinstance(args, dict):
            raise ValueError(f"{path}.args: must be a mapping")
        specs = [replace(s, args=tuple(args.items())) if s.name == name else s for s in specs]
    return specs


def _check_required(specs: list[PluginSpec]) -> None:
    names = {s.name for s in specs}
    for name, point in zip(REQUIRED_PLUGINS, ("queueSort", "bind")):
        if name not in names:
            raise ValueError(f"plugins.{point}: Required value: the profile needs {name} "
                             f"(do not disable it with multiPoint '*')")


def _disabled(disabled: dict[str, set], only_at: dict[str, set], specs: list[PluginSpec]) -> dict:
    """Per framework point, the names that must not run there."""
    out = {method: set(names) for method, names in disabled.items()}
    for name, points in only_at.items():
        for method in EXTENSION_POINTS.values():
            if method not in points:
                out[method].add(name)
    present = {s.name for s in specs}
    return {method: tuple(sorted(names & present)) for method, names in out.items() if names & present}


def _percentage(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValueError(f"percentageOfNodesToScore: Invalid value: {value!r}: not in valid range [0-100]")
    return value


def _check_points(profile: Profile, plugins: dict, registry) -> None:
    """Build the framework once: unknown plugins, and plugins enabled where they do nothing."""
    try:
        framework = registry.build(profile)
    except KeyError as err:
        raise ValueError(err.args[0]) from None
    for point, method in EXTENSION_POINTS.items():
        running = {p.name for p in framework.points[method]}
        for name in _names(plugins.get(point) or {}, "enabled"):
            if name not in running:
                raise ValueError(f"plugins.{point}.enabled: plugin {name!r} does not implement {method}")
    for name in _names(plugins.get(MULTI_POINT) or {}, "enabled"):
        plugin = framework.plugin(name)
        if not any(plugin in framework.points[m] for m in EXTENSION_POINTS.values()) and plugin is not framework.binder:
            raise ValueError(f"plugins.multiPoint.enabled: plugin {name!r} implements none of "
                             f"{', '.join(EXTENSION_POINTS)}")
