"""Field knowledge for the core kinds: every field's JSON name, type and description.

Mirrors the OpenAPI document kube-apiserver serves (what ``kubectl explain`` and strict
decoding read). The data is generated from the official ``kubernetes`` client's models by
``tools/gen_schema.py`` into ``schema_data/core.json.gz``; labkube never imports the client at
run time. A test regenerates the data and checks it matches the shipped file.

Type strings (see the generator): ``str``, ``int`` (Go int32), ``int64``, ``bool``, ``float``,
``datetime``, ``object``, ``IntOrString``, ``Quantity``, ``bytes``, ``list[T]``,
``dict(str, T)`` and model names such as ``V1PodSpec``.

The file is read once, on first use (about 5 ms), and :class:`FieldInfo` maps are built per type
on demand and cached.

    >>> kind_type("apps/v1", "Deployment")
    'V1Deployment'
    >>> fields("V1DeploymentSpec")["replicas"].type
    'int'
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from labkube.core import errors

DATA_FILE = Path(__file__).with_name("schema_data") / "core.json.gz"

_lock = threading.Lock()
_data: dict | None = None

SCALARS = frozenset(
    {"str", "int", "int64", "bool", "float", "datetime", "date", "object", "IntOrString",
     "Quantity", "bytes"}
)


@dataclass(frozen=True)
class FieldInfo:
    name: str  # JSON name, e.g. "containers"
    type: str  # type string, e.g. "list[V1Container]"
    description: str
    required: bool = False


@dataclass(frozen=True)
class Explanation:
    """What ``kubectl explain <kind>.<path>`` prints."""

    api_version: str
    kind: str
    path: str  # "spec.containers" ("" for the kind itself)
    type: str  # the field's declared type string ("V1Pod" for the kind)
    model: str | None  # the model to list children of (list/map element), or None for scalars
    description: str
    fields: tuple[FieldInfo, ...]  # children, sorted by name (empty for scalars)


def data() -> dict:
    """The generated schema (loaded on first call)."""
    global _data
    if _data is None:
        with _lock:
            if _data is None:
                _data = json.loads(gzip.decompress(DATA_FILE.read_bytes()))
    return _data


def kinds() -> dict[str, str]:
    """``{"apps/v1/Deployment": "V1Deployment", ...}``."""
    return data()["kinds"]


def kind_type(api_version: str, kind: str) -> str:
    """The model name for a kind, or kubectl's no-match error."""
    name = kinds().get(f"{api_version}/{kind}")
    if name is None:
        raise errors.no_kind_match(kind, api_version)
    return name


def lookup(api_version: str, kind: str) -> dict[str, FieldInfo]:
    """The top-level fields of a kind (``lookup("v1", "Pod")["spec"].type == "V1PodSpec"``)."""
    return fields(kind_type(api_version, kind))


def has_type(type_name: str) -> bool:
    return type_name in data()["types"]


def go_type(type_name: str) -> str:
    """Go's name for a model, as reflect prints it: ``v1.NodeSelector``."""
    return data()["types"][type_name]["go"]


@lru_cache(maxsize=None)
def fields(type_name: str) -> dict[str, FieldInfo]:
    """The fields of a model, by JSON name (raises KeyError for unknown models)."""
    raw = data()["types"][type_name]["fields"]
    return {name: FieldInfo(name, t, d, r) for name, (t, d, r) in raw.items()}


_LIST = re.compile(r"^list\[(.*)\]$")
_DICT = re.compile(r"^dict\(str, (.*)\)$")


def element_type(type_string: str) -> str:
    """Strip lists and maps: ``list[V1Container]`` -> ``V1Container``."""
    while True:
        match = _LIST.match(type_string) or _DICT.match(type_string)
        if not match:
            return type_string
        type_string = match.group(1)


def kubectl_type(type_string: str) -> str:
    """The type as ``kubectl explain`` prints it: ``[]Container``, ``map[string]string``."""
    match = _LIST.match(type_string)
    if match:
        return "[]" + kubectl_type(match.group(1))
    match = _DICT.match(type_string)
    if match:
        return "map[string]" + kubectl_type(match.group(1))
    simple = {"str": "string", "int": "integer", "int64": "integer", "bool": "boolean",
              "float": "number", "datetime": "string", "date": "string", "object": "Object",
              "bytes": "string", "IntOrString": "IntOrString", "Quantity": "Quantity"}
    if type_string in simple:
        return simple[type_string]
    return go_type(type_string).partition(".")[2]


def explain_path(api_version: str, kind: str, path: str = "") -> Explanation:
    """Resolve ``path`` (dotted JSON names, e.g. ``spec.containers``) under a kind.

    Raises ``KeyError`` with kubectl's wording when a segment does not exist.
    """
    type_string = kind_type(api_version, kind)
    description = ""
    walked: list[str] = []
    for segment in [s for s in path.split(".") if s]:
        model = element_type(type_string)
        children = fields(model) if model not in SCALARS else {}
        if segment not in children:
            raise KeyError(f'field "{segment}" does not exist')
        info = children[segment]
        type_string, description = info.type, info.description
        walked.append(segment)
    model = element_type(type_string)
    is_model = model not in SCALARS
    children = tuple(sorted(fields(model).values(), key=lambda f: f.name)) if is_model else ()
    return Explanation(api_version, kind, ".".join(walked), type_string,
                       model if is_model else None, description, children)
