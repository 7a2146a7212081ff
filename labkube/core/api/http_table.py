"""Server-side printing: a list or an object answered as a ``meta.k8s.io/v1`` Table.

Mirrors k8s.io/apiserver/pkg/endpoints/handlers (``transformResponseObject`` -> ``asTable``) and
the TableConvertor of each registry (pkg/printers/internalversion behind
pkg/registry/.../storage ``TableConvertor``). ``kubectl get`` without ``-o`` asks for

    Accept: application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json

and prints the Table it gets back: the server chose the columns and filled the cells (so a
pod's READY and STATUS, a deployment's UP-TO-DATE, every AGE are the server's), kubectl only
aligns them, drops ``priority`` columns unless ``-o wide``, and adds NAMESPACE (``-A``),
LABELS (``--show-labels``) and ``-L`` columns from each row's object metadata.

Each row carries its object as ``includeObject`` says: ``Metadata`` (the default) a
PartialObjectMetadata, ``Object`` the whole object (kubectl asks for it to ``--sort-by``),
``None`` nothing.

The columns themselves are the printers' (a kind's column set: names, priorities, which column
is the name, and a row function of the object and ``now``), which live in the kubectl layer
as labkube's printers; the API server is given them as a ``columns_for(rtype)`` function, so
the core does not import the layer above it.

Not modelled: column ``type``/``description`` texts (every column is a ``string`` here, and its
description empty) and number cells (labkube's cells are text: a ConfigMap's DATA is ``"1"``,
kube-apiserver writes ``1``); kubectl prints both alike.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Protocol, Sequence

TABLE_VERSIONS = ("v1", "v1beta1")
INCLUDE_OBJECT = ("None", "Metadata", "Object")


class ColumnDefinition(Protocol):
    name: str
    priority: int
    is_name: bool


class ColumnSet(Protocol):
    """What a kind's printer gives: its columns and the cells of one object at time ``now``."""

    columns: Sequence[ColumnDefinition]

    def row(self, obj: dict, now: float) -> list: ...


ColumnsFor = Callable[[Any], ColumnSet]


def wanted_table_version(accept: str) -> Optional[str]:
    """The Table version the Accept header asks for first, or None when it asks for none
    (``application/json;as=Table;v=v1;g=meta.k8s.io`` -> ``v1``)."""
    for clause in accept.split(","):
        params = dict(part.strip().partition("=")[::2] for part in clause.split(";")[1:])
        if params.get("as") == "Table" and params.get("g") == "meta.k8s.io" and params.get("v") in TABLE_VERSIONS:
            return params["v"]
    return None


def as_table(result: dict, rtype: Any, columns: ColumnSet, now: float, *, version: str = "v1",
             include_object: str = "Metadata") -> dict:
    """``result`` (an object, or a list of them) as kube-apiserver's Table of it."""
    is_list = isinstance(result.get("items"), list)
    items = result["items"] if is_list else [result]
    meta = result.get("metadata") or {}
    table_meta = {"resourceVersion": meta.get("resourceVersion", "")}
    if is_list and meta.get("continue"):
        table_meta["continue"] = meta["continue"]
    if is_list and meta.get("remainingItemCount") is not None:
        table_meta["remainingItemCount"] = meta["remainingItemCount"]
    definitions = [{"name": column.name, "type": "string", "format": "name" if column.is_name else "",
                    "description": "", "priority": column.priority} for column in columns.columns]
    rows = []
    for item in items:
        obj = {"apiVersion": rtype.api_version, "kind": rtype.kind, **item}
        row: dict = {"cells": list(columns.row(obj, now))}
        if include_object == "Metadata":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": obj.get("metadata") or {}}
        elif include_object == "Object":
            row["object"] = obj
        rows.append(row)
    return {"kind": "Table", "apiVersion": f"meta.k8s.io/{version}", "metadata": table_meta,
            "columnDefinitions": definitions, "rows": rows}
