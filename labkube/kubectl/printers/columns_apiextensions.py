"""The columns of custom resources: a CRD version's ``additionalPrinterColumns``.

Mirrors k8s.io/apiextensions-apiserver/pkg/registry/customresource/tableconvertor (the server
side of ``kubectl get <custom resource>``) and the crdHandler's column defaulting:

* the first column is always ``Name``;
* a version that declares no columns gets one, ``Age`` (type ``date``, from
  ``.metadata.creationTimestamp``) -- so the docs' CronTab prints ``NAME  AGE``; a version that
  declares columns gets exactly those (no Age unless declared);
* ``priority`` > 0 columns are ``-o wide`` only;
* each cell is the first result of the column's simple JSONPath, as its type says
  (``cellForJSONValue``): ``string`` printed as JSONPath prints it, ``integer`` from an integer
  (or a float, truncated), ``number``, ``boolean``, and ``date`` as an age (``6s``, ``3m2s``;
  ``<invalid>`` for a string that is not a timestamp); a missing value or one of the wrong type
  is an empty cell, which kubectl prints as ``<none>``.

CustomResourceDefinitions themselves have no printer: ``kubectl get crd`` prints the default
``NAME  CREATED AT`` table.
"""

from __future__ import annotations

from typing import Any

from labkube.kubectl import jsonpath
from labkube.kubectl.printers.age import age, parse_time
from labkube.kubectl.printers.columns import NONE, Column, ColumnSet
from labkube.kubectl.printers.format import go_float

#: The crdHandler's column for a version that declares none.
AGE_COLUMN = {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}


def custom_resource_columns(rtype: Any) -> ColumnSet:
    """The ColumnSet of a :class:`~labkube.core.api.customresource.CustomResourceType`."""
    declared = [dict(c) for c in rtype.printer_columns] or [AGE_COLUMN]
    columns = (Column("Name", 0, is_name=True),) + tuple(
        Column(c.get("name", ""), int(c.get("priority") or 0)) for c in declared)

    def row(obj: dict, now: float) -> list[str]:
        return [(obj.get("metadata") or {}).get("name", "")] + [cell(c, obj, now) for c in declared]

    return ColumnSet(columns, row)


def cell(column: dict, obj: dict, now: float) -> str:
    """One column's cell for ``obj`` (``<none>`` when empty)."""
    try:
        results = jsonpath.find_results("{" + column.get("jsonPath", "") + "}", obj)
    except jsonpath.JSONPathError:
        return NONE
    if not results or not results[0]:
        return NONE
    value = results[0][0]
    text = _typed(column.get("type", "string"), value, now)
    return NONE if text is None else text


def _typed(kind: str, value: Any, now: float) -> str | None:
    """``cellForJSONValue`` (and JSONPath printing for ``string`` columns)."""
    if value is None:
        return None
    if kind == "string":
        return jsonpath.execute("{.v}", {"v": value})
    if kind == "integer" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value))
    if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return go_float(float(value))
    if kind == "boolean" and isinstance(value, bool):
        return "true" if value else "false"
    if kind == "date" and isinstance(value, str):
        return age(value, now) if parse_time(value) is not None else "<invalid>"
    return None
