"""``kubectl top node`` and ``kubectl top pod [-A] [--containers]``.

Mirrors k8s.io/kubectl/pkg/cmd/top and pkg/metricsutil: usage comes from the metrics API
(``metrics.k8s.io/v1beta1`` NodeMetricsList / PodMetricsList, in labkube
``Client.node_metrics()`` and ``Client.pod_metrics(namespace=None)``), CPU printed in
millicores rounded up (``13m``), memory in whole MiB (``42Mi``), nodes with the percentage of
their allocatable (capacity with ``--show-capacity``), truncated. Rows are sorted by name
(namespace first with ``-A``) or by ``--sort-by=cpu|memory`` (largest first); nodes without
metrics print ``<unknown>``. Columns are aligned by kubectl's tabwriter, every cell ending in
a tab — so lines carry kubectl's trailing spaces. A metrics API that is not there prints
``error: Metrics API not available``.
"""

from __future__ import annotations

from math import ceil
from typing import Any, Callable

from labkube.core.api.quantity import parse_quantity
from labkube.core.errors import StatusError
from labkube.kubectl.commands import Context
from labkube.kubectl.commands._ops import raise_group_help
from labkube.kubectl.errors import KubectlError
from labkube.kubectl.printers.tabwriter import kubectl_table

NOT_AVAILABLE = "error: Metrics API not available"
SORT_KEYS = ("cpu", "memory")


def run(ctx: Context) -> list[BaseException]:
    path = ctx.parsed.path
    if path == "top":
        raise_group_help(ctx, "top")
    if len(ctx.parsed.all_args) > 1:  # Complete: cobra's Use line as a usage error
        what = "node" if path == "top node" else "pod"
        raise ctx.usage_error(f"{what} [NAME | -l label]")
    sort_by = ctx.flags["sort-by"]
    if sort_by and sort_by not in SORT_KEYS:
        raise KubectlError("error: --sort-by accepts only cpu or memory")
    _check_name_or_selector(ctx, path)
    if path == "top node":
        _top_nodes(ctx, sort_by)
    else:
        _top_pods(ctx, sort_by)
    return []


def _check_name_or_selector(ctx: Context, path: str) -> None:
    """``Validate``: a NAME and a selector exclude each other (the messages differ)."""
    if not ctx.parsed.all_args:
        return
    if path == "top node" and ctx.flags["selector"]:
        raise KubectlError("error: only one of NAME or --selector can be provided")
    if path == "top pod" and (ctx.flags["selector"] or ctx.flags["field-selector"]):
        raise KubectlError("error: only one of NAME or selector can be provided")


def _metrics(fn: Callable[[], dict] | None) -> dict:
    if fn is None:
        raise KubectlError(NOT_AVAILABLE)
    try:
        return fn()
    except StatusError as err:
        if err.code in (404, 503):
            raise KubectlError(NOT_AVAILABLE) from None
        raise


def _cpu(text: str) -> int:
    return parse_quantity(text or "0").milli


def _memory(text: str) -> int:
    return parse_quantity(text or "0").value()


def _cells(cpu_milli: int, memory_bytes: int) -> list[str]:
    return [f"{cpu_milli}m", f"{memory_bytes // (1024 * 1024)}Mi"]


def _table(rows: list[list[str]]) -> str:
    return kubectl_table("".join("".join(cell + "\t" for cell in row) + "\n" for row in rows))


# ---------------------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------------------


