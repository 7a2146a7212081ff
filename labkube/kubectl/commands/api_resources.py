"""``kubectl api-resources`` and ``kubectl api-versions``: what the API server serves.

Mirrors k8s.io/kubectl/pkg/cmd/apiresources. The data is the cluster's resource registry (the
same one the API server routes by), shown as kubectl shows discovery: the core group first,
then the other groups by name, resources by name within a group; ``-o wide`` adds VERBS and
CATEGORIES, ``-o name`` prints ``deployments.apps``; ``--namespaced=false`` keeps only
cluster-scoped kinds, ``--api-group=apps`` one group, ``--verbs=list`` those supporting a verb.
``api-versions`` lists every served group/version, sorted.
"""

from __future__ import annotations

from typing import Any

from labkube.kubectl.commands import Context
from labkube.kubectl.errors import KubectlError


def run(ctx: Context) -> list[BaseException]:
    extra = list(ctx.parsed.all_args)
    if extra:  # Complete: both verbs take no arguments, not even after "--"
        raise ctx.usage_error(f"unexpected arguments: [{' '.join(extra)}]")
    if ctx.parsed.path == "api-versions":
        versions = sorted({rtype.api_version for rtype in ctx.registry.all()})
        ctx.term.out("".join(f"{v}\n" for v in versions))
        return []
    output = ctx.flags["output"]
    if output not in ("", "wide", "name"):
        raise KubectlError(f"error: --output {output} is not available")
    sort_by = ctx.flags["sort-by"]
    if sort_by not in ("", "name", "kind"):
        raise KubectlError(f"error: --sort-by accepts only name or kind")
    resources = _selected(ctx)
    if sort_by:
        resources.sort(key=lambda r: r.plural if sort_by == "name" else r.kind)
    if output == "name":
        ctx.term.out("".join(f"{r.qualified_resource}\n" for r in resources))
        return []
    ctx.term.out(_table(resources, wide=output == "wide", headers=not ctx.flags["no-headers"]))
    return []


def discovery_order(resources: list[Any]) -> list[Any]:
    """The core group first, then groups by name; resources by plural within a group."""
    return sorted(resources, key=lambda r: (r.group != "", r.group, r.plural))


def _selected(ctx: Context) -> list[Any]:
    resources = discovery_order(_preferred_versions(ctx.registry.all()))
    if ctx.parsed.given("namespaced"):
        resources = [r for r in resources if r.namespaced == ctx.flags["namespaced"]]
    if ctx.parsed.given("api-group"):
        resources = [r for r in resources if r.group == ctx.flags["api-group"]]
    for verb in ctx.flags["verbs"]:
        resources = [r for r in resources if verb in r.verbs]
    for category in ctx.flags["categories"]:
        resources = [r for r in resources if category in r.categories]
    return resources


def _preferred_versions(resources: list[Any]) -> list[Any]:
    """One entry per (group, plural): the first registered version, as discovery prefers."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for rtype in resources:
        key = (rtype.group, rtype.plural)
        if key not in seen:
            seen.add(key)
            kept.append(rtype)
    return kept


def _table(resources: list[Any], *, wide: bool, headers: bool) -> str:
    from labkube.kubectl.printers.tabwriter import kubectl_table

    columns = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    if wide:
        columns += ["VERBS", "CATEGORIES"]
    rows = ["\t".join(columns)] if headers else []
    for r in resources:
        cells = [r.plural, ",".join(r.short_names), r.api_version,
                 "true" if r.namespaced else "false", r.kind]
        if wide:
            cells += [",".join(r.verbs), ",".join(r.categories)]
        rows.append("\t".join(cells))
    return kubectl_table("\n".join(rows) + "\n") if rows else ""
