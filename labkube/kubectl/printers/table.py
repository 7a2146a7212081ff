"""``kubectl get``'s human-readable tables.

Mirrors k8s.io/cli-runtime/pkg/printers/tableprinter.go (decorateTable and printTable) and the
table loop of kubectl's ``get`` command:

* headers are the column names upper-cased; priority columns only with ``-o wide``;
* ``-A`` puts a NAMESPACE column first (not for cluster-scoped kinds — unless, as kubectl 1.32
  does, a namespaced kind was printed before them in the same command), ``-L key`` adds a
  column per label, ``--show-labels`` a LABELS column last;
* with several kinds (``get pods,svc``, ``get all``) or ``--show-kind`` the name cell reads
  ``pod/web-1`` / ``deployment.apps/web``, each kind is its own table and a blank line separates
  tables (not with ``--no-headers``);
* an empty table prints nothing, and if nothing at all was printed kubectl tells stderr
  ``No resources found in default namespace.`` (or ``No resources found``);
* cells are cut at the first newline with ``...`` and aligned by Go's tabwriter (padding 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from labkube.kubectl.printers.columns import columns_for
from labkube.kubectl.printers.format import format_labels
from labkube.kubectl.printers.tabwriter import kubectl_table


@dataclass(frozen=True)
class PrintOptions:
    wide: bool = False
    show_labels: bool = False
    label_columns: tuple[str, ...] = ()
    all_namespaces: bool = False
    no_headers: bool = False
    show_kind: bool = False
    namespace: str = "default"


@dataclass(frozen=True)
class PrintResult:
    """What kubectl writes: ``stdout`` (the tables) and ``stderr`` ("No resources found ...")."""

    stdout: str
    stderr: str = ""


def _cell(text: str) -> str:
    for index, ch in enumerate(text):
        if ch in "\n\r\f":
            return text[:index] + "..."
    return text


def table_lines(items: Sequence[dict], rtype, now: float, options: PrintOptions = PrintOptions(),
                with_kind: bool = False, with_namespace: bool | None = None) -> list[str]:
    """The tab-separated lines of one kind's table (header first), before alignment."""
    if not items:
        return []
    cset = columns_for(rtype)
    keep = [i for i, col in enumerate(cset.columns) if options.wide or col.priority == 0]
    name_index = next((i for i, col in enumerate(cset.columns) if col.is_name), -1) if with_kind else -1
    if with_namespace is None:
        with_namespace = options.all_namespaces and rtype.namespaced
    kind_prefix = f"{rtype.kind.lower()}.{rtype.group}" if rtype.group else rtype.kind.lower()
    lines = []
    if not options.no_headers:
        headers = [cset.columns[i].name.upper() for i in keep]
        if with_namespace:
            headers.insert(0, "NAMESPACE")
        headers += [key.split("/")[-1].upper() for key in options.label_columns]
        if options.show_labels:
            headers.append("LABELS")
        lines.append("\t".join(headers))
    for obj in items:
        cells = cset.row(obj, now)
        if name_index >= 0:
            cells[name_index] = f"{kind_prefix}/{cells[name_index]}"
        row = [_cell(cells[i]) for i in keep]
        meta = obj.get("metadata") or {}
        if with_namespace:
            row.insert(0, meta.get("namespace", ""))
        labels = meta.get("labels") or {}
        row += [labels.get(key, "") for key in options.label_columns]
        if options.show_labels:
            row.append(format_labels(labels))
        lines.append("\t".join(row))
    return lines


def print_table(items: Sequence[dict], rtype, now: float, options: PrintOptions = PrintOptions()) -> PrintResult:
    """``kubectl get <kind>``: one kind's table."""
    return print_tables([(rtype, items)], now, options)


def print_tables(groups: Sequence[tuple[object, Sequence[dict]]], now: float,
                 options: PrintOptions = PrintOptions()) -> PrintResult:
    """``kubectl get <kind>,<kind>`` / ``get all``: one table per (ResourceType, items) group."""
    kinds = {(rtype.group, rtype.kind) for rtype, _ in groups}
    with_kind = options.show_kind or len(kinds) > 1
    out: list[str] = []
    # kubectl's get copies its print flags shallowly, so once a namespaced kind turned the
    # NAMESPACE column on under -A, it stays on for the cluster-scoped kinds printed after it.
    namespace_column = False
    for rtype, items in groups:
        namespace_column = namespace_column or (options.all_namespaces and rtype.namespaced)
        lines = table_lines(items, rtype, now, options, with_kind, namespace_column)
        if not lines:
            continue
        if out and not options.no_headers:
            out.append("\n")
        out.append(kubectl_table("".join(line + "\n" for line in lines)))
    if out:
        return PrintResult("".join(out))
    all_namespaced = not options.all_namespaces and all(rtype.namespaced for rtype, _ in groups)
    if all_namespaced:
        return PrintResult("", f"No resources found in {options.namespace} namespace.\n")
    return PrintResult("", "No resources found\n")