def _top_nodes(ctx: Context, sort_by: str) -> None:
    names = ctx.parsed.all_args
    selector = ctx.flags["selector"] or None
    if names:
        nodes = [ctx.client.get("nodes", names[0])]
    else:
        nodes = ctx.client.list("nodes", label_selector=selector)["items"]
    metrics = _metrics(getattr(ctx.client, "node_metrics", None))
    wanted = {n["metadata"]["name"] for n in nodes}
    items = [m for m in metrics.get("items") or [] if m["metadata"]["name"] in wanted]
    if not items:
        raise KubectlError("error: metrics not available yet")
    field = "capacity" if ctx.flags["show-capacity"] else "allocatable"
    available = {n["metadata"]["name"]: (n.get("status") or {}).get(field) or {} for n in nodes}
    usage = [(m["metadata"]["name"], _cpu(m["usage"].get("cpu")), _memory(m["usage"].get("memory")))
             for m in items]
    usage = _sorted(usage, sort_by, lambda u: u[0])
    rows = [] if ctx.flags["no-headers"] else [["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]]
    for name, cpu, memory in usage:
        rows.append([name, *_node_cells(cpu, memory, available.pop(name, {}))])
    for name in available:  # nodes without metrics, in the order they were listed
        rows.append([name, "<unknown>", "<unknown>", "<unknown>", "<unknown>"])
    ctx.term.out(_table(rows))


def _node_cells(cpu: int, memory: int, available: dict) -> list[str]:
    cpu_cell, memory_cell = _cells(cpu, memory)
    cells = [cpu_cell]
    if "cpu" in available:
        cells.append(_percent(cpu, _cpu(available["cpu"])))
    cells.append(memory_cell)
    if "memory" in available:
        cells.append(_percent(memory * 1000, parse_quantity(available["memory"]).milli))
    return cells


def _percent(used_milli: int, available_milli: int) -> str:
    if not available_milli:
        return "0%"
    return f"{int(used_milli / available_milli * 100)}%"


def _sorted(rows: list[tuple], sort_by: str, name: Callable[[tuple], Any]) -> list[tuple]:
    if sort_by == "cpu":
        return sorted(rows, key=lambda r: -r[-2])
    if sort_by == "memory":
        return sorted(rows, key=lambda r: -r[-1])
    return sorted(rows, key=name)


# ---------------------------------------------------------------------------------------
# Pods
# ---------------------------------------------------------------------------------------


def _top_pods(ctx: Context, sort_by: str) -> None:
    all_namespaces = ctx.flags["all-namespaces"]
    namespace = None if all_namespaces else ctx.namespace
    metrics = _metrics(_pod_metrics_call(ctx, namespace))
    items = list(metrics.get("items") or [])
    names = ctx.parsed.all_args
    if names:
        items = [m for m in items if m["metadata"]["name"] in names]
        if not items:
            raise KubectlError(f'error: podmetrics.metrics.k8s.io "{names[0]}" not found')
    items = _select_pods(ctx, items, namespace)
    if not items:
        _nothing(ctx, namespace)
        return
    containers = ctx.flags["containers"]
    rows = [] if ctx.flags["no-headers"] else [_pod_header(all_namespaces, containers)]
    usage = []
    for m in items:
        containers_usage = m.get("containers") or []
        per = [(c["name"], _cpu(c["usage"].get("cpu")), _memory(c["usage"].get("memory")))
               for c in containers_usage]
        total = (m["metadata"].get("namespace", ""), m["metadata"]["name"],
                 _sum_cpu(containers_usage), _sum_memory(containers_usage))
        usage.append((total, per))
    usage = _sorted_pods(usage, sort_by)
    for (ns, name, cpu, memory), per in usage:
        lead = [ns] if all_namespaces else []
        if containers:
            for cname, ccpu, cmem in _sorted(per, sort_by, lambda p: p[0]):
                rows.append([*lead, name, cname, *_cells(ccpu, cmem)])
        else:
            rows.append([*lead, name, *_cells(cpu, memory)])
    ctx.term.out(_table(rows))


def _sum_cpu(containers: list[dict]) -> int:
    """The pod's CPU: exact quantities added, then rounded up to millicores once."""
    total = sum((parse_quantity(c["usage"].get("cpu") or "0").amount for c in containers), 0)
    return ceil(total * 1000)


def _sum_memory(containers: list[dict]) -> int:
    total = sum((parse_quantity(c["usage"].get("memory") or "0").amount for c in containers), 0)
    return ceil(total)


def _pod_metrics_call(ctx: Context, namespace: str | None) -> Callable[[], dict] | None:
    fn = getattr(ctx.client, "pod_metrics", None)
    return None if fn is None else (lambda: fn(namespace=namespace))


def _select_pods(ctx: Context, items: list[dict], namespace: str | None) -> list[dict]:
    selector, fields = ctx.flags["selector"], ctx.flags["field-selector"]
    if not selector and not fields:
        return items
    pods = ctx.client.list("pods", namespace, label_selector=selector or None,
                           field_selector=fields or None)["items"]
    keep = {(p["metadata"]["namespace"], p["metadata"]["name"]) for p in pods}
    return [m for m in items if (m["metadata"].get("namespace"), m["metadata"]["name"]) in keep]


def _pod_header(all_namespaces: bool, containers: bool) -> list[str]:
    header = ["NAMESPACE"] if all_namespaces else []
    header += ["POD"] if containers else []
    return header + ["NAME", "CPU(cores)", "MEMORY(bytes)"]


def _sorted_pods(usage: list, sort_by: str) -> list:
    if sort_by == "cpu":
        return sorted(usage, key=lambda u: -u[0][2])
    if sort_by == "memory":
        return sorted(usage, key=lambda u: -u[0][3])
    return sorted(usage, key=lambda u: (u[0][0], u[0][1]))


def _nothing(ctx: Context, namespace: str | None) -> None:
    pods = ctx.client.list("pods", namespace, label_selector=ctx.flags["selector"] or None)["items"]
    if pods:
        raise KubectlError("error: metrics not available yet")
    if namespace is None:
        ctx.term.err_line("No resources found")
    else:
        ctx.term.err_line(f"No resources found in {namespace} namespace.")
