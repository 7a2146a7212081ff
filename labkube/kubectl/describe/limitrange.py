"""``kubectl describe limitrange``, and the rows ``describe namespace`` shows for LimitRanges.

Mirrors ``describeLimitRange`` in k8s.io/kubectl/pkg/describe (1.32): the name, the namespace
and one row per item and resource: Type, Resource, Min, Max, Default Request, Default Limit,
Max Limit/Request Ratio, ``-`` where the item sets nothing. Go walks an item's resources in map
order (random from run to run); labkube sorts them by name. No labels, annotations or events.
"""

from __future__ import annotations

from labkube.kubectl.describe.quantity import Quantity
from labkube.kubectl.describe.writer import PrefixWriter

HEADER = "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n"
RULE = "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n"
_COLUMNS = ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")


def limit_range_rows(limit_range: dict) -> list[str]:
    """One tab-separated row (newline included) per item and resource."""
    rows = []
    for item in (limit_range.get("spec") or {}).get("limits") or ():
        names = sorted(set().union(*(item.get(column) or {} for column in _COLUMNS)))
        for name in names:
            cells = [_cell(item.get(column) or {}, name) for column in _COLUMNS]
            rows.append(f"{item.get('type', '')}\t{name}\t" + "\t".join(cells) + "\n")
    return rows


def _cell(resources: dict, name: str) -> str:
    return str(Quantity.parse(resources[name])) if name in resources else "-"


def describe_limit_range(limit_range: dict) -> str:
    meta = limit_range.get("metadata") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, HEADER)
    w.write(0, RULE)
    for row in limit_range_rows(limit_range):
        w.write(0, row)
    return w.text()
