"""Field knowledge for the core kinds: every field's JSON name, type and description.

Mirrors the OpenAPI document kube-apiserver 1.32 serves (what ``kubectl explain`` and strict
decoding read): the data is generated from Kubernetes 1.32's OpenAPI definitions, as packaged
by ``kubernetes-validate==1.32.0``, by ``tools/gen_schema.py`` into ``schema_data/core.json.gz``;
labkube never imports that package at run time. A test regenerates the data and checks it
matches the shipped file.

Type names are OpenAPI definition names without their ``io.k8s.api.`` /
``io.k8s.apimachinery.pkg.apis.`` prefix (``core.v1.PodSpec``, ``meta.v1.ObjectMeta``). Type
strings (see the generator): ``str``, ``int`` (Go int32), ``int64``, ``bool``, ``float``,
``datetime``, ``object``, ``IntOrString``, ``Quantity``, ``bytes``, ``list[T]``,
``dict(str, T)`` and type names. A field whose type is a definition without properties (Time,
MicroTime, Quantity, IntOrString, FieldsV1) has a scalar type string and names that definition
in :attr:`FieldInfo.ref` (see :func:`ref_info`).

The file is read once, on first use (a few ms), and :class:`FieldInfo` maps are built per type
on demand and cached.

    >>> kind_type("apps/v1", "Deployment")
    'apps.v1.Deployment'
    >>> fields("apps.v1.DeploymentSpec")["replicas"].type
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
    type: str  # type string, e.g. "list[core.v1.Container]"
    description: str
    required: bool = False
    ref: str = ""  # the non-struct definition the field refers to, e.g. "meta.v1.Time"


@dataclass(frozen=True)
class Explanation:
    """What ``kubectl explain <kind>.<path>`` prints."""

    api_version: str
    kind: str
    path: str  # "spec.containers" ("" for the kind itself)
    type: str  # the field's declared type string ("core.v1.Pod" for the kind)
    model: str | None  # the model to list children of (list/map element), or None for scalars
    description: str  # the field's description, then its type's (as kubectl prints them)
    fields: tuple[FieldInfo, ...]  # children, sorted by name (empty for scalars)
    ref: str = ""  # FieldInfo.ref of the field


def data() -> dict:
    """The generated schema (loaded on first call)."""
    global _data
    if _data is None:
        with _lock:
            if _data is None:
                _data = json.loads(gzip.decompress(DATA_FILE.read_bytes()))
    return _data


def kinds() -> dict[str, str]:
    """``{"apps/v1/Deployment": "apps.v1.Deployment", ...}``."""
    return data()["kinds"]


def kind_type(api_version: str, kind: str) -> str:
    """The type name for a kind, or kubectl's no-match error."""
    name = kinds().get(f"{api_version}/{kind}")
    if name is None:
        raise errors.no_kind_match(kind, api_version)
    return name


def lookup(api_version: str, kind: str) -> dict[str, FieldInfo]:
    """The top-level fields of a kind (``lookup("v1", "Pod")["spec"].type == "core.v1.PodSpec"``)."""
    return fields(kind_type(api_version, kind))


def has_type(type_name: str) -> bool:
    """Whether ``type_name`` is a struct type (one with fields)."""
    return type_name in data()["types"]


def go_type(type_name: str) -> str:
    """Go's name for a type, as reflect prints it: ``v1.NodeSelector``, ``resource.Quantity``."""
    entry = data()["types"].get(type_name) or data()["refs"][type_name]
    return entry["go"]


def type_description(type_name: str) -> str:
    """The OpenAPI description of a type (struct or referenced definition), "" if none."""
    entry = data()["types"].get(type_name) or data()["refs"].get(type_name)
    return entry["description"] if entry else ""


def ref_info(ref: str) -> dict:
    """``{"go": "v1.Time", "kubectl": "string", "description": ...}`` for a FieldInfo.ref."""
    return data()["refs"][ref]


@lru_cache(maxsize=None)
def fields(type_name: str) -> dict[str, FieldInfo]:
    """The fields of a type, by JSON name (raises KeyError for unknown types)."""
    raw = data()["types"][type_name]["fields"]
    return {name: FieldInfo(name, entry[0], entry[1], bool(entry[2]),
                            entry[3] if len(entry) > 3 else "")
            for name, entry in raw.items()}


_LIST = re.compile(r"^list\[(.*)\]$")
_DICT = re.compile(r"^dict\(str, (.*)\)$")
_KUBECTL_SCALARS = {"str": "string", "int": "integer", "int64": "integer", "bool": "boolean",
                    "float": "number", "datetime": "string", "date": "string", "object": "Object",
                    "bytes": "string", "IntOrString": "IntOrString", "Quantity": "Quantity"}


def element_type(type_string: str) -> str:
    """Strip lists and maps: ``list[core.v1.Container]`` -> ``core.v1.Container``."""
    while True:
        match = _LIST.match(type_string) or _DICT.match(type_string)
        if not match:
            return type_string
        type_string = match.group(1)


def kubectl_type(type_string: str, ref: str = "") -> str:
    """The type as ``kubectl explain`` prints it (its ``typeGuess``): ``[]Container``,
    ``map[string]string``, ``ObjectMeta``, ``IntOrString``; ``ref`` (a FieldInfo.ref) names the
    definition behind a scalar element (``FieldsV1``; Time prints as ``string``)."""
    match = _LIST.match(type_string)
    if match:
        return "[]" + kubectl_type(match.group(1), ref)
    match = _DICT.match(type_string)
    if match:
        return "map[string]" + kubectl_type(match.group(1), ref)
    if ref:
        return ref_info(ref)["kubectl"]
    if type_string in _KUBECTL_SCALARS:
        return _KUBECTL_SCALARS[type_string]
    return type_string.rsplit(".", 1)[-1]


def _joined(*texts: str) -> str:
    return "\n".join(t for t in texts if t)


def explain_path(api_version: str, kind: str, path: str = "") -> Explanation:
    """Resolve ``path`` (dotted JSON names, e.g. ``spec.containers``) under a kind.

    The description is what kubectl's template prints: the field's own description followed
    by the description of the type it refers to (for the kind itself, the kind's).
    Raises ``KeyError`` with kubectl's wording when a segment does not exist (naming the
    path's last segment, as kubectl does).
    """
    type_string = kind_type(api_version, kind)
    description = type_description(type_string)
    ref = ""
    walked: list[str] = []
    segments = [s for s in path.split(".") if s]
    for segment in segments:
        model = element_type(type_string)
        children = fields(model) if has_type(model) else {}
        if segment not in children:
            # kubectl's template names the last segment of the path, whichever one is missing.
            raise KeyError(f'field "{segments[-1]}" does not exist')
        info = children[segment]
        type_string, ref = info.type, info.ref
        element = element_type(type_string)
        description = _joined(info.description,
                              type_description(ref or element) if (ref or has_type(element)) else "")
        walked.append(segment)
    model = element_type(type_string)
    is_model = has_type(model)
    children = tuple(sorted(fields(model).values(), key=lambda f: f.name)) if is_model else ()
    return Explanation(api_version, kind, ".".join(walked), type_string,
                       model if is_model else None, description, children, ref)
