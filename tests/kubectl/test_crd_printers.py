"""Custom resources' columns: the crdHandler's table convertor (``cellForJSONValue``)."""

import pytest

from labkube.core.api.customresource import CustomResourceType
from labkube.kubectl.printers.columns import columns_for
from labkube.kubectl.printers.columns_apiextensions import cell

NOW = 1735689600.0 + 90  # 2025-01-01T00:01:30Z
OBJ = {"metadata": {"name": "c", "creationTimestamp": "2025-01-01T00:00:00Z"},
       "spec": {"cronSpec": "* * * * *", "replicas": 3, "ratio": 1.5, "whole": 2.0, "on": True,
                "when": "not a time", "list": ["a", "b"]}}

CELLS = [
    ("a string column prints the value", "string", ".spec.cronSpec", "* * * * *"),
    ("a string column prints a number as JSONPath does", "string", ".spec.replicas", "3"),
    ("a string column prints a list as JSON", "string", ".spec.list", '["a","b"]'),
    ("an integer column prints an integer", "integer", ".spec.replicas", "3"),
    ("an integer column truncates a float", "integer", ".spec.ratio", "1"),
    ("an integer column leaves a string empty", "integer", ".spec.cronSpec", "<none>"),
    ("a number column prints a float as Go does", "number", ".spec.whole", "2"),
    ("a boolean column prints true", "boolean", ".spec.on", "true"),
    ("a date column prints an age", "date", ".metadata.creationTimestamp", "90s"),
    ("a date column marks a string that is no timestamp", "date", ".spec.when", "<invalid>"),
    ("a missing field is an empty cell", "string", ".spec.missing", "<none>"),
]


@pytest.mark.parametrize("kind, path, expected", [c[1:] for c in CELLS], ids=[c[0] for c in CELLS])
def test_a_cell_is_rendered_as_its_column_type_says(kind, path, expected):
    assert cell({"name": "X", "type": kind, "jsonPath": path}, OBJ, NOW) == expected


def _rtype(columns=()):
    return CustomResourceType("stable.example.com", "v1", "CronTab", "crontabs", "crontab", True,
                              printer_columns=tuple(columns))


def test_a_version_without_columns_prints_name_and_age():
    cset = columns_for(_rtype())
    assert [c.name for c in cset.columns] == ["Name", "Age"]
    assert cset.row(OBJ, NOW) == ["c", "90s"]


def test_declared_columns_replace_age_and_keep_their_priority():
    cset = columns_for(_rtype([{"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"},
                               {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas",
                                "priority": 1}]))
    assert [(c.name, c.priority) for c in cset.columns] == [("Name", 0), ("Spec", 0), ("Replicas", 1)]
    assert cset.row(OBJ, NOW) == ["c", "* * * * *", "3"]
